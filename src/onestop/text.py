"""Unicode normalisation at every entry, so that one thing has one stored form.

Korean input arrives in several forms: full-width digits and letters from a Korean IME or an HWP
document (`４１５-８１-２５３０９`), decomposed (NFD) Hangul from macOS file names and some PDF
exports (`ㅊㅓㅇㄴㅕㄴ` as jamo), ideographic spaces (U+3000) and stray blanks around a value. Two rules
(Unicode Standard Annex #15):

- **text** (names, messages, search queries, file names) is NFC, trimmed: the composed form that
  every Korean system stores and compares;
- **identifiers and codes** (BRN, KSIC, region codes, e-mail addresses, ids) are NFKC, trimmed:
  compatibility characters fold to their plain form (full-width `４` → `4`, `Ｃ` → `C`). Validators
  of codes then accept only ASCII digits (a digit from another script stays a digit in NFKC and is
  refused by the code's own check).

`normalise_tree` applies the text rule to every string of a decoded JSON document and bounds its
depth, the way the web boundary uses it for request bodies and imports use it for files.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from onestop.errors import DomainError

#: How deep a JSON document entering the platform may nest (objects and arrays).
MAX_DEPTH = 32


def text(value: str) -> str:
    """NFC, trimmed (whitespace of every script, including U+3000, at both ends)."""
    return unicodedata.normalize("NFC", value).strip()


def identifier(value: str) -> str:
    """NFKC, trimmed: full-width and other compatibility forms fold to plain characters."""
    return unicodedata.normalize("NFKC", value).strip()


def is_ascii_digits(value: str) -> bool:
    """True for a non-empty string of 0-9 only (`str.isdigit` also accepts `４` and `٤`)."""
    return value.isascii() and value.isdigit()


#: A whole number as people type it: digits, or digits grouped by commas in threes, with a sign.
_WHOLE_NUMBER = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)")


def whole_number(value: str) -> int | None:
    """A typed whole number (won, a head-count, a year) to an int, or None when it is not one.

    NFKC first, so full-width digits and commas from a Korean IME count (`１，２００` → 1200), and
    the minus sign U+2212 is a minus. Commas are accepted only as thousands separators:
    `1,234,567` → 1234567, but `1,0`, `12,34`, `1,2345`, `1.5`, `1 000` and `` are None — a comma
    in the wrong place is a mistake to report, never a digit to drop (`1,0` is not 10)."""
    folded = identifier(value).replace("\u2212", "-")
    if not _WHOLE_NUMBER.fullmatch(folded):
        return None
    return int(folded.replace(",", ""))


def number_or_text(value: str) -> int | str:
    """A form field as a model should receive it: the int when the text is a whole number
    (`whole_number`), otherwise the text trimmed, so the model's validation names the field and
    quotes what was typed ("1,0" stays "1,0" and is reported, never read as 10)."""
    number = whole_number(value)
    return value.strip() if number is None else number


#: Schemes a link the platform shows may use: anything else (javascript:, data:, file:) could run
#: script on the platform's origin or read the user's files when clicked.
WEB_SCHEMES = ("http", "https")


def web_url(value: str, field: str = "url") -> str:
    """An absolute http(s) URL with a host, trimmed; raises DomainError naming `field` otherwise
    (`javascript:alert(1)`, a relative path, a URL with spaces or control characters)."""
    from urllib.parse import urlsplit

    url = text(value)
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if (parts is None or parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname or len(url) > 2000
            or any(c.isspace() or unicodedata.category(c) == "Cc" for c in url)):
        raise DomainError(code="url_scheme", field=field,
                          ko=f"주소 {value[:80]!r}는 사용할 수 없습니다. http:// 또는 https://로 시작하는 웹 주소만 입력할 수 있습니다.",
                          en=f"{value[:80]!r} cannot be used; only web addresses starting with http:// or https:// "
                             "are allowed.")
    return url


def too_deep(max_depth: int = MAX_DEPTH) -> DomainError:
    """The error for a document nested deeper than `max_depth` levels."""
    return DomainError(code="too_deep", field="body",
                       ko=f"입력이 너무 깊게 중첩되어 있습니다. 최대 {max_depth}단계까지 허용됩니다.",
                       en=f"The input is nested too deeply; at most {max_depth} levels are allowed.")


def normalise_tree(data: Any, *, max_depth: int = MAX_DEPTH, strip: bool = False, _depth: int = 0) -> Any:
    """The same JSON-like value with every string (keys included) in NFC.

    Values keep their surrounding blanks unless `strip` (a request body may mean them, e.g. a
    password); fields trim themselves when they are read. Raises DomainError (`too_deep`) past
    `max_depth` levels of nesting.
    """
    if isinstance(data, str):
        return text(data) if strip else unicodedata.normalize("NFC", data)
    if isinstance(data, dict | list):
        if _depth >= max_depth:
            raise too_deep(max_depth)
        if isinstance(data, dict):
            return {normalise_tree(k, max_depth=max_depth, strip=strip, _depth=_depth + 1):
                    normalise_tree(v, max_depth=max_depth, strip=strip, _depth=_depth + 1) for k, v in data.items()}
        return [normalise_tree(v, max_depth=max_depth, strip=strip, _depth=_depth + 1) for v in data]
    return data
