"""JSON Lines read by Polars' own reader (`registry.ndjson`) mean what the per-row decode means:
the same facts and the same errors, row by row, whatever the lines hold (valid and invalid
profiles, other spellings of the same JSON, broken lines), and a malformed line in the middle of a
file neither stops it nor changes a neighbour's result."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.matching.batch import run_batch
from onestop.matching.services import Engine
from onestop.registry.columns import Facts, facts_of
from onestop.registry.ingest import jsonl_chunks
from onestop.registry.ndjson import facts_of_part, read_part
from tests.conftest import example
from tests.unit.test_registry_columns import SPOILERS, profiles

ON = date(2026, 11, 23)
#: Lines no profile writer makes, each a different way for a line to be odd or broken.
ODD = [b'{"brn": "broken', b"[1, 2]", b"null", b'{"name": "\\ud800"}', b"\xff\xfe{}", b'{"a": NaN}',
       b'{"brn": "124-81-00998", "brn": 5}', b'{"revenue": {"2024": 1.0}}', b"{}", b'{"name": "x"} {"name": "y"}',
       b'{"total_assets": 100000000000000000000}', b'{"certifications": "[]"}', b'{"revenue": {"2024": 1, "2024": 2}}',
       b'\xef\xbb\xbf{"name": "x"}', b'{"brn" : "124-81-00998", "name": "a:b", "ksic": "J62", "region": "11",'
       b' "founded_on": "2020-01-01"}', b'{"2024": 1, "brn": "124-81-00998", "name": "x", "ksic": "J62",'
       b' "region": "11", "founded_on": "2020-01-01"}', b'{"brn": 1248100998, "name": "x", "ksic": 26111,'
       b' "region": 11680, "founded_on": "2020-01-01", "revenue": {"2024": 1.0}}']


def _line(p: Any, style: int) -> bytes:
    if style == 0 and "100000000000000000000" not in json.dumps(p):
        return orjson.dumps(p)
    if style == 1 or (style == 0 and "100000000000000000000" in json.dumps(p)):
        return json.dumps(p, ensure_ascii=False).encode()
    return json.dumps(p).encode()  # \\u escapes: the per-row path


def _values(strategy: Any) -> list[Any]:
    """The values of a `sampled_from` or `just` strategy."""
    inner = getattr(strategy, "wrapped_strategy", strategy)
    if hasattr(inner, "elements"):
        return list(inner.elements)
    return [inner.value] if hasattr(inner, "value") else []


def _same(got: Facts, expected: Facts) -> None:
    assert (got.per_firm, got.rescued) == (expected.per_firm, expected.rescued)
    assert [(n, e.code, e.ko, e.en, e.problems) for n, e in got.errors] == \
        [(n, e.code, e.ko, e.en, e.problems) for n, e in expected.errors]
    assert got.frame.columns == expected.frame.columns
    for name in expected.frame.columns:
        assert got.frame.get_column(name).to_list() == expected.frame.get_column(name).to_list(), name


def _both(lines: list[bytes], on: date) -> tuple[Facts, Facts]:
    from onestop.registry.ingest import _decode

    numbered = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    return facts_of_part(read_part(numbered), on), facts_of([(n, _decode(line)) for n, line in numbered], on)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.tuples(profiles(), st.sampled_from([0, 0, 1, 2])), st.sampled_from(ODD)),
                min_size=1, max_size=10),
       st.dates(date(2020, 1, 1), date(2027, 12, 31)))
def test_polars_reader_equals_the_per_row_decode(items: list[Any], on: date) -> None:
    lines = [x if isinstance(x, bytes) else _line(*x) for x in items]
    got, expected = _both(lines, on)
    _same(got, expected)


def test_plain_lines_stay_columnar_and_odd_ones_do_not() -> None:
    good = example("seoul-software")
    lines = [orjson.dumps({**good, "brn": b}) for b in ("124-81-00998", "1248100998")]
    got, expected = _both(lines, ON)
    _same(got, expected)
    assert got.per_firm == 0 and got.frame.height == 2
    odd = [json.dumps(good).encode(), json.dumps({**good, "regular_employees": 5.0}).encode()]
    got, expected = _both(odd, ON)
    _same(got, expected)
    assert got.per_firm == 1  # escaped: decoded per row, then sorted into columns; a float count: the model
    # every spoiler of the property test, in a valid profile between two plain lines (a value Polars
    # refuses sends the whole small piece to the per-row decode; one it reads must fail the screen)
    for key, value in [(k, v) for k, strategy in SPOILERS.items() for v in _values(strategy)]:
        lines = [orjson.dumps(good), _line({**good, key: value}, 0), orjson.dumps(good)]
        got, expected = _both(lines, ON)
        _same(got, expected)


def test_a_malformed_line_in_the_middle_gives_the_same_output_and_errors(tmp_path: Path) -> None:
    good = example("seoul-software")
    lines = [orjson.dumps({**good, "name": f"바른식품 {i}"}) for i in range(300)]
    lines[150] = b'{"brn": "124-81-00998", "revenue": {"2025": 1'
    lines[151] = json.dumps(
        {**good, "total_assets": 10**20}, ensure_ascii=False).encode()
    lines[200] = b""
    src = tmp_path / "firms.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    engine = Engine.shipped()
    summary = run_batch(src, tmp_path / "out.parquet", ON, engine, chunk=128)
    assert (summary["firms"], summary["invalid"]) == (297, 2)
    out = pl.read_parquet(tmp_path / "out.parquet")
    assert out.get_column("name").to_list() == [f"바른식품 {i}" for i in range(300) if i not in (150, 151, 200)]
    errors = [json.loads(x) for x in (tmp_path / "out.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["row"] for e in errors] == [151, 152]
    rows = [r for _, chunk in jsonl_chunks(src, size=128) for r in chunk]
    before = facts_of(rows, ON)
    assert [(n, e.ko, e.en) for n, e in before.errors] == [(e["row"], e["ko"], e["en"]) for e in errors]
    assert "1,000조" in errors[1]["problems"][0]["ko"] or "1,000" in errors[1]["problems"][0]["en"]
