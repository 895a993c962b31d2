"""Budgets, commitments and the journal on SQLite and PostgreSQL: approval commits the budget,
over-budget approvals are refused with the figures, giving up releases; the journal is
append-only, idempotent by client id, atomic, and never takes a flagged account below zero;
50 parallel approvals against a budget that fits 10 commit exactly 10 (PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from onestop.applications import services as applications
from onestop.errors import DomainError
from onestop.funds import budgets, journal, ledger
from onestop.funds.ledger import Kind, Transfer
from onestop.funds.tables import CommitmentRow
from onestop.platform.db import Database
from tests.integration.funds_helpers import FUNDS_YEAR, funds_fiscal_year, in_evaluation, officer  # noqa: F401

pytestmark = pytest.mark.usefixtures("funds_fiscal_year")

YEAR = FUNDS_YEAR
GROWTH = "kosmes-new-growth-fund"  # 60억 원 a firm (2026 plan, Ⅳ p.22)
GROWTH_AMOUNT = 6_000_000_000


@pytest.fixture(scope="module")
def db(database_url: str) -> Any:
    database = Database(database_url)
    yield database
    database.dispose()


def test_approval_commits_the_budget_and_withdrawal_releases_it(db: Database) -> None:
    program = "kosmes-export-globalization-fund"
    with db.unit_of_work() as s:
        kosmes = officer(s)
        budget = budgets.create(s, kosmes, program, YEAR, 3 * 10**10)
        (aid, other) = in_evaluation(s, program, 2)
        amount = int(budgets.program_spec(s, program)["limits"]["amount"])
    with db.unit_of_work() as s:
        applications.act(s, officer(s), aid, "approve", None)
    with db.unit_of_work() as s:
        figures = budgets.figures(s, budget)
        assert (figures.amount, figures.committed, figures.available) == (3 * 10**10, amount, 3 * 10**10 - amount)
        c = budgets.commitment_of(s, aid)
        assert c is not None and (c.state, c.amount) == ("active", amount)
        # the firm gives the award up: the owner withdraws (as the lifecycle allows), the money returns
        row, _ = applications.get(s, officer(s), aid)
        applications._move(s, None, row, "withdraw", applications.Actor.firm, None, "포기")
    with db.unit_of_work() as s:
        figures = budgets.figures(s, budget)
        assert (figures.committed, figures.available, figures.commitments) == (0, 3 * 10**10, 0)
        assert budgets.commitment_of(s, aid).state == "released"  # type: ignore[union-attr]
        assert budgets.commitment_of(s, other) is None
        assert journal.verify(s).ok


def test_an_approval_over_the_budget_is_refused_with_the_figures_and_changes_nothing(db: Database) -> None:
    program = "kosmes-smart-factory-fund"
    with db.unit_of_work() as s:
        spec = budgets.program_spec(s, program)
        amount = int(spec["limits"]["amount"])
        budget = budgets.create(s, officer(s), program, YEAR, amount + amount // 2)
        first, second = in_evaluation(s, program, 2)
    with db.unit_of_work() as s:
        applications.act(s, officer(s), first, "approve", None)
    with pytest.raises(DomainError) as refused, db.unit_of_work() as s:
        applications.act(s, officer(s), second, "approve", None)
    e = refused.value
    assert e.code == "over_budget"
    assert f"{amount // 2:,}" in e.en and f"{amount:,}" in e.en and "남은 금액" in e.ko
    with db.unit_of_work() as s:
        row, _ = applications.get(s, officer(s), second)
        assert row.state == "evaluation" and budgets.commitment_of(s, second) is None
        assert budgets.figures(s, budget).available == amount // 2


def test_programs_without_a_budget_are_approved_without_a_commitment(db: Database) -> None:
    program = "kosmes-restart-fund"
    with db.unit_of_work() as s:
        (aid,) = in_evaluation(s, program, 1)
    with db.unit_of_work() as s:
        assert applications.act(s, officer(s), aid, "approve", None).state == "approved"
    with db.unit_of_work() as s:
        assert budgets.commitment_of(s, aid) is None


def test_a_budget_is_opened_once_by_the_programs_agency_with_valid_figures(db: Database) -> None:
    program = "kosmes-business-conversion-fund"
    with db.unit_of_work() as s:
        jeonnam = officer(s, "jnsbi")
        with pytest.raises(DomainError) as e:
            budgets.create(s, jeonnam, program, YEAR, 10**9)
        assert e.value.code == "forbidden"
        for year, amount, region, field in ((1999, 10**9, "", "fiscal_year"), (YEAR, 0, "", "amount"),
                                            (YEAR, -5, "", "amount"), (YEAR, 10**16, "", "amount"),
                                            (YEAR, 10**9, "99", "region")):
            with pytest.raises(DomainError) as e:
                budgets.create(s, officer(s), program, year, amount, region)
            assert e.value.field == field and e.value.ko and e.value.en
        budgets.create(s, officer(s), program, YEAR, 10**9, "12")
    with pytest.raises(DomainError) as twice, db.unit_of_work() as s:
        budgets.create(s, officer(s), program, YEAR, 10**9, "12")
    assert twice.value.code == "conflict" and "이미" in twice.value.ko


def _scratch_budget(s: Any, program: str, amount: int, region: str) -> Any:
    return budgets.create(s, officer(s), program, YEAR, amount, region)


def test_the_journal_is_idempotent_atomic_and_never_negative(db: Database) -> None:
    program = "kosmes-business-conversion-fund"
    with db.unit_of_work() as s:
        b = _scratch_budget(s, program, 1_000_000, "11")
        owner = journal.Owner(b.id, program, None)
        available = ledger.budget_account(Kind.budget, b.id)
        spend = [Transfer(ledger.commitment_account(999_001), available, 400_000)]
        first, created = journal.post(s, f"t:{b.id}:1", "test", spend, owner, date(YEAR, 3, 1))
        again, created_again = journal.post(s, f"t:{b.id}:1", "test", spend, owner, date(YEAR, 3, 1))
        assert created and not created_again and again.id == first.id
        with pytest.raises(DomainError) as conflict:
            journal.post(s, f"t:{b.id}:1", "test", [Transfer(spend[0].debit, available, 1)], owner, date(YEAR, 3, 1))
        assert conflict.value.code == "idempotency_conflict"
        # linked: the second transfer would overdraw the budget, so the first is not written either
        linked = [Transfer(ledger.commitment_account(999_002), available, 500_000),
                  Transfer(ledger.commitment_account(999_003), available, 200_000)]
        with pytest.raises(journal.InsufficientBalance) as short:
            journal.post(s, f"t:{b.id}:2", "test", linked, owner, date(YEAR, 3, 2))
        assert "600,000" in short.value.en and "700,000" in short.value.en
        assert journal.balances(s, [available, ledger.commitment_account(999_002)]) == {
            available: 600_000, ledger.commitment_account(999_002): 0}
        # a correction is a reversing entry, once
        journal.reverse_entry(s, first.id, f"t:{b.id}:1:reverse", "잘못 기록 / posted in error")
        with pytest.raises(DomainError) as twice:
            journal.reverse_entry(s, first.id, f"t:{b.id}:1:reverse-again", "again")
        assert twice.value.code == "already_reversed"
        assert journal.balances(s, [available])[available] == 1_000_000
        assert journal.verify(s).ok


@pytest.mark.parametrize(("statement", "region"), [
    ("UPDATE funds_transfers SET amount = amount + 1", "26"),
    ("DELETE FROM funds_transfers", "27"),
    ("UPDATE funds_entries SET memo = 'x'", "28"),
    ("DELETE FROM funds_entries", "30"),
])
def test_the_journal_is_append_only_in_the_database(db: Database, statement: str, region: str) -> None:
    with db.unit_of_work() as s:
        b = _scratch_budget(s, "kosmes-business-conversion-fund", 5_000, region)
        assert b.id
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(sa.text(statement))


def test_an_account_cannot_be_overdrawn_even_by_sql(db: Database) -> None:
    with db.unit_of_work() as s:
        b = _scratch_budget(s, "kosmes-business-conversion-fund", 5_000, "31")
        key = ledger.budget_account(Kind.budget, b.id)
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE funds_accounts SET credits_posted = debits_posted + 1 WHERE key = :k"), {"k": key})


def test_fifty_parallel_approvals_against_a_budget_for_ten_commit_exactly_ten(db: Database, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrency is proven on PostgreSQL (SQLite serialises writers)")
    with db.unit_of_work() as s:
        budget = budgets.create(s, officer(s), GROWTH, YEAR, 10 * GROWTH_AMOUNT)
        ids = in_evaluation(s, GROWTH, 50)

    def approve(aid: int) -> str:
        try:
            with db.unit_of_work() as s:
                applications.act(s, officer(s), aid, "approve", None)
            return "approved"
        except DomainError as e:
            return e.code

    with ThreadPoolExecutor(max_workers=25) as pool:
        outcomes = list(pool.map(approve, ids))
    assert outcomes.count("approved") == 10 and outcomes.count("over_budget") == 40
    with db.unit_of_work() as s:
        states = dict(s.execute(select(applications.ApplicationRow.id, applications.ApplicationRow.state)
                                .where(applications.ApplicationRow.id.in_(ids))).all())
        assert sorted(states.values()).count("approved") == 10
        committed = s.scalars(select(CommitmentRow).where(CommitmentRow.budget_id == budget.id)).all()
        assert len(committed) == 10 and {states[c.application_id] for c in committed} == {"approved"}
        figures = budgets.figures(s, budget)
        assert (figures.available, figures.committed) == (0, 10 * GROWTH_AMOUNT)
        assert journal.verify(s).ok


def test_the_dashboards_summary_rows_agree_with_the_accounts_through_refusals_reversals_and_compaction(
        db: Database) -> None:
    with db.unit_of_work() as s:
        b = _scratch_budget(s, "kosmes-business-conversion-fund", 900_000, "47")
        owner = journal.Owner(b.id, "kosmes-business-conversion-fund", 7)
        available = ledger.budget_account(Kind.budget, b.id)
        first, _ = journal.post(s, f"sum:{b.id}:1", "commitment",
                                [Transfer(ledger.commitment_account(998_001), available, 300_000)], owner, date(YEAR, 4, 1))
        with pytest.raises(DomainError):  # refused: its summary rows go with it
            journal.post(s, f"sum:{b.id}:2", "commitment",
                         [Transfer(ledger.commitment_account(998_002), available, 700_000)], owner, date(YEAR, 4, 2))
        journal.reverse_entry(s, first.id, f"sum:{b.id}:1:reverse", "정정")
        journal.post(s, f"sum:{b.id}:3", "commitment",
                     [Transfer(ledger.commitment_account(998_003), available, 100_000)], owner, date(YEAR, 5, 1))
        from onestop.funds.tables import AccountRow

        assert journal.budget_totals(s, b.id) == journal.totals_by_kind(s, AccountRow.budget_id == b.id)
        assert journal.verify(s).ok
    with db.unit_of_work() as s:
        assert journal.compact_totals(s) > 0
    with db.unit_of_work() as s:
        from onestop.funds.tables import BudgetTotalRow

        rows = s.scalars(select(BudgetTotalRow).where(BudgetTotalRow.budget_id == b.id)).all()
        # one row per kind of account, month and kind of entry once folded
        assert len(rows) == len({(r.kind, r.month, r.entry_kind) for r in rows})
        figures = budgets.figures(s, b)
        assert (figures.amount, figures.available, figures.committed) == (900_000, 800_000, 100_000)
        assert journal.verify(s).ok
