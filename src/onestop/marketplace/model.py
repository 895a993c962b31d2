"""The idle-asset marketplace's rules (seed 003: 전경련중소기업협력센터's online marketplace where large
companies offer idle patents, production equipment, research instruments and office space that
SMEs use free or cheaply). Plain Python: what a listing is, how its fields are checked, and how a
request moves from asked to agreed.

A listing's request moves: requested → accepted (the owner agrees; an e-agreement is written) →
agreed (both sides signed: the transfer or lease is recorded and the listing closes), or
requested → declined (by the owner, with a reason) or withdrawn (by the requesting firm). When
one request is agreed, the listing's other open requests are declined ("다른 기업과 약정").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from onestop.errors import DomainError, FieldProblem
from onestop.korea.hangul import josa
from onestop.korea.money import MAX_WON
from onestop.text import identifier, text, whole_number


class AssetKind(StrEnum):
    patent = "patent"
    equipment = "equipment"
    instrument = "instrument"
    space = "space"


KIND_NAMES: dict[str, tuple[str, str]] = {
    "patent": ("특허", "Patent"),
    "equipment": ("생산 설비", "Production equipment"),
    "instrument": ("연구 장비", "Research instrument"),
    "space": ("사무·공간", "Office space"),
}


class TermsKind(StrEnum):
    free = "free"
    price = "price"
    lease = "lease"


TERMS_NAMES: dict[str, tuple[str, str]] = {
    "free": ("무상 양도·사용", "Free"),
    "price": ("유상 양도 (가격)", "For a price"),
    "lease": ("임대 (월 임대료)", "Lease (monthly rent)"),
}


class ListingState(StrEnum):
    open = "open"
    closed = "closed"
    withdrawn = "withdrawn"


LISTING_STATE_NAMES: dict[str, tuple[str, str]] = {
    "open": ("신청 가능", "Open"),
    "closed": ("약정 완료", "Agreed with a firm"),
    "withdrawn": ("게시 중단", "Withdrawn"),
}


class RequestState(StrEnum):
    requested = "requested"
    accepted = "accepted"
    agreed = "agreed"
    declined = "declined"
    withdrawn = "withdrawn"


REQUEST_STATE_NAMES: dict[str, tuple[str, str]] = {
    "requested": ("검토 대기", "Awaiting the owner"),
    "accepted": ("수락 · 약정 서명 중", "Accepted · signing the agreement"),
    "agreed": ("약정 체결", "Agreed"),
    "declined": ("거절", "Declined"),
    "withdrawn": ("신청 취소", "Withdrawn"),
}

#: who may move a request, from which states, to which state
TRANSITIONS: dict[str, tuple[str, tuple[RequestState, ...], RequestState]] = {
    "accept": ("owner", (RequestState.requested,), RequestState.accepted),
    "decline": ("owner", (RequestState.requested, RequestState.accepted), RequestState.declined),
    "withdraw": ("requester", (RequestState.requested, RequestState.accepted), RequestState.withdrawn),
    "agree": ("both", (RequestState.accepted,), RequestState.agreed),
}

OPEN_REQUEST_STATES = (RequestState.requested.value, RequestState.accepted.value)

TITLE_MAX = 120
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 4000
PURPOSE_MIN = 10
PURPOSE_MAX = 2000
REASON_MAX = 500
#: the longest an asset may be offered for, and how far ahead its availability may start
MAX_AVAILABILITY_DAYS = 3660
MAX_PHOTOS = 6

# 특허청 numbers: 권리구분 (2 digits: 10 특허, 20 실용신안, 30 디자인, 40 상표) then, for a registration
# (등록번호), a 7-digit serial, optionally followed by "-0000" (자리값), also written "특허 제1253502호";
# an application (출원번호) has the year in between: 10-2011-0004891. Source: 김현승, "[김현승의 IP 쉽게
# 알기] 우리 주변의 지식재산 이야기", AVING 2019-06-10 (특허청 번호 체계), checked against KIPRIS's display.
_REGISTRATION = re.compile(r"(\d{2})-?(\d{7})(?:-?0000)?")
_APPLICATION = re.compile(r"(\d{2})-?((?:19|20)\d{2})-?(\d{7})")
_ORDINAL = re.compile(r"(?:특허)?\s*제?\s*(\d{7})\s*호?")
#: the region validator a caller passes in (korea.regions.normalize_region)
RegionCheck = Callable[[str], str]
_Fail = Callable[[str, str, str, str], None]

RIGHT_NAMES = {"10": ("특허", "a patent"), "20": ("실용신안", "a utility model"), "30": ("디자인", "a design"),
               "40": ("상표", "a trademark")}


def _patent_problem(given: str, ko: str, en: str) -> DomainError:
    return DomainError(code="patent_number", field="patent_number",
                       ko=f"특허 등록번호 {given!r}: {ko} 등록번호는 10-1234567 형식(권리구분 10, 일련번호 7자리)입니다.",
                       en=f"Patent registration number {given!r}: {en} A registration number reads 10-1234567 "
                          "(right code 10, then a 7-digit serial).")


def normalize_patent_number(value: str) -> str:
    """A Korean patent registration number (특허 등록번호) in its stored form `10-1234567`.

    Accepts `10-1234567`, `1012345670000`, `10-1234567-0000` and `특허 제1234567호` (NFKC first,
    so full-width digits count). Refuses an application number (출원번호 10-YYYY-NNNNNNN: not
    registered yet), another right (20 실용신안, 30 디자인, 40 상표) and anything else, naming the
    format allowed (Korean and English)."""
    given = identifier(value)
    compact = re.sub(r"\s+", "", given)
    if not compact:
        raise DomainError(code="patent_number_required", field="patent_number",
                          ko="특허는 등록번호가 필요합니다. 예: 10-1234567",
                          en="A patent needs its registration number, e.g. 10-1234567.")
    m = _APPLICATION.fullmatch(compact)
    if m and not _REGISTRATION.fullmatch(compact):
        raise _patent_problem(given, "출원번호(권리구분-연도-일련번호) 형식입니다. 등록된 특허만 올릴 수 있습니다.",
                              "this is an application number (right-year-serial); only a registered patent can be listed.")
    m = _REGISTRATION.fullmatch(compact)
    if m:
        right, serial = m.group(1), m.group(2)
        if right != "10":
            ko, en = RIGHT_NAMES.get(right, (f"권리구분 {right}", f"right code {right}"))
            raise _patent_problem(given, f"{josa(ko, '은')} 특허가 아닙니다(특허의 권리구분은 10).",
                                  f"{en} is not a patent (a patent's right code is 10).")
        return f"10-{serial}"
    m = _ORDINAL.fullmatch(given.replace(" ", "")) if given.replace(" ", "").startswith(("특허", "제")) else None
    if m:
        return f"10-{m.group(1)}"
    raise _patent_problem(given, "형식이 맞지 않습니다.", "the format is not recognised.")


@dataclass(frozen=True)
class ListingInput:
    """A listing's fields, checked and normalised."""

    kind: AssetKind
    title: str
    description: str
    region: str
    terms: TermsKind
    #: whole won: the sale price (`price`), the monthly rent (`lease`), 0 when free
    price_won: int
    available_from: date
    available_until: date | None
    patent_number: str | None


def parse_listing(raw: Mapping[str, str], today: date, region_check: RegionCheck) -> ListingInput:
    """Check a listing form (strings as typed). Every problem is named at once, next to its field,
    in Korean and English; raises `DomainError` with `problems`."""
    problems: list[FieldProblem] = []

    def fail(field: str, code: str, ko: str, en: str) -> None:
        problems.append(FieldProblem(field, code, ko, en))

    kind_raw = identifier(raw.get("kind", ""))
    kind = AssetKind(kind_raw) if kind_raw in AssetKind.__members__ else None
    if kind is None:
        fail("kind", "kind", "자산 종류를 고르세요: " + ", ".join(k for k, _ in KIND_NAMES.values()),
             "Choose the kind of asset: " + ", ".join(e.lower() for _, e in KIND_NAMES.values()))
    title = text(raw.get("title", ""))
    if not 2 <= len(title) <= TITLE_MAX:
        fail("title", "title", f"제목은 2~{TITLE_MAX}자로 적어 주세요 (지금 {len(title)}자).",
             f"Write a title of 2 to {TITLE_MAX} characters (now {len(title)}).")
    description = text(raw.get("description", ""))
    if not DESCRIPTION_MIN <= len(description) <= DESCRIPTION_MAX:
        fail("description", "description",
             f"설명은 {DESCRIPTION_MIN}~{DESCRIPTION_MAX:,}자로 적어 주세요 (지금 {len(description):,}자): 사양, 상태, 사용 조건 등.",
             f"Describe the asset in {DESCRIPTION_MIN} to {DESCRIPTION_MAX:,} characters (now {len(description):,}): "
             "specification, condition, conditions of use.")
    region = ""
    try:
        region = region_check(raw.get("region", ""))
    except DomainError as e:
        fail("region", e.code, e.ko, e.en)
    terms_raw = identifier(raw.get("terms", ""))
    terms = TermsKind(terms_raw) if terms_raw in TermsKind.__members__ else None
    if terms is None:
        fail("terms", "terms", "조건을 고르세요: 무상, 유상 양도(가격), 임대(월 임대료)",
             "Choose the terms: free, for a price, or a lease (monthly rent).")
    price = 0
    price_raw = raw.get("price_won", "").strip()
    if terms in (TermsKind.price, TermsKind.lease):
        amount = whole_number(price_raw.removesuffix("원").strip()) if price_raw else None
        what_ko, what_en = ("가격", "price") if terms == TermsKind.price else ("월 임대료", "monthly rent")
        if amount is None or not 1 <= amount <= MAX_WON:
            fail("price_won", "price_won",
                 f"{josa(what_ko, '은')} 1원 이상의 정수(원)로 적어 주세요. 예: 1,500,000 (입력값: {price_raw or '없음'})",
                 f"Enter the {what_en} in whole won, 1 or more, e.g. 1,500,000 (got: {price_raw or 'nothing'}).")
        else:
            price = amount
    elif terms == TermsKind.free and price_raw not in ("", "0"):
        fail("price_won", "price_free", "무상 조건에는 가격을 적지 않습니다. 가격을 받으려면 조건을 '유상 양도'나 '임대'로 고르세요.",
             "Free terms take no price; choose 'for a price' or 'lease' to charge.")
    start = _date(raw.get("available_from", ""), "available_from", "사용 가능 시작일", "available-from date", fail)
    end = _date(raw.get("available_until", ""), "available_until", "사용 가능 종료일", "available-until date", fail,
                optional=True)
    if start is not None:
        if start < today:
            fail("available_from", "available_from_past", f"사용 가능 시작일 {start}은 오늘({today}) 이후여야 합니다.",
                 f"The available-from date {start} must be today ({today}) or later.")
        elif (start - today).days > MAX_AVAILABILITY_DAYS:
            fail("available_from", "available_from_far", f"사용 가능 시작일은 {MAX_AVAILABILITY_DAYS:,}일 이내여야 합니다.",
                 f"The available-from date must be within {MAX_AVAILABILITY_DAYS:,} days.")
        if end is not None and end < start:
            fail("available_until", "available_until", f"사용 가능 종료일 {end}은 시작일 {start} 이후여야 합니다.",
                 f"The available-until date {end} must be on or after the available-from date {start}.")
        elif end is not None and (end - start).days > MAX_AVAILABILITY_DAYS:
            fail("available_until", "available_until_far", f"사용 가능 기간은 {MAX_AVAILABILITY_DAYS:,}일 이내여야 합니다.",
                 f"The availability may last at most {MAX_AVAILABILITY_DAYS:,} days.")
    patent: str | None = None
    if kind == AssetKind.patent:
        try:
            patent = normalize_patent_number(raw.get("patent_number", ""))
        except DomainError as e:
            fail("patent_number", e.code, e.ko, e.en)
        if terms == TermsKind.lease:
            fail("terms", "terms_patent_lease", "특허는 임대 대신 무상 또는 유상 양도(또는 실시권 설정을 가격으로)로 올려 주세요.",
                 "List a patent free or for a price (a licence as its price), not as a lease.")
    elif raw.get("patent_number", "").strip():
        fail("patent_number", "patent_number_kind", "특허 등록번호는 자산 종류가 '특허'일 때만 적습니다.",
             "A patent registration number belongs only to a listing of kind 'patent'.")
    if problems:
        first = problems[0]
        raise DomainError(code=first.code, field=first.field, ko=first.ko, en=first.en, problems=problems)
    assert kind is not None and terms is not None and start is not None
    return ListingInput(kind=kind, title=title, description=description, region=region, terms=terms, price_won=price,
                        available_from=start, available_until=end, patent_number=patent)


def _date(value: str, field: str, ko: str, en: str, fail: _Fail, optional: bool = False) -> date | None:
    value = identifier(value)
    if not value:
        if not optional:
            fail(field, f"{field}_required", f"{josa(ko, '을')} 입력하세요 (YYYY-MM-DD).", f"Enter the {en} (YYYY-MM-DD).")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(field, f"{field}_format", f"{ko} {value!r}는 YYYY-MM-DD 형식의 날짜여야 합니다.",
             f"The {en} {value!r} must be a date as YYYY-MM-DD.")
        return None


@dataclass(frozen=True)
class RequestInput:
    purpose: str
    wanted_from: date
    wanted_until: date | None


def parse_request(raw: Mapping[str, str], listing: ListingFacts, today: date) -> RequestInput:
    """Check an SME's request for a listing: the listing still open and available, a purpose
    (what the firm will use it for), and the dates wanted within the listing's availability (a
    lease needs an end date). Raises `DomainError` with every problem."""
    if listing.state != ListingState.open or (listing.available_until is not None and listing.available_until < today):
        raise DomainError(code="listing_unavailable", field="purpose",
                          ko="이 자산은 더 이상 신청할 수 없습니다 (약정 완료, 게시 중단 또는 사용 기간 종료). 다른 자산을 검색해 보세요.",
                          en="This asset can no longer be requested (agreed with a firm, withdrawn, or its "
                             "availability has ended). Search for another.")
    problems: list[FieldProblem] = []

    def fail(field: str, code: str, ko: str, en: str) -> None:
        problems.append(FieldProblem(field, code, ko, en))

    purpose = text(raw.get("purpose", ""))
    if not PURPOSE_MIN <= len(purpose) <= PURPOSE_MAX:
        fail("purpose", "purpose", f"활용 목적을 {PURPOSE_MIN}~{PURPOSE_MAX:,}자로 적어 주세요 (지금 {len(purpose):,}자): "
                                   "무엇에, 얼마나, 어디서 쓸지.",
             f"Describe your purpose in {PURPOSE_MIN} to {PURPOSE_MAX:,} characters (now {len(purpose):,}): what for, "
             "how much, where.")
    start = _date(raw.get("wanted_from", ""), "wanted_from", "희망 시작일", "wanted-from date", fail)
    end = _date(raw.get("wanted_until", ""), "wanted_until", "희망 종료일", "wanted-until date", fail,
                optional=listing.terms != TermsKind.lease)
    earliest = max(today, listing.available_from)
    if start is not None:
        if start < earliest:
            fail("wanted_from", "wanted_from_early", f"희망 시작일 {start}은 {earliest} 이후여야 합니다 (사용 가능 시작일·오늘).",
                 f"The wanted-from date {start} must be {earliest} or later (the asset's start and today).")
        if listing.available_until is not None and start > listing.available_until:
            fail("wanted_from", "wanted_from_late", f"희망 시작일 {start}은 사용 가능 종료일 {listing.available_until} 이전이어야 합니다.",
                 f"The wanted-from date {start} must be on or before the available-until date {listing.available_until}.")
        if end is not None and end < start:
            fail("wanted_until", "wanted_until", f"희망 종료일 {end}은 시작일 {start} 이후여야 합니다.",
                 f"The wanted-until date {end} must be on or after the wanted-from date {start}.")
        elif end is not None and listing.available_until is not None and end > listing.available_until:
            fail("wanted_until", "wanted_until_late", f"희망 종료일 {end}은 사용 가능 종료일 {listing.available_until} 이전이어야 합니다.",
                 f"The wanted-until date {end} must be on or before the available-until date {listing.available_until}.")
    if problems:
        first = problems[0]
        raise DomainError(code=first.code, field=first.field, ko=first.ko, en=first.en, problems=problems)
    assert start is not None
    return RequestInput(purpose=purpose, wanted_from=start, wanted_until=end)


@dataclass(frozen=True)
class ListingFacts:
    """What a request is checked against."""

    state: str
    terms: str
    available_from: date
    available_until: date | None


def move(state: str, action: str, side: str) -> RequestState:
    """The state a request moves to when `side` ("owner" or "requester") does `action`; raises
    `DomainError` naming the state and what may be done in it."""
    found = TRANSITIONS.get(action)
    current = RequestState(state)
    if found is None or (found[0] != "both" and found[0] != side) or current not in found[1]:
        ko, en = REQUEST_STATE_NAMES[current.value]
        allowed = [a for a, (who, states, _) in TRANSITIONS.items() if current in states and who in (side, "both")]
        names = {"accept": ("수락", "accept"), "decline": ("거절", "decline"), "withdraw": ("신청 취소", "withdraw"),
                 "agree": ("약정 서명", "sign the agreement")}
        return_ko = ", ".join(names[a][0] for a in allowed) or "없음"
        return_en = ", ".join(names[a][1] for a in allowed) or "nothing"
        raise DomainError(code="illegal_transition", field="action",
                          ko=f"'{ko}' 상태의 신청에는 할 수 없는 일입니다. 지금 할 수 있는 일: {return_ko}",
                          en=f"That cannot be done to a request that is {en.lower()}; what can be done now: {return_en}.")
    return found[2]


def check_reason(reason: str) -> str:
    """A decline needs a reason the requesting firm can read (1–500 characters)."""
    reason = text(reason)
    if not 2 <= len(reason) <= REASON_MAX:
        raise DomainError(code="reason", field="reason",
                          ko=f"거절 사유를 2~{REASON_MAX}자로 적어 주세요. 신청 기업에 그대로 전달됩니다.",
                          en=f"Give a reason of 2 to {REASON_MAX} characters; the requesting firm reads it as written.")
    return reason


def deal_value(terms: str, price_won: int, start: date, end: date | None) -> int:
    """A deal's value in won: the price; a lease's monthly rent times its months (a started month
    counts whole); free is 0."""
    if terms == "free":
        return 0
    if terms == "lease" and end is not None:
        months = (end.year - start.year) * 12 + end.month - start.month + (1 if end.day >= start.day else 0)
        return price_won * max(1, months)
    return price_won
