"""Sign-up, sign-in, sign-out (here and everywhere), account, invitation pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from onestop.accounts import services
from onestop.accounts.tables import UserRow
from onestop.errors import DomainError
from onestop.platform.pages import error_page, login_redirect, problems_of, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, SESSION_COOKIE, CurrentActor, UnitOfWorkRoute, client_ip

router = APIRouter(route_class=UnitOfWorkRoute)


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/firms"


def _start_session(request: Request, db: DB, user: UserRow, target: str) -> Response:
    settings = request.app.state.app.settings
    new = services.open_session(db, user, settings.session_days, request.headers.get("user-agent", ""))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, new.cookie, max_age=settings.session_days * 86400, httponly=True,
                        samesite="lax", secure=settings.secure_cookies)
    return response


@router.get("/signup")
def signup_page(request: Request, who: CurrentActor) -> Response:
    return render(request, who, "accounts/signup.html", errors=[], form={})


@router.post("/signup")
def signup(request: Request, who: CurrentActor, db: DB, email: Annotated[str, Form()] = "",
           password: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "") -> Response:
    try:
        user = services.signup(db, email=email, password=password, name=name)
    except DomainError as e:
        return render(request, who, "accounts/signup.html", status_code=422, errors=problems_of(e),
                      form={"email": email, "name": name})
    return _start_session(request, db, user, "/firms/new")


@router.get("/login")
def login_page(request: Request, who: CurrentActor, next: str = "/firms") -> Response:
    return render(request, who, "accounts/login.html", errors=[], next=_safe_next(next), form={})


@router.post("/login")
def login(request: Request, who: CurrentActor, db: DB, email: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/firms") -> Response:
    settings = request.app.state.app.settings
    throttle = services.Throttle(settings.login_max_failures, timedelta(minutes=settings.login_window_minutes))
    try:
        user = services.authenticate(db, email=email, password=password, ip=client_ip(request), throttle=throttle)
    except DomainError as e:
        status = 429 if e.code == "login_throttled" else 401
        return render(request, who, "accounts/login.html", status_code=status, errors=problems_of(e),
                      next=_safe_next(next), form={"email": email})
    target = _safe_next(next)
    if target == "/firms" and str(getattr(user.role, "value", user.role)) in ("officer", "admin", "evaluator"):
        target = "/officer/applications"  # staff land on their work queue
    return _start_session(request, db, user, target)


@router.post("/logout")
def logout(request: Request, who: CurrentActor, db: DB) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        services.close_session(db, cookie)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account")
def account(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    agency = None
    if who.principal.agency_id:
        _, engine = request.app.state.app.engine(db)
        agency = engine.catalog.agencies.get(who.principal.agency_id)
    return render(request, who, "accounts/account.html", unread=unread(db, who), agency=agency)


@router.post("/account/signout-everywhere")
def signout_everywhere(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    services.sign_out_everywhere(db, who.principal.user_id)
    request.app.state.app.principals.clear()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/invitations/{token}")
def invitation(token: str, request: Request, who: CurrentActor) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return render(request, who, "accounts/invitation.html", token=token)


@router.post("/invitations/{token}")
def accept_invitation(token: str, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    user = db.get(UserRow, who.principal.user_id)
    assert user is not None
    try:
        firm_id = services.accept_invitation(db, user, token)
    except DomainError as e:
        return error_page(request, who, e)
    return RedirectResponse(f"/firms/{firm_id}/recommendations", status_code=303)
