"""The jobs part of the demo (item 7 of issue 12): the 50-year-old seeker in 순천 with the
profile of `examples/seeker-50s-suncheon.json`, and postings of the scenario firms open around
today (순천바른빵's 품질관리 사무원 welcomes 신중년; a forklift job in 여수; 창원정밀기계's 생산관리)."""

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
    return made


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
