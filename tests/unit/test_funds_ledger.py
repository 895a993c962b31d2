"""The ledger's pure rules: transfers balance by construction, replaying gives the same totals,
reversing undoes, and the posting rules move money budget → committed → loan → repaid."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.funds import ledger
from onestop.funds.ledger import Kind, Transfer

KEYS = [ledger.budget_account(Kind.budget, 1), ledger.budget_account(Kind.appropriation, 1),
        ledger.commitment_account(7), ledger.loan_account(Kind.loans_receivable, 3),
        ledger.loan_account(Kind.repaid, 3)]

transfers = st.builds(Transfer, st.sampled_from(KEYS), st.sampled_from(KEYS), st.integers(1, 10**12)).filter(
    lambda t: t.debit != t.credit)
entries = st.lists(st.lists(transfers, min_size=1, max_size=5), max_size=30)


@given(entries)
def test_every_entry_balances_and_the_trial_balance_holds(journal: list[list[Transfer]]) -> None:
    for entry in journal:
        changes = ledger.net_changes(ledger.check_transfers(entry))
        assert sum(d for d, _ in changes.values()) == sum(c for _, c in changes.values())
    debits, credits = ledger.trial_balance(ledger.replay(journal))
    assert debits == credits


@given(entries)
def test_replaying_in_any_grouping_gives_the_same_totals(journal: list[list[Transfer]]) -> None:
    flat = [[t] for entry in journal for t in entry]
    assert ledger.replay(journal) == ledger.replay(flat)


@given(entries)
def test_reversing_every_entry_brings_every_balance_back_to_zero(journal: list[list[Transfer]]) -> None:
    totals = ledger.replay(journal + [ledger.reverse(e) for e in journal])
    for key, (d, c) in totals.items():
        assert ledger.balance(ledger.kind_of(key), d, c) == 0


def test_money_flows_budget_to_commitment_to_loan_to_repaid() -> None:
    journal = [ledger.fund_budget(1, 1_000_000_000), ledger.commit(1, 7, 300_000_000),
               ledger.disburse_loan(7, 3, 300_000_000), ledger.accrue_interest(3, 625_000),
               ledger.repay(3, interest=625_000, overdue_principal=0, principal=10_000_000)]
    totals = ledger.replay(journal)

    def bal(key: str) -> int:
        return ledger.balance(ledger.kind_of(key), *totals.get(key, (0, 0)))

    assert bal(ledger.budget_account(Kind.budget, 1)) == 700_000_000
    assert bal(ledger.commitment_account(7)) == 0
    assert bal(ledger.loan_account(Kind.loans_receivable, 3)) == 290_000_000
    assert bal(ledger.loan_account(Kind.interest_receivable, 3)) == 0
    assert bal(ledger.loan_account(Kind.repaid, 3)) == 10_625_000
    assert bal(ledger.loan_account(Kind.interest_income, 3)) == 625_000
    for key, (d, c) in totals.items():
        assert not ledger.violates(ledger.kind_of(key), d, c)


def test_a_release_is_the_mirror_of_the_commitment() -> None:
    assert ledger.release(1, 7, 5) == [Transfer(ledger.budget_account(Kind.budget, 1), ledger.commitment_account(7), 5)]


@pytest.mark.parametrize("amount", [0, -1, 10**15 + 1, 1.5, True])
def test_an_amount_that_is_not_positive_whole_won_is_refused(amount: object) -> None:
    with pytest.raises(DomainError) as e:
        ledger.check_transfers([Transfer("budget:1:budget", "budget:1:appropriation", amount)])  # type: ignore[arg-type]
    assert e.value.field == "transfers[1].amount" and "1원 이상" in e.value.ko


def test_an_empty_entry_or_one_account_on_both_sides_is_refused() -> None:
    with pytest.raises(DomainError):
        ledger.check_transfers([])
    with pytest.raises(DomainError, match="same account"):
        ledger.check_transfers([Transfer("budget:1:budget", "budget:1:budget", 5)])


def test_repayment_parts_of_zero_write_no_transfer() -> None:
    assert ledger.repay(3, interest=0, overdue_principal=0, principal=100) == [
        Transfer(ledger.loan_account(Kind.repaid, 3), ledger.loan_account(Kind.loans_receivable, 3), 100)]
