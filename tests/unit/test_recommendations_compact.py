"""The compact recommendations (issue 16): the same standings and reasons as the full answer,
paged with totals over the whole catalog, near misses found by counting where the rule allows it
as by the reference search."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.catalog.model import Program, ProgramSpec
from onestop.demo.firms import generate
from onestop.firms.model import parse_firm
from onestop.matching.model import FIXED_FACTS, History, decisive_reasons, standings
from onestop.matching.services import Engine, Page
from onestop.rules.evaluate import MET, NOT_MET, UNKNOWN, CompiledRules, evaluate_rule, flip_effects
from onestop.rules.syntax import leaves
from tests.conftest import TODAY, firm
from tests.unit.test_evaluators_agree import firm_facts, leaf, rules_raw, to_rule

STATUS_KEYS = {"eligible": "eligible", "near_miss": "near_misses", "unknown": "needs_information"}


def all_pages(engine: Engine, profile: Any, on: date, size: int, **filters: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every item of every page, in order, and the first page's answer."""
    first = engine.compact(profile, on, Page(size=size, **filters))
    items: list[dict[str, Any]] = []
    for number in range(1, first["page"]["pages"] + 1):
        answer = engine.compact(profile, on, Page(size=size, number=number, **filters))
        assert answer["totals"] == first["totals"] and answer["page"]["total"] == first["page"]["total"]
        items += [*answer["eligible"], *answer["near_misses"], *answer["needs_information"]]
    return items, first


def assert_agree(engine: Engine, profile: Any, on: date) -> None:
    full = engine.match(profile, on)
    items, first = all_pages(engine, profile, on, 100)
    by_id = {r["program_id"]: (status, r) for status, key in STATUS_KEYS.items() for r in full[key]}
    assert [i["program_id"] for i in items] == [r["program_id"] for key in STATUS_KEYS.values() for r in full[key]]
    for item in items:
        status, whole = by_id[item["program_id"]]
        assert item["status"] == status and item["score"] == whole["score"]
        assert item["reasons"] == decisive_reasons(whole["reasons"], status)
        # every reason shown is one of the full explanation's, with the status that decides
        wanted = {"eligible": "met", "near_miss": "not_met", "unknown": "unknown"}[status]
        sentences = {(r["ko"], r["en"]) for r in whole["reasons"] if r["status"] == wanted and r["applied"]}
        assert {(r["ko"], r["en"]) for r in item["reasons"]} <= sentences
        assert len(item["reasons"]) <= 3
        assert (not whole["reasons"] or not sentences) or item["reasons"]
        if status == "near_miss":
            assert item["missing"] == whole["missing"]
    assert first["packages"] == full["packages"] and first["excluded"] == []  # listed on request:
    excluded = engine.compact(profile, on, Page(status="excluded", size=100))
    # the full form's exclusions, each with the program's names, agency and category (named in the answer)
    programs = engine.catalog.programs
    assert [{k: e[k] for k in ("program_id", "code", "ko", "en")} for e in excluded["excluded"]] == full["excluded"]
    for e in excluded["excluded"]:
        spec = programs[e["program_id"]].spec
        assert (e["name_ko"], e["name_en"], e["agency"], e["category"], e["status"]) == (
            spec.name.ko, spec.name.en, spec.agency, spec.category.value, "excluded")
        assert e["agency"] in excluded["agencies"] and e["category"] in excluded["categories"]
    assert excluded["eligible"] == excluded["near_misses"] == []
    on_page = [*first["eligible"], *first["near_misses"], *first["needs_information"]]
    for code in {*first["totals"]["categories"], *(i["category"] for i in on_page)}:
        assert first["categories"][code]["ko"] and first["categories"][code]["en"]
    for item in on_page:
        assert first["support_types"][item["support_type"]]["en"] and item["agency"] in first["agencies"]
    assert first["totals"]["excluded"] == len(full["excluded"]) == excluded["page"]["total"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(0, 400))
def test_compact_and_full_answers_agree_for_generated_firms(engine: Engine, seed: int, days: int) -> None:
    profile = parse_firm(generate(1, seed, TODAY)[0])
    assert_agree(engine, profile, TODAY + timedelta(days=days - 200))


def test_young_founder_compact_answer_is_small_and_says_why(engine: Engine) -> None:
    import orjson

    answer = engine.compact(firm("young-founder"), TODAY)
    assert len(orjson.dumps(answer)) <= 20_000
    assert answer["explain"] == "compact" and answer["page"] == {
        "number": 1, "size": 20, "status": None, "category": None, "total": 56, "pages": 3}
    youth = next(i for i in answer["eligible"] if i["program_id"] == "kosmes-youth-startup-fund")
    assert youth["amount"] == 200_000_000 and youth["support_type"] == "loan" and youth["agency"] == "kosmes"
    assert answer["agencies"]["kosmes"]["ko"] == "중소벤처기업진흥공단"
    assert {"ko": "대표자 만 39세 이하 — 기업: 34세 → 충족", "en": "CEO aged 39 or younger — firm: 34 years → met"} \
        in youth["reasons"]
    assert youth["window"] == {"phase": "always"}
    assert_agree(engine, firm("young-founder"), TODAY)


def test_paging_totals_cover_the_whole_catalog(engine: Engine) -> None:
    profile = firm("young-founder")
    items, first = all_pages(engine, profile, TODAY, 7)
    totals = first["totals"]
    assert first["page"]["total"] == len(items) == totals["eligible"] + totals["near_miss"] + totals["unknown"]
    assert first["page"]["pages"] == -(-len(items) // 7)
    assert len({i["program_id"] for i in items}) == len(items)
    for status in ("eligible", "near_miss", "unknown"):
        assert sum(c[status] for c in totals["categories"].values()) == totals[status]
        only, answer = all_pages(engine, profile, TODAY, 5, status=status)
        assert answer["page"]["total"] == totals[status] == len(only)
        assert only == [i for i in items if i["status"] == status]
    for category, counts in totals["categories"].items():
        only, answer = all_pages(engine, profile, TODAY, 4, category=category)
        assert answer["page"]["total"] == sum(counts.values())
        assert {i["category"] for i in only} == {category}
    beyond = engine.compact(profile, TODAY, Page(number=first["page"]["pages"] + 1, size=7))
    assert beyond["eligible"] == beyond["near_misses"] == beyond["needs_information"] == []


def test_a_page_out_of_range_or_an_unknown_filter_is_refused_in_both_languages() -> None:
    import pytest

    from onestop.errors import DomainError

    for bad, field in ((dict(size=0), "per_page"), (dict(size=101), "per_page"), (dict(number=0), "page"),
                       (dict(status="maybe"), "status"), (dict(category="loans"), "category")):
        with pytest.raises(DomainError) as e:
            Page(**bad)  # type: ignore[arg-type]
        assert e.value.field == field and e.value.ko and e.value.en
    with pytest.raises(DomainError) as e:
        Page(category="loans")
    assert "정책자금" in e.value.ko and "funds" in e.value.en


# ── near misses: the count over flat rules agrees with the reference search ──────────────────
def program(i: int, raw: dict[str, Any]) -> Program:
    spec = ProgramSpec.model_validate({
        "id": f"p{i}", "name": {"ko": f"사업 {i}", "en": f"Program {i}"}, "agency": "kosmes", "category": "funds",
        "support_type": "loan", "summary": {"ko": "요약", "en": "Summary"},
        "application_window": {"always_open": True}, "eligibility": raw,
        "source": {"title": "시험", "publisher": "onestop", "date": "2026-01-01"}})
    return Program(spec, to_rule(raw))


flat_rules = st.one_of(leaf(), st.builds(lambda xs: {"all": xs}, st.lists(leaf(), min_size=1, max_size=5)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(flat_rules, rules_raw), min_size=1, max_size=8), firm_facts())
def test_standings_agree_with_the_reference_evaluation(raws: list[dict[str, Any]], facts: dict[str, Any]) -> None:
    programs = [program(i, r) for i, r in enumerate(raws)]
    compiled = CompiledRules.compile([p.rule for p in programs])
    found = standings(programs, compiled, facts, History({}), TODAY)
    status = {s.program.id: s.status for s in found.shown()}
    for p in programs:
        reference = evaluate_rule(p.rule, facts)
        fixes = [x for x in flip_effects(p.rule, facts) if x.fact not in FIXED_FACTS]
        expected = {MET: "eligible", UNKNOWN: "unknown"}.get(reference, "near_miss" if fixes else None)
        assert status.get(p.id) == expected, (p.rule, facts)
        if expected is not None:
            met = sum(1 for x in leaves(p.rule) if evaluate_rule(x, facts) == MET and not x.shared)
            score = next(s.score for s in found.shown() if s.program.id == p.id)
            assert score == 50 + min(15, 3 * met)
        assert reference in (MET, UNKNOWN, NOT_MET)


def test_the_coding_is_chosen_from_what_the_client_accepts() -> None:
    from onestop.platform.compress import negotiate

    assert negotiate("gzip, deflate, br") == "br"
    assert negotiate("gzip;q=1.0, br;q=0") == "gzip"
    assert negotiate("br;q=0, gzip;q=0") is None
    assert negotiate("*") == "gzip" and negotiate("identity") is None and negotiate("") is None


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(("young-founder", "crisis", "exporter", "smart-factory", "seoul-software")),
       st.integers(-600, 600), st.integers(-40, 40), st.integers(-40, 40), st.integers(-3, 3).filter(bool))
def test_ranked_standings_read_as_the_list_of_standings_they_stand_for(
        name: str, days: int, start: int, stop: int, step: int) -> None:
    """`Ranked` keeps positions and scores as arrays: every way of reading it (an item, a
    negative index, a slice with a step, iteration, ids, the pairs stored) gives what a plain
    list of `Standing` gives, and `select` by status and category is the plain filter."""
    from onestop.matching.model import Standing, select

    engine = Engine.shipped()
    found, _ = engine.standings(firm(name), TODAY + timedelta(days=days))
    shown = found.shown()
    plain = [*found.eligible, *found.near_misses, *found.needs_information]
    assert list(shown) == plain and all(isinstance(s, Standing) for s in plain)
    assert len(shown) == len(plain) and list(shown[start:stop:step]) == plain[start:stop:step]
    for i in range(-len(plain), len(plain)):
        assert shown[i] == plain[i]
    assert shown.ids() == [s.program.id for s in plain]
    assert shown.pairs() == [[s.program.id, s.score] for s in plain]
    for status in (None, "eligible", "near_miss", "unknown"):
        for category in (None, *sorted({p.spec.category.value for p in engine.programs})):
            assert list(select(found, status, category)) == [
                s for s in plain if (status is None or s.status == status)
                and (category is None or s.program.spec.category.value == category)]
