"""The HS nomenclature as shipped (`data/hs/`, see its SOURCE.md): HS 2022 chapters, headings and
subheadings (English, WCO/UN Comtrade), and the Korean HSK 10-digit codes of 관세청 (2025-01-01
list) with their Korean and English names. A reference table like `korea.ksic`: read once."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache

from onestop.errors import DomainError
from onestop.korea._data import data_path
from onestop.korea.hangul import josa
from onestop.text import identifier

#: Comtrade's own rows, not part of the nomenclature
_NOT_CODES = frozenset({"TOTAL", "99", "9999", "999999"})
HSK_DATE = "2025-01-01"


@dataclass(frozen=True)
class HsEntry:
    code: str
    #: 2 chapter, 4 heading, 6 subheading (HS 2022), 10 HSK (Korea)
    level: int
    name_en: str
    #: the HSK Korean name (relative to its parent line, as 관세청 publishes it); "" for HS levels
    name_ko: str = ""


@cache
def table() -> dict[str, HsEntry]:
    """Every code: HS 2022 levels 2, 4 and 6, the HSK 10-digit codes and their 7–9-digit header lines."""
    out: dict[str, HsEntry] = {}
    hs_text = data_path("hs", "data", "harmonized-system.csv").read_text(encoding="utf-8-sig")
    for row in csv.DictReader(io.StringIO(hs_text, newline="")):
        code = row["hscode"]
        if code in _NOT_CODES or row["section"] == "TOTAL":
            continue
        out[code] = HsEntry(code, len(code), row["description"])
    hsk_text = data_path("hs", "hsk", "hsk_2025-01-01_names.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(io.StringIO(hsk_text, newline="")):
        code = row["HS부호"]
        out[code] = HsEntry(code, len(code), row["영문품목명"], row["한글품목명"])
    return out


def normalize_hs(value: str, field: str = "hs_code") -> str:
    """A code as typed ("8413.70-1000", "８４１３７０") → its digits; it must exist in HS 2022 (2, 4
    or 6 digits) or in the HSK (10 digits). DomainError naming the nearest existing parent."""
    raw = identifier(value)
    digits = "".join(ch for ch in raw if ch not in ".- ")
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in (2, 4, 6, 10):
        raise DomainError(code="invalid", field=field,
                          ko="HS 코드는 숫자 2·4·6자리(HS 2022) 또는 10자리(HSK)로 쓰세요 (예: 8413.70 또는 8413.70-1000).",
                          en="Give the HS code as 2, 4 or 6 digits (HS 2022) or 10 digits (HSK), e.g. 8413.70 or "
                             "8413.70-1000.")
    t = table()
    if digits in t:
        return digits
    parent = next((digits[:n] for n in (6, 4, 2) if n < len(digits) and digits[:n] in t), None)
    shown = shown_code(digits)
    hint_ko = f" 상위 분류 {shown_code(parent)}({t[parent].name_en})에서 고르세요." if parent else ""
    hint_en = f" Choose within {shown_code(parent)} ({t[parent].name_en})." if parent else ""
    raise DomainError(code="unknown_hs", field=field,
                      ko=f"{josa(shown, '은')} HS 2022 품목분류표와 관세청 HSK({HSK_DATE})에 없는 코드입니다.{hint_ko}",
                      en=f"{shown} is not a code of HS 2022 or of the Korean HSK ({HSK_DATE}).{hint_en}")


def shown_code(code: str) -> str:
    """8413, 8413.70, 8413.70-1000: the way customs papers write them."""
    if len(code) <= 4:
        return code
    if len(code) == 6:
        return f"{code[:4]}.{code[4:]}"
    return f"{code[:4]}.{code[4:6]}-{code[6:]}"


def name(code: str, lang: str = "ko") -> str:
    """The name to show: for an HSK code in Korean, its name with the nearest parent line that is
    more than "기타" (관세청 names are relative); HS levels have English names only."""
    t = table()
    entry = t.get(code)
    if entry is None:
        return code
    if lang != "ko" or not entry.name_ko:
        if entry.level == 10 and entry.name_en.strip().lower() in ("other", "others"):
            return f"{t[code[:6]].name_en if code[:6] in t else ''} — {entry.name_en}".strip(" —")
        return entry.name_en
    if entry.name_ko.strip() in ("기타", "그 밖의 것"):
        for n in (9, 8, 7):
            up = t.get(code[:n])
            if up is not None and up.name_ko and up.name_ko.strip() not in ("기타", "그 밖의 것"):
                return f"{up.name_ko} — {entry.name_ko}"
        parent = t.get(code[:6])
        return f"{parent.name_en if parent else ''} — {entry.name_ko}".strip(" —")
    return entry.name_ko
