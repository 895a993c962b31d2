"""The cheaper uncached recommendations (issue 16): standings decided for the whole catalog at
once agree with a program-by-program reference (windows, applicant guards, caps, scores with
the support history), and explanations and packages kept per catalog are the ones worded anew,
for real demo firms and generated ones over many dates, on the shipped catalog."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.catalog.model import Program
from onestop.demo.firms import generate
from onestop.demo.seed import scenario
from onestop.firms.facts import derive, size_of
from onestop.firms.model import FirmProfile, parse_firm
from onestop.matching.model import FIXED_FACTS, History, Standings, history_of, packages
from onestop.matching.services import Engine, Page
from onestop.rules.evaluate import MET, NOT_MET, UNKNOWN, evaluate_rule, flip_effects
from onestop.rules.syntax import leaves
from tests.conftest import TODAY

DEMO = ("young-founder", "crisis", "exporter", "smart-factory", "seoul-software", "tax-arrears", "lessor",
        "prospective-founder", "large-company", "samsung-electronics")


def firm(name: str, **changes: Any) -> FirmProfile:
    """A demo firm (the seeded registry's), with `changes` to its profile."""
    return parse_firm({**scenario(name), **changes})


def reference_score(program: Program, facts: Mapping[str, Any], history: History, on: date) -> int:
    """The fit score as the README words it, one program at a time."""
    met = sum(1 for leaf in leaves(program.rule) if evaluate_rule(leaf, facts) == MET and not leaf.shared)
    held = facts.get("certifications") or frozenset()
    favoured = sum(1 for c in program.spec.ranking.favoured_certifications if c in held)
    score = 50 + min(15, 3 * met) + min(15, 5 * favoured) + program.spec.ranking.boost
    links = program.spec.links
    if any(history.times(p) for p in (*links.follows, *links.requires)):
        score += 5
    closes = program.spec.application_window.closes
    if closes is not None and 0 <= (closes - on).days <= 30:
        score += 5
    if history.times(program.id):
        score -= 10
    return max(0, min(100, score))


def reference(programs: Sequence[Program], facts: Mapping[str, Any], history: History, on: date
              ) -> tuple[dict[str, list[tuple[str, int]]], list[tuple[str, str]]]:
    """Each program in turn: closed for good, not for this applicant, used up, or its status."""
    groups: dict[str, list[tuple[str, int]]] = {"eligible": [], "near_miss": [], "unknown": []}
    excluded: list[tuple[str, str]] = []
    for p in programs:
        status = evaluate_rule(p.rule, facts)
        cap = p.spec.limits.max_uses
        if p.spec.application_window.is_closed_for_good(on):
            if status != NOT_MET:
                excluded.append((p.id, "closed"))
            continue
        if p.guard is not None and evaluate_rule(p.guard, facts) == NOT_MET:
            excluded.append((p.id, "applicant_kind"))
            continue
        if cap is not None and history.times(p.id) >= cap:
            if status != NOT_MET:
                excluded.append((p.id, "exhausted"))
            continue
        if status == MET:
            kind = "eligible"
        elif status == UNKNOWN:
            kind = "unknown"
        elif any(leaf.fact not in FIXED_FACTS for leaf in flip_effects(p.rule, facts)):
            kind = "near_miss"
        else:
            continue
        groups[kind].append((p.id, reference_score(p, facts, history, on)))
    for items in groups.values():
        items.sort(key=lambda x: (-x[1], x[0]))
    return groups, excluded


def fresh(found: Standings) -> Standings:
    """The same standings without the memo: every explanation worded anew."""
    return Standings(found.on, found.eligible, found.near_misses, found.needs_information, found.packages,
                     found.excluded, found.evaluation, found.facts, found.lines)


def assert_same(engine: Engine, profile: FirmProfile, on: date) -> None:
    facts = derive(profile, on, size_of(profile, on))
    history = history_of(profile.support_history)
    found, _ = engine.standings(profile, on)
    groups, excluded = reference(engine.programs, facts, history, on)
    assert [(s.program.id, s.score) for s in found.eligible] == groups["eligible"]
    assert [(s.program.id, s.score) for s in found.near_misses] == groups["near_miss"]
    assert [(s.program.id, s.score) for s in found.needs_information] == groups["unknown"]
    assert [(e.program_id, e.code) for e in found.excluded] == excluded
    # packages: kept per catalog by what decides them, the same as searched anew from the facts
    assert found.packages == packages(engine.programs, facts, history, on)
    again = engine.standings(profile, on)[0]  # the second time from the memo
    assert again.packages == found.packages
    # explanations: the memo's (worded for an earlier firm or date, or now) are the ones worded anew
    plain = fresh(found)
    assert found.explanations is not None
    for s in found.shown():
        assert found.explain(s).as_dict() == plain.explain(s).as_dict() == again.explain(s).as_dict()


def test_demo_firms_agree_with_the_reference_over_dates(engine: Engine) -> None:
    for name in DEMO:
        profile = firm(name)
        for on in (TODAY, date(2026, 3, 2), date(2025, 1, 15), date(2027, 6, 30)):
            assert_same(engine, profile, on)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(0, 900))
def test_generated_firms_agree_with_the_reference(engine: Engine, seed: int, days: int) -> None:
    profile = parse_firm(generate(1, seed, TODAY)[0])
    assert_same(engine, profile, TODAY + timedelta(days=days - 450))


def test_received_programs_change_the_packages_and_the_memo_tells_them_apart(engine: Engine) -> None:
    """The same firm with and without a support history: the packages kept for one are not
    served for the other, and the scores follow the history (continuing +5, received −10)."""
    profile = firm("young-founder")
    with_history = firm("young-founder", support_history=[
        {"program_id": "kosmes-youth-startup-fund", "year": 2025, "amount": 100_000_000}])
    for p in (profile, with_history, profile):
        assert_same(engine, p, TODAY)
    before = {s.program.id: s.score for s in engine.standings(profile, TODAY)[0].shown()}
    after = {s.program.id: s.score for s in engine.standings(with_history, TODAY)[0].shown()}
    assert before != after


def test_a_memoised_explanation_is_keyed_by_the_firms_values(engine: Engine) -> None:
    """Two firms whose criteria statuses agree but whose values differ (34 and 35 years old)
    get their own sentences: the value worded is part of the key."""
    older = firm("young-founder")
    ceo = older.ceo_birth_date
    assert ceo is not None
    younger = firm("young-founder", ceo_birth_date=(ceo + timedelta(days=366)).isoformat())
    page = Page(status="eligible", size=100)
    a = engine.compact(older, TODAY, page)
    b = engine.compact(younger, TODAY, page)
    youth_a = next(i for i in a["eligible"] if i["program_id"] == "kosmes-youth-startup-fund")
    youth_b = next(i for i in b["eligible"] if i["program_id"] == "kosmes-youth-startup-fund")
    assert any("34세" in r["ko"] for r in youth_a["reasons"])
    assert any("33세" in r["ko"] for r in youth_b["reasons"]) and not any("34세" in r["ko"] for r in youth_b["reasons"])


def test_an_unhashable_fact_is_worded_without_the_memo(engine: Engine) -> None:
    profile = firm("young-founder")
    found, _ = engine.standings(profile, TODAY)
    facts = dict(found.facts)
    facts["certifications"] = list(facts.get("certifications") or [])  # a list cannot be a key
    odd = Standings(found.on, found.eligible, found.near_misses, found.needs_information, found.packages,
                    found.excluded, found.evaluation, facts, found.lines, found.explanations)
    assert found.explanations is not None
    s = found.eligible[0]
    assert found.explanations.key(s, found.evaluation, facts, found.lines) is None
    assert odd.explain(s).as_dict() == fresh(found).explain(s).as_dict()




@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.lists(st.integers(0, 900), min_size=2, max_size=4))
def test_memoised_rule_statuses_compact_items_and_windows_are_the_ones_made_anew(seed: int, days: list[int]) -> None:
    """The memos of this session's fast lane (rule statuses and near-miss fixes per criteria
    statuses, compact items per explanation, window summaries per program and day): a firm
    asked about on several days through one engine (memos filling and hit) gets, on each day,
    what a new engine with empty memos gives, item by item the same as `compact_item` of the
    explanation worded anew."""
    from onestop.matching.model import _window_summary, compact_item

    profile = parse_firm(generate(1, seed, TODAY)[0])
    warm = Engine.shipped()
    for offset in [*days, *days]:  # the second round is served from the memos
        on = TODAY + timedelta(days=offset - 450)
        cold = Engine.shipped()
        page = Page(size=100)
        assert warm.compact(profile, on, page) == cold.compact(profile, on, page)
        found, _ = warm.standings(profile, on)
        anew, _ = cold.standings(profile, on)
        assert [(s.index, s.status, s.score) for s in found.shown()] == [(s.index, s.status, s.score) for s in anew.shown()]
        assert found.packages == anew.packages
        for s in found.shown()[:10]:
            item = found.compact_item(s, on)
            assert item == compact_item(anew.explain(s), s.program, on)
            assert item["window"] == _window_summary(s.program, on)  # the window worded anew
        ev = warm.compiled.evaluate(found.facts)
        fresh_ev = cold.compiled.evaluate(found.facts)
        assert ev.statuses.tolist() == fresh_ev.statuses.tolist()
        allowed = ~warm.compiled.slots_of(FIXED_FACTS)
        assert (warm.compiled.single_fixes(ev.leaf_statuses, allowed).tolist()
                == cold.compiled.single_fixes(fresh_ev.leaf_statuses, allowed).tolist())
