"""The recommendations fast lane (issue 16): the API's most frequent request, a member asking
for their own firm's recommendations with a bearer token this process has seen in the last
second, answered by a small ASGI handler placed in front of FastAPI's routing and dependency
solving, which cost more CPU than the cached answer itself (BENCHMARKS.md, "The fast lane").

The lane answers only what it understands completely and hands everything else, untouched, to
the FastAPI route `GET /api/v1/firms/{firm_id}/recommendations`, which stays the reference, the
documentation (OpenAPI) and the one place errors are worded:

- another method or path, a token not in the sign-in cache (`PrincipalCache`, 1 s), a session
  cookie, a firm that is not one of the member's own (an officer's view, an unknown id);
- a query parameter that is repeated, empty where the route refuses it, malformed (a date not
  YYYY-MM-DD, a page number not digits) or out of range (`Page` refuses it): the route answers
  with the field's error in Korean and English;
- any DomainError or database error while answering (the firm was removed meanwhile, the
  database is unreachable): the route answers it, with the status and wording it gives.

Both call `matching.api.answer` with the same arguments, so their bodies are the same bytes
(a test holds them to it). On PostgreSQL the lane's evaluation records are written together
with other requests' (`matching.recorder`): the answer is sent, and kept in the result cache,
once its record has committed; meanwhile the event loop answers other requests. Two requests
for the same firm, version and date do not both compute it: the second waits for the first's
record and is answered from the cache (one record per decision, as before). Parameters the route does not declare are ignored by both. The
middleware around the lane (the input boundary's NFC, the security headers, compression) is
the same as around the route: the lane is added innermost.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from onestop.accounts.model import Principal
from onestop.errors import DomainError
from onestop.matching import recorder, records
from onestop.matching.api import answer
from onestop.matching.services import Page
from onestop.platform.compress import negotiate
from onestop.platform.state import AppState
from onestop.platform.web import MAX_ID

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_PATH = re.compile(r"/api/v1/firms/([1-9][0-9]{0,9})/recommendations")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMBER = re.compile(r"[0-9]{1,6}")
#: the route's query parameters; others are ignored by both
_KNOWN = frozenset({"date", "explain", "status", "category", "page", "per_page"})
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LaneRequest:
    """What the lane will answer: the firm, the bearer token, the date (None: today, KST server
    date as the route), the page (None: the full form) and the response's content coding."""

    firm_id: int
    token: str
    on: date | None
    shown: Page | None
    coding: str | None


def parse(scope: Scope) -> LaneRequest | None:
    """The request as the lane would answer it, or None when it is for the route (see the module
    docstring for what goes there). Reads the path, the query string and two headers; no I/O."""
    if scope.get("type") != "http" or scope.get("method") != "GET":
        return None
    found = _PATH.fullmatch(scope.get("path", ""))
    if found is None:
        return None
    firm_id = int(found.group(1))
    if firm_id > MAX_ID:
        return None
    authorization: str | None = None
    accept_encoding: str | None = None
    for key, value in scope.get("headers", ()):
        if key == b"authorization":
            if authorization is not None:
                return None
            authorization = value.decode("latin-1")
        elif key == b"accept-encoding" and accept_encoding is None:  # the first, as the route reads it
            accept_encoding = value.decode("latin-1")
        elif key == b"cookie":
            return None  # a browser's session: the route checks it
    if authorization is None or not authorization.lower().startswith("bearer "):
        return None
    token = authorization[7:].strip()
    if not token:
        return None
    params: dict[str, str] = {}
    for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True):
        if name in _KNOWN:
            if name in params:
                return None
            params[name] = value
    on = None
    if "date" in params:
        if not _DATE.fullmatch(params["date"]):
            return None
        try:
            on = date.fromisoformat(params["date"])
        except ValueError:
            return None
    for name in ("page", "per_page"):
        if name in params and not _NUMBER.fullmatch(params[name]):
            return None
    explain = params.get("explain", "compact")
    if explain == "full":
        shown = None
    elif explain == "compact":
        try:
            shown = Page(status=params.get("status") or None, category=params.get("category") or None,
                         number=int(params.get("page", "1")), size=int(params.get("per_page", "20")))
        except DomainError:  # out of range: the route words the field's error
            return None
    else:
        return None
    return LaneRequest(firm_id, token, on, shown, negotiate(accept_encoding or ""))


class RecommendationsLane:
    """ASGI middleware: answers `parse`'s requests for a signed-in member's own firm, passes the
    rest on. Runs on the event loop like the route (an async handler: a cached answer is a
    dictionary look-up, an uncached one a computation and a record written with others')."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state
        #: the worker's group recorder (PostgreSQL); None: records are written as the route writes them
        self.recorder: recorder.GroupRecorder | None = None
        if state.db.engine.dialect.name == "postgresql":
            conninfo = make_url(state.db.url).set(drivername="postgresql").render_as_string(hide_password=False)
            self.recorder = recorder.GroupRecorder(conninfo, records.GROUP_RECORD_SQL, records.record_row)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "lifespan" and self.recorder is not None:
            await self.app(scope, receive, self._closing(send))
            return
        request = parse(scope)
        body = None if request is None else await self._answer(request)
        if body is None or request is None:
            await self.app(scope, receive, send)
            return
        headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
        if request.coding is not None:
            headers += [(b"content-encoding", request.coding.encode()), (b"vary", b"Accept-Encoding")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _closing(self, send: Send) -> Send:
        """The lifespan's `send`, closing the recorder's connection when the app has shut down."""
        async def closing(message: Message) -> None:
            if message.get("type") in ("lifespan.shutdown.complete", "lifespan.shutdown.failed") and self.recorder:
                await self.recorder.close()
            await send(message)
        return closing

    async def _answer(self, request: LaneRequest) -> bytes | None:
        who = self.state.principals.get(request.token)
        if who is None or request.firm_id not in who.firm_versions:
            return None
        on = request.on or date.today()
        if self.recorder is None:
            return self._compute(request, who, on)
        # one request computes a decision (firm, version, date), here, in the route or in a
        # page's thread (`ResultCache.claim`); the others wait for its record and read the cache
        decision = (request.firm_id, who.firm_versions[request.firm_id], on)
        results = self.state.results
        deadline = time.monotonic() + records.CLAIM_WAIT
        while (busy := results.claim(decision)) is not None and time.monotonic() < deadline:
            await records.settle(busy, deadline)
        held = busy is None
        handed_over = False
        try:
            with recorder.deferring() as later:
                body = self._compute(request, who, on)
            if body is None:  # the route answers it: nothing kept from this attempt
                return None
            if not later.rows:  # nothing computed (the standings were in the cache): nothing to record
                later.done()
                return body
            # The record goes on if this request is cancelled meanwhile (the client left): once
            # it is written, its answer is cached and the claim given up, whoever still waits.
            written = asyncio.ensure_future(self.recorder.record(later.rows))

            def settled(task: asyncio.Future[None]) -> None:
                if not task.cancelled() and task.exception() is None:
                    later.done()
                if held:
                    results.release(decision)

            written.add_done_callback(settled)
            handed_over = True
            try:
                await asyncio.shield(written)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database's error or another: logged, and the route answers
                log.warning("recording the lane's evaluations failed; the route answers", exc_info=True)
                return None  # nothing sent or cached from it: the route computes and records it
            return body
        finally:
            if held and not handed_over:
                results.release(decision)

    def _compute(self, request: LaneRequest, who: Principal, on: date) -> bytes | None:
        # a read session as the route's (autocommit: its one write, the evaluation record, is its
        # own transaction), closed without a commit: there is no transaction to end
        db = self.state.db.read_sessions(info={"write_sessions": self.state.db.sessions})
        try:
            return answer(db, self.state, who, request.firm_id, on, request.shown, request.coding)
        except (DomainError, SQLAlchemyError):  # the route answers it, with its own wording and status
            return None
        finally:
            db.close()
