"""Firm profiles to rule facts, a chunk at a time, as column expressions (Polars).

The same meaning as the per-firm path (`firms.model.parse_firm` then `firms.facts.derive`), proven
field by field by a property test (tests/unit/test_registry_columns.py). How the work is split:

- **Shape, per value** (`split_rows`): each raw row is sorted into columns while its values are
  checked for their exact JSON type (a string where text is expected, an `int` — not a bool, not
  a float, within 64 bits — where a number is). A row whose shape the columns cannot carry
  without guessing what Pydantic would make of it (a float for a count, a string for an amount,
  an unknown field, a support history, a prospective founder) is *irregular*.
- **Checks, by column** (`facts_of`): the BRN check digit, KSIC and region codes by a join
  against each distinct code's answer from `korea.ksic`/`korea.regions`, dates and bounds, the
  fiscal-year rules and the profile's consistency rules, as vectorized expressions.
- **Facts, by column**: ages, the last fiscal year, the 3-year average revenue (시행령 제7조), the
  year-on-year changes, the size class from the dated parameters in force on the date (the
  `korea.sme_size` decision as a `when/then` chain over each distinct KSIC code's thresholds),
  수도권, the statement facts.
- **Everything else, per firm**: a row that is irregular or fails a check goes to
  `parse_firm` and `derive` unchanged, so its field errors (or, when the checks were stricter
  than the model, its facts) are the per-firm path's own. Bad rows are rare in a registry, so
  this costs nothing where it matters, and an error message never has two wordings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import polars as pl

from onestop.errors import DomainError
from onestop.firms.facts import derive, size_of
from onestop.firms.model import (
    EARLIEST_DATE,
    MAX_EMPLOYEES,
    MAX_USD,
    MIN_CEO_AGE,
    parse_firm,
)
from onestop.korea.ksic import normalize_ksic
from onestop.korea.money import MAX_WON
from onestop.korea.regions import CAPITAL_AREA_SIDO, resolve_region
from onestop.korea.sme_size import MEDIUM, NON_SME, SMALL, SizeTable, _lookup, _micro_limit, table_on
from onestop.rules.facts import (
    BUSINESS_STATUSES,
    CERTIFICATIONS,
    HARDSHIP_CAUSES,
    QUALIFICATIONS,
)
from onestop.rules.vectorize import MASKED_SETS, fact_schema, facts_frame

INT64 = 2**63
#: The columns a result carries besides the facts: the input row (1-based), the firm's BRN and
#: name, and the size parameters' version the size class was decided with.
ID_COLUMNS = ("row", "brn", "name", "parameters_version")

_INTS: dict[str, tuple[int, int]] = {
    "regular_employees": (0, MAX_EMPLOYEES),
    "total_assets": (0, MAX_WON),
    "export_revenue": (0, MAX_WON),
    "export_usd": (0, MAX_USD),
    "total_liabilities": (0, MAX_WON),
    "total_equity": (-MAX_WON, MAX_WON),
    "manufacturing_share_pct": (0, 100),
}
#: Yes/no facts that may be left unstated (None).
_BOOLS = ("tax_arrears", "credit_default_record", "rehabilitation", "tax_arrears_deferred",
          "factory_registered")
#: Closed vocabularies stated as lists: (allowed values, may be None).
_SETS: dict[str, tuple[tuple[str, ...], bool]] = {
    "certifications": (CERTIFICATIONS, False),
    "qualifications": (QUALIFICATIONS, True),
    "hardship_causes": (HARDSHIP_CAUSES, True),
}
_BY_YEAR = ("revenue", "operating_profit")
_PERCENT = {p: p / 100 for p in range(101)}
_DATES = ("founded_on", "ceo_birth_date")
KNOWN = frozenset({"brn", "name", "ksic", "region", "credit_grade", "applicant_kind", "business_status",
                   "in_large_business_group", "support_history", *_INTS, *_BOOLS, *_SETS, *_BY_YEAR,
                   *_DATES})

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEAR = re.compile(r"[0-9]{4}")
_BRN = re.compile(r"[0-9]{3}-?[0-9]{2}-?[0-9]{5}")


class Irregular(Exception):
    """A value whose meaning only the per-firm model decides."""


@dataclass
class Split:
    """A chunk sorted into columns (regular rows) and rows for the per-firm path."""

    columns: dict[str, list[Any]] = field(default_factory=dict)
    #: (row, year, amount) of revenue and operating profit, regular rows only
    by_year: dict[str, tuple[list[int], list[int], list[int]]] = field(default_factory=dict)
    #: (row number, raw value) of rows for the per-firm path
    other: list[tuple[int, Any]] = field(default_factory=list)


def _int(v: Any) -> int | None:
    if v is None:
        return None
    if type(v) is not int or not -INT64 <= v < INT64:
        raise Irregular
    return v


def _bool(v: Any, optional: bool = True) -> bool | None:
    if v is None and optional:
        return None
    if type(v) is bool:
        return bool(v)
    raise Irregular


def _date(v: Any, optional: bool) -> date | None:
    if v is None and optional:
        return None
    if type(v) is date:
        return v
    if isinstance(v, str) and _ISO_DATE.fullmatch(v):
        try:
            return date.fromisoformat(v)
        except ValueError:
            raise Irregular from None
    raise Irregular


def _mask(v: Any, vocab: tuple[str, ...], optional: bool, bits: dict[str, int]) -> int | None:
    if v is None and optional:
        return None
    if not isinstance(v, list) or len(v) > len(vocab):
        raise Irregular
    m = 0
    for x in v:
        if not isinstance(x, str) or x not in bits:
            raise Irregular
        m |= bits[x]
    return m


def _years(v: Any) -> list[tuple[int, int]]:
    if v is None:
        raise Irregular
    if not isinstance(v, dict):
        raise Irregular
    out = []
    for k, amount in v.items():
        if not isinstance(k, str) or not _YEAR.fullmatch(k) or type(amount) is not int \
                or not -INT64 <= amount < INT64:
            raise Irregular
        out.append((int(k), amount))
    return out


def _row(raw: Any) -> dict[str, Any]:
    """One raw row as column values, or Irregular."""
    if not isinstance(raw, dict) or not KNOWN.issuperset(raw):
        raise Irregular
    if raw.get("applicant_kind", "firm") != "firm" or raw.get("support_history", []) != []:
        raise Irregular
    brn, name, ksic, region = raw.get("brn"), raw.get("name"), raw.get("ksic"), raw.get("region")
    if not isinstance(brn, str) or not brn.isascii() or not isinstance(name, str) \
            or not isinstance(ksic, str) or not isinstance(region, str):
        raise Irregular
    brn = "".join(brn.split())
    name = unicodedata.normalize("NFC", name)
    # surrounding blanks: Pydantic trims by Unicode White_Space, Python by str.isspace; leave them to it
    if not _BRN.fullmatch(brn) or not 1 <= len(name) <= 200 or name != name.strip():
        raise Irregular
    grade = raw.get("credit_grade")
    if grade is not None:
        if not isinstance(grade, str):
            raise Irregular
        grade = unicodedata.normalize("NFC", grade).strip().upper()
        if len(grade) > 10:
            raise Irregular
    status = raw.get("business_status")
    if status is not None and status not in BUSINESS_STATUSES:
        raise Irregular
    out: dict[str, Any] = {
        "brn": brn.replace("-", ""), "name": name, "ksic_raw": ksic, "region_raw": region,
        "credit_grade": grade, "business_status": status,
        "in_large_business_group": _bool(raw.get("in_large_business_group", False), optional=False),
        "founded_on": _date(raw.get("founded_on"), optional=False),
        "ceo_birth_date": _date(raw.get("ceo_birth_date"), optional=True),
    }
    for k in _INTS:
        out[k] = _int(raw.get(k))
    for k in _BOOLS:
        out[k] = _bool(raw.get(k))
    for k, (vocab, optional) in _SETS.items():
        out[k] = _mask(raw.get(k, None if optional else []), vocab, optional, MASKED_SETS[k])
    for k in _BY_YEAR:
        out[k] = _years(raw.get(k, {}))
    return out


def split_rows(rows: Sequence[tuple[int, Any]]) -> Split:
    """Sort raw rows (row number, decoded JSON or a DomainError) into columns and the rest."""
    split = Split()
    cols: dict[str, list[Any]] = {}
    names = ["row", "brn", "name", "ksic_raw", "region_raw", "credit_grade", "business_status",
             "in_large_business_group", *_DATES, *_INTS, *_BOOLS, *_SETS]
    for name in names:
        cols[name] = []
    years: dict[str, tuple[list[int], list[int], list[int]]] = {k: ([], [], []) for k in _BY_YEAR}
    for n, raw in rows:
        try:
            values = _row(raw)
        except Irregular:
            split.other.append((n, raw))
            continue
        values["row"] = n
        for k in names:
            cols[k].append(values[k])
        for k in _BY_YEAR:
            r, y, a = years[k]
            for year, amount in values[k]:
                r.append(n)
                y.append(year)
                a.append(amount)
    split.columns = cols
    split.by_year = years
    return split


# ─────────────────────────────────────────────────────────────── code look-ups by join

def _code_table(values: Sequence[str], normalise: Callable[[str], str], name: str) -> pl.DataFrame:
    """Each distinct code as given → its normalised form (null when refused)."""
    out: list[str | None] = []
    for v in values:
        try:
            out.append(normalise(v))
        except DomainError:
            out.append(None)
    return pl.DataFrame({f"{name}_raw": list(values), name: out},
                        schema={f"{name}_raw": pl.String(), name: pl.String()})


@lru_cache(maxsize=65536)
def _region(v: str) -> str:
    return resolve_region(unicodedata.normalize("NFC", v)).current


@lru_cache(maxsize=65536)
def _ksic(v: str) -> str:
    return normalize_ksic(unicodedata.normalize("NFC", v))


_THRESHOLDS: dict[tuple[str, str], tuple[int | None, int | None, int | None]] = {}


def _thresholds(code: str, t: SizeTable) -> tuple[int | None, int | None, int | None]:
    """(ceiling, small band, micro-enterprise limit) of a code in the table version `t`."""
    key = (code, t.version)
    if key not in _THRESHOLDS:
        _THRESHOLDS[key] = (_lookup(code, t.ceilings), _lookup(code, t.small_bands), _micro_limit(code, t))
    return _THRESHOLDS[key]


def _size_table(codes: Sequence[str], t: SizeTable) -> pl.DataFrame:
    rows = [_thresholds(c, t) for c in codes]
    return pl.DataFrame(
        {"ksic": list(codes),
         "_ceiling": [r[0] for r in rows],
         "_band": [r[1] for r in rows],
         "_micro_limit": [r[2] for r in rows]},
        schema={"ksic": pl.String(), "_ceiling": pl.Int64(), "_band": pl.Int64(), "_micro_limit": pl.Int64()},
    )


def _years_since(col: str, on: date) -> pl.Expr:
    """`korea.dates.completed_years(col, on)` by column."""
    d = pl.col(col)
    before = (d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)) > on.month * 100 + on.day
    return (pl.lit(on.year, pl.Int32) - d.dt.year().cast(pl.Int32) - before.cast(pl.Int32)).cast(pl.Int64)


def _between(col: str, lo: int, hi: int) -> pl.Expr:
    c = pl.col(col)
    return c.is_null() | c.is_between(lo, hi)


# ─────────────────────────────────────────────────────────────── the checks and facts

#: Column types of a chunk's regular rows (and of the registry's Parquet, `registry.schema`).
def typed_schema() -> dict[str, pl.DataType]:
    return {
        "row": pl.Int64(), "brn": pl.String(), "name": pl.String(), "ksic_raw": pl.String(),
        "region_raw": pl.String(), "credit_grade": pl.String(), "business_status": pl.String(),
        "in_large_business_group": pl.Boolean(), "founded_on": pl.Date(), "ceo_birth_date": pl.Date(),
        **{k: pl.Int64() for k in _INTS}, **{k: pl.Boolean() for k in _BOOLS},
        **{k: pl.UInt16() for k in _SETS},
    }


YEAR_SCHEMA = {"row": pl.Int64(), "year": pl.Int64(), "amount": pl.Int64()}


def typed(split: Split) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(regular rows, revenue by year, operating profit by year) as frames."""
    def years(name: str) -> pl.DataFrame:
        r, y, a = split.by_year[name]
        return pl.DataFrame({"row": r, "year": y, "amount": a}, schema=YEAR_SCHEMA)

    return (pl.DataFrame(split.columns, schema=typed_schema()), years("revenue"),
            years("operating_profit"))


def _checked(frame: pl.DataFrame, revenue: pl.DataFrame, profit: pl.DataFrame, today: date) -> pl.DataFrame:
    """The typed rows with `_ok` (every check passed), the codes normalised and the BRN formatted."""
    ksic = _code_table(frame.get_column("ksic_raw").unique().to_list(), _ksic, "ksic")
    region = _code_table(frame.get_column("region_raw").unique().to_list(), _region, "region")
    frame = frame.join(ksic, on="ksic_raw", how="left").join(region, on="region_raw", how="left")

    founded = frame.select("row", pl.col("founded_on").dt.year().cast(pl.Int64).alias("_fy"))
    # fiscal-year rules: years 1950–2100, from the founding year to this year, amounts in bounds
    bad_years = pl.concat([
        long.join(founded, on="row").filter(
            ~pl.col("year").is_between(1950, min(2100, today.year)) | (pl.col("year") < pl.col("_fy"))
            | ~pl.col("amount").is_between(lo, MAX_WON)
        ).select("row")
        for long, lo in ((revenue, 0), (profit, -MAX_WON))
    ]).unique().with_columns(pl.lit(True).alias("_bad_year"))
    frame = frame.join(bad_years, on="row", how="left")
    last = (revenue.filter(pl.col("year") < today.year).group_by("row").agg(pl.col("year").max().alias("_ly"))
            .join(revenue.rename({"year": "_ly", "amount": "_last_revenue"}), on=["row", "_ly"]))
    frame = frame.join(last.select("row", "_last_revenue"), on="row", how="left")

    digits = [pl.col("brn").str.slice(i, 1).cast(pl.Int64) for i in range(10)]
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = pl.sum_horizontal([d * w for d, w in zip(digits, weights, strict=False)]) + (digits[8] * 5) // 10
    middle = pl.col("brn").str.slice(3, 2).cast(pl.Int64)
    sole = middle.is_between(1, 79) | middle.is_between(90, 99)
    born, founded_on = pl.col("ceo_birth_date"), pl.col("founded_on")
    ok = pl.all_horizontal(
        digits[9] == (10 - total % 10) % 10,
        pl.col("ksic").is_not_null(), pl.col("region").is_not_null(),
        founded_on.is_between(EARLIEST_DATE, today),
        born.is_null() | born.is_between(EARLIEST_DATE, today),
        *[_between(k, lo, hi) for k, (lo, hi) in _INTS.items()],
        pl.col("_bad_year").is_null(),
        pl.col("export_revenue").is_null() | pl.col("_last_revenue").is_null()
        | (pl.col("export_revenue") <= pl.col("_last_revenue")),
        born.is_null() | (_years_since("ceo_birth_date", today) >= MIN_CEO_AGE),
        born.is_null() | (born <= founded_on) | ~sole,
    ).fill_null(False)
    frame = frame.with_columns(
        ok.alias("_ok"),
        _brn_text("brn").alias("brn"),
    )
    return frame


def _by_year_facts(frame: pl.DataFrame, revenue: pl.DataFrame, profit: pl.DataFrame, on: date) -> pl.DataFrame:
    """The last fiscal year's revenue, the year before, the 3-year average, operating profit."""
    rows = frame.select("row", pl.col("founded_on").dt.year().cast(pl.Int64).alias("_fy"))
    past = revenue.filter(pl.col("year") < on.year)
    last = past.group_by("row").agg(pl.col("year").max().alias("_last"))
    rows = rows.join(last, on="row", how="left")
    at = past.rename({"year": "_y", "amount": "_a"})
    rows = (rows.join(at.rename({"_y": "_last", "_a": "revenue"}), on=["row", "_last"], how="left")
            .with_columns((pl.col("_last") - 1).alias("_prev"))
            .join(at.rename({"_y": "_prev", "_a": "_before"}), on=["row", "_prev"], how="left")
            .with_columns(pl.max_horizontal(pl.col("_last") - 2, pl.col("_fy")).alias("_first")))
    span = (rows.select("row", "_first", "_last").join(past, on="row")
            .filter(pl.col("year").is_between(pl.col("_first"), pl.col("_last")))
            .group_by("row").agg(pl.len().alias("_n"), pl.col("amount").sum().alias("_sum")))
    rows = rows.join(span, on="row", how="left").with_columns(
        (pl.col("_last") - pl.col("_first") + 1).alias("_width"))
    rows = rows.with_columns(
        pl.when((pl.col("_width") > 0) & (pl.col("_n") == pl.col("_width")))
        .then(pl.col("_sum") // pl.col("_width")).alias("revenue_avg3"),
        pl.when(pl.col("_before") > 0)
        .then((pl.col("revenue") - pl.col("_before")).cast(pl.Float64) / pl.col("_before").cast(pl.Float64))
        .alias("revenue_change_yoy"),
    )
    op_past = profit.filter(pl.col("year") < on.year)
    op_last = op_past.group_by("row").agg(pl.col("year").max().alias("_op_last"))
    op_at = op_past.rename({"year": "_op_last", "amount": "operating_profit"})
    rows = (rows.join(op_last, on="row", how="left")
            .with_columns(pl.coalesce("_op_last", "_last").alias("_op_last"))
            .join(op_at, on=["row", "_op_last"], how="left")
            .with_columns((pl.col("_op_last") - 1).alias("_op_prev"))
            .join(op_at.rename({"_op_last": "_op_prev", "operating_profit": "_op_before"}),
                  on=["row", "_op_prev"], how="left"))
    now, before = pl.col("operating_profit"), pl.col("_op_before")
    rows = rows.with_columns(
        pl.when(now.is_null() | before.is_null()).then(None)
        .when(before == 0).then(pl.when(now == 0).then(0.0).when(now < 0).then(-1.0).otherwise(1.0))
        .otherwise((now - before).cast(pl.Float64) / before.abs().cast(pl.Float64))
        .alias("operating_profit_change_yoy"))
    return rows.select("row", "revenue", "revenue_avg3", "revenue_change_yoy", "operating_profit",
                       "operating_profit_change_yoy")


def _size(frame: pl.DataFrame, t: SizeTable) -> pl.DataFrame:
    """`korea.sme_size.classify` by column: size class, 소기업, 소상공인."""
    frame = frame.join(_size_table(frame.get_column("ksic").unique().to_list(), t), on="ksic", how="left")
    assets, avg = pl.col("total_assets"), pl.col("revenue_avg3")
    non_sme = pl.col("in_large_business_group") | (assets.is_not_null() & (assets >= t.asset_cap))
    unknown = pl.col("_ceiling").is_null() | pl.col("_band").is_null() | avg.is_null()
    small = avg <= pl.col("_band")
    employees, limit = pl.col("regular_employees"), pl.col("_micro_limit")
    size = (pl.when(non_sme).then(pl.lit(NON_SME)).when(unknown).then(None)
            .when(avg > pl.col("_ceiling")).then(pl.lit(NON_SME)).when(assets.is_null()).then(None)
            .when(small).then(pl.lit(SMALL)).otherwise(pl.lit(MEDIUM)))
    return frame.with_columns(size.alias("size_class")).with_columns(
        (pl.col("size_class") != NON_SME).alias("is_sme"),
        pl.when(pl.col("size_class").is_null()).then(None).otherwise(pl.col("size_class") == SMALL).alias("is_small"),
        pl.when(pl.col("size_class").is_null()).then(None).when(pl.col("size_class") != SMALL).then(False)
        .when(employees.is_null() | limit.is_null()).then(None).otherwise(employees < limit)
        .alias("is_micro_enterprise"),
    )


@dataclass
class Facts:
    """A chunk's result: the facts of its valid rows (fact schema + `ID_COLUMNS`, in row order)
    and the errors of its invalid rows (row number, DomainError)."""

    frame: pl.DataFrame
    errors: list[tuple[int, DomainError]]
    #: rows that took the per-firm path (irregular shape, or a check refused them)
    per_firm: int = 0
    #: rows a column check refused that the per-firm model accepted (0 when the checks are exact)
    rescued: int = 0


def result_schema() -> dict[str, pl.DataType]:
    return {"row": pl.Int64(), "brn": pl.String(), "name": pl.String(), "parameters_version": pl.String(),
            **fact_schema()}


def _kept(error: DomainError) -> DomainError:
    """The error without its traceback (and its cause's): kept in a list, a traceback's frames
    would hold the whole chunk in a reference cycle until the collector ran."""
    seen: set[int] = set()
    e: BaseException | None = error
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        e.__traceback__ = None
        e = e.__cause__ or e.__context__
    return error


def _per_firm(rows: Sequence[tuple[int, Any]], on: date) -> tuple[pl.DataFrame, list[tuple[int, DomainError]]]:
    facts: list[dict[str, Any]] = []
    ids: dict[str, list[Any]] = {"row": [], "brn": [], "name": [], "parameters_version": []}
    errors: list[tuple[int, DomainError]] = []
    for n, raw in rows:
        try:
            if isinstance(raw, DomainError):
                raise raw
            firm = parse_firm(raw)
        except DomainError as e:
            errors.append((n, _kept(e)))
            continue
        size = size_of(firm, on)
        facts.append(derive(firm, on, size))
        for k, v in (("row", n), ("brn", firm.brn), ("name", firm.name), ("parameters_version", size.parameters_version)):
            ids[k].append(v)
    frame = facts_frame(facts, extra=ids).cast({"row": pl.Int64(), "brn": pl.String(), "name": pl.String(),
                                                "parameters_version": pl.String()})
    return frame.select(list(result_schema())), errors


def _brn_text(col: str) -> pl.Expr:
    c = pl.col(col)
    return c.str.slice(0, 3) + "-" + c.str.slice(3, 2) + "-" + c.str.slice(5)


def frame_facts(frame: pl.DataFrame, revenue: pl.DataFrame, profit: pl.DataFrame, on: date,
                today: date, trusted: bool = False) -> tuple[pl.DataFrame, list[int]]:
    """(facts of the rows that pass every check — `result_schema()`, row order kept —, the
    row numbers of those that do not) for typed rows (`typed_schema()`) and their amounts by year.
    `trusted`: the rows were checked when they were written (a registry's), so the checks are
    skipped and the codes taken as stored."""
    if trusted:
        frame = frame.with_columns(pl.col("ksic_raw").alias("ksic"), pl.col("region_raw").alias("region"),
                                   _brn_text("brn").alias("brn"))
        refused: list[int] = []
    else:
        frame = _checked(frame, revenue, profit, today)
        refused = frame.filter(~pl.col("_ok")).get_column("row").to_list()
        frame = frame.filter(pl.col("_ok"))
    t = table_on(on)
    frame = frame.join(_by_year_facts(frame, revenue, profit, on), on="row", how="left", maintain_order="left")
    frame = _size(frame, t)
    equity, liabilities = pl.col("total_equity"), pl.col("total_liabilities")
    frame = frame.with_columns(
        pl.col("region").str.slice(0, 2).alias("sido"),
        pl.col("region").str.slice(0, 2).is_in(sorted(CAPITAL_AREA_SIDO)).alias("capital_area"),
        pl.max_horizontal(_years_since("founded_on", on), pl.lit(0, pl.Int64)).alias("business_age_years"),
        _years_since("ceo_birth_date", on).alias("ceo_age"),
        pl.when(pl.col("revenue").is_not_null() & (pl.col("revenue") != 0))
        .then(pl.col("export_revenue").cast(pl.Float64) / pl.col("revenue").cast(pl.Float64)).alias("export_ratio"),
        pl.lit([], pl.List(pl.String())).alias("received_programs"),
        pl.lit("firm").alias("applicant_kind"),
        pl.when(equity > 0).then(liabilities.cast(pl.Float64) / equity.cast(pl.Float64)).alias("debt_ratio"),
        (equity <= 0).alias("capital_impaired"),
        # pct / 100 as Python divides it (Polars multiplies by 0.01 for a literal divisor: 41 → 0.41000000000000003)
        pl.col("manufacturing_share_pct").replace_strict(_PERCENT, return_dtype=pl.Float64).alias("manufacturing_share"),
        pl.lit(0, pl.Int64).alias("policy_fund_count_5y"),
        pl.lit(0, pl.Int64).alias("policy_fund_amount_5y"),
        pl.lit(t.version).alias("parameters_version"),
    )
    schema = result_schema()
    return frame.select([pl.col(k).cast(v) for k, v in schema.items()]), refused


def facts_of(rows: Sequence[tuple[int, Any]], on: date, today: date | None = None) -> Facts:
    """The facts of a chunk of raw rows on date `on` (validation as of `today`)."""
    today = today or date.today()
    split = split_rows(rows)
    columnar, refused_rows = frame_facts(*typed(split), on, today)
    refused = set(refused_rows)
    other = split.other + ([(n, raw) for n, raw in rows if n in refused] if refused else [])
    slow, errors = _per_firm(other, on)
    rescued = len(refused) - len(refused.intersection(n for n, _ in errors))
    out = (pl.concat([columnar, slow]) if slow.height else columnar).sort("row")
    errors.sort(key=lambda e: e[0])
    return Facts(out, errors, per_firm=len(other), rescued=rescued)


@dataclass
class Validated:
    """A chunk checked for a registry: valid rows typed (codes normalised, BRN formatted) with
    their amounts by year, and the errors of the rest (row number, DomainError)."""

    checked: pl.DataFrame
    revenue: pl.DataFrame
    profit: pl.DataFrame
    errors: list[tuple[int, DomainError]]


#: What a registry row does not carry: the support history (agencies keep it themselves) and the
#: former region code as typed (the registry holds the current one).
NOT_IN_REGISTRY = frozenset({"support_history", "region_given"})


def validated(rows: Sequence[tuple[int, Any]], today: date | None = None) -> Validated:
    """Check raw rows for a registry; a row the columns cannot carry is read by the per-firm model
    and, when valid, carried in its normalised form."""
    split = split_rows(rows)

    def raw_of(refused: set[int]) -> list[tuple[int, Any]]:
        return [(n, raw) for n, raw in rows if n in refused]

    return validated_typed(*typed(split), split.other, raw_of, today)


def validated_typed(frame: pl.DataFrame, revenue: pl.DataFrame, profit: pl.DataFrame,
                    other: Sequence[tuple[int, Any]], raw_of: Callable[[set[int]], list[tuple[int, Any]]],
                    today: date | None = None) -> Validated:
    """`validated` for rows already typed (`typed_schema()`, amounts by year in `YEAR_SCHEMA`) and
    raw rows (`other`, row number and raw profile) the columns could not carry; `raw_of(rows)`
    gives the raw profiles of typed rows a check refuses, for the per-firm model."""
    today = today or date.today()
    checked = _checked(frame, revenue, profit, today)
    refused = set(checked.filter(~pl.col("_ok")).get_column("row").to_list())
    errors: list[tuple[int, DomainError]] = []
    again: list[tuple[int, Any]] = []
    for n, raw in sorted([*other, *(raw_of(refused) if refused else [])], key=lambda r: r[0]):
        try:
            if isinstance(raw, DomainError):
                raise raw
            firm = parse_firm(raw)
        except DomainError as e:
            errors.append((n, _kept(e)))
            continue
        if firm.applicant_kind.value != "firm":
            errors.append((n, DomainError(
                code="registry_prospective", field="applicant_kind",
                ko="예비창업자는 사업자등록 전이므로 기업 등록부에 넣지 않습니다.",
                en="A prospective founder is not registered yet, so is not part of a firm registry.")))
            continue
        again.append((n, {k: v for k, v in firm.model_dump(mode="json", exclude_none=True).items()
                          if k in KNOWN and k not in NOT_IN_REGISTRY}))
    if again:
        second = split_rows(again)
        f2, r2, p2 = typed(second)
        c2 = _checked(f2, r2, p2, today)
        lost = [n for n, _ in second.other] + c2.filter(~pl.col("_ok")).get_column("row").to_list()
        for n in lost:  # not expected for a normalised profile; never silently dropped
            errors.append((n, DomainError(code="registry_shape", ko="등록부 형식으로 옮길 수 없는 행입니다.",
                                          en="This row cannot be carried in the registry's layout.")))
        first_ok = checked.filter(pl.col("_ok")).get_column("row").implode()
        checked = pl.concat([checked.filter(pl.col("_ok")), c2.filter(pl.col("_ok"))])
        revenue = pl.concat([revenue.filter(pl.col("row").is_in(first_ok)), r2])
        profit = pl.concat([profit.filter(pl.col("row").is_in(first_ok)), p2])
    else:
        checked = checked.filter(pl.col("_ok"))
    errors.sort(key=lambda e: e[0])
    keep = checked.get_column("row").implode()
    return Validated(checked.drop("_ok", "_last_revenue", "_bad_year").sort("row"),
                     revenue.filter(pl.col("row").is_in(keep)), profit.filter(pl.col("row").is_in(keep)), errors)
