"""Fairness tables and drift (PSI) of live scores (issue 8 item 8)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.evaluation import fairness


def normalised(xs: list[float]) -> list[float]:
    total = sum(xs)
    return [x / total for x in xs]


@settings(deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=2, max_size=12), st.lists(st.floats(0.01, 1.0), min_size=2, max_size=12))
def test_psi_is_zero_on_itself_and_never_negative(a: list[float], b: list[float]) -> None:
    n = min(len(a), len(b))
    e, x = normalised(a[:n]), normalised(b[:n])
    assert fairness.psi(e, e) == pytest.approx(0.0, abs=1e-12)
    assert fairness.psi(e, x) >= -1e-12


def test_psi_levels_follow_the_usual_alert_levels() -> None:
    assert fairness.level(0.05) == "stable" and fairness.level(0.1) == "watch" and fairness.level(0.25) == "act"
    edges = [1.0, 2.0]
    same = fairness.shares([0.5, 1.5, 2.5, None], edges)
    assert same == [0.25, 0.25, 0.25, 0.25]  # three buckets and missing
    shifted = fairness.shares([2.5, 2.6, 2.7, 2.8], edges)
    assert fairness.level(fairness.psi(same, shifted)) == "act"


def test_age_bands() -> None:
    assert fairness.years_between(date(1971, 2, 14), date(2026, 2, 13)) == 54
    assert fairness.band_of_age(34, fairness.CEO_AGE_BANDS) == "youth"
    assert fairness.band_of_age(39, fairness.CEO_AGE_BANDS) == "youth"
    assert fairness.band_of_age(40, fairness.CEO_AGE_BANDS) == "middle"
    assert fairness.band_of_age(60, fairness.CEO_AGE_BANDS) == "senior"
    assert fairness.band_of_age(None, fairness.CEO_AGE_BANDS) == "unknown"
    assert fairness.band_of_age(7, fairness.FIRM_AGE_BANDS) == "7to15"


def test_group_table_counts_rates_and_hides_small_groups() -> None:
    rows = ([{"score": 990, "band": "A", "decision": "approved", "region": "capital"}] * 6
            + [{"score": 900, "band": "C", "decision": "rejected", "region": "non_capital"}] * 5
            + [{"score": 960, "band": "B", "decision": "approved", "region": "non_capital"}] * 5
            + [{"score": 700, "band": "D", "decision": None, "region": "unknown"}] * 2)
    table = {g.group: g for g in fairness.group_table(rows, "region")}
    assert table["capital"].count == 6 and table["capital"].approval_rate == 1.0 and table["capital"].mean_score == 990
    assert table["non_capital"].count == 10 and table["non_capital"].fast_track_share == 0.5
    assert table["non_capital"].decided == 10 and table["non_capital"].approval_rate == 0.5
    assert table["unknown"].count == 2 and table["unknown"].mean_score is None  # fewer than 5: no rate shown
    assert fairness.group_table([], "region") == []
