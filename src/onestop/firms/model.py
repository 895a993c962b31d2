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
    field_validator,
)
from pydantic_core import PydanticCustomError

from onestop.errors import DomainError, FieldProblem
from onestop.korea.brn import normalize_brn
from onestop.korea.hangul import josa
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

    program_id: str = Field(min_length=1)
    year: int = Field(ge=1950, le=2100)
    amount: int = Field(default=0, ge=0)


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
                    f"매출액의 사업연도 {josa(repr(year), '는')} 4자리 연도여야 합니다.",
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

    # Date ranges are checked per field (not after the whole model), so a wrong date is reported
    # together with every other problem of the form, not after they are fixed.
    @field_validator("founded_on")
    @classmethod
    def _founded(cls, v: date) -> date:
        today = date.today()
        if not EARLIEST_DATE <= v <= today:
            raise _custom(
                "founded_on_range",
                f"설립일은 1900-01-01부터 오늘({today})까지여야 합니다. 입력값: {v}",
                f"The founding date must be between 1900-01-01 and today ({today}); got {v}.",
            )
        return v

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

_FIELD_NAMES_EN = {
    "brn": "business registration number", "name": "firm name", "ksic": "industry code (KSIC)",
    "region": "region code", "founded_on": "founding date", "ceo_birth_date": "CEO's date of birth",
    "regular_employees": "number of regular employees", "revenue": "revenue", "total_assets": "total assets",
    "export_revenue": "exports (won)", "export_usd": "exports (US dollars)", "certifications": "certifications",
    "in_large_business_group": "large business group membership", "credit_grade": "credit grade",
    "tax_arrears": "unpaid taxes", "support_history": "support history", "qualifications": "approvals",
}

#: Messages for Pydantic's own error types, in both languages. {f}/{fe}: the field's Korean and
#: English names, {v}: the value given (quoted), {limit}: the bound from the model. Particles
#: after {f} and {v} are chosen by their last syllable (korea/hangul.py).
_GENERIC: dict[str, tuple[str, str]] = {
    "missing": ("{f:을} 입력해 주세요.", "Enter the {fe}."),
    "int_parsing": ("{f:은} 숫자로만 입력해 주세요. 입력값 {v:은} 숫자가 아닙니다.", "The {fe} must be a whole number; {v} is not."),
    "int_type": ("{f:은} 숫자로만 입력해 주세요. 입력값: {v}", "The {fe} must be a whole number; got {v}."),
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
            "f": _FIELD_NAMES_KO.get(top, top), "fe": _FIELD_NAMES_EN.get(top, top),
            "v": _shown(given), "limit": _limit(ctx), "n": str(len(given)) if isinstance(given, str) else "",
            "allowed": str(ctx.get("expected", "")).replace("'", ""),
        }
        if loc != top and top == "revenue":
            values["f"] = f"{loc.split('.')[-1]}년 매출액"
            values["fe"] = f"revenue for {loc.split('.')[-1]}"
        ko_t, en_t = _GENERIC.get(err["type"], ("{f} 값이 올바르지 않습니다. 입력값: {v}", "The {fe} is not valid; got {v}."))
        if err["type"] in ("date_parsing", "date_from_datetime_parsing") and isinstance(given, str) \
                and re.fullmatch(r"\d{4}-\d{2}-\d{2}", given):
            ko_t, en_t = _IMPOSSIBLE_DATE
            values["v"] = given
        if given is None or err["type"] in ("missing", "string_too_short"):
            values["v"] = ""
        out.append(FieldProblem(loc, err["type"], _fill(ko_t, values), _fill(en_t, values)))
    return out


def _field_of(code: str) -> str:
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
