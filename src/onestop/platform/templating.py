"""Jinja2 rendering with the message catalog, the current user and the CSRF token."""

from __future__ import annotations

import uuid
from datetime import datetime
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from onestop.korea.dates import KST
from onestop.korea.money import format_won
from onestop.platform.i18n import t
from onestop.platform.web import Actor

templates = Jinja2Templates(directory=str(resources.files("onestop.platform") / "templates"))
templates.env.globals["format_won"] = format_won


def kst(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Times are stored in UTC and shown in Korea's time, as users read them."""
    return value.astimezone(KST).strftime(fmt) if value is not None else ""


templates.env.filters["kst"] = kst
#: a fresh key per rendered form, so a double click or a re-sent form creates one application
templates.env.globals["new_key"] = lambda: uuid.uuid4().hex


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
        **context,
    }
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)
