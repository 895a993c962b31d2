"""Money and holiday names in the page's language (issue 15 item 9 / fixsec item 4): English
pages read "KRW 120 million", never 억/만; holiday names come from the `holidays` package in
Korean or English (its default for KR is English, which put "Chuseok" on Korean pages)."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from onestop.applications.consultations import holiday_name
from onestop.korea.money import MAX_WON, format_won, format_won_en, format_won_in


def test_english_amounts_read_as_english_readers_read_them() -> None:
    assert format_won_en(120_000_000) == "KRW 120 million"
    assert format_won_en(1_500_000_000) == "KRW 1.5 billion"
    assert format_won_en(325_500_000) == "KRW 325.5 million"
    assert format_won_en(1_000_000) == "KRW 1 million"
    assert format_won_en(2_000_000_000_000) == "KRW 2 trillion"
    assert format_won_en(123_456_789) == "KRW 123,456,789"
    assert format_won_en(5_000) == "KRW 5,000"
    assert format_won_en(0) == "KRW 0"
    assert format_won_en(-30_000_000) == "-KRW 30 million"
    assert format_won_in(120_000_000, "ko") == "1억 2,000만 원"
    assert format_won_in(120_000_000, "en") == "KRW 120 million"


def _value_of(text: str) -> int:
    """Read an English amount back into integer won."""
    sign = -1 if text.startswith("-") else 1
    m = re.fullmatch(r"-?KRW ([\d,]+)(?:\.(\d{1,2}))? ?(million|billion|trillion)?", text)
    assert m, text
    whole, frac, unit = int(m.group(1).replace(",", "")), m.group(2) or "", m.group(3)
    scale = {"million": 10**6, "billion": 10**9, "trillion": 10**12, None: 1}[unit]
    return sign * (whole * scale + int(frac.ljust(2, "0") or 0) * scale // 100)


@given(st.integers(min_value=-MAX_WON, max_value=MAX_WON))
def test_an_english_amount_states_the_exact_value_without_korean_units(amount: int) -> None:
    text = format_won_en(amount)
    assert not re.search(r"[억만원]", text)
    assert _value_of(text) == amount


@given(st.integers(min_value=0, max_value=MAX_WON))
def test_the_korean_amount_states_the_exact_value(amount: int) -> None:
    text = format_won(amount)
    units = {"억": 10**8, "만": 10**4, "": 1}
    total = sum(int(n.replace(",", "")) * units[u] for n, u in re.findall(r"([\d,]+)(억|만|)", text.removesuffix(" 원")))
    assert total == amount


def test_holiday_names_follow_the_language() -> None:
    chuseok = date(2026, 9, 25)
    assert holiday_name(chuseok) == "추석" and holiday_name(chuseok, "ko") == "추석"
    assert holiday_name(chuseok, "en") == "Chuseok"
    assert holiday_name(date(2026, 9, 22)) is None
    assert holiday_name(date(2026, 1, 1), "en") == "New Year's Day"


def test_no_message_or_template_hard_codes_a_two_form_particle() -> None:
    """은(는), 이(가), 을(를), (으)로 read as machine text: every message that puts a value before
    a particle chooses it with `korea.hangul.josa` (fixsec item 5)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "src" / "onestop"
    found = [f"{p.relative_to(root)}:{n}" for p in [*root.rglob("*.py"), *root.rglob("*.html")]
             if p.name != "hangul.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"은\(는\)|이\(가\)|을\(를\)|\(으\)로|\(는\)|\(를\)", line)]
    assert found == []


def test_email_links_follow_the_served_port_unless_the_base_url_is_set() -> None:
    from onestop.cli import serve_base_url

    assert serve_base_url("127.0.0.1", 8791) == "http://127.0.0.1:8791"
    assert serve_base_url("0.0.0.0", 9000) == "http://127.0.0.1:9000"
    assert serve_base_url("::1", 8080) == "http://[::1]:8080"
