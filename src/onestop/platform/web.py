"""Request plumbing shared by API routes and pages: the database session, who is acting
(cookie session or bearer token), CSRF protection and the page language."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from onestop.accounts import services as accounts
from onestop.accounts.model import Principal
from onestop.accounts.tables import SessionRow
from onestop.errors import DomainError
from onestop.platform.i18n import Lang

SESSION_COOKIE = "onestop_session"
LANG_COOKIE = "onestop_lang"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


async def get_db(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work. An async generator on purpose: opening a session does no I/O,
    and hopping to the thread pool and back for it cost more than the queries (measured: thread
    hand-offs dominated CPU under load on two cores)."""
    with request.app.state.db.unit_of_work(read_only=request.method in ("GET", "HEAD")) as session:
        yield session


DB = Annotated[Session, Depends(get_db)]



@dataclass
class Actor:
    principal: Principal | None
    session: SessionRow | None
    via: str | None  # "cookie", "token" or None
    lang: Lang

    def require(self) -> Principal:
        if self.principal is None:
            raise DomainError(code="unauthenticated", ko="로그인이 필요합니다.", en="Sign in first.")
        return self.principal


def language(request: Request) -> Lang:
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "ko"
    return "en" if lang == "en" else "ko"


async def _resolve(request: Request, db: DB) -> Actor:
    """Who is acting: one indexed look-up (token or session, user and memberships in one query),
    run on the event loop; a thread-pool hop would cost more than the query."""
    lang = language(request)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
        cache = request.app.state.app.principals
        who = cache.get(token)
        if who is None:
            who = accounts.token_principal(db, token)
            if who is not None:
                cache.put(token, who)
        if who is None:
            raise DomainError(code="unauthenticated", ko="토큰이 유효하지 않거나 만료되었습니다.",
                              en="The token is invalid, expired or revoked.")
        return Actor(who, None, "token", lang)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = accounts.session_principal(db, cookie)
        if found is not None:
            who, session = found
            return Actor(who, session, "cookie", lang)
    return Actor(None, None, None, lang)


async def actor(request: Request, resolved: Annotated[Actor, Depends(_resolve)]) -> Actor:
    if resolved.session is not None and request.method in UNSAFE:
        await _check_csrf(request, resolved.session)
    return resolved


async def _check_csrf(request: Request, session: SessionRow) -> None:
    """Cookie-authenticated changes must carry the session's CSRF token (header or form)."""
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, session.csrf_token):
        raise DomainError(code="csrf", ko="보안 토큰이 없거나 맞지 않습니다. 페이지를 새로 고친 뒤 다시 시도하세요.",
                          en="Missing or wrong security token; reload the page and try again.")


CurrentActor = Annotated[Actor, Depends(actor)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
