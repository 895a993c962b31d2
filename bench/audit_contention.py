"""Audit appends under contention on PostgreSQL: do writers of different subjects wait for each other?

Usage:  .venv/bin/python bench/audit_contention.py [--threads 16] [--transactions 100] [--work-ms 20]
                                                   [--subjects distinct|shared] [--database NAME]
Needs: PostgreSQL on 127.0.0.1:5432 (trust auth). Recreates the database (default
`onestop_audit_bench`), migrates it, then `--threads` threads each run `--transactions`
transactions through the project's own `Database.unit_of_work` and `audit.services.record`: one
audit record, then `--work-ms` of other work inside the same transaction (`pg_sleep`, standing
for the rest of a request: reading, validating, writing its rows), then COMMIT. With
`--subjects distinct` every transaction records its own subject (an application each), with
`shared` all record the same one (which must queue: one chain cannot fork).

A log whose appends serialize every writer can commit at most 1000 / work-ms transactions a
second whatever the number of threads; one that does not, about threads times that. Prints
transactions/s, latency percentiles, CPU milliseconds per transaction of this process and of the
database's backends, and verifies the log. Results: bench/out/audit_contention.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def recreate(name: str) -> str:
    engine = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def backend_cpu(name: str) -> float:
    total = 0.0
    for p in psutil.process_iter(["name", "cmdline"]):
        if p.info.get("name") == "postgres" and f" {name} " in " ".join(p.info.get("cmdline") or []) + " ":
            try:
                t = p.cpu_times()
            except psutil.Error:
                continue
            total += t.user + t.system
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--transactions", type=int, default=100, help="per thread")
    ap.add_argument("--work-ms", type=float, default=20.0)
    ap.add_argument("--subjects", choices=("distinct", "shared"), default="distinct")
    ap.add_argument("--database", default="onestop_audit_bench")
    args = ap.parse_args()
    if not args.database.replace("_", "").isalnum() or args.database in ("test", "postgres", "onestop_bench"):
        ap.error(f"--database {args.database!r}: use a name of its own")

    from onestop.audit.services import record, verify_chain
    from onestop.platform.db import Database
    from onestop.platform.migrate import upgrade

    url = recreate(args.database)
    upgrade(url)
    db = Database(url)
    work = sa.text("SELECT pg_sleep(:s)").bindparams(s=args.work_ms / 1000)
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(args.threads + 1)

    def writer(k: int) -> None:
        mine: list[float] = []
        start.wait()
        for i in range(args.transactions):
            subject = f"application:{k * args.transactions + i}" if args.subjects == "distinct" else "program:shared"
            t0 = time.perf_counter()
            with db.unit_of_work() as s:
                record(s, actor="firm", actor_user_id=k, action="application.upload", subject=subject,
                       data={"kind": "business_plan", "size": 81_920, "thread": k, "i": i})
                if args.work_ms:
                    s.execute(work)
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(args.threads)]
    for t in threads:
        t.start()
    with db.unit_of_work() as s:  # warm the pool's connections before timing
        s.execute(sa.text("SELECT 1"))
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    pg0 = backend_cpu(args.database)
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    pg1 = backend_cpu(args.database)
    with db.unit_of_work() as s:
        verdict = verify_chain(s)
    db.dispose()
    n = len(latencies)
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    result: dict[str, Any] = {
        "threads": args.threads, "transactions": n, "work_ms": args.work_ms, "subjects": args.subjects,
        "wall_s": round(wall, 2), "per_s": round(n / wall, 1),
        "p50_ms": round(q[49] * 1000, 1), "p99_ms": round(q[98] * 1000, 1), "max_ms": round(max(latencies) * 1000, 1),
        "ceiling_if_serialized_per_s": round(1000 / args.work_ms, 1) if args.work_ms else None,
        "cpu_ms_per_transaction": {
            "client": round((cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime) * 1000 / n, 2),
            "postgres": round((pg1 - pg0) * 1000 / n, 2)},
        "verify": {"ok": verdict.ok, "records": verdict.checked, "chains": getattr(verdict, "chains", None)},
        "load_average": os.getloadavg(),
    }
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "audit_contention.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
