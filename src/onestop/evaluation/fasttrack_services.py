"""Fast-track use cases: entering the queue, the queue with the time left, and the scheduled
check that records decisions, breaches and escalates each breach to the agency's officers
once (`onestop fasttrack check`, from cron like `onestop remind`). Rules: `fasttrack`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal, Role
from onestop.applications import services as apps
from onestop.applications.lifecycle import Actor, State
from onestop.applications.tables import ApplicationRow
from onestop.audit import services as audit
from onestop.errors import DomainError
from onestop.evaluation.fasttrack import Band, TimeLeft, deadline, decided_late, due_on, qualifies, time_left
from onestop.evaluation.fasttrack_tables import FastTrackRow
from onestop.firms.tables import FirmRow
from onestop.matching.services import Engine
from onestop.platform.db import utcnow

#: the states an application may enter the fast track in: submitted, not yet decided
UNDECIDED = (State.submitted.value, State.document_check.value, State.supplement_requested.value,
             State.resubmitted.value, State.evaluation.value)
#: the application's moves that end the wait (a decision, or the firm leaving)
DECIDED = {State.approved.value, State.rejected.value, State.waitlisted.value, State.withdrawn.value,
           State.expired.value}


def _audit(db: Session, who: Principal | None, action: str, row: ApplicationRow, **data: Any) -> None:
    audit.record(db, actor=who.role.value if who else "system", actor_user_id=who.user_id if who else None,
                 action=f"fasttrack.{action}", subject=f"application:{row.id}",
                 data={"firm_id": row.firm_id, "program_id": row.program_id, **data})


def enter(db: Session, engine: Engine, app_id: int, band: Band, source: str, who: Principal | None = None,
          now: datetime | None = None) -> FastTrackRow:
    """Put a submitted, undecided application on the fast track when it qualifies (the rules
    passed at submission and the band is one the program lists); entering twice returns the
    first entry. `who` (an officer of the agency) when a person enters the band, None for the
    scheduled check. Raises DomainError naming why an application does not qualify."""
    if who is not None:
        row, actor = apps.get(db, who, app_id)
        if actor != Actor.officer:
            raise DomainError(code="forbidden", ko="기관 담당자만 패스트트랙을 지정할 수 있습니다.",
                              en="Only the agency's officers put applications on the fast track.")
    else:
        found = db.get(ApplicationRow, app_id)
        if found is None:
            raise apps.NOT_FOUND
        row = found
    existing = db.get(FastTrackRow, app_id)
    if existing is not None:
        return existing
    spec = engine.catalog.get(row.program_id).spec
    status = (row.eligibility or {}).get("status")
    if spec.fast_track is None:
        raise DomainError(code="no_fast_track", field="application",
                          ko=f"{spec.name.ko}에는 패스트트랙이 없습니다.", en=f"{spec.name.en} has no fast track.")
    if row.state not in UNDECIDED:
        raise DomainError(code="illegal_state", field="application",
                          ko="접수되어 결정을 기다리는 신청만 패스트트랙에 오릅니다.",
                          en="Only submitted applications awaiting a decision enter the fast track.")
    if not qualifies(spec.fast_track, status, band):
        if status != "eligible":
            raise DomainError(code="not_eligible", field="application",
                              ko="접수 시 자격 확인을 통과하지 않은 신청은 패스트트랙 대상이 아닙니다.",
                              en="An application that did not pass the eligibility check at submission does not "
                                 "enter the fast track.")
        raise DomainError(code="band", field="band",
                          ko=f"{band.value} 등급은 이 사업의 패스트트랙 대상({', '.join(spec.fast_track.bands)})이 아닙니다.",
                          en=f"Band {band.value} is not one this program fast-tracks ({', '.join(spec.fast_track.bands)}).")
    now = now or utcnow()
    entry = FastTrackRow(application_id=row.id, program_id=row.program_id, agency_id=row.agency_id, band=band.value,
                         band_source=source[:100], service_days=spec.fast_track.service_days, entered_at=now,
                         due_on=due_on(now, spec.fast_track.service_days))
    db.add(entry)
    db.flush()
    _audit(db, who, "enter", row, band=band.value, band_source=source, service_days=entry.service_days,
           due_on=entry.due_on.isoformat())
    return entry


def band_of(db: Session, app_id: int) -> tuple[Band, str] | None:
    """The credit model's band for an application and the model version, once the evaluation
    feature provides `evaluation.services.recommendation_for(session, application_id)`; None
    without it (or without statements): a person then reviews it on the ordinary track."""
    try:
        from onestop.evaluation import services as evaluation  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    recommendation = evaluation.recommendation_for(db, app_id)
    if recommendation is None:
        return None
    band = getattr(recommendation, "band", None)
    try:
        return Band(str(getattr(band, "value", band))), str(getattr(recommendation, "model_version", "model"))
    except ValueError:
        return None


def on_application_submitted(db: Session, engine: Engine, row: ApplicationRow) -> None:
    """Hook (platform.hooks.APPLICATION_SUBMITTED, after the recommendation is stored): a crisis
    fund's application whose rules passed and whose band qualifies enters the fast track at the
    moment it is submitted; the service level counts from then. Anything else stays on the
    ordinary track (the scheduled check enters it later if a band arrives)."""
    spec = engine.catalog.get(row.program_id).spec.fast_track
    if spec is None:
        return
    banded = band_of(db, row.id)
    if banded is not None and qualifies(spec, (row.eligibility or {}).get("status"), banded[0]):
        enter(db, engine, row.id, banded[0], banded[1], now=row.submitted_at)


@dataclass
class Sweep:
    entered: int = 0
    decided: int = 0
    breached: int = 0
    escalated: int = 0


def check(db: Session, engine: Engine, now: datetime | None = None) -> Sweep:
    """The scheduled check: enter qualifying applications the model has banded, record
    decisions (late ones count as breaches), mark applications past their service level as
    breached and escalate each to the agency's officers once — in the app and by email (the
    outbox) — however often and however many times at once it runs (a conditional update: on
    PostgreSQL the second runner finds it already escalated)."""
    now = now or utcnow()
    result = Sweep()
    programs = [p.id for p in engine.programs if p.spec.fast_track is not None]
    waiting = db.scalars(select(ApplicationRow.id).where(
        ApplicationRow.program_id.in_(programs), ApplicationRow.state.in_(UNDECIDED),
        ~select(FastTrackRow.application_id).where(FastTrackRow.application_id == ApplicationRow.id).exists(),
    ).order_by(ApplicationRow.id)).all()
    for app_id in waiting:
        banded = band_of(db, app_id)
        row = db.get(ApplicationRow, app_id)
        assert row is not None
        spec = engine.catalog.get(row.program_id).spec.fast_track
        if banded is not None and qualifies(spec, (row.eligibility or {}).get("status"), banded[0]):
            enter(db, engine, app_id, banded[0], banded[1], now=now)
            result.entered += 1
    for entry in db.scalars(select(FastTrackRow).where(FastTrackRow.decided_at.is_(None))
                            .order_by(FastTrackRow.due_on)).all():
        decided = _decided_at(db, entry.application_id)
        end = deadline(entry.entered_at, entry.service_days)
        if decided is not None:
            entry.decided_at = decided
            result.decided += 1
            if decided_late(entry.entered_at, entry.service_days, decided) and entry.breached_at is None:
                entry.breached_at = end
                result.breached += 1
            continue
        if now >= end:
            if entry.breached_at is None:
                entry.breached_at = now
                result.breached += 1
            if _escalate(db, entry, now):
                result.escalated += 1
    db.flush()
    return result


def _decided_at(db: Session, app_id: int) -> datetime | None:
    for event in apps.timeline(db, app_id):
        if event.to_state in DECIDED and event.from_state != event.to_state:
            return event.at
    return None


def _escalate(db: Session, entry: FastTrackRow, now: datetime) -> bool:
    """Tell the agency's officers, once: only the runner whose update finds it unescalated does."""
    from onestop.evaluation.committee_services import officers_of

    db.flush()
    won = db.execute(update(FastTrackRow).where(FastTrackRow.application_id == entry.application_id,
                                                FastTrackRow.escalated_at.is_(None))
                     .values(escalated_at=now).execution_options(synchronize_session=False))
    if getattr(won, "rowcount", 0) != 1:
        db.refresh(entry)
        return False
    db.refresh(entry)
    row = db.get(ApplicationRow, entry.application_id)
    assert row is not None
    left = time_left(entry.entered_at, entry.service_days, now)
    apps._notify(db, officers_of(db, entry.agency_id), "fast_track_breach",
                 f"패스트트랙 처리 기한 초과: 신청 #{row.id} ({entry.service_days}영업일, {left.due.isoformat()}까지)",
                 f"Fast-track service level missed: application #{row.id} ({entry.service_days} business days, "
                 f"due {left.due.isoformat()})", f"/officer/applications/{row.id}", {"application": row.id})
    _audit(db, None, "escalate", row, due_on=entry.due_on.isoformat(), service_days=entry.service_days)
    return True


@dataclass(frozen=True)
class Queued:
    entry: FastTrackRow
    application: ApplicationRow
    firm_name: str
    left: TimeLeft


def _officer(who: Principal) -> None:
    if who.role not in (Role.officer, Role.admin):
        raise DomainError(code="forbidden", ko="기관 담당자 전용입니다.", en="For agency officers.")


def queue(db: Session, who: Principal, now: datetime | None = None, include_decided: bool = False) -> list[Queued]:
    """The agency's fast-track applications (all agencies for an administrator), soonest due
    first, each with the time left against its service level."""
    _officer(who)
    now = now or utcnow()
    q = (select(FastTrackRow, ApplicationRow, FirmRow.name)
         .join(ApplicationRow, ApplicationRow.id == FastTrackRow.application_id)
         .join(FirmRow, FirmRow.id == ApplicationRow.firm_id))
    if who.role == Role.officer:
        q = q.where(FastTrackRow.agency_id == who.agency_id)
    if not include_decided:
        q = q.where(ApplicationRow.state.in_(UNDECIDED))
    rows = db.execute(q.order_by(FastTrackRow.due_on, FastTrackRow.application_id).limit(500)).all()
    return [Queued(e, a, name, time_left(e.entered_at, e.service_days, now)) for e, a, name in rows]


@dataclass(frozen=True)
class Counts:
    waiting: int
    breached: int
    escalated: int
    decided_in_time: int


def counts(db: Session, who: Principal) -> Counts:
    """How the agency is doing against the service level: waiting now, breaches (decided late
    or past due undecided), escalations, decisions in time."""
    _officer(who)
    scope = [FastTrackRow.agency_id == who.agency_id] if who.role == Role.officer else []

    def n(*where: Any) -> int:
        return db.scalar(select(func.count()).select_from(FastTrackRow).where(*scope, *where)) or 0

    return Counts(waiting=n(FastTrackRow.decided_at.is_(None)), breached=n(FastTrackRow.breached_at.is_not(None)),
                  escalated=n(FastTrackRow.escalated_at.is_not(None)),
                  decided_in_time=n(FastTrackRow.decided_at.is_not(None), FastTrackRow.breached_at.is_(None)))


def entry_of(db: Session, app_id: int) -> FastTrackRow | None:
    return db.get(FastTrackRow, app_id)
