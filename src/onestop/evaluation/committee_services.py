"""Evaluation committee use cases: officers assign evaluators (conflicts detected at once),
evaluators declare conflicts and score on the program's rubric, officers record a firm's
challenge and the committee's decision. Evaluators see only what they are assigned to; every
step is audited in the application's chain. Rules: `committee_model`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal, Role
from onestop.applications import services as apps
from onestop.applications.lifecycle import Actor, State
from onestop.applications.tables import ApplicationRow
from onestop.audit import services as audit
from onestop.catalog.model import Program, Rubric
from onestop.errors import DomainError
from onestop.evaluation.committee_model import (
    GROUND_NAMES,
    KIND_NAMES,
    KIND_OF,
    Aggregate,
    EvaluatorFacts,
    FirmFacts,
    Ground,
    Outcome,
    PastEmployment,
    aggregate,
    check_quorum,
    detect,
    hundredths,
    points,
    recommended,
    score_total,
)
from onestop.evaluation.committee_tables import (
    AssignmentRow,
    DecisionRow,
    EvaluatorProfileRow,
    PastEmploymentRow,
    ScoreRow,
)
from onestop.firms.tables import FirmRow
from onestop.korea.dates import KST
from onestop.korea.hangul import josa
from onestop.matching.services import Engine
from onestop.platform.db import utcnow
from onestop.text import text as normalize_text

NO_COMMITTEE = DomainError(code="no_committee", field="program_id",
                           ko="이 사업은 평가위원회로 선정하지 않습니다(카탈로그에 평가표가 없습니다).",
                           en="This program does not select by committee (the catalog gives it no rubric).")


def _audit(db: Session, who: Principal | None, action: str, row: ApplicationRow, **data: Any) -> None:
    audit.record(db, actor=who.role.value if who else "system", actor_user_id=who.user_id if who else None,
                 action=f"committee.{action}", subject=f"application:{row.id}",
                 data={"firm_id": row.firm_id, "program_id": row.program_id, **data})


def rubric_of(program: Program) -> Rubric:
    """The program's rubric; `no_committee` when it has none."""
    if program.spec.committee is None:
        raise NO_COMMITTEE
    return program.spec.committee


# --- who sees what ----------------------------------------------------------------------------

def is_assigned(db: Session, user_id: int, app_id: int) -> bool:
    """Whether the evaluator is on the application's committee and not excluded: the only way
    an evaluator sees an application (`applications.services.actor_of`)."""
    return db.scalar(select(AssignmentRow.id).where(
        AssignmentRow.application_id == app_id, AssignmentRow.evaluator_id == user_id,
        AssignmentRow.excluded_at.is_(None))) is not None


def assigned_ids(user_id: int) -> Select[Any]:
    """The applications an evaluator is assigned to and not excluded from (a subquery)."""
    return select(AssignmentRow.application_id).where(AssignmentRow.evaluator_id == user_id,
                                                      AssignmentRow.excluded_at.is_(None))


def _officer_app(db: Session, who: Principal, app_id: int) -> ApplicationRow:
    row, actor = apps.get(db, who, app_id)
    if actor != Actor.officer:
        raise DomainError(code="forbidden", ko="기관 담당자만 평가위원회를 운영할 수 있습니다.",
                          en="Only the agency's officers run the evaluation committee.")
    return row


def _in_evaluation(row: ApplicationRow) -> None:
    if row.state != State.evaluation.value:
        raise DomainError(code="illegal_state", field="application",
                          ko="평가 단계의 신청만 평가위원회가 다룹니다. 먼저 서류 적합 처리로 평가 단계로 보내세요.",
                          en="Only applications in evaluation go to the committee; mark the documents complete first.")


def _undecided(db: Session, row: ApplicationRow) -> None:
    if decision_of(db, row.id) is not None:
        raise DomainError(code="decided", field="application", ko="평가위원회가 이미 결정했습니다.",
                          en="The committee has already decided.")


# --- evaluators' declarations -----------------------------------------------------------------

def _evaluator(who: Principal) -> None:
    if who.role != Role.evaluator:
        raise DomainError(code="forbidden", ko="평가위원 전용입니다.", en="For evaluators.")


def set_profile(db: Session, who: Principal, region: str | None, organisation: str) -> EvaluatorProfileRow:
    """The evaluator's workplace 시군구 (a region code; empty: not stated) and organisation."""
    from onestop.korea.regions import normalize_region

    _evaluator(who)
    code = normalize_text(region or "") or None
    if code is not None:
        code = normalize_region(code, "region")
        if len(code) != 5:
            raise DomainError(code="region_level", field="region",
                              ko=f"근무지는 시도가 아니라 시군구로 골라 주세요. 받은 값: {code}",
                              en=f"Choose the workplace's city/county/district, not a province; got {code}.")
    row = db.get(EvaluatorProfileRow, who.user_id)
    if row is None:
        row = EvaluatorProfileRow(user_id=who.user_id)
        db.add(row)
    row.region = code
    row.organisation = normalize_text(organisation)[:200]
    db.flush()
    return row


def declare_employment(db: Session, who: Principal, brn: str, employer: str, until: date) -> PastEmploymentRow:
    """Declare a past employment (the employer's BRN and when it ended); declaring the same
    employer again updates the date."""
    from onestop.korea.brn import normalize_brn

    _evaluator(who)
    number = normalize_brn(brn, "brn")
    if until > utcnow().astimezone(KST).date():
        raise DomainError(code="date_future", field="until", ko="퇴직일은 오늘 이전이어야 합니다.",
                          en="The end date must not be in the future.")
    row = db.scalar(select(PastEmploymentRow).where(PastEmploymentRow.user_id == who.user_id,
                                                    PastEmploymentRow.brn == number))
    if row is None:
        row = PastEmploymentRow(user_id=who.user_id, brn=number, employer="", until=until)
        db.add(row)
    row.employer = normalize_text(employer)[:200] or number
    row.until = until
    db.flush()
    audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action="committee.declare_employment",
                 subject=f"user:{who.user_id}", data={"brn": number, "until": until.isoformat()})
    return row


def profile(db: Session, user_id: int) -> tuple[EvaluatorProfileRow | None, list[PastEmploymentRow]]:
    return (db.get(EvaluatorProfileRow, user_id),
            list(db.scalars(select(PastEmploymentRow).where(PastEmploymentRow.user_id == user_id)
                            .order_by(PastEmploymentRow.until.desc()))))


def _facts(db: Session, user_id: int) -> EvaluatorFacts:
    from onestop.accounts.tables import MembershipRow

    prof, jobs = profile(db, user_id)
    firms = frozenset(db.scalars(select(MembershipRow.firm_id).where(MembershipRow.user_id == user_id)))
    return EvaluatorFacts(firm_ids=firms, past_employments=tuple(PastEmployment(j.brn, j.until) for j in jobs),
                          region=prof.region if prof else None)


# --- assignment and exclusion -----------------------------------------------------------------

@dataclass(frozen=True)
class Evaluator:
    id: int
    name: str
    email: str
    organisation: str


def pool(db: Session) -> list[Evaluator]:
    """Every active evaluator account, by name (the people an officer may assign)."""
    from onestop.accounts.tables import UserRow

    users = db.scalars(select(UserRow).where(UserRow.role == Role.evaluator.value, UserRow.is_active.is_(True))
                       .order_by(UserRow.name, UserRow.id))
    profiles = {p.user_id: p for p in db.scalars(select(EvaluatorProfileRow))}
    return [Evaluator(u.id, u.name, u.email, profiles[u.id].organisation if u.id in profiles else "") for u in users]


def assign(db: Session, who: Principal, engine: Engine, app_id: int, evaluator_id: int,
           on: date | None = None) -> AssignmentRow:
    """Put an evaluator on the application's committee. Conflicts found without a declaration
    (membership of the firm, a declared past employment, the same 시군구 where the program says
    so) exclude the evaluator at once, with the ground and reason recorded; otherwise the
    evaluator is told of the assignment."""
    from onestop.accounts.tables import UserRow

    row = _officer_app(db, who, app_id)
    _in_evaluation(row)
    _undecided(db, row)
    rubric = rubric_of(engine.catalog.get(row.program_id))
    user = db.get(UserRow, evaluator_id)
    if user is None or user.role != Role.evaluator.value or not user.is_active:
        raise DomainError(code="not_evaluator", field="evaluator_id",
                          ko="평가위원 계정이 아닙니다. 평가위원 명단에서 고르세요.",
                          en="Not an evaluator account; choose one from the list of evaluators.")
    assignment = AssignmentRow(application_id=row.id, evaluator_id=user.id, assigned_by=who.user_id)
    try:
        with db.begin_nested():
            db.add(assignment)
            db.flush()
    except IntegrityError:
        raise DomainError(code="already_assigned", field="evaluator_id",
                          ko=f"{user.name} 평가위원은 이미 이 신청에 배정되었습니다.",
                          en=f"{user.name} is already assigned to this application.") from None
    _audit(db, who, "assign", row, evaluator_id=user.id)
    firm = db.get(FirmRow, row.firm_id)
    assert firm is not None
    found = detect(_facts(db, user.id), FirmFacts(firm.id, firm.brn, firm.region), rubric,
                   on or utcnow().astimezone(KST).date())
    if found:
        reason = " ".join(c.ko for c in found) + " / " + " ".join(c.en for c in found)
        _exclude(db, None, row, assignment, found[0].ground, reason)
    else:
        apps._notify(db, [user.id], "committee_assigned", f"신청 #{row.id} 평가위원으로 배정되었습니다.",
                     f"You were assigned to evaluate application #{row.id}.", f"/evaluator/applications/{row.id}",
                     {"application": row.id})
    return assignment


def _exclude(db: Session, who: Principal | None, row: ApplicationRow, assignment: AssignmentRow, ground: Ground,
             reason: str) -> None:
    assignment.excluded_at = utcnow()
    assignment.ground = ground.value
    assignment.reason = reason
    assignment.excluded_by = who.user_id if who else None
    db.flush()
    _audit(db, who, "exclude", row, evaluator_id=assignment.evaluator_id, ground=ground.value,
           kind=KIND_OF[ground].value, reason=reason)


def _reason(reason: str, field: str = "reason") -> str:
    text = normalize_text(reason).strip()
    if not text:
        raise DomainError(code="reason_required", field=field, ko="사유를 적어 주세요.", en="Give the reason.")
    return text[:2000]


def _my_assignment(db: Session, who: Principal, app_id: int) -> tuple[ApplicationRow, AssignmentRow]:
    """The evaluator's active assignment on the application; 404 otherwise (as for any
    application they cannot see)."""
    _evaluator(who)
    row, _ = apps.get(db, who, app_id)  # 404 unless assigned, not excluded, and in evaluation
    assignment = db.scalar(select(AssignmentRow).where(AssignmentRow.application_id == app_id,
                                                       AssignmentRow.evaluator_id == who.user_id,
                                                       AssignmentRow.excluded_at.is_(None)))
    if assignment is None:
        raise apps.NOT_FOUND
    return row, assignment


def declare_conflict(db: Session, who: Principal, app_id: int, reason: str) -> AssignmentRow:
    """회피: the evaluator declares a conflict of interest and is excluded; their scores, if any,
    no longer count. The officers are told."""
    text = _reason(reason)
    row, assignment = _my_assignment(db, who, app_id)
    _undecided(db, row)
    _exclude(db, who, row, assignment, Ground.declared, text)
    _tell_officers(db, row, f"신청 #{row.id}: 평가위원 {josa(str(who.name), '이')} 이해충돌로 회피했습니다.",
                   f"Application #{row.id}: evaluator {who.name} declared a conflict and was excluded.")
    return assignment


def challenge(db: Session, who: Principal, app_id: int, assignment_id: int, reason: str) -> AssignmentRow:
    """기피: the officer records the firm's challenge of an evaluator, accepted; the evaluator
    is excluded with the reason."""
    text = _reason(reason)
    row = _officer_app(db, who, app_id)
    _undecided(db, row)
    assignment = db.get(AssignmentRow, assignment_id)
    if assignment is None or assignment.application_id != row.id:
        raise DomainError(code="not_found", field="assignment_id", ko="배정을 찾을 수 없습니다.",
                          en="Assignment not found.")
    if assignment.excluded_at is not None:
        raise DomainError(code="already_excluded", field="assignment_id", ko="이미 제외된 평가위원입니다.",
                          en="That evaluator is already excluded.")
    _exclude(db, who, row, assignment, Ground.challenged, text)
    return assignment


def _tell_officers(db: Session, row: ApplicationRow, ko: str, en: str) -> None:
    apps._notify(db, officers_of(db, row.agency_id), "committee", ko, en, f"/officer/applications/{row.id}/committee",
                 {"application": row.id})


def officers_of(db: Session, agency_id: str) -> list[int]:
    from onestop.accounts.tables import UserRow

    return list(db.scalars(select(UserRow.id).where(UserRow.role == Role.officer.value,
                                                    UserRow.agency_id == agency_id, UserRow.is_active.is_(True))))


# --- scores -----------------------------------------------------------------------------------

def submit_scores(db: Session, who: Principal, engine: Engine, app_id: int, levels: dict[str, Any],
                  comment: str = "") -> ScoreRow:
    """The evaluator's level for every rubric item; replaced by a later submission until the
    committee decides. Raises `rubric_scores` naming each item missing or out of range."""
    row, assignment = _my_assignment(db, who, app_id)
    _undecided(db, row)
    rubric = rubric_of(engine.catalog.get(row.program_id))
    parsed = {k: _level(v) for k, v in levels.items()}
    total = score_total(rubric, parsed)
    score = db.scalar(select(ScoreRow).where(ScoreRow.assignment_id == assignment.id))
    if score is None:
        score = ScoreRow(assignment_id=assignment.id, levels={}, total_hundredths=0)
        db.add(score)
    score.levels = parsed
    score.total_hundredths = hundredths(total)
    score.comment = normalize_text(comment).strip()[:4000]
    score.submitted_at = utcnow()
    db.flush()
    _audit(db, who, "score", row, evaluator_id=who.user_id, levels=parsed, total=str(points(score.total_hundredths)))
    return score


def _level(value: Any) -> Any:
    """Form values arrive as text: "4" is 4; anything else is left for `score_total` to name."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def score_of(db: Session, assignment_id: int) -> ScoreRow | None:
    return db.scalar(select(ScoreRow).where(ScoreRow.assignment_id == assignment_id))


# --- the committee as the officer sees it ------------------------------------------------------

@dataclass(frozen=True)
class Member:
    assignment: AssignmentRow
    name: str
    email: str
    score: ScoreRow | None

    @property
    def excluded(self) -> bool:
        return self.assignment.excluded_at is not None

    @property
    def total(self) -> Decimal | None:
        return points(self.score.total_hundredths) if self.score else None

    def exclusion(self) -> tuple[str, str, str, str] | None:
        """(kind ko, kind en, ground ko, ground en) of an exclusion."""
        if self.assignment.ground is None:
            return None
        ground = Ground(self.assignment.ground)
        kind = KIND_NAMES[KIND_OF[ground]]
        names = GROUND_NAMES[ground]
        return kind[0], kind[1], names[0], names[1]


@dataclass(frozen=True)
class Committee:
    application: ApplicationRow
    rubric: Rubric
    members: list[Member]
    result: Aggregate | None
    recommended: Outcome | None
    decision: DecisionRow | None

    @property
    def counted(self) -> list[Member]:
        return [m for m in self.members if not m.excluded and m.score is not None]


def members(db: Session, app_id: int) -> list[Member]:
    from onestop.accounts.tables import UserRow

    rows = db.execute(select(AssignmentRow, UserRow).join(UserRow, UserRow.id == AssignmentRow.evaluator_id)
                      .where(AssignmentRow.application_id == app_id).order_by(AssignmentRow.id)).all()
    scores = {s.assignment_id: s for s in db.scalars(select(ScoreRow).join(
        AssignmentRow, AssignmentRow.id == ScoreRow.assignment_id).where(AssignmentRow.application_id == app_id))}
    return [Member(a, u.name, u.email, scores.get(a.id)) for a, u in rows]


def committee(db: Session, who: Principal, engine: Engine, app_id: int) -> Committee:
    """The committee of an application for its officers: members, exclusions, scores, the
    aggregate by the documented rule, what it suggests, and the decision once made."""
    row = _officer_app(db, who, app_id)
    rubric = rubric_of(engine.catalog.get(row.program_id))
    people = members(db, app_id)
    totals = [Fraction(m.score.total_hundredths, 100) for m in people if not m.excluded and m.score is not None]
    result = aggregate(totals) if totals else None
    return Committee(row, rubric, people, result, recommended(rubric, result) if result else None,
                     decision_of(db, app_id))


def decision_of(db: Session, app_id: int) -> DecisionRow | None:
    return db.scalar(select(DecisionRow).where(DecisionRow.application_id == app_id))


def decide(db: Session, who: Principal, engine: Engine, app_id: int, outcome: str, reasons: str,
           expected_version: int | None) -> DecisionRow:
    """Record the committee's decision and make it the application's (선정 / 예비 선정 /
    미선정, through the lifecycle, so selecting still needs an eligible result or an override).
    Stored with it: every score and exclusion, the rubric, the aggregation rule and result, the
    rules checked at submission, and whether the decision departs from what the score suggests.
    Raises `quorum` with too few scores, `reason_required` without reasons."""
    text = _reason(reasons, "reasons")
    try:
        chosen = Outcome(outcome)
    except ValueError:
        raise DomainError(code="outcome_invalid", field="outcome",
                          ko="결정은 선정, 예비 선정, 미선정 중에서 고르세요.",
                          en="Choose the decision: approve, waitlist or reject.") from None
    view = committee(db, who, engine, app_id)
    row = view.application
    _in_evaluation(row)
    _undecided(db, row)
    counted = view.counted
    check_quorum(view.rubric, len(counted))
    assert view.result is not None and view.recommended is not None
    record = {
        "rubric": view.rubric.model_dump(mode="json"),
        "scores": [{"evaluator_id": m.assignment.evaluator_id, "name": m.name, "levels": m.score.levels,
                    "total": str(m.total), "comment": m.score.comment} for m in counted if m.score is not None],
        "excluded": [{"evaluator_id": m.assignment.evaluator_id, "name": m.name, "ground": m.assignment.ground,
                      "kind": KIND_OF[Ground(m.assignment.ground)].value if m.assignment.ground else None,
                      "reason": m.assignment.reason} for m in view.members if m.excluded],
        "aggregate": {"mean": str(view.result.shown), "rule_ko": view.result.rule_ko, "rule_en": view.result.rule_en,
                      "kept": [str(points(hundredths(x))) for x in view.result.kept],
                      "dropped": [str(points(hundredths(x))) for x in view.result.dropped]},
        "pass_mark": view.rubric.pass_mark,
        "rules_checked": row.eligibility,
        "override": row.override,
        "recommended": view.recommended.value,
        "departs": chosen != view.recommended,
    }
    with db.begin_nested():  # the application's move refuses (e.g. not eligible): nothing is recorded
        apps.act(db, who, app_id, chosen.value, expected_version, f"평가위원회 결정 / Committee decision: {text}")
        decision = DecisionRow(application_id=row.id, outcome=chosen.value, recommended=view.recommended.value,
                               reasons=text, aggregate_hundredths=hundredths(view.result.mean), record=record,
                               decided_by=who.user_id)
        db.add(decision)
        db.flush()
    _audit(db, who, "decide", row, outcome=chosen.value, recommended=view.recommended.value, reasons=text,
           aggregate=record["aggregate"], scores=record["scores"], excluded=record["excluded"],
           departs=record["departs"])
    return decision


# --- the evaluator's own view -----------------------------------------------------------------

@dataclass(frozen=True)
class Assigned:
    assignment: AssignmentRow
    application: ApplicationRow
    firm_name: str
    scored: bool


def my_assignments(db: Session, who: Principal) -> list[Assigned]:
    """Every assignment of the evaluator, newest first, excluded ones included (with why); the
    application's details open only while assigned and in evaluation."""
    _evaluator(who)
    rows = db.execute(select(AssignmentRow, ApplicationRow, FirmRow.name)
                      .join(ApplicationRow, ApplicationRow.id == AssignmentRow.application_id)
                      .join(FirmRow, FirmRow.id == ApplicationRow.firm_id)
                      .where(AssignmentRow.evaluator_id == who.user_id)
                      .order_by(AssignmentRow.id.desc()).limit(500)).all()
    scored = set(db.scalars(select(ScoreRow.assignment_id).join(AssignmentRow, AssignmentRow.id == ScoreRow.assignment_id)
                            .where(AssignmentRow.evaluator_id == who.user_id)))
    return [Assigned(a, app, name, a.id in scored) for a, app, name in rows]


def my_evaluation(db: Session, who: Principal, engine: Engine, app_id: int) -> tuple[ApplicationRow, Rubric, ScoreRow | None]:
    """What an assigned evaluator scores: the application, the rubric and their scores so far.
    An evaluator not assigned (or excluded) gets 404, as for an application that does not exist."""
    row, assignment = _my_assignment(db, who, app_id)
    apps.view_for_review(db, who, app_id)  # the firm's data is opened: recorded
    return row, rubric_of(engine.catalog.get(row.program_id)), score_of(db, assignment.id)
