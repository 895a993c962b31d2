"""One-time links sent by email (password reset, email confirmation).

A link's token is HMAC-SHA256(secret key, purpose ‖ salt), the salt random per link; the table
keeps the salt and SHA-256(token), never the token. The email is written after the request
commits (the outbox), and the outbox derives the token again from the secret key: so neither a
copy of the database nor the outbox holds a usable link, and a link is found by its hash
alone. Links expire, work once, and a newer link of the same purpose replaces older ones.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from onestop.accounts.tables import AccountTokenRow
from onestop.errors import DomainError
from onestop.platform.db import utcnow


@dataclass(frozen=True)
class Purpose:
    name: str
    ttl: timedelta
    path: str  # where the link points, followed by the token


RESET = Purpose("password_reset", timedelta(hours=1), "/password/reset/")
CONFIRM = Purpose("email_confirm", timedelta(days=3), "/account/confirm/")
PURPOSES = {p.name: p for p in (RESET, CONFIRM)}


def derive(secret: str, purpose: str, salt: str) -> str:
    mac = hmac.new(secret.encode(), f"{purpose}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(db: Session, secret: str, user_id: int, purpose: Purpose, ip: str = "",
          now: datetime | None = None) -> AccountTokenRow:
    """A new link for the user; earlier unused links of the same purpose stop working."""
    now = now or utcnow()
    retire(db, user_id, purpose, now)
    salt = secrets.token_urlsafe(24)
    row = AccountTokenRow(user_id=user_id, purpose=purpose.name, salt=salt,
                          token_hash=_sha(derive(secret, purpose.name, salt)), created_at=now,
                          expires_at=now + purpose.ttl, ip=ip[:64])
    db.add(row)
    db.flush()
    return row


def retire(db: Session, user_id: int, purpose: Purpose, now: datetime | None = None) -> None:
    db.execute(update(AccountTokenRow).where(AccountTokenRow.user_id == user_id,
                                             AccountTokenRow.purpose == purpose.name,
                                             AccountTokenRow.used_at.is_(None)).values(used_at=now or utcnow()))


def link(secret: str, base_url: str, row_purpose: str, salt: str) -> str:
    return f"{base_url}{PURPOSES[row_purpose].path}{derive(secret, row_purpose, salt)}"


def invalid(purpose: Purpose) -> DomainError:
    if purpose is RESET:
        return DomainError(code="link_invalid", field="token",
                           ko="비밀번호 재설정 링크가 올바르지 않거나, 이미 쓰였거나, 만료되었습니다(1시간). 다시 요청하세요.",
                           en="The password reset link is wrong, already used or expired (after an hour); ask for a new one.")
    return DomainError(code="link_invalid", field="token",
                       ko="이메일 확인 링크가 올바르지 않거나, 이미 쓰였거나, 만료되었습니다(3일). 내 계정에서 다시 보내세요.",
                       en="The confirmation link is wrong, already used or expired (after three days); send a new one "
                          "from My account.")


def find(db: Session, token: str, purpose: Purpose, now: datetime | None = None) -> AccountTokenRow:
    """The unused, unexpired link with this token, or DomainError "link_invalid"."""
    now = now or utcnow()
    row = db.scalar(select(AccountTokenRow).where(AccountTokenRow.token_hash == _sha(token[:200]),
                                                  AccountTokenRow.purpose == purpose.name))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise invalid(purpose)
    return row


def use(db: Session, token: str, purpose: Purpose, now: datetime | None = None) -> AccountTokenRow:
    """Spend the link: exactly one of two concurrent uses succeeds (a conditional update)."""
    now = now or utcnow()
    row = find(db, token, purpose, now)
    spent = db.execute(update(AccountTokenRow).where(AccountTokenRow.id == row.id, AccountTokenRow.used_at.is_(None))
                       .values(used_at=now))
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise invalid(purpose)
    return row
