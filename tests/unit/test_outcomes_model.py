"""Outcome declarations, reporting schedules, report checks, suppression and the simulation diff."""

import itertools
from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.outcomes.model import (
    Measure,
    OutcomePlan,
    Progress,
    SourceKind,
    add_months,
    check_recorded,
    check_report,
    is_jump,
    schedule,
)
from onestop.outcomes.simulation import simulate
from onestop.outcomes.suppression import THRESHOLD, derivable, suppress, suppress_list
from onestop.rules.evaluate import MET, evaluate_rule
from onestop.rules.vectorize import facts_frame
from tests.unit.test_evaluators_agree import firm_facts, rules_raw, to_rule

PLAN = OutcomePlan.model_validate({
    "measures": ["revenue_won", "regular_employees", "new_hires_youth", "certification"],
    "after_months": [6, 12], "due_business_days": 20,
    "source": {"ko": "사업계획", "en": "plan"}})


def test_schedule_counts_korean_business_days() -> None:
    # executed 2026-03-31: six months later is 2026-09-30 (추석 24–26 Sep is before it); the 20
    # business days after it skip 개천절 (Sat 3 Oct) and its substitute holiday (Mon 5 Oct) and
    # 한글날 (Fri 9 Oct).
    due = schedule(PLAN, date(2026, 3, 31))
    assert [d.period_end for d in due] == [date(2026, 9, 30), date(2027, 3, 31)]
    # Oct 2026: 1, 2, 6, 7, 8, 12..16, 19..23, 26..30 → the 20th is 10-30
    assert due[0].due_on == date(2026, 10, 30)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 12, 15), 2) == date(2028, 2, 15)


def test_plan_refuses_unsorted_or_repeated_periods() -> None:
    with pytest.raises(ValueError):
        OutcomePlan.model_validate({"measures": ["patents"], "after_months": [12, 6],
                                    "source": {"ko": "a", "en": "b"}})
    with pytest.raises(ValueError):
        OutcomePlan.model_validate({"measures": ["patents", "patents"], "after_months": [6],
                                    "source": {"ko": "a", "en": "b"}})


def _problems(raw: dict[str, str], previous: dict[str, int | None] | None = None,
              confirmed: tuple[str, ...] = ()) -> dict[str, str]:
    with pytest.raises(DomainError) as info:
        check_report(PLAN, raw, previous or {}, date(2026, 11, 30), confirmed)
    return {p.field: p.code for p in info.value.problems}


def test_report_bad_input_is_named_per_field() -> None:
    raw = {"as_of": "2026-12-01", "revenue_won": "12억", "regular_employees": "-3",
           "new_hires_youth": "", "certification": "nonsense"}
    assert _problems(raw) == {"as_of": "future", "revenue_won": "not_a_number", "regular_employees": "negative",
                              "new_hires_youth": "required", "certification": "certification_unknown"}


def test_ten_fold_jump_needs_confirmation() -> None:
    raw = {"as_of": "2026-11-27", "revenue_won": "1,250,000,000", "regular_employees": "12",
           "new_hires_youth": "2", "certification": "venture"}
    previous = {"revenue_won": 120_000_000, "regular_employees": 11}
    assert _problems(raw, previous) == {"revenue_won": "jump_unconfirmed"}
    ok = check_report(PLAN, raw, previous, date(2026, 11, 30), ["revenue_won"])
    assert ok.values == {"revenue_won": 1_250_000_000, "regular_employees": 12, "new_hires_youth": 2,
                         "certification": "venture"}
    assert ok.as_of == date(2026, 11, 27)
    assert is_jump(10, 100) and is_jump(1000, 100) and not is_jump(999, 100) and not is_jump(5, 0)


def test_progress_against_target() -> None:
    # FKI 2014 plan: 1,200 firms advised (from 1,085)
    p = Progress(target=1200, actual=1085)
    assert p.percent == 90 and round(p.ratio, 4) == 0.9042
    assert Progress(0, 5).percent == 0


# ── suppression ─────────────────────────────────────────────────────────────────────────────

def test_one_way_table_hides_a_second_count() -> None:
    # 전남 12, 광주 3, 전북 40: 광주 hidden, and 전남 with it (else 55 − 12 − 40 = 3)
    assert suppress_list([12, 3, 40]) == ([None, None, 40], 55)
    assert suppress_list([2, 1]) == ([None, None], None)
    assert suppress_list([7, 9]) == ([7, 9], 16)


def test_two_blocks_joined_by_one_cell_are_not_left_derivable() -> None:
    hidden = [[False] * 5 for _ in range(5)]
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        hidden[i][j] = True
    # every line has 0 or ≥ 2 hidden entries, yet the bridge (1, 2) is derivable
    assert derivable(hidden) == [(1, 2)]


def _brute_derivable(table_hidden: list[list[bool]]) -> set[tuple[int, int]]:
    """Independent check: a hidden entry is determined iff adding its unit row leaves the rank
    of the constraint system unchanged."""
    rows, cols = len(table_hidden), len(table_hidden[0])
    unknown = [(i, j) for i in range(rows) for j in range(cols) if table_hidden[i][j]]
    index = {c: k for k, c in enumerate(unknown)}
    eqs = []
    for i in range(rows):
        eq = np.zeros(len(unknown))
        for j in range(cols - 1):
            if (i, j) in index:
                eq[index[(i, j)]] += 1
        if (i, cols - 1) in index:
            eq[index[(i, cols - 1)]] -= 1
        eqs.append(eq)
    for j in range(cols):
        eq = np.zeros(len(unknown))
        for i in range(rows - 1):
            if (i, j) in index:
                eq[index[(i, j)]] += 1
        if (rows - 1, j) in index:
            eq[index[(rows - 1, j)]] -= 1
        eqs.append(eq)
    a = np.array(eqs) if unknown else np.zeros((1, 0))
    out = set()
    base = np.linalg.matrix_rank(a) if unknown else 0
    for k, cell in enumerate(unknown):
        unit = np.zeros(len(unknown))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == base:
            out.add(cell)
    return out


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5).flatmap(lambda r: st.integers(1, 5).flatmap(
    lambda c: st.lists(st.lists(st.integers(0, 30), min_size=c, max_size=c), min_size=r, max_size=r))))
def test_no_small_cell_can_be_derived_from_what_is_published(cells: list[list[int]]) -> None:
    table = suppress(cells)
    published = table.published()
    for i, row in enumerate(published):
        for j, v in enumerate(row):
            if table.grid[i][j] < THRESHOLD:
                assert v is None
    assert _brute_derivable(table.hidden) == set()


# ── simulation ──────────────────────────────────────────────────────────────────────────────

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules_raw, rules_raw, st.lists(firm_facts(), min_size=1, max_size=15))
def test_gain_and_lose_sets_match_the_per_firm_evaluator(old: dict[str, Any], new: dict[str, Any],
                                                         firms: list[dict[str, Any]]) -> None:
    before, after = to_rule(old), to_rule(new)
    result = simulate(facts_frame(firms), before, after, amount_won=30_000_000, take_up=0.5)
    gained = {k for k, f in enumerate(firms) if evaluate_rule(after, f) == MET != evaluate_rule(before, f)}
    lost = {k for k, f in enumerate(firms) if evaluate_rule(before, f) == MET != evaluate_rule(after, f)}
    assert set(result.gained_rows) == gained and set(result.lost_rows) == lost
    assert (result.gain, result.lose, result.unchanged) == (len(gained), len(lost), len(firms) - len(gained) - len(lost))
    eligible_after = sum(evaluate_rule(after, f) == MET for f in firms)
    assert result.budget_won == eligible_after * 15_000_000
    for groups in result.by.values():
        assert sum(b.gain for b in groups.values()) == len(gained)
        assert sum(b.lose for b in groups.values()) == len(lost)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules_raw, rules_raw, st.lists(firm_facts(), min_size=0, max_size=15), st.lists(st.integers(0, 15), max_size=3))
def test_counting_part_by_part_equals_counting_the_whole(old: dict[str, Any], new: dict[str, Any],
                                                         firms: list[dict[str, Any]], cuts: list[int]) -> None:
    """A registry is simulated a part at a time (`simulate_parts`): the same totals, breakdowns and
    budget as one frame of the same firms, wherever the parts are cut (an empty part included)."""
    from onestop.outcomes.simulation import simulate_parts

    before, after = to_rule(old), to_rule(new)
    edges = [0, *sorted(min(c, len(firms)) for c in cuts), len(firms)]
    parts = [facts_frame(firms[a:b]) for a, b in itertools.pairwise(edges)]
    whole = simulate(facts_frame(firms), before, after, amount_won=30_000_000, take_up=0.5, keep_rows=False)
    assert simulate_parts(parts, before, after, amount_won=30_000_000, take_up=0.5).as_dict() == whole.as_dict()


def test_raising_the_ceo_age_limit_gains_the_forties() -> None:
    firms = [{"ceo_age": a, "sido": "46", "size_class": "small", "ksic": "C26111"} for a in (29, 39, 42, 47, 55)]
    firms.append({"ceo_age": None, "sido": "11", "size_class": "micro", "ksic": "J62010"})
    youth = to_rule({"fact": "ceo_age", "op": "<=", "value": 39})
    wider = to_rule({"fact": "ceo_age", "op": "<=", "value": 49})
    r = simulate(facts_frame(firms), youth, wider, amount_won=100_000_000, take_up=0.25)
    d = r.as_dict()
    assert (d["gain"], d["lose"], d["unchanged"]) == (2, 0, 4)
    assert d["budget_won"] == 4 * 25_000_000 and d["budget_change_won"] == 2 * 25_000_000
    assert d["by_region"]["46"]["gain"] == 2 and d["by_ceo_age"]["40–49세"]["gain"] == 2
    assert d["by_ceo_age"]["미상"] == {"gain": 0, "lose": 0, "eligible_before": 0, "eligible_after": 0}
    assert d["by_industry"]["C"]["eligible_after"] == 4
    with pytest.raises(ValueError):
        simulate(facts_frame(firms), youth, wider, amount_won=1, take_up=1.5)


def test_measures_cover_the_issue() -> None:
    assert {m.value for m in Measure} >= {"revenue_won", "exports_won", "exports_usd", "regular_employees",
                                          "certification", "patents", "products_launched", "placements"}


# ── effect ──────────────────────────────────────────────────────────────────────────────────

def test_effect_compares_like_with_like_and_hides_small_groups() -> None:
    from onestop.outcomes.effect import Measure, Unit, compare

    rev = Measure.revenue
    cell_a = ("46", "C", "small", "40–49세")
    cell_b = ("11", "J", "small", "39세 이하")
    units = [Unit(i, True, False, cell_a, {rev: 0.20}) for i in range(5)]
    units += [Unit(10 + i, False, i < 5, cell_a, {rev: 0.05}) for i in range(6)]
    units += [Unit(20, True, False, cell_b, {rev: 0.50})]  # no control in its cell: counted as unmatched
    units += [Unit(21, True, False, cell_a, {rev: None})]  # no revenue history: not measured
    e = compare(units)
    r = e.of(rev)
    assert (e.supported, r.supported_measured, r.matched, r.unmatched) == (7, 6, 5, 1)
    assert r.controls_used == 6 and e.near_misses == 5
    assert r.matched_difference == pytest.approx(0.15)
    assert r.mean_near_miss == pytest.approx(0.05)
    assert r.mean_supported == pytest.approx((5 * 0.20 + 0.50) / 6)
    assert any("인과" in c for c in e.caveats_ko) and any("causal" in c for c in e.caveats_en)
    small = compare(units[:3] + units[5:8]).of(rev)
    assert small.mean_supported is None and small.matched_difference is None  # fewer than 5
    # no firm gave employees or exports: counted in the groups, measured nowhere, nothing shown
    for m in (Measure.employment, Measure.exports):
        assert (e.of(m).supported_measured, e.of(m).matched, e.of(m).mean_supported) == (0, 0, None)


def test_recorded_outcomes_carry_only_their_sources_measures() -> None:
    got = check_recorded("export_contract", {"export_contracts": 1, "exports_won": 318_000_000, "exports_usd": 0})
    assert got == {Measure.export_contracts: 1, Measure.exports_won: 318_000_000, Measure.exports_usd: 0}
    assert check_recorded(SourceKind.asset_deal, {"asset_deal_won": 0}) == {Measure.asset_deal_won: 0}
    with pytest.raises(DomainError) as err:
        check_recorded("asset_deal", {"asset_deals": -1})
    assert err.value.field == "asset_deals" and err.value.ko == "유휴자산 약정 건수는 0 이상 100,000 이하의 정수여야 합니다."
    with pytest.raises(DomainError) as err:
        check_recorded("asset_deal", {"asset_deals": True})
    assert err.value.field == "asset_deals"
    with pytest.raises(DomainError) as err:
        check_recorded("export_contract", {"revenue_won": 1})
    assert err.value.en == "Not a measure of this outcome: 'revenue_won'; allowed: export_contracts, exports_usd, exports_won"


def test_a_target_unit_has_an_english_name_or_stays_as_written() -> None:
    """The seeds' plans write units in Korean (1,200社, 2,500명): English pages say firms and people."""
    from onestop.outcomes import kpi
    assert kpi.unit_name("개사") == ("개사", "firms") and kpi.unit_name(" 명 ") == ("명", "people")
    assert kpi.unit_name("대") == ("대", "대")  # not listed: shown as written, never dropped
