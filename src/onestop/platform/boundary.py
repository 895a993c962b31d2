"""The web boundary: every request's text in NFC and every request body bounded, before any
route, form parser or model sees it.

One place, so no entry point can forget it: query strings, the path, JSON bodies (every string,
keys included, at most `text.MAX_DEPTH` levels deep) and url-encoded forms are normalised to NFC
(identifier fields fold further to NFKC in their own validators); multipart bodies (uploads)
keep their bytes and have their text fields and file names normalised where they are parsed
(`web.PostedForm`, `documents.safe_filename`). Bodies are capped by kind: a JSON or form body over
its limit is refused with 413 before it is read into memory, whether or not the client sent a
Content-Length.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from onestop.errors import DomainError
from onestop.text import normalise_tree, too_deep

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KIB = 1024
#: JSON and url-encoded bodies: a firm profile with its extra fields is a few KB.
TEXT_BODY_LIMIT = 1024 * KIB
#: Multipart bodies carry one document of at most 20 MB (documents.MAX_BYTES) and a few fields.
MULTIPART_BODY_LIMIT = 21 * 1024 * KIB


class _TooLarge(Exception):
    pass


def nfc_query(raw: bytes) -> bytes:
    """A query string (or url-encoded form) with every key and value in NFC; unchanged bytes when
    nothing changes, so ordinary requests pay one scan."""
    if not raw:
        return raw
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace")
    normal = [(unicodedata.normalize("NFC", k), unicodedata.normalize("NFC", v)) for k, v in pairs]
    if normal == pairs:
        return raw
    return urlencode(normal, encoding="utf-8").encode("ascii")


def _limit_for(content_type: str) -> int:
    return MULTIPART_BODY_LIMIT if content_type.startswith("multipart/") else TEXT_BODY_LIMIT


class InputBoundary:
    """ASGI middleware: bounded bodies, NFC text. Errors are RFC 9457 problems (JSON) for the API
    and a short bilingual page for browsers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        scope["path"] = unicodedata.normalize("NFC", scope["path"])
        scope["query_string"] = nfc_query(scope.get("query_string", b""))
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        limit = _limit_for(content_type)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse_size(scope, send, limit)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH", "DELETE"):
            await self.app(scope, receive, send)
            return
        if content_type.startswith("multipart/"):
            await self._stream_capped(scope, receive, send, limit)
            return
        try:
            body, more = await _read(receive, limit)
        except _TooLarge:
            await _refuse_size(scope, send, limit)
            return
        try:
            body = _normalised_body(content_type, body)
        except DomainError as err:
            await _refuse(scope, send, 422, err.code, err.ko, err.en, err.field)
            return
        await self.app(_with_length(scope, len(body)), _replay(body, more), send)

    async def _stream_capped(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Multipart: passed through as it arrives, counted; past the limit the request ends with
        413 (if nothing was sent yet) instead of filling memory or disk."""
        seen = 0
        started = False

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting, tracking)
        except _TooLarge:
            if not started:
                await _refuse_size(scope, send, limit)


async def _read(receive: Receive, limit: int) -> tuple[bytes, list[Message]]:
    """The whole body (at most `limit` bytes), and any message after it (a disconnect)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), []


def _normalised_body(content_type: str, body: bytes) -> bytes:
    if not body:
        return body
    if content_type == "application/json" or content_type.endswith("+json"):
        try:  # the standard library keeps integers exact (orjson would turn 10**20 into a float)
            data = json.loads(body)
        except ValueError:
            return body  # the route's own parser reports where the JSON is broken
        except RecursionError:
            raise too_deep() from None
        return json.dumps(normalise_tree(data), ensure_ascii=False, separators=(",", ":")).encode()
    if content_type == "application/x-www-form-urlencoded":
        return nfc_query(body)
    return body


def _with_length(scope: Scope, length: int) -> Scope:
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
    headers.append((b"content-length", str(length).encode()))
    return {**scope, "headers": headers}


def _replay(body: bytes, after: list[Message]) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *after]

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return {"type": "http.disconnect"}

    return receive


async def _refuse_size(scope: Scope, send: Send, limit: int) -> None:
    size = f"{limit // KIB:,} KB" if limit < 1024 * KIB else f"{limit // KIB // KIB} MB"
    await _refuse(scope, send, 413, "body_too_large",
                  f"요청이 너무 큽니다. 이 요청은 {size}까지 보낼 수 있습니다.",
                  f"The request is too large; at most {size} can be sent here.", "body")


async def _refuse(scope: Scope, send: Send, status: int, code: str, ko: str, en: str, field: str | None) -> None:
    from fastapi import Request

    from onestop.errors import FieldProblem
    from onestop.platform.problems import page_error, problem, wants_page

    request = Request(scope)
    if wants_page(request):
        response: Any = page_error(request, status, ko, en)
    else:
        response = problem(status, code, ko, en, [FieldProblem(field or "body", code, ko, en)])

    async def no_body() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, no_body, send)
