"""Program search, detail with "우리 기업 자격 확인", the anonymous quick check, and history."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from onestop.catalog import services
from onestop.catalog.model import CATEGORY_NAMES, SUPPORT_NAMES, Category, SupportType
from onestop.catalog.queries import SearchQuery, search
from onestop.errors import DomainError
from onestop.firms import services as firms
from onestop.firms.model import APPLICANT_KIND_NAMES, BUSINESS_STATUS_NAMES, CERTIFICATION_NAMES, problems_from
from onestop.korea import regions
from onestop.matching import records
from onestop.platform.pages import error_page, problems_of, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, MAX_ID, CurrentActor, PostedForm, UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute)



def _query(request: Request) -> tuple[SearchQuery, list[dict[str, str]]]:
    raw = {k: v for k, v in request.query_params.items() if v and k in SearchQuery.model_fields}
    try:
        return SearchQuery.model_validate(raw), []
    except ValidationError as exc:
        return SearchQuery(), [p.as_dict() for p in problems_from(exc)]


def _filters(engine: Any) -> dict[str, Any]:
    return {
        "categories": [(c.value, CATEGORY_NAMES[c.value]) for c in Category],
        "support_types": [(s.value, SUPPORT_NAMES[s.value]) for s in SupportType],
        "agencies": sorted(engine.catalog.agencies.values(), key=lambda a: a.name.ko),
        "sidos": regions.sido_list(),
    }


@router.get("/")
def home(request: Request, who: CurrentActor, db: DB) -> Response:
    _, engine = request.app.state.app.engine(db)
    return render(request, who, "catalog/home.html", unread=unread(db, who), query=SearchQuery(),
                  count=len(engine.catalog), **_filters(engine))


@router.get("/programs")
def search_page(request: Request, who: CurrentActor, db: DB) -> Response:
    _rev, engine, index = request.app.state.app.index(db)
    query, errors = _query(request)
    try:
        hits = search(engine.catalog, index, query) if not errors else []
    except DomainError as e:
        hits, errors = [], problems_of(e)
    return render(request, who, "catalog/search.html", status_code=422 if errors else 200, errors=errors,
                  query=query, hits=hits, unread=unread(db, who), category_names=CATEGORY_NAMES,
                  support_names=SUPPORT_NAMES, query_string=str(request.url.query), **_filters(engine))


@router.get("/programs/{program_id}")
def detail(program_id: str, request: Request, who: CurrentActor, db: DB, firm: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
           date_: str | None = None) -> Response:
    rev, engine = request.app.state.app.engine(db)
    try:
        program = engine.catalog.get(program_id)
    except DomainError:
        return error_page(request, who, DomainError(code="not_found", ko="사업을 찾을 수 없습니다.",
                                                    en="Program not found."))
    my_firms = firms.mine(db, who.principal) if who.principal else []
    check = None
    chosen = None
    if my_firms:
        chosen = next((f for f in my_firms if f.id == firm), my_firms[0])
        check = records.check_program(db, rev, engine, chosen, program_id, date.today(), who.principal.user_id
                                      if who.principal else None)
    from onestop.rules.explain import criterion_text
    from onestop.rules.syntax import leaves

    crit = [criterion_text(leaf) for leaf in leaves(program.rule)
            if not leaf.shared and ":lines[" not in leaf.path]
    shared = [engine.catalog.shared_title(name)
              for name in sorted({leaf.shared_rule for leaf in leaves(program.rule) if leaf.shared_rule})]
    line_criteria = {line.id: [criterion_text(leaf) for leaf in leaves(rule) if ":lines[" in leaf.path]
                     for line, rule in program.line_rules}
    line_status = {ln["line_id"]: ln["status"] for ln in (check or {}).get("lines", [])}
    agency = engine.catalog.agencies.get(program.spec.agency)
    links = {kind: [engine.catalog.programs[p] for p in getattr(program.spec.links, kind)
                    if p in engine.catalog.programs]
             for kind in ("requires", "follows", "package_with", "excludes")}
    return render(request, who, "catalog/detail.html", program=program, spec=program.spec, agency=agency,
                  criteria=crit, shared=shared, check=check, line_criteria=line_criteria, line_status=line_status,
                  unconfirmed=program.spec.unconfirmed_figures(), firms=my_firms, chosen=chosen, links=links,
                  unread=unread(db, who), category_names=CATEGORY_NAMES, support_names=SUPPORT_NAMES,
                  sidos=regions.sido_list(), certifications=CERTIFICATION_NAMES, quick=None, errors=[],
                  applicant_kinds=APPLICANT_KIND_NAMES, business_statuses=BUSINESS_STATUS_NAMES)


@router.post("/programs/{program_id}/quick")
def quick(form: PostedForm, program_id: str, request: Request, who: CurrentActor, db: DB) -> Response:
    raw: dict[str, Any] = {}
    for key in ("ksic", "region", "founded_on", "ceo_birth_date", "regular_employees", "revenue_avg3",
                "total_assets", "export_usd", "revenue_change_pct", "operating_profit_change_pct", "policy_loans_5y",
                "applicant_kind", "business_status"):
        value = form.get(key)
        if isinstance(value, str) and value.strip():
            raw[key] = value.strip().replace(",", "")
    raw["certifications"] = [v for v in form.getlist("certifications") if isinstance(v, str)]
    for key in ("tax_arrears", "credit_default_record", "rehabilitation"):
        answer = form.get(key)
        if answer in ("yes", "no"):
            raw[key] = answer == "yes"
    _, engine = request.app.state.app.engine(db)
    try:
        answers = records.QuickAnswers.model_validate(raw)
        result = records.quick_check(engine.catalog, program_id, answers, date.today())
    except ValidationError as exc:
        return render(request, who, "catalog/_quick_result.html", status_code=422, quick=None,
                      errors=[p.as_dict() for p in problems_from(exc)])
    except DomainError as e:
        return render(request, who, "catalog/_quick_result.html", status_code=422, quick=None,
                      errors=problems_of(e))
    return render(request, who, "catalog/_quick_result.html", quick=result, errors=[])


@router.get("/programs/{program_id}/history")
def history(program_id: str, request: Request, who: CurrentActor, db: DB) -> Response:
    rows = services.history_with_changes(db, program_id)
    if not rows:
        return error_page(request, who, DomainError(code="not_found", ko="사업을 찾을 수 없습니다.",
                                                    en="Program not found."))
    return render(request, who, "catalog/history.html", program_id=program_id, rows=rows,
                  name=rows[0][0].spec["name"], unread=unread(db, who))
