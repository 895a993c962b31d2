"""From approval to repayment on SQLite and PostgreSQL: a signed agreement paid out in a batch
becomes a loan with snapshotted terms (base rate + spread, with its source); re-running the
batch pays nothing twice; the bank file (CSV, XLSX); payments by hand and from a bank CSV with
bad rows listed; a back-dated payment re-allocates through new entries; the daily accrual is
safe to re-run; the journal always replays to the same balances."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from onestop.applications import services as applications
from onestop.applications.lifecycle import Actor
from onestop.errors import DomainError
from onestop.funds import budgets, journal, loans
from onestop.funds.ledger import Kind
from onestop.funds.tables import EntryRow, LoanRow
from onestop.korea.dates import KST
from onestop.platform.db import Database, utcnow
from tests.integration.funds_helpers import FUNDS_YEAR, funds_fiscal_year, in_evaluation, officer  # noqa: F401

pytestmark = pytest.mark.usefixtures("funds_fiscal_year")
#: loans are paid out and repaid in the current year (payments may not be dated in the future)
YEAR = utcnow().astimezone(KST).year

PROGRAM = "kosmes-restructuring-fund"  # 10억 원, 기준금리 + 0.0%p, 5 years with 2 years' grace


@pytest.fixture(scope="module")
def db(database_url: str) -> Any:
    database = Database(database_url)
    yield database
    database.dispose()


def signed(db: Database, program: str, n: int, budget: int) -> list[int]:
    """n applications approved (committing the budget) and signed."""
    with db.unit_of_work() as s:
        budgets.create(s, officer(s), program, FUNDS_YEAR, budget)
        ids = in_evaluation(s, program, n)
    for aid in ids:
        with db.unit_of_work() as s:
            applications.act(s, officer(s), aid, "approve", None)
        with db.unit_of_work() as s:
            row, _ = applications.get(s, officer(s), aid)
            applications._move(s, None, row, "sign", Actor.firm, None)  # the firm's owner signs (tested elsewhere)
    return ids


def test_from_signed_agreement_to_loan_payments_and_accrual(db: Database) -> None:
    value_date = date(YEAR, 1, 15)
    ids = signed(db, PROGRAM, 3, 5 * 10**9)
    with db.unit_of_work() as s:
        kosmes = officer(s)
        with pytest.raises(DomainError) as e:
            loans.record_base_rate(s, kosmes, "kosmes", date(YEAR, 1, 1), Decimal("3.15"), "  ")
        assert e.value.field == "source"
        loans.record_base_rate(s, kosmes, "kosmes", date(YEAR, 1, 1), Decimal("3.15"),
                               "테스트용 기준금리 (test fixture; not a published figure)")
        result = loans.create_batch(s, kosmes, value_date, [
            loans.LineInput(ids[0], "기업은행", "123-456789-01-011", "테스트 주식회사", amount=800_000_000),
            loans.LineInput(ids[1], "국민은행", "12", "테스트 주식회사"),  # bad account: listed, others go on
            loans.LineInput(ids[2], "농협은행", "301-0123-4567-81", "다른 주식회사", method="equal_instalment",
                            frequency="monthly"),
            loans.LineInput(ids[0], "기업은행", "123-456789-01-011", "테스트 주식회사"),  # twice: refused
        ])
        assert result.batch is not None and result.added == [ids[0], ids[2]]
        assert [(a, p.field) for a, p in result.refused] == [(ids[1], "account"), (ids[0], "application_id")]
        batch_id = result.batch.id
        csv_text = loans.bank_file_csv(s, batch_id).decode("utf-8-sig")
        assert "123-456789-01-011" in csv_text and "800000000" in csv_text and f"ONESTOP-{ids[0]}" in csv_text
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(loans.bank_file_xlsx(s, batch_id))).active
        assert sheet is not None and sheet.cell(2, 5).value == 800_000_000

    first = loans.execute_batch(db.unit_of_work, kosmes, batch_id)
    again = loans.execute_batch(db.unit_of_work, kosmes, batch_id)
    assert (first.paid, first.already, first.failed) == (2, 0, [])
    assert (again.paid, again.already) == (0, 2)  # a re-run batch never pays twice
    with db.unit_of_work() as s:
        loan = loans.loan_of_application(s, ids[0])
        assert loan is not None and loan.amount == 800_000_000
        assert loan.terms["rate_pct"] == "3.15" and loan.terms["floating"] is True
        assert loan.terms["base_rate_source"].startswith("테스트용") and loan.terms["term_months"] == 60
        row, _ = applications.get(s, kosmes, ids[0])
        assert row.state == "executed"
        c = budgets.commitment_of(s, ids[0])
        assert c is not None and c.state == "used"
        figures = budgets.figures(s, budgets.find(s, PROGRAM, date(FUNDS_YEAR, 6, 1), row.branch))  # type: ignore[arg-type]
        # 10억 committed to each of three; 8억 and 10억 paid out; 2억 unpaid returned; 10억 still committed
        assert (figures.disbursed, figures.committed, figures.available) == (18 * 10**8, 10**9, 5 * 10**9 - 28 * 10**8)
        plan = loans.plan_of(s, loan)
        assert plan[0].interest == 800_000_000 * 315 // 40_000  # a quarter at 3.15 %
        loan_id = loan.id
        assert journal.verify(s).ok

    first_due = plan[0]
    with db.unit_of_work() as s:
        pay, created = loans.record_payment(s, loan_id, first_due.pay_by, first_due.total, "hand-1")
        assert created and (pay.interest, pay.principal) == (first_due.interest, 0)
        same, created = loans.record_payment(s, loan_id, first_due.pay_by, first_due.total, "hand-1")
        assert not created and same.id == pay.id
        for bad, field in (({"amount": 0}, "amount"), ({"paid_on": value_date - timedelta(days=1)}, "paid_on"),
                           ({"amount": 10**12}, "amount"), ({"loan_id": 999_999}, "loan")):
            args = {"loan_id": loan_id, "paid_on": first_due.pay_by, "amount": 1000, "client_id": f"bad-{field}"} | bad
            with pytest.raises(DomainError) as e:
                loans.record_payment(s, **args)  # type: ignore[arg-type]
            assert e.value.field == field

    statement = (
        "transaction_id,loan,paid_on,amount\n"
        f"T-2,{loan_id},{plan[1].pay_by.isoformat()},\"{plan[1].total:,}\"\n"
        f"T-3,999999,{plan[1].pay_by.isoformat()},1000\n"
        f"T-4,{loan_id},2026-13-01,1000\n"
        f"T-5,{loan_id},{plan[1].pay_by.isoformat()},-5\n"
        f"T-2,{loan_id},{plan[1].pay_by.isoformat()},\"{plan[1].total:,}\"\n"
    )
    imported = loans.import_payments(db.unit_of_work, statement, "statement.csv")
    assert len(imported.posted) == 1 and imported.duplicates == 1
    assert [(n, f) for n, f, _, _ in imported.refused] == [(3, "loan"), (4, "paid_on"), (5, "amount")]

    with db.unit_of_work() as s:
        loan = s.get(LoanRow, loan_id)
        # a back-dated payment recorded now, dated before the second: the journal re-allocates
        early = first_due.pay_by + timedelta(days=10)
        loans.record_payment(s, loan_id, early, 50_000_000, "hand-early")
        reversed_entries = s.scalars(select(EntryRow).where(EntryRow.loan_id == loan_id,
                                                            EntryRow.reverses_id.is_not(None))).all()
        assert reversed_entries, "the later payment was re-allocated by reversing entries"
        v = loans.view(s, kosmes, loan_id)
        # 50,000,000 early repayment, and the second instalment's interest was lower after it: the
        # difference went to principal too
        paid = v.position.principal_paid
        assert paid > 50_000_000 and v.position.principal_outstanding == 800_000_000 - paid
        statement_row = next(p for p in v.payments if p.client_id == "bank:T-2")
        assert statement_row.principal == 0  # stored as the firm was first told (append-only) …
        assert v.position.allocations[statement_row.id].principal == paid - 50_000_000  # … re-allocated since
        assert v.balances[Kind.loans_receivable] + v.balances[Kind.overdue] == v.position.principal_outstanding
        assert journal.verify(s).ok
    n, posted = loans.accrue(db.unit_of_work, plan[6].pay_by + timedelta(days=40))
    n2, posted2 = loans.accrue(db.unit_of_work, plan[6].pay_by + timedelta(days=40))
    assert n == n2 >= 2 and posted > 0 and posted2 == 0  # the daily job is safe to re-run
    with db.unit_of_work() as s:
        v = loans.view(s, kosmes, loan_id, plan[6].pay_by + timedelta(days=40))
        assert v.position.bucket in ("30-59", "60-89", "90+") and v.balances[Kind.overdue] == v.position.overdue_principal
        assert v.balances[Kind.interest_receivable] == v.position.interest_outstanding
        assert journal.verify(s).ok


def test_a_loan_needs_a_recorded_base_rate_and_a_line(db: Database) -> None:
    program = "kosmes-emergency-fund"  # two lines: general (+0.5 %p) and retailer-rehabilitation
    ids = signed(db, program, 1, 2 * 10**9)
    with db.unit_of_work() as s:
        missing = loans.create_batch(s, officer(s), date(YEAR, 2, 2), [
            loans.LineInput(ids[0], "기업은행", "123-456789-01-011", "테스트")])
        assert missing.batch is None and missing.refused[0][1].field == "line"
        ok = loans.create_batch(s, officer(s), date(YEAR - 30, 2, 2), [
            loans.LineInput(ids[0], "기업은행", "123-456789-01-011", "테스트", line="general")])
        assert ok.batch is not None
        batch_id = ok.batch.id
        kosmes = officer(s)
    result = loans.execute_batch(db.unit_of_work, kosmes, batch_id)
    # no base rate recorded for that date: refused with how to fix it, nothing paid
    assert result.paid == 0 and "기준금리" in result.failed[0][1] and "base-rate set" in result.failed[0][2]
    with db.unit_of_work() as s:
        assert loans.loan_of_application(s, ids[0]) is None
        assert budgets.commitment_of(s, ids[0]).state == "active"  # type: ignore[union-attr]
