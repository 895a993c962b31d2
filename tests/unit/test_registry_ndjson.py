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


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([b"", b" ", b"\t \x0c", b"\r", b'{"a": 1}', b"x", b' {"b": [1, 2]} ', b"\xea\xb0\x80\xed\x9e\xa3",
                                 b'{"name": "' + "가".encode() * 40 + b'"}', b"  y\r"]), max_size=40),
       st.booleans(), st.integers(1, 7), st.sampled_from([1, 3, 16, 1 << 20]))
def test_lines_found_with_numpy_are_the_files_lines(pieces: list[bytes], last_newline: bool, size: int,
                                                    block: int) -> None:
    """`file_lines` (numpy, a block at a time) numbers and cuts a file as `enumerate(f, 1)` does,
    skipping blank lines, keeping each line's bytes, with or without a newline at the end."""
    import io as _io

    from onestop.registry import ndjson

    data = b"\n".join(pieces) + (b"\n" if last_newline and pieces else b"")
    expected = [(n, line) for n, line in enumerate(_io.BytesIO(data), 1) if line.strip()]
    old_block = ndjson.BLOCK
    ndjson.BLOCK = block
    try:
        chunks = list(ndjson.file_lines(_io.BytesIO(data), size))
    finally:
        ndjson.BLOCK = old_block
    got = [(int(n), lines.raw(i)) for _, lines in chunks for i, n in enumerate(lines.numbers)]
    assert got == expected
    assert all(len(lines) == size for _, lines in chunks[:-1]) and all(len(lines) for _, lines in chunks)
    assert [done for done, _ in chunks] == sorted(done for done, _ in chunks) and all(
        done <= len(data) for done, _ in chunks)
    for _, lines in chunks:  # the text Polars reads: each line once, each ending with a newline
        assert lines.text() == b"".join(lines.line(i) + b"\n" for i in range(len(lines)))


def test_ahead_keeps_order_raises_in_place_and_stops_when_closed() -> None:
    import threading
    import time

    from onestop.registry.ingest import ahead

    assert list(ahead(iter(range(50)), depth=2)) == list(range(50))

    def failing() -> Any:
        yield 1
        raise ValueError("broken chunk")

    got = []
    try:
        for x in ahead(failing()):
            got.append(x)
    except ValueError as e:
        assert str(e) == "broken chunk"
    assert got == [1]
    made = []

    def endless() -> Any:
        for i in range(10**9):
            made.append(i)
            yield i

    gen = ahead(endless())
    assert next(gen) == 0
    gen.close()
    time.sleep(0.1)
    assert len(made) <= 4 and not any(t.name == "onestop-ahead" for t in threading.enumerate())


def test_a_chunk_with_invalid_rows_is_freed_without_the_collector() -> None:
    """The errors kept for the errors file hold no traceback: one would hold the chunk's frames
    (its lines, its columns) in a reference cycle, and memory would grow with the file."""
    import gc
    import weakref

    good = example("seoul-software")
    lines = [orjson.dumps({**good, "name": f"바른식품 {i}"}) for i in range(200)]
    lines[10] = orjson.dumps({**good, "brn": "124-81-00999"})  # a wrong check digit: the per-firm model
    lines[20] = b'{"brn": "broken'
    gc.disable()
    try:
        part = read_part([(n, line) for n, line in enumerate(lines, 1)])
        facts = facts_of_part(part, ON)
        assert [n for n, _ in facts.errors] == [11, 21]
        assert all(e.__traceback__ is None for _, e in facts.errors)
        gone = weakref.ref(part)
        del part
        assert gone() is None
    finally:
        gc.enable()
