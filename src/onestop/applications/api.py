"""Application endpoints: drafts (idempotent), documents, submission, review actions,
overrides, deadlines, the e-agreement, consultations and the audit check."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from onestop.accounts.model import Principal, Role
from onestop.applications import branches, services
from onestop.applications.documents import MAX_BYTES, download_headers
from onestop.applications.lifecycle import STATE_NAMES, State
from onestop.applications.tables import ApplicationRow, DocumentRow
from onestop.audit.model import parse_witness
from onestop.audit.services import verdict_json, verify_chain
from onestop.errors import DomainError
from onestop.platform.openapi import PROBLEM_RESPONSES
from onestop.platform.web import (
    DB,
    MAX_ID,
    CurrentActor,
    IdField,
    PathId,
    UnitOfWorkRoute,
    client_ip,
    json_response,
    records_views,
)

router = APIRouter(prefix="/api/v1", tags=["applications"], responses=PROBLEM_RESPONSES, route_class=UnitOfWorkRoute)


class CreateIn(BaseModel):
    firm_id: int = IdField
    program_id: str = Field(max_length=80)


class VersionIn(BaseModel):
    version: int | None = Field(default=None, ge=0, le=MAX_ID, description="the version you saw; a stale one is refused (409)")


class ActionIn(VersionIn):
    action: str = Field(max_length=40)
    note: str = Field(default="", max_length=2000)
    supplements: dict[str, str] | None = Field(default=None, description="document kind → reason")
    confirm: bool = Field(default=False, description="required to withdraw an approved application (owner only): "
                                                     "it gives up the award")


class OverrideIn(VersionIn):
    reason: str = Field(max_length=2000)


class DeadlineIn(BaseModel):
    until: dt.datetime
    reason: str = Field(max_length=2000)


class SignIn(VersionIn):
    document_sha256: str = Field(min_length=64, max_length=64)


class BookingIn(BaseModel):
    firm_id: int = IdField
    branch: str = Field(max_length=60)
    starts_at: dt.datetime
    topic: str = Field(default="", max_length=300)
    mode: str = Field(default="video", pattern="^(video|visit|phone)$")


class ThreadIn(BaseModel):
    firm_id: int = IdField
    agency_id: str = Field(max_length=60)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=5000)


class MessageIn(BaseModel):
    body: str = Field(max_length=5000)


def _doc(d: DocumentRow) -> dict[str, Any]:
    return {"id": d.id, "kind": d.kind, "version": d.version, "filename": d.filename, "content_type": d.content_type,
            "size": d.size, "sha256": d.sha256, "uploaded_at": d.uploaded_at.isoformat()}


def summary(row: ApplicationRow) -> dict[str, Any]:
    ko, en = STATE_NAMES[State(row.state)]
    return {"id": row.id, "firm_id": row.firm_id, "program_id": row.program_id, "state": row.state,
            "state_ko": ko, "state_en": en, "version": row.version, "branch": row.branch,
            "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
            "deadline_at": row.deadline_at.isoformat() if row.deadline_at else None}


def detail(db: DB, row: ApplicationRow, who: Principal) -> dict[str, Any]:
    agreement = services.agreement_of(db, row.id)
    return {
        **summary(row),
        "eligibility": row.eligibility,
        "override": row.override,
        "decision_reason": row.decision_reason,
        "documents": [_doc(d) for d in services.documents(db, row.id)],
        "supplements": [{"kind": s.kind, "reason": s.reason, "answered_version": s.answered_version}
                        for s in services.supplements(db, row.id)],
        "timeline": [{"at": e.at.isoformat(), "action": e.action, "from": e.from_state, "to": e.to_state,
                      "note": e.note} for e in services.timeline(db, row.id)],
        "agreement": None if agreement is None else {
            "sha256": agreement.document_sha256, "signed_at": agreement.signed_at.isoformat()
            if agreement.signed_at else None},
        "actions": services.actions_for(who, row),
    }


@router.post("/applications", status_code=201, response_model=dict[str, Any],
             summary="Start an application (idempotent with the Idempotency-Key header)")
def create(body: CreateIn, request: Request, who: CurrentActor, db: DB,
           idempotency_key: Annotated[str | None, Header(max_length=100)] = None) -> Any:
    p = who.require()
    _, engine = request.app.state.app.engine(db)
    row, created = services.create(db, p, engine, body.firm_id, body.program_id, idempotency_key)
    return json_response(summary(row), status_code=201 if created else 200)


@router.get("/applications", response_model=list[dict[str, Any]], summary="My firms' applications")
def mine(who: CurrentActor, db: DB) -> Response:
    return json_response([summary(r) for r in services.for_firm_member(db, who.require())])


@router.get("/applications/queue", response_model=list[dict[str, Any]], summary="Officers' queue")
def queue(who: CurrentActor, db: DB, program_id: str | None = None, state: State | None = None,
          branch: Annotated[str | None, Query(max_length=2)] = None,
          older_than_days: Annotated[int | None, Query(ge=0, le=3650)] = None) -> Response:
    f = services.QueueFilter(program_id, state.value if state else None, branch, older_than_days)
    return json_response([summary(r) for r in services.queue(db, who.require(), f)])


@router.get("/applications/{app_id}", response_model=dict[str, Any], summary="One application, with its history")
@records_views
def get_one(app_id: PathId, who: CurrentActor, db: DB) -> Response:
    p = who.require()
    row = services.view_for_review(db, p, app_id)
    return json_response(detail(db, row, p))


@router.post("/applications/{app_id}/documents", status_code=201, response_model=dict[str, Any],
             summary="Upload a document (PDF, PNG, JPEG, HWP, HWPX, XLSX; checked by content)")
def upload(app_id: PathId, request: Request, who: CurrentActor, db: DB, kind: Annotated[str, Form(max_length=60)],
                 file: Annotated[UploadFile, File()]) -> Response:
    p = who.require()
    data = file.file.read(MAX_BYTES + 1)  # enough to refuse an oversized file without reading it all
    state = request.app.state.app
    _, engine = state.engine(db)
    doc = services.upload(db, p, state.store, engine, app_id, kind, file.filename or kind, data)
    return json_response(_doc(doc), status_code=201)


@router.get("/applications/{app_id}/documents/{doc_id}", summary="Download a document (officers' downloads are audited)",
            responses={200: {"content": {"application/octet-stream": {}}}})
@records_views
def download(app_id: PathId, doc_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    doc, data = services.open_document(db, who.require(), request.app.state.app.store, app_id, doc_id)
    return Response(data, media_type=doc.content_type, headers=download_headers(doc.filename, doc.sha256))


@router.post("/applications/{app_id}/submit", response_model=dict[str, Any], summary="Submit (eligibility re-checked)")
def submit(app_id: PathId, body: VersionIn, request: Request, who: CurrentActor, db: DB) -> Response:
    p = who.require()
    rev, engine = request.app.state.app.engine(db)
    row = services.submit(db, p, engine, rev, app_id, body.version)
    return json_response(detail(db, row, p))


@router.post("/applications/{app_id}/actions", response_model=dict[str, Any], summary="Move the application on")
def act(app_id: PathId, body: ActionIn, who: CurrentActor, db: DB) -> Response:
    p = who.require()
    row = services.act(db, p, app_id, body.action, body.version, body.note, body.supplements, body.confirm)
    return json_response(detail(db, row, p))


@router.post("/applications/{app_id}/override", response_model=dict[str, Any],
             summary="Officer: override the eligibility result, with a reason (recorded)")
def override(app_id: PathId, body: OverrideIn, who: CurrentActor, db: DB) -> Response:
    p = who.require()
    row = services.override(db, p, app_id, body.reason, body.version)
    return json_response(detail(db, row, p))


@router.post("/applications/{app_id}/deadline", response_model=dict[str, Any],
             summary="Officer: extend the deadline, with a reason")
def extend(app_id: PathId, body: DeadlineIn, who: CurrentActor, db: DB) -> Response:
    p = who.require()
    if body.until.tzinfo is None:
        raise DomainError(code="timezone", field="until", ko="시간대를 포함해 주세요(예: 2026-12-31T18:00:00+09:00).",
                          en="Include the time zone (e.g. 2026-12-31T18:00:00+09:00).")
    row = services.extend_deadline(db, p, app_id, body.until, body.reason)
    return json_response(detail(db, row, p))


@router.get("/applications/{app_id}/agreement", response_model=dict[str, Any], summary="The e-agreement document")
def agreement(app_id: PathId, who: CurrentActor, db: DB) -> dict[str, Any]:
    services.get(db, who.require(), app_id)
    a = services.agreement_of(db, app_id)
    if a is None:
        raise services.AGREEMENT_NOT_FOUND
    return {"document": a.document, "sha256": a.document_sha256, "terms": a.terms,
            "signed_at": a.signed_at.isoformat() if a.signed_at else None, "signer_ip": a.signer_ip}


@router.post("/applications/{app_id}/agreement/sign", response_model=dict[str, Any],
             summary="The firm's owner signs the e-agreement")
def sign(app_id: PathId, body: SignIn, request: Request, who: CurrentActor, db: DB) -> dict[str, Any]:
    p = who.require()
    client = services.Client(client_ip(request), request.headers.get("user-agent", ""))
    a = services.sign(db, p, app_id, body.document_sha256, client, body.version)
    return {"sha256": a.document_sha256, "signed_at": a.signed_at.isoformat() if a.signed_at else None}


@router.get("/consultations/slots", response_model=list[str], summary="Free consultation slots of a branch on a day")
def slots(branch: Annotated[str, Query(max_length=60)], date: dt.date, request: Request, db: DB) -> list[str]:
    _, engine = request.app.state.app.engine(db)
    found = branches.find(branch, services.agency_names(engine))
    return [s.isoformat() for s in services.free_slots(db, found.id, date)]


@router.get("/consultations/branches", response_model=list[dict[str, Any]], summary="Branches that take bookings")
def list_branches(request: Request, db: DB, agency: Annotated[str | None, Query(max_length=60)] = None) -> Any:
    _, engine = request.app.state.app.engine(db)
    return [{"id": b.id, "agency": b.agency, "name_ko": b.name_ko, "name_en": b.name_en, "sido": b.sido,
             "online": b.online} for b in branches.all_branches(services.agency_names(engine))
            if agency is None or b.agency == agency]


@router.post("/consultations/bookings", status_code=201, response_model=dict[str, Any], summary="Book a slot")
def book(body: BookingIn, request: Request, who: CurrentActor, db: DB) -> dict[str, Any]:
    if body.starts_at.tzinfo is None:
        raise DomainError(code="timezone", field="starts_at", ko="시간대를 포함해 주세요(예: +09:00).",
                          en="Include the time zone (e.g. +09:00).")
    p = who.require()
    _, engine = request.app.state.app.engine(db)
    found = branches.find(body.branch, services.agency_names(engine))
    row = services.book(db, p, body.firm_id, found, body.starts_at, body.topic, body.mode)
    return {"id": row.id, "branch": row.branch, "starts_at": row.starts_at.isoformat(), "mode": row.mode}


@router.post("/consultations/threads", status_code=201, response_model=dict[str, Any],
             summary="Open a written consultation")
def open_thread(body: ThreadIn, request: Request, who: CurrentActor, db: DB) -> dict[str, Any]:
    p = who.require()
    _, engine = request.app.state.app.engine(db)
    agency = services.check_agency(body.agency_id, services.agency_names(engine))
    t = services.open_thread(db, p, body.firm_id, agency, body.subject, body.body)
    return {"id": t.id, "subject": t.subject}


@router.get("/consultations/threads/{thread_id}", response_model=dict[str, Any], summary="A consultation's history")
def thread(thread_id: PathId, who: CurrentActor, db: DB) -> dict[str, Any]:
    t = services.thread_access(db, who.require(), thread_id)
    msgs = services.messages(db, t.id)
    return {"id": t.id, "subject": t.subject, "agency_id": t.agency_id,
            "messages": [{"author": m.author_user_id, "body": m.body, "at": m.at.isoformat()} for m in msgs]}


@router.post("/consultations/threads/{thread_id}/messages", status_code=201, response_model=dict[str, Any],
             summary="Reply in a consultation")
def reply(thread_id: PathId, body: MessageIn, who: CurrentActor, db: DB) -> dict[str, Any]:
    m = services.post(db, who.require(), thread_id, body.body)
    return {"id": m.id}


@router.get("/audit/verify", response_model=dict[str, Any], summary="Admin: verify the audit log (every chain and the anchors)")
def audit_verify(who: CurrentActor, db: DB,
                 expect_anchor: Annotated[list[str] | None, Query(max_length=140, description=(
                     "NUMBER:HASH of an anchor noted down earlier (repeatable): it must still be there"))] = None,
                 ) -> dict[str, Any]:
    if who.require().role != Role.admin:
        raise DomainError(code="forbidden", ko="관리자만 확인할 수 있습니다.", en="Administrators only.")
    return verdict_json(verify_chain(db, [parse_witness(x) for x in expect_anchor or []]))
