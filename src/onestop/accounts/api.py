"""Account endpoints: the consent items, sign up, email confirmation, bearer tokens, password
reset and change, who am I, sign out everywhere; firm members, invitations and requests to join."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from onestop.accounts import consents, memberships, services
from onestop.accounts.model import FirmRole, Role
from onestop.accounts.tables import UserRow
from onestop.errors import DomainError
from onestop.korea.hangul import josa
from onestop.platform.openapi import PROBLEM_RESPONSES
from onestop.platform.web import DB, MAX_ID, CurrentActor, IdField, PathId, UnitOfWorkRoute, client_ip

router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=PROBLEM_RESPONSES, route_class=UnitOfWorkRoute)


class ConsentItemOut(BaseModel):
    id: str
    required: bool
    name_ko: str
    name_en: str
    version: str
    text_ko: str = Field(description="the text of this version (Markdown); it binds")
    text_en: str = Field(description="its English translation (Markdown)")


class SignupIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)
    name: str = Field(max_length=100)
    agreements: dict[str, str] = Field(
        default_factory=dict, max_length=20,
        description="consent item id → the version agreed to (GET /api/v1/consents lists them); every required "
                    "item must be agreed to in its current version; optional items left out are declined")
    account_type: Literal["firm_member", "seeker"] = Field(
        default="firm_member", description="firm_member (default) or seeker: a job seeker's own account (jobs)")


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    agency_id: str | None
    email_confirmed: bool
    firms: dict[str, str] = Field(description="firm id → owner or staff")


class TokenIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)
    name: str = Field(default="api", max_length=100)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


class LinkIn(BaseModel):
    token: str = Field(max_length=200)


class ResetRequestIn(BaseModel):
    email: str = Field(max_length=254)


class ResetIn(BaseModel):
    token: str = Field(max_length=200)
    password: str = Field(max_length=200)


class PasswordIn(BaseModel):
    current_password: str = Field(max_length=200)
    password: str = Field(max_length=200)


class MessageOut(BaseModel):
    ko: str
    en: str


class InviteIn(BaseModel):
    email: str = Field(max_length=254)
    role: FirmRole = FirmRole.staff


class InviteOut(BaseModel):
    token: str
    accept_url: str


class AcceptIn(BaseModel):
    token: str | None = Field(default=None, max_length=200, description="from the invitation link")
    invitation_id: int | None = Field(default=None, ge=1, le=MAX_ID,
                                      description="or one of GET /invitations (your own address)")


class AcceptOut(BaseModel):
    firm_id: int = IdField


class InvitationOut(BaseModel):
    id: int
    firm_id: int
    firm_name: str
    role: str
    expires_at: datetime


class MemberOut(BaseModel):
    user_id: int
    name: str
    email: str
    role: str
    since: datetime


class RoleIn(BaseModel):
    role: FirmRole


class JoinIn(BaseModel):
    brn: str = Field(max_length=20, description="the business registration number of the registered firm")
    message: str = Field(default="", max_length=1000)


class JoinOut(BaseModel):
    id: int
    firm_id: int
    status: str
    created_at: datetime


class JoinRequestOut(JoinOut):
    user_id: int
    name: str
    email: str
    message: str


class DecisionIn(BaseModel):
    accept: bool
    role: FirmRole = FirmRole.staff


def _user_out(db: DB, who: Any) -> UserOut:
    p = who.require()
    return UserOut(id=p.user_id, email=p.email, name=p.name, role=p.role.value, agency_id=p.agency_id,
                   email_confirmed=p.email_confirmed, firms={str(k): v.value for k, v in p.firms.items()})


@router.get("/consents", response_model=list[ConsentItemOut], summary="The consent items of sign-up, current versions")
def consent_items() -> list[ConsentItemOut]:
    return [ConsentItemOut(id=i.id, required=i.required, name_ko=i.name_ko, name_en=i.name_en, version=i.current,
                           text_ko=i.text("ko"), text_en=i.text("en")) for i in consents.items()]


@router.post("/auth/signup", response_model=UserOut, status_code=201,
             summary="Create a firm-member account (a confirmation email follows)")
def signup(body: SignupIn, request: Request, db: DB) -> UserOut:
    user = services.signup(db, email=body.email, password=body.password, name=body.name, agreed=body.agreements,
                           secret=request.app.state.app.settings.secret_key, ip=client_ip(request),
                           role=Role(body.account_type))
    p = services.principal(db, user)
    return UserOut(id=p.user_id, email=p.email, name=p.name, role=p.role.value, agency_id=p.agency_id,
                   email_confirmed=p.email_confirmed, firms={})


@router.post("/auth/confirm-email", response_model=MessageOut, summary="Confirm the email address with the emailed link")
def confirm_email(body: LinkIn, request: Request, db: DB) -> MessageOut:
    services.confirm_email(db, body.token)
    request.app.state.app.principals.clear()
    return MessageOut(ko="이메일 주소가 확인되었습니다.", en="Your email address is confirmed.")


@router.post("/auth/confirm-email/resend", status_code=202, response_model=MessageOut,
             summary="Send the confirmation email again (three an hour)")
def resend_confirmation(request: Request, who: CurrentActor, db: DB) -> MessageOut:
    user = services.send_confirmation(db, request.app.state.app.settings.secret_key, who.require().user_id,
                                      client_ip(request))
    return MessageOut(ko=f"{josa(user.email, '으로')} 확인 메일을 보냈습니다.", en=f"A confirmation email is on its way to {user.email}.")


@router.post("/auth/token", response_model=TokenOut, summary="Exchange email and password for a bearer token")
def token(body: TokenIn, request: Request, db: DB) -> TokenOut:
    settings = request.app.state.app.settings
    policy = services.Throttle(settings.login_max_failures, timedelta(minutes=settings.login_window_minutes))
    try:
        user = services.authenticate(db, email=body.email, password=body.password, ip=client_ip(request),
                                     policy=policy)
    except DomainError:
        db.commit()  # keep the record of the failed attempt although this request fails
        raise
    value, row = services.issue_token(db, user, body.name)
    return TokenOut(access_token=value, expires_at=row.expires_at)


@router.post("/auth/password-reset", status_code=202, response_model=MessageOut,
             summary="Email a one-time password reset link (the answer is the same for any address)")
def password_reset_request(body: ResetRequestIn, request: Request, db: DB) -> MessageOut:
    services.request_reset(db, request.app.state.app.settings.secret_key, body.email, client_ip(request))
    return MessageOut(ko="가입된 주소라면 비밀번호 재설정 링크를 보냈습니다(1시간 동안 유효).",
                      en="If the address has an account, a reset link is on its way (valid for an hour).")


@router.post("/auth/password-reset/confirm", status_code=204,
             summary="Set a new password with the emailed link; every session and token of the account ends")
def password_reset(body: ResetIn, request: Request, db: DB) -> Response:
    services.reset_password(db, body.token, body.password, None, client_ip(request))
    request.app.state.app.principals.clear()
    return Response(status_code=204)


@router.post("/auth/password", status_code=204,
             summary="Change the password (the current one first); other sessions and every token end")
def change_password(body: PasswordIn, request: Request, who: CurrentActor, db: DB) -> Response:
    user = db.get(UserRow, who.require().user_id)
    assert user is not None
    services.change_password(db, user, body.current_password, body.password, None, None, client_ip(request))
    request.app.state.app.principals.clear()
    return Response(status_code=204)


@router.get("/me", response_model=UserOut, summary="The signed-in user")
def me(who: CurrentActor, db: DB) -> UserOut:
    return _user_out(db, who)


@router.post("/auth/signout-everywhere", status_code=204, summary="End every session and revoke every token")
def signout_everywhere(request: Request, who: CurrentActor, db: DB) -> Response:
    services.sign_out_everywhere(db, who.require().user_id)
    request.app.state.app.principals.clear()
    return Response(status_code=204)


# --- firm members -------------------------------------------------------------------------------

@router.get("/firms/{firm_id}/members", response_model=list[MemberOut], summary="A firm's members")
def members(firm_id: PathId, who: CurrentActor, db: DB) -> list[MemberOut]:
    return [MemberOut(user_id=m.user_id, name=m.name, email=m.email, role=m.role.value, since=m.since)
            for m in memberships.members(db, who.require(), firm_id)]


@router.put("/firms/{firm_id}/members/{user_id}", response_model=MemberOut,
            summary="Change a member's role (owners; a firm keeps at least one owner)")
def change_role(firm_id: PathId, user_id: PathId, body: RoleIn, request: Request, who: CurrentActor, db: DB) -> MemberOut:
    m = memberships.change_role(db, who.require(), firm_id, user_id, body.role)
    request.app.state.app.principals.clear()
    return MemberOut(user_id=m.user_id, name=m.name, email=m.email, role=m.role.value, since=m.since)


@router.delete("/firms/{firm_id}/members/{user_id}", status_code=204,
               summary="Remove a member (owners), or leave the firm (your own id)")
def remove_member(firm_id: PathId, user_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    memberships.remove(db, who.require(), firm_id, user_id)
    request.app.state.app.principals.clear()
    return Response(status_code=204)


@router.post("/firms/{firm_id}/invitations", response_model=InviteOut, status_code=201,
             summary="Invite someone to the firm (owners; not yourself)")
def invite(firm_id: PathId, body: InviteIn, request: Request, who: CurrentActor, db: DB) -> InviteOut:
    value = memberships.invite(db, who.require(), firm_id, body.email, body.role)
    base = request.app.state.app.settings.base_url
    return InviteOut(token=value, accept_url=f"{base}/invitations/{value}")


@router.get("/invitations", response_model=list[InvitationOut], summary="Open invitations to your email address")
def my_invitations(who: CurrentActor, db: DB) -> list[InvitationOut]:
    return [InvitationOut(id=p.invitation.id, firm_id=p.invitation.firm_id, firm_name=p.firm_name,
                          role=p.invitation.role, expires_at=p.invitation.expires_at)
            for p in memberships.my_invitations(db, who.require())]


@router.post("/invitations/accept", response_model=AcceptOut, summary="Join a firm with an invitation")
def accept(body: AcceptIn, request: Request, who: CurrentActor, db: DB) -> AcceptOut:
    p = who.require()
    if body.invitation_id is not None:
        firm_id = memberships.accept_by_id(db, p, body.invitation_id)
    else:
        firm_id = memberships.accept(db, p, body.token or "")
    request.app.state.app.principals.clear()
    return AcceptOut(firm_id=firm_id)


@router.post("/invitations/{invitation_id}/decline", status_code=204,
             summary="Decline an open invitation to your email address (the firm's owners are told)")
def decline(invitation_id: PathId, who: CurrentActor, db: DB) -> Response:
    memberships.decline(db, who.require(), invitation_id)
    return Response(status_code=204)


@router.post("/join-requests", response_model=JoinOut, status_code=201,
             summary="Ask the owners of a registered firm (by its BRN) to invite you")
def request_to_join(body: JoinIn, who: CurrentActor, db: DB) -> JoinOut:
    row = memberships.request_to_join(db, who.require(), body.brn, body.message)
    return JoinOut(id=row.id, firm_id=row.firm_id, status=row.status, created_at=row.created_at)


@router.get("/firms/{firm_id}/join-requests", response_model=list[JoinRequestOut],
            summary="Open requests to join the firm (owners)")
def join_requests(firm_id: PathId, who: CurrentActor, db: DB) -> list[JoinRequestOut]:
    return [JoinRequestOut(id=r.id, firm_id=r.firm_id, status=r.status, created_at=r.created_at, user_id=u.id,
                           name=u.name, email=u.email, message=r.message)
            for r, u in memberships.join_requests(db, who.require(), firm_id)]


@router.post("/firms/{firm_id}/join-requests/{request_id}", response_model=JoinOut,
             summary="Accept (an invitation is sent) or decline a request to join (owners)")
def decide(firm_id: PathId, request_id: PathId, body: DecisionIn, who: CurrentActor, db: DB) -> JoinOut:
    row = memberships.decide(db, who.require(), firm_id, request_id, body.accept, body.role)
    return JoinOut(id=row.id, firm_id=row.firm_id, status=row.status, created_at=row.created_at)
