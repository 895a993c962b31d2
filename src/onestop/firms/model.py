"""The firm profile, validated with Korean rules, and its errors in Korean and English.

A profile is stated once and reused everywhere; validation names each wrong field and what is
allowed, so a user can fix it without guessing. Extra fields are kept (agencies ask for more).
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from onestop.errors import DomainError, FieldProblem
from onestop.korea.brn import normalize_brn
from onestop.korea.ksic import normalize_ksic
from onestop.korea.regions import normalize_region


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


class SupportRecord(BaseModel):
    """One support the firm has received (from any agency)."""

    model_config = ConfigDict(extra="allow")

    program_id: str = Field(min_length=1)
    year: int = Field(ge=1950, le=2100)
    amount: int = Field(default=0, ge=0)
    #: a policy loan (정책자금 융자) for the plan's count and amount limits; None = read from the id
    policy_loan: bool | None = None


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


def by_fiscal_year(v: object, field: str, *, allow_negative: bool) -> dict[int, int]:
    """Amounts by fiscal year (`{"2025": -120000000}`), years 1950–2100, whole won.

    Raises a field error (Korean and English) naming the year or amount that is wrong."""
    ko_name = _FIELD_NAMES_KO.get(field, field)
    en_name = field.replace("_", " ").capitalize()
    if not isinstance(v, dict):
        raise _custom(f"{field}_shape", f'{ko_name}은(는) 사업연도별 금액이어야 합니다. 예: {{"2025": 120000000}}',
                      f'{en_name} must map fiscal years to won, e.g. {{"2025": 120000000}}.')
    out: dict[int, int] = {}
    for year, amount in v.items():
        try:
            y = int(year)
        except (TypeError, ValueError):
            raise _custom(f"{field}_year", f"{ko_name}의 사업연도 {year!r}는 4자리 연도여야 합니다.",
                          f"Fiscal year {year!r} in {en_name.lower()} must be a 4-digit year.") from None
        if not 1950 <= y <= 2100:
            raise _custom(f"{field}_year", f"{ko_name}의 사업연도 {y}는 1950~2100 사이여야 합니다.",
                          f"Fiscal year {y} in {en_name.lower()} must be between 1950 and 2100.")
        if isinstance(amount, bool) or not isinstance(amount, int) or (amount < 0 and not allow_negative):
            allowed_ko = "정수(원, 손실은 음수)" if allow_negative else "0 이상의 정수(원)"
            allowed_en = "a whole number of won (a loss is negative)" if allow_negative else \
                "a whole number of won, 0 or more"
            raise _custom(f"{field}_amount", f"{y}년 {ko_name}은(는) {allowed_ko}여야 합니다. 입력값: {amount!r}",
                          f"{en_name} for {y} must be {allowed_en}; got {amount!r}.")
        out[y] = amount
    return out


def check_applicant(kind: ApplicantKind, brn: str | None, founded_on: date) -> None:
    """A business needs its BRN; a prospective founder has none and states a planned founding date
    (today or within `PLANNED_FOUNDING_YEARS` years; a past date is a plan that slipped and stays
    valid). Raises a field error otherwise."""
    if kind == ApplicantKind.firm and brn is None:
        raise _custom("brn_required", "사업자등록번호를 입력하세요. 사업자등록 전이라면 신청자 유형을 '예비창업자'로 고르세요.",
                      "Enter the business registration number; choose 'prospective founder' if you have not "
                      "registered yet.")
    if kind == ApplicantKind.prospective_founder:
        if brn is not None:
            raise _custom("brn_prospective", "예비창업자는 사업자등록번호가 없습니다. 등록했다면 신청자 유형을 '사업자'로 고르세요.",
                          "A prospective founder has no business registration number; choose 'registered "
                          "business' if you have one.")
        latest = date.today().replace(year=date.today().year + PLANNED_FOUNDING_YEARS)
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
    founded_on: date
    ceo_birth_date: date | None = None
    regular_employees: int | None = Field(default=None, ge=0, le=10_000_000)
    revenue: dict[int, int] = Field(default_factory=dict)
    total_assets: int | None = Field(default=None, ge=0)
    export_revenue: int | None = Field(default=None, ge=0)
    export_usd: int | None = Field(default=None, ge=0)
    certifications: list[Certification] = Field(default_factory=list)
    in_large_business_group: bool = False
    credit_grade: str | None = None
    tax_arrears: bool | None = None
    support_history: list[SupportRecord] = Field(default_factory=list)
    qualifications: list[Qualification] | None = None
    # ── Issue 17: the facts the 2026 policy-fund plan's conditions need (see `PolicyFundFacts`) ──
    applicant_kind: ApplicantKind = ApplicantKind.firm
    operating_profit: dict[int, int] = Field(default_factory=dict)
    total_liabilities: int | None = Field(default=None, ge=0)
    total_equity: int | None = None
    business_status: BusinessStatus | None = None
    credit_default_record: bool | None = None
    rehabilitation: bool | None = None
    tax_arrears_deferred: bool | None = None
    hardship_causes: list[HardshipCause] | None = None
    manufacturing_share_pct: int | None = Field(default=None, ge=0, le=100)
    factory_registered: bool | None = None

    @field_validator("operating_profit", mode="before")
    @classmethod
    def _operating_profit(cls, v: object) -> object:
        return by_fiscal_year(v, "operating_profit", allow_negative=True)

    @model_validator(mode="after")
    def _applicant(self) -> FirmProfile:
        check_applicant(self.applicant_kind, self.brn, self.founded_on)
        return self

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
                    f"매출액의 사업연도 {year!r}는 4자리 연도여야 합니다.",
                    f"Fiscal year {year!r} in revenue must be a 4-digit year.",
                ) from None
            if not 1950 <= y <= 2100:
                raise _custom(
                    "revenue_year",
                    f"매출액의 사업연도 {y}는 1950~2100 사이여야 합니다.",
                    f"Fiscal year {y} in revenue must be between 1950 and 2100.",
                )
            if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
                raise _custom(
                    "revenue_amount",
                    f"{y}년 매출액은 0 이상의 정수(원)여야 합니다. 입력값: {amount!r}",
                    f"Revenue for {y} must be a whole number of won, 0 or more; got {amount!r}.",
                )
            out[y] = amount
        return out

    @field_validator("credit_grade", mode="before")
    @classmethod
    def _grade(cls, v: object) -> object:
        return v.strip().upper() if isinstance(v, str) else v

    @model_validator(mode="after")
    def _dates(self) -> FirmProfile:
        today = date.today()
        if self.applicant_kind == ApplicantKind.firm and not EARLIEST_DATE <= self.founded_on <= today:
            raise _custom(
                "founded_on_range",
                f"설립일(founded_on) {self.founded_on}은 1900-01-01부터 오늘까지여야 합니다.",
                f"founded_on {self.founded_on} must be between 1900-01-01 and today.",
            )
        if self.ceo_birth_date is not None and not EARLIEST_DATE <= self.ceo_birth_date <= today:
            raise _custom(
                "ceo_birth_date_range",
                f"대표자 생년월일(ceo_birth_date) {self.ceo_birth_date}이 올바르지 않습니다.",
                f"ceo_birth_date {self.ceo_birth_date} is not a plausible date.",
            )
        return self


_FIELD_NAMES_KO = {
    "brn": "사업자등록번호",
    "name": "기업명",
    "ksic": "표준산업분류 코드",
    "region": "지역 코드",
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
}

#: Messages for Pydantic's own error types, in both languages; {f} is the field's Korean name.
_GENERIC: dict[str, tuple[str, str]] = {
    "missing": ("{f} 항목이 필요합니다.", "This field is required."),
    "int_parsing": ("{f}은(는) 정수여야 합니다.", "Must be a whole number."),
    "int_type": ("{f}은(는) 정수여야 합니다.", "Must be a whole number."),
    "int_from_float": ("{f}은(는) 소수점 없는 정수여야 합니다.", "Must be a whole number."),
    "greater_than_equal": ("{f}은(는) 0 이상이어야 합니다.", "Must be 0 or more."),
    "less_than_equal": ("{f} 값이 너무 큽니다.", "The value is too large."),
    "date_from_datetime_parsing": ("{f}은(는) YYYY-MM-DD 날짜여야 합니다.", "Must be a date, YYYY-MM-DD."),
    "date_parsing": ("{f}은(는) YYYY-MM-DD 날짜여야 합니다.", "Must be a date, YYYY-MM-DD."),
    "date_type": ("{f}은(는) YYYY-MM-DD 날짜여야 합니다.", "Must be a date, YYYY-MM-DD."),
    "bool_parsing": ("{f}은(는) true 또는 false여야 합니다.", "Must be true or false."),
    "bool_type": ("{f}은(는) true 또는 false여야 합니다.", "Must be true or false."),
    "string_type": ("{f}은(는) 문자열이어야 합니다.", "Must be text."),
    "string_too_short": ("{f}을(를) 입력하세요.", "Must not be empty."),
    "string_too_long": ("{f}이(가) 너무 깁니다.", "Is too long."),
    "list_type": ("{f}은(는) 목록이어야 합니다.", "Must be a list."),
    "dict_type": ("{f}은(는) 객체여야 합니다.", "Must be an object."),
    "model_type": ("{f}은(는) 객체여야 합니다.", "Must be an object."),
    "enum": ("{f}은(는) 다음 중 하나여야 합니다: {allowed}", "Must be one of: {allowed}."),
}


def problems_from(exc: ValidationError) -> list[FieldProblem]:
    """Turn Pydantic's errors into field problems with Korean and English messages."""
    out: list[FieldProblem] = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "firm"
        ctx = err.get("ctx") or {}
        if "ko" in ctx and "en" in ctx:
            field = loc if err["loc"] else _field_of(err["type"])
            out.append(FieldProblem(field, err["type"], str(ctx["ko"]), str(ctx["en"])))
            continue
        top = str(err["loc"][0]) if err["loc"] else "firm"
        ko_t, en_t = _GENERIC.get(err["type"], ("{f} 값이 올바르지 않습니다.", err["msg"]))
        allowed = str(ctx.get("expected", "")).replace("'", "")
        ko = ko_t.format(f=_FIELD_NAMES_KO.get(top, top), allowed=allowed)
        en_t = en_t.format(allowed=allowed)
        if loc != top:
            ko = f"{ko} ({loc})"
        out.append(FieldProblem(loc, err["type"], ko, f"{loc}: {en_t}"))
    return out


def _field_of(code: str) -> str:
    for name in ("founded_on", "ceo_birth_date", "brn", "operating_profit"):
        if code.startswith(name):
            return name
    return "firm"


def parse_firm(data: Any) -> FirmProfile:
    """Validate raw data into a profile, or raise one DomainError listing every field problem."""
    if not isinstance(data, dict):
        raise DomainError(
            code="firm_shape",
            ko="기업 정보는 JSON 객체여야 합니다.",
            en="A firm profile must be a JSON object.",
        )
    try:
        return FirmProfile.model_validate(data)
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
    return parse_firm(data)
