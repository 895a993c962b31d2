"""Typed whole numbers (won, head-counts): commas only as thousands separators, full-width forms
folded, and a misplaced comma reported instead of dropped (QA: "1,0" was read as 10)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.text import number_or_text, whole_number


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
    from starlette.datastructures import FormData

    import onestop.platform.pages  # noqa: F401 - it loads every feature's pages, as the server does
    from onestop.evaluation.pages import years_from_form
    from onestop.firms.pages import profile_from_form

    profile = profile_from_form(FormData([("regular_employees", "1,0"), ("revenue_2025", "1,200,000,000")]))
    assert profile["regular_employees"] == "1,0" and profile["revenue"] == {"2025": 1_200_000_000}
    years = years_from_form(FormData([("years.2025.revenue", "12,34"), ("years.2025.net_income", "-1,500")]), [2025])
    assert years[0]["revenue"] == "12,34" and years[0]["net_income"] == -1500


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_a_form_field_is_the_number_or_the_text_as_typed(n: int) -> None:
    assert number_or_text(f"{n:,}") == n and number_or_text(f" {n} ") == n
    assert number_or_text(" 1,0 ") == "1,0" and number_or_text("12억") == "12억"
