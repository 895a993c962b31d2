"""Grant settlement (정산) and clawback (환수): the use cases.

A firm paid a grant or voucher (a disbursement line of kind "grant") submits its settlement:
its spending lines, each with evidence stored in the documents store. The program's officer
returns it for correction or decides it, allowing or cutting each line; the part of the grant
not recognised becomes a clawback: a journal entry turns it from a grant paid into a receivable
(`ledger.claw_back`), with a due date; money the firm returns is posted against it
(`ledger.repay_clawback`, at most once per transaction id). Every step is audited and the other
side is notified. The rules are in `settlement_model`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal
from onestop.applications.documents import DocumentStore, check_size, safe_filename, sniff
from onestop.audit import services as audit
from onestop.errors import DomainError, FieldProblem
from onestop.funds import budgets, journal, ledger
from onestop.funds.ledger import Kind
from onestop.funds.schedule import next_business_day
from onestop.funds.settlement_model import (
    ClawbackState,
    Line,
    Outcome,
    Review,
    State,
    check_lines,
    check_reviews,
    clawback_state,
    days_overdue,
    outcome,
)
from onestop.funds.tables import (
    BatchLineRow,
    ClawbackPaymentRow,
    ClawbackRow,
    CommitmentRow,
    EntryRow,
    SettlementLineRow,
    SettlementRow,
)
from onestop.korea.hangul import josa
from onestop.korea.money import MAX_WON, format_won
from onestop.platform.db import utcnow
from onestop.text import text

NOT_FOUND = DomainError(code="not_found", ko="정산을 찾을 수 없습니다.", en="Settlement not found.")
#: the due date an officer is offered for a clawback: 30 days after the decision, on a business
#: day. The platform's default, not a figure of law: the 반환 명령 states its own period.
DEFAULT_DUE_DAYS = 30


@dataclass(frozen=True)
class LineIn:
    """A spending line as the firm submits it: the receipt's file name and bytes, or the number
    of a line of its previous submission whose receipt it keeps."""

    category: str
    description: str
    amount: int
    receipt_name: str = ""
    receipt: bytes | None = None
    keep_receipt_of: int | None = None


@dataclass(frozen=True)
class ClawbackView:
    row: ClawbackRow
    repaid: int
    owed: int
    state: ClawbackState
    days_overdue: int
    payments: list[ClawbackPaymentRow]


@dataclass(frozen=True)
class SettlementView:
    row: SettlementRow
    lines: list[SettlementLineRow]
    #: what the firm sees as its role ("firm") or the officer's ("officer")
    actor: str
    clawback: ClawbackView | None
    outcome: Outcome | None


def today() -> date:
    return budgets.today()


def default_due(on: date) -> date:
    return next_business_day(on + timedelta(days=DEFAULT_DUE_DAYS))


def _app(db: Session, who: Principal, app_id: int) -> tuple[Any, str]:
    from onestop.applications import services as applications

    try:
        row, actor = applications.get(db, who, app_id)
    except DomainError:
        raise NOT_FOUND from None
    if actor.value not in ("firm", "officer"):
        raise NOT_FOUND
    return row, actor.value


def grant_paid(db: Session, app_id: int) -> tuple[BatchLineRow, CommitmentRow] | None:
    """The grant line paid out for this application (with its commitment), if any."""
    line = db.scalar(select(BatchLineRow).where(BatchLineRow.application_id == app_id, BatchLineRow.kind == "grant"))
    if line is None or not db.scalar(select(EntryRow.id).where(EntryRow.client_id == f"disburse:application:{app_id}")):
        return None
    commitment = budgets.commitment_of(db, app_id)
    assert commitment is not None
    return line, commitment


def _problems(problems: list[FieldProblem]) -> DomainError:
    first = problems[0]
    return DomainError(code="invalid", field=first.field, ko=first.ko, en=first.en, problems=problems)


def submit(db: Session, who: Principal, store: DocumentStore, app_id: int, lines: list[LineIn],
           note: str = "") -> SettlementRow:
    """The firm submits (or, after a return, resubmits) its settlement. Refused, naming the line
    and field, for a bad line or receipt; refused when no grant was paid, or when the settlement
    is under review or decided. Nothing is saved when anything is refused."""
    row, actor = _app(db, who, app_id)
    if actor != "firm":
        raise NOT_FOUND
    paid = grant_paid(db, app_id)
    if paid is None:
        raise DomainError(code="not_paid", field="application_id",
                          ko=f"신청 #{josa(str(app_id), '은')} 보조금이 지급되지 않아 정산할 것이 없습니다.",
                          en=f"No grant was paid out for application #{app_id}; there is nothing to settle.")
    settlement = db.scalar(select(SettlementRow).where(SettlementRow.application_id == app_id)
                           .with_for_update())
    if settlement is not None and settlement.state != State.returned.value:
        raise DomainError(code="conflict", field="lines",
                          ko="정산이 이미 제출되어 검토 중이거나 확정되었습니다. 보완 요청을 받은 뒤에만 다시 낼 수 있습니다.",
                          en="The settlement is already under review or decided; it can be submitted again only "
                             "when returned for correction.")
    previous = {x.number: x for x in latest_lines(db, settlement)} if settlement is not None else {}
    cleaned = [LineIn(text(x.category).strip(), text(x.description).strip(), x.amount, x.receipt_name, x.receipt,
                      x.keep_receipt_of) for x in lines]
    problems = check_lines([Line(x.category, x.description, x.amount,
                                 x.receipt is not None or x.keep_receipt_of in previous) for x in cleaned])
    stored: list[tuple[str, str, int, str]] = []
    for n, x in enumerate(cleaned, 1):
        if x.receipt is None:
            kept = previous.get(x.keep_receipt_of) if x.keep_receipt_of is not None else None
            if kept is not None:
                stored.append((kept.receipt_name, kept.receipt_type, kept.receipt_size, kept.receipt_sha256))
            continue
        try:
            check_size(len(x.receipt))
            kind = sniff(x.receipt)
        except DomainError as e:
            problems.append(FieldProblem(f"lines[{n}].receipt", e.code, f"{n}번째 줄 증빙: {e.ko}", f"Line {n} evidence: {e.en}"))
            continue
        stored.append((safe_filename(x.receipt_name, kind, fallback=f"receipt-{n}"), kind.content_type, len(x.receipt),
                       ""))
    if problems:
        raise _problems(problems)
    for i, x in enumerate(cleaned):
        if x.receipt is not None:
            name, ctype, size, _ = stored[i]
            stored[i] = (name, ctype, size, store.put(x.receipt))
    if settlement is None:
        settlement = SettlementRow(application_id=app_id, firm_id=row.firm_id, program_id=row.program_id,
                                   agency_id=row.agency_id, budget_id=paid[1].budget_id, paid=paid[0].amount,
                                   state=State.submitted.value, version=1, note=text(note)[:4000],
                                   submitted_by=who.user_id, submitted_at=utcnow(), returned_reason="",
                                   decision_note="")
        try:
            with db.begin_nested():
                db.add(settlement)
                db.flush()
        except IntegrityError:  # submitted meanwhile by another member of the firm
            raise DomainError(code="conflict", field="lines", ko="정산이 방금 제출되었습니다. 화면을 새로 고쳐 확인하세요.",
                              en="The settlement was just submitted; reload to see it.") from None
    else:
        settlement.version += 1
        settlement.state = State.submitted.value
        settlement.note = text(note)[:4000]
        settlement.submitted_by = who.user_id
        settlement.submitted_at = utcnow()
    db.flush()
    for n, (x, (name, ctype, size, sha)) in enumerate(zip(cleaned, stored, strict=True), 1):
        db.add(SettlementLineRow(settlement_id=settlement.id, version=settlement.version, number=n, category=x.category,
                                 description=x.description, amount=x.amount, receipt_name=name, receipt_type=ctype,
                                 receipt_size=size, receipt_sha256=sha, cut_reason=""))
    db.flush()
    claimed = sum(x.amount for x in cleaned)
    audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action="funds.settlement.submit",
                 subject=f"application:{app_id}", data={"settlement": settlement.id, "version": settlement.version,
                                                        "lines": len(cleaned), "claimed": claimed})
    _tell_officers(db, row.agency_id, settlement,
                   f"보조금 정산이 제출되었습니다: 신청 #{app_id}, 청구 {format_won(claimed)}",
                   f"A grant settlement was submitted: application #{app_id}, KRW {claimed:,} claimed")
    return settlement


def latest_lines(db: Session, settlement: SettlementRow) -> list[SettlementLineRow]:
    return list(db.scalars(select(SettlementLineRow).where(SettlementLineRow.settlement_id == settlement.id,
                                                           SettlementLineRow.version == settlement.version)
                           .order_by(SettlementLineRow.number)))


def _tell_officers(db: Session, agency_id: str, s: SettlementRow, ko: str, en: str) -> None:
    from onestop.alerts.outbox import notify
    from onestop.evaluation.committee_services import officers_of

    notify(db, officers_of(db, agency_id), "settlement", ko, en, link=f"/officer/settlements/{s.id}",
           data={"settlement": s.id})


def _tell_firm(db: Session, s: SettlementRow, ko: str, en: str) -> None:
    from onestop.accounts.memberships import owners
    from onestop.alerts.outbox import notify

    notify(db, owners(db, s.firm_id), "settlement", ko, en, link=f"/settlements/{s.application_id}",
           data={"settlement": s.id})


def _settlement(db: Session, who: Principal, settlement_id: int, lock: bool = False) -> tuple[SettlementRow, str]:
    s = db.get(SettlementRow, settlement_id, with_for_update=lock)
    if s is None:
        raise NOT_FOUND
    _, actor = _app(db, who, s.application_id)
    return s, actor


def _officer(db: Session, who: Principal, settlement_id: int) -> SettlementRow:
    s, actor = _settlement(db, who, settlement_id, lock=True)
    if actor != "officer":
        raise NOT_FOUND
    return s


def return_for_correction(db: Session, who: Principal, settlement_id: int, reason: str) -> SettlementRow:
    """The officer sends a submitted settlement back to the firm, saying what to correct."""
    s = _officer(db, who, settlement_id)
    reason = text(reason).strip()
    if not reason:
        raise DomainError(code="required", field="reason", ko="보완할 내용을 적어 주세요.", en="Say what to correct.")
    if s.state != State.submitted.value:
        raise DomainError(code="conflict", field="reason", ko="검토 중인 정산만 보완 요청할 수 있습니다.",
                          en="Only a settlement under review can be returned.")
    s.state = State.returned.value
    s.returned_reason = reason[:4000]
    db.flush()
    audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action="funds.settlement.return",
                 subject=f"application:{s.application_id}", data={"settlement": s.id, "reason": s.returned_reason})
    _tell_firm(db, s, f"보조금 정산 보완 요청: {s.returned_reason[:120]}",
               f"Your grant settlement was returned for correction: {s.returned_reason[:120]}")
    return s


def decide(db: Session, who: Principal, settlement_id: int, reviews: list[Review], due_on: date | None = None,
           note: str = "") -> SettlementView:
    """The officer decides a submitted settlement: each line allowed in full or cut with a
    reason. The part of the grant not recognised is clawed back (one journal entry, at most
    once) and owed by `due_on` (default: `default_due`). Refused, naming the line, for a bad
    review or a due date before today; nothing is saved then."""
    s = _officer(db, who, settlement_id)
    if s.state != State.submitted.value:
        raise DomainError(code="conflict", field="lines", ko="검토 중인 정산만 확정할 수 있습니다.",
                          en="Only a settlement under review can be decided.")
    lines = latest_lines(db, s)
    reviews = [Review(r.allowed, text(r.reason).strip()) for r in reviews]
    model_lines = [Line(x.category, x.description, x.amount, True) for x in lines]
    problems = check_reviews(model_lines, reviews)
    day = today()
    due = due_on or default_due(day)
    if due < day:
        problems.append(FieldProblem("due_on", "invalid",
                                     f"납부 기한 {josa(due.isoformat(), '은')} 오늘({day.isoformat()}) 이후여야 합니다.",
                                     f"The due date {due.isoformat()} must be today ({day.isoformat()}) or later."))
    if problems:
        raise _problems(problems)
    result = outcome(s.paid, model_lines, reviews)
    for line, review in zip(lines, reviews, strict=True):
        line.allowed = review.allowed
        line.cut_reason = review.reason[:4000] if review.allowed < line.amount else ""
    s.state = State.decided.value
    s.decided_by = who.user_id
    s.decided_at = utcnow()
    s.recognised, s.unspent, s.disallowed = result.recognised, result.unspent, result.disallowed
    s.decision_note = text(note).strip()[:4000]
    db.flush()
    if result.clawback > 0:
        journal.post(db, f"clawback:application:{s.application_id}", "clawback",
                     ledger.claw_back(s.application_id, result.clawback),
                     journal.Owner(s.budget_id, s.program_id, s.firm_id), day,
                     f"정산 환수 {format_won(result.clawback)} / clawback", who.user_id)
        db.add(ClawbackRow(settlement_id=s.id, application_id=s.application_id, firm_id=s.firm_id,
                           program_id=s.program_id, amount=result.clawback, due_on=due))
        db.flush()
    audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action="funds.settlement.decide",
                 subject=f"application:{s.application_id}",
                 data={"settlement": s.id, "recognised": result.recognised, "unspent": result.unspent,
                       "disallowed": result.disallowed, "clawback": result.clawback,
                       "due_on": due.isoformat() if result.clawback else None})
    if result.clawback:
        _tell_firm(db, s, f"보조금 정산이 확정되었습니다: 인정 {format_won(result.recognised)}, 환수 {format_won(result.clawback)} "
                          f"(납부 기한 {due.isoformat()})",
                   f"Your grant settlement was decided: KRW {result.recognised:,} recognised, KRW {result.clawback:,} "
                   f"to be returned by {due.isoformat()}")
    else:
        _tell_firm(db, s, f"보조금 정산이 확정되었습니다: 전액 {format_won(result.recognised)} 인정",
                   f"Your grant settlement was decided: all KRW {result.recognised:,} recognised")
    return view(db, who, s.id)


def clawback_view(db: Session, c: ClawbackRow, on: date | None = None) -> ClawbackView:
    key = ledger.application_account(Kind.clawback_receivable, c.application_id)
    owed = journal.balances(db, [key])[key]
    repaid = c.amount - owed
    day = on or today()
    payments = list(db.scalars(select(ClawbackPaymentRow).where(ClawbackPaymentRow.clawback_id == c.id)
                               .order_by(ClawbackPaymentRow.paid_on, ClawbackPaymentRow.id)))
    return ClawbackView(c, repaid, owed, clawback_state(c.amount, repaid, c.due_on, day),
                        days_overdue(c.amount, repaid, c.due_on, day), payments)


def record_clawback_payment(db: Session, who: Principal, settlement_id: int, paid_on: date, amount: int,
                            client_id: str) -> tuple[ClawbackPaymentRow, bool]:
    """Money the firm returned against its clawback, recorded by the officer (from the bank
    statement). The same transaction id records it once: (row, False) then. Refused for an
    amount above what is owed, a date in the future or before the decision; nothing changes."""
    s = _officer(db, who, settlement_id)
    c = db.scalar(select(ClawbackRow).where(ClawbackRow.settlement_id == s.id))
    if c is None:
        raise DomainError(code="no_clawback", field="amount", ko="이 정산에는 환수할 금액이 없습니다.",
                          en="This settlement has nothing to claw back.")
    client_id = text(client_id).strip()[:100]
    if not client_id:
        raise DomainError(code="required", field="transaction_id", ko="거래번호를 적어 주세요.",
                          en="Give the transaction id.")
    cid = f"clawback:{c.id}:{client_id}"
    found = db.scalar(select(ClawbackPaymentRow).where(ClawbackPaymentRow.client_id == cid))
    if found is not None:
        if (found.paid_on, found.amount) != (paid_on, amount):
            raise DomainError(code="idempotency_conflict", field="transaction_id",
                              ko=f"거래번호 {josa(client_id, '은')} 이미 다른 납부로 기록되었습니다.",
                              en=f"Transaction id {client_id} was already recorded as another payment.")
        return found, False
    owed = clawback_view(db, c).owed
    if isinstance(amount, bool) or not 0 < amount <= MAX_WON or amount > owed:
        raise DomainError(code="invalid", field="amount",
                          ko=f"납부액 {josa(f'{amount:,}원', '은')} 받을 수 없습니다. 1원 이상 남은 환수액 {owed:,}원 이하여야 합니다.",
                          en=f"A payment of KRW {amount:,} is not allowed: 1 to the KRW {owed:,} still owed.")
    decided = s.decided_at.date() if s.decided_at else paid_on
    if paid_on > today() or paid_on < decided - timedelta(days=1):
        raise DomainError(code="invalid", field="paid_on",
                          ko=f"납부일 {josa(paid_on.isoformat(), '은')} 정산 확정일과 오늘 사이여야 합니다.",
                          en=f"The payment date {paid_on.isoformat()} must be between the decision and today.")
    row = ClawbackPaymentRow(clawback_id=c.id, client_id=cid, paid_on=paid_on, amount=amount, recorded_by=who.user_id)
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:  # the same transaction recorded meanwhile
        return record_clawback_payment(db, who, settlement_id, paid_on, amount, client_id)
    journal.post(db, f"clawback-payment:{row.id}", "clawback_repayment", ledger.repay_clawback(c.application_id, amount),
                 journal.Owner(s.budget_id, s.program_id, s.firm_id), paid_on,
                 f"환수금 납부 {format_won(amount)} / clawback repaid", who.user_id)
    audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action="funds.clawback.payment",
                 subject=f"application:{s.application_id}", data={"settlement": s.id, "amount": amount,
                                                                  "paid_on": paid_on.isoformat()})
    if amount == owed:
        _tell_firm(db, s, f"환수금 {format_won(c.amount)} 납부가 완료되었습니다.",
                   f"The clawback of KRW {c.amount:,} is paid in full.")
    return row, True


def view(db: Session, who: Principal, settlement_id: int) -> SettlementView:
    """A settlement for the firm's members and the program's officers (404 for anyone else)."""
    s, actor = _settlement(db, who, settlement_id)
    lines = latest_lines(db, s)
    c = db.scalar(select(ClawbackRow).where(ClawbackRow.settlement_id == s.id))
    result = None
    if s.state == State.decided.value:
        result = Outcome(s.paid, sum(x.amount for x in lines), s.recognised or 0, s.unspent or 0, s.disallowed or 0)
    return SettlementView(s, lines, actor, clawback_view(db, c) if c is not None else None, result)


def of_application(db: Session, who: Principal, app_id: int) -> tuple[Any, BatchLineRow | None, SettlementView | None]:
    """The application (firm or officer), the grant paid for it and its settlement, if any."""
    row, _ = _app(db, who, app_id)
    paid = grant_paid(db, app_id)
    s = db.scalar(select(SettlementRow.id).where(SettlementRow.application_id == app_id))
    return row, paid[0] if paid else None, view(db, who, s) if s is not None else None


def queue(db: Session, who: Principal) -> list[SettlementView]:
    """The settlements of the officer's agency (every one for an admin): under review first."""
    if not who.is_officer:
        return []
    q = select(SettlementRow.id).order_by(SettlementRow.state != State.submitted.value, SettlementRow.submitted_at)
    if who.agency_id and who.role.value != "admin":
        q = q.where(SettlementRow.agency_id == who.agency_id)
    return [view(db, who, sid) for sid in db.scalars(q)]


def to_settle(db: Session, who: Principal) -> list[tuple[Any, BatchLineRow, SettlementView | None]]:
    """The firm's grants paid out, with their settlement if one was submitted."""
    out = []
    for line in db.scalars(select(BatchLineRow).where(BatchLineRow.kind == "grant",
                                                      BatchLineRow.firm_id.in_(sorted(who.firms)))
                           .order_by(BatchLineRow.id)):
        row, paid, settlement = of_application(db, who, line.application_id)
        if paid is not None:
            out.append((row, paid, settlement))
    return out


def receipt(db: Session, who: Principal, store: DocumentStore, line_id: int) -> tuple[SettlementLineRow, bytes]:
    """A receipt's bytes for the firm's members and the program's officers; an officer's
    download is a view of the firm's data and is recorded."""
    line = db.get(SettlementLineRow, line_id)
    if line is None:
        raise NOT_FOUND
    s, actor = _settlement(db, who, line.settlement_id)
    data = store.get(line.receipt_sha256)
    if actor == "officer":
        audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action="firm.view_document",
                     subject=f"firm:{s.firm_id}", data={"application": s.application_id, "settlement_line": line.id})
    return line, data
