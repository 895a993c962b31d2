"""Builders for the funds tests: officers, applications waiting for a decision, budgets."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select

from onestop.accounts import services as accounts
from onestop.accounts.model import Principal
from onestop.accounts.tables import UserRow
from onestop.applications.tables import ApplicationRow
from onestop.firms.tables import FirmRow

_keys = itertools.count(1)


def principal(db: Any, email: str) -> Principal:
    user = db.scalar(select(UserRow).where(UserRow.email == email))
    assert user is not None
    return accounts.principal(db, user)


def officer(db: Any, agency: str = "kosmes") -> Principal:
    return principal(db, {"kosmes": "officer.kosmes@onestop.demo", "jnsbi": "officer.jeonnam@onestop.demo"}[agency])


def in_evaluation(db: Any, program_id: str, n: int, agency: str = "kosmes", skip: int = 0) -> list[int]:
    """n applications of distinct registered firms, submitted, eligible and in evaluation (as
    the applications feature leaves them for the decision)."""
    creator = principal(db, "admin@onestop.demo").user_id
    taken = set(db.scalars(select(ApplicationRow.firm_id).where(ApplicationRow.program_id == program_id)))
    firms = [f for f in db.scalars(select(FirmRow).order_by(FirmRow.id)) if f.id not in taken][skip:skip + n]
    assert len(firms) == n, "not enough registered firms"
    ids = []
    for firm in firms:
        row = ApplicationRow(firm_id=firm.id, program_id=program_id, agency_id=agency, branch=firm.region[:2],
                             state="evaluation", open_slot=f"{firm.id}:{program_id}", created_by=creator,
                             eligibility={"status": "eligible"}, idempotency_key=f"funds-test-{next(_keys)}")
        db.add(row)
        db.flush()
        ids.append(row.id)
    return ids
