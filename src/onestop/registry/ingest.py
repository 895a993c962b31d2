"""Reading firm files a chunk at a time: JSON Lines and Parquet, as (row number, raw value).

Memory stays flat as the file grows: one chunk of raw rows is held at a time. A line that is
not JSON becomes a DomainError in its place (written to the errors file by the caller), never
an exception that stops the file.
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import orjson
import pyarrow.parquet as pq

from onestop.errors import DomainError

CHUNK = 100_000
Rows = list[tuple[int, Any]]
T = TypeVar("T")


def ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """`items`, made by a background thread up to `depth` items ahead of the consumer, so reading
    the next chunk overlaps with the work on this one (Polars releases the GIL while it works).
    An exception raised while making an item is raised here, in its place; closing this
    generator early stops the thread after the item it is making."""
    box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def make() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                box.put((True, item))
            box.put((False, None))
        except BaseException as exc:  # handed over to the consumer, raised there
            box.put((False, exc))

    worker = threading.Thread(target=make, name="onestop-ahead", daemon=True)
    worker.start()
    try:
        while True:
            more, item = box.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # let a producer blocked on a full queue see `stop`
            with contextlib.suppress(queue.Empty):
                box.get(timeout=0.05)


def not_json(exc: json.JSONDecodeError) -> DomainError:
    return DomainError(code="json", ko=f"JSON 오류: {exc.msg}", en=f"Not valid JSON: {exc.msg}")


#: 19 digits in a row: a number orjson would read as a float (beyond 64 bits); the standard parser
#: keeps it an integer, so the profile's own bound names it ("at most 1,000,000,000,000,000").
_LONG_NUMBER = re.compile(rb"[0-9]{19}")


def _decode(line: bytes) -> Any:
    if not _LONG_NUMBER.search(line):
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError:
            pass  # what orjson refuses (NaN, a lone surrogate) the standard parser may read
    try:
        return json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            return DomainError(code="json", ko="JSON 오류: UTF-8이 아닙니다", en="Not valid JSON: not UTF-8")
        return not_json(exc)


def jsonl_chunks(path: Path, size: int = CHUNK) -> Iterator[tuple[int, Rows]]:
    """(bytes read so far, rows) per chunk; rows are numbered by their line in the file."""
    chunk: Rows = []
    done = 0
    with path.open("rb") as f:
        for n, line in enumerate(f, 1):
            done += len(line)
            if not line.strip():
                continue
            chunk.append((n, _decode(line)))
            if len(chunk) >= size:
                yield done, chunk
                chunk = []
    if chunk:
        yield done, chunk


def _parquet_row(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("revenue", "operating_profit"):  # amounts by fiscal year
        rev = row.get(key)
        if isinstance(rev, str):
            row[key] = json.loads(rev)
        elif isinstance(rev, list):  # a Parquet map arrives as key/value pairs
            row[key] = dict(rev)
        elif isinstance(rev, dict):
            row[key] = {k: v for k, v in rev.items() if v is not None}
    for key in ("certifications", "support_history", "qualifications", "hardship_causes"):
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key])
        if row.get(key) is None:
            row.pop(key, None)
    return {k: v for k, v in row.items() if v is not None}


def parquet_chunks(path: Path, size: int = CHUNK) -> Iterator[tuple[int, Rows]]:
    """(rows read so far, rows) per chunk; a row whose JSON-in-a-string cannot be read is an error."""
    pf = pq.ParquetFile(path)
    n = 0
    for batch in pf.iter_batches(batch_size=size):
        chunk: Rows = []
        for row in batch.to_pylist():
            n += 1
            try:
                chunk.append((n, _parquet_row(row)))
            except json.JSONDecodeError as exc:
                chunk.append((n, not_json(exc)))
        yield n, chunk


def chunks(path: Path, size: int = CHUNK) -> tuple[int, Iterator[tuple[int, Rows]]]:
    """(total progress units, chunks): bytes for JSON Lines, rows for Parquet."""
    if not path.exists():
        raise DomainError(code="file", field="FIRMS", ko=f"파일이 없습니다: {path}", en=f"No such file: {path}")
    if path.suffix == ".jsonl":
        return path.stat().st_size, jsonl_chunks(path, size)
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows, parquet_chunks(path, size)
    raise DomainError(code="batch_format", field="FIRMS",
                      ko="입력 파일은 .jsonl 또는 .parquet이어야 합니다.",
                      en="The input file must be .jsonl or .parquet.")
