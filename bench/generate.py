"""Seeded synthetic Korean firms (as a Polars frame of facts) and synthetic program rules.

Firms: region and industry shares follow Korea's firm counts and the SME census roughly; sizes are
heavy-tailed; revenue, assets and exports are correlated with employees and industry; a few
facts are missing (null = unknown). Programs: realistic eligibility rules in the rules language
(thresholds agencies actually use), mostly `all` of 3-7 criteria with some `any`/`not` nesting.

    .venv/bin/python bench/generate.py --firms 5 --programs 3 --seed 42
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

# the registry's distributions, shared with `onestop registry generate` (one source of truth)
from onestop.registry.synthetic import (
    CERT_RATES,
    CREDIT_SHARES,
    EOK,
    EXPORTER_RATE,
    QUAL_RATES,
    REVENUE_PER_HEAD,
    SECTION_SHARES,
    SIDO_SHARES,
    USD_KRW,
    pick_codes,
    shares,
)
from onestop.rules.facts import CERTIFICATIONS, CREDIT_GRADES, QUALIFICATIONS
from onestop.rules.vectorize import fact_schema

REFERENCE = Path(__file__).resolve().parents[1] / "src" / "onestop" / "data" / "reference"
#: 별표1 ceilings and 별표3 소기업 bands (2026), simplified to the section, in 억 원.
SME_CEILING = {
    "G": 1200, "I": 400, "C": 1200, "L": 400, "F": 1200, "H": 1000, "M": 600, "N": 800, "S": 600,
    "P": 400, "Q": 600, "J": 1000, "R": 600, "E": 800, "K": 400, "A": 1000,
}
SMALL_BAND = {
    "G": 60, "I": 15, "C": 120, "L": 40, "F": 80, "H": 100, "M": 30, "N": 30, "S": 15, "P": 15,
    "Q": 15, "J": 50, "R": 30, "E": 40, "K": 100, "A": 80,
}
MICRO_TEN = {"B", "C", "F", "H"}  # 소상공인: fewer than 10 employees here, fewer than 5 elsewhere
PROGRAM_IDS = (
    "kosmes-youth-startup-fund", "kosmes-new-growth-fund", "kosmes-innovation-growth-fund",
    "kised-startup-academy", "kised-early-startup-package", "kised-pre-startup-package",
    "kotra-export-voucher", "kita-export-marketing", "sbc-smart-factory", "kosmes-restart-fund",
    "semas-policy-fund", "semas-smart-store", "kibo-tech-guarantee", "kodit-startup-guarantee",
    "mss-rnd-first-step", "tipa-rnd-startup", "kosmes-emergency-fund", "kosmes-export-fund",
)


@lru_cache(maxsize=1)
def sigungu_by_sido() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with open(REFERENCE / "regions.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["level"] == "sigungu":
                out.setdefault(row["code"][:2], []).append(row["code"])
    return out


@lru_cache(maxsize=1)
def ksic_codes() -> dict[str, list[str]]:
    """level -> codes, plus 'sub:<section>' -> subclass codes of that section."""
    out: dict[str, list[str]] = {}
    with open(REFERENCE / "ksic11.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["level"], []).append(row["code"])
            if row["level"] == "subclass":
                out.setdefault("sub:" + row["code"][0], []).append(row["code"])
    return out


def generate_firms(n: int, seed: int = 42) -> pl.DataFrame:
    """n synthetic firms as a facts frame (columns and dtypes = `fact_schema()`)."""
    rng = np.random.default_rng(seed)
    schema = fact_schema()

    sidos, p_sido = shares(SIDO_SHARES)
    sido_idx = rng.choice(len(sidos), n, p=p_sido)
    sido = np.asarray(sidos, dtype=object)[sido_idx]
    region = pick_codes(rng, sido, sigungu_by_sido())
    sections, p_sec = shares(SECTION_SHARES)
    sec_idx = rng.choice(len(sections), n, p=p_sec)
    section = np.asarray(sections, dtype=object)[sec_idx]

    def by_section(table: dict[str, Any]) -> np.ndarray:
        return np.array([table[s] for s in sections])[sec_idx]

    def in_sections(names: set[str]) -> np.ndarray:
        return np.isin(sec_idx, [i for i, s in enumerate(sections) if s in names])

    codes = ksic_codes()
    ksic = pick_codes(rng, section, {s: codes["sub:" + s] for s in sections})
    # About 1% registered only the division (e.g. `C26`): prefix tests on deeper codes are unknown.
    coarse = rng.random(n) < 0.01

    # Employees: lognormal body (80%+ below 5) with a Pareto tail for the few large firms.
    emp = np.floor(rng.lognormal(0.5, 1.2, n))
    tail = rng.random(n) < 0.004
    emp[tail] = np.floor(50 * (1 + rng.pareto(1.1, tail.sum())))
    employees = np.minimum(emp, 100_000).astype(np.int64)

    age = np.minimum(np.floor(rng.exponential(9.0, n)), 80).astype(np.int64)
    ceo = np.clip(np.round(rng.normal(44, 9, n) + 0.35 * age), 25, 75).astype(np.int64)

    per_head = by_section(REVENUE_PER_HEAD) * EOK
    revenue_f = (employees + 1) * per_head * rng.lognormal(-0.3, 0.8, n)
    revenue = np.round(revenue_f).astype(np.int64)
    avg3 = np.round(revenue_f * rng.lognormal(-0.03, 0.15, n)).astype(np.int64)
    change = np.maximum(rng.normal(0.03, 0.25, n), -0.95)
    asset_mult = np.where(section == "L", 3.0, 0.8)
    assets = np.round(revenue_f * asset_mult * rng.lognormal(0.0, 0.6, n)).astype(np.int64)

    p_export = np.array([EXPORTER_RATE.get(s, 0.01) for s in sections])[sec_idx]
    exporter = rng.random(n) < p_export
    export_rev = np.where(exporter, np.round(revenue_f * rng.beta(1.2, 3.0, n)), 0).astype(np.int64)
    export_usd = export_rev // USD_KRW
    ratio = np.where(revenue > 0, export_rev / np.maximum(revenue, 1), 0.0)

    certs = np.zeros(n, dtype=np.uint16)
    for bit, name in enumerate(CERTIFICATIONS):
        rate, favoured = CERT_RATES[name]
        if name == "promising_exporter":
            rate_row = np.where(exporter, 0.05, 0.0)
        elif favoured:
            rate_row = np.where(in_sections(favoured), rate * 3, rate * 0.7)
        else:
            rate_row = np.full(n, rate)
        certs |= (rng.random(n) < rate_row).astype(np.uint16) << np.uint16(bit)
    quals = np.zeros(n, dtype=np.uint16)
    for bit, name in enumerate(QUALIFICATIONS):
        quals |= (rng.random(n) < QUAL_RATES[name]).astype(np.uint16) << np.uint16(bit)

    large_group = rng.random(n) < 0.0005
    # Size class from the 3-year average (and the asset cap), then 소기업 and 소상공인.
    ceiling = by_section(SME_CEILING) * EOK
    band = by_section(SMALL_BAND) * EOK
    non_sme = (avg3 > ceiling) | (assets >= 5000 * EOK) | large_group
    small = ~non_sme & (avg3 <= band)
    size_class = np.where(non_sme, "non_sme", np.where(small, "small", "medium"))
    micro = small & (employees < np.where(in_sections(MICRO_TEN), 10, 5))

    grade_p = CREDIT_SHARES / CREDIT_SHARES.sum()
    grades = np.asarray(CREDIT_GRADES)[rng.choice(len(CREDIT_GRADES), n, p=grade_p)]

    # Support history: 8% of firms received one or two programs before (built as Arrow offsets).
    counts = np.where(rng.random(n) < 0.08, 1 + (rng.random(n) < 0.3), 0).astype(np.int32)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    picks = rng.integers(0, len(PROGRAM_IDS), int(offsets[-1]))
    two = np.flatnonzero(counts == 2)
    clash = picks[offsets[two]] == picks[offsets[two] + 1]
    picks[offsets[two][clash] + 1] = (picks[offsets[two][clash] + 1] + 1) % len(PROGRAM_IDS)
    received = pl.from_arrow(pa.ListArray.from_arrays(
        pa.array(offsets), pa.array(np.asarray(PROGRAM_IDS, dtype=object)[picks], type=pa.string())))

    frame = pl.DataFrame({
        "ksic": ksic, "region": region, "sido": sido,
        "capital_area": np.isin(sido_idx, [sidos.index(s) for s in ("11", "28", "41")]),
        "business_age_years": age, "ceo_age": ceo, "regular_employees": employees,
        "revenue": revenue, "revenue_avg3": avg3, "revenue_change_yoy": change,
        "total_assets": assets, "export_revenue": export_rev, "export_usd": export_usd,
        "export_ratio": ratio, "certifications": certs, "in_large_business_group": large_group,
        "tax_arrears": rng.random(n) < 0.03, "credit_grade": grades, "size_class": size_class,
        "is_sme": ~non_sme, "is_small": small, "is_micro_enterprise": micro,
        "received_programs": received,
        "qualifications": quals,
        # the 2026 policy-fund plan's facts (issue 17): mostly operating, few restrictions
        "applicant_kind": np.where(age == 0, np.where(rng.random(n) < 0.3, "prospective_founder", "firm"), "firm"),
        "operating_profit": np.round(revenue_f * rng.normal(0.05, 0.08, n)).astype(np.int64),
        "operating_profit_change_yoy": rng.normal(0.0, 0.4, n),
        "debt_ratio": rng.lognormal(0.3, 0.8, n), "capital_impaired": rng.random(n) < 0.04,
        "business_status": np.where(rng.random(n) < 0.02, "suspended", "operating"),
        "credit_default_record": rng.random(n) < 0.02, "rehabilitation": rng.random(n) < 0.003,
        "tax_arrears_deferred": rng.random(n) < 0.005,
        "hardship_causes": (rng.random(n) < 0.03).astype(np.uint16) << np.uint16(5),
        "manufacturing_share": np.where(section == "C", rng.uniform(0.3, 1.0, n), 0.0),
        "factory_registered": (section == "C") & (rng.random(n) < 0.7),
        "policy_fund_count_5y": rng.poisson(0.2, n).astype(np.int64),
        "policy_fund_amount_5y": (rng.poisson(0.2, n) * 300_000_000).astype(np.int64),
        "_coarse": coarse, "_new": age == 0,
        "_no_ceo": rng.random(n) < 0.08, "_no_change": rng.random(n) < 0.08,
        "_no_usd": rng.random(n) < 0.08, "_no_grade": rng.random(n) < 0.35,
        "_no_qual": rng.random(n) < 0.85,
    })

    def null_if(mask: str, *cols: str) -> list[pl.Expr]:
        return [pl.when(pl.col(mask)).then(None).otherwise(pl.col(c)).alias(c) for c in cols]

    # Firms in their first year have no closed fiscal year: revenue-based facts are unknown.
    frame = frame.with_columns(
        pl.when(pl.col("_coarse")).then(pl.col("ksic").str.slice(0, 3)).otherwise(pl.col("ksic")).alias("ksic"),
        *null_if("_new", "revenue", "revenue_avg3", "export_revenue", "export_ratio", "size_class", "is_sme",
                 "is_small", "is_micro_enterprise"),
        *null_if("_no_ceo", "ceo_age"), *null_if("_no_grade", "credit_grade"),
        *null_if("_no_qual", "qualifications"),
        pl.when(pl.col("_new") | pl.col("_no_change")).then(None).otherwise(pl.col("revenue_change_yoy"))
        .alias("revenue_change_yoy"),
        pl.when(pl.col("_new") | pl.col("_no_usd")).then(None).otherwise(pl.col("export_usd")).alias("export_usd"),
    )
    return frame.select([pl.col(k).cast(dtype) for k, dtype in schema.items()])


def _names(mask: int | None, vocab: Sequence[str]) -> frozenset[str] | None:
    if mask is None:
        return None
    return frozenset(v for i, v in enumerate(vocab) if mask >> i & 1)


def fact_dicts(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The same firms as per-firm fact dicts (as `firms.facts.derive` returns them)."""
    out = []
    for row in frame.iter_rows(named=True):
        row["certifications"] = _names(row["certifications"], CERTIFICATIONS)
        row["qualifications"] = _names(row["qualifications"], QUALIFICATIONS)
        rp = row["received_programs"]
        row["received_programs"] = None if rp is None else frozenset(rp)
        out.append(row)
    return out


# --------------------------------------------------------------------------------------------
# Programs

def _leaf(fact: str, op: str, value: Any) -> dict[str, Any]:
    return {"fact": fact, "op": op, "value": value}


def _criterion_makers(rng: np.random.Generator) -> dict[str, Any]:
    """Families of criteria; one program uses at most one criterion per family in an `all`."""
    sidos = list(SIDO_SHARES)
    divisions_by_theme = [
        ["C"], ["C", "J"], ["C", "J", "M"], ["J58", "J62", "J63"], ["M70", "M71", "M72", "M73"],
        ["C26", "C27", "C28"], ["C10", "C11"], ["G46", "G47"], ["I55", "I56"], ["J"], ["M", "N"],
        ["C20", "C21"], ["C29", "C30"], ["H49", "H52"], ["R90", "R91"], ["J582", "J620"],
        ["C2611", "C2612"], ["Q86"], ["E38"], ["A01", "C10"],
    ]
    exclusion_lists = [
        ["L68", "K64", "K65", "K66"], ["I5621"], ["L68"], ["K64", "K65", "K66", "L68", "I5621", "R9124"],
        ["F41", "F42"], ["G4633"], ["S94"],
    ]
    cert_sets = [
        ["venture", "innobiz", "mainbiz"], ["venture"], ["innobiz", "mainbiz"], ["women_owned"],
        ["disabled_owned"], ["social_enterprise"], ["promising_exporter"], ["venture", "innobiz"],
    ]

    def choice(items: Sequence[Any]) -> Any:
        return items[int(rng.integers(0, len(items)))]

    def regions() -> dict[str, Any]:
        k = choice([1, 1, 1, 1, 2, 2, 3])
        picked = sorted(rng.choice(len(sidos), k, replace=False).tolist())
        codes = [sidos[i] for i in picked]
        if rng.random() < 0.2:  # a 시군구-level program (e.g. one city's fund)
            codes = [choice(sigungu_by_sido()[codes[0]])]
        return _leaf("region", "prefix", codes)

    return {
        "ceo_age": lambda: choice([
            _leaf("ceo_age", "<=", 39), _leaf("ceo_age", "<=", 39), _leaf("ceo_age", "<=", 34),
            _leaf("ceo_age", "<=", 29), _leaf("ceo_age", ">=", 40), _leaf("ceo_age", ">=", 50),
        ]),
        "business_age": lambda: choice([
            _leaf("business_age_years", "<", 3), _leaf("business_age_years", "<", 7),
            _leaf("business_age_years", "<", 5), _leaf("business_age_years", "<", 10),
            _leaf("business_age_years", ">=", 3), _leaf("business_age_years", ">=", 7),
            _leaf("business_age_years", ">=", 1),
        ]),
        "employees": lambda: choice([
            _leaf("regular_employees", ">=", 5), _leaf("regular_employees", ">=", 10),
            _leaf("regular_employees", "<", 50), _leaf("regular_employees", "<", 300),
            _leaf("regular_employees", ">=", 1), _leaf("regular_employees", "<", 10),
        ]),
        "revenue": lambda: choice([
            _leaf("revenue_avg3", "<=", 120 * EOK), _leaf("revenue_avg3", "<=", 50 * EOK),
            _leaf("revenue_avg3", "<=", 1500 * EOK), _leaf("revenue", ">=", 1 * EOK),
            _leaf("revenue", ">=", 10 * EOK), _leaf("revenue", "<", 100 * EOK),
            _leaf("revenue_avg3", "<=", 10 * EOK),
        ]),
        "capital_area": lambda: _leaf("capital_area", "==", bool(rng.random() < 0.2)),
        "region": regions,
        "industry": lambda: _leaf("ksic", "prefix", choice(divisions_by_theme)),
        "exclusions": lambda: _leaf("ksic", "not_prefix", choice(exclusion_lists)),
        "certifications": lambda: _leaf("certifications", "has_any", choice(cert_sets)),
        "size": lambda: choice([
            _leaf("size_class", "in", ["small", "medium"]), _leaf("size_class", "in", ["small"]),
            _leaf("is_sme", "==", True), _leaf("is_micro_enterprise", "==", True),
            _leaf("is_small", "==", True),
        ]),
        "tax": lambda: _leaf("tax_arrears", "==", False),
        "distress": lambda: choice([
            _leaf("revenue_change_yoy", "<=", -0.1), _leaf("revenue_change_yoy", "<=", -0.2),
        ]),
        "export": lambda: choice([
            _leaf("export_usd", ">=", 100_000), _leaf("export_usd", "<", 5_000_000),
            _leaf("export_usd", ">=", 500_000), _leaf("export_usd", ">", 0),
            _leaf("export_ratio", ">=", 0.1),
        ]),
        "history": lambda: _leaf("received_programs", "has_none", sorted({
            choice(PROGRAM_IDS) for _ in range(int(rng.integers(1, 3)))})),
        "large_group": lambda: _leaf("in_large_business_group", "==", False),
        "qualification": lambda: _leaf("qualifications", "has_any", [choice(QUALIFICATIONS)]),
        "credit": lambda: _leaf("credit_grade", "not_in", ["CCC", "CC", "C", "D"]),
        "employees_exact": lambda: _leaf("regular_employees", "in", [0, 1, 2, 3, 4]),
    }


#: Relative weights of the criterion families in a program's `all`.
FAMILY_WEIGHTS = {
    "tax": 6, "exclusions": 5, "business_age": 5, "size": 5, "industry": 4, "region": 4,
    "employees": 4, "revenue": 4, "ceo_age": 3, "certifications": 2.5, "capital_area": 1.5,
    "export": 2, "distress": 1.2, "history": 1, "large_group": 1, "qualification": 0.5,
    "credit": 0.5, "employees_exact": 0.3,
}


def synthetic_programs(n: int, seed: int = 42) -> list[dict[str, Any]]:
    """n raw program rules (rules language dicts), each passing `check_rule`."""
    rng = np.random.default_rng(seed + 1_000_003)
    makers = _criterion_makers(rng)
    families = list(FAMILY_WEIGHTS)
    weights = np.array([FAMILY_WEIGHTS[f] for f in families])
    weights = weights / weights.sum()
    rules: list[dict[str, Any]] = []
    for _ in range(n):
        k = int(rng.integers(3, 8))
        picked = [families[i] for i in rng.choice(len(families), k, replace=False, p=weights)]
        parts: list[dict[str, Any]] = [makers[f]() for f in picked]
        roll = rng.random()
        if roll < 0.10:
            # An alternative route: e.g. youth founders OR certified firms.
            alts = rng.choice(len(families), 2, replace=False, p=weights)
            parts[-1] = {"any": [parts[-1]] + [makers[families[i]]() for i in alts]}
        elif roll < 0.15:
            # An exclusion written as `not` (e.g. not in these industries or regions).
            parts.append({"not": choice_not(rng, makers)})
        elif roll < 0.20:
            # Two tracks, each an `all` of two criteria.
            a, b = (rng.choice(len(families), 2, replace=False, p=weights) for _ in range(2))
            parts.append({"any": [
                {"all": [makers[families[i]]() for i in a]},
                {"all": [makers[families[i]]() for i in b]},
            ]})
        rules.append({"all": parts})
    return rules


def choice_not(rng: np.random.Generator, makers: dict[str, Any]) -> dict[str, Any]:
    kind = rng.random()
    if kind < 0.4:
        return makers["industry"]()
    if kind < 0.7:
        return makers["region"]()
    return {"any": [makers["distress"](), makers["certifications"]()]}


def parsed_programs(raw: Sequence[dict[str, Any]]) -> list[Any]:
    """Parse and type-check raw rules (`check_rule` returns the normalized rule)."""
    from onestop.rules.check import check_rule
    from onestop.rules.syntax import parse_rule

    return [check_rule(parse_rule(r, source=f"bench-{i}", shared={})) for i, r in enumerate(raw)]


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--firms", type=int, default=5)
    ap.add_argument("--programs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    frame = generate_firms(args.firms, args.seed)
    with pl.Config(tbl_cols=-1, tbl_width_chars=200):
        print(frame)
    raw = synthetic_programs(args.programs, args.seed)
    parsed_programs(raw)
    for r in raw:
        print(json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main()
