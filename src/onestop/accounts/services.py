"""Sign-up (consents, password policy, email confirmation), sign-in with the throttle, password
reset by emailed one-time link, sessions, API tokens and sign-out everywhere. Firm memberships
are in `memberships`."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.orm import Session

from onestop.accounts import consents, passwords, throttle, tokens
from onestop.accounts.model import FirmRole, Principal, Role
from onestop.accounts.tables import (
    ApiTokenRow,
    LoginAttemptRow,
    MembershipRow,
    SessionRow,
    UserRow,
)
from onestop.alerts import outbox
from onestop.errors import DomainError, FieldProblem
from onestop.firms.tables import FirmRow
from onestop.platform.db import utcnow

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = passwords.MIN_LENGTH
TOKEN_DAYS = 90
#: an address from which an account signed in within this period is "known" for it
KNOWN_ADDRESS_DAYS = 90


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def hash_password(password: str) -> str:
    return passwords.hash_password(password)


def normal_email(email: str) -> str:
    """Email addresses are identifiers: NFKC (full-width letters from a Korean IME become
    ASCII), trimmed, lower-case."""
    return unicodedata.normalize("NFKC", email).strip().lower()


def _invalid(problems: list[FieldProblem]) -> DomainError:
    return DomainError(code="invalid", ko=f"입력값에 {len(problems)}건의 오류가 있습니다.",
                       en=f"The input has {len(problems)} error(s).", problems=problems)


def _email_problem(email: str) -> FieldProblem | None:
    if _EMAIL.match(email) and len(email) <= 254:
        return None
    return FieldProblem("email", "email_format", "이메일 주소 형식이 올바르지 않습니다(예: name@example.kr).",
                        "Not a valid email address (e.g. name@example.kr).")


def _taken(db: Session, email: str) -> bool:
    return db.scalar(select(UserRow.id).where(UserRow.email == email)) is not None


def create_account(db: Session, *, email: str, password: str, name: str, role: Role = Role.firm_member,
                   agency_id: str | None = None, confirmed: bool = False) -> UserRow:
    """An account as an administrator (or the demo seed) makes it: the password policy applies,
    no consent is asked (staff accounts), and `confirmed` marks the address as known good."""
    email, name = normal_email(email), unicodedata.normalize("NFC", name).strip()
    problems = [p for p in [_email_problem(email)] if p is not None]
    problems += passwords.problems(password, email=email, name=name)
    if not name:
        problems.append(FieldProblem("name", "name_missing", "이름을 입력하세요.", "Enter your name."))
    if role == Role.officer and not agency_id:
        problems.append(FieldProblem("agency_id", "agency_missing", "기관 담당자는 소속 기관이 필요합니다.",
                                     "An officer belongs to an agency."))
    if problems:
        raise _invalid(problems)
    if _taken(db, email):
        raise _invalid([FieldProblem("email", "email_taken", "이미 가입된 이메일입니다. 로그인하세요.",
                                     "This email is already registered; sign in instead.")])
    now = utcnow()
    user = UserRow(email=email, name=name[:100], password_hash=hash_password(password), role=role.value,
                   agency_id=agency_id, created_at=now, email_confirmed_at=now if confirmed else None)
    db.add(user)
    db.flush()
    return user


def signup(db: Session, *, email: str, password: str, name: str, agreed: Mapping[str, str], secret: str,
           password_confirm: str | None = None, ip: str = "", role: Role = Role.firm_member) -> UserRow:
    """Self-service sign-up of a firm member (or, with `role=Role.seeker`, a job seeker): every problem at once (email, name, password and
    its confirmation, each required consent in its current version), then the account, one
    consent row per item, and a confirmation email (the outbox)."""
    email, name = normal_email(email), unicodedata.normalize("NFC", name).strip()
    problems = []
    if not name:
        problems.append(FieldProblem("name", "name_missing", "이름을 입력하세요.", "Enter your name."))
    elif len(name) > 100:
        problems.append(FieldProblem("name", "name_long", "이름은 100자 이내로 적어 주세요.", "At most 100 characters."))
    found = _email_problem(email)
    if found:
        problems.append(found)
    problems += passwords.problems(password, email=email, name=name)
    if password_confirm is not None and password_confirm != password:
        problems.append(FieldProblem("password_confirm", "password_mismatch",
                                     "비밀번호 확인이 비밀번호와 다릅니다. 같은 비밀번호를 두 번 입력하세요.",
                                     "The confirmation differs from the password; type the same password twice."))
    problems += consents.check(agreed)
    if not found and _taken(db, email):
        problems.append(FieldProblem("email", "email_taken", "이미 가입된 이메일입니다. 로그인하거나 비밀번호를 재설정하세요.",
                                     "This email is already registered; sign in or reset the password."))
    if role not in (Role.firm_member, Role.seeker):
        problems.append(FieldProblem("role", "role_self_service", "스스로 가입할 수 있는 계정은 기업 회원과 구직자입니다.",
                                     "Only firm members and job seekers sign up by themselves."))
    if problems:
        raise _invalid(problems)
    user = UserRow(email=email, name=name, password_hash=hash_password(password), role=role.value,
                   created_at=utcnow())
    db.add(user)
    db.flush()
    consents.record(db, user.id, agreed, ip)
    _confirmation_mail(db, secret, user, ip)
    return user


# --- email confirmation -----------------------------------------------------------------------

def send_confirmation(db: Session, secret: str, user_id: int, ip: str = "") -> UserRow:
    """Another confirmation link by email, replacing the earlier ones: at most three an hour
    per account. Call it before `db` writes anything (the counter has its own transaction)."""
    verdict = throttle.reserve(db, [throttle.Rule(f"confirm-mail:{user_id}", 3, timedelta(hours=1))])
    if not verdict.allowed:
        raise _throttled(verdict.retry_after, "확인 메일을 너무 자주 요청했습니다", "Confirmation emails were requested too often",
                         "email")
    user = db.get(UserRow, user_id)
    assert user is not None
    if user.email_confirmed_at is not None:
        raise DomainError(code="already_confirmed", field="email", ko="이미 확인된 이메일 주소입니다.",
                          en="This email address is already confirmed.")
    _confirmation_mail(db, secret, user, ip)
    return user


def _confirmation_mail(db: Session, secret: str, user: UserRow, ip: str) -> None:
    """A confirmation link (3 days, once) in the outbox."""
    row = tokens.issue(db, secret, user.id, tokens.CONFIRM, ip)
    outbox.notify(db, [user.id], "email_confirm", "[원스톱] 이메일 주소를 확인해 주세요",
                  "[onestop] Please confirm your email address", "/account",
                  {"mail_link": {"purpose": row.purpose, "salt": row.salt},
                   "lines_ko": ["위 링크를 누르면 이메일 주소가 확인됩니다(3일 동안 한 번 쓸 수 있습니다).",
                                "확인 전에는 신청서 제출, 전자약정 서명, 기업 구성원 초대·참여를 할 수 없습니다.",
                                "가입하지 않으셨다면 이 메일을 무시하세요."],
                   "lines_en": ["Follow the link above to confirm your address (it works once, for three days).",
                                "Until then you cannot submit applications, sign e-agreements or invite or join firm "
                                "members.", "If you did not sign up, ignore this email."]})


def confirm_email(db: Session, token: str) -> UserRow:
    """Confirm the address; the "please confirm" notices have done their work and go (with
    any copy of them not yet mailed)."""
    from onestop.alerts.tables import NotificationRow

    row = tokens.use(db, token, tokens.CONFIRM)
    user = db.get(UserRow, row.user_id)
    assert user is not None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    db.execute(delete(NotificationRow).where(NotificationRow.user_id == user.id, NotificationRow.kind == "email_confirm"))
    return user


# --- sign-in with the throttle ---------------------------------------------------------------

@dataclass
class Throttle:
    """The sign-in limits (`throttle` explains the counters): per account at one address,
    `max_failures` free attempts and then a growing wait; per address over all accounts,
    ADDRESS_FACTOR times as many per `window`; per account from addresses it never signed in
    from, ACCOUNT_FACTOR times as many per `window` (so a guesser elsewhere cannot lock the
    owner out at the owner's usual addresses)."""

    max_failures: int
    window: timedelta

    def rules(self, email: str, ip: str, known_address: bool) -> list[throttle.Rule]:
        rules = [throttle.Rule(f"signin:{email}@{ip}", self.max_failures, self.window, growing=True),
                 throttle.Rule(f"signin-address:{ip}", self.max_failures * ADDRESS_FACTOR, self.window)]
        if not known_address:
            rules.append(throttle.Rule(f"signin-account:{email}", self.max_failures * ACCOUNT_FACTOR, self.window))
        return rules


#: One address may fail this many times more than one account (an office shares one address).
ADDRESS_FACTOR = IP_FACTOR = 10
#: Failures over all unknown addresses of one account, relative to one address's allowance.
ACCOUNT_FACTOR = 20


def _throttled(wait: timedelta, ko: str, en: str, field: str = "password") -> DomainError:
    n = throttle.minutes(wait)
    return DomainError(code="login_throttled", field=field, ko=f"{ko}. {n}분 후에 다시 시도하세요.",
                       en=f"{en}. Try again in {n} minute{'s' if n != 1 else ''}.",
                       retry_after=max(1, int(wait.total_seconds() + 0.999)))


def _known_address(db: Session, email: str, ip: str, now: datetime) -> bool:
    return bool(db.scalar(select(exists().where(
        LoginAttemptRow.email == email, LoginAttemptRow.ip == ip, LoginAttemptRow.success.is_(True),
        LoginAttemptRow.at >= now - timedelta(days=KNOWN_ADDRESS_DAYS)))))


def authenticate(db: Session, *, email: str, password: str, ip: str, policy: Throttle) -> UserRow:
    """The user, or a DomainError that does not reveal whether the email exists. The attempt is
    counted before the password is checked (see `onestop.accounts.throttle`); a success gives
    it back. Every attempt is also kept in `login_attempts` (the caller commits it)."""
    email = normal_email(email)
    now = utcnow()
    rules: list[throttle.Rule] = []

    def decide(own: Session) -> list[throttle.Rule]:
        rules.extend(policy.rules(email, ip, _known_address(own, email, ip, now)))
        return rules

    verdict = throttle.reserve(db, decide, now)
    if not verdict.allowed:
        raise _throttled(verdict.retry_after, "로그인 실패가 너무 많습니다", "Too many failed sign-ins")
    user = db.scalar(select(UserRow).where(UserRow.email == email))
    ok = False
    if user is not None and user.is_active:
        ok = passwords.verify(user.password_hash, password)
    else:
        passwords.burn_time(password)  # same cost whether or not the account exists
    db.add(LoginAttemptRow(email=email, ip=ip[:64], success=ok, at=now))
    if not ok or user is None:
        raise DomainError(code="login_failed", field="password",
                          ko="이메일 또는 비밀번호가 올바르지 않습니다.",
                          en="The email or password is not correct.")
    throttle.give_back(db, rules)
    return user


# --- password reset -----------------------------------------------------------------------------

RESET_PER_ADDRESS = 10
RESET_PER_ACCOUNT = 3


def request_reset(db: Session, secret: str, email: str, ip: str) -> None:
    """Email a reset link (1 hour, once) if the address belongs to an active account. Answers
    the same either way, so no one learns which addresses have accounts; at most three links an
    hour per account, and ten requests an hour per address (429)."""
    email = normal_email(email)
    found = _email_problem(email)
    if found:
        raise _invalid([found])
    verdict = throttle.reserve(db, [throttle.Rule(f"reset-address:{ip}", RESET_PER_ADDRESS, timedelta(hours=1))])
    if not verdict.allowed:
        raise _throttled(verdict.retry_after, "재설정 요청이 너무 많습니다", "Too many reset requests", "email")
    if not throttle.reserve(db, [throttle.Rule(f"reset-account:{email}", RESET_PER_ACCOUNT, timedelta(hours=1))]).allowed:
        return  # the owner already has links in the inbox; answer no differently
    user = db.scalar(select(UserRow).where(UserRow.email == email, UserRow.is_active.is_(True)))
    if user is None:
        return
    row = tokens.issue(db, secret, user.id, tokens.RESET, ip)
    outbox.notify(db, [user.id], "password_reset", "[원스톱] 비밀번호 재설정 안내", "[onestop] Resetting your password",
                  "", {"mail_link": {"purpose": row.purpose, "salt": row.salt}, "ip": ip[:64],
                       "lines_ko": ["위 링크에서 새 비밀번호를 정하세요(1시간 동안 한 번 쓸 수 있습니다).",
                                    "요청하지 않으셨다면 이 메일을 무시하세요. 비밀번호는 바뀌지 않습니다."],
                       "lines_en": ["Choose a new password at the link above (it works once, for an hour).",
                                    "If you did not ask for this, ignore this email: your password stays as it is."]})


def check_reset_link(db: Session, token: str) -> UserRow:
    row = tokens.find(db, token, tokens.RESET)
    user = db.get(UserRow, row.user_id)
    if user is None or not user.is_active:
        raise tokens.invalid(tokens.RESET)
    return user


def reset_password(db: Session, token: str, password: str, password_confirm: str | None, ip: str) -> UserRow:
    """Set a new password with a reset link. The link works once; every session and API token
    of the account ends, its other links stop working, its sign-in counts start over, the
    address it was reset from becomes known, the email counts as confirmed (the link reached
    it), and the owner is told by email."""
    user = check_reset_link(db, token)
    _new_password(db, user, password, password_confirm)  # before spending the link: a refusal keeps it
    tokens.use(db, token, tokens.RESET)
    tokens.retire(db, user.id, tokens.RESET)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    sign_out_everywhere(db, user.id)
    throttle.forget(db, [f"signin:{user.email}@", f"signin-account:{user.email}", f"reset-account:{user.email}"])
    db.add(LoginAttemptRow(email=user.email, ip=ip[:64], success=True, at=utcnow()))
    _tell_password_changed(db, user, ip)
    return user


def change_password(db: Session, user: UserRow, current: str, password: str, password_confirm: str | None,
                    keep_session: str | None, ip: str) -> None:
    """A signed-in user changes the password: the current one first; every other session and
    every API token ends."""
    if not passwords.verify(user.password_hash, current):
        raise _invalid([FieldProblem("current_password", "password_wrong", "현재 비밀번호가 맞지 않습니다.",
                                     "The current password is not correct.")])
    _new_password(db, user, password, password_confirm)
    db.execute(delete(SessionRow).where(SessionRow.user_id == user.id,
                                        SessionRow.id != (_sha(keep_session) if keep_session else "")))
    db.execute(update(ApiTokenRow).where(ApiTokenRow.user_id == user.id, ApiTokenRow.revoked_at.is_(None))
               .values(revoked_at=utcnow()))
    tokens.retire(db, user.id, tokens.RESET)
    _tell_password_changed(db, user, ip)


def _new_password(db: Session, user: UserRow, password: str, password_confirm: str | None) -> None:
    problems = passwords.problems(password, email=user.email, name=user.name)
    if password_confirm is not None and password_confirm != password:
        problems.append(FieldProblem("password_confirm", "password_mismatch",
                                     "비밀번호 확인이 비밀번호와 다릅니다. 같은 비밀번호를 두 번 입력하세요.",
                                     "The confirmation differs from the password; type the same password twice."))
    if not problems and passwords.verify(user.password_hash, password):
        problems.append(FieldProblem("password", "password_same", "지금 쓰는 비밀번호와 다른 비밀번호를 정하세요.",
                                     "Choose a password different from the current one."))
    if problems:
        raise _invalid(problems)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()


def _tell_password_changed(db: Session, user: UserRow, ip: str) -> None:
    outbox.notify(db, [user.id], "password_changed", "[원스톱] 비밀번호가 바뀌었습니다", "[onestop] Your password was changed",
                  "/account", {"ip": ip[:64],
                               "lines_ko": [f"접속 주소: {ip}. 본인이 바꾸지 않았다면 곧바로 비밀번호를 재설정하세요."],
                               "lines_en": [f"From address {ip}. If this was not you, reset your password at once."]})


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
                            UserRow.email_confirmed_at, MembershipRow.firm_id, MembershipRow.role,
                            FirmRow.version).select_from(UserRow).outerjoin(
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
    uid, email, name, role, agency, confirmed, *_ = rows[0]
    firms = {fid: FirmRole(frole) for *_, fid, frole, _v in rows if fid is not None}
    versions = {fid: version for *_, fid, _r, version in rows if fid is not None}
    return Principal(uid, email, name, Role(role), agency, firms, versions, email_confirmed=confirmed is not None)


def token_principal(db: Session, token: str) -> Principal | None:
    """Who holds this bearer token, if it is valid, unexpired and not revoked (one round trip)."""
    return _principal(db.execute(_BY_TOKEN, {"token_hash": _sha(token), "now": utcnow()}).all())


def session_principal(db: Session, cookie: str) -> tuple[Principal, SessionRow] | None:
    row = db.get(SessionRow, _sha(cookie))
    if row is None or row.expires_at < utcnow():
        return None
    who = _principal(db.execute(_BY_USER, {"user_id": row.user_id}).all())
    return (who, row) if who is not None else None


def add_member(db: Session, user_id: int, firm_id: int, role: FirmRole) -> None:
    """A membership without the checks and records of `memberships` (registration, demo seed)."""
    db.add(MembershipRow(user_id=user_id, firm_id=firm_id, role=role.value))
