"""Export buyer inquiries matched to exporters, the pure core: an inquiry (buyer country, product,
HS code, quantity, target price, deadline) against exporters who declare the HS codes of their
products, their industry, product certifications and export history; each match with reasons.

Matching one inquiry against 100,000 exporters must stay well under 100 ms (BENCHMARKS.md), so
exporters are indexed once by every prefix of every code they declare (chapter, heading,
subheading, HSK): an inquiry looks up its own prefixes and scores only those candidates.
No web, database or file I/O here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from onestop.errors import DomainError, FieldProblem
from onestop.text import identifier, text

#: Buyer countries the platform knows by name: Korea's main export destinations (관세청 수출입
#:무역통계 top partners) and the markets of KOTRA's overseas offices most often asked for.
#: ISO 3166-1 alpha-2 codes.
COUNTRIES: dict[str, tuple[str, str]] = {
    "CN": ("중국", "China"), "US": ("미국", "United States"), "VN": ("베트남", "Viet Nam"), "JP": ("일본", "Japan"),
    "HK": ("홍콩", "Hong Kong"), "TW": ("대만", "Taiwan"), "SG": ("싱가포르", "Singapore"), "IN": ("인도", "India"),
    "AU": ("호주", "Australia"), "MX": ("멕시코", "Mexico"), "DE": ("독일", "Germany"), "MY": ("말레이시아", "Malaysia"),
    "PH": ("필리핀", "Philippines"), "ID": ("인도네시아", "Indonesia"), "TH": ("태국", "Thailand"),
    "PL": ("폴란드", "Poland"), "CA": ("캐나다", "Canada"), "TR": ("튀르키예", "Türkiye"), "NL": ("네덜란드", "Netherlands"),
    "GB": ("영국", "United Kingdom"), "FR": ("프랑스", "France"), "IT": ("이탈리아", "Italy"), "ES": ("스페인", "Spain"),
    "HU": ("헝가리", "Hungary"), "CZ": ("체코", "Czechia"), "SA": ("사우디아라비아", "Saudi Arabia"),
    "AE": ("아랍에미리트", "United Arab Emirates"), "QA": ("카타르", "Qatar"), "KW": ("쿠웨이트", "Kuwait"),
    "EG": ("이집트", "Egypt"), "ZA": ("남아프리카공화국", "South Africa"), "NG": ("나이지리아", "Nigeria"),
    "KE": ("케냐", "Kenya"), "BR": ("브라질", "Brazil"), "CL": ("칠레", "Chile"), "PE": ("페루", "Peru"),
    "CO": ("콜롬비아", "Colombia"), "AR": ("아르헨티나", "Argentina"), "RU": ("러시아", "Russia"),
    "KZ": ("카자흐스탄", "Kazakhstan"), "UZ": ("우즈베키스탄", "Uzbekistan"), "MN": ("몽골", "Mongolia"),
    "BD": ("방글라데시", "Bangladesh"), "PK": ("파키스탄", "Pakistan"), "KH": ("캄보디아", "Cambodia"),
    "MM": ("미얀마", "Myanmar"), "NZ": ("뉴질랜드", "New Zealand"), "SE": ("스웨덴", "Sweden"),
    "BE": ("벨기에", "Belgium"), "CH": ("스위스", "Switzerland"), "AT": ("오스트리아", "Austria"),
    "RO": ("루마니아", "Romania"), "SK": ("슬로바키아", "Slovakia"), "IL": ("이스라엘", "Israel"),
    "IR": ("이란", "Iran"), "IQ": ("이라크", "Iraq"), "OM": ("오만", "Oman"), "BH": ("바레인", "Bahrain"),
}

#: Product certifications buyers ask for, which exporters declare for their products.
CERTIFICATIONS: dict[str, tuple[str, str]] = {
    "CE": ("CE (유럽 적합성)", "CE (EU conformity)"), "FDA": ("FDA (미국 식품의약국)", "FDA (US)"),
    "UL": ("UL (미국 안전)", "UL (US safety)"), "ISO9001": ("ISO 9001 (품질경영)", "ISO 9001 (quality)"),
    "ISO14001": ("ISO 14001 (환경경영)", "ISO 14001 (environment)"), "HALAL": ("할랄", "Halal"),
    "KOSHER": ("코셔", "Kosher"), "GMP": ("GMP (우수제조관리)", "GMP"), "CCC": ("CCC (중국 강제인증)", "CCC (China)"),
    "SASO": ("SASO (사우디 적합성)", "SASO (Saudi Arabia)"), "API": ("API (미국석유협회)", "API (petroleum)"),
}

#: points for the deepest HS level shared: same HSK code, subheading, heading, chapter
HS_POINTS = {10: 40, 6: 30, 4: 20, 2: 8}
HS_LEVEL_NAMES = {10: ("HSK 10단위 일치", "same HSK 10-digit code"), 6: ("HS 소호(6단위) 일치", "same HS subheading"),
                  4: ("HS 호(4단위) 일치", "same HS heading"), 2: ("HS 류(2단위) 일치", "same HS chapter")}
COUNTRY_POINTS = 15
HISTORY_POINTS = 10
INDUSTRY_POINTS = 5
CERT_POINTS = 5
MAX_RESULTS = 20


@dataclass(frozen=True)
class Exporter:
    """A firm as matching sees it: the HS codes of its products and what buyers look at."""

    firm_id: int
    name: str
    hs_codes: tuple[str, ...]
    ksic: str = ""
    sido: str = ""
    certifications: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    export_usd: int = 0


@dataclass(frozen=True)
class Inquiry:
    """A buyer's inquiry. `hs_code` is 2, 4, 6 or 10 digits (checked against the nomenclature by
    the adapter); `required` are the certifications the buyer asks for."""

    buyer_country: str
    product: str
    hs_code: str
    quantity: str = ""
    target_price_usd: int | None = None
    deadline: date | None = None
    required: frozenset[str] = frozenset()
    ksic_hint: str = ""


@dataclass(frozen=True)
class Match:
    exporter: Exporter
    score: int
    hs_code: str
    level: int
    reasons: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict[str, Any]:
        e = self.exporter
        return {"firm_id": e.firm_id, "name": e.name, "score": self.score, "matched_hs": self.hs_code,
                "hs_level": self.level, "reasons_ko": [r[0] for r in self.reasons],
                "reasons_en": [r[1] for r in self.reasons]}


@dataclass
class ExporterIndex:
    """Exporters indexed by every prefix (2, 4, 6, 10 digits) of every HS code they declare."""

    exporters: list[Exporter] = field(default_factory=list)
    by_prefix: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, exporters: Iterable[Exporter]) -> ExporterIndex:
        index = cls()
        for e in exporters:
            i = len(index.exporters)
            index.exporters.append(e)
            seen: set[str] = set()
            for code in e.hs_codes:
                for n in (2, 4, 6, 10):
                    if len(code) >= n and code[:n] not in seen:
                        seen.add(code[:n])
                        index.by_prefix.setdefault(code[:n], []).append(i)
        return index


def _best(e: Exporter, code: str) -> tuple[int, str]:
    """The deepest level at which one of the exporter's codes shares the inquiry's code."""
    best, which = 0, ""
    for own in e.hs_codes:
        for n in (10, 6, 4, 2):
            if n <= len(code) and len(own) >= n and own[:n] == code[:n]:
                if n > best:
                    best, which = n, own
                break
    return best, which


def score(inquiry: Inquiry, e: Exporter, shown: dict[str, tuple[str, str]] | None = None) -> Match | None:
    """The exporter's match for the inquiry, or None when no HS chapter is shared or a required
    certification is missing. `shown` names HS codes for the reasons (code → (ko, en))."""
    level, which = _best(e, inquiry.hs_code)
    if level == 0 or not inquiry.required <= e.certifications:
        return None
    name_ko, name_en = (shown or {}).get(which, (which, which))
    lvl_ko, lvl_en = HS_LEVEL_NAMES[level]
    reasons = [(f"{lvl_ko}: {name_ko}", f"{lvl_en}: {name_en}")]
    points = HS_POINTS[level]
    c = inquiry.buyer_country
    if c in e.countries:
        points += COUNTRY_POINTS
        cn = COUNTRIES.get(c, (c, c))
        reasons.append((f"{cn[0]} 수출 경험", f"has exported to {cn[1]}"))
    if e.export_usd > 0:
        points += HISTORY_POINTS
        reasons.append((f"수출 실적 US$ {e.export_usd:,}", f"exports of US$ {e.export_usd:,}"))
    if inquiry.ksic_hint and e.ksic.startswith(inquiry.ksic_hint):
        points += INDUSTRY_POINTS
        reasons.append(("업종 일치", "same industry"))
    for cert in sorted(inquiry.required):
        points += CERT_POINTS
        cn = CERTIFICATIONS.get(cert, (cert, cert))
        reasons.append((f"{cn[0]} 인증 보유", f"holds {cn[1]}"))
    return Match(e, points, which, level, tuple(reasons))


def match(inquiry: Inquiry, index: ExporterIndex, limit: int = MAX_RESULTS,
          shown: dict[str, tuple[str, str]] | None = None) -> list[Match]:
    """Exporters ranked for the inquiry: the deeper HS match first (what the buyer wants to buy),
    then the score (country, history, industry, certifications), then firm id.

    Candidates are taken level by level, deepest first (HSK, subheading, heading, chapter); once a
    level has filled `limit`, the shallower levels cannot rank above it and are not looked at, so
    a crowded chapter (84: machinery) is scored only when the closer matches are too few."""
    code = inquiry.hs_code
    found: list[Match] = []
    seen: set[int] = set()
    for n in (10, 6, 4, 2):
        if n > len(code):
            continue
        level: list[Match] = []
        for i in index.by_prefix.get(code[:n], ()):
            if i in seen:
                continue
            seen.add(i)
            m = score(inquiry, index.exporters[i], shown)
            if m is not None:
                level.append(m)
        level.sort(key=lambda m: (-m.score, m.exporter.firm_id))
        found.extend(level)
        if len(found) >= limit:
            break
    return found[:limit]


def _problem(field_name: str, ko: str, en: str) -> FieldProblem:
    return FieldProblem(field=field_name, code="invalid", ko=ko, en=en)


def check_inquiry(raw: dict[str, Any], today: date) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Everything of an inquiry but the HS code's existence (the adapter checks it against the
    nomenclature): normalised values and the problems found, each naming what is allowed."""
    problems: list[FieldProblem] = []
    country = identifier(str(raw.get("buyer_country") or "")).upper()
    if country not in COUNTRIES:
        problems.append(_problem("buyer_country", "바이어 국가를 목록에서 고르세요 (ISO 국가 코드 두 글자, 예: SA, US).",
                                 "Choose the buyer's country from the list (ISO two-letter code, e.g. SA, US)."))
    product = text(str(raw.get("product") or ""))
    if not 2 <= len(product) <= 500:
        problems.append(_problem("product", "품목 설명을 2–500자로 쓰세요.", "Describe the product in 2–500 characters."))
    buyer = text(str(raw.get("buyer_name") or ""))
    if len(buyer) > 200:
        problems.append(_problem("buyer_name", "바이어 이름은 200자 이하입니다.", "The buyer's name is at most 200 characters."))
    quantity = text(str(raw.get("quantity") or ""))
    if len(quantity) > 200:
        problems.append(_problem("quantity", "수량은 200자 이하로 쓰세요 (예: 500개/월).",
                                 "Give the quantity in at most 200 characters (e.g. 500 units a month)."))
    price_raw = identifier(str(raw.get("target_price_usd") or "")).replace(",", "")
    price: int | None = None
    if price_raw:
        if not (price_raw.isascii() and price_raw.isdigit()) or not 0 < int(price_raw) <= 10**12:
            problems.append(_problem("target_price_usd", "목표 단가는 미화 달러 정수로 쓰세요 (예: 1200).",
                                     "Give the target price as whole US dollars (e.g. 1200)."))
        else:
            price = int(price_raw)
    deadline: date | None = None
    deadline_raw = identifier(str(raw.get("deadline") or ""))
    if deadline_raw:
        try:
            deadline = date.fromisoformat(deadline_raw)
        except ValueError:
            problems.append(_problem("deadline", "마감일은 YYYY-MM-DD 형식으로 쓰세요.", "Give the deadline as YYYY-MM-DD."))
        else:
            if deadline < today:
                problems.append(_problem("deadline", f"마감일은 오늘({today}) 이후여야 합니다.",
                                         f"The deadline cannot be before today ({today})."))
    required_raw = raw.get("required") or []
    items = required_raw.split(",") if isinstance(required_raw, str) else required_raw
    required = {identifier(str(c)).upper() for c in items if str(c).strip()}
    if not required <= set(CERTIFICATIONS):
        problems.append(_problem("required", "요구 인증은 목록에서 고르세요: " + ", ".join(CERTIFICATIONS) + ".",
                                 "Choose the required certifications from: " + ", ".join(CERTIFICATIONS) + "."))
    return {"buyer_country": country, "buyer_name": buyer, "product": product, "quantity": quantity,
            "target_price_usd": price, "deadline": deadline, "required": sorted(required & set(CERTIFICATIONS))}, problems


def check_contract(won_raw: str, usd_raw: str) -> tuple[int, int]:
    """A contract's export amount: won and US$, both positive whole numbers."""
    out: list[int] = []
    problems: list[FieldProblem] = []
    for value, field_name, ko, en in ((won_raw, "contract_won", "원", "won"), (usd_raw, "contract_usd", "미화 달러", "US$")):
        digits = identifier(value).replace(",", "")
        if not (digits.isascii() and digits.isdigit()) or not 0 < int(digits) <= 10**15:
            problems.append(_problem(field_name, f"계약 수출액을 {ko} 단위 양의 정수로 쓰세요 (예: 120,000,000).",
                                     f"Give the contract's export amount in {en} as a positive whole number."))
            out.append(0)
        else:
            out.append(int(digits))
    if problems:
        raise DomainError(code="invalid", field=problems[0].field, ko=problems[0].ko, en=problems[0].en,
                          problems=problems)
    return out[0], out[1]
