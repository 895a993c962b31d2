"""Marketplace pages: search (public), a listing with its photos and the request form, the owner's
desk (register as an asset owner, list an asset, answer requests), a request with its
e-agreement, the firm's own requests, and officers' figures. Thin: every form calls a service;
a refused form is shown again with each problem next to its field and what was typed kept."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from onestop.applications.documents import MAX_BYTES
from onestop.errors import DomainError
from onestop.korea import regions
from onestop.marketplace import model, services
from onestop.marketplace.search import KINDS, TERMS
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, CurrentActor, PathId, PostedForm, UnitOfWorkRoute, client_ip

router = APIRouter(route_class=UnitOfWorkRoute)
NAMES = {"kinds": model.KIND_NAMES, "terms": model.TERMS_NAMES, "listing_states": model.LISTING_STATE_NAMES,
         "request_states": model.REQUEST_STATE_NAMES}
LISTING_FIELDS = ("kind", "title", "description", "region", "terms", "price_won", "available_from", "available_until",
                  "patent_number")
REQUEST_FIELDS = ("firm_id", "purpose", "wanted_from", "wanted_until")


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _version(form: Any) -> int | None:
    v = _text(form, "version")
    return int(v) if v.isdigit() else None


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


def _ctx(request: Request, who: CurrentActor, db: Session) -> dict[str, Any]:
    return {"names": NAMES, "sido": regions.sido_list(), "region_name": _region_name(who.lang), "unread": unread(db, who)}


def _region_name(lang: str) -> Any:
    return regions.name_en if lang == "en" else regions.name_of


@router.get("/marketplace")
def search_page(request: Request, who: CurrentActor, db: DB, q: str = "", kind: str = "", region: str = "",
                terms: str = "", max_price: str = "", page: int = 1) -> Response:
    errors: list[dict[str, str]] = []
    try:
        found_regions, price = services.parse_filters(region, max_price)
    except DomainError as e:
        errors, found_regions, price = problems_of(e), frozenset(), None
    query = services.SearchQuery(text=q[:200], kinds=frozenset({kind}) if kind in KINDS else frozenset(),
                                 regions=found_regions, terms_kinds=frozenset({terms}) if terms in TERMS else frozenset(),
                                 max_price=price, page=max(1, min(page, 500)))
    result, rows = services.search(db, query)
    owners = {r.owner_firm_id: services.firm_name(db, r.owner_firm_id) for r in rows}
    return render(request, who, "marketplace/search.html", status_code=422 if errors else 200, rows=rows,
                  result=result, owners=owners, errors=errors,
                  form={"q": q, "kind": kind, "region": region, "terms": terms, "max_price": max_price},
                  page=query.page, page_size=services.PAGE_SIZE, **_ctx(request, who, db))


def _not_found(request: Request, who: CurrentActor) -> Response:
    return error_page(request, who, DomainError(code="not_found", ko="페이지를 찾을 수 없습니다.", en="Page not found."))


def _listing_page(request: Request, who: CurrentActor, db: Session, listing_id: int,
                  errors: list[dict[str, str]] | None = None, form: dict[str, str] | None = None,
                  status: int = 200) -> Response:
    p = who.principal
    try:
        row = services.get_listing(db, p, listing_id)
    except DomainError:
        return _not_found(request, who)
    manages = p is not None and row.owner_firm_id in p.firms
    my_firms = [] if p is None or p.is_officer or p.role.value == "evaluator" else \
        [(f, services.firm_name(db, f)) for f in sorted(p.firms) if f != row.owner_firm_id]
    return render(request, who, "marketplace/listing.html", status_code=status, row=row, manages=manages,
                  owner_name=services.firm_name(db, row.owner_firm_id), photos=services.photos(db, row.id),
                  my_firms=my_firms, errors=errors or [], form=form or {}, today=services.today_kst(),
                  **_ctx(request, who, db))


@router.get("/marketplace/listings/{listing_id}")
def listing_page(listing_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    return _listing_page(request, who, db, listing_id)


@router.post("/marketplace/listings/{listing_id}/requests")
def request_asset(listing_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    raw = {k: _text(form, k) for k in REQUEST_FIELDS}
    firm_id = _int(raw["firm_id"])
    try:
        with db.begin_nested():
            if firm_id is None:
                raise DomainError(code="firm_required", field="firm_id", ko="신청할 기업을 고르세요.",
                                  en="Choose the firm that requests the asset.")
            req = services.request_listing(db, who.principal, listing_id, firm_id, raw)
    except DomainError as e:
        if e.code == "not_found" and e.field == "listing_id":
            return _not_found(request, who)
        return _listing_page(request, who, db, listing_id, errors=problems_of(e), form=raw, status=422)
    return see_other(f"/marketplace/requests/{req.id}", "flash.action_done")


@router.post("/marketplace/listings/{listing_id}/photos")
def upload_photo(listing_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    file = form.get("file")
    try:
        with db.begin_nested():
            if not (isinstance(file, UploadFile) and file.filename):
                raise DomainError(code="file_required", field="file", ko="올릴 사진을 골라 주세요.", en="Choose a photo to upload.")
            data = file.file.read(MAX_BYTES + 1)
            services.add_photo(db, who.principal, request.app.state.app.store, listing_id, file.filename, data)
    except DomainError as e:
        if e.code == "not_found":
            return _not_found(request, who)
        return _listing_page(request, who, db, listing_id, errors=problems_of(e), status=422)
    return see_other(f"/marketplace/listings/{listing_id}", "flash.action_done")


@router.get("/marketplace/listings/{listing_id}/photos/{photo_id}")
def photo(listing_id: PathId, photo_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    try:
        row, data = services.open_photo(db, who.principal, request.app.state.app.store, listing_id, photo_id)
    except DomainError:
        return _not_found(request, who)
    return Response(data, media_type=row.content_type,
                    headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600",
                             "ETag": f'"{row.sha256}"'})


@router.post("/marketplace/listings/{listing_id}/withdraw")
def withdraw_listing(listing_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        with db.begin_nested():
            services.withdraw_listing(db, who.principal, listing_id)
    except DomainError as e:
        if e.code == "not_found":
            return _not_found(request, who)
        return _listing_page(request, who, db, listing_id, errors=problems_of(e), status=422)
    return see_other(f"/marketplace/listings/{listing_id}", "flash.action_done")


# --- the owner's desk ----------------------------------------------------------------------------

def _desk(request: Request, who: CurrentActor, db: Session, errors: list[dict[str, str]] | None = None,
          status: int = 200) -> Response:
    assert who.principal is not None
    p = who.principal
    owners = services.owner_firms(db, p)
    owned = {o.firm_id for o in owners}
    desks: list[dict[str, Any]] = []
    titles: dict[int, str] = {}
    requesters: dict[int, str] = {}
    for o in owners:
        listings = services.listings_of_owner(db, p, o.firm_id)
        received = services.requests_to_owner(db, p, o.firm_id)
        titles.update({x.id: x.title for x in listings})
        requesters.update({r.firm_id: services.firm_name(db, r.firm_id) for r in received})
        desks.append({"firm_id": o.firm_id, "name": services.firm_name(db, o.firm_id), "listings": listings,
                      "requests": received})
    candidates = [(f, services.firm_name(db, f)) for f, role in sorted(p.firms.items())
                  if f not in owned and role.value == "owner"]
    return render(request, who, "marketplace/desk.html", status_code=status, desks=desks, candidates=candidates,
                  titles=titles, requesters=requesters, errors=errors or [], **_ctx(request, who, db))


@router.get("/marketplace/owner")
def owner_desk(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if who.principal.is_officer:
        return _not_found(request, who)
    return _desk(request, who, db)


@router.post("/marketplace/owner/register")
def register_owner(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    firm_id = _int(_text(form, "firm_id"))
    try:
        with db.begin_nested():
            if firm_id is None:
                raise DomainError(code="firm_required", field="firm_id", ko="등록할 기업을 고르세요.", en="Choose the firm to register.")
            services.register_owner(db, who.principal, firm_id)
    except DomainError as e:
        return _desk(request, who, db, errors=problems_of(e), status=404 if e.code == "not_found" else 422)
    return see_other("/marketplace/owner", "flash.action_done")


def _new_page(request: Request, who: CurrentActor, db: Session, firm_id: int, errors: list[dict[str, str]] | None = None,
              form: dict[str, str] | None = None, status: int = 200) -> Response:
    assert who.principal is not None
    if firm_id not in who.principal.firms or services.owner_of(db, firm_id) is None:
        return _not_found(request, who)
    return render(request, who, "marketplace/new.html", status_code=status, firm_id=firm_id,
                  firm_name=services.firm_name(db, firm_id), errors=errors or [], form=form or {},
                  today=services.today_kst(), **_ctx(request, who, db))


@router.get("/marketplace/owner/{firm_id}/listings/new")
def new_listing(firm_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return _new_page(request, who, db, firm_id)


@router.post("/marketplace/owner/{firm_id}/listings/new")
def create_listing(firm_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    raw = {k: _text(form, k) for k in LISTING_FIELDS}
    try:
        with db.begin_nested():
            row = services.create_listing(db, who.principal, firm_id, raw)
    except DomainError as e:
        if e.code == "not_found":
            return _not_found(request, who)
        return _new_page(request, who, db, firm_id, errors=problems_of(e), form=raw, status=422)
    return see_other(f"/marketplace/listings/{row.id}", "flash.action_done")


# --- requests ----------------------------------------------------------------------------------

@router.get("/marketplace/requests")
def my_requests(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    rows = services.requests_of_firms(db, who.principal)
    listings = {r.listing_id: services.get_listing(db, who.principal, r.listing_id) for r in rows}
    return render(request, who, "marketplace/requests.html", rows=rows, listings=listings,
                  firms={r.firm_id: services.firm_name(db, r.firm_id) for r in rows}, **_ctx(request, who, db))


def _request_page(request: Request, who: CurrentActor, db: Session, request_id: int,
                  errors: list[dict[str, str]] | None = None, status: int = 200) -> Response:
    assert who.principal is not None
    try:
        req, listing, side = services.get_request(db, who.principal, request_id)
    except DomainError:
        return _not_found(request, who)
    agreement = services.agreement_of(db, req.id)
    firm_id = listing.owner_firm_id if side == "owner" else req.firm_id
    can_sign = (agreement is not None and req.state == "accepted" and side in ("owner", "requester")
                and who.principal.firms.get(firm_id) is not None and who.principal.firms[firm_id].value == "owner"
                and (agreement.owner_signed_at if side == "owner" else agreement.requester_signed_at) is None)
    return render(request, who, "marketplace/request.html", status_code=status, req=req, listing=listing, side=side,
                  agreement=agreement, can_sign=can_sign, owner_name=services.firm_name(db, listing.owner_firm_id),
                  firm_name=services.firm_name(db, req.firm_id), errors=errors or [], **_ctx(request, who, db))


@router.get("/marketplace/requests/{request_id}")
def request_page(request_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return _request_page(request, who, db, request_id)


@router.post("/marketplace/requests/{request_id}/decide")
def decide(request_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        with db.begin_nested():
            services.decide(db, who.principal, request_id, _text(form, "action"), _text(form, "reason"), _version(form))
    except DomainError as e:
        if e.code == "not_found":
            return _not_found(request, who)
        return _request_page(request, who, db, request_id, errors=problems_of(e), status=409 if e.code == "conflict" else 422)
    return see_other(f"/marketplace/requests/{request_id}", "flash.action_done")


@router.post("/marketplace/requests/{request_id}/sign")
def sign(request_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        with db.begin_nested():
            services.sign(db, who.principal, request_id, _text(form, "document_sha256"), client_ip(request), _version(form))
    except DomainError as e:
        if e.code == "not_found":
            return _not_found(request, who)
        return _request_page(request, who, db, request_id, errors=problems_of(e), status=409 if e.code == "conflict" else 422)
    return see_other(f"/marketplace/requests/{request_id}", "flash.action_done")


@router.get("/officer/marketplace")
def officer_figures(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return _not_found(request, who)
    rows = services.figures(db)
    return render(request, who, "marketplace/figures.html", rows=rows, **_ctx(request, who, db))
