"""The registry's Parquet layout: one row per firm, typed columns, partitioned by 시도.

Column by column (`REGISTRY_SCHEMA`): the profile's fields as `firms.model.FirmProfile` names them,
already validated (a registry is written by `registry generate` or `registry import`, which check
every row), so reading it needs no per-row work:

- `brn` (`123-45-67890`), `name`, `ksic` (KSIC 11 code as stored), `region` (current
  5-digit 시군구 or 2-digit 시도 code), `sido` (the partition: the region's first two digits);
- `founded_on`, `ceo_birth_date` (dates); counts and amounts in integer won (`regular_employees`,
  `total_assets`, `export_revenue`, `export_usd`, `total_liabilities`, `total_equity`,
  `manufacturing_share_pct`);
- `revenue`, `operating_profit`: lists of `{year, amount}` (one element per fiscal year given);
- `certifications`, `qualifications`, `hardship_causes`: bit masks over the vocabularies of
  `rules.facts` (bit i = the i-th name; `qualifications`/`hardship_causes` null = not stated);
- yes/no statements (null = not stated), `credit_grade`, `business_status`.
"""

from __future__ import annotations

import polars as pl

from onestop.registry.columns import YEAR_SCHEMA, typed_schema

BY_YEAR_DTYPE = pl.List(pl.Struct({"year": pl.Int16(), "amount": pl.Int64()}))


def registry_schema() -> dict[str, pl.DataType]:
    out: dict[str, pl.DataType] = {}
    for name, dtype in typed_schema().items():
        if name == "row":
            continue
        out[name.removesuffix("_raw")] = dtype
    out["revenue"] = BY_YEAR_DTYPE
    out["operating_profit"] = BY_YEAR_DTYPE
    out["sido"] = pl.String()
    return out


REGISTRY_SCHEMA = registry_schema()


def to_typed(frame: pl.DataFrame, first_row: int = 1) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """A registry frame as the columnar checks take it: (typed rows, revenue by year, operating
    profit by year); rows are numbered from `first_row`."""
    frame = frame.with_row_index("row", offset=first_row).with_columns(pl.col("row").cast(pl.Int64))

    def long(name: str) -> pl.DataFrame:
        return (frame.select("row", name).explode(name).drop_nulls(name).unnest(name)
                .select("row", pl.col("year").cast(pl.Int64), pl.col("amount").cast(pl.Int64))
                .cast(YEAR_SCHEMA))  # type: ignore[arg-type]

    typed = frame.rename({"ksic": "ksic_raw", "region": "region_raw"}).with_columns(
        pl.col("brn").str.replace_all("-", "", literal=True)).select(
        [pl.col(k).cast(v) for k, v in typed_schema().items()])
    return typed, long("revenue"), long("operating_profit")


def from_typed(checked: pl.DataFrame, revenue: pl.DataFrame, profit: pl.DataFrame) -> pl.DataFrame:
    """Checked typed rows (normalised `ksic`/`region`, formatted `brn`) back in the registry's layout."""
    def lists(long: pl.DataFrame, name: str) -> pl.DataFrame:
        return long.group_by("row").agg(pl.struct(pl.col("year").cast(pl.Int16), "amount").alias(name))

    frame = (checked.drop("ksic_raw", "region_raw")
             .join(lists(revenue, "revenue"), on="row", how="left")
             .join(lists(profit, "operating_profit"), on="row", how="left")
             .with_columns(pl.col("region").str.slice(0, 2).alias("sido")))
    return frame.sort("row").select(
        [pl.col(k).cast(v).fill_null(pl.lit([], v)) if v == BY_YEAR_DTYPE else pl.col(k).cast(v)
         for k, v in REGISTRY_SCHEMA.items()])
