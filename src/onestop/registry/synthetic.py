"""A realistic synthetic national registry of firm profiles (seeded), in the registry's layout.

Distributions (shared with `bench/generate.py`, which draws facts rather than profiles): 시도
shares of Korea's firms, KSIC section shares of the SME census, a lognormal body of employees with
a Pareto tail, revenue per head by section, founding ages (exponential, mean 9 years), CEO ages
that grow with the firm's age, certifications more common in the sections that hold them. Every
profile is valid: BRNs carry their check digit and are unique, figures start at the founding year,
exports stay within revenue, a representative is at least 15 and, for a sole proprietorship, born
before the founding.
"""

from __future__ import annotations

import csv
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import polars as pl

from onestop.korea._data import data_path
from onestop.registry.schema import BY_YEAR_DTYPE, REGISTRY_SCHEMA
from onestop.rules.facts import BUSINESS_STATUSES, CERTIFICATIONS, CREDIT_GRADES, QUALIFICATIONS
from onestop.rules.vectorize import MASKED_SETS

EOK = 100_000_000  # 1억 원
USD_KRW = 1350

#: 시도 shares of Korea's firms (approximate); 12 = 전남광주통합특별시, 51 = 강원, 52 = 전북.
SIDO_SHARES = {
    "41": 26.0, "11": 22.0, "26": 6.0, "48": 6.0, "28": 5.5, "47": 5.0, "27": 4.5, "44": 4.0,
    "12": 5.5, "43": 3.0, "52": 3.0, "51": 2.7, "30": 2.6, "31": 2.0, "50": 1.5, "36": 0.5,
}
#: KSIC section shares of SMEs (SME census, approximate).
SECTION_SHARES = {
    "G": 25.0, "I": 14.0, "C": 9.0, "L": 8.0, "F": 7.0, "H": 6.0, "M": 5.0, "N": 5.0, "S": 5.0,
    "P": 4.5, "Q": 4.0, "J": 3.5, "R": 2.0, "E": 0.6, "K": 0.9, "A": 0.5,
}
#: Revenue per (employee + 1), in 억 원, by section.
REVENUE_PER_HEAD = {
    "G": 4.0, "I": 0.9, "C": 3.0, "L": 2.0, "F": 3.0, "H": 2.0, "M": 1.5, "N": 0.8, "S": 0.7,
    "P": 0.6, "Q": 0.9, "J": 1.5, "R": 0.8, "E": 2.5, "K": 3.0, "A": 1.2,
}
EXPORTER_RATE = {"C": 0.20, "G": 0.08, "J": 0.06, "M": 0.05, "A": 0.03}
#: Certification rates (overall) and the sections where they are several times more common.
CERT_RATES: dict[str, tuple[float, set[str]]] = {
    "venture": (0.04, {"C", "J", "M"}), "innobiz": (0.02, {"C", "J", "M"}),
    "mainbiz": (0.02, {"C", "J", "F"}), "women_owned": (0.10, set()),
    "disabled_owned": (0.01, set()), "social_enterprise": (0.003, set()),
    "promising_exporter": (0.005, {"C"}),
    "village_enterprise": (0.001, set()), "cooperative": (0.004, set()),
    "self_sufficiency_enterprise": (0.0005, set()),
}
QUAL_RATES = {
    "restart_founder": 0.05, "business_conversion_approved": 0.01, "restructuring_target": 0.005,
    "disaster_damage_confirmed": 0.01, "developed_technology": 0.04,
    "new_industry_field": 0.05, "honest_management_review_passed": 0.02, "in_depth_review_passed": 0.005,
    "funding_difficulty_or_credit_recovery": 0.03, "vc_investment_referral": 0.01,
    "manufacturing_related_or_knowledge_service": 0.06, "priority_field": 0.15,
}
CREDIT_SHARES = np.array([0.2, 0.3, 0.6, 1.0, 1.5, 2, 3, 5, 7, 8, 9, 10, 10, 9, 8, 7, 4, 3, 2, 1, 1, 1.0])
#: Multiplier that spreads consecutive firm numbers over the 10⁹ BRN bodies (coprime with 10, so
#: the map is one to one: every firm gets its own number).
_SPREAD = 387_420_489
_NAMES = ("주식회사 한빛", "(주)다온", "바른", "새솔", "누리", "가온", "미래", "한울", "대성", "동방")
_SUFFIX = ("정밀", "식품", "상사", "테크", "물산", "건설", "소프트", "디자인", "의원", "푸드")


@lru_cache(maxsize=1)
def sigungu_by_sido() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with data_path("reference", "regions.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["level"] == "sigungu":
                out.setdefault(row["code"][:2], []).append(row["code"])
    return out


@lru_cache(maxsize=1)
def subclasses_by_section() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with data_path("reference", "ksic11.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["level"] == "subclass":
                out.setdefault(row["code"][0], []).append(row["code"])
    return out


def shares(table: dict[str, float]) -> tuple[list[str], np.ndarray]:
    keys = list(table)
    p = np.array([table[k] for k in keys], dtype=float)
    return keys, p / p.sum()


def pick_codes(rng: np.random.Generator, groups: np.ndarray, pools: dict[str, list[str]]) -> np.ndarray:
    """For each row's group, a uniformly chosen code from that group's pool."""
    out = np.empty(len(groups), dtype=object)
    for g, pool in pools.items():
        idx = np.flatnonzero(groups == g)
        if len(idx):
            out[idx] = np.asarray(pool, dtype=object)[rng.integers(0, len(pool), len(idx))]
    return out


def brns(first: int, n: int) -> np.ndarray:
    """Unique valid BRNs (10 digits, check digit included) for firms first … first + n − 1."""
    body = (np.arange(first, first + n, dtype=np.int64) * _SPREAD + 123_456_789) % 1_000_000_000
    digits = [(body // 10 ** (8 - i)) % 10 for i in range(9)]
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(d * w for d, w in zip(digits, weights, strict=True)) + (digits[8] * 5) // 10
    check = (10 - total % 10) % 10
    out: np.ndarray = np.char.zfill((body * 10 + check).astype(str), 10)
    return out


def _years_back(today: date, years: np.ndarray, days: np.ndarray) -> np.ndarray:
    base = np.datetime64(today.isoformat(), "D")
    out: np.ndarray = base - (years * 365.25).astype("timedelta64[D]") - days.astype("timedelta64[D]")
    return out


def _by_year(rows: int, first_year: np.ndarray, last_year: int, amount: np.ndarray,
             rng: np.random.Generator, spread: float, keep: np.ndarray) -> pl.Series:
    """Three fiscal years up to `last_year` (from each firm's founding year), amounts around `amount`."""
    years, amounts, owner = [], [], []
    for back in range(3):
        y = last_year - back
        has = keep & (first_year <= y)
        idx = np.flatnonzero(has)
        owner.append(idx)
        years.append(np.full(len(idx), y, dtype=np.int16))
        # the last year is the amount itself (exports are drawn within it); earlier years drift
        drift = rng.lognormal(0.0, spread, len(idx)) if spread and back else np.ones(len(idx))
        amounts.append(np.round(amount[idx] * drift * (1 - 0.03 * back)).astype(np.int64))
    o = np.concatenate(owner)
    order = np.argsort(o, kind="stable")
    long = pl.DataFrame({"i": o[order], "year": np.concatenate(years)[order],
                         "amount": np.concatenate(amounts)[order]})
    grouped = long.group_by("i", maintain_order=True).agg(pl.struct("year", "amount").alias("v"))
    full = pl.DataFrame({"i": np.arange(rows)}).join(grouped, on="i", how="left", maintain_order="left")
    return full.get_column("v").cast(BY_YEAR_DTYPE).fill_null(pl.lit([], BY_YEAR_DTYPE))


def generate(n: int, seed: int = 42, today: date | None = None, first: int = 0) -> pl.DataFrame:
    """`n` synthetic firms (numbered from `first`, so chunks of one registry never share a BRN)
    in the registry's layout, with fiscal years up to the year before `today`."""
    today = today or date.today()
    rng = np.random.default_rng([seed, first])
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

    ksic = pick_codes(rng, section, subclasses_by_section())
    coarse = rng.random(n) < 0.01  # about 1% registered only the division (e.g. `C26`)
    ksic = np.asarray([k[:3] if c else k for k, c in zip(ksic, coarse, strict=True)], dtype=object)

    emp = np.floor(rng.lognormal(0.5, 1.2, n))
    tail = rng.random(n) < 0.004
    emp[tail] = np.floor(50 * (1 + rng.pareto(1.1, tail.sum())))
    employees = np.minimum(emp, 100_000).astype(np.int64)

    age = np.minimum(rng.exponential(9.0, n), 80.0)
    founded = _years_back(today, np.floor(age).astype(np.int64), rng.integers(0, 365, n))
    founded = np.minimum(founded, np.datetime64(today.isoformat(), "D"))
    founded_year = founded.astype("datetime64[Y]").astype(np.int64) + 1970
    ceo_age = np.clip(np.round(rng.normal(44, 9, n) + 0.35 * age), 25, 75).astype(np.int64)
    born = _years_back(today, ceo_age, rng.integers(0, 365, n))
    born = np.minimum(born, founded - np.timedelta64(365 * 16, "D"))  # of working age at the founding

    per_head = by_section(REVENUE_PER_HEAD) * EOK
    revenue_f = (employees + 1) * per_head * rng.lognormal(-0.3, 0.8, n)
    last_year = today.year - 1
    revenue = _by_year(n, founded_year, last_year, revenue_f, rng, 0.15, np.ones(n, dtype=bool))
    margin = rng.normal(0.05, 0.08, n)
    profit = _by_year(n, founded_year, last_year, revenue_f * margin, rng, 0.0, rng.random(n) < 0.7)
    asset_mult = np.where(section == "L", 3.0, 0.8)
    assets = np.round(revenue_f * asset_mult * rng.lognormal(0.0, 0.6, n)).astype(np.int64)
    liabilities = np.round(assets * rng.beta(2.0, 2.5, n)).astype(np.int64)
    equity = assets - liabilities - np.where(rng.random(n) < 0.04, assets, 0)

    p_export = np.array([EXPORTER_RATE.get(s, 0.01) for s in sections])[sec_idx]
    exporter = (rng.random(n) < p_export) & (founded_year <= last_year)
    # exports: a share of the last fiscal year's revenue (which is round(revenue_f), see _by_year)
    export_rev = np.where(exporter, np.floor(revenue_f * rng.beta(1.2, 3.0, n) * 0.9), 0).astype(np.int64)

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
    grade_p = CREDIT_SHARES / CREDIT_SHARES.sum()
    grades = np.asarray(CREDIT_GRADES)[rng.choice(len(CREDIT_GRADES), n, p=grade_p)]
    numbers = np.arange(first, first + n)
    names = (np.asarray(_NAMES, dtype=object)[numbers % len(_NAMES)]
             + np.asarray(_SUFFIX, dtype=object)[(numbers // 10) % len(_SUFFIX)] + " " + numbers.astype(str))

    def null_where(mask: np.ndarray, values: np.ndarray) -> list[Any]:
        return [None if m else v for m, v in zip(mask.tolist(), values.tolist(), strict=True)]

    frame = pl.DataFrame({
        "brn": [f"{b[:3]}-{b[3:5]}-{b[5:]}" for b in brns(first, n).tolist()], "name": names, "ksic": ksic, "region": region,
        "credit_grade": pl.Series(grades).set(pl.Series(rng.random(n) < 0.35), None),
        "business_status": np.asarray(BUSINESS_STATUSES)[(rng.random(n) < 0.02).astype(np.int64)],
        "in_large_business_group": rng.random(n) < 0.0005,
        "founded_on": founded, "ceo_birth_date": pl.Series(born).set(pl.Series(rng.random(n) < 0.08), None),
        "regular_employees": employees, "total_assets": assets, "export_revenue": export_rev,
        "export_usd": export_rev // USD_KRW, "total_liabilities": liabilities, "total_equity": equity,
        "manufacturing_share_pct": null_where(section != "C", rng.integers(30, 101, n)),
        "tax_arrears": rng.random(n) < 0.03, "credit_default_record": rng.random(n) < 0.02,
        "rehabilitation": rng.random(n) < 0.003, "tax_arrears_deferred": rng.random(n) < 0.005,
        "factory_registered": (section == "C") & (rng.random(n) < 0.7),
        "certifications": certs,
        "qualifications": pl.Series(quals).set(pl.Series(rng.random(n) < 0.85), None),
        "hardship_causes": (rng.random(n) < 0.03).astype(np.uint16) << np.uint16(5),
        "revenue": revenue, "operating_profit": profit, "sido": sido,
    })
    return frame.select([pl.col(k).cast(v) for k, v in REGISTRY_SCHEMA.items()])


def as_profiles(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Registry rows as firm-profile dicts (JSON-ready: dates as text, amounts by year as objects,
    sets as names), the way `onestop batch` and the web take them."""
    out = []
    for row in frame.drop("sido").iter_rows(named=True):
        p: dict[str, Any] = {}
        for k, v in row.items():
            if v is None:
                continue
            if isinstance(v, date):
                v = v.isoformat()
            elif k in ("revenue", "operating_profit"):
                v = {str(e["year"]): e["amount"] for e in v}
            elif k in ("certifications", "qualifications", "hardship_causes"):
                v = [name for name, bit in MASKED_SETS[k].items() if v & bit]
            p[k] = v
        out.append(p)
    return out

