"""Placements (issue 12 §6): a hire proposed by the firm (a member) and confirmed by the seeker
becomes a placement that counts toward an agency's target — the agency that ran the fair where
they met, or whose officer posted the job; retention is checked at 3 and 6 months after the start.

The seed articles' target: the FKI center placing 2,500 middle-aged people in SMEs (from 1,941);
`count_by_agency` gives the actual to set beside such a target. A placement confirmed by both
sides is also recorded as an outcome (`outcomes.services.record_outcome`, dated its start, 1
`placements` and, for a seeker aged 50 or over that year, 1 `new_hires_senior`), so it counts
toward the KPI actuals of the agency: of the FKI middle-aged job center program when the agency
is the FKI SME center, else of the agency alone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal
from onestop.errors import DomainError
from onestop.jobs import services
from onestop.jobs.tables import (
    JobEngagementRow,
    JobFairBoothRow,
    JobFairRow,
    JobInterviewRow,
    JobPlacementRow,
    JobPostingRow,
    JobSeekerRow,
)
from onestop.outcomes.model import add_months
from onestop.outcomes.services import record_outcome
from onestop.platform.db import utcnow

#: months after the start at which retention is asked
RETENTION_MONTHS = (3, 6)
#: the program whose KPI (2,500 placements in 2014) placements of its agency count toward
PROGRAM_ID, PROGRAM_AGENCY = "fki-middle-aged-job-center", "fki-sme"
#: 신중년: 50 and over (as outcomes.model's new_hires_senior)
SENIOR_AGE = 50
_NOT_FOUND = DomainError(code="not_found", field="placement_id", ko="채용 기록을 찾을 수 없습니다.",
                         en="No such placement.")


def _agency_of(db: Session, posting: JobPostingRow, seeker_id: int) -> str:
    """The agency a hire counts for: the fair where the seeker was interviewed at the firm's
    booth, else the agency whose officer posted the job, else none."""
    fair_agency = db.scalar(select(JobFairRow.agency_id)
                            .join(JobFairBoothRow, JobFairBoothRow.fair_id == JobFairRow.id)
                            .join(JobInterviewRow, JobInterviewRow.booth_id == JobFairBoothRow.id)
                            .where(JobFairBoothRow.firm_id == posting.firm_id, JobInterviewRow.seeker_id == seeker_id)
                            .limit(1))
    return fair_agency or posting.agency_id or ""


def propose(db: Session, who: Principal, posting_id: int, seeker_id: int, starts_on: date) -> JobPlacementRow:
    """The posting's firm records a hire of a seeker it may see (who applied, accepted an
    invitation or was interviewed at its booth), at the posting's terms. A hire on a posting a
    course's officer referred the seeker to is marked with that course (`course_id`)."""
    posting = db.get(JobPostingRow, posting_id)
    if posting is None or posting.firm_id not in who.firms:
        raise DomainError(code="not_found", field="posting_id", ko="채용 공고를 찾을 수 없습니다.", en="No such job posting.")
    seen = db.scalar(select(JobEngagementRow.id).where(
        JobEngagementRow.seeker_id == seeker_id, JobEngagementRow.firm_id == posting.firm_id,
        JobEngagementRow.state.in_(services.VISIBLE_STATES)).limit(1)) or db.scalar(
        select(JobInterviewRow.id).join(JobFairBoothRow, JobFairBoothRow.id == JobInterviewRow.booth_id)
        .where(JobInterviewRow.seeker_id == seeker_id, JobFairBoothRow.firm_id == posting.firm_id).limit(1))
    if seen is None or db.get(JobSeekerRow, seeker_id) is None:
        raise DomainError(code="not_found", field="seeker_id", ko="구직자 정보를 찾을 수 없습니다.", en="No such job seeker.")
    if db.scalar(select(JobPlacementRow.id).where(JobPlacementRow.posting_id == posting.id,
                                                  JobPlacementRow.seeker_id == seeker_id)) is not None:
        raise DomainError(code="already_placed", field="seeker_id", ko="이미 기록된 채용입니다.",
                          en="This hire is already recorded.")
    d = posting.data
    from onestop.jobs.courses import referring_course

    row = JobPlacementRow(seeker_id=seeker_id, firm_id=posting.firm_id, posting_id=posting.id,
                          agency_id=_agency_of(db, posting, seeker_id), starts_on=starts_on,
                          course_id=referring_course(db, seeker_id, posting.id),
                          employment_type=d["employment_type"], pay_won=int(d["pay_won"]), pay_unit=d["pay_unit"],
                          firm_confirmed_at=utcnow())
    db.add(row)
    db.flush()
    return row


def confirm(db: Session, who: Principal, placement_id: int) -> JobPlacementRow:
    """The hired seeker confirms: from now the placement counts."""
    me = services.my_seeker_row(db, who)
    row = db.get(JobPlacementRow, placement_id)
    if row is None or me is None or row.seeker_id != me.id:
        raise _NOT_FOUND
    if row.seeker_confirmed_at is None:
        row.seeker_confirmed_at = utcnow()
        values = {"placements": 1}
        if row.starts_on.year - me.birth_year >= SENIOR_AGE:
            values["new_hires_senior"] = 1
        record_outcome(db, "job_placement", row.id, row.firm_id,
                       PROGRAM_ID if row.agency_id == PROGRAM_AGENCY else "", row.agency_id, values, row.starts_on)
    db.flush()
    return row


def retention_due(row: JobPlacementRow) -> dict[int, date]:
    """When each retention check falls due (3 and 6 months after the start)."""
    return {m: add_months(row.starts_on, m) for m in RETENTION_MONTHS}


def record_retention(db: Session, who: Principal, placement_id: int, months: int, retained: bool,
                     on: date) -> JobPlacementRow:
    """The firm answers whether the person still works there, once the check is due."""
    row = db.get(JobPlacementRow, placement_id)
    if row is None or row.firm_id not in who.firms:
        raise _NOT_FOUND
    if months not in RETENTION_MONTHS:
        raise DomainError(code="choice_unknown", field="months", ko="고용 유지 확인은 3개월과 6개월에 합니다.",
                          en="Retention is checked at 3 and 6 months.")
    due = retention_due(row)[months]
    if on < due:
        raise DomainError(code="retention_not_due", field="months",
                          ko=f"{months}개월 고용 유지 확인은 {due.isoformat()}부터 할 수 있습니다.",
                          en=f"The {months}-month retention check opens on {due.isoformat()}.")
    if months == 3:
        row.retained_3m = retained
    else:
        row.retained_6m = retained
    db.flush()
    return row


def count_by_agency(db: Session, year: int) -> dict[str, dict[str, int]]:
    """Confirmed placements starting in `year`, per agency: placed, retained at 3 and 6 months."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    rows = db.execute(select(JobPlacementRow.agency_id, func.count(JobPlacementRow.id),
                             func.count(JobPlacementRow.id).filter(JobPlacementRow.retained_3m.is_(True)),
                             func.count(JobPlacementRow.id).filter(JobPlacementRow.retained_6m.is_(True)))
                      .where(JobPlacementRow.firm_confirmed_at.is_not(None), JobPlacementRow.seeker_confirmed_at.is_not(None),
                             JobPlacementRow.starts_on.between(start, end))
                      .group_by(JobPlacementRow.agency_id))
    return {agency: {"placed": int(n), "retained_3m": int(r3), "retained_6m": int(r6)} for agency, n, r3, r6 in rows}



def parse_start(raw: str) -> date:
    """The start date as typed (YYYY-MM-DD), or a DomainError on `starts_on`."""
    from onestop.text import identifier

    try:
        return date.fromisoformat(identifier(raw))
    except ValueError:
        raise DomainError(code="date_invalid", field="starts_on", ko="근무 시작일을 YYYY-MM-DD 형식으로 입력하세요.",
                          en="Enter the start date as YYYY-MM-DD.") from None


def hireable(db: Session, who: Principal) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """What the acting member may record a hire of: their firms' postings (id, title) and the
    seekers their firms may see (id, name): who applied, accepted an invitation or was
    interviewed at a booth of theirs."""
    from onestop.accounts.tables import UserRow

    firms = list(who.firms)
    postings = [(p.id, p.title) for p in db.scalars(select(JobPostingRow).where(JobPostingRow.firm_id.in_(firms))
                                                  .order_by(JobPostingRow.id.desc()))]
    engaged = select(JobEngagementRow.seeker_id).where(JobEngagementRow.firm_id.in_(firms),
                                                       JobEngagementRow.state.in_(services.VISIBLE_STATES))
    interviewed = (select(JobInterviewRow.seeker_id).join(JobFairBoothRow, JobFairBoothRow.id == JobInterviewRow.booth_id)
                   .where(JobFairBoothRow.firm_id.in_(firms)))
    seekers = [(int(i), str(n)) for i, n in db.execute(
        select(JobSeekerRow.id, UserRow.name).join(UserRow, UserRow.id == JobSeekerRow.user_id)
        .where(JobSeekerRow.id.in_(engaged) | JobSeekerRow.id.in_(interviewed)).order_by(UserRow.name, JobSeekerRow.id))]
    return postings, seekers


def _views(db: Session, where: Any) -> list[dict[str, Any]]:
    from onestop.accounts.tables import UserRow
    from onestop.firms.services import public_facts_of

    rows = db.execute(select(JobPlacementRow, JobPostingRow.title, UserRow.name)
                      .join(JobPostingRow, JobPostingRow.id == JobPlacementRow.posting_id)
                      .join(JobSeekerRow, JobSeekerRow.id == JobPlacementRow.seeker_id)
                      .join(UserRow, UserRow.id == JobSeekerRow.user_id)
                      .where(where).order_by(JobPlacementRow.starts_on.desc(), JobPlacementRow.id)).all()
    firms = public_facts_of(db, {r[0].firm_id for r in rows})
    from onestop.jobs.tables import JobCourseRow

    course_ids = {r[0].course_id for r in rows if r[0].course_id is not None}
    course_titles = dict(db.execute(select(JobCourseRow.id, JobCourseRow.title).where(JobCourseRow.id.in_(course_ids))).all())
    return [{"row": r, "title": title, "seeker": name, "firm": firms[r.firm_id][0] if r.firm_id in firms else "",
             "course": course_titles.get(r.course_id, "") if r.course_id is not None else "",
             "due": retention_due(r), "retained": {3: r.retained_3m, 6: r.retained_6m}} for r, title, name in rows]


def of_firms(db: Session, who: Principal) -> list[dict[str, Any]]:
    """The placements of the acting member's firms, newest start first."""
    return _views(db, JobPlacementRow.firm_id.in_(list(who.firms)))


def of_seeker(db: Session, who: Principal) -> list[dict[str, Any]]:
    """The acting seeker's placements, newest start first."""
    me = services.my_seeker_row(db, who)
    return _views(db, JobPlacementRow.seeker_id == (me.id if me is not None else -1))
