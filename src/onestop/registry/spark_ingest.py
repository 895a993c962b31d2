"""The ingest checks and fact derivation as Spark SQL column expressions, run on the executors.

`onestop batch REGISTRY --engine spark` reads a registry (the Parquet layout of
`registry.schema`, a local folder or an object-storage URI) with Spark and checks and derives
every firm's facts there, with the same meaning as the Polars columnar path (`registry.columns`):

- **Row numbers** as the Polars engine counts them (the files in path order, each file's rows in
  order, from 1): each file's row count (the Parquet footers of a local folder, or a Spark count
  by `_metadata.file_path` for a URI), a running offset joined back as a broadcast table, plus
  `_metadata.row_index`.
- **Checks** (`checked`): the BRN check digit (국세청 사업자등록번호 검증번호), KSIC and region codes by
  a join against a broadcast reference table holding each distinct code's answer from
  `korea.ksic` and `korea.regions` (and the KSIC code's size thresholds in the dated parameters
  in force), dates (1900-01-01 to today), the bounds of every amount and count, the fiscal-year
  rules (1950 to this year, not before the founding year, amounts in bounds), exports within the
  last fiscal year's revenue, the representative's age (at least 15) and a sole proprietor born
  before the founding.
- **Facts** (`derive`): ages in completed years, the last fiscal year's revenue, the 3-year
  average revenue (중소기업기본법 시행령 제7조: the years from the founding year on, at most three),
  the year-on-year changes, the size class from the dated parameters (`korea.sme_size`), 수도권,
  the statement facts — the fact schema of `rules.vectorize.fact_schema`, so the rule columns of
  `registry.spark` evaluate them as they are.

A row a check refuses is collected to the driver (bad rows are rare in a registry) and read by the
per-firm model, so its field errors have one wording everywhere (`registry.columns.facts_of`).
A test (tests/unit/test_spark_ingest.py) proves Spark's facts and errors equal the Polars path's
row by row on generated valid and invalid firms.

PySpark is imported lazily: the rest of the platform never needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from onestop.errors import DomainError
from onestop.firms.model import EARLIEST_DATE, MIN_CEO_AGE
from onestop.korea.money import MAX_WON
from onestop.korea.regions import CAPITAL_AREA_SIDO
from onestop.korea.sme_size import MEDIUM, NON_SME, SMALL, SizeTable, table_on
from onestop.registry.columns import _INTS, _code_table, _ksic, _region, _thresholds, facts_of, result_schema
from onestop.registry.schema import REGISTRY_SCHEMA
from onestop.registry.synthetic import as_profiles

_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def _F() -> Any:
    from pyspark.sql import functions

    return functions


def _spark_type(dtype: pl.DataType) -> str:
    """A Polars column type as the Spark SQL type it is carried in (unsigned masks as int)."""
    if dtype == pl.String():
        return "string"
    if dtype == pl.Boolean():
        return "boolean"
    if dtype == pl.Float64():
        return "double"
    if dtype == pl.UInt16():
        return "int"
    if dtype == pl.Date():
        return "date"
    if dtype == pl.List(pl.String()):
        return "array<string>"
    if dtype == pl.Int64():
        return "bigint"
    raise ValueError(f"no Spark type for {dtype}")


#: The columns of the facts frame Spark derives (`registry.columns.result_schema`) and their types.
FACT_TYPES: dict[str, str] = {k: _spark_type(v) for k, v in result_schema().items()}
#: The registry's columns as Spark reads them (what a refused row is read back from).
REGISTRY_COLUMNS = [k for k in REGISTRY_SCHEMA if k != "sido"]


def read_registry(spark: Any, src: str) -> Any:
    """A registry (Parquet, `registry.schema` layout; a folder or URI Spark can list) with `row`:
    the 1-based row number the Polars engine gives the same firm (the files in path order, each
    file's rows in order). Each file is known by its last two path parts (`sido=11/part-00000.parquet`)."""
    F = _F()
    frame = (spark.read.parquet(src)
             .select(F.regexp_extract(F.col("_metadata.file_path"), "([^/]+/[^/]+)$", 1).alias("_key"),
                     F.col("_metadata.row_index").alias("_index"), *REGISTRY_COLUMNS))
    offsets: list[tuple[str, int]] = []
    done = 0
    for key, count in sorted(_file_rows(src, frame), key=lambda r: r[0].split("/")):
        offsets.append((key, done))
        done += count
    table = spark.createDataFrame(offsets or [("", 0)], "_key string, _offset bigint")
    return (frame.join(F.broadcast(table), on="_key", how="left")
            .select((F.col("_offset") + F.col("_index") + F.lit(1)).alias("row"), *REGISTRY_COLUMNS))


def _file_rows(src: str, frame: Any) -> list[tuple[str, int]]:
    """(last two path parts, rows) of every file of the registry: from the Parquet footers for a
    local folder (no Spark job), from a Spark count by file for a URI."""
    if "://" not in src and Path(src).is_dir():
        return [(f"{f.parent.name}/{f.name}", pq.ParquetFile(f).metadata.num_rows)
                for f in sorted(Path(src).glob("sido=*/*.parquet"))]
    return [(r["_key"], int(r["count"])) for r in frame.groupBy("_key").count().collect()]


def reference_tables(spark: Any, frame: Any, t: SizeTable) -> tuple[Any, Any]:
    """(KSIC table, region table) for the distinct codes of `frame`: each code as stored → its
    normalised form (null when `korea.ksic`/`korea.regions` refuse it) and, for KSIC, the size
    thresholds of table version `t` (ceiling, small band, micro-enterprise limit, in won and heads)."""
    F = _F()
    codes = frame.select(F.collect_set("ksic").alias("k"), F.collect_set("region").alias("r")).first()
    ksic = _code_table(sorted(codes["k"] or []), _ksic, "ksic")
    region = _code_table(sorted(codes["r"] or []), _region, "region")
    rows = []
    for raw, code in ksic.iter_rows():
        limits = _thresholds(code, t) if code is not None else (None, None, None)
        rows.append((raw, code, *limits))
    ksic_frame = spark.createDataFrame(
        rows or [(None, None, None, None, None)],
        "ksic_raw string, ksic string, _ceiling bigint, _band bigint, _micro_limit bigint")
    region_frame = spark.createDataFrame(list(region.iter_rows()) or [(None, None)], "region_raw string, region string")
    return ksic_frame, region_frame


def _years_since(col: Any, on: date) -> Any:
    """`korea.dates.completed_years(col, on)`: whole years from the date `col` to `on`."""
    F = _F()
    before = (F.month(col) * 100 + F.dayofmonth(col)) > F.lit(on.month * 100 + on.day)
    return (F.lit(on.year) - F.year(col) - before.cast("int")).cast("bigint")


def _between(name: str, lo: int, hi: int) -> Any:
    F = _F()
    c = F.col(name)
    return c.isNull() | c.between(F.lit(lo), F.lit(hi))


def _last(years: Any) -> Any:
    """The element of a `{year, amount}` list with the latest year (null for an empty list)."""
    F = _F()
    return F.array_max(years)


def _at(years: Any, year: Any) -> Any:
    """The amount of `year` in a `{year, amount}` list (null when absent)."""
    F = _F()
    return F.try_element_at(F.filter(years, lambda x: x["year"] == year), F.lit(1))["amount"]


def checked(frame: Any, ksic: Any, region: Any, today: date) -> Any:
    """`registry.columns._checked` in Spark: the rows with `_ok` (every check passed), `ksic`
    and `region` normalised, the thresholds of the KSIC code, `brn` formatted 123-45-67890."""
    F = _F()
    frame = (frame.withColumnsRenamed({"ksic": "ksic_raw", "region": "region_raw"})
             .join(F.broadcast(ksic), on="ksic_raw", how="left")
             .join(F.broadcast(region), on="region_raw", how="left"))
    brn = F.regexp_replace(F.col("brn"), "-", "")
    digits = [F.substring(brn, i + 1, 1).cast("bigint") for i in range(10)]
    total = sum((d * w for d, w in zip(digits, _BRN_WEIGHTS, strict=False)), F.lit(0)) + F.floor(digits[8] * 5 / 10)
    middle = F.substring(brn, 4, 2).cast("bigint")
    sole = middle.between(1, 79) | middle.between(90, 99)
    founded, born = F.col("founded_on"), F.col("ceo_birth_date")
    fy = F.year(founded)
    top = min(2100, today.year)

    def bad_years(name: str, lo: int) -> Any:
        return F.coalesce(F.exists(F.col(name), lambda x: ~x["year"].between(1950, top) | (x["year"] < fy)
                                   | ~x["amount"].between(F.lit(lo), F.lit(MAX_WON))), F.lit(False))

    last_revenue = _last(F.filter(F.col("revenue"), lambda x: x["year"] < today.year))["amount"]
    export = F.col("export_revenue")
    checks = [
        brn.rlike("^[0-9]{10}$"),
        digits[9] == (F.lit(10) - total % 10) % 10,
        F.col("ksic").isNotNull(), F.col("region").isNotNull(),
        founded.between(F.lit(EARLIEST_DATE), F.lit(today)),
        born.isNull() | born.between(F.lit(EARLIEST_DATE), F.lit(today)),
        *[_between(k, lo, hi) for k, (lo, hi) in _INTS.items()],
        ~bad_years("revenue", 0), ~bad_years("operating_profit", -MAX_WON),
        export.isNull() | last_revenue.isNull() | (export <= last_revenue),
        born.isNull() | (_years_since(born, today) >= MIN_CEO_AGE),
        born.isNull() | (born <= founded) | ~sole,
    ]
    ok = F.coalesce(checks[0], F.lit(False))
    for c in checks[1:]:
        ok = ok & F.coalesce(c, F.lit(False))
    formatted = F.concat_ws("-", F.substring(brn, 1, 3), F.substring(brn, 4, 2), F.substring(brn, 6, 5))
    return frame.withColumns({"_ok": ok, "_brn": formatted})


def derive(frame: Any, on: date, t: SizeTable) -> Any:
    """`registry.columns.frame_facts` in Spark: checked rows → the facts on `on` (the columns
    and types of `FACT_TYPES`), the size class by the parameters `t` in force on `on`."""
    F = _F()
    c = F.col
    # one projection per step (not a column at a time): Spark analyses the plan once per step
    frame = frame.withColumns({
        "_past": F.filter(c("revenue"), lambda x: x["year"] < on.year),
        "_op_past": F.filter(c("operating_profit"), lambda x: x["year"] < on.year)})
    frame = frame.withColumns({
        "_last": _last(c("_past"))["year"].cast("bigint"),
        "_op_latest": _last(c("_op_past"))["year"].cast("bigint")})
    frame = frame.withColumns({
        "revenue_amount": _at(c("_past"), c("_last")),
        "_before": _at(c("_past"), c("_last") - 1),
        "_first": F.greatest(c("_last") - 2, F.year("founded_on").cast("bigint")),
        "_op_last": F.coalesce(c("_op_latest"), c("_last"))})
    span = F.filter(c("_past"), lambda x: x["year"].between(c("_first"), c("_last")))
    frame = frame.withColumns({
        "_n": F.size(span).cast("bigint"),
        "_sum": F.aggregate(span, F.lit(0).cast("bigint"), lambda acc, x: acc + x["amount"]),
        "_width": c("_last") - c("_first") + 1,
        "operating_profit_amount": _at(c("_op_past"), c("_op_last")),
        "_op_before": _at(c("_op_past"), c("_op_last") - 1)})
    revenue, before = c("revenue_amount"), c("_before")
    now, op_before = c("operating_profit_amount"), c("_op_before")
    sign = F.when(now == 0, F.lit(0.0)).when(now < 0, F.lit(-1.0)).otherwise(F.lit(1.0))
    frame = frame.withColumns({
        "revenue_avg3": F.when((c("_width") > 0) & (c("_n") == c("_width")), F.expr("_sum div _width")),
        "revenue_change_yoy": F.when(before > 0, (revenue - before).cast("double") / before.cast("double")),
        "operating_profit_change_yoy": F.when(now.isNull() | op_before.isNull(), F.lit(None).cast("double"))
        .when(op_before == 0, sign)
        .otherwise((now - op_before).cast("double") / F.abs(op_before).cast("double"))})

    # korea.sme_size.classify: 상한기준 (assets), 규모기준 (3-year average revenue), 소기업, 소상공인
    assets, avg = F.col("total_assets"), F.col("revenue_avg3")
    non_sme = F.col("in_large_business_group") | (assets.isNotNull() & (assets >= F.lit(t.asset_cap)))
    unknown = F.col("_ceiling").isNull() | F.col("_band").isNull() | avg.isNull()
    size = (F.when(non_sme, F.lit(NON_SME)).when(unknown, F.lit(None))
            .when(avg > F.col("_ceiling"), F.lit(NON_SME)).when(assets.isNull(), F.lit(None))
            .when(avg <= F.col("_band"), F.lit(SMALL)).otherwise(F.lit(MEDIUM)))
    frame = frame.withColumn("size_class", size)
    size_class, employees, limit = F.col("size_class"), F.col("regular_employees"), F.col("_micro_limit")
    equity, liabilities = F.col("total_equity"), F.col("total_liabilities")
    pct = F.col("manufacturing_share_pct")
    facts = {
        "brn": F.col("_brn"),
        "is_sme": size_class != F.lit(NON_SME),
        "is_small": F.when(size_class.isNull(), F.lit(None)).otherwise(size_class == F.lit(SMALL)),
        "is_micro_enterprise": F.when(size_class.isNull(), F.lit(None)).when(size_class != F.lit(SMALL), F.lit(False))
        .when(employees.isNull() | limit.isNull(), F.lit(None)).otherwise(employees < limit),
        "sido": F.substring("region", 1, 2),
        "capital_area": F.substring("region", 1, 2).isin(sorted(CAPITAL_AREA_SIDO)),
        "business_age_years": F.greatest(_years_since(F.col("founded_on"), on), F.lit(0).cast("bigint")),
        "ceo_age": _years_since(F.col("ceo_birth_date"), on),
        "revenue": revenue,
        "export_ratio": F.when(revenue.isNotNull() & (revenue != 0),
                               F.col("export_revenue").cast("double") / revenue.cast("double")),
        "received_programs": F.array().cast("array<string>"),
        "applicant_kind": F.lit("firm"),
        "operating_profit": now,
        "debt_ratio": F.when(equity > 0, liabilities.cast("double") / equity.cast("double")),
        "capital_impaired": equity <= 0,
        # pct / 100 as Python divides it (a correctly rounded IEEE division, 41 → 0.41)
        "manufacturing_share": pct.cast("double") / F.lit(100.0),
        "policy_fund_count_5y": F.lit(0),
        "policy_fund_amount_5y": F.lit(0),
        "parameters_version": F.lit(t.version),
    }
    columns = [(facts[k] if k in facts else F.col(k)).cast(v).alias(k) for k, v in FACT_TYPES.items()]
    return frame.select(*columns)


@dataclass
class SparkFacts:
    """A registry's facts derived by Spark: the valid rows' facts (a Spark DataFrame with the
    columns of `FACT_TYPES`) and the invalid rows' errors (row number, DomainError), in row order."""

    frame: Any
    errors: list[tuple[int, DomainError]]
    #: rows a check refused (read again by the per-firm model on the driver)
    refused: int
    #: refused rows the per-firm model accepted (0 when the checks are exact)
    rescued: int


def registry_facts(spark: Any, src: str, on: date, today: date | None = None) -> SparkFacts:
    """Read the registry at `src` (local folder or URI) and derive its facts on `on` in Spark
    (checks as of `today`, default today). Refused rows are read back as profiles on the driver."""
    F = _F()
    today = today or date.today()
    t = table_on(on)
    frame = read_registry(spark, src)
    ksic, region = reference_tables(spark, frame, t)
    rows = checked(frame, ksic, region, today)
    refused_rows = (rows.filter(~F.col("_ok"))
                    .select("row", *[F.col(c) if c not in ("ksic", "region") else F.col(f"{c}_raw").alias(c)
                                                 for c in REGISTRY_COLUMNS])
                    .collect())
    errors: list[tuple[int, DomainError]] = []
    facts = derive(rows.filter(F.col("_ok")), on, t)
    rescued = 0
    if refused_rows:
        numbers = [int(r["row"]) for r in refused_rows]
        part = pl.DataFrame([{c: _plain(r[c]) for c in REGISTRY_COLUMNS} for r in refused_rows],
                            schema={k: v for k, v in REGISTRY_SCHEMA.items() if k != "sido"}, orient="row")
        back_rows = sorted(zip(numbers, as_profiles(part.with_columns(pl.lit("").alias("sido"))), strict=True),
                           key=lambda r: r[0])
        slow = facts_of(back_rows, on, today)
        errors = slow.errors
        rescued = slow.frame.height
        if rescued:
            back = spark.createDataFrame(slow.frame.to_dicts(), _schema())
            facts = facts.unionByName(back)
    return SparkFacts(facts, errors, len(refused_rows), rescued)


def _plain(value: Any) -> Any:
    """A Spark Row value as plain Python (a list of `{year, amount}` rows as dicts)."""
    if isinstance(value, list):
        return [v.asDict() if hasattr(v, "asDict") else v for v in value]
    return value


def _schema() -> str:
    return ", ".join(f"`{k}` {v}" for k, v in FACT_TYPES.items())
