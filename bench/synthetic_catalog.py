"""A catalog folder of the shipped programs plus N synthetic ones (the rules of `generate.py`'s
`synthetic_programs`, seeded), loadable with `onestop catalog import PATH`.

Each synthetic program gets a name, one of the shipped agencies, a category and support type in
turn, an amount (and a rate for loans), and a window: most open all year, some in a 2026 round
(a few closed by the reference date, so exclusions are part of the answer as in the shipped
catalog).

    .venv/bin/python bench/synthetic_catalog.py OUT_DIR [--programs 2000] [--seed 42]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import synthetic_programs

from onestop.catalog.loader import data_path

CATEGORIES = ["funds", "export", "smart_factory", "training", "consulting", "startup", "jobs", "regional", "marketplace"]
SUPPORT = ["loan", "grant", "voucher", "service", "guarantee"]
WORDS_KO = ["성장", "도약", "혁신", "수출", "디지털", "지역", "청년", "재도약", "협력", "기술"]
WORDS_EN = ["Growth", "Leap", "Innovation", "Export", "Digital", "Regional", "Youth", "Restart", "Partnership",
            "Technology"]


def synthetic_specs(n: int, seed: int = 42) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed + 7)
    agencies = [a["id"] for a in yaml.safe_load(data_path("catalog").joinpath("agencies.yaml").read_text("utf-8"))]
    specs = []
    for i, rule in enumerate(synthetic_programs(n, seed)):
        category = CATEGORIES[i % len(CATEGORIES)]
        support = SUPPORT[(i // len(CATEGORIES)) % len(SUPPORT)]
        word = int(rng.integers(len(WORDS_KO)))
        spec: dict[str, Any] = {
            "id": f"synthetic-{i:04d}",
            "name": {"ko": f"{WORDS_KO[word]} 지원사업 {i:04d}", "en": f"{WORDS_EN[word]} Support {i:04d}"},
            "agency": agencies[i % len(agencies)],
            "category": category,
            "support_type": support,
            "summary": {"ko": f"합성 벤치마크 사업 {i:04d}", "en": f"Synthetic benchmark program {i:04d}"},
            "limits": {"amount": int(rng.integers(1, 50)) * 10_000_000},
            "eligibility": rule,
            "source": {"title": "onestop bench synthetic catalog", "publisher": "onestop bench", "date": "2026-01-02"},
        }
        if support == "loan":
            spec["limits"]["interest"] = {"kind": "fixed", "rate_pct": str(round(float(rng.uniform(1.5, 4.5)), 2))}
        roll = rng.random()
        if roll < 0.75:
            spec["application_window"] = {"always_open": True}
        else:
            opens = f"2026-{int(rng.integers(1, 7)):02d}-01"
            closes = f"2026-{int(rng.integers(7, 13)):02d}-{int(rng.integers(1, 29)):02d}"
            spec["application_window"] = {"opens": opens, "closes": closes, "year": 2026}
        specs.append(spec)
    return specs


def write_catalog(out: Path, n: int, seed: int = 42) -> Path:
    """The shipped catalog folder copied to `out`, with `n` synthetic programs added."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(str(data_path("catalog")), out)
    for spec in synthetic_specs(n, seed):
        (out / "programs" / f"{spec['id']}.yaml").write_text(
            yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--programs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    write_catalog(args.out, args.programs, args.seed)
    print(args.out)


if __name__ == "__main__":
    main()
