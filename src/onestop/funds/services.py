"""Small shared look-ups for the funds services and commands."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.accounts import services as accounts
from onestop.accounts.model import Principal
from onestop.accounts.tables import UserRow
from onestop.errors import DomainError


def principal_by_email(db: Session, email: str) -> Principal:
    """The account acting from the command line; DomainError when there is none."""
    user = db.scalar(select(UserRow).where(UserRow.email == accounts.normal_email(email)))
    if user is None:
        raise DomainError(code="not_found", field="--officer", ko=f"{email} 계정이 없습니다.",
                          en=f"There is no account {email}.")
    return accounts.principal(db, user)
