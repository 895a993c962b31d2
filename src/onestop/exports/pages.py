"""Export pages. Firms: declare their products' HS codes, see the buyer inquiries sent to them
and why, answer with a quote and samples, follow up to a contract. Officers: register a buyer's
inquiry, see whom it went to and how it went, and the contracts it led to."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from onestop.errors import DomainError
from onestop.exports import hs, services
from onestop.exports.model import CERTIFICATIONS, COUNTRIES
from onestop.platform.pages import error_page, login_redirect, problems_of, see_other, unread
from onestop.platform.templating import render
from onestop.platform.web import DB, CurrentActor, PathId, PostedForm, UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute)

OFFER_STATES = {"invited": ("답변 대기", "Waiting for your answer"), "answered": ("견적 발송", "Quote sent"),
                "negotiating": ("협상 중", "Negotiating"), "contracted": ("계약 체결", "Contract signed"),
                "lost": ("무산", "Lost")}
INQUIRY_FIELDS = ("buyer_name", "buyer_country", "product", "hs_code", "quantity", "target_price_usd", "deadline")


def _not_found(request: Request, who: CurrentActor) -> Response:
    return error_page(request, who, DomainError(code="not_found", ko="페이지를 찾을 수 없습니다.", en="Page not found."))


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _common(who: CurrentActor, db: Session) -> dict[str, Any]:
    return {"countries": COUNTRIES, "certifications": CERTIFICATIONS, "states": OFFER_STATES, "hs_name": hs.name,
            "hs_shown": hs.shown_code, "unread": unread(db, who)}


def _firm_page(request: Request, who: CurrentActor, db: Session, errors: list[dict[str, str]] | None = None,
               form: dict[str, str] | None = None, form_firm: int | None = None, status: int = 200) -> Response:
    assert who.principal is not None
    from onestop.advisory.services import firm_choices

    firms = []
    for firm_id, name in firm_choices(db, who.principal):
        p = services.profile_of_firm(db, firm_id)
        values = form if form is not None and form_firm == firm_id else {
            "hs_codes": ", ".join(hs.shown_code(c) for c in p.hs_codes) if p else "",
            "countries": ", ".join(p.countries) if p else ""}
        certs = (values.get("certifications", "").split(",") if form is not None and form_firm == firm_id
                 else (p.certifications if p else []))
        firms.append({"id": firm_id, "name": name, "values": values, "certs": certs})
    return render(request, who, "exports/mine.html", status_code=status, firms=firms,
                  offers=services.offers_of_firms(db, who.principal), errors=errors or [], form_firm=form_firm,
                  **_common(who, db))


@router.get("/exports")
def mine(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if who.principal.is_officer:
        return see_other("/officer/exports")
    return _firm_page(request, who, db)


@router.post("/exports/firms/{firm_id}")
def declare(firm_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    certs = [str(c) for c in form.getlist("certifications")]
    raw = {"hs_codes": _field(form, "hs_codes"), "countries": _field(form, "countries"), "certifications": ",".join(certs)}
    try:
        with db.begin_nested():
            services.declare_products(db, who.principal, firm_id, raw["hs_codes"], certs, raw["countries"])
    except DomainError as e:
        if e.code == "not_found":
            return _not_found(request, who)
        return _firm_page(request, who, db, errors=problems_of(e), form=raw, form_firm=firm_id, status=422)
    return see_other("/exports", "flash.action_done")


def _offer_page(request: Request, who: CurrentActor, db: Session, offer_id: int,
                errors: list[dict[str, str]] | None = None, form: dict[str, str] | None = None,
                status: int = 200) -> Response:
    assert who.principal is not None
    try:
        offer, inquiry = services.get_offer(db, who.principal, offer_id)
    except DomainError:
        return _not_found(request, who)
    return render(request, who, "exports/offer.html", status_code=status, offer=offer, inquiry=inquiry,
                  firm=not who.principal.is_officer, form=form or {}, errors=errors or [], **_common(who, db))


@router.get("/exports/offers/{offer_id}")
def offer_page(offer_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    return _offer_page(request, who, db, offer_id)


@router.post("/exports/offers/{offer_id}/answer")
def answer(offer_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    raw = {"quote_usd": _field(form, "quote_usd"), "quote_note": _field(form, "quote_note"),
           "samples": _field(form, "samples")}
    try:
        with db.begin_nested():
            services.answer(db, who.principal, offer_id, raw["quote_usd"], raw["quote_note"], raw["samples"] == "yes")
    except DomainError as e:
        if e.code == "not_found":
            return _not_found(request, who)
        return _offer_page(request, who, db, offer_id, errors=problems_of(e), form=raw, status=422)
    return see_other(f"/exports/offers/{offer_id}", "flash.action_done")


@router.post("/exports/offers/{offer_id}/follow-up")
def follow_up(offer_id: PathId, form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    raw = {k: _field(form, k) for k in ("state", "contract_won", "contract_usd", "contracted_on")}
    try:
        with db.begin_nested():
            services.follow_up(db, who.principal, offer_id, raw["state"], raw["contract_won"], raw["contract_usd"],
                               raw["contracted_on"])
    except DomainError as e:
        if e.code == "not_found":
            return _not_found(request, who)
        return _offer_page(request, who, db, offer_id, errors=problems_of(e), form=raw, status=422)
    return see_other(f"/exports/offers/{offer_id}", "flash.action_done")


def _officer_page(request: Request, who: CurrentActor, db: Session, errors: list[dict[str, str]] | None = None,
                  form: dict[str, str] | None = None, status: int = 200) -> Response:
    assert who.principal is not None
    return render(request, who, "exports/officer.html", status_code=status,
                  inquiries=services.inquiries(db, who.principal),
                  totals=services.contract_totals(db, who.principal), form=form or {}, errors=errors or [],
                  **_common(who, db))


@router.get("/officer/exports")
def officer_view(request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return _not_found(request, who)
    return _officer_page(request, who, db)


@router.post("/officer/exports")
def register(form: PostedForm, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    if not who.principal.is_officer:
        return _not_found(request, who)
    raw: dict[str, Any] = {k: _field(form, k) for k in INQUIRY_FIELDS}
    certs = [str(c) for c in form.getlist("required")]
    try:
        with db.begin_nested():
            row = services.register_inquiry(db, who.principal, {**raw, "required": certs})
    except DomainError as e:
        return _officer_page(request, who, db, errors=problems_of(e), form={**raw, "required": ",".join(certs)},
                             status=422)
    return see_other(f"/officer/exports/inquiries/{row.id}", "flash.action_done")


@router.get("/officer/exports/inquiries/{inquiry_id}")
def inquiry_page(inquiry_id: PathId, request: Request, who: CurrentActor, db: DB) -> Response:
    if who.principal is None:
        return login_redirect(request)
    try:
        inquiry = services.get_inquiry(db, who.principal, inquiry_id)
    except DomainError:
        return _not_found(request, who)
    return render(request, who, "exports/inquiry.html", inquiry=inquiry,
                  offers=services.offers_of_inquiry(db, inquiry.id), **_common(who, db))
