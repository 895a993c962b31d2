"""Export use cases: a firm declares its products' HS codes; an officer registers a buyer's
inquiry, which is matched and sent to the best exporters; a firm answers (quote, samples) and
follows it up to a contract whose export amount (won and US$) is counted. One use case per function."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onestop.accounts.memberships import owners
from onestop.accounts.model import Principal, Role
from onestop.alerts.outbox import notify
from onestop.audit import services as audit
from onestop.errors import DomainError, FieldProblem
from onestop.exports import hs
from onestop.exports.model import (
    CERTIFICATIONS,
    COUNTRIES,
    Exporter,
    ExporterIndex,
    Inquiry,
    Match,
    check_contract,
    check_inquiry,
    match,
)
from onestop.exports.tables import ExporterProfileRow, InquiryOfferRow, InquiryRow
from onestop.firms.services import profile_of
from onestop.firms.tables import FirmRow
from onestop.korea.dates import KST
from onestop.outcomes.services import record_outcome
from onestop.platform.db import utcnow
from onestop.text import identifier, text

#: how many exporters an inquiry is sent to
INVITE = 5
MAX_CODES = 30
#: the catalog program the contracts of buyer-inquiry matching count towards (KPI actuals)
PROGRAM_ID = "kosmes-buyer-inquiry-matching"
OFFER_STATES = ("invited", "answered", "negotiating", "contracted", "lost")

_NOT_FOUND = DomainError(code="not_found", field="offer_id", ko="인콰이어리를 찾을 수 없습니다.", en="No such inquiry.")


def today_kst(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(KST).date()


def _audit(db: Session, who: Principal, action: str, inquiry_id: int, data: dict[str, Any]) -> None:
    """Every step of an inquiry goes to its audit chain ("export_inquiry:ID")."""
    audit.record(db, actor=who.role.value, actor_user_id=who.user_id, action=f"exports.{action}",
                 subject=f"export_inquiry:{inquiry_id}", data=data)


def _invalid(problems: list[FieldProblem]) -> DomainError:
    return DomainError(code="invalid", field=problems[0].field, ko=problems[0].ko, en=problems[0].en, problems=problems)


def _list(raw: Any) -> list[str]:
    items = raw.replace("\n", ",").split(",") if isinstance(raw, str) else list(raw or [])
    return [s for s in (identifier(str(x)).upper() for x in items) if s]


# ── exporters ────────────────────────────────────────────────────────────────────────────────

def check_products(hs_codes: Any, certifications: Any, countries: Any) -> tuple[list[str], list[str], list[str]]:
    """A declaration's HS codes (6 or 10 digits, each in the nomenclature), certifications and
    countries; DomainError naming every bad value."""
    problems: list[FieldProblem] = []
    codes: list[str] = []
    for raw in _list(hs_codes)[:MAX_CODES + 1]:
        try:
            code = hs.normalize_hs(raw, "hs_codes")
        except DomainError as e:
            problems.append(FieldProblem("hs_codes", e.code, e.ko, e.en))
            continue
        if len(code) < 6:
            problems.append(FieldProblem("hs_codes", "invalid",
                                         f"제품의 HS 코드는 6자리 이상으로 쓰세요: {hs.shown_code(code)}.",
                                         f"Declare products with at least 6 digits: {hs.shown_code(code)}."))
            continue
        codes.append(code)
    if not codes and not problems:
        problems.append(FieldProblem("hs_codes", "invalid", "수출 제품의 HS 코드를 하나 이상 쓰세요 (예: 8413.70).",
                                     "Give the HS code of at least one product (e.g. 8413.70)."))
    if len(codes) > MAX_CODES:
        problems.append(FieldProblem("hs_codes", "invalid", f"HS 코드는 {MAX_CODES}개까지입니다.",
                                     f"At most {MAX_CODES} HS codes."))
    certs = _list(certifications)
    if not set(certs) <= set(CERTIFICATIONS):
        problems.append(FieldProblem("certifications", "invalid", "인증은 목록에서 고르세요: " + ", ".join(CERTIFICATIONS) + ".",
                                     "Choose certifications from: " + ", ".join(CERTIFICATIONS) + "."))
    nations = _list(countries)
    if not set(nations) <= set(COUNTRIES):
        problems.append(FieldProblem("countries", "invalid", "수출한 국가는 ISO 두 글자 코드로 쓰세요 (예: US, SA, VN).",
                                     "Give the countries as ISO two-letter codes (e.g. US, SA, VN)."))
    if problems:
        raise _invalid(problems)
    return list(dict.fromkeys(codes)), sorted(set(certs)), sorted(set(nations))


def declare_products(db: Session, who: Principal, firm_id: int, hs_codes: Any, certifications: Any,
                     countries: Any) -> ExporterProfileRow:
    """A firm's members declare what it exports, for buyer inquiries to find it."""
    if who.role != Role.firm_member or firm_id not in who.firms:
        raise DomainError(code="not_found", field="firm_id", ko="기업을 찾을 수 없습니다.", en="No such firm.")
    codes, certs, nations = check_products(hs_codes, certifications, countries)
    row = db.scalar(select(ExporterProfileRow).where(ExporterProfileRow.firm_id == firm_id))
    if row is None:
        row = ExporterProfileRow(firm_id=firm_id)
        db.add(row)
    row.hs_codes, row.certifications, row.countries, row.updated_at = codes, certs, nations, utcnow()
    db.flush()
    return row


def profile_of_firm(db: Session, firm_id: int) -> ExporterProfileRow | None:
    return db.scalar(select(ExporterProfileRow).where(ExporterProfileRow.firm_id == firm_id))


def exporters(db: Session) -> list[Exporter]:
    rows = db.execute(select(ExporterProfileRow, FirmRow).join(FirmRow, FirmRow.id == ExporterProfileRow.firm_id)
                      .order_by(ExporterProfileRow.firm_id))
    out = []
    for p, firm in rows:
        profile = profile_of(firm)
        out.append(Exporter(firm_id=firm.id, name=firm.name, hs_codes=tuple(p.hs_codes), ksic=profile.ksic,
                            sido=profile.region[:2], certifications=frozenset(p.certifications),
                            countries=frozenset(p.countries), export_usd=profile.export_usd or 0))
    return out


def names_for(codes: Any) -> dict[str, tuple[str, str]]:
    """code → (Korean, English) as a reason shows it: "8413.91-1000 급유용 펌프의 것"."""
    return {c: (f"{hs.shown_code(c)} {hs.name(c, 'ko')}", f"{hs.shown_code(c)} {hs.name(c, 'en')}") for c in codes}


def inquiry_of(raw: dict[str, Any], today: date) -> Inquiry:
    """An inquiry from a form or a file; DomainError naming each bad field, the HS code checked
    against HS 2022 and the HSK."""
    values, problems = check_inquiry(raw, today)
    code = ""
    try:
        code = hs.normalize_hs(str(raw.get("hs_code") or ""), "hs_code")
    except DomainError as e:
        problems.insert(0, FieldProblem("hs_code", e.code, e.ko, e.en))
    else:
        if len(code) < 4:
            problems.insert(0, FieldProblem("hs_code", "invalid", "인콰이어리의 HS 코드는 4자리(호) 이상으로 쓰세요 (예: 8413.91).",
                                            "Give the inquiry's HS code with at least 4 digits (a heading), e.g. 8413.91."))
    if problems:
        raise _invalid(problems)
    return Inquiry(buyer_country=values["buyer_country"], product=values["product"], hs_code=code,
                   quantity=values["quantity"], target_price_usd=values["target_price_usd"],
                   deadline=values["deadline"], required=frozenset(values["required"]),
                   ksic_hint=identifier(str(raw.get("ksic_hint") or "")).upper())


def rank(inquiry: Inquiry, pool: list[Exporter]) -> list[Match]:
    codes = {c for e in pool for c in e.hs_codes}
    return match(inquiry, ExporterIndex.build(pool), shown=names_for(codes))


# ── inquiries ────────────────────────────────────────────────────────────────────────────────

def register_inquiry(db: Session, who: Principal, raw: dict[str, Any], now: datetime | None = None) -> InquiryRow:
    """An officer registers a buyer's inquiry; the best exporters are invited, with reasons."""
    if not who.is_officer:
        raise DomainError(code="forbidden", ko="인콰이어리는 기관 담당자가 등록합니다.",
                          en="Inquiries are registered by agency officers.")
    inquiry = inquiry_of(raw, today_kst(now))
    row = InquiryRow(agency_id=who.agency_id or "platform", created_by=who.user_id,
                     buyer_name=text(str(raw.get("buyer_name") or ""))[:200], buyer_country=inquiry.buyer_country,
                     product=inquiry.product, hs_code=inquiry.hs_code, quantity=inquiry.quantity,
                     target_price_usd=inquiry.target_price_usd, deadline=inquiry.deadline,
                     required=sorted(inquiry.required), state="open")
    db.add(row)
    db.flush()
    invited = rank(inquiry, exporters(db))[:INVITE]
    _audit(db, who, "register", row.id, {"hs_code": row.hs_code, "buyer_country": row.buyer_country,
                                         "invited": [m.exporter.firm_id for m in invited]})
    for m in invited:
        db.add(InquiryOfferRow(inquiry_id=row.id, firm_id=m.exporter.firm_id, score=m.score, matched_hs=m.hs_code,
                               reasons_ko=[r[0] for r in m.reasons], reasons_en=[r[1] for r in m.reasons],
                               state="invited", quote_note=""))
        db.flush()
        offer_id = db.scalar(select(InquiryOfferRow.id).where(InquiryOfferRow.inquiry_id == row.id,
                                                              InquiryOfferRow.firm_id == m.exporter.firm_id))
        country = COUNTRIES[row.buyer_country]
        notify(db, owners(db, m.exporter.firm_id), "export_inquiry",
               f"{country[0]} 바이어 인콰이어리: {row.product} (HS {hs.shown_code(row.hs_code)})",
               f"Buyer inquiry from {country[1]}: {row.product} (HS {hs.shown_code(row.hs_code)})",
               link=f"/exports/offers/{offer_id}")
    db.flush()
    return row


def get_inquiry(db: Session, who: Principal, inquiry_id: int) -> InquiryRow:
    if not who.is_officer:
        raise DomainError(code="not_found", field="inquiry_id", ko="인콰이어리를 찾을 수 없습니다.", en="No such inquiry.")
    row = db.get(InquiryRow, inquiry_id)
    if row is None:
        raise DomainError(code="not_found", field="inquiry_id", ko="인콰이어리를 찾을 수 없습니다.", en="No such inquiry.")
    return row


def inquiries(db: Session, who: Principal) -> list[tuple[InquiryRow, int, int]]:
    """Every inquiry with how many firms were invited and how many answered (officers)."""
    if not who.is_officer:
        raise _NOT_FOUND
    counts = {i: (n, a) for i, n, a in db.execute(
        select(InquiryOfferRow.inquiry_id, func.count(),
               func.count().filter(InquiryOfferRow.state != "invited")).group_by(InquiryOfferRow.inquiry_id))}
    return [(r, *counts.get(r.id, (0, 0))) for r in db.scalars(select(InquiryRow).order_by(InquiryRow.id.desc()))]


def offers_of_inquiry(db: Session, inquiry_id: int) -> list[tuple[InquiryOfferRow, FirmRow]]:
    rows = db.execute(select(InquiryOfferRow, FirmRow).join(FirmRow, FirmRow.id == InquiryOfferRow.firm_id)
                      .where(InquiryOfferRow.inquiry_id == inquiry_id)
                      .order_by(InquiryOfferRow.score.desc(), InquiryOfferRow.id))
    return [(o, f) for o, f in rows]


def offers_of_firms(db: Session, who: Principal) -> list[tuple[InquiryOfferRow, InquiryRow]]:
    if who.role != Role.firm_member or not who.firms:
        return []
    rows = db.execute(select(InquiryOfferRow, InquiryRow).join(InquiryRow, InquiryRow.id == InquiryOfferRow.inquiry_id)
                      .where(InquiryOfferRow.firm_id.in_(list(who.firms))).order_by(InquiryOfferRow.id.desc()))
    return [(o, i) for o, i in rows]


def get_offer(db: Session, who: Principal, offer_id: int) -> tuple[InquiryOfferRow, InquiryRow]:
    """An offer its firm's members or an officer may see; not_found for anyone else."""
    offer = db.get(InquiryOfferRow, offer_id)
    if offer is None or not (who.is_officer or (who.role == Role.firm_member and offer.firm_id in who.firms)):
        raise _NOT_FOUND
    inquiry = db.get(InquiryRow, offer.inquiry_id)
    assert inquiry is not None
    return offer, inquiry


def _firm_offer(db: Session, who: Principal, offer_id: int) -> tuple[InquiryOfferRow, InquiryRow]:
    offer, inquiry = get_offer(db, who, offer_id)
    if who.role != Role.firm_member:
        raise DomainError(code="forbidden", ko="초대받은 기업만 답할 수 있습니다.", en="Only the invited firm answers.")
    return offer, inquiry


def answer(db: Session, who: Principal, offer_id: int, quote_usd: str, note: str, samples: bool) -> InquiryOfferRow:
    """The firm answers the buyer: a unit price quote in US$, terms, and whether it sends samples."""
    offer, inquiry = _firm_offer(db, who, offer_id)
    if offer.state not in ("invited", "answered"):
        raise DomainError(code="conflict", field="quote_usd", ko="이미 후속 단계로 넘어간 인콰이어리입니다.",
                          en="This inquiry has already moved on to follow-up.")
    digits = identifier(quote_usd).replace(",", "")
    problems = []
    if not (digits.isascii() and digits.isdigit()) or not 0 < int(digits) <= 10**12:
        problems.append(FieldProblem("quote_usd", "invalid", "견적 단가를 미화 달러 양의 정수로 쓰세요 (예: 1150).",
                                     "Give the quoted unit price in whole US dollars (e.g. 1150)."))
    note = text(note)
    if len(note) > 2000:
        problems.append(FieldProblem("quote_note", "invalid", "조건 설명은 2000자 이하입니다.",
                                     "Terms are at most 2000 characters."))
    if problems:
        raise _invalid(problems)
    offer.quote_usd, offer.quote_note, offer.samples = int(digits), note, samples
    offer.state, offer.answered_at, offer.updated_at = "answered", utcnow(), utcnow()
    _audit(db, who, "answer", inquiry.id, {"firm_id": offer.firm_id, "quote_usd": offer.quote_usd, "samples": samples})
    notify(db, [inquiry.created_by], "export_answer", f"인콰이어리 #{inquiry.id}에 견적이 도착했습니다.",
           f"A quote arrived for inquiry #{inquiry.id}.", link=f"/officer/exports/inquiries/{inquiry.id}")
    db.flush()
    return offer


def follow_up(db: Session, who: Principal, offer_id: int, state: str, won: str = "", usd: str = "",
              on: str = "", now: datetime | None = None) -> InquiryOfferRow:
    """사후관리: the firm records negotiation, a lost deal, or the contract with its export amount
    in won and US$ (counted in the export outcomes)."""
    offer, inquiry = _firm_offer(db, who, offer_id)
    state = text(state)
    if offer.state == "invited":
        raise DomainError(code="conflict", field="state", ko="먼저 견적으로 답하세요.", en="Answer with a quote first.")
    if offer.state in ("contracted", "lost"):
        raise DomainError(code="conflict", field="state", ko="이미 계약 또는 무산으로 끝난 건입니다.",
                          en="This inquiry has already ended in a contract or was lost.")
    if state not in ("negotiating", "contracted", "lost"):
        raise DomainError(code="invalid", field="state", ko="진행 상황을 고르세요: 협상 중, 계약 체결, 무산.",
                          en="Choose the progress: negotiating, contract signed, lost.")
    if state == "contracted":
        offer.contract_won, offer.contract_usd = check_contract(won, usd)
        today = today_kst(now)
        try:
            signed = date.fromisoformat(identifier(on)) if on.strip() else today
        except ValueError:
            raise DomainError(code="invalid", field="contracted_on", ko="계약일은 YYYY-MM-DD 형식으로 쓰세요.",
                              en="Give the contract date as YYYY-MM-DD.") from None
        if signed > today:
            raise DomainError(code="invalid", field="contracted_on", ko=f"계약일은 오늘({today}) 이후일 수 없습니다.",
                              en=f"The contract date cannot be after today ({today}).")
        offer.contracted_on = signed
        record_outcome(db, "export_contract", offer.id, offer.firm_id, PROGRAM_ID, inquiry.agency_id,
                       {"export_contracts": 1, "exports_won": offer.contract_won, "exports_usd": offer.contract_usd},
                       signed)
    offer.state, offer.updated_at = state, utcnow()
    _audit(db, who, "follow_up", inquiry.id, {"firm_id": offer.firm_id, "state": state, "won": offer.contract_won,
                                              "usd": offer.contract_usd})
    db.flush()
    return offer


def contract_totals(db: Session, who: Principal) -> list[dict[str, int]]:
    """Export contracts from inquiries per year: how many, won and US$ (the 수출 성과 of 알선)."""
    if not who.is_officer:
        raise _NOT_FOUND
    rows = db.execute(select(InquiryOfferRow.contracted_on, InquiryOfferRow.contract_won, InquiryOfferRow.contract_usd)
                      .where(InquiryOfferRow.state == "contracted"))
    years: dict[int, dict[str, int]] = {}
    for on, won, usd in rows:
        if on is None:
            continue
        y = years.setdefault(on.year, {"year": on.year, "contracts": 0, "won": 0, "usd": 0})
        y["contracts"] += 1
        y["won"] += won or 0
        y["usd"] += usd or 0
    return [years[y] for y in sorted(years, reverse=True)]
