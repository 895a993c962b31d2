"""Spark checks and derives a registry's facts (`registry.spark_ingest`) as the Polars columnar path
does: generated firms, valid and spoiled (the generators of the per-firm vs columnar agreement
test), give the same facts row by row and the same error set; `onestop batch REGISTRY --engine
spark` reads a registry by URI and writes what the Polars engine writes. One SparkSession for the
module, local mode."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from onestop.cli import app
from onestop.korea.money import MAX_WON
from onestop.matching.batch import _registry_chunks
from onestop.registry.columns import split_rows, typed
from onestop.registry.schema import BY_YEAR_DTYPE, REGISTRY_SCHEMA
from onestop.registry.spark_ingest import FACT_TYPES, registry_facts
from onestop.registry.store import generate_registry, write_partitions
from tests.unit.test_registry_columns import profiles

ON = date(2026, 11, 23)


def registry_of(raws: list[Any], root: Path) -> int:
    """The profiles whose shape a registry can hold (the columnar path's regular rows, spoiled
    values included: a wrong check digit, an unknown code, a date or amount out of bounds) written
    as a registry, codes as given, in two parts per 시도 so rows are numbered across files.
    Returns the number of rows written."""
    frame, revenue, profit = typed(split_rows(list(enumerate(raws, 1))))

    def lists(long: pl.DataFrame, name: str) -> pl.DataFrame:
        return long.group_by("row").agg(pl.struct(pl.col("year").cast(pl.Int16), "amount").alias(name))

    frame = (frame.rename({"ksic_raw": "ksic", "region_raw": "region"})
             .join(lists(revenue, "revenue"), on="row", how="left")
             .join(lists(profit, "operating_profit"), on="row", how="left")
             .with_columns(pl.col("region").str.slice(0, 2).alias("sido"))
             .sort("row"))
    frame = frame.select([pl.col(k).cast(v).fill_null(pl.lit([], v)) if v == BY_YEAR_DTYPE else pl.col(k).cast(v)
                          for k, v in REGISTRY_SCHEMA.items()])
    half = frame.height // 2
    write_partitions(frame.head(half), root, 0)
    write_partitions(frame.tail(frame.height - half), root, 1)
    return frame.height


def polars_facts(root: Path, on: date = ON) -> tuple[pl.DataFrame, list[tuple[int, str, Any]]]:
    """The Polars engine's reading of a registry: facts of valid rows, (row, code, problems) of the rest."""
    _, parts = _registry_chunks(root, on)
    done = [facts for _, facts in parts]
    frame = pl.concat([f.frame for f in done]).sort("row")
    return frame, [(n, e.code, e.problems) for f in done for n, e in f.errors]


def assert_spark_equals_polars(spark: Any, root: Path, on: date = ON) -> int:
    """Spark's facts and errors of the registry at `root` equal the Polars path's; returns the
    number of invalid rows."""
    expected, expected_errors = polars_facts(root, on)
    got = registry_facts(spark, str(root), on)
    assert got.rescued == 0  # no Spark check refuses a row the per-firm model accepts
    assert [(n, e.code, e.problems) for n, e in got.errors] == expected_errors
    assert list(FACT_TYPES) == expected.columns
    frame = pl.DataFrame([r.asDict() for r in got.frame.collect()], schema=expected.schema, orient="row").sort("row")
    assert frame.height == expected.height
    for name in expected.columns:  # row by row, so a failure names the fact
        assert frame.get_column(name).to_list() == expected.get_column(name).to_list(), name
    return len(expected_errors)


def generated_firms(examples: int) -> list[Any]:
    """Firms drawn by the generators of the per-firm vs columnar test (valid, and a third spoiled
    or of a shape only the model decides), over many small Hypothesis examples so every draw has
    the full variety; Spark then reads them all at once (its cost is per query, not per row).
    Derandomized: the same corpus every run (307 rows, 46 invalid), so the test's bounds on the
    invalid rows cannot fail by chance (a random draw once gave 5 invalid rows of 10 wanted)."""
    corpus: list[Any] = []

    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate], derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(profiles(), min_size=1, max_size=8))
    def collect(raws: list[Any]) -> None:
        corpus.extend(raws)

    collect()
    return corpus


@pytest.mark.parametrize("on", [ON, date(2025, 3, 1)])
def test_spark_facts_and_errors_equal_the_polars_path(spark: Any, tmp_path: Path, on: date) -> None:
    """Generated firms, valid and spoiled: Spark's facts equal the Polars path's row by row, null
    (unknown) included, and the invalid rows have the same field errors, on two dates (the size
    parameters in force, ages and the fiscal years before the date differ)."""
    rows = registry_of(generated_firms(120), tmp_path)
    assert rows > 150
    invalid = assert_spark_equals_polars(spark, tmp_path, on)
    assert 10 < invalid < rows


def test_every_check_refuses_the_same_rows(spark: Any, tmp_path: Path) -> None:
    """A generated registry with one row spoiled per check: each is refused by Spark as by Polars,
    with the per-firm model's own field errors."""
    root = tmp_path / "registry"
    generate_registry(root, 400, seed=3, today=ON, chunk=200)
    path = sorted(root.glob("sido=*/*.parquet"))[0]
    frame = pl.read_parquet(path)
    digit = frame.get_column("brn")[0]
    bad_brn = digit[:-1] + str((int(digit[-1]) + 1) % 10)
    spoil: list[dict[str, Any]] = [
        {"brn": bad_brn}, {"ksic": "Z99"}, {"region": "99999"}, {"founded_on": date(1899, 12, 31)},
        {"ceo_birth_date": date(ON.year - 10, 1, 1)}, {"total_assets": MAX_WON + 1}, {"regular_employees": -1},
        {"manufacturing_share_pct": 101},
        {"revenue": [{"year": 1949, "amount": 1}]}, {"operating_profit": [{"year": 2024, "amount": -MAX_WON - 1}]},
        {"export_revenue": MAX_WON},
    ]
    assert frame.height > len(spoil)
    for i, change in enumerate(spoil):
        for k, v in change.items():
            frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == i).then(pl.lit(v, REGISTRY_SCHEMA[k]))
                                       .otherwise(pl.col(k)).alias(k))
    frame.write_parquet(path)
    assert assert_spark_equals_polars(spark, root) == len(spoil)


def test_batch_reads_a_registry_uri_and_equals_polars(spark: Any, tmp_path: Path) -> None:
    """`onestop batch file:///…/registry --engine spark`: the URI goes to Spark as it is; results
    row by row and the errors file equal the Polars engine's."""
    root = tmp_path / "registry"
    generate_registry(root, 1500, seed=8, today=ON, chunk=500)
    path = sorted(root.glob("sido=*/*.parquet"))[-1]
    frame = pl.read_parquet(path)
    frame.with_columns(pl.when(pl.int_range(pl.len()) == 1).then(pl.lit(10**18 + 1)).otherwise(pl.col("total_assets"))
                       .alias("total_assets")).write_parquet(path)
    runner = CliRunner()
    a, b = tmp_path / "polars.parquet", tmp_path / "spark.parquet"
    assert runner.invoke(app, ["batch", str(root), "--out", str(a), "--date", ON.isoformat()]).exit_code == 0
    result = runner.invoke(app, ["batch", root.as_uri(), "--out", str(b), "--date", ON.isoformat(), "--engine", "spark"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "1,499 firms" in said and "1 invalid rows" in said
    errors = (tmp_path / "spark.errors.jsonl").read_text("utf-8")
    assert errors == (tmp_path / "polars.errors.jsonl").read_text("utf-8")
    assert json.loads(errors)["problems"][0]["field"] == "total_assets"
    polars = pl.read_parquet(a).sort("brn")
    got = pl.read_parquet(str(b / "*.parquet")).sort("brn").select(polars.columns).cast(polars.schema)  # type: ignore[arg-type]
    assert polars.height == 1499
    for name in polars.columns:
        assert got.get_column(name).to_list() == polars.get_column(name).to_list(), name


def test_an_object_storage_uri_without_its_connector_is_named(spark: Any, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """s3a:// is passed to Spark as it is; without hadoop-aws on the classpath the user is told
    which connector to add, in Korean and English, never a Java stack trace."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["batch", "s3a://onestop-test/registry", "--out", "s3a://onestop-test/result.parquet",
                                      "--date", ON.isoformat(), "--engine", "spark"])
    assert result.exit_code != 0
    text = " ".join(result.output.split())
    assert "hadoop-aws" in text and "커넥터" in text and "Traceback" not in text and "java." not in text
    polars = CliRunner().invoke(app, ["batch", "s3a://onestop-test/registry", "--out", "out.parquet"])
    assert polars.exit_code != 0 and "--engine spark" in " ".join(polars.output.split())
