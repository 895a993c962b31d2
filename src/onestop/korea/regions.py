"""Administrative region codes (행정안전부 법정동코드, first 5 digits), their history, and the capital area.

Codes: 2 digits for a 시도, 5 digits for a 시군구; a full 10-digit 법정동코드 is accepted and read
by its 시군구 part. ``regions.csv`` is the current list (법정동코드 전체자료, code.go.kr, snapshot of
2026-10-08). ``region_changes.csv`` is the dated table of changes at 시도 and 시군구 level since
2010-01-01 (splits, merges, moves, renames and recodes), each row with the law, notice or ordinance
that made it; see ``data/reference/SOURCE.md``.

A former code whose area went to one current code is mapped to it (``resolve_region`` says when and
why, in Korean and English); a code whose area was divided is refused with a message naming every
successor, so the user can pick; a code that never existed is refused. A code that is current is
never remapped, whatever its history.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from onestop.errors import DomainError
from onestop.korea._data import data_path
from onestop.korea.hangul import josa
from onestop.text import identifier, is_ascii_digits

#: 수도권정비계획법 제2조: 서울특별시, 인천광역시, 경기도.
CAPITAL_AREA_SIDO = frozenset({"11", "28", "41"})

#: The change table starts here; earlier changes are not recorded (see SOURCE.md).
HISTORY_START = date(2010, 1, 1)

#: Kinds of change in ``region_changes.csv``. Only ``split`` has more than one successor.
CHANGE_KINDS = frozenset({"split", "merge", "move", "rename", "recode", "upgrade", "restore"})


@dataclass(frozen=True)
class Region:
    code: str
    level: str
    name_ko: str
    name_full: str
    since: date | None = None  # first day the code is in force, when that is on or after 2010-01-01

    @property
    def sido(self) -> str:
        return self.code[:2]


@dataclass(frozen=True)
class RegionChange:
    """One row of ``region_changes.csv``: on ``effective`` the area of ``former_code`` went to
    ``successors`` (one code, or several for a ``split``)."""

    effective: date
    former_code: str
    former_name: str
    kind: str
    successors: tuple[str, ...]
    event_ko: str
    event_en: str
    source: str
    check: str

    @property
    def confirmed(self) -> bool:
        """False where the source note flags part of the legal citation as unconfirmed."""
        return "unconfirmed" not in self.source


@dataclass(frozen=True)
class RegionResolution:
    """What a region code given by a user means on a date.

    ``given`` is the code as typed after normalisation (NFKC, ASCII digits; 2, 5 or 10 digits);
    ``current`` the 2- or 5-digit code in force on the date and ``current_name`` its full name.
    ``changed_on`` is the day the last change that led from ``given`` to ``current`` took effect,
    ``None`` when nothing changed; ``note_ko``/``note_en`` then explain the change for the user.
    """

    given: str
    current: str
    current_name: str
    changed_on: date | None = None
    note_ko: str | None = None
    note_en: str | None = None
    steps: tuple[RegionChange, ...] = field(default=(), repr=False)

    @property
    def changed(self) -> bool:
        return self.changed_on is not None


@dataclass
class RegionSplitError(DomainError):
    """A former code whose area is now divided among several codes; ``successors`` are the current
    regions (code and names) the user can choose from."""

    successors: tuple[Region, ...] = ()


def _parse_date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


@lru_cache(maxsize=1)
def table() -> dict[str, Region]:
    """Current 시도 and 시군구 codes → Region (법정동코드, code.go.kr snapshot of 2026-10-08)."""
    text = data_path("reference", "regions.csv").read_text(encoding="utf-8")
    return {
        r["code"]: Region(r["code"], r["level"], r["name_ko"], r["name_full"], _parse_date(r["since"]))
        for r in csv.DictReader(io.StringIO(text))
    }


@lru_cache(maxsize=1)
def history() -> tuple[RegionChange, ...]:
    """Every recorded change since 2010-01-01, oldest first (``region_changes.csv``)."""
    text = data_path("reference", "region_changes.csv").read_text(encoding="utf-8")
    rows = [
        RegionChange(
            effective=date.fromisoformat(r["effective"]),
            former_code=r["former_code"],
            former_name=r["former_name"],
            kind=r["kind"],
            successors=tuple(r["successors"].split()),
            event_ko=r["event_ko"],
            event_en=r["event_en"],
            source=r["source"],
            check=r["check"],
        )
        for r in csv.DictReader(io.StringIO(text))
    ]
    return tuple(sorted(rows, key=lambda c: (c.effective, c.former_code)))


@lru_cache(maxsize=1)
def _changes_by_code() -> dict[str, tuple[RegionChange, ...]]:
    out: dict[str, list[RegionChange]] = {}
    for change in history():
        out.setdefault(change.former_code, []).append(change)
    return {code: tuple(rows) for code, rows in out.items()}


@lru_cache(maxsize=1)
def _former_names() -> dict[str, str]:
    return {c.former_code: c.former_name for c in history()}


def _name(code: str) -> str:
    region = table().get(code)
    if region is not None:
        return region.name_full
    return _former_names().get(code) or _parent_name(code) or code


def _in_force(code: str, on: date) -> bool:
    region = table().get(code)
    return region is not None and (region.since is None or region.since <= on)


@lru_cache(maxsize=1)
def _districts_of_cities() -> dict[str, tuple[str, ...]]:
    """시 codes that have 일반구 (e.g. 41110 수원시) → the codes of their 구 (41111, 41113, ...)."""
    out: dict[str, list[str]] = {}
    for region in table().values():
        if region.level == "sigungu" and region.code[4] != "0" and " " in region.name_ko:
            out.setdefault(region.code[:4] + "0", []).append(region.code)
    return {city: tuple(sorted(codes)) for city, codes in out.items()}


def _parent_name(code: str) -> str | None:
    children = _districts_of_cities().get(code)
    if not children:
        return None
    return table()[children[0]].name_full.rsplit(" ", 1)[0]


def _foreign_digit(char: str) -> bool:
    """A numeric character other than 0-9 and full-width ０-９ (e.g. ٤, ४, ①, 𝟏, ¹)."""
    return (unicodedata.category(char) in ("Nd", "Nl", "No")
            and not ("0" <= char <= "9" or "\uff10" <= char <= "\uff19"))


def normalize_code_input(value: str) -> str | None:
    """NFKC-normalise a typed code and keep it only if it is ASCII digits.

    Full-width digits (from a Korean IME) count as their ASCII form; any other numeric character
    (Arabic-Indic, Devanagari, circled or mathematical digits, superscripts), letter or sign makes
    the input invalid → ``None``. Surrounding (also ideographic) spaces are removed."""
    if any(_foreign_digit(c) for c in value):
        return None
    code = identifier(value)
    return code if is_ascii_digits(code) else None


def _unknown(value: str, field_name: str) -> DomainError:
    shown = unicodedata.normalize("NFC", value).strip()[:20]
    return DomainError(
        code="region_unknown",
        field=field_name,
        ko=(
            f"지역 코드 {josa(repr(shown), '를')} 찾을 수 없습니다. 시도 2자리(예: 11 서울특별시), 시군구 5자리"
            "(예: 11680 강남구) 또는 법정동코드 10자리를 숫자(0–9)로 입력하세요."
        ),
        en=(
            f"Region code {shown!r} is unknown. Use a 2-digit province code (e.g. 11 Seoul), a 5-digit "
            "district code (e.g. 11680 Gangnam-gu) or a 10-digit legal-dong code, in the digits 0-9."
        ),
    )


def _choice_list(codes: tuple[str, ...], lang: str = "ko") -> str:
    if lang == "en":
        return "; ".join(f"{c} {name_en(c) if c in table() else _name(c)}" for c in codes)
    return ", ".join(f"{c} {_name(c)}" for c in codes)


def _split_error(given: str, steps: list[RegionChange], successors: tuple[str, ...],
                 field_name: str) -> RegionSplitError:
    split = steps[-1]
    where = f"{given}({steps[0].former_name})"
    where_en = f"{given} ({former_name_en(steps[0].former_code, steps[0].former_name)})"
    choices = _choice_list(successors)
    return RegionSplitError(
        code="region_split",
        field=field_name,
        ko=(f"지역 코드 {where}: {split.effective.isoformat()}에 여러 지역으로 나뉘었습니다"
            f"({split.event_ko}). 지금 코드 중 하나를 고르세요: {choices}."),
        en=(f"Region code {where_en} was divided on {split.effective.isoformat()} ({split.event_en}). "
            f"Choose one of the current codes: {_choice_list(successors, 'en')}."),
        successors=tuple(table()[c] for c in successors if c in table()),
    )


def _resolve_successors(code: str, after: date, on: date) -> tuple[str, ...]:
    """The codes in force on ``on`` that cover ``code`` as it was just after ``after``."""
    for change in reversed(_changes_by_code().get(code, ())):
        if after < change.effective <= on:
            out: list[str] = []
            for successor in change.successors:
                out.extend(_resolve_successors(successor, change.effective, on))
            return tuple(dict.fromkeys(out))
    children = _districts_of_cities().get(code)
    if children and not _in_force(code, on):
        return tuple(c for c in children if _in_force(c, on))
    return (code,)


def resolve_region(value: str, on: date | None = None, field: str = "region") -> RegionResolution:
    """Resolve a 시도/시군구 code (or a 10-digit 법정동코드) to the code in force on ``on``.

    ``value``: text as typed; NFKC-normalised, surrounding spaces removed, and it must then be ASCII
    digits (full-width digits are accepted as their ASCII form, other Unicode digits are refused).
    ``on``: the date whose rules apply; changes that take effect later are not applied, and a code
    that comes into force later is refused. Default: every recorded change applied (the reference
    data is current as of the 2026-10-08 법정동코드 and the change table to 2026-11-30), so the
    answer does not depend on the machine's clock.

    Returns a :class:`RegionResolution`. A former code with a single successor maps to it through
    every recorded step (e.g. 28170 → 28177 on 2018-07-01; 47720 → 27720 on 2023-07-01). A code
    that is current is never remapped.

    Raises :class:`RegionSplitError` (code ``region_split``) when the code's area is divided among
    several current codes (e.g. 41590 화성시 on 2026-02-01, or a 시 with 일반구 such as 41110
    수원시), naming each successor; ``DomainError`` ``region_not_yet`` for a code not yet in force on
    ``on``; ``DomainError`` ``region_unknown`` for anything else.

    Source: 행정안전부 법정동코드 (code.go.kr) and the laws, notices and ordinances cited per row of
    ``region_changes.csv``.
    """
    day = on or date.max
    digits = normalize_code_input(value)
    if digits is None or len(digits) not in (2, 5, 10):
        raise _unknown(value, field)
    code = digits
    if len(digits) == 10:
        code = digits[:2] if digits[2:] == "00000000" else digits[:5]
    return _resolve(digits, code, day, field, value, past=on is not None)


def _resolve(given: str, code: str, day: date, field_name: str, raw: str, past: bool) -> RegionResolution:
    if code in table():
        if _in_force(code, day):
            return RegionResolution(given=given, current=code, current_name=_name(code))
        region = table()[code]
        assert region.since is not None
        raise DomainError(
            code="region_not_yet",
            field=field_name,
            ko=(f"지역 코드 {code}({region.name_full}): {region.since.isoformat()}부터 쓰이는 코드입니다. "
                f"{day.isoformat()} 기준 코드를 입력하세요."),
            en=(f"Region code {code} ({name_en(code)}) is in force from {region.since.isoformat()}; "
                f"use the code in force on {day.isoformat()}."),
        )
    steps: list[RegionChange] = []
    current = code
    after = date.min
    while True:
        applicable = [c for c in _changes_by_code().get(current, ()) if after < c.effective <= day]
        if not applicable:
            break
        change = applicable[-1]
        steps.append(change)
        after = change.effective
        if len(change.successors) > 1:
            successors: list[str] = []
            for successor in change.successors:
                successors.extend(_resolve_successors(successor, change.effective, day))
            raise _split_error(given, steps, tuple(dict.fromkeys(successors)), field_name)
        current = change.successors[0]
        if current in table():
            break
    if steps:
        if current in table() or current in _former_names():
            return _changed(given, code, current, steps, day if past else None)
    elif current in _former_names():
        return RegionResolution(given=given, current=current, current_name=_name(current))
    children = _districts_of_cities().get(current)
    if children:
        in_force = tuple(c for c in children if _in_force(c, day))
        name = steps[0].former_name if steps else (_parent_name(current) or current)
        where = f"{given}({name})"
        where_en = f"{given} ({former_name_en(steps[0].former_code if steps else current, name)})"
        choices = _choice_list(in_force)
        raise RegionSplitError(
            code="region_split",
            field=field_name,
            ko=f"지역 코드 {where}: 구가 있는 시입니다. 구 코드 중 하나를 고르세요: {choices}.",
            en=(f"Region code {where_en} is a city with districts (구). Choose one of its districts: "
                f"{_choice_list(in_force, 'en')}."),
            successors=tuple(table()[c] for c in in_force),
        )
    raise _unknown(raw, field_name)


def _changed(given: str, code: str, current: str, steps: list[RegionChange],
             as_of: date | None) -> RegionResolution:
    first = steps[0]
    name = _name(current)
    events_ko = ", ".join(f"{s.effective.isoformat()} {s.event_ko}" for s in steps)
    events_en = "; ".join(f"{s.event_en} on {s.effective.isoformat()}" for s in steps)
    shown_ko = code if given == code else f"{given}(시군구 {code})"
    shown_en = code if given == code else f"{given} (district {code})"
    when_ko = "현재 코드는" if as_of is None else f"{as_of.isoformat()} 기준 코드는"
    when_en = "Its current code is" if as_of is None else f"Its code on {as_of.isoformat()} is"
    return RegionResolution(
        given=given,
        current=current,
        current_name=name,
        changed_on=steps[-1].effective,
        note_ko=f"{shown_ko} {first.former_name}: {events_ko}. {when_ko} {current}({name})입니다.",
        note_en=(f"{shown_en} {former_name_en(first.former_code, first.former_name)}: {events_en}. {when_en} {current} "
                 f"({name_en(current) if current in table() else name})."),
        steps=tuple(steps),
    )


def normalize_region(value: str, field: str = "region") -> str:
    """Return the current 2- or 5-digit code for a 시도/시군구 code or 10-digit 법정동코드.

    Former codes are mapped to their successor (see :func:`resolve_region`, which also returns the
    date and an explanation); raises ``DomainError`` naming what is allowed, or
    :class:`RegionSplitError` naming the successors of a divided area.
    """
    return resolve_region(value, field=field).current


@lru_cache(maxsize=1)
def former_codes() -> dict[str, str]:
    """Former codes whose area is today one current code → that code (e.g. "42" → "51",
    "47720" → "27720"). Codes whose area was divided are not here; see :func:`successors_of`."""
    out: dict[str, str] = {}
    for code in _changes_by_code():
        if code in table():
            continue
        try:
            out[code] = resolve_region(code).current
        except DomainError:
            continue
    return out


def successors_of(code: str, on: date | None = None) -> tuple[str, ...]:
    """The codes in force on ``on`` (default: after every recorded change) that cover a former code's
    area: one code for a renamed, moved or merged area, several for a divided one; ``(code,)`` for a
    current code."""
    day = on or date.max
    if code in table():
        return (code,)
    return _resolve_successors(code, date.min, day)


def is_capital_area(code: str) -> bool:
    return code[:2] in CAPITAL_AREA_SIDO


def sido_list() -> list[Region]:
    return [r for r in table().values() if r.level == "sido"]


def name_of(code: str) -> str:
    return table()[code].name_full


#: English names of the 시도: the metropolitan cities by their romanised names and the provinces
#: with "-do" (Revised Romanization of Korean, 문화체육관광부 고시 제2014-42호, which writes an
#: administrative unit after a hyphen); 강원·전북 by the English titles they adopted as special
#: self-governing provinces ("Gangwon State", "Jeonbuk State"); 전남광주통합특별시 has no
#: published English name yet and is translated.
SIDO_EN: dict[str, str] = {
    "11": "Seoul", "12": "Jeonnam-Gwangju Integrated Special City", "26": "Busan", "27": "Daegu",
    "28": "Incheon", "30": "Daejeon", "31": "Ulsan", "36": "Sejong", "41": "Gyeonggi-do",
    "43": "Chungcheongbuk-do", "44": "Chungcheongnam-do", "47": "Gyeongsangbuk-do",
    "48": "Gyeongsangnam-do", "50": "Jeju", "51": "Gangwon State", "52": "Jeonbuk State",
}


#: Statistics Korea's 2018 시도 codes (통계청 행정구역분류, not the 법정동코드) → the 시도's name
#: that year, to read ``sigungu_en_kostat2018.csv``.
_KOSTAT_SIDO: dict[str, str] = {
    "11": "서울특별시", "21": "부산광역시", "22": "대구광역시", "23": "인천광역시", "24": "광주광역시",
    "25": "대전광역시", "26": "울산광역시", "29": "세종특별자치시", "31": "경기도", "32": "강원도",
    "33": "충청북도", "34": "충청남도", "35": "전라북도", "36": "전라남도", "37": "경상북도",
    "38": "경상남도", "39": "제주특별자치도",
}

_UNITS: dict[str, str] = {"시": "si", "군": "gun", "구": "gu"}

#: A 일반구 as Statistics Korea names it: the 시 and its 구 written together ("수원시장안구").
_CITY_DISTRICT = re.compile(r"^(\S+?시)(\S+구)$")


def _squash(text: str) -> str:
    return "".join(text.split())


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _common_start(words: list[str]) -> str:
    """The letters every word starts with ("suwonsi" for the four 구 of 수원시)."""
    first = min(words)
    last = max(words)
    n = 0
    while n < len(first) and first[n] == last[n]:
        n += 1
    return first[:n]


def english_from_published(name_ko: str, published: str, city_prefix: str = "") -> str | None:
    """Write a published romanisation the way 국어의 로마자 표기법 writes an administrative unit:
    after a hyphen ("Suncheon-si", "Gijang-gun"), a 일반구 with its 시 ("Jangan-gu, Suwon-si").

    Only the layout changes; the letters are the publisher's. ``city_prefix`` is the publisher's
    spelling of the 시 with "si" that starts each of its 구 ("suwonsi"), "" where it writes the 구
    alone. Returns ``None`` for a name that is not the Korean name's unit (e.g. "Gongju-si" for a
    군), so a wrong row is left out rather than shown."""
    letters = _letters(published)
    district = _CITY_DISTRICT.match(name_ko)
    if district:
        if not letters.endswith("gu") or not letters.startswith(city_prefix):
            return None
        stem = letters[len(city_prefix):-2]
        if not stem:
            return None
        return f"{stem.capitalize()}-gu, {city_prefix[:-2].capitalize()}-si" if city_prefix else f"{stem.capitalize()}-gu"
    unit = _UNITS.get(name_ko[-1:])
    if unit is None:
        return None
    if "-" in published and published.rsplit("-", 1)[1].strip().lower() != unit:
        return None
    stem = letters[:-len(unit)] if letters.endswith(unit) else letters
    return f"{stem.capitalize()}-{unit}" if stem else None


#: A 일반구 as the Ministry of the Interior and Safety writes it in English: "Wonmi-gu, Bucheon-si".
_MOIS_CITY_DISTRICT = re.compile(r"^([A-Z][a-z]+)-gu, ([A-Z][a-z]+)-si$")


def english_from_mois(name_ko: str, published: str) -> str | None:
    """Check a 시군구's English name from the Ministry of the Interior and Safety's (행정안전부)
    administrative-boundary table, which already writes the unit after a hyphen ("Jemulpo-gu",
    "Cheorwon-gun") and a 일반구 with its 시 ("Wonmi-gu, Bucheon-si" for "부천시 원미구").

    ``name_ko`` is the Korean name as the table gives it, with or without the space between 시
    and 구. Returns the published name unchanged when its units are the Korean name's (a 일반구's
    "-gu, …-si", otherwise the last unit), ``None`` otherwise, so a wrong row is left out rather
    than shown. Raises nothing."""
    district = _CITY_DISTRICT.match(_squash(name_ko))
    if district:
        return published if _MOIS_CITY_DISTRICT.match(published) else None
    unit = _UNITS.get(name_ko[-1:])
    if unit is None or not re.fullmatch(rf"[A-Z][a-z]+-{unit}", published):
        return None
    return published


@lru_cache(maxsize=1)
def _published_en() -> dict[tuple[str, str], str]:
    """(시도 name, 시군구 name) → English name, from Statistics Korea's 2018 table."""
    text = data_path("reference", "sigungu_en_kostat2018.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    cities: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        match = _CITY_DISTRICT.match(row["name"])
        if match:
            cities.setdefault((row["kostat_code"][:2], match[1]), []).append(_letters(row["name_eng"]))
    prefixes: dict[tuple[str, str], str] = {}
    for key, spellings in cities.items():
        common = _common_start(spellings)
        cut = common.rfind("si")
        prefixes[key] = common[:cut + 2] if cut > 0 else ""
    out: dict[tuple[str, str], str] = {}
    for row in rows:
        match = _CITY_DISTRICT.match(row["name"])
        prefix = prefixes.get((row["kostat_code"][:2], match[1]), "") if match else ""
        english = english_from_published(row["name"], row["name_eng"], prefix)
        if english is not None:
            out[(_KOSTAT_SIDO[row["kostat_code"][:2]], row["name"])] = english
    # a 시 with 구 has no row of its own; its name is the spelling all its 구 start with
    # (former codes such as 41110 수원시 are named in English messages)
    for (sido, city), prefix in prefixes.items():
        if prefix:
            out.setdefault((_KOSTAT_SIDO[sido], city), f"{prefix[:-2].capitalize()}-si")
    return out


@lru_cache(maxsize=1)
def _mois_en() -> dict[str, str]:
    """Current code → English name, from the Ministry of the Interior and Safety's 2026-07 table
    (``sigungu_en_mois2026.csv``), for the 시군구 the 2018 table does not name: a row counts only
    where its code is a current 시군구 whose Korean name is the row's, its units check out
    (``english_from_mois``) and a 일반구's 시 is spelled as in the 2018 table ("Bucheon-si")."""
    text = data_path("reference", "sigungu_en_mois2026.csv").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text)):
        region = table().get(row["code"])
        if region is None or region.level != "sigungu" or _squash(region.name_ko) != _squash(row["name"]):
            continue
        english = english_from_mois(row["name"], row["name_eng"])
        if english is None:
            continue
        # a 일반구's 시 is spelled as the 2018 table spells that 시, where it names it
        district = _CITY_DISTRICT.match(_squash(row["name"]))
        if district:
            city_en = _published_en().get((region.name_full.partition(" ")[0], district[1]))
            if city_en is not None and not english.endswith(f", {city_en}"):
                continue
        out[row["code"]] = english
    return out


@lru_cache(maxsize=1)
def _earlier_names() -> dict[str, tuple[str, ...]]:
    """Current code → the full names its whole area had under former codes (a recode, a move, a
    merge into it), newest first; from ``region_changes.csv``."""
    into: dict[str, list[RegionChange]] = {}
    for change in history():
        if len(change.successors) == 1:
            into.setdefault(change.successors[0], []).append(change)

    def names(code: str, seen: frozenset[str]) -> list[str]:
        out: list[str] = []
        for change in sorted(into.get(code, ()), key=lambda c: c.effective, reverse=True):
            if change.former_code not in seen:
                out.append(change.former_name)
                out.extend(names(change.former_code, seen | {change.former_code}))
        return out

    return {code: tuple(names(code, frozenset({code}))) for code in into}


@lru_cache(maxsize=1)
def _kostat_sigungu_en() -> dict[str, str]:
    """Current code → English name from Statistics Korea's 2018 table (242 of the 256 시군구;
    세종 36110 is named as its 시도)."""
    published = _published_en()
    out: dict[str, str] = {}
    for region in table().values():
        if region.level != "sigungu":
            continue
        own = _squash(region.name_ko)
        for full in (region.name_full, *_earlier_names().get(region.code, ())):
            sido, _, rest = full.partition(" ")
            # Only the same name under an earlier 시도 or code: a renamed area (남구 → 미추홀구)
            # does not take its old name's English.
            if _squash(rest) == own and (sido, own) in published:
                out[region.code] = published[(sido, own)]
                break
    return out


@lru_cache(maxsize=1)
def _sigungu_en() -> dict[str, str]:
    """Current code → English name: Statistics Korea's 2018 names, and for the 시군구 created or
    renamed since (미추홀구, 제물포구, 부천시·화성시의 구 …) and 철원군, whose 2018 row is wrong,
    the Ministry of the Interior and Safety's 2026 names."""
    out = dict(_kostat_sigungu_en())
    for code, english in _mois_en().items():
        out.setdefault(code, english)
    return out


#: English names of 시도 that no longer exist under these codes (Revised Romanization, as
#: ``SIDO_EN``): 강원도 and 전라북도 before they became special self-governing provinces, 광주광역시
#: and 전라남도 before 전남광주통합특별시.
FORMER_SIDO_EN: dict[str, str] = {"29": "Gwangju", "42": "Gangwon-do", "45": "Jeollabuk-do", "46": "Jeollanam-do"}


def former_name_en(code: str, full_name: str) -> str:
    """A former code's name for English text, from its full Korean name as it was
    ("전라남도 순천시" → "Suncheon-si, Jeollanam-do"); the 시군구 part stays in Korean where the
    published table has no English name for it ("인천광역시 남구" is "Nam-gu, Incheon" only if
    published under that name). Raises nothing."""
    sido_ko, _, rest = full_name.partition(" ")
    sido_en = FORMER_SIDO_EN.get(code[:2]) or SIDO_EN.get(code[:2], "")
    if not rest:
        return sido_en or full_name
    own = _published_en().get((sido_ko, _squash(rest)), rest)
    return f"{own}, {sido_en}" if sido_en else own


def english_name(code: str) -> str | None:
    """The English name of a 시도 or 시군구 alone ("Seoul", "Suncheon-si", "Jangan-gu, Suwon-si"),
    or ``None`` where no published English name covers it (see ``data/reference/SOURCE.md``).

    시군구: Statistics Korea's English names (2018 administrative-district boundaries), written with
    the unit after a hyphen; a code recoded or moved since (강원 42→51, 전북 45→52, 군위군 to 대구,
    전남·광주 to 12) keeps the name it had when its Korean name is the same. The 13 시군구 that
    table does not name (created or renamed since, e.g. 28125 "Jemulpo-gu", 41591 "Manse-gu,
    Hwaseong-si", and 51780 "Cheorwon-gun", whose 2018 row is wrong) take the Ministry of the
    Interior and Safety's 2026 English names."""
    entry = table().get(code)
    if entry is None:
        return None
    if entry.level == "sido" or entry.name_ko == table().get(code[:2], entry).name_ko:
        return SIDO_EN.get(code[:2])
    return _sigungu_en().get(code)


def name_en(code: str) -> str:
    """A region's name for English text: a 시도 by its English name ("Seoul", "Gyeonggi-do"), a
    시군구 by its English name and its 시도's ("Suncheon-si, Jeonnam-Gwangju Integrated Special
    City"; "Jangan-gu, Suwon-si, Gyeonggi-do"; "Jemulpo-gu, Incheon"). Where no published English
    name covers a 시군구 (none of today's 256 at present), its Korean name with the 시도's English
    name. A code not in the table is returned as given. Raises nothing."""
    entry = table().get(code)
    if entry is None:
        return code
    sido = SIDO_EN.get(code[:2], "")
    english = english_name(code)
    if entry.level == "sido" or (english is not None and english == sido):
        return sido or entry.name_ko
    own = english or entry.name_ko
    return f"{own}, {sido}" if sido else own
