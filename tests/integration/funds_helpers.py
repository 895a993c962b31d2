"""Builders for the funds tests: officers, applications waiting for a decision, budgets, and
the fiscal year they run in."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from onestop.accounts import services as accounts
from onestop.accounts.model import Principal
from onestop.accounts.tables import UserRow
from onestop.applications.tables import ApplicationRow
from onestop.firms.tables import FirmRow
from onestop.funds import budgets

_keys = itertools.count(1)
#: the fiscal year the funds tests budget and approve in. The session's database is shared: a
#: budget of the current year for a KOSMES program would make other tests' approvals of that
#: program commit it (and fail over budget once the funds tests used it up), whatever the order.
FUNDS_YEAR = 2091


@pytest.fixture
def funds_fiscal_year(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Approvals made by the test are booked in `FUNDS_YEAR`, or in the test module's own
    `FISCAL_YEAR` when it has one (a module that opens budgets of a program another module
    also budgets), and draw on that year's budgets only."""
    year = getattr(request.module, "FISCAL_YEAR", FUNDS_YEAR)
    monkeypatch.setattr(budgets, "today", lambda: date(year, 3, 2))


def principal(db: Any, email: str) -> Principal:
    user = db.scalar(select(UserRow).where(UserRow.email == email))
    assert user is not None
    return accounts.principal(db, user)


def officer(db: Any, agency: str = "kosmes") -> Principal:
    return principal(db, {"kosmes": "officer.kosmes@onestop.demo", "jnsbi": "officer.jeonnam@onestop.demo"}[agency])


def in_evaluation(db: Any, program_id: str, n: int, agency: str = "kosmes", skip: int = 0,
                  owned: bool = False) -> list[int]:
    """n applications of distinct registered firms (`owned`: firms with an owner account),
    submitted, eligible and in evaluation (as the applications feature leaves them for the
    decision)."""
    from onestop.accounts.tables import MembershipRow

    creator = principal(db, "admin@onestop.demo").user_id
    taken = set(db.scalars(select(ApplicationRow.firm_id).where(ApplicationRow.program_id == program_id)))
    if owned:
        taken |= set(db.scalars(select(FirmRow.id).where(FirmRow.id.not_in(
            select(MembershipRow.firm_id).where(MembershipRow.role == "owner")))))
    firms = [f for f in db.scalars(select(FirmRow).order_by(FirmRow.id)) if f.id not in taken][skip:skip + n]
    assert len(firms) == n, "not enough registered firms"
    ids = []
    for firm in firms:
        row = ApplicationRow(firm_id=firm.id, program_id=program_id, agency_id=agency, branch=firm.region[:2],
                             state="evaluation", open_slot=f"{firm.id}:{program_id}", created_by=creator,
                             submitted_at=datetime.now(UTC),
                             eligibility={"status": "eligible"}, idempotency_key=f"funds-test-{next(_keys)}")
        db.add(row)
        db.flush()
        ids.append(row.id)
    return ids


def firm_owner(db: Any, firm_id: int) -> Principal:
    """An owner of the firm (the demo seed's firms have one)."""
    from onestop.accounts.tables import MembershipRow

    user_id = db.scalar(select(MembershipRow.user_id).where(MembershipRow.firm_id == firm_id,
                                                            MembershipRow.role == "owner").limit(1))
    assert user_id is not None, f"firm {firm_id} has no owner"
    return accounts.principal(db, db.get(UserRow, user_id))
