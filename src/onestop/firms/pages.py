"""Firm pages: my firms, registration and editing with live validation (htmx), KSIC lookup and
region pickers, recommendations, and inviting staff."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from onestop.accounts import memberships
from onestop.catalog.model import SUPPORT_NAMES
from onestop.catalog.windows import now_kst
from onestop.errors import DomainError
from onestop.firms import services
from onestop.firms.model import (
    APPLICANT_KIND_NAMES,
    BUSINESS_STATUS_NAMES,
    CERTIFICATION_NAMES,
    HARDSHIP_CAUSE_NAMES,
    QUALIFICATION_NAMES,
    parse_firm,
)
from onestop.korea import ksic, regions
from onestop.matching import records
from onestop.matching.maximum import plausible_maximum
from onestop.matching.model import Standing, Standings
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, CurrentActor, PathId, PostedForm, UnitOfWorkRoute
from onestop.text import number_or_text

router = APIRouter(route_class=UnitOfWorkRoute)
_NUMBERS = ("regular_employees", "total_assets", "export_revenue", "export_usd", "total_liabilities",
            "total_equity", "manufacturing_share_pct")
#: figures by fiscal year beside revenue (issue 10: the effect measure), one input per year
_BY_YEAR_FIGURES = ("regular_employees_by_year", "export_revenue_by_year", "export_usd_by_year")
#: yes/no facts of the policy-fund plan's conditions: a checkbox, unchecked = no (issue 17)
_FLAGS = ("credit_default_record", "rehabilitation", "tax_arrears_deferred", "factory_registered")


def revenue_years(today: date | None = None) -> list[int]:
    year = (today or date.today()).year
    return [year - 3, year - 2, year - 1]


def profile_from_form(form: FormData, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Form fields to a profile dict; text that is not a number is passed on so validation can
    say, in both languages, what is wrong with it."""
    data: dict[str, Any] = dict(base or {})
    for key in ("brn", "name", "ksic", "founded_on", "ceo_birth_date"):
        value = form.get(key)
        if isinstance(value, str):
            if value.strip():
                data[key] = value.strip()
            else:
                data.pop(key, None)
    region = form.get("region") or form.get("sido")
    if isinstance(region, str) and region.strip():
        data["region"] = region.strip()
    for key in _NUMBERS:
        value = form.get(key)
        if isinstance(value, str):
            if value.strip():
                data[key] = number_or_text(value)
            else:
                data.pop(key, None)
    revenue = dict(data.get("revenue") or {})
    for key, value in form.items():
        if key.startswith(("revenue_", "revenue.")) and isinstance(value, str):
            year = key[len("revenue_"):]
            if value.strip():
                revenue[year] = number_or_text(value)
            else:
                revenue.pop(year, None)
    data["revenue"] = revenue
    for name in _BY_YEAR_FIGURES:
        figures = dict(data.get(name) or {})
        for key, value in form.items():
            if key.startswith(f"{name}.") and isinstance(value, str):
                year = key[len(name) + 1:]
                if value.strip():
                    figures[year] = number_or_text(value)
                else:
                    figures.pop(year, None)
        data[name] = figures
    data["certifications"] = [v for v in form.getlist("certifications") if isinstance(v, str)]
    data["tax_arrears"] = form.get("tax_arrears") == "1"
    data["in_large_business_group"] = form.get("in_large_business_group") == "1"
    _policy_fund_fields(form, data)
    return data


def _policy_fund_fields(form: FormData, data: dict[str, Any]) -> None:
    """The applicant kind, statements and the policy-fund plan's conditions (issue 17)."""
    for key in ("applicant_kind", "business_status"):
        value = form.get(key)
        if isinstance(value, str) and value.strip():
            data[key] = value.strip()
        elif isinstance(value, str):
            data.pop(key, None)
    profit = dict(data.get("operating_profit") or {})
    for key, value in form.items():
        if key.startswith(("operating_profit_", "operating_profit.")) and isinstance(value, str):
            year = key[len("operating_profit_"):]
            if value.strip():
                profit[year] = number_or_text(value)
            else:
                profit.pop(year, None)
    data["operating_profit"] = profit
    for key in _FLAGS:
        data[key] = form.get(key) == "1"
    if "policy_fund_fields" in form:  # the form showed the lists: an unticked box means "no"
        data["hardship_causes"] = [v for v in form.getlist("hardship_causes") if isinstance(v, str)]
        data["qualifications"] = [v for v in form.getlist("qualifications") if isinstance(v, str)]


def _form_context(profile: dict[str, Any]) -> dict[str, Any]:
    region = str(profile.get("region") or "")
    return {
        "form": profile,
        "years": revenue_years(),
        "sidos": regions.sido_list(),
        "sido": region[:2],
        "sigungus": [r for r in regions.table().values() if r.level == "sigungu" and region and
                     r.code.startswith(region[:2])],
        "certifications": CERTIFICATION_NAMES,
        "applicant_kinds": APPLICANT_KIND_NAMES,
        "business_statuses": BUSINESS_STATUS_NAMES,
        "hardship_causes": HARDSHIP_CAUSE_NAMES,
        "qualifications": QUALIFICATION_NAMES,
        "ksic_code": str(profile["ksic"]) if profile.get("ksic") in ksic.table() else "",
    }


@router.get("/firms")
def my_firms(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return render(request, who, "firms/list.html", firms=services.mine(db, who.principal), unread=unread(db, who))


@router.get("/firms/new")
def new_firm(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        who.principal.require_firm_account("기업을 등록", "register a firm")
    except DomainError as e:
        return error_page(request, who, e)
    return render(request, who, "firms/form.html", errors=[], firm=None, unread=unread(db, who), **_form_context({}))


@router.post("/firms/new")
def create_firm(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    data = profile_from_form(form)
    try:
        row = services.register(db, who.principal, data)
        request.app.state.app.principals.clear()
    except DomainError as e:
        if e.code == "brn_taken":  # not a dead end: ask the firm's owners to invite you
            return RedirectResponse(f"/firms/join?brn={quote(str(data.get('brn', '')))}", status_code=303)
        if e.code == "staff_account":
            return error_page(request, who, e)
        return render(request, who, "firms/form.html", status_code=422, errors=problems_of(e), firm=None,
                      unread=unread(db, who), **_form_context(data))
    return see_other(f"/firms/{row.id}/recommendations", "flash.firm_created")


@router.get("/firms/{firm_id}/edit")
def edit_firm(firm_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        row = services.get(db, who.principal, firm_id)
    except DomainError as e:
        return error_page(request, who, e)
    return render(request, who, "firms/form.html", errors=[], firm=row, unread=unread(db, who),
                  **_form_context(row.profile))


@router.post("/firms/{firm_id}/edit")
def save_firm(form: PostedForm, firm_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        row = services.get(db, who.principal, firm_id)
    except DomainError as e:
        return error_page(request, who, e)
    data = profile_from_form(form, base=row.profile)
    version = form.get("version")
    try:
        services.update(db, who.principal, firm_id, data, int(version) if isinstance(version, str) and
                        version.isdigit() else None)
        request.app.state.app.principals.clear()
    except DomainError as e:
        return render(request, who, "firms/form.html", status_code=409 if e.code == "stale_version" else 422,
                      errors=problems_of(e), firm=row, unread=unread(db, who), **_form_context(data))
    return see_other(f"/firms/{firm_id}/recommendations", "flash.firm_saved")


@router.post("/firms/check")
def live_check(form: PostedForm, request: Request, who: CurrentActor) -> Response:
    """htmx: validate the form as typed; lists every problem, or says it is valid."""
    data = profile_from_form(form)
    try:
        parse_firm(data, entry=True)
        errors: list[dict[str, str]] = []
    except DomainError as e:
        errors = problems_of(e)
    # a figure by fiscal year (`operating_profit.2025`) touches its field (`operating_profit`)
    touched = {part for k, v in form.items() if isinstance(v, str) and v.strip() for part in (k, k.split(".")[0])}
    shown = [e for e in errors if e["field"].split(".")[0] in touched or e["field"].startswith("revenue")]
    return render(request, who, "firms/_live.html", errors=shown, valid=not errors)


@router.get("/ui/ksic")
def ksic_options(request: Request, who: CurrentActor, q: str = "") -> Response:
    text = q or request.query_params.get("ksic", "")
    hits = ksic.search(text, 15) if text.strip() else []
    return render(request, who, "firms/_ksic_options.html", hits=hits)


@router.get("/ui/regions")
def region_options(request: Request, who: CurrentActor, sido: str = "") -> Response:
    items = [r for r in regions.table().values() if r.level == "sigungu" and sido and r.code.startswith(sido)]
    return render(request, who, "firms/_region_options.html", items=items)


@router.get("/firms/{firm_id}/recommendations")
def recommendations(firm_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        row = services.get(db, who.principal, firm_id)
        on = services.reference_date(request.query_params.get("date"))
    except DomainError as e:
        return error_page(request, who, e)
    return _recommendations_page(request, who, db, row, on)


def _recommendations_page(request: Request, who: Any, db: Any, row: Any, on: date,
                          errors: list[dict[str, str]] | None = None, form: dict[str, str] | None = None) -> Response:
    state = request.app.state.app
    rev, engine = state.engine(db)
    st, size = records.standings_of(db, rev, engine, row, on, who.principal.user_id, state.results)
    sort = request.query_params.get("sort", "fit")
    kind = request.query_params.get("type", "")
    number = request.query_params.get("page", "1")
    view = recommendation_view(engine.catalog.programs, st, sort if sort in SORTS else "fit",
                               kind if kind in SUPPORT_NAMES else "", now_kst(),
                               int(number) if number.isdigit() else 1)
    return render(request, who, "firms/recommendations.html", firm=row, result={"size_class": size.size_class}, on=on,
                  view=view, programs=engine.catalog.programs, sort=view["sort"], kind=view["kind"],
                  support_types=[(k, n) for k, n in SUPPORT_NAMES.items()],
                  agency_names={a.id: a.name for a in engine.catalog.agencies.values()},
                  can_invite=who.principal.can_invite(row.id), unread=unread(db, who), errors=errors or [],
                  form=form or {}, status_code=422 if errors else 200)


SORTS = {"fit": ("적합도순", "Best fit"), "amount": ("지원 금액순", "Largest amount"),
         "deadline": ("마감 임박순", "Closing first")}
#: eligible programs per page, and near misses or programs needing information shown per list
PAGE_SIZE = 50
LIST_SIZE = 30


def recommendation_view(programs: dict[str, Any], st: Standings, sort: str, kind: str, now: Any,
                        number: int = 1) -> dict[str, Any]:
    """Recommendations as the page shows them: the summary figures (the most the firm could
    plausibly receive, as `matching/maximum.py` computes it), one page of eligible programs grouped
    by category and sorted, near misses that need one change, packages as steps. Explanations are
    built only for the programs shown (`Standings.explain`)."""
    from onestop.catalog.model import CATEGORY_NAMES
    from onestop.catalog.windows import window_state

    eligible = [(s, s.program) for s in st.eligible if s.program.id in programs]
    loans = [p for _, p in eligible if p.spec.support_type.value in ("loan", "guarantee")]
    grants = [p for _, p in eligible if p.spec.support_type.value in ("grant", "voucher")]
    shown = [(s, p) for s, p in eligible if not kind or p.spec.support_type.value == kind]

    def key(item: tuple[Standing, Any]) -> tuple[Any, ...]:
        s, p = item
        if sort == "amount":
            return (-(p.spec.limits.amount or 0), -s.score, p.id)
        if sort == "deadline":
            ws = window_state(p.spec.application_window, now)
            return (ws.days_left if ws.days_left is not None else 10**6, -s.score, p.id)
        return (-s.score, p.id)

    ordered = sorted(shown, key=key)
    pages = max(1, -(-len(ordered) // PAGE_SIZE))
    number = min(max(1, number), pages)
    groups: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    for s, p in ordered[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]:
        groups.setdefault(p.spec.category.value, []).append((st.explain(s).as_dict(), p))
    ordered_groups = sorted(groups.items(), key=lambda g: (-len(g[1]), g[0]))
    # every near miss is one change away (meeting one criterion makes it eligible); several
    # `missing` entries are alternatives, any one of which would do
    near = [s for s in st.near_misses if s.program.id in programs]
    needs = [s for s in st.needs_information if s.program.id in programs]
    fitting = {s.program.id: st.fitting_lines(s) for s, _ in eligible if s.program.line_rules}
    most_loans = plausible_maximum(loans, st.facts, fitting)
    most_grants = plausible_maximum(grants, st.facts, fitting)

    def explained(items: list[Standing]) -> list[tuple[dict[str, Any], Any]]:
        return [(st.explain(s).as_dict(), s.program) for s in items[:LIST_SIZE]]

    return {
        "count": len(eligible),
        "loans": most_loans.amount,
        "grants": most_grants.amount,
        "max_notes": most_loans.notes + [n for n in most_grants.notes if n not in most_loans.notes],
        "near_count": len(near),
        "groups": [(cat, CATEGORY_NAMES.get(cat, (cat, cat)), items) for cat, items in ordered_groups],
        "shown_count": len(ordered),
        "page": number,
        "pages": pages,
        "one_more": explained(near),
        "needs": explained(needs),
        "needs_count": len(needs),
        "packages": [[programs[pid] for pid in pkg if pid in programs] for pkg in st.packages],
        "sort": sort,
        "kind": kind,
    }


@router.post("/firms/{firm_id}/invite")
def invite(form: PostedForm, firm_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    email = form.get("email")
    try:
        row = services.get(db, who.principal, firm_id)
    except DomainError as e:
        return error_page(request, who, e)
    try:
        with db.begin_nested():
            token = memberships.invite(db, who.principal, firm_id, email if isinstance(email, str) else "")
    except DomainError as e:
        problems = [{**p, "field": "email"} if p["field"] in ("", "email") else p for p in problems_of(e)]
        return _recommendations_page(request, who, db, row, date.today(), problems,
                                     {"email": email if isinstance(email, str) else ""})
    return see_other(f"/firms/{firm_id}/invited?token={quote(token)}&email={quote(str(email or ''))}", "flash.invited")


@router.get("/firms/{firm_id}/invited")
def invited(firm_id: int, request: Request, who: CurrentActor, db: DB, token: str = "", email: str = "") -> Response:
    """The invitation link just made (post/redirect/get), to hand to the person invited."""
    if who.principal is None:
        return login_redirect(request)
    try:
        row = services.get(db, who.principal, firm_id)
    except DomainError as e:
        return error_page(request, who, e)
    base = request.app.state.app.settings.base_url
    return render(request, who, "firms/invited.html", firm=row, link=f"{base}/invitations/{token}", email=email,
                  unread=unread(db, who))
