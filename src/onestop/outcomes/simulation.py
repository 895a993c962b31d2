"""Policy simulation: who gains and who loses eligibility when a program's rule changes (pure).

In the manner of OpenFisca's reforms: the rule in force and a draft are evaluated over the
same population (registered firms, or a generated national registry as a facts frame) with
the columnar evaluator (`rules.vectorize`, proven equal to the per-firm one); a firm *gains*
when the draft admits it (met) and the rule in force does not (not met or unknown), *loses* in
the opposite case, and is *unchanged* otherwise. Breakdowns by 시도, size class, KSIC section
and CEO age band; the budget is count × expected amount × take-up rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from onestop.rules.syntax import Rule
from onestop.rules.vectorize import VectorRules

#: CEO age bands (만 나이): 청년 창업 programs draw the line at 39 (중소기업창업 지원법 시행령 제3조의2
#: "39세 이하"), 신중년 at 50 and 60.
AGE_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 39, "39세 이하"), (40, 49, "40–49세"), (50, 59, "50–59세"), (60, 200, "60세 이상"))
UNKNOWN_GROUP = "미상"
DIMENSIONS = ("sido", "size_class", "industry", "ceo_age_band")
#: JSON keys of the breakdowns: `by_region`, `by_size`, `by_industry`, `by_ceo_age`
OUTPUT_KEYS = {"sido": "region", "size_class": "size", "industry": "industry", "ceo_age_band": "ceo_age"}


def age_band_expr() -> pl.Expr:
    age = pl.col("ceo_age")
    out: Any = pl.when(age.is_null()).then(pl.lit(UNKNOWN_GROUP))
    for lo, hi, name in AGE_BANDS:
        out = out.when((age >= lo) & (age <= hi)).then(pl.lit(name))
    band: pl.Expr = out.otherwise(pl.lit(UNKNOWN_GROUP)).alias("ceo_age_band")
    return band


@dataclass(frozen=True)
class Breakdown:
    gain: int
    lose: int
    eligible_before: int
    eligible_after: int


@dataclass
class SimulationResult:
    firms: int
    gain: int
    lose: int
    unchanged: int
    eligible_before: int
    eligible_after: int
    unknown_before: int
    unknown_after: int
    amount_won: int
    take_up: float
    by: dict[str, dict[str, Breakdown]] = field(default_factory=dict)
    #: row positions (0-based) of the firms that gain and lose, for drill-down and tests
    gained_rows: list[int] = field(default_factory=list)
    lost_rows: list[int] = field(default_factory=list)

    @property
    def budget_won(self) -> int:
        """Budget the draft needs: eligible firms × expected amount × take-up, whole won (floor)."""
        return int(self.eligible_after * self.amount_won * self.take_up)

    @property
    def budget_before_won(self) -> int:
        return int(self.eligible_before * self.amount_won * self.take_up)

    def as_dict(self) -> dict[str, Any]:
        return {
            "firms": self.firms, "gain": self.gain, "lose": self.lose, "unchanged": self.unchanged,
            "eligible_before": self.eligible_before, "eligible_after": self.eligible_after,
            "unknown_before": self.unknown_before, "unknown_after": self.unknown_after,
            "amount_won": self.amount_won, "take_up": self.take_up,
            "budget_won": self.budget_won, "budget_before_won": self.budget_before_won,
            "budget_change_won": self.budget_won - self.budget_before_won,
            **{f"by_{OUTPUT_KEYS[dim]}": {
                k: {"gain": b.gain, "lose": b.lose, "eligible_before": b.eligible_before,
                    "eligible_after": b.eligible_after} for k, b in groups.items()}
               for dim, groups in self.by.items()},
        }


def _judged(frame: pl.DataFrame, rules: VectorRules) -> pl.LazyFrame:
    return rules.lazy(frame, keep=["sido", "size_class", "ksic", "ceo_age"]).with_columns(
        pl.col("__before").fill_null(False).alias("__b"),
        pl.col("__after").fill_null(False).alias("__a"),
    ).with_columns(
        (pl.col("__a") & ~pl.col("__b")).alias("__gain"),
        (pl.col("__b") & ~pl.col("__a")).alias("__lose"),
        pl.col("sido").fill_null(UNKNOWN_GROUP),
        pl.col("size_class").fill_null(UNKNOWN_GROUP),
        pl.col("ksic").str.slice(0, 1).fill_null(UNKNOWN_GROUP).alias("industry"),
        age_band_expr(),
    )


def _counts(judged: pl.LazyFrame) -> pl.DataFrame:
    """Firms, gains, losses, eligible and unknown before and after, by all four dimensions."""
    return judged.group_by(*DIMENSIONS).agg(
        pl.len().alias("firms"),
        pl.col("__gain").sum().alias("gain"), pl.col("__lose").sum().alias("lose"),
        pl.col("__b").sum().alias("before"), pl.col("__a").sum().alias("after"),
        pl.col("__before").null_count().alias("ub"), pl.col("__after").null_count().alias("ua"),
    ).collect()


def _checked_inputs(amount_won: int, take_up: float) -> None:
    if not 0.0 <= take_up <= 1.0:
        raise ValueError("take_up must be between 0 and 1")
    if amount_won < 0:
        raise ValueError("amount_won must not be negative")


def _result(counts: list[pl.DataFrame], amount_won: int, take_up: float) -> SimulationResult:
    frames = [c for c in counts if c.height]
    if not frames:
        return SimulationResult(0, 0, 0, 0, 0, 0, 0, 0, amount_won, take_up, {d: {} for d in DIMENSIONS})
    whole = pl.concat(frames)
    t = whole.select(pl.col(k).sum() for k in ("firms", "gain", "lose", "before", "after", "ub", "ua")).row(0, named=True)
    n, gain, lose = int(t["firms"]), int(t["gain"]), int(t["lose"])
    result = SimulationResult(
        firms=n, gain=gain, lose=lose, unchanged=n - gain - lose,
        eligible_before=int(t["before"]), eligible_after=int(t["after"]),
        unknown_before=int(t["ub"]), unknown_after=int(t["ua"]),
        amount_won=amount_won, take_up=take_up)
    for dim in DIMENSIONS:
        grouped = whole.group_by(dim).agg(pl.col("gain", "lose", "before", "after").sum()).sort(dim)
        result.by[dim] = {str(r[dim]): Breakdown(int(r["gain"]), int(r["lose"]), int(r["before"]),
                                                 int(r["after"]))
                          for r in grouped.iter_rows(named=True)}
    return result


def simulate(frame: pl.DataFrame, before: Rule, after: Rule, amount_won: int, take_up: float,
             keep_rows: bool = True) -> SimulationResult:
    """Compare two rules over `frame` (a facts frame, `rules.vectorize.fact_schema` columns).

    `amount_won` is the expected support per firm (integer won), `take_up` the share of eligible
    firms expected to apply and be supported (0–1). Raises ValueError on a take-up outside 0–1
    or a negative amount. `by` has keys `sido` (the 시도 code), `size_class`, `industry` (KSIC
    section letter) and `ceo_age_band`; unknown groups are `미상`."""
    _checked_inputs(amount_won, take_up)
    rules = VectorRules([before, after], ["__before", "__after"])
    judged = _judged(frame, rules).with_row_index("__row").collect()
    result = _result([_counts(judged.lazy())], amount_won, take_up)
    if keep_rows:
        result.gained_rows = judged.filter(pl.col("__gain"))["__row"].to_list()
        result.lost_rows = judged.filter(pl.col("__lose"))["__row"].to_list()
    return result


def simulate_parts(parts: Iterable[pl.DataFrame], before: Rule, after: Rule, amount_won: int,
                   take_up: float) -> SimulationResult:
    """`simulate` over a population read a part at a time (a national registry's facts,
    `registry.services.registry_facts`): each part is counted by the four dimensions and the
    counts are summed, so memory holds one part. The same result as `simulate` over the parts
    concatenated, without the row positions. Raises ValueError as `simulate` does."""
    _checked_inputs(amount_won, take_up)
    rules = VectorRules([before, after], ["__before", "__after"])
    return _result([_counts(_judged(part, rules)) for part in parts], amount_won, take_up)


def facts_needed(*rules: Rule) -> list[str]:
    """The fact columns a simulation of these rules reads: their criteria's and the breakdowns'."""
    from onestop.rules.syntax import leaves

    return sorted({leaf.fact for rule in rules for leaf in leaves(rule)} | {"sido", "size_class", "ksic", "ceo_age"})
