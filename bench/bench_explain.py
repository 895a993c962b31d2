"""(i) One firm × many programs with full explanations (the explained, per-firm evaluator).

The catalog is compiled once; then, for each of `--firms` different firms:
  - `compiled.evaluate(facts)`: every program's status and one explained outcome per distinct criterion;
  - `compiled.evaluate(facts).all_programs()`: plus every program's explanation objects materialised;
  - the plain recursive reference, `evaluate_rule(rule, facts)` for every program (statuses only).
Statuses of the compiled path must equal the recursive reference for every firm and program.

    .venv/bin/python bench/bench_explain.py --firms 200 --programs 10000
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import fact_dicts, generate_firms, parsed_programs, synthetic_programs

from onestop.rules.evaluate import CompiledRules, evaluate_rule


def summary(seconds: Sequence[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1e3
    return {"median_ms": float(np.median(ms)), "p99_ms": float(np.percentile(ms, 99)),
            "mean_ms": float(ms.mean()), "max_ms": float(ms.max())}


def timed(fn: Callable[[dict[str, Any]], Any], firms: Sequence[dict[str, Any]]) -> list[float]:
    """Seconds per firm. Results are dropped at once, as a server would after answering: keeping
    hundreds of materialised results alive would make the garbage collector's pauses the story."""
    times = []
    for facts in firms:
        t = time.perf_counter()
        fn(facts)
        times.append(time.perf_counter() - t)
    return times


def stages(compiled: CompiledRules, firms: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Median ms: the criterion tests alone (`compiled.tests`), and the whole `evaluate`
    (tests, NumPy tree reductions and every criterion's explanation); the difference is the
    reductions plus the explanations."""
    tests_ms: list[float] = []
    full_ms: list[float] = []
    for facts in firms:
        t0 = time.perf_counter()
        for fact, test in compiled.tests:
            v = facts.get(fact)
            if v is not None:
                test(v)
        t1 = time.perf_counter()
        compiled.evaluate(facts)
        t2 = time.perf_counter()
        tests_ms.append(t1 - t0)
        full_ms.append(t2 - t1)
    return {"criterion_tests": float(np.median(tests_ms) * 1e3), "evaluate": float(np.median(full_ms) * 1e3)}


def run(firms: int = 200, programs: int = 10_000, seed: int = 42) -> dict[str, Any]:
    facts = fact_dicts(generate_firms(firms, seed))
    rules = parsed_programs(synthetic_programs(programs, seed))

    t = time.perf_counter()
    compiled = CompiledRules.compile(rules)
    compile_s = time.perf_counter() - t
    for f in facts[:3]:  # warm-up (fills the per-criterion text cache)
        compiled.evaluate(f).all_programs()
    gc.collect()

    eval_times = timed(compiled.evaluate, facts)
    full_times = timed(lambda f: compiled.evaluate(f).all_programs(), facts)
    gc.disable()  # how much of all_programs() is garbage-collector pauses
    try:
        full_nogc_times = timed(lambda f: compiled.evaluate(f).all_programs(), facts[: max(1, firms // 4)])
    finally:
        gc.enable()
    base_times = timed(lambda f: [evaluate_rule(r, f) for r in rules], facts)

    # Correctness (not timed): compiled statuses equal the recursive reference for every firm.
    mismatches, all_statuses = 0, []
    for f in facts:
        got = compiled.evaluate(f).statuses
        mismatches += int((got != np.array([evaluate_rule(r, f) for r in rules], dtype=np.int8)).sum())
        all_statuses.append(got)
    statuses = np.concatenate(all_statuses)
    del all_statuses
    gc.collect()
    criteria_per_program = float(np.mean([len(s) for s in compiled.program_leaf_slots]))
    return {
        "firms": firms, "programs": programs, "distinct_criteria": len(compiled.keys),
        "criteria_per_program": criteria_per_program, "compile_s": compile_s,
        "evaluate": summary(eval_times),
        "evaluate_all_programs": summary(full_times),
        "evaluate_all_programs_gc_off": summary(full_nogc_times),
        "recursive_baseline": summary(base_times),
        "mismatches_vs_recursive": mismatches,
        "status_shares": {name: float((statuses == code).mean())
                          for name, code in (("met", 2), ("unknown", 1), ("not_met", 0))},
        "evaluate_stages_median_ms": stages(compiled, facts[: min(firms, 100)]),
    }


def markdown(res: dict[str, Any]) -> str:
    rows = [f"One firm × {res['programs']:,} programs ({res['distinct_criteria']} distinct criteria), "
            f"{res['firms']} firms:", "", "| path | median (ms) | p99 (ms) |", "|---|---:|---:|"]
    for key, label in (("evaluate", "`compiled.evaluate(facts)`"),
                       ("evaluate_all_programs", "`evaluate(facts).all_programs()`"),
                       ("evaluate_all_programs_gc_off", "same, GC disabled"),
                       ("recursive_baseline", "recursive `evaluate_rule` × programs")):
        rows.append(f"| {label} | {res[key]['median_ms']:.2f} | {res[key]['p99_ms']:.2f} |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--firms", type=int, default=200)
    ap.add_argument("--programs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    res = run(args.firms, args.programs, args.seed)
    print(markdown(res))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
