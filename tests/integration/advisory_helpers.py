"""Builders for the advisory tests: expert accounts with their routing profiles."""

from __future__ import annotations

import itertools
from typing import Any

from onestop.accounts import services as accounts
from onestop.accounts.model import Role
from onestop.accounts.tables import UserRow
from onestop.advisory import services
from onestop.advisory.tables import ExpertRow
from onestop.demo.seed import PASSWORD
from tests.integration.funds_helpers import officer

_n = itertools.count(1)


def expert(db: Any, name: str, subjects: list[str], regions: list[str], filters: dict[str, Any] | None = None,
           capacity: int = 5, institution: str = "전경련중소기업협력센터", login: bool = True) -> tuple[ExpertRow, str]:
    """A new expert account and its profile; returns the row and the account's email. Without
    `login` the account has no usable password (hashing one costs a second on a busy machine)."""
    email = f"expert{next(_n)}.{id(db) % 10000}@advisory.test"
    if login:
        user = accounts.create_account(db, email=email, password=PASSWORD, name=name, role=Role.expert, confirmed=True)
    else:
        user = UserRow(email=email, name=name, password_hash="!", role=Role.expert.value)
        db.add(user)
        db.flush()
    row = services.register_expert(db, officer(db), user_id=user.id, institution=institution, subjects=subjects,
                                   regions=regions, filters=filters or {}, capacity=capacity)
    return row, email


def retire_all(db: Any) -> None:
    """Experts of earlier tests leave the pool (the database is shared by the session)."""
    for row in db.query(ExpertRow).all():
        row.active = False
    db.flush()
