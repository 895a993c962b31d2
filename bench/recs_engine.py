"""One firm's recommendations in the engine (no web, no database): the full answer (every
program, every criterion: the API's default before issue 16, `?explain=full` after) and the
compact first page (the default after), for the demo's young founder, on the shipped catalog
and on it plus synthetic programs (`synthetic_catalog.py`). Median and p90 of --repeat runs,
and the JSON size. `compact_new_date`: the compact first page with a different reference date on
every run (as the web bench's uncached requests: nothing computed for an earlier date is reused
as a whole), and `cpu_ms` its CPU time (time.process_time) per run.

    .venv/bin/python bench/recs_engine.py [--catalog DIR] [--repeat 200]
Run with PYTHONPATH=<an older checkout>/src to measure that code (it has no compact answer).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import orjson

from onestop.catalog.loader import load_catalog
from onestop.demo.seed import scenario
from onestop.firms.model import parse_firm
from onestop.matching.services import Engine


def timed(fn, repeat: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    ms = np.asarray(times) * 1e3
    return {"median_ms": round(float(np.median(ms)), 2), "p90_ms": round(float(np.percentile(ms, 90)), 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--catalog", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    engine = Engine(load_catalog(args.catalog))
    engine.compiled  # noqa: B018
    firm = parse_firm(scenario("young-founder"))
    on = date(2026, 11, 30)
    out: dict[str, object] = {"programs": len(engine.programs)}
    full = engine.match(firm, on)
    out["full"] = {**timed(lambda: engine.match(firm, on), args.repeat), "bytes": len(orjson.dumps(full)),
                   "eligible": len(full["eligible"])}
    if hasattr(engine, "compact"):
        compact = engine.compact(firm, on)
        out["compact"] = {**timed(lambda: engine.compact(firm, on), args.repeat), "bytes": len(orjson.dumps(compact)),
                          "totals": {k: v for k, v in compact["totals"].items() if k != "categories"}}
    if hasattr(engine, "compact"):
        days = iter(range(10**6))
        cpu = time.process_time()
        out["compact_new_date"] = timed(lambda: engine.compact(firm, date(2020, 1, 1) + timedelta(days=next(days))),
                                        args.repeat)
        out["compact_new_date"]["cpu_ms"] = round((time.process_time() - cpu) * 1e3 / (args.repeat + 1), 2)
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
