"""Loans: base rates, disbursement batches, payments and the daily accrual.

A loan is made when an officer pays out a signed agreement in a disbursement batch: its terms
(amount, rate, term, grace, method, frequency, day count) are snapshotted from the agreement,
the program's line and the base rate in force; the payment is posted once per application
(`disburse:application:N`), so a retried or re-run batch never pays twice. Payments (by hand or
from a bank statement CSV) are kept as facts; `sync` replays the loan (`loans_model.position`)
and posts only the difference between that position and the journal, so the daily accrual is
safe to re-run and a back-dated payment is absorbed by new, reversing-and-reposting entries.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal
from onestop.errors import DomainError, FieldProblem
from onestop.funds import budgets, journal, ledger
from onestop.funds.ledger import Kind, Transfer
from onestop.funds.loans_model import Payment, Position, position
from onestop.funds.schedule import DayCount, Frequency, Instalment, Method, Terms, schedule
from onestop.funds.tables import (
    BaseRateRow,
    BatchLineRow,
    BatchRow,
    BudgetRow,
    CommitmentRow,
    EntryRow,
    LoanRow,
    PaymentRow,
)
from onestop.korea.dates import KST
from onestop.korea.hangul import josa
from onestop.korea.money import MAX_WON, format_won
from onestop.parameters.store import in_force
from onestop.platform.db import utcnow

LOAN_NOT_FOUND = DomainError(code="not_found", field="loan", ko="대출을 찾을 수 없습니다.", en="Loan not found.")


def today() -> date:
    return utcnow().astimezone(KST).date()


# --- base rates ------------------------------------------------------------------------------

def record_base_rate(db: Session, who: Principal, lender: str, effective_from: date, rate_pct: Decimal,
                     source: str) -> BaseRateRow:
    """Record a lender's announced 정책자금 기준금리 from a date on, with where it was announced
    (required: a rate without a source is never stored). Officers of that lender and admins."""
    if not who.can_edit_program(lender):
        raise DomainError(code="forbidden", ko="그 기관의 담당자만 기준금리를 기록할 수 있습니다.",
                          en="Only the lender's officers can record its base rate.")
    source = source.strip()
    if not source:
        raise DomainError(code="source_required", field="source", ko="기준금리의 출처(공고·안내문과 날짜)를 적어 주세요.",
                          en="Give the source of the base rate (the announcement and its date).")
    if not Decimal(0) <= rate_pct <= Decimal(20):
        raise DomainError(code="invalid", field="rate", ko=f"기준금리 {rate_pct}%는 받을 수 없습니다. 0~20% 사이로 입력하세요.",
                          en=f"A base rate of {rate_pct}% is not allowed; give 0 to 20%.")
    row = BaseRateRow(lender=lender, effective_from=effective_from, rate_pct=rate_pct, source=source[:2000],
                      recorded_by=who.user_id)
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        raise DomainError(code="conflict", field="effective_from",
                          ko=f"{lender}의 {effective_from.isoformat()} 기준금리는 이미 기록되어 있습니다.",
                          en=f"{lender}'s base rate from {effective_from.isoformat()} is already recorded.") from None
    return row


def base_rates(db: Session, lender: str) -> list[BaseRateRow]:
    return list(db.scalars(select(BaseRateRow).where(BaseRateRow.lender == lender).order_by(BaseRateRow.effective_from)))


def base_rate_on(db: Session, lender: str, on: date) -> BaseRateRow:
    found = db.scalar(select(BaseRateRow).where(BaseRateRow.lender == lender, BaseRateRow.effective_from <= on)
                      .order_by(BaseRateRow.effective_from.desc()).limit(1))
    if found is None:
        raise DomainError(code="base_rate_missing", field="rate",
                          ko=f"{on.isoformat()}에 적용할 {lender}의 정책자금 기준금리가 기록되어 있지 않습니다. "
                             "공고된 분기 기준금리를 출처와 함께 먼저 기록하세요 (onestop funds base-rate set).",
                          en=f"No 정책자금 base rate of {lender} is recorded for {on.isoformat()}; record the announced "
                             "quarterly rate with its source first (onestop funds base-rate set).")
    return found


# --- loan terms ------------------------------------------------------------------------------

def _line_terms(spec: dict[str, Any], agreement: dict[str, Any], line_id: str | None) -> dict[str, Any]:
    """Interest, term and grace: the agreement's, else the program line's (named, or the only one)."""
    lines = spec.get("lines") or []
    line = next((x for x in lines if x.get("id") == line_id), None) if line_id else (lines[0] if len(lines) == 1 else None)
    if line_id and line is None:
        raise DomainError(code="invalid", field="line", ko=f"사업에 {line_id} 자금 구분이 없습니다.",
                          en=f"The program has no line {line_id}.")
    base = line or {}
    return {"interest": agreement.get("interest") or base.get("interest"),
            "term_years": agreement.get("term_years") or base.get("term_years"),
            "grace_years": agreement.get("grace_years") if agreement.get("grace_years") is not None
            else base.get("grace_years", 0),
            "line": base.get("id")}


def snapshot_terms(db: Session, spec: dict[str, Any], agreement: dict[str, Any], amount: int, start: date,
                   method: Method, frequency: Frequency, line_id: str | None = None) -> dict[str, Any]:
    """The terms a loan runs on, frozen at disbursement (Fineract: a loan copies its product)."""
    t = _line_terms(spec, agreement, line_id)
    interest = t["interest"] or {}
    missing = [name for name, ok in (("interest", interest.get("kind") in ("fixed", "base_plus_spread")),
                                     ("term_years", t["term_years"])) if not ok]
    if missing:
        raise DomainError(code="terms_missing", field="line",
                          ko=f"약정서와 사업 정보에 대출 조건({', '.join(missing)})이 없습니다. 자금 구분(line)을 지정하세요.",
                          en=f"Neither the agreement nor the program states {', '.join(missing)}; choose the program line.")
    snap: dict[str, Any] = {"amount": amount, "start": start.isoformat(), "method": method.value,
                            "frequency": frequency.value, "day_count": DayCount.thirty_360.value,
                            "term_months": int(Decimal(str(t["term_years"])) * 12),
                            "grace_months": int(Decimal(str(t["grace_years"] or 0)) * 12), "line": t["line"]}
    if interest["kind"] == "fixed":
        snap.update(rate_pct=str(interest["rate_pct"]), floating=False)
    else:
        lender = spec["agency"]
        base = base_rate_on(db, lender, start)
        spread = Decimal(str(interest["spread_pct"]))
        snap.update(rate_pct=pct(base.rate_pct + spread), floating=True, lender=lender, spread_pct=pct(spread),
                    base_rate_pct=pct(base.rate_pct), base_rate_source=base.source,
                    base_rate_from=base.effective_from.isoformat())
    return snap


def pct(value: Decimal) -> str:
    """3.150 → "3.15", 3.0 → "3" (never "1E+1")."""
    return format(value.normalize(), "f")


def terms_of(loan: LoanRow) -> Terms:
    s = loan.terms
    return Terms(int(s["amount"]), Decimal(s["rate_pct"]), int(s["term_months"]), int(s["grace_months"]),
                 Method(s["method"]), Frequency(s["frequency"]), date.fromisoformat(s["start"]), DayCount(s["day_count"]))


def plan_of(db: Session, loan: LoanRow) -> list[Instalment]:
    """The loan's schedule, with the base-rate changes recorded since it started (floating)."""
    terms = terms_of(loan)
    changes: list[tuple[date, Decimal]] = []
    if loan.terms.get("floating"):
        spread = Decimal(loan.terms["spread_pct"])
        changes = [(r.effective_from, r.rate_pct + spread) for r in base_rates(db, loan.terms["lender"])
                   if r.effective_from > terms.start]
    return schedule(terms, changes)


def penalty_addon(on: date) -> Decimal:
    return Decimal(str(in_force("funds_overdue", on).values["addon_pct"]))


# --- disbursement ----------------------------------------------------------------------------

ACCOUNT_NO = re.compile(r"^[0-9]{2,6}(-?[0-9]{2,8}){1,4}$")


@dataclass(frozen=True)
class LineInput:
    application_id: int
    bank: str
    account: str
    holder: str
    amount: int | None = None  # default: the commitment
    method: str = Method.equal_principal.value
    frequency: str = Frequency.quarterly.value
    line: str | None = None


@dataclass
class BatchResult:
    batch: BatchRow | None
    added: list[int] = field(default_factory=list)
    #: (application id, problem) for lines left out
    refused: list[tuple[int, FieldProblem]] = field(default_factory=list)


def _app(db: Session, who: Principal, app_id: int) -> Any:
    from onestop.applications import services as applications
    from onestop.applications.lifecycle import Actor

    row, actor = applications.get(db, who, app_id)
    if actor != Actor.officer:
        raise applications.NOT_FOUND
    return row


def _check_line(db: Session, who: Principal, line: LineInput) -> tuple[Any, CommitmentRow, int]:
    row = _app(db, who, line.application_id)
    if row.state != "agreement_signed":
        raise DomainError(code="not_signed", field="application_id",
                          ko=f"신청 #{josa(str(row.id), '은')} 약정이 체결된 상태가 아니어서 지급할 수 없습니다.",
                          en=f"Application #{row.id} has no signed agreement; it cannot be paid out.")
    commitment = budgets.commitment_of(db, row.id)
    if commitment is None or commitment.state != "active":
        raise DomainError(code="no_commitment", field="application_id",
                          ko=f"신청 #{row.id}에는 배정된 예산이 없습니다.", en=f"Application #{row.id} holds no budget commitment.")
    amount = commitment.amount if line.amount is None else line.amount
    if not 0 < amount <= commitment.amount:
        raise DomainError(code="invalid", field="amount",
                          ko=f"지급액 {amount:,}원은 받을 수 없습니다. 1원 이상 배정액 {commitment.amount:,}원 이하여야 합니다.",
                          en=f"An amount of KRW {amount:,} is not allowed: 1 to the KRW {commitment.amount:,} committed.")
    if not line.bank.strip() or not ACCOUNT_NO.match(line.account.strip()) or not line.holder.strip():
        raise DomainError(code="invalid", field="account",
                          ko="은행, 계좌번호(숫자와 '-', 10~16자리), 예금주를 모두 적어 주세요.",
                          en="Give the bank, the account number (digits and '-', 10 to 16 digits) and the holder.")
    digits = re.sub(r"\D", "", line.account)
    if not 10 <= len(digits) <= 16:
        raise DomainError(code="invalid", field="account", ko=f"계좌번호 {line.account}의 자릿수({len(digits)})가 맞지 않습니다.",
                          en=f"Account number {line.account} has {len(digits)} digits; 10 to 16 are expected.")
    if line.method not in {m.value for m in Method} or line.frequency not in {f.value for f in Frequency}:
        raise DomainError(code="invalid", field="method", ko="상환 방식과 주기를 목록에서 고르세요.",
                          en="Choose the repayment method and frequency from the list.")
    return row, commitment, amount


def create_batch(db: Session, who: Principal, value_date: date, lines: Iterable[LineInput]) -> BatchResult:
    """A disbursement batch of the lines that pass their checks; the others are listed with the
    reason and do not block the good ones. Nothing is paid until the batch is executed."""
    batch = BatchRow(value_date=value_date, created_by=who.user_id)
    db.add(batch)
    db.flush()
    result = BatchResult(batch)
    for line in lines:
        try:
            with db.begin_nested():
                row, _, amount = _check_line(db, who, line)
                spec = budgets.program_spec(db, row.program_id)
                kind = "loan" if spec.get("support_type") == "loan" else "grant"
                if kind == "loan":
                    terms = _line_terms(spec, {}, line.line)
                    if not terms["interest"] or not terms["term_years"]:
                        from onestop.applications import services as applications

                        agreement = applications.agreement_of(db, row.id)
                        terms = _line_terms(spec, agreement.terms if agreement else {}, line.line)
                    if not terms["interest"] or not terms["term_years"]:
                        names = ", ".join(str(x.get("id")) for x in spec.get("lines") or [])
                        raise DomainError(code="line_required", field="line",
                                          ko=f"자금 구분(line)을 고르세요: {names}", en=f"Choose the program line: {names}.")
                db.add(BatchLineRow(batch_id=batch.id, application_id=row.id, firm_id=row.firm_id, kind=kind,
                                    amount=amount, bank=line.bank.strip()[:40], account=line.account.strip(),
                                    holder=line.holder.strip()[:200], reference=f"ONESTOP-{row.id}",
                                    method=line.method if kind == "loan" else None,
                                    frequency=line.frequency if kind == "loan" else None,
                                    line=line.line if kind == "loan" else None))
                db.flush()
            result.added.append(line.application_id)
        except IntegrityError:
            result.refused.append((line.application_id, FieldProblem(
                "application_id", "duplicate", f"신청 #{josa(str(line.application_id), '은')} 이미 다른 지급 묶음에 있습니다.",
                f"Application #{line.application_id} is already in a batch.")))
        except DomainError as e:
            result.refused.append((line.application_id, FieldProblem(e.field or "line", e.code, e.ko, e.en)))
    if not result.added:
        db.delete(batch)
        db.flush()
        result.batch = None
    return result


def batch_for(db: Session, who: Principal, batch_id: int) -> tuple[BatchRow, list[BatchLineRow]]:
    """A batch and its lines for an officer who may pay every one of them (the agency's);
    DomainError `not_found` for anyone else or an unknown batch (a 404, never a 403)."""
    batch = db.get(BatchRow, batch_id)
    if batch is None or not who.is_officer:
        raise DomainError(code="not_found", field="batch", ko=f"지급 묶음 #{josa(str(batch_id), '이')} 없습니다.",
                          en=f"There is no disbursement batch #{batch_id}.")
    lines = batch_lines(db, batch_id)
    for line in lines:
        _app(db, who, line.application_id)  # officers of the agency and admins; else not found
    return batch, lines


def batch_lines(db: Session, batch_id: int) -> list[BatchLineRow]:
    return list(db.scalars(select(BatchLineRow).where(BatchLineRow.batch_id == batch_id).order_by(BatchLineRow.id)))


def pay_line(db: Session, who: Principal, line: BatchLineRow, value_date: date) -> bool:
    """Pay one line: the loan (with its snapshotted terms) or grant, the journal entry, the
    commitment used (any part not paid returns to the budget) and the application executed —
    together or not at all. False when it was paid before (nothing happens)."""
    from onestop.applications import services as applications

    if db.scalar(select(EntryRow.id).where(EntryRow.client_id == f"disburse:application:{line.application_id}")):
        return False
    row = _app(db, who, line.application_id)
    commitment = budgets.commitment_of(db, row.id)
    assert commitment is not None
    budget = db.get(BudgetRow, commitment.budget_id)
    assert budget is not None
    owner = journal.Owner(budget.id, row.program_id, row.firm_id)
    if line.kind == "loan":
        spec = budgets.program_spec(db, row.program_id)
        agreement = applications.agreement_of(db, row.id)
        terms = snapshot_terms(db, spec, agreement.terms if agreement else {}, line.amount, value_date,
                               Method(line.method or Method.equal_principal), Frequency(line.frequency or Frequency.quarterly),
                               line.line)
        schedule(terms_of_snapshot(terms))  # refuses terms out of bounds before anything is written
        loan = LoanRow(application_id=row.id, firm_id=row.firm_id, program_id=row.program_id, budget_id=budget.id,
                       amount=line.amount, terms=terms, disbursed_on=value_date)
        db.add(loan)
        db.flush()
        owner = journal.Owner(budget.id, row.program_id, row.firm_id, loan.id)
        transfers = ledger.disburse_loan(row.id, loan.id, line.amount)
    else:
        transfers = ledger.pay_grant(row.id, line.amount)
    _, created = journal.post(db, f"disburse:application:{row.id}", "disbursement", transfers, owner, value_date,
                              f"지급 {line.reference} / paid out", who.user_id)
    if not created:
        return False
    if commitment.amount > line.amount:
        journal.post(db, f"release:application:{row.id}:unpaid", "release",
                     ledger.release(budget.id, row.id, commitment.amount - line.amount), owner, value_date,
                     "지급하지 않은 배정액 환원 / unpaid part returned", who.user_id)
    commitment.state = "used"
    commitment.closed_at = utcnow()
    db.info[f"disbursing:{row.id}"] = True
    try:
        applications.act(db, who, row.id, "execute", None, f"지급 {format_won(line.amount)} ({line.reference})")
    finally:
        db.info.pop(f"disbursing:{row.id}", None)
    return True


def terms_of_snapshot(s: dict[str, Any]) -> Terms:
    return Terms(int(s["amount"]), Decimal(s["rate_pct"]), int(s["term_months"]), int(s["grace_months"]),
                 Method(s["method"]), Frequency(s["frequency"]), date.fromisoformat(s["start"]), DayCount(s["day_count"]))


@dataclass
class ExecuteResult:
    paid: int = 0
    already: int = 0
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # (application, ko, en)


def execute_batch(unit_of_work: Callable[[], Any], who: Principal, batch_id: int,
                  progress: Callable[[int], None] | None = None) -> ExecuteResult:
    """Pay every line of a batch, each in its own transaction (a crash loses at most the line
    in flight, and running the batch again pays only what was not paid)."""
    with unit_of_work() as db:
        batch = db.get(BatchRow, batch_id)
        if batch is None:
            raise DomainError(code="not_found", field="batch", ko=f"지급 묶음 #{josa(str(batch_id), '이')} 없습니다.",
                              en=f"There is no disbursement batch #{batch_id}.")
        value_date = batch.value_date
        ids = [(line.id, line.application_id) for line in batch_lines(db, batch_id)]
    result = ExecuteResult()
    for n, (line_id, app_id) in enumerate(ids, 1):
        try:
            with unit_of_work() as db:
                line = db.get(BatchLineRow, line_id)
                if pay_line(db, who, line, value_date):
                    result.paid += 1
                else:
                    result.already += 1
        except DomainError as e:
            result.failed.append((app_id, e.ko, e.en))
        if progress:
            progress(n)
    with unit_of_work() as db:
        journal.compact_totals(db)
    return result


BANK_FILE_COLUMNS = ("순번 No", "은행 Bank", "계좌번호 Account", "예금주 Holder", "금액 Amount (KRW)", "참조 Reference",
                     "지급일 Value date")


def bank_file_rows(db: Session, batch_id: int) -> list[tuple[Any, ...]]:
    batch = db.get(BatchRow, batch_id)
    if batch is None:
        raise DomainError(code="not_found", field="batch", ko=f"지급 묶음 #{josa(str(batch_id), '이')} 없습니다.",
                          en=f"There is no disbursement batch #{batch_id}.")
    return [(n, x.bank, x.account, x.holder, x.amount, x.reference, batch.value_date.isoformat())
            for n, x in enumerate(batch_lines(db, batch_id), 1)]


def bank_file_csv(db: Session, batch_id: int) -> bytes:
    """The bank transfer file as CSV (UTF-8 with BOM, which Korean Excel opens correctly)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(BANK_FILE_COLUMNS)
    w.writerows(bank_file_rows(db, batch_id))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx(title: str, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def bank_file_xlsx(db: Session, batch_id: int) -> bytes:
    return xlsx(f"batch {batch_id}", BANK_FILE_COLUMNS, bank_file_rows(db, batch_id))


# --- payments and the ledger's sync ----------------------------------------------------------

def _entries(db: Session, loan_id: int) -> int:
    return db.scalar(select(func.count()).select_from(EntryRow).where(EntryRow.loan_id == loan_id)) or 0


def _payment_version(db: Session, payment_id: int) -> tuple[EntryRow | None, int]:
    """The payment's entry in force (not reversed) and the highest version written."""
    rows = db.scalars(select(EntryRow).where(EntryRow.client_id.like(f"payment:{payment_id}:v%"),
                                             EntryRow.kind == "repayment").order_by(EntryRow.id)).all()
    reversed_ids = set(db.scalars(select(EntryRow.reverses_id).where(EntryRow.reverses_id.in_([r.id for r in rows]))))
    live = [r for r in rows if r.id not in reversed_ids]
    return (live[-1] if live else None), len(rows)


def sync(db: Session, loan: LoanRow, as_of: date | None = None) -> Position:
    """Bring the loan's accounts to its replayed position on `as_of` (default today, or the
    latest payment's date if later), posting only differences. Safe to run again: with
    nothing new, it posts nothing."""
    db.refresh(loan, with_for_update=True)  # one sync of a loan at a time
    payments = list(db.scalars(select(PaymentRow).where(PaymentRow.loan_id == loan.id)))
    as_of = max([as_of or today(), *(p.paid_on for p in payments)])
    terms = terms_of(loan)
    pos = position(terms, plan_of(db, loan), [Payment(p.id, p.paid_on, p.amount) for p in payments], as_of,
                   penalty_addon(as_of))
    owner = journal.Owner(loan.budget_id, loan.program_id, loan.firm_id, loan.id)
    keys = {k: ledger.loan_account(k, loan.id) for k in (Kind.interest_income, Kind.overdue, Kind.loans_receivable)}

    def post(kind: str, transfers: list[Transfer], memo: str, client_id: str | None = None) -> None:
        cid = client_id or f"loan:{loan.id}:{kind}:{_entries(db, loan.id) + 1}"
        journal.post(db, cid, kind, transfers, owner, as_of, memo)

    # 1. payment entries whose allocation changed (a back-dated payment before them): reverse them
    wanted: dict[int, list[Transfer]] = {}
    for p in payments:
        a = pos.allocations[p.id]
        wanted[p.id] = ledger.repay(loan.id, a.interest, 0, a.overdue_principal + a.principal)
    pending = []
    for p in payments:
        live, versions = _payment_version(db, p.id)
        if live is not None and sorted(journal.transfers_of(db, live.id), key=repr) == sorted(wanted[p.id], key=repr):
            continue
        if live is not None:
            journal.reverse_entry(db, live.id, f"{live.client_id}:reverse", "재배분 / re-allocated after a back-dated event")
        pending.append((p, versions + 1))
    # 2. interest charged up
    income = journal.balances(db, [keys[Kind.interest_income]])[keys[Kind.interest_income]]
    if pos.interest_charged > income:
        post("interest", ledger.accrue_interest(loan.id, pos.interest_charged - income),
             f"이자 발생 {as_of.isoformat()}까지 / interest to {as_of.isoformat()}")
    # 3. principal being paid is taken from receivable: bring overdue principal back first if needed
    if pending:
        bal = journal.balances(db, [keys[Kind.overdue], keys[Kind.loans_receivable]])
        need = sum(t.amount for p, _ in pending for t in wanted[p.id]
                   if t.credit == keys[Kind.loans_receivable]) - bal[keys[Kind.loans_receivable]]
        if need > 0:
            post("overdue", ledger.reverse(ledger.become_overdue(loan.id, min(need, bal[keys[Kind.overdue]]))),
                 "연체 원금 재분류 / overdue principal reclassified")
    for p, version in pending:
        journal.post(db, f"payment:{p.id}:v{version}", "repayment", wanted[p.id], owner, p.paid_on,
                     f"상환 {p.paid_on.isoformat()} {format_won(p.amount)} / repayment")
    # 4. interest charged down (a back-dated payment lowered overdue interest)
    income = journal.balances(db, [keys[Kind.interest_income]])[keys[Kind.interest_income]]
    if pos.interest_charged < income:
        post("interest", ledger.reverse(ledger.accrue_interest(loan.id, income - pos.interest_charged)),
             "연체이자 조정 / overdue interest adjusted")
    # 5. overdue principal to its replayed amount
    overdue = journal.balances(db, [keys[Kind.overdue]])[keys[Kind.overdue]]
    if pos.overdue_principal > overdue:
        post("overdue", ledger.become_overdue(loan.id, pos.overdue_principal - overdue), "원금 연체 / principal overdue")
    elif pos.overdue_principal < overdue:
        post("overdue", ledger.reverse(ledger.become_overdue(loan.id, overdue - pos.overdue_principal)),
             "연체 원금 해소 / overdue principal cleared")
    return pos


def record_payment(db: Session, loan_id: int, paid_on: date, amount: int, client_id: str,
                   source: str = "manual") -> tuple[PaymentRow, bool]:
    """Record money received for a loan and post it (allocated by `loans_model.ALLOCATION`).
    The same `client_id` (e.g. the bank's transaction id) records it once: (row, False) then.
    Raises DomainError for an unknown loan, an amount not 1..MAX_WON, a date before the
    disbursement or after today, or more than is owed in full that day; nothing changes then."""
    loan = db.get(LoanRow, loan_id)
    if loan is None:
        raise DomainError(code="not_found", field="loan", ko=f"대출 #{josa(str(loan_id), '이')} 없습니다.",
                          en=f"There is no loan #{loan_id}.")
    found = db.scalar(select(PaymentRow).where(PaymentRow.client_id == client_id))
    if found is not None:
        if (found.loan_id, found.paid_on, found.amount) != (loan_id, paid_on, amount):
            raise DomainError(code="idempotency_conflict", field="client_id",
                              ko=f"거래번호 {client_id}는 이미 다른 납입으로 기록되었습니다.",
                              en=f"Transaction id {client_id} was already recorded as another payment.")
        return found, False
    if isinstance(amount, bool) or not 0 < amount <= MAX_WON:
        raise DomainError(code="invalid", field="amount", ko=f"납입액 {amount:,}원은 받을 수 없습니다. 1원 이상이어야 합니다.",
                          en=f"A payment of KRW {amount:,} is not allowed; it must be at least 1 won.")
    if paid_on < loan.disbursed_on:
        raise DomainError(code="before_disbursement", field="paid_on",
                          ko=f"납입일 {paid_on.isoformat()}이 대출일 {loan.disbursed_on.isoformat()}보다 앞섭니다.",
                          en=f"The payment date {paid_on.isoformat()} is before the loan was paid out "
                             f"({loan.disbursed_on.isoformat()}).")
    if paid_on > today():
        raise DomainError(code="future_date", field="paid_on", ko=f"납입일 {paid_on.isoformat()}은 미래 날짜입니다.",
                          en=f"The payment date {paid_on.isoformat()} is in the future.")
    existing = list(db.scalars(select(PaymentRow).where(PaymentRow.loan_id == loan_id)))
    on = max([today(), paid_on, *(p.paid_on for p in existing)])
    new = Payment(2**62, paid_on, amount)  # recorded last: after every payment of the same day
    pos = position(terms_of(loan), plan_of(db, loan), [Payment(p.id, p.paid_on, p.amount) for p in existing] + [new],
                   on, penalty_addon(on))
    a = pos.allocations[new.id]
    row = PaymentRow(loan_id=loan_id, client_id=client_id, paid_on=paid_on, amount=amount, interest=a.interest,
                     overdue_principal=a.overdue_principal, principal=a.principal, source=source[:200])
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:  # the same transaction id recorded meanwhile
        return record_payment(db, loan_id, paid_on, amount, client_id, source)
    sync(db, loan)
    return row, True


@dataclass
class ImportResult:
    posted: list[int] = field(default_factory=list)  # payment ids
    duplicates: int = 0
    #: (row number, field, ko, en)
    refused: list[tuple[int, str, str, str]] = field(default_factory=list)


IMPORT_COLUMNS = ("transaction_id", "loan", "paid_on", "amount")


def import_payments(unit_of_work: Callable[[], Any], text: str, source: str) -> ImportResult:
    """A bank statement CSV with the columns transaction_id, loan, paid_on (YYYY-MM-DD) and
    amount (won; commas allowed). Each row is posted in its own transaction: a bad row is
    listed with its number and reason and never blocks the good ones; a row seen before (same
    transaction id) is counted, not posted again."""
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DomainError(code="bad_file", field="file",
                          ko=f"CSV 머리글에 {', '.join(missing)} 열이 없습니다. 필요한 열: {', '.join(IMPORT_COLUMNS)}",
                          en=f"The CSV header lacks {', '.join(missing)}; the columns are {', '.join(IMPORT_COLUMNS)}.")
    for n, raw in enumerate(reader, 2):
        try:
            tx = (raw.get("transaction_id") or "").strip()
            if not tx:
                raise DomainError(code="invalid", field="transaction_id", ko="거래번호가 비어 있습니다.",
                                  en="The transaction id is empty.")
            try:
                loan_id = int((raw.get("loan") or "").strip())
            except ValueError:
                raise DomainError(code="invalid", field="loan", ko=f"대출번호 {raw.get('loan')!r}는 숫자여야 합니다.",
                                  en=f"Loan {raw.get('loan')!r} must be a number.") from None
            try:
                paid_on = date.fromisoformat((raw.get("paid_on") or "").strip())
            except ValueError:
                raise DomainError(code="invalid", field="paid_on", ko=f"납입일 {raw.get('paid_on')!r}은 YYYY-MM-DD 형식이어야 합니다.",
                                  en=f"Date {raw.get('paid_on')!r} must be YYYY-MM-DD.") from None
            try:
                amount = int(Decimal((raw.get("amount") or "").replace(",", "").strip()))
            except (InvalidOperation, ValueError):
                raise DomainError(code="invalid", field="amount", ko=f"금액 {raw.get('amount')!r}은 원 단위 숫자여야 합니다.",
                                  en=f"Amount {raw.get('amount')!r} must be a number of won.") from None
            with unit_of_work() as db:
                row, created = record_payment(db, loan_id, paid_on, amount, f"bank:{tx}", source)
            if created:
                result.posted.append(row.id)
            else:
                result.duplicates += 1
        except DomainError as e:
            result.refused.append((n, e.field or "", e.ko, e.en))
    with unit_of_work() as db:
        journal.compact_totals(db)
    return result


def accrue(unit_of_work: Callable[[], Any], as_of: date | None = None) -> tuple[int, int]:
    """The daily job: bring every loan's interest and overdue accounts to `as_of`. Each loan in
    its own transaction; running it again posts nothing new. Returns (loans, entries posted)."""
    with unit_of_work() as db:
        ids = list(db.scalars(select(LoanRow.id).order_by(LoanRow.id)))
        before = db.scalar(select(func.count()).select_from(EntryRow)) or 0
    for loan_id in ids:
        with unit_of_work() as db:
            loan = db.get(LoanRow, loan_id)
            sync(db, loan, as_of)
    with unit_of_work() as db:
        after = db.scalar(select(func.count()).select_from(EntryRow)) or 0
        journal.compact_totals(db)  # the day's summary rows folded for the dashboard
    return len(ids), after - before


@dataclass(frozen=True)
class LoanView:
    loan: LoanRow
    plan: list[Instalment]
    position: Position
    payments: list[PaymentRow]
    balances: dict[Kind, int]


def view(db: Session, who: Principal, loan_id: int, as_of: date | None = None) -> LoanView:
    """A loan for its firm's members and the program's officers (404 for anyone else)."""
    loan = db.get(LoanRow, loan_id)
    if loan is None:
        raise LOAN_NOT_FOUND
    if loan.firm_id not in who.firms:
        _app(db, who, loan.application_id)  # officers of the agency, admins; else not found
    payments = list(db.scalars(select(PaymentRow).where(PaymentRow.loan_id == loan.id).order_by(PaymentRow.paid_on,
                                                                                                 PaymentRow.id)))
    on = max([as_of or today(), *(p.paid_on for p in payments)])
    plan = plan_of(db, loan)
    pos = position(terms_of(loan), plan, [Payment(p.id, p.paid_on, p.amount) for p in payments], on, penalty_addon(on))
    from onestop.funds.tables import AccountRow

    return LoanView(loan, plan, pos, payments, journal.totals_by_kind(db, AccountRow.key.like(f"loan:{loan.id}:%")))


def loans_of_firm(db: Session, who: Principal, firm_id: int) -> list[LoanRow]:
    if firm_id not in who.firms and not who.is_officer:
        return []
    return list(db.scalars(select(LoanRow).where(LoanRow.firm_id == firm_id).order_by(LoanRow.id)))


def visible_loans(db: Session, who: Principal) -> list[LoanRow]:
    """The loans a person may see: a firm member's firms' loans, an officer's agency's loans
    (every loan for an admin)."""
    from onestop.catalog.services import current_specs

    q = select(LoanRow).order_by(LoanRow.id)
    if not who.is_officer:
        return list(db.scalars(q.where(LoanRow.firm_id.in_(sorted(who.firms)))))
    programs = [pid for pid, spec in current_specs(db).items() if who.can_edit_program(spec["agency"])]
    return list(db.scalars(q.where(LoanRow.program_id.in_(programs))))


def loan_of_application(db: Session, application_id: int) -> LoanRow | None:
    return db.scalar(select(LoanRow).where(LoanRow.application_id == application_id))
