"""A loan's position replayed from its schedule and payments: allocation order, overdue
interest, delinquency buckets, early repayment, and the same answer whatever order payments
were recorded in (back-dated replay)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.funds.loans_model import Payment, payoff, position
from onestop.funds.schedule import Frequency, Method, Terms, schedule

TERMS = Terms(120_000_000, Decimal("3"), 24, 0, Method.equal_principal, Frequency.monthly, date(2026, 1, 15))
PLAN = schedule(TERMS)
ADDON = Decimal("3")


def test_paying_each_instalment_on_time_leaves_the_schedule_balance() -> None:
    pays = [Payment(i.number, i.pay_by, i.total) for i in PLAN[:6]]
    pos = position(TERMS, PLAN, pays, PLAN[5].pay_by, ADDON)
    assert pos.principal_outstanding == PLAN[5].balance == 90_000_000
    assert pos.interest_outstanding == 0 and pos.overdue_principal == 0 and pos.bucket == "current"
    assert pos.allocations[1].interest == 300_000 and pos.allocations[1].principal == 5_000_000


def test_a_missed_instalment_is_overdue_and_bears_overdue_interest() -> None:
    """Instalment 1 (5,000,000 principal + 300,000 interest) is due Sunday 2026-02-15, payable
    after 설날 (16-18 Feb 2026) on 2026-02-19, and unpaid. On 2026-03-16 it is 25 days past due;
    overdue interest at 3 % + 3 %p on 5,000,000 won for 2026-02-20 to 2026-03-16 (25 days):
    5,000,000 × 6 % × 25 / 365 = 20,547.9 → 20,547 won. Instalment 2 (interest 287,500 on the
    115,000,000 not yet due) falls due 2026-03-15, payable 2026-03-16: not late yet."""
    assert PLAN[0].pay_by == date(2026, 2, 19) and PLAN[1].pay_by == date(2026, 3, 16)
    pos = position(TERMS, PLAN, [], date(2026, 3, 16), ADDON)
    assert (pos.days_past_due, pos.bucket, pos.overdue_principal) == (25, "1-29", 5_000_000)
    assert pos.interest_charged == 300_000 + 287_500 + 20_547
    assert pos.overdue_interest == 300_000 + 20_547
    # On 2026-03-31 both are late: 40 days past due; penalty 5,000,000 × 6 % × 40 / 365 (32,876.71)
    # + 5,000,000 × 6 % × 15 / 365 (12,328.77) = 45,205.48 → 45,205 won.
    pos = position(TERMS, PLAN, [], date(2026, 3, 31), ADDON)
    assert (pos.days_past_due, pos.bucket, pos.overdue_principal) == (40, "30-59", 10_000_000)
    assert pos.interest_charged == 300_000 + 287_500 + 45_205
    assert position(TERMS, PLAN, [], date(2026, 5, 20), ADDON).bucket == "90+"


def test_a_payment_pays_overdue_interest_then_interest_then_overdue_principal_then_principal() -> None:
    on = date(2026, 3, 31)
    a = position(TERMS, PLAN, [Payment(1, on, 400_000)], on, ADDON).allocations[1]
    assert (a.interest, a.overdue_principal, a.principal) == (400_000, 0, 0)  # 632,705 interest is owed
    a = position(TERMS, PLAN, [Payment(1, on, 6_000_000)], on, ADDON).allocations[1]
    assert (a.interest, a.overdue_principal, a.principal) == (632_705, 6_000_000 - 632_705, 0)
    a = position(TERMS, PLAN, [Payment(1, on, 11_000_000)], on, ADDON).allocations[1]
    assert (a.interest, a.overdue_principal, a.principal) == (632_705, 10_000_000, 11_000_000 - 10_632_705)


def test_early_repayment_shortens_the_term_and_lowers_later_interest() -> None:
    pays = [Payment(1, PLAN[0].pay_by, PLAN[0].total + 20_000_000)]
    pos = position(TERMS, PLAN, pays, PLAN[0].pay_by, ADDON)
    assert pos.allocations[1].principal == 25_000_000 and pos.principal_outstanding == 95_000_000
    later = position(TERMS, PLAN, pays, PLAN[1].due_date, ADDON)
    assert later.interest_charged - 300_000 == 95_000_000 * 3 // 1200  # instalment 2 on the lower balance


def test_paying_off_in_full_and_overpaying() -> None:
    on = date(2026, 5, 20)
    owed = payoff(TERMS, PLAN, [], on, ADDON)
    pos = position(TERMS, PLAN, [Payment(1, on, owed)], on, ADDON)
    assert pos.principal_outstanding == 0 and pos.interest_outstanding == 0
    with pytest.raises(DomainError) as e:
        position(TERMS, PLAN, [Payment(1, on, owed + 1)], on, ADDON)
    assert e.value.code == "overpayment" and f"{owed:,}" in e.value.en


def test_a_payment_before_disbursement_is_refused() -> None:
    with pytest.raises(DomainError) as e:
        position(TERMS, PLAN, [Payment(1, date(2026, 1, 1), 100)], date(2026, 3, 1), ADDON)
    assert e.value.code == "before_disbursement" and e.value.field == "paid_on"


payments = st.lists(st.tuples(st.integers(0, 700), st.integers(1, 8_000_000)), max_size=12)


@given(payments, st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_back_dated_payments_give_the_same_position_whatever_order_they_were_recorded(
        raw: list[tuple[int, int]], rnd: object) -> None:
    pays = [Payment(n, TERMS.start + timedelta(days=d), a) for n, (d, a) in enumerate(raw, 1)]
    as_of = date(2028, 3, 1)
    try:
        pos = position(TERMS, PLAN, pays, as_of, ADDON)
    except DomainError:
        return  # an overpayment
    shuffled = list(pays)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert position(TERMS, PLAN, shuffled, as_of, ADDON) == pos
    assert pos.principal_paid + pos.principal_outstanding == TERMS.amount
    assert 0 <= pos.interest_paid <= pos.interest_charged
    for p in pays:
        assert pos.allocations[p.id].total == p.amount
