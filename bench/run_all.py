"""Run both benchmarks, print a Markdown summary and write bench/out/results.json.

Small defaults finish in about a minute; `--full` runs the sizes reported in BENCHMARKS.md:

    .venv/bin/python bench/run_all.py                 # quick: 100k firms × 200 programs, 50 firms × 2,000
    .venv/bin/python bench/run_all.py --full          # 1M firms × 1,000 programs, 200 firms × 10,000
    .venv/bin/python bench/run_all.py --firms 300000 --programs 500
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_explain
import bench_vector

OUT = Path(__file__).resolve().parent / "out"
TARGETS = {"explain_median_ms": 5.0, "vector_evals_per_s": 500e6, "vector_vs_polars": 1.5, "vector_peak_gib": 4.0}


def machine() -> dict[str, Any]:
    def sh(cmd: str) -> str:
        done = subprocess.run(cmd, shell=True, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    import duckdb
    import numpy

    return {
        "cpu": sh("lscpu | grep 'Model name' | sed 's/.*: *//'"), "nproc": sh("nproc"),
        "memory": sh("free -g | awk '/Mem:/ {print $2 \" GiB\"}'"),
        "python": platform.python_version(), "polars": pl.__version__, "numpy": numpy.__version__,
        "duckdb": duckdb.__version__, "polars_threads": pl.thread_pool_size(),
    }


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def markdown(res: dict[str, Any]) -> str:
    ex, vec = res["explain"], res["vector"]
    one = vec["engines"]["onestop"]
    ratio = vec["ratios"]["onestop_vs_polars"]
    lines = [
        bench_explain.markdown(ex), "",
        f"Many firms: {one['firms']:,} firms × {one['programs']:,} programs:", "",
        bench_vector.markdown(vec), "",
        "| check / target | value | verdict |", "|---|---:|---|",
        f"| (i) explained median ≤ {TARGETS['explain_median_ms']:.0f} ms | {ex['evaluate']['median_ms']:.2f} ms | "
        f"{verdict(ex['evaluate']['median_ms'] <= TARGETS['explain_median_ms'])} |",
        f"| (ii) ≥ 500 M evaluations/s | {one['evals_per_s'] / 1e6:,.0f} M/s | "
        f"{verdict(one['evals_per_s'] >= TARGETS['vector_evals_per_s'])} |",
        f"| (ii) within 1.5× of hand-written Polars | {ratio:.2f}× | {verdict(ratio <= TARGETS['vector_vs_polars'])} |",
        f"| (ii) peak RSS ≤ 4 GiB | {one['peak_rss_gib']:.2f} GiB | "
        f"{verdict(one['peak_rss_gib'] <= TARGETS['vector_peak_gib'])} |",
        f"| compiled vs recursive statuses (mismatches) | {ex['mismatches_vs_recursive']} | "
        f"{verdict(ex['mismatches_vs_recursive'] == 0)} |",
        f"| onestop vs hand-written Polars (mismatching cells) | {vec['checks']['polars_mismatches']} | "
        f"{verdict(vec['checks']['polars_mismatches'] == 0)} |",
    ]
    if "duckdb_mismatches" in vec["checks"]:
        lines.append(f"| onestop vs DuckDB (mismatching cells) | {vec['checks']['duckdb_mismatches']} | "
                     f"{verdict(vec['checks']['duckdb_mismatches'] == 0)} |")
    if "jsonlogic" in vec:
        j = vec["jsonlogic"]
        lines.append(f"| onestop vs json-logic on definite cells | {j['mismatches_on_definite']} of "
                     f"{j['definite_cells']:,} | {verdict(j['mismatches_on_definite'] == 0)} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="the sizes reported in BENCHMARKS.md")
    ap.add_argument("--firms", type=int, help="firms for the vectorized benchmark (default 100,000)")
    ap.add_argument("--programs", type=int, help="programs for the vectorized benchmark (default 200)")
    ap.add_argument("--explain-firms", type=int, help="firms timed one by one (default 50)")
    ap.add_argument("--explain-programs", type=int, help="programs for the explained benchmark (default 2,000)")
    ap.add_argument("--jsonlogic-firms", type=int, help="json-logic sample, 0 to skip (default 200)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-duckdb", action="store_true")
    args = ap.parse_args(argv)
    full = args.full
    firms = args.firms or (1_000_000 if full else 100_000)
    programs = args.programs or (1000 if full else 200)
    explain_firms = args.explain_firms or (200 if full else 50)
    explain_programs = args.explain_programs or (10_000 if full else 2000)
    jl = args.jsonlogic_firms if args.jsonlogic_firms is not None else (2000 if full else 200)

    res: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(), "seed": args.seed, "argv": sys.argv[1:],
    }
    res["explain"] = bench_explain.run(explain_firms, explain_programs, args.seed)
    res["vector"] = bench_vector.run(firms, programs, args.seed, args.repeats, jl, not args.no_duckdb)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(markdown(res))
    print(f"\nwrote {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
