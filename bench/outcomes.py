"""Outcomes benchmarks (issue 10).

Usage:  .venv/bin/python bench/outcomes.py simulate [--firms 1000000] [--seed 42]
        .venv/bin/python bench/outcomes.py suppress [--rows 18] [--cols 4] [--tables 200]
        .venv/bin/python bench/outcomes.py pdf

* simulate: a generated national registry (`bench/generate.py`, seeded) of `--firms` firms, and
  one rule change of a shipped program (청년창업사관학교: CEO age limit 39 → 49 with the business-age
  criteria kept); times `outcomes.simulation.simulate` (both rules vectorized, gain/lose sets,
  four breakdowns, budget) after the frame is in memory, and checks the gain/lose counts on a
  sample of 2,000 firms against the per-firm evaluator.
* suppress: `--tables` random tables of 시도 × size class counts (1–30 per cell) suppressed with
  the exact derivability test; time per table.
* pdf: a program's annual report rendered to PDF with WeasyPrint (font embedding included).
Results: bench/out/outcomes_<command>.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OUT = Path(__file__).resolve().parent / "out"
PROGRAM = "kosmes-youth-startup-academy"
DRAFT = {"eligibility": {"all": [
    {"fact": "ceo_age", "op": "<=", "value": 49, "label": {"ko": "대표자 만 49세 이하", "en": "CEO aged 49 or younger"}},
    {"any": [{"fact": "business_age_years", "op": "<", "value": 3, "label": {"ko": "창업 3년 이내", "en": "within 3 years"}},
             {"fact": "business_age_years", "op": "<", "value": 7, "label": {"ko": "창업 7년 이내", "en": "within 7 years"}}]},
]}}


def _save(name: str, data: dict[str, Any]) -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / f"outcomes_{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False, indent=2))


def simulate(n: int, seed: int) -> None:
    from bench.generate import fact_dicts, generate_firms
    from onestop.catalog.loader import shipped_catalog
    from onestop.outcomes.simulation import simulate as run
    from onestop.outcomes.simulations import draft_rule_program
    from onestop.rules.evaluate import MET, evaluate_rule

    t0 = time.perf_counter()
    frame = generate_firms(n, seed)
    gen = time.perf_counter() - t0
    catalog = shipped_catalog()
    before = catalog.get(PROGRAM).rule
    after = draft_rule_program(catalog, PROGRAM, DRAFT).rule
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = run(frame, before, after, 50_000_000, 0.3, keep_rows=False)
        times.append(time.perf_counter() - t0)
    sample = frame.head(2000)
    small = run(sample, before, after, 50_000_000, 0.3)
    firms = fact_dicts(sample)
    gained = sum(1 for f in firms if evaluate_rule(after, f) == MET != evaluate_rule(before, f))
    lost = sum(1 for f in firms if evaluate_rule(before, f) == MET != evaluate_rule(after, f))
    assert (small.gain, small.lose) == (gained, lost), "vectorized and per-firm disagree"
    _save("simulate", {"firms": n, "generate_s": round(gen, 2), "simulate_s": [round(t, 2) for t in times],
                       "best_s": round(min(times), 2), "gain": result.gain, "lose": result.lose,
                       "budget_won": result.budget_won, "checked_sample": 2000})


def suppress(rows: int, cols: int, tables: int) -> None:
    from onestop.outcomes.suppression import suppress as run

    rng = random.Random(7)
    times, hidden = [], []
    for _ in range(tables):
        cells = [[rng.randint(1, 30) for _ in range(cols)] for _ in range(rows)]
        t0 = time.perf_counter()
        t = run(cells)
        times.append(time.perf_counter() - t0)
        hidden.append(sum(map(sum, t.hidden)))
    times.sort()
    _save("suppress", {"tables": tables, "shape": [rows, cols], "p50_ms": round(times[len(times) // 2] * 1000, 1),
                       "p99_ms": round(times[int(len(times) * 0.99) - 1] * 1000, 1),
                       "mean_hidden_entries": round(sum(hidden) / len(hidden), 1)})


def pdf() -> None:
    from onestop.outcomes.reports import ProgramReport
    from onestop.outcomes.reports import pdf as render

    r = ProgramReport("kosmes-distribution-channel-entry", "국내외 유통망 진출 지원", "중소벤처기업진흥공단", 2026,
                      date(2026, 11, 30),
                      [{"measure": "firms_supported", "unit": "개사", "target": 120, "actual": 97, "percent": 80,
                        "baseline": None, "source": "bench"}],
                      [(f"시도 {i}", 10 + i) for i in range(17)], 300, [("매출액 (원)", 22_500_000_000)])
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        body = render(r)
        times.append(time.perf_counter() - t0)
    _save("pdf", {"seconds": [round(t, 2) for t in times], "best_s": round(min(times), 2), "bytes": len(body)})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("simulate")
    s.add_argument("--firms", type=int, default=1_000_000)
    s.add_argument("--seed", type=int, default=42)
    p = sub.add_parser("suppress")
    p.add_argument("--rows", type=int, default=18)
    p.add_argument("--cols", type=int, default=4)
    p.add_argument("--tables", type=int, default=200)
    sub.add_parser("pdf")
    a = ap.parse_args()
    if a.cmd == "simulate":
        simulate(a.firms, a.seed)
    elif a.cmd == "suppress":
        suppress(a.rows, a.cols, a.tables)
    else:
        pdf()


if __name__ == "__main__":
    main()
