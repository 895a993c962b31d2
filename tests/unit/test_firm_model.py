from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.firms.facts import derive, revenue_average
from onestop.firms.model import parse_firm, parse_firm_json
from tests.conftest import TODAY, example, firm


def problems(data: dict) -> dict[str, tuple[str, str]]:  # type: ignore[type-arg]
    with pytest.raises(DomainError) as e:
        parse_firm(data)
    return {p.field: (p.ko, p.en) for p in e.value.problems}


def test_example_firms_are_valid() -> None:
    for name in ("young-founder", "exporter", "crisis", "lessor", "tax-arrears",
                 "seoul-software", "smart-factory", "samsung-electronics"):
        assert firm(name).brn


def test_brn_without_dashes_is_normalised() -> None:
    assert firm(brn="1248100998").brn == "124-81-00998"


def test_every_wrong_field_is_named_in_both_languages() -> None:
    data = example("young-founder")
    data.update(brn="124-81-00999", ksic="C99999", region="99", founded_on="2024-13-01",
                regular_employees=-1, total_assets=-5, certifications=["gold"],
                revenue={"2024": -1})
    found = problems(data)
    for f in ("brn", "ksic", "region", "founded_on", "regular_employees", "total_assets",
              "certifications.0", "revenue"):
        assert f in found, f
        ko, en = found[f]
        assert ko and en and ko != en
    assert "검증번호" in found["brn"][0]
    assert "check digit" in found["brn"][1]


def test_missing_required_fields() -> None:
    found = problems({"brn": "124-81-00998"})
    assert {"name", "ksic", "region", "founded_on"} <= set(found)
    assert found["name"][0] == "기업명을 입력해 주세요."


def test_founding_date_in_the_future_is_refused() -> None:
    found = problems({**example("young-founder"), "founded_on": "2999-01-01"})
    assert "founded_on" in found


def test_extra_fields_are_kept() -> None:
    f = firm(homepage="https://example.kr")
    assert f.model_extra == {"homepage": "https://example.kr"}


def test_json_errors_are_explained() -> None:
    with pytest.raises(DomainError) as e:
        parse_firm_json("{not json")
    assert e.value.code == "json" and "line 1" in e.value.en


def test_revenue_average_of_three_years_and_young_firm() -> None:
    exporter = firm("exporter")
    assert revenue_average(exporter, TODAY) == (21_000_000_000 + 23_500_000_000 + 25_000_000_000) // 3
    founder = firm("young-founder")  # founded 2024: two fiscal years
    assert revenue_average(founder, TODAY) == (60_000_000 + 300_000_000) // 2


def test_gap_in_revenue_makes_average_unknown() -> None:
    gap = firm("exporter", revenue={"2023": 19_000_000_000, "2025": 21_000_000_000})
    assert revenue_average(gap, TODAY) is None


def test_derived_facts_of_the_young_founder() -> None:
    facts = derive(firm("young-founder"), TODAY)
    assert facts["ceo_age"] == 34
    assert facts["business_age_years"] == 2
    assert facts["region"] == "12150" and facts["capital_area"] is False
    assert facts["size_class"] == "small" and facts["is_micro_enterprise"] is True


def test_revenue_drop_is_a_derived_fact() -> None:
    facts = derive(firm("crisis"), TODAY)
    assert facts["revenue_change_yoy"] == pytest.approx(-0.22)


def test_ages_on_a_reference_date() -> None:
    f = firm("young-founder")
    assert derive(f, date(2027, 5, 9))["ceo_age"] == 34
    assert derive(f, date(2027, 5, 10))["ceo_age"] == 35


@st.composite
def any_profile(draw: st.DrawFn) -> dict[str, Any]:
    """Profiles as a user might state them, valid or contradictory, around the founding date."""
    founded = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2026, 11, 30)))
    years = draw(st.lists(st.integers(founded.year - 3, 2027), max_size=5, unique=True))
    revenue = {str(y): draw(st.integers(0, 10**13)) for y in years}
    return {**example("young-founder"), "founded_on": founded.isoformat(), "revenue": revenue,
            "export_revenue": draw(st.none() | st.integers(0, 10**13)),
            "ceo_birth_date": draw(st.none() | st.dates(min_value=date(1940, 1, 1), max_value=date(2010, 1, 1))
                                   .map(date.isoformat))}


@settings(max_examples=300, deadline=None)
@given(data=any_profile(), on=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)))
def test_a_profile_is_refused_with_named_fields_or_its_facts_are_derived(data: dict[str, Any], on: date) -> None:
    """Derived facts are total: whatever validation lets through, `derive` answers (never a
    ZeroDivisionError from an empty period); whatever it refuses, it names the fields."""
    try:
        profile = parse_firm(data)
    except DomainError as e:
        assert e.problems and all(p.field and p.ko and p.en for p in e.problems)
        return
    facts = derive(profile, on)
    assert facts["revenue_avg3"] is None or facts["revenue_avg3"] >= 0
