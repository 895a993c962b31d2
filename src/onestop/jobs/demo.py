"""The jobs part of the demo (item 7 of issue 12): the 50-year-old seeker in 순천 with the
profile of `examples/seeker-50s-suncheon.json`, and postings of the scenario firms open around
today (순천바른빵's 품질관리 사무원 welcomes 신중년; a forklift job in 여수; 창원정밀기계's 생산관리);
the FKI SME center's 20-hour Re-Bounce course in December 2026 (순천 and online) with her enrolled."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.accounts import services as accounts
from onestop.accounts.tables import UserRow
from onestop.errors import DomainError
from onestop.jobs import services
from onestop.jobs.tables import JobPostingRow
from onestop.korea._data import data_path
from onestop.korea.dates import KST
from onestop.platform.db import utcnow

SEEKER_EMAIL = "seeker@onestop.demo"
POSTINGS: list[tuple[str, str, dict[str, Any]]] = [
    ("founder@onestop.demo", "DEMO-JOB-1", {
        "title": "제과 공장 품질관리 사무원 (신중년 적합직무)", "occupation": "32122", "region": "12150",
        "employment_type": "permanent", "hours_per_week": 40, "pay_won": 2_800_000, "pay_unit": "month",
        "education_min": "high", "career_years": 3, "programs": ["new_middle_aged_job", "middle_aged_welcome"],
        "description": "제과 생산라인의 품질관리와 생산관리 기록을 맡을 분을 찾습니다."}),
    ("founder@onestop.demo", "DEMO-JOB-2", {
        "title": "물류창고 지게차 운전원", "occupation": "87304", "region": "12130", "employment_type": "fixed_term",
        "hours_per_week": 40, "pay_won": 11_000, "pay_unit": "hour", "licences": ["지게차운전기능사"],
        "description": "여수 물류창고의 입출고와 지게차 운전"}),
    ("exporter@onestop.demo", "DEMO-JOB-3", {
        "title": "정밀기계 생산관리 담당", "occupation": "32121", "region": "48123", "employment_type": "permanent",
        "hours_per_week": 40, "pay_won": 36_000_000, "pay_unit": "year", "education_min": "college",
        "career_years": 5, "programs": ["youth_tomorrow"], "description": "생산계획 수립과 공정 관리"}),
]


def seed_jobs(db: Session) -> int:
    """Idempotent: postings are keyed by their demo wantedAuthNo, the seeker by the account."""
    today = utcnow().astimezone(KST).date()
    made = 0
    for email, key, data in POSTINGS:
        if db.scalar(select(JobPostingRow.id).where(JobPostingRow.external_id == key)) is not None:
            continue
        user = db.scalar(select(UserRow).where(UserRow.email == email))
        if user is None:
            continue
        who = accounts.principal(db, user)
        dated = {**data, "opens_on": (today - timedelta(days=14)).isoformat(),
                 "closes_on": (today + timedelta(days=45)).isoformat(), "external_id": key}
        try:
            services.create_posting(db, who, min(who.firms), dated)
        except DomainError:  # e.g. no minimum wage yet for a new year: that posting waits for the parameter
            continue
        made += 1
    _seed_fair(db, today)
    seeker = db.scalar(select(UserRow).where(UserRow.email == SEEKER_EMAIL))
    if seeker is not None:
        who = accounts.principal(db, seeker)
        if services.my_seeker_row(db, who) is None:
            profile = json.loads(data_path("demo", "seeker-50s-suncheon.json").read_text(encoding="utf-8"))
            services.save_profile(db, who, profile, today, consent_version=services.CONSENT_VERSION, discoverable=True)
    _seed_course(db)
    return made


COURSE_TITLE = "리바운스(Re-Bounce) 중장년 재취업 교육 — 순천 12월반"
#: five 4-hour sessions (10:00–15:00 with an hour's lunch not credited): 20 hours, as Re-Bounce
COURSE_SESSIONS = [(date(2026, 12, 7), "offline"), (date(2026, 12, 8), "online"), (date(2026, 12, 9), "offline"),
                   (date(2026, 12, 10), "online"), (date(2026, 12, 11), "offline")]


def _seed_course(db: Session) -> None:
    """The FKI center's Re-Bounce course, its sessions, and the demo seeker enrolled (directly,
    as an officer enrolling her would: the demo may be seeded after enrolment closes)."""
    from onestop.jobs import course_model, courses
    from onestop.jobs.tables import JobCourseEnrolmentRow, JobCourseRow

    officer = db.scalar(select(UserRow).where(UserRow.email == "officer.fki@onestop.demo"))
    if officer is None or db.scalar(select(JobCourseRow.id).where(JobCourseRow.title == COURSE_TITLE)) is not None:
        return
    who = accounts.principal(db, officer)
    course = courses.create_course(db, who, {
        "title": COURSE_TITLE, "program_id": "fki-rebounce", "required_hours": str(course_model.REBOUNCE_HOURS),
        "capacity": "30", "enrol_opens": "2026-11-16", "enrol_closes": "2026-12-04",
        "description": "대기업 퇴직 중장년을 위한 20시간 재취업 종합교육: 경력 설계, 이력서·면접, 중소기업 이해. "
                       "교육 기간에 담당자와 1:1 상담을 예약하고, 맞는 채용 공고를 추천받습니다."})
    for day, mode in COURSE_SESSIONS:
        courses.add_session(db, who, course.id, {"day": day.isoformat(), "starts": "10:00", "ends": "15:00", "hours": "4",
                                                 "mode": mode, "venue": "순천시 일자리센터 교육장" if mode == "offline" else ""})
    seeker = db.scalar(select(UserRow).where(UserRow.email == SEEKER_EMAIL))
    me = services.my_seeker_row(db, accounts.principal(db, seeker)) if seeker is not None else None
    if me is not None:
        db.add(JobCourseEnrolmentRow(course_id=course.id, seeker_id=me.id))
        db.flush()


def _seed_fair(db: Session, today: date) -> None:
    """전남 진흥원's regional mini fair in 순천, a week ahead, with 순천바른빵's booth."""
    from onestop.jobs import fairs
    from onestop.jobs.tables import JobFairRow

    name = "순천 신중년 미니 채용박람회"
    officer = db.scalar(select(UserRow).where(UserRow.email == "officer.jeonnam@onestop.demo"))
    founder = db.scalar(select(UserRow).where(UserRow.email == "founder@onestop.demo"))
    if officer is None or founder is None or db.scalar(select(JobFairRow.id).where(JobFairRow.name == name)) is not None:
        return
    start = today + timedelta(days=7)
    try:
        fair = fairs.create_fair(db, accounts.principal(db, officer), name=name, kind="mini", venue="순천시 일자리센터",
                                 region="12150", starts_on=start, ends_on=start + timedelta(days=4))
    except DomainError:  # a week of holidays: no demo fair this time
        return
    who = accounts.principal(db, founder)
    firm = min(who.firms)
    postings = [p.id for p in services.postings_of_firm(db, who, firm)]
    fairs.register_booth(db, who, fair.id, firm, postings)
