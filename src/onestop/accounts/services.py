"""Sign-up, sign-in with throttling, sessions, API tokens, invitations and sign-out everywhere."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from onestop.accounts.model import FirmRole, Principal, Role
from onestop.accounts.tables import (
    ApiTokenRow,
    InvitationRow,
    LoginAttemptRow,
    MembershipRow,
    SessionRow,
    UserRow,
)
from onestop.errors import DomainError, FieldProblem
from onestop.firms.tables import FirmRow
from onestop.platform.db import utcnow

_hasher = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
TOKEN_DAYS = 90


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _invalid(problems: list[FieldProblem]) -> DomainError:
    return DomainError(code="invalid", ko=f"입력값에 {len(problems)}건의 오류가 있습니다.",
                       en=f"The input has {len(problems)} error(s).", problems=problems)


def signup(db: Session, *, email: str, password: str, name: str, role: Role = Role.firm_member,
           agency_id: str | None = None) -> UserRow:
    email = email.strip().lower()
    problems = []
    if not _EMAIL.match(email):
        problems.append(FieldProblem("email", "email_format",
                                     "이메일 주소 형식이 올바르지 않습니다(예: name@example.kr).",
                                     "Not a valid email address (e.g. name@example.kr)."))
    if len(password) < MIN_PASSWORD:
        problems.append(FieldProblem("password", "password_short",
                                     f"비밀번호는 {MIN_PASSWORD}자 이상이어야 합니다.",
                                     f"The password must have at least {MIN_PASSWORD} characters."))
    if not name.strip():
        problems.append(FieldProblem("name", "name_missing", "이름을 입력하세요.", "Enter your name."))
    if role == Role.officer and not agency_id:
        problems.append(FieldProblem("agency_id", "agency_missing", "기관 담당자는 소속 기관이 필요합니다.",
                                     "An officer belongs to an agency."))
    if problems:
        raise _invalid(problems)
    if db.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
        raise _invalid([FieldProblem("email", "email_taken", "이미 가입된 이메일입니다. 로그인하세요.",
                                     "This email is already registered; sign in instead.")])
    user = UserRow(email=email, name=name.strip(), password_hash=hash_password(password),
                   role=role.value, agency_id=agency_id)
    db.add(user)
    db.flush()
    return user


@dataclass
class Throttle:
    """At most `max_failures` failed sign-ins per account (and ten times that per address) within
    `window`; further attempts are refused until old failures leave the window."""

    max_failures: int
    window: timedelta


#: One address may fail this many times more than one account (an office shares one address).
IP_FACTOR = 10


def _failures(db: Session, column: Any, value: str, since: datetime) -> int:
    return db.scalar(
        select(func.count()).select_from(LoginAttemptRow).where(
            LoginAttemptRow.success.is_(False), LoginAttemptRow.at >= since, column == value)
    ) or 0


def authenticate(db: Session, *, email: str, password: str, ip: str, throttle: Throttle) -> UserRow:
    """The user, or a DomainError that does not reveal whether the email exists."""
    email = email.strip().lower()
    now = utcnow()
    since = now - throttle.window
    if (_failures(db, LoginAttemptRow.email, email, since) >= throttle.max_failures
            or _failures(db, LoginAttemptRow.ip, ip, since) >= throttle.max_failures * IP_FACTOR):
        minutes = int(throttle.window.total_seconds() // 60)
        raise DomainError(code="login_throttled", field="password",
                          ko=f"로그인 실패가 너무 많습니다. {minutes}분 후에 다시 시도하세요.",
                          en=f"Too many failed sign-ins. Try again in {minutes} minutes.")
    user = db.scalar(select(UserRow).where(UserRow.email == email))
    ok = False
    if user is not None and user.is_active:
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash(password)  # same cost whether or not the account exists
    db.add(LoginAttemptRow(email=email, ip=ip, success=ok, at=now))
    if not ok or user is None:
        raise DomainError(code="login_failed", field="password",
                          ko="이메일 또는 비밀번호가 올바르지 않습니다.",
                          en="The email or password is not correct.")
    return user


def principal(db: Session, user: UserRow) -> Principal:
    found = _principal(db.execute(_BY_USER, {"user_id": user.id}).all())
    assert found is not None
    return found


# --- sessions (pages) ---------------------------------------------------------------------

@dataclass
class NewSession:
    cookie: str
    csrf: str


def open_session(db: Session, user: UserRow, days: int, user_agent: str = "") -> NewSession:
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    db.add(SessionRow(id=_sha(cookie), user_id=user.id, csrf_token=csrf,
                      expires_at=utcnow() + timedelta(days=days), user_agent=user_agent[:300]))
    return NewSession(cookie, csrf)


def close_session(db: Session, cookie: str) -> None:
    db.execute(delete(SessionRow).where(SessionRow.id == _sha(cookie)))


def sign_out_everywhere(db: Session, user_id: int) -> None:
    db.execute(delete(SessionRow).where(SessionRow.user_id == user_id))
    db.execute(update(ApiTokenRow).where(ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
               .values(revoked_at=utcnow()))


# --- API tokens -----------------------------------------------------------------------------

def issue_token(db: Session, user: UserRow, name: str = "api") -> tuple[str, ApiTokenRow]:
    token = "os_" + secrets.token_urlsafe(32)
    row = ApiTokenRow(user_id=user.id, name=name[:100], token_hash=_sha(token),
                      expires_at=utcnow() + timedelta(days=TOKEN_DAYS))
    db.add(row)
    db.flush()
    return token, row


_PRINCIPAL_COLUMNS = select(UserRow.id, UserRow.email, UserRow.name, UserRow.role, UserRow.agency_id,
                            MembershipRow.firm_id, MembershipRow.role, FirmRow.version).select_from(UserRow).outerjoin(
    MembershipRow, MembershipRow.user_id == UserRow.id).outerjoin(FirmRow, FirmRow.id == MembershipRow.firm_id).where(
    UserRow.is_active.is_(True))
# Built once: constructing the statement on every request cost as much CPU as running it.
_BY_TOKEN = _PRINCIPAL_COLUMNS.where(UserRow.id == select(ApiTokenRow.user_id).where(
    ApiTokenRow.token_hash == bindparam("token_hash"), ApiTokenRow.revoked_at.is_(None),
    ApiTokenRow.expires_at > bindparam("now")).scalar_subquery())
_BY_USER = _PRINCIPAL_COLUMNS.where(UserRow.id == bindparam("user_id"))


def _principal(rows: Sequence[Any]) -> Principal | None:
    """The active user and all their memberships, from one query's rows."""
    if not rows:
        return None
    uid, email, name, role, agency, *_ = rows[0]
    firms = {fid: FirmRole(frole) for *_, fid, frole, _v in rows if fid is not None}
    versions = {fid: version for *_, fid, _r, version in rows if fid is not None}
    return Principal(uid, email, name, Role(role), agency, firms, versions)


def token_principal(db: Session, token: str) -> Principal | None:
    """Who holds this bearer token, if it is valid, unexpired and not revoked (one round trip)."""
    return _principal(db.execute(_BY_TOKEN, {"token_hash": _sha(token), "now": utcnow()}).all())


def session_principal(db: Session, cookie: str) -> tuple[Principal, SessionRow] | None:
    row = db.get(SessionRow, _sha(cookie))
    if row is None or row.expires_at < utcnow():
        return None
    who = _principal(db.execute(_BY_USER, {"user_id": row.user_id}).all())
    return (who, row) if who is not None else None


# --- firm memberships and invitations -------------------------------------------------------

def add_member(db: Session, user_id: int, firm_id: int, role: FirmRole) -> None:
    db.add(MembershipRow(user_id=user_id, firm_id=firm_id, role=role.value))


def invite(db: Session, who: Principal, firm_id: int, email: str, role: FirmRole = FirmRole.staff) -> str:
    if not who.can_invite(firm_id):
        raise DomainError(code="forbidden", ko="기업 대표(소유자)만 직원을 초대할 수 있습니다.",
                          en="Only the firm's owner can invite staff.")
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise _invalid([FieldProblem("email", "email_format", "이메일 주소 형식이 올바르지 않습니다.",
                                     "Not a valid email address.")])
    token = secrets.token_urlsafe(24)
    db.add(InvitationRow(firm_id=firm_id, email=email, role=role.value, token_hash=_sha(token),
                         invited_by=who.user_id, expires_at=utcnow() + timedelta(days=7)))
    return token


def accept_invitation(db: Session, user: UserRow, token: str) -> int:
    row = db.scalar(select(InvitationRow).where(InvitationRow.token_hash == _sha(token)))
    if row is None or row.accepted_at is not None or row.expires_at < utcnow() or row.email != user.email:
        raise DomainError(code="invitation_invalid", field="token",
                          ko="초대가 유효하지 않거나 만료되었습니다(초대받은 이메일로 로그인했는지 확인하세요).",
                          en="The invitation is invalid or expired (sign in with the invited email).")
    exists = db.scalar(select(MembershipRow.id).where(MembershipRow.user_id == user.id,
                                                      MembershipRow.firm_id == row.firm_id))
    if exists is None:
        add_member(db, user.id, row.firm_id, FirmRole(row.role))
    row.accepted_at = utcnow()
    return row.firm_id
