"""The demo's advisory experts (fictional people, modelled on seed 003's 경영자문단: retired
heads of overseas branches for export advice, and management and technology advisers): their
routing profiles, registered once through the same service an officer uses."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal, Role
from onestop.accounts.tables import UserRow
from onestop.advisory.services import register_expert
from onestop.advisory.tables import ExpertRow

#: email → (institution, subjects, 시도 covered (empty: nationwide), match filters, capacity)
EXPERTS: dict[str, tuple[str, list[str], list[str], dict[str, str], int]] = {
    "expert@onestop.demo": ("전경련중소기업협력센터 경영자문단 (전 해외지사장)", ["export", "market"], [],
                            {"ksic_prefixes": "C", "exclude_ksic_prefixes": "", "sizes": "",
                             "min_business_age": "", "max_business_age": ""}, 10),
    "expert2@onestop.demo": ("전경련중소기업협력센터 경영자문단 (경영·기술)", ["management", "tech", "smart_factory"],
                             ["12", "48", "52"], {"ksic_prefixes": "", "exclude_ksic_prefixes": "L", "sizes": "",
                                                  "min_business_age": "", "max_business_age": ""}, 5),
}


def seed(db: Session) -> int:
    """Register the demo experts' routing profiles (accounts made by the demo seed); returns how
    many were added (0 when they already exist)."""
    operator = Principal(user_id=0, email="demo", name="onestop demo seed", role=Role.admin, agency_id=None, firms={})
    added = 0
    for email, (institution, subjects, regions, filters, capacity) in EXPERTS.items():
        user = db.scalar(select(UserRow).where(UserRow.email == email))
        if user is None or db.scalar(select(ExpertRow.id).where(ExpertRow.user_id == user.id)) is not None:
            continue
        register_expert(db, operator, user_id=user.id, institution=institution, subjects=subjects, regions=regions,
                        filters=filters, capacity=capacity)
        added += 1
    return added
