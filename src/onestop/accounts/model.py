"""Roles and who may do what: plain decisions the adapters ask before acting.

- firm_member: owner or staff of one or more firms; sees and edits only those firms; an owner
  invites staff.
- officer: an agency officer; edits only the programs of the agency he belongs to.
- evaluator: reviews applications (later issue); reads the catalog.
- expert: an advisor of the advisory corps (경영자문단); sees the needs routed to them.
- admin: the platform administrator; everything.
- seeker: a job seeker (issue 12); their own seeker profile, applications and invitations only;
  never a member of a firm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from onestop.errors import DomainError


class Role(StrEnum):
    firm_member = "firm_member"
    officer = "officer"
    evaluator = "evaluator"
    expert = "expert"
    admin = "admin"
    seeker = "seeker"


class FirmRole(StrEnum):
    owner = "owner"
    staff = "staff"


ROLE_NAMES = {
    Role.firm_member: ("기업 회원", "Firm member"),
    Role.officer: ("기관 담당자", "Agency officer"),
    Role.evaluator: ("평가위원", "Evaluator"),
    Role.expert: ("자문위원", "Advisory expert"),
    Role.admin: ("플랫폼 관리자", "Platform administrator"),
    Role.seeker: ("구직자", "Job seeker"),
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
    #: whether the owner of the email address confirmed it (see `require_confirmed`)
    email_confirmed: bool = True

    def can_read_firm(self, firm_id: int) -> bool:
        return self.role == Role.admin or firm_id in self.firms

    def can_edit_firm(self, firm_id: int) -> bool:
        return self.can_read_firm(firm_id)

    def can_invite(self, firm_id: int) -> bool:
        """Only the firm's own owners invite: not staff, not an administrator (who could
        otherwise invite itself or another staff account into any firm)."""
        return self.role == Role.firm_member and self.firms.get(firm_id) == FirmRole.owner

    def can_manage_members(self, firm_id: int) -> bool:
        """Change roles and remove members: the firm's owners, or an administrator acting on
        the firm's behalf (recorded as such)."""
        return self.role == Role.admin or self.firms.get(firm_id) == FirmRole.owner

    def can_edit_program(self, agency_id: str) -> bool:
        if self.role == Role.admin:
            return True
        return self.role == Role.officer and self.agency_id == agency_id

    @property
    def is_officer(self) -> bool:
        return self.role in (Role.officer, Role.admin)

    def require_firm_account(self, what_ko: str, what_en: str) -> None:
        """Staff accounts (officer, evaluator, administrator) never belong to a firm: they
        judge or run what firms submit, so they may not register, join or be invited into one.
        A job seeker's account is a person's own, not a firm's, and is refused alike."""
        if self.role == Role.seeker:
            raise DomainError(code="seeker_account", field="role",
                              ko=f"구직자 계정으로는 {what_ko}할 수 없습니다. 기업 회원 계정으로 하세요.",
                              en=f"A job seeker's account cannot {what_en}; use a firm member's account.")
        refuse_staff_account(self.role, what_ko, what_en)

    def require_confirmed(self, what_ko: str, what_en: str) -> None:
        """What an unconfirmed account may not do: submit an application, sign an e-agreement,
        invite, join or ask to join a firm. Everything else (search, firms, drafts, uploads,
        consultations) it may; its notifications stay in the app until it is confirmed."""
        if not self.email_confirmed:
            raise DomainError(code="email_unconfirmed", field="email",
                              ko=f"{what_ko} 전에 이메일 주소를 확인해 주세요. 받은 메일의 확인 링크를 누르거나 "
                                 "'내 계정'에서 확인 메일을 다시 받으세요.",
                              en=f"Confirm your email address before you {what_en}: follow the link in the email we "
                                 "sent, or send it again from My account.")


STAFF_ROLES = frozenset({Role.officer, Role.evaluator, Role.expert, Role.admin})


def refuse_staff_account(role: Role | str, what_ko: str, what_en: str, field: str = "role") -> None:
    """Raise `DomainError` (code ``staff_account``, 403-like "forbidden" semantics carried as a
    field error) when `role` is a staff role: an officer, evaluator or administrator can never
    become a member of a firm (issue 14 §4: a firm's e-agreement is signed only by its own people)."""
    role = Role(role)
    if role in STAFF_ROLES:
        name_ko, name_en = ROLE_NAMES[role]
        raise DomainError(code="staff_account", field=field,
                          ko=f"{name_ko} 계정은 기업 구성원이 될 수 없어 {what_ko}할 수 없습니다. "
                             "기업 회원 계정으로 하세요.",
                          en=f"A {name_en.lower()} account can never be a member of a firm, so it cannot "
                             f"{what_en}; use a firm member's account.")
