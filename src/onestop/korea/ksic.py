"""한국표준산업분류 (KSIC) 11th revision: codes, names and lookup.

Codes are written with the section letter, as agencies print them: `C`, `C26`, `C2611`,
`C26111`. A firm may register a shorter prefix (a division) when it does not know its subclass;
a class padded with a zero (`C26110`) is read as the class (`C2611`).

English titles (``name_en``) are Statistics Korea's, from its KSIC-11 English table
(``data/reference/ksic11_en.csv``; see SOURCE.md): every subclass, sections A–F and division 01
as published.
A section, division, group or class whose Korean title is word for word the title of one of its
own subclasses takes that subclass's English title (the publisher translates one title once);
the others have no English title here (``name_en`` is ``None``) and English pages show them by
their Korean title beside the code, as before.
"""

from __future__ import annotations

import csv
import io
import re
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
    name_en: str | None = None

    def name(self, lang: str) -> str:
        """The title in ``lang`` ("ko" or "en"); in English the Korean title where Statistics
        Korea's English table has none."""
        return self.name_en if lang == "en" and self.name_en else self.name_ko


def _published_en() -> dict[str, str]:
    """Statistics Korea's English titles as published: numeric codes without the section letter
    (subclass "01110", division "01") and section letters → title."""
    text = data_path("reference", "ksic11_en.csv").read_text(encoding="utf-8")
    return {row["code"]: row["name_en"] for row in csv.DictReader(io.StringIO(text))}


def _squash(text: str) -> str:
    return "".join(text.split())


@lru_cache(maxsize=1)
def table() -> dict[str, KsicEntry]:
    text = data_path("reference", "ksic11.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    published = _published_en()
    by_title: dict[str, list[str]] = {}
    for r in rows:
        if r["level"] == "subclass" and r["code"][1:] in published:
            by_title.setdefault(_squash(r["name_ko"]), []).append(r["code"])

    def english(code: str, level: str, name_ko: str) -> str | None:
        if level == "subclass":
            return published.get(code[1:])
        if level == "section" and code in published:
            return published[code]
        if level != "section" and code[1:] in published:
            return published[code[1:]]
        same = {published[c[1:]] for c in by_title.get(_squash(name_ko), ()) if c.startswith(code)}
        return same.pop() if len(same) == 1 else None

    return {
        row["code"]: KsicEntry(row["code"], row["level"], row["name_ko"],
                               english(row["code"], row["level"], row["name_ko"]))
        for row in rows
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


def name_of(code: str, lang: str = "ko") -> str:
    """The title of a code in ``lang``: Statistics Korea's English title in English where it
    publishes one, else the Korean title."""
    return table()[code].name(lang)


def search(query: str, limit: int = 20) -> list[KsicEntry]:
    """Entries whose code starts with, or whose Korean or English title contains, the query
    (English case-insensitively)."""
    q = "".join(identifier(query).split()).upper()
    if not q:
        return []
    words = " ".join(identifier(query).split()).lower()
    # English titles are searched for words ("bakery"), not for a code ("C26", "J")
    english = len(re.findall(r"[a-z]", words)) >= 3 and not re.fullmatch(r"[a-z]\d*", words)
    hits = [
        e for e in table().values()
        if e.code.startswith(q) or q in e.name_ko.replace(" ", "")
        or (english and e.name_en is not None and words in e.name_en.lower())
    ]
    hits.sort(key=lambda e: (not e.code.startswith(q), len(e.code), e.code))
    return hits[:limit]
