"""Compressed responses for the JSON API and static assets: brotli or gzip, as the client accepts.

Only `/api/` and `/static/` are compressed. Pages are not: a page carries the form's CSRF token
next to text the visitor typed, and compressing a secret beside attacker-chosen text lets the
response size reveal the secret (BREACH). The API authenticates with a bearer header, never
with a secret in the body, and static files hold no secret.

A handler may compress its body itself (e.g. a cached recommendation, compressed once per
distinct result, `encoded`); the middleware leaves a response that already has a
Content-Encoding alone. Streamed responses (downloads) pass through unchanged.
"""

from __future__ import annotations

import gzip

import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: smaller bodies are sent as they are: a few hundred bytes gain little and cost a round of work
MINIMUM_SIZE = 1024
#: brotli quality 5 and gzip level 6: most of the gain at a fraction of the highest levels' CPU
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
_PATHS = ("/api/", "/static/")


def negotiate(accept_encoding: str) -> str | None:
    """"br" when the client accepts brotli, else "gzip" when it accepts gzip, else None.
    A coding refused with q=0 is not used."""
    accepted: set[str] = set()
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip()
        if q.startswith("q="):
            try:
                if float(q[2:]) <= 0:
                    continue
            except ValueError:
                continue
        accepted.add(name.strip())
    if "br" in accepted:
        return "br"
    if "gzip" in accepted or "*" in accepted:
        return "gzip"
    return None


def encode(body: bytes, coding: str) -> bytes:
    if coding == "br":
        return bytes(brotli.compress(body, quality=BROTLI_QUALITY))
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


class Compression:
    """ASGI middleware: compress `/api/` and `/static/` responses of at least MINIMUM_SIZE."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(_PATHS):
            await self.app(scope, receive, send)
            return
        coding = negotiate(Headers(scope=scope).get("accept-encoding", ""))
        if coding is None:  # not compressed, but it would have been for another Accept-Encoding: say so to caches
            await self.app(scope, receive, _varying(send))
            return
        start: Message | None = None
        passing = False

        async def wrapped(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = Headers(raw=message.get("headers", []))
                if "content-encoding" in headers:
                    passing = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            if message.get("more_body", False):  # streamed (a download): sent as it comes
                passing = True
                await send(start)
                await send(message)
                return
            body = message.get("body", b"")
            headers = MutableHeaders(raw=list(start.get("headers", [])))
            if len(body) >= MINIMUM_SIZE:
                body = encode(body, coding)
                headers["content-encoding"] = coding
                headers["content-length"] = str(len(body))
                _vary_on_encoding(headers)
            await send({**start, "headers": headers.raw})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, wrapped)


def _vary_on_encoding(headers: MutableHeaders) -> None:
    """Add Accept-Encoding to the headers' `Vary` (once)."""
    vary = headers.get("vary")
    if not vary:
        headers["vary"] = "Accept-Encoding"
    elif "accept-encoding" not in vary.lower():
        headers["vary"] = f"{vary}, Accept-Encoding"


def _varying(send: Send) -> Send:
    """`send` with `Vary: Accept-Encoding` added to the response's headers."""
    async def varying(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(raw=list(message.get("headers", [])))
            _vary_on_encoding(headers)
            message = {**message, "headers": headers.raw}
        await send(message)
    return varying
