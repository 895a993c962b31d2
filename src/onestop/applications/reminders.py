"""Deadline reminders: a firm whose draft (or unanswered supplement request) is due within N
Korean business days hears of it once, in the app and by email, so that a deadline is not
first noticed when `onestop expire` closes the application.

Run daily from cron (`onestop remind --days N`). Business days are counted in KST with
Korean public holidays excluded (`consultations.business_days_between`): "3 business days
left" across Seollal is a week on the calendar, and the reminder must come that much earlier.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onestop.alerts.tables import DeadlineReminderRow
from onestop.applications.consultations import business_days_after, business_days_between
from onestop.applications.lifecycle import State
from onestop.applications.services import _notify_firm
from onestop.applications.tables import ApplicationRow
from onestop.korea.dates import KST
from onestop.platform.db import utcnow

#: the states in which the firm still has something to hand in before the deadline
WAITING_ON_FIRM = (State.draft.value, State.supplement_requested.value)


def window_end(today: date, days: int) -> datetime:
    """The first moment (KST midnight) whose deadline is more than `days` business days after
    `today`: every deadline before it is due a reminder, a deadline on the weekend or holiday
    after the N-th business day included (the working time left is the same)."""
    return datetime.combine(business_days_after(today, days + 1), time(0), tzinfo=KST)


def message(app_id: int, state: str, left: int, deadline: datetime) -> tuple[str, str]:
    """The reminder's Korean and English title (it is also the email's subject and body)."""
    shown = f"{deadline.astimezone(KST):%Y-%m-%d %H:%M} KST"
    if state == State.supplement_requested.value:
        todo_ko, todo_en = "요청된 보완 서류를 올려 주세요.", "Please upload the documents requested."
    else:
        todo_ko, todo_en = "서류를 제출해 주세요.", "Please complete and submit your application."
    if left == 0:
        return (f"신청 #{app_id} 마감이 오늘입니다 ({shown}). {todo_ko}",
                f"Application #{app_id} is due today ({shown}). {todo_en}")
    days_en = "1 business day" if left == 1 else f"{left} business days"
    return (f"신청 #{app_id} 마감이 {left}영업일 남았습니다 ({shown}). {todo_ko}",
            f"Application #{app_id} is due in {days_en} ({shown}). {todo_en}")


def send_reminders(db: Session, days: int = 3, now: datetime | None = None) -> int:
    """Remind the firms whose deadline is within `days` business days; returns how many
    applications were reminded. Each (application, deadline) is reminded once, however often
    this runs; an extended deadline is a new deadline and is reminded of again."""
    now = now or utcnow()
    today = now.astimezone(KST).date()
    already = exists().where(DeadlineReminderRow.application_id == ApplicationRow.id,
                             DeadlineReminderRow.deadline_at == ApplicationRow.deadline_at)
    due = select(ApplicationRow).where(
        ApplicationRow.state.in_(WAITING_ON_FIRM),
        ApplicationRow.deadline_at > now,
        ApplicationRow.deadline_at < window_end(today, days),
        ~already,
    ).order_by(ApplicationRow.deadline_at, ApplicationRow.id)
    created = 0
    for row in db.scalars(due).all():
        deadline = row.deadline_at
        assert deadline is not None
        try:
            with db.begin_nested():  # a second `remind` running at the same moment: one wins
                db.add(DeadlineReminderRow(application_id=row.id, deadline_at=deadline))
                db.flush()
        except IntegrityError:
            continue
        left = business_days_between(today, deadline.astimezone(KST).date())
        ko, en = message(row.id, row.state, left, deadline)
        _notify_firm(db, row, "deadline_reminder", ko, en)
        created += 1
    db.flush()
    return created
