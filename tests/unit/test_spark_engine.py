"""The Spark backend gives the Polars engine's results row by row: 2,000 synthetic firms, every
program and line of the shipped catalog, Spark in local mode (one session for the module)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
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


def test_batch_with_the_spark_engine_equals_polars_row_by_row(spark: Any, tmp_path: Path) -> None:
    """2,000 firms, every program and line of the catalog: `onestop batch --engine spark` writes what
    the Polars engine writes, row by row (null = unknown included), and the same errors file."""
    profiles = as_profiles(generate(2000, seed=12, today=ON))
    profiles[5]["brn"] = "123"
    src = tmp_path / "firms.jsonl"
    src.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in profiles), encoding="utf-8")
    runner = CliRunner()
    a, b = tmp_path / "polars.parquet", tmp_path / "spark.parquet"
    assert runner.invoke(app, ["batch", str(src), "--out", str(a), "--date", ON.isoformat()]).exit_code == 0
    result = runner.invoke(app, ["batch", str(src), "--out", str(b), "--date", ON.isoformat(), "--engine", "spark"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "spark.errors.jsonl").read_text("utf-8") == (tmp_path / "polars.errors.jsonl").read_text("utf-8")
    polars = pl.read_parquet(a).sort("brn")
    spark_out = pl.read_parquet(str(b / "*.parquet")).sort("brn").select(polars.columns).cast(polars.schema)  # type: ignore[arg-type]
    assert polars.height == 1999 and len(polars.columns) == len(Engine.shipped().vector.names) + 5
    for name in polars.columns:
        assert spark_out.get_column(name).to_list() == polars.get_column(name).to_list(), name


def test_every_operator_compiles_to_the_same_answer(spark: Any, tmp_path: Path) -> None:
    """Criteria the catalog does not use, so every operator is compiled: lists, masks, prefixes, not."""
    facts = frame_facts(*to_typed(generate(300, seed=11, today=ON)), ON, date.today())[0]
    rules = [AnyOf((Leaf("received_programs", "has_any", ("kosmes-startup-fund",)),
                    Not(Leaf("certifications", "has_all", ("venture", "innobiz"))))),
             All((Leaf("ksic", "not_prefix", ("C26", "J")), Leaf("region", "prefix", ("11", "41135")),
                  Leaf("received_programs", "has_all", ("a", "b")))),
             Leaf("received_programs", "has_none", ("x",)), Leaf("credit_grade", "not_in", ("D", "C")),
             AnyOf((Leaf("ceo_age", "<=", 39), Leaf("certifications", "has_none", ("women_owned",)))),
             Leaf("ksic", "prefix", ("C", "G47"))]
    names = [f"r{i}" for i in range(len(rules))]
    path = tmp_path / "facts.parquet"
    facts.write_parquet(path)
    got = spark_engine.evaluate(spark.read.parquet(str(path)), rules, names, keep=["row"]).collect()
    expected = VectorRules(rules, names).evaluate(facts, keep=["row"]).sort("row")
    got_frame = pl.DataFrame([r.asDict() for r in got], schema=expected.schema, orient="row").sort("row")
    for name in names:  # row by row, null (unknown) included
        assert got_frame.get_column(name).to_list() == expected.get_column(name).to_list(), name
