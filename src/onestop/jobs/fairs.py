"""Job fairs (issue 12 §4): an agency's officer creates a fair (offline at a venue, online, or a
regional mini fair); firms register booths with their postings; seekers register and book
interview slots at booths; the booth's firm records the result (interviewed, offered, hired).

Slots reuse the consultation slot machinery (`applications.consultations`): Korean business days
(public holidays excluded) in KST, 30-minute slots from 09:00 to 17:30. A booth and a seeker each
have at most one interview per slot: checked first for a clear message, and held by unique
constraints when two bookings race.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal, Role
from onestop.applications.consultations import is_business_day, slots
from onestop.errors import DomainError, FieldProblem
from onestop.jobs import model, services
from onestop.jobs.tables import JobFairBoothRow, JobFairRow, JobFairSeekerRow, JobInterviewRow, JobPostingRow
from onestop.korea.dates import KST
from onestop.korea.hangul import josa
from onestop.text import text

KINDS = {"offline": ("오프라인 박람회", "Offline fair"), "online": ("온라인 박람회", "Online fair"),
         "mini": ("지역 미니 박람회", "Regional mini fair")}
RESULTS = {"booked": ("면접 예약", "Booked"), "interviewed": ("면접 완료", "Interviewed"),
           "offered": ("채용 제안", "Offered"), "hired": ("채용", "Hired"), "no_show": ("불참", "No show")}
#: which result may follow which (a hire is recorded after an offer; no_show only instead of the interview)
NEXT = {"booked": {"interviewed", "no_show"}, "interviewed": {"offered"}, "offered": {"hired"}}

_NO_FAIR = DomainError(code="not_found", field="fair_id", ko="채용박람회를 찾을 수 없습니다.", en="No such job fair.")

INTERVIEW = services.SlotKind("면접", "an interview", "interview")


def create_fair(db: Session, who: Principal, *, name: str, kind: str, starts_on: date, ends_on: date,
                venue: str = "", region: str = "") -> JobFairRow:
    """A fair of the acting officer's agency; every problem at once."""
    if who.role not in (Role.officer, Role.admin) or not who.agency_id:
        raise DomainError(code="forbidden", field="role", ko="기관 담당자만 채용박람회를 만들 수 있습니다.",
                          en="Only an agency officer creates job fairs.")
    problems: list[FieldProblem] = []
    name = text(name)[:200]
    if not name:
        problems.append(FieldProblem("name", "name_missing", "박람회 이름을 입력하세요.", "Enter the fair's name."))
    if kind not in KINDS:
        problems.append(FieldProblem("kind", "choice_unknown", f"박람회 종류는 {', '.join(KINDS)} 가운데 하나입니다.",
                                     f"The kind is one of {', '.join(KINDS)}."))
    if ends_on < starts_on:
        problems.append(FieldProblem("ends_on", "ends_before_starts",
                                     f"끝나는 날({ends_on.isoformat()})이 시작일({starts_on.isoformat()})보다 앞섭니다.",
                                     f"The last day ({ends_on.isoformat()}) is before the first ({starts_on.isoformat()})."))
    if kind in ("offline", "mini") and not text(venue):
        problems.append(FieldProblem("venue", "venue_missing", "오프라인·미니 박람회는 장소를 입력하세요.",
                                     "An offline or mini fair needs a venue."))
    if not any(is_business_day(d) for d in _days(starts_on, ends_on)):
        problems.append(FieldProblem("starts_on", "no_business_day",
                                     "박람회 기간에 영업일(평일, 공휴일 제외)이 없어 면접을 잡을 수 없습니다.",
                                     "The fair has no business day (weekday, not a public holiday) for interviews."))
    model.refuse(problems)
    row = JobFairRow(agency_id=who.agency_id, name=name, kind=kind, venue=text(venue)[:300], region=region,
                     starts_on=starts_on, ends_on=ends_on, created_by=who.user_id)
    db.add(row)
    db.flush()
    return row


def _days(start: date, end: date) -> list[date]:
    return [date.fromordinal(d) for d in range(start.toordinal(), end.toordinal() + 1)][:62]


def _fair(db: Session, fair_id: int) -> JobFairRow:
    row = db.get(JobFairRow, fair_id)
    if row is None:
        raise _NO_FAIR
    return row


def register_booth(db: Session, who: Principal, fair_id: int, firm_id: int, posting_ids: list[int]) -> JobFairBoothRow:
    """A booth of one of the acting member's firms, with some of that firm's postings."""
    fair = _fair(db, fair_id)
    if firm_id not in who.firms:
        raise DomainError(code="not_found", field="firm_id", ko="기업을 찾을 수 없습니다.", en="Firm not found.")
    own = set(db.scalars(select(JobPostingRow.id).where(JobPostingRow.firm_id == firm_id)))
    foreign = [p for p in posting_ids if p not in own]
    if foreign:
        raise DomainError(code="not_found", field="posting_ids", ko="이 기업의 공고가 아닙니다.",
                          en="Not postings of this firm.")
    existing = db.scalar(select(JobFairBoothRow).where(JobFairBoothRow.fair_id == fair.id, JobFairBoothRow.firm_id == firm_id))
    if existing is not None:
        existing.posting_ids = sorted(set(posting_ids))
        db.flush()
        return existing
    row = JobFairBoothRow(fair_id=fair.id, firm_id=firm_id, posting_ids=sorted(set(posting_ids)))
    db.add(row)
    db.flush()
    return row


def register_seeker(db: Session, who: Principal, fair_id: int) -> JobFairSeekerRow:
    fair = _fair(db, fair_id)
    me = services.my_seeker_row(db, who)
    if me is None:
        raise DomainError(code="not_found", field="seeker", ko="구직 프로필을 먼저 만드세요.",
                          en="Create your job seeker profile first.")
    existing = db.scalar(select(JobFairSeekerRow).where(JobFairSeekerRow.fair_id == fair.id,
                                                        JobFairSeekerRow.seeker_id == me.id))
    if existing is not None:
        return existing
    row = JobFairSeekerRow(fair_id=fair.id, seeker_id=me.id)
    db.add(row)
    db.flush()
    return row


def open_slots(db: Session, booth_id: int) -> list[datetime]:
    """The booth's free interview slots (KST) on the fair's business days."""
    booth = db.get(JobFairBoothRow, booth_id)
    if booth is None:
        raise DomainError(code="not_found", field="booth_id", ko="부스를 찾을 수 없습니다.", en="No such booth.")
    fair = _fair(db, booth.fair_id)
    taken = {t.astimezone(KST) for t in db.scalars(select(JobInterviewRow.starts_at).where(JobInterviewRow.booth_id == booth.id))}
    return [s for d in _days(fair.starts_on, fair.ends_on) for s in slots(d) if s not in taken]


def book(db: Session, who: Principal, booth_id: int, starts_at: datetime) -> JobInterviewRow:
    """The acting seeker, registered for the booth's fair, books one of its free slots."""
    booth = db.get(JobFairBoothRow, booth_id)
    if booth is None:
        raise DomainError(code="not_found", field="booth_id", ko="부스를 찾을 수 없습니다.", en="No such booth.")
    fair = _fair(db, booth.fair_id)
    me = services.my_seeker_row(db, who)
    registered = me is not None and db.scalar(select(JobFairSeekerRow.id).where(
        JobFairSeekerRow.fair_id == fair.id, JobFairSeekerRow.seeker_id == me.id)) is not None
    if me is None or not registered:
        raise DomainError(code="not_registered", field="fair_id", ko="먼저 이 채용박람회에 참가 신청하세요.",
                          en="Register for this job fair first.")
    local = starts_at.astimezone(KST)
    if not (fair.starts_on <= local.date() <= fair.ends_on) or local not in slots(local.date()):
        raise DomainError(code="slot_invalid", field="starts_at",
                          ko=f"{josa(f'{local:%Y-%m-%d %H:%M}', '은')} 면접 시간이 아닙니다. "
                             f"박람회 기간({fair.starts_on}~{fair.ends_on})의 영업일 09:00~17:30, 30분 단위로 고르세요.",
                          en=f"{local:%Y-%m-%d %H:%M} is not an interview slot: choose a business day of the fair "
                             f"({fair.starts_on} to {fair.ends_on}), 09:00 to 17:30 KST, on the half hour.")
    clash = db.scalar(select(JobInterviewRow).where(
        ((JobInterviewRow.booth_id == booth.id) | (JobInterviewRow.seeker_id == me.id)),
        JobInterviewRow.starts_at == starts_at))
    if clash is not None:
        raise services.slot_taken(INTERVIEW, clash.seeker_id == me.id, local)
    row = JobInterviewRow(booth_id=booth.id, seeker_id=me.id, starts_at=starts_at, result="booked")
    return services.insert_booking(db, row, INTERVIEW, local)


def record_result(db: Session, who: Principal, interview_id: int, result: str) -> JobInterviewRow:
    """The booth's firm (or the fair's agency) records what happened, in order: interviewed or
    no_show, then offered, then hired."""
    row = db.get(JobInterviewRow, interview_id)
    booth = None if row is None else db.get(JobFairBoothRow, row.booth_id)
    fair = None if booth is None else db.get(JobFairRow, booth.fair_id)
    allowed = booth is not None and fair is not None and (
        booth.firm_id in who.firms or who.role == Role.admin or (who.role == Role.officer and who.agency_id == fair.agency_id))
    if row is None or not allowed:
        raise DomainError(code="not_found", field="interview_id", ko="면접을 찾을 수 없습니다.", en="No such interview.")
    if result not in NEXT.get(row.result, set()):
        now_ko, now_en = RESULTS[row.result]
        nexts = sorted(NEXT.get(row.result, set()))
        raise DomainError(code="result_order", field="result",
                          ko=f"지금 상태({now_ko})에서는 {', '.join(RESULTS[n][0] for n in nexts) or '더 기록할 결과가 없습니다'}"
                             f"{'만 기록할 수 있습니다' if nexts else ''}.",
                          en=f"From {now_en.lower()}, only {', '.join(RESULTS[n][1].lower() for n in nexts) or 'nothing more'} "
                             "can be recorded.")
    row.result, row.recorded_by = result, who.user_id
    db.flush()
    return row


def results(db: Session, fair_id: int) -> dict[str, int]:
    """How many interviews of a fair are at each result (hired counts toward the agency's placements)."""
    fair = _fair(db, fair_id)
    rows = db.scalars(select(JobInterviewRow.result).join(JobFairBoothRow, JobFairBoothRow.id == JobInterviewRow.booth_id)
                      .where(JobFairBoothRow.fair_id == fair.id))
    out = dict.fromkeys(RESULTS, 0)
    for r in rows:
        out[r] += 1
    return out


def list_fairs(db: Session, on: date) -> list[JobFairRow]:
    """Fairs not over yet, soonest first."""
    return list(db.scalars(select(JobFairRow).where(JobFairRow.ends_on >= on).order_by(JobFairRow.starts_on, JobFairRow.id)))


@dataclass(frozen=True)
class Booth:
    id: int
    firm_id: int
    firm: str
    postings: list[tuple[int, str]]


@dataclass(frozen=True)
class FairView:
    """A fair as the acting user sees it: booths, whether they registered (a seeker), their own
    interviews (a seeker), the interviews at their firms' booths (a firm member), the counts."""

    fair: JobFairRow
    booths: list[Booth]
    registered: bool
    mine: list[tuple[JobInterviewRow, Booth]]
    at_my_booths: list[tuple[JobInterviewRow, Booth, str]]
    counts: dict[str, int]


def view(db: Session, who: Principal | None, fair_id: int) -> FairView:
    from onestop.accounts.tables import UserRow
    from onestop.firms.services import public_facts_of
    from onestop.jobs.tables import JobSeekerRow

    fair = _fair(db, fair_id)
    rows = list(db.scalars(select(JobFairBoothRow).where(JobFairBoothRow.fair_id == fair.id).order_by(JobFairBoothRow.id)))
    firms = public_facts_of(db, [b.firm_id for b in rows])
    titles = dict(db.execute(select(JobPostingRow.id, JobPostingRow.title).where(
        JobPostingRow.id.in_([p for b in rows for p in b.posting_ids]))).all())
    booths = [Booth(b.id, b.firm_id, firms.get(b.firm_id, ("", None, ""))[0],
                    [(p, titles[p]) for p in b.posting_ids if p in titles]) for b in rows]
    by_id = {b.id: b for b in booths}
    me = services.my_seeker_row(db, who) if who is not None and who.role == Role.seeker else None
    registered = me is not None and db.scalar(select(JobFairSeekerRow.id).where(
        JobFairSeekerRow.fair_id == fair.id, JobFairSeekerRow.seeker_id == me.id)) is not None
    interviews = list(db.scalars(select(JobInterviewRow).where(JobInterviewRow.booth_id.in_(list(by_id)))
                                 .order_by(JobInterviewRow.starts_at)))
    mine = [(i, by_id[i.booth_id]) for i in interviews if me is not None and i.seeker_id == me.id]
    firm_ids = set(who.firms) if who is not None else set()
    at_mine = [i for i in interviews if by_id[i.booth_id].firm_id in firm_ids]
    # the booth's firm sees who booked: booking an interview is applying to the booth's firm
    users = dict(db.execute(select(JobSeekerRow.id, UserRow.name).join(UserRow, UserRow.id == JobSeekerRow.user_id)
                            .where(JobSeekerRow.id.in_([i.seeker_id for i in at_mine]))).all())
    return FairView(fair, booths, registered, mine, [(i, by_id[i.booth_id], users.get(i.seeker_id, "")) for i in at_mine],
                    results(db, fair.id))
