"""The explained evaluator, the compiled evaluator and the vectorized evaluator agree on every
firm and every rule (property-based)."""

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.rules.check import check_rule
from onestop.rules.evaluate import CompiledRules, evaluate_rule
from onestop.rules.facts import BOOL, CODE, FACTS, FLOAT, INT, SET
from onestop.rules.syntax import Rule, parse_rule
from onestop.rules.vectorize import VectorRules, facts_frame, status_codes

KSIC = ["C", "C10", "C1060", "C10602", "C26", "C26111", "C29223", "J62010", "L68112", "K64", "G47121"]
REGIONS = ["11", "11680", "12", "12150", "12330", "41390", "48123", "51110"]
PROGRAM_IDS = ["a", "b", "c", "d"]

INT_RANGES = {
    "business_age_years": (0, 60), "ceo_age": (18, 90), "regular_employees": (0, 400),
    "revenue": (0, 10**11), "revenue_avg3": (0, 10**11), "total_assets": (0, 10**12),
    "export_revenue": (0, 10**10), "export_usd": (0, 10**7),
    # the 2026 policy-fund plan's facts (issue 17)
    "operating_profit": (-(10**10), 10**10), "policy_fund_count_5y": (0, 8),
    "policy_fund_amount_5y": (0, 3 * 10**10),
}


def value_of(fact: str) -> st.SearchStrategy[Any]:
    spec = FACTS[fact]
    if fact == "ksic":
        return st.sampled_from(KSIC)
    if fact in ("region", "sido"):
        return st.sampled_from(REGIONS if fact == "region" else ["11", "12", "41", "48", "51"])
    if spec.type == INT:
        lo, hi = INT_RANGES[fact]
        return st.integers(lo, hi)
    if spec.type == FLOAT:
        # below −1 too: operating profit falling into a loss is a change of less than −100 %
        return st.floats(-5.0, 3.0, allow_nan=False)
    if spec.type == BOOL:
        return st.booleans()
    if spec.type == SET:
        pool = spec.values if spec.values is not None else tuple(PROGRAM_IDS)
        return st.frozensets(st.sampled_from(pool))
    assert spec.type == CODE and spec.values is not None
    return st.sampled_from(spec.values)


@st.composite
def firm_facts(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fact, spec in FACTS.items():
        may_be_missing = spec.type != SET or fact == "qualifications"
        if may_be_missing and draw(st.integers(0, 5)) == 0:
            out[fact] = None
        else:
            out[fact] = draw(value_of(fact))
    return out


@st.composite
def leaf(draw: st.DrawFn) -> dict[str, Any]:
    fact = draw(st.sampled_from(sorted(FACTS)))
    spec = FACTS[fact]
    if spec.type in (INT, FLOAT):
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="] + (["in", "not_in"] if spec.type == INT else [])))
    elif spec.type == BOOL:
        op = draw(st.sampled_from(["==", "!="]))
    elif spec.type == SET:
        op = draw(st.sampled_from(["has_any", "has_all", "has_none"]))
    elif spec.prefix_kind:
        op = draw(st.sampled_from(["==", "!=", "in", "not_in", "prefix", "not_prefix"]))
    else:
        op = draw(st.sampled_from(["==", "!=", "in", "not_in"]))
    if op in ("in", "not_in", "prefix", "not_prefix", "has_any", "has_all", "has_none"):
        if spec.type == SET:
            pool = spec.values if spec.values is not None else tuple(PROGRAM_IDS)
            value: Any = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        elif op in ("prefix", "not_prefix"):
            pool = ["C", "C1", "C10", "C26", "C2611", "J62", "L68", "K", "G47"] if fact == "ksic" else \
                ["1", "11", "12", "121", "12150", "4", "41", "48", "51"]
            value = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        else:
            value = draw(st.lists(value_of(fact), min_size=1, max_size=3, unique=True))
    else:
        value = draw(value_of(fact))
    return {"fact": fact, "op": op, "value": value}


rules_raw = st.recursive(
    leaf(),
    lambda children: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(children, min_size=1, max_size=4)),
        st.builds(lambda xs: {"any": xs}, st.lists(children, min_size=1, max_size=4)),
        st.builds(lambda x: {"not": x}, children),
    ),
    max_leaves=8,
)


def to_rule(raw: dict[str, Any]) -> Rule:
    return parse_rule(raw, source="hypothesis", shared={})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rules_raw, min_size=1, max_size=6), st.lists(firm_facts(), min_size=1, max_size=12))
def test_three_evaluators_agree(raws: list[dict[str, Any]], firms: list[dict[str, Any]]) -> None:
    rules = [to_rule(r) for r in raws]
    names = [f"p{i}" for i in range(len(rules))]
    compiled = CompiledRules.compile(rules)
    frame = facts_frame(firms)
    vector_rules = VectorRules(rules, names)
    # A DataFrame takes the lookup path for codes; a LazyFrame the string-expression path.
    looked_up = status_codes(vector_rules.evaluate(frame), names)
    streamed = status_codes(vector_rules.lazy(frame.lazy()).collect(), names)
    for row, facts in enumerate(firms):
        reference = [evaluate_rule(r, facts) for r in rules]
        assert list(compiled.evaluate(facts).statuses) == reference
        assert [looked_up[n][row] for n in names] == reference
        assert [streamed[n][row] for n in names] == reference


@settings(max_examples=100, deadline=None)
@given(rules_raw)
def test_checked_rules_keep_their_meaning(raw: dict[str, Any]) -> None:
    """check_rule may rewrite region codes; on current codes the meaning must not change."""
    from onestop.errors import CatalogError

    r = to_rule(raw)
    try:
        checked = check_rule(r)
    except CatalogError:
        return  # e.g. an impossible range: refused, nothing to compare
    facts = {f: None for f in FACTS}
    assert evaluate_rule(checked, facts) == evaluate_rule(r, facts)


# ── Issue 17: the policy-fund plan's facts, derived from profiles, through the shipped catalog ──

NEW_FACTS = ("applicant_kind", "operating_profit", "operating_profit_change_yoy", "debt_ratio", "capital_impaired",
             "business_status", "credit_default_record", "rehabilitation", "tax_arrears_deferred", "hardship_causes",
             "manufacturing_share", "factory_registered", "policy_fund_count_5y", "policy_fund_amount_5y")


def test_generated_rules_cover_the_new_facts() -> None:
    """The random rules and firms above draw from every fact, the plan's new ones included."""
    assert set(NEW_FACTS) <= set(FACTS)
    for fact in NEW_FACTS:
        value_of(fact)  # a strategy exists for each (raises for a fact the test cannot generate)


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    """Profiles around journey 1's firm with the plan's facts drawn, each possibly missing."""
    from tests.conftest import example

    data = example("young-founder")
    maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731
    prospective = draw(st.booleans())
    if prospective:
        data = {k: v for k, v in data.items() if k not in ("brn", "revenue")}
        data.update(applicant_kind="prospective_founder", founded_on="2027-01-04")
    data.update({k: v for k, v in {
        "ksic": draw(st.sampled_from(["C10602", "C25913", "J62010", "G47121", "L68112", "I56111"])),
        "region": draw(st.sampled_from(["12150", "11680", "44200", "48123"])),
        "regular_employees": draw(st.integers(0, 60)),
        "operating_profit": {} if prospective else draw(st.dictionaries(
            st.sampled_from(["2024", "2025"]), st.integers(-(10**9), 10**9), max_size=2)),
        "total_liabilities": draw(maybe(st.integers(0, 10**10))),
        "total_equity": draw(maybe(st.integers(-(10**9), 10**10))),
        "business_status": draw(maybe(st.sampled_from(["operating", "suspended", "closed"]))),
        "credit_default_record": draw(maybe(st.booleans())),
        "rehabilitation": draw(maybe(st.booleans())),
        "tax_arrears": draw(maybe(st.booleans())),
        "tax_arrears_deferred": draw(maybe(st.booleans())),
        "hardship_causes": draw(maybe(st.lists(st.sampled_from(
            ["large_customer_restructuring", "platform_settlement_delay", "retailer_rehabilitation", "other"]),
            unique=True, max_size=2))),
        "manufacturing_share_pct": draw(maybe(st.integers(0, 100))),
        "factory_registered": draw(maybe(st.booleans())),
        "qualifications": draw(maybe(st.lists(st.sampled_from(
            ["restart_founder", "honest_management_review_passed", "funding_difficulty_or_credit_recovery",
             "in_depth_review_passed", "priority_field", "vc_investment_referral"]), unique=True, max_size=4))),
        "support_history": draw(st.lists(st.fixed_dictionaries({
            "program_id": st.sampled_from(["kosmes-new-growth-fund", "kosmes-startup-fund", "motie-export-voucher"]),
            "year": st.integers(2019, 2026), "amount": st.integers(0, 9 * 10**9)}), max_size=4)),
    }.items() if v is not None})
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(profiles(), min_size=1, max_size=8))
def test_shipped_catalog_and_its_lines_agree_across_evaluators(raw: list[dict[str, Any]]) -> None:
    """Every program and every line of the shipped catalog, for profiles stating (or not) the plan's
    facts: the compiled explained evaluator, the vectorized one and the recursive reference agree."""
    from datetime import date

    from onestop.firms.facts import derive
    from onestop.firms.model import parse_firm
    from onestop.matching.services import Engine

    engine = _engine()
    rules, names = engine._rules()
    facts = [derive(parse_firm(r), date(2026, 11, 23)) for r in raw]
    frame = facts_frame(facts)
    vector = status_codes(engine.vector.evaluate(frame), names)
    for row, f in enumerate(facts):
        reference = [evaluate_rule(rule, f) for rule in rules]
        assert list(engine.compiled.evaluate(f).statuses) == reference
        assert [vector[n][row] for n in names] == reference
    assert isinstance(engine, Engine)


_ENGINE: list[Any] = []


def _engine() -> Any:
    from onestop.matching.services import Engine

    if not _ENGINE:
        _ENGINE.append(Engine.shipped())
    return _ENGINE[0]


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**10), 10**10), st.integers(-(10**10), 10**10))
def test_profit_change_is_negative_exactly_when_profit_fell(before: int, now: int) -> None:
    """A fall into a loss and a larger loss are decreases (긴급경영안정자금, 공고 제2026-464호 Ⅳ p.34)."""
    from onestop.firms.facts import profit_change

    change = profit_change(now, before)
    assert change is not None
    assert (change < 0) == (now < before) and (change > 0) == (now > before)
    if before != 0:
        assert abs(change * abs(before) - (now - before)) <= 1e-6 * max(1, abs(now - before))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(-(10**9), 10**9), st.integers(-(10**9), 10**9)), min_size=1, max_size=8))
def test_emergency_fund_agrees_on_losses(pairs: list[tuple[int, int]]) -> None:
    """Profits and losses in both years, through the shipped 긴급경영안정자금: the three evaluators
    agree, and the operating-profit criterion is met exactly when the fall is 10 % or more."""
    from datetime import date

    from onestop.firms.facts import derive
    from onestop.firms.model import parse_firm
    from tests.conftest import example

    engine = _engine()
    rules, names = engine._rules()
    at = names.index("kosmes-emergency-fund")
    facts = []
    for before, now in pairs:
        data = example("crisis")
        data["operating_profit"] = {"2024": before, "2025": now}
        facts.append(derive(parse_firm(data), date(2026, 11, 23)))
    frame = facts_frame(facts)
    vector = status_codes(engine.vector.evaluate(frame), names)
    leaf = next(x for x in _leaves_of(rules[at]) if x.id == "operating-profit-drop-10pct")
    for row, ((before, now), f) in enumerate(zip(pairs, facts, strict=True)):
        reference = evaluate_rule(rules[at], f)
        assert vector[names[at]][row] == reference
        assert engine.compiled.evaluate(f).statuses[at] == reference
        fell = now < before and (before == 0 or (before - now) / abs(before) >= 0.1)
        assert (evaluate_rule(leaf, f) == 2) == fell


def _leaves_of(rule: Rule) -> list[Any]:
    from onestop.rules.syntax import leaves

    return leaves(rule)
