"""The digital consultation window: a firm books a slot at an agency branch (business days in
KST, holidays excluded, no double booking) or writes a question; officers see their agency's
bookings and answer the threads; both sides see the whole history."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from onestop.accounts.model import Role
from onestop.accounts.tables import UserRow
from onestop.applications import branches, consultations, services
from onestop.applications.pages import _firm_names, _id, _text
from onestop.errors import DomainError
from onestop.firms import services as firms
from onestop.korea.dates import KST
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, Actor, CurrentActor, PathId, PostedForm, UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute)
MODES = {"video": ("화상", "Video"), "phone": ("전화", "Phone"), "visit": ("방문", "Visit")}


def _subject(lang: str, names: dict[str, tuple[str, str]]) -> Any:
    """The template's `subject(thread)`: a thread's subject in the page's language."""
    modes_en = dict(MODES.values())
    branches_en = {b.name_ko: b.name_en for b in branches.all_branches(names)}
    return lambda th: consultations.subject_in(th.subject, lang, modes_en, branches_en)


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else consultations.business_days_after(
            datetime.now(KST).date(), 1)
    except ValueError:
        return consultations.business_days_after(datetime.now(KST).date(), 1)


def _page(request: Request, who: Actor, db: Session, errors: list[dict[str, str]] | None = None,
          status_code: int = 200, form: dict[str, str] | None = None) -> Response:
    assert who.principal is not None
    p = who.principal
    _, engine = request.app.state.app.engine(db)
    names = services.agency_names(engine)
    q = {**request.query_params, **(form or {})}
    officer = p.role in (Role.officer, Role.admin)
    agency = p.agency_id if p.role == Role.officer else (q.get("agency") if q.get("agency") in names else None)
    agency = agency or next(iter(names))
    my_firms = firms.mine(db, p)
    chosen_firm = next((f for f in my_firms if str(f.id) == q.get("firm")), my_firms[0] if my_firms else None)
    agency_branches = branches.of_agency(agency, *names[agency])
    branch = next((b for b in agency_branches if b.id == q.get("branch")), None) or (
        branches.nearest(agency_branches, chosen_firm.region[:2]) if chosen_firm else agency_branches[0])
    day = _day(q.get("date"))
    every = {b.id: b for b in branches.all_branches(names)}
    own_branches = [b.id for b in every.values() if p.role == Role.admin or b.agency == p.agency_id]
    firm_names = {f.id: f.name for f in my_firms}
    booked = services.bookings(db, p, own_branches if officer else None)
    if officer:
        firm_names.update(_firm_names(db, booked))
    return render(request, who, "applications/consultations.html", status_code=status_code, errors=errors or [],
                  horizon=timedelta(days=consultations.HORIZON_DAYS),
                  officer=officer, agencies=names, agency=agency, branches=agency_branches, branch=branch, day=day,
                  slots=services.free_slots(db, branch.id, day), holiday=consultations.holiday_name(day, who.lang),
                  firms=my_firms, chosen_firm=chosen_firm, bookings=booked, every=every, firm_names=firm_names,
                  threads=services.threads(db, p), modes=MODES, form=form or {}, subject=_subject(who.lang, names),
                  booked=next((b for b in booked if str(b.id) == q.get("booked")), None),
                  booked_thread=q.get("thread") if str(q.get("thread", "")).isdigit() else None,
                  unread=unread(db, who))


@router.get("/consultations")
def consultation_window(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return _page(request, who, db)


@router.get("/ui/slots")
def slot_options(request: Request, who: CurrentActor, db: DB, branch: str = "", date: str = "") -> Response:
    """htmx: the free slots of a branch on a day (none on weekends and public holidays)."""
    _, engine = request.app.state.app.engine(db)
    try:
        found = branches.find(branch, services.agency_names(engine))
    except DomainError:
        return render(request, who, "applications/_slots.html", slots=[], holiday=None, day=None)
    day = _day(date)
    return render(request, who, "applications/_slots.html", slots=services.free_slots(db, found.id, day),
                  holiday=consultations.holiday_name(day, who.lang), day=day)


@router.post("/consultations/book")
def book(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    _, engine = request.app.state.app.engine(db)
    try:
        found = branches.find(_text(form, "branch"), services.agency_names(engine))
        slot = _text(form, "slot")
        if not slot:
            raise DomainError(code="slot_required", field="slot", ko="상담 시간을 골라 주세요.", en="Choose a time slot.")
        try:
            starts = datetime.fromisoformat(slot)
        except ValueError:
            raise DomainError(code="slot_invalid", field="slot", ko="상담 시간 형식이 올바르지 않습니다.",
                              en="The time slot is not valid.") from None
        if starts.tzinfo is None:
            starts = starts.replace(tzinfo=KST)
        mode = _text(form, "mode") or "video"
        with db.begin_nested():
            row = services.book(db, who.principal, _id(form, "firm_id"), found, starts, _text(form, "topic"), mode)
            # the booking's own written thread: where the officer sends the video address or
            # the firm leaves the number to call, and where both sides can reach each other
            local = row.starts_at.astimezone(KST)
            mode_ko, mode_en = MODES.get(row.mode, MODES["video"])
            thread = services.open_thread(
                db, who.principal, row.firm_id, found.agency,
                consultations.booking_subject(local, mode_ko, found.name_ko),
                f"{local:%Y-%m-%d %H:%M} KST, {found.name_ko} ({found.name_en}), {mode_ko}/{mode_en}.\n"
                f"주제 / Topic: {row.topic}")
    except DomainError as e:
        return _page(request, who, db, problems_of(e), 409 if e.code == "conflict" else 422, values)
    return see_other(f"/consultations?agency={found.agency}&branch={found.id}&booked={row.id}&thread={thread.id}",
                     "flash.booked")


@router.post("/consultations/threads")
def new_thread(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    _, engine = request.app.state.app.engine(db)
    try:
        services.check_agency(_text(form, "agency"), services.agency_names(engine))
        with db.begin_nested():
            thread = services.open_thread(db, who.principal, _id(form, "firm_id"),
                                          _text(form, "agency"), _text(form, "subject"), _text(form, "body"))
    except DomainError as e:
        return _page(request, who, db, problems_of(e), 422, {k: v for k, v in form.items() if isinstance(v, str)})
    return see_other(f"/consultations/threads/{thread.id}", "flash.thread_sent")


def _thread_page(request: Request, who: Actor, db: Session, thread_id: PathId, errors: list[dict[str, str]] | None = None,
                 status_code: int = 200) -> Response:
    assert who.principal is not None
    try:
        thread = services.thread_access(db, who.principal, thread_id)
    except DomainError as e:
        return error_page(request, who, e)
    msgs = services.messages(db, thread.id)
    authors: dict[int, Any] = {u: db.get(UserRow, u) for u in {m.author_user_id for m in msgs}}
    _, engine = request.app.state.app.engine(db)
    return render(request, who, "applications/thread.html", status_code=status_code, errors=errors or [],
                  thread=thread, messages=msgs, authors=authors, agencies=services.agency_names(engine),
                  subject=_subject(who.lang, services.agency_names(engine)),
                  unread=unread(db, who))


@router.get("/consultations/threads/{thread_id}")
def thread(thread_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return _thread_page(request, who, db, thread_id)


@router.post("/consultations/threads/{thread_id}/reply")
def reply(form: PostedForm, thread_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        with db.begin_nested():
            services.post(db, who.principal, thread_id, _text(form, "body"))
    except DomainError as e:
        return _thread_page(request, who, db, thread_id, problems_of(e), 422)
    return see_other(f"/consultations/threads/{thread_id}#latest", "flash.reply_sent")
