"""Server-rendered pages: shared helpers and the router that gathers every feature's pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from onestop.errors import DomainError
from onestop.platform.i18n import t
from onestop.platform.templating import render
from onestop.platform.web import LANG_COOKIE, Actor, CurrentActor, UnitOfWorkRoute


def see_other(url: str, flash: str | None = None) -> RedirectResponse:
    """Post/redirect/get: every successful form answers with a redirect to the page that shows
    the result; `flash` (a message key, "flash.…") is shown once on that page."""
    from onestop.platform.templating import FLASH_COOKIE

    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(FLASH_COOKIE, flash, max_age=120, httponly=True, samesite="lax")
    return response


def login_redirect(request: Request) -> RedirectResponse:
    """To the sign-in page and back here afterwards; a page asked for in English (`?lang=en`)
    leads to the sign-in page in English too."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    lang = request.query_params.get("lang")
    return RedirectResponse(f"/login?next={quote(target)}" + ("&lang=en" if lang == "en" else ""), status_code=303)


def error_page(request: Request, actor: Actor, err: DomainError) -> HTMLResponse:
    from onestop.platform.problems import STATUS, back_link

    status = STATUS.get(err.code, 422)
    title = t("error.not_found", actor.lang) if status == 404 else (
        t("error.forbidden", actor.lang) if status == 403 else t("error.title", actor.lang))
    return render(request, actor, "error.html", status_code=status, title=title,
                  message=err.ko if actor.lang == "ko" else err.en, error_status=status, back=back_link(request))


def problems_of(err: DomainError) -> list[dict[str, str]]:
    if err.problems:
        return [p.as_dict() for p in err.problems]
    return [{"field": err.field or "", "code": err.code, "ko": err.ko, "en": err.en}]


def unread(db: Any, actor: Actor) -> int:
    if actor.principal is None:
        return 0
    from onestop.alerts.tables import NotificationRow

    return db.scalar(select(func.count()).select_from(NotificationRow).where(
        NotificationRow.user_id == actor.principal.user_id, NotificationRow.read_at.is_(None))) or 0


router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@router.get("/lang")
def switch_language(to: str = "ko", next: str = "/") -> Response:
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(LANG_COOKIE, "en" if to == "en" else "ko", max_age=365 * 86400, samesite="lax")
    return response


#: help pages rendered from the repository's documentation (shipped in the package as
#: data/help/, links to docs/), so pages link to help rather than name a file path
HELP = {
    "rules": ("rules-and-catalog.md", ("사업 정의와 규칙 언어 안내", "The program format and the rules language")),
    "lifecycle": ("applications-lifecycle.md", ("신청 처리 단계 안내", "The application lifecycle")),
}


@router.get("/help/{name}")
def help_page(name: str, request: Request, who: CurrentActor) -> Response:
    if name not in HELP:
        return error_page(request, who, DomainError(code="not_found", ko="도움말을 찾을 수 없습니다.",
                                                    en="Help page not found."))
    filename, titles = HELP[name]
    return render(request, who, "help.html", title=titles[0 if who.lang == "ko" else 1], body=_help_html(filename))


def _help_html(filename: str) -> str:
    from markdown_it import MarkdownIt
    from markupsafe import Markup

    from onestop.korea._data import data_path

    text = data_path("help", filename).read_text(encoding="utf-8")
    return Markup(MarkdownIt("commonmark", {"html": False}).enable("table").render(text))


def _include() -> None:
    from onestop.accounts.pages import router as accounts_pages
    from onestop.advisory.pages import router as advisory_pages
    from onestop.alerts.pages import router as alerts_pages
    from onestop.applications.consultation_pages import router as consultation_pages
    from onestop.applications.pages import router as application_pages
    from onestop.catalog.officer_pages import router as officer_pages
    from onestop.catalog.pages import router as catalog_pages
    from onestop.evaluation.committee_pages import router as committee_pages
    from onestop.evaluation.pages import router as evaluation_pages
    from onestop.exports.pages import router as exports_pages
    from onestop.firms.pages import router as firms_pages
    from onestop.funds.pages import router as funds_pages
    from onestop.jobs.pages import router as jobs_pages
    from onestop.marketplace.pages import router as marketplace_pages
    from onestop.outcomes.pages import router as outcomes_pages

    for r in (accounts_pages, catalog_pages, firms_pages, alerts_pages, officer_pages, application_pages,
              consultation_pages, evaluation_pages, committee_pages, funds_pages, outcomes_pages, jobs_pages,
              advisory_pages, exports_pages, marketplace_pages):
        router.include_router(r)


_include()
