"""`onestop batch`: every firm of a file against the catalog, vectorized, in chunks.

Profiles are validated and their facts derived by column (`registry.columns`, the same meaning as
a single match, proven by a property test), then the catalog's rules run as one Polars select per
chunk. Invalid rows are skipped and written, with their field errors, next to the output; a bad
row never stops the file, and memory stays flat as the file grows (one chunk at a time).
With `--engine spark` a registry is read, checked and evaluated by Spark (`run_batch_spark`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

import polars as pl
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from onestop.errors import DomainError
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


def is_uri(path: str) -> bool:
    """An object-storage or cluster file-system URI (s3a://, gs://, abfss://, hdfs://, file://)."""
    return _URI.match(path) is not None


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def errors_path_of(dst: str) -> Path:
    """Where the invalid rows of a batch writing `dst` go: beside a local `dst`
    (`RESULT.errors.jsonl`); for an object-storage `dst`, in the current folder, named after it."""
    if is_uri(dst):
        return Path.cwd() / Path(dst.rstrip("/").rsplit("/", 1)[-1]).with_suffix(".errors.jsonl").name
    return Path(dst).with_suffix(".errors.jsonl")


def _write_errors(errs: IO[str], errors: list[tuple[int, DomainError]]) -> None:
    for n, e in errors:
        errs.write(json.dumps({"row": n, "ko": e.ko, "en": e.en, "problems": [p.as_dict() for p in e.problems]},
                              ensure_ascii=False) + "\n")


def _spark_failure(src: str, exc: Exception) -> DomainError:
    """What Spark could not read, named for the user (the connector a URI needs, or the path)."""
    text = str(exc)
    scheme = src.split("://", 1)[0] if is_uri(src) else ""
    if scheme and ("No FileSystem for scheme" in text or "ClassNotFoundException" in text):
        return DomainError(
            code="spark_filesystem", field="FIRMS",
            ko=f"Spark 클러스터에 {scheme}:// 경로를 읽을 커넥터가 없습니다. s3a://는 hadoop-aws, gs://는 "
               "gcs-connector를 클러스터의 classpath에 넣어 주세요 (spark-submit --packages 또는 --jars).",
            en=f"The Spark cluster has no connector for {scheme}:// paths; put hadoop-aws (s3a://) or the "
               "gcs-connector (gs://) on the cluster's classpath (spark-submit --packages or --jars).")
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return DomainError(code="file", field="FIRMS", ko=f"Spark가 등록부를 읽지 못했습니다: {src} ({first})",
                       en=f"Spark could not read the registry at {src} ({first}).")


def run_batch_spark(src: str | Path, dst: str | Path, on: date, engine: Engine, master: str = "local[2]",
                    console: Console | None = None, chunk: int = CHUNK,
                    facts_dir: Path | None = None) -> dict[str, Any]:
    """`onestop batch --engine spark`. A registry (a local folder or an object-storage URI such as
    s3a://bucket/registry, in the `registry.schema` layout) is read by Spark, and the checks and
    facts are computed on the executors (`registry.spark_ingest`); refused rows are read back by
    the per-firm model on the driver, their errors written to `errors_path_of(dst)`. A JSON Lines
    or Parquet file of profiles is checked on this host by column (as for the Polars engine), its
    facts handed to Spark through `facts_dir` (a folder every executor can read; by default a
    temporary folder). Spark evaluates every program and line (`registry.spark`) and writes `dst`
    (a Parquet folder, local or object storage). Returns the run's summary (firms, invalid, ...)."""
    from onestop.registry import spark as spark_engine

    src_text, dst_text = str(src), str(dst)
    errors_path = errors_path_of(dst_text)
    rules, names = engine._rules()
    if is_uri(src_text) or Path(src_text).is_dir():
        if not is_uri(src_text):
            registry_files(Path(src_text))  # a folder with no registry is named before Spark starts
        from py4j.protocol import Py4JJavaError
        from pyspark.errors import PySparkException

        from onestop.registry.spark_ingest import registry_facts

        session = spark_engine.session(master)
        try:
            facts = registry_facts(session, src_text, on)
        except (PySparkException, Py4JJavaError) as exc:  # a path Spark cannot list or read
            raise _spark_failure(src_text, exc) from exc
        with errors_path.open("w", encoding="utf-8") as errs:
            _write_errors(errs, facts.errors)
        firms = spark_engine.write_results(facts.frame, dst_text, rules, names, engine.program_names, KEEP)
        return {"firms": firms, "invalid": len(facts.errors), "per_firm": facts.refused,
                "errors_path": str(errors_path), "programs": len(engine.program_names)}
    import tempfile

    with tempfile.TemporaryDirectory(prefix="onestop-facts-") as tmp:
        if facts_dir is not None:
            facts_dir.mkdir(parents=True, exist_ok=True)
            for old in facts_dir.glob("part-*.parquet"):
                old.unlink()
        facts_dir = facts_dir or Path(tmp)
        summary = _ingest(Path(src_text), errors_path, on, console, chunk,
                          lambda n, facts: facts.write_parquet(facts_dir / f"part-{n:05d}.parquet"))
        if summary["firms"] == 0:
            pl.DataFrame(schema=result_schema()).write_parquet(facts_dir / "part-00000.parquet")
        session = spark_engine.session(master)
        spark_engine.batch(session, str(facts_dir), dst_text, rules, names, engine.program_names, KEEP)
    return {**summary, "programs": len(engine.program_names)}


def _ingest(src: Path, errors_path: Path, on: date, console: Console | None, chunk: int,
            sink: Callable[[int, pl.DataFrame], None]) -> dict[str, Any]:
    """Read, check and derive the facts of `src` a chunk at a time; each chunk's valid facts go to
    `sink(chunk number, facts)`, invalid rows to `errors_path`."""
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
    done = invalid = per_firm = 0
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                        TimeRemainingColumn(), console=console or Console(stderr=True))
    with progress, errors_path.open("w", encoding="utf-8") as errs:
        task = progress.add_task("평가 중 evaluating", total=total)
        for number, (position, facts) in enumerate(facts_parts):
            _write_errors(errs, facts.errors)
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

    summary = _ingest(src, dst.with_suffix(".errors.jsonl"), on, console, chunk, write)
    if writer is None:
        evaluate_chunk(engine, pl.DataFrame(schema=result_schema())).write_parquet(dst)
    else:
        writer.close()
    return {**summary, "programs": len(engine.program_names)}
