"""Request plumbing shared by API routes and pages: the database session, who is acting
(cookie session or bearer token), CSRF protection and the page language."""

from __future__ import annotations

import functools
import hmac
import inspect
import json
import unicodedata
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import Field
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from onestop.accounts import services as accounts
from onestop.accounts.model import Principal
from onestop.accounts.tables import SessionRow
from onestop.errors import DomainError
from onestop.platform.i18n import Lang

#: Ids are 32-bit integer columns on PostgreSQL: a larger one cannot name anything.
MAX_ID = 2**31 - 1
#: An id in a path, checked before any query runs (2^31 answers 422 "out of range", not a 500).
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="a positive id")]
#: An id in a request body.
IdField: Any = Field(ge=1, le=MAX_ID, description="a positive id")

SESSION_COOKIE = "onestop_session"
LANG_COOKIE = "onestop_lang"
F = TypeVar("F", bound=Any)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


async def get_db(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work. An async generator on purpose: opening a session does no I/O,
    and hopping to the thread pool and back for it cost more than the queries (measured: thread
    hand-offs dominated CPU under load on two cores)."""
    endpoint = request.scope.get("endpoint")
    read_only = request.method in ("GET", "HEAD") and not getattr(endpoint, "records_views", False)
    with request.app.state.db.unit_of_work(read_only=read_only) as session:
        yield session


def records_views(endpoint: F) -> F:
    """Marks a GET whose reading is recorded (an officer viewing a firm's data): it gets a
    transaction, so the audit record is written with the same connection, atomically."""
    endpoint.records_views = True
    return endpoint


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
        _release(request, db)
        return Actor(who, None, "token", lang)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = accounts.session_principal(db, cookie)
        if found is not None:
            who, session = found
            _release(request, db)
            return Actor(who, session, "cookie", lang)
    return Actor(None, None, None, lang)


def _release(request: Request, db: Session) -> None:
    """A plain-function endpoint waits for a worker thread; it must not hold a pooled connection
    while it waits, or a full thread pool would empty the connection pool and stop the event
    loop on the next checkout. The session takes a connection again on its next query."""
    if not inspect.iscoroutinefunction(request.scope.get("endpoint")):
        db.close()


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


async def _posted_form(request: Request) -> FormData:
    """The form with its text fields in NFC (url-encoded bodies already are, by the boundary
    middleware; multipart ones are parsed here); uploaded files are left as they are."""
    form = await request.form()
    items = form.multi_items()
    if all(not isinstance(v, str) or unicodedata.is_normalized("NFC", v) for _, v in items):
        return form
    return FormData([(k, unicodedata.normalize("NFC", v) if isinstance(v, str) else v) for k, v in items])


#: The request's form, parsed on the event loop so the handler itself can be a plain `def`.
#: Handlers that write must be plain functions: FastAPI runs those in the thread pool. Run on
#: the event loop, a statement waiting for a row lock (the audit head, a unique key) would stop
#: the loop, and with it the commits of the very requests that hold those locks: a deadlock
#: (found by bench/apply_fault.py).
PostedForm = Annotated[FormData, Depends(_posted_form)]


def json_response(data: Any, status_code: int = 200) -> Response:
    """`data` (JSON-ready: str keys, ISO dates) as a JSON response built in the handler's own
    thread. Returned from a plain-function endpoint, FastAPI neither validates it against the
    declared response model (which still documents it) nor hops to the thread pool a second
    time to do so: that hop and the validation were ~1 ms of CPU per write request
    (BENCHMARKS.md, issue 14 §6). Integers beyond 64 bits fall back to the standard library."""
    import orjson

    try:
        body = orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status_code, media_type="application/json")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class UnitOfWorkRoute(APIRoute):
    """Commits an endpoint's unit of work as soon as it returns (a plain function's in its own
    worker thread), before FastAPI serializes the response and sends it. Serializing a plain function's response
    needs a thread of the pool too: if the commit waited for it, a transaction holding a hot
    lock (the audit head) could wait for a thread while every thread waits for that lock — a
    deadlock found by bench/apply_fault.py. Committing here also means a response is only ever
    sent for work that is durable."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if "db" in inspect.signature(endpoint).parameters:
            original = endpoint
            if inspect.iscoroutinefunction(original):

                @functools.wraps(original)
                async def committing_async(*args: Any, **kw: Any) -> Any:
                    result = await original(*args, **kw)
                    kw["db"].commit()
                    return result

                endpoint = committing_async
            else:

                @functools.wraps(original)
                def committing(*args: Any, **kw: Any) -> Any:
                    result = original(*args, **kw)
                    kw["db"].commit()
                    return result

                endpoint = committing
        super().__init__(path, endpoint, **kwargs)
