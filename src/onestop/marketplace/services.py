"""Marketplace use cases, one per function: register a large company as an asset owner, list an
asset (with photos), search, request, accept or decline, sign the e-agreement that records the
transfer or lease, and the figures officers count. Every change is in the audit chain (subjects
`listing:<id>` and `asset_request:<id>`) and told to the other side (in the app and by email).

Who sees what: open listings are public; a closed or withdrawn listing, a request and its
agreement are seen only by the owner organisation's members and the requesting firm's members
(and the platform administrator); anyone else gets "not found".
"""

from __future__ import annotations

import hashlib
import html
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onestop.accounts.model import FirmRole, Principal, Role
from onestop.accounts.tables import MembershipRow
from onestop.alerts import outbox
from onestop.applications.documents import DocumentStore, check_size, safe_filename, sniff
from onestop.audit import services as audit
from onestop.errors import DomainError
from onestop.firms import facts
from onestop.firms.services import profile_of
from onestop.firms.tables import FirmRow
from onestop.korea import regions
from onestop.korea.dates import KST
from onestop.korea.hangul import josa
from onestop.korea.money import format_won, format_won_en
from onestop.korea.sme_size import NON_SME
from onestop.marketplace import model
from onestop.marketplace.model import (
    KIND_NAMES,
    MAX_PHOTOS,
    TERMS_NAMES,
    ListingFacts,
    ListingState,
    RequestState,
)
from onestop.marketplace.search import Doc, Filters, ListingIndex, Result, terms_of
from onestop.marketplace.tables import AssetOwnerRow, DealAgreementRow, ListingRow, PhotoRow, RequestRow
from onestop.outcomes.services import record_outcome
from onestop.platform.db import utcnow

LISTING_NOT_FOUND = DomainError(code="not_found", field="listing_id", ko="자산을 찾을 수 없습니다.", en="Asset not found.")
REQUEST_NOT_FOUND = DomainError(code="not_found", field="request_id", ko="신청을 찾을 수 없습니다.", en="Request not found.")
PHOTO_TYPES = ("image/png", "image/jpeg")
#: the catalog program (and its agency) agreed deals count towards as outcomes (KPI actuals)
PROGRAM_ID, AGENCY_ID = "fki-idle-asset-marketplace", "fki-sme"


def today_kst() -> date:
    return utcnow().astimezone(KST).date()


def _audit(db: Session, who: Principal, action: str, subject: str, **data: Any) -> None:
    audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action=f"market.{action}", subject=subject,
                 data=data)


def _members(db: Session, firm_id: int) -> list[int]:
    return list(db.scalars(select(MembershipRow.user_id).where(MembershipRow.firm_id == firm_id)))


def firm_name(db: Session, firm_id: int) -> str:
    return db.scalar(select(FirmRow.name).where(FirmRow.id == firm_id)) or ""


# --- owner organisations ---------------------------------------------------------------------

def owner_of(db: Session, firm_id: int) -> AssetOwnerRow | None:
    return db.get(AssetOwnerRow, firm_id)


def owner_firms(db: Session, who: Principal) -> list[AssetOwnerRow]:
    """The asset-owner organisations `who` belongs to."""
    if not who.firms:
        return []
    return list(db.scalars(select(AssetOwnerRow).where(AssetOwnerRow.firm_id.in_(list(who.firms)))
                           .order_by(AssetOwnerRow.firm_id)))


def register_owner(db: Session, who: Principal, firm_id: int) -> AssetOwnerRow:
    """Register a firm record as a large-company asset owner. Only its owners may, and only for a
    firm the size rules in force find is not an SME (공시대상기업집단 소속, 자산총액 5,000억 이상, or
    revenue over its industry's ceiling): the marketplace is large companies' idle assets for SMEs."""
    if firm_id not in who.firms:
        raise DomainError(code="not_found", field="firm_id", ko="기업을 찾을 수 없습니다.", en="Firm not found.")
    if who.firms[firm_id] != FirmRole.owner:
        raise DomainError(code="forbidden", field="firm_id", ko="기업의 대표 관리자(소유자)만 자산 보유 기관으로 등록할 수 있습니다.",
                          en="Only the firm's owners can register it as an asset owner.")
    who.require_confirmed("자산 보유 기관 등록", "register an asset owner")
    found = owner_of(db, firm_id)
    if found is not None:
        return found
    row = db.get(FirmRow, firm_id)
    assert row is not None
    size = facts.size_of(profile_of(row), today_kst())
    if size.size_class != NON_SME:
        why_ko = " ".join(r.ko for r in size.reasons) or "규모 정보(매출액·자산총액·기업집단 소속)가 부족합니다."
        why_en = " ".join(r.en for r in size.reasons) or "Its size facts (revenue, total assets, group membership) are missing."
        raise DomainError(code="not_large_company", field="firm_id",
                          ko=f"{josa(row.name, '은')} 중소기업 범위를 넘는 기업(대기업·중견기업)으로 확인되지 않아 자산 보유 기관으로 "
                             f"등록할 수 없습니다. {why_ko} 기업 정보에 자산총액이나 공시대상기업집단 소속을 적어 주세요.",
                          en=f"{row.name} is not shown to be beyond the SME range (a large or mid-sized company), so it "
                             f"cannot register as an asset owner. {why_en} State its total assets or its membership "
                             "of a disclosed business group in the firm's profile.")
    owner = AssetOwnerRow(firm_id=firm_id, org_type="large_company", registered_by=who.user_id,
                          basis={"size_class": size.size_class, "parameters": size.parameters_version,
                                 "reasons": [{"ko": r.ko, "en": r.en} for r in size.reasons]})
    db.add(owner)
    db.flush()
    _audit(db, who, "owner.register", f"market_owner:{firm_id}", firm_id=firm_id,
           parameters=size.parameters_version)
    return owner


# --- listings --------------------------------------------------------------------------------

def listing_terms(data: model.ListingInput) -> str:
    region_name = regions.name_of(data.region)
    kind_ko, kind_en = KIND_NAMES[data.kind.value]
    return " ".join(terms_of(f"{data.title}\n{data.description}\n{kind_ko} {kind_en}\n{region_name}"))


def region_code(value: str) -> str:
    return regions.normalize_region(value, field="region")


def create_listing(db: Session, who: Principal, firm_id: int, raw: dict[str, str]) -> ListingRow:
    """List an asset for an owner organisation `who` belongs to (owner or staff)."""
    if firm_id not in who.firms or owner_of(db, firm_id) is None:
        raise DomainError(code="not_found", field="firm_id", ko="자산 보유 기관을 찾을 수 없습니다.",
                          en="Asset owner organisation not found.")
    data = model.parse_listing(raw, today_kst(), region_code)
    row = ListingRow(owner_firm_id=firm_id, kind=data.kind.value, title=data.title, description=data.description,
                     region=data.region, terms=data.terms.value, price_won=data.price_won,
                     available_from=data.available_from, available_until=data.available_until,
                     patent_number=data.patent_number, state=ListingState.open.value,
                     search_terms=listing_terms(data), created_by=who.user_id)
    db.add(row)
    db.flush()
    _audit(db, who, "listing.create", f"listing:{row.id}", firm_id=firm_id, kind=row.kind, terms=row.terms,
           price_won=row.price_won, patent_number=row.patent_number)
    return row


def _can_manage(who: Principal, row: ListingRow) -> bool:
    return row.owner_firm_id in who.firms


def get_listing(db: Session, who: Principal | None, listing_id: int) -> ListingRow:
    """An open listing for anyone; a closed or withdrawn one for its owner's members, the firms
    that asked for it, and the administrator."""
    row = db.get(ListingRow, listing_id)
    if row is None:
        raise LISTING_NOT_FOUND
    if row.state == ListingState.open.value:
        return row
    if who is None:
        raise LISTING_NOT_FOUND
    if who.role == Role.admin or _can_manage(who, row):
        return row
    asked = db.scalar(select(func.count()).select_from(RequestRow).where(
        RequestRow.listing_id == listing_id, RequestRow.firm_id.in_(list(who.firms) or [-1])))
    if asked:
        return row
    raise LISTING_NOT_FOUND


def withdraw_listing(db: Session, who: Principal, listing_id: int) -> ListingRow:
    """Take an open listing down; its open requests are declined with that reason."""
    row = get_listing(db, who, listing_id)
    if not _can_manage(who, row):
        raise LISTING_NOT_FOUND
    db.refresh(row, with_for_update=True)
    if row.state != ListingState.open.value:
        ko, en = model.LISTING_STATE_NAMES[row.state]
        raise DomainError(code="illegal_transition", field="listing_id", ko=f"'{ko}' 상태의 자산은 게시를 중단할 수 없습니다.",
                          en=f"A listing that is {en.lower()} cannot be withdrawn.")
    row.state = ListingState.withdrawn.value
    for req in _open_requests(db, row.id):
        _close_request(db, who, req, "게시 중단", "The owner withdrew the listing")
    _audit(db, who, "listing.withdraw", f"listing:{row.id}", firm_id=row.owner_firm_id)
    return row


def listings_of_owner(db: Session, who: Principal, firm_id: int) -> list[ListingRow]:
    if firm_id not in who.firms:
        return []
    return list(db.scalars(select(ListingRow).where(ListingRow.owner_firm_id == firm_id).order_by(ListingRow.id.desc())))


def add_photo(db: Session, who: Principal, store: DocumentStore, listing_id: int, filename: str, data: bytes) -> PhotoRow:
    """A PNG or JPEG photo (sniffed from its bytes and decoded, as uploads are), at most six."""
    row = get_listing(db, who, listing_id)
    if not _can_manage(who, row):
        raise LISTING_NOT_FOUND
    count = db.scalar(select(func.count()).select_from(PhotoRow).where(PhotoRow.listing_id == listing_id)) or 0
    if count >= MAX_PHOTOS:
        raise DomainError(code="photo_count", field="file", ko=f"사진은 자산마다 {MAX_PHOTOS}장까지 올릴 수 있습니다.",
                          en=f"A listing takes at most {MAX_PHOTOS} photos.")
    check_size(len(data))
    kind = sniff(data)
    if kind.content_type not in PHOTO_TYPES:
        raise DomainError(code="photo_type", field="file",
                          ko=f"사진은 PNG나 JPEG 이미지만 올릴 수 있습니다 (올린 파일: {kind.label}).",
                          en=f"Photos must be PNG or JPEG images (this file is {kind.label}).")
    digest = store.put(data)
    photo = PhotoRow(listing_id=listing_id, sha256=digest, content_type=kind.content_type, size=len(data),
                     filename=safe_filename(filename, kind, fallback="photo"), uploaded_by=who.user_id)
    db.add(photo)
    db.flush()
    _audit(db, who, "listing.photo", f"listing:{listing_id}", sha256=digest, size=len(data))
    return photo


def photos(db: Session, listing_id: int) -> list[PhotoRow]:
    return list(db.scalars(select(PhotoRow).where(PhotoRow.listing_id == listing_id).order_by(PhotoRow.id)))


def open_photo(db: Session, who: Principal | None, store: DocumentStore, listing_id: int,
               photo_id: int) -> tuple[PhotoRow, bytes]:
    get_listing(db, who, listing_id)
    photo = db.get(PhotoRow, photo_id)
    if photo is None or photo.listing_id != listing_id:
        raise LISTING_NOT_FOUND
    return photo, store.get(photo.sha256)


# --- search ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    kinds: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    terms_kinds: frozenset[str] = frozenset()
    max_price: int | None = None
    page: int = 1


PAGE_SIZE = 20
_index_lock = threading.Lock()
_index: dict[str, tuple[tuple[Any, ...], ListingIndex]] = {}


def _stamp(db: Session) -> tuple[Any, ...]:
    """Changes whenever a listing is added or changes (every change sets its `updated_at`), and
    each day (availability ends): two index lookups, not a scan of the listings."""
    # two scalar subqueries: SQLite reads a max from its index only when it is the query's one aggregate
    top, changed = db.execute(select(select(func.max(ListingRow.id)).scalar_subquery(),
                                     select(func.max(ListingRow.updated_at)).scalar_subquery())).one()
    return (top, changed, today_kst())


#: up to this many indexed listings a change is indexed before the next search answers (under half
#: a second); above it, searches keep using the previous index while one thread rebuilds it
SYNC_REBUILD_MAX = 5000
_rebuilding: set[str] = set()


def _build(db: Session) -> ListingIndex:
    rows = db.execute(select(ListingRow.id, ListingRow.kind, ListingRow.region, ListingRow.terms, ListingRow.price_won,
                             ListingRow.search_terms, ListingRow.available_until)
                      .where(ListingRow.state == ListingState.open.value))
    today = today_kst()
    return ListingIndex(Doc(r.id, r.kind, r.region, r.terms, r.price_won, r.search_terms.split())
                        for r in rows if r.available_until is None or r.available_until >= today)


def _rebuild(engine: Any, key: str) -> None:
    try:
        with Session(engine) as db:
            stamp = _stamp(db)
            built = _build(db)
        with _index_lock:
            _index[key] = (stamp, built)
    finally:
        with _index_lock:
            _rebuilding.discard(key)


def index(db: Session) -> ListingIndex:
    """The search index over open listings, rebuilt from their stored terms when listings change
    (per process and database). A large index (over `SYNC_REBUILD_MAX` listings, about ten seconds
    to rebuild at 100,000) is rebuilt in the background while searches use the previous one; a
    listing closed or withdrawn meanwhile is still left out (`search` reads each hit's row), a new
    one shows once the rebuild ends."""
    key = str(db.get_bind().engine.url)
    stamp = _stamp(db)
    with _index_lock:
        found = _index.get(key)
        if found is not None and found[0] == stamp:
            return found[1]
        background = found is not None and found[1].n > SYNC_REBUILD_MAX
        if background and key not in _rebuilding:
            _rebuilding.add(key)
            threading.Thread(target=_rebuild, args=(db.get_bind().engine, key), daemon=True,
                             name="marketplace-index").start()
    if found is not None and background:
        return found[1]
    built = _build(db)
    with _index_lock:
        _index[key] = (stamp, built)
    return built


def search(db: Session, q: SearchQuery) -> tuple[Result, list[ListingRow]]:
    """Open listings for a Korean query and filters, best first, one page."""
    idx = index(db)
    result = idx.search(terms_of(q.text) if q.text else [],
                        Filters(kinds=q.kinds, regions=q.regions, terms_kinds=q.terms_kinds, max_price=q.max_price),
                        limit=PAGE_SIZE, offset=(max(1, q.page) - 1) * PAGE_SIZE)
    ids = [h.id for h in result.hits]
    today = today_kst()
    # the index may be a moment behind (see `index`): a listing no longer open is left out
    rows = {r.id: r for r in db.scalars(select(ListingRow).where(ListingRow.id.in_(ids))) if r.state == "open"
            and (r.available_until is None or r.available_until >= today)} if ids else {}
    return result, [rows[i] for i in ids if i in rows]


def parse_filters(region: str = "", max_price: str = "") -> tuple[frozenset[str], int | None]:
    """The region and price filters as typed; raises `DomainError` naming the field."""
    from onestop.text import identifier, whole_number

    regions_found: frozenset[str] = frozenset()
    if identifier(region):
        regions_found = frozenset({regions.normalize_region(region, field="region")})
    price = None
    if identifier(max_price):
        price = whole_number(max_price.removesuffix("원").strip())
        if price is None or price < 0:
            raise DomainError(code="max_price", field="max_price",
                              ko=f"최대 가격은 0 이상의 정수(원)로 적어 주세요. 예: 5,000,000 (입력값: {max_price})",
                              en=f"Enter the maximum price in whole won, 0 or more, e.g. 5,000,000 (got: {max_price}).")
    return regions_found, price


# --- requests --------------------------------------------------------------------------------

def _open_requests(db: Session, listing_id: int) -> list[RequestRow]:
    return list(db.scalars(select(RequestRow).where(RequestRow.listing_id == listing_id,
                                                    RequestRow.state.in_(model.OPEN_REQUEST_STATES))))


def request_listing(db: Session, who: Principal, listing_id: int, firm_id: int, raw: dict[str, str]) -> RequestRow:
    """An SME asks for an open listing with a purpose and the dates it wants. Refused: a firm
    `who` does not belong to (not found), the owner organisation itself, a second open request
    from the same firm, and a listing no longer available."""
    who.require_firm_account("자산 신청", "request an asset")
    who.require_confirmed("자산 신청", "request an asset")
    if firm_id not in who.firms:
        raise DomainError(code="not_found", field="firm_id", ko="기업을 찾을 수 없습니다.", en="Firm not found.")
    row = db.get(ListingRow, listing_id)
    if row is None:
        raise LISTING_NOT_FOUND
    db.refresh(row, with_for_update=True)  # one decision at a time per listing
    if row.owner_firm_id == firm_id:
        raise DomainError(code="own_listing", field="firm_id", ko="자기 기관이 올린 자산은 신청할 수 없습니다.",
                          en="An organisation cannot request its own asset.")
    if row.state == ListingState.open.value and any(r.firm_id == firm_id for r in _open_requests(db, listing_id)):
        raise DomainError(code="duplicate_request", field="purpose",
                          ko="이 기업은 이미 이 자산을 신청했습니다. '내 자산 신청'에서 진행 상황을 확인하세요.",
                          en="This firm has already requested this asset; follow it under 'My asset requests'.")
    data = model.parse_request(raw, ListingFacts(row.state, row.terms, row.available_from, row.available_until),
                               today_kst())
    req = RequestRow(listing_id=listing_id, firm_id=firm_id, purpose=data.purpose, wanted_from=data.wanted_from,
                     wanted_until=data.wanted_until, state=RequestState.requested.value, requested_by=who.user_id)
    db.add(req)
    db.flush()
    _audit(db, who, "request.create", f"asset_request:{req.id}", listing_id=listing_id, firm_id=firm_id,
           owner_firm_id=row.owner_firm_id)
    requester = firm_name(db, firm_id)
    outbox.notify(db, _members(db, row.owner_firm_id), "market_request",
                  f"{requester}에서 '{row.title}' 자산을 신청했습니다.", f"{requester} requested '{row.title}'.",
                  f"/marketplace/requests/{req.id}", {"request": req.id})
    return req


def _side(db: Session, who: Principal, req: RequestRow) -> tuple[str, ListingRow]:
    """"owner", "requester" or "admin" for someone who may see the request; not found otherwise."""
    listing = db.get(ListingRow, req.listing_id)
    assert listing is not None
    if listing.owner_firm_id in who.firms:
        return "owner", listing
    if req.firm_id in who.firms:
        return "requester", listing
    if who.role == Role.admin:
        return "admin", listing
    raise REQUEST_NOT_FOUND


def get_request(db: Session, who: Principal, request_id: int) -> tuple[RequestRow, ListingRow, str]:
    req = db.get(RequestRow, request_id)
    if req is None:
        raise REQUEST_NOT_FOUND
    side, listing = _side(db, who, req)
    return req, listing, side


def requests_of_firms(db: Session, who: Principal) -> list[RequestRow]:
    """The requests `who`'s firms made."""
    if not who.firms:
        return []
    return list(db.scalars(select(RequestRow).where(RequestRow.firm_id.in_(list(who.firms)))
                           .order_by(RequestRow.id.desc())))


def requests_to_owner(db: Session, who: Principal, firm_id: int) -> list[RequestRow]:
    """The requests for an owner organisation's listings, open ones first."""
    if firm_id not in who.firms:
        return []
    rows = db.scalars(select(RequestRow).join(ListingRow, ListingRow.id == RequestRow.listing_id)
                      .where(ListingRow.owner_firm_id == firm_id).order_by(RequestRow.id.desc()))
    return sorted(rows, key=lambda r: r.state not in model.OPEN_REQUEST_STATES)


def _check_version(req: RequestRow, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != req.version:
        raise DomainError(code="conflict", field="version",
                          ko="다른 사람이 먼저 이 신청을 처리했습니다. 새로 고친 화면을 확인하세요.",
                          en="Someone else acted on this request first; look at the refreshed page.")


def _close_request(db: Session, who: Principal, req: RequestRow, reason_ko: str, reason_en: str) -> None:
    req.state = RequestState.declined.value
    req.reason = f"{reason_ko} / {reason_en}"
    req.decided_by = who.user_id
    req.decided_at = utcnow()
    _audit(db, who, "request.decline", f"asset_request:{req.id}", listing_id=req.listing_id, reason=req.reason,
           automatic=True)
    outbox.notify(db, _members(db, req.firm_id), "market_declined", f"자산 신청 #{req.id}이 종료되었습니다: {reason_ko}",
                  f"Asset request #{req.id} was closed: {reason_en}", f"/marketplace/requests/{req.id}",
                  {"request": req.id})


def decide(db: Session, who: Principal, request_id: int, action: str, reason: str = "",
           expected_version: int | None = None) -> RequestRow:
    """The owner accepts (an e-agreement is written for both sides to sign) or declines with a
    reason; the requesting firm withdraws. Anyone else: not found, or told what they may do."""
    req, listing, side = get_request(db, who, request_id)
    db.refresh(listing, with_for_update=True)
    db.refresh(req)
    _check_version(req, expected_version)
    if action == "accept" and listing.state != ListingState.open.value:
        raise DomainError(code="listing_unavailable", field="action",
                          ko="이 자산은 이미 다른 기업과 약정했거나 게시가 중단되어 수락할 수 없습니다.",
                          en="This asset is already agreed with another firm or withdrawn; it cannot be accepted.")
    target = model.move(req.state, action, side)
    if action == "decline":
        req.reason = model.check_reason(reason)
    req.state = target.value
    req.decided_by = who.user_id
    req.decided_at = utcnow()
    _audit(db, who, f"request.{action}", f"asset_request:{req.id}", listing_id=listing.id, state=req.state,
           reason=req.reason)
    if action == "accept":
        _prepare_agreement(db, req, listing)
    notify_to = listing.owner_firm_id if side == "requester" else req.firm_id
    names = {"accept": ("수락되었습니다. 전자약정서에 서명하세요", "was accepted; sign the e-agreement"),
             "decline": ("거절되었습니다", "was declined"), "withdraw": ("신청 기업이 취소했습니다", "was withdrawn by the firm")}
    ko, en = names[action]
    outbox.notify(db, _members(db, notify_to), f"market_{action}", f"자산 신청 #{req.id} ('{listing.title}'): {ko}.",
                  f"Asset request #{req.id} ('{listing.title}') {en}.", f"/marketplace/requests/{req.id}",
                  {"request": req.id})
    db.flush()
    return req


# --- the e-agreement ---------------------------------------------------------------------------

def _prepare_agreement(db: Session, req: RequestRow, listing: ListingRow) -> DealAgreementRow:
    owner = db.get(FirmRow, listing.owner_firm_id)
    firm = db.get(FirmRow, req.firm_id)
    assert owner is not None and firm is not None
    terms = {
        "request": req.id,
        "listing": listing.id,
        "asset": {"kind": listing.kind, "title": listing.title, "patent_number": listing.patent_number,
                  "region": listing.region},
        "owner": {"name": owner.name, "brn": owner.brn},
        "firm": {"name": firm.name, "brn": firm.brn},
        "terms": listing.terms,
        "price_won": listing.price_won,
        "from": req.wanted_from.isoformat(),
        "until": req.wanted_until.isoformat() if req.wanted_until else None,
        "purpose": req.purpose,
        "prepared_on": today_kst().isoformat(),
    }
    document = render_agreement(terms)
    row = DealAgreementRow(request_id=req.id, terms=terms, document=document,
                           document_sha256=hashlib.sha256(document.encode()).hexdigest())
    db.add(row)
    db.flush()
    return row


def render_agreement(terms: dict[str, Any]) -> str:
    """The agreement as an HTML document (Korean and English); its SHA-256 is what each side signs."""
    e = html.escape
    kind_ko, kind_en = KIND_NAMES[terms["asset"]["kind"]]
    t_ko, t_en = TERMS_NAMES[terms["terms"]]
    price = int(terms["price_won"])
    price_text = "무상 / Free" if terms["terms"] == "free" else (
        f"{format_won(price)} / {format_won_en(price)}" + (" (월 / a month)" if terms["terms"] == "lease" else ""))
    what_ko = "임대" if terms["terms"] == "lease" else "양도·사용"
    rows = [("자산 / Asset", f"{terms['asset']['title']} ({kind_ko} / {kind_en})")]
    if terms["asset"].get("patent_number"):
        rows.append(("특허 등록번호 / Patent", terms["asset"]["patent_number"]))
    rows += [("소재지 / Location", f"{regions.name_of(terms['asset']['region'])} / {regions.name_en(terms['asset']['region'])}"),
             ("제공 기관 / Owner", f"{terms['owner']['name']} ({terms['owner']['brn'] or '-'})"),
             ("이용 기업 / Firm", f"{terms['firm']['name']} ({terms['firm']['brn'] or '-'})"),
             ("조건 / Terms", f"{t_ko} / {t_en}"),
             ("금액 / Amount", price_text),
             ("기간 / Period", f"{terms['from']} ~ {terms['until'] or '(기한 없음 / open-ended)'}"),
             ("활용 목적 / Purpose", terms["purpose"]),
             ("작성일 / Prepared", terms["prepared_on"])]
    body = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in rows)
    return (f"<article class=\"agreement\"><h2>자산 {what_ko} 전자약정서 · Asset e-agreement (신청 #{terms['request']})</h2>"
            f"<table>{body}</table><p>양 당사자는 위 조건에 동의합니다. / Both parties agree to the terms above.</p></article>")


def agreement_of(db: Session, request_id: int) -> DealAgreementRow | None:
    return db.scalar(select(DealAgreementRow).where(DealAgreementRow.request_id == request_id))


def sign(db: Session, who: Principal, request_id: int, document_sha256: str, ip: str,
         expected_version: int | None = None) -> DealAgreementRow:
    """Each side's owner (authorised person) signs the document they saw; when both have, the
    deal is agreed: the listing closes, its other requests are declined, and it counts."""
    req, listing, side = get_request(db, who, request_id)
    if side == "admin":
        raise DomainError(code="forbidden", field="document_sha256", ko="약정 당사자 기업의 대표 관리자만 서명할 수 있습니다.",
                          en="Only an owner of one of the two firms can sign.")
    firm_id = listing.owner_firm_id if side == "owner" else req.firm_id
    if who.firms.get(firm_id) != FirmRole.owner:
        raise DomainError(code="forbidden", field="document_sha256",
                          ko="기업의 대표 관리자(소유자)만 전자약정서에 서명할 수 있습니다.",
                          en="Only the firm's owner (authorised person) can sign the agreement.")
    who.require_confirmed("전자약정 서명", "sign the e-agreement")
    db.refresh(listing, with_for_update=True)
    db.refresh(req)
    _check_version(req, expected_version)
    agreement = agreement_of(db, request_id)
    if agreement is None or req.state != RequestState.accepted.value:
        raise DomainError(code="agreement_state", field="document_sha256", ko="서명할 약정서가 없습니다 (수락된 신청만 약정합니다).",
                          en="There is no agreement to sign (only an accepted request has one).")
    if document_sha256 != agreement.document_sha256:
        raise DomainError(code="agreement_changed", field="document_sha256",
                          ko="보신 약정서가 현재 약정서와 다릅니다. 새로 고쳐 다시 읽고 서명하세요.",
                          en="The agreement you saw is not the current one; reload, read it and sign again.")
    signed_at = agreement.owner_signed_at if side == "owner" else agreement.requester_signed_at
    if signed_at is not None:
        raise DomainError(code="agreement_state", field="document_sha256", ko="이미 서명했습니다. 상대 기업의 서명을 기다리는 중입니다.",
                          en="You have already signed; waiting for the other firm.")
    if side == "owner":
        agreement.owner_signed_by, agreement.owner_signed_at, agreement.owner_signer_ip = who.user_id, utcnow(), ip[:64]
    else:
        agreement.requester_signed_by, agreement.requester_signed_at = who.user_id, utcnow()
        agreement.requester_signer_ip = ip[:64]
    _audit(db, who, "agreement.sign", f"asset_request:{req.id}", side=side, document_sha256=document_sha256)
    other = req.firm_id if side == "owner" else listing.owner_firm_id
    if agreement.owner_signed_at is not None and agreement.requester_signed_at is not None:
        model.move(req.state, "agree", side)
        req.state = RequestState.agreed.value
        listing.state = ListingState.closed.value
        for rest in _open_requests(db, listing.id):
            if rest.id != req.id:
                _close_request(db, who, rest, "다른 기업과 약정되었습니다", "The asset was agreed with another firm")
        _audit(db, who, "deal.agreed", f"listing:{listing.id}", request_id=req.id, firm_id=req.firm_id,
               owner_firm_id=listing.owner_firm_id, terms=listing.terms, price_won=listing.price_won,
               document_sha256=agreement.document_sha256)
        value = model.deal_value(listing.terms, listing.price_won, req.wanted_from, req.wanted_until)
        record_outcome(db, "asset_deal", req.id, req.firm_id, PROGRAM_ID, AGENCY_ID,
                       {"asset_deals": 1, "asset_deal_won": value}, today_kst())
        for firm in (req.firm_id, listing.owner_firm_id):
            outbox.notify(db, _members(db, firm), "market_agreed", f"자산 약정 체결: '{listing.title}' (신청 #{req.id})",
                          f"Asset agreement concluded: '{listing.title}' (request #{req.id})",
                          f"/marketplace/requests/{req.id}", {"request": req.id})
    else:
        outbox.notify(db, _members(db, other), "market_signed", f"자산 신청 #{req.id}: 상대 기업이 약정서에 서명했습니다. 서명해 주세요.",
                      f"Asset request #{req.id}: the other firm signed the agreement; please sign.",
                      f"/marketplace/requests/{req.id}", {"request": req.id})
    db.flush()
    return agreement


# --- figures -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class KindFigures:
    kind: str
    listed: int
    open: int
    requests: int
    deals: int
    #: won agreed: sale prices, and for leases the monthly rent times the months agreed
    value_won: int


def figures(db: Session, year: int | None = None) -> list[KindFigures]:
    """Per kind: listings, open listings, requests, agreed deals and their value — the
    marketplace's outcome counts for officers (issue 13: listings and deals counted)."""
    out = []
    for kind in model.AssetKind:
        listed = db.scalar(select(func.count()).select_from(ListingRow).where(ListingRow.kind == kind.value)) or 0
        still = db.scalar(select(func.count()).select_from(ListingRow).where(
            ListingRow.kind == kind.value, ListingRow.state == ListingState.open.value)) or 0
        reqs = list(db.execute(select(RequestRow.state, RequestRow.wanted_from, RequestRow.wanted_until,
                                      ListingRow.terms, ListingRow.price_won, RequestRow.decided_at)
                               .join(ListingRow, ListingRow.id == RequestRow.listing_id)
                               .where(ListingRow.kind == kind.value)))
        deals = [r for r in reqs if r.state == RequestState.agreed.value
                 and (year is None or (r.decided_at is not None and r.decided_at.astimezone(KST).year == year))]
        value = sum(model.deal_value(r.terms, r.price_won, r.wanted_from, r.wanted_until) for r in deals)
        out.append(KindFigures(kind.value, listed, still, len(reqs), len(deals), value))
    return out

