"""한국표준직업분류 제8차 (KSCO-8): codes, names and how close two codes are.

KSCO codes are prefix-coded: a 세세분류 `87304` lies in 세분류 `8730`, 소분류 `873`, 중분류 `87`
and 대분류 `8`, so the level two codes share is the length of their common prefix. The table
is shipped in `data/jobs/ksco8.csv` with its source note (`data/jobs/SOURCE.md`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache

from onestop.errors import DomainError
from onestop.korea._data import data_path
from onestop.korea.hangul import josa
from onestop.text import identifier

#: Level names by code length (1 대분류 … 5 세세분류).
LEVELS: dict[int, tuple[str, str]] = {
    1: ("대분류", "major group"), 2: ("중분류", "sub-major group"), 3: ("소분류", "minor group"),
    4: ("세분류", "unit group"), 5: ("세세분류", "detailed occupation"),
}


@dataclass(frozen=True)
class Occupation:
    code: str
    level: int
    name_ko: str
    parent: str | None


@lru_cache(maxsize=1)
def table() -> dict[str, Occupation]:
    text = data_path("jobs", "ksco8.csv").read_text(encoding="utf-8")
    return {row["code"]: Occupation(row["code"], int(row["level"]), row["name_ko"], row["parent_code"] or None)
            for row in csv.DictReader(io.StringIO(text))}


@lru_cache(maxsize=1)
def _by_name() -> dict[str, str]:
    """Name → code for the names that belong to exactly one occupation."""
    codes: dict[str, list[str]] = {}
    for o in table().values():
        codes.setdefault(o.name_ko, []).append(o.code)
    return {n: c[0] for n, c in codes.items() if len(c) == 1}


def normalize_occupation(value: str, field: str = "occupation") -> str:
    """A KSCO-8 occupation as typed → its code: a code (`８７１２１`, ` 87304 `), the code with its
    name as the form's list offers it (`87304 지게차 운전원`), or a name that is exactly one
    occupation's (`지게차 운전원`). Anything else raises DomainError (`occupation_unknown`) naming
    what is allowed."""
    words = identifier(value).split()
    code = "".join(words).upper()
    if code not in table() and words:
        first, rest = words[0].upper(), " ".join(words[1:])
        listed = first in table() and rest == table()[first].name_ko  # "87304 지게차 운전원"
        code = first if listed else _by_name().get(" ".join(words), code)
    if code not in table():
        shown = repr(value.strip()) if value.strip() else "(빈 값)"
        raise DomainError(
            code="occupation_unknown", field=field,
            ko=f"직종 코드 {josa(shown, '는')} 한국표준직업분류(제8차)에 없습니다. 1~5자리 코드로 입력하세요"
               "(예: 87304 지게차 운전원, 8730 물품 이동 장비 조작원).",
            en=f"{value.strip()!r} is not a code of the Korean Standard Classification of Occupations (8th "
               "revision). Use a code of 1 to 5 characters (e.g. 87304, 8730).")
    return code


def name(code: str) -> str:
    found = table().get(code)
    return found.name_ko if found else code


def label(code: str, lang: str = "ko") -> str:
    """`87304 지게차 운전원` — the source has Korean names only, so English shows the same."""
    return f"{code} {name(code)}"


def shared_level(a: str, b: str) -> int:
    """How many levels two codes share (0 none … 5 the same 세세분류)."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def search(query: str, limit: int = 20) -> list[Occupation]:
    """Occupations whose name contains the words of `query` (for the profile form), most
    detailed first."""
    words = [w for w in identifier(query).split() if w]
    if not words:
        return []
    hits = [o for o in table().values() if all(w in o.name_ko or o.code.startswith(w) for w in words)]
    hits.sort(key=lambda o: (-o.level, o.code))
    return hits[:limit]
