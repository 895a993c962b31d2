"""Matching endpoints: recommendations and per-program checks for a firm, the quick check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from onestop.firms import services as firms
from onestop.matching import records
from onestop.platform.openapi import PROBLEM_RESPONSES
from onestop.platform.web import DB, CurrentActor, PathId, UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["matching"], responses=PROBLEM_RESPONSES, route_class=UnitOfWorkRoute)


class QuickIn(BaseModel):
    program_id: str
    answers: records.QuickAnswers
    date: dt.date | None = None


@router.get("/firms/{firm_id}/recommendations", response_model=dict[str, Any],
            summary="Eligible programs, near misses, packages, with every criterion explained")
async def recommendations(firm_id: PathId, request: Request, who: CurrentActor, db: DB,
                          date: dt.date | None = None) -> Response:
    """Async on purpose (see platform/web.get_db): after the first view the result comes from
    the result cache and the work is two indexed queries."""
    p = who.require()
    state = request.app.state.app
    rev, engine = state.engine(db)
    on = date or firms.reference_date(None)
    version = p.firm_versions.get(firm_id)
    if version is not None:  # a member: the firm's version came with the sign-in check
        cached = state.results.get_bytes((firm_id, version, rev, on))
        if cached is not None:
            return Response(cached, media_type="application/json")
    row = firms.get(db, p, firm_id)
    body = records.recommendations_json(db, rev, engine, row, on, p.user_id, state.results)
    return Response(body, media_type="application/json")


@router.get("/firms/{firm_id}/eligibility/{program_id}", response_model=dict[str, Any],
            summary="One program, every criterion, for one firm")
def eligibility(firm_id: PathId, program_id: str, request: Request, who: CurrentActor, db: DB,
                date: dt.date | None = None) -> dict[str, Any]:
    p = who.require()
    row = firms.get(db, p, firm_id)
    rev, engine = request.app.state.app.engine(db)
    return records.check_program(db, rev, engine, row, program_id, date or firms.reference_date(None),
                                 p.user_id)


@router.get("/firms/{firm_id}/size", response_model=dict[str, Any], summary="SME size class of a firm")
def size(firm_id: PathId, who: CurrentActor, db: DB, date: dt.date | None = None) -> dict[str, Any]:
    row = firms.get(db, who.require(), firm_id)
    return records.classify_firm(row, date or firms.reference_date(None))


@router.post("/eligibility/quick", response_model=dict[str, Any],
             summary="Anonymous check of one program from a few answers; the rest stays unknown")
def quick(body: QuickIn, request: Request, db: DB) -> dict[str, Any]:
    _, engine = request.app.state.app.engine(db)
    return records.quick_check(engine.catalog, body.program_id, body.answers,
                               body.date or firms.reference_date(None))
