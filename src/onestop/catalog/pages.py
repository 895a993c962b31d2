"""Home, program search, the program page with "우리 기업 자격 확인", the anonymous quick check,
and the change history. Every statement of a window (접수 중, D-day, 마감) comes from
catalog/windows.py, so the home, the search cards, the program page and its check agree."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from onestop.applications import services as applications
from onestop.applications.lifecycle import OPEN, State
from onestop.catalog import services
from onestop.catalog.model import CATEGORY_NAMES, SUPPORT_NAMES, Category, Line, Program, ProgramSpec, SupportType
from onestop.catalog.queries import SearchQuery, search
from onestop.catalog.windows import now_kst, window_state
from onestop.errors import DomainError
from onestop.firms import services as firms
from onestop.firms.model import APPLICANT_KIND_NAMES, BUSINESS_STATUS_NAMES, CERTIFICATION_NAMES, problems_from
from onestop.korea import regions
from onestop.matching import records
from onestop.platform.pages import error_page, problems_of, unread
from onestop.platform.rules_view import sections
from onestop.platform.templating import render
from onestop.platform.web import DB, MAX_ID, Actor, CurrentActor, PostedForm, UnitOfWorkRoute
from onestop.text import number_or_text

router = APIRouter(route_class=UnitOfWorkRoute)
#: programs shown under "마감 임박": open, closing within this many days
CLOSING_SOON_DAYS = 30
#: the Korean labels of a program's links, as the program page lists them
LINK_LABELS = {
    "requires": ("먼저 받아야 하는 사업", "Required first"),
    "follows": ("선행 사업", "Comes after"),
    "package_with": ("함께 받으면 좋은 사업", "Goes well with"),
    "excludes": ("중복 지원 불가", "Cannot be combined with"),
}


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


def firm_statuses(request: Request, who: Actor, db: DB, firm_id: int | None = None) -> tuple[Any, dict[str, str]]:
    """For a signed-in firm member: the chosen firm and each program's status for it
    ("eligible", "near" — one criterion short, "unknown" — information needed), from the same
    recommendations the firm's recommendation page shows."""
    if who.principal is None or who.principal.is_officer:
        return None, {}
    mine = firms.mine(db, who.principal)
    if not mine:
        return None, {}
    chosen = next((f for f in mine if f.id == firm_id), mine[0])
    state = request.app.state.app
    rev, engine = state.engine(db)
    st, _ = records.standings_of(db, rev, engine, chosen, date.today(), who.principal.user_id, state.results)
    statuses = {s.program.id: "eligible" for s in st.eligible}
    statuses.update({s.program.id: "near" for s in st.near_misses})
    statuses.update({s.program.id: "unknown" for s in st.needs_information})
    return chosen, statuses


def catalog_packages(programs: dict[str, Program], limit: int = 3) -> list[list[Program]]:
    """Well-trodden paths through the catalog: chains along `follows`/`requires` links (a
    program and the ones that follow it), longest first, no two sharing their first step."""
    after: dict[str, list[str]] = {pid: [] for pid in programs}
    for p in programs.values():
        for before in (*p.spec.links.follows, *p.spec.links.requires):
            if before in after:
                after[before].append(p.id)
    chains: list[list[str]] = []

    def walk(chain: list[str]) -> None:
        nxt = [n for n in sorted(after[chain[-1]]) if n not in chain]
        if not nxt or len(chain) == 4:
            if len(chain) >= 3:
                chains.append(chain)
            return
        for n in nxt:
            walk([*chain, n])

    for pid in sorted(programs):
        p = programs[pid]
        if not p.spec.links.follows and not p.spec.links.requires and after[pid]:
            walk([pid])
    chains.sort(key=lambda c: (-len(c), c))
    out: list[list[Program]] = []
    used: set[str] = set()
    for c in chains:
        if c[0] in used or any(set(c) <= {q.id for q in o} for o in out):
            continue
        used.add(c[0])
        out.append([programs[i] for i in c])
        if len(out) == limit:
            break
    return out


@router.get("/")
def home(request: Request, who: CurrentActor, db: DB) -> Response:
    _, engine = request.app.state.app.engine(db)
    now = now_kst()
    programs = list(engine.catalog)
    closing = []
    for p in programs:
        ws = window_state(p.spec.application_window, now)
        if ws.phase == "open" and ws.days_left is not None and ws.days_left <= CLOSING_SOON_DAYS:
            closing.append((ws.days_left, p))
    closing.sort(key=lambda x: (x[0], x[1].id))
    counts = {c.value: sum(1 for p in programs if p.spec.category == c) for c in Category}
    _chosen, statuses = firm_statuses(request, who, db)
    return render(request, who, "catalog/home.html", unread=unread(db, who), query=SearchQuery(),
                  count=len(programs), closing=[p for _, p in closing[:6]], counts=counts,
                  packages=catalog_packages(engine.catalog.programs), statuses=statuses,
                  agency_names={a.id: a.name for a in engine.catalog.agencies.values()}, **_filters(engine))


@router.get("/programs")
def search_page(request: Request, who: CurrentActor, db: DB) -> Response:
    _rev, engine, index = request.app.state.app.index(db)
    query, errors = _query(request)
    try:
        hits = search(engine.catalog, index, query) if not errors else []
    except DomainError as e:
        hits, errors = [], problems_of(e)
    chosen, statuses = firm_statuses(request, who, db)
    active = sum(1 for k in ("category", "agency", "region", "support_type", "open_on") if getattr(query, k))
    return render(request, who, "catalog/search.html", status_code=422 if errors else 200, errors=errors,
                  query=query, hits=hits, unread=unread(db, who), statuses=statuses, chosen=chosen,
                  active_filters=active, query_string=str(request.url.query),
                  agency_names={a.id: a.name for a in engine.catalog.agencies.values()}, **_filters(engine))


@router.get("/ui/suggest")
def suggest(request: Request, who: CurrentActor, db: DB, q: str = "") -> Response:
    """htmx: program names for the search box's suggestions."""
    _rev, engine, index = request.app.state.app.index(db)
    hits = search(engine.catalog, index, SearchQuery(q=q[:200])) if q.strip() else []
    return render(request, who, "catalog/_suggest.html", hits=hits[:8])


def _open_application(db: DB, who: Actor, firm_id: int, program_id: str) -> Any:
    if who.principal is None:
        return None
    open_states = {s.value for s in OPEN if s != State.closed}
    for row in applications.for_firm_member(db, who.principal):
        if row.firm_id == firm_id and row.program_id == program_id and row.state in open_states:
            return row
    return None


@router.get("/programs/{program_id}")
def detail(program_id: str, request: Request, who: CurrentActor, db: DB,
           firm: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    rev, engine = request.app.state.app.engine(db)
    try:
        program = engine.catalog.get(program_id)
    except DomainError:
        return error_page(request, who, DomainError(code="not_found", ko="사업을 찾을 수 없습니다.",
                                                    en="Program not found."))
    my_firms = firms.mine(db, who.principal) if who.principal else []
    check = chosen = open_app = None
    if my_firms:
        chosen = next((f for f in my_firms if f.id == firm), my_firms[0])
        check = records.check_program(db, rev, engine, chosen, program_id, date.today(), who.principal.user_id
                                      if who.principal else None)
        open_app = _open_application(db, who, chosen.id, program_id)
    from onestop.rules.explain import criterion_text
    from onestop.rules.syntax import leaves

    line_criteria = {line.id: [criterion_text(leaf) for leaf in leaves(rule) if ":lines[" in leaf.path]
                     for line, rule in program.line_rules}
    line_status = {ln["line_id"]: ln["status"] for ln in (check or {}).get("lines", [])}
    agency = engine.catalog.agencies.get(program.spec.agency)
    links = {kind: [engine.catalog.programs[p] for p in getattr(program.spec.links, kind)
                    if p in engine.catalog.programs]
             for kind in ("requires", "follows", "package_with", "excludes")}
    return render(request, who, "catalog/detail.html", program=program, spec=program.spec, agency=agency,
                  criteria=sections(program.rule, engine.catalog.shared_title), check=check, firms=my_firms, chosen=chosen, links=links,
                  link_labels=LINK_LABELS, open_app=open_app, window=window_state(program.spec.application_window,
                                                                                  now_kst()),
                  line_criteria=line_criteria, line_status=line_status, lines_with=lines_with(program.spec),
                  unconfirmed=program.spec.unconfirmed_figures(), field_names=FIELD_NAMES,
                  unread=unread(db, who), quick=None, form={}, errors=[], **_quick_context())


def lines_with(spec: ProgramSpec) -> dict[str, list[Line]]:
    """The program's lines that state each figure (amount, interest, term), for the key facts:
    a program with lines shows each line's figure instead of "해당 없음" (QA finding, issue 17 §3)."""
    return {
        "amount": [ln for ln in spec.lines if ln.amount],
        "interest": [ln for ln in spec.lines if ln.interest is not None],
        "term": [ln for ln in spec.lines if ln.term_years],
    }


def _quick_context() -> dict[str, Any]:
    return {"sidos": regions.sido_list(), "certifications": CERTIFICATION_NAMES,
            "applicant_kinds": APPLICANT_KIND_NAMES, "business_statuses": BUSINESS_STATUS_NAMES}


#: the anonymous questionnaire's fields: text answers and yes/no answers
QUICK_TEXT = ("ksic", "region", "founded_on", "ceo_birth_date", "regular_employees", "revenue_avg3", "total_assets",
              "export_usd", "revenue_change_pct", "operating_profit_change_pct", "policy_loans_5y", "applicant_kind",
              "business_status")
QUICK_YES_NO = ("tax_arrears", "credit_default_record", "rehabilitation")


def _quick_form(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in (*QUICK_TEXT, *QUICK_YES_NO):
        value = form.get(key)
        if isinstance(value, str) and value.strip():
            values[key] = value.strip()
    values["certifications"] = [v for v in form.getlist("certifications") if isinstance(v, str)]
    return values


@router.post("/programs/{program_id}/quick")
def quick(form: PostedForm, program_id: str, request: Request, who: CurrentActor, db: DB) -> Response:
    """htmx: the anonymous check. Answers the whole questionnaire again, with each problem next
    to its field, or the result criterion by criterion."""
    values = _quick_form(form)
    raw: dict[str, Any] = {k: (str(number_or_text(v)) if isinstance(v, str) else v) for k, v in values.items()
                           if k not in QUICK_YES_NO}
    for key in QUICK_YES_NO:
        if values.get(key) in ("yes", "no"):
            raw[key] = values[key] == "yes"
    _, engine = request.app.state.app.engine(db)
    try:
        program = engine.catalog.get(program_id)
    except DomainError as e:
        return error_page(request, who, e)
    context = {"program": program, "form": values, **_quick_context()}
    try:
        answers = records.QuickAnswers.model_validate(raw)
        result = records.quick_check(engine.catalog, program_id, answers, date.today())
    except ValidationError as exc:
        return render(request, who, "catalog/_quick.html", status_code=422, quick=None,
                      errors=[p.as_dict() for p in problems_from(exc)], **context)
    except DomainError as e:
        return render(request, who, "catalog/_quick.html", status_code=422, quick=None, errors=problems_of(e),
                      **context)
    return render(request, who, "catalog/_quick.html", quick=result, errors=[], **context)


@router.get("/programs/{program_id}/history")
def history(program_id: str, request: Request, who: CurrentActor, db: DB) -> Response:
    rows = services.history_with_changes(db, program_id)
    if not rows:
        return error_page(request, who, DomainError(code="not_found", ko="사업을 찾을 수 없습니다.",
                                                    en="Program not found."))
    return render(request, who, "catalog/history.html", program_id=program_id, rows=rows,
                  name=rows[0][0].spec["name"], unread=unread(db, who), field_names=FIELD_NAMES)


#: the program's fields as the history names them
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "name": ("사업명", "Name"), "agency": ("기관", "Agency"), "category": ("분야", "Category"),
    "support_type": ("지원 유형", "Support type"), "summary": ("요약", "Summary"), "limits": ("지원 한도", "Limits"),
    "application_window": ("신청 기간", "Application window"), "budget": ("예산", "Budget"),
    "required_documents": ("제출 서류", "Required documents"), "links": ("연계 사업", "Linked programs"),
    "eligibility": ("자격 요건", "Eligibility"), "ranking": ("추천 가중치", "Ranking"), "source": ("출처", "Source"),
    "unconfirmed": ("미확인 항목", "Unconfirmed figures"), "tags": ("검색어", "Tags"), "id": ("사업 코드", "Program code"),
    "lines": ("세부 사업", "Lines"),
}
