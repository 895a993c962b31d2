"""Postings in the field layout of the national job-posting open API (고용24, formerly 워크넷:
`openapi.work.go.kr/opi/opi/opia/wantedApi.do`, 채용정보 목록 callTp=L), so that postings can be
exchanged with it: one record per posting with the API's own field names.

| API field | here |
|---|---|
| wantedAuthNo | `external_id` (구인인증번호) |
| company, busino | the firm's name and business registration number |
| title | `title` |
| salTpNm, sal, minSal, maxSal | the pay unit's name (시급/일급/월급/연봉) and the amount in won |
| region | the 시군구 as "시도 시군구" (e.g. "전남 순천시"; full names are read too) |
| holidayTpNm | 주5일근무 (35 hours a week or more) or 주 N시간 |
| minEdubg | 학력무관 / 중졸 / 고졸 / 대졸(2~3년) / 대졸(4년) / 석사 / 박사 |
| career | 관계없음, 신입, 경력 N년 |
| regDt, closeDt | the opening and closing dates, `YY-MM-DD` (a `YYYY-MM-DD` date is read too) |
| empTpCd | 10, 11, 20, 21, 4, 3 (see `model.EMPLOYMENT_TYPES`) |
| jobsCd | the occupation code: a KSCO-8 code here (see the limits in the README) |

The list API carries no weekly hours; this platform adds `hoursPerWeek` to what it exports and
reads it back; a record without it is read as 40 hours (20 for a part-time empTpCd 11/21).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from onestop.errors import FieldProblem
from onestop.jobs.model import EDUCATION, EMPLOYMENT_TYPES, PAY_UNITS, EmploymentType, PayUnit
from onestop.korea.hangul import josa
from onestop.text import identifier, text

FIELDS = ("wantedAuthNo", "company", "busino", "title", "salTpNm", "sal", "minSal", "maxSal", "region",
          "holidayTpNm", "minEdubg", "career", "regDt", "closeDt", "empTpCd", "jobsCd", "hoursPerWeek")

_SIDO_SHORT = {"서울": "11", "부산": "26", "대구": "27", "인천": "28", "광주": "12", "대전": "30", "울산": "31",
               "세종": "36", "경기": "41", "강원": "51", "충북": "43", "충남": "44", "전북": "52", "전남": "12",
               "경북": "47", "경남": "48", "제주": "50", "전남광주": "12"}
_DATE = re.compile(r"(\d{2}|\d{4})-(\d{1,2})-(\d{1,2})")


def _date(value: str) -> date | None:
    found = _DATE.search(identifier(value))
    if not found:
        return None
    y, m, d = (int(x) for x in found.groups())
    try:
        return date(y + 2000 if y < 100 else y, m, d)
    except ValueError:
        return None


def _yy(day: date) -> str:
    return day.strftime("%y-%m-%d")


def sido_short(name: str) -> str:
    for short, code in _SIDO_SHORT.items():
        if name.startswith(short) and code:
            return short
    return name


def region_code(value: str, table: Mapping[str, tuple[str, str]]) -> str | None:
    """"전남 순천시" / "전남광주통합특별시 순천시" / "12150" → the 시군구 code, or None.
    `table` maps code → (시군구 name, full name) for the 시군구 in force."""
    raw = text(value)
    if identifier(raw).isdigit() and identifier(raw) in table:
        return identifier(raw)
    words = raw.split()
    if not words:
        return None
    for code, (_, full) in table.items():
        if full == raw:
            return code
    last = " ".join(words[1:]) if len(words) > 1 else words[0]
    hits = [code for code, (name, _) in table.items() if name == last]
    if len(hits) > 1 and len(words) > 1:
        first = words[0]
        sido = next((c for s, c in _SIDO_SHORT.items() if first.startswith(s)), None)
        hits = [c for c in hits if sido is not None and c.startswith(sido)] or [
            c for c in hits if table[c][1].startswith(first)]
    return hits[0] if len(hits) == 1 else None


def _pay(rec: Mapping[str, Any]) -> int | None:
    for key in ("minSal", "sal"):
        raw = identifier(str(rec.get(key) or ""))
        if not raw:
            continue
        man = re.search(r"([\d,]+)\s*만\s*원", raw)
        if man:
            return int(man.group(1).replace(",", "")) * 10_000
        digits = re.search(r"[\d,]+", raw)
        if digits and digits.group(0).replace(",", ""):
            return int(digits.group(0).replace(",", ""))
    return None


def _career(value: str) -> int | None:
    raw = identifier(value)
    if not raw or raw in ("관계없음", "신입", "무관") or raw.startswith("신입"):
        return 0
    years = re.search(r"(\d+)\s*년", raw)
    if years:
        return int(years.group(1))
    months = re.search(r"(\d+)\s*개월", raw)
    if months:
        return -(-int(months.group(1)) // 12)
    return None if "경력" not in raw else 1


def read(rec: Mapping[str, Any], row: int, regions: Mapping[str, tuple[str, str]]) -> tuple[dict[str, Any], list[FieldProblem]]:
    """One API record → the posting fields this platform takes (`services.posting_from_data`),
    and what could not be read, each problem named by record number and API field."""
    problems: list[FieldProblem] = []
    where = f"wanted[{row}]"

    def bad(field: str, ko: str, en: str) -> None:
        problems.append(FieldProblem(f"{where}.{field}", f"worknet_{field}", f"{row + 1}번째 공고 {field}: {ko}",
                                     f"Posting {row + 1}, {field}: {en}"))

    out: dict[str, Any] = {"title": text(str(rec.get("title") or "")), "occupation": identifier(str(rec.get("jobsCd") or "")),
                           "external_id": identifier(str(rec.get("wantedAuthNo") or "")) or None,
                           "busino": identifier(str(rec.get("busino") or "")), "company": text(str(rec.get("company") or ""))}
    unit = next((u for u, (letter, name, _) in PAY_UNITS.items() if text(str(rec.get("salTpNm") or "")) in (name, letter)), None)
    if unit is None:
        bad("salTpNm", "시급·일급·월급·연봉 가운데 하나여야 합니다.", "must be one of 시급, 일급, 월급, 연봉 (H, D, M, Y).")
    out["pay_unit"] = (unit or PayUnit.month).value
    pay = _pay(rec)
    if pay is None:
        bad("sal", "금액을 읽을 수 없습니다(예: 2,800,000원, 280만원).", "no amount could be read (e.g. 2,800,000원, 280만원).")
    out["pay_won"] = pay or 0
    code = region_code(str(rec.get("region") or ""), regions)
    if code is None:
        bad("region", f"{rec.get('region')!r}에서 시군구를 찾을 수 없습니다(예: 전남 순천시).",
            f"no district found in {rec.get('region')!r} (e.g. 전남 순천시).")
    out["region"] = code or ""
    edu = text(str(rec.get("minEdubg") or "학력무관"))
    found = next((e[0] for e in EDUCATION if e[1] == edu), None)
    if found is None:
        bad("minEdubg", f"{josa(repr(edu), '는')} 고를 수 없습니다. 가능한 값: {', '.join(e[1] for e in EDUCATION)}",
            f"{edu!r} is not one of {', '.join(e[1] for e in EDUCATION)}.")
    out["education_min"] = found or "any"
    career = _career(str(rec.get("career") or ""))
    if career is None:
        bad("career", "관계없음·신입·경력 N년 가운데 하나로 적어야 합니다.", "must read 관계없음, 신입 or 경력 N년.")
    out["career_years"] = career or 0
    opens, closes = _date(str(rec.get("regDt") or "")), _date(str(rec.get("closeDt") or ""))
    if opens is None:
        bad("regDt", "등록일을 YY-MM-DD로 적어야 합니다.", "the registration date must read YY-MM-DD.")
    if closes is None:
        bad("closeDt", "마감일이 없습니다('채용시까지'만 적힌 공고는 마감일을 정해 다시 내보내 주세요).",
            "no closing date ('until filled' alone is not accepted; set a closing date and export again).")
    out["opens_on"] = (opens or date(1900, 1, 1)).isoformat()
    out["closes_on"] = (closes or date(1900, 1, 1)).isoformat()
    emp = identifier(str(rec.get("empTpCd") or ""))
    etype = next((t for t, (c, _, _) in EMPLOYMENT_TYPES.items() if c == emp), None)
    if etype is None:
        bad("empTpCd", f"{josa(repr(emp), '는')} 고를 수 없습니다. 가능한 값: {', '.join(c for c, _, _ in EMPLOYMENT_TYPES.values())}",
            f"{emp!r} is not one of {', '.join(c for c, _, _ in EMPLOYMENT_TYPES.values())}.")
    out["employment_type"] = (etype or EmploymentType.permanent).value
    part_time = etype in (EmploymentType.permanent_part_time, EmploymentType.fixed_term_part_time)
    hours = identifier(str(rec.get("hoursPerWeek") or ""))
    out["hours_per_week"] = int(hours) if hours.isdigit() else (20 if part_time else 40)
    return out, problems


def write(p: Mapping[str, Any], company: str, busino: str, region_full: str) -> dict[str, str]:
    """One stored posting (`JobPostingRow.data` with its id) → an API record."""
    unit = PayUnit(p["pay_unit"])
    _, unit_ko, _ = PAY_UNITS[unit]
    hours = int(p["hours_per_week"])
    words = region_full.split()
    region = f"{sido_short(words[0])} {' '.join(words[1:])}" if len(words) > 1 else region_full
    edu = next(e[1] for e in EDUCATION if e[0] == p.get("education_min", "any"))
    career = int(p.get("career_years", 0))
    return {
        "wantedAuthNo": str(p.get("external_id") or f"ONESTOP-{p['id']}"),
        "company": company, "busino": busino, "title": str(p["title"]), "salTpNm": unit_ko,
        "sal": f"{unit_ko} {int(p['pay_won']):,}원", "minSal": str(p["pay_won"]), "maxSal": str(p["pay_won"]),
        "region": region, "holidayTpNm": "주5일근무" if hours >= 35 else f"주 {hours}시간", "minEdubg": edu,
        "career": "관계없음" if career == 0 else f"경력 {career}년",
        "regDt": _yy(date.fromisoformat(p["opens_on"])), "closeDt": _yy(date.fromisoformat(p["closes_on"])),
        "empTpCd": EMPLOYMENT_TYPES[EmploymentType(p["employment_type"])][0], "jobsCd": str(p["occupation"]),
        "hoursPerWeek": str(hours),
    }
