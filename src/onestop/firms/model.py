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
from onestop.korea.money import MAX_WON
from onestop.korea.regions import normalize_region
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


class Qualification(StrEnum):
    """Approvals some programs require; stating none leaves those programs 'needs information'."""

    restart_founder = "restart_founder"
    business_conversion_approved = "business_conversion_approved"
    restructuring_target = "restructuring_target"
    disaster_damage_confirmed = "disaster_damage_confirmed"
    developed_technology = "developed_technology"


CERTIFICATION_NAMES: dict[str, tuple[str, str]] = {
    "venture": ("벤처기업", "Venture business"),
    "innobiz": ("이노비즈(기술혁신형 중소기업)", "Inno-Biz"),
    "mainbiz": ("메인비즈(경영혁신형 중소기업)", "Main-Biz"),
    "women_owned": ("여성기업", "Women-owned business"),
    "disabled_owned": ("장애인기업", "Disabled-owned business"),
    "social_enterprise": ("사회적기업", "Social enterprise"),
    "promising_exporter": ("수출유망중소기업", "Promising exporter"),
}

EARLIEST_DATE = date(1900, 1, 1)


class SupportRecord(BaseModel):
    """One support the firm has received (from any agency)."""

    model_config = ConfigDict(extra="allow")

    program_id: str = Field(min_length=1, max_length=100)
    year: int = Field(ge=1950, le=2100)
    amount: int = Field(default=0, ge=0, le=MAX_WON)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def is_sole_proprietorship(brn: str) -> bool:
    """개인사업자: the BRN's middle two digits (구분코드) are 01-79 (taxable) or 90-99 (tax-exempt);
    80-89 are corporations, their branches and other bodies (국세청, 사업자등록번호 체계)."""
    middle = int(brn[4:6])
    return 1 <= middle <= 79 or 90 <= middle <= 99


def _custom(code: str, ko: str, en: str) -> PydanticCustomError:
    return PydanticCustomError(code, "{en}", {"ko": ko, "en": en})


def _from_domain(err: DomainError) -> PydanticCustomError:
    return _custom(err.code, err.ko, err.en)


class FirmProfile(BaseModel):
    """What a firm states about itself; monetary amounts are integer won."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    brn: str
    name: str = Field(min_length=1, max_length=200)
    ksic: str
    region: str
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
                              f"추가 항목 {key!r}은(는) {MAX_EXTRA_DEPTH}단계까지만 중첩할 수 있습니다.",
                              f"Extra field {key!r} may nest at most {MAX_EXTRA_DEPTH} levels.")
        size = len(json.dumps(extra, ensure_ascii=False, default=str).encode())
        if size > MAX_EXTRA_BYTES:
            raise _custom("extra_fields_size",
                          f"추가 항목은 모두 합쳐 {MAX_EXTRA_BYTES // 1024}KB 이내여야 합니다({size:,}바이트 입력).",
                          f"Extra fields may take at most {MAX_EXTRA_BYTES // 1024} KB in all; got {size:,} bytes.")
        return data

    @field_validator("brn", mode="before")
    @classmethod
    def _brn(cls, v: object) -> str:
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

    @model_validator(mode="after")
    def _dates(self) -> FirmProfile:
        today = date.today()
        if not EARLIEST_DATE <= self.founded_on <= today:
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
        self._consistent(today)
        return self

    def _consistent(self, today: date) -> None:
        """Facts that contradict each other are refused, naming both: revenue for a fiscal year
        before the founding year or after this year, exports above the revenue of the same year,
        and, for a sole proprietorship, a representative born after the founding (the owner is the
        representative; a corporation may appoint a younger one later)."""
        founded = self.founded_on
        for year in sorted(self.revenue):
            if year < founded.year:
                raise _custom("revenue_before_founding",
                              f"{year}년 매출액이 있지만 설립일(founded_on)은 {founded.isoformat()}입니다. "
                              f"설립 연도({founded.year}년) 이후의 매출액만 입력하세요.",
                              f"Revenue is given for {year}, but the firm was founded on {founded.isoformat()} "
                              f"(founded_on); give revenue from {founded.year} on.")
            if year > today.year:
                raise _custom("revenue_future_year",
                              f"{year}년 매출액은 아직 알 수 없습니다. {today.year}년까지의 매출액만 입력하세요.",
                              f"Revenue for {year} cannot be known yet; give revenue up to {today.year}.")
        last = max((y for y in self.revenue if y < today.year), default=None)
        if self.export_revenue is not None and last is not None and self.export_revenue > self.revenue[last]:
            raise _custom("export_above_revenue",
                          f"수출액(export_revenue) {self.export_revenue:,}원이 {last}년 매출액(revenue) "
                          f"{self.revenue[last]:,}원보다 큽니다. 수출액은 매출액의 일부입니다.",
                          f"Exports (export_revenue, {self.export_revenue:,} won) exceed {last} revenue (revenue, "
                          f"{self.revenue[last]:,} won); exports are part of revenue.")
        if (self.ceo_birth_date is not None and self.ceo_birth_date > founded
                and is_sole_proprietorship(self.brn)):
            raise _custom("ceo_born_after_founding",
                          f"대표자 생년월일(ceo_birth_date) {self.ceo_birth_date.isoformat()}이 설립일(founded_on) "
                          f"{founded.isoformat()}보다 늦습니다. 개인사업자는 대표자가 곧 사업주입니다.",
                          f"The representative's birth date (ceo_birth_date, {self.ceo_birth_date.isoformat()}) is "
                          f"after the founding date (founded_on, {founded.isoformat()}); a sole proprietor is "
                          f"the representative.")


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


#: The field a whole-profile error is shown beside (the second fact it names is in its message).
_MODEL_ERROR_FIELDS = {
    "revenue_before_founding": "revenue",
    "revenue_future_year": "revenue",
    "export_above_revenue": "export_revenue",
    "ceo_born_after_founding": "ceo_birth_date",
}


def _field_of(code: str) -> str:
    if code in _MODEL_ERROR_FIELDS:
        return _MODEL_ERROR_FIELDS[code]
    for name in ("founded_on", "ceo_birth_date"):
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
