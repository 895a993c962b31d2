"""Jinja2 rendering with the message catalog, the current user, the CSRF token, and the filters
that keep internal names off the pages: times in KST, codes with their names, particles chosen
by the last syllable, windows with their D-day."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape

from onestop.catalog.windows import window_state
from onestop.korea.dates import KST
from onestop.korea.hangul import josa
from onestop.korea.money import format_won_in
from onestop.platform import display
from onestop.platform.i18n import MESSAGES, t
from onestop.platform.web import Actor

templates = Jinja2Templates(directory=str(resources.files("onestop.platform") / "templates"))
env = templates.env


@pass_context
def _won(context: Any, amount: int) -> str:
    """Won in the page's language: "1억 2,000만 원" on Korean pages, "KRW 120 million" on English ones."""
    return format_won_in(int(amount), str(context.get("lang", "ko")))


env.globals["format_won"] = _won
#: a fresh key per rendered form, so a double click or a re-sent form creates one application
env.globals["new_key"] = lambda: uuid.uuid4().hex


def kst(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Times are stored in UTC and shown in Korea's time, as users read them. Accepts an ISO
    string (as stored in JSON) too; a naive time is taken as UTC."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:

        value = value.replace(tzinfo=UTC)
    return value.astimezone(KST).strftime(fmt)


def kst_date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return kst(value, "%Y-%m-%d")
    return value.isoformat()


env.filters["kst"] = kst
env.filters["kst_date"] = kst_date
env.filters["josa"] = josa
env.filters["won"] = _won
env.globals["window_state"] = window_state


def field_id(field: str) -> str:
    """The id of the input a problem's field names: ``revenue.2024`` → ``revenue_2024``."""
    return field.replace(".", "_")


class FieldErrors:
    """The problems of one submitted form, by field, for the KRDS error pattern: the message
    under the field (``form-hint-invalid``), ``aria-invalid`` and ``aria-describedby`` on the
    input, ``is-error`` on its box."""

    def __init__(self, errors: list[dict[str, str]], lang: str) -> None:
        self.lang = lang
        self.by_field: dict[str, list[str]] = {}
        for e in errors:
            field = e.get("field") or ""
            message = e.get("ko", "") if lang == "ko" else e.get("en", "")
            self.by_field.setdefault(field, []).append(message)

    def of(self, name: str) -> list[str]:
        out: list[str] = []
        for field, messages in self.by_field.items():
            if field == name or field.startswith(name + "."):
                out += messages
        return out

    def cls(self, name: str) -> str:
        return " is-error" if self.of(name) else ""

    def attrs(self, name: str, hint: str = "") -> Markup:
        ids = ([field_id(name) + "-error"] if self.of(name) else []) + ([hint] if hint else [])
        out = ' aria-invalid="true"' if self.of(name) else ""
        if ids:
            out += f' aria-describedby="{escape(" ".join(ids))}"'
        return Markup(out)

    def message(self, name: str) -> Markup:
        messages = self.of(name)
        if not messages:
            return Markup("")
        body = Markup("<br>").join(escape(m) for m in messages)
        return Markup(f'<p class="form-hint-invalid" id="{escape(field_id(name))}-error">') + body + Markup("</p>")


env.globals["field_id"] = field_id
FLASH_COOKIE = "onestop_flash"


def warm_templates() -> None:
    """Compile every template once (start-up), so no visitor waits for it."""
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)


def _switch_target(request: Request) -> str:
    """The page the language switch returns to: this page with its query. A page rendered in
    answer to a form (a POST with errors) has no address of its own to go back to (GET on the
    form's action answers 405), so the switch returns to the page that held the form (the
    same-site Referer, with its query), else the home page."""
    if request.method in ("GET", "HEAD"):
        path, pairs = request.url.path, request.query_params.multi_items()
    else:
        referer = urlsplit(request.headers.get("referer", ""))
        if referer.netloc != request.url.netloc or not referer.path.startswith("/"):
            return "/"
        path, pairs = referer.path, parse_qsl(referer.query, keep_blank_values=True)
    query = [(k, v) for k, v in pairs if k != "lang"]
    return path + (f"?{urlencode(query)}" if query else "")


def _switch_url(request: Request, lang: str) -> str:
    """The language switch goes back to the same page with the same query."""
    return "/lang?" + urlencode({"to": lang, "next": _switch_target(request)})


def render(request: Request, actor: Actor, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = actor.lang

    def tr(key: str, **params: Any) -> str:
        return t(key, lang, **params)

    def pick(ko: str, en: str) -> str:
        return ko if lang == "ko" else en

    ctx = {
        "request": request,
        "t": tr,
        "pick": pick,
        "lang": lang,
        "user": actor.principal,
        "csrf": actor.session.csrf_token if actor.session else "",
        "switch_url": _switch_url(request, "en" if lang == "ko" else "ko"),
        "show": display.Show(lang),
        "now": datetime.now(KST),
        **context,
    }
    ctx.setdefault("errors", [])
    ctx.setdefault("unread", 0)
    ctx["fe"] = FieldErrors(ctx["errors"], lang)
    flash_key = request.cookies.get(FLASH_COOKIE)
    if flash_key and "flash" not in ctx:
        ctx["flash"] = t(flash_key, lang) if flash_key in MESSAGES else ""
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    if flash_key:
        response.delete_cookie(FLASH_COOKIE)
    return response
