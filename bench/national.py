"""National scale (issue 11): columnar ingest, the registry and reach, with peak memory.

    .venv/bin/python bench/national.py jsonl --firms 200000 --out /tmp/firms200k.jsonl
    .venv/bin/python bench/national.py batch /tmp/firms200k.jsonl          # onestop batch, timed
    .venv/bin/python bench/national.py batch /tmp/registry --engine spark  # the same by Spark (local[2])
    .venv/bin/python bench/national.py spark-steps /tmp/registry           # the JVM's CPU per step
    .venv/bin/python bench/national.py reach /tmp/registry kosmes-youth-startup-fund
    .venv/bin/python bench/national.py import --firms 200000 [--per-row]   # registry import of an extract

Each command prints one JSON line: wall time, CPU time, peak RSS of this process (the whole run,
from `resource.getrusage`), the load average before and after, and the counts. Run each big point
once, on a quiet machine if you can, and record the load average with it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from onestop.registry.synthetic import as_profiles, generate

ON = date(2026, 11, 23)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report(kind: str, started: float, cpu: float, load: tuple[float, float, float], **extra: Any) -> None:
    print(json.dumps({"bench": kind, "wall_s": round(time.perf_counter() - started, 2),
                      "cpu_s": round(time.process_time() - cpu, 2), "peak_rss_mib": round(_peak_mib()),
                      "load_before": load, "load_after": os.getloadavg(), **extra}, ensure_ascii=False))


def write_jsonl(n: int, out: Path, seed: int, bad_every: int) -> None:
    """`n` synthetic profiles (the registry generator's) as JSON Lines; every `bad_every`-th one
    spoiled (a wrong check digit, an absurd amount, a broken line in turn), to show the cost of bad rows."""
    chunk = 200_000
    with out.open("wb") as f:
        for first in range(0, n, chunk):
            kind = -1
            for i, p in enumerate(as_profiles(generate(min(chunk, n - first), seed=seed, today=ON, first=first)), first):
                if bad_every and i % bad_every == bad_every - 1:
                    kind = (i // bad_every) % 3
                    if kind == 0:
                        p["brn"] = p["brn"][:-1] + str((int(p["brn"][-1]) + 1) % 10)
                    elif kind == 1:
                        p["total_assets"] = 10**20
                    else:
                        f.write(b'{"brn": "broken\n')
                        continue
                f.write((json.dumps(p, ensure_ascii=False) if kind == 1 and bad_every and i % bad_every == bad_every - 1
                         else orjson.dumps(p).decode()).encode() + b"\n")


def curve(registry: Path, firms: int, programs: int) -> None:
    """One point of the scaling curve: the Polars engine over the first `firms` firms of a registry
    (read, facts derived by column, every program evaluated, eligible counts summed), in parts of
    500,000 firms so memory stays flat."""
    import polars as pl

    from onestop.matching.services import Engine
    from onestop.registry.columns import frame_facts
    from onestop.registry.schema import to_typed
    from onestop.registry.store import read_parts
    from onestop.rules.vectorize import VectorRules

    if programs:
        from generate import parsed_programs, synthetic_programs

        rules = parsed_programs(synthetic_programs(programs))
        vr = VectorRules(rules, [f"p{i}" for i in range(len(rules))])
    else:
        vr = Engine.shipped().vector
    load, started, cpu = os.getloadavg(), time.perf_counter(), time.process_time()
    done = eligible = 0
    for part in read_parts(registry, rows=min(firms, 500_000)):
        part = part.head(firms - done)
        facts = frame_facts(*to_typed(part), ON, date.today(), trusted=True)[0]
        out = vr.evaluate(facts)
        eligible += int(out.select(pl.sum_horizontal(pl.all().fill_null(False).cast(pl.Int64)).sum()).item())
        done += part.height
        if done >= firms:
            break
    _report("curve", started, cpu, load, firms=done, programs=len(vr.names), evaluations=done * len(vr.names),
            eligible_pairs=eligible)


def spark_batch(src: Path, out: Path, engine: Any) -> None:
    """`onestop batch SRC --engine spark` timed: the session's start apart, then the run (a registry
    folder: read, checked, derived and evaluated by Spark); the JVM's CPU seconds (user + sys of
    the driver JVM, where local mode's executors run) from /proc."""
    from onestop.matching.batch import run_batch_spark
    from onestop.registry import spark as spark_engine

    started = time.perf_counter()
    session = spark_engine.session("local[2]")
    start_s = round(time.perf_counter() - started, 2)
    pid = session._jvm.java.lang.ProcessHandle.current().pid()

    def jvm_cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    before = jvm_cpu()
    load, started, cpu = os.getloadavg(), time.perf_counter(), time.process_time()
    summary = run_batch_spark(src, str(out), ON, engine)
    _report("batch-spark", started, cpu, load, session_start_s=start_s, jvm_cpu_s=round(jvm_cpu() - before, 1),
            **{k: v for k, v in summary.items() if k != "errors_path"})


def spark_steps(registry: Path) -> None:
    """Where the JVM's CPU goes when Spark ingests a registry, step by step in one warm session:
    each step is run to Spark's `noop` sink (nothing written), then the evaluation of the catalog
    from the facts written as Parquet. One JSON line per step (wall, JVM CPU of that step)."""
    import tempfile

    from pyspark.sql import functions as F

    from onestop.korea.sme_size import table_on
    from onestop.matching.batch import KEEP
    from onestop.matching.services import Engine
    from onestop.registry import spark as spark_engine
    from onestop.registry import spark_ingest as si

    session = spark_engine.session("local[2]")
    pid = session._jvm.java.lang.ProcessHandle.current().pid()

    def jvm_cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    engine = Engine.shipped()
    rules, names = engine._rules()
    t = table_on(ON)
    clock = [time.perf_counter(), jvm_cpu()]

    def lap(step: str) -> None:
        now, cpu = time.perf_counter(), jvm_cpu()
        print(json.dumps({"step": step, "wall_s": round(now - clock[0], 1), "jvm_cpu_s": round(cpu - clock[1], 1),
                          "load": os.getloadavg()}))
        clock[:] = [now, cpu]

    session.read.parquet(str(registry)).count()
    lap("warm-up (a count)")
    frame = si.read_registry(session, str(registry))
    frame.write.mode("overwrite").format("noop").save()
    lap("read every column")
    ksic, region = si.reference_tables(session, frame, t)
    lap("distinct codes, reference tables")
    rows = si.checked(frame, ksic, region, date.today())
    rows.write.mode("overwrite").format("noop").save()
    lap("read + checks")
    facts = si.derive(rows.filter(F.col("_ok")), ON, t)
    facts.write.mode("overwrite").format("noop").save()
    lap("read + checks + facts")
    with tempfile.TemporaryDirectory() as tmp:
        facts.write.parquet(f"{tmp}/facts")
        lap("read + checks + facts, written as Parquet")
        spark_engine.batch(session, f"{tmp}/facts", f"{tmp}/result", rules, names, engine.program_names, KEEP)
        lap("evaluation of the catalog from the facts, written, counted")


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    j = sub.add_parser("jsonl")
    j.add_argument("--firms", type=int, required=True)
    j.add_argument("--out", type=Path, required=True)
    j.add_argument("--seed", type=int, default=42)
    j.add_argument("--bad-every", type=int, default=10_000)
    b = sub.add_parser("batch")
    b.add_argument("src", type=Path)
    b.add_argument("--out", type=Path, default=Path("/tmp/national_result.parquet"))
    b.add_argument("--engine", choices=["polars", "spark"], default="polars",
                   help="spark: the SparkSession (local[2]) starts before the clock; the JVM's CPU is reported")
    c = sub.add_parser("curve", help="facts from the registry, then P programs, over the first N firms")
    c.add_argument("registry", type=Path)
    c.add_argument("--firms", type=int, required=True)
    c.add_argument("--programs", type=int, default=0, help="0: the shipped catalog; else synthetic rules")
    st = sub.add_parser("spark-steps", help="the JVM's CPU per step of the Spark ingest of a registry")
    st.add_argument("registry", type=Path)
    r = sub.add_parser("reach")
    r.add_argument("registry", type=Path)
    r.add_argument("program")
    m = sub.add_parser("import", help="registry import of a generated CSV extract (1 % of rows with odd cells)")
    m.add_argument("--firms", type=int, required=True)
    m.add_argument("--per-row", action="store_true", help="the per-row import (the test's reference) instead")
    args = ap.parse_args(argv)
    load, started, cpu = os.getloadavg(), time.perf_counter(), time.process_time()
    if args.cmd == "jsonl":
        write_jsonl(args.firms, args.out, args.seed, args.bad_every)
        _report("jsonl", started, cpu, load, firms=args.firms)
    elif args.cmd == "batch":
        from rich.console import Console

        from onestop.matching.batch import run_batch
        from onestop.matching.services import Engine

        engine = Engine.shipped()
        engine.vector  # noqa: B018 — compile the catalog before the clock starts
        if args.engine == "spark":
            spark_batch(args.src, args.out, engine)
            return
        load, started, cpu = os.getloadavg(), time.perf_counter(), time.process_time()
        with open(os.devnull, "w") as quiet:
            summary = run_batch(args.src, args.out, ON, engine, console=Console(file=quiet))
        _report("batch", started, cpu, load, **{k: v for k, v in summary.items() if k != "errors_path"})
    elif args.cmd == "import":
        import shutil
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from onestop.registry.store import import_registry
        from tests.unit.test_registry_import import MAPPING, TODAY, extract, reference_import

        src = Path(f"/tmp/onestop_extract_{args.firms}.csv")
        if not src.exists():
            extract(args.firms, seed=5, odd_share=0.01).write_csv(src)
        out = Path("/tmp/onestop_imported")
        shutil.rmtree(out, ignore_errors=True)
        load, started, cpu = os.getloadavg(), time.perf_counter(), time.process_time()
        if args.per_row:
            summary = reference_import(src, MAPPING, out, out.with_name("onestop_imported.errors.jsonl"), 500_000)
        else:
            summary = import_registry(src, MAPPING, out, out.with_name("onestop_imported.errors.jsonl"), today=TODAY)
        _report("import-per-row" if args.per_row else "import", started, cpu, load, **summary)
    elif args.cmd == "curve":
        curve(args.registry, args.firms, args.programs)
    elif args.cmd == "spark-steps":
        spark_steps(args.registry)
    else:
        from onestop.matching.services import Engine
        from onestop.registry.services import registry_reach

        program = Engine.shipped().catalog.programs[args.program]
        load, started, cpu = os.getloadavg(), time.perf_counter(), time.process_time()
        result = registry_reach(args.registry, program, ON)
        _report("reach", started, cpu, load, firms=result.firms, totals=result.totals)


if __name__ == "__main__":
    main()
