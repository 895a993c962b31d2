"""Saved searches and notifications pages."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from onestop.alerts import services
from onestop.catalog.queries import SearchQuery
from onestop.errors import DomainError
from onestop.firms.model import problems_from
from onestop.platform.pages import error_page, login_redirect, see_other, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, CurrentActor, PathId, PostedForm, UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute)


@router.get("/saved")
def saved(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    _, engine = request.app.state.app.engine(db)
    agencies = {a.id: a.name for a in engine.catalog.agencies.values()}
    return render(request, who, "alerts/saved.html", rows=services.mine(db, who.principal), agencies=agencies,
                  unread=unread(db, who))


@router.post("/saved")
def save(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    qs = form.get("query_string")
    raw = {k: v for k, v in parse_qsl(qs if isinstance(qs, str) else "") if v and k in SearchQuery.model_fields}
    name = form.get("name")
    try:
        query = SearchQuery.model_validate(raw)
        _, engine, index = request.app.state.app.index(db)
        services.save(db, who.principal, engine.catalog, index, name if isinstance(name, str) else "", query,
                      email=form.get("email") == "1")
    except ValidationError as exc:
        problem = problems_from(exc)[0]
        return error_page(request, who, DomainError(code="invalid", ko=problem.ko, en=problem.en))
    except DomainError as e:
        return error_page(request, who, e)
    return see_other("/saved", "flash.search_saved")


@router.post("/saved/{search_id}/delete")
def delete(search_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        services.delete(db, who.principal, search_id)
    except DomainError as e:
        return error_page(request, who, e)
    return see_other("/saved", "flash.search_deleted")


@router.get("/notifications")
def notifications(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    rows = services.notifications(db, who.principal)
    page = render(request, who, "alerts/notifications.html", rows=rows, unread=0)
    services.mark_read(db, who.principal)
    return page
