"""Re-employment course pages (issue 12 §5). Anyone sees the courses; an officer of an agency
creates one; on a course's page a seeker enrols or cancels, sees their progress, books
counselling and sees the postings they were referred to (and applies); an officer of the
course's agency edits it, adds sessions, sees the roster with progress and refers seekers to
open postings; each session has an attendance sheet. Bad input is shown next to its field in
Korean and English, with what was typed kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal, Role
from onestop.errors import DomainError
from onestop.jobs import course_model as cm
from onestop.jobs import courses, services
from onestop.korea.dates import KST
from onestop.platform.db import utcnow
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, CurrentActor, PathId, PostedForm, UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute)
COURSE_FIELDS = ("title", "description", "program_id", "required_hours", "capacity", "enrol_opens", "enrol_closes",
                 "counsellor_id")
SESSION_FIELDS = ("day", "starts", "ends", "hours", "mode", "venue")


def _today() -> date:
    return utcnow().astimezone(KST).date()


def _not_found(request: Request, who: CurrentActor) -> Response:
    return error_page(request, who, DomainError(code="not_found", ko="페이지를 찾을 수 없습니다.", en="Page not found."))


def _values(form: Any, keys: tuple[str, ...]) -> dict[str, str]:
    return {k: str(form.get(k) or "") for k in keys}


def _is_officer(who: CurrentActor) -> bool:
    p = who.principal
    return p is not None and p.role == Role.officer and bool(p.agency_id)


def _program_names(ids: list[str]) -> dict[str, tuple[str, str]]:
    from onestop.catalog.loader import shipped_catalog

    programs = shipped_catalog().programs
    return {i: (programs[i].spec.name.ko, programs[i].spec.name.en) for i in ids if i in programs}


def _list_page(request: Request, who: CurrentActor, db: Session, errors: list[dict[str, str]] | None = None,
               values: dict[str, str] | None = None, status: int = 200) -> Response:
    today = _today()
    officer = _is_officer(who)
    agency = who.principal.agency_id if who.principal is not None and officer else None
    rows = courses.list_courses(db, today)
    mine = {c.id for c, _ in courses.my_courses(db, who.principal)} if who.principal is not None else set()
    return render(request, who, "jobs/courses.html", status_code=status, rows=rows, mine=mine, officer=officer,
                  seats={c.id: courses.seats_left(db, c) for c in rows}, hours=cm.hours_label,
                  programs=_program_names(courses.programs_of(agency)) if agency else {},
                  counsellors=courses.counsellors_of(db, agency) if agency else [],
                  values=values if values is not None else {"required_hours": str(cm.REBOUNCE_HOURS), "capacity": "30",
                                                           "enrol_opens": today.isoformat()},
                  errors=errors or [], unread=unread(db, who))


@router.get("/jobs/courses")
def courses_page(request: Request, who: CurrentActor, db: DB) -> Response:
    return _list_page(request, who, db)


@router.post("/jobs/courses")
def create_course(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    values = _values(form, COURSE_FIELDS)
    try:
        with db.begin_nested():
            row = courses.create_course(db, who.principal, values)
    except DomainError as e:
        if e.code == "forbidden":
            return error_page(request, who, e)
        return _list_page(request, who, db, problems_of(e), values, 422)
    return see_other(f"/jobs/courses/{row.id}", "flash.action_done")


def _course_page(request: Request, who: CurrentActor, db: Session, course_id: int,
                 errors: list[dict[str, str]] | None = None, values: dict[str, str] | None = None,
                 status: int = 200) -> Response:
    from onestop.accounts.tables import UserRow
    from onestop.firms.services import public_facts_of

    course = courses.get_course(db, course_id)
    today = _today()
    p = who.principal
    manage = p is not None and (p.role == Role.admin or (p.role == Role.officer and p.agency_id == course.agency_id))
    sessions = courses.sessions_of(db, course.id)
    mine = courses.my_enrolment(db, p, course.id)
    active = mine is not None and mine.cancelled_at is None
    ctx: dict[str, Any] = {"course": course, "sessions": sessions, "manage": manage, "mine": mine if active else None,
                           "seeker": p is not None and p.role == Role.seeker,
                           "has_profile": p is not None and services.my_seeker_row(db, p) is not None,
                           "seats": courses.seats_left(db, course), "hours": cm.hours_label, "modes": cm.MODES,
                           "can_enrol": cm.can_enrol(today, course.enrol_opens, course.enrol_closes),
                           "can_cancel": cm.can_cancel(today, sessions[0].day if sessions else None),
                           "program": _program_names([course.program_id]).get(course.program_id),
                           "counsellor": db.get(UserRow, course.counsellor_id), "kst": KST, "today": today}
    if active and mine is not None:
        ctx["progress"] = courses.progress(db, course, mine)
        ctx["free"] = courses.open_counselling(db, course.id, today)
        ctx["booked"] = courses.counselling_of(db, course.id, mine.seeker_id)
        referred = courses.referrals_of_seeker(db, mine.seeker_id, course.id)
        ctx["referred"] = referred
        firms = public_facts_of(db, {posting.firm_id for _, posting in referred})
        ctx["firm_names"] = {f: v[0] for f, v in firms.items()}
        ctx["applied"] = {e.posting_id for e, _ in services.my_engagements(db, p)} if p is not None else set()
    if manage and p is not None:
        ctx["roster"] = courses.roster(db, p, course.id)
        ctx["referrals"] = courses.referrals_of_course(db, p, course.id)
        ctx["placed"] = courses.placements_via(db, p, course.id)
        ctx["open_postings"] = services.open_postings(db, today)
        ctx["all_booked"] = courses.counselling_of(db, course.id)
        ctx["programs"] = _program_names(courses.programs_of(course.agency_id))
        ctx["counsellors"] = courses.counsellors_of(db, course.agency_id)
    current = {"title": course.title, "description": course.description, "program_id": course.program_id,
               "required_hours": cm.hours_label(course.required_minutes), "capacity": str(course.capacity),
               "enrol_opens": course.enrol_opens.isoformat(), "enrol_closes": course.enrol_closes.isoformat(),
               "counsellor_id": str(course.counsellor_id), "mode": "offline", "starts": "10:00", "ends": "15:00",
               "hours": "4"}
    return render(request, who, "jobs/course.html", status_code=status, errors=errors or [],
                  values={**current, **(values or {})}, unread=unread(db, who), **ctx)


@router.get("/jobs/courses/{course_id}")
def course_page(course_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    try:
        return _course_page(request, who, db, course_id)
    except DomainError:
        return _not_found(request, who)


def _act(request: Request, who: CurrentActor, db: Session, course_id: int, action: Callable[[Principal], object],
         values: dict[str, str] | None = None, to: str | None = None) -> Response:
    """Run one course action; a refusal re-renders the course page with the problems (422)."""
    if who.principal is None:
        return login_redirect(request)
    try:
        courses.get_course(db, course_id)
    except DomainError:
        return _not_found(request, who)
    try:
        with db.begin_nested():
            action(who.principal)
    except DomainError as e:
        if e.code == "not_found" and e.field == "course_id":
            return _not_found(request, who)
        return _course_page(request, who, db, course_id, problems_of(e), values, 422)
    return see_other(to or f"/jobs/courses/{course_id}", "flash.action_done")


@router.post("/jobs/courses/{course_id}")
def edit_course(course_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    values = _values(form, COURSE_FIELDS)
    return _act(request, who, db, course_id, lambda p: courses.update_course(db, p, course_id, values), values)


@router.post("/jobs/courses/{course_id}/sessions")
def add_session(course_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    values = _values(form, SESSION_FIELDS)
    return _act(request, who, db, course_id, lambda p: courses.add_session(db, p, course_id, values), values)


@router.post("/jobs/courses/{course_id}/enrol")
def enrol(course_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    return _act(request, who, db, course_id, lambda p: courses.enrol(db, p, course_id, _today()))


@router.post("/jobs/courses/{course_id}/cancel")
def cancel(course_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    return _act(request, who, db, course_id, lambda p: courses.cancel(db, p, course_id, _today()))


@router.post("/jobs/courses/{course_id}/counselling")
def book_counselling(course_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    raw = str(form.get("starts_at") or "")

    def book(p: Principal) -> None:
        try:
            starts = datetime.fromisoformat(raw)
            if starts.tzinfo is None:
                raise ValueError(raw)
        except ValueError:
            raise DomainError(code="slot_invalid", field="starts_at", ko="상담 시간을 고르세요.",
                              en="Choose a counselling time.") from None
        courses.book_counselling(db, p, course_id, starts, _today())

    return _act(request, who, db, course_id, book)


@router.post("/jobs/courses/{course_id}/referrals")
def refer(course_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    values = _values(form, ("enrolment_id", "posting_id", "note"))

    def act(p: Principal) -> None:
        enrolment, posting = values["enrolment_id"], values["posting_id"]
        courses.refer(db, p, course_id, int(enrolment) if enrolment.isdigit() else 0,
                      int(posting) if posting.isdigit() else 0, _today(), values["note"])

    return _act(request, who, db, course_id, act, values)


@router.post("/jobs/courses/{course_id}/referrals/{posting_id}/apply")
def apply_referred(course_id: PathId, posting_id: PathId, form: PostedForm, request: Request, who: CurrentActor,
                   db: DB) -> Response:
    return _act(request, who, db, course_id, lambda p: services.apply(db, p, posting_id, _today()))


def _sheet_page(request: Request, who: CurrentActor, db: Session, session_id: int,
                errors: list[dict[str, str]] | None = None, values: dict[str, str] | None = None,
                status: int = 200) -> Response:
    assert who.principal is not None
    course, session, rows = courses.sheet(db, who.principal, session_id)
    shown: dict[str, str] = {f"hours-{r.enrolment.id}": cm.hours_label(r.minutes) if r.minutes is not None else ""
                             for r in rows}
    shown.update({"day": session.day.isoformat(), "starts": session.starts, "ends": session.ends,
                  "hours": cm.hours_label(session.minutes), "mode": session.mode, "venue": session.venue})
    return render(request, who, "jobs/attendance.html", status_code=status, course=course, session=session, rows=rows,
                  values={**shown, **(values or {})}, errors=errors or [], hours=cm.hours_label, modes=cm.MODES,
                  today=_today(), unread=unread(db, who))


@router.get("/jobs/courses/{course_id}/sessions/{session_id}")
def attendance_page(course_id: PathId, session_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        return _sheet_page(request, who, db, session_id)
    except DomainError:
        return _not_found(request, who)


@router.post("/jobs/courses/{course_id}/sessions/{session_id}")
def take_attendance(course_id: PathId, session_id: PathId, form: PostedForm, request: Request, who: CurrentActor,
                    db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str) and k.startswith("hours-")}
    hours = {int(k.removeprefix("hours-")): v for k, v in values.items() if k.removeprefix("hours-").isdigit()}
    try:
        courses.sheet(db, who.principal, session_id)
    except DomainError:
        return _not_found(request, who)
    try:
        with db.begin_nested():
            courses.take_attendance(db, who.principal, session_id, hours, _today())
    except DomainError as e:
        return _sheet_page(request, who, db, session_id, problems_of(e), values, 422)
    return see_other(f"/jobs/courses/{course_id}/sessions/{session_id}", "flash.action_done")


@router.post("/jobs/courses/{course_id}/sessions/{session_id}/edit")
def edit_session(course_id: PathId, session_id: PathId, form: PostedForm, request: Request, who: CurrentActor,
                 db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    values = _values(form, SESSION_FIELDS)
    try:
        courses.sheet(db, who.principal, session_id)
    except DomainError:
        return _not_found(request, who)
    try:
        with db.begin_nested():
            courses.update_session(db, who.principal, session_id, values)
    except DomainError as e:
        return _sheet_page(request, who, db, session_id, problems_of(e), values, 422)
    return see_other(f"/jobs/courses/{course_id}/sessions/{session_id}", "flash.action_done")
