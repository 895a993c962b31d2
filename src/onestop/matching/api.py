"""Matching endpoints: recommendations and per-program checks for a firm, the quick check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal
from onestop.errors import DomainError
from onestop.firms import services as firms
from onestop.matching import recorder, records
from onestop.matching.services import Page
from onestop.platform.compress import encode, negotiate
from onestop.platform.openapi import PROBLEM_RESPONSES
from onestop.platform.state import AppState
from onestop.platform.web import DB, CurrentActor, PathId, UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["matching"], responses=PROBLEM_RESPONSES, route_class=UnitOfWorkRoute)


class QuickIn(BaseModel):
    program_id: str
    answers: records.QuickAnswers
    date: dt.date | None = None


@router.get("/firms/{firm_id}/recommendations", response_model=dict[str, Any],
            summary="Recommendations: one page of programs with their decisive reasons (compact), or every "
                    "criterion of every program (explain=full)")
async def recommendations(firm_id: PathId, request: Request, who: CurrentActor, db: DB,
                          date: dt.date | None = None, explain: str = "compact", status: str | None = None,
                          category: str | None = None, page: int = 1, per_page: int = 20) -> Response:
    """Compact by default: a page (`page`, `per_page` up to 100) of programs, eligible first, then
    near misses, then those that need information (`status`, `category` filter them), each with
    its amount, rate, window and at most three decisive reasons; totals per status and category
    cover the whole catalog. `explain=full` gives every program with every criterion (as
    `onestop match --json`); one program's criteria are at `/eligibility/{program_id}`.

    Async on purpose (see platform/web.get_db): after the first view the result comes from
    the result cache and the work is two indexed queries."""
    p = who.require()
    if explain not in ("compact", "full"):
        raise DomainError(code="explain", field="explain", ko="explain은 compact(요약) 또는 full(전체 설명)이어야 합니다.",
                          en="explain must be compact or full.")
    shown = None if explain == "full" else Page(status=status or None, category=category or None, number=page,
                                                  size=per_page)
    coding = negotiate(request.headers.get("accept-encoding", ""))
    state = request.app.state.app
    on = date or firms.reference_date(None)
    version = p.firm_versions.get(firm_id)
    if version is not None:  # the fast lane may be recording this decision: take it from the cache after
        await state.results.settled((firm_id, version, on))
    body = answer(db, state, p, firm_id, on, shown, coding)
    return _json(body, coding)


def answer(db: Session, state: AppState, p: Principal, firm_id: int, on: dt.date, shown: Page | None,
           coding: str | None) -> bytes:
    """The recommendations' JSON for `firm_id` on `on` (`shown` None: the full form), compressed
    with `coding` ("br", "gzip" or None), as bytes: from the result cache when this firm version,
    catalog revision, date and page were answered before, else computed and recorded
    (`records.compact_json` / `records.recommendations_json`). Shared by the route and the fast
    lane (`matching.lane`), so both give the same bytes. Raises DomainError (not_found) for a firm
    `p` may not read."""
    rev, engine = state.engine(db)
    version = p.firm_versions.get(firm_id)
    known = None
    if version is not None:  # a member: the firm's version came with the sign-in check
        key = (firm_id, version, rev, on) if shown is None else records.compact_key(firm_id, version, rev, on, shown)
        cached = state.results.get_bytes(key if coding is None else (*key, coding))
        if cached is not None:
            return cached
        known = records.known_firm(state.results, firm_id, version)  # its profile at that version, parsed already
    row = known or firms.get(db, p, firm_id)
    if shown is None:
        key = (row.id, row.version, rev, on)
        body = records.recommendations_json(db, rev, engine, row, on, p.user_id, state.results)
    else:
        key = records.compact_key(row.id, row.version, rev, on, shown)
        body = records.compact_json(db, rev, engine, row, on, p.user_id, state.results, shown)
    if coding is not None:  # compressed once per distinct result, as the JSON is serialised once
        body = encode(body, coding)
        recorder.after_record(lambda: state.results.put_bytes((*key, coding), body))  # once the match is recorded
    return body


def _json(body: bytes, coding: str | None) -> Response:
    if coding is None:
        return Response(body, media_type="application/json")
    return Response(body, media_type="application/json", headers={"content-encoding": coding, "vary": "Accept-Encoding"})


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
