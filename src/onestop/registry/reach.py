"""The reach of a program over a registry: how many firms qualify, nearly qualify (one criterion
away, as a firm's own near misses are found) or lack data, by 시도, size class, industry and the
CEO's age band.

The counting works on a facts frame (`counts`), so the command over the national registry and
any preview over a smaller set of firms run the same code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from onestop.rules.syntax import Rule, leaves
from onestop.rules.vectorize import VectorRules

#: Criteria a firm cannot change by itself are not counted as near misses (matching.model).
FIXED_FACTS = frozenset({"applicant_kind"})
STATUSES = ("eligible", "near_miss", "unknown", "not_eligible")
STATUS_NAMES = {"eligible": ("자격 충족", "Qualify"), "near_miss": ("한 가지 부족", "Nearly qualify"),
                "unknown": ("정보 부족", "Lack data"), "not_eligible": ("해당 없음", "Do not qualify")}
DIMENSIONS = ("sido", "size_class", "section", "ceo_age_band")
#: CEO age bands: 청년 is 39 or younger for most startup funds; 신중년 are the 40s–60s.
AGE_BANDS = ((0, 29, "~29"), (30, 39, "30-39"), (40, 49, "40-49"), (50, 59, "50-59"), (60, 200, "60~"))


def compile_reach(rule: Rule) -> tuple[VectorRules, pl.Expr]:
    """(compiled rule, status expression): the firm's status as one of `STATUSES`."""
    vr = VectorRules([rule], ["_met"])
    fixes = [vr.criterion(leaf).eq(False) & vr.assuming_met(rule, leaf).eq(True)
             for leaf in {id(x): x for x in leaves(rule)}.values() if leaf.fact not in FIXED_FACTS]
    near = pl.any_horizontal(fixes).fill_null(False) if fixes else pl.lit(False)
    met = vr.program_exprs[0]
    status = (pl.when(met.is_null()).then(pl.lit("unknown"))
              .when(met).then(pl.lit("eligible"))
              .when(near).then(pl.lit("near_miss")).otherwise(pl.lit("not_eligible")))
    return vr, status


def _band() -> pl.Expr:
    age = pl.col("ceo_age")
    out: pl.Expr = pl.lit("unknown")
    for lo, hi, name in reversed(AGE_BANDS):
        out = pl.when(age.is_between(lo, hi)).then(pl.lit(name)).otherwise(out)
    return out


def counts(facts: pl.DataFrame, compiled: tuple[VectorRules, pl.Expr]) -> pl.DataFrame:
    """Firms by (시도, size class, KSIC section, CEO age band, status) for a facts frame."""
    vr, status = compiled
    # the status expression reads the criteria's columns, so it runs inside the rules' select
    frame = vr.lazy(facts, keep=["sido", "size_class", "ksic", "ceo_age"], extra=[status.alias("status")]).collect()
    return (frame.with_columns(pl.col("ksic").str.slice(0, 1).alias("section"), _band().alias("ceo_age_band"),
                               pl.col("size_class").fill_null("unknown"))
            .group_by(*DIMENSIONS, "status").agg(pl.len().alias("firms")))


@dataclass
class Reach:
    """Counts over the whole registry: the total per status and, per dimension, per value."""

    firms: int
    totals: dict[str, int]
    by: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def combine(parts: Iterable[pl.DataFrame]) -> Reach:
    """Sum the counts of several facts frames (a registry read a file at a time)."""
    frames = [p for p in parts if p.height]
    if not frames:
        return Reach(0, dict.fromkeys(STATUSES, 0), {d: [] for d in DIMENSIONS})
    whole = pl.concat(frames).group_by(*DIMENSIONS, "status").agg(pl.col("firms").sum())
    totals = dict.fromkeys(STATUSES, 0)
    for s, n in whole.group_by("status").agg(pl.col("firms").sum()).iter_rows():
        totals[s] = int(n)
    by: dict[str, list[dict[str, Any]]] = {}
    for dim in DIMENSIONS:
        wide = (whole.group_by(dim, "status").agg(pl.col("firms").sum())
                .pivot(on="status", index=dim, values="firms").fill_null(0))
        for s in STATUSES:
            if s not in wide.columns:
                wide = wide.with_columns(pl.lit(0).alias(s))
        wide = wide.with_columns(pl.sum_horizontal(list(STATUSES)).alias("firms")).sort(dim)
        by[dim] = [{"value": r[dim], **{s: int(r[s]) for s in (*STATUSES, "firms")}}
                   for r in wide.iter_rows(named=True)]
    return Reach(sum(totals.values()), totals, by)
