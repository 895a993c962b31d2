"""Account endpoints: sign up, get a bearer token, who am I, sign out everywhere, invitations."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from onestop.accounts import services
from onestop.accounts.model import FirmRole
from onestop.errors import DomainError
from onestop.firms import services as firms
from onestop.platform.openapi import PROBLEM_RESPONSES
from onestop.platform.web import DB, CurrentActor, IdField, PathId, UnitOfWorkRoute, client_ip

router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=PROBLEM_RESPONSES, route_class=UnitOfWorkRoute)


class SignupIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)
    name: str = Field(max_length=100)


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    agency_id: str | None
    firms: dict[str, str] = Field(description="firm id → owner or staff")


class TokenIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)
    name: str = Field(default="api", max_length=100)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


class InviteIn(BaseModel):
    email: str = Field(max_length=254)
    role: FirmRole = FirmRole.staff


class InviteOut(BaseModel):
    token: str
    accept_url: str


class AcceptIn(BaseModel):
    token: str = Field(max_length=100)


class AcceptOut(BaseModel):
    firm_id: int = IdField


@router.post("/auth/signup", response_model=UserOut, status_code=201, summary="Create a firm-member account")
def signup(body: SignupIn, db: DB) -> UserOut:
    user = services.signup(db, email=body.email, password=body.password, name=body.name)
    p = services.principal(db, user)
    return UserOut(id=p.user_id, email=p.email, name=p.name, role=p.role.value, agency_id=p.agency_id, firms={})


@router.post("/auth/token", response_model=TokenOut, summary="Exchange email and password for a bearer token")
def token(body: TokenIn, request: Request, db: DB) -> TokenOut:
    settings = request.app.state.app.settings
    throttle = services.Throttle(settings.login_max_failures, timedelta(minutes=settings.login_window_minutes))
    try:
        user = services.authenticate(db, email=body.email, password=body.password, ip=client_ip(request),
                                     throttle=throttle)
    except DomainError:
        db.commit()  # keep the failed attempt: throttling counts it although this request fails
        raise
    value, row = services.issue_token(db, user, body.name)
    return TokenOut(access_token=value, expires_at=row.expires_at)


@router.get("/me", response_model=UserOut, summary="The signed-in user")
def me(who: CurrentActor) -> UserOut:
    p = who.require()
    return UserOut(id=p.user_id, email=p.email, name=p.name, role=p.role.value, agency_id=p.agency_id,
                   firms={str(k): v.value for k, v in p.firms.items()})


@router.post("/auth/signout-everywhere", status_code=204, summary="End every session and revoke every token")
def signout_everywhere(request: Request, who: CurrentActor, db: DB) -> Response:
    services.sign_out_everywhere(db, who.require().user_id)
    request.app.state.app.principals.clear()
    return Response(status_code=204)


@router.post("/firms/{firm_id}/invitations", response_model=InviteOut, status_code=201,
             summary="Invite a staff member (owner only)")
def invite(firm_id: PathId, body: InviteIn, request: Request, who: CurrentActor, db: DB) -> InviteOut:
    p = who.require()
    firms.get(db, p, firm_id)
    value = services.invite(db, p, firm_id, body.email, body.role)
    base = request.app.state.app.settings.base_url
    return InviteOut(token=value, accept_url=f"{base}/invitations/{value}")


@router.post("/invitations/accept", response_model=AcceptOut, summary="Join a firm with an invitation")
def accept(body: AcceptIn, request: Request, who: CurrentActor, db: DB) -> AcceptOut:
    from onestop.accounts.tables import UserRow

    p = who.require()
    user = db.get(UserRow, p.user_id)
    assert user is not None
    firm_id = services.accept_invitation(db, user, body.token)
    request.app.state.app.principals.clear()
    return AcceptOut(firm_id=firm_id)
