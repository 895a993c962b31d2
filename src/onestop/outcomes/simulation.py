"""Policy simulation: who gains and who loses eligibility when a program's rule changes (pure).

In the manner of OpenFisca's reforms: the rule in force and a draft are evaluated over the
same population (registered firms, or a generated national registry as a facts frame) with
the columnar evaluator (`rules.vectorize`, proven equal to the per-firm one); a firm *gains*
when the draft admits it (met) and the rule in force does not (not met or unknown), *loses* in
the opposite case, and is *unchanged* otherwise. Breakdowns by 시도, size class, KSIC section
and CEO age band; the budget is count × expected amount × take-up rate.
"""

from __future__ import annotations

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


def simulate(frame: pl.DataFrame, before: Rule, after: Rule, amount_won: int, take_up: float,
             keep_rows: bool = True) -> SimulationResult:
    """Compare two rules over `frame` (a facts frame, `rules.vectorize.fact_schema` columns).

    `amount_won` is the expected support per firm (integer won), `take_up` the share of eligible
    firms expected to apply and be supported (0–1). Raises ValueError on a take-up outside 0–1
    or a negative amount. `by` has keys `sido` (the 시도 code), `size_class`, `industry` (KSIC
    section letter) and `ceo_age_band`; unknown groups are `미상`."""
    if not 0.0 <= take_up <= 1.0:
        raise ValueError("take_up must be between 0 and 1")
    if amount_won < 0:
        raise ValueError("amount_won must not be negative")
    rules = VectorRules([before, after], ["__before", "__after"])
    judged = rules.lazy(frame, keep=["sido", "size_class", "ksic", "ceo_age"]).with_columns(
        pl.col("__before").fill_null(False).alias("__b"),
        pl.col("__after").fill_null(False).alias("__a"),
    ).with_columns(
        (pl.col("__a") & ~pl.col("__b")).alias("__gain"),
        (pl.col("__b") & ~pl.col("__a")).alias("__lose"),
        pl.col("sido").fill_null(UNKNOWN_GROUP),
        pl.col("size_class").fill_null(UNKNOWN_GROUP),
        pl.col("ksic").str.slice(0, 1).fill_null(UNKNOWN_GROUP).alias("industry"),
        age_band_expr(),
    ).with_row_index("__row").collect()
    totals = judged.select(
        pl.col("__gain").sum().alias("gain"), pl.col("__lose").sum().alias("lose"),
        pl.col("__b").sum().alias("before"), pl.col("__a").sum().alias("after"),
        pl.col("__before").null_count().alias("ub"), pl.col("__after").null_count().alias("ua"),
    ).row(0, named=True)
    n = judged.height
    gain, lose = int(totals["gain"] or 0), int(totals["lose"] or 0)
    result = SimulationResult(
        firms=n, gain=gain, lose=lose, unchanged=n - gain - lose,
        eligible_before=int(totals["before"] or 0), eligible_after=int(totals["after"] or 0),
        unknown_before=int(totals["ub"]), unknown_after=int(totals["ua"]),
        amount_won=amount_won, take_up=take_up)
    for dim in DIMENSIONS:
        grouped = judged.group_by(dim).agg(
            pl.col("__gain").sum().alias("gain"), pl.col("__lose").sum().alias("lose"),
            pl.col("__b").sum().alias("before"), pl.col("__a").sum().alias("after"),
        ).sort(dim)
        result.by[dim] = {str(r[dim]): Breakdown(int(r["gain"]), int(r["lose"]), int(r["before"]),
                                                 int(r["after"]))
                          for r in grouped.iter_rows(named=True)}
    if keep_rows:
        result.gained_rows = judged.filter(pl.col("__gain"))["__row"].to_list()
        result.lost_rows = judged.filter(pl.col("__lose"))["__row"].to_list()
    return result
