"""Saved searches and notifications."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from onestop.alerts import services
from onestop.catalog.queries import SearchQuery
from onestop.platform.openapi import PROBLEM_RESPONSES
from onestop.platform.web import DB, CurrentActor, PathId, UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["alerts"], responses=PROBLEM_RESPONSES, route_class=UnitOfWorkRoute)


class SavedIn(BaseModel):
    name: str = Field(default="", max_length=100)
    query: SearchQuery
    email: bool = False


class NotificationOut(BaseModel):
    id: int
    kind: str
    title_ko: str
    title_en: str
    link: str
    read: bool
    created_at: str


@router.get("/saved-searches", response_model=list[dict[str, Any]], summary="My saved searches")
def list_saved(who: CurrentActor, db: DB) -> list[dict[str, Any]]:
    return [services.as_dict(r) for r in services.mine(db, who.require())]


@router.post("/saved-searches", response_model=dict[str, Any], status_code=201, summary="Save a search")
def save(body: SavedIn, request: Request, who: CurrentActor, db: DB) -> dict[str, Any]:
    _, engine, index = request.app.state.app.index(db)
    row = services.save(db, who.require(), engine.catalog, index, body.name, body.query, body.email)
    return services.as_dict(row)


@router.delete("/saved-searches/{search_id}", status_code=204, summary="Delete a saved search")
def delete(search_id: PathId, who: CurrentActor, db: DB) -> Response:
    services.delete(db, who.require(), search_id)
    return Response(status_code=204)


@router.get("/notifications", response_model=list[NotificationOut], summary="My notifications")
def notifications(who: CurrentActor, db: DB) -> list[NotificationOut]:
    return [NotificationOut(id=n.id, kind=n.kind, title_ko=n.title_ko, title_en=n.title_en, link=n.link,
                            read=n.read_at is not None, created_at=n.created_at.isoformat())
            for n in services.notifications(db, who.require())]


@router.post("/notifications/read", status_code=204, summary="Mark all notifications read")
def read_all(who: CurrentActor, db: DB) -> Response:
    services.mark_read(db, who.require())
    return Response(status_code=204)
