"""The rules language: parsing, type checking, three-valued evaluation and explanations."""

from typing import Any

import pytest

from onestop.errors import CatalogError
from onestop.rules.check import check_rule
from onestop.rules.evaluate import MET, NOT_MET, UNKNOWN, CompiledRules, evaluate_rule, flip_effects
from onestop.rules.syntax import All, Leaf, parse_rule


def rule(raw: Any, shared: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    return check_rule(parse_rule(raw, source="programs/test.yaml", shared=shared or {}))


def refused(raw: Any) -> CatalogError:
    with pytest.raises(CatalogError) as e:
        rule(raw)
    return e.value


def test_unknown_fact_names_file_and_rule() -> None:
    e = refused({"all": [{"fact": "ceo_age", "op": "<=", "value": 39},
                         {"fact": "founder_mood", "op": "==", "value": "happy"}]})
    assert "programs/test.yaml" in e.en and "eligibility.all[1]" in e.en
    assert "founder_mood" in e.ko and "founder_mood" in e.en


@pytest.mark.parametrize("raw,needle", [
    ({"fact": "ceo_age", "op": "<=", "value": "39"}, "number"),
    ({"fact": "capital_area", "op": "==", "value": 1}, "true or false"),
    ({"fact": "certifications", "op": "has_any", "value": ["gold"]}, "allowed"),
    ({"fact": "ksic", "op": "prefix", "value": ["Z99"]}, "KSIC"),
    ({"fact": "region", "op": "prefix", "value": ["99"]}, "region"),
    ({"fact": "capital_area", "op": "<", "value": True}, "does not apply"),
    ({"fact": "ceo_age", "op": "<=", "value": 300}, "possible range"),
    ({"fact": "ceo_age", "op": "in", "value": 39}, "list"),
    ({"fact": "ceo_age", "op": "~", "value": 39}, "unknown"),
    ({"fact": "ceo_age", "value": 39}, "needs fact, op and value"),
])
def test_wrong_types_are_refused(raw: dict[str, Any], needle: str) -> None:
    assert needle in refused(raw).en


def test_impossible_range_is_refused() -> None:
    e = refused({"all": [{"fact": "business_age_years", "op": "<", "value": 3},
                         {"fact": "business_age_years", "op": ">=", "value": 7}]})
    assert "impossible range" in e.en


def test_integer_gap_is_impossible_but_touching_bounds_are_fine() -> None:
    refused({"all": [{"fact": "ceo_age", "op": ">", "value": 39},
                     {"fact": "ceo_age", "op": "<", "value": 40}]})
    rule({"all": [{"fact": "ceo_age", "op": ">=", "value": 39},
                  {"fact": "ceo_age", "op": "<=", "value": 39}]})


def test_shared_rule_is_inlined_and_marked() -> None:
    shared = {"no-arrears": {"fact": "tax_arrears", "op": "==", "value": False}}
    r = rule({"all": [{"use": "no-arrears"}, {"fact": "is_sme", "op": "==", "value": True}]}, shared)
    assert isinstance(r, All)
    first = r.children[0]
    assert isinstance(first, Leaf) and first.shared_rule == "no-arrears"


def test_missing_shared_rule_is_refused() -> None:
    assert "does not exist" in refused({"use": "nothing"}).en


def test_former_jeonnam_code_is_rewritten_to_current_districts() -> None:
    r = rule({"fact": "sido", "op": "==", "value": "46"})
    assert isinstance(r, Leaf) and r.fact == "region" and r.op == "prefix"
    assert "12150" in r.value and "12330" not in r.value  # 순천 yes, 광주 광산구 no
    gangwon = rule({"fact": "sido", "op": "in", "value": ["42"]})
    assert isinstance(gangwon, Leaf) and gangwon.value == ("51",)


def test_missing_data_is_unknown_never_met() -> None:
    r = rule({"fact": "ceo_age", "op": "<=", "value": 39})
    assert evaluate_rule(r, {"ceo_age": None}) == UNKNOWN
    assert evaluate_rule(r, {}) == UNKNOWN


def test_kleene_logic() -> None:
    young = {"fact": "ceo_age", "op": "<=", "value": 39}
    small = {"fact": "regular_employees", "op": "<", "value": 10}
    facts = {"ceo_age": None, "regular_employees": 50}
    assert evaluate_rule(rule({"all": [young, small]}), facts) == NOT_MET
    assert evaluate_rule(rule({"any": [young, small]}), facts) == UNKNOWN
    assert evaluate_rule(rule({"not": young}), facts) == UNKNOWN
    facts["regular_employees"] = 3
    assert evaluate_rule(rule({"all": [young, small]}), facts) == UNKNOWN
    assert evaluate_rule(rule({"any": [young, small]}), facts) == MET


def test_prefix_on_a_coarser_code_is_unknown() -> None:
    r = rule({"fact": "ksic", "op": "prefix", "value": ["C26"]})
    assert evaluate_rule(r, {"ksic": "C26111"}) == MET
    assert evaluate_rule(r, {"ksic": "C"}) == UNKNOWN
    assert evaluate_rule(r, {"ksic": "J62010"}) == NOT_MET
    excl = rule({"fact": "ksic", "op": "not_prefix", "value": ["L68"]})
    assert evaluate_rule(excl, {"ksic": "L68112"}) == NOT_MET
    assert evaluate_rule(excl, {"ksic": "L"}) == UNKNOWN


def test_every_criterion_is_explained_in_both_languages() -> None:
    r = rule({"all": [
        {"fact": "business_age_years", "op": "<", "value": 7},
        {"fact": "ceo_age", "op": "<=", "value": 39, "label": {"ko": "대표자 만 39세 이하",
                                                            "en": "CEO aged 39 or younger"}},
        {"fact": "revenue", "op": ">=", "value": 1_000_000_000},
    ]})
    ev = CompiledRules.compile([r]).evaluate(
        {"business_age_years": 2, "ceo_age": 34, "revenue": None}
    )
    result = ev.program(0)
    assert result.status == UNKNOWN
    texts = [(c.outcome.status, c.outcome.sentence_ko, c.outcome.sentence_en) for c in result.criteria]
    assert texts[0] == (MET, "업력 7년 미만 — 기업: 2년 → 충족",
                        "business age less than 7 years — firm: 2 years → met")
    assert texts[1][1] == "대표자 만 39세 이하 — 기업: 34세 → 충족"
    assert texts[2][0] == UNKNOWN and "정보 없음" in texts[2][1] and "not given" in texts[2][2]
    d = result.criteria[2].as_dict()
    assert d["status"] == "unknown" and d["threshold"] == 1_000_000_000 and "10억" in d["ko"]


def test_near_miss_fix_is_the_single_failing_criterion() -> None:
    r = rule({"all": [{"fact": "ceo_age", "op": "<=", "value": 39},
                      {"fact": "business_age_years", "op": "<", "value": 3}]})
    fixes = flip_effects(r, {"ceo_age": 34, "business_age_years": 5})
    assert [f.fact for f in fixes] == ["business_age_years"]
    assert flip_effects(r, {"ceo_age": 50, "business_age_years": 5}) == []


def test_compiled_shares_criteria_across_programs() -> None:
    young = {"fact": "ceo_age", "op": "<=", "value": 39}
    rules = [rule({"all": [young, {"fact": "is_sme", "op": "==", "value": True}]}),
             rule({"any": [young, {"not": {"fact": "capital_area", "op": "==", "value": True}}]})]
    compiled = CompiledRules.compile(rules)
    assert len(compiled.keys) == 3
    ev = compiled.evaluate({"ceo_age": 45, "is_sme": True, "capital_area": False})
    assert list(ev.statuses) == [NOT_MET, MET]
