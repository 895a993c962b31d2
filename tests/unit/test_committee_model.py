"""Evaluation committees, the pure core: rubric scores, conflicts (제척·기피·회피) and the
aggregation rule (drop the highest and lowest with five or more scores, then the mean)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.catalog.model import Rubric
from onestop.errors import DomainError
from onestop.evaluation.committee_model import (
    ConflictKind,
    EvaluatorFacts,
    FirmFacts,
    Ground,
    Outcome,
    PastEmployment,
    aggregate,
    check_quorum,
    detect,
    recommended,
    rounded,
    score_total,
)

FIVE = [{"ko": k, "en": e} for k, e in (("매우 미흡", "Very poor"), ("미흡", "Poor"), ("보통", "Fair"),
                                         ("우수", "Good"), ("매우 우수", "Excellent"))]


def rubric(**over: object) -> Rubric:
    data: dict[str, object] = {
        "items": [
            {"id": "technology", "name": {"ko": "기술성", "en": "Technology"}, "weight": 40},
            {"id": "market", "name": {"ko": "사업성", "en": "Marketability"}, "weight": 35},
            {"id": "team", "name": {"ko": "대표자 역량", "en": "Founder"}, "weight": 25},
        ],
        "scale": FIVE, "pass_mark": 70, "quorum": 3,
        "source": {"ko": "시험용", "en": "for tests"},
    }
    data.update(over)
    return Rubric.model_validate(data)


def test_a_level_is_worth_its_share_of_the_weight() -> None:
    # 우수(4/5) on 기술성 40 → 32; 매우 우수 on 사업성 35 → 35; 보통(3/5) on 역량 25 → 15
    assert score_total(rubric(), {"technology": 4, "market": 5, "team": 3}) == 82
    assert score_total(rubric(), {"technology": 5, "market": 5, "team": 5}) == 100
    assert score_total(rubric(), {"technology": 1, "market": 1, "team": 1}) == 20


def test_every_bad_score_is_named_with_what_is_allowed() -> None:
    with pytest.raises(DomainError) as e:
        score_total(rubric(), {"technology": 6, "marketing": 3})
    fields = {p.field: p for p in e.value.problems}
    assert set(fields) == {"scores.technology", "scores.market", "scores.team", "scores.marketing"}
    assert "1~5" in fields["scores.technology"].ko and "6" in fields["scores.technology"].ko
    assert "기술성" in fields["scores.technology"].ko
    assert fields["scores.marketing"].code == "unknown_item"


def test_weights_must_sum_to_100() -> None:
    with pytest.raises(ValueError, match="sum to 100; they sum to 90"):
        rubric(items=[{"id": "a", "name": {"ko": "가", "en": "A"}, "weight": 90}])


def test_five_scores_drop_the_highest_and_lowest() -> None:
    result = aggregate([Fraction(x) for x in (90, 60, 75, 80, 85)])
    assert result.dropped == (60, 90)
    assert result.mean == 80
    assert "최고점과 최저점을 뺀 3명" in result.rule_ko


def test_four_scores_keep_them_all() -> None:
    result = aggregate([Fraction(x) for x in (90, 60, 75, 80)])
    assert result.dropped == ()
    assert rounded(result.mean) == rounded(Fraction(305, 4))


def test_ties_at_the_top_drop_only_one() -> None:
    result = aggregate([Fraction(x) for x in (90, 90, 70, 70, 80)])
    assert result.kept == (70, 80, 90)


totals = st.lists(st.fractions(min_value=0, max_value=100, max_denominator=20), min_size=1, max_size=15)


@given(totals)
def test_aggregate_matches_the_written_rule(xs: list[Fraction]) -> None:
    """Two implementations agree: the rule as the README states it, written plainly."""
    plain = sorted(xs)
    if len(plain) >= 5:
        plain = plain[1:-1]
    assert aggregate(xs).mean == sum(plain) / len(plain)


@given(totals, st.randoms())
def test_aggregate_lies_between_the_scores_and_ignores_order(xs: list[Fraction], rnd: object) -> None:
    shuffled = list(xs)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    result = aggregate(shuffled)
    assert min(xs) <= result.mean <= max(xs)
    assert result.mean == aggregate(xs).mean


@given(st.lists(st.fractions(min_value=0, max_value=100, max_denominator=20), min_size=5, max_size=15))
def test_one_outlier_cannot_move_a_trimmed_mean_beyond_the_others(xs: list[Fraction]) -> None:
    """With five or more, one evaluator's extreme score (0 or 100) is dropped or replaces the
    previous extreme: the mean stays within the range of the other scores."""
    for outlier in (Fraction(0), Fraction(100)):
        result = aggregate([*xs, outlier])
        assert min(xs) <= result.mean <= max(xs)


def test_quorum_and_recommendation() -> None:
    r = rubric()
    with pytest.raises(DomainError) as e:
        check_quorum(r, 2)
    assert "3명 이상" in e.value.ko
    check_quorum(r, 3)
    assert recommended(r, aggregate([Fraction(70)] * 3)) == Outcome.approve
    assert recommended(r, aggregate([Fraction(6999, 100)] * 3)) == Outcome.reject


FIRM = FirmFacts(firm_id=7, brn="1248100998", region="46150")  # 순천시


def test_a_member_of_the_firm_is_excluded_by_rule() -> None:
    found = detect(EvaluatorFacts(firm_ids=frozenset({7})), FIRM, rubric(), date(2026, 11, 30))
    assert [c.ground for c in found] == [Ground.member]
    assert found[0].kind == ConflictKind.exclusion


def test_past_employment_counts_within_the_look_back() -> None:
    recent = EvaluatorFacts(frozenset(), (PastEmployment("1248100998", date(2024, 3, 31)),))
    old = EvaluatorFacts(frozenset(), (PastEmployment("1248100998", date(2023, 11, 29)),))
    elsewhere = EvaluatorFacts(frozenset(), (PastEmployment("2208162517", date(2026, 1, 1)),))
    on = date(2026, 11, 30)
    assert [c.ground for c in detect(recent, FIRM, rubric(), on)] == [Ground.past_employment]
    assert "2024-03-31" in detect(recent, FIRM, rubric(), on)[0].ko
    assert detect(old, FIRM, rubric(), on) == []  # ended 3 years and a day before
    assert detect(elsewhere, FIRM, rubric(), on) == []
    assert detect(old, FIRM, rubric(past_employment_years=5), on)[0].ground == Ground.past_employment


def test_same_region_only_where_the_program_says_so() -> None:
    local = EvaluatorFacts(frozenset(), region="46150")
    assert detect(local, FIRM, rubric(), date(2026, 11, 30)) == []
    found = detect(local, FIRM, rubric(same_region_excluded=True), date(2026, 11, 30))
    assert [c.ground for c in found] == [Ground.same_region]
    assert found[0].kind == ConflictKind.recusal
    neighbour = EvaluatorFacts(frozenset(), region="46130")  # 여수시
    assert detect(neighbour, FIRM, rubric(same_region_excluded=True), date(2026, 11, 30)) == []
