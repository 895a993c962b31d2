"""Financial statements (재무제표): the fourteen lines of a fiscal year a lender reads, their checks.

Pure core: no web, database or file I/O. Amounts are integer won (`korea.money`). A firm states up
to three fiscal years; each year is checked on its own (the balance identity, sub-totals, signs,
magnitudes) and every problem names the field in Korean and English, so a form can show it next
to the input.

The identity 자산총계 = 부채총계 + 자본총계 is the balance-sheet equation of 재무상태표 (K-IFRS 1001호
문단 54, 일반기업회계기준 제2장 2.18–2.19: 자산, 부채, 자본의 구분 표시); sub-totals follow the same
standard's classification (유동자산 ⊇ 재고자산·매출채권, 부채총계 ⊇ 유동부채).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from onestop.errors import DomainError, FieldProblem
from onestop.korea.hangul import josa
from onestop.korea.money import MAX_WON, format_won
from onestop.text import identifier

#: How many fiscal years a firm states (the current one and two before it).
MAX_YEARS = 3


@dataclass(frozen=True)
class Line:
    """One statement line: its key, Korean and English names, and whether it may be negative."""

    key: str
    ko: str
    en: str
    negative_allowed: bool
    statement: str  # "is" (손익계산서) or "bs" (재무상태표)


#: The fourteen lines, in the order of the template and the form.
LINES: tuple[Line, ...] = (
    Line("revenue", "매출액", "Revenue (sales)", False, "is"),
    Line("cost_of_sales", "매출원가", "Cost of sales", False, "is"),
    Line("operating_profit", "영업이익", "Operating profit", True, "is"),
    Line("interest_expense", "이자비용", "Interest expense", False, "is"),
    Line("net_income", "당기순이익", "Net income", True, "is"),
    Line("depreciation", "감가상각비", "Depreciation and amortisation", False, "is"),
    Line("total_assets", "자산총계", "Total assets", False, "bs"),
    Line("current_assets", "유동자산", "Current assets", False, "bs"),
    Line("inventory", "재고자산", "Inventories", False, "bs"),
    Line("receivables", "매출채권", "Trade receivables", False, "bs"),
    Line("total_liabilities", "부채총계", "Total liabilities", False, "bs"),
    Line("current_liabilities", "유동부채", "Current liabilities", False, "bs"),
    Line("total_equity", "자본총계", "Total equity", True, "bs"),
    Line("retained_earnings", "이익잉여금", "Retained earnings", True, "bs"),
)
LINE = {line.key: line for line in LINES}
KEYS = tuple(line.key for line in LINES)

#: (part, whole): a part may not exceed its whole.
SUBTOTALS: tuple[tuple[str, str], ...] = (
    ("current_assets", "total_assets"),
    ("inventory", "current_assets"),
    ("receivables", "current_assets"),
    ("current_liabilities", "total_liabilities"),
)

_NUMBER = re.compile(r"^-?\d{1,3}(?:,\d{3})+$|^-?\d+$")


@dataclass(frozen=True)
class FiscalYear:
    """One fiscal year's statements, integer won."""

    year: int
    revenue: int
    cost_of_sales: int
    operating_profit: int
    interest_expense: int
    net_income: int
    depreciation: int
    total_assets: int
    current_assets: int
    inventory: int
    receivables: int
    total_liabilities: int
    current_liabilities: int
    total_equity: int
    retained_earnings: int

    def amount(self, key: str) -> int:
        value: int = getattr(self, key)
        return value

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Statements:
    """Up to three fiscal years, newest first."""

    years: tuple[FiscalYear, ...]

    @property
    def latest(self) -> FiscalYear:
        return self.years[0]

    def previous(self, year: FiscalYear) -> FiscalYear | None:
        """The year just before `year`, when stated."""
        return next((y for y in self.years if y.year == year.year - 1), None)

    def as_json(self) -> list[dict[str, int]]:
        return [y.as_dict() for y in self.years]


def _field(year: int | str, key: str) -> str:
    return f"years.{year}.{key}"


def _amount(raw: object, year: int | str, line: Line, problems: list[FieldProblem]) -> int | None:
    """One amount: an int, or text of digits (commas between thousands allowed); None after a problem."""
    field = _field(year, line.key)
    value: int | None = None
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str):
        text = identifier(raw).replace(" ", "")
        if len(text) <= 30 and _NUMBER.match(text):  # longer is no amount (and int() refuses 4,300+ digits)
            value = int(text.replace(",", ""))
    if raw is None or (isinstance(raw, str) and not identifier(raw)):
        problems.append(FieldProblem(field, "required", f"{year}년 {josa(line.ko, '을')} 입력하세요 (원 단위 정수).",
                                     f"Enter {line.en.lower()} for {year} (whole won)."))
        return None
    if value is None:
        problems.append(FieldProblem(
            field, "not_a_number",
            f"{year}년 {josa(line.ko, '은')} 원 단위 정수여야 합니다 (예: 1,250,000,000). 입력값: {str(raw)[:40]!r}",
            f"{line.en} for {year} must be a whole number of won (e.g. 1,250,000,000); got {str(raw)[:40]!r}."))
        return None
    if value < 0 and not line.negative_allowed:
        problems.append(FieldProblem(field, "negative", f"{year}년 {josa(line.ko, '은')} 0 이상이어야 합니다. 입력값: {value:,}",
                                     f"{line.en} for {year} must be 0 or more; got {value:,}."))
        return None
    if abs(value) > MAX_WON:
        problems.append(FieldProblem(field, "magnitude",
                                     f"{year}년 {line.ko} {value:,}원은 허용 범위(절댓값 1,000조 원 이하)를 넘습니다.",
                                     f"{line.en} for {year} of {value:,} won is beyond the allowed range "
                                     "(at most 1,000 trillion won either way)."))
        return None
    return value


def _year(raw: object, problems: list[FieldProblem], index: int) -> int | None:
    text = identifier(str(raw)) if raw is not None and not isinstance(raw, bool) else ""
    if not (text.isascii() and text.isdigit() and len(text) == 4 and 1950 <= int(text) <= 2100):
        problems.append(FieldProblem(f"years.{index}.year", "year",
                                     f"사업연도는 1950~2100 사이의 4자리 연도여야 합니다. 입력값: {str(raw)[:20]!r}",
                                     f"The fiscal year must be a 4-digit year between 1950 and 2100; got {str(raw)[:20]!r}."))
        return None
    return int(text)


def check_year(values: dict[str, int], year: int) -> list[FieldProblem]:
    """The cross-field checks of one year: the balance identity and sub-totals within totals."""
    problems: list[FieldProblem] = []
    assets, liabilities, equity = values["total_assets"], values["total_liabilities"], values["total_equity"]
    if assets != liabilities + equity:
        gap = assets - (liabilities + equity)
        problems.append(FieldProblem(
            _field(year, "total_assets"), "unbalanced",
            f"{year}년 자산총계({format_won(assets)})가 부채총계({format_won(liabilities)})와 "
            f"자본총계({format_won(equity)})의 합과 {format_won(abs(gap))} 다릅니다. 자산총계 = 부채총계 + 자본총계여야 합니다.",
            f"For {year}, total assets ({assets:,} won) differ from total liabilities ({liabilities:,}) plus total "
            f"equity ({equity:,}) by {abs(gap):,} won; total assets must equal total liabilities plus total equity."))
        for key in ("total_liabilities", "total_equity"):  # the same mismatch, named next to the other two fields
            problems.append(FieldProblem(
                _field(year, key), "unbalanced",
                f"{year}년 부채총계와 자본총계의 합({format_won(liabilities + equity)})이 자산총계({format_won(assets)})와 다릅니다.",
                f"For {year}, total liabilities plus total equity ({liabilities + equity:,} won) differ from total assets "
                f"({assets:,} won)."))
    for part, whole in SUBTOTALS:
        if values[part] > values[whole]:
            p, w = LINE[part], LINE[whole]
            problems.append(FieldProblem(
                _field(year, part), "above_total",
                f"{year}년 {josa(f'{p.ko}({format_won(values[part])})', '이')} {w.ko}({format_won(values[whole])})보다 큽니다. "
                f"{josa(p.ko, '은')} {w.ko}의 일부입니다.",
                f"For {year}, {p.en.lower()} ({values[part]:,} won) exceed {w.en.lower()} ({values[whole]:,} won), "
                "of which they are a part."))
    if values["inventory"] + values["receivables"] > values["current_assets"]:
        problems.append(FieldProblem(
            _field(year, "receivables"), "above_total",
            f"{year}년 재고자산과 매출채권의 합이 유동자산보다 큽니다.",
            f"For {year}, inventories plus trade receivables exceed current assets."))
    return problems


def parse_statements(data: Any) -> Statements:
    """Statements from JSON-like data: `{"years": [{"year": 2025, "revenue": …, …}, …]}` or a bare list.

    Every problem of every year is collected; raises DomainError (`statements_invalid`) carrying one
    FieldProblem per field (field names `years.<year>.<line>`). Years are returned newest first."""
    rows = data.get("years") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not rows:
        raise DomainError(code="statements_shape", field="years",
                          ko="재무제표는 사업연도별 항목 목록이어야 합니다 (최소 1개 연도, 최대 3개 연도).",
                          en="Statements must be a list of fiscal years (at least one, at most three).")
    if len(rows) > MAX_YEARS:
        raise DomainError(code="statements_years", field="years",
                          ko=f"재무제표는 최대 {MAX_YEARS}개 사업연도까지 입력할 수 있습니다. 입력: {len(rows)}개",
                          en=f"At most {MAX_YEARS} fiscal years may be stated; got {len(rows)}.")
    problems: list[FieldProblem] = []
    years: list[FiscalYear] = []
    seen: set[int] = set()
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.append(FieldProblem(f"years.{index}", "shape", "각 사업연도는 항목과 금액의 묶음이어야 합니다.",
                                         "Each fiscal year must be an object of lines and amounts."))
            continue
        year = _year(row.get("year"), problems, index)
        if year is None:
            continue
        if year in seen:
            problems.append(FieldProblem(f"years.{year}.year", "duplicate", f"{year}년이 두 번 입력되었습니다.",
                                         f"Fiscal year {year} is stated twice."))
            continue
        seen.add(year)
        values: dict[str, int] = {}
        for line in LINES:
            value = _amount(row.get(line.key), year, line, problems)
            if value is not None:
                values[line.key] = value
        if len(values) == len(LINES):
            found = check_year(values, year)
            problems.extend(found)
            if not found:
                years.append(FiscalYear(year=year, **values))
    if problems:
        raise DomainError(code="statements_invalid", field=problems[0].field,
                          ko=f"재무제표에 고칠 곳이 {len(problems)}개 있습니다.",
                          en=f"The statements have {len(problems)} problem(s) to fix.", problems=problems)
    years.sort(key=lambda y: y.year, reverse=True)
    return Statements(years=tuple(years))
