"""Outcome reports: scheduled when support is executed, submitted by the firm, reviewed by the
agency's officer, reminded of through the outbox. One use case per function."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onestop.accounts.memberships import owners
from onestop.accounts.model import Principal
from onestop.alerts.outbox import notify
from onestop.applications.consultations import business_days_after
from onestop.audit import services as audit
from onestop.errors import DomainError
from onestop.firms.facts import derive
from onestop.firms.services import profiles_by_id
from onestop.korea.dates import KST
from onestop.outcomes import dashboard
from onestop.outcomes.model import MEASURES, OutcomePlan, check_recorded, check_report, is_jump, schedule
from onestop.outcomes.tables import OutcomeReportRow, RecordedOutcomeRow
from onestop.platform.db import utcnow
from onestop.text import text

OPEN_STATES = ("due", "returned")

_NOT_FOUND = DomainError(code="not_found", field="report_id", ko="성과 보고를 찾을 수 없습니다.",
                         en="No such outcome report.")


def today_kst(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(KST).date()


def plan_of(db: Session, program_id: str) -> OutcomePlan | None:
    """The outcome plan the program's current catalog version declares (None: it declares none)."""
    from onestop.catalog.services import current_spec

    found = current_spec(db, program_id)
    if found is None:
        return None
    raw = found[1].spec.get("outcomes")
    return None if raw is None else OutcomePlan.model_validate(raw)


#: `db.info` key: the KST date of an execution entered after the fact (the demo's history of
#: support given in 2025–2026, an agency's records moved from its old system). Without it the
#: execution is dated today.
EXECUTED_ON = "outcomes.executed_on"


def on_application_moved(db: Session, row: Any, action: str, before: str) -> None:
    """Hook (platform.hooks): executing the support writes its summary row (the dashboards'
    figures) and schedules the program's outcome reports, one per reporting period, due dates
    counted in Korean business days from the KST execution date (today, or the date under
    `EXECUTED_ON` in the session's info for an execution entered after the fact)."""
    if action != "execute":
        return
    given = db.info.get(EXECUTED_ON)
    executed = given if isinstance(given, date) else today_kst()
    dashboard.record_execution(db, row, executed)
    plan = plan_of(db, row.program_id)
    if plan is None:
        return
    for due in schedule(plan, executed):
        db.add(OutcomeReportRow(application_id=row.id, firm_id=row.firm_id, program_id=row.program_id,
                                agency_id=row.agency_id, executed_on=executed, after_months=due.after_months,
                                period_end=due.period_end, due_on=due.due_on, state="due", values={},
                                confirmed=[], review_note=""))


#: the audit log's actions on an outcome report, as the report's history names them
AUDIT_ACTIONS: dict[str, tuple[str, str]] = {
    "outcome_report.submit": ("제출", "Submitted"),
    "outcome_report.correct": ("보완 제출(반려 후 수정)", "Corrected and re-submitted"),
    "outcome_report.confirm_jump": ("10배 이상 변동 확인", "Ten-fold change confirmed"),
    "outcome_report.accept": ("승인", "Accepted"),
    "outcome_report.return": ("반려(보완 요청)", "Returned for correction"),
}


def _audit(db: Session, who: Principal, action: str, row: OutcomeReportRow, **data: Any) -> None:
    """One record on the report's own chain (`outcome_report:ID`), as applications do."""
    audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action=f"outcome_report.{action}",
                 subject=f"outcome_report:{row.id}",
                 data={"application_id": row.application_id, "firm_id": row.firm_id, "program_id": row.program_id,
                       "after_months": row.after_months, "state": row.state, **data})


def history(db: Session, row: OutcomeReportRow) -> list[dict[str, Any]]:
    """The report's audit records, oldest first, as the report page shows them: when, who (role),
    what (Korean and English), the confirmed measures or the officer's note."""
    out = []
    for r in audit.history(db, f"outcome_report:{row.id}"):
        ko, en = AUDIT_ACTIONS.get(r.action, ("처리", "Update"))
        out.append({"at": r.at, "actor": r.actor, "action": r.action, "ko": ko, "en": en,
                    "note": str(r.data.get("note") or ""), "measures": list(r.data.get("measures") or [])})
    return out


def _get(db: Session, report_id: int) -> OutcomeReportRow:
    row = db.get(OutcomeReportRow, report_id)
    if row is None:
        raise _NOT_FOUND
    return row


def get_for_firm(db: Session, who: Principal, report_id: int) -> OutcomeReportRow:
    """A report the acting firm member may see and fill in; not_found otherwise (no existence leak)."""
    row = _get(db, report_id)
    if row.firm_id not in who.firms:
        raise _NOT_FOUND
    return row


def get_for_officer(db: Session, who: Principal, report_id: int) -> OutcomeReportRow:
    """A report of the officer's agency (administrators see all)."""
    row = _get(db, report_id)
    if not who.is_officer or (who.agency_id is not None and who.agency_id != row.agency_id
                              and who.role.value != "admin"):
        raise _NOT_FOUND
    return row


def reports_of_firm(db: Session, who: Principal, firm_id: int) -> list[OutcomeReportRow]:
    if firm_id not in who.firms:
        raise _NOT_FOUND
    return list(db.scalars(select(OutcomeReportRow).where(OutcomeReportRow.firm_id == firm_id)
                           .order_by(OutcomeReportRow.due_on, OutcomeReportRow.id)))


def review_queue(db: Session, who: Principal) -> list[OutcomeReportRow]:
    """Submitted reports awaiting the officer's review, oldest first."""
    if not who.is_officer:
        raise DomainError(code="forbidden", ko="기관 담당자만 볼 수 있습니다.", en="Only agency officers can see this.")
    q = select(OutcomeReportRow).where(OutcomeReportRow.state == "submitted")
    if who.agency_id is not None and who.role.value != "admin":
        q = q.where(OutcomeReportRow.agency_id == who.agency_id)
    return list(db.scalars(q.order_by(OutcomeReportRow.submitted_at, OutcomeReportRow.id)))


#: reports listed on the dashboard's review queue at most (the count says how many wait)
QUEUE_LIMIT = 50


def review_queue_page(db: Session, who: Principal, limit: int = QUEUE_LIMIT) -> tuple[list[Any], int]:
    """The oldest `limit` submitted reports awaiting the officer's review (id, program,
    period), and how many wait."""
    if not who.is_officer:
        raise DomainError(code="forbidden", ko="기관 담당자만 볼 수 있습니다.", en="Only agency officers can see this.")
    cond = [OutcomeReportRow.state == "submitted"]
    if who.agency_id is not None and who.role.value != "admin":
        cond.append(OutcomeReportRow.agency_id == who.agency_id)
    n = int(db.scalar(select(func.count()).select_from(OutcomeReportRow).where(*cond)) or 0)
    t = OutcomeReportRow
    rows = db.execute(select(t.id, t.program_id, t.after_months).where(*cond)
                      .order_by(t.submitted_at, t.id).limit(limit)).all()
    return list(rows), n


def previous_figures(db: Session, row: OutcomeReportRow) -> dict[str, int | None]:
    """What a ten-fold jump is measured against: per measure, the firm's latest earlier report
    (submitted or accepted, any program) holding it, else the firm profile's own figure
    (last fiscal year's revenue and exports, regular employees)."""
    earlier = db.scalars(select(OutcomeReportRow).where(
        OutcomeReportRow.firm_id == row.firm_id, OutcomeReportRow.id != row.id,
        OutcomeReportRow.state.in_(("submitted", "accepted")),
    ).order_by(OutcomeReportRow.as_of.desc(), OutcomeReportRow.id.desc()))
    out: dict[str, int | None] = {}
    for r in earlier:
        for k, v in r.values.items():
            if isinstance(v, int) and k not in out:
                out[k] = v
    firm = profiles_by_id(db, [row.firm_id]).get(row.firm_id)
    if firm is not None:
        facts = derive(firm, today_kst())
        for measure, info in MEASURES.items():
            if info.baseline_fact and measure.value not in out:
                value = facts.get(info.baseline_fact)
                out[measure.value] = value if isinstance(value, int) else None
    return out


def submit(db: Session, who: Principal, report_id: int, raw: dict[str, str], confirmed: list[str],
           expected_version: int | None = None, now: datetime | None = None) -> OutcomeReportRow:
    """The firm files (or re-files, after a return) its figures. Raises DomainError
    `outcome_invalid` with field problems (nothing saved changes), `stale_version` when someone
    else changed the report first, `report_closed` once it was accepted."""
    row = get_for_firm(db, who, report_id)
    if row.state not in OPEN_STATES:
        raise DomainError(code="report_closed", field="report_id",
                          ko="이미 제출(또는 승인)된 보고입니다. 수정이 필요하면 담당자에게 반려를 요청하세요.",
                          en="This report was already submitted or accepted; ask the officer to return it to change it.")
    if expected_version is not None and expected_version != row.version:
        raise DomainError(code="stale_version", field="version",
                          ko="다른 사람이 먼저 이 보고를 바꾸었습니다. 새로 고친 뒤 다시 시도하세요.",
                          en="Someone else changed this report first; reload and try again.")
    plan = plan_of(db, row.program_id)
    if plan is None:
        raise _NOT_FOUND
    previous = previous_figures(db, row)
    checked = check_report(plan, {k: text(v) for k, v in raw.items()}, previous, today_kst(now), confirmed)
    correction = row.state == "returned"
    row.values = dict(checked.values)
    row.as_of = checked.as_of
    # a tick counts where the figure really jumped (the confirmation the audit log records)
    # a tick counts where the figure really jumped (the confirmation the audit log records)
    row.confirmed = sorted(m for m in set(confirmed)
                           if isinstance(v := checked.values.get(m), int) and is_jump(v, previous.get(m)))
    row.state = "submitted"
    row.submitted_at = now or utcnow()
    row.submitted_by = who.user_id
    db.flush()
    _audit(db, who, "correct" if correction else "submit", row, values=dict(row.values),
           as_of=row.as_of.isoformat() if row.as_of else None)
    if row.confirmed:
        _audit(db, who, "confirm_jump", row, measures=list(row.confirmed),
               figures={m: {"previous": previous.get(m), "reported": row.values.get(m)} for m in row.confirmed})
    return row


def review(db: Session, who: Principal, report_id: int, accept: bool, note: str,
           expected_version: int | None = None, now: datetime | None = None) -> OutcomeReportRow:
    """The officer accepts a submitted report, or returns it with a reason (required) for the
    firm to correct; the firm's owners are notified either way."""
    row = get_for_officer(db, who, report_id)
    if row.state != "submitted":
        raise DomainError(code="not_submitted", field="report_id", ko="제출된 보고만 검토할 수 있습니다.",
                          en="Only a submitted report can be reviewed.")
    if expected_version is not None and expected_version != row.version:
        raise DomainError(code="stale_version", field="version",
                          ko="다른 담당자가 먼저 검토했습니다. 새로 고친 뒤 다시 시도하세요.",
                          en="Another officer reviewed it first; reload and try again.")
    reason = text(note)
    if not accept and not reason:
        raise DomainError(code="reason_required", field="note", ko="반려 사유를 적어 주세요.",
                          en="Give the reason for returning the report.")
    row.state = "accepted" if accept else "returned"
    row.review_note = reason[:2000]
    row.reviewed_at = now or utcnow()
    row.reviewed_by = who.user_id
    if accept:
        ko, en = (f"성과 보고 #{row.id}({row.after_months}개월)가 승인되었습니다.",
                  f"Outcome report #{row.id} ({row.after_months} months) was accepted.")
    else:
        ko, en = (f"성과 보고 #{row.id}가 반려되었습니다: {reason}", f"Outcome report #{row.id} was returned: {reason}")
    notify(db, owners(db, row.firm_id), "outcome_review", ko, en, link=f"/outcomes/reports/{row.id}")
    db.flush()
    _audit(db, who, "accept" if accept else "return", row, note=row.review_note)
    return row


def reminder_message(row: OutcomeReportRow, left: int) -> tuple[str, str]:
    when = f"{row.due_on:%Y-%m-%d}"
    if left <= 0:
        return (f"성과 보고 #{row.id}({row.after_months}개월) 제출 기한({when})이 오늘이거나 지났습니다.",
                f"Outcome report #{row.id} ({row.after_months} months) is due today or overdue ({when}).")
    days_en = "1 business day" if left == 1 else f"{left} business days"
    return (f"성과 보고 #{row.id}({row.after_months}개월) 제출 기한({when})까지 {left}영업일 남았습니다.",
            f"Outcome report #{row.id} ({row.after_months} months) is due in {days_en} ({when}).")


def send_reminders(db: Session, days: int = 5, now: datetime | None = None) -> int:
    """Remind firms of outcome reports due within `days` Korean business days (or overdue) whose
    reporting period has ended, once per due date; move the application to outcome reporting
    when its first period has ended. Returns how many reports were reminded."""
    from onestop.applications.consultations import business_days_between
    from onestop.applications.services import request_outcome_by_system

    today = today_kst(now)
    horizon = business_days_after(today, days)
    due = list(db.scalars(select(OutcomeReportRow).where(
        OutcomeReportRow.state.in_(OPEN_STATES), OutcomeReportRow.period_end <= today,
        OutcomeReportRow.due_on <= horizon).order_by(OutcomeReportRow.id).with_for_update(skip_locked=True)))
    n = 0
    for row in due:
        request_outcome_by_system(db, row.application_id)
        if row.reminded_for == row.due_on:
            continue
        ko, en = reminder_message(row, business_days_between(today, row.due_on))
        notify(db, owners(db, row.firm_id), "outcome_due", ko, en, link=f"/outcomes/reports/{row.id}")
        row.reminded_for = row.due_on
        n += 1
    db.flush()
    return n


def record_outcome(db: Session, source_kind: str, source_id: int, firm_id: int | None, program_id: str, agency_id: str,
                   values: dict[str, int], occurred_on: date, sido: str = "") -> list[RecordedOutcomeRow]:
    """Record an outcome that does not come from an application's report (an export contract,
    an idle-asset deal, a placement, a course completion) so the KPI actuals count it: one row
    per measure, keyed by its source, in the caller's transaction. `firm_id` is None for an
    outcome of a person without a firm (a course completion): then `sido` (the person's 시도
    code, 2 digits) places it for 시도 targets; with a firm its profile's 시도 is used. Recording
    the same source again replaces its figures (a source is counted once); no values removes
    it. DomainError for an unknown source kind or a measure it does not carry."""
    checked = check_recorded(text(source_kind), values)
    if firm_id is not None:
        profile = profiles_by_id(db, [firm_id]).get(firm_id)
        sido = (profile.region or "")[:2] if profile is not None else ""
    else:
        sido = sido[:2]
    existing = {r.measure: r for r in db.scalars(select(RecordedOutcomeRow).where(
        RecordedOutcomeRow.source_kind == source_kind, RecordedOutcomeRow.source_id == source_id))}
    rows = []
    for measure, value in checked.items():
        row = existing.pop(measure.value, None)
        if row is None:
            row = RecordedOutcomeRow(source_kind=source_kind, source_id=source_id, measure=measure.value)
            db.add(row)
        row.firm_id, row.program_id, row.agency_id, row.sido = firm_id, program_id, agency_id, sido
        row.value, row.occurred_on = value, occurred_on
        rows.append(row)
    for stale in existing.values():
        db.delete(stale)
    db.flush()
    return rows


def recorded_of_firm(db: Session, firm_id: int) -> list[RecordedOutcomeRow]:
    """A firm's recorded outcomes, newest first (a system read; the caller authorises)."""
    return list(db.scalars(select(RecordedOutcomeRow).where(RecordedOutcomeRow.firm_id == firm_id)
                           .order_by(RecordedOutcomeRow.occurred_on.desc(), RecordedOutcomeRow.id)))
