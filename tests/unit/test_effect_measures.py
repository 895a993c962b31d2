"""The effect measure on revenue, employment and exports (pure): each measure has its own groups,
a firm without both years of a figure is counted but not measured, small groups are hidden; and
the profile's figures by fiscal year that feed it are validated with KO/EN field errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.firms.model import parse_firm
from onestop.outcomes.effect import MIN_GROUP, SPECS, Measure, Unit, compare, compare_measure, latest_change

ON = date(2026, 6, 30)
# 전남 제조업 소기업, 대표자 40대: the cell of most supported firms below
JEONNAM_C = ("46", "C", "small", "40–49세")
SEOUL_J = ("11", "J", "micro", "39세 이하")


def test_latest_change_is_between_the_two_latest_fiscal_years_before_the_reference_year() -> None:
    employees = {2023: 8, 2024: 11, 2025: 14, 2026: 30}  # 2026 is the reference year: not used
    assert latest_change(employees, ON, relative=False) == 3.0
    assert latest_change({2024: 200_000_000, 2025: 260_000_000}, ON, relative=True) == pytest.approx(0.3)
    assert latest_change({2023: 5, 2025: 7}, ON, relative=False) is None  # 2024 missing: no change
    assert latest_change({2025: 7}, ON, relative=False) is None
    assert latest_change({}, ON, relative=False) is None
    # a firm that starts exporting is measured in won, but has no percentage change
    assert latest_change({2024: 0, 2025: 150_000_000}, ON, relative=False) == 150_000_000.0
    assert latest_change({2024: 0, 2025: 150_000_000}, ON, relative=True) is None


def test_each_measure_has_its_own_groups_and_units() -> None:
    # five supported 전남 manufacturers grew by 3 people and 50,000,000 won of exports; four of
    # them gave revenue; six unsupported firms of the same cell (five near misses) grew by 1
    # person and 10,000,000 won; a supported Seoul firm has no comparison firm in its cell
    units = [Unit(i, True, False, JEONNAM_C, {Measure.revenue: 0.10 if i else None, Measure.employment: 3.0,
                                              Measure.exports: 50_000_000.0}) for i in range(5)]
    units += [Unit(10 + i, False, i < 5, JEONNAM_C, {Measure.revenue: 0.02, Measure.employment: 1.0,
                                                     Measure.exports: 10_000_000.0}) for i in range(6)]
    units.append(Unit(20, True, False, SEOUL_J, {Measure.employment: -2.0}))
    e = compare(units)
    assert (e.supported, e.near_misses) == (6, 5)
    assert [m.measure for m in e.measures] == ["revenue", "employment", "exports"]
    assert [m.unit for m in e.measures] == ["ratio", "people", "won"]

    revenue, employment, exports = e.of("revenue"), e.of(Measure.employment), e.of(Measure.exports)
    assert (revenue.supported_measured, revenue.matched, revenue.unmatched) == (4, 4, 0)
    assert revenue.mean_supported is None and revenue.matched_difference is None  # 4 < MIN_GROUP
    assert revenue.mean_near_miss == pytest.approx(0.02)

    assert (employment.supported_measured, employment.matched, employment.unmatched) == (6, 5, 1)
    assert employment.controls_used == 6
    assert employment.mean_supported == pytest.approx((5 * 3 - 2) / 6)
    assert employment.matched_difference == pytest.approx(2.0)
    assert employment.mean_near_miss == pytest.approx(1.0)

    assert (exports.supported_measured, exports.matched, exports.unmatched) == (5, 5, 0)
    assert exports.matched_difference == pytest.approx(40_000_000)
    for m in e.measures:
        assert m.method_ko and m.method_en and m.caveats_ko and m.caveats_en
        assert len(m.caveats_ko) == len(m.caveats_en)
    assert "원화" in exports.caveats_ko[1] and "US dollars" in exports.caveats_en[1]
    assert not any("효과가 있" in c or "caused" in c for s in SPECS.values() for c in (*s.caveats_ko, *s.caveats_en))


def test_near_misses_that_were_supported_count_as_supported() -> None:
    units = [Unit(i, True, True, JEONNAM_C, {Measure.employment: 1.0}) for i in range(MIN_GROUP)]
    e = compare(units)
    assert e.near_misses == 0 and e.of(Measure.employment).near_misses_measured == 0
    assert e.of(Measure.employment).unmatched == MIN_GROUP  # no unsupported firm in the cell


CELLS = st.sampled_from([JEONNAM_C, SEOUL_J, ("26", "G", "medium", "50–59세")])
CHANGE = st.one_of(st.none(), st.integers(-50, 50).map(float))
UNITS = st.lists(st.builds(Unit, st.integers(1, 10**6), st.booleans(), st.booleans(), CELLS,
                           st.fixed_dictionaries({m: CHANGE for m in Measure})), max_size=40)


@settings(max_examples=150, deadline=None)
@given(UNITS)
def test_group_counts_add_up(units: list[Unit]) -> None:
    e = compare(units)
    assert e.supported == sum(u.supported for u in units)
    for m in Measure:
        r = e.of(m)
        measured = [u for u in units if u.supported and u.changes[m] is not None]
        assert r.supported_measured == len(measured) <= e.supported
        assert r.matched + r.unmatched == r.supported_measured
        assert r.near_misses_measured <= e.near_misses
        assert r.controls_used == sum(1 for u in units if not u.supported and u.changes[m] is not None
                                      and u.cell in {s.cell for s in measured}) if r.matched else r.controls_used == 0
        assert (r.mean_supported is None) == (r.supported_measured < MIN_GROUP)
        assert (r.matched_difference is None) == (r.matched < MIN_GROUP)


@settings(max_examples=150, deadline=None)
@given(UNITS, st.sampled_from(list(Measure)))
def test_a_comparison_firm_at_its_cells_mean_leaves_the_matched_difference_unchanged(
        units: list[Unit], measure: Measure) -> None:
    before = compare_measure(units, measure)
    pools: dict[tuple[str, str, str, str], list[float]] = {}
    for u in units:
        c = u.changes[measure]
        if not u.supported and c is not None:
            pools.setdefault(u.cell, []).append(c)
    for cell, pool in pools.items():
        mean = sum(pool) / len(pool)
        after = compare_measure([*units, Unit(0, False, False, cell, {measure: mean})], measure)
        assert (after.matched, after.unmatched) == (before.matched, before.unmatched)
        assert after.controls_used == before.controls_used + (1 if after.matched and any(
            u.supported and u.cell == cell and u.changes[measure] is not None for u in units) else 0)
        if before.matched_difference is None:
            assert after.matched_difference is None
        else:
            assert after.matched_difference == pytest.approx(before.matched_difference)


# ── the profile's figures by fiscal year ───────────────────────────────────────────────────

BASE = {"brn": "220-81-62517", "name": "(주)순천정밀", "ksic": "C29", "region": "46150", "founded_on": "2015-03-02",
        "revenue": {"2023": 2_400_000_000, "2024": 2_900_000_000}}


def _problems(**extra: object) -> dict[str, tuple[str, str, str]]:
    with pytest.raises(DomainError) as err:
        parse_firm({**BASE, **extra}, entry=True)
    return {p.field: (p.code, p.ko, p.en) for p in err.value.problems}


def test_figures_by_fiscal_year_are_kept_and_old_profiles_stay_valid() -> None:
    old = parse_firm(BASE, entry=True)
    assert old.regular_employees_by_year == {} and old.export_revenue_by_year == {}
    firm = parse_firm({**BASE, "regular_employees_by_year": {"2023": 18, "2024": 23},
                       "export_revenue_by_year": {"2023": 300_000_000, "2024": 0},
                       "export_usd_by_year": {"2023": 230_000}}, entry=True)
    assert firm.regular_employees_by_year == {2023: 18, 2024: 23}
    assert firm.export_revenue_by_year == {2023: 300_000_000, 2024: 0}
    dumped = firm.model_dump(mode="json", exclude_none=True)
    assert dumped["regular_employees_by_year"] == {"2023": 18, "2024": 23}
    assert parse_firm(dumped) == firm


@pytest.mark.parametrize(("extra", "field", "code", "ko", "en"), [
    ({"regular_employees_by_year": {"2024": -3}}, "regular_employees_by_year", "regular_employees_by_year_amount",
     "2024년 상시근로자 수는 0 이상 1,000,000 이하의 정수(명)여야 합니다. 입력값: -3",
     "Regular employees for 2024 must be a whole number of people from 0 to 1,000,000; got -3."),
    ({"regular_employees_by_year": {"2024": 12.5}}, "regular_employees_by_year", "regular_employees_by_year_amount",
     "2024년 상시근로자 수는 0 이상 1,000,000 이하의 정수(명)여야 합니다. 입력값: 12.5",
     "Regular employees for 2024 must be a whole number of people from 0 to 1,000,000; got 12.5."),
    ({"export_revenue_by_year": {"2024": "삼억"}}, "export_revenue_by_year", "export_revenue_by_year_amount",
     "2024년 수출액(원)은 0 이상 1,000,000,000,000,000 이하의 정수(원)여야 합니다. 입력값: '삼억'",
     "Exports (won) for 2024 must be a whole number of won from 0 to 1,000,000,000,000,000; got '삼억'."),
    ({"export_usd_by_year": {"24": 1000}}, "export_usd_by_year", "export_usd_by_year_year",
     "수출액(달러)의 사업연도 24는 1950~2100 사이여야 합니다.",
     "Fiscal year 24 in exports (US dollars) must be between 1950 and 2100."),
    ({"export_revenue_by_year": {"2024": 3_000_000_000}}, "export_revenue_by_year", "export_by_year_above_revenue",
     "2024년 수출액 3,000,000,000원이 2024년 매출액 2,900,000,000원보다 큽니다. 수출액은 매출액의 일부입니다.",
     "Exports for 2024 (3,000,000,000 won) exceed the 2024 revenue (2,900,000,000 won); exports are part of "
     "revenue."),
    ({"regular_employees_by_year": {"2012": 4}}, "regular_employees_by_year",
     "regular_employees_by_year_before_founding",
     "2012년 상시근로자 수가 있지만 설립일은 2015-03-02입니다. 설립 연도(2015년) 이후의 상시근로자 수만 입력하세요.",
     "Regular employees is given for 2012, but the firm was founded on 2015-03-02; give it from 2015 on."),
    ({"regular_employees_by_year": [18, 23]}, "regular_employees_by_year", "regular_employees_by_year_shape",
     '상시근로자 수는 사업연도별 값이어야 합니다. 예: {"2025": 12}',
     'Regular employees must map fiscal years to people, e.g. {"2025": 12}.'),
])
def test_bad_figures_by_fiscal_year_are_named_in_korean_and_english(
        extra: dict[str, object], field: str, code: str, ko: str, en: str) -> None:
    assert _problems(**extra)[field] == (code, ko, en)


def test_a_future_year_is_refused() -> None:
    year = date.today().year + 1
    code, ko, _ = _problems(export_usd_by_year={str(year): 10})["export_usd_by_year"]
    assert code == "export_usd_by_year_future_year" and f"{year}년 수출액(달러)은 아직 알 수 없습니다" in ko


def test_onestop_validate_names_a_bad_figure_by_fiscal_year(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from onestop.cli import app

    good = tmp_path / "good.json"
    good.write_text(json.dumps({**BASE, "regular_employees_by_year": {"2023": 18, "2024": 23}}), encoding="utf-8")
    assert CliRunner().invoke(app, ["validate", str(good)]).exit_code == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**BASE, "regular_employees_by_year": {"2024": "스물셋"}}, ensure_ascii=False),
                   encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "regular_employees_by_year" in result.output and "2024년 상시근로자 수는 0 이상" in result.output
    assert "Regular employees for 2024 must be a whole number of people" in result.output
