"""`onestop batch`: every firm of a file against the catalog, vectorized, in chunks.

Profiles are validated and their facts derived by column (`registry.columns`, the same meaning as
a single match, proven by a property test), then the catalog's rules run as one Polars select per
chunk. Invalid rows are skipped and written, with their field errors, next to the output; a bad
row never stops the file, and memory stays flat as the file grows (one chunk at a time).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from onestop.matching.services import Engine
from onestop.registry.columns import Facts, facts_of, frame_facts, result_schema
from onestop.registry.ingest import CHUNK, ahead, chunks
from onestop.registry.ndjson import facts_of_part, jsonl_parts
from onestop.registry.schema import to_typed
from onestop.registry.store import read_parts, registry_files
from onestop.registry.synthetic import as_profiles

#: The columns of a result besides one per program and line.
KEEP = ["brn", "name", "size_class", "parameters_version"]


def evaluate_chunk(engine: Engine, facts: pl.DataFrame) -> pl.DataFrame:
    """The catalog's results for a chunk of facts: `KEEP`, one column per program and line, and
    how many programs each firm is eligible for."""
    result = engine.vector.evaluate(facts, keep=KEEP)
    return result.with_columns(
        pl.sum_horizontal([pl.col(n).fill_null(False).cast(pl.Int32) for n in engine.program_names])
        .alias("eligible_count"))


def _registry_chunks(root: Path, on: date) -> tuple[int, Iterator[tuple[int, Facts]]]:
    """A registry folder (`registry generate|import`) read by column, no row decoded in Python:
    (firms in all, (firms read so far, facts) per part). Its rows are checked again; one that a
    check refuses is read back as a profile, so its errors are the per-firm model's own."""
    files = registry_files(root)
    total = sum(pq.ParquetFile(f).metadata.num_rows for f in files)

    def gen() -> Iterator[tuple[int, Facts]]:
        first = 1
        for part in read_parts(root):
            facts, refused = frame_facts(*to_typed(part, first), on, date.today())
            if refused:
                back = list(zip(refused, as_profiles(part[[n - first for n in refused]]), strict=True))
                slow = facts_of(back, on)
                facts = pl.concat([facts, slow.frame]).sort("row")
                yield first + part.height - 1, Facts(facts, slow.errors, len(back), slow.rescued)
            else:
                yield first + part.height - 1, Facts(facts, [])
            first += part.height
    return total, gen()


def run_batch_spark(src: Path, dst: Path, on: date, engine: Engine, master: str = "local[2]",
                    console: Console | None = None, chunk: int = CHUNK,
                    facts_dir: Path | None = None) -> dict[str, Any]:
    """`onestop batch --engine spark`: the facts are derived and checked by column (as for the
    Polars engine; invalid rows to the errors file), then Spark evaluates every program and line
    (`registry.spark`) and writes `dst` as a Parquet folder. On a cluster, `facts_dir` must be a
    folder every executor can read (a shared mount); by default a temporary folder."""
    import tempfile

    from onestop.registry import spark as spark_engine

    with tempfile.TemporaryDirectory(prefix="onestop-facts-") as tmp:
        if facts_dir is not None:
            facts_dir.mkdir(parents=True, exist_ok=True)
            for old in facts_dir.glob("part-*.parquet"):
                old.unlink()
        facts_dir = facts_dir or Path(tmp)
        summary = _ingest(src, dst, on, console, chunk,
                          lambda n, facts: facts.write_parquet(facts_dir / f"part-{n:05d}.parquet"))
        if summary["firms"] == 0:
            pl.DataFrame(schema=result_schema()).write_parquet(facts_dir / "part-00000.parquet")
        rules, names = engine._rules()
        session = spark_engine.session(master)
        spark_engine.batch(session, str(facts_dir), str(dst), rules, names, engine.program_names, KEEP)
    return {**summary, "programs": len(engine.program_names)}


def _ingest(src: Path, dst: Path, on: date, console: Console | None, chunk: int,
            sink: Callable[[int, pl.DataFrame], None]) -> dict[str, Any]:
    """Read, check and derive the facts of `src` a chunk at a time; each chunk's valid facts go to
    `sink(chunk number, facts)`, invalid rows to `dst`'s errors file."""
    if src.is_dir():
        total, facts_parts = _registry_chunks(src, on)
    else:
        total, parts = chunks(src, chunk)
        if src.suffix == ".jsonl":  # Polars' own reader; lines it cannot read by column, per row
            # a pipeline on three threads: reading chunk k+2, checking chunk k+1, evaluating chunk k
            facts_parts = ahead((position, facts_of_part(part, on))
                                for position, part in ahead(jsonl_parts(src, chunk)))
        else:
            facts_parts = ((position, facts_of(rows, on)) for position, rows in parts)
    errors_path = dst.with_suffix(".errors.jsonl")
    done = invalid = per_firm = 0
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                        TimeRemainingColumn(), console=console or Console(stderr=True))
    with progress, errors_path.open("w", encoding="utf-8") as errs:
        task = progress.add_task("평가 중 evaluating", total=total)
        for number, (position, facts) in enumerate(facts_parts):
            for n, e in facts.errors:
                errs.write(json.dumps({"row": n, "ko": e.ko, "en": e.en,
                                       "problems": [p.as_dict() for p in e.problems]},
                                      ensure_ascii=False) + "\n")
            invalid += len(facts.errors)
            per_firm += facts.per_firm
            if facts.frame.height:
                sink(number, facts.frame)
                done += facts.frame.height
            progress.update(task, completed=position)
    return {"firms": done, "invalid": invalid, "per_firm": per_firm, "errors_path": str(errors_path)}


def run_batch(src: Path, dst: Path, on: date, engine: Engine,
              console: Console | None = None, chunk: int = CHUNK) -> dict[str, Any]:
    """Evaluate every firm of `src` (JSON Lines, Parquet, or a registry folder) on `on`; results to
    `dst` (Parquet), invalid rows to `dst`'s `.errors.jsonl`."""
    writer: pq.ParquetWriter | None = None

    def write(_: int, facts: pl.DataFrame) -> None:
        nonlocal writer
        table = evaluate_chunk(engine, facts).to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(dst, table.schema)
        writer.write_table(table)

    summary = _ingest(src, dst, on, console, chunk, write)
    if writer is None:
        evaluate_chunk(engine, pl.DataFrame(schema=result_schema())).write_parquet(dst)
    else:
        writer.close()
    return {**summary, "programs": len(engine.program_names)}
