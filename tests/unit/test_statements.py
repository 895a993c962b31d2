"""재무제표 checks and the ratios computed from them (issue 8 items 1 and 2)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.evaluation import ratios
from onestop.evaluation.statements import KEYS, parse_statements


def daesung(year: int = 2025, **changes: object) -> dict[str, object]:
    """대성금속 주식회사 (journey 3, C25913, 천안): revenue down 22% in 2025, 65억 of assets."""
    base: dict[str, object] = {
        "year": year, "revenue": 7_020_000_000, "cost_of_sales": 5_900_000_000, "operating_profit": 310_000_000,
        "interest_expense": 150_000_000, "net_income": 120_000_000, "depreciation": 210_000_000,
        "total_assets": 6_500_000_000, "current_assets": 2_800_000_000, "inventory": 900_000_000,
        "receivables": 1_100_000_000, "total_liabilities": 3_900_000_000, "current_liabilities": 2_300_000_000,
        "total_equity": 2_600_000_000, "retained_earnings": 1_700_000_000,
    }
    base.update(changes)
    return base


def test_three_years_parse_newest_first() -> None:
    s = parse_statements({"years": [daesung(2023, revenue=9_800_000_000), daesung(2025), daesung(2024, revenue=9_000_000_000)]})
    assert [y.year for y in s.years] == [2025, 2024, 2023]
    assert s.latest.revenue == 7_020_000_000


def test_unbalanced_sheet_names_assets_liabilities_and_equity() -> None:
    with pytest.raises(DomainError) as e:
        parse_statements([daesung(total_equity=2_500_000_000)])
    fields = {p.field for p in e.value.problems}
    assert fields == {"years.2025.total_assets", "years.2025.total_liabilities", "years.2025.total_equity"}
    p = e.value.problems[0]
    assert "자산총계" in p.ko and "부채총계" in p.ko and "자본총계" in p.ko and "1억 원" in p.ko
    assert "total liabilities" in p.en and "100,000,000" in p.en


def test_text_in_a_number_is_a_field_error_in_both_languages() -> None:
    with pytest.raises(DomainError) as e:
        parse_statements([daesung(revenue="칠십억")])
    (p,) = e.value.problems
    assert p.field == "years.2025.revenue" and p.code == "not_a_number"
    assert "매출액" in p.ko and "원 단위 정수" in p.ko and "Revenue" in p.en


def test_amounts_with_commas_and_full_width_digits_are_read() -> None:
    s = parse_statements([daesung(revenue="７,020,000,000")])
    assert s.latest.revenue == 7_020_000_000


def test_subtotal_above_total_and_negative_sign_are_refused() -> None:
    with pytest.raises(DomainError) as e:
        parse_statements([daesung(inventory=3_000_000_000, interest_expense=-1)])
    codes = {(p.field, p.code) for p in e.value.problems}
    assert ("years.2025.interest_expense", "negative") in codes


def test_inventory_above_current_assets_is_named() -> None:
    with pytest.raises(DomainError) as e:
        parse_statements([daesung(inventory=2_900_000_000)])
    assert any(p.field == "years.2025.inventory" and "유동자산" in p.ko for p in e.value.problems)


def test_absurd_magnitude_and_too_many_years() -> None:
    with pytest.raises(DomainError) as e:
        parse_statements([daesung(revenue=10**16)])
    assert e.value.problems[0].code == "magnitude"
    with pytest.raises(DomainError) as e2:
        parse_statements([daesung(y) for y in (2022, 2023, 2024, 2025)])
    assert e2.value.code == "statements_years"


def test_losses_and_negative_equity_are_allowed() -> None:
    s = parse_statements([daesung(net_income=-400_000_000, total_equity=-100_000_000, total_liabilities=6_600_000_000,
                                  current_liabilities=2_300_000_000, retained_earnings=-900_000_000)])
    assert s.latest.total_equity == -100_000_000


def test_ratios_of_daesung() -> None:
    s = parse_statements([daesung(2025), daesung(2024, revenue=9_000_000_000)])
    r = ratios.compute(s)
    assert r["liabilities_to_assets"] == pytest.approx(0.6)
    assert r["current_ratio"] == pytest.approx(2_800 / 2_300)
    assert r["interest_coverage"] == pytest.approx(310 / 150)
    assert r["sales_growth"] == pytest.approx(0.78)  # revenue fell 22%
    assert r["quick_ratio"] == pytest.approx((2_800 - 900) / 2_300)


def test_a_single_year_leaves_growth_missing_and_zero_denominators_missing() -> None:
    s = parse_statements([daesung(interest_expense=0)])
    r = ratios.compute(s)
    assert r["sales_growth"] is None and r["interest_coverage"] is None
    assert ratios.missing(r)[:2] == ["sales_growth", "interest_coverage"]


def test_every_ratio_maps_to_a_distinct_polish_attribute() -> None:
    attrs = [r.attr for r in ratios.RATIOS]
    assert len(set(attrs)) == len(attrs)
    assert all(a.startswith("Attr") and 1 <= int(a[4:]) <= 64 for a in attrs)
    assert "Attr29" not in attrs and "Attr55" not in attrs  # amounts in złoty are not comparable


won = st.integers(min_value=0, max_value=10**13)


@settings(deadline=None)  # the shared 2-core machine: time is not what is tested
@given(liabilities=won, equity=st.integers(min_value=-(10**12), max_value=10**13), ca_share=st.floats(0, 1),
       cl_share=st.floats(0, 1))
def test_any_balanced_sheet_parses_and_its_ratios_are_finite(liabilities: int, equity: int, ca_share: float,
                                                             cl_share: float) -> None:
    assets = liabilities + equity
    if assets < 0:
        return
    current = int(assets * ca_share)
    row = daesung(total_assets=assets, total_liabilities=liabilities, total_equity=equity, current_assets=current,
                  inventory=current // 3, receivables=current // 3, current_liabilities=int(liabilities * cl_share))
    s = parse_statements([row])
    values = ratios.compute(s)
    assert set(values) == set(ratios.KEYS)
    assert all(v is None or v == v for v in values.values())  # no NaN
    assert set(KEYS) <= set(s.latest.as_dict())


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**12), st.integers(-(10**11), 10**12), st.integers(0, 10**12),
                          st.integers(0, 10**11), st.integers(0, 10**12)), min_size=1, max_size=20))
def test_batch_ratios_agree_with_one_firm_ratios(rows: list[tuple[int, int, int, int, int]]) -> None:
    """The columnar path (100,000 firms in a batch) computes exactly what the one-firm path does,
    zero denominators included (NaN there, None here)."""
    import numpy as np

    firms = []
    for liabilities, equity, revenue, interest, prev_revenue in rows:
        assets = max(liabilities + equity, 0)
        equity = assets - liabilities
        firms.append((daesung(2025, total_assets=assets, total_liabilities=liabilities, total_equity=equity,
                              current_assets=assets // 2, inventory=assets // 8, receivables=assets // 8,
                              current_liabilities=liabilities // 2, revenue=revenue, interest_expense=interest),
                      prev_revenue))
    singles = [ratios.compute(parse_statements([f, daesung(2024, revenue=p)])) for f, p in firms]
    cols = {k: np.array([float(f[k]) for f, _ in firms]) for k in KEYS}  # type: ignore[arg-type]
    batch = ratios.compute_batch(cols, {"revenue": np.array([float(p) for _, p in firms])})
    for i, one in enumerate(singles):
        for j, key in enumerate(ratios.KEYS):
            if one[key] is None:
                assert np.isnan(batch[i, j])
            else:
                assert batch[i, j] == pytest.approx(one[key], rel=1e-12)


def test_a_very_long_number_or_year_is_a_message_not_a_crash() -> None:
    with pytest.raises(DomainError) as e:
        parse_statements([daesung(revenue="9" * 5000)])
    assert e.value.problems[0].code == "not_a_number"
    with pytest.raises(DomainError) as e2:
        parse_statements([daesung(year="2" * 5000)])
    assert e2.value.problems[0].code == "year"
