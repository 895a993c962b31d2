"""Application pages. Firms: my applications, the checklist with uploads, submission, the status
timeline, supplements, the e-agreement. Officers: the queue with filters and the review screen
(documents, eligibility, history, actions). Every form posts to the same services as the API, and
a refused change re-renders the page with the reason, keeping what was already saved."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from onestop.accounts.model import Principal, Role
from onestop.applications import services
from onestop.applications.documents import MAX_BYTES
from onestop.applications.lifecycle import BY_ACTION, STATE_NAMES, State
from onestop.applications.tables import ApplicationRow, BookingRow
from onestop.errors import DomainError
from onestop.firms.tables import FirmRow
from onestop.korea import regions
from onestop.korea.dates import KST
from onestop.matching.services import Engine
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
from onestop.platform.problems import STATUS
from onestop.platform.templating import render
from onestop.platform.web import DB, MAX_ID, Actor, CurrentActor, PathId, PostedForm, UnitOfWorkRoute, client_ip, records_views
from onestop.text import identifier, is_ascii_digits

router = APIRouter(route_class=UnitOfWorkRoute)

#: Officer actions shown as buttons on the review screen, in the order of the process.
REVIEW_ACTIONS = ("start_check", "documents_ok", "approve", "waitlist", "reject", "execute", "request_outcome",
                  "close")


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def _version(form: FormData) -> int | None:
    value = _text(form, "version")
    return int(value) if value.isdigit() else None


def _status(err: DomainError) -> int:
    return STATUS.get(err.code, 422)


def _id(form: FormData, key: str) -> int:
    """A numeric id from a form; anything else is -1, which no row has (answered as not found)."""
    value = identifier(_text(form, key))
    return int(value) if is_ascii_digits(value) and int(value) <= MAX_ID else -1


def state_names() -> dict[str, tuple[str, str]]:
    return {s.value: names for s, names in STATE_NAMES.items()}


def kind_names(program: Any) -> dict[str, tuple[str, str]]:
    names = {k: (ko, en) for k, ko, en in services.required_documents(program)}
    return {"other": ("기타 첨부 서류", "Other attachment"), **names}


def _firm_names(db: Session, rows: Sequence[ApplicationRow | BookingRow]) -> dict[int, str]:
    ids = {r.firm_id for r in rows}
    return {f.id: f.name for f in (db.get(FirmRow, i) for i in ids) if f is not None}


# --- firms ----------------------------------------------------------------------------------

@router.get("/applications")
def my_applications(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    rows = services.for_firm_member(db, who.principal)
    _, engine = request.app.state.app.engine(db)
    return render(request, who, "applications/list.html", rows=rows, firms=_firm_names(db, rows),
                  names={p.id: p.spec.name for p in engine.programs}, states=state_names(), unread=unread(db, who))


@router.post("/applications/new")
def start(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    _, engine = request.app.state.app.engine(db)
    try:
        row, _ = services.create(db, who.principal, engine, _id(form, "firm_id"), _text(form, "program_id"),
                                 _text(form, "idempotency_key")[:100] or None)
    except DomainError as e:
        return error_page(request, who, e)
    return see_other(f"/applications/{row.id}")


def evaluation_context(db: Session, row: ApplicationRow, firm: bool) -> dict[str, Any]:
    """The credit model's recommendation for the page (the firm sees it once decided)."""
    from onestop.evaluation import services as evaluation

    if firm and row.state not in evaluation.DECIDED:
        return {}
    return {"evaluation": evaluation.view(db, row.id)}


def _signers(db: Session, firm_id: int) -> list[str]:
    """The names of the firm's owners: the only people who may sign its e-agreement."""
    from onestop.accounts.memberships import owners
    from onestop.accounts.tables import UserRow

    ids = owners(db, firm_id)
    return [u.name for u in db.scalars(select(UserRow).where(UserRow.id.in_(ids)).order_by(UserRow.id))] if ids else []


def _detail(request: Request, who: Actor, db: Session, engine: Engine, row: ApplicationRow,
            errors: list[dict[str, str]] | None = None, status_code: int = 200, **extra: Any) -> Response:
    assert who.principal is not None
    program = engine.catalog.get(row.program_id)
    history = services.documents(db, row.id)
    latest = services.latest_of(history)
    open_requests = {s.kind: s for s in services.supplements(db, row.id) if s.answered_version is None}
    checklist = [{"kind": k, "ko": ko, "en": en, "doc": latest.get(k), "request": open_requests.get(k)}
                 for k, ko, en in services.required_documents(program)]
    required = {c["kind"] for c in checklist}
    others = [d for k, d in latest.items() if k not in required]
    checklist.append({"kind": "other", "ko": "기타 첨부 서류", "en": "Other attachment", "doc": None,
                      "request": open_requests.get("other")})
    return render(request, who, "applications/detail.html", status_code=status_code, errors=errors or [], app=row,
                  program=program, firm=db.get(FirmRow, row.firm_id), checklist=checklist, others=others,
                  history=history, supplements=services.supplements(db, row.id),
                  timeline=services.timeline(db, row.id), agreement=services.agreement_of(db, row.id),
                  actions=services.actions_for(who.principal, row), states=state_names(),
                  by_action=BY_ACTION, can_upload=row.state in (State.draft.value, State.supplement_requested.value),
                  kind_names=kind_names(program), unread=unread(db, who), **evaluation_context(db, row, firm=True),
                  is_owner=who.principal.firms.get(row.firm_id) == "owner", signers=_signers(db, row.firm_id), **extra)


def _load(request: Request, who: Actor, db: Session, app_id: PathId) -> tuple[ApplicationRow, Engine] | Response:
    """The application for its firm's members; officers are sent to the review screen."""
    assert who.principal is not None
    try:
        row, actor = services.get(db, who.principal, app_id)
    except DomainError as e:
        return error_page(request, who, e)
    if actor.value != "firm":
        return RedirectResponse(f"/officer/applications/{app_id}", status_code=303)
    _, engine = request.app.state.app.engine(db)
    return row, engine


@router.get("/applications/{app_id}")
def application(app_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    loaded = _load(request, who, db, app_id)
    if isinstance(loaded, Response):
        return loaded
    return _detail(request, who, db, loaded[1], loaded[0])


def _firm_change(form: FormData, request: Request, who: Actor, db: Session, app_id: PathId, change: Any,
                 flash: str = "flash.action_done") -> Response:
    """Run one firm-side change; on refusal, show the page again with the reason (nothing
    already saved is lost: the failed change is rolled back alone)."""
    if who.principal is None:
        return login_redirect(request)
    loaded = _load(request, who, db, app_id)
    if isinstance(loaded, Response):
        return loaded
    row, engine = loaded
    return _attempt(db, row, lambda: change(form, row, engine), f"/applications/{app_id}",
                    lambda errors, status: _detail(request, who, db, engine, row, errors, status), flash)


def _attempt(db: Session, row: ApplicationRow, change: Callable[[], object], done: str,
             again: Callable[[list[dict[str, str]], int], Response], flash: str = "flash.action_done") -> Response:
    """The change in a savepoint: on refusal only it is rolled back (what was saved before
    stays) and the page is shown `again` with the reason; on success, a redirect to `done`."""
    try:
        with db.begin_nested():
            change()
    except DomainError as e:
        db.refresh(row)
        return again(problems_of(e), _status(e))
    return see_other(done, flash)


@router.post("/applications/{app_id}/documents")
def upload(form: PostedForm, app_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    state = request.app.state.app

    file = form.get("file")
    filename, data = ("", b"")
    if isinstance(file, UploadFile) and file.filename:
        filename, data = file.filename, file.file.read(MAX_BYTES + 1)  # enough to refuse an oversized file

    def change(form: FormData, row: ApplicationRow, engine: Engine) -> None:
        if not filename:
            raise DomainError(code="file_required", field="file", ko="올릴 파일을 골라 주세요.", en="Choose a file to upload.")
        assert who.principal is not None
        services.upload(db, who.principal, state.store, engine, row.id, _text(form, "kind"), filename, data)

    return _firm_change(form, request, who, db, app_id, change, "flash.uploaded")


@router.post("/applications/{app_id}/submit")
def submit(form: PostedForm, app_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    rev, _ = request.app.state.app.engine(db)

    def change(form: FormData, row: ApplicationRow, engine: Engine) -> None:
        assert who.principal is not None
        services.submit(db, who.principal, engine, rev, row.id, _version(form))

    return _firm_change(form, request, who, db, app_id, change, "flash.submitted")


@router.post("/applications/{app_id}/action")
def firm_action(form: PostedForm, app_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    action = _text(form, "action")
    if who.principal is not None and action == "withdraw" and form.get("confirm") is None:
        # withdrawing an approved application gives up the award: ask on a page of its own first
        loaded = _load(request, who, db, app_id)
        if isinstance(loaded, Response):
            return loaded
        row, engine = loaded
        if row.state == State.approved.value and "withdraw" in services.actions_for(who.principal, row):
            return render(request, who, "applications/withdraw.html", app=row, errors=[],
                          program=engine.catalog.get(row.program_id), unread=unread(db, who))

    def change(form: FormData, row: ApplicationRow, engine: Engine) -> None:
        assert who.principal is not None
        if action not in ("resubmit", "withdraw"):
            raise DomainError(code="unknown_action", field="action", ko="보완 제출과 신청 철회만 할 수 있습니다.",
                              en="Firms can resubmit or withdraw.")
        services.act(db, who.principal, row.id, action, _version(form), _text(form, "note"),
                     confirm=form.get("confirm") == "yes")

    return _firm_change(form, request, who, db, app_id, change)


@router.get("/applications/{app_id}/agreement")
def agreement(app_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        row, _ = services.get(db, who.principal, app_id)
        found = services.agreement_of(db, app_id)
        if found is None:
            raise services.AGREEMENT_NOT_FOUND
    except DomainError as e:
        return error_page(request, who, e)
    return render(request, who, "applications/agreement.html", app=row, agreement=found, errors=[],
                  is_owner=who.principal.firms.get(row.firm_id) == "owner", signers=_signers(db, row.firm_id),
                  unread=unread(db, who))


@router.post("/applications/{app_id}/agreement/sign")
def sign(form: PostedForm, app_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    client = services.Client(client_ip(request), request.headers.get("user-agent", ""))
    try:
        if form.get("consent") != "yes":
            raise DomainError(code="consent_required", field="consent",
                              ko="약정서 내용을 읽고 동의란에 표시해 주세요.",
                              en="Read the agreement and tick the consent box.")
        with db.begin_nested():
            services.sign(db, who.principal, app_id, _text(form, "document_sha256"), client, _version(form))
    except DomainError as e:
        try:
            row, _ = services.get(db, who.principal, app_id)
        except DomainError as missing:
            return error_page(request, who, missing)
        return render(request, who, "applications/agreement.html", status_code=_status(e), app=row,
                      agreement=services.agreement_of(db, app_id), errors=problems_of(e),
                      is_owner=who.principal.firms.get(row.firm_id) == "owner", unread=unread(db, who))
    return see_other(f"/applications/{app_id}", "flash.signed")


# --- officers -------------------------------------------------------------------------------

def _officer(who: Actor) -> Principal | None:
    p = who.principal
    return p if p is not None and p.role in (Role.officer, Role.admin, Role.evaluator) else None


@router.get("/officer/applications")
def queue(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    p = _officer(who)
    if p is None:
        return error_page(request, who, DomainError(code="forbidden", ko="기관 담당자 전용입니다.", en="For agency officers."))
    q = request.query_params
    age = q.get("age", "")
    state = q.get("state", "")
    f = services.QueueFilter(program_id=q.get("program") or None, state=state if state in state_names() else None,
                             branch=q.get("branch") or None, older_than_days=int(age) if age.isdigit() else None)
    rows = services.queue(db, p, f)
    _, engine = request.app.state.app.engine(db)
    programs = [x for x in engine.programs if p.role != Role.officer or x.spec.agency == p.agency_id]
    now = datetime.now(KST)
    return render(request, who, "applications/queue.html", rows=rows, firms=_firm_names(db, rows), filters=f,
                  programs=programs, names={x.id: x.spec.name for x in engine.programs}, states=state_names(),
                  sidos=regions.sido_list(), sido_names={r.code: r.name_ko for r in regions.sido_list()},
                  age_days={r.id: (now - r.submitted_at).days if r.submitted_at else 0 for r in rows},
                  unread=unread(db, who))


def _review(request: Request, who: Actor, db: Session, engine: Engine, row: ApplicationRow,
            errors: list[dict[str, str]] | None = None, status_code: int = 200) -> Response:
    assert who.principal is not None
    program = engine.catalog.get(row.program_id)
    docs = services.documents(db, row.id)
    latest = services.latest_of(docs)
    kinds = [(k, ko, en) for k, ko, en in services.required_documents(program)]
    # "other" is always listed: an officer may ask for a document the checklist does not name
    kinds += [(k, "기타 서류", "Other document") for k in {*latest, "other"} if k not in {x[0] for x in kinds}]
    deadline = row.deadline_at.astimezone(KST) if row.deadline_at else datetime.now(KST) + timedelta(days=7)
    return render(request, who, "applications/review.html", status_code=status_code, errors=errors or [], app=row,
                  program=program, firm=db.get(FirmRow, row.firm_id), docs=docs, latest=latest, kinds=kinds,
                  supplements=services.supplements(db, row.id), timeline=services.timeline(db, row.id),
                  agreement=services.agreement_of(db, row.id), states=state_names(), by_action=BY_ACTION,
                  actions=services.actions_for(who.principal, row), review_actions=REVIEW_ACTIONS,
                  deadline_value=(deadline + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
                  sido_names={r.code: r.name_ko for r in regions.sido_list()}, kind_names=kind_names(program),
                  unread=unread(db, who), **evaluation_context(db, row, firm=False))


@router.get("/officer/applications/{app_id}")
@records_views
def review(app_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    """Opening the review screen shows the firm's personal and financial data: audited."""
    if who.principal is None:
        return login_redirect(request)
    try:
        row = services.view_for_review(db, who.principal, app_id)
    except DomainError as e:
        return error_page(request, who, e)
    if services.actor_of(who.principal, row).value == "firm":
        return RedirectResponse(f"/applications/{app_id}", status_code=303)
    _, engine = request.app.state.app.engine(db)
    return _review(request, who, db, engine, row)


def _officer_change(form: FormData, request: Request, who: Actor, db: Session, app_id: PathId, change: Any) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        row, _ = services.get(db, who.principal, app_id)
    except DomainError as e:
        return error_page(request, who, e)
    _, engine = request.app.state.app.engine(db)
    return _attempt(db, row, lambda: change(form, row), f"/officer/applications/{app_id}",
                    lambda errors, status: _review(request, who, db, engine, row, errors, status))


@router.post("/officer/applications/{app_id}/action")
def officer_action(form: PostedForm, app_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    def change(form: FormData, row: ApplicationRow) -> None:
        assert who.principal is not None
        action = _text(form, "action")
        supplements = None
        if action == "request_supplement":
            supplements = {k.removeprefix("reason_"): v.strip() for k, v in form.items()
                           if k.startswith("reason_") and isinstance(v, str) and v.strip()}
        services.act(db, who.principal, row.id, action, _version(form), _text(form, "note"), supplements)

    return _officer_change(form, request, who, db, app_id, change)


@router.post("/officer/applications/{app_id}/override")
def officer_override(form: PostedForm, app_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    def change(form: FormData, row: ApplicationRow) -> None:
        assert who.principal is not None
        services.override(db, who.principal, row.id, _text(form, "reason"), _version(form))

    return _officer_change(form, request, who, db, app_id, change)


@router.post("/officer/applications/{app_id}/deadline")
def officer_deadline(form: PostedForm, app_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    def change(form: FormData, row: ApplicationRow) -> None:
        assert who.principal is not None
        try:
            until = datetime.fromisoformat(_text(form, "until")).replace(tzinfo=KST)
        except ValueError:
            raise DomainError(code="date_invalid", field="until", ko="새 마감 일시를 YYYY-MM-DD HH:MM 형식으로 적어 주세요.",
                              en="Give the new deadline as YYYY-MM-DD HH:MM (KST).") from None
        services.extend_deadline(db, who.principal, row.id, until, _text(form, "reason"))

    return _officer_change(form, request, who, db, app_id, change)

