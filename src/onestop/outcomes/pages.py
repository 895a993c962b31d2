"""Outcome pages. Firms: their outcome reports and the form (errors next to the field, nothing
saved lost). Officers: reviewing a report; the outcomes dashboard (charts with their data as
tables, filters in the URL, drill-down to the firms). Everyone: public statistics with
small-cell suppression, and the same figures as CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from onestop.accounts.model import ROLE_NAMES
from onestop.errors import DomainError
from onestop.korea import regions
from onestop.korea.dates import KST
from onestop.outcomes import dashboard, kpi, services
from onestop.outcomes.model import MEASURES, Kind
from onestop.outcomes.suppression import THRESHOLD
from onestop.platform.db import utcnow
from onestop.platform.display import Show
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, CurrentActor, PathId, PostedForm, UnitOfWorkRoute
from onestop.rules.facts import CERTIFICATIONS

router = APIRouter(route_class=UnitOfWorkRoute)
STATE_NAMES = {"due": ("제출 대기", "Due"), "submitted": ("검토 중", "Under review"),
               "accepted": ("승인", "Accepted"), "returned": ("반려(보완 요청)", "Returned for correction")}


def _today() -> date:
    return utcnow().astimezone(KST).date()


def _program_names(request: Request, db: Session) -> dict[str, tuple[str, str]]:
    _, engine = request.app.state.app.engine(db)
    return {p.id: (p.spec.name.ko, p.spec.name.en) for p in engine.catalog}


def _not_found(request: Request, who: CurrentActor) -> Response:
    return error_page(request, who, DomainError(code="not_found", ko="페이지를 찾을 수 없습니다.", en="Page not found."))


@router.get("/outcomes/reports")
def my_reports(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    rows = [r for firm_id in sorted(who.principal.firms) for r in services.reports_of_firm(db, who.principal, firm_id)]
    return render(request, who, "outcomes/reports.html", rows=rows, states=STATE_NAMES,
                  names=_program_names(request, db), unread=unread(db, who))


def _report_page(request: Request, who: CurrentActor, db: Session, report_id: int,
                 errors: list[dict[str, str]] | None = None, form: dict[str, str] | None = None,
                 confirmed: list[str] | None = None, status: int = 200) -> Response:
    assert who.principal is not None
    p = who.principal
    try:
        row = services.get_for_firm(db, p, report_id) if not p.is_officer else services.get_for_officer(db, p, report_id)
    except DomainError:
        return _not_found(request, who)
    plan = services.plan_of(db, row.program_id)
    values = form if form is not None else {k: "" if v is None else (f"{v:,}" if isinstance(v, int) else str(v))
                                            for k, v in row.values.items()}
    if "as_of" not in values:
        values["as_of"] = row.as_of.isoformat() if row.as_of else ""
    return render(request, who, "outcomes/report.html", status_code=status, row=row, plan=plan, measures=MEASURES,
                  kinds=Kind, values=values, confirmed=confirmed if confirmed is not None else row.confirmed,
                  states=STATE_NAMES, names=_program_names(request, db), certifications=CERTIFICATIONS,
                  officer=p.is_officer, errors=errors or [], today=_today(), history=services.history(db, row),
                  roles=ROLE_NAMES, unread=unread(db, who))


@router.get("/outcomes/reports/{report_id}")
def report_page(report_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return _report_page(request, who, db, report_id)


@router.post("/outcomes/reports/{report_id}")
def submit_report(report_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    raw = {k: str(v) for k, v in form.items() if isinstance(v, str) and k not in ("csrf_token", "confirm", "version")}
    confirmed = [str(v) for v in form.getlist("confirm")]
    version = str(form.get("version") or "")
    try:
        with db.begin_nested():
            services.submit(db, who.principal, report_id, raw, confirmed,
                            int(version) if version.isdigit() else None)
    except DomainError as e:
        return _report_page(request, who, db, report_id, errors=problems_of(e), form=raw, confirmed=confirmed,
                            status=422)
    return see_other(f"/outcomes/reports/{report_id}", "flash.action_done")


@router.post("/outcomes/reports/{report_id}/review")
def review_report(report_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    version = str(form.get("version") or "")
    try:
        with db.begin_nested():
            services.review(db, who.principal, report_id, str(form.get("decision")) == "accept",
                            str(form.get("note") or ""), int(version) if version.isdigit() else None)
    except DomainError as e:
        return _report_page(request, who, db, report_id, errors=problems_of(e), status=422)
    return see_other(f"/outcomes/reports/{report_id}", "flash.action_done")


@router.get("/officer/outcomes")
def officer_dashboard(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return _not_found(request, who)
    q = request.query_params
    names = _program_names(request, db)
    errors: list[dict[str, str]] = []
    try:
        f = dashboard.check_filters(q.get("year", ""), q.get("program", ""), q.get("sido", ""), _today())
    except DomainError as e:
        errors, f = problems_of(e), dashboard.Filters(_today().year)
    agency = dashboard.visible_agency(who.principal)
    figures = dashboard.figures(db, f, agency)
    charts = {dim: [(key, n, dashboard.group_name(dim, key, names)) for key, n in figures.by[dim]]
              for dim in dashboard.DIMENSIONS}
    drill_dim, drill_value = q.get("dim", ""), q.get("value", "")
    drill, drill_total = dashboard.drill(db, f, drill_dim, drill_value, agency)
    queue, queue_total = services.review_queue_page(db, who.principal)
    return render(request, who, "outcomes/dashboard.html", f=f, charts=charts, dims=dashboard.DIMENSIONS,
                  total=figures.total, drill=drill, drill_total=drill_total, drill_dim=drill_dim,
                  drill_value=drill_value, drill_name=dashboard.group_name(drill_dim, drill_value, names),
                  names=names, queue=queue, queue_total=queue_total, errors=errors, sidos=regions.sido_list(),
                  query=dict(q), unread=unread(db, who))


@router.get("/officer/outcomes/quarterly")
def quarterly_report(request: Request, who: CurrentActor, db: DB) -> Response:
    """An agency's quarterly report; `format=xlsx|pdf` downloads it. Officers see their own
    agency's (another agency's is "not found"); administrators choose the agency."""
    from onestop.outcomes import quarterly

    if who.principal is None:
        return login_redirect(request)
    p = who.principal
    if not p.is_officer:
        return _not_found(request, who)
    _, engine = request.app.state.app.engine(db)
    agencies = {a.id: (a.name.ko, a.name.en) for a in engine.catalog.agencies.values()}
    own = dashboard.visible_agency(p)
    q = request.query_params
    agency = q.get("agency", "") or own or min(agencies)
    if agency not in agencies or (own is not None and agency != own):
        return _not_found(request, who)
    today = _today()
    default_q = (today.month - 1) // 3 + 1
    errors: list[dict[str, str]] = []
    try:
        year, quarter = quarterly.check_quarter(q.get("year", "") or str(today.year), q.get("quarter", "") or str(default_q),
                                                today)
    except DomainError as e:
        errors, (year, quarter) = problems_of(e), (today.year, default_q)
    report = quarterly.build(db, engine.catalog, agency, year, quarter, today)
    fmt = q.get("format", "")
    if fmt in ("xlsx", "pdf") and not errors:
        media = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}
        name = f"onestop-{agency}-{year}-Q{quarter}.{fmt}"
        return Response(quarterly.render(report, fmt), media_type=media[fmt],
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    shown = [code for code, v in report.by_sido if v]
    labels = [Show(who.lang).sido(code) for code in shown]
    return render(request, who, "outcomes/quarterly.html", r=report, agencies=agencies, choose=own is None,
                  errors=errors, threshold=THRESHOLD, names=_program_names(request, db), sido_labels=labels,
                  measure_name=kpi.measure_name, unit_name=kpi.unit_name, unread=unread(db, who))


def _public(request: Request, db: Session) -> tuple[int, list[dict[str, Any]], Any]:
    today = _today()
    try:
        f = dashboard.check_filters(request.query_params.get("year", ""), "", "", today)
    except DomainError:
        f = dashboard.Filters(today.year)
    counts = dashboard.public_counts(db, f.year)
    return f.year, dashboard.public_records(counts, f.year), dashboard.public_table(counts)


@router.get("/statistics")
def statistics(request: Request, who: CurrentActor, db: DB) -> Response:
    year, _, (sidos, sizes, table) = _public(request, db)
    return render(request, who, "outcomes/statistics.html", year=year, sidos=sidos, sizes=sizes,
                  published=table.published(), threshold=THRESHOLD, group_name=dashboard.group_name,
                  unread=unread(db, who))


@router.get("/statistics.json")
def statistics_json(request: Request, db: DB) -> Response:
    year, records, _ = _public(request, db)
    body = {"year": year, "unit": "firms", "suppressed_below": THRESHOLD,
            "note": "null = suppressed (fewer than 5 firms, or would reveal such a cell)", "records": records}
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="onestop-statistics-{year}.json"'})


@router.get("/statistics.csv")
def statistics_csv(request: Request, db: DB) -> Response:
    year, records, _ = _public(request, db)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["year", "sido", "sido_name", "size_class", "size_name", "firms"])
    for r in records:
        w.writerow([r["year"], r["sido"], r["sido_name"], r["size_class"], r["size_name"],
                    "x" if r["firms"] is None else r["firms"]])
    return Response("\ufeff" + buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="onestop-statistics-{year}.csv"'})


__all__ = ["router", "see_other"]


def _simulate_page(request: Request, who: CurrentActor, db: Session, form: dict[str, str],
                   result: dict[str, Any] | None = None, errors: list[dict[str, str]] | None = None,
                   status: int = 200) -> Response:
    names = _program_names(request, db)
    return render(request, who, "outcomes/simulate.html", status_code=status, form=form, result=result,
                  errors=errors or [], names=names, group_name=dashboard.group_name, unread=unread(db, who))


@router.get("/officer/simulate")
def simulate_form(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return _not_found(request, who)
    program = request.query_params.get("program", "")
    draft = ""
    if program:
        from onestop.outcomes.simulations import base_spec

        try:
            import yaml

            draft = yaml.safe_dump({"eligibility": base_spec(program, db).get("eligibility")}, allow_unicode=True,
                                   sort_keys=False)
        except DomainError:
            draft = ""
    return _simulate_page(request, who, db, {"program": program, "draft": draft, "amount": "", "take_up": "1"})


@router.post("/officer/simulate")
def simulate_run(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return _not_found(request, who)
    from onestop.outcomes import simulations

    given = {k: str(form.get(k) or "") for k in ("program", "draft", "amount", "take_up", "format")}
    try:
        amount_raw = given["amount"].replace(",", "").strip()
        if amount_raw and not amount_raw.isdigit():
            raise DomainError(code="invalid", field="amount", ko="기업당 예상 지원액은 원 단위 숫자로 입력하세요.",
                              en="The expected amount per firm must be a whole number of won.")
        try:
            take_up = float(given["take_up"] or "1")
        except ValueError:
            take_up = -1.0
        if not 0.0 <= take_up <= 1.0:
            raise DomainError(code="invalid", field="take_up", ko="신청·지원 비율은 0과 1 사이로 입력하세요(예: 0.3).",
                              en="The take-up rate must be between 0 and 1 (e.g. 0.3).")
        _, engine = request.app.state.app.engine(db)
        if given["program"] not in engine.catalog.programs:
            raise DomainError(code="invalid", field="program", ko="사업을 고르세요.", en="Choose a program.")
        frame = request.app.state.app.registry.frame(db, _today())
        result = simulations.run(engine.catalog, given["program"], simulations.parse_draft(given["draft"]), frame,
                                 int(amount_raw) if amount_raw else None, take_up, db).as_dict()
    except DomainError as e:
        return _simulate_page(request, who, db, given, errors=problems_of(e), status=422)
    if given["format"] == "json":
        body = json.dumps({"program": given["program"], "population": "registered", **result}, ensure_ascii=False)
        return Response(body, media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="simulation-{given["program"]}.json"'})
    return _simulate_page(request, who, db, given, result=result)


@router.get("/officer/outcomes/effect")
def effect_page(request: Request, who: CurrentActor, db: DB) -> Response:
    """Officers: a program's supported firms against near misses and a matched group on the
    changes of revenue, regular employees and exports, each with its group sizes, method and
    caveats (`outcomes.effect`); `?program=` stays in the URL."""
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return _not_found(request, who)
    from onestop.catalog.services import build_catalog
    from onestop.outcomes.effect import MIN_GROUP
    from onestop.outcomes.effect_services import as_dict, measure, shown

    names = _program_names(request, db)
    program = request.query_params.get("program", "").strip()
    result: dict[str, Any] | None = None
    errors: list[dict[str, str]] = []
    status = 200
    if program:
        if program in names:
            result = as_dict(measure(db, build_catalog(db), program, _today()), program)
        else:
            errors = problems_of(DomainError(
                code="program_unknown", field="program", ko="목록에 있는 사업을 고르세요.",
                en="Choose a program from the list."))
            status = 422
    return render(request, who, "outcomes/effect.html", status_code=status, program=program, names=names,
                  result=result, errors=errors, shown=shown, min_group=MIN_GROUP, unread=unread(db, who))
