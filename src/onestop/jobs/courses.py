"""Re-employment courses (issue 12 §5, like the FKI center's 20-hour Re-Bounce): an agency's
officers create and edit a course and its sessions and take attendance; seekers enrol (within
the enrolment window, up to the capacity, once; they may cancel before the first session), see
their progress, and book one-to-one counselling with the course's counsellor; an officer refers
an enrolled seeker to an open posting, which the seeker may apply to.

The rules are in `course_model` (pure). Here:

- capacity holds under concurrent enrolments: the course row is locked (`SELECT … FOR UPDATE` on
  PostgreSQL; SQLite serialises writers) before the active enrolments are counted;
- counselling slots are the consultation slot grid (`applications.consultations`: Korean business
  days in KST, 30 minutes from 09:00 to 17:30) on the days from the first to the last session;
  a counsellor and a seeker each hold at most one booking per slot (checked first for a clear
  message, and unique constraints when two bookings race);
- completion is recomputed whenever attendance is taken; a seeker who reaches the required hours
  is recorded as an outcome (`outcomes.services.record_outcome`, source `course_completion`,
  measure `course_completions` 1, no firm, the seeker's 시도), dated the crossing session, for
  the course's program (else its agency); a correction that takes them below removes it;
- a referral tells the firm nothing: the firm sees the seeker only after the seeker applies
  (`services.apply`); a placement on a referred posting is marked with the course
  (`placements.propose`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal, Role
from onestop.applications.consultations import is_business_day, slots
from onestop.errors import DomainError
from onestop.jobs import course_model as cm
from onestop.jobs import services
from onestop.jobs.tables import (
    JobCounsellingRow,
    JobCourseAttendanceRow,
    JobCourseEnrolmentRow,
    JobCourseRow,
    JobCourseSessionRow,
    JobPostingRow,
    JobReferralRow,
    JobSeekerRow,
)
from onestop.korea.dates import KST
from onestop.korea.hangul import josa
from onestop.outcomes.services import record_outcome
from onestop.platform.db import utcnow
from onestop.text import text

SOURCE_KIND = "course_completion"
MEASURE = "course_completions"
_NO_COURSE = DomainError(code="not_found", field="course_id", ko="교육 과정을 찾을 수 없습니다.", en="No such course.")
_NO_SESSION = DomainError(code="not_found", field="session_id", ko="교육 회차를 찾을 수 없습니다.", en="No such session.")

COUNSELLING = services.SlotKind("상담", "counselling", "counselling slot")


def _officer_of(who: Principal, course: JobCourseRow | None = None) -> bool:
    if who.role == Role.admin:
        return True
    return who.role == Role.officer and bool(who.agency_id) and (course is None or course.agency_id == who.agency_id)


def programs_of(agency_id: str) -> list[str]:
    """The catalog programs of the agency a course may belong to (its `program_id`)."""
    from onestop.catalog.loader import shipped_catalog

    return sorted(p.id for p in shipped_catalog().programs.values() if p.spec.agency == agency_id)


def counsellors_of(db: Session, agency_id: str) -> list[tuple[int, str]]:
    """The agency's officers (id, name): who may counsel a course's seekers."""
    from onestop.accounts.tables import UserRow

    return [(int(i), str(n)) for i, n in db.execute(select(UserRow.id, UserRow.name).where(
        UserRow.agency_id == agency_id, UserRow.role == Role.officer.value).order_by(UserRow.name, UserRow.id))]


def _counsellor(db: Session, who: Principal, agency_id: str, raw: str) -> int:
    allowed = dict(counsellors_of(db, agency_id))
    if not raw:
        return who.user_id
    if not raw.isdigit() or int(raw) not in allowed:
        raise DomainError(code="choice_unknown", field="counsellor_id", ko="상담 담당자는 이 기관의 담당자 가운데 고르세요.",
                          en="Choose the counsellor among this agency's officers.")
    return int(raw)


def create_course(db: Session, who: Principal, raw: Mapping[str, str]) -> JobCourseRow:
    """A course of the acting officer's agency from the form's strings (`course_model.check_course`
    plus `counsellor_id`, default the officer). DomainError: not an officer, or every problem of
    the fields at once."""
    if not _officer_of(who) or not who.agency_id:
        raise DomainError(code="forbidden", field="role", ko="기관 담당자만 교육 과정을 만들 수 있습니다.",
                          en="Only an agency officer creates courses.")
    spec = cm.check_course(raw, programs_of(who.agency_id))
    counsellor = _counsellor(db, who, who.agency_id, raw.get("counsellor_id", ""))
    row = JobCourseRow(agency_id=who.agency_id, program_id=spec.program_id, title=spec.title,
                       description=spec.description, required_minutes=spec.required_minutes, capacity=spec.capacity,
                       enrol_opens=spec.enrol_opens, enrol_closes=spec.enrol_closes, counsellor_id=counsellor,
                       created_by=who.user_id)
    db.add(row)
    db.flush()
    return row


def get_course(db: Session, course_id: int) -> JobCourseRow:
    """A course anyone may read (courses are public); not_found otherwise."""
    row = db.get(JobCourseRow, course_id)
    if row is None:
        raise _NO_COURSE
    return row


def _own_course(db: Session, who: Principal, course_id: int, lock: bool = False) -> JobCourseRow:
    row = db.get(JobCourseRow, course_id, with_for_update=lock)
    if row is None or not _officer_of(who, row):
        raise _NO_COURSE
    return row


def update_course(db: Session, who: Principal, course_id: int, raw: Mapping[str, str]) -> JobCourseRow:
    """An officer of the course's agency edits it. The capacity may not fall below the seekers
    enrolled; a new required time recomputes every completion."""
    row = _own_course(db, who, course_id, lock=True)
    spec = cm.check_course(raw, programs_of(row.agency_id))
    counsellor = _counsellor(db, who, row.agency_id, raw.get("counsellor_id", "") or str(row.counsellor_id))
    enrolled = _active_count(db, row.id)
    if spec.capacity < enrolled:
        raise DomainError(code="capacity_below_enrolled", field="capacity",
                          ko=f"정원은 이미 신청한 {enrolled}명보다 적을 수 없습니다.",
                          en=f"The capacity cannot be below the {enrolled} already enrolled.")
    required_changed = spec.required_minutes != row.required_minutes
    row.title, row.description, row.program_id = spec.title, spec.description, spec.program_id
    row.required_minutes, row.capacity = spec.required_minutes, spec.capacity
    row.enrol_opens, row.enrol_closes, row.counsellor_id = spec.enrol_opens, spec.enrol_closes, counsellor
    db.flush()
    if required_changed:
        for e in db.scalars(select(JobCourseEnrolmentRow).where(JobCourseEnrolmentRow.course_id == row.id,
                                                                JobCourseEnrolmentRow.cancelled_at.is_(None))):
            _recompute(db, row, e)
    return row


def sessions_of(db: Session, course_id: int) -> list[JobCourseSessionRow]:
    """The course's sessions in date and start order."""
    return list(db.scalars(select(JobCourseSessionRow).where(JobCourseSessionRow.course_id == course_id)
                           .order_by(JobCourseSessionRow.day, JobCourseSessionRow.starts, JobCourseSessionRow.id)))


def _session_values(row: JobCourseSessionRow, spec: cm.SessionSpec) -> None:
    row.day, row.starts, row.ends = spec.day, f"{spec.starts:%H:%M}", f"{spec.ends:%H:%M}"
    row.minutes, row.mode, row.venue = spec.minutes, spec.mode, spec.venue


def add_session(db: Session, who: Principal, course_id: int, raw: Mapping[str, str]) -> JobCourseSessionRow:
    """A session of a course of the acting officer's agency (`course_model.check_session`)."""
    course = _own_course(db, who, course_id)
    spec = cm.check_session(raw)
    row = JobCourseSessionRow(course_id=course.id)
    _session_values(row, spec)
    db.add(row)
    db.flush()
    return row


def update_session(db: Session, who: Principal, session_id: int, raw: Mapping[str, str]) -> JobCourseSessionRow:
    """Edit a session. Its credited hours may not fall below hours already recorded for someone."""
    row = db.get(JobCourseSessionRow, session_id)
    if row is None:
        raise _NO_SESSION
    course = _own_course(db, who, row.course_id)
    spec = cm.check_session(raw)
    most = db.scalar(select(func.max(JobCourseAttendanceRow.minutes)).where(JobCourseAttendanceRow.session_id == row.id)) or 0
    if spec.minutes < most:
        raise DomainError(code="hours_below_attendance", field="hours",
                          ko=f"이미 {cm.hours_label(most)}시간 출석으로 기록된 사람이 있어 인정 시간을 그보다 줄일 수 없습니다.",
                          en=f"Someone is already recorded with {cm.hours_label(most)} h; the hours cannot go below that.")
    _session_values(row, spec)
    db.flush()
    for e in db.scalars(select(JobCourseEnrolmentRow).where(JobCourseEnrolmentRow.course_id == course.id,
                                                            JobCourseEnrolmentRow.cancelled_at.is_(None))):
        _recompute(db, course, e)  # a new date may change which session crossed the hours
    return row


def _active_count(db: Session, course_id: int) -> int:
    return int(db.scalar(select(func.count(JobCourseEnrolmentRow.id)).where(
        JobCourseEnrolmentRow.course_id == course_id, JobCourseEnrolmentRow.cancelled_at.is_(None))) or 0)


def seats_left(db: Session, course: JobCourseRow) -> int:
    return max(0, course.capacity - _active_count(db, course.id))


def _me(db: Session, who: Principal) -> JobSeekerRow:
    me = services.my_seeker_row(db, who) if who.role == Role.seeker else None
    if me is None:
        raise DomainError(code="not_found", field="seeker", ko="구직 프로필을 먼저 만드세요.",
                          en="Create your job seeker profile first.")
    return me


def my_enrolment(db: Session, who: Principal | None, course_id: int) -> JobCourseEnrolmentRow | None:
    """The acting seeker's enrolment in the course (also a cancelled one), if any."""
    if who is None or who.role != Role.seeker:
        return None
    me = services.my_seeker_row(db, who)
    if me is None:
        return None
    return db.scalar(select(JobCourseEnrolmentRow).where(JobCourseEnrolmentRow.course_id == course_id,
                                                         JobCourseEnrolmentRow.seeker_id == me.id))


def enrol(db: Session, who: Principal, course_id: int, today: date) -> JobCourseEnrolmentRow:
    """The acting seeker enrols: while enrolment is open, a seat is left, and not already
    enrolled (a seeker who cancelled may enrol again while it is open). The course row is
    locked first so two enrolments for the last seat cannot both succeed."""
    me = _me(db, who)
    course = db.get(JobCourseRow, course_id, with_for_update=True)
    if course is None:
        raise _NO_COURSE
    if not cm.can_enrol(today, course.enrol_opens, course.enrol_closes):
        raise DomainError(code="enrolment_closed", field="course_id",
                          ko=f"수강 신청 기간({course.enrol_opens.isoformat()}~{course.enrol_closes.isoformat()})이 아닙니다.",
                          en=f"Enrolment is open from {course.enrol_opens.isoformat()} to {course.enrol_closes.isoformat()}.")
    existing = db.scalar(select(JobCourseEnrolmentRow).where(JobCourseEnrolmentRow.course_id == course.id,
                                                             JobCourseEnrolmentRow.seeker_id == me.id))
    if existing is not None and existing.cancelled_at is None:
        raise DomainError(code="already_enrolled", field="course_id", ko="이미 신청한 과정입니다.",
                          en="You are already enrolled in this course.")
    if _active_count(db, course.id) >= course.capacity:
        raise DomainError(code="course_full", field="course_id",
                          ko=f"정원({course.capacity}명)이 다 찼습니다.", en=f"The course is full ({course.capacity} seats).")
    if existing is not None:
        existing.cancelled_at = None
        db.flush()
        return existing
    row = JobCourseEnrolmentRow(course_id=course.id, seeker_id=me.id)
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:  # the same seeker enrolling twice at once
        raise DomainError(code="already_enrolled", field="course_id", ko="이미 신청한 과정입니다.",
                          en="You are already enrolled in this course.") from None
    return row


def cancel(db: Session, who: Principal, course_id: int, today: date) -> JobCourseEnrolmentRow:
    """The acting seeker withdraws, before the day of the first session; their counselling
    bookings of the course are released."""
    row = my_enrolment(db, who, course_id)
    if row is None or row.cancelled_at is not None:
        raise DomainError(code="not_enrolled", field="course_id", ko="신청하지 않은 과정입니다.",
                          en="You are not enrolled in this course.")
    first = next(iter(sessions_of(db, course_id)), None)
    if not cm.can_cancel(today, first.day if first else None):
        assert first is not None
        raise DomainError(code="cancel_too_late", field="course_id",
                          ko=f"첫 교육일({first.day.isoformat()}) 전까지만 취소할 수 있습니다.",
                          en=f"You can cancel only before the first session ({first.day.isoformat()}).")
    row.cancelled_at = utcnow()
    for b in db.scalars(select(JobCounsellingRow).where(JobCounsellingRow.course_id == course_id,
                                                        JobCounsellingRow.seeker_id == row.seeker_id)):
        db.delete(b)
    db.flush()
    return row


# --- attendance and completion ----------------------------------------------------------------


def _attended(db: Session, enrolment_id: int) -> list[cm.Attended]:
    rows = db.execute(select(JobCourseSessionRow.day, JobCourseSessionRow.starts, JobCourseSessionRow.id,
                             JobCourseAttendanceRow.minutes)
                      .join(JobCourseAttendanceRow, JobCourseAttendanceRow.session_id == JobCourseSessionRow.id)
                      .where(JobCourseAttendanceRow.enrolment_id == enrolment_id))
    return [cm.Attended(d, time.fromisoformat(s), int(i), int(m)) for d, s, i, m in rows]


def _recompute(db: Session, course: JobCourseRow, e: JobCourseEnrolmentRow) -> None:
    done = cm.completed_on(course.required_minutes, _attended(db, e.id))
    if done == e.completed_on:
        return
    e.completed_on = done
    seeker = db.get(JobSeekerRow, e.seeker_id)
    sido = seeker.region[:2] if seeker is not None else ""
    record_outcome(db, SOURCE_KIND, e.id, None, course.program_id, course.agency_id,
                   {MEASURE: 1} if done is not None else {}, done or course.enrol_opens, sido=sido)


@dataclass(frozen=True)
class SheetLine:
    """One line of an attendance sheet: the enrolment, the seeker's name, the minutes recorded
    for this session (None: not yet) and the minutes attended over the course so far."""

    enrolment: JobCourseEnrolmentRow
    name: str
    minutes: int | None
    total: int


def sheet(db: Session, who: Principal, session_id: int) -> tuple[JobCourseRow, JobCourseSessionRow, list[SheetLine]]:
    """The attendance sheet of a session for an officer of the course's agency: each active
    enrolment (id, the seeker's name, minutes recorded or None, total minutes so far)."""
    from onestop.accounts.tables import UserRow

    session = db.get(JobCourseSessionRow, session_id)
    if session is None:
        raise _NO_SESSION
    course = _own_course(db, who, session.course_id)
    marks = dict(db.execute(select(JobCourseAttendanceRow.enrolment_id, JobCourseAttendanceRow.minutes)
                            .where(JobCourseAttendanceRow.session_id == session.id)).all())
    out: list[SheetLine] = []
    for e, name in db.execute(select(JobCourseEnrolmentRow, UserRow.name)
                              .join(JobSeekerRow, JobSeekerRow.id == JobCourseEnrolmentRow.seeker_id)
                              .join(UserRow, UserRow.id == JobSeekerRow.user_id)
                              .where(JobCourseEnrolmentRow.course_id == course.id, JobCourseEnrolmentRow.cancelled_at.is_(None))
                              .order_by(UserRow.name, JobCourseEnrolmentRow.id)):
        out.append(SheetLine(e, str(name), marks.get(e.id), cm.attended_minutes(_attended(db, e.id))))
    return course, session, out


def take_attendance(db: Session, who: Principal, session_id: int, hours: Mapping[int, str], today: date) -> JobCourseSessionRow:
    """Record the hours each enrolled seeker attended the session (enrolment id → hours as
    typed, "" as 0), checked all first (`course_model.check_attendance`, field `hours-<id>`),
    then saved and every completion recomputed. DomainError: not the agency's officer, a
    session still to come (after `today`), an enrolment not of this course, or hours outside
    0..the session's hours."""
    session = db.get(JobCourseSessionRow, session_id)
    if session is None:
        raise _NO_SESSION
    course = _own_course(db, who, session.course_id)
    if session.day > today:
        raise DomainError(code="session_not_held", field="session_id",
                          ko=f"출석은 교육일({session.day.isoformat()})부터 기록할 수 있습니다.",
                          en=f"Attendance can be taken from the session's day ({session.day.isoformat()}) on.")
    enrolments = {e.id: e for e in db.scalars(select(JobCourseEnrolmentRow).where(
        JobCourseEnrolmentRow.course_id == course.id, JobCourseEnrolmentRow.cancelled_at.is_(None)))}
    problems = []
    minutes: dict[int, int] = {}
    for enrolment_id, raw in hours.items():
        if enrolment_id not in enrolments:
            raise DomainError(code="not_found", field=f"hours-{enrolment_id}", ko="이 과정의 수강생이 아닙니다.",
                              en="Not enrolled in this course.")
        try:
            minutes[enrolment_id] = cm.check_attendance(raw, session.minutes, f"hours-{enrolment_id}")
        except DomainError as e:
            problems += e.problems
    cm.refuse(problems)
    existing = {a.enrolment_id: a for a in db.scalars(select(JobCourseAttendanceRow).where(
        JobCourseAttendanceRow.session_id == session.id))}
    for enrolment_id, m in minutes.items():
        row = existing.get(enrolment_id)
        if row is None:
            db.add(JobCourseAttendanceRow(session_id=session.id, enrolment_id=enrolment_id, minutes=m, recorded_by=who.user_id))
        else:
            row.minutes, row.recorded_by, row.recorded_at = m, who.user_id, utcnow()
    db.flush()
    for enrolment_id in minutes:
        _recompute(db, course, enrolments[enrolment_id])
    db.flush()
    return session


@dataclass(frozen=True)
class Progress:
    """A seeker's progress in a course: minutes attended, required, and the completion date."""

    attended: int
    required: int
    completed_on: date | None

    @property
    def percent(self) -> int:
        return min(100, self.attended * 100 // self.required) if self.required else 0


def progress(db: Session, course: JobCourseRow, e: JobCourseEnrolmentRow) -> Progress:
    return Progress(cm.attended_minutes(_attended(db, e.id)), course.required_minutes, e.completed_on)


def roster(db: Session, who: Principal, course_id: int) -> list[dict[str, object]]:
    """For an officer of the course's agency: the active enrolments with names and progress."""
    from onestop.accounts.tables import UserRow

    course = _own_course(db, who, course_id)
    return [{"enrolment": e, "name": name, "progress": progress(db, course, e)}
            for e, name in db.execute(select(JobCourseEnrolmentRow, UserRow.name)
                                      .join(JobSeekerRow, JobSeekerRow.id == JobCourseEnrolmentRow.seeker_id)
                                      .join(UserRow, UserRow.id == JobSeekerRow.user_id)
                                      .where(JobCourseEnrolmentRow.course_id == course.id,
                                             JobCourseEnrolmentRow.cancelled_at.is_(None))
                                      .order_by(UserRow.name, JobCourseEnrolmentRow.id))]


# --- one-to-one counselling -------------------------------------------------------------------


def counselling_days(db: Session, course_id: int, today: date) -> list[date]:
    """The business days (weekdays, not public holidays) from the first to the last session,
    after today."""
    days = [s.day for s in sessions_of(db, course_id)]
    if not days:
        return []
    first, last = max(min(days), date.fromordinal(today.toordinal() + 1)), max(days)
    return [d for d in (date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1)) if is_business_day(d)]


def open_counselling(db: Session, course_id: int, today: date) -> list[datetime]:
    """The course counsellor's free slots (KST) on the counselling days."""
    course = get_course(db, course_id)
    taken = {t.astimezone(KST) for t in db.scalars(select(JobCounsellingRow.starts_at).where(
        JobCounsellingRow.counsellor_id == course.counsellor_id))}
    return [s for d in counselling_days(db, course.id, today) for s in slots(d) if s not in taken]


def book_counselling(db: Session, who: Principal, course_id: int, starts_at: datetime, today: date) -> JobCounsellingRow:
    """The acting seeker, enrolled in the course, books a free slot with its counsellor."""
    e = my_enrolment(db, who, course_id)
    if e is None or e.cancelled_at is not None:
        raise DomainError(code="not_enrolled", field="course_id", ko="먼저 이 과정에 수강 신청하세요.",
                          en="Enrol in this course first.")
    course = get_course(db, course_id)
    local = starts_at.astimezone(KST)
    if local.date() not in counselling_days(db, course.id, today) or local not in slots(local.date()):
        raise DomainError(code="slot_invalid", field="starts_at",
                          ko=f"{josa(format(local, '%Y-%m-%d %H:%M'), '는')} 상담 시간이 아닙니다. "
                             "교육 기간의 영업일 09:00~17:30, 30분 단위로 고르세요.",
                          en=f"{local:%Y-%m-%d %H:%M} is not a counselling slot: choose a business day of the course, "
                             "09:00 to 17:30 KST, on the half hour.")
    clash = db.scalar(select(JobCounsellingRow).where(
        (JobCounsellingRow.counsellor_id == course.counsellor_id) | (JobCounsellingRow.seeker_id == e.seeker_id),
        JobCounsellingRow.starts_at == starts_at))
    if clash is not None:
        raise services.slot_taken(COUNSELLING, clash.seeker_id == e.seeker_id, local)
    row = JobCounsellingRow(course_id=course.id, counsellor_id=course.counsellor_id, seeker_id=e.seeker_id,
                            starts_at=starts_at)
    return services.insert_booking(db, row, COUNSELLING, local)


def counselling_of(db: Session, course_id: int, seeker_id: int | None = None) -> list[JobCounsellingRow]:
    q = select(JobCounsellingRow).where(JobCounsellingRow.course_id == course_id)
    if seeker_id is not None:
        q = q.where(JobCounsellingRow.seeker_id == seeker_id)
    return list(db.scalars(q.order_by(JobCounsellingRow.starts_at)))


# --- referrals --------------------------------------------------------------------------------


def refer(db: Session, who: Principal, course_id: int, enrolment_id: int, posting_id: int, today: date,
          note: str = "") -> JobReferralRow:
    """An officer of the course's agency refers an enrolled seeker to an open posting (once per
    seeker and posting). The firm is not told; the seeker sees it on the course page."""
    course = _own_course(db, who, course_id)
    e = db.get(JobCourseEnrolmentRow, enrolment_id)
    if e is None or e.course_id != course.id or e.cancelled_at is not None:
        raise DomainError(code="not_found", field="enrolment_id", ko="이 과정의 수강생이 아닙니다.",
                          en="Not enrolled in this course.")
    posting = db.get(JobPostingRow, posting_id)
    if posting is None or not posting.opens_on <= today <= posting.closes_on:
        raise DomainError(code="posting_closed", field="posting_id", ko="지금 모집 중인 공고를 고르세요.",
                          en="Choose a posting that is open now.")
    if db.scalar(select(JobReferralRow.id).where(JobReferralRow.enrolment_id == e.id,
                                                 JobReferralRow.posting_id == posting.id)) is not None:
        raise DomainError(code="already_referred", field="posting_id", ko="이미 이 공고를 추천했습니다.",
                          en="This posting was already referred to this person.")
    row = JobReferralRow(course_id=course.id, enrolment_id=e.id, seeker_id=e.seeker_id, posting_id=posting.id,
                         referred_by=who.user_id, note=text(note)[:1000])
    db.add(row)
    db.flush()
    return row


def referrals_of_seeker(db: Session, seeker_id: int, course_id: int | None = None) -> list[tuple[JobReferralRow, JobPostingRow]]:
    q = (select(JobReferralRow, JobPostingRow).join(JobPostingRow, JobPostingRow.id == JobReferralRow.posting_id)
         .where(JobReferralRow.seeker_id == seeker_id))
    if course_id is not None:
        q = q.where(JobReferralRow.course_id == course_id)
    return [(r, p) for r, p in db.execute(q.order_by(JobReferralRow.id))]


def referrals_of_course(db: Session, who: Principal, course_id: int) -> list[tuple[JobReferralRow, JobPostingRow]]:
    course = _own_course(db, who, course_id)
    return [(r, p) for r, p in db.execute(select(JobReferralRow, JobPostingRow)
                                          .join(JobPostingRow, JobPostingRow.id == JobReferralRow.posting_id)
                                          .where(JobReferralRow.course_id == course.id).order_by(JobReferralRow.id))]


def referring_course(db: Session, seeker_id: int, posting_id: int) -> int | None:
    """The course whose officer referred the seeker to the posting (the first), if any."""
    found = db.scalar(select(JobReferralRow.course_id).where(JobReferralRow.seeker_id == seeker_id,
                                                             JobReferralRow.posting_id == posting_id)
                      .order_by(JobReferralRow.id).limit(1))
    return int(found) if found is not None else None


def list_courses(db: Session, on: date) -> list[JobCourseRow]:
    """Courses still taking enrolments or with a session on or after `on`, soonest first."""
    upcoming = select(JobCourseSessionRow.course_id).where(JobCourseSessionRow.day >= on)
    return list(db.scalars(select(JobCourseRow).where((JobCourseRow.enrol_closes >= on) | JobCourseRow.id.in_(upcoming))
                           .order_by(JobCourseRow.enrol_opens, JobCourseRow.id)))


def my_courses(db: Session, who: Principal) -> list[tuple[JobCourseRow, JobCourseEnrolmentRow]]:
    """The acting seeker's active enrolments with their courses."""
    me = services.my_seeker_row(db, who) if who.role == Role.seeker else None
    if me is None:
        return []
    return [(c, e) for e, c in db.execute(select(JobCourseEnrolmentRow, JobCourseRow)
                                          .join(JobCourseRow, JobCourseRow.id == JobCourseEnrolmentRow.course_id)
                                          .where(JobCourseEnrolmentRow.seeker_id == me.id,
                                                 JobCourseEnrolmentRow.cancelled_at.is_(None)))]


def seeker_data(db: Session, seeker_id: int) -> list[dict[str, object]]:
    """What courses keep about a seeker (for the download of their data)."""
    out: list[dict[str, object]] = []
    for e, c in db.execute(select(JobCourseEnrolmentRow, JobCourseRow)
                           .join(JobCourseRow, JobCourseRow.id == JobCourseEnrolmentRow.course_id)
                           .where(JobCourseEnrolmentRow.seeker_id == seeker_id)):
        out.append({"course": c.title, "enrolled_at": e.created_at.isoformat(),
                    "cancelled_at": e.cancelled_at.isoformat() if e.cancelled_at else None,
                    "completed_on": e.completed_on.isoformat() if e.completed_on else None,
                    "attendance": [{"date": a.day.isoformat(), "hours": cm.hours_label(a.minutes)} for a in _attended(db, e.id)],
                    "counselling": [b.starts_at.isoformat() for b in counselling_of(db, c.id, seeker_id)],
                    "referrals": [p.title for _, p in referrals_of_seeker(db, seeker_id, c.id)]})
    return out


def delete_seeker(db: Session, seeker_id: int) -> int:
    """Delete a seeker's enrolments, attendance, counselling and referrals; returns rows deleted.
    A completion already counted stays in the KPI actuals (as a placement's does): the recorded
    outcome holds a count, a 시도 and a date, nothing that names the person."""
    from sqlalchemy import delete

    ids = list(db.scalars(select(JobCourseEnrolmentRow.id).where(JobCourseEnrolmentRow.seeker_id == seeker_id)))
    n = 0
    for stmt in (delete(JobCourseAttendanceRow).where(JobCourseAttendanceRow.enrolment_id.in_(ids)),
                 delete(JobReferralRow).where(JobReferralRow.seeker_id == seeker_id),
                 delete(JobCounsellingRow).where(JobCounsellingRow.seeker_id == seeker_id),
                 delete(JobCourseEnrolmentRow).where(JobCourseEnrolmentRow.seeker_id == seeker_id)):
        n += getattr(db.execute(stmt), "rowcount", 0) or 0
    return n


def placements_via(db: Session, who: Principal, course_id: int) -> int:
    """For an officer of the course's agency: hires recorded on postings the course referred to
    (proposed by the firm; confirmed or not)."""
    from onestop.jobs.tables import JobPlacementRow

    course = _own_course(db, who, course_id)
    return int(db.scalar(select(func.count(JobPlacementRow.id)).where(JobPlacementRow.course_id == course.id)) or 0)
