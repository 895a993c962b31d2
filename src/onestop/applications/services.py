"""Application use cases: draft (idempotent), documents, submission with the eligibility check
of that moment, officers' review, decisions, overrides, the e-agreement, deadlines, and the
consultation window. Every transition goes through the lifecycle, leaves a timeline event and
an audit record, and notifies the other side."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, load_only

from onestop.accounts.model import FirmRole, Principal, Role
from onestop.alerts.tables import NotificationRow
from onestop.applications import branches, consultations
from onestop.applications.documents import DocumentStore, check_size, safe_filename, sniff
from onestop.applications.lifecycle import OPEN, STATE_NAMES, Actor, State, allowed, transition
from onestop.applications.tables import (
    AgreementRow,
    ApplicationEventRow,
    ApplicationRow,
    BookingRow,
    DocumentRow,
    MessageRow,
    SupplementRow,
    ThreadRow,
)
from onestop.audit import services as audit
from onestop.catalog.model import SUPPORT_NAMES, Program
from onestop.catalog.windows import now_kst, window_state
from onestop.errors import DomainError
from onestop.firms import services as firms
from onestop.firms.facts import derive, size_of
from onestop.firms.tables import FirmRow
from onestop.korea.dates import KST, moment
from onestop.korea.hangul import josa
from onestop.korea.money import format_won
from onestop.matching.records import explain_program
from onestop.matching.services import Engine
from onestop.platform import hooks
from onestop.platform.db import utcnow

NOT_FOUND = DomainError(code="not_found", ko="신청을 찾을 수 없습니다.", en="Application not found.")
DOCUMENT_NOT_FOUND = DomainError(code="not_found", ko="서류를 찾을 수 없습니다.", en="Document not found.")
THREAD_NOT_FOUND = DomainError(code="not_found", ko="상담을 찾을 수 없습니다.", en="Consultation not found.")
AGREEMENT_NOT_FOUND = DomainError(code="not_found", ko="약정서가 아직 없습니다.", en="There is no agreement yet.")


@dataclass(frozen=True)
class Client:
    """Where a request came from (kept with signatures and in the audit trail)."""

    ip: str
    agent: str


def actor_of(who: Principal, row: ApplicationRow) -> Actor:
    """The lifecycle role this person plays for this application; 404 if none. A draft (and a
    draft withdrawn or expired before it was ever submitted) belongs to the firm alone: no
    officer or administrator sees it or its documents until it is submitted. Evaluators see
    an application only while it is in evaluation (never a draft or anything before it, nor a
    decided one) and only when an officer assigned them to its committee and they were not
    excluded (`evaluation.committee_services`); any other application is "not found" to them."""
    if row.firm_id in who.firms:
        return Actor.firm
    if row.submitted_at is None:
        raise NOT_FOUND
    if who.role == Role.admin or (who.role == Role.officer and who.agency_id == row.agency_id):
        return Actor.officer
    if who.role == Role.evaluator and row.state == State.evaluation.value and _assigned(who, row):
        return Actor.evaluator
    raise NOT_FOUND


def _assigned(who: Principal, row: ApplicationRow) -> bool:
    from sqlalchemy.orm import object_session

    from onestop.evaluation.committee_services import is_assigned

    db = object_session(row)
    return db is not None and is_assigned(db, who.user_id, row.id)


def actions_for(who: Principal, row: ApplicationRow) -> list[str]:
    """The moves this person may make now (what the pages offer and the API lists): an
    approved application's award is the owner's to give up, so staff are not offered it."""
    actor = actor_of(who, row)
    actions = [t.action for t in allowed(State(row.state), actor)]
    if row.state == State.approved.value and who.firms.get(row.firm_id) != FirmRole.owner:
        actions = [a for a in actions if a != "withdraw"]
    return actions


def get(db: Session, who: Principal, app_id: int, lock: bool = False) -> tuple[ApplicationRow, Actor]:
    """The application and how `who` acts on it; `lock` takes its row lock (PostgreSQL) for
    changes that read before they write, such as numbering a document's next version."""
    row = db.get(ApplicationRow, app_id, with_for_update=lock)
    if row is None:
        raise NOT_FOUND
    return row, actor_of(who, row)


def _event(db: Session, row: ApplicationRow, who: Principal | None, action: str, before: str | None,
           note: str = "") -> None:
    db.add(ApplicationEventRow(application_id=row.id, actor_user_id=who.user_id if who else None, action=action,
                               from_state=before, to_state=row.state, note=note))


def _audit(db: Session, who: Principal | None, action: str, row: ApplicationRow, **data: Any) -> None:
    audit.record(db, actor=who.role.value if who else "system", actor_user_id=who.user_id if who else None,
                 action=f"application.{action}", subject=f"application:{row.id}",
                 data={"firm_id": row.firm_id, "program_id": row.program_id, "state": row.state, **data})


def _notify_firm(db: Session, row: ApplicationRow, kind: str, ko: str, en: str) -> None:
    """Every member hears of it in the app and by email. The email is only marked due here (the
    outbox, `alerts.outbox`): it goes out after this transaction commits, so a rolled-back
    change never mails and a slow mail server never holds the request."""
    _notify(db, _members(db, row.firm_id), kind, ko, en, f"/applications/{row.id}", {"application": row.id})


def _members(db: Session, firm_id: int) -> list[int]:
    from onestop.accounts.tables import MembershipRow

    return list(db.scalars(select(MembershipRow.user_id).where(MembershipRow.firm_id == firm_id)))


def _notify(db: Session, user_ids: list[int], kind: str, ko: str, en: str, link: str, data: dict[str, Any]) -> None:
    """In the app now; by email once this transaction commits (marked due for the outbox)."""
    now = utcnow()
    for user_id in user_ids:
        db.add(NotificationRow(user_id=user_id, kind=kind, title_ko=ko[:300], title_en=en[:300], link=link,
                               data=data, email_due_at=now))


def _check_version(row: ApplicationRow, expected: int | None) -> None:
    if expected is not None and expected != row.version:
        raise DomainError(code="stale_version", field="version",
                          ko="다른 사람이 먼저 이 신청을 처리했습니다. 새로 고쳐 최신 상태를 확인한 뒤 다시 시도하세요.",
                          en="Someone else changed this application first; reload to see its current state and retry.")


def _move(db: Session, who: Principal | None, row: ApplicationRow, action: str, actor: Actor,
          expected_version: int | None, note: str = "", **audit_data: Any) -> str:
    _check_version(row, expected_version)
    t = transition(State(row.state), action, actor)
    before = row.state
    row.state = t.target.value
    if t.target not in OPEN:
        row.open_slot = None
    _event(db, row, who, action, before, note)
    _audit(db, who, action, row, from_state=before, note=note, **audit_data)
    hooks.application_moved(db, row, action, before)  # e.g. funds: approval commits the budget
    return before


# --- drafts and documents -------------------------------------------------------------------

def create(db: Session, who: Principal, engine: Engine, firm_id: int, program_id: str,
           idempotency_key: str | None = None) -> tuple[ApplicationRow, bool]:
    """A draft for the firm and program; the same key returns the same draft (double clicks and
    retried requests create one application), also while a twin request is still running. A key
    used before for another firm or program is refused (`idempotency_key_reused`), never answered
    with the other request's application. Returns (row, created)."""
    if firm_id not in who.firms:
        raise firms.NOT_FOUND
    region = db.scalar(select(FirmRow.region).where(FirmRow.id == firm_id))  # not the whole profile
    if region is None:
        raise firms.NOT_FOUND
    if idempotency_key and (found := _by_key(db, who, idempotency_key, firm_id, program_id)) is not None:
        return found, False
    program = engine.catalog.get(program_id)
    window = program.spec.application_window
    if window_state(window, now_kst()).closed:  # the same window logic every page states
        raise DomainError(code="window_closed", field="program_id",
                          ko=f"{program.spec.name.ko}: 신청 기간이 {window.closes}에 마감되었습니다.",
                          en=f"{program.spec.name.en}: applications closed on {window.closes}.")
    slot = f"{firm_id}:{program_id}"
    # One statement: the row, or nothing when the slot (or this key) is taken — also by a twin
    # request that commits meanwhile (PostgreSQL waits for it, then skips). Before, a look-up
    # and an insert in a savepoint took four round trips.
    now = utcnow()
    values = {"firm_id": firm_id, "program_id": program_id, "agency_id": program.spec.agency, "branch": region[:2],
              "state": State.draft.value, "open_slot": slot, "idempotency_key": idempotency_key,
              "created_by": who.user_id, "deadline_at": window.deadline(), "created_at": now, "updated_at": now,
              "answers": {}, "decision_reason": "", "version": 1}
    dialect_insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    row = db.scalar(dialect_insert(ApplicationRow).values(values).on_conflict_do_nothing()
                    .returning(ApplicationRow))
    if row is not None:
        _event(db, row, who, "create", None)
        _audit(db, who, "create", row)
        return row, True
    taken = db.scalar(select(ApplicationRow.id).where(ApplicationRow.open_slot == slot))
    # The slot is taken: by this very request's twin (same key, committed meanwhile), answered as
    # it was, or by another application.
    if idempotency_key and (found := _by_key(db, who, idempotency_key, firm_id, program_id)) is not None:
        return found, False
    raise _one_open(taken)


def _by_key(db: Session, who: Principal, key: str, firm_id: int, program_id: str) -> ApplicationRow | None:
    found = db.scalar(select(ApplicationRow).where(ApplicationRow.created_by == who.user_id,
                                                   ApplicationRow.idempotency_key == key))
    if found is not None and (found.firm_id, found.program_id) != (firm_id, program_id):
        raise DomainError(code="idempotency_key_reused", field="Idempotency-Key",
                          ko="이 Idempotency-Key는 다른 신청(다른 기업 또는 사업)에 이미 쓰였습니다. 새 키로 보내세요.",
                          en="This Idempotency-Key was already used for a different request (another firm or "
                             "program); send a new key.")
    return found


def _one_open(existing: int | None) -> DomainError:
    return DomainError(code="conflict", field="program_id",
                       ko=f"이 사업에 진행 중인 신청(#{existing})이 이미 있습니다. 한 기업은 한 사업에 하나만 신청할 수 있습니다.",
                       en=f"The firm already has an open application (#{existing}) to this program; one at a time.")


def required_documents(program: Program) -> list[tuple[str, str, str]]:
    docs = [(d.id, d.ko, d.en) for d in program.spec.required_documents]
    return docs or [("business_plan", "사업계획서", "Business plan")]


def upload(db: Session, who: Principal, store: DocumentStore, engine: Engine, app_id: int, kind: str, filename: str,
           data: bytes) -> DocumentRow:
    row, actor = get(db, who, app_id, lock=True)  # versions are numbered under the application's lock
    if actor != Actor.firm:
        raise DomainError(code="forbidden", ko="신청 기업만 서류를 올릴 수 있습니다.", en="Only the applying firm uploads.")
    if row.state not in (State.draft.value, State.supplement_requested.value):
        ko, en = STATE_NAMES[State(row.state)]
        raise DomainError(code="illegal_transition", field="file",
                          ko=f"'{ko}' 상태에서는 서류를 올릴 수 없습니다(작성 중이거나 보완 요청 중일 때만 가능).",
                          en=f"Documents cannot be uploaded while the application is {en.lower()} "
                             "(only as a draft or when a supplement is requested).")
    kinds = {k for k, _, _ in required_documents(engine.catalog.get(row.program_id))} | {"other"}
    if kind not in kinds:
        raise DomainError(code="document_kind", field="kind",
                          ko=f"서류 종류 {josa(repr(kind), '는')} 이 사업의 제출 서류가 아닙니다. 가능한 종류: {', '.join(sorted(kinds))}",
                          en=f"{kind!r} is not a document this program asks for; allowed: {', '.join(sorted(kinds))}.")
    check_size(len(data))
    sniffed = sniff(data)
    digest = store.put(data)
    version = (db.scalar(select(func.max(DocumentRow.version)).where(
        DocumentRow.application_id == app_id, DocumentRow.kind == kind)) or 0) + 1
    doc = DocumentRow(application_id=app_id, kind=kind, version=version,
                      filename=safe_filename(filename, sniffed, fallback=kind),
                      content_type=sniffed.content_type, size=len(data), sha256=digest, uploaded_by=who.user_id)
    db.add(doc)
    for req in db.scalars(select(SupplementRow).where(SupplementRow.application_id == app_id, SupplementRow.kind == kind,
                                                      SupplementRow.answered_version.is_(None))):
        req.answered_version = version
    db.flush()
    _audit(db, who, "upload", row, kind=kind, version=version, sha256=digest, size=len(data))
    return doc


def documents(db: Session, app_id: int) -> list[DocumentRow]:
    return list(db.scalars(select(DocumentRow).where(DocumentRow.application_id == app_id)
                           .order_by(DocumentRow.kind, DocumentRow.version)))


def latest_documents(db: Session, app_id: int) -> dict[str, DocumentRow]:
    return latest_of(documents(db, app_id))


def latest_of(docs: list[DocumentRow]) -> dict[str, DocumentRow]:
    """The newest version of each kind, from `documents` (ordered by kind and version)."""
    return {d.kind: d for d in docs}


# --- submission and review ------------------------------------------------------------------

def check_eligibility(db: Session, engine: Engine, revision: int, row: ApplicationRow, on: date) -> dict[str, Any]:
    firm = firms.profile_of(db.get(FirmRow, row.firm_id))  # type: ignore[arg-type]
    size = size_of(firm, on)
    result = explain_program(engine.catalog.get(row.program_id), derive(firm, on, size))
    result.update(date=on.isoformat(), catalog_revision=revision, parameters_version=size.parameters_version,
                  checked_at=utcnow().isoformat())
    return result


def submit(db: Session, who: Principal, engine: Engine, revision: int, app_id: int,
           expected_version: int | None, now: datetime | None = None) -> ApplicationRow:
    row, actor = get(db, who, app_id)
    if actor == Actor.firm:
        who.require_confirmed("신청서 제출", "submit an application")
    now = now or utcnow()
    if row.deadline_at is not None and now > row.deadline_at:
        local = row.deadline_at.astimezone(KST)
        raise DomainError(code="deadline_passed", field="deadline",
                          ko=f"신청 마감({local:%Y-%m-%d %H:%M} KST)이 지났습니다.",
                          en=f"The deadline ({local:%Y-%m-%d %H:%M} KST) has passed.")
    have = latest_documents(db, app_id)
    missing = [(k, ko, en) for k, ko, en in required_documents(engine.catalog.get(row.program_id)) if k not in have]
    if missing:
        raise DomainError(code="documents_missing", field="documents",
                          ko="제출 서류가 빠졌습니다: " + ", ".join(ko for _, ko, _ in missing),
                          en="Missing documents: " + ", ".join(en for _, _, en in missing))
    row.eligibility = check_eligibility(db, engine, revision, row, now.astimezone(KST).date())
    row.submitted_at = now
    _move(db, who, row, "submit", actor, expected_version, eligibility=row.eligibility["status"],
          catalog_revision=revision, parameters_version=row.eligibility["parameters_version"])
    hooks.application_submitted(db, engine, row)  # the model's recommendation; the fast track
    _notify_firm(db, row, "application_received", f"신청 #{row.id}가 접수되었습니다.",
                 f"Application #{row.id} was received.")
    return row


def act(db: Session, who: Principal, app_id: int, action: str, expected_version: int | None, note: str = "",
        supplements: dict[str, str] | None = None, confirm: bool = False) -> ApplicationRow:
    """Officers' and firms' other moves (everything but submit and sign). Withdrawing an
    approved application gives up the award: only the firm's owner may, and only with
    `confirm` (the pages ask on a page of its own)."""
    row, actor = get(db, who, app_id)
    note = note.strip()
    if action == "withdraw" and row.state == State.approved.value and actor == Actor.firm:
        if who.firms.get(row.firm_id) != FirmRole.owner:
            raise DomainError(code="forbidden", field="action",
                              ko="선정된 신청은 기업의 대표 관리자(소유자)만 철회할 수 있습니다. 선정을 포기하려면 대표 관리자에게 "
                                 "요청하세요.",
                              en="Only the firm's owner can withdraw an approved application (it gives up the award); "
                                 "ask the owner.")
        if not confirm:
            raise DomainError(code="confirmation_required", field="confirm",
                              ko="선정된 신청을 철회하면 지원을 포기하게 되며 되돌릴 수 없습니다. 확인란에 표시한 뒤 다시 철회하세요.",
                              en="Withdrawing an approved application gives up the award and cannot be undone; confirm "
                                 "to withdraw.")
    if action == "request_supplement" and (not supplements or not all(r.strip() for r in supplements.values())):
        raise DomainError(code="supplement_reason", field="supplements",
                          ko="보완할 서류와 각 서류의 사유를 적어 주세요.",
                          en="Name each document to supplement, with a reason for each.")
    if action == "reject" and not note:
        raise DomainError(code="reason_required", field="note", ko="미선정 사유를 적어 주세요.",
                          en="Give the reason for the rejection.")
    if action == "approve":
        status = (row.eligibility or {}).get("status")
        if status != "eligible" and row.override is None:
            raise DomainError(code="not_eligible", field="action",
                              ko="접수 시 자격 확인이 '신청 가능'이 아닙니다. 선정하려면 먼저 사유를 적어 자격 판정을 재정의하세요.",
                              en="The eligibility check at submission did not pass; record an override with a "
                                 "reason before approving.")
    before = _move(db, who, row, action, actor, expected_version, note, supplements=supplements or {})
    if action == "request_supplement":
        assert supplements is not None
        for kind, reason in supplements.items():
            db.add(SupplementRow(application_id=row.id, kind=kind, reason=reason.strip(), requested_by=who.user_id))
        _notify_firm(db, row, "supplement_requested", f"신청 #{row.id}에 서류 보완 요청이 있습니다.",
                     f"A supplement was requested for application #{row.id}.")
    elif action in ("approve", "reject", "waitlist"):
        if action == "approve":
            _prepare_agreement(db, row)
        if action in ("approve", "reject"):
            from onestop.evaluation import services as evaluation  # did the decision follow the band?

            evaluation.record_decision(db, row.id, "approved" if action == "approve" else "rejected")
        label_ko, label_en = STATE_NAMES[State(row.state)]
        row.decision_reason = note
        _notify_firm(db, row, "decision", f"신청 #{row.id} 결과: {label_ko}", f"Application #{row.id}: {label_en}")
    elif action == "resubmit":
        open_requests = db.scalars(select(SupplementRow).where(SupplementRow.application_id == row.id,
                                                               SupplementRow.answered_version.is_(None))).all()
        if open_requests:
            row.state = before  # refuse: put the state back before the transaction is rolled back
            raise DomainError(code="supplement_missing", field="documents",
                              ko="요청된 보완 서류를 모두 올려 주세요: " + ", ".join(r.kind for r in open_requests),
                              en="Upload every document asked for: " + ", ".join(r.kind for r in open_requests))
    return row


def _officer_decision(db: Session, who: Principal, app_id: int, reason: str, what_ko: str, noun_ko: str,
                      what_en: str) -> tuple[ApplicationRow, str]:
    """An officer-only change that must carry a written reason."""
    row, actor = get(db, who, app_id)
    if actor != Actor.officer:
        raise DomainError(code="forbidden", ko=f"기관 담당자만 {what_ko}할 수 있습니다.",
                          en=f"Only the agency's officers can {what_en}.")
    if not reason.strip():
        raise DomainError(code="reason_required", field="reason", ko=f"{noun_ko} 사유를 적어 주세요.",
                          en=f"Give the reason to {what_en}.")
    return row, reason.strip()


def override(db: Session, who: Principal, app_id: int, reason: str, expected_version: int | None) -> ApplicationRow:
    row, reason = _officer_decision(db, who, app_id, reason, "자격 판정을 재정의", "재정의", "override eligibility")
    _check_version(row, expected_version)
    row.override = {"by": who.user_id, "at": utcnow().isoformat(), "reason": reason.strip(),
                    "eligibility_was": (row.eligibility or {}).get("status")}
    _event(db, row, who, "override", row.state, reason.strip())
    _audit(db, who, "override", row, reason=reason.strip())
    db.flush()
    return row


def extend_deadline(db: Session, who: Principal, app_id: int, until: datetime, reason: str) -> ApplicationRow:
    until = moment(until, "until")
    row, reason = _officer_decision(db, who, app_id, reason, "기한을 연장", "연장", "extend a deadline")
    old = row.deadline_at
    floor = max(utcnow(), old) if old is not None else utcnow()
    if until <= floor:
        shown = floor.astimezone(KST)
        raise DomainError(code="deadline_not_later", field="until",
                          ko=f"새 마감은 {shown:%Y-%m-%d %H:%M} KST보다 뒤여야 합니다(연장만 가능).",
                          en=f"The new deadline must be after {shown:%Y-%m-%d %H:%M} KST (deadlines are only extended).")
    row.deadline_at = until
    _event(db, row, who, "extend_deadline", row.state, reason.strip())
    _audit(db, who, "extend_deadline", row, reason=reason.strip(), old=old.isoformat() if old else None,
           new=until.isoformat())
    db.flush()
    return row


def expire_overdue(db: Session, now: datetime | None = None) -> int:
    """Drafts (and unanswered supplement requests) past their deadline expire; their slot frees."""
    now = now or utcnow()
    n = 0
    for row in db.scalars(select(ApplicationRow).where(
            ApplicationRow.state.in_([State.draft.value, State.supplement_requested.value]),
            ApplicationRow.deadline_at.is_not(None), ApplicationRow.deadline_at < now)):
        _move(db, None, row, "expire", Actor.system, None, "마감 경과 / deadline passed")
        n += 1
    db.flush()
    return n


def request_outcome_by_system(db: Session, app_id: int) -> bool:
    """An executed application whose first outcome-reporting period has ended moves to outcome
    reporting (the scheduled work of `outcomes.services.send_reminders`); True when it moved."""
    row = db.get(ApplicationRow, app_id)
    if row is None or row.state != State.executed.value:
        return False
    _move(db, None, row, "request_outcome", Actor.system, None, "성과 보고 기간 도래 / outcome report due")
    return True


def open_document(db: Session, who: Principal, store: DocumentStore, app_id: int, doc_id: int) -> tuple[DocumentRow, bytes]:
    """A document's bytes, checked against the hash taken at upload; an officer's download is
    a view of the firm's data and is recorded."""
    row, actor = get(db, who, app_id)
    doc = db.get(DocumentRow, doc_id)
    if doc is None or doc.application_id != app_id:
        raise DOCUMENT_NOT_FOUND
    data = store.get(doc.sha256)
    if actor in (Actor.officer, Actor.evaluator):
        audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action="firm.view_document",
                     subject=f"firm:{row.firm_id}", data={"application": row.id, "document": doc.id, "kind": doc.kind})
    return doc, data


def view_for_review(db: Session, who: Principal, app_id: int) -> ApplicationRow:
    """An officer opening a firm's application sees personal and financial data: recorded."""
    row, actor = get(db, who, app_id)
    if actor in (Actor.officer, Actor.evaluator):
        audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action="firm.view_data",
                     subject=f"firm:{row.firm_id}", data={"application": row.id})
    return row


# --- the e-agreement ------------------------------------------------------------------------

def _prepare_agreement(db: Session, row: ApplicationRow) -> AgreementRow:
    from onestop.catalog.services import current_spec

    found = current_spec(db, row.program_id)
    assert found is not None
    spec = found[1].spec
    firm = db.get(FirmRow, row.firm_id)
    assert firm is not None
    limits = spec.get("limits") or {}
    terms = {
        "application": row.id,
        "program_id": row.program_id,
        "program": spec["name"],
        "firm": {"brn": firm.brn, "name": firm.name},
        "support_type": spec["support_type"],
        "amount": limits.get("amount"),
        "interest": limits.get("interest"),
        "term_years": limits.get("term_years"),
        "grace_years": limits.get("grace_years"),
        "service_scope": spec["summary"],
        "agency": _agency_name(db, row.agency_id),
        "prepared_on": utcnow().astimezone(KST).date().isoformat(),
    }
    document = render_agreement(terms)
    agreement = AgreementRow(application_id=row.id, terms=terms, document=document,
                             document_sha256=hashlib.sha256(document.encode()).hexdigest())
    db.add(agreement)
    db.flush()
    _notify_firm(db, row, "agreement_ready", f"신청 #{row.id}의 전자약정서가 준비되었습니다.",
                 f"The e-agreement for application #{row.id} is ready to sign.")
    return agreement


def _agency_name(db: Session, agency_id: str) -> str:
    from onestop.catalog.tables import AgencyRow

    agency = db.get(AgencyRow, agency_id)
    return f"{agency.name_ko} / {agency.name_en}" if agency is not None else agency_id


def render_agreement(terms: dict[str, Any]) -> str:
    """The agreement as an HTML document; its SHA-256 is what the firm consents to."""
    e = html.escape
    kind_ko, kind_en = SUPPORT_NAMES.get(terms["support_type"], (terms["support_type"], terms["support_type"]))
    rows = [("사업 / Program", f"{terms['program']['ko']} / {terms['program']['en']}"),
            ("기관 / Agency", terms.get("agency", "")),
            ("기업 / Firm", f"{terms['firm']['name']} ({terms['firm']['brn']})"),
            ("지원 유형 / Type", f"{kind_ko} / {kind_en}")]
    if terms.get("amount"):
        rows.append(("한도 / Amount", f"{format_won(int(terms['amount']))} (KRW {int(terms['amount']):,})"))
    interest = terms.get("interest") or {}
    if interest.get("kind") == "fixed":
        rows.append(("금리 / Interest", f"{interest['rate_pct']}%"))
    elif interest.get("kind") == "base_plus_spread":
        rows.append(("금리 / Interest", f"정책자금 기준금리 {float(interest['spread_pct']):+g}%p / policy base rate "
                                         f"{float(interest['spread_pct']):+g} pp"))
    if terms.get("term_years"):
        years, grace = f"{float(terms['term_years']):g}", f"{float(terms.get('grace_years') or 0):g}"
        rows.append(("기간 / Term", f"{years}년 (거치 {grace}년 포함) / {years} years (incl. {grace} grace)"))
    rows.append(("범위 / Scope", f"{terms['service_scope']['ko']} / {terms['service_scope']['en']}"))
    if terms.get("prepared_on"):
        rows.append(("작성일 / Prepared", terms["prepared_on"]))
    body = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in rows)
    return (f"<article class=\"agreement\"><h2>전자약정서 · E-agreement (신청 #{terms['application']})</h2>"
            f"<table>{body}</table><p>본 약정의 조건에 동의합니다. / I agree to the terms of this agreement.</p>"
            "</article>")


def agreement_of(db: Session, app_id: int) -> AgreementRow | None:
    return db.scalar(select(AgreementRow).where(AgreementRow.application_id == app_id))


def sign(db: Session, who: Principal, app_id: int, document_sha256: str, client: Client,
         expected_version: int | None) -> AgreementRow:
    row, actor = get(db, who, app_id)
    if actor != Actor.firm or who.firms.get(row.firm_id) != FirmRole.owner:
        raise DomainError(code="forbidden", ko="기업 대표(소유자)만 전자약정에 서명할 수 있습니다.",
                          en="Only the firm's owner (authorised person) can sign the agreement.")
    who.require_confirmed("전자약정 서명", "sign the e-agreement")
    agreement = agreement_of(db, app_id)
    if agreement is None or agreement.signed_at is not None:
        raise DomainError(code="agreement_state", ko="서명할 약정서가 없거나 이미 서명되었습니다.",
                          en="There is no agreement to sign, or it is already signed.")
    if document_sha256 != agreement.document_sha256:
        raise DomainError(code="agreement_changed", field="document_sha256",
                          ko="보고 계신 약정서가 최신본과 다릅니다. 새로 고친 뒤 다시 확인하고 서명하세요.",
                          en="The agreement you saw is not the current one; reload, read it and sign again.")
    agreement.signed_by = who.user_id
    agreement.signed_at = utcnow()
    agreement.signer_ip = client.ip[:64]
    agreement.signer_agent = client.agent[:300]
    _move(db, who, row, "sign", actor, expected_version, document_sha256=agreement.document_sha256,
          ip=client.ip, agent=client.agent[:300])
    return agreement


# --- lists ----------------------------------------------------------------------------------

def for_firm_member(db: Session, who: Principal) -> list[ApplicationRow]:
    if not who.firms:
        return []
    return list(db.scalars(select(ApplicationRow).where(ApplicationRow.firm_id.in_(list(who.firms)))
                           .order_by(ApplicationRow.id.desc())))


@dataclass
class QueueFilter:
    program_id: str | None = None
    state: str | None = None
    branch: str | None = None
    older_than_days: int | None = None


#: What a list of applications shows (`api.summary`, the officers' queue page).
SUMMARY_COLUMNS = (ApplicationRow.id, ApplicationRow.firm_id, ApplicationRow.program_id, ApplicationRow.agency_id,
                   ApplicationRow.branch, ApplicationRow.state, ApplicationRow.version, ApplicationRow.submitted_at,
                   ApplicationRow.deadline_at, ApplicationRow.created_at)


def queue(db: Session, who: Principal, f: QueueFilter) -> list[ApplicationRow]:
    if who.role not in (Role.officer, Role.admin, Role.evaluator):
        raise DomainError(code="forbidden", ko="기관 담당자 전용입니다.", en="For agency officers.")
    # The queue shows a summary: its JSON columns (the eligibility check, answers, override) are
    # left unloaded — decoding them for up to 500 rows was a fifth of a busy worker's CPU
    # (BENCHMARKS.md, issue 14 §6); reading one of them on a row loads it then.
    q = select(ApplicationRow).options(load_only(*SUMMARY_COLUMNS)).where(
        ApplicationRow.state != State.draft.value, ApplicationRow.submitted_at.is_not(None))
    if who.role == Role.officer:
        q = q.where(ApplicationRow.agency_id == who.agency_id)
    if who.role == Role.evaluator:  # only what they are assigned to, in evaluation (see `actor_of`)
        from onestop.evaluation.committee_services import assigned_ids

        q = q.where(ApplicationRow.state == State.evaluation.value, ApplicationRow.id.in_(assigned_ids(who.user_id)))
    if f.program_id:
        q = q.where(ApplicationRow.program_id == f.program_id)
    if f.state:
        q = q.where(ApplicationRow.state == f.state)
    if f.branch:
        q = q.where(ApplicationRow.branch == f.branch)
    if f.older_than_days is not None:
        q = q.where(ApplicationRow.submitted_at <= utcnow() - timedelta(days=f.older_than_days))
    return list(db.scalars(q.order_by(ApplicationRow.submitted_at).limit(500)))


def timeline(db: Session, app_id: int) -> list[ApplicationEventRow]:
    return list(db.scalars(select(ApplicationEventRow).where(ApplicationEventRow.application_id == app_id)
                           .order_by(ApplicationEventRow.id)))


def executions(db: Session) -> list[tuple[int, int, str, str, datetime]]:
    """Every executed application, once: (id, firm, program, agency, when its `execute` event
    happened); for features that keep their own record of executions (outcomes' summary)."""
    e, a = ApplicationEventRow, ApplicationRow
    rows = db.execute(select(a.id, a.firm_id, a.program_id, a.agency_id, func.min(e.at))
                      .join(e, e.application_id == a.id).where(e.action == "execute")
                      .group_by(a.id, a.firm_id, a.program_id, a.agency_id).order_by(a.id)).all()
    return [(int(i), int(f), str(p), str(g), at) for i, f, p, g, at in rows]


def supplements(db: Session, app_id: int) -> list[SupplementRow]:
    return list(db.scalars(select(SupplementRow).where(SupplementRow.application_id == app_id)
                           .order_by(SupplementRow.id)))


# --- consultations --------------------------------------------------------------------------

def agency_names(engine: Engine) -> dict[str, tuple[str, str]]:
    return {a.id: (a.name.ko, a.name.en) for a in engine.catalog.agencies.values()}


def book(db: Session, who: Principal, firm_id: int, branch: branches.Branch, starts_at: datetime, topic: str,
         mode: str = "video") -> BookingRow:
    starts_at = moment(starts_at, "starts_at")
    firms.get(db, who, firm_id)
    if firm_id not in who.firms:
        raise firms.NOT_FOUND
    local = starts_at.astimezone(KST)
    last = consultations.last_bookable_day(utcnow().astimezone(KST).date())
    if local.date() > last:
        raise DomainError(code="beyond_horizon", field="starts_at",
                          ko=f"상담은 {last.isoformat()}까지 예약할 수 있습니다(오늘부터 {consultations.HORIZON_DAYS}일). "
                             f"{josa(local.date().isoformat(), '은')} 아직 예약을 받지 않습니다.",
                          en=f"Consultations can be booked up to {last.isoformat()} ({consultations.HORIZON_DAYS} days "
                             f"ahead); {local.date().isoformat()} is not open for booking yet.")
    holiday = consultations.holiday_name(local.date())
    if holiday:
        raise DomainError(code="holiday", field="starts_at", ko=f"{josa(local.date(), '은')} 공휴일({holiday})입니다.",
                          en=f"{local.date()} is a public holiday ({consultations.holiday_name(local.date(), 'en')}).")
    if not consultations.is_slot(local) or starts_at <= utcnow():
        raise DomainError(code="slot_invalid", field="starts_at",
                          ko="상담은 앞으로의 평일(공휴일 제외) 09:00~17:30, 30분 단위로 예약할 수 있습니다.",
                          en="Consultations are booked on future business days (no public holidays), "
                             "09:00–17:30 KST, in 30-minute slots.")
    if branch.online and mode == "visit":
        raise DomainError(code="mode_invalid", field="mode", ko="비대면 상담창구는 방문 상담을 받지 않습니다(화상·전화만).",
                          en="An online desk takes video or phone consultations, not visits.")
    row = BookingRow(branch=branch.id, starts_at=starts_at, firm_id=firm_id, booked_by=who.user_id,
                     topic=topic.strip()[:300] or "상담", mode=mode if mode in ("video", "visit", "phone") else "video")
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        raise DomainError(code="conflict", field="starts_at",
                          ko=f"{local:%Y-%m-%d %H:%M} 상담은 이미 예약되었습니다. 다른 시간을 고르세요.",
                          en=f"The {local:%Y-%m-%d %H:%M} slot is already booked; choose another.") from None
    audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action="consultation.book",
                 subject=f"firm:{firm_id}", data={"branch": branch.id, "starts_at": starts_at.isoformat()})
    return row


def bookings(db: Session, who: Principal, branch_ids: list[str] | None = None) -> list[BookingRow]:
    """Upcoming bookings: a firm member's own firms', or an officer's agency branches'."""
    q = select(BookingRow).where(BookingRow.starts_at >= utcnow() - timedelta(hours=1))
    if who.role in (Role.officer, Role.admin) and branch_ids is not None:
        q = q.where(BookingRow.branch.in_(branch_ids))
    elif who.firms:
        q = q.where(BookingRow.firm_id.in_(list(who.firms)))
    else:
        return []
    return list(db.scalars(q.order_by(BookingRow.starts_at).limit(200)))


def free_slots(db: Session, branch: str, day: date) -> list[datetime]:
    taken = {r.astimezone(KST) for r in db.scalars(
        select(BookingRow.starts_at).where(BookingRow.branch == branch))}
    now = utcnow()
    if day > consultations.last_bookable_day(now.astimezone(KST).date()):
        return []
    return [s for s in consultations.slots(day) if s not in taken and s > now]


def open_thread(db: Session, who: Principal, firm_id: int, agency_id: str, subject: str, body: str) -> ThreadRow:
    firms.get(db, who, firm_id)
    if firm_id not in who.firms:
        raise firms.NOT_FOUND
    if not subject.strip() or not body.strip():
        raise DomainError(code="message_empty", field="body", ko="제목과 내용을 적어 주세요.",
                          en="Write a subject and a message.")
    thread = ThreadRow(firm_id=firm_id, agency_id=agency_id, subject=subject.strip()[:200])
    db.add(thread)
    db.flush()
    db.add(MessageRow(thread_id=thread.id, author_user_id=who.user_id, body=body.strip()))
    _notify_other_side(db, who, thread)
    return thread


def check_agency(agency_id: str, agencies: dict[str, tuple[str, str]]) -> str:
    if agency_id not in agencies:
        raise DomainError(code="agency_unknown", field="agency_id",
                          ko=f"기관 {josa(repr(agency_id), '를')} 찾을 수 없습니다. 가능한 기관: {', '.join(agencies)}",
                          en=f"Unknown agency {agency_id!r}; known: {', '.join(agencies)}.")
    return agency_id


def thread_access(db: Session, who: Principal, thread_id: int) -> ThreadRow:
    thread = db.get(ThreadRow, thread_id)
    if thread is None:
        raise THREAD_NOT_FOUND
    officer = who.role == Role.admin or (who.role == Role.officer and who.agency_id == thread.agency_id)
    if thread.firm_id not in who.firms and not officer:
        raise THREAD_NOT_FOUND
    return thread


def post(db: Session, who: Principal, thread_id: int, body: str) -> MessageRow:
    thread = thread_access(db, who, thread_id)
    if not body.strip():
        raise DomainError(code="message_empty", field="body", ko="내용을 적어 주세요.", en="Write a message.")
    msg = MessageRow(thread_id=thread.id, author_user_id=who.user_id, body=body.strip())
    db.add(msg)
    db.flush()
    _notify_other_side(db, who, thread)
    return msg


def _notify_other_side(db: Session, who: Principal, thread: ThreadRow) -> None:
    """An answer is only useful if the other side learns of it: officers' replies reach the
    firm's members, firms' messages reach the agency's officers."""
    from onestop.accounts.tables import UserRow

    if thread.firm_id in who.firms:
        users = list(db.scalars(select(UserRow.id).where(UserRow.role == Role.officer.value,
                                                         UserRow.agency_id == thread.agency_id)))
        ko, en = f"상담 '{thread.subject}'에 기업의 새 글이 있습니다.", f"New message from the firm in '{thread.subject}'."
    else:
        users = _members(db, thread.firm_id)
        ko, en = f"상담 '{thread.subject}'에 담당자 답변이 있습니다.", f"An officer answered '{thread.subject}'."
    _notify(db, users, "consultation", ko, en, f"/consultations/threads/{thread.id}", {"thread": thread.id})


def threads(db: Session, who: Principal) -> list[ThreadRow]:
    """Written consultations: a firm member's own firms', or all of an officer's agency."""
    q = select(ThreadRow)
    if who.role == Role.officer:
        q = q.where(ThreadRow.agency_id == who.agency_id)
    elif who.role != Role.admin:
        if not who.firms:
            return []
        q = q.where(ThreadRow.firm_id.in_(list(who.firms)))
    return list(db.scalars(q.order_by(ThreadRow.id.desc()).limit(200)))


def messages(db: Session, thread_id: int) -> list[MessageRow]:
    return list(db.scalars(select(MessageRow).where(MessageRow.thread_id == thread_id).order_by(MessageRow.id)))
