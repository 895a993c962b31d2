"""Advisory use cases: experts registered, a need described once and routed, taken or declined,
chased by reminders, closed and rated. One use case per function."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onestop.accounts.memberships import owners
from onestop.accounts.model import Principal, Role
from onestop.accounts.tables import UserRow
from onestop.advisory.model import (
    CLOSURE_NAMES,
    REMINDER_DAYS,
    SUBJECT_NAMES,
    Closure,
    Decision,
    Expert,
    ExpertPool,
    NeedFacts,
    age_band,
    check_satisfaction,
    parse_filters,
    reminder_dates,
    route_pool,
)
from onestop.advisory.tables import ExpertRow, NeedReminderRow, NeedRouteRow, NeedRow
from onestop.alerts.outbox import notify
from onestop.applications.consultations import business_days_between, is_business_day
from onestop.audit import services as audit
from onestop.errors import DomainError, FieldProblem
from onestop.firms.facts import derive
from onestop.firms.services import profile_of
from onestop.firms.tables import FirmRow
from onestop.korea.dates import KST
from onestop.korea.regions import sido_list
from onestop.platform.db import utcnow
from onestop.text import identifier, text

OPEN_STATES = ("open", "taken", "unrouted")
MAX_TITLE = 200
MAX_BODY = 4000

_NOT_FOUND = DomainError(code="not_found", field="need_id", ko="자문 요청을 찾을 수 없습니다.",
                         en="No such advisory request.")


def today_kst(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(KST).date()


def _audit(db: Session, who: Principal | None, action: str, need_id: int, data: dict[str, Any]) -> None:
    """Every decision on a need goes to its audit chain ("advisory_need:ID")."""
    audit.record(db, actor=who.role.value if who else "system", actor_user_id=who.user_id if who else None,
                 action=f"advisory.{action}", subject=f"advisory_need:{need_id}", data=data)


# ── experts ──────────────────────────────────────────────────────────────────────────────────

def check_profile(subjects: list[str], regions: list[str], filters: dict[str, Any], capacity: int | str
                  ) -> tuple[list[str], list[str], Any, int, list[FieldProblem]]:
    """An expert's routing profile, normalised: subjects, regions (시도 codes; none: the whole
    country), match filters and capacity, with a problem named per bad field (empty: valid)."""
    problems: list[FieldProblem] = []
    subjects = [s for s in dict.fromkeys(text(str(s)) for s in subjects) if s]
    if not subjects or any(s not in SUBJECT_NAMES for s in subjects):
        allowed_ko = ", ".join(n[0] for n in SUBJECT_NAMES.values())
        allowed_en = ", ".join(n[1] for n in SUBJECT_NAMES.values())
        problems.append(FieldProblem("subjects", "invalid", f"자문 분야를 하나 이상 고르세요: {allowed_ko}.",
                                     f"Choose one or more subjects: {allowed_en}."))
    known = {r.code for r in sido_list()}
    regions = [r for r in dict.fromkeys(text(str(r)) for r in regions) if r]
    if any(r not in known for r in regions):
        problems.append(FieldProblem("regions", "invalid", "담당 지역은 시도 목록에서 고르세요 (비우면 전국).",
                                     "Choose the regions from the list of provinces (none: the whole country)."))
    typed = identifier(str(capacity)).replace(",", "")
    count = int(typed) if typed.isdigit() else 0
    if not 1 <= count <= 200:
        problems.append(FieldProblem("capacity", "invalid", "동시에 맡을 수 있는 건수는 1에서 200 사이의 정수입니다.",
                                     "Capacity is a whole number of 1 to 200 open requests at a time."))
    try:
        parsed = parse_filters(filters)
    except DomainError as e:
        problems.extend(e.problems)
        parsed = None
    return subjects, regions, parsed, count, problems


def _invalid(problems: list[FieldProblem]) -> DomainError:
    return DomainError(code="invalid", field=problems[0].field, ko=problems[0].ko, en=problems[0].en,
                       problems=problems)


def register_expert(db: Session, who: Principal, *, user_id: int, institution: str, subjects: list[str],
                    regions: list[str], filters: dict[str, Any], capacity: int | str) -> ExpertRow:
    """An officer (or administrator) registers an expert account's profile, or updates it."""
    if not who.is_officer:
        raise DomainError(code="forbidden", ko="자문위원은 기관 담당자만 등록할 수 있습니다.",
                          en="Only an agency officer can register experts.")
    user = db.get(UserRow, user_id)
    if user is None or user.role != Role.expert.value:
        raise DomainError(code="invalid", field="user_id", ko="자문위원(expert) 역할의 계정을 고르세요.",
                          en="Choose an account with the advisory expert role.")
    subjects, regions, parsed, count, problems = check_profile(subjects, regions, filters, capacity)
    if problems:
        raise _invalid(problems)
    assert parsed is not None
    row = db.scalar(select(ExpertRow).where(ExpertRow.user_id == user_id))
    if row is None:
        row = ExpertRow(user_id=user_id, name=user.name)
        db.add(row)
    row.institution = text(institution)[:200]
    row.subjects, row.regions, row.filters, row.capacity, row.active = (subjects, regions, parsed.as_dict(),
                                                                        count, True)
    db.flush()
    return row


def enrol_expert(db: Session, who: Principal, secret: str, ip: str, *, email: str, name: str, institution: str,
                 subjects: list[str], regions: list[str], filters: dict[str, Any], capacity: str
                 ) -> tuple[ExpertRow, bool]:
    """An officer registers an adviser by email (the officer page): a new address gets an
    expert account and a link to choose its password (the reset mail, one hour); a known expert
    account has its profile updated. Every bad field is named at once. Returns the expert and
    whether the account is new. The caller runs this in a savepoint: on DomainError nothing of
    it stays."""
    if not who.is_officer:
        raise DomainError(code="not_found", ko="페이지를 찾을 수 없습니다.", en="Page not found.")
    from onestop.accounts import services as accounts

    problems: list[FieldProblem] = []
    address = accounts.normal_email(email)
    name = text(name)
    if not name:
        problems.append(FieldProblem("name", "invalid", "자문위원의 이름을 입력하세요.", "Enter the adviser's name."))
    if not text(institution):
        problems.append(FieldProblem("institution", "invalid", "소속 기관을 입력하세요 (예: 전경련중소기업협력센터).",
                                     "Enter the institution (e.g. FKI SME Cooperation Center)."))
    user = db.scalar(select(UserRow).where(UserRow.email == address)) if address else None
    if user is not None and user.role != Role.expert.value:
        problems.append(FieldProblem("email", "invalid", "이미 다른 역할(기업·기관 등)로 가입된 이메일입니다. 다른 주소를 쓰세요.",
                                     "This email belongs to an account with another role (firm, agency …); use another."))
    created = False
    if user is None:
        try:
            user = accounts.create_account(db, email=address, password=secrets.token_urlsafe(24) + "aA1!", name=name,
                                           role=Role.expert, confirmed=True)
            created = True
        except DomainError as e:
            problems.extend(p for p in e.problems if p.field in ("email", "name") and
                            not any(q.field == p.field for q in problems))
    subjects, regions, parsed, count, more = check_profile(subjects, regions, filters, capacity)
    problems.extend(more)
    if problems:
        raise _invalid(problems)
    assert user is not None and parsed is not None
    if not created and name and user.name != name:
        user.name = name[:100]
    row = register_expert(db, who, user_id=user.id, institution=institution, subjects=subjects, regions=regions,
                          filters=filters, capacity=count)
    row.name = user.name
    if created:
        accounts.request_reset(db, secret, address, ip)
    db.flush()
    return row, created


def expert_rows(db: Session, who: Principal) -> list[tuple[ExpertRow, str, int]]:
    """Every registered expert with the account's email and open load (officers only)."""
    if not who.is_officer:
        raise DomainError(code="not_found", ko="페이지를 찾을 수 없습니다.", en="Page not found.")
    loads = open_loads(db)
    rows = db.execute(select(ExpertRow, UserRow.email).join(UserRow, UserRow.id == ExpertRow.user_id)
                      .order_by(ExpertRow.institution, ExpertRow.name, ExpertRow.id))
    return [(r, str(email), loads.get(r.id, 0)) for r, email in rows]


def open_loads(db: Session) -> dict[int, int]:
    """Open needs per expert: routes pending or taken on needs not closed."""
    rows = db.execute(select(NeedRouteRow.expert_id, func.count()).join(NeedRow, NeedRow.id == NeedRouteRow.need_id)
                      .where(NeedRouteRow.state.in_(("pending", "taken")), NeedRow.state != "closed")
                      .group_by(NeedRouteRow.expert_id))
    return {int(k): int(n) for k, n in rows}


def as_expert(row: ExpertRow, load: int = 0) -> Expert:
    return Expert(id=row.id, name=row.name, institution=row.institution, subjects=frozenset(row.subjects),
                  regions=frozenset(row.regions), filters=parse_filters(row.filters), capacity=row.capacity,
                  open_load=load)


def experts(db: Session) -> list[Expert]:
    """Every active expert with their open load, as routing sees them."""
    loads = open_loads(db)
    return [as_expert(r, loads.get(r.id, 0))
            for r in db.scalars(select(ExpertRow).where(ExpertRow.active.is_(True)).order_by(ExpertRow.id))]


def expert_of(db: Session, who: Principal) -> ExpertRow | None:
    if who.role != Role.expert:
        return None
    return db.scalar(select(ExpertRow).where(ExpertRow.user_id == who.user_id))


# ── needs ────────────────────────────────────────────────────────────────────────────────────

def facts_of_firm(db: Session, firm_id: int, on: date) -> dict[str, Any]:
    firm = db.get(FirmRow, firm_id)
    assert firm is not None
    f = derive(profile_of(firm), on)
    return {"firm_name": firm.name, "sido": f["sido"], "region": f["region"], "ksic": f["ksic"],
            "size_class": f["size_class"], "business_age_years": f["business_age_years"]}


def need_facts(subject: str, facts: dict[str, Any]) -> NeedFacts:
    return NeedFacts(subject=subject, sido=str(facts.get("sido", "")), ksic=str(facts.get("ksic", "")),
                     size_class=facts.get("size_class"), business_age_years=facts.get("business_age_years"))


def check_need(subject: str, title: str, body: str) -> tuple[str, str, str]:
    problems: list[FieldProblem] = []
    subject, title, body = text(subject), text(title), text(body)
    if subject not in SUBJECT_NAMES:
        names_ko = ", ".join(n[0] for n in SUBJECT_NAMES.values())
        names_en = ", ".join(n[1] for n in SUBJECT_NAMES.values())
        problems.append(FieldProblem("subject", "invalid", f"자문 분야를 고르세요: {names_ko}.",
                                     f"Choose a subject: {names_en}."))
    if not title or len(title) > MAX_TITLE:
        problems.append(FieldProblem("title", "invalid", f"제목을 1–{MAX_TITLE}자로 쓰세요.",
                                     f"Give a title of 1–{MAX_TITLE} characters."))
    if len(body) < 10 or len(body) > MAX_BODY:
        problems.append(FieldProblem("body", "invalid", f"필요한 도움을 10–{MAX_BODY}자로 설명해 주세요.",
                                     f"Describe what you need in 10–{MAX_BODY} characters."))
    if problems:
        raise DomainError(code="invalid", field=problems[0].field, ko=problems[0].ko, en=problems[0].en,
                          problems=problems)
    return subject, title, body


def _notify_routed(db: Session, need: NeedRow, routed: list[NeedRouteRow]) -> None:
    ids = {r.expert_id for r in routed}
    users = list(db.scalars(select(ExpertRow.user_id).where(ExpertRow.id.in_(ids)))) if ids else []
    s_ko, s_en = SUBJECT_NAMES[need.subject]
    notify(db, users, "advisory_routed", f"새 자문 요청 #{need.id} ({s_ko}): {need.title}",
           f"New advisory request #{need.id} ({s_en}): {need.title}", link=f"/advisory/needs/{need.id}")


def _route(db: Session, need: NeedRow, skip: frozenset[int] = frozenset()) -> Decision:
    decision = route_pool(need_facts(need.subject, need.facts), ExpertPool.build(experts(db)), skip=skip)
    rows = [NeedRouteRow(need_id=need.id, expert_id=r.expert.id, state="pending", reason_ko=r.ko, reason_en=r.en)
            for r in decision.routed]
    db.add_all(rows)
    need.decision = decision.as_dict()
    need.state = "open" if rows else "unrouted"
    db.flush()
    _notify_routed(db, need, rows)
    _audit(db, None, "route", need.id, {"experts": [r.expert.id for r in decision.routed],
                                        "reasons": [r.ko for r in decision.routed], "excluded": decision.excluded})
    return decision


def submit_need(db: Session, who: Principal, firm_id: int, subject: str, title: str, body: str,
                now: datetime | None = None) -> NeedRow:
    """A firm describes a need once; it goes to the competent experts at once, with reasons,
    and its reminders are scheduled (+7, +21, +45 Korean business days)."""
    if who.role != Role.firm_member or firm_id not in who.firms:
        raise _NOT_FOUND
    subject, title, body = check_need(subject, title, body)
    today = today_kst(now)
    need = NeedRow(firm_id=firm_id, subject=subject, title=title, body=body, facts=facts_of_firm(db, firm_id, today),
                   decision={}, state="open", routed_on=today, survey_comment="", created_by=who.user_id)
    db.add(need)
    db.flush()
    _audit(db, who, "submit", need.id, {"firm_id": firm_id, "subject": subject})
    for step, due in reminder_dates(today, is_business_day):
        db.add(NeedReminderRow(need_id=need.id, step=step, due_on=due))
    _route(db, need)
    return need


def _get(db: Session, need_id: int) -> NeedRow:
    need = db.get(NeedRow, need_id)
    if need is None:
        raise _NOT_FOUND
    return need


def route_of(db: Session, need_id: int, expert_id: int) -> NeedRouteRow | None:
    return db.scalar(select(NeedRouteRow).where(NeedRouteRow.need_id == need_id, NeedRouteRow.expert_id == expert_id))


def get_need(db: Session, who: Principal, need_id: int) -> NeedRow:
    """A need the acting user may see: the firm's members, the experts it was routed to, officers;
    not_found for anyone else (no existence leak)."""
    need = _get(db, need_id)
    if who.is_officer or (who.role == Role.firm_member and need.firm_id in who.firms):
        return need
    expert = expert_of(db, who)
    if expert is not None and route_of(db, need_id, expert.id) is not None:
        return need
    raise _NOT_FOUND


def routes(db: Session, need_id: int) -> list[tuple[NeedRouteRow, ExpertRow]]:
    rows = db.execute(select(NeedRouteRow, ExpertRow).join(ExpertRow, ExpertRow.id == NeedRouteRow.expert_id)
                      .where(NeedRouteRow.need_id == need_id).order_by(NeedRouteRow.id))
    return [(r, e) for r, e in rows]


def _my_route(db: Session, who: Principal, need_id: int) -> tuple[NeedRow, NeedRouteRow]:
    """The acting expert's route of the need; not_found when the need was not routed to them."""
    need = _get(db, need_id)
    expert = expert_of(db, who)
    found = None if expert is None else route_of(db, need_id, expert.id)
    if found is None:
        raise _NOT_FOUND
    return need, found


def _closed(need: NeedRow) -> None:
    if need.state == "closed":
        raise DomainError(code="conflict", field="need_id", ko=f"자문 요청 #{need.id} 건은 이미 종료되었습니다.",
                          en=f"Advisory request #{need.id} is already closed.")


def take(db: Session, who: Principal, need_id: int, answer: str) -> NeedRow:
    """The expert takes the need and answers the firm (the first contact, in writing)."""
    need, mine = _my_route(db, who, need_id)
    _closed(need)
    answer = text(answer)
    if mine.state != "pending":
        raise DomainError(code="conflict", field="answer", ko="이미 수락했거나 거절한 요청입니다.",
                          en="You have already taken or declined this request.")
    if len(answer) < 10 or len(answer) > MAX_BODY:
        raise DomainError(code="invalid", field="answer", ko=f"기업에 보낼 첫 답변을 10–{MAX_BODY}자로 쓰세요.",
                          en=f"Write your first answer to the firm in 10–{MAX_BODY} characters.")
    mine.state, mine.answer, mine.decided_at = "taken", answer, utcnow()
    need.state = "taken"
    _audit(db, who, "take", need.id, {"expert_id": mine.expert_id})
    expert = db.get(ExpertRow, mine.expert_id)
    assert expert is not None
    notify(db, owners(db, need.firm_id), "advisory_taken",
           f"{expert.name} 자문위원이 자문 요청 #{need.id}에 답했습니다.",
           f"{expert.name} took advisory request #{need.id} and answered.", link=f"/advisory/needs/{need.id}")
    db.flush()
    return need


def decline(db: Session, who: Principal, need_id: int, reason: str) -> NeedRow:
    """The expert declines with a reason; when nobody is left on the need it is routed again,
    to experts who have not declined it."""
    need, mine = _my_route(db, who, need_id)
    _closed(need)
    reason = text(reason)
    if mine.state != "pending":
        raise DomainError(code="conflict", field="reason", ko="이미 수락했거나 거절한 요청입니다.",
                          en="You have already taken or declined this request.")
    if len(reason) < 2 or len(reason) > 1000:
        raise DomainError(code="invalid", field="reason", ko="거절 사유를 2–1000자로 쓰세요.",
                          en="Give the reason for declining in 2–1000 characters.")
    mine.state, mine.decline_reason, mine.decided_at = "declined", reason, utcnow()
    _audit(db, who, "decline", need.id, {"expert_id": mine.expert_id, "reason": reason})
    db.flush()
    all_routes = [r for r, _ in routes(db, need.id)]
    if not any(r.state in ("pending", "taken") for r in all_routes):
        _route(db, need, skip=frozenset(r.expert_id for r in all_routes))
    return need


def close(db: Session, who: Principal, need_id: int, closure: str) -> NeedRow:
    """The firm, or an expert who took the need, closes it: done, done without help, or not reachable."""
    need = get_need(db, who, need_id)
    if who.role == Role.expert:
        _, mine = _my_route(db, who, need_id)
        if mine.state != "taken":
            raise _NOT_FOUND
    elif who.role != Role.firm_member:
        raise DomainError(code="forbidden", ko="자문 요청은 기업이나 수락한 자문위원이 종료합니다.",
                          en="A request is closed by the firm or by an expert who took it.")
    _closed(need)
    closure = text(closure)
    if closure not in CLOSURE_NAMES:
        raise DomainError(code="invalid", field="closure",
                          ko="종료 사유를 고르세요: " + ", ".join(n[0] for n in CLOSURE_NAMES.values()) + ".",
                          en="Choose how it ended: " + ", ".join(n[1] for n in CLOSURE_NAMES.values()) + ".")
    need.state, need.closure, need.closed_at, need.closed_by = "closed", closure, utcnow(), who.user_id
    _audit(db, who, "close", need.id, {"closure": closure})
    for r, _ in routes(db, need.id):
        if r.state == "pending":
            r.state = "withdrawn"
    if who.role == Role.expert:
        notify(db, owners(db, need.firm_id), "advisory_closed",
               f"자문 요청 #{need.id} 건이 종료되었습니다. 만족도 조사에 답해 주세요.",
               f"Advisory request #{need.id} was closed. Please tell us how satisfied you are.",
               link=f"/advisory/needs/{need.id}")
    db.flush()
    return need


def survey(db: Session, who: Principal, need_id: int, satisfaction: str, comment: str) -> NeedRow:
    """The firm rates the help once the need is closed (1–5, with an optional comment), once."""
    need = get_need(db, who, need_id)
    if who.role != Role.firm_member:
        raise _NOT_FOUND
    if need.state != "closed":
        raise DomainError(code="conflict", field="satisfaction", ko="만족도 조사는 요청이 종료된 뒤에 할 수 있습니다.",
                          en="The satisfaction survey opens once the request is closed.")
    if need.satisfaction is not None:
        raise DomainError(code="conflict", field="satisfaction", ko="만족도 조사에 이미 답했습니다.",
                          en="You have already answered the survey.")
    need.satisfaction = check_satisfaction(satisfaction)
    need.survey_comment = text(comment)[:2000]
    db.flush()
    return need


def firm_choices(db: Session, who: Principal) -> list[tuple[int, str]]:
    """The firms the acting member may ask advice for: (id, name)."""
    if who.role != Role.firm_member or not who.firms:
        return []
    return [(f.id, f.name) for f in db.scalars(select(FirmRow).where(FirmRow.id.in_(list(who.firms)))
                                               .order_by(FirmRow.id))]


def needs_of_firms(db: Session, who: Principal) -> list[NeedRow]:
    if not who.firms:
        return []
    return list(db.scalars(select(NeedRow).where(NeedRow.firm_id.in_(list(who.firms))).order_by(NeedRow.id.desc())))


def inbox(db: Session, who: Principal) -> list[tuple[NeedRow, NeedRouteRow]]:
    """The needs routed to the acting expert, newest first."""
    expert = expert_of(db, who)
    if expert is None:
        return []
    rows = db.execute(select(NeedRow, NeedRouteRow).join(NeedRouteRow, NeedRouteRow.need_id == NeedRow.id)
                      .where(NeedRouteRow.expert_id == expert.id).order_by(NeedRow.id.desc()))
    return [(n, r) for n, r in rows]


# ── reminders (scheduled work, like `onestop remind`) ─────────────────────────────────────────

def reminder_message(need: NeedRow, step: int) -> tuple[str, str]:
    if need.state == "taken":
        return (f"자문 요청 #{need.id} 건이 {step}영업일째 진행 중입니다. 해결되었으면 종료해 주세요.",
                f"Advisory request #{need.id} has been in progress for {step} business days; close it when done.")
    return (f"자문 요청 #{need.id} 건이 {step}영업일째 답을 기다리고 있습니다. 수락하거나 사유와 함께 거절해 주세요.",
            f"Advisory request #{need.id} has waited {step} business days for an answer; take it or decline it "
            "with a reason.")


def send_reminders(db: Session, now: datetime | None = None) -> int:
    """Send every reminder due by today (KST) on a need still open: to the experts on it who
    have not declined, and at the last step to the firm as well. Each reminder once: it is
    marked sent in the same transaction, and rows another run holds are skipped (PostgreSQL)."""
    today = today_kst(now)
    due = list(db.scalars(select(NeedReminderRow).where(NeedReminderRow.sent_at.is_(None),
                                                        NeedReminderRow.due_on <= today)
                          .order_by(NeedReminderRow.id).with_for_update(skip_locked=True)))
    n = 0
    for rem in due:
        rem.sent_at = utcnow()
        need = db.get(NeedRow, rem.need_id)
        assert need is not None
        if need.state == "closed":
            continue
        ko, en = reminder_message(need, rem.step)
        users = [e.user_id for r, e in routes(db, need.id) if r.state in ("pending", "taken")]
        if rem.step == REMINDER_DAYS[-1]:
            users += owners(db, need.firm_id)
        if users:
            notify(db, users, "advisory_reminder", ko, en, link=f"/advisory/needs/{need.id}")
            n += 1
    db.flush()
    return n


# ── officers: open needs by age, statistics ──────────────────────────────────────────────────

@dataclass(frozen=True)
class OpenNeed:
    need: NeedRow
    age: int
    band: str


def open_needs(db: Session, who: Principal, now: datetime | None = None) -> list[OpenNeed]:
    """Every need not closed, oldest first, with its age in Korean business days."""
    if not who.is_officer:
        raise _NOT_FOUND
    today = today_kst(now)
    rows = db.scalars(select(NeedRow).where(NeedRow.state.in_(OPEN_STATES)).order_by(NeedRow.routed_on, NeedRow.id))
    out = []
    for need in rows:
        age = business_days_between(need.routed_on, today)
        out.append(OpenNeed(need, age, age_band(age)))
    return out


@dataclass
class ExpertStats:
    name: str
    institution: str
    routed: int = 0
    taken: int = 0
    declined: int = 0
    closed_done: int = 0
    ratings: int = 0
    rating_sum: int = 0

    @property
    def satisfaction(self) -> float | None:
        return round(self.rating_sum / self.ratings, 1) if self.ratings else None

    def add(self, other: ExpertStats) -> None:
        for k in ("routed", "taken", "declined", "closed_done", "ratings", "rating_sum"):
            setattr(self, k, getattr(self, k) + getattr(other, k))


def statistics(db: Session, who: Principal) -> tuple[list[ExpertStats], list[ExpertStats], Counter[str]]:
    """Per expert and per institution: needs routed, taken, declined, closed with help, mean
    satisfaction of the needs they took; and closed needs by how they ended."""
    if not who.is_officer:
        raise _NOT_FOUND
    per: dict[int, ExpertStats] = {}
    rows = db.execute(select(NeedRouteRow, ExpertRow, NeedRow).join(ExpertRow, ExpertRow.id == NeedRouteRow.expert_id)
                      .join(NeedRow, NeedRow.id == NeedRouteRow.need_id))
    for r, e, need in rows:
        s = per.setdefault(e.id, ExpertStats(e.name, e.institution))
        s.routed += 1
        s.taken += r.state == "taken"
        s.declined += r.state == "declined"
        if r.state == "taken" and need.closure == Closure.done.value:
            s.closed_done += 1
        if r.state == "taken" and need.satisfaction is not None:
            s.ratings += 1
            s.rating_sum += need.satisfaction
    by_inst: dict[str, ExpertStats] = {}
    for s in per.values():
        by_inst.setdefault(s.institution, ExpertStats(s.institution, s.institution)).add(s)
    closures = Counter(c for c in db.scalars(select(NeedRow.closure).where(NeedRow.closure.is_not(None))) if c)
    return (sorted(per.values(), key=lambda s: (-s.routed, s.name)), sorted(by_inst.values(), key=lambda s: s.name),
            closures)
