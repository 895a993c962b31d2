"""Evaluation pages: a firm's statements (form with 억/만 display, XLSX template download and
upload), the model page (metrics, reliability curve, features) and the officers' fairness and
drift page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import FormData, UploadFile

from onestop.errors import DomainError
from onestop.evaluation import artifacts, ratios, services, xlsx
from onestop.evaluation.statements import LINES
from onestop.firms import services as firms
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, Actor, CurrentActor, PathId, PostedForm, UnitOfWorkRoute
from onestop.text import number_or_text

router = APIRouter(route_class=UnitOfWorkRoute)


def form_years(today: dt.date | None = None) -> list[int]:
    """The fiscal years the form offers: the last three closed ones, newest first."""
    year = (today or dt.date.today()).year - 1
    return [year, year - 1, year - 2]


def years_from_form(form: FormData, years: list[int]) -> list[dict[str, Any]]:
    """Fields `years.<year>.<line>` to statement dicts; a year whose every field is blank is left out."""
    out = []
    for year in years:
        raw = {line.key: form.get(f"years.{year}.{line.key}") for line in LINES}
        if all(not (isinstance(v, str) and v.strip()) for v in raw.values()):
            continue
        row: dict[str, Any] = {"year": year}
        for key, value in raw.items():
            row[key] = number_or_text(value) if isinstance(value, str) and value.strip() else None
        out.append(row)
    return out


def _page(request: Request, who: Actor, db: Any, firm: Any, *, values: dict[int, dict[str, Any]] | None = None,
          errors: list[dict[str, str]] | None = None, status_code: int = 200) -> Response:
    assert who.principal is not None
    latest = services.latest_statements(db, firm.id)
    years = form_years()
    if latest is not None:  # the saved years come first, so a correction edits them
        years = sorted({*years, *(int(y["year"]) for y in latest.years)}, reverse=True)[:3]
    if values is None:
        values = {int(y["year"]): y for y in (latest.years if latest else [])}
    computed = ratios.compute(services.parsed(latest)) if latest else {}
    return render(request, who, "evaluation/statements.html", status_code=status_code, errors=errors or [], firm=firm,
                  lines=LINES, years=years, values=values, latest=latest, ratios=ratios.RATIOS, computed=computed,
                  history=services.history(db, who.principal, firm.id), unread=unread(db, who))


@router.get("/firms/{firm_id}/statements")
def statements_page(firm_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        firm = firms.get(db, who.principal, firm_id)
    except DomainError as e:
        return error_page(request, who, e)
    return _page(request, who, db, firm)


@router.post("/firms/{firm_id}/statements")
def save_statements(form: PostedForm, firm_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        firm = firms.get(db, who.principal, firm_id)
    except DomainError as e:
        return error_page(request, who, e)
    years = sorted({int(y) for y in form.getlist("year") if isinstance(y, str) and y.isdigit()}, reverse=True)[:3]
    data = years_from_form(form, years or form_years())
    try:
        services.save_statements(db, who.principal, firm_id, {"years": data}, "form")
    except DomainError as e:  # nothing saved; what was typed is shown again, the saved version is untouched
        return _page(request, who, db, firm, values={int(y["year"]): y for y in data}, errors=problems_of(e),
                     status_code=422)
    return see_other(f"/firms/{firm_id}/statements", "flash.statements_saved")


@router.post("/firms/{firm_id}/statements/xlsx")
def upload_statements(form: PostedForm, firm_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        firm = firms.get(db, who.principal, firm_id)
    except DomainError as e:
        return error_page(request, who, e)
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise DomainError(code="file_required", field="file", ko="올릴 XLSX 파일을 고르세요.", en="Choose the XLSX file to upload.")
        data = upload.file.read(xlsx.MAX_BYTES + 1)
        services.save_statements(db, who.principal, firm_id, {"years": xlsx.read(data)}, "xlsx")
    except DomainError as e:  # nothing saved; the saved version stays
        return _page(request, who, db, firm, errors=problems_of(e), status_code=422)
    return see_other(f"/firms/{firm_id}/statements", "flash.statements_saved")


@router.get("/firms/{firm_id}/statements/template.xlsx")
def template_for(firm_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    """The template filled with the firm's latest statements (or blank)."""
    if who.principal is None:
        return login_redirect(request)
    try:
        firms.get(db, who.principal, firm_id)
    except DomainError as e:
        return error_page(request, who, e)
    latest = services.latest_statements(db, firm_id)
    years = sorted({*form_years(), *(int(y["year"]) for y in (latest.years if latest else []))}, reverse=True)[:3]
    return Response(xlsx.template(years, latest.years if latest else None),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=\"statements.xlsx\""})


@router.get("/evaluation/model")
def model_page(request: Request, who: CurrentActor, db: DB) -> Response:
    try:
        model = artifacts.load()
    except DomainError as e:
        return error_page(request, who, e)
    return render(request, who, "evaluation/model.html", card=model.card, unread=unread(db, who))


@router.get("/evaluation/model/reliability.png")
def reliability_png() -> Response:
    model = artifacts.load()
    return FileResponse(model.directory / "reliability.png", media_type="image/png")


@router.get("/evaluation/monitoring")
def monitoring_page(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        data = services.monitoring(db, who.principal)
    except DomainError as e:
        return error_page(request, who, e)
    return render(request, who, "evaluation/monitoring.html", m=data, dimensions=services.DIMENSIONS, unread=unread(db, who))
