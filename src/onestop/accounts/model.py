"""Roles and who may do what: plain decisions the adapters ask before acting.

- firm_member: owner or staff of one or more firms; sees and edits only those firms; an owner
  invites staff.
- officer: an agency officer; edits only the programs of the agency he belongs to.
- evaluator: reviews applications (later issue); reads the catalog.
- admin: the platform administrator; everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    firm_member = "firm_member"
    officer = "officer"
    evaluator = "evaluator"
    admin = "admin"


class FirmRole(StrEnum):
    owner = "owner"
    staff = "staff"


ROLE_NAMES = {
    Role.firm_member: ("기업 회원", "Firm member"),
    Role.officer: ("기관 담당자", "Agency officer"),
    Role.evaluator: ("평가위원", "Evaluator"),
    Role.admin: ("플랫폼 관리자", "Platform administrator"),
}


@dataclass(frozen=True)
class Principal:
    """Who is acting: the user, role, agency and firm memberships (firm id → firm role), and
    the current version of each of those firms as read with them (for caches keyed by it)."""

    user_id: int
    email: str
    name: str
    role: Role
    agency_id: str | None
    firms: dict[int, FirmRole]
    firm_versions: dict[int, int] = field(default_factory=dict)

    def can_read_firm(self, firm_id: int) -> bool:
        return self.role == Role.admin or firm_id in self.firms

    def can_edit_firm(self, firm_id: int) -> bool:
        return self.can_read_firm(firm_id)

    def can_invite(self, firm_id: int) -> bool:
        return self.role == Role.admin or self.firms.get(firm_id) == FirmRole.owner

    def can_edit_program(self, agency_id: str) -> bool:
        if self.role == Role.admin:
            return True
        return self.role == Role.officer and self.agency_id == agency_id

    @property
    def is_officer(self) -> bool:
        return self.role in (Role.officer, Role.admin)
