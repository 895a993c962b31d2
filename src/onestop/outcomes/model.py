"""Outcome declarations, reporting schedules and the checks of one outcome report (pure).

A program declares in its catalog YAML what it measures and when:

    outcomes:
      measures: [revenue_won, regular_employees, new_hires_youth]
      after_months: [6, 12]
      due_business_days: 20
      source: {ko: '…', en: '…'}

After the support is executed, one report is due per entry of `after_months`: the period ends
`after_months` calendar months after the execution date (the last day of a shorter month when
the day does not exist) and the report is due `due_business_days` Korean business days after
that (weekends and public holidays under the 관공서의 공휴일에 관한 규정 excluded, via `holidays`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from onestop.applications.consultations import business_days_after
from onestop.errors import DomainError, FieldProblem
from onestop.korea.hangul import josa
from onestop.korea.money import MAX_WON
from onestop.rules.facts import CERTIFICATIONS
from onestop.text import text


class Kind(StrEnum):
    won = "won"          # integer won
    usd = "usd"          # whole US dollars
    people = "people"    # a head count
    items = "items"      # a number of things (patents, products)
    certification = "certification"  # a certification code, or none


class Measure(StrEnum):
    revenue_won = "revenue_won"
    exports_won = "exports_won"
    exports_usd = "exports_usd"
    regular_employees = "regular_employees"
    new_hires_youth = "new_hires_youth"
    new_hires_prime = "new_hires_prime"
    new_hires_senior = "new_hires_senior"
    certification = "certification"
    patents = "patents"
    products_launched = "products_launched"
    placements = "placements"
    export_contracts = "export_contracts"
    asset_deals = "asset_deals"
    asset_deal_won = "asset_deal_won"
    course_completions = "course_completions"


@dataclass(frozen=True)
class MeasureInfo:
    kind: Kind
    ko: str
    en: str
    #: the firm-profile fact a ten-fold jump is checked against (before any earlier report)
    baseline_fact: str | None = None


#: What each measure is, in Korean and English. Age groups of new hires: 청년 15–34 as the
#: 청년고용촉진 특별법 시행령 제2조 extends it for public programs; 신중년 50 and over as the
#: 고용노동부 신중년 정책 (2017) uses it; the rest (35–49) in between.
MEASURES: dict[Measure, MeasureInfo] = {
    Measure.revenue_won: MeasureInfo(Kind.won, "매출액", "revenue", "revenue"),
    Measure.exports_won: MeasureInfo(Kind.won, "수출액(원)", "exports (won)", "export_revenue"),
    Measure.exports_usd: MeasureInfo(Kind.usd, "수출액(달러)", "exports (US$)", "export_usd"),
    Measure.regular_employees: MeasureInfo(Kind.people, "상시근로자 수", "regular employees", "regular_employees"),
    Measure.new_hires_youth: MeasureInfo(Kind.people, "신규 채용(청년 15–34세)", "new hires aged 15–34"),
    Measure.new_hires_prime: MeasureInfo(Kind.people, "신규 채용(35–49세)", "new hires aged 35–49"),
    Measure.new_hires_senior: MeasureInfo(Kind.people, "신규 채용(신중년 50세 이상)", "new hires aged 50 and over"),
    Measure.certification: MeasureInfo(Kind.certification, "취득 인증", "certification gained"),
    Measure.patents: MeasureInfo(Kind.items, "특허 등록 건수", "patents registered"),
    Measure.products_launched: MeasureInfo(Kind.items, "출시 제품 수", "products launched"),
    Measure.placements: MeasureInfo(Kind.people, "취업 연계 인원", "people placed in jobs"),
    Measure.export_contracts: MeasureInfo(Kind.items, "수출 계약 건수", "export contracts"),
    Measure.asset_deals: MeasureInfo(Kind.items, "유휴자산 약정 건수", "idle-asset deals"),
    Measure.asset_deal_won: MeasureInfo(Kind.won, "유휴자산 약정 금액", "idle-asset deal value"),
    Measure.course_completions: MeasureInfo(Kind.people, "재취업 교육 수료 인원", "people completing a re-employment course"),
}

#: Upper bounds that catch a slip of the keyboard, not a real figure.
_MAX = {Kind.won: MAX_WON, Kind.usd: 10**12, Kind.people: 10_000_000, Kind.items: 100_000}
#: A value this many times the previous one (or less than 1/JUMP of it) needs a confirmation.
JUMP = 10


class SourceKind(StrEnum):
    """What an outcome that does not come from an application's report comes from."""

    export_contract = "export_contract"  # a buyer inquiry followed up to a contract (exports)
    asset_deal = "asset_deal"            # an idle-asset request agreed by both sides (marketplace)
    job_placement = "job_placement"      # a hire recorded by the firm and confirmed by the seeker (jobs)
    course_completion = "course_completion"  # a seeker reached a re-employment course's hours (jobs; no firm)


#: The measures each kind of recorded outcome may carry.
SOURCE_MEASURES: dict[SourceKind, frozenset[Measure]] = {
    SourceKind.export_contract: frozenset({Measure.export_contracts, Measure.exports_won, Measure.exports_usd}),
    SourceKind.asset_deal: frozenset({Measure.asset_deals, Measure.asset_deal_won}),
    SourceKind.job_placement: frozenset({Measure.placements, Measure.new_hires_senior}),
    SourceKind.course_completion: frozenset({Measure.course_completions}),
}


def check_recorded(source_kind: str, values: Mapping[str, int]) -> dict[Measure, int]:
    """The figures of one recorded outcome, checked: a known source kind, only the measures
    that kind carries, each a whole number from 0 up to the measure's bound."""
    try:
        kind = SourceKind(source_kind)
    except ValueError:
        raise DomainError(code="invalid", field="source_kind",
                          ko=f"성과 출처가 아닙니다: {source_kind!r}; 가능한 값: {', '.join(SourceKind)}",
                          en=f"Not an outcome source: {source_kind!r}; allowed: {', '.join(SourceKind)}") from None
    allowed = SOURCE_MEASURES[kind]
    out: dict[Measure, int] = {}
    for key, value in values.items():
        try:
            measure = Measure(key)
        except ValueError:
            measure = None
        if measure is None or measure not in allowed:
            names = ", ".join(sorted(m.value for m in allowed))
            raise DomainError(code="invalid", field=key, ko=f"이 성과에 없는 지표입니다: {key!r}; 가능한 값: {names}",
                              en=f"Not a measure of this outcome: {key!r}; allowed: {names}")
        info = MEASURES[measure]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX[info.kind]:
            raise DomainError(code="invalid", field=key,
                              ko=f"{josa(info.ko, '는')} 0 이상 {_MAX[info.kind]:,} 이하의 정수여야 합니다.",
                              en=f"The {info.en} must be a whole number from 0 to {_MAX[info.kind]:,}.")
        out[measure] = value
    return out


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanText(_Strict):
    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)


class OutcomePlan(_Strict):
    """A program's declaration of the outcomes it measures (catalog YAML `outcomes:`)."""

    measures: list[Measure] = Field(min_length=1)
    after_months: list[int] = Field(min_length=1)
    due_business_days: int = Field(default=20, ge=1, le=120)
    source: PlanText

    @model_validator(mode="after")
    def _shape(self) -> OutcomePlan:
        if len(set(self.measures)) != len(self.measures):
            raise ValueError("measures must be distinct")
        if any(m < 1 or m > 120 for m in self.after_months):
            raise ValueError("after_months must be between 1 and 120")
        if sorted(set(self.after_months)) != self.after_months:
            raise ValueError("after_months must be distinct and in increasing order")
        return self


def add_months(day: date, months: int) -> date:
    """`day` plus calendar months; the 31st plus one month is the last day of a 30-day month."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Due:
    after_months: int
    period_end: date
    due_on: date


def schedule(plan: OutcomePlan, executed_on: date) -> list[Due]:
    """The reports due after an execution on `executed_on` (KST date), in order."""
    out = []
    for months in plan.after_months:
        end = add_months(executed_on, months)
        out.append(Due(months, end, business_days_after(end, plan.due_business_days)))
    return out


_NUMBER = re.compile(r"^[+-]?\d+$")


def _problem(field: str, code: str, ko: str, en: str) -> FieldProblem:
    return FieldProblem(field, code, ko, en)


def parse_number(raw: str, field: str, kind: Kind) -> tuple[int | None, FieldProblem | None]:
    """A whole number from a form field: digits with optional thousands separators (`1,200`);
    empty is None. Text, decimals, negatives and absurd sizes are problems naming what is allowed."""
    value = text(raw).replace(",", "").replace(" ", "")
    if value == "":
        return None, None
    unit_ko, unit_en = {Kind.won: ("원", "won"), Kind.usd: ("달러", "US dollars"),
                        Kind.people: ("명", "people"), Kind.items: ("건", "items")}[kind]
    if not _NUMBER.match(value):
        return None, _problem(field, "not_a_number", f"숫자만 입력하세요({unit_ko} 단위 정수, 예: 1,200). 입력: {raw!r}",
                              f"Enter a whole number of {unit_en} (e.g. 1,200); got {raw!r}.")
    n = int(value)
    if n < 0:
        return None, _problem(field, "negative", f"0 이상이어야 합니다({unit_ko}). 입력: {n:,}",
                              f"Must be 0 or more ({unit_en}); got {n:,}.")
    if n > _MAX[kind]:
        return None, _problem(field, "too_large", f"{_MAX[kind]:,}{unit_ko} 이하여야 합니다.",
                              f"Must be at most {_MAX[kind]:,} {unit_en}.")
    return n, None


def is_jump(value: int, previous: int | None) -> bool:
    """True when `value` is at least JUMP times `previous` or at most 1/JUMP of it (previous > 0)."""
    if previous is None or previous <= 0:
        return False
    return value >= JUMP * previous or value * JUMP <= previous


@dataclass(frozen=True)
class CheckedReport:
    values: dict[str, int | str | None]
    as_of: date


def check_report(plan: OutcomePlan, raw: Mapping[str, str], previous: Mapping[str, int | None],
                 today: date, confirmed: Sequence[str] = ()) -> CheckedReport:
    """Check one outcome report as posted: `raw` maps each measure (and `as_of`, the date the
    figures describe, YYYY-MM-DD) to the text entered; `previous` maps measures to the firm's
    previous figure (an earlier report, or its profile); `confirmed` lists the measures whose
    ten-fold jump the firm confirmed.

    Returns the parsed values (integers; a certification code or None). Raises DomainError
    `outcome_invalid` with one FieldProblem per bad field (text in a number, a negative head
    count, a date in the future, an unconfirmed jump, an unknown certification)."""
    problems: list[FieldProblem] = []
    values: dict[str, int | str | None] = {}
    as_of_raw = text(raw.get("as_of", ""))
    as_of = today
    try:
        as_of = date.fromisoformat(as_of_raw)
    except ValueError:
        problems.append(_problem("as_of", "date", f"기준일을 YYYY-MM-DD 형식으로 입력하세요. 입력: {as_of_raw!r}",
                                 f"Enter the reference date as YYYY-MM-DD; got {as_of_raw!r}."))
    else:
        if as_of > today:
            problems.append(_problem("as_of", "future", f"기준일은 오늘({today}) 이후일 수 없습니다.",
                                     f"The reference date cannot be after today ({today})."))
    for measure in plan.measures:
        info = MEASURES[measure]
        field = measure.value
        entered = raw.get(field, "")
        if info.kind == Kind.certification:
            code = text(entered)
            if code and code not in CERTIFICATIONS:
                problems.append(_problem(field, "certification_unknown",
                                         f"알 수 없는 인증입니다: {code!r}. 목록에서 고르세요.",
                                         f"Unknown certification {code!r}; choose one from the list."))
            values[field] = code or None
            continue
        n, problem = parse_number(entered, field, info.kind)
        if problem is not None:
            problems.append(problem)
            continue
        if n is None:
            problems.append(_problem(field, "required", f"{josa(str(info.ko), '을')} 입력하세요(없으면 0).",
                                     f"Enter the {info.en} (0 if none)."))
            continue
        prev = previous.get(field)
        if is_jump(n, prev) and field not in confirmed:
            problems.append(_problem(field, "jump_unconfirmed",
                                     f"이전 값({prev:,})의 10배 이상 차이가 납니다. 맞으면 확인란을 선택하세요.",
                                     f"This differs ten-fold or more from the previous figure ({prev:,}); "
                                     "tick the confirmation if it is right."))
        values[field] = n
    if problems:
        raise DomainError(code="outcome_invalid", field=problems[0].field, problems=problems,
                          ko="성과 보고에 고칠 항목이 있습니다. 저장된 내용은 그대로입니다.",
                          en="Some fields of the outcome report need correcting; nothing saved was changed.")
    return CheckedReport(values, as_of)


@dataclass(frozen=True)
class Progress:
    target: int
    actual: int

    @property
    def ratio(self) -> float:
        """actual / target (0 when the target is 0)."""
        return self.actual / self.target if self.target else 0.0

    @property
    def percent(self) -> int:
        """Progress in whole percent, rounded half down (a target is met only at 100)."""
        return (self.actual * 100) // self.target if self.target else 0
