"""Firm use cases: register (the registrant becomes owner), read and edit with optimistic
locking, list a member's firms. Access is checked here; a firm the user may not see is "not
found", so its existence never leaks."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onestop.accounts import services as accounts
from onestop.accounts.model import FirmRole, Principal, Role
from onestop.accounts.tables import MembershipRow
from onestop.errors import DomainError, FieldProblem
from onestop.firms.model import FirmProfile, parse_firm
from onestop.firms.tables import FirmRow
from onestop.korea.hangul import josa

NOT_FOUND = DomainError(code="not_found", ko="기업을 찾을 수 없습니다.", en="Firm not found.")


def profile_of(row: FirmRow) -> FirmProfile:
    return FirmProfile.model_validate(row.profile)


def _dump(firm: FirmProfile) -> dict[str, Any]:
    return firm.model_dump(mode="json", exclude_none=True)


def register(db: Session, who: Principal, data: Any) -> FirmRow:
    """A new firm with `who` as its owner. Raises `staff_account` for an officer, evaluator or
    administrator (they never become members of a firm), `brn_taken` for a registered BRN."""
    who.require_firm_account("기업을 등록", "register a firm")
    firm = parse_firm(data, entry=True)
    if firm.brn is not None and db.scalar(select(FirmRow.id).where(FirmRow.brn == firm.brn)) is not None:
        raise DomainError(
            code="brn_taken", field="brn",
            ko=f"사업자등록번호 {firm.brn}는 이미 등록되어 있습니다. 기존 관리자에게 초대를 요청하세요"
               "(POST /api/v1/join-requests, 화면에서는 '기존 관리자에게 초대 요청').",
            en=f"Business registration number {firm.brn} is already registered; ask its owners to invite you "
               "(POST /api/v1/join-requests; on the site, 'ask its owners to invite you').",
            problems=[FieldProblem("brn", "brn_taken", "이미 등록된 사업자등록번호입니다.",
                                   "This business registration number is already registered.")],
        )
    row = FirmRow(brn=firm.brn, name=firm.name, ksic=firm.ksic, region=firm.region, profile=_dump(firm))
    db.add(row)
    db.flush()
    accounts.add_member(db, who.user_id, row.id, FirmRole.owner)
    return row


def get(db: Session, who: Principal, firm_id: int) -> FirmRow:
    row = db.get(FirmRow, firm_id)
    if row is None or not who.can_read_firm(firm_id):
        raise NOT_FOUND
    if firm_id not in who.firms:  # an administrator reading a firm's data: on the record
        from onestop.audit import services as audit

        audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action="firm.view_data",
                     subject=f"firm:{firm_id}", data={"via": "firm"})
    return row


def update(db: Session, who: Principal, firm_id: int, data: Any, expected_version: int | None) -> FirmRow:
    row = get(db, who, firm_id)
    firm = parse_firm(data, entry=True)
    if row.brn is None and firm.brn is not None:  # a prospective founder has registered the business
        if db.scalar(select(FirmRow.id).where(FirmRow.brn == firm.brn)) is not None:
            raise DomainError(code="brn_taken", field="brn", ko=f"사업자등록번호 {firm.brn}는 이미 등록되어 있습니다.",
                              en=f"Business registration number {firm.brn} is already registered.",
                              problems=[FieldProblem("brn", "brn_taken", "이미 등록된 사업자등록번호입니다.",
                                                     "This business registration number is already registered.")])
        row.brn = firm.brn
    elif firm.brn != row.brn:
        raise DomainError(code="brn_immutable", field="brn", ko="사업자등록번호는 바꿀 수 없습니다.",
                          en="The business registration number cannot be changed.")
    if expected_version is not None and expected_version != row.version:
        raise DomainError(
            code="stale_version", field="version",
            ko="다른 사람이 먼저 기업 정보를 수정했습니다. 새로 고친 뒤 다시 저장하세요.",
            en="Someone changed this firm first; reload and save again.")
    row.name, row.ksic, row.region, row.profile = firm.name, firm.ksic, firm.region, _dump(firm)
    db.flush()
    if firm_id not in who.firms:  # an administrator editing a firm's profile on its behalf: recorded and told
        from onestop.accounts.memberships import owners
        from onestop.alerts import outbox
        from onestop.audit import services as audit

        audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action="firm.update",
                     subject=f"firm:{firm_id}", data={"on_behalf": True, "version": row.version})
        outbox.notify(db, owners(db, firm_id), "membership", f"{row.name}: [플랫폼 관리자 {who.name}] 기업 정보를 수정했습니다.",
                      f"{row.name}: [platform administrator {who.name}] edited the firm's profile.",
                      f"/firms/{firm_id}/edit", {"firm": firm_id})
    return row


def mine(db: Session, who: Principal) -> list[FirmRow]:
    if who.role == Role.admin:
        return list(db.scalars(select(FirmRow).order_by(FirmRow.id).limit(500)))
    return list(db.scalars(select(FirmRow).join(MembershipRow, MembershipRow.firm_id == FirmRow.id)
                           .where(MembershipRow.user_id == who.user_id).order_by(FirmRow.id)))


def registry_stamp(db: Session) -> tuple[int, int, Any]:
    """Changes whenever a firm is added or edited: count, sum of versions, last update."""
    count, versions, last = db.execute(
        select(func.count(FirmRow.id), func.coalesce(func.sum(FirmRow.version), 0), func.max(FirmRow.updated_at))
    ).one()
    return int(count), int(versions), last


def all_profiles(db: Session) -> list[FirmProfile]:
    return [profile_of(r) for r in db.scalars(select(FirmRow).order_by(FirmRow.id))]


def profiles_by_id(db: Session, ids: Collection[int] | None = None) -> dict[int, FirmProfile]:
    """A system read for features that describe firms in aggregate (outcomes' statistics, its
    effect measure): these firms' profiles by id, every firm's when `ids` is None. No principal:
    the caller decides what of it anyone may see."""
    q = select(FirmRow.id, FirmRow.profile).order_by(FirmRow.id)  # two columns: usable from a migration
    if ids is not None:
        q = q.where(FirmRow.id.in_(list(ids)))
    return {int(i): FirmProfile.model_validate(profile) for i, profile in db.execute(q)}


def names_of(db: Session, ids: Collection[int]) -> dict[int, str]:
    """Firm names by id (a drill-down list of firms an officer may already see in aggregate)."""
    if not ids:
        return {}
    return {i: n for i, n in db.execute(select(FirmRow.id, FirmRow.name).where(FirmRow.id.in_(list(ids))))}


def rows_after(db: Session, after_id: int, limit: int) -> list[FirmRow]:
    """Registered firms in id order after `after_id`, at most `limit` (batches of background work)."""
    return list(db.scalars(select(FirmRow).where(FirmRow.id > after_id).order_by(FirmRow.id).limit(limit)))


def reference_date(value: str | date | None) -> date:
    if value is None or value == "":
        return date.today()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):  # the form is right, the day is not on the calendar
            raise DomainError(code="date", field="date",
                              ko=f"{josa(value, '은')} 없는 날짜입니다. 기준일을 달력에 있는 날짜로 입력해 주세요.",
                              en=f"{value} is not a date on the calendar; enter the reference date as a real date."
                              ) from None
        raise DomainError(code="date", field="date", ko=f"날짜는 YYYY-MM-DD 형식이어야 합니다: {value!r}",
                          en=f"The date must be YYYY-MM-DD; got {value!r}.") from None


def public_facts_of(db: Session, firm_ids: Iterable[int]) -> dict[int, tuple[str, str | None, str]]:
    """Public facts of registered firms other features show beside their own records (a job
    posting's company): firm id → (name, business registration number, region code)."""
    ids = sorted(set(firm_ids))
    if not ids:
        return {}
    rows = db.execute(select(FirmRow.id, FirmRow.name, FirmRow.brn, FirmRow.region).where(FirmRow.id.in_(ids)))
    return {int(i): (n, b, r) for i, n, b, r in rows}


def id_by_brn(db: Session, brn: str) -> int | None:
    """The registered firm with this business registration number (already normalised), if any."""
    found = db.scalar(select(FirmRow.id).where(FirmRow.brn == brn))
    return None if found is None else int(found)
