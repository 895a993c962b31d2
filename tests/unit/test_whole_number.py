"""Typed whole numbers (won, head-counts): commas only as thousands separators, full-width forms
folded, and a misplaced comma reported instead of dropped (QA: "1,0" was read as 10)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.text import whole_number


@pytest.mark.parametrize(("typed", "value"), [
    ("1200", 1200), ("1,200", 1200), ("1,234,567", 1234567), ("-3,000", -3000), ("−3,000", -3000),
    ("１，２００", 1200), ("１２００", 1200), (" 15 ", 15), ("0", 0),
])
def test_numbers_people_type(typed: str, value: int) -> None:
    assert whole_number(typed) == value


@pytest.mark.parametrize("typed", ["1,0", "12,34", "1,2345", ",100", "100,", "1.5", "1 000", "", "-", "십", "١٢", "1e3"])
def test_a_misplaced_comma_or_anything_else_is_not_a_number(typed: str) -> None:
    assert whole_number(typed) is None


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_any_integer_written_with_or_without_separators_reads_back(n: int) -> None:
    assert whole_number(str(n)) == n
    assert whole_number(f"{n:,}") == n


@given(st.integers(min_value=1000, max_value=10**12), st.integers(min_value=1, max_value=2))
def test_a_comma_moved_out_of_its_group_is_refused(n: int, shift: int) -> None:
    grouped = f"{n:,}"
    digits = grouped.replace(",", "")
    first = grouped.index(",")
    moved = digits[:first - shift] + "," + digits[first - shift:]
    if moved != grouped and moved[0] != ",":
        assert whole_number(moved) is None


def test_every_form_that_reads_numbers_keeps_a_misplaced_comma_for_its_message() -> None:
    import onestop.platform.pages  # noqa: F401 - it loads every feature's pages, as the server does
    from onestop.catalog.pages import _number_text
    from onestop.evaluation.pages import _number as statement_number
    from onestop.firms.pages import _number as profile_number

    assert profile_number("1,0") == "1,0" and profile_number("1,000") == 1000
    assert statement_number("12,34") == "12,34" and statement_number("-1,500") == -1500
    assert _number_text("1,0") == "1,0" and _number_text("3,000,000") == "3000000"
