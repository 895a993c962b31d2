"""Who belongs to a firm, and every change to it: invitations, joining, role changes, removal
(or leaving), and requests to join an already registered firm (소유권 확인 / 기존 관리자에게
초대 요청), which an owner accepts by sending an invitation.

Rules: only a firm's own owners invite; its owners (or a platform administrator, on the firm's
behalf) change roles and remove; no one invites themselves; staff accounts (officer, evaluator,
administrator) never become members (no invitation to them, no acceptance or join request by
them); a firm always keeps an owner (the firm row is locked while owners change, so two owners
demoting each other at once cannot leave none); joining, inviting or asking to join needs a
confirmed email address. Every change is in the audit chain (`firm.member.*`, subject
`firm:<id>`) and told to the firm's owners (in the app and by email); an administrator's act
on a firm it does not belong to is recorded as one (`on_behalf: true`) and named so in the
owners' notice."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from onestop.accounts.model import ROLE_NAMES as ACCOUNT_ROLES
from onestop.accounts.model import STAFF_ROLES, FirmRole, Principal, Role
from onestop.accounts.services import _EMAIL, _sha, normal_email
from onestop.accounts.tables import InvitationRow, JoinRequestRow, MembershipRow, UserRow
from onestop.alerts import outbox
from onestop.errors import DomainError, FieldProblem
from onestop.firms.tables import FirmRow
from onestop.korea.brn import normalize_brn
from onestop.korea.hangul import josa
from onestop.platform.db import utcnow

INVITATION_DAYS = 7
ROLE_NAMES = {FirmRole.owner: ("대표 관리자(소유자)", "owner"), FirmRole.staff: ("직원", "staff")}

MEMBER_NOT_FOUND = DomainError(code="not_found", ko="기업 구성원을 찾을 수 없습니다.", en="Firm member not found.")
REQUEST_NOT_FOUND = DomainError(code="not_found", ko="참여 요청을 찾을 수 없습니다.", en="Join request not found.")
INVITATION_NOT_FOUND = DomainError(code="not_found", ko="초대를 찾을 수 없습니다.", en="Invitation not found.")


def _firm(db: Session, who: Principal, firm_id: int) -> FirmRow:
    from onestop.firms.services import NOT_FOUND

    row = db.get(FirmRow, firm_id)
    if row is None or not who.can_read_firm(firm_id):
        raise NOT_FOUND
    return row


def _manager(db: Session, who: Principal, firm_id: int, lock: bool = False) -> FirmRow:
    """The firm, if `who` may change its members (owners, or an administrator on its behalf);
    `lock` takes the firm row for update so that owner counts stay true until commit."""
    firm = _firm(db, who, firm_id)
    if not who.can_manage_members(firm_id):
        raise _owners_only()
    if lock:
        db.refresh(firm, with_for_update=True)
    return firm


def _owners_only() -> DomainError:
    return DomainError(code="forbidden", ko="기업의 대표 관리자(소유자)만 구성원을 초대하거나 바꿀 수 있습니다.",
                       en="Only the firm's owners can invite or change members.")


def _inviter(db: Session, who: Principal, firm_id: int) -> FirmRow:
    """The firm, if `who` is one of its owners: only they invite (not an administrator)."""
    firm = _firm(db, who, firm_id)
    if not who.can_invite(firm_id):
        raise _owners_only()
    return firm


def _on_behalf(who: Principal, firm_id: int) -> bool:
    return who.role == Role.admin and firm_id not in who.firms


def _record(db: Session, who: Principal, action: str, firm_id: int, **data: Any) -> None:
    from onestop.audit import services as audit

    audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action=f"firm.member.{action}",
                 subject=f"firm:{firm_id}", data={**data, "on_behalf": _on_behalf(who, firm_id)})


def owners(db: Session, firm_id: int) -> list[int]:
    return list(db.scalars(select(MembershipRow.user_id).where(MembershipRow.firm_id == firm_id,
                                                                MembershipRow.role == FirmRole.owner.value)))


def _tell(db: Session, who: Principal, firm: FirmRow, ko: str, en: str, also: tuple[int, ...] = (),
          removed: int | None = None) -> None:
    """The firm's owners (but not the one who acted) and `also` hear of the change; a member
    who was removed hears of it too, with a link they can still open."""
    if _on_behalf(who, firm.id):
        ko, en = f"[플랫폼 관리자 {who.name}] {ko}", f"[platform administrator {who.name}] {en}"
    users = sorted({*owners(db, firm.id), *also} - {who.user_id, removed})
    outbox.notify(db, users, "membership", f"{firm.name}: {ko}", f"{firm.name}: {en}", f"/firms/{firm.id}/members",
                  {"firm": firm.id})
    if removed is not None and removed != who.user_id:
        outbox.notify(db, [removed], "membership", f"{firm.name}: {ko}", f"{firm.name}: {en}", "/firms",
                      {"firm": firm.id})


def _user_label(user: UserRow | None, email: str = "") -> tuple[str, str]:
    return (f"{user.name}({user.email})", f"{user.name} ({user.email})") if user else (email, email)


# --- invitations --------------------------------------------------------------------------------

def invite(db: Session, who: Principal, firm_id: int, email: str, role: FirmRole = FirmRole.staff) -> str:
    """An invitation (7 days); returns the token for the link. The invitee, if they have an
    account, finds it under 초대받은 기업 too; an earlier open invitation of the same address
    to this firm stops working."""
    firm = _inviter(db, who, firm_id)
    who.require_confirmed("구성원 초대", "invite members")
    email = normal_email(email)
    if not _EMAIL.match(email):
        raise _field("email", "email_format", "이메일 주소 형식이 올바르지 않습니다(예: name@example.kr).",
                     "Not a valid email address (e.g. name@example.kr).")
    if email == normal_email(who.email):
        raise _field("email", "invite_self", "자기 자신을 초대할 수 없습니다. 다른 사람의 이메일 주소를 적으세요.",
                     "You cannot invite yourself; enter someone else's email address.")
    invitee = db.scalar(select(UserRow).where(UserRow.email == email))
    if invitee is not None and invitee.role in STAFF_ROLES:
        role_ko, role_en = ACCOUNT_ROLES[Role(invitee.role)]
        raise _field("email", "invitee_staff",
                     f"{josa(email, '은')} {role_ko} 계정이라 기업 구성원으로 초대할 수 없습니다.",
                     f"{email} is a {role_en.lower()} account, which can never be a member of a firm.")
    if invitee is not None and _membership(db, firm_id, invitee.id) is not None:
        raise _field("email", "already_member", f"{josa(email, '은')} 이미 이 기업의 구성원입니다.",
                     f"{email} is already a member of this firm.")
    return _invitation(db, who, firm, email, role, invitee)


def _invitation(db: Session, who: Principal, firm: FirmRow, email: str, role: FirmRole, invitee: UserRow | None,
                via: str = "invite") -> str:
    now = utcnow()
    db.execute(update(InvitationRow).where(InvitationRow.firm_id == firm.id, InvitationRow.email == email,
                                           InvitationRow.accepted_at.is_(None), InvitationRow.expires_at > now)
               .values(expires_at=now))
    token = secrets.token_urlsafe(24)
    row = InvitationRow(firm_id=firm.id, email=email, role=role.value, token_hash=_sha(token), invited_by=who.user_id,
                        created_at=now, expires_at=now + timedelta(days=INVITATION_DAYS))
    db.add(row)
    db.flush()
    role_ko, role_en = ROLE_NAMES[role]
    _record(db, who, "invite", firm.id, invitation=row.id, email=email, role=role.value, via=via)
    _tell(db, who, firm, f"{who.name}님이 {josa(email, '을')} {josa(role_ko, '으로')} 초대했습니다.",
          f"{who.name} invited {email} as {role_en}.")
    if invitee is not None:
        outbox.notify(db, [invitee.id], "invitation", f"{firm.name}에서 {josa(role_ko, '으로')} 초대했습니다.",
                      f"{firm.name} invited you as {role_en}.", "/invitations", {"firm": firm.id, "invitation": row.id})
    return token


def _membership(db: Session, firm_id: int, user_id: int) -> MembershipRow | None:
    return db.scalar(select(MembershipRow).where(MembershipRow.firm_id == firm_id, MembershipRow.user_id == user_id))


def _invalid_invitation() -> DomainError:
    return DomainError(code="invitation_invalid", field="token",
                       ko="초대가 유효하지 않거나 만료되었습니다(초대받은 이메일로 로그인했는지 확인하세요).",
                       en="The invitation is invalid or expired (sign in with the invited email).")


def accept(db: Session, who: Principal, token: str) -> int:
    """Join with an invitation link; returns the firm id."""
    row = db.scalar(select(InvitationRow).where(InvitationRow.token_hash == _sha(token[:200])))
    return _accept(db, who, row)


def accept_by_id(db: Session, who: Principal, invitation_id: int) -> int:
    """Join from the list of one's own invitations (the signed-in, confirmed address is the proof)."""
    row = db.get(InvitationRow, invitation_id)
    if row is None or row.email != normal_email(who.email):
        raise INVITATION_NOT_FOUND
    return _accept(db, who, row)


def _accept(db: Session, who: Principal, row: InvitationRow | None) -> int:
    now = utcnow()
    if row is None or row.accepted_at is not None or row.expires_at <= now or row.email != normal_email(who.email):
        raise _invalid_invitation()
    who.require_firm_account("초대를 수락", "accept an invitation")
    who.require_confirmed("기업 참여", "join a firm")
    firm = db.get(FirmRow, row.firm_id)
    assert firm is not None
    if _membership(db, row.firm_id, who.user_id) is None:
        db.add(MembershipRow(user_id=who.user_id, firm_id=row.firm_id, role=row.role))
    row.accepted_at = now
    role_ko, role_en = ROLE_NAMES[FirmRole(row.role)]
    _record(db, who, "join", firm.id, invitation=row.id, role=row.role)
    _tell(db, who, firm, f"{who.name}({who.email})님이 초대를 수락해 {josa(role_ko, '으로')} 참여했습니다.",
          f"{who.name} ({who.email}) accepted the invitation and joined as {role_en}.")
    return row.firm_id


def decline(db: Session, who: Principal, invitation_id: int) -> None:
    """The invitee declines an open invitation addressed to them: it stops working, the
    decline is audited on the firm and told to its owners. Raises `not_found` for an
    invitation that is not theirs or no longer open."""
    row = db.get(InvitationRow, invitation_id)
    if (row is None or row.email != normal_email(who.email) or row.accepted_at is not None
            or row.expires_at <= utcnow()):
        raise INVITATION_NOT_FOUND
    firm = db.get(FirmRow, row.firm_id)
    assert firm is not None
    row.expires_at = utcnow()
    _record(db, who, "decline", firm.id, invitation=row.id, role=row.role)
    _tell(db, who, firm, f"{who.name}({who.email})님이 초대를 거절했습니다.",
          f"{who.name} ({who.email}) declined the invitation.")


@dataclass(frozen=True)
class Pending:
    invitation: InvitationRow
    firm_name: str


def my_invitations(db: Session, who: Principal) -> list[Pending]:
    """Open invitations addressed to the signed-in user's email."""
    rows = db.execute(select(InvitationRow, FirmRow.name).join(FirmRow, FirmRow.id == InvitationRow.firm_id).where(
        InvitationRow.email == normal_email(who.email), InvitationRow.accepted_at.is_(None),
        InvitationRow.expires_at > utcnow()).order_by(InvitationRow.id.desc())).all()
    return [Pending(inv, name) for inv, name in rows]


# --- members ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    email: str
    role: FirmRole
    since: Any


def members(db: Session, who: Principal, firm_id: int) -> list[Member]:
    _firm(db, who, firm_id)
    rows = db.execute(select(MembershipRow, UserRow).join(UserRow, UserRow.id == MembershipRow.user_id)
                      .where(MembershipRow.firm_id == firm_id).order_by(MembershipRow.role, MembershipRow.id)).all()  # owners first
    return [Member(u.id, u.name, u.email, FirmRole(m.role), m.created_at) for m, u in rows]


def open_invitations(db: Session, who: Principal, firm_id: int) -> list[InvitationRow]:
    _manager(db, who, firm_id)
    return list(db.scalars(select(InvitationRow).where(InvitationRow.firm_id == firm_id,
                                                       InvitationRow.accepted_at.is_(None),
                                                       InvitationRow.expires_at > utcnow()).order_by(InvitationRow.id)))


def _owner_count(db: Session, firm_id: int) -> int:
    return db.scalar(select(func.count()).select_from(MembershipRow).where(
        MembershipRow.firm_id == firm_id, MembershipRow.role == FirmRole.owner.value)) or 0


def _last_owner() -> DomainError:
    return DomainError(code="last_owner", field="role",
                       ko="기업에는 대표 관리자(소유자)가 한 명 이상 있어야 합니다. 다른 사람을 먼저 대표 관리자로 지정하세요.",
                       en="A firm needs at least one owner; make someone else an owner first.")


def change_role(db: Session, who: Principal, firm_id: int, user_id: int, role: FirmRole) -> Member:
    """An owner (or an administrator, on the firm's behalf) changes a member's role; the last
    owner cannot be demoted (`last_owner`). Raises `not_found`, `forbidden`, `role_unchanged`."""
    firm = _manager(db, who, firm_id, lock=True)
    found = _membership(db, firm_id, user_id)
    if found is None:
        raise MEMBER_NOT_FOUND
    before = FirmRole(found.role)
    if before == role:
        raise _field("role", "role_unchanged", f"이미 {ROLE_NAMES[role][0]}입니다.", f"Already {ROLE_NAMES[role][1]}.")
    if before == FirmRole.owner and _owner_count(db, firm_id) <= 1:
        raise _last_owner()
    found.role = role.value
    user = db.get(UserRow, user_id)
    ko_name, en_name = _user_label(user)
    _record(db, who, "role", firm_id, user=user_id, before=before.value, after=role.value)
    _tell(db, who, firm, f"{ko_name}님의 역할이 {ROLE_NAMES[before][0]}에서 {josa(ROLE_NAMES[role][0], '으로')} 바뀌었습니다.",
          f"{en_name} is now {ROLE_NAMES[role][1]} (was {ROLE_NAMES[before][1]}).", also=(user_id,))
    assert user is not None
    return Member(user.id, user.name, user.email, role, found.created_at)


def remove(db: Session, who: Principal, firm_id: int, user_id: int) -> None:
    """An owner (or administrator) removes a member; any member may leave (remove themselves)."""
    if user_id == who.user_id:
        firm = _firm(db, who, firm_id)
        db.refresh(firm, with_for_update=True)
    else:
        firm = _manager(db, who, firm_id, lock=True)
    found = _membership(db, firm_id, user_id)
    if found is None:
        raise MEMBER_NOT_FOUND
    if found.role == FirmRole.owner.value and _owner_count(db, firm_id) <= 1:
        raise _last_owner()
    db.delete(found)
    user = db.get(UserRow, user_id)
    ko_name, en_name = _user_label(user)
    left = user_id == who.user_id
    _record(db, who, "leave" if left else "remove", firm_id, user=user_id, role=found.role)
    if left:
        _tell(db, who, firm, f"{ko_name}님이 기업에서 나갔습니다.", f"{en_name} left the firm.")
    else:
        _tell(db, who, firm, f"{ko_name}님을 구성원에서 내보냈습니다.", f"{en_name} was removed from the firm.",
              removed=user_id)


# --- requests to join a registered firm ---------------------------------------------------------

def firm_by_brn(db: Session, brn: str) -> FirmRow | None:
    normal = normalize_brn(unicodedata.normalize("NFKC", brn))
    return db.scalar(select(FirmRow).where(FirmRow.brn == normal))


def request_to_join(db: Session, who: Principal, brn: str, message: str = "") -> JoinRequestRow:
    """Ask the owners of the firm registered with this BRN to invite you; asking again while a
    request is open returns that request."""
    who.require_firm_account("참여 요청", "ask to join a firm")
    firm = firm_by_brn(db, brn)
    if firm is None:
        raise _field("brn", "firm_unregistered", "이 사업자등록번호로 등록된 기업이 없습니다. 기업을 새로 등록하세요.",
                     "No firm is registered with this number; register it.")
    who.require_confirmed("참여 요청", "ask to join a firm")
    if firm.id in who.firms:
        raise _field("brn", "already_member", "이미 이 기업의 구성원입니다.", "You are already a member of this firm.")
    message = unicodedata.normalize("NFC", message).strip()
    if len(message) > 1000:
        raise _field("message", "message_long", "요청 메시지는 1,000자 이내로 적어 주세요.", "At most 1,000 characters.")
    found = db.scalar(select(JoinRequestRow).where(JoinRequestRow.firm_id == firm.id, JoinRequestRow.user_id == who.user_id,
                                                   JoinRequestRow.status == "pending"))
    if found is not None:
        return found
    row = JoinRequestRow(firm_id=firm.id, user_id=who.user_id, message=message, created_at=utcnow())
    db.add(row)
    db.flush()
    _record(db, who, "request", firm.id, request=row.id)
    _tell(db, who, firm, f"{who.name}({who.email})님이 기업 참여를 요청했습니다. 구성원 관리에서 수락하거나 거절하세요.",
          f"{who.name} ({who.email}) asks to join. Accept or decline under Members.")
    return row


def join_requests(db: Session, who: Principal, firm_id: int) -> list[tuple[JoinRequestRow, UserRow]]:
    _manager(db, who, firm_id)
    return [(r, u) for r, u in db.execute(
        select(JoinRequestRow, UserRow).join(UserRow, UserRow.id == JoinRequestRow.user_id).where(
            JoinRequestRow.firm_id == firm_id, JoinRequestRow.status == "pending").order_by(JoinRequestRow.id)).all()]


def my_requests(db: Session, who: Principal) -> list[tuple[JoinRequestRow, str]]:
    return [(r, name) for r, name in db.execute(
        select(JoinRequestRow, FirmRow.name).join(FirmRow, FirmRow.id == JoinRequestRow.firm_id).where(
            JoinRequestRow.user_id == who.user_id).order_by(JoinRequestRow.id.desc()).limit(20)).all()]


def decide(db: Session, who: Principal, firm_id: int, request_id: int, accept: bool,
           role: FirmRole = FirmRole.staff) -> JoinRequestRow:
    """Accept (an invitation goes to the requester) or decline a request to join: the firm's
    owners only, since accepting invites (raises `forbidden` for anyone else)."""
    firm = _inviter(db, who, firm_id)
    row = db.get(JoinRequestRow, request_id)
    if row is None or row.firm_id != firm_id:
        raise REQUEST_NOT_FOUND
    if row.status != "pending":
        raise _field("request", "request_decided", "이미 처리한 요청입니다.", "This request was already decided.")
    requester = db.get(UserRow, row.user_id)
    assert requester is not None
    row.status, row.decided_by, row.decided_at = ("accepted" if accept else "declined"), who.user_id, utcnow()
    ko_name, en_name = _user_label(requester)
    _record(db, who, "request_accepted" if accept else "request_declined", firm_id, request=row.id,
            user=requester.id, role=role.value if accept else None)
    if accept:
        if _membership(db, firm_id, requester.id) is None:
            _invitation(db, who, firm, requester.email, role, requester, via="join_request")
        return row
    _tell(db, who, firm, f"{ko_name}님의 참여 요청을 거절했습니다.", f"The request of {en_name} was declined.")
    outbox.notify(db, [requester.id], "membership", f"{firm.name}: 참여 요청이 거절되었습니다.",
                  f"{firm.name}: your request to join was declined.", "/invitations", {"firm": firm.id})
    return row


def _field(field: str, code: str, ko: str, en: str) -> DomainError:
    return DomainError(code=code, field=field, ko=ko, en=en, problems=[FieldProblem(field, code, ko, en)])
