"""Advisory routing's pure core: filters stored as data are checked field by field, every chosen
expert fits the need and has capacity, reasons read like a person wrote them, reminders fall on
Korean business days."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.advisory.model import (
    SUBJECT_NAMES,
    Expert,
    ExpertPool,
    MatchFilters,
    NeedFacts,
    exclusion,
    parse_filters,
    reminder_dates,
    route,
    route_pool,
)
from onestop.applications.consultations import is_business_day
from onestop.errors import DomainError

NEED = NeedFacts(subject="export", sido="48", ksic="C29223", size_class="medium", business_age_years=12)


def test_filters_parse_from_stored_data_and_name_each_bad_field() -> None:
    f = parse_filters({"ksic_prefixes": "ｃ26, J62", "sizes": ["small"], "min_business_age": "3"})
    assert f == MatchFilters(ksic_prefixes=("C26", "J62"), sizes=("small",), min_business_age=3)
    with pytest.raises(DomainError) as err:
        parse_filters({"ksic_prefixes": ["Z9"], "sizes": ["huge"], "min_business_age": "9", "max_business_age": "2"})
    fields = [p.field for p in err.value.problems]
    assert fields == ["sizes", "ksic_prefixes", "max_business_age"]
    assert "'Z9'는 한국표준산업분류 코드가 아닙니다" in err.value.problems[1].ko


def test_reason_names_regions_subject_industry_and_capacity() -> None:
    e = Expert(1, "정수출", "FKI", frozenset({"export"}), frozenset({"11", "41"}),
               MatchFilters(ksic_prefixes=("C",)), capacity=4, open_load=1)
    need = NeedFacts(subject="export", sido="41", ksic="C26110")
    decision = route(need, [e])
    assert decision.routed[0].ko == "서울·경기 담당, 수출 자문, 제조업 대상, 상담 여력 3건"
    assert decision.routed[0].en == "covers Seoul, Gyeonggi; advises on export; for manufacturing; 3 open slots"


def test_full_expert_and_one_who_declined_are_left_out() -> None:
    full = Expert(1, "a", "x", frozenset({"export"}), frozenset(), capacity=2, open_load=2)
    declined = Expert(2, "b", "x", frozenset({"export"}), frozenset())
    d = route(NEED, [full, declined], skip=frozenset({2}))
    assert d.routed == () and d.excluded == {"capacity": 1, "declined": 1}


def test_reminders_skip_weekends_and_seollal() -> None:
    # 2026-02-13 is a Friday; Seollal 2026-02-16..18 (Mon–Wed)
    days = dict(reminder_dates(date(2026, 2, 13), is_business_day))
    assert days[7] == date(2026, 2, 27)  # 19, 20, 23–27: the seventh is Friday the 27th
    assert all(is_business_day(d) for d in days.values())


experts = st.builds(
    Expert,
    id=st.integers(1, 10_000),
    name=st.just("e"),
    institution=st.sampled_from(["FKI", "KOTRA"]),
    subjects=st.frozensets(st.sampled_from(list(SUBJECT_NAMES)), min_size=1),
    regions=st.frozensets(st.sampled_from(["11", "41", "48", "26"])),
    filters=st.builds(MatchFilters, ksic_prefixes=st.sampled_from([(), ("C",), ("C29",), ("J",)]),
                      sizes=st.sampled_from([(), ("small",), ("medium", "small")]),
                      min_business_age=st.sampled_from([None, 3, 20])),
    capacity=st.integers(1, 5),
    open_load=st.integers(0, 5),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(experts, max_size=30, unique_by=lambda e: e.id))
def test_every_chosen_expert_fits_and_at_most_three_are_chosen(pool: list[Expert]) -> None:
    d = route(NEED, pool)
    assert len(d.routed) == min(3, sum(exclusion(e, NEED) is None for e in pool))
    assert all(exclusion(r.expert, NEED) is None and r.expert.free > 0 for r in d.routed)
    assert len(d.routed) + sum(d.excluded.values()) == len(pool) - max(0, sum(
        exclusion(e, NEED) is None for e in pool) - len(d.routed))
    regional = [r.expert.regions != frozenset() for r in d.routed]
    assert regional == sorted(regional, reverse=True)  # regional experts come before nationwide ones


def test_cli_routes_the_example_need_among_the_example_experts() -> None:
    import json

    from typer.testing import CliRunner

    from onestop.cli import app

    r = CliRunner().invoke(app, ["advisory", "route", "examples/need-export.json", "--experts",
                                 "examples/experts.json", "--date", "2026-11-30", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [x["name"] for x in data["routed"]] == ["정수출", "김해외", "한무역"]
    assert data["routed"][0]["reason_ko"] == "부산·울산·경남 담당, 수출 자문, 제조업 대상, 상담 여력 3건"
    assert {x["reason"]: x["experts"] for x in data["excluded"]} == {
        "subject": 1, "region": 1, "industry": 1, "age": 1, "capacity": 1}
    bad = CliRunner().invoke(app, ["advisory", "route", "examples/exporter.json", "--experts", "examples/experts.json"])
    assert bad.exit_code == 1 and "기업 정보(firm)" in bad.output


needs = st.builds(NeedFacts, subject=st.sampled_from(list(SUBJECT_NAMES)), sido=st.sampled_from(["11", "41", "48", "26"]),
                  ksic=st.sampled_from(["C29223", "J62010", "C10602"]),
                  size_class=st.sampled_from(["micro", "small", "medium", None]),
                  business_age_years=st.sampled_from([0, 5, 30, None]))


@settings(max_examples=150, deadline=None)
@given(st.lists(experts, max_size=30, unique_by=lambda e: e.id), needs, st.frozensets(st.integers(1, 10_000)))
def test_the_indexed_pool_decides_as_looking_at_everyone(pool: list[Expert], need: NeedFacts,
                                                         skip: frozenset[int]) -> None:
    assert route_pool(need, ExpertPool.build(pool), skip=skip) == route(need, pool, skip=skip)
