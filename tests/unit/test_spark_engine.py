"""The Spark backend gives the Polars engine's results row by row: 2,000 synthetic firms, every
program and line of the shipped catalog, Spark in local mode (one session for the module)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from onestop.cli import app
from onestop.matching.services import Engine
from onestop.registry import spark as spark_engine
from onestop.registry.columns import frame_facts
from onestop.registry.schema import to_typed
from onestop.registry.synthetic import as_profiles, generate
from onestop.rules.syntax import All, AnyOf, Leaf, Not
from onestop.rules.vectorize import VectorRules

ON = date(2026, 11, 23)
pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java (.ci/run installs it)")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_engine.session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def facts() -> pl.DataFrame:
    frame = generate(2000, seed=11, today=ON)
    return frame_facts(*to_typed(frame), ON, date.today())[0]


def test_spark_equals_polars_row_by_row_on_the_catalog(spark: Any, facts: pl.DataFrame, tmp_path: Path) -> None:
    engine = Engine.shipped()
    rules, names = engine._rules()
    # criteria the catalog leaves out, so every operator is compiled: lists, masks, prefixes, not
    extra = [AnyOf((Leaf("received_programs", "has_any", ("kosmes-startup-fund",)),
                    Not(Leaf("certifications", "has_all", ("venture", "innobiz"))))),
             All((Leaf("ksic", "not_prefix", ("C26", "J")), Leaf("region", "prefix", ("11", "41135")),
                  Leaf("received_programs", "has_all", ("a", "b")))),
             Leaf("received_programs", "has_none", ("x",)), Leaf("credit_grade", "not_in", ("D", "C"))]
    rules, names = [*rules, *extra], [*names, "x1", "x2", "x3", "x4"]
    path = tmp_path / "facts.parquet"
    facts.write_parquet(path)
    got = spark_engine.evaluate(spark.read.parquet(str(path)), rules, names, keep=["row"]).collect()
    expected = VectorRules(rules, names).evaluate(facts, keep=["row"]).sort("row")
    got_frame = pl.DataFrame([r.asDict() for r in got], schema=expected.schema).sort("row")
    assert got_frame.height == 2000
    for name in names:  # row by row, null (unknown) included
        assert got_frame.get_column(name).to_list() == expected.get_column(name).to_list(), name


def test_batch_with_the_spark_engine_writes_what_polars_writes(spark: Any, tmp_path: Path) -> None:
    src = tmp_path / "firms.jsonl"
    profiles = as_profiles(generate(300, seed=12, today=ON))
    profiles[5]["brn"] = "123"
    src.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in profiles), encoding="utf-8")
    runner = CliRunner()
    a, b = tmp_path / "polars.parquet", tmp_path / "spark.parquet"
    assert runner.invoke(app, ["batch", str(src), "--out", str(a), "--date", ON.isoformat()]).exit_code == 0
    result = runner.invoke(app, ["batch", str(src), "--out", str(b), "--date", ON.isoformat(), "--engine", "spark"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "spark.errors.jsonl").read_text("utf-8").count("\n") == 1
    polars = pl.read_parquet(a).sort("brn")
    spark_out = pl.read_parquet(str(b / "*.parquet")).sort("brn").select(polars.columns)
    assert spark_out.cast(polars.schema).equals(polars)  # type: ignore[arg-type]
