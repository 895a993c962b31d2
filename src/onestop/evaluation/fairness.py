"""Fairness and drift of the live scores (issue 8 item 8).

*Fairness*: score distributions, fast-track-band shares and approval rates by group — 수도권 or
not (수도권정비계획법 제2조), firm age (업력), CEO age and size class — each with its count, through
fairlearn's `MetricFrame`. Groups with fewer than `MIN_COUNT` firms are shown with their count and
no rate: a rate of three firms says nothing.

*Drift*: the population stability index, PSI = Σ (a − e) · ln(a / e) over buckets (training
deciles plus a bucket for missing), of the live scores and of each ratio against the training
data. Usual reading (Siddiqi, *Credit Risk Scorecards*, 2006, ch. 8; Yurdakul 2018): < 0.1
stable, 0.1–0.25 some shift (watch), ≥ 0.25 a significant shift (act: review or retrain).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

PSI_WATCH = 0.1
PSI_ACT = 0.25
MIN_COUNT = 5
#: fewer live scores than this and a PSI is noise (ten buckets need a few firms each)
MIN_PSI_COUNT = 50
#: share floor in a PSI bucket, so that an empty bucket does not make PSI infinite
EPS = 1e-4

#: 청년: 39세 이하 (중소기업창업 지원법 시행령 제2조의 청년창업자 기준); 장년: 60세 이상; 그 사이 중년
CEO_AGE_BANDS = (("youth", 0, 39, "청년 (39세 이하)", "Youth (39 or under)"),
                 ("middle", 40, 59, "중년 (40~59세)", "Middle-aged (40–59)"),
                 ("senior", 60, 200, "장년 (60세 이상)", "Senior (60 or over)"))
#: 업력: 창업기업 7년 미만 (중소기업창업 지원법 제2조)
FIRM_AGE_BANDS = (("under3", 0, 2, "3년 미만", "Under 3 years"),
                  ("3to7", 3, 6, "3~7년 미만", "3 to under 7 years"),
                  ("7to15", 7, 14, "7~15년 미만", "7 to under 15 years"),
                  ("15plus", 15, 1000, "15년 이상", "15 years or more"))


def years_between(start: date, on: date) -> int:
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))


def band_of_age(age: int | None, bands: Sequence[tuple[str, int, int, str, str]]) -> str:
    if age is None:
        return "unknown"
    return next((b[0] for b in bands if b[1] <= age <= b[2]), "unknown")


def psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    """Population stability index of two bucket-share vectors of the same length."""
    total = 0.0
    for e, a in zip(expected, actual, strict=True):
        e, a = max(e, EPS), max(a, EPS)
        total += (a - e) * math.log(a / e)
    return total


def shares(values: Sequence[float | None], edges: Sequence[float]) -> list[float]:
    """Bucket shares: one per interval between `edges` (right-closed as in training), then missing."""
    arr = np.array([np.nan if v is None else v for v in values], dtype=float)
    missing = np.isnan(arr)
    which = np.searchsorted(np.asarray(edges, dtype=float), arr[~missing], side="right")
    counts = np.bincount(which, minlength=len(edges) + 1).astype(float)
    n = max(len(arr), 1)
    return [float(c / n) for c in counts] + [float(missing.sum() / n)]


def level(value: float) -> str:
    """stable | watch | act, by the 0.1 / 0.25 alert levels."""
    return "act" if value >= PSI_ACT else ("watch" if value >= PSI_WATCH else "stable")


@dataclass(frozen=True)
class Group:
    dimension: str
    group: str
    count: int
    mean_score: float | None
    fast_track_share: float | None
    decided: int
    approval_rate: float | None


def group_table(rows: list[dict[str, Any]], dimension: str) -> list[Group]:
    """Per group of `dimension`: count, mean score, share in bands A/B, decided count and approval
    rate (fairlearn MetricFrame). `rows` hold `score`, `band`, `decision` (or None) and the dimension."""
    import pandas as pd
    from fairlearn.metrics import MetricFrame, count, selection_rate

    if not rows:
        return []
    groups = np.array([r[dimension] for r in rows])
    scores = np.array([r["score"] for r in rows], dtype=float)
    fast = np.array([1 if r["band"] in ("A", "B") else 0 for r in rows])
    scored = MetricFrame(metrics={"count": count, "fast": selection_rate},
                         y_true=fast, y_pred=fast, sensitive_features=pd.Series(groups, name=dimension)).by_group
    mean = {str(g): float(scores[groups == g].mean()) for g in set(groups.tolist())}
    decided_rows = [r for r in rows if r.get("decision") in ("approved", "rejected")]
    approvals: dict[str, tuple[int, float]] = {}
    if decided_rows:
        dg = np.array([r[dimension] for r in decided_rows])
        approved = np.array([1 if r["decision"] == "approved" else 0 for r in decided_rows])
        frame = MetricFrame(metrics={"count": count, "rate": selection_rate}, y_true=approved, y_pred=approved,
                            sensitive_features=pd.Series(dg, name=dimension)).by_group
        approvals = {str(g): (int(frame.loc[g, "count"]), float(frame.loc[g, "rate"])) for g in frame.index}
    out = []
    for g in sorted(scored.index, key=str):
        n = int(scored.loc[g, "count"])
        decided, rate = approvals.get(str(g), (0, None))
        small = n < MIN_COUNT
        out.append(Group(dimension, str(g), n, None if small else round(mean[str(g)], 1),
                         None if small else round(float(scored.loc[g, "fast"]), 3), decided,
                         None if decided < MIN_COUNT or rate is None else round(rate, 3)))
    return out
