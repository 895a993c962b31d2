"""`onestop batch`: every firm of a file against the catalog, vectorized, in chunks.

Profiles are validated and their facts derived one by one (the same code as a single match),
then the catalog's rules run as one Polars select per chunk. Invalid rows are skipped and
written, with their field errors, next to the output; nothing valid is lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from onestop.errors import DomainError
from onestop.firms.facts import derive
from onestop.firms.model import parse_firm
from onestop.matching.services import Engine
from onestop.rules.vectorize import facts_frame

CHUNK = 50_000


def _rows(path: Path) -> tuple[int, Iterator[tuple[int, Any]]]:
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as f:
            total = sum(1 for line in f if line.strip())

        def gen() -> Iterator[tuple[int, Any]]:
            with path.open(encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if line.strip():
                        try:
                            yield n, json.loads(line)
                        except json.JSONDecodeError as exc:
                            yield n, DomainError(code="json", ko=f"JSON 오류: {exc.msg}",
                                                 en=f"Not valid JSON: {exc.msg}")
        return total, gen()
    if path.suffix == ".parquet":
        pf = pq.ParquetFile(path)
        total = pf.metadata.num_rows

        def gen_pq() -> Iterator[tuple[int, Any]]:
            n = 0
            for batch in pf.iter_batches(batch_size=CHUNK):
                for row in batch.to_pylist():
                    n += 1
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
                    yield n, {k: v for k, v in row.items() if v is not None}
        return total, gen_pq()
    raise DomainError(code="batch_format", field="FIRMS",
                      ko="입력 파일은 .jsonl 또는 .parquet이어야 합니다.",
                      en="The input file must be .jsonl or .parquet.")


def run_batch(src: Path, dst: Path, on: date, engine: Engine,
              console: Console | None = None) -> dict[str, Any]:
    if not src.exists():
        raise DomainError(code="file", field="FIRMS", ko=f"파일이 없습니다: {src}",
                          en=f"No such file: {src}")
    total, rows = _rows(src)
    vector = engine.vector
    errors_path = dst.with_suffix(".errors.jsonl")
    writer: pq.ParquetWriter | None = None
    done = invalid = 0
    facts_buf: list[dict[str, Any]] = []
    ids: dict[str, list[Any]] = {"brn": [], "name": []}

    def flush() -> None:
        nonlocal writer
        if not facts_buf:
            return
        frame = facts_frame(facts_buf, extra=ids)
        result = vector.evaluate(frame, keep=["brn", "name", "size_class"])
        result = result.with_columns(
            pl.sum_horizontal([pl.col(n).fill_null(False).cast(pl.Int32) for n in engine.program_names])
            .alias("eligible_count")
        )
        table = result.to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(dst, table.schema)
        writer.write_table(table)
        facts_buf.clear()
        for v in ids.values():
            v.clear()

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeRemainingColumn(), console=console or Console(stderr=True))
    with progress, errors_path.open("w", encoding="utf-8") as errs:
        task = progress.add_task("평가 중 evaluating", total=total)
        for n, raw in rows:
            try:
                if isinstance(raw, DomainError):
                    raise raw
                firm = parse_firm(raw)
            except DomainError as e:
                invalid += 1
                errs.write(json.dumps({"row": n, "ko": e.ko, "en": e.en,
                                       "problems": [p.as_dict() for p in e.problems]},
                                      ensure_ascii=False) + "\n")
                progress.advance(task)
                continue
            facts_buf.append(derive(firm, on))
            ids["brn"].append(firm.brn)
            ids["name"].append(firm.name)
            done += 1
            if len(facts_buf) >= CHUNK:
                flush()
            progress.advance(task)
        flush()
    if writer is None:
        empty = vector.evaluate(facts_frame([], extra={"brn": [], "name": []}),
                                keep=["brn", "name", "size_class"])
        empty.write_parquet(dst)
    else:
        writer.close()
    return {"firms": done, "invalid": invalid, "programs": len(engine.program_names),
            "errors_path": str(errors_path)}
