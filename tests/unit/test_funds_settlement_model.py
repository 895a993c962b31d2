"""Grant settlement rules: lines and reviews are checked line by line in both languages; the
outcome splits the payment into recognised, unspent and disallowed (an invariant under
hypothesis); a clawback's state follows its balance and due date."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from onestop.funds.settlement_model import (
    ClawbackState,
    Line,
    Review,
    check_lines,
    check_reviews,
    clawback_state,
    days_overdue,
    outcome,
)


def test_a_settlement_under_the_grant_claws_back_the_unspent_and_the_cut_parts() -> None:
    lines = [Line("materials", "시제품 재료", 500_000_000, True), Line("outsourcing", "금형 외주", 300_000_000, True)]
    result = outcome(1_000_000_000, lines, [Review(500_000_000), Review(200_000_000, "범위 밖")])
    assert (result.recognised, result.unspent, result.disallowed, result.clawback) == (
        700_000_000, 200_000_000, 100_000_000, 300_000_000)


def test_spending_above_the_grant_is_the_firms_own_share_and_cuts_only_count_within_the_grant() -> None:
    lines = [Line("equipment", "장비", 70_000_000, True), Line("personnel", "인건비", 50_000_000, True)]
    assert outcome(100_000_000, lines, [Review(70_000_000), Review(50_000_000)]).clawback == 0
    cut = outcome(100_000_000, lines, [Review(70_000_000), Review(10_000_000, "증빙 불충분")])
    assert (cut.recognised, cut.unspent, cut.disallowed) == (80_000_000, 0, 20_000_000)


def test_bad_lines_are_named_by_line_and_field_in_korean_and_english() -> None:
    problems = check_lines([Line("yacht", " ", 0, False)])
    assert [p.field for p in problems] == ["lines[1].category", "lines[1].description", "lines[1].amount",
                                           "lines[1].receipt"]
    assert "인건비" in problems[0].ko and "Personnel" in problems[0].en
    assert "0원은" in problems[2].ko and "KRW 0" in problems[2].en
    assert check_lines([])[0].field == "lines"


def test_a_cut_needs_a_reason_and_an_allowance_stays_within_the_claim() -> None:
    lines = [Line("travel", "출장", 1_000_000, True), Line("other", "기타", 2_000_000, True)]
    problems = check_reviews(lines, [Review(900_000), Review(2_000_001)])
    assert [p.field for p in problems] == ["lines[1].reason", "lines[2].allowed"]
    assert check_reviews(lines, [Review(900_000, "영수증 금액 불일치"), Review(0, "목적 외 사용")]) == []
    assert check_reviews(lines, [Review(1)])[0].field == "lines"


claims = st.lists(st.tuples(st.integers(1, 10**10), st.integers(0, 100)), min_size=1, max_size=20)


@given(paid=st.integers(1, 10**11), claims=claims)
def test_the_payment_is_always_recognised_plus_clawed_back(paid: int, claims: list[tuple[int, int]]) -> None:
    lines = [Line("other", "x", amount, True) for amount, _ in claims]
    reviews = [Review(amount * pct // 100, "cut") for amount, pct in claims]
    assert check_reviews(lines, reviews) == []
    r = outcome(paid, lines, reviews)
    assert r.recognised + r.clawback == paid
    assert min(r.recognised, r.unspent, r.disallowed) >= 0
    assert r.recognised <= min(paid, sum(x.allowed for x in reviews))


def test_a_clawback_is_open_then_overdue_until_paid_in_full() -> None:
    due = date(2026, 12, 31)
    assert clawback_state(100, 0, due, date(2026, 12, 31)) == ClawbackState.open
    assert clawback_state(100, 60, due, date(2027, 1, 5)) == ClawbackState.overdue
    assert days_overdue(100, 60, due, date(2027, 1, 5)) == 5
    assert clawback_state(100, 100, due, date(2027, 1, 5)) == ClawbackState.paid
    assert days_overdue(100, 100, due, date(2027, 1, 5)) == 0
