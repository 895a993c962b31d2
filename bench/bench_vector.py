"""(ii)+(iii) Many firms × many programs, vectorized: onestop vs hand-written Polars, DuckDB, json-logic.

Timed runs happen in fresh subprocesses so each engine's peak RSS (ru_maxrss) is its own:
the child loads the facts from Parquet, builds the expressions, runs one warm-up and then
`--repeats` timed collects (best reported). Correctness: onestop's vectorized result must equal the
hand-written Polars result cell by cell (null = unknown) on every firm; DuckDB is compared the same
way; json-logic (no unknown) is compared on the cells where onestop's outcome is definite.

    .venv/bin/python bench/bench_vector.py --firms 1000000 --programs 1000
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines import jsonlogic_data, to_jsonlogic, to_polars, to_sql
from generate import fact_dicts, generate_firms, parsed_programs, synthetic_programs

from onestop.rules.facts import CERTIFICATIONS, QUALIFICATIONS
from onestop.rules.syntax import leaves
from onestop.rules.vectorize import VectorRules, leaf_expr

OUT = Path(__file__).resolve().parent / "out"
#: The data layout of the bit-mask columns (bit i = i-th name), as written by the generator.
BITS = {
    "certifications": {c: 1 << i for i, c in enumerate(CERTIFICATIONS)},
    "qualifications": {c: 1 << i for i, c in enumerate(QUALIFICATIONS)},
}
GIB = 2**30


def names(n: int) -> list[str]:
    return [f"p{i:05d}" for i in range(n)]


def facts_parquet(firms: int, seed: int) -> Path:
    """The firms as Parquet (generated once per size and seed, cached under bench/out/)."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"firms-{firms}-{seed}.parquet"
    if not path.exists():
        generate_firms(firms, seed).write_parquet(path)
    return path


def maxrss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB  # Linux: KiB


def current_rss_gib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / GIB


# ------------------------------------------------------------------------------ the engines

def onestop_query(df: pl.DataFrame, raw: list[dict[str, Any]]) -> Any:
    vr = VectorRules(parsed_programs(raw), names(len(raw)))
    return lambda: vr.lazy(df).collect()


def polars_query(df: pl.DataFrame, raw: list[dict[str, Any]]) -> Any:
    exprs = [to_polars(r, BITS).alias(n) for r, n in zip(raw, names(len(raw)), strict=True)]
    return lambda: df.lazy().select(exprs).collect()


def duckdb_query(df: pl.DataFrame, raw: list[dict[str, Any]], in_order: bool = False) -> Any:
    """One SQL expression per program over the registered Arrow table. A parallel scan does not keep
    row order, so `in_order` (for the cell-by-cell check, not timed) carries a row number and sorts."""
    import duckdb

    con = duckdb.connect()
    con.register("firms", (df.with_row_index("__row") if in_order else df).to_arrow())
    cols = ",\n".join(f"{to_sql(r, BITS)} AS {n}" for r, n in zip(raw, names(len(raw)), strict=True))
    sql = f"SELECT {'__row, ' if in_order else ''}{cols}\nFROM firms"
    if in_order:
        return lambda: pl.from_arrow(con.sql(sql).to_arrow_table()).sort("__row").drop("__row")
    return lambda: pl.from_arrow(con.sql(sql).to_arrow_table())


ENGINES = {"onestop": onestop_query, "polars": polars_query, "duckdb": duckdb_query}


def child(engine: str, parquet: Path, programs: int, seed: int, repeats: int) -> dict[str, Any]:
    df = pl.read_parquet(parquet)
    raw = synthetic_programs(programs, seed)
    rss_loaded = current_rss_gib()
    t0 = time.perf_counter()
    run = ENGINES[engine](df, raw)
    build = time.perf_counter() - t0
    times = []
    out = None
    for _ in range(repeats + 1):  # the first run is the warm-up
        out = None
        gc.collect()
        t = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t)
    assert out is not None and out.shape == (df.height, programs), out.shape
    return {
        "engine": engine, "firms": df.height, "programs": programs, "build_s": build,
        "warmup_s": times[0], "times_s": times[1:], "best_s": min(times[1:]),
        "evals_per_s": df.height * programs / min(times[1:]),
        "rss_after_load_gib": rss_loaded, "peak_rss_gib": maxrss_gib(),
        "threads": pl.thread_pool_size(),
    }


def run_child(engine: str, parquet: Path, programs: int, seed: int, repeats: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", engine, "--parquet", str(parquet),
           "--programs", str(programs), "--seed", str(seed), "--repeats", str(repeats)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{engine} child failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------- checks and profile

def mismatches(a: pl.DataFrame, b: pl.DataFrame) -> int:
    """Cells that differ, null (unknown) counting as a value of its own."""
    assert a.columns == b.columns and a.height == b.height
    diff = a.select(pl.col(c).eq_missing(b[c]).not_().sum() for c in a.columns)
    return int(diff.sum_horizontal()[0])


def best_of(fn: Any, n: int = 2) -> float:
    times = []
    for _ in range(n):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


#: Facts with few distinct values, where a criterion can be evaluated once per distinct value.
LOOKUP_FACTS = ("ksic", "region", "sido", "credit_grade", "size_class", "received_programs")


def lookup_query(df: pl.DataFrame, vr: VectorRules) -> Any:
    """What-if (not onestop code): onestop's own criteria and program expressions, but each criterion
    on a low-cardinality fact is evaluated on the fact's distinct values (a few hundred) and gathered
    into rows by the value's index, instead of running string/list kernels over every row."""
    index_cols, exprs = [], []
    uniques: dict[str, pl.DataFrame] = {}
    for fact in LOOKUP_FACTS:
        col = pl.col(fact)
        key = col.list.join("\x1f") if fact == "received_programs" else col
        u = df.select(col, key.alias("__key")).unique("__key", maintain_order=True).drop_nulls("__key")
        uniques[fact] = u
        index_cols.append(key.cast(pl.Enum(u["__key"].to_list())).to_physical().alias(f"__i_{fact}"))
    for lk, name in vr._slots.items():
        fact = lk[0]
        if fact in uniques:
            table = uniques[fact].select(leaf_expr(lk)).to_series()
            exprs.append(pl.lit(table).gather(pl.col(f"__i_{fact}")).alias(name))
        else:
            exprs.append(leaf_expr(lk).alias(name))
    program_exprs = vr.program_exprs
    return lambda: df.lazy().with_columns(index_cols).with_columns(exprs).select(program_exprs).collect()


def stage_profile(df: pl.DataFrame, raw: list[dict[str, Any]], ours: pl.DataFrame) -> dict[str, Any]:
    """Where onestop's vectorized time goes: distinct criteria vs combining them, criteria by kind,
    and a what-if with low-cardinality criteria evaluated per distinct value."""
    rules = parsed_programs(raw)
    vr = VectorRules(rules, names(len(raw)))
    # Every distinct criterion as a row-wise expression (`leaf_expr`), named as the programs expect.
    leaf_exprs = [leaf_expr(key).alias(name) for key, name in vr._slots.items()]
    crit_cols = list(vr._slots.values())
    full_s = best_of(lambda: vr.lazy(df).collect())
    criteria_s = best_of(lambda: df.lazy().with_columns(leaf_exprs).select(crit_cols).collect())
    crit = df.lazy().with_columns(leaf_exprs).select(crit_cols).collect()
    combine_s = best_of(lambda: crit.lazy().select(vr.program_exprs).collect())

    kinds: dict[str, list[Any]] = defaultdict(list)
    for key in {leaf.key for rule in rules for leaf in leaves(rule)}:
        fact, op, _ = key
        kinds[f"{fact} {op}"].append(key)
    by_kind = []
    for kind, keys in kinds.items():
        exprs = [leaf_expr(k).alias(f"k{i}") for i, k in enumerate(keys)]
        seconds = best_of(lambda exprs=exprs: df.lazy().select(exprs).collect())
        by_kind.append({"kind": kind, "criteria": len(keys), "seconds": seconds})
    by_kind.sort(key=lambda r: -r["seconds"])

    lookup = lookup_query(df, vr)
    lookup_s = best_of(lookup, 3)
    return {"distinct_criteria": vr.n_criteria, "full_s": full_s, "criteria_only_s": criteria_s,
            "combine_precomputed_s": combine_s, "criteria_by_kind": by_kind[:10],
            "what_if_lookup_s": lookup_s, "what_if_lookup_evals_per_s": df.height * len(raw) / lookup_s,
            "what_if_lookup_mismatches": mismatches(ours, lookup())}


def jsonlogic_bench(df: pl.DataFrame, raw: list[dict[str, Any]], onestop_out: pl.DataFrame, n: int
                    ) -> dict[str, Any]:
    from json_logic import jsonLogic

    rules = [to_jsonlogic(r) for r in raw]
    sample = [jsonlogic_data(f) for f in fact_dicts(df.head(n))]
    t = time.perf_counter()
    results = [[bool(jsonLogic(r, data)) for r in rules] for data in sample]
    elapsed = time.perf_counter() - t
    truth = onestop_out.head(n).rows()
    definite = disagree = 0
    for got, want in zip(results, truth, strict=True):
        for g, w in zip(got, want, strict=True):
            if w is not None:
                definite += 1
                disagree += g != w
    return {"firms": n, "programs": len(raw), "seconds": elapsed,
            "evals_per_s": n * len(raw) / elapsed, "definite_cells": definite,
            "mismatches_on_definite": disagree}


# ------------------------------------------------------------------------------------ main

def run(firms: int = 1_000_000, programs: int = 1000, seed: int = 42, repeats: int = 3,
        jsonlogic_firms: int = 2000, duckdb: bool = True, profile: bool = True) -> dict[str, Any]:
    parquet = facts_parquet(firms, seed)
    engines = ["onestop", "polars"] + (["duckdb"] if duckdb else [])
    timed = {e: run_child(e, parquet, programs, seed, repeats) for e in engines}

    df = pl.read_parquet(parquet)
    raw = synthetic_programs(programs, seed)
    ours = onestop_query(df, raw)()
    checks: dict[str, Any] = {"polars_mismatches": mismatches(ours, polars_query(df, raw)())}
    if duckdb:
        checks["duckdb_mismatches"] = mismatches(ours, duckdb_query(df, raw, in_order=True)())
    shares = ours.select(
        pl.sum_horizontal(pl.all().sum()).alias("met"), pl.sum_horizontal(pl.all().null_count()).alias("unknown"))
    total = firms * programs
    checks["met_share"] = shares["met"][0] / total
    checks["unknown_share"] = shares["unknown"][0] / total

    # The machine may be shared: alternate the two Polars engines in one process so that background
    # load hits both alike; the ratio is taken from these interleaved runs.
    queries = {"onestop": onestop_query(df, raw), "polars": polars_query(df, raw)}
    interleaved: dict[str, list[float]] = {"onestop": [], "polars": []}
    for _ in range(max(repeats, 3)):
        for name, query in queries.items():
            interleaved[name].append(best_of(query, 1))
    del queries
    out: dict[str, Any] = {"engines": timed, "checks": checks, "interleaved_s": interleaved,
                           "loadavg_end": os.getloadavg()}
    if jsonlogic_firms:
        out["jsonlogic"] = jsonlogic_bench(df, raw, ours, min(jsonlogic_firms, firms))
    if profile:
        out["profile"] = stage_profile(df, raw, ours)
    del ours
    best = timed["onestop"]["best_s"]
    out["ratios"] = {
        "onestop_vs_polars": min(interleaved["onestop"]) / min(interleaved["polars"]),
        "onestop_vs_polars_separate_children": best / timed["polars"]["best_s"],
        **({"duckdb_vs_onestop": timed["duckdb"]["best_s"] / best} if duckdb else {}),
        **({"onestop_vs_jsonlogic_speedup": timed["onestop"]["evals_per_s"] / out["jsonlogic"]["evals_per_s"]}
           if jsonlogic_firms else {}),
    }
    return out


def markdown(res: dict[str, Any]) -> str:
    e = res["engines"]
    rows = ["| engine | best of N (s) | warm-up (s) | evaluations/s | peak RSS (GiB) |", "|---|---:|---:|---:|---:|"]
    for name, r in e.items():
        rows.append(f"| {name} | {r['best_s']:.2f} | {r['warmup_s']:.2f} | {r['evals_per_s'] / 1e6:,.0f} M | "
                    f"{r['peak_rss_gib']:.2f} |")
    if "jsonlogic" in res:
        j = res["jsonlogic"]
        rows.append(f"| json-logic ({j['firms']:,} firms sample, 1 thread) | {j['seconds']:.1f} | – | "
                    f"{j['evals_per_s'] / 1e6:,.3f} M | – |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--firms", type=int, default=1_000_000)
    ap.add_argument("--programs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--jsonlogic-firms", type=int, default=2000, help="0 to skip json-logic")
    ap.add_argument("--no-duckdb", action="store_true")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--child", choices=sorted(ENGINES), help=argparse.SUPPRESS)
    ap.add_argument("--parquet", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.parquet, args.programs, args.seed, args.repeats)))
        return
    res = run(args.firms, args.programs, args.seed, args.repeats, args.jsonlogic_firms,
              not args.no_duckdb, not args.no_profile)
    OUT.mkdir(exist_ok=True)
    (OUT / "vector.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(markdown(res))
    print(json.dumps({k: v for k, v in res.items() if k != "engines"}, indent=2))


if __name__ == "__main__":
    main()
