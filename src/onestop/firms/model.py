"""The firm profile, validated with Korean rules, and its errors in Korean and English.

A profile is stated once and reused everywhere; validation names each wrong field and what is
allowed, so a user can fix it without guessing. Extra fields are kept (agencies ask for more).
"""

from __future__ import annotations

import json
import re
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from onestop.errors import DomainError, FieldProblem
from onestop.korea.brn import normalize_brn
from onestop.korea.dates import completed_years
from onestop.korea.hangul import josa
from onestop.korea.ksic import normalize_ksic
from onestop.korea.money import MAX_WON
from onestop.korea.regions import normalize_region, resolve_region
from onestop.text import normalise_tree

#: US$: 1조 달러, above the exports of any single firm in the world.
MAX_USD = 10**12
#: Regular employees: 1,000,000 (삼성전자 has about 125,000 in Korea).
MAX_EMPLOYEES = 1_000_000
#: Support records a profile may carry.
MAX_SUPPORT_RECORDS = 500
#: Extra fields (beyond the ones named here) agencies may ask for: how many, how big, how deep.
MAX_EXTRA_FIELDS = 50
MAX_EXTRA_BYTES = 16 * 1024
MAX_EXTRA_DEPTH = 5


class Certification(StrEnum):
    venture = "venture"
    innobiz = "innobiz"
    mainbiz = "mainbiz"
    women_owned = "women_owned"
    disabled_owned = "disabled_owned"
    social_enterprise = "social_enterprise"
    promising_exporter = "promising_exporter"
    village_enterprise = "village_enterprise"
    cooperative = "cooperative"
    self_sufficiency_enterprise = "self_sufficiency_enterprise"


class Qualification(StrEnum):
    """Approvals some programs require; stating none leaves those programs 'needs information'."""

    restart_founder = "restart_founder"
    business_conversion_approved = "business_conversion_approved"
    restructuring_target = "restructuring_target"
    disaster_damage_confirmed = "disaster_damage_confirmed"
    developed_technology = "developed_technology"
    new_industry_field = "new_industry_field"
    honest_management_review_passed = "honest_management_review_passed"
    in_depth_review_passed = "in_depth_review_passed"
    funding_difficulty_or_credit_recovery = "funding_difficulty_or_credit_recovery"
    vc_investment_referral = "vc_investment_referral"
    manufacturing_related_or_knowledge_service = "manufacturing_related_or_knowledge_service"
    priority_field = "priority_field"


CERTIFICATION_NAMES: dict[str, tuple[str, str]] = {
    "venture": ("벤처기업", "Venture business"),
    "innobiz": ("이노비즈(기술혁신형 중소기업)", "Inno-Biz"),
    "mainbiz": ("메인비즈(경영혁신형 중소기업)", "Main-Biz"),
    "women_owned": ("여성기업", "Women-owned business"),
    "disabled_owned": ("장애인기업", "Disabled-owned business"),
    "social_enterprise": ("사회적기업", "Social enterprise"),
    "promising_exporter": ("수출유망중소기업", "Promising exporter"),
    "village_enterprise": ("마을기업", "Village enterprise"),
    "cooperative": ("협동조합", "Cooperative"),
    "self_sufficiency_enterprise": ("자활기업", "Self-sufficiency enterprise"),
}

EARLIEST_DATE = date(1900, 1, 1)
#: The youngest representative the platform accepts (근로기준법 제64조: 15, the age from which one may work).
MIN_CEO_AGE = 15


class SupportRecord(BaseModel):
    """One support the firm has received (from any agency)."""

    model_config = ConfigDict(extra="allow")

    program_id: str = Field(min_length=1, max_length=100)
    year: int = Field(ge=1950, le=2100)
    amount: int = Field(default=0, ge=0, le=MAX_WON)
    #: a policy loan (정책자금 융자) for the plan's count and amount limits; None = read from the id
    policy_loan: bool | None = None


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _given_before(given: object, current: str) -> str | None:
    """A stored profile's former code stays while it still leads to the current region."""
    if not isinstance(given, str):
        return None
    try:
        return given if resolve_region(given).current == current else None
    except DomainError:
        return None


def is_sole_proprietorship(brn: str) -> bool:
    """개인사업자: the BRN's middle two digits (구분코드) are 01-79 (taxable) or 90-99 (tax-exempt);
    80-89 are corporations, their branches and other bodies (국세청, 사업자등록번호 체계)."""
    middle = int(brn[4:6])
    return 1 <= middle <= 79 or 90 <= middle <= 99


def _custom(code: str, ko: str, en: str) -> PydanticCustomError:
    return PydanticCustomError(code, "{en}", {"ko": ko, "en": en})


def _from_domain(err: DomainError) -> PydanticCustomError:
    return _custom(err.code, err.ko, err.en)


# ── Issue 17: the 2026 policy-fund plan's facts — applicant kind, statements, restrictions ──
# Source: 2026년도 중소기업 정책자금 융자계획 변경공고 (중소벤처기업부 공고 제2026-464호),
# Ⅲ. 유의사항 (휴·폐업, 체납, 신용정보, 회생·파산, 지원 횟수·금액) and the fund texts of Ⅳ.

#: A prospective founder may state a planned founding date up to this many years ahead.
PLANNED_FOUNDING_YEARS = 5


class ApplicantKind(StrEnum):
    """A registered business (사업자), or a prospective founder (예비창업자) without a BRN yet."""

    firm = "firm"
    prospective_founder = "prospective_founder"


class BusinessStatus(StrEnum):
    """휴·폐업 as registered with the tax office (사업자등록 상태)."""

    operating = "operating"
    suspended = "suspended"
    closed = "closed"


class HardshipCause(StrEnum):
    """Causes of a temporary difficulty named by 긴급경영안정자금 (일시적 경영애로)."""

    large_customer_restructuring = "large_customer_restructuring"
    customer_bankruptcy = "customer_bankruptcy"
    platform_settlement_delay = "platform_settlement_delay"
    technology_leakage = "technology_leakage"
    retailer_rehabilitation = "retailer_rehabilitation"
    other = "other"


APPLICANT_KIND_NAMES: dict[str, tuple[str, str]] = {
    "firm": ("사업자(기업)", "Registered business"),
    "prospective_founder": ("예비창업자 (사업자등록 전)", "Prospective founder (not registered yet)"),
}
BUSINESS_STATUS_NAMES: dict[str, tuple[str, str]] = {
    "operating": ("계속사업자", "Operating"),
    "suspended": ("휴업 중", "Suspended"),
    "closed": ("폐업", "Closed"),
}
HARDSHIP_CAUSE_NAMES: dict[str, tuple[str, str]] = {
    "large_customer_restructuring": ("대기업(주거래처) 구조조정에 따른 피해", "A large customer's restructuring"),
    "customer_bankruptcy": ("거래처 도산·회생에 따른 피해", "A customer's bankruptcy or rehabilitation"),
    "platform_settlement_delay": ("온라인 플랫폼(티몬·위메프 등) 판매대금 정산 지연",
                                  "Delayed settlement by an online marketplace (Tmon, WeMakePrice …)"),
    "technology_leakage": ("기술 유출 피해", "Technology leakage"),
    "retailer_rehabilitation": ("대형 유통업체(홈플러스) 회생절차에 따른 피해",
                                "A large retailer's rehabilitation (Homeplus)"),
    "other": ("그 밖의 경영애로", "Another business difficulty"),
}
QUALIFICATION_NAMES: dict[str, tuple[str, str]] = {
    "restart_founder": ("재창업자 (폐업 후 재창업·재창업 예정)", "Restarter (re-founding after a closure)"),
    "business_conversion_approved": ("사업전환계획 승인", "Business-conversion plan approved"),
    "restructuring_target": ("구조개선 대상 판정·추천", "Found a restructuring target"),
    "disaster_damage_confirmed": ("재해중소기업 확인", "Disaster damage confirmed"),
    "developed_technology": ("사업화할 개발기술 보유 (특허·R&D 성공 등)", "Technology to commercialise"),
    "new_industry_field": ("신산업 창업분야 영위", "In a new-industry field"),
    "honest_management_review_passed": ("성실경영 평가 통과", "Passed the honest-management review"),
    "in_depth_review_passed": ("성실경영 심층평가 통과", "Passed the in-depth honest-management review"),
    "funding_difficulty_or_credit_recovery": ("자금조달 애로 또는 신용회복정보 등록",
                                              "Funding difficulty or a credit-recovery record"),
    "vc_investment_referral": ("벤처투자 유치 후 추천", "Referred after venture-capital investment"),
    "manufacturing_related_or_knowledge_service": ("제조업 관련 서비스업·지식기반서비스산업 (전남 공고 별표 2·3)",
                                                   "Manufacturing-related or knowledge-based service (Jeonnam annex 2–3)"),
    "priority_field": ("정책자금 중점지원분야 영위 (혁신성장·지역주력·뿌리·소부장)",
                       "In a policy-loan priority field (innovation growth, regional, root, materials and parts)"),
}


#: Units of the figures kept by fiscal year: (Korean unit, English example, upper bound).
_UNITS: dict[str, tuple[str, str, str, int]] = {
    "won": ("원", "won", "120000000", MAX_WON),
    "people": ("명", "people", "12", MAX_EMPLOYEES),
    "usd": ("달러", "US dollars", "250000", MAX_USD),
}


#: the profile's figures by fiscal year other than revenue: (negative allowed, unit)
_BY_YEAR_FIELDS: dict[str, tuple[bool, str]] = {
    "operating_profit": (True, "won"), "regular_employees_by_year": (False, "people"),
    "export_revenue_by_year": (False, "won"), "export_usd_by_year": (False, "usd")}


def by_fiscal_year(v: object, field: str, *, allow_negative: bool, unit: str = "won") -> dict[int, int]:
    """Figures by fiscal year (`{"2025": -120000000}`), years 1950–2100, whole numbers of `unit`
    ("won", "people" — regular employees —, "usd"), at most `MAX_WON`, `MAX_EMPLOYEES` or
    `MAX_USD`; a year left out is unknown.

    Raises a field error (Korean and English) naming the year or figure that is wrong and what is
    allowed."""
    ko_name, en_name = _BY_YEAR_NAMES.get(field, (field, field.replace("_", " ").capitalize()))
    unit_ko, unit_en, example, maximum = _UNITS[unit]
    if not isinstance(v, dict):
        raise _custom(f"{field}_shape",
                      f'{josa(ko_name, "은")} 사업연도별 값이어야 합니다. 예: {{"2025": {example}}}',
                      f'{en_name} must map fiscal years to {unit_en}, e.g. {{"2025": {example}}}.')
    out: dict[int, int] = {}
    for year, amount in v.items():
        try:
            y = int(year)
        except (TypeError, ValueError):
            raise _custom(f"{field}_year", f"{ko_name}의 사업연도 {year!r}는 4자리 연도여야 합니다.",
                          f"Fiscal year {year!r} in {en_name[:1].lower() + en_name[1:]} must be a 4-digit year.") from None
        if not 1950 <= y <= 2100:
            raise _custom(f"{field}_year", f"{ko_name}의 사업연도 {y}는 1950~2100 사이여야 합니다.",
                          f"Fiscal year {y} in {en_name[:1].lower() + en_name[1:]} must be between 1950 and 2100.")
        if isinstance(amount, bool) or not isinstance(amount, int) or (amount < 0 and not allow_negative) \
                or abs(amount) > maximum:
            allowed_ko = f"정수({unit_ko}, 손실은 음수)" if allow_negative else \
                f"0 이상 {maximum:,} 이하의 정수({unit_ko})"
            allowed_en = f"a whole number of {unit_en} (a loss is negative)" if allow_negative else \
                f"a whole number of {unit_en} from 0 to {maximum:,}"
            raise _custom(f"{field}_amount", f"{y}년 {josa(ko_name, '은')} {allowed_ko}여야 합니다. 입력값: {amount!r}",
                          f"{en_name} for {y} must be {allowed_en}; got {amount!r}.")
        out[y] = amount
    return out


def check_applicant(kind: ApplicantKind, brn: str | None, founded_on: date, entry: bool = False) -> None:
    """A business needs its BRN; a prospective founder has none and states a planned founding date:
    at entry (`entry`: registering or editing), today or later and within `PLANNED_FOUNDING_YEARS`
    years — a founding date in the past means the business exists, and registers as one. A stored
    plan whose date has passed since stays readable (the founder is asked to update it). Raises a
    field error otherwise."""
    if kind == ApplicantKind.firm and brn is None:
        raise _custom("brn_required", "사업자등록번호를 입력하세요. 사업자등록 전이라면 신청자 유형을 '예비창업자'로 고르세요.",
                      "Enter the business registration number; choose 'prospective founder' if you have not "
                      "registered yet.")
    if kind == ApplicantKind.prospective_founder:
        if brn is not None:
            raise _custom("brn_prospective", "예비창업자는 사업자등록번호가 없습니다. 등록했다면 신청자 유형을 '사업자'로 고르세요.",
                          "A prospective founder has no business registration number; choose 'registered "
                          "business' if you have one.")
        today = date.today()
        latest = today.replace(year=today.year + PLANNED_FOUNDING_YEARS)
        if entry and founded_on < today:
            raise _custom("founded_on_planned_past",
                          f"창업 예정일 {founded_on}은 오늘({today}) 이후여야 합니다. 이미 창업했다면 신청자 유형을 "
                          "'사업자'로 고르고 사업자등록번호와 실제 설립일을 입력하세요.",
                          f"The planned founding date {founded_on} must be today ({today}) or later. If the "
                          "business already exists, choose 'registered business' and enter its registration "
                          "number and founding date.")
        if not EARLIEST_DATE <= founded_on <= latest:
            raise _custom("founded_on_planned",
                          f"창업 예정일(founded_on) {founded_on}은 {latest} 이전이어야 합니다.",
                          f"The planned founding date {founded_on} must be on or before {latest}.")


class FirmProfile(BaseModel):
    """What a firm states about itself; monetary amounts are integer won."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    brn: str | None = None  # required for a registered business; a prospective founder has none yet
    name: str = Field(min_length=1, max_length=200)
    ksic: str
    region: str
    #: The code the firm typed when it was a former one (e.g. 47720 for 군위군, now 27720): kept
    #: beside the current `region` so records match the firm's own papers.
    region_given: str | None = Field(default=None, pattern=r"^[0-9]{2}(?:[0-9]{3})?(?:[0-9]{5})?$")
    founded_on: date
    ceo_birth_date: date | None = None
    regular_employees: int | None = Field(default=None, ge=0, le=MAX_EMPLOYEES)
    revenue: dict[int, int] = Field(default_factory=dict)
    total_assets: int | None = Field(default=None, ge=0, le=MAX_WON)
    export_revenue: int | None = Field(default=None, ge=0, le=MAX_WON)
    export_usd: int | None = Field(default=None, ge=0, le=MAX_USD)
    certifications: list[Certification] = Field(default_factory=list, max_length=len(Certification))
    in_large_business_group: bool = False
    credit_grade: str | None = Field(default=None, max_length=10)
    tax_arrears: bool | None = None
    support_history: list[SupportRecord] = Field(default_factory=list, max_length=MAX_SUPPORT_RECORDS)
    qualifications: list[Qualification] | None = Field(default=None, max_length=len(Qualification))
    # ── Issue 17: the facts the 2026 policy-fund plan's conditions need (see `PolicyFundFacts`) ──
    applicant_kind: ApplicantKind = ApplicantKind.firm
    operating_profit: dict[int, int] = Field(default_factory=dict)
    total_liabilities: int | None = Field(default=None, ge=0, le=MAX_WON)
    total_equity: int | None = Field(default=None, ge=-MAX_WON, le=MAX_WON)
    business_status: BusinessStatus | None = None
    credit_default_record: bool | None = None
    rehabilitation: bool | None = None
    tax_arrears_deferred: bool | None = None
    hardship_causes: list[HardshipCause] | None = Field(default=None, max_length=len(HardshipCause))
    manufacturing_share_pct: int | None = Field(default=None, ge=0, le=100)
    factory_registered: bool | None = None
    # ── Issue 10: dated figures for the effect measure (outcomes.effect); a year left out is unknown ──
    #: regular employees (상시근로자) by fiscal year, people
    regular_employees_by_year: dict[int, int] = Field(default_factory=dict)
    #: exports by fiscal year, won (part of that year's revenue)
    export_revenue_by_year: dict[int, int] = Field(default_factory=dict)
    #: exports by fiscal year, US dollars, where the firm gives them
    export_usd_by_year: dict[int, int] = Field(default_factory=dict)

    @field_validator("operating_profit", "regular_employees_by_year", "export_revenue_by_year", "export_usd_by_year",
                     mode="before")
    @classmethod
    def _by_year(cls, v: object, info: ValidationInfo) -> object:
        allow_negative, unit = _BY_YEAR_FIELDS[str(info.field_name)]
        return by_fiscal_year(v, str(info.field_name), allow_negative=allow_negative, unit=unit)

    @model_validator(mode="after")
    def _applicant(self, info: ValidationInfo) -> FirmProfile:
        entry = bool(info.context and info.context.get("entry"))
        check_applicant(self.applicant_kind, self.brn, self.founded_on, entry)
        return self

    @model_validator(mode="before")
    @classmethod
    def _normalised(cls, data: Any) -> Any:
        """Every string in NFC (codes fold further, to NFKC, in their own validators), and the
        extra fields bounded in number, size and depth."""
        if not isinstance(data, dict):
            return data
        try:
            data = normalise_tree(data)
        except DomainError as e:
            raise _from_domain(e) from None
        region = data.get("region")
        if isinstance(region, str | int) and not isinstance(region, bool):
            try:
                resolved = resolve_region(str(region))
            except DomainError:
                pass  # the field's own validator reports it, next to the field
            else:
                data = {**data, "region_given": resolved.given if resolved.changed
                        else _given_before(data.get("region_given"), resolved.current)}
        extra = {k: v for k, v in data.items() if k not in cls.model_fields}
        if len(extra) > MAX_EXTRA_FIELDS:
            raise _custom("extra_fields_count",
                          f"추가 항목은 {MAX_EXTRA_FIELDS}개까지 둘 수 있습니다({len(extra)}개 입력).",
                          f"At most {MAX_EXTRA_FIELDS} extra fields are allowed; got {len(extra)}.")
        for key, value in extra.items():
            if len(key) > 100:
                raise _custom("extra_field_name", "추가 항목의 이름은 100자 이내여야 합니다.",
                              "An extra field's name must be at most 100 characters.")
            if _depth(value) > MAX_EXTRA_DEPTH:
                raise _custom("extra_field_depth",
                              f"추가 항목 {josa(repr(key), '은')} {MAX_EXTRA_DEPTH}단계까지만 중첩할 수 있습니다.",
                              f"Extra field {key!r} may nest at most {MAX_EXTRA_DEPTH} levels.")
        size = len(json.dumps(extra, ensure_ascii=False, default=str).encode())
        if size > MAX_EXTRA_BYTES:
            raise _custom("extra_fields_size",
                          f"추가 항목은 모두 합쳐 {MAX_EXTRA_BYTES // 1024}KB 이내여야 합니다({size:,}바이트 입력).",
                          f"Extra fields may take at most {MAX_EXTRA_BYTES // 1024} KB in all; got {size:,} bytes.")
        return data

    @field_validator("brn", mode="before")
    @classmethod
    def _brn(cls, v: object) -> str | None:
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        if not isinstance(v, str | int):
            raise _custom("brn_format", "사업자등록번호는 문자열이어야 합니다.", "BRN must be text.")
        try:
            return normalize_brn(str(v))
        except DomainError as e:
            raise _from_domain(e) from None

    @field_validator("ksic", mode="before")
    @classmethod
    def _ksic(cls, v: object) -> str:
        try:
            return normalize_ksic(str(v))
        except DomainError as e:
            raise _from_domain(e) from None

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, v: object) -> str:
        try:
            return normalize_region(str(v))
        except DomainError as e:
            raise _from_domain(e) from None

    @field_validator("revenue", mode="before")
    @classmethod
    def _revenue(cls, v: object) -> object:
        if not isinstance(v, dict):
            raise _custom(
                "revenue_shape",
                '매출액은 사업연도별 금액이어야 합니다. 예: {"2024": 3200000000}',
                'Revenue must map fiscal years to won, e.g. {"2024": 3200000000}.',
            )
        out: dict[int, int] = {}
        for year, amount in v.items():
            try:
                y = int(year)
            except (TypeError, ValueError):
                raise _custom(
                    "revenue_year",
                    f"매출액의 사업연도 {josa(repr(year), '는')} 4자리 연도여야 합니다.",
                    f"Fiscal year {year!r} in revenue must be a 4-digit year.",
                ) from None
            if not 1950 <= y <= 2100:
                raise _custom(
                    "revenue_year",
                    f"매출액의 사업연도 {y}는 1950~2100 사이여야 합니다.",
                    f"Fiscal year {y} in revenue must be between 1950 and 2100.",
                )
            if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_WON:
                raise _custom(
                    "revenue_amount",
                    f"{y}년 매출액은 0 이상 {MAX_WON:,}원(1,000조 원) 이하의 정수(원)여야 합니다. 입력값: {amount!r}",
                    f"Revenue for {y} must be a whole number of won from 0 to {MAX_WON:,} (1,000 trillion); "
                    f"got {amount!r}.",
                )
            out[y] = amount
        return out

    @field_validator("credit_grade", mode="before")
    @classmethod
    def _grade(cls, v: object) -> object:
        return v.strip().upper() if isinstance(v, str) else v

    # The date of birth's range is checked per field (not after the whole model), so a wrong date
    # is reported together with every other problem of the form, not after they are fixed.
    @field_validator("ceo_birth_date")
    @classmethod
    def _born(cls, v: date | None) -> date | None:
        today = date.today()
        if v is not None and not EARLIEST_DATE <= v <= today:
            raise _custom(
                "ceo_birth_date_range",
                f"대표자 생년월일은 1900-01-01부터 오늘({today})까지여야 합니다. 입력값: {v}",
                f"The CEO's date of birth must be between 1900-01-01 and today ({today}); got {v}.",
            )
        return v

    @model_validator(mode="after")
    def _facts_agree(self) -> FirmProfile:
        # a registered firm's founding date is in the past (a prospective founder's is planned:
        # see check_applicant); this needs the applicant kind, so it is checked after the fields
        today = date.today()
        if self.applicant_kind == ApplicantKind.firm and not EARLIEST_DATE <= self.founded_on <= today:
            raise _custom(
                "founded_on_range",
                f"설립일은 1900-01-01부터 오늘({today})까지여야 합니다. 입력값: {self.founded_on}",
                f"The founding date must be between 1900-01-01 and today ({today}); got {self.founded_on}.",
            )
        self._consistent(today)
        return self

    def _consistent(self, today: date) -> None:
        """Facts that contradict each other are refused, naming both: a figure for a fiscal year
        before the founding year or after this year (revenue, operating profit, regular employees,
        exports), exports above the revenue of the same year (the current figure against the last
        fiscal year's revenue, and each fiscal year's exports against that year's revenue), a
        representative younger than 15 today (근로기준법 제64조: the youngest age at which one may
        work), and, for a sole proprietorship, a representative born
        after the founding (the owner is the representative; a corporation may appoint a younger
        one later)."""
        founded = self.founded_on
        for field, (name_ko, name_en) in _BY_YEAR_NAMES.items():
            for year in sorted(getattr(self, field)):
                if year < founded.year:
                    raise _custom(f"{field}_before_founding",
                                  f"{year}년 {josa(name_ko, '이')} 있지만 설립일은 {founded.isoformat()}입니다. "
                                  f"설립 연도({founded.year}년) 이후의 {name_ko}만 입력하세요.",
                                  f"{name_en} is given for {year}, but the firm was founded on {founded.isoformat()}; "
                                  f"give it from {founded.year} on.")
                if year > today.year:
                    raise _custom(f"{field}_future_year",
                                  f"{year}년 {josa(name_ko, '은')} 아직 알 수 없습니다. "
                                  f"{today.year}년까지만 입력하세요.",
                                  f"{name_en} for {year} cannot be known yet; give it up to {today.year}.")
        last = max((y for y in self.revenue if y < today.year), default=None)
        if self.export_revenue is not None and last is not None and self.export_revenue > self.revenue[last]:
            raise _custom("export_above_revenue",
                          f"수출액 {self.export_revenue:,}원이 {last}년 매출액 {self.revenue[last]:,}원보다 큽니다. "
                          "수출액은 매출액의 일부입니다.",
                          f"Exports ({self.export_revenue:,} won) exceed the {last} revenue ({self.revenue[last]:,} won); "
                          "exports are part of revenue.")
        for year, exports in sorted(self.export_revenue_by_year.items()):
            revenue = self.revenue.get(year)
            if revenue is not None and exports > revenue:
                raise _custom("export_by_year_above_revenue",
                              f"{year}년 수출액 {exports:,}원이 {year}년 매출액 {revenue:,}원보다 큽니다. "
                              "수출액은 매출액의 일부입니다.",
                              f"Exports for {year} ({exports:,} won) exceed the {year} revenue ({revenue:,} won); "
                              "exports are part of revenue.")
        born = self.ceo_birth_date
        if born is not None and completed_years(born, today) < MIN_CEO_AGE:
            raise _custom("ceo_too_young",
                          f"대표자 생년월일 {born.isoformat()}에 따르면 대표자가 만 {MIN_CEO_AGE}세 미만입니다. "
                          "생년월일을 확인해 주세요.",
                          f"By the date of birth {born.isoformat()} the representative is under {MIN_CEO_AGE}; "
                          "please check the date.")
        if born is not None and born > founded and self.brn is not None and is_sole_proprietorship(self.brn):
            raise _custom("ceo_born_after_founding",
                          f"대표자 생년월일 {born.isoformat()}이 설립일 {founded.isoformat()}보다 늦습니다. "
                          "개인사업자는 대표자가 곧 사업주입니다.",
                          f"The representative's date of birth ({born.isoformat()}) is after the founding date "
                          f"({founded.isoformat()}); a sole proprietor is the representative.")


_FIELD_NAMES_KO = {
    "brn": "사업자등록번호",
    "name": "기업명",
    "ksic": "표준산업분류 코드",
    "region": "지역 코드",
    "region_given": "입력한 지역 코드",
    "founded_on": "설립일",
    "ceo_birth_date": "대표자 생년월일",
    "regular_employees": "상시근로자 수",
    "revenue": "매출액",
    "total_assets": "자산총액",
    "export_revenue": "수출액(원)",
    "export_usd": "수출액(달러)",
    "certifications": "인증",
    "in_large_business_group": "대기업집단 소속 여부",
    "credit_grade": "신용등급",
    "tax_arrears": "세금 체납 여부",
    "support_history": "지원 이력",
    "qualifications": "승인·확인 사항",
    "applicant_kind": "신청자 유형",
    "operating_profit": "영업이익",
    "total_liabilities": "부채총계",
    "total_equity": "자본총계",
    "business_status": "사업 상태(휴·폐업)",
    "credit_default_record": "연체·부도 등 신용정보 등록 여부",
    "rehabilitation": "회생·파산 절차 여부",
    "tax_arrears_deferred": "체납처분 유예 여부",
    "hardship_causes": "경영애로 사유",
    "manufacturing_share_pct": "제조업 전업률(%)",
    "factory_registered": "공장등록 여부",
    "regular_employees_by_year": "사업연도별 상시근로자 수",
    "export_revenue_by_year": "사업연도별 수출액(원)",
    "export_usd_by_year": "사업연도별 수출액(달러)",
}

_FIELD_NAMES_EN = {
    "brn": "business registration number", "name": "firm name", "ksic": "industry code (KSIC)",
    "region": "region code", "founded_on": "founding date", "ceo_birth_date": "CEO's date of birth",
    "regular_employees": "number of regular employees", "revenue": "revenue", "total_assets": "total assets",
    "export_revenue": "exports (won)", "export_usd": "exports (US dollars)", "certifications": "certifications",
    "in_large_business_group": "large business group membership", "credit_grade": "credit grade",
    "tax_arrears": "unpaid taxes", "support_history": "support history", "qualifications": "approvals",
    "region_given": "region code given", "applicant_kind": "type of applicant", "operating_profit": "operating profit",
    "total_liabilities": "total liabilities", "total_equity": "total equity",
    "business_status": "business status (suspended or closed)",
    "credit_default_record": "registered default or overdue record", "rehabilitation": "rehabilitation or bankruptcy",
    "tax_arrears_deferred": "deferral of tax arrears collection", "hardship_causes": "causes of hardship",
    "manufacturing_share_pct": "share of manufacturing (%)", "factory_registered": "factory registration",
    "regular_employees_by_year": "regular employees by fiscal year",
    "export_revenue_by_year": "exports by fiscal year (won)", "export_usd_by_year": "exports by fiscal year (US dollars)",
}

#: Figures kept by fiscal year and their names in messages (Korean, English): none may be given
#: for a year before the founding or after this year.
_BY_YEAR_NAMES = {
    "revenue": ("매출액", "Revenue"),
    "operating_profit": ("영업이익", "Operating profit"),
    "regular_employees_by_year": ("상시근로자 수", "Regular employees"),
    "export_revenue_by_year": ("수출액(원)", "Exports (won)"),
    "export_usd_by_year": ("수출액(달러)", "Exports (US dollars)"),
}

#: A field without a name here (an API parameter such as ``limit`` or ``starts_at``) is called
#: "this value": the problem already carries the field's key, so the message does not repeat it.
_UNNAMED_KO, _UNNAMED_EN = "이 값", "value"

#: Messages for Pydantic's own error types, in both languages. {f}/{fe}: the field's Korean and
#: English names, {v}: the value given (quoted), {limit}: the bound from the model. Particles
#: after {f} and {v} are chosen by their last syllable (korea/hangul.py).
_GENERIC: dict[str, tuple[str, str]] = {
    "missing": ("{f:을} 입력해 주세요.", "Enter the {fe}."),
    "int_parsing": ("{f:은} 숫자로만 입력해 주세요. 입력값 {v:은} 숫자가 아닙니다.", "The {fe} must be a whole number; {v} is not."),
    "int_type": ("{f:은} 숫자로만 입력해 주세요. 입력값: {v}", "The {fe} must be a whole number; got {v}."),
    # a number too large for any amount (10^20 won): the same words as the bounds, never an internal error
    "int_parsing_size": ("{f:은} 너무 큰 수입니다. 입력값: {v}", "The {fe} is far too large a number; got {v}."),
    "int_from_float": ("{f:은} 소수점 없는 정수로 입력해 주세요. 입력값: {v}", "The {fe} must be a whole number; got {v}."),
    "greater_than_equal": ("{f:은} {limit} 이상이어야 합니다. 입력값: {v}", "The {fe} must be {limit} or more; got {v}."),
    "less_than_equal": ("{f:은} {limit} 이하여야 합니다. 입력값: {v}", "The {fe} must be at most {limit}; got {v}."),
    "date_from_datetime_parsing": ("{f:은} YYYY-MM-DD 형식의 날짜여야 합니다. 입력값: {v}",
                                   "The {fe} must be a date, YYYY-MM-DD; got {v}."),
    "date_parsing": ("{f:은} YYYY-MM-DD 형식의 날짜여야 합니다. 입력값: {v}", "The {fe} must be a date, YYYY-MM-DD; got {v}."),
    "date_type": ("{f:은} YYYY-MM-DD 형식의 날짜여야 합니다. 입력값: {v}", "The {fe} must be a date, YYYY-MM-DD; got {v}."),
    "bool_parsing": ("{f:은} 예 또는 아니오로 답해 주세요.", "The {fe} must be yes or no."),
    "bool_type": ("{f:은} 예 또는 아니오로 답해 주세요.", "The {fe} must be yes or no."),
    "string_type": ("{f:은} 글자로 입력해 주세요.", "The {fe} must be text."),
    "string_too_short": ("{f:을} 입력해 주세요.", "Enter the {fe}."),
    "string_too_long": ("{f:은} {limit}자 이내로 입력해 주세요. 지금 {n}자입니다.",
                        "The {fe} must be at most {limit} characters; it has {n}."),
    "list_type": ("{f:은} 목록이어야 합니다.", "The {fe} must be a list."),
    "dict_type": ("{f:은} 객체여야 합니다.", "The {fe} must be an object."),
    "model_type": ("{f:은} 객체여야 합니다.", "The {fe} must be an object."),
    "enum": ("{f:은} 다음 중 하나여야 합니다: {allowed}", "The {fe} must be one of: {allowed}."),
}
_IMPOSSIBLE_DATE = ("{v:은} 없는 날짜입니다. {f:을} 달력에 있는 날짜로 입력해 주세요.",
                    "{v} is not a date on the calendar; enter the {fe} as a real date.")


def _fill(template: str, values: dict[str, str]) -> str:
    """Format `template`; ``{name:은}`` puts the value and the particle its last syllable takes."""
    def sub(match: re.Match[str]) -> str:
        name, which = match.group(1), match.group(2)
        value = values.get(name, "")
        return josa(value, which) if which else value

    return re.sub(r"\{(\w+)(?::(\w+))?\}", sub, template)


def _shown(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    text = str(value)
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


def _limit(ctx: dict[str, Any]) -> str:
    for key in ("ge", "le", "gt", "lt", "max_length", "min_length"):
        if key in ctx:
            value = ctx[key]
            return f"{value:,}" if isinstance(value, int) else str(value)
    return ""


def problems_from(exc: ValidationError) -> list[FieldProblem]:
    """Turn Pydantic's errors into field problems with Korean and English messages that name
    the field, quote the value given and state the limit."""
    out: list[FieldProblem] = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "firm"
        ctx = err.get("ctx") or {}
        if "ko" in ctx and "en" in ctx:
            field = loc if err["loc"] else _field_of(err["type"])
            out.append(FieldProblem(field, err["type"], str(ctx["ko"]), str(ctx["en"])))
            continue
        top = str(err["loc"][0]) if err["loc"] else "firm"
        given = err.get("input")
        values = {
            "f": _FIELD_NAMES_KO.get(top, _UNNAMED_KO), "fe": _FIELD_NAMES_EN.get(top, _UNNAMED_EN),
            "v": _shown(given), "limit": _limit(ctx), "n": str(len(given)) if isinstance(given, str) else "",
            "allowed": str(ctx.get("expected", "")).replace("'", ""),
        }
        if loc != top and top == "revenue":
            values["f"] = f"{loc.split('.')[-1]}년 매출액"
            values["fe"] = f"revenue for {loc.split('.')[-1]}"
        ko_t, en_t = _GENERIC.get(err["type"], ("{f:이} 올바르지 않습니다. 입력값: {v}", "The {fe} is not valid; got {v}."))
        if err["type"] in ("date_parsing", "date_from_datetime_parsing") and isinstance(given, str) \
                and re.fullmatch(r"\d{4}-\d{2}-\d{2}", given):
            ko_t, en_t = _IMPOSSIBLE_DATE
            values["v"] = given
        if given is None or err["type"] in ("missing", "string_too_short"):
            values["v"] = ""
        out.append(FieldProblem(loc, err["type"], _fill(ko_t, values), _fill(en_t, values)))
    return out


#: The field a whole-profile error is shown beside (the second fact it names is in its message).
_MODEL_ERROR_FIELDS = {
    "revenue_before_founding": "revenue",
    "revenue_future_year": "revenue",
    "operating_profit_before_founding": "operating_profit",
    "operating_profit_future_year": "operating_profit",
    "ceo_too_young": "ceo_birth_date",
    "export_above_revenue": "export_revenue",
    "export_by_year_above_revenue": "export_revenue_by_year",
    "ceo_born_after_founding": "ceo_birth_date",
}


def _field_of(code: str) -> str:
    if code in _MODEL_ERROR_FIELDS:
        return _MODEL_ERROR_FIELDS[code]
    for name in ("founded_on", "ceo_birth_date", "brn", "operating_profit", "regular_employees_by_year",
                 "export_revenue_by_year", "export_usd_by_year"):
        if code.startswith(name):
            return name
    return "firm"


def notices(profile: FirmProfile) -> list[FieldProblem]:
    """What the platform changed in what the firm stated, to show beside the field: today a
    former region code mapped to its successor, with the date and the reason."""
    if profile.region_given is None:
        return []
    resolved = resolve_region(profile.region_given)
    return [FieldProblem("region", "region_changed", resolved.note_ko or "", resolved.note_en or "")]


def parse_firm(data: Any, entry: bool = False) -> FirmProfile:
    """Validate raw data into a profile, or raise one DomainError listing every field problem.
    `entry`: the data is being entered (registration, an edit, `onestop validate`), so what holds
    only at entry is checked too (a prospective founder's planned founding date is not past)."""
    if not isinstance(data, dict):
        raise DomainError(
            code="firm_shape",
            ko="기업 정보는 JSON 객체여야 합니다.",
            en="A firm profile must be a JSON object.",
        )
    try:
        return FirmProfile.model_validate(data, context={"entry": entry})
    except ValidationError as exc:
        problems = problems_from(exc)
        raise DomainError(
            code="firm_invalid",
            ko=f"기업 정보에 {len(problems)}건의 오류가 있습니다.",
            en=f"The firm profile has {len(problems)} error(s).",
            problems=problems,
        ) from None


def parse_firm_json(text: str) -> FirmProfile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DomainError(
            code="json",
            ko=f"JSON 형식이 올바르지 않습니다: {exc.lineno}행 {exc.colno}열",
            en=f"Not valid JSON: line {exc.lineno}, column {exc.colno} ({exc.msg}).",
        ) from None
    return parse_firm(data, entry=True)
