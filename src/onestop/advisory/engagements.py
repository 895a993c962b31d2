"""Long-term advisory (경영닥터제, 비즈니스 멘토링, 중견기업 키우기): the expert who took a need turns
it into an engagement, reports each session, and ends it with an assessment the firm sees.
One use case per function."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.accounts.memberships import owners
from onestop.accounts.model import Principal
from onestop.advisory import services
from onestop.advisory.tables import EngagementRow, EngagementSessionRow, NeedRow
from onestop.alerts.outbox import notify
from onestop.errors import DomainError
from onestop.korea.hangul import josa
from onestop.text import identifier, text

#: the corps' long-term programmes (seed 003: 350 firms a year in medium/long-term advisory)
KINDS: dict[str, tuple[str, str]] = {
    "management_doctor": ("경영닥터제", "Management doctor"),
    "business_mentoring": ("비즈니스 멘토링", "Business mentoring"),
    "midsize_growth": ("중견기업 키우기", "Growing into a mid-sized firm"),
}
MAX_SESSIONS = 52


def of_need(db: Session, need_id: int) -> tuple[EngagementRow | None, list[EngagementSessionRow]]:
    row = db.scalar(select(EngagementRow).where(EngagementRow.need_id == need_id))
    if row is None:
        return None, []
    return row, list(db.scalars(select(EngagementSessionRow).where(EngagementSessionRow.engagement_id == row.id)
                                .order_by(EngagementSessionRow.held_on, EngagementSessionRow.id)))


def _taken_by_me(db: Session, who: Principal, need_id: int) -> tuple[NeedRow, int]:
    need, mine = services._my_route(db, who, need_id)
    if mine.state != "taken" or need.state == "closed":
        raise DomainError(code="conflict", field="kind", ko="수락한 진행 중인 요청만 장기 자문으로 이어갈 수 있습니다.",
                          en="Only a request you took and that is still open can become a long-term engagement.")
    return need, mine.expert_id


def start(db: Session, who: Principal, need_id: int, kind: str, planned: str, now: datetime | None = None) -> EngagementRow:
    """The expert who took the need starts a long-term engagement with a planned number of sessions."""
    need, expert_id = _taken_by_me(db, who, need_id)
    if of_need(db, need_id)[0] is not None:
        raise DomainError(code="conflict", field="kind", ko="이미 장기 자문이 시작된 요청입니다.",
                          en="A long-term engagement already exists for this request.")
    kind = text(kind)
    if kind not in KINDS:
        raise DomainError(code="invalid", field="kind",
                          ko="장기 자문 종류를 고르세요: " + ", ".join(k[0] for k in KINDS.values()) + ".",
                          en="Choose the kind: " + ", ".join(k[1] for k in KINDS.values()) + ".")
    n = identifier(planned)
    if not (n.isascii() and n.isdigit()) or not 1 <= int(n) <= MAX_SESSIONS:
        raise DomainError(code="invalid", field="planned_sessions", ko=f"계획 회차는 1–{MAX_SESSIONS}회입니다.",
                          en=f"Plan 1 to {MAX_SESSIONS} sessions.")
    row = EngagementRow(need_id=need.id, expert_id=expert_id, kind=kind, planned_sessions=int(n), state="active",
                        started_on=services.today_kst(now), assessment="")
    db.add(row)
    k_ko, k_en = KINDS[kind]
    what = f"자문 요청 #{need.id}"
    notify(db, owners(db, need.firm_id), "advisory_engagement",
           f"{josa(what, '은')} {josa(k_ko, '으로')} 이어집니다 ({n}회).",
           f"Advisory request #{need.id} continues as {k_en} ({n} sessions).", link=f"/advisory/needs/{need.id}")
    db.flush()
    return row


def _active(db: Session, who: Principal, need_id: int) -> EngagementRow:
    _taken_by_me(db, who, need_id)
    row = of_need(db, need_id)[0]
    if row is None or row.state != "active":
        raise DomainError(code="conflict", field="report", ko="진행 중인 장기 자문이 없습니다.",
                          en="There is no engagement in progress on this request.")
    return row


def add_session(db: Session, who: Principal, need_id: int, held_on: str, report: str,
                now: datetime | None = None) -> EngagementSessionRow:
    """The expert reports a session: its date (not in the future) and what was done."""
    row = _active(db, who, need_id)
    try:
        day = date.fromisoformat(identifier(held_on))
    except ValueError:
        raise DomainError(code="invalid", field="held_on", ko="자문일은 YYYY-MM-DD 형식으로 쓰세요.",
                          en="Give the session's date as YYYY-MM-DD.") from None
    today = services.today_kst(now)
    if day > today or day < row.started_on:
        raise DomainError(code="invalid", field="held_on",
                          ko=f"자문일은 시작일({row.started_on})부터 오늘({today}) 사이여야 합니다.",
                          en=f"The session's date is between the start ({row.started_on}) and today ({today}).")
    report = text(report)
    if not 10 <= len(report) <= 4000:
        raise DomainError(code="invalid", field="report", ko="자문 보고를 10–4000자로 쓰세요.",
                          en="Write the session's report in 10–4000 characters.")
    session = EngagementSessionRow(engagement_id=row.id, held_on=day, report=report)
    db.add(session)
    db.flush()
    return session


def end(db: Session, who: Principal, need_id: int, assessment: str, goals_met: str,
        now: datetime | None = None) -> EngagementRow:
    """The expert ends the engagement with an assessment and whether its goals were met."""
    row = _active(db, who, need_id)
    assessment = text(assessment)
    if not 10 <= len(assessment) <= 4000:
        raise DomainError(code="invalid", field="assessment", ko="종료 평가를 10–4000자로 쓰세요.",
                          en="Write the end assessment in 10–4000 characters.")
    if goals_met not in ("yes", "no"):
        raise DomainError(code="invalid", field="goals_met", ko="목표를 달성했는지 고르세요.",
                          en="Say whether the goals were met.")
    if not of_need(db, need_id)[1]:
        raise DomainError(code="conflict", field="assessment", ko="자문 회차를 하나 이상 보고한 뒤에 종료할 수 있습니다.",
                          en="Report at least one session before ending the engagement.")
    row.state, row.assessment, row.goals_met, row.ended_on = "ended", assessment, goals_met == "yes", services.today_kst(now)
    db.flush()
    return row
