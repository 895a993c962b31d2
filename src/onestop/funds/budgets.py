"""Budgets and commitments.

A budget is a program's money for one fiscal year (the calendar year, 국가재정법 제2조), for the
whole program or for one 시도. When an officer approves an application of a program that has a
budget, the approval commits the program's amount (the agreement's 한도) from the budget of the
firm's 시도, or else from the program-wide budget; an approval that would take the budget below
zero is refused with the figures, and nothing of it is saved. Withdrawing an approved
application, or its rejection or expiry, releases the commitment. Programs without a budget on
the platform (or without an amount, such as training) are approved without a commitment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal
from onestop.errors import DomainError
from onestop.funds import journal, ledger
from onestop.funds.ledger import Kind
from onestop.funds.tables import BudgetRow, CommitmentRow
from onestop.korea.dates import KST
from onestop.korea.hangul import josa
from onestop.korea.money import MAX_WON, format_won
from onestop.platform.db import utcnow

#: the lifecycle states that give up an approval (its commitment returns to the budget)
GIVEN_UP = frozenset({"withdrawn", "rejected", "expired"})
FISCAL_YEARS = (2000, 2100)


@dataclass(frozen=True)
class BudgetFigures:
    """A budget's position in won, derived from the journal."""

    budget_id: int
    program_id: str
    fiscal_year: int
    region: str
    amount: int  # appropriated
    available: int  # not committed
    committed: int  # approved, not yet paid out
    disbursed: int  # paid out as loans or grants
    commitments: int  # active commitments (count)
    outstanding: int = 0  # principal lent and not repaid (current and overdue)
    repaid: int = 0  # money received back (principal and interest)
    overdue: int = 0  # principal past due and unpaid
    clawback: int = 0  # grants' parts to be returned, not yet paid back


def today() -> date:
    """The KST day an approval or a release is booked on; its year is the fiscal year whose
    budget an approval draws on."""
    return utcnow().astimezone(KST).date()


def program_spec(db: Session, program_id: str) -> dict[str, Any]:
    """The program's current catalog spec (name, agency, limits, lines, support type), through
    the catalog's services; DomainError `not_found` naming the program when there is none."""
    from onestop.catalog.services import current_spec

    found = current_spec(db, program_id)
    if found is None:
        raise DomainError(code="not_found", field="program_id", ko=f"사업 {josa(str(program_id), '을')} 찾을 수 없습니다.",
                          en=f"Program {program_id} not found.")
    spec: dict[str, Any] = found[1].spec
    return spec


def create(db: Session, who: Principal, program_id: str, fiscal_year: int, amount: int, region: str = "") -> BudgetRow:
    """Open a budget and post its appropriation. Officers of the program's agency (and admins)
    only. Raises DomainError naming the field for a year outside 2000-2100, an amount that is
    not 1 to MAX_WON won, an unknown 시도 code, or a budget that exists already."""
    from onestop.korea import regions

    spec = program_spec(db, program_id)
    if not who.can_edit_program(spec["agency"]):
        raise DomainError(code="forbidden", ko="이 사업의 기관 담당자만 예산을 편성할 수 있습니다.",
                          en="Only the program's agency officers can open its budget.")
    problems = []
    if not FISCAL_YEARS[0] <= fiscal_year <= FISCAL_YEARS[1]:
        problems.append(("fiscal_year", f"회계연도 {josa(str(fiscal_year), '은')} 받을 수 없습니다. 2000~2100 사이로 입력하세요.",
                         f"Fiscal year {fiscal_year} is not allowed; give a year from 2000 to 2100."))
    if not 0 < amount <= MAX_WON:
        problems.append(("amount", f"예산액 {amount:,}원은 받을 수 없습니다. 1원 이상 {MAX_WON:,}원 이하로 입력하세요.",
                         f"A budget of KRW {amount:,} is not allowed; give 1 to {MAX_WON:,} won."))
    if region and region not in {r.code for r in regions.sido_list()}:
        problems.append(("region", f"시도 코드 {josa(str(region), '은')} 없는 코드입니다.", f"There is no 시도 with code {region}."))
    if problems:
        field, ko, en = problems[0]
        raise DomainError(code="invalid", field=field, ko=ko, en=en)
    row = BudgetRow(program_id=program_id, fiscal_year=fiscal_year, region=region, amount=amount,
                    created_by=who.user_id)
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        raise DomainError(code="conflict", field="fiscal_year",
                          ko=f"{spec['name']['ko']}의 {fiscal_year}년 예산{f'({region})' if region else ''}은 이미 있습니다.",
                          en=f"The {fiscal_year} budget of {spec['name']['en']}{f' ({region})' if region else ''} "
                             "exists already.") from None
    journal.post(db, f"budget:{row.id}:appropriation", "appropriation", ledger.fund_budget(row.id, amount),
                 journal.Owner(row.id, program_id), date(fiscal_year, 1, 1),
                 f"{fiscal_year}년 예산 편성 / {fiscal_year} appropriation", who.user_id)
    return row


def find(db: Session, program_id: str, on: date, region: str) -> BudgetRow | None:
    """The budget an approval on `on` draws on: the firm's 시도's, else the program-wide one."""
    rows = db.scalars(select(BudgetRow).where(BudgetRow.program_id == program_id, BudgetRow.fiscal_year == on.year,
                                              BudgetRow.region.in_([region, ""]))).all()
    return min(rows, key=lambda b: b.region == "", default=None)


def figures(db: Session, budget: BudgetRow) -> BudgetFigures:
    """The budget's position, from the journal's summary rows (a few rows a budget, whatever
    the number of loans)."""
    count = (select(func.count()).select_from(CommitmentRow)
             .where(CommitmentRow.budget_id == budget.id, CommitmentRow.state == "active").scalar_subquery())
    t, (active,) = journal.budget_totals_and(db, budget.id, count)  # one round trip: sums and commitments
    return BudgetFigures(budget.id, budget.program_id, budget.fiscal_year, budget.region,
                         amount=t[Kind.appropriation], available=t[Kind.budget], committed=t[Kind.committed],
                         disbursed=disbursed(t), commitments=active,
                         outstanding=t[Kind.loans_receivable] + t[Kind.overdue], repaid=t[Kind.repaid],
                         overdue=t[Kind.overdue], clawback=t[Kind.clawback_receivable])


def disbursed(t: dict[Kind, int]) -> int:
    """Money paid out, from balances: what is still lent (current and overdue), plus principal
    repaid (repaid less the interest paid, which is interest earned less interest still due),
    plus grants (those kept, and the parts clawed back whether owed or returned: a clawback
    returned is in `repaid`)."""
    interest_paid = t[Kind.interest_income] - t[Kind.interest_receivable]
    return (t[Kind.loans_receivable] + t[Kind.overdue] + t[Kind.repaid] - interest_paid + t[Kind.grants_paid]
            + t[Kind.clawback_receivable])


def visible(db: Session, who: Principal) -> list[tuple[BudgetRow, dict[str, Any], BudgetFigures]]:
    """The budgets an officer may see (their agency's programs; every one for an admin), with
    the program and the figures."""
    from onestop.catalog.services import current_specs

    rows = listing(db)
    specs = current_specs(db, sorted({b.program_id for b in rows}))  # one query for the programs
    return [(b, specs[b.program_id], figures(db, b)) for b in rows
            if b.program_id in specs and who.can_edit_program(specs[b.program_id]["agency"])]


def budgetable_programs(db: Session, who: Principal) -> list[tuple[str, dict[str, Any]]]:
    """The programs an officer may open a budget for: their agency's (every one for an admin)
    that state an amount to commit (training and consulting programs have none)."""
    from onestop.catalog.services import current_specs

    out = []
    for pid, spec in current_specs(db).items():
        if who.can_edit_program(spec["agency"]) and (spec.get("limits") or {}).get("amount"):
            out.append((pid, spec))
    return out


def visible_budget(db: Session, who: Principal, budget_id: int) -> tuple[BudgetRow, dict[str, Any], BudgetFigures]:
    """One budget for an officer of its program's agency (or an admin); DomainError
    `not_found` for anyone else, as for a budget that does not exist."""
    b = db.get(BudgetRow, budget_id)
    if b is None:
        raise DomainError(code="not_found", field="budget", ko="예산을 찾을 수 없습니다.", en="Budget not found.")
    spec = program_spec(db, b.program_id)
    if not who.can_edit_program(spec["agency"]):
        raise DomainError(code="not_found", field="budget", ko="예산을 찾을 수 없습니다.", en="Budget not found.")
    return b, spec, figures(db, b)


def monthly(db: Session, budget_ids: list[int]) -> list[tuple[str, int, int]]:
    """(YYYY-MM, disbursed, repaid) per month of value date, for these budgets (from the
    journal's summary rows: the debits of disbursement and repayment entries, less reversed
    repayments)."""
    months: dict[str, list[int]] = {}
    for month, kind, amount in journal.monthly_debits(db, budget_ids, ["disbursement", "repayment",
                                                                       "reverse:repayment"]):
        m = months.setdefault(month, [0, 0])
        if kind == "disbursement":
            m[0] += amount
        else:
            m[1] += amount * (-1 if kind.startswith("reverse") else 1)
    return [(k, v[0], v[1]) for k, v in sorted(months.items())]


def awaiting_payment(db: Session, who: Principal) -> list[tuple[CommitmentRow, Any]]:
    """Active commitments of signed agreements the officer may pay out (oldest first)."""
    from onestop.applications import services as applications

    out = []
    for c in db.scalars(select(CommitmentRow).where(CommitmentRow.state == "active").order_by(CommitmentRow.id)):
        try:
            row, actor = applications.get(db, who, c.application_id)
        except DomainError:
            continue
        if actor.value == "officer" and row.state == "agreement_signed":
            out.append((c, row))
    return out


def listing(db: Session, program_id: str | None = None) -> list[BudgetRow]:
    q = select(BudgetRow).order_by(BudgetRow.fiscal_year.desc(), BudgetRow.program_id, BudgetRow.region)
    if program_id:
        q = q.where(BudgetRow.program_id == program_id)
    return list(db.scalars(q))


def commitment_of(db: Session, application_id: int) -> CommitmentRow | None:
    return db.scalar(select(CommitmentRow).where(CommitmentRow.application_id == application_id))


def _commit(db: Session, row: Any) -> None:
    spec = program_spec(db, row.program_id)
    amount = (spec.get("limits") or {}).get("amount")
    if not amount:
        return
    day = today()
    budget = find(db, row.program_id, day, row.branch)
    if budget is None:
        return
    try:
        journal.post(db, f"commit:application:{row.id}", "commitment", ledger.commit(budget.id, row.id, int(amount)),
                     journal.Owner(budget.id, row.program_id, row.firm_id), day,
                     f"신청 #{row.id} 선정 / application #{row.id} approved")
    except journal.InsufficientBalance:
        left = figures(db, budget)
        raise DomainError(
            code="over_budget", field="action",
            ko=f"예산을 초과하여 선정할 수 없습니다: {budget.fiscal_year}년 예산 {format_won(left.amount)} 중 남은 금액은 "
               f"{format_won(left.available)}인데 이 신청의 금액은 {format_won(int(amount))}입니다. 아무것도 바뀌지 않았습니다.",
            en=f"Approving would exceed the budget: KRW {left.available:,} of the {budget.fiscal_year} budget of "
               f"KRW {left.amount:,} is left and this application needs KRW {int(amount):,}. Nothing was changed.",
        ) from None
    db.add(CommitmentRow(application_id=row.id, budget_id=budget.id, firm_id=row.firm_id, amount=int(amount)))
    db.flush()


def _release(db: Session, commitment: CommitmentRow, row: Any) -> None:
    budget = db.get(BudgetRow, commitment.budget_id)
    assert budget is not None
    journal.post(db, f"release:application:{row.id}", "release",
                 ledger.release(budget.id, row.id, commitment.amount),
                 journal.Owner(budget.id, row.program_id, row.firm_id), today(),
                 f"신청 #{row.id} {row.state} / application #{row.id} {row.state}")
    commitment.state = "released"
    commitment.closed_at = utcnow()
    db.flush()


def on_application_moved(db: Session, row: Any, action: str, before: str) -> None:
    """The applications lifecycle's hook (`platform.hooks`): approving commits the budget,
    giving an approval up releases it, and executing a committed application is only done by
    a disbursement (`funds.loans.disburse`), which uses the commitment."""
    if action == "approve":
        _commit(db, row)
        return
    commitment = commitment_of(db, row.id)
    if commitment is None or commitment.state != "active":
        return
    if row.state in GIVEN_UP:
        _release(db, commitment, row)
    elif action == "execute" and not db.info.get(f"disbursing:{row.id}"):
        raise DomainError(code="disburse_in_funds", field="action",
                          ko="예산이 배정된 신청은 자금 집행(지급) 화면에서 집행하세요. 지급이 장부에 기록되어야 집행 완료가 됩니다.",
                          en="An application holding a budget commitment is executed by a disbursement (funds), "
                             "which posts the payment to the ledger.")
