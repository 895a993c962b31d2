"""Loan schedules: hand-computed examples (docs/funds.md), invariants under hypothesis, and
equal-instalment schedules cross-checked against numpy-financial."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.funds.schedule import (
    DayCount,
    Frequency,
    Method,
    Terms,
    add_months,
    level_payment,
    next_business_day,
    schedule,
    totals,
)


def terms(**kw: object) -> Terms:
    base: dict[str, object] = dict(amount=100_000_000, rate_pct=Decimal("3"), term_months=60, grace_months=24,
                                   method=Method.equal_principal, frequency=Frequency.quarterly, start=date(2026, 3, 16))
    base.update(kw)
    return Terms(**base)  # type: ignore[arg-type]


def test_equal_principal_after_two_years_grace_the_documented_example() -> None:
    """1억 원, 3 %, 5 years with 2 years' grace, quarterly (docs/funds.md, example 1): eight
    interest-only quarters of 750,000 won, then twelve of 8,333,333 won principal, the last
    8,333,337 (the remainder), interest falling by 62,500 won a quarter."""
    s = schedule(terms())
    assert len(s) == 20
    assert [(i.principal, i.interest) for i in s[:8]] == [(0, 750_000)] * 8
    assert [i.principal for i in s[8:19]] == [8_333_333] * 11 and s[19].principal == 8_333_337
    assert [i.interest for i in s[8:]] == [750_000 - 62_500 * k for k in range(12)]
    assert s[-1].balance == 0 and totals(s) == (100_000_000, 8 * 750_000 + sum(750_000 - 62_500 * k for k in range(12)))
    assert s[0].due_date == date(2026, 6, 16)
    # 2027-09-16 is 추석 (Chuseok): paid the next business day
    assert (s[5].due_date, s[5].pay_by) == (date(2027, 9, 16), date(2027, 9, 17))


def test_equal_instalment_the_documented_example() -> None:
    """1억 원, 3 %, 3 years monthly, no grace (example 2): 2,908,121 won a month, as
    numpy-financial's pmt (2,908,120.96); the first month 250,000 won interest."""
    s = schedule(terms(method=Method.equal_instalment, frequency=Frequency.monthly, term_months=36, grace_months=0,
                       start=date(2026, 1, 31)))
    assert round(float(-npf.pmt(0.03 / 12, 36, 100_000_000))) == 2_908_121
    assert all(i.total == 2_908_121 for i in s[:-1])
    assert (s[0].interest, s[0].principal) == (250_000, 2_658_121)
    assert s[0].due_date == date(2026, 2, 28) and s[1].due_date == date(2026, 3, 31)  # month ends kept
    assert s[-1].balance == 0 and totals(s)[0] == 100_000_000


def test_bullet_pays_interest_every_period_and_principal_at_maturity() -> None:
    s = schedule(terms(method=Method.bullet, grace_months=0, term_months=12, frequency=Frequency.quarterly))
    assert [(i.principal, i.interest) for i in s] == [(0, 750_000)] * 3 + [(100_000_000, 750_000)]


def test_instalments_in_multiples_leave_the_remainder_to_the_last() -> None:
    s = schedule(terms(multiples_of=10_000))
    assert {i.principal for i in s[8:19]} == {8_330_000} and s[-1].principal == 100_000_000 - 11 * 8_330_000


def test_a_base_rate_change_reprices_only_the_instalments_not_yet_due() -> None:
    plain = schedule(terms(method=Method.equal_instalment, frequency=Frequency.monthly, term_months=36, grace_months=0))
    moved = schedule(terms(method=Method.equal_instalment, frequency=Frequency.monthly, term_months=36, grace_months=0),
                     [(date(2026, 10, 1), Decimal("3.5"))])
    # periods starting before 2026-10-01 keep 3 %; from the one starting 2026-10-16 on, 3.5 %
    assert moved[:7] == plain[:7]
    assert moved[7].rate_pct == Decimal("3.5") and moved[7].interest > plain[7].interest
    expected = level_payment(moved[6].balance, Decimal("3.5"), 1, 29)
    assert all(i.total == expected for i in moved[7:-1])
    assert totals(moved)[0] == 100_000_000


def test_actual_365_counts_the_days_of_each_period() -> None:
    s = schedule(terms(day_count=DayCount.actual_365, grace_months=0, term_months=12))
    # 2026-03-16 → 2026-06-16 is 92 days: 100,000,000 × 3 % × 92 / 365 = 756,164.38 → 756,164
    assert s[0].interest == 756_164


@pytest.mark.parametrize(("field", "kw"), [
    ("amount", {"amount": 0}), ("amount", {"amount": -5}), ("amount", {"amount": 10**16}),
    ("rate", {"rate_pct": Decimal("-1")}), ("rate", {"rate_pct": Decimal("35")}),
    ("term", {"term_months": 0}), ("term", {"term_months": 61}), ("term", {"term_months": 1200}),
    ("grace", {"grace_months": 60}), ("grace", {"grace_months": 4}),
    ("start", {"start": date(1900, 1, 1)}),
])
def test_terms_out_of_bounds_are_refused_naming_the_field(field: str, kw: dict[str, object]) -> None:
    with pytest.raises(DomainError) as e:
        schedule(terms(**kw))
    assert e.value.field == field and e.value.ko and e.value.en


def test_month_ends_and_business_days() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert next_business_day(date(2026, 10, 3)) == date(2026, 10, 6)  # 개천절 on a Saturday: Monday the 5th is its substitute holiday
    assert next_business_day(date(2026, 12, 25)) == date(2026, 12, 28)


amounts = st.integers(1_000_000, 10_000_000_000)
rates = st.decimals(Decimal("0"), Decimal("9.99"), places=2)
frequencies = st.sampled_from(list(Frequency))
methods = st.sampled_from(list(Method))


@st.composite
def any_terms(draw: st.DrawFn) -> Terms:
    frequency = draw(frequencies)
    p = 1 if frequency == Frequency.monthly else 3
    periods = draw(st.integers(1, 120 // p))
    method = draw(methods)
    grace = draw(st.integers(0, periods - 1)) if method != Method.bullet else 0
    return Terms(draw(amounts), draw(rates), periods * p, grace * p, method, frequency,
                 draw(st.dates(date(2020, 1, 1), date(2030, 12, 31))), draw(st.sampled_from(list(DayCount))),
                 draw(st.sampled_from([1, 1, 1000])))


@given(any_terms())
@settings(max_examples=300, deadline=None)
def test_every_schedule_repays_exactly_its_principal(t: Terms) -> None:
    s = schedule(t)
    assert totals(s)[0] == t.amount and s[-1].balance == 0
    assert all(i.principal >= 0 and i.interest >= 0 for i in s)
    assert all(a.balance >= b.balance for a, b in itertools.pairwise(s))
    assert all(i.principal == 0 for i in s[:t.grace_periods])
    assert all(a.due_date < b.due_date and a.due_date <= a.pay_by for a, b in itertools.pairwise(s))


@given(amounts, rates, st.integers(2, 120), st.sampled_from(list(Frequency)))
@settings(max_examples=200, deadline=None)
def test_equal_instalments_agree_with_numpy_financial(amount: int, rate: Decimal, n: int, frequency: Frequency) -> None:
    p = 1 if frequency == Frequency.monthly else 3
    s = schedule(Terms(amount, rate, n * p, 0, Method.equal_instalment, frequency, date(2026, 1, 15)))
    r = float(rate) / 100 * p / 12
    expected = -npf.pmt(r, n, amount) if r else amount / n
    assert abs(s[0].total - expected) <= 1
    assert all(i.total == s[0].total for i in s[:-1])
    # each period's interest is numpy-financial's ipmt, within the won cut off each period so far
    if r:
        for k, i in enumerate(s[:-1], 1):
            assert abs(i.interest - (-float(npf.ipmt(r, k, n, amount)))) <= k + 1
