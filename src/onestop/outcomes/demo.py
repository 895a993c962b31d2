"""The demo's history of support (issue 10, for first-time users): registry firms taken through
the real services — applied, checked, approved or not, agreement signed, executed — in 2025 and
2026 across programs of 전남일자리중소기업진흥원 and 전경련중소기업협력센터, with their 6- and
12-month outcome reports filed where due and reviewed by the agency's officer. Without it the
officers' outcome pages, the effect page, the quarterly report and the public statistics are
empty on a fresh `make run`.

Deterministic (seeded random over the seeded registry) and idempotent: a second run adds nothing.
The scenario firms of the journeys (those with a demo user) are never used."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.accounts import consents
from onestop.accounts import services as accounts
from onestop.accounts.model import FirmRole, Principal, Role
from onestop.accounts.tables import MembershipRow, UserRow
from onestop.applications import services as applications
from onestop.applications.tables import ApplicationRow
from onestop.errors import DomainError
from onestop.firms.facts import derive
from onestop.firms.model import FirmProfile
from onestop.firms.services import profile_of
from onestop.firms.tables import FirmRow
from onestop.korea._data import data_path
from onestop.korea.dates import KST
from onestop.outcomes import kpi
from onestop.outcomes import services as outcomes
from onestop.outcomes.model import is_jump
from onestop.outcomes.tables import OutcomeReportRow
from onestop.rules.evaluate import MET, NOT_MET, evaluate_rule

SEED = 2026
#: the account that owns the demo's supported firms (one for all: an account per firm would
#: cost a password hash each, about 0.4 s on the demo machine, 25 s for the whole history)
OWNER_EMAIL = "supported@onestop.demo"
OWNER_NAME = "데모 지원기업 대표 (성과 이력)"
#: the agencies' officers who review, approve and execute (accounts of the demo seed)
OFFICERS = {"jnsbi": "officer.jeonnam@onestop.demo", "fki-sme": "officer.fki@onestop.demo"}
#: program → applications selected and executed (a tenth more are not selected); the first is the
#: demo's main program, whose registry firms keep just enough yearly figures for the effect page
PLAN: tuple[tuple[str, int], ...] = (
    ("jeonnam-sme-development-fund", 13),
    ("jnsbi-fta-center", 5),
    ("jnsbi-job-platform", 4),
    ("fki-business-mentoring", 36),
    ("fki-management-doctor", 12),
    ("fki-tech-innovation-consulting", 7),
)
#: applications the officer does not select (with a written reason), as a share of those selected
REJECT_SHARE = 0.1
#: share of submitted outcome reports returned for correction (with the officer's note)
RETURN_SHARE = 0.1
#: the officer's reason when the profile left a criterion open (as a profile without the
#: fiscal years of its SME test, or without its factory registration, does)
CONFIRMED_FROM_DOCUMENTS = ("제출 서류(중소기업 확인서, 공장등록증, 업종 확인 서류 등)로 미확인 자격 항목을 확인함 / The open "
                            "criteria were confirmed from the documents submitted (SME confirmation, factory registration, "
                            "the line of business).")
#: the demo's 2026 KPI targets (fictional figures, marked so in their source)
TARGETS = "kpi_targets_demo_2026.yaml"


@dataclass(frozen=True)
class Story:
    """One application's dates: submitted, then (when selected) executed."""

    firm_id: int
    program_id: str
    submitted_on: date
    executed_on: date
    rejected: bool


def _at(day: date, hour: int) -> datetime:
    """A KST working hour of `day`, as the aware UTC time the services store."""
    return datetime.combine(day, time(hour), KST).astimezone(UTC)


def _user(db: Session, email: str) -> UserRow | None:
    return db.scalar(select(UserRow).where(UserRow.email == email))


def _officer(db: Session, agency_id: str) -> Principal | None:
    u = _user(db, OFFICERS[agency_id])
    if u is None:
        return None
    return Principal(u.id, u.email, u.name, Role.officer, u.agency_id, {})


def _execution_day(rng: random.Random, today: date) -> date:
    """About a third in 2025, the rest in 2026 (a tenth of all in the current quarter, so the
    quarterly report has this quarter's lines), never after today."""
    r = rng.random()
    if r < 0.33:
        day = date(2025, 3, 1) + timedelta(days=rng.randint(0, 290))
    elif r < 0.45:
        start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        day = start + timedelta(days=rng.randint(0, max(0, (today - start).days - 1)))
    else:
        day = date(2026, 1, 5) + timedelta(days=rng.randint(0, 300))
    return min(day, today - timedelta(days=1))


def _has_figures(firm: FirmProfile) -> bool:
    """The firm keeps two fiscal years of revenue and regular employees (the effect page
    measures it)."""
    return len(firm.revenue) >= 2 and len(firm.regular_employees_by_year) >= 2


def plan(firms: dict[int, FirmProfile], engine: Any, today: date, seed: int = SEED) -> list[Story]:
    """Which registry firm applies to which program, and when: for each program of `PLAN`, firms
    its rule admits today, then firms with a criterion their profile leaves open (those keeping
    their yearly figures first within each, so the effect page can measure them), drawn with the
    seeded generator; the `n` first are selected, the next tenth are not (`Story.rejected`).
    Pure: the same firms, catalog and day give the same stories."""
    rng = random.Random(seed)
    ids = sorted(firms)
    facts = {i: derive(firms[i], today) for i in ids}
    stories = []
    for program_id, n in PLAN:
        if program_id not in engine.catalog.programs:
            continue
        rule = engine.catalog.get(program_id).rule
        status = {i: evaluate_rule(rule, facts[i]) for i in ids}
        fit = [i for i in ids if status[i] != NOT_MET]
        rng.shuffle(fit)
        # admitted firms first, then those with a criterion the profile leaves open (the officer
        # confirms it from the documents); within each, those keeping their figures first
        fit.sort(key=lambda i: (status[i] != MET, not _has_figures(firms[i])))  # stable: still shuffled
        rejected = max(1, round(n * REJECT_SHARE))
        for k, firm_id in enumerate(fit[:n + rejected]):
            executed = _execution_day(rng, today)
            submitted = executed - timedelta(days=rng.randint(25, 70))
            stories.append(Story(firm_id, program_id, submitted, executed, k >= n))
    return stories


def _owner(db: Session, firm_ids: set[int]) -> Principal:
    from onestop.demo.seed import PASSWORD

    user = _user(db, OWNER_EMAIL)
    if user is None:
        user = accounts.create_account(db, email=OWNER_EMAIL, password=PASSWORD, name=OWNER_NAME,
                                       role=Role.firm_member, confirmed=True)
        consents.record(db, user.id, {i.id: i.current for i in consents.items() if i.required})
    have = set(db.scalars(select(MembershipRow.firm_id).where(MembershipRow.user_id == user.id)))
    for firm_id in sorted(firm_ids - have):
        accounts.add_member(db, user.id, firm_id, FirmRole.owner)
    db.flush()
    return Principal(user.id, user.email, user.name, Role.firm_member, None,
                     dict.fromkeys(sorted(firm_ids), FirmRole.owner))


def _report_values(rng: random.Random, firm: FirmProfile, measures: list[str], months: int) -> dict[str, str]:
    """Figures as the firm types them into the report form: its last fiscal year grown by a
    plausible rate over the months since support."""
    latest = max(firm.revenue) if firm.revenue else None
    revenue = firm.revenue[latest] if latest else 0
    staff = firm.regular_employees or 0
    growth = 1 + rng.gauss(0.05, 0.08) * months / 12
    out: dict[str, str] = {}
    for m in measures:
        if m == "revenue_won":
            out[m] = f"{max(0, int(revenue * growth)):,}"
        elif m == "regular_employees":
            out[m] = str(max(0, staff + round(rng.gauss(0.06 * staff, 0.1 * staff + 0.8) * months / 12)))
        elif m == "exports_won":
            out[m] = f"{int((firm.export_revenue or 0) * growth):,}"
        elif m == "exports_usd":
            out[m] = f"{int((firm.export_usd or 0) * growth):,}"
        elif m.startswith("new_hires_"):
            out[m] = str(rng.choice((1, 1, 2, 3)))
        elif m in ("patents", "products_launched"):
            out[m] = str(rng.choice((1, 1, 2)))
        else:  # a certification gained: most firms report none
            out[m] = ""
    return out


def _reports(db: Session, rng: random.Random, owner: Principal, officer: Principal, row: ApplicationRow,
             firm: FirmProfile, today: date) -> None:
    """The firm files each report whose period has ended (a few days after its end), the officer
    reviews it a few days later: accepted, or now and then returned with a note; a report the
    officer has not reached by today waits in the review queue."""
    plan_ = outcomes.plan_of(db, row.program_id)
    if plan_ is None:
        return
    due = list(db.scalars(select(OutcomeReportRow).where(OutcomeReportRow.application_id == row.id)
                          .order_by(OutcomeReportRow.after_months)))
    measures = [m.value for m in plan_.measures]
    for report in due:
        filed = report.period_end + timedelta(days=rng.randint(3, 15))
        if filed >= today:
            break
        raw = {"as_of": report.period_end.isoformat(), **_report_values(rng, firm, measures, report.after_months)}
        previous = outcomes.previous_figures(db, report)
        for m, typed in raw.items():  # a firm's figures move gradually: never a ten-fold change to confirm
            value = int(typed.replace(",", "")) if typed[:1].isdigit() and m != "as_of" else None
            before = previous.get(m)
            if value is not None and before is not None and is_jump(value, before):
                raw[m] = str(before)
        outcomes.submit(db, owner, report.id, raw, [], now=_at(filed, 10))
        reviewed = filed + timedelta(days=rng.randint(2, 10))
        if reviewed >= today:
            break
        if rng.random() < RETURN_SHARE:
            outcomes.review(db, officer, report.id, False,
                            "상시근로자 수의 근거(4대보험 가입자 명부)를 첨부해 다시 제출해 주세요.", now=_at(reviewed, 15))
            break
        outcomes.review(db, officer, report.id, True, "", now=_at(reviewed, 15))
    if due and due[0].period_end <= today:
        applications.request_outcome_by_system(db, row.id)  # as the daily job does once a period ends
    if due and all(r.state == "accepted" for r in due):
        applications.act(db, officer, row.id, "close", None, "성과 보고 완료 / outcome reports complete")


def seed(db: Session, engine: Any, revision: int, store: Any, today: date | None = None) -> int:
    """Take the planned firms through the services and file their outcome reports; load the
    demo's 2026 KPI targets. Returns how many applications were added (0 on a second run)."""
    from onestop.demo.seed import demo_pdf

    today = today or outcomes.today_kst()
    if _user(db, OWNER_EMAIL) is not None:
        return 0
    officers = {a: _officer(db, a) for a in OFFICERS}
    scenario_firms = set(db.scalars(select(MembershipRow.firm_id)))
    rows = db.scalars(select(FirmRow).where(FirmRow.brn.is_not(None)).order_by(FirmRow.brn)).all()
    firms = {r.id: profile_of(r) for r in rows if r.id not in scenario_firms}
    stories = plan(firms, engine, today)
    owner = _owner(db, {s.firm_id for s in stories})
    rng = random.Random(SEED + 1)
    # the agreement is signed by the firm's owner; the seed signs as the owner would, from here
    client = applications.Client(ip="127.0.0.1", agent="onestop demo seed")
    made = 0
    for s in sorted(stories, key=lambda s: (s.submitted_on, s.firm_id, s.program_id)):
        program = engine.catalog.get(s.program_id)
        officer = officers.get(program.spec.agency)
        if officer is None:
            continue
        try:
            row, created = applications.create(db, owner, engine, s.firm_id, s.program_id,
                                               f"demo-outcomes-{s.program_id}-{s.firm_id}")
        except DomainError:  # the program's window is closed today: this story is not told
            continue
        if not created:
            continue
        for kind, _ko, en in applications.required_documents(program):
            applications.upload(db, owner, store, engine, row.id, kind, f"{kind}.pdf", demo_pdf(f"{en} #{row.id}"))
        applications.submit(db, owner, engine, revision, row.id, None, now=_at(s.submitted_on, 11))
        made += 1
        for action in ("start_check", "documents_ok"):
            applications.act(db, officer, row.id, action, None)
        status = (row.eligibility or {}).get("status")
        if s.rejected or status == "not_eligible":
            applications.act(db, officer, row.id, "reject", None,
                             "평가 점수가 선정 기준에 미달했습니다. / The evaluation score fell short of the cut-off."
                             if s.rejected else "자격 요건 미충족 / An eligibility criterion is not met.")
            continue
        if status != "eligible":  # a criterion the profile leaves open, confirmed from the documents
            applications.override(db, officer, row.id, CONFIRMED_FROM_DOCUMENTS, None)
        applications.act(db, officer, row.id, "approve", None)
        agreement = applications.agreement_of(db, row.id)
        assert agreement is not None  # approval prepares it
        applications.sign(db, owner, row.id, agreement.document_sha256, client, None)
        db.info[outcomes.EXECUTED_ON] = s.executed_on  # the support was given on its own day, not today
        try:
            applications.act(db, officer, row.id, "execute", None)
        finally:
            db.info.pop(outcomes.EXECUTED_ON, None)
        _reports(db, rng, owner, officer, row, firms[s.firm_id], today)
    kpi.import_targets(db, data_path("demo", TARGETS))
    db.flush()
    return made
