"""GL mapping: every kind has a default GL account in the chart; a trial balance by GL
account balances whatever the mapping and the transfers (hypothesis), and each GL account's
totals are the sum of the ledger accounts mapped to it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.funds import gl, ledger
from onestop.funds.ledger import Kind, Transfer


def test_every_kind_maps_to_an_account_of_the_default_chart() -> None:
    assert set(gl.DEFAULT) == set(Kind) and set(gl.DEFAULT.values()) <= set(gl.CHART)
    assert gl.gl_code(Kind.loans_receivable, {}) == "1210"
    assert gl.gl_code(Kind.loans_receivable, {Kind.loans_receivable: "131-02"}) == "131-02"


def test_a_gl_code_is_short_ascii() -> None:
    assert gl.check_code(" 131.02 ") == "131.02"
    for bad in ("1", "대출금", "a b", "x" * 21):
        with pytest.raises(DomainError) as e:
            gl.check_code(bad)
        assert e.value.field == "gl_code" and "2~20" in e.value.ko and "2 to 20" in e.value.en


keys = st.sampled_from([ledger.budget_account(Kind.budget, 1), ledger.budget_account(Kind.appropriation, 1),
                        ledger.commitment_account(7), ledger.grant_account(7),
                        ledger.application_account(Kind.clawback_receivable, 7),
                        *(ledger.loan_account(k, 3) for k in (Kind.loans_receivable, Kind.overdue,
                                                              Kind.interest_receivable, Kind.interest_income,
                                                              Kind.repaid))])
transfers = st.lists(st.builds(Transfer, keys, keys, st.integers(1, 10**12)).filter(lambda t: t.debit != t.credit),
                     min_size=1, max_size=60)
mappings = st.dictionaries(st.sampled_from(list(Kind)), st.sampled_from(["1000", "2000", "3000", "131-02"]))


@given(entries=st.lists(transfers, min_size=1, max_size=10), mapping=mappings)
def test_the_trial_balance_by_gl_account_balances_under_any_mapping(entries: list[list[Transfer]],
                                                                    mapping: dict[Kind, str]) -> None:
    totals = ledger.replay(entries)
    tb = gl.trial_balance((gl.gl_code(ledger.kind_of(key), mapping), d, c) for key, (d, c) in totals.items())
    assert sum(x.debits for x in tb) == sum(x.credits for x in tb) == sum(t.amount for e in entries for t in e)
    assert sum(x.balance for x in tb) == 0
    for line in tb:
        mine = [v for key, v in totals.items() if gl.gl_code(ledger.kind_of(key), mapping) == line.gl_code]
        assert (line.debits, line.credits) == (sum(d for d, _ in mine), sum(c for _, c in mine))
