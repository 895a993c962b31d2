"""Committee and fast-track endpoints: officers assign evaluators, record challenges and the
committee's decision, and read the fast-track queue; evaluators declare, score and list their
assignments. Thin: every rule is in the services and the pure core."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from onestop.accounts.model import Principal
from onestop.applications.lifecycle import STATE_NAMES, State
from onestop.evaluation import committee_services as committees
from onestop.evaluation import fasttrack_services as fasttrack
from onestop.evaluation.committee_model import GROUND_NAMES, KIND_NAMES, KIND_OF, Ground, points
from onestop.evaluation.fasttrack import Band
from onestop.platform.openapi import PROBLEM_RESPONSES
from onestop.platform.web import DB, MAX_ID, CurrentActor, IdField, PathId, UnitOfWorkRoute, records_views

router = APIRouter(prefix="/api/v1", tags=["committees"], responses=PROBLEM_RESPONSES, route_class=UnitOfWorkRoute)


class AssignIn(BaseModel):
    evaluator_id: int = IdField


class ReasonIn(BaseModel):
    reason: str = Field(max_length=2000)


class ChallengeIn(ReasonIn):
    assignment_id: int = IdField


class ScoresIn(BaseModel):
    scores: dict[str, int] = Field(description="rubric item id → level (1..the rubric's scale)", max_length=40)
    comment: str = Field(default="", max_length=4000)


class DecisionIn(BaseModel):
    outcome: str = Field(max_length=20, description="approve, waitlist or reject")
    reasons: str = Field(max_length=4000)
    version: int | None = Field(default=None, ge=0, le=MAX_ID, description="the application version you saw")


class ProfileIn(BaseModel):
    region: str = Field(default="", max_length=20, description="the 시군구 code of your workplace ('' to clear)")
    organisation: str = Field(default="", max_length=200)


class EmploymentIn(BaseModel):
    brn: str = Field(max_length=20)
    employer: str = Field(default="", max_length=200)
    until: dt.date


class FastTrackIn(BaseModel):
    band: Band


def _rubric(rubric: Any) -> dict[str, Any]:
    return {"items": [{"id": i.id, "ko": i.name.ko, "en": i.name.en, "weight": i.weight,
                       "levels": [{"level": n, "ko": t.ko, "en": t.en} for n, t in enumerate(rubric.level_names(i), 1)]}
                      for i in rubric.items],
            "scale": len(rubric.scale), "pass_mark": rubric.pass_mark, "quorum": rubric.quorum,
            "same_region_excluded": rubric.same_region_excluded, "source": rubric.source.model_dump()}


def _exclusion(ground: str | None, reason: str) -> dict[str, Any] | None:
    if ground is None:
        return None
    g = Ground(ground)
    kind = KIND_OF[g]
    return {"ground": g.value, "ground_ko": GROUND_NAMES[g][0], "ground_en": GROUND_NAMES[g][1], "kind": kind.value,
            "kind_ko": KIND_NAMES[kind][0], "kind_en": KIND_NAMES[kind][1], "reason": reason}


def committee_json(view: committees.Committee) -> dict[str, Any]:
    d = view.decision
    return {
        "application_id": view.application.id,
        "state": view.application.state,
        "version": view.application.version,
        "rubric": _rubric(view.rubric),
        "members": [{"assignment_id": m.assignment.id, "evaluator_id": m.assignment.evaluator_id, "name": m.name,
                     "excluded": _exclusion(m.assignment.ground, m.assignment.reason),
                     "levels": m.score.levels if m.score else None,
                     "total": str(m.total) if m.total is not None else None} for m in view.members],
        "aggregate": None if view.result is None else {
            "mean": str(view.result.shown), "rule_ko": view.result.rule_ko, "rule_en": view.result.rule_en,
            "counted": len(view.result.kept) + len(view.result.dropped)},
        "recommended": view.recommended.value if view.recommended else None,
        "decision": None if d is None else {"outcome": d.outcome, "recommended": d.recommended, "reasons": d.reasons,
                                            "aggregate": str(points(d.aggregate_hundredths)), "record": d.record,
                                            "decided_at": d.decided_at.isoformat()},
    }


def _engine(request: Request, db: DB) -> Any:
    return request.app.state.app.engine(db)[1]


@router.get("/evaluators", response_model=list[dict[str, Any]], summary="Evaluators an officer may assign")
def evaluators(who: CurrentActor, db: DB) -> list[dict[str, Any]]:
    p = who.require()
    if not p.is_officer:
        from onestop.errors import DomainError

        raise DomainError(code="forbidden", ko="기관 담당자 전용입니다.", en="For agency officers.")
    return [{"id": e.id, "name": e.name, "organisation": e.organisation} for e in committees.pool(db)]


@router.get("/applications/{app_id}/committee", response_model=dict[str, Any],
            summary="Officers: the committee, its scores, the aggregate and the decision")
def committee(app_id: PathId, request: Request, who: CurrentActor, db: DB) -> dict[str, Any]:
    return committee_json(committees.committee(db, who.require(), _engine(request, db), app_id))


@router.post("/applications/{app_id}/committee/assignments", status_code=201, response_model=dict[str, Any],
             summary="Officers: assign an evaluator (conflicts found exclude them at once, with the reason)")
def assign(app_id: PathId, body: AssignIn, request: Request, who: CurrentActor, db: DB) -> dict[str, Any]:
    a = committees.assign(db, who.require(), _engine(request, db), app_id, body.evaluator_id)
    return {"assignment_id": a.id, "evaluator_id": a.evaluator_id, "excluded": _exclusion(a.ground, a.reason)}


@router.post("/applications/{app_id}/committee/challenges", response_model=dict[str, Any],
             summary="Officers: record the firm's challenge (기피) of an evaluator, accepted")
def challenge(app_id: PathId, body: ChallengeIn, who: CurrentActor, db: DB) -> dict[str, Any]:
    a = committees.challenge(db, who.require(), app_id, body.assignment_id, body.reason)
    return {"assignment_id": a.id, "excluded": _exclusion(a.ground, a.reason)}


@router.post("/applications/{app_id}/committee/decision", status_code=201, response_model=dict[str, Any],
             summary="Officers: record the committee's decision with its reasons (moves the application)")
def decide(app_id: PathId, body: DecisionIn, request: Request, who: CurrentActor, db: DB) -> dict[str, Any]:
    p = who.require()
    engine = _engine(request, db)
    committees.decide(db, p, engine, app_id, body.outcome, body.reasons, body.version)
    return committee_json(committees.committee(db, p, engine, app_id))


def _assigned(a: committees.Assigned) -> dict[str, Any]:
    ko, en = STATE_NAMES[State(a.application.state)]
    return {"application_id": a.application.id, "program_id": a.application.program_id, "firm": a.firm_name,
            "state": a.application.state, "state_ko": ko, "state_en": en, "scored": a.scored,
            "excluded": _exclusion(a.assignment.ground, a.assignment.reason)}


@router.get("/evaluator/assignments", response_model=list[dict[str, Any]], summary="Evaluators: my assignments")
def my_assignments(who: CurrentActor, db: DB) -> list[dict[str, Any]]:
    return [_assigned(a) for a in committees.my_assignments(db, who.require())]


@router.get("/evaluator/applications/{app_id}", response_model=dict[str, Any],
            summary="Evaluators: an assigned application's rubric and my scores (404 unless assigned)")
@records_views
def my_evaluation(app_id: PathId, request: Request, who: CurrentActor, db: DB) -> dict[str, Any]:
    row, rubric, score = committees.my_evaluation(db, who.require(), _engine(request, db), app_id)
    return {"application_id": row.id, "program_id": row.program_id, "eligibility": row.eligibility,
            "rubric": _rubric(rubric), "levels": score.levels if score else None,
            "total": str(points(score.total_hundredths)) if score else None, "comment": score.comment if score else ""}


@router.post("/evaluator/applications/{app_id}/scores", response_model=dict[str, Any],
             summary="Evaluators: score every rubric item (replaces earlier scores until the decision)")
def score(app_id: PathId, body: ScoresIn, request: Request, who: CurrentActor, db: DB) -> dict[str, Any]:
    s = committees.submit_scores(db, who.require(), _engine(request, db), app_id, dict(body.scores), body.comment)
    return {"levels": s.levels, "total": str(points(s.total_hundredths))}


@router.post("/evaluator/applications/{app_id}/conflict", response_model=dict[str, Any],
             summary="Evaluators: declare a conflict of interest (회피); you are excluded")
def conflict(app_id: PathId, body: ReasonIn, who: CurrentActor, db: DB) -> dict[str, Any]:
    a = committees.declare_conflict(db, who.require(), app_id, body.reason)
    return {"assignment_id": a.id, "excluded": _exclusion(a.ground, a.reason)}


def _profile(db: DB, p: Principal) -> dict[str, Any]:
    prof, jobs = committees.profile(db, p.user_id)
    return {"region": prof.region if prof else None, "organisation": prof.organisation if prof else "",
            "past_employments": [{"brn": j.brn, "employer": j.employer, "until": j.until.isoformat()} for j in jobs]}


@router.put("/evaluator/profile", response_model=dict[str, Any], summary="Evaluators: workplace 시군구 and organisation")
def set_profile(body: ProfileIn, who: CurrentActor, db: DB) -> dict[str, Any]:
    p = who.require()
    committees.set_profile(db, p, body.region, body.organisation)
    return _profile(db, p)


@router.post("/evaluator/past-employments", status_code=201, response_model=dict[str, Any],
             summary="Evaluators: declare a past employment (checked against applying firms)")
def declare_employment(body: EmploymentIn, who: CurrentActor, db: DB) -> dict[str, Any]:
    p = who.require()
    committees.declare_employment(db, p, body.brn, body.employer, body.until)
    return _profile(db, p)


def queued_json(q: fasttrack.Queued) -> dict[str, Any]:
    return {"application_id": q.application.id, "program_id": q.entry.program_id, "firm": q.firm_name,
            "state": q.application.state, "band": q.entry.band, "service_days": q.entry.service_days,
            "entered_at": q.entry.entered_at.isoformat(), "due_on": q.left.due.isoformat(),
            "business_days_left": q.left.business_days, "hours_left": q.left.hours, "breached": q.left.breached,
            "escalated": q.entry.escalated_at is not None, "left_ko": q.left.ko, "left_en": q.left.en}


@router.get("/fast-track", response_model=dict[str, Any],
            summary="Officers: the fast-track queue with the time left, and the service-level counts")
def fast_track_queue(who: CurrentActor, db: DB) -> dict[str, Any]:
    p = who.require()
    c = fasttrack.counts(db, p)
    return {"queue": [queued_json(q) for q in fasttrack.queue(db, p)],
            "counts": {"waiting": c.waiting, "breached": c.breached, "escalated": c.escalated,
                       "decided_in_time": c.decided_in_time}}


@router.post("/applications/{app_id}/fast-track", status_code=201, response_model=dict[str, Any],
             summary="Officers: put an application on the fast track with its recommendation band")
def enter_fast_track(app_id: PathId, body: FastTrackIn, request: Request, who: CurrentActor, db: DB) -> dict[str, Any]:
    p = who.require()
    entry = fasttrack.enter(db, _engine(request, db), app_id, body.band, f"officer:{p.user_id}", who=p)
    return {"application_id": entry.application_id, "band": entry.band, "service_days": entry.service_days,
            "due_on": entry.due_on.isoformat()}
