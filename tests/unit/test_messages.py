"""Every message a template asks for exists in both languages, and codes have names."""

from __future__ import annotations

import re
from importlib import resources

from onestop.platform.display import Show
from onestop.platform.i18n import MESSAGES

TEMPLATES = resources.files("onestop.platform") / "templates"


def _templates() -> list[str]:
    out = []
    stack = [TEMPLATES]
    while stack:
        node = stack.pop()
        for child in node.iterdir():
            if child.is_dir():
                stack.append(child)
            elif child.name.endswith(".html"):
                out.append(child.read_text(encoding="utf-8"))
    return out


def test_every_message_key_a_template_uses_exists_in_korean_and_english() -> None:
    used = {k for text in _templates() for k in re.findall(r"(?<![\w.])t\('([a-z_.]+)'", text)}
    used = {k for k in used if not k.endswith(".")}
    assert used, "templates use the catalog"
    missing = sorted(k for k in used if k not in MESSAGES)
    assert not missing
    for key in used:
        ko, en = MESSAGES[key]
        assert ko and en and key not in (ko, en)


def test_no_template_has_inline_script_handlers_or_styles() -> None:
    for text in _templates():
        assert "<script>" not in text and not re.search(r"\son[a-z]+=\"", text) and " style=" not in text


def test_codes_are_shown_with_their_names() -> None:
    ko, en = Show("ko"), Show("en")
    assert ko.ksic("C10602") == "빵류 제조업 (C10602)"
    assert ko.region("12150") == "전남광주통합특별시 순천시" and en.region("11") == "Seoul"
    assert en.region("12150") == "Suncheon-si, Jeonnam-Gwangju Integrated Special City"
    assert en.ksic("C10602") == "Manufacture of bakery products (C10602)"
    assert ko.size("small") == "소기업" and en.size("non_sme") == "Not an SME"
    assert ko.role("officer") == "기관 담당자" and en.support("loan") == "Loan"
    assert ko.mime("application/pdf") == "PDF" and ko.bytes(2_500_000) == "2.4 MB"
