"""Jobs pure core: age groups, posting checks (minimum wage, dates), the explained score, its
monotonic properties, and the columnar ranking agreeing with the one-by-one score."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.jobs import engine, model, occupations
from onestop.jobs.model import Commute, EmploymentType, Experience, PayUnit, Posting, Seeker

ON = date(2026, 11, 30)
GROUPS = (model.AgeGroup("youth", "청년", "Youth", 19, 34), model.AgeGroup("middle_aged", "중장년", "Middle-aged", 40, 64),
          model.AgeGroup("new_middle_aged", "신중년", "New middle-aged", 50, 64))
SUNCHEON, YEOSU, SEOUL_GANGNAM = "12150", "12130", "11680"


def seeker(**changes: object) -> Seeker:
    base = Seeker(id=1, birth_year=1976, region=SUNCHEON, commute=Commute.district,
                  held=(Experience("32121", 20),), sought=("32122", "32121"), education="high",
                  licences=frozenset({"지게차운전기능사"}), employment_types=frozenset({EmploymentType.permanent}),
                  max_hours_per_week=40, pay_floor_won=2_500_000, pay_floor_unit=PayUnit.month)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def posting(**changes: object) -> Posting:
    base = Posting(id=10, title="생산관리 사무원 채용", occupation="32121", region=SUNCHEON,
                   employment_type=EmploymentType.permanent, hours_per_week=40, pay_won=2_800_000,
                   pay_unit=PayUnit.month, opens_on=date(2026, 11, 1), closes_on=date(2026, 12, 31),
                   education_min="high", career_years=3, programs=frozenset({"new_middle_aged_job"}))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def groups_of(s: Seeker) -> frozenset[str]:
    return frozenset(g.id for g in model.age_groups(s.birth_year, ON, GROUPS))


def test_fifty_year_old_is_middle_aged_and_new_middle_aged_not_youth() -> None:
    assert groups_of(seeker()) == {"middle_aged", "new_middle_aged"}
    assert groups_of(seeker(birth_year=2000)) == {"youth"}
    assert groups_of(seeker(birth_year=1958)) == set()  # 68: in no group, matched alike


def test_birth_year_that_makes_a_child_is_refused_in_both_languages() -> None:
    [problem] = model.check_birth_year(2015, ON, 15)
    assert problem.field == "birth_year" and "11세" in problem.ko and "2011년 이전" in problem.ko
    assert "under 15" in problem.en
    assert model.check_birth_year(2011, ON, 15) == []


def test_posting_below_minimum_wage_names_the_least_pay_and_source() -> None:
    problems = model.check_posting(posting(pay_won=2_100_000), 10_320, "2026년 최저임금 고시")
    assert [p.code for p in problems] == ["pay_below_minimum_wage"]
    assert "2,156,880원" in problems[0].ko and "2,156,880 won" in problems[0].en
    assert model.check_posting(posting(pay_won=2_156_880), 10_320, "") == []
    hourly = posting(pay_won=10_319, pay_unit=PayUnit.hour, hours_per_week=20)
    assert [p.field for p in model.check_posting(hourly, 10_320, "")] == ["pay_won"]


def test_month_of_forty_hours_is_209_paid_hours() -> None:
    assert model.paid_hours_per_month(40) == 209
    assert model.minimum_for(PayUnit.month, 40, 10_030) == 2_096_270


def test_close_date_before_open_date_is_refused() -> None:
    problems = model.check_posting(posting(closes_on=date(2026, 10, 1)), 10_320, "")
    assert [p.field for p in problems] == ["closes_on"]
    assert "2026-10-01" in problems[0].ko


def test_unknown_occupation_code_names_the_classification() -> None:
    with pytest.raises(Exception) as caught:
        occupations.normalize_occupation("12345")
    assert "한국표준직업분류" in caught.value.ko  # type: ignore[attr-defined]
    assert occupations.normalize_occupation("３２１２１") == "32121"


def test_explanation_names_level_region_and_program() -> None:
    names = model.Names(occupation=occupations.label)
    m = model.score(seeker(), posting(), groups_of(seeker()), names=names)
    reasons = dict((p.key, p.ko) for p in m.parts)
    assert reasons["occupation"] == "희망 직종과 일치 (세세분류): 32121 생산관리 사무원"
    assert reasons["region"].startswith("거주지와 같은 시군구")
    assert "신중년 적합직무" in reasons["programs"]
    assert m.score == pytest.approx(40 + 15 + 20 + 10 + 15 + 0 + 5)
    far = model.score(seeker(), posting(region=YEOSU), groups_of(seeker()))
    assert dict((p.key, p.ko) for p in far.parts)["region"] == f"통근 범위 밖: {SUNCHEON} → {YEOSU}"


def test_age_is_never_a_penalty() -> None:
    """The same profile at 25, 50 and 70 scores the same on a posting with no program; a program
    only adds for the group it serves."""
    plain = posting(programs=frozenset())
    scores = {by: model.score(seeker(birth_year=by), plain, groups_of(seeker(birth_year=by))).score
              for by in (2001, 1976, 1956)}
    assert len(set(scores.values())) == 1
    youth_only = posting(programs=frozenset({"youth_tomorrow"}))
    older = model.score(seeker(), youth_only, groups_of(seeker())).score
    assert older == scores[1976]


codes = st.sampled_from(["32121", "32122", "3212", "32111", "87304", "41231", "42210", "23141"])
regions = st.sampled_from([SUNCHEON, YEOSU, SEOUL_GANGNAM, "12110"])
seekers = st.builds(
    Seeker, id=st.just(1), birth_year=st.integers(1950, 2007), region=regions, commute=st.sampled_from(list(Commute)),
    held=st.lists(st.builds(Experience, codes, st.integers(0, 30)), max_size=3).map(tuple),
    sought=st.lists(codes, max_size=3).map(tuple), education=st.sampled_from([e[0] for e in model.EDUCATION]),
    licences=st.frozensets(st.sampled_from(["지게차운전기능사", "용접기능사", "요양보호사"]), max_size=2),
    employment_types=st.frozensets(st.sampled_from(list(EmploymentType)), max_size=2),
    max_hours_per_week=st.integers(10, 52), pay_floor_won=st.integers(0, 4_000_000),
    pay_floor_unit=st.sampled_from(list(PayUnit)), career_break=st.booleans())
postings = st.builds(
    Posting, id=st.integers(1, 10_000), title=st.just("채용"), occupation=codes, region=regions,
    employment_type=st.sampled_from(list(EmploymentType)), hours_per_week=st.integers(10, 52),
    pay_won=st.integers(10_320, 5_000_000), pay_unit=st.sampled_from(list(PayUnit)),
    opens_on=st.just(date(2026, 11, 1)), closes_on=st.just(date(2026, 12, 31)),
    education_min=st.sampled_from([e[0] for e in model.EDUCATION]), career_years=st.integers(0, 10),
    licences=st.frozensets(st.sampled_from(["지게차운전기능사", "용접기능사", "요양보호사"]), max_size=2),
    programs=st.frozensets(st.sampled_from(list(model.PROGRAMS)), max_size=2))
term_sets = st.frozensets(st.sampled_from(["생산", "관리", "품질", "지게차", "요양"]), max_size=3)


@settings(max_examples=150, deadline=None)
@given(seekers, postings, codes, st.integers(1, 20))
def test_more_matching_experience_never_lowers_a_score(s: Seeker, p: Posting, code: str, years: int) -> None:
    before = model.score(s, p, groups_of(s)).score
    if len(s.held) < model.MAX_OCCUPATIONS:
        more = dataclasses.replace(s, held=(*s.held, Experience(code, years)))
        assert model.score(more, p, groups_of(more)).score >= before - 1e-9
    if s.held:
        longer = dataclasses.replace(s, held=(dataclasses.replace(s.held[0], years=s.held[0].years + years), *s.held[1:]))
        assert model.score(longer, p, groups_of(longer)).score >= before - 1e-9


@settings(max_examples=150, deadline=None)
@given(seekers, postings, st.integers(1, 1_000_000))
def test_higher_pay_wider_commute_or_more_licences_never_lower_a_score(s: Seeker, p: Posting, raise_: int) -> None:
    g = groups_of(s)
    before = model.score(s, p, g).score
    assert model.score(s, dataclasses.replace(p, pay_won=p.pay_won + raise_), g).score >= before - 1e-9
    wider = {Commute.district: Commute.province, Commute.province: Commute.nationwide}.get(s.commute, s.commute)
    assert model.score(dataclasses.replace(s, commute=wider), p, g).score >= before - 1e-9
    more = dataclasses.replace(s, licences=s.licences | p.licences)
    assert model.score(more, p, g).score >= before - 1e-9
    assert 0 <= before <= 110


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seekers, st.lists(st.tuples(postings, term_sets), min_size=1, max_size=8), term_sets)
def test_columnar_ranking_of_postings_equals_the_explained_score(s: Seeker, rows: list[tuple[Posting, frozenset[str]]],
                                                                  kw: frozenset[str]) -> None:
    ps = [dataclasses.replace(p, id=i) for i, (p, _) in enumerate(rows)]
    terms = {i: t for i, (_, t) in enumerate(rows)}
    table = engine.PostingTable(ps, lambda p: terms[p.id])
    fast = table.scores(s, groups_of(s), kw)
    for i, p in enumerate(ps):
        assert fast[i] == pytest.approx(model.score(s, p, groups_of(s), kw, terms[i]).score, abs=1e-6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(seekers, term_sets), min_size=1, max_size=8), postings, term_sets)
def test_columnar_ranking_of_seekers_equals_the_explained_score(rows: list[tuple[Seeker, frozenset[str]]], p: Posting,
                                                                 pt: frozenset[str]) -> None:
    ss = [dataclasses.replace(s, id=i) for i, (s, _) in enumerate(rows)]
    table = engine.SeekerTable(ss, [t for _, t in rows], ON, GROUPS)
    fast = table.scores(p, pt)
    for i, s in enumerate(ss):
        assert fast[i] == pytest.approx(model.score(s, p, groups_of(s), rows[i][1], pt).score, abs=1e-6)
    ranked = table.rank(p, pt, 3)
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)


def test_the_example_seeker_is_the_demo_seeker() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert (root / "examples/seeker-50s-suncheon.json").read_text(encoding="utf-8") == (
        root / "src/onestop/data/demo/seeker-50s-suncheon.json").read_text(encoding="utf-8")


def test_worknet_records_read_pay_in_man_won_dates_and_careers_and_name_what_they_cannot_read() -> None:
    from onestop.jobs import worknet

    regions = {"12150": ("순천시", "전남광주통합특별시 순천시"), "26110": ("중구", "부산광역시 중구"),
               "11140": ("중구", "서울특별시 중구")}
    fields, problems = worknet.read({"title": "품질관리", "salTpNm": "월급", "sal": "월급 280만원 ~ 300만원",
                                     "region": "서울 중구", "minEdubg": "대졸(4년)", "career": "경력(24개월 이상)",
                                     "regDt": "26-11-16", "closeDt": "채용시까지 26-12-31", "empTpCd": "11",
                                     "jobsCd": "32122"}, 0, regions)
    assert problems == []
    assert (fields["pay_won"], fields["region"], fields["education_min"], fields["career_years"]) == (
        2_800_000, "11140", "university", 2)
    assert (fields["opens_on"], fields["closes_on"], fields["hours_per_week"]) == ("2026-11-16", "2026-12-31", 20)
    _, bad = worknet.read({"salTpNm": "주급", "region": "화성", "closeDt": "채용시까지", "empTpCd": "99"}, 4, regions)
    assert {p.field for p in bad} == {"wanted[4].salTpNm", "wanted[4].sal", "wanted[4].region", "wanted[4].regDt",
                                      "wanted[4].closeDt", "wanted[4].empTpCd"}
    assert all(p.ko.startswith("5번째 공고") for p in bad)


def test_an_occupation_may_be_typed_as_the_list_offers_it_or_by_its_exact_name() -> None:
    """The profile form's list shows `87304 지게차 운전원`; a seeker who picks it, or types the
    name alone, gets the code, and an ambiguous or unknown name is still refused."""
    assert occupations.normalize_occupation("87304 지게차 운전원") == "87304"
    assert occupations.normalize_occupation("  지게차   운전원 ") == "87304"
    with pytest.raises(DomainError):
        occupations.normalize_occupation("87304 품질관리 사무원")  # the code with another's name
    with pytest.raises(DomainError):
        occupations.normalize_occupation("운전원")
