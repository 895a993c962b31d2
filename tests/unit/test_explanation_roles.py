"""Each explanation leads with the decisive criteria and folds away the exceptions that did not
apply (issue 15 item 3): the fintech and construction exceptions of the 2026 policy-fund industry
exclusions (중소벤처기업부 공고 제2026-464호, 별표1) are not the failures of a bakery."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.catalog.loader import shipped_catalog
from onestop.firms.facts import derive
from onestop.matching.records import explain_program
from onestop.rules.evaluate import MET, NOT_MET, UNKNOWN, applied_flags, evaluate_rule
from onestop.rules.syntax import All, AnyOf, Leaf, Not, Rule, leaves
from tests.conftest import TODAY, firm

EXCEPTIONS = ("pf-finance-fintech-exception", "pf-construction-exception")


def _explain(program_id: str, name: str, **changes: Any) -> dict[str, Any]:
    return explain_program(shipped_catalog().get(program_id), dict(derive(firm(name, **changes), TODAY)))


def _by_id(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in result["criteria"] if c["id"]}


@pytest.mark.parametrize("program_id", ["kosmes-restart-fund", "kosmes-emergency-fund",
                                        "kosmes-business-conversion-fund"])
def test_a_bakery_is_not_failed_by_the_fintech_and_construction_exceptions(program_id: str) -> None:
    crit = _by_id(_explain(program_id, "young-founder"))  # 빵류 제조업 C10602
    for key in EXCEPTIONS:
        assert crit[key]["status"] == "not_met" and crit[key]["applied"] is False, crit[key]
        assert crit[key]["criterion"]["ko"].startswith("예외:") and "→" not in crit[key]["criterion"]["ko"]
    for key in ("pf-excl-finance", "pf-excl-construction", "pf-excl-real-estate"):
        assert crit[key]["status"] == "met" and crit[key]["applied"] is True


def test_a_lessor_fails_on_real_estate_and_the_exceptions_stay_folded() -> None:
    crit = _by_id(_explain("kosmes-restart-fund", "lessor"))  # 비주거용 건물 임대업 L68112
    assert crit["pf-excl-real-estate"]["status"] == "not_met" and crit["pf-excl-real-estate"]["applied"]
    assert not any(crit[key]["applied"] for key in EXCEPTIONS)


def test_a_fintech_firm_is_decided_by_its_exception() -> None:
    crit = _by_id(_explain("kosmes-restart-fund", "young-founder", ksic="K66199"))
    assert crit["pf-finance-fintech-exception"]["status"] == "met" and crit["pf-finance-fintech-exception"]["applied"]
    # the exclusion the exception relaxes did not decide: it is not the fintech firm's failure
    assert crit["pf-excl-finance"]["status"] == "not_met" and crit["pf-excl-finance"]["applied"] is False


def test_a_bank_fails_on_the_exclusion_and_its_exception_both() -> None:
    crit = _by_id(_explain("kosmes-restart-fund", "young-founder", ksic="K64121"))
    # neither branch holds: meeting either would change the result, so both are decisive
    assert crit["pf-excl-finance"]["status"] == "not_met" and crit["pf-excl-finance"]["applied"]
    assert crit["pf-finance-fintech-exception"]["status"] == "not_met" and crit["pf-finance-fintech-exception"]["applied"]


def test_unless_under_not_reverses_the_roles() -> None:
    a, b = Leaf(fact="tax_arrears", op="==", value=True), Leaf(fact="is_sme", op="==", value=True)
    rule = Not(All((a, b)))  # "not (a and b)" reads "unless a, unless b": an alternative
    status = {a.key: NOT_MET, b.key: MET}
    assert applied_flags(rule, lambda leaf: status[leaf.key]) == (True, False)


_LEAVES = [Leaf(fact="regular_employees", op=">=", value=n) for n in range(4)]


def _rules() -> st.SearchStrategy[Rule]:
    leaf = st.sampled_from(_LEAVES)
    return st.recursive(leaf, lambda kids: st.one_of(
        st.lists(kids, min_size=2, max_size=3).map(lambda c: All(tuple(c))),
        st.lists(kids, min_size=2, max_size=3).map(lambda c: AnyOf(tuple(c))),
        kids.map(Not)), max_leaves=8)


@given(_rules(), st.lists(st.sampled_from([MET, UNKNOWN, NOT_MET]), min_size=4, max_size=4))
def test_criteria_that_did_not_apply_do_not_decide_the_result(rule: Rule, values: list[int]) -> None:
    """Invariant: when the result is decided (met or not met), forcing any one criterion that did
    not apply to any outcome never changes it, so folding it away hides nothing the result
    depends on. (An undecided result can still turn on an alternative: the near misses say so.)"""
    status = {leaf.key: v for leaf, v in zip(_LEAVES, values, strict=True)}
    flags = applied_flags(rule, lambda leaf: status[leaf.key])
    found = leaves(rule)
    assert len(flags) == len(found)
    result = evaluate_rule(rule, {}, lambda leaf: status[leaf.key])
    if result == UNKNOWN:
        return
    for leaf, applied in zip(found, flags, strict=True):
        if applied or sum(1 for x in found if x.key == leaf.key) > 1:
            continue
        for forced in (MET, UNKNOWN, NOT_MET):
            changed = {**status, leaf.key: forced}
            assert evaluate_rule(rule, {}, lambda x, s=changed: s[x.key]) == result


def test_english_explanations_name_industries_and_places_not_bare_codes() -> None:
    """Issue 15 items 5 and 9: the English twin of `C10602(빵류 제조업)` was the bare `C10602`, and
    a region criterion read "location within 11". A 시도 is named in English (Revised
    Romanization, 문화체육관광부 고시 제2014-42호); a 시군구 and an industry by their publishers'
    English names (Statistics Korea's KSIC-11 titles and 시군구 names); a division without a
    published English title keeps its Korean title beside the code."""
    from onestop.rules.explain import criterion_text, value_text

    assert value_text("ksic", "C10602") == ("C10602(빵류 제조업)", "C10602 (Manufacture of bakery products)")
    assert value_text("ksic", "C10")[1] == "C10 (식료품 제조업)"
    assert value_text("region", "11")[1] == "11 (Seoul)"
    assert value_text("region", "12150")[1] == "12150 (Suncheon-si, Jeonnam-Gwangju Integrated Special City)"
    _ko, en = criterion_text(Leaf(fact="region", op="prefix", value=("41", "11110")))
    assert en == "location within 41 (Gyeonggi-do), 11110 (Jongno-gu, Seoul)"
    bakery = _explain("kosmes-restart-fund", "young-founder")
    estate = _by_id(bakery)["pf-excl-real-estate"]
    assert "firm: C10602 (Manufacture of bakery products)" in estate["en"]
