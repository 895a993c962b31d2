"""한국표준산업분류 (KSIC) 11th revision: codes, names and lookup.

Codes are written with the section letter, as agencies print them: `C`, `C26`, `C2611`,
`C26111`. A firm may register a shorter prefix (a division) when it does not know its subclass;
a class padded with a zero (`C26110`) is read as the class (`C2611`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache

from onestop.errors import DomainError
from onestop.korea._data import data_path
from onestop.korea.hangul import josa
from onestop.text import identifier, is_ascii_digits

_LEVEL_BY_LENGTH = {1: "section", 3: "division", 4: "group", 5: "class", 6: "subclass"}


@dataclass(frozen=True)
class KsicEntry:
    code: str
    level: str
    name_ko: str


@lru_cache(maxsize=1)
def table() -> dict[str, KsicEntry]:
    text = data_path("reference", "ksic11.csv").read_text(encoding="utf-8")
    return {
        row["code"]: KsicEntry(row["code"], row["level"], row["name_ko"])
        for row in csv.DictReader(io.StringIO(text))
    }


def normalize_ksic(value: str, field: str = "ksic") -> str:
    """Upper-case and validate a KSIC code; a bare 5-digit subclass gets its section letter."""
    code = "".join(identifier(value).split()).upper().replace("-", "")
    codes = table()
    if is_ascii_digits(code) and len(code) >= 2:
        matches = [c for c in codes if len(c) == len(code) + 1 and c[1:] == code]
        if len(matches) == 1:
            code = matches[0]
    if code not in codes and len(code) == 6 and code.endswith("0") and code[:5] in codes:
        # Agencies often pad a class to six characters (`C26110` for class `C2611`).
        code = code[:5]
    if code not in codes:
        raise DomainError(
            code="ksic_unknown",
            field=field,
            ko=(
                f"표준산업분류 코드 {josa(repr(value), '는')} 제11차 한국표준산업분류에 없습니다. "
                "대분류 문자와 숫자로 입력하세요(예: C26111, C26, J62)."
            ),
            en=(
                f"{value!r} is not a code of the 11th Korean Standard Industrial Classification. "
                "Use the section letter and digits (e.g. C26111, C26, J62)."
            ),
        )
    return code


def name_of(code: str) -> str:
    return table()[code].name_ko


def search(query: str, limit: int = 20) -> list[KsicEntry]:
    """Entries whose code starts with, or whose Korean name contains, the query."""
    q = "".join(identifier(query).split()).upper()
    if not q:
        return []
    hits = [
        e for e in table().values()
        if e.code.startswith(q) or q in e.name_ko.replace(" ", "")
    ]
    hits.sort(key=lambda e: (not e.code.startswith(q), len(e.code), e.code))
    return hits[:limit]
