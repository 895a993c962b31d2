"""Jobs use cases: a seeker's profile with its consent, download and deletion; postings by firm
members and job-agency officers, imported and exported in the 고용24 layout; explained matching
both ways; applications and invitations, which are what lets a firm see a seeker.

Visibility (issue 12): a firm sees a seeker's profile only after the seeker applied to one of
its postings or accepted its invitation. Before that, a seeker who allowed being found appears
to the firm only as an anonymous candidate (occupations, experience, district, score).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal, Role
from onestop.errors import DomainError, FieldProblem
from onestop.jobs import model, occupations, worknet
from onestop.jobs.engine import PostingTable, SeekerTable
from onestop.jobs.model import Commute, EmploymentType, Experience, Match, PayUnit, Posting, Seeker
from onestop.jobs.tables import JobConsentRow, JobEngagementRow, JobPostingRow, JobSeekerRow
from onestop.korea import regions
from onestop.korea._data import data_path
from onestop.korea.hangul import josa
from onestop.parameters import in_force
from onestop.platform.db import utcnow
from onestop.text import identifier, text

#: the current version of the seeker's privacy notice (`data/jobs/seeker_privacy/<version>.*.md`)
CONSENT_VERSION = "2026-11-30"
CONSENT_ITEMS = {"seeker_privacy": ("구직자 개인정보 수집·이용 동의", "Job seeker's personal information"),
                 "discoverable": ("기업 검색 허용", "Allow firms to find me")}

_NO_SEEKER = DomainError(code="not_found", field="seeker", ko="구직자 정보를 찾을 수 없습니다.", en="No such job seeker.")
_NO_POSTING = DomainError(code="not_found", field="posting_id", ko="채용 공고를 찾을 수 없습니다.", en="No such job posting.")


# --- parameters and names --------------------------------------------------------------------


_Booked = TypeVar("_Booked")


@dataclass(frozen=True)
class SlotKind:
    """What a bookable slot is called in the messages: a fair's interview, a course's counselling."""

    ko: str  # 면접, 상담
    yours_en: str  # "an interview", "counselling": "You already have … at 10:00"
    slot_en: str  # "interview", "counselling slot": "The 10:00 … is already booked"


def slot_taken(kind: SlotKind, mine: bool, local: datetime) -> DomainError:
    """The error for a slot that cannot be booked: the person already has one at that time
    (`mine`), or somebody else took it. `local` is the slot's start in KST."""
    at = f"{local:%Y-%m-%d %H:%M}"
    if mine:
        return DomainError(code="slot_double_booked", field="starts_at",
                           ko=f"{at}에 이미 다른 {josa(kind.ko, '이')} 있습니다. 다른 시간을 고르세요.",
                           en=f"You already have {kind.yours_en} at {at}; choose another time.")
    return DomainError(code="slot_taken", field="starts_at",
                       ko=f"{at} {josa(kind.ko, '은')} 이미 예약되었습니다. 다른 시간을 고르세요.",
                       en=f"The {at} {kind.slot_en} is already booked; choose another time.")


def insert_booking(db: Session, row: _Booked, kind: SlotKind, local: datetime) -> _Booked:
    """Add a booking row in a savepoint; when a concurrent booking won the slot (the unique key
    refuses this one), raise `slot_taken` instead of the database's error."""
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:  # a booking that raced this one won the slot
        raise slot_taken(kind, False, local) from None
    return row


def minimum_wage(on: date) -> tuple[int, str]:
    """The hourly minimum wage in force on `on` and its source, e.g. (10320, "2026년 최저임금 고시")."""
    found = in_force("minimum_wage", on)
    return int(found.values["hourly_won"]), f"{found.version}년 적용 최저임금 고시"


def age_groups(on: date) -> tuple[model.AgeGroup, ...]:
    return model.groups_from(in_force("age_groups", on).values)


def min_working_age(on: date) -> int:
    return int(in_force("age_groups", on).values["min_working_age"])


def consent_text(lang: str, version: str = CONSENT_VERSION) -> str:
    return data_path("jobs", "seeker_privacy", f"{version}.{'en' if lang == 'en' else 'ko'}.md").read_text(encoding="utf-8")


def consent_html(lang: str) -> str:
    from markdown_it import MarkdownIt

    rendered: str = MarkdownIt("commonmark", {"html": False}).enable("table").render(consent_text(lang))
    return rendered


def _region_short(code: str) -> str:
    found = regions.table().get(code)
    return found.name_ko if found else code


NAMES = model.Names(occupation=occupations.label, region_ko=_region_short, region_en=regions.name_en)


@lru_cache(maxsize=1)
def _sigungu() -> dict[str, tuple[str, str]]:
    return {c: (r.name_ko, r.name_full) for c, r in regions.table().items() if r.level == "sigungu"}


@lru_cache(maxsize=4096)
def terms_of(value: str) -> frozenset[str]:
    """Korean search terms (kiwipiepy morphemes, as the catalog search uses) of a text."""
    from onestop.catalog.search import terms

    return frozenset(t for t in terms(value) if len(t) > 1 or not t.isascii())


# --- reading input ---------------------------------------------------------------------------


def _int(data: Mapping[str, Any], key: str, problems: list[FieldProblem], default: int | None = None,
         ko: str = "", en: str = "", field: str | None = None) -> int:
    raw = data.get(key, default)
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        from onestop.text import whole_number

        found = whole_number(raw)
        if found is not None:
            return found
    problems.append(FieldProblem(field or key, "number", f"{ko or key}: 숫자로 입력하세요.", f"{en or key}: enter a whole number."))
    return 0


def _choice(data: Mapping[str, Any], key: str, allowed: Sequence[str], default: str,
            problems: list[FieldProblem]) -> str:
    raw = identifier(str(data.get(key) or default))
    if raw not in allowed:
        problems.append(FieldProblem(key, "choice_unknown", f"{raw!r}: 고를 수 있는 값은 {', '.join(allowed)}입니다.",
                                     f"{raw!r}: choose one of {', '.join(allowed)}."))
        return default
    return raw


def _occupation(value: Any, field: str, problems: list[FieldProblem]) -> str | None:
    try:
        return occupations.normalize_occupation(str(value or ""), field)
    except DomainError as e:
        problems.append(FieldProblem(field, e.code, e.ko, e.en))
        return None


def _region(value: Any, field: str, problems: list[FieldProblem]) -> str:
    try:
        code = regions.normalize_region(str(value or ""), field)
    except DomainError as e:
        problems.append(FieldProblem(field, e.code, e.ko, e.en))
        return ""
    if len(code) != 5:
        problems.append(FieldProblem(field, "region_sigungu", "시군구(5자리 코드)까지 고르세요(예: 12150 순천시).",
                                     "Choose a district (a 5-digit code, e.g. 12150 Suncheon)."))
    return code


def _raise(problems: list[FieldProblem]) -> None:
    model.refuse(problems)


def seeker_from_data(data: Mapping[str, Any], on: date, seeker_id: int = 0) -> Seeker:
    """A seeker profile from JSON (a form, the API, `examples/seeker-*.json`), normalised and
    checked; every problem at once, each next to its field."""
    problems: list[FieldProblem] = []
    birth_year = _int(data, "birth_year", problems, ko="출생연도", en="Birth year")
    region = _region(data.get("region"), "region", problems)
    held: list[Experience] = []
    for i, raw in enumerate(data.get("held") or []):
        code = _occupation(raw.get("occupation") if isinstance(raw, Mapping) else raw, f"held.{i}.occupation", problems)
        years = _int(raw, "years", problems, 0, "경력 연수", "Years", f"held.{i}.years") if isinstance(raw, Mapping) else 0
        if code:
            held.append(Experience(code, years))
    sought = [c for i, raw in enumerate(data.get("sought") or [])
              if (c := _occupation(raw, f"sought.{i}", problems))]
    types = []
    for raw in data.get("employment_types") or []:
        types.append(EmploymentType(_choice({"t": raw}, "t", [t.value for t in EmploymentType], "permanent", problems)))
    floor = data.get("pay_floor") or {}
    seeker = Seeker(
        id=seeker_id, birth_year=birth_year, region=region,
        commute=Commute(_choice(data, "commute", [c.value for c in Commute], "district", problems)),
        held=tuple(held), sought=tuple(dict.fromkeys(sought)),
        education=_choice(data, "education", [e[0] for e in model.EDUCATION], "any", problems),
        licences=frozenset(text(str(x)) for x in data.get("licences") or [] if text(str(x))),
        employment_types=frozenset(types),
        max_hours_per_week=_int(data, "max_hours_per_week", problems, 40, "희망 주 근로시간", "Weekly hours"),
        pay_floor_won=_int(floor, "amount", problems, 0, "희망 임금", "Lowest pay", "pay_floor_won")
        if isinstance(floor, Mapping) else 0,
        pay_floor_unit=PayUnit(_choice(floor if isinstance(floor, Mapping) else {}, "unit", [u.value for u in PayUnit],
                                       "month", problems)),
        career_break=bool(data.get("career_break", False)), keywords=text(str(data.get("keywords") or ""))[:500])
    problems += model.check_seeker(seeker, on, min_working_age(on))
    _raise(problems)
    return seeker


def seeker_to_data(s: Seeker) -> dict[str, Any]:
    return {"birth_year": s.birth_year, "region": s.region, "commute": s.commute.value,
            "held": [{"occupation": e.occupation, "years": e.years} for e in s.held], "sought": list(s.sought),
            "education": s.education, "licences": sorted(s.licences),
            "employment_types": sorted(t.value for t in s.employment_types), "max_hours_per_week": s.max_hours_per_week,
            "pay_floor": {"amount": s.pay_floor_won, "unit": s.pay_floor_unit.value}, "career_break": s.career_break,
            "keywords": s.keywords}


def posting_from_data(data: Mapping[str, Any], posting_id: int = 0, firm_id: int = 0) -> Posting:
    """A posting from JSON, checked against the minimum wage in force on its opening date."""
    problems: list[FieldProblem] = []
    dates: dict[str, date] = {}
    for key, ko, en in (("opens_on", "시작일", "Opening date"), ("closes_on", "마감일", "Closing date")):
        try:
            dates[key] = date.fromisoformat(identifier(str(data.get(key) or "")))
        except ValueError:
            problems.append(FieldProblem(key, "date_format", f"{josa(ko, '을')} YYYY-MM-DD로 입력하세요.", f"{en}: use YYYY-MM-DD."))
            dates[key] = date(2000, 1, 1)
    posting = Posting(
        id=posting_id, firm_id=firm_id, title=text(str(data.get("title") or ""))[:200],
        occupation=_occupation(data.get("occupation"), "occupation", problems) or "",
        region=_region(data.get("region"), "region", problems),
        employment_type=EmploymentType(_choice(data, "employment_type", [t.value for t in EmploymentType], "permanent",
                                               problems)),
        hours_per_week=_int(data, "hours_per_week", problems, 40, "주 근로시간", "Weekly hours"),
        pay_won=_int(data, "pay_won", problems, None, "임금", "Pay"),
        pay_unit=PayUnit(_choice(data, "pay_unit", [u.value for u in PayUnit], "month", problems)),
        opens_on=dates["opens_on"], closes_on=dates["closes_on"],
        education_min=_choice(data, "education_min", [e[0] for e in model.EDUCATION], "any", problems),
        career_years=_int(data, "career_years", problems, 0, "요구 경력", "Experience"),
        licences=frozenset(text(str(x)) for x in data.get("licences") or [] if text(str(x))),
        programs=frozenset(identifier(str(x)) for x in data.get("programs") or []),
        description=text(str(data.get("description") or ""))[:5000])
    if "opens_on" not in {p.field for p in problems}:
        try:
            hourly, source = minimum_wage(posting.opens_on)
        except DomainError as e:
            problems.append(FieldProblem("opens_on", e.code, e.ko, e.en))
        else:
            problems += model.check_posting(posting, hourly, source)
    _raise(problems)
    return posting


def posting_to_data(p: Posting) -> dict[str, Any]:
    return {"title": p.title, "occupation": p.occupation, "region": p.region, "employment_type": p.employment_type.value,
            "hours_per_week": p.hours_per_week, "pay_won": p.pay_won, "pay_unit": p.pay_unit.value,
            "opens_on": p.opens_on.isoformat(), "closes_on": p.closes_on.isoformat(), "education_min": p.education_min,
            "career_years": p.career_years, "licences": sorted(p.licences), "programs": sorted(p.programs),
            "description": p.description}


def _posting(row: JobPostingRow) -> Posting:
    d = row.data
    return Posting(id=row.id, firm_id=row.firm_id, title=row.title, occupation=row.occupation, region=row.region,
                   employment_type=EmploymentType(d["employment_type"]), hours_per_week=int(d["hours_per_week"]),
                   pay_won=int(d["pay_won"]), pay_unit=PayUnit(d["pay_unit"]), opens_on=row.opens_on,
                   closes_on=row.closes_on, education_min=d.get("education_min", "any"),
                   career_years=int(d.get("career_years", 0)), licences=frozenset(d.get("licences", [])),
                   programs=frozenset(d.get("programs", [])), description=row.description)


def _seeker(row: JobSeekerRow) -> Seeker:
    d = row.profile
    floor = d.get("pay_floor") or {}
    return Seeker(id=row.id, birth_year=row.birth_year, region=row.region, commute=Commute(d["commute"]),
                  held=tuple(Experience(h["occupation"], int(h["years"])) for h in d.get("held", [])),
                  sought=tuple(d.get("sought", [])), education=d.get("education", "any"),
                  licences=frozenset(d.get("licences", [])),
                  employment_types=frozenset(EmploymentType(t) for t in d.get("employment_types", [])),
                  max_hours_per_week=int(d.get("max_hours_per_week", 40)), pay_floor_won=int(floor.get("amount", 0)),
                  pay_floor_unit=PayUnit(floor.get("unit", "month")), career_break=bool(d.get("career_break")),
                  keywords=d.get("keywords", ""))


def groups_of(seeker: Seeker, on: date) -> frozenset[str]:
    return frozenset(g.id for g in model.age_groups(seeker.birth_year, on, age_groups(on)))


# --- seekers ---------------------------------------------------------------------------------


def _require_seeker(who: Principal) -> None:
    if who.role != Role.seeker:
        raise DomainError(code="seeker_only", field="role", ko="구직자 계정만 구직 프로필을 만들 수 있습니다.",
                          en="Only a job seeker's account has a seeker profile.")


def my_seeker_row(db: Session, who: Principal) -> JobSeekerRow | None:
    return db.scalar(select(JobSeekerRow).where(JobSeekerRow.user_id == who.user_id))


def save_profile(db: Session, who: Principal, data: Mapping[str, Any], on: date, *, consent_version: str | None,
                 discoverable: bool | None = None, ip: str = "") -> JobSeekerRow:
    """Create or change the acting seeker's profile. The first save needs the privacy notice
    agreed in its current version (recorded with time and address); `discoverable` records the
    optional item when given."""
    _require_seeker(who)
    row = my_seeker_row(db, who)
    problems: list[FieldProblem] = []
    if row is None and consent_version != CONSENT_VERSION:
        problems.append(FieldProblem(
            "consent", "consent_required" if consent_version is None else "consent_version",
            f"[필수] 구직자 개인정보 수집·이용({CONSENT_VERSION}판)에 동의해야 구직 프로필을 만들 수 있습니다.",
            f"You must agree to the job seeker's personal information notice (version {CONSENT_VERSION}) first."))
    try:
        seeker = seeker_from_data(data, on)
    except DomainError as e:
        problems = problems + (e.problems or [FieldProblem(e.field or "", e.code, e.ko, e.en)])
    _raise(problems)
    now = utcnow()
    if row is None:
        row = JobSeekerRow(user_id=who.user_id, birth_year=seeker.birth_year, region=seeker.region,
                           profile=seeker_to_data(seeker), discoverable=bool(discoverable),
                           consent_version=CONSENT_VERSION, created_at=now, updated_at=now)
        db.add(row)
        db.add(JobConsentRow(user_id=who.user_id, item="seeker_privacy", version=CONSENT_VERSION, agreed=True, at=now,
                             ip=ip[:64]))
        db.add(JobConsentRow(user_id=who.user_id, item="discoverable", version=CONSENT_VERSION,
                             agreed=bool(discoverable), at=now, ip=ip[:64]))
    else:
        row.birth_year, row.region, row.profile, row.updated_at = seeker.birth_year, seeker.region, seeker_to_data(seeker), now
        if discoverable is not None and discoverable != row.discoverable:
            row.discoverable = discoverable
            db.add(JobConsentRow(user_id=who.user_id, item="discoverable", version=CONSENT_VERSION, agreed=discoverable,
                                 at=now, ip=ip[:64]))
    db.flush()
    return row


def set_discoverable(db: Session, who: Principal, allowed: bool, ip: str = "") -> JobSeekerRow:
    row = my_seeker_row(db, who)
    if row is None:
        raise _NO_SEEKER
    row.discoverable = allowed
    db.add(JobConsentRow(user_id=who.user_id, item="discoverable", version=CONSENT_VERSION, agreed=allowed, at=utcnow(),
                         ip=ip[:64]))
    db.flush()
    return row


def export_my_data(db: Session, who: Principal) -> dict[str, Any]:
    """Everything jobs keeps about the acting seeker (개인정보 보호법 제35조 열람), as JSON."""
    row = my_seeker_row(db, who)
    consents = db.scalars(select(JobConsentRow).where(JobConsentRow.user_id == who.user_id).order_by(JobConsentRow.id))
    out: dict[str, Any] = {
        "account": {"name": who.name, "email": who.email},
        "consents": [{"item": c.item, "version": c.version, "agreed": c.agreed, "at": c.at.isoformat(), "ip": c.ip}
                     for c in consents],
        "profile": None, "applications": []}
    if row is not None:
        out["profile"] = {**row.profile, "discoverable": row.discoverable, "created_at": row.created_at.isoformat(),
                          "updated_at": row.updated_at.isoformat()}
        for e, p in db.execute(select(JobEngagementRow, JobPostingRow)
                               .join(JobPostingRow, JobPostingRow.id == JobEngagementRow.posting_id)
                               .where(JobEngagementRow.seeker_id == row.id).order_by(JobEngagementRow.id)):
            out["applications"].append({"posting_id": p.id, "title": p.title, "state": e.state,
                                        "at": e.created_at.isoformat(), "match": e.match})
        from onestop.jobs.tables import JobInterviewRow, JobPlacementRow

        out["interviews"] = [{"booth_id": i.booth_id, "starts_at": i.starts_at.isoformat(), "result": i.result}
                             for i in db.scalars(select(JobInterviewRow).where(JobInterviewRow.seeker_id == row.id))]
        out["placements"] = [{"posting_id": p.posting_id, "starts_on": p.starts_on.isoformat(), "pay_won": p.pay_won,
                              "pay_unit": p.pay_unit, "confirmed": p.seeker_confirmed_at is not None}
                             for p in db.scalars(select(JobPlacementRow).where(JobPlacementRow.seeker_id == row.id))]
        from onestop.jobs import courses

        out["courses"] = courses.seeker_data(db, row.id)
    return out


def delete_my_data(db: Session, who: Principal) -> int:
    """Delete the acting seeker's profile, applications, invitations, fair registrations, interviews,
    placements, course enrolments (attendance, counselling, referrals) and consent answers (개인정보
    보호법 제36조·제21조); the account itself stays until the seeker leaves. Returns rows deleted."""
    row = my_seeker_row(db, who)
    n = 0
    if row is not None:
        from onestop.jobs import courses
        from onestop.jobs.tables import JobFairSeekerRow, JobInterviewRow, JobPlacementRow

        n += courses.delete_seeker(db, row.id)
        for table in (JobEngagementRow, JobInterviewRow, JobFairSeekerRow, JobPlacementRow):
            n += getattr(db.execute(delete(table).where(table.seeker_id == row.id)), "rowcount", 0) or 0
        db.delete(row)
        n += 1
    n += getattr(db.execute(delete(JobConsentRow).where(JobConsentRow.user_id == who.user_id)), "rowcount", 0) or 0
    from onestop.audit import services as audit

    audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action="jobs.seeker_data_deleted",
                 subject=f"user:{who.user_id}", data={"rows": n})
    db.flush()
    return n


# --- postings --------------------------------------------------------------------------------


def _may_post(who: Principal, firm_id: int) -> bool:
    return who.role == Role.officer or who.role == Role.admin or firm_id in who.firms


def create_posting(db: Session, who: Principal, firm_id: int, data: Mapping[str, Any]) -> JobPostingRow:
    """A posting of a registered firm: by one of its members, or by a job agency's officer for
    the firm (recorded with the agency). A firm the actor may not post for is not found."""
    from onestop.firms.services import public_facts_of

    if not _may_post(who, firm_id) or firm_id not in public_facts_of(db, [firm_id]):
        raise DomainError(code="not_found", field="firm_id", ko="기업을 찾을 수 없습니다.", en="Firm not found.")
    posting = posting_from_data(data, firm_id=firm_id)
    return _store_posting(db, posting, firm_id, who.user_id, who.agency_id if who.role == Role.officer else None,
                          identifier(str(data.get("external_id") or "")) or None)


def _store_posting(db: Session, p: Posting, firm_id: int, user_id: int | None, agency_id: str | None,
                   external_id: str | None) -> JobPostingRow:
    row = None if external_id is None else db.scalar(select(JobPostingRow).where(JobPostingRow.external_id == external_id))
    values = {"title": p.title, "occupation": p.occupation, "region": p.region, "opens_on": p.opens_on,
              "closes_on": p.closes_on, "data": posting_to_data(p), "description": p.description}
    if row is None:
        row = JobPostingRow(firm_id=firm_id, posted_by=user_id, agency_id=agency_id, external_id=external_id, **values)
        db.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
    db.flush()
    return row


def postings_of_firm(db: Session, who: Principal, firm_id: int) -> list[JobPostingRow]:
    if firm_id not in who.firms and who.role != Role.admin:
        raise DomainError(code="not_found", field="firm_id", ko="기업을 찾을 수 없습니다.", en="Firm not found.")
    return list(db.scalars(select(JobPostingRow).where(JobPostingRow.firm_id == firm_id).order_by(JobPostingRow.id)))


def get_posting(db: Session, posting_id: int) -> JobPostingRow:
    """A posting anyone may read (postings are public)."""
    row = db.get(JobPostingRow, posting_id)
    if row is None:
        raise _NO_POSTING
    return row


def _firm_posting(db: Session, who: Principal, posting_id: int) -> JobPostingRow:
    row = db.get(JobPostingRow, posting_id)
    if row is None or (row.firm_id not in who.firms and who.role != Role.admin):
        raise _NO_POSTING
    return row


def open_postings(db: Session, on: date) -> list[Posting]:
    rows = db.scalars(select(JobPostingRow).where(JobPostingRow.opens_on <= on, JobPostingRow.closes_on >= on)
                      .order_by(JobPostingRow.id))
    return [_posting(r) for r in rows]


def import_worknet(db: Session, records: Sequence[Mapping[str, Any]]) -> list[JobPostingRow]:
    """Postings in the 고용24 open-API layout, all or none: each record's firm is the registered
    firm of its busino; a record that cannot be read names its number and field. A known
    wantedAuthNo updates its posting."""
    from onestop.firms.services import id_by_brn
    from onestop.korea.brn import normalize_brn

    problems: list[FieldProblem] = []
    ready: list[tuple[Posting, int, str | None]] = []
    for i, rec in enumerate(records):
        fields, found = worknet.read(rec, i, _sigungu())
        problems += found
        firm_id = None
        try:
            firm_id = id_by_brn(db, normalize_brn(fields["busino"], f"wanted[{i}].busino"))
        except DomainError as e:
            problems.append(FieldProblem(f"wanted[{i}].busino", e.code, f"{i + 1}번째 공고: {e.ko}", f"Posting {i + 1}: {e.en}"))
        else:
            if firm_id is None:
                problems.append(FieldProblem(
                    f"wanted[{i}].busino", "firm_not_registered",
                    f"{i + 1}번째 공고: 사업자등록번호 {fields['busino']}({fields['company']})의 기업이 플랫폼에 등록되어 있지 않습니다.",
                    f"Posting {i + 1}: no firm with business registration number {fields['busino']} ({fields['company']}) "
                    "is registered on the platform."))
        if found or firm_id is None:
            continue
        try:
            ready.append((posting_from_data(fields, firm_id=firm_id), firm_id, fields["external_id"]))
        except DomainError as e:
            problems += [FieldProblem(f"wanted[{i}].{p.field}", p.code, f"{i + 1}번째 공고: {p.ko}", f"Posting {i + 1}: {p.en}")
                         for p in (e.problems or [FieldProblem(e.field or "", e.code, e.ko, e.en)])]
    _raise(problems)
    return [_store_posting(db, p, firm_id, None, None, ext) for p, firm_id, ext in ready]


def export_worknet(db: Session, rows: Sequence[JobPostingRow]) -> list[dict[str, str]]:
    from onestop.firms.services import public_facts_of

    firms = public_facts_of(db, [r.firm_id for r in rows])
    out = []
    for r in rows:
        name, brn, _ = firms.get(r.firm_id, ("", None, ""))
        full = regions.table()[r.region].name_full if r.region in regions.table() else r.region
        out.append(worknet.write({**r.data, "id": r.id, "external_id": r.external_id}, name, brn or "", full))
    return out


# --- matching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    match: Match
    posting: Posting
    company: str


def match_postings(db: Session, seeker: Seeker, on: date, limit: int = 20) -> list[Ranked]:
    """The open postings on `on`, best first for the seeker, each explained."""
    from onestop.firms.services import public_facts_of

    postings = open_postings(db, on)
    table = PostingTable(postings, lambda p: terms_of(f"{p.title} {p.description}"))
    matches = table.rank(seeker, groups_of(seeker, on), terms_of(seeker.keywords), limit, NAMES)
    by_id = {p.id: p for p in postings}
    firms = public_facts_of(db, [p.firm_id for p in postings])
    return [Ranked(m, by_id[m.posting_id], firms.get(by_id[m.posting_id].firm_id, ("", None, ""))[0]) for m in matches]


def my_matches(db: Session, who: Principal, on: date, limit: int = 20) -> list[Ranked]:
    row = my_seeker_row(db, who)
    if row is None:
        raise _NO_SEEKER
    return match_postings(db, _seeker(row), on, limit)


@dataclass(frozen=True)
class Candidate:
    """A seeker as a firm sees them for one posting: anonymous (`label` only) unless they applied
    or accepted the firm's invitation (`visible`, with name and profile)."""

    seeker_id: int
    label: str
    state: str | None
    visible: bool
    match: Match
    name: str | None = None
    profile: dict[str, Any] | None = None


VISIBLE_STATES = ("applied", "accepted")


def candidates(db: Session, who: Principal, posting_id: int, on: date, limit: int = 20) -> list[Candidate]:
    """For a posting of the acting member's firm: the seekers who applied or accepted (with their
    profiles), then the best-matching seekers who allowed being found (anonymous), explained."""
    from onestop.accounts.tables import UserRow

    row = _firm_posting(db, who, posting_id)
    posting = _posting(row)
    engaged = {e.seeker_id: e for e in db.scalars(select(JobEngagementRow).where(JobEngagementRow.posting_id == row.id))}
    seekers = list(db.scalars(select(JobSeekerRow).where(
        (JobSeekerRow.discoverable.is_(True)) | (JobSeekerRow.id.in_(list(engaged)))).order_by(JobSeekerRow.id)))
    models = [_seeker(s) for s in seekers]
    table = SeekerTable(models, [terms_of(m.keywords) for m in models], on, age_groups(on))
    ranked = table.rank(posting, terms_of(f"{posting.title} {posting.description}"), max(limit, len(engaged)), NAMES)
    by_id = {s.id: s for s in seekers}
    names = dict(db.execute(select(UserRow.id, UserRow.name).where(UserRow.id.in_([s.user_id for s in seekers]))).all())
    out = []
    for m in ranked:
        s = by_id[m.seeker_id]
        e = engaged.get(s.id)
        if e is None and not s.discoverable:
            continue
        visible = e is not None and e.state in VISIBLE_STATES
        out.append(Candidate(s.id, f"후보 {s.id:05d}", e.state if e else None, visible, m,
                             names.get(s.user_id) if visible else None, dict(s.profile) if visible else None))
    out.sort(key=lambda c: (not c.visible, -c.match.score))
    return out[:max(limit, sum(c.visible for c in out))]


def seeker_for_firm(db: Session, who: Principal, seeker_id: int) -> dict[str, Any]:
    """A seeker's profile as one of the acting member's firms may see it: only after the seeker
    applied to one of the firm's postings or accepted its invitation; not found otherwise."""
    row = db.get(JobSeekerRow, seeker_id)
    if row is None:
        raise _NO_SEEKER
    allowed = db.scalar(select(JobEngagementRow.id).where(
        JobEngagementRow.seeker_id == seeker_id, JobEngagementRow.firm_id.in_(list(who.firms)),
        JobEngagementRow.state.in_(VISIBLE_STATES)).limit(1))
    if allowed is None:
        raise _NO_SEEKER
    return dict(row.profile)


def apply(db: Session, who: Principal, posting_id: int, on: date) -> JobEngagementRow:
    """The acting seeker applies to an open posting; the firm may now see their profile. The
    explanation shown is kept with the application."""
    row = my_seeker_row(db, who)
    if row is None:
        raise _NO_SEEKER
    p = get_posting(db, posting_id)
    posting = _posting(p)
    if not model.is_open(posting, on):
        raise DomainError(code="posting_closed", field="posting_id",
                          ko=f"이 공고는 {posting.closes_on.isoformat()}에 마감되어 지원할 수 없습니다.",
                          en=f"This posting closed on {posting.closes_on.isoformat()}; it takes no applications.")
    seeker = _seeker(row)
    m = model.score(seeker, posting, groups_of(seeker, on), terms_of(seeker.keywords),
                    terms_of(f"{posting.title} {posting.description}"), NAMES)
    e = db.scalar(select(JobEngagementRow).where(JobEngagementRow.posting_id == p.id, JobEngagementRow.seeker_id == row.id))
    if e is None:
        e = JobEngagementRow(posting_id=p.id, seeker_id=row.id, firm_id=p.firm_id, state="applied", match=m.as_dict())
        db.add(e)
    elif e.state == "applied":
        raise DomainError(code="already_applied", field="posting_id", ko="이미 지원한 공고입니다.",
                          en="You already applied to this posting.")
    else:
        e.state, e.match, e.decided_at = "applied", m.as_dict(), utcnow()
    db.flush()
    return e


def invite(db: Session, who: Principal, posting_id: int, seeker_id: int, on: date) -> JobEngagementRow:
    """The acting firm member invites a seeker who allowed being found to apply; they see no
    more of the seeker until the invitation is accepted."""
    p = _firm_posting(db, who, posting_id)
    s = db.get(JobSeekerRow, seeker_id)
    if s is None or not s.discoverable:
        raise _NO_SEEKER
    existing = db.scalar(select(JobEngagementRow).where(JobEngagementRow.posting_id == p.id,
                                                        JobEngagementRow.seeker_id == s.id))
    if existing is not None:
        raise DomainError(code="already_engaged", field="seeker_id", ko="이미 지원했거나 제안한 구직자입니다.",
                          en="This seeker already applied or was invited.")
    seeker, posting = _seeker(s), _posting(p)
    m = model.score(seeker, posting, groups_of(seeker, on), terms_of(seeker.keywords),
                    terms_of(f"{posting.title} {posting.description}"), NAMES)
    e = JobEngagementRow(posting_id=p.id, seeker_id=s.id, firm_id=p.firm_id, state="invited", match=m.as_dict())
    db.add(e)
    db.flush()
    return e


def my_engagements(db: Session, who: Principal) -> list[tuple[JobEngagementRow, JobPostingRow]]:
    row = my_seeker_row(db, who)
    if row is None:
        return []
    return [(e, p) for e, p in db.execute(select(JobEngagementRow, JobPostingRow)
                                          .join(JobPostingRow, JobPostingRow.id == JobEngagementRow.posting_id)
                                          .where(JobEngagementRow.seeker_id == row.id).order_by(JobEngagementRow.id))]


def answer_invitation(db: Session, who: Principal, engagement_id: int, accept: bool) -> JobEngagementRow:
    row = my_seeker_row(db, who)
    e = db.get(JobEngagementRow, engagement_id)
    if row is None or e is None or e.seeker_id != row.id:
        raise DomainError(code="not_found", field="engagement_id", ko="제안을 찾을 수 없습니다.", en="No such invitation.")
    if e.state != "invited":
        raise DomainError(code="not_invited", field="engagement_id", ko="이미 답한 제안입니다.",
                          en="This invitation was already answered.")
    e.state, e.decided_at = ("accepted" if accept else "declined"), utcnow()
    db.flush()
    return e
