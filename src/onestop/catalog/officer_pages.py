"""Officer pages: the agency's programs, the editor (YAML, checked like the loader), and a
live preview of how many registered firms would qualify."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from onestop.catalog import services
from onestop.catalog.tables import ProgramRow
from onestop.errors import DomainError
from onestop.matching.records import preview
from onestop.platform.pages import error_page, login_redirect, problems_of, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, Actor, CurrentActor, PostedForm, UnitOfWorkRoute

router = APIRouter(prefix="/officer", route_class=UnitOfWorkRoute)

TEMPLATE = {
    "id": "new-program-id",
    "name": {"ko": "사업명", "en": "Program name"},
    "agency": "",
    "category": "regional",
    "support_type": "loan",
    "summary": {"ko": "사업 요약", "en": "Summary"},
    "application_window": {"always_open": True},
    "eligibility": {"all": [{"fact": "is_sme", "op": "==", "value": True}]},
    "source": {"title": "공고문 제목", "publisher": "기관", "date": date.today().isoformat()},
}


def _officer(request: Request, who: Actor) -> Response | None:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return error_page(request, who, DomainError(code="forbidden", ko="기관 담당자 전용 페이지입니다.",
                                                    en="This page is for agency officers."))
    return None


def _dump(spec: dict[str, Any]) -> str:
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=100)


def _parse(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" ({mark.line + 1}행 {mark.column + 1}열)" if mark else ""
        where_en = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise DomainError(code="yaml", field="spec", ko=f"YAML 형식이 올바르지 않습니다{where}.",
                          en=f"The YAML is not valid{where_en}.") from None


@router.get("/programs")
def programs(request: Request, who: CurrentActor, db: DB) -> Response:
    denied = _officer(request, who)
    if denied:
        return denied
    assert who.principal is not None
    q = select(ProgramRow).order_by(ProgramRow.id)
    if who.principal.agency_id and who.principal.role.value != "admin":
        q = q.where(ProgramRow.agency_id == who.principal.agency_id)
    rows = list(db.scalars(q))
    _, engine = request.app.state.app.engine(db)
    names = {p.id: p.spec.name for p in engine.programs}
    return render(request, who, "officer/list.html", rows=rows, names=names, unread=unread(db, who))


@router.get("/programs/new")
def new(request: Request, who: CurrentActor, db: DB) -> Response:
    denied = _officer(request, who)
    if denied:
        return denied
    assert who.principal is not None
    spec = dict(TEMPLATE, agency=who.principal.agency_id or "")
    return render(request, who, "officer/edit.html", program_id=None, text=_dump(spec), note="", errors=[],
                  unread=unread(db, who))


@router.get("/programs/{program_id}/edit")
def edit(program_id: str, request: Request, who: CurrentActor, db: DB) -> Response:
    denied = _officer(request, who)
    if denied:
        return denied
    assert who.principal is not None
    found = services.current_spec(db, program_id)
    if found is None:
        return error_page(request, who, DomainError(code="not_found", ko="사업을 찾을 수 없습니다.",
                                                    en="Program not found."))
    row, version = found
    if not who.principal.can_edit_program(row.agency_id):
        return error_page(request, who, DomainError(code="forbidden", ko="소속 기관의 사업만 수정할 수 있습니다.",
                                                    en="You can edit only your own agency's programs."))
    return render(request, who, "officer/edit.html", program_id=program_id, text=_dump(version.spec), note="",
                  errors=[], version=version.version, unread=unread(db, who))


@router.post("/programs/save")
def save(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    denied = _officer(request, who)
    if denied:
        return denied
    assert who.principal is not None
    text = str(form.get("spec") or "")
    note = str(form.get("note") or "")
    program_id = str(form.get("program_id") or "") or None
    try:
        services.save_program(db, who.principal, _parse(text), note, program_id=program_id)
        state = request.app.state.app
        state.engines.invalidate()
        _, engine, index = state.index(db)
        from onestop.alerts import services as alerts

        alerts.notify_new_matches(db, engine.catalog, index, state.settings)
    except DomainError as e:
        db.rollback()
        return render(request, who, "officer/edit.html", status_code=403 if e.code == "forbidden" else 422,
                      program_id=program_id, text=text, note=note, errors=problems_of(e), unread=0)
    raw = _parse(text)
    target = program_id or (raw.get("id") if isinstance(raw, dict) else "")
    return RedirectResponse(f"/programs/{target}/history", status_code=303)


@router.post("/preview")
def preview_page(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    denied = _officer(request, who)
    if denied:
        return denied
    try:
        raw = _parse(str(form.get("spec") or ""))
        program = services.validate_program(db, raw, "programs/draft.yaml")
        counts = preview(request.app.state.app.registry.frame(db, date.today()), program)
    except DomainError as e:
        return render(request, who, "officer/_preview.html", status_code=422, counts=None, errors=problems_of(e))
    return render(request, who, "officer/_preview.html", counts=counts, errors=[])
