"""Officer pages: the agency's programs, the editor (YAML, checked like the loader), and a
live preview of how many registered firms would qualify."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from onestop.catalog import services
from onestop.catalog.tables import ProgramRow
from onestop.errors import DomainError
from onestop.matching.records import preview
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
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


def yaml_position(text: str, path: str) -> tuple[int, int] | None:
    """Line and column (1-based) in `text` of the node a loader problem names, e.g.
    ``eligibility.all[2].value`` or ``limits.amount``; None when the path is not found."""
    import re

    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    steps: list[str | int] = []
    for part in path.split("."):
        m = re.fullmatch(r"([^\[\]]*)((?:\[\d+\])*)", part)
        if not m:
            return None
        if m.group(1):
            steps.append(m.group(1))
        steps += [int(i) for i in re.findall(r"\[(\d+)\]", m.group(2))]
    found = node
    for step in steps:
        if isinstance(step, str) and isinstance(found, yaml.MappingNode):
            nxt = next((v for k, v in found.value if getattr(k, "value", None) == step), None)
        elif isinstance(step, int) and isinstance(found, yaml.SequenceNode) and step < len(found.value):
            nxt = found.value[step]
        else:
            nxt = None
        if nxt is None:
            break
        found = nxt
    if found is None or found is node:
        return None
    return found.start_mark.line + 1, found.start_mark.column + 1


def _located(text: str, problems: list[dict[str, str]]) -> list[dict[str, str]]:
    """The loader's problems with the line and column in the editor where each one is."""
    out = []
    for p in problems:
        field = p.get("field") or ""
        path = field.split(":", 1)[1] if ":" in field else ""
        where = yaml_position(text, path) if path else None
        # the loader names the file and the path inside it; in the editor, the line and column say it
        ko, en = (m.split(": ", 1)[1] if where and m.startswith("programs/") and ": " in m else m
                  for m in (p["ko"], p["en"]))
        if where:
            p = {**p, "ko": f"{where[0]}행 {where[1]}열: {ko}", "en": f"Line {where[0]}, column {where[1]}: {en}"}
        if field not in ("note",):
            p = {**p, "field": "spec"}
        out.append(p)
    return out


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
    programs = {p.id: p for p in engine.programs}
    agency = engine.catalog.agencies.get(who.principal.agency_id or "")
    return render(request, who, "officer/list.html", rows=rows, programs=programs, agency=agency,
                  unread=unread(db, who))


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
    note = str(form.get("note") or "").strip()
    program_id = str(form.get("program_id") or "") or None
    try:
        services.check_note(note)
        with db.begin_nested():
            saved = services.save_program(db, who.principal, _parse(text), note, program_id=program_id)
        if saved is None:
            raise DomainError(code="unchanged", field="spec", ko="바뀐 내용이 없어 새 판을 만들지 않았습니다.",
                              en="Nothing changed, so no new version was saved.")
        state = request.app.state.app
        state.engines.invalidate()
        _, engine, index = state.index(db)
        from onestop.alerts import services as alerts

        alerts.notify_new_matches(db, engine.catalog, index, state.settings)
    except DomainError as e:
        return render(request, who, "officer/edit.html", status_code=403 if e.code == "forbidden" else 422,
                      program_id=program_id, text=text, note=note, errors=_located(text, problems_of(e)),
                      unread=unread(db, who))
    raw = _parse(text)
    target = program_id or (raw.get("id") if isinstance(raw, dict) else "")
    return see_other(f"/programs/{target}/history", "flash.program_saved")


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
        text = str(form.get("spec") or "")
        return render(request, who, "officer/_preview.html", status_code=422, counts=None,
                      errors=_located(text, problems_of(e)))
    return render(request, who, "officer/_preview.html", counts=counts, errors=[])
