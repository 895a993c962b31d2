"""Catalog endpoints: search, detail, change history, officers' edits and preview, and the
reference tables (agencies, KSIC lookup, regions)."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from onestop.alerts import services as alerts
from onestop.catalog import services
from onestop.catalog.model import Category, Program, SupportType
from onestop.catalog.queries import SearchQuery, search
from onestop.catalog.windows import now_kst, window_state
from onestop.errors import DomainError
from onestop.firms.services import reference_date
from onestop.korea import ksic, regions
from onestop.matching.records import preview
from onestop.platform.openapi import PROBLEM_RESPONSES
from onestop.platform.web import DB, CurrentActor, UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["catalog"], responses=PROBLEM_RESPONSES, route_class=UnitOfWorkRoute)

NOT_FOUND = DomainError(code="not_found", ko="사업을 찾을 수 없습니다.", en="Program not found.")


class ProgramSummary(BaseModel):
    id: str
    name_ko: str
    name_en: str
    agency: str
    category: str
    support_type: str
    closes: dt.date | None
    always_open: bool
    #: where the window stands now (catalog/windows.py): always, open, upcoming, closed, unconfirmed
    #: (a recruitment round whose closing date is to be checked in the notice) or by_notice
    window_phase: str
    score: float


class ProgramPage(BaseModel):
    total: int
    catalog_revision: int
    items: list[ProgramSummary]


class ProgramDetail(BaseModel):
    id: str
    version: int
    catalog_revision: int
    spec: dict[str, Any]


class VersionOut(BaseModel):
    version: int
    note: str
    created_by: int | None
    created_at: datetime
    changed: list[str]


class ProgramIn(BaseModel):
    spec: dict[str, Any]
    note: str = Field(default="", max_length=2000, description="the reason for the change (required, at most 500 "
                      "characters after trimming; kept in the program's history)")


class SavedOut(BaseModel):
    id: str
    version: int
    changed: bool
    catalog_revision: int


class PreviewIn(BaseModel):
    spec: dict[str, Any]
    date: dt.date | None = None


class PreviewOut(BaseModel):
    total: int
    met: int
    unknown: int
    not_met: int


class AgencyOut(BaseModel):
    id: str
    name_ko: str
    name_en: str


class CodeOut(BaseModel):
    code: str
    level: str
    name_ko: str
    name_en: str | None = Field(None, description="The publisher's English name (Statistics Korea's KSIC-11 "
                                                 "title or English 시군구 name); null where none is published")


def summary(p: Program, score: float = 0.0) -> ProgramSummary:
    w = p.spec.application_window
    return ProgramSummary(id=p.id, name_ko=p.spec.name.ko, name_en=p.spec.name.en, agency=p.spec.agency,
                          category=p.spec.category.value, support_type=p.spec.support_type.value,
                          closes=w.closes, always_open=w.always_open,
                          window_phase=window_state(w, now_kst()).phase, score=round(score, 4))


@router.get("/programs", response_model=ProgramPage, summary="Search programs")
async def list_programs(
    request: Request, db: DB,
    q: Annotated[str, Query(max_length=200, description="Korean or English keywords")] = "",
    category: Category | None = None,
    agency: Annotated[str | None, Query(max_length=60)] = None,
    region: Annotated[str | None, Query(max_length=10, description="시도 or 시군구 code")] = None,
    open_on: dt.date | None = None,
    support_type: SupportType | None = None,
    sort: Annotated[str, Query(pattern="^(relevance|deadline)$")] = "relevance",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100000)] = 0,
) -> Response:
    """Async, with results cached per catalog revision and query: popular searches repeat."""
    state = request.app.state.app
    rev, engine, index = state.index(db)
    key = (rev, q, category, agency, region, open_on, support_type, sort, limit, offset)
    body = state.searches.get(key)
    if body is None:
        query = SearchQuery(q=q, category=category, agency=agency, region=region, open_on=open_on,
                            support_type=support_type, sort=sort)
        hits = search(engine.catalog, index, query)
        page = ProgramPage(total=len(hits), catalog_revision=rev,
                           items=[summary(h.program, h.score) for h in hits[offset:offset + limit]])
        body = page.model_dump_json().encode()
        state.searches.put(key, body)
    return Response(body, media_type="application/json")


@router.get("/programs/{program_id}", response_model=ProgramDetail, summary="One program, current version")
def get_program(program_id: str, db: DB) -> ProgramDetail:
    found = services.current_spec(db, program_id)
    if found is None:
        raise NOT_FOUND
    row, version = found
    return ProgramDetail(id=row.id, version=version.version, catalog_revision=services.revision(db),
                         spec=version.spec)


@router.get("/programs/{program_id}/history", response_model=list[VersionOut], summary="Every version")
def program_history(program_id: str, db: DB) -> list[VersionOut]:
    rows = services.history_with_changes(db, program_id)
    if not rows:
        raise NOT_FOUND
    return [VersionOut(version=v.version, note=v.note, created_by=v.created_by, created_at=v.created_at,
                       changed=changed) for v, changed in rows]


def _after_change(request: Request, db: DB) -> int:
    state = request.app.state.app
    state.engines.invalidate()
    rev, engine, index = state.index(db)
    alerts.notify_new_matches(db, engine.catalog, index, state.settings)
    return int(rev)


@router.post("/programs", response_model=SavedOut, status_code=201, summary="Create a program (officer)")
def create_program(body: ProgramIn, request: Request, who: CurrentActor, db: DB) -> SavedOut:
    p = who.require()
    if not p.is_officer:
        raise DomainError(code="forbidden", ko="기관 담당자만 사업을 등록할 수 있습니다.",
                          en="Only agency officers can create programs.")
    version = services.save_program(db, p, body.spec, body.note)
    assert version is not None
    return SavedOut(id=version.program_id, version=version.version, changed=True,
                    catalog_revision=_after_change(request, db))


@router.put("/programs/{program_id}", response_model=SavedOut, summary="Edit a program: adds a version (officer)")
def update_program(program_id: str, body: ProgramIn, request: Request, who: CurrentActor, db: DB) -> SavedOut:
    p = who.require()
    if services.current_spec(db, program_id) is None:
        raise NOT_FOUND
    version = services.save_program(db, p, body.spec, body.note, program_id=program_id)
    if version is None:
        _row, current = services.current_spec(db, program_id)  # type: ignore[misc]
        return SavedOut(id=program_id, version=current.version, changed=False,
                        catalog_revision=services.revision(db))
    return SavedOut(id=program_id, version=version.version, changed=True,
                    catalog_revision=_after_change(request, db))


@router.post("/programs/preview", response_model=PreviewOut,
             summary="How many registered firms a draft program would admit (officer)")
def preview_program(body: PreviewIn, request: Request, who: CurrentActor, db: DB) -> PreviewOut:
    p = who.require()
    if not p.is_officer:
        raise DomainError(code="forbidden", ko="기관 담당자만 미리보기를 할 수 있습니다.",
                          en="Only agency officers can preview programs.")
    program = services.validate_program(db, body.spec, f"programs/{body.spec.get('id', 'draft')}.yaml")
    frame = request.app.state.app.registry.frame(db, body.date or reference_date(None))
    return PreviewOut(**preview(frame, program))


@router.get("/agencies", response_model=list[AgencyOut], summary="Agencies")
def agencies(request: Request, db: DB) -> list[AgencyOut]:
    _, engine = request.app.state.app.engine(db)
    return [AgencyOut(id=a.id, name_ko=a.name.ko, name_en=a.name.en) for a in engine.catalog.agencies.values()]


@router.get("/ksic", response_model=list[CodeOut], summary="Look up KSIC-11 codes by code, Korean or English title")
def ksic_lookup(q: Annotated[str, Query(min_length=1, max_length=50)],
                limit: Annotated[int, Query(ge=1, le=50)] = 20) -> list[CodeOut]:
    return [CodeOut(code=e.code, level=e.level, name_ko=e.name_ko, name_en=e.name_en) for e in ksic.search(q, limit)]


@router.get("/regions", response_model=list[CodeOut], summary="시도, or the 시군구 of one 시도")
def region_list(parent: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None) -> list[CodeOut]:
    if parent is None:
        return [CodeOut(code=r.code, level=r.level, name_ko=r.name_ko, name_en=regions.english_name(r.code))
                for r in regions.sido_list()]
    return [CodeOut(code=r.code, level=r.level, name_ko=r.name_ko, name_en=regions.english_name(r.code))
            for r in regions.table().values() if r.level == "sigungu" and r.code.startswith(parent)]

