"""Account pages: sign-up (consents, password confirmation), sign-in, sign-out (here and
everywhere), email confirmation, password reset and change, the account page, invitations,
firm members and requests to join a registered firm.

Forms used before anyone is signed in (sign-in, sign-up, password reset, email confirmation)
carry a pre-session CSRF token: a random cookie set with the form and, in the form, its HMAC
under the app's secret key (OWASP's "signed double-submit cookie"); the POST also must not come
from another site (`Origin`, `Sec-Fetch-Site`). So another site cannot sign a visitor in to an
account of its choosing (login CSRF) or post these forms in the visitor's name."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from onestop.accounts import consents, memberships, services
from onestop.accounts.model import ROLE_NAMES, FirmRole, Principal, Role
from onestop.accounts.tables import UserRow
from onestop.errors import DomainError
from onestop.korea.hangul import josa
from onestop.platform.pages import error_page, login_redirect, problems_of, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, SESSION_COOKIE, Actor, CurrentActor, PathId, PostedForm, UnitOfWorkRoute, client_ip

router = APIRouter(route_class=UnitOfWorkRoute)

PRESESSION_COOKIE = "onestop_presession"


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") and "\\" not in value else "/firms"


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


# --- the pre-session CSRF token ---------------------------------------------------------------

def _mac(request: Request, cookie: str) -> str:
    secret = request.app.state.app.settings.secret_key.encode()
    return hmac.new(secret, f"presession:{cookie}".encode(), hashlib.sha256).hexdigest()


def _anonymous_form(request: Request, who: Actor, template: str, status_code: int = 200, **context: Any) -> Response:
    """Render a form that may be posted without a session, with its CSRF token (a signed-in
    visitor's forms carry the session's token, which the request plumbing checks)."""
    cookie = request.cookies.get(PRESESSION_COOKIE)
    fresh = cookie is None or len(cookie) != 43
    if fresh:
        cookie = secrets.token_urlsafe(32)
    assert cookie is not None
    token = who.session.csrf_token if who.session is not None else _mac(request, cookie)
    response = render(request, who, template, status_code=status_code, csrf=token, **context)
    if fresh:
        settings = request.app.state.app.settings
        response.set_cookie(PRESESSION_COOKIE, cookie, max_age=86400, httponly=True, samesite="lax",
                            secure=settings.secure_cookies)
    return response


def _cross_site(request: Request) -> bool:
    """Whether the browser says the form came from another site. Browsers send
    `Sec-Fetch-Site` (all current ones) and `Origin` on POST; a client that sends neither is
    judged by the token alone."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    allowed = {request.url.netloc, urlsplit(request.app.state.app.settings.base_url).netloc}
    return origin == "null" or urlsplit(origin).netloc not in allowed


def check_presession(request: Request, who: Actor, form: FormData) -> None:
    """Refuse a pre-session form that another site sent, or that lacks the token of this
    browser's pre-session cookie. (A signed-in visitor's session token was checked already.)"""
    if _cross_site(request):
        raise _csrf_error()
    if who.session is not None:
        return
    cookie = request.cookies.get(PRESESSION_COOKIE, "")
    sent = _text(form, "csrf_token")
    if not cookie or not sent or not hmac.compare_digest(sent, _mac(request, cookie)):
        raise _csrf_error()


def _csrf_error() -> DomainError:
    return DomainError(code="csrf", field="csrf_token",
                       ko="보안 확인에 실패했습니다. 다른 사이트에서 보낸 요청이거나 페이지가 오래되었습니다. 이 페이지를 "
                          "새로 고친 뒤 다시 시도하세요(브라우저가 쿠키를 허용해야 합니다).",
                       en="The security check failed: the form came from another site or the page is old. Reload "
                          "this page and try again (the browser must accept cookies).")


def _start_session(request: Request, db: DB, user: UserRow, target: str) -> Response:
    settings = request.app.state.app.settings
    new = services.open_session(db, user, settings.session_days, request.headers.get("user-agent", ""))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, new.cookie, max_age=settings.session_days * 86400, httponly=True,
                        samesite="lax", secure=settings.secure_cookies)
    response.delete_cookie(PRESESSION_COOKIE)
    return response


# --- sign-up ----------------------------------------------------------------------------------

def _agreed(form: FormData) -> dict[str, str]:
    """Checked consent boxes → the version each box was shown with."""
    return {i.id: _text(form, f"version_{i.id}") or i.current for i in consents.items()
            if _text(form, f"agree_{i.id}") == "yes"}


def _signup_page(request: Request, who: Actor, status_code: int = 200, errors: list[dict[str, str]] | None = None,
                 form: dict[str, Any] | None = None) -> Response:
    items = [{"item": i, "html": consents.html(i.id, i.current, who.lang)} for i in consents.items()]
    return _anonymous_form(request, who, "accounts/signup.html", status_code, errors=errors or [], form=form or {},
                           items=items)


@router.get("/signup")
def signup_page(request: Request, who: CurrentActor) -> Response:
    as_seeker = request.query_params.get("as") == "seeker"
    return _signup_page(request, who, form={"account_type": "seeker"} if as_seeker else None)


@router.post("/signup")
def signup(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    agreed = _agreed(form)
    seeker = _text(form, "account_type") == "seeker"
    kept = {"email": _text(form, "email"), "name": _text(form, "name"), "agreed": agreed,
            "account_type": "seeker" if seeker else "firm_member"}
    try:
        check_presession(request, who, form)
        user = services.signup(db, email=_text(form, "email"), password=_text(form, "password"),
                               password_confirm=_text(form, "password_confirm"), name=_text(form, "name"),
                               agreed=agreed, secret=request.app.state.app.settings.secret_key, ip=client_ip(request),
                               role=Role.seeker if seeker else Role.firm_member)
    except DomainError as e:
        return _signup_page(request, who, 403 if e.code == "csrf" else 422, problems_of(e), kept)
    return _start_session(request, db, user, "/jobs/profile" if seeker else "/firms/new")


# --- sign-in and out ----------------------------------------------------------------------------

@router.get("/login")
def login_page(request: Request, who: CurrentActor, next: str = "/firms") -> Response:
    return _anonymous_form(request, who, "accounts/login.html", errors=[], next=_safe_next(next), form={})


@router.post("/login")
def login(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    settings = request.app.state.app.settings
    policy = services.Throttle(settings.login_max_failures, timedelta(minutes=settings.login_window_minutes))
    target = _safe_next(_text(form, "next") or "/firms")
    try:
        check_presession(request, who, form)
        user = services.authenticate(db, email=_text(form, "email"), password=_text(form, "password"),
                                     ip=client_ip(request), policy=policy)
    except DomainError as e:
        status = {"login_throttled": 429, "csrf": 403}.get(e.code, 401)
        response = _anonymous_form(request, who, "accounts/login.html", status_code=status, errors=problems_of(e),
                                   next=target, form={"email": _text(form, "email")})
        if e.retry_after:
            response.headers["Retry-After"] = str(e.retry_after)
        return response
    if target == "/firms" and str(getattr(user.role, "value", user.role)) in ("officer", "admin"):
        target = "/officer/applications"  # staff land on their work queue
    elif target == "/firms" and str(getattr(user.role, "value", user.role)) == "evaluator":
        target = "/evaluator"  # evaluators land on what is assigned to them
    elif target == "/firms" and str(getattr(user.role, "value", user.role)) == "expert":
        target = "/expert/needs"  # advisory experts land on the needs routed to them
    return _start_session(request, db, user, target)


@router.post("/logout")
def logout(request: Request, who: CurrentActor, db: DB) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        services.close_session(db, cookie)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- password reset -----------------------------------------------------------------------------

@router.get("/password/forgot")
def forgot_page(request: Request, who: CurrentActor) -> Response:
    return _anonymous_form(request, who, "accounts/password_forgot.html", errors=[], form={}, sent=False)


@router.post("/password/forgot")
def forgot(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    email = _text(form, "email")
    try:
        check_presession(request, who, form)
        services.request_reset(db, request.app.state.app.settings.secret_key, email, client_ip(request))
    except DomainError as e:
        status = {"login_throttled": 429, "csrf": 403}.get(e.code, 422)
        return _anonymous_form(request, who, "accounts/password_forgot.html", status, errors=problems_of(e),
                               form={"email": email}, sent=False)
    return _anonymous_form(request, who, "accounts/password_forgot.html", errors=[], form={"email": email}, sent=True)


@router.get("/password/reset/{token}")
def reset_page(token: str, request: Request, who: CurrentActor, db: DB) -> Response:
    try:
        user = services.check_reset_link(db, token)
    except DomainError as e:
        return _anonymous_form(request, who, "accounts/password_reset.html", 410, errors=problems_of(e), token=None,
                               email="")
    return _anonymous_form(request, who, "accounts/password_reset.html", errors=[], token=token, email=user.email)


@router.post("/password/reset/{token}")
def reset(token: str, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    try:
        check_presession(request, who, form)
        with db.begin_nested():
            user = services.reset_password(db, token, _text(form, "password"), _text(form, "password_confirm"),
                                           client_ip(request))
    except DomainError as e:
        status = {"csrf": 403, "link_invalid": 410}.get(e.code, 422)
        return _anonymous_form(request, who, "accounts/password_reset.html", status, errors=problems_of(e),
                               token=None if e.code == "link_invalid" else token, email="")
    request.app.state.app.principals.clear()
    response = _anonymous_form(request, who, "accounts/done.html", title_ko="비밀번호를 바꾸었습니다",
                               title_en="Your password was changed",
                               message_ko=f"{user.email} 계정의 모든 기기에서 로그아웃되었습니다. 새 비밀번호로 로그인하세요.",
                               message_en=f"Every device of {user.email} was signed out. Sign in with the new password.",
                               action="/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- email confirmation ------------------------------------------------------------------------

@router.get("/account/confirm/{token}")
def confirm_page(token: str, request: Request, who: CurrentActor, db: DB) -> Response:
    """Shows a button rather than confirming at once: mail scanners open links too."""
    from onestop.accounts import tokens

    try:
        tokens.find(db, token, tokens.CONFIRM)
    except DomainError as e:
        return _anonymous_form(request, who, "accounts/confirm.html", 410, errors=problems_of(e), token=None)
    return _anonymous_form(request, who, "accounts/confirm.html", errors=[], token=token)


@router.post("/account/confirm/{token}")
def confirm(token: str, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    try:
        check_presession(request, who, form)
        user = services.confirm_email(db, token)
    except DomainError as e:
        return _anonymous_form(request, who, "accounts/confirm.html", 403 if e.code == "csrf" else 410,
                               errors=problems_of(e), token=None)
    request.app.state.app.principals.clear()
    return _anonymous_form(request, who, "accounts/done.html", title_ko="이메일 주소를 확인했습니다",
                           title_en="Your email address is confirmed",
                           message_ko=f"{user.email} 주소가 확인되었습니다. 이제 신청서를 제출하고 기업 구성원을 초대할 수 있습니다.",
                           message_en=f"{user.email} is confirmed. You can now submit applications and invite members.",
                           action="/firms" if who.principal else "/login")


@router.post("/account/confirm")
def resend_confirmation(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        user = services.send_confirmation(db, request.app.state.app.settings.secret_key, who.principal.user_id,
                                          client_ip(request))
    except DomainError as e:
        return _account(request, who, db, problems_of(e), 429 if e.code == "login_throttled" else 422)
    return _account(request, who, db, notice=(f"{josa(user.email, '으로')} 확인 메일을 보냈습니다.",
                                              f"A confirmation email is on its way to {user.email}."))


# --- the account page ---------------------------------------------------------------------------

def _account(request: Request, who: Actor, db: DB, errors: list[dict[str, str]] | None = None, status_code: int = 200,
             notice: tuple[str, str] | None = None) -> Response:
    assert who.principal is not None
    user = db.get(UserRow, who.principal.user_id)
    answers = consents.latest(db, who.principal.user_id)
    agency = None
    if who.principal.agency_id:
        _, engine = request.app.state.app.engine(db)
        agency = engine.catalog.agencies.get(who.principal.agency_id)
    return render(request, who, "accounts/account.html", status_code=status_code, errors=errors or [], notice=notice,
                  account=user, agency=agency, items=consents.items(), answers=answers, role_names=ROLE_NAMES,
                  invitations=memberships.my_invitations(db, who.principal), unread=unread(db, who))


@router.get("/account")
def account(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return _account(request, who, db)


@router.post("/account/password")
def change_password(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    user = db.get(UserRow, who.principal.user_id)
    assert user is not None
    try:
        with db.begin_nested():
            services.change_password(db, user, _text(form, "current_password"), _text(form, "password"),
                                     _text(form, "password_confirm"), request.cookies.get(SESSION_COOKIE),
                                     client_ip(request))
    except DomainError as e:
        return _account(request, who, db, problems_of(e), 422)
    request.app.state.app.principals.clear()
    return _account(request, who, db, notice=("비밀번호를 바꾸었습니다. 다른 기기는 모두 로그아웃되었습니다.",
                                              "Password changed; every other device was signed out."))


@router.post("/account/consents")
def change_consent(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        row = consents.change(db, who.principal.user_id, _text(form, "item"), _text(form, "agreed") == "yes",
                              client_ip(request))
    except DomainError as e:
        return _account(request, who, db, problems_of(e), 422)
    item = consents.item(row.item)
    return _account(request, who, db, notice=(
        f"{item.name_ko}: {'동의' if row.agreed else '동의 철회'}를 기록했습니다.",
        f"{item.name_en}: {'consent given' if row.agreed else 'consent withdrawn'}, recorded."))


@router.post("/account/signout-everywhere")
def signout_everywhere(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    services.sign_out_everywhere(db, who.principal.user_id)
    request.app.state.app.principals.clear()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/terms/{item_id}/{version}")
def terms(item_id: str, version: str, request: Request, who: CurrentActor) -> Response:
    try:
        found = consents.item(item_id)
        body = consents.html(item_id, version, who.lang)
    except DomainError as e:
        return error_page(request, who, DomainError(code="not_found", ko=e.ko, en=e.en))
    return render(request, who, "accounts/terms.html", item=found, version=version, body=body)


# --- invitations ------------------------------------------------------------------------------

@router.get("/invitations")
def invitations(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return render(request, who, "accounts/invitations.html", errors=[],
                  invitations=memberships.my_invitations(db, who.principal),
                  requests=memberships.my_requests(db, who.principal), unread=unread(db, who))


@router.post("/invitations/by-id/{invitation_id}")
def accept_listed(invitation_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        with db.begin_nested():
            firm_id = memberships.accept_by_id(db, who.principal, invitation_id)
    except DomainError as e:
        return render(request, who, "accounts/invitations.html", status_code=_status(e), errors=problems_of(e),
                      invitations=memberships.my_invitations(db, who.principal),
                      requests=memberships.my_requests(db, who.principal), unread=unread(db, who))
    request.app.state.app.principals.clear()
    return RedirectResponse(f"/firms/{firm_id}/recommendations", status_code=303)


@router.post("/invitations/by-id/{invitation_id}/decline")
def decline_listed(invitation_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        with db.begin_nested():
            memberships.decline(db, who.principal, invitation_id)
    except DomainError as e:
        return render(request, who, "accounts/invitations.html", status_code=_status(e), errors=problems_of(e),
                      invitations=memberships.my_invitations(db, who.principal),
                      requests=memberships.my_requests(db, who.principal), unread=unread(db, who))
    return RedirectResponse("/invitations", status_code=303)


@router.get("/invitations/{token}")
def invitation(token: str, request: Request, who: CurrentActor) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return render(request, who, "accounts/invitation.html", token=token, errors=[])


@router.post("/invitations/{token}")
def accept_invitation(token: str, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        with db.begin_nested():
            firm_id = memberships.accept(db, who.principal, token)
    except DomainError as e:
        return render(request, who, "accounts/invitation.html", status_code=_status(e), token=token,
                      errors=problems_of(e))
    request.app.state.app.principals.clear()
    return RedirectResponse(f"/firms/{firm_id}/recommendations", status_code=303)


def _status(e: DomainError) -> int:
    from onestop.platform.problems import STATUS

    return STATUS.get(e.code, 422)


# --- firm members and requests to join -------------------------------------------------------

def _members(request: Request, who: Actor, db: DB, firm_id: int, errors: list[dict[str, str]] | None = None,
             status_code: int = 200, notice: tuple[str, str] | None = None, link: str | None = None) -> Response:
    p = who.principal
    assert p is not None
    from onestop.firms import services as firms

    try:
        firm = firms.get(db, p, firm_id)
        people = memberships.members(db, p, firm_id)
    except DomainError as e:
        return error_page(request, who, e)
    manager = p.can_manage_members(firm_id)
    return render(request, who, "accounts/members.html", status_code=status_code, errors=errors or [], notice=notice,
                  firm=firm, members=people, manager=manager, inviter=p.can_invite(firm_id), link=link,
                  invitations=memberships.open_invitations(db, p, firm_id) if manager else [],
                  requests=memberships.join_requests(db, p, firm_id) if manager else [],
                  roles=memberships.ROLE_NAMES, unread=unread(db, who))


@router.get("/firms/{firm_id}/members")
def members(firm_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return _members(request, who, db, firm_id)


def _member_change(request: Request, who: Actor, db: DB, firm_id: int, change: Any, done: tuple[str, str],
                   leaves: bool = False) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        with db.begin_nested():
            link = change(who.principal)
    except DomainError as e:
        return _members(request, who, db, firm_id, problems_of(e), _status(e))
    request.app.state.app.principals.clear()
    if leaves:
        return RedirectResponse("/firms", status_code=303)
    base = request.app.state.app.settings.base_url
    return _members(request, who, db, firm_id, notice=done,
                    link=f"{base}/invitations/{link}" if isinstance(link, str) else None)


@router.post("/firms/{firm_id}/members/invite")
def invite(form: PostedForm, firm_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    email = _text(form, "email")
    role = FirmRole.owner if _text(form, "role") == "owner" else FirmRole.staff

    def change(p: Principal) -> str:
        return memberships.invite(db, p, firm_id, email, role)

    return _member_change(request, who, db, firm_id, change,
                          (f"{email}에게 보낼 초대 링크를 만들었습니다(7일 동안 유효). 가입한 사람이면 알림으로도 받습니다.",
                           f"An invitation link for {email} was made (valid for 7 days); an existing user is notified too."))


@router.post("/firms/{firm_id}/members/{user_id}/role")
def member_role(form: PostedForm, firm_id: PathId, user_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    role = FirmRole.owner if _text(form, "role") == "owner" else FirmRole.staff

    def change(p: Principal) -> None:
        memberships.change_role(db, p, firm_id, user_id, role)

    return _member_change(request, who, db, firm_id, change, ("역할을 바꾸었습니다.", "The role was changed."))


@router.post("/firms/{firm_id}/members/{user_id}/remove")
def member_remove(form: PostedForm, firm_id: PathId, user_id: PathId, request: Request, who: CurrentActor,
                  db: DB) -> Response:
    def change(p: Principal) -> None:
        if _text(form, "confirm") != "yes":
            raise DomainError(code="confirmation_required", field="confirm",
                              ko="내보내거나 나가려면 확인란에 표시하세요.", en="Tick the box to confirm.")
        memberships.remove(db, p, firm_id, user_id)

    leaves = who.principal is not None and who.principal.user_id == user_id
    return _member_change(request, who, db, firm_id, change, ("구성원을 내보냈습니다.", "The member was removed."),
                          leaves=leaves)


@router.post("/firms/{firm_id}/join-requests/{request_id}")
def decide(form: PostedForm, firm_id: PathId, request_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    accept = _text(form, "decision") == "accept"

    def change(p: Principal) -> None:
        memberships.decide(db, p, firm_id, request_id, accept)

    return _member_change(request, who, db, firm_id, change,
                          ("요청을 수락해 초대를 보냈습니다.", "Accepted: an invitation was sent.") if accept
                          else ("요청을 거절했습니다.", "The request was declined."))


@router.get("/firms/join")
def join_page(request: Request, who: CurrentActor, db: DB, brn: str = "") -> Response:
    if who.principal is None:
        return login_redirect(request)
    return render(request, who, "accounts/join.html", errors=[], form={"brn": brn}, sent=None, unread=unread(db, who))


@router.post("/firms/join")
def join(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    kept = {"brn": _text(form, "brn"), "message": _text(form, "message")}
    try:
        with db.begin_nested():
            row = memberships.request_to_join(db, who.principal, kept["brn"], kept["message"])
    except DomainError as e:
        return render(request, who, "accounts/join.html", status_code=_status(e), errors=problems_of(e), form=kept,
                      sent=None, unread=unread(db, who))
    return render(request, who, "accounts/join.html", errors=[], form=kept, sent=row, unread=unread(db, who))
