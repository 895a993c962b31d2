"""Committee and fast-track pages. Evaluators: my assignments, scoring an assigned application
on the program's rubric, declaring a conflict, my conflict-check details. Officers: the
committee of an application (assign, challenge, scores, aggregate, decision) and the
fast-track queue with the time left. Forms post to the same services as the API; a refused
change re-renders the page with the reason next to the field, keeping what was saved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from onestop.accounts.model import Principal, Role
from onestop.applications import services as apps
from onestop.applications.lifecycle import STATE_NAMES
from onestop.errors import DomainError
from onestop.evaluation import committee_services as committees
from onestop.evaluation import fasttrack_services as fasttrack
from onestop.evaluation.committee_model import GROUND_NAMES, KIND_NAMES, KIND_OF, OUTCOME_NAMES, Ground
from onestop.firms.tables import FirmRow
from onestop.korea import regions
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
from onestop.platform.problems import STATUS
from onestop.platform.templating import render
from onestop.platform.web import DB as DBSession
from onestop.platform.web import MAX_ID, Actor, CurrentActor, PathId, PostedForm, UnitOfWorkRoute, records_views
from onestop.text import identifier, is_ascii_digits

router = APIRouter(route_class=UnitOfWorkRoute)

FORBIDDEN_EVALUATOR = DomainError(code="forbidden", ko="평가위원 전용입니다.", en="For evaluators.")
FORBIDDEN_OFFICER = DomainError(code="forbidden", ko="기관 담당자 전용입니다.", en="For agency officers.")


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def _id(form: FormData, key: str) -> int:
    value = identifier(_text(form, key))
    return int(value) if is_ascii_digits(value) and int(value) <= MAX_ID else -1


def _version(form: FormData) -> int | None:
    value = _text(form, "version")
    return int(value) if value.isdigit() else None


def _engine(request: Request, db: Session) -> Any:
    return request.app.state.app.engine(db)[1]


def _attempt(db: Session, change: Callable[[], object], done: str, flash: str,
             again: Callable[[list[dict[str, str]], int], Response]) -> Response:
    """The change in a savepoint: a refusal rolls back only it, and the page shows the reason."""
    try:
        with db.begin_nested():
            change()
    except DomainError as e:
        return again(problems_of(e), STATUS.get(e.code, 422))
    return see_other(done, flash)


def ground_names() -> dict[str, tuple[str, str, str, str]]:
    """ground → (kind ko, kind en, ground ko, ground en), for the templates."""
    out = {}
    for g in Ground:
        kind = KIND_NAMES[KIND_OF[g]]
        out[g.value] = (kind[0], kind[1], GROUND_NAMES[g][0], GROUND_NAMES[g][1])
    return out


def _common(db: Session, who: Actor) -> dict[str, Any]:
    return {"states": {s.value: n for s, n in STATE_NAMES.items()}, "grounds": ground_names(),
            "unread": unread(db, who)}


# --- evaluators -------------------------------------------------------------------------------

def _evaluator(request: Request, who: Actor) -> Principal | Response:
    if who.principal is None:
        return login_redirect(request)
    if who.principal.role != Role.evaluator:
        return error_page(request, who, FORBIDDEN_EVALUATOR)
    return who.principal


@router.get("/evaluator")
def assignments(request: Request, who: CurrentActor, db: DBSession) -> Response:
    p = _evaluator(request, who)
    if isinstance(p, Response):
        return p
    _, engine = request.app.state.app.engine(db)
    return render(request, who, "committee/assignments.html", rows=committees.my_assignments(db, p),
                  names={x.id: x.spec.name for x in engine.programs}, **_common(db, who))


def _scoring(request: Request, who: Actor, db: Session, app_id: int, errors: list[dict[str, str]] | None = None,
             status_code: int = 200, form: dict[str, Any] | None = None) -> Response:
    assert who.principal is not None
    engine = _engine(request, db)
    try:
        row, rubric, score = committees.my_evaluation(db, who.principal, engine, app_id)
    except DomainError as e:
        return error_page(request, who, e)
    program = engine.catalog.get(row.program_id)
    chosen = dict(form["levels"]) if form else dict(score.levels if score else {})
    return render(request, who, "committee/score.html", status_code=status_code, errors=errors or [], app=row,
                  program=program, rubric=rubric, score=score, chosen=chosen,
                  comment=form["comment"] if form else (score.comment if score else ""),
                  reason=form.get("reason", "") if form else "", firm=db.get(FirmRow, row.firm_id),
                  docs=apps.latest_documents(db, row.id), **_common(db, who))


@router.get("/evaluator/applications/{app_id}")
@records_views
def score_page(app_id: PathId, request: Request, who: CurrentActor, db: DBSession) -> Response:
    """The application as its evaluator sees it (a view of the firm's data: recorded)."""
    p = _evaluator(request, who)
    if isinstance(p, Response):
        return p
    return _scoring(request, who, db, app_id)


@router.post("/evaluator/applications/{app_id}/scores")
def post_scores(form: PostedForm, app_id: PathId, request: Request, who: CurrentActor, db: DBSession) -> Response:
    p = _evaluator(request, who)
    if isinstance(p, Response):
        return p
    levels = {k.removeprefix("level_"): v for k, v in form.items() if k.startswith("level_") and isinstance(v, str)}
    comment = _text(form, "comment")
    engine = _engine(request, db)
    given = {k: v for k, v in levels.items() if v != ""}
    return _attempt(db, lambda: committees.submit_scores(db, p, engine, app_id, given, comment),
                    f"/evaluator/applications/{app_id}", "flash.scored",
                    lambda errors, status: _scoring(request, who, db, app_id, errors, status,
                                                    {"levels": given, "comment": comment}))


@router.post("/evaluator/applications/{app_id}/conflict")
def post_conflict(form: PostedForm, app_id: PathId, request: Request, who: CurrentActor, db: DBSession) -> Response:
    p = _evaluator(request, who)
    if isinstance(p, Response):
        return p
    reason = _text(form, "reason")
    return _attempt(db, lambda: committees.declare_conflict(db, p, app_id, reason), "/evaluator",
                    "flash.conflict_declared",
                    lambda errors, status: _scoring(request, who, db, app_id, errors, status,
                                                    {"levels": {}, "comment": "", "reason": reason}))


def _profile_page(request: Request, who: Actor, db: Session, errors: list[dict[str, str]] | None = None,
                  status_code: int = 200, form: dict[str, str] | None = None) -> Response:
    assert who.principal is not None
    prof, jobs = committees.profile(db, who.principal.user_id)
    return render(request, who, "committee/profile.html", status_code=status_code, errors=errors or [],
                  prof=prof, jobs=jobs, form=form or {}, region_name=regions.table(), **_common(db, who))


@router.get("/evaluator/profile")
def profile_page(request: Request, who: CurrentActor, db: DBSession) -> Response:
    p = _evaluator(request, who)
    if isinstance(p, Response):
        return p
    return _profile_page(request, who, db)


@router.post("/evaluator/profile")
def post_profile(form: PostedForm, request: Request, who: CurrentActor, db: DBSession) -> Response:
    p = _evaluator(request, who)
    if isinstance(p, Response):
        return p
    values = {"region": _text(form, "region"), "organisation": _text(form, "organisation")}
    return _attempt(db, lambda: committees.set_profile(db, p, values["region"], values["organisation"]),
                    "/evaluator/profile", "flash.profile_saved",
                    lambda errors, status: _profile_page(request, who, db, errors, status, values))


@router.post("/evaluator/past-employments")
def post_employment(form: PostedForm, request: Request, who: CurrentActor, db: DBSession) -> Response:
    p = _evaluator(request, who)
    if isinstance(p, Response):
        return p
    values = {"brn": _text(form, "brn"), "employer": _text(form, "employer"), "until": _text(form, "until")}

    def change() -> None:
        try:
            until = date.fromisoformat(values["until"])
        except ValueError:
            raise DomainError(code="date_invalid", field="until",
                              ko=f"퇴직일을 YYYY-MM-DD 형식으로 적어 주세요. 받은 값: {values['until'] or '(빈 값)'}",
                              en=f"Give the end date as YYYY-MM-DD; got {values['until'] or '(empty)'}.") from None
        committees.declare_employment(db, p, values["brn"], values["employer"], until)

    return _attempt(db, change, "/evaluator/profile", "flash.profile_saved",
                    lambda errors, status: _profile_page(request, who, db, errors, status, values))


# --- officers ---------------------------------------------------------------------------------

def _officer(request: Request, who: Actor) -> Principal | Response:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return error_page(request, who, FORBIDDEN_OFFICER)
    return who.principal


def _committee(request: Request, who: Actor, db: Session, app_id: int, errors: list[dict[str, str]] | None = None,
               status_code: int = 200, form: dict[str, str] | None = None) -> Response:
    assert who.principal is not None
    engine = _engine(request, db)
    try:
        view = committees.committee(db, who.principal, engine, app_id)
    except DomainError as e:
        return error_page(request, who, e)
    assigned = {m.assignment.evaluator_id for m in view.members}
    return render(request, who, "committee/committee.html", status_code=status_code, errors=errors or [], view=view,
                  app=view.application, program=engine.catalog.get(view.application.program_id),
                  firm=db.get(FirmRow, view.application.firm_id),
                  pool=[e for e in committees.pool(db) if e.id not in assigned], outcomes=OUTCOME_NAMES,
                  form=form or {}, **_common(db, who))


@router.get("/officer/applications/{app_id}/committee")
def committee_page(app_id: PathId, request: Request, who: CurrentActor, db: DBSession) -> Response:
    p = _officer(request, who)
    if isinstance(p, Response):
        return p
    return _committee(request, who, db, app_id)


@router.post("/officer/applications/{app_id}/committee/assign")
def post_assign(form: PostedForm, app_id: PathId, request: Request, who: CurrentActor, db: DBSession) -> Response:
    p = _officer(request, who)
    if isinstance(p, Response):
        return p
    engine = _engine(request, db)
    evaluator = _id(form, "evaluator_id")
    return _attempt(db, lambda: committees.assign(db, p, engine, app_id, evaluator),
                    f"/officer/applications/{app_id}/committee", "flash.assigned",
                    lambda errors, status: _committee(request, who, db, app_id, errors, status))


@router.post("/officer/applications/{app_id}/committee/challenge")
def post_challenge(form: PostedForm, app_id: PathId, request: Request, who: CurrentActor, db: DBSession) -> Response:
    p = _officer(request, who)
    if isinstance(p, Response):
        return p
    assignment, reason = _id(form, "assignment_id"), _text(form, "reason")
    return _attempt(db, lambda: committees.challenge(db, p, app_id, assignment, reason),
                    f"/officer/applications/{app_id}/committee", "flash.challenged",
                    lambda errors, status: _committee(request, who, db, app_id, errors, status))


@router.post("/officer/applications/{app_id}/committee/decision")
def post_decision(form: PostedForm, app_id: PathId, request: Request, who: CurrentActor, db: DBSession) -> Response:
    p = _officer(request, who)
    if isinstance(p, Response):
        return p
    engine = _engine(request, db)
    values = {"outcome": _text(form, "outcome"), "reasons": _text(form, "reasons")}
    return _attempt(db, lambda: committees.decide(db, p, engine, app_id, values["outcome"], values["reasons"],
                                                  _version(form)),
                    f"/officer/applications/{app_id}/committee", "flash.committee_decided",
                    lambda errors, status: _committee(request, who, db, app_id, errors, status, values))


@router.get("/officer/fast-track")
def fast_track_page(request: Request, who: CurrentActor, db: DBSession) -> Response:
    p = _officer(request, who)
    if isinstance(p, Response):
        return p
    _, engine = request.app.state.app.engine(db)
    return render(request, who, "committee/fast_track.html", rows=fasttrack.queue(db, p), counts=fasttrack.counts(db, p),
                  names={x.id: x.spec.name for x in engine.programs}, **_common(db, who))
