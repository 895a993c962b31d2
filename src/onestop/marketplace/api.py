"""Idle-asset marketplace endpoints: search the open listings, read one listing. The same
authorization as the pages: anyone reads an open listing; a closed or withdrawn one only its
owner's members, the firms that asked for it and the administrator (404 for anyone else)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from onestop.marketplace import model, services
from onestop.marketplace.tables import ListingRow
from onestop.platform.openapi import PROBLEM_RESPONSES
from onestop.platform.web import DB, CurrentActor, PathId, UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["marketplace"], responses=PROBLEM_RESPONSES, route_class=UnitOfWorkRoute)


class ListingOut(BaseModel):
    id: int
    kind: model.AssetKind
    kind_ko: str
    kind_en: str
    title: str
    description: str
    #: the 시도 or 시군구 code of where the asset is
    region: str
    owner: str
    terms: model.TermsKind
    #: the sale price, the monthly rent of a lease, 0 when free (won)
    price_won: int
    available_from: date
    available_until: date | None
    patent_number: str | None
    state: str


class ListingPage(BaseModel):
    total: int
    page: int
    page_size: int
    #: query words that no listing has
    unknown_terms: list[str]
    items: list[ListingOut]


def _out(db: DB, row: ListingRow) -> ListingOut:
    ko, en = model.KIND_NAMES[row.kind]
    return ListingOut(id=row.id, kind=model.AssetKind(row.kind), kind_ko=ko, kind_en=en, title=row.title,
                      description=row.description, region=row.region, owner=services.firm_name(db, row.owner_firm_id),
                      terms=model.TermsKind(row.terms), price_won=row.price_won, available_from=row.available_from,
                      available_until=row.available_until, patent_number=row.patent_number, state=row.state)


@router.get("/marketplace/listings", response_model=ListingPage,
            summary="Search the open idle-asset listings (Korean text, kind, region, terms, price)")
def search_listings(
    db: DB,
    q: Annotated[str, Query(max_length=200, description="Korean keywords (morphemes and bigrams)")] = "",
    kind: model.AssetKind | None = None,
    region: Annotated[str, Query(max_length=10, description="시도 or 시군구 code")] = "",
    terms: model.TermsKind | None = None,
    max_price: Annotated[str, Query(max_length=20, description="Most won (sale price or monthly rent)")] = "",
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> ListingPage:
    found_regions, price = services.parse_filters(region, max_price)
    query = services.SearchQuery(text=q, kinds=frozenset({kind.value}) if kind else frozenset(), regions=found_regions,
                                 terms_kinds=frozenset({terms.value}) if terms else frozenset(), max_price=price,
                                 page=page)
    result, rows = services.search(db, query)
    return ListingPage(total=result.total, page=page, page_size=services.PAGE_SIZE,
                       unknown_terms=result.unknown_terms, items=[_out(db, r) for r in rows])


@router.get("/marketplace/listings/{listing_id}", response_model=ListingOut, summary="One idle-asset listing")
def get_listing(listing_id: PathId, who: CurrentActor, db: DB) -> ListingOut:
    return _out(db, services.get_listing(db, who.principal, listing_id))
