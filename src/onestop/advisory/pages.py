"""Advisory pages. Firms: describe a need once, see where it went and why, close it, rate the
help. Experts: the needs routed to them, take (with a first answer) or decline (with a reason).
Officers: open needs by age and statistics per expert and institution."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from onestop.accounts.model import Role
from onestop.advisory import engagements, services
from onestop.advisory.model import AGE_BANDS, CLOSURE_NAMES, EXCLUSIONS, SIZE_NAMES, SUBJECT_NAMES
from onestop.errors import DomainError
from onestop.korea.regions import name_en, sido_list
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, CurrentActor, PathId, PostedForm, UnitOfWorkRoute, client_ip

router = APIRouter(route_class=UnitOfWorkRoute)

NEED_STATES = {"open": ("답변 대기", "Waiting for an expert"), "taken": ("진행 중", "In progress"),
               "unrouted": ("담당 전문가 찾는 중", "Looking for an expert"), "closed": ("종료", "Closed")}
ROUTE_STATES = {"pending": ("검토 중", "Considering"), "taken": ("수락", "Taken"), "declined": ("거절", "Declined"),
                "withdrawn": ("요청 종료로 철회", "Withdrawn (request closed)")}


def _not_found(request: Request, who: CurrentActor) -> Response:
    return error_page(request, who, DomainError(code="not_found", ko="페이지를 찾을 수 없습니다.", en="Page not found."))


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _mine_page(request: Request, who: CurrentActor, db: Session, errors: list[dict[str, str]] | None = None,
               form: dict[str, str] | None = None, status: int = 200) -> Response:
    assert who.principal is not None
    return render(request, who, "advisory/needs.html", status_code=status, needs=services.needs_of_firms(db, who.principal),
                  firms=services.firm_choices(db, who.principal), subjects=SUBJECT_NAMES, states=NEED_STATES, form=form or {},
                  errors=errors or [], unread=unread(db, who))


@router.get("/advisory")
def my_needs(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if who.principal.role == Role.expert:
        return see_other("/expert/needs")
    if who.principal.is_officer:
        return see_other("/officer/advisory")
    return _mine_page(request, who, db)


@router.post("/advisory")
def submit_need(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    raw = {k: _field(form, k) for k in ("firm_id", "subject", "title", "body")}
    firm = raw["firm_id"]
    try:
        if not firm.isdigit() or int(firm) not in who.principal.firms:
            raise DomainError(code="invalid", field="firm_id", ko="자문을 요청할 기업을 고르세요.",
                              en="Choose the firm asking for advice.")
        with db.begin_nested():
            need = services.submit_need(db, who.principal, int(firm), raw["subject"], raw["title"], raw["body"])
    except DomainError as e:
        return _mine_page(request, who, db, errors=problems_of(e), form=raw, status=422)
    return see_other(f"/advisory/needs/{need.id}", "flash.action_done")


def _need_page(request: Request, who: CurrentActor, db: Session, need_id: int,
               errors: list[dict[str, str]] | None = None, form: dict[str, str] | None = None,
               status: int = 200) -> Response:
    assert who.principal is not None
    try:
        need = services.get_need(db, who.principal, need_id)
    except DomainError:
        return _not_found(request, who)
    routes = services.routes(db, need.id)
    me = services.expert_of(db, who.principal)
    mine = next((r for r, e in routes if me is not None and e.id == me.id), None)
    engagement, sessions = engagements.of_need(db, need.id)
    return render(request, who, "advisory/need.html", status_code=status, need=need, routes=routes, mine=mine,
                  engagement=engagement, sessions=sessions, kinds=engagements.KINDS,
                  subjects=SUBJECT_NAMES, states=NEED_STATES, route_states=ROUTE_STATES, closures=CLOSURE_NAMES,
                  exclusions=EXCLUSIONS, firm=who.principal.role == Role.firm_member, form=form or {},
                  errors=errors or [], unread=unread(db, who))


@router.get("/advisory/needs/{need_id}")
def need_page(need_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return _need_page(request, who, db, need_id)


def _act(request: Request, who: CurrentActor, db: Session, need_id: int, form: dict[str, str], action: Any) -> Response:
    assert who.principal is not None
    try:
        with db.begin_nested():
            action()
    except DomainError as e:
        if e.code == "not_found":
            return _not_found(request, who)
        return _need_page(request, who, db, need_id, errors=problems_of(e), form=form, status=422)
    return see_other(f"/advisory/needs/{need_id}", "flash.action_done")


@router.post("/advisory/needs/{need_id}/take")
def take(need_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    p, raw = who.principal, {"answer": _field(form, "answer")}
    return _act(request, who, db, need_id, raw, lambda: services.take(db, p, need_id, raw["answer"]))


@router.post("/advisory/needs/{need_id}/decline")
def decline(need_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    p, raw = who.principal, {"reason": _field(form, "reason")}
    return _act(request, who, db, need_id, raw, lambda: services.decline(db, p, need_id, raw["reason"]))


@router.post("/advisory/needs/{need_id}/close")
def close(need_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    p, raw = who.principal, {"closure": _field(form, "closure")}
    return _act(request, who, db, need_id, raw, lambda: services.close(db, p, need_id, raw["closure"]))


@router.post("/advisory/needs/{need_id}/survey")
def survey(need_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    p, raw = who.principal, {"satisfaction": _field(form, "satisfaction"), "comment": _field(form, "comment")}
    return _act(request, who, db, need_id, raw,
                lambda: services.survey(db, p, need_id, raw["satisfaction"], raw["comment"]))


@router.post("/advisory/needs/{need_id}/engagement")
def start_engagement(need_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    p, raw = who.principal, {"kind": _field(form, "kind"), "planned_sessions": _field(form, "planned_sessions")}
    return _act(request, who, db, need_id, raw,
                lambda: engagements.start(db, p, need_id, raw["kind"], raw["planned_sessions"]))


@router.post("/advisory/needs/{need_id}/engagement/sessions")
def add_session(need_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    p, raw = who.principal, {"held_on": _field(form, "held_on"), "report": _field(form, "report")}
    return _act(request, who, db, need_id, raw,
                lambda: engagements.add_session(db, p, need_id, raw["held_on"], raw["report"]))


@router.post("/advisory/needs/{need_id}/engagement/end")
def end_engagement(need_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    p, raw = who.principal, {"assessment": _field(form, "assessment"), "goals_met": _field(form, "goals_met")}
    return _act(request, who, db, need_id, raw,
                lambda: engagements.end(db, p, need_id, raw["assessment"], raw["goals_met"]))


@router.get("/expert/needs")
def expert_inbox(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if who.principal.role != Role.expert:
        return _not_found(request, who)
    return render(request, who, "advisory/inbox.html", rows=services.inbox(db, who.principal),
                  profile=services.expert_of(db, who.principal), subjects=SUBJECT_NAMES, states=NEED_STATES,
                  route_states=ROUTE_STATES, unread=unread(db, who))


@router.get("/officer/advisory")
def officer_view(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return _not_found(request, who)
    opened = services.open_needs(db, who.principal)
    per_expert, per_institution, closures = services.statistics(db, who.principal)
    bands = {band: [o for o in opened if o.band == band] for band in AGE_BANDS}
    return render(request, who, "advisory/officer.html", bands=bands, band_names=AGE_BANDS, total=len(opened),
                  per_expert=per_expert, per_institution=per_institution, closures=closures,
                  closure_names=CLOSURE_NAMES, subjects=SUBJECT_NAMES, states=NEED_STATES, unread=unread(db, who))


# ── officers: the advisers and their routing profiles ──────────────────────────────────────────

EXPERT_TEXT = ("email", "name", "institution", "ksic_prefixes", "exclude_ksic_prefixes", "min_business_age",
               "max_business_age", "capacity")
EXPERT_LISTS = ("subjects", "regions", "sizes")


def _experts_page(request: Request, who: CurrentActor, db: Session, form: dict[str, Any] | None = None,
                  errors: list[dict[str, str]] | None = None, status: int = 200) -> Response:
    assert who.principal is not None
    sidos = [(r.code, r.name_ko, name_en(r.code)) for r in sido_list()]
    return render(request, who, "advisory/experts.html", status_code=status, experts=services.expert_rows(db, who.principal),
                  form=form or {"capacity": "10"}, errors=errors or [], subjects=SUBJECT_NAMES, sizes=SIZE_NAMES,
                  sidos=sidos, sido_names={c: (ko, en) for c, ko, en in sidos}, unread=unread(db, who))


def _expert_form(db: Session, expert_id: str) -> dict[str, Any] | None:
    """The form filled from a registered expert (to update the profile)."""
    if not expert_id.isdigit():
        return None
    from onestop.accounts.tables import UserRow
    from onestop.advisory.tables import ExpertRow

    row = db.get(ExpertRow, int(expert_id))
    user = db.get(UserRow, row.user_id) if row is not None else None
    if row is None or user is None:
        return None
    f = row.filters or {}
    return {"email": user.email, "name": row.name, "institution": row.institution, "subjects": list(row.subjects),
            "regions": list(row.regions), "sizes": list(f.get("sizes") or []),
            "ksic_prefixes": ", ".join(f.get("ksic_prefixes") or []),
            "exclude_ksic_prefixes": ", ".join(f.get("exclude_ksic_prefixes") or []),
            "min_business_age": "" if f.get("min_business_age") is None else str(f["min_business_age"]),
            "max_business_age": "" if f.get("max_business_age") is None else str(f["max_business_age"]),
            "capacity": str(row.capacity)}


@router.get("/officer/advisory/experts")
def experts_page(request: Request, who: CurrentActor, db: DB, expert: str = "") -> Response:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return _not_found(request, who)
    form = _expert_form(db, expert) if expert else None
    if expert and form is None:
        return _not_found(request, who)
    return _experts_page(request, who, db, form=form)


@router.post("/officer/advisory/experts")
def save_expert(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return _not_found(request, who)
    raw: dict[str, Any] = {k: _field(form, k) for k in EXPERT_TEXT}
    raw.update({k: [v for v in form.getlist(k) if isinstance(v, str)] for k in EXPERT_LISTS})
    filters = {k: raw[k] for k in ("ksic_prefixes", "exclude_ksic_prefixes", "min_business_age", "max_business_age")}
    try:
        with db.begin_nested():
            row, _ = services.enrol_expert(
                db, who.principal, request.app.state.app.settings.secret_key, client_ip(request), email=raw["email"],
                name=raw["name"], institution=raw["institution"], subjects=raw["subjects"], regions=raw["regions"],
                filters={**filters, "sizes": raw["sizes"]}, capacity=raw["capacity"])
    except DomainError as e:
        return _experts_page(request, who, db, form=raw, errors=problems_of(e), status=422)
    return see_other(f"/officer/advisory/experts#expert-{row.id}", "flash.action_done")
