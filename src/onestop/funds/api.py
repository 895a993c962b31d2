"""The funds JSON API (`/api/v1/funds/…`): budgets, loans with their schedules and payments,
disbursement batches, grant settlements and the trial balance by GL account. The same
authorization as the pages: officers see their agency's programs (admins every one), a firm's
members see its own loans and settlements; anything else is 404. Thin: every rule is in the
services and the pure core. Amounts are integer won; dates ISO 8601 (KST)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from onestop.accounts.model import Principal
from onestop.errors import DomainError
from onestop.funds import accounting, budgets, loans, settlements
from onestop.funds.loans_model import BUCKET_NAMES
from onestop.funds.schedule import Frequency, Instalment, Method
from onestop.funds.settlement_model import CATEGORIES, CLAWBACK_NAMES, STATE_NAMES, Review, State
from onestop.funds.tables import BatchLineRow, BatchRow, LoanRow, PaymentRow
from onestop.korea.money import MAX_WON
from onestop.platform.openapi import PROBLEM_RESPONSES
from onestop.platform.web import DB, CurrentActor, IdField, PathId, UnitOfWorkRoute

router = APIRouter(prefix="/api/v1/funds", tags=["funds"], responses=PROBLEM_RESPONSES, route_class=UnitOfWorkRoute)
Won = Field(ge=1, le=MAX_WON, description="integer won")
NOT_FOUND = DomainError(code="not_found", ko="찾을 수 없습니다.", en="Not found.")


def _officer(who: CurrentActor) -> Principal:
    p = who.require()
    if not p.is_officer:
        raise NOT_FOUND
    return p


# --- models ------------------------------------------------------------------------------------

class BudgetOut(BaseModel):
    id: int
    program_id: str
    program_ko: str
    program_en: str
    fiscal_year: int
    region: str = Field(description="시도 code, or '' for the program-wide budget")
    amount: int
    available: int
    committed: int
    disbursed: int
    outstanding: int
    repaid: int
    overdue: int
    clawback: int
    commitments: int


class BudgetIn(BaseModel):
    program_id: str = Field(max_length=100)
    fiscal_year: int = Field(ge=2000, le=2100)
    amount: int = Won
    region: str = Field(default="", max_length=2, description="시도 code, or '' for the whole program")


class InstalmentOut(BaseModel):
    number: int
    due_date: dt.date
    pay_by: dt.date = Field(description="the business day by which it is paid")
    principal: int
    interest: int
    total: int
    balance: int
    rate_pct: str


class PaymentOut(BaseModel):
    id: int
    paid_on: dt.date
    amount: int
    interest: int = Field(description="as allocated when recorded (penalty and regular interest)")
    overdue_principal: int
    principal: int
    source: str


class LoanOut(BaseModel):
    id: int
    application_id: int
    firm_id: int
    program_id: str
    amount: int
    disbursed_on: dt.date
    rate_pct: str
    method: str
    frequency: str
    term_months: int
    grace_months: int
    floating: bool


class PositionOut(BaseModel):
    as_of: dt.date
    principal_outstanding: int
    interest_outstanding: int
    overdue_principal: int
    days_past_due: int
    bucket: str
    bucket_ko: str
    bucket_en: str
    next_due: InstalmentOut | None


class LoanDetailOut(LoanOut):
    position: PositionOut
    schedule: list[InstalmentOut]
    payments: list[PaymentOut]


class PaymentIn(BaseModel):
    paid_on: dt.date
    amount: int = Won
    transaction_id: str = Field(min_length=1, max_length=100, description="the bank's id: one id is recorded once")


class BatchLineIn(BaseModel):
    application_id: int = IdField
    bank: str = Field(max_length=40)
    account: str = Field(max_length=40)
    holder: str = Field(max_length=200)
    amount: int | None = Field(default=None, ge=1, le=MAX_WON, description="default: the whole commitment")
    method: Method = Method.equal_principal
    frequency: Frequency = Frequency.quarterly
    line: str | None = Field(default=None, max_length=60, description="the program line (loans)")


class BatchIn(BaseModel):
    value_date: dt.date
    lines: list[BatchLineIn] = Field(min_length=1, max_length=1000)


class BatchLineOut(BaseModel):
    application_id: int
    firm_id: int
    kind: str
    amount: int
    bank: str
    account: str
    holder: str
    reference: str
    paid: bool


class RefusedOut(BaseModel):
    application_id: int
    field: str
    ko: str
    en: str


class BatchOut(BaseModel):
    id: int
    value_date: dt.date
    lines: list[BatchLineOut]
    refused: list[RefusedOut] = []


class ExecuteOut(BaseModel):
    paid: int
    already: int
    failed: list[RefusedOut]


class SettlementLineOut(BaseModel):
    id: int
    number: int
    category: str
    category_ko: str
    category_en: str
    description: str
    amount: int
    allowed: int | None
    cut_reason: str
    receipt_name: str
    receipt_sha256: str


class ClawbackOut(BaseModel):
    amount: int
    repaid: int
    owed: int
    due_on: dt.date
    state: str
    state_ko: str
    state_en: str
    days_overdue: int


class SettlementOut(BaseModel):
    id: int
    application_id: int
    firm_id: int
    program_id: str
    paid: int
    state: str
    state_ko: str
    state_en: str
    version: int
    claimed: int
    recognised: int | None
    unspent: int | None
    disallowed: int | None
    returned_reason: str
    lines: list[SettlementLineOut]
    clawback: ClawbackOut | None


class ReviewIn(BaseModel):
    allowed: int = Field(ge=0, le=MAX_WON)
    reason: str = Field(default="", max_length=2000)


class DecisionIn(BaseModel):
    lines: list[ReviewIn] = Field(max_length=50, description="one verdict per line, in line order")
    due_on: dt.date | None = Field(default=None, description="default: 30 days on, a business day")
    note: str = Field(default="", max_length=4000)


class ReturnIn(BaseModel):
    reason: str = Field(min_length=1, max_length=4000)


class ClawbackPaymentIn(BaseModel):
    paid_on: dt.date
    amount: int = Won
    transaction_id: str = Field(min_length=1, max_length=100)


class TrialLineOut(BaseModel):
    gl_code: str
    name_ko: str
    name_en: str
    debits: int
    credits: int
    balance: int


class TrialBalanceOut(BaseModel):
    lines: list[TrialLineOut]
    debits: int
    credits: int
    balanced: bool


# --- converters --------------------------------------------------------------------------------

def _budget(b: Any, spec: dict[str, Any], f: budgets.BudgetFigures) -> BudgetOut:
    return BudgetOut(id=b.id, program_id=b.program_id, program_ko=spec["name"]["ko"], program_en=spec["name"]["en"],
                     fiscal_year=b.fiscal_year, region=b.region, amount=f.amount, available=f.available,
                     committed=f.committed, disbursed=f.disbursed, outstanding=f.outstanding, repaid=f.repaid,
                     overdue=f.overdue, clawback=f.clawback, commitments=f.commitments)


def _instalment(i: Instalment) -> InstalmentOut:
    return InstalmentOut(number=i.number, due_date=i.due_date, pay_by=i.pay_by, principal=i.principal,
                         interest=i.interest, total=i.total, balance=i.balance, rate_pct=loans.pct(i.rate_pct))


def _payment(p: PaymentRow) -> PaymentOut:
    return PaymentOut(id=p.id, paid_on=p.paid_on, amount=p.amount, interest=p.interest,
                      overdue_principal=p.overdue_principal, principal=p.principal, source=p.source)


def _loan_fields(loan: LoanRow) -> dict[str, Any]:
    t = loan.terms
    return {"id": loan.id, "application_id": loan.application_id, "firm_id": loan.firm_id, "program_id": loan.program_id,
            "amount": loan.amount, "disbursed_on": loan.disbursed_on, "rate_pct": str(t["rate_pct"]),
            "method": t["method"], "frequency": t["frequency"], "term_months": int(t["term_months"]),
            "grace_months": int(t["grace_months"]), "floating": bool(t.get("floating"))}


def _batch(db: Any, batch: BatchRow, lines: list[BatchLineRow], refused: list[RefusedOut] | None = None) -> BatchOut:
    from sqlalchemy import select

    from onestop.funds.tables import EntryRow

    paid = set(db.scalars(select(EntryRow.client_id).where(EntryRow.client_id.in_(
        [f"disburse:application:{x.application_id}" for x in lines]))))
    return BatchOut(id=batch.id, value_date=batch.value_date, refused=refused or [], lines=[
        BatchLineOut(application_id=x.application_id, firm_id=x.firm_id, kind=x.kind, amount=x.amount, bank=x.bank,
                     account=x.account, holder=x.holder, reference=x.reference,
                     paid=f"disburse:application:{x.application_id}" in paid) for x in lines])


def _settlement(v: settlements.SettlementView) -> SettlementOut:
    s = v.row
    ko, en = STATE_NAMES[State(s.state)]
    c = v.clawback
    return SettlementOut(
        id=s.id, application_id=s.application_id, firm_id=s.firm_id, program_id=s.program_id, paid=s.paid,
        state=s.state, state_ko=ko, state_en=en, version=s.version, claimed=sum(x.amount for x in v.lines),
        recognised=s.recognised, unspent=s.unspent, disallowed=s.disallowed, returned_reason=s.returned_reason,
        lines=[SettlementLineOut(id=x.id, number=x.number, category=x.category, category_ko=CATEGORIES[x.category][0],
                                 category_en=CATEGORIES[x.category][1], description=x.description, amount=x.amount,
                                 allowed=x.allowed, cut_reason=x.cut_reason, receipt_name=x.receipt_name,
                                 receipt_sha256=x.receipt_sha256) for x in v.lines],
        clawback=None if c is None else ClawbackOut(
            amount=c.row.amount, repaid=c.repaid, owed=c.owed, due_on=c.row.due_on, state=c.state.value,
            state_ko=CLAWBACK_NAMES[c.state][0], state_en=CLAWBACK_NAMES[c.state][1], days_overdue=c.days_overdue))


# --- budgets -----------------------------------------------------------------------------------

@router.get("/budgets", response_model=list[BudgetOut], summary="Officers: their agency's budgets with figures")
def list_budgets(who: CurrentActor, db: DB) -> list[BudgetOut]:
    return [_budget(b, spec, f) for b, spec, f in budgets.visible(db, _officer(who))]


@router.post("/budgets", status_code=201, response_model=BudgetOut,
             summary="Officers: open a program's budget for a fiscal year (posts its appropriation)")
def create_budget(body: BudgetIn, who: CurrentActor, db: DB) -> BudgetOut:
    p = _officer(who)
    row = budgets.create(db, p, body.program_id, body.fiscal_year, body.amount, body.region)
    return _budget(*budgets.visible_budget(db, p, row.id))


@router.get("/budgets/{budget_id}", response_model=BudgetOut, summary="Officers: one budget and its figures")
def get_budget(budget_id: PathId, who: CurrentActor, db: DB) -> BudgetOut:
    return _budget(*budgets.visible_budget(db, _officer(who), budget_id))


# --- loans -------------------------------------------------------------------------------------

@router.get("/loans", response_model=list[LoanOut], summary="A firm's own loans; an officer's agency's loans")
def list_loans(who: CurrentActor, db: DB) -> list[LoanOut]:
    return [LoanOut(**_loan_fields(x)) for x in loans.visible_loans(db, who.require())]


@router.get("/loans/{loan_id}", response_model=LoanDetailOut,
            summary="A loan: terms, position today (balance, overdue, next payment), schedule and payments")
def get_loan(loan_id: PathId, who: CurrentActor, db: DB) -> LoanDetailOut:
    v = loans.view(db, who.require(), loan_id)
    p = v.position
    ko, en = BUCKET_NAMES[p.bucket]
    return LoanDetailOut(**_loan_fields(v.loan), schedule=[_instalment(i) for i in v.plan],
                         payments=[_payment(x) for x in v.payments],
                         position=PositionOut(as_of=p.as_of, principal_outstanding=p.principal_outstanding,
                                              interest_outstanding=p.interest_outstanding,
                                              overdue_principal=p.overdue_principal, days_past_due=p.days_past_due,
                                              bucket=p.bucket, bucket_ko=ko, bucket_en=en,
                                              next_due=_instalment(p.next_due) if p.next_due else None))


@router.get("/loans/{loan_id}/schedule", response_model=list[InstalmentOut],
            summary="A loan's repayment schedule (base-rate changes of a floating loan applied)")
def loan_schedule(loan_id: PathId, who: CurrentActor, db: DB) -> list[InstalmentOut]:
    return [_instalment(i) for i in loans.view(db, who.require(), loan_id).plan]


@router.get("/loans/{loan_id}/payments", response_model=list[PaymentOut], summary="A loan's payments")
def loan_payments(loan_id: PathId, who: CurrentActor, db: DB) -> list[PaymentOut]:
    return [_payment(x) for x in loans.view(db, who.require(), loan_id).payments]


@router.post("/loans/{loan_id}/payments", status_code=201, response_model=PaymentOut,
             summary="Officers: record a payment received (allocated by the documented order; once per "
                     "transaction id)")
def record_payment(loan_id: PathId, body: PaymentIn, who: CurrentActor, db: DB) -> PaymentOut:
    p = _officer(who)
    loans.view(db, p, loan_id)  # the agency's loans only (404 otherwise)
    row, _ = loans.record_payment(db, loan_id, body.paid_on, body.amount, f"api:{body.transaction_id.strip()}",
                                  source="api")
    return _payment(row)


# --- batches -----------------------------------------------------------------------------------

@router.post("/batches", status_code=201, response_model=BatchOut,
             summary="Officers: a disbursement batch of signed agreements (bad lines listed, the rest go in)")
def create_batch(body: BatchIn, who: CurrentActor, db: DB) -> BatchOut:
    p = _officer(who)
    result = loans.create_batch(db, p, body.value_date, [
        loans.LineInput(x.application_id, x.bank, x.account, x.holder, x.amount, x.method.value, x.frequency.value,
                        x.line) for x in body.lines])
    refused = [RefusedOut(application_id=a, field=e.field, ko=e.ko, en=e.en) for a, e in result.refused]
    if result.batch is None:
        first = result.refused[0][1]
        raise DomainError(code="invalid", field=f"lines[1].{first.field}", ko=first.ko, en=first.en)
    batch, lines = loans.batch_for(db, p, result.batch.id)
    return _batch(db, batch, lines, refused)


@router.get("/batches/{batch_id}", response_model=BatchOut, summary="Officers: a disbursement batch and what is paid")
def get_batch(batch_id: PathId, who: CurrentActor, db: DB) -> BatchOut:
    batch, lines = loans.batch_for(db, _officer(who), batch_id)
    return _batch(db, batch, lines)


@router.post("/batches/{batch_id}/execute", response_model=ExecuteOut,
             summary="Officers: pay a batch (each line at most once, all or nothing per line; a re-run pays "
                     "only what is unpaid)")
def execute_batch(batch_id: PathId, who: CurrentActor, db: DB) -> ExecuteOut:
    p = _officer(who)
    batch, lines = loans.batch_for(db, p, batch_id)
    paid = already = 0
    failed = []
    for line in lines:
        try:
            with db.begin_nested():
                if loans.pay_line(db, p, line, batch.value_date):
                    paid += 1
                else:
                    already += 1
        except DomainError as e:
            failed.append(RefusedOut(application_id=line.application_id, field=e.field or "line", ko=e.ko, en=e.en))
    return ExecuteOut(paid=paid, already=already, failed=failed)


# --- settlements -------------------------------------------------------------------------------

@router.get("/settlements", response_model=list[SettlementOut],
            summary="A firm's grant settlements; an officer's agency's (under review first)")
def list_settlements(who: CurrentActor, db: DB) -> list[SettlementOut]:
    p = who.require()
    if p.is_officer:
        return [_settlement(v) for v in settlements.queue(db, p)]
    return [_settlement(v) for _, _, v in settlements.to_settle(db, p) if v is not None]


@router.get("/settlements/{settlement_id}", response_model=SettlementOut, summary="A grant settlement")
def get_settlement(settlement_id: PathId, who: CurrentActor, db: DB) -> SettlementOut:
    return _settlement(settlements.view(db, who.require(), settlement_id))


@router.post("/settlements/{settlement_id}/decision", response_model=SettlementOut,
             summary="Officers: allow or cut each line (a reason for each cut); the rest is clawed back")
def decide_settlement(settlement_id: PathId, body: DecisionIn, who: CurrentActor, db: DB) -> SettlementOut:
    v = settlements.decide(db, who.require(), settlement_id, [Review(x.allowed, x.reason) for x in body.lines],
                           body.due_on, body.note)
    return _settlement(v)


@router.post("/settlements/{settlement_id}/return", response_model=SettlementOut,
             summary="Officers: return a settlement to the firm for correction")
def return_settlement(settlement_id: PathId, body: ReturnIn, who: CurrentActor, db: DB) -> SettlementOut:
    p = who.require()
    settlements.return_for_correction(db, p, settlement_id, body.reason)
    return _settlement(settlements.view(db, p, settlement_id))


@router.post("/settlements/{settlement_id}/clawback-payments", status_code=201, response_model=SettlementOut,
             summary="Officers: record money returned against the clawback (once per transaction id)")
def clawback_payment(settlement_id: PathId, body: ClawbackPaymentIn, who: CurrentActor, db: DB) -> SettlementOut:
    p = who.require()
    settlements.record_clawback_payment(db, p, settlement_id, body.paid_on, body.amount, body.transaction_id)
    return _settlement(settlements.view(db, p, settlement_id))


# --- accounting --------------------------------------------------------------------------------

@router.get("/trial-balance", response_model=TrialBalanceOut,
            summary="Officers: posted debits and credits per GL account (their agency's programs)")
def trial_balance(who: CurrentActor, db: DB,
                  program_id: str | None = Query(default=None, max_length=100)) -> TrialBalanceOut:
    tb = accounting.trial_balance(db, _officer(who), program_id)
    return TrialBalanceOut(debits=tb.debits, credits=tb.credits, balanced=tb.debits == tb.credits, lines=[
        TrialLineOut(gl_code=x.gl_code, name_ko=tb.names.get(x.gl_code, ("", ""))[0],
                     name_en=tb.names.get(x.gl_code, ("", ""))[1], debits=x.debits, credits=x.credits,
                     balance=x.balance) for x in tb.lines])
