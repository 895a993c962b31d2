"""Security headers on every response, and the endpoint that records Content-Security-Policy
violation reports.

One ASGI middleware (no per-request thread hop, no body buffering) adds:

- ``Content-Security-Policy``: everything from this origin only; no inline script, no inline
  event handlers, no inline styles (htmx's indicator style is switched off by a meta tag in
  the base template), ``frame-ancestors 'none'``, ``form-action 'self'``, ``base-uri 'none'``
  and a ``report-uri`` that lands in :class:`CspReports`. The API's interactive docs (``/docs``)
  load Swagger UI from its CDN with an inline bootstrap script, so that one page gets a policy
  that allows exactly those.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: strict-origin-when-cross-origin``,
  ``X-Frame-Options: DENY`` (for browsers that predate ``frame-ancestors``),
  ``Cross-Origin-Opener-Policy: same-origin`` and a ``Permissions-Policy`` that turns off
  devices no page uses.
- ``Cache-Control: no-store`` on every response to a signed-in request (a session cookie or a
  bearer token) and on the token endpoint, unless the handler set its own; shared caches and
  the back button then never show one user's page to the next person at the same computer.
- ``Strict-Transport-Security`` when secure cookies are on (the app is served over HTTPS).

Sources: OWASP Secure Headers Project and the CSP Level 3 recommendation (W3C).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REPORT_PATH = "/csp-report"
#: the policy of every page: this origin only, nothing inline, never framed
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; "
    f"report-uri {REPORT_PATH}"
)
#: FastAPI's Swagger UI page: its CDN assets and the inline script that starts it
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
_NO_STORE_PATHS = ("/api/v1/auth/token",)
_STATIC = "/static/"
_log = logging.getLogger(__name__)


class CspReports:
    """The most recent violation reports (bounded), kept for operators and the browser tests."""

    def __init__(self, size: int = 200) -> None:
        self._items: deque[dict[str, Any]] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, report: dict[str, Any]) -> None:
        with self._lock:
            self._items.append(report)

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        signed_in = path in _NO_STORE_PATHS or _signed_in(scope.get("headers", []))
        policy = DOCS_POLICY if path in ("/docs", "/docs/oauth2-redirect") else POLICY

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [
                    (b"content-security-policy", policy.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
                ]
                if signed_in and not path.startswith(_STATIC):
                    extra.append((b"cache-control", b"no-store"))
                if self.hsts:
                    extra.append((b"strict-transport-security", HSTS.encode()))
                headers += [(k, v) for k, v in extra if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, add_headers)


def _signed_in(headers: list[tuple[bytes, bytes]]) -> bool:
    from onestop.platform.web import SESSION_COOKIE

    cookie_name = SESSION_COOKIE.encode() + b"="
    for key, value in headers:
        k = key.lower()
        if k == b"authorization" and value[:7].lower() == b"bearer ":
            return True
        if k == b"cookie" and cookie_name in value:
            return True
    return False


router = APIRouter(include_in_schema=False)
_MAX_REPORT = 16 * 1024


@router.post(REPORT_PATH, status_code=204)
async def csp_report(request: Request) -> Response:
    """Browsers post violation reports here (``application/csp-report`` or the Reporting API's
    ``application/reports+json``). Each is logged and kept in a bounded list."""
    body = await request.body()
    if len(body) <= _MAX_REPORT:
        try:
            data = orjson.loads(body) if body else {}
        except orjson.JSONDecodeError:
            data = {}
        items = data if isinstance(data, list) else [data]
        reports: CspReports = request.app.state.csp_reports
        for item in items:
            if isinstance(item, dict):
                report = item.get("csp-report") or item.get("body") or item
                if isinstance(report, dict):
                    reports.add(report)
                    _log.warning("CSP violation: %s blocked %s on %s", report.get("violated-directive")
                                 or report.get("effectiveDirective"), report.get("blocked-uri") or
                                 report.get("blockedURL"), report.get("document-uri") or report.get("documentURL"))
    return Response(status_code=204)
