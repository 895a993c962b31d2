"""Issue 17: the catalog against the 2026 notices. Each "Found" item of the issue is a test with the
value the amended plan (중소벤처기업부 공고 제2026-464호) or the publisher's notice states."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from onestop.catalog.figures import CONFIRMED, NOT_CHECKED, UNCONFIRMED, figures, markdown, stale_checks
from onestop.catalog.loader import shipped_catalog
from onestop.errors import DomainError
from onestop.firms.facts import derive
from onestop.firms.model import parse_firm
from onestop.rules.evaluate import MET, NOT_MET, UNKNOWN, evaluate_rule
from tests.conftest import TODAY, example, firm

DOC = Path(__file__).resolve().parents[2] / "docs" / "catalog-figures.md"


def program(pid: str) -> Any:
    return shipped_catalog().get(pid)


def facts_of(name: str, **changes: Any) -> dict[str, Any]:
    return derive(firm(name, **changes), TODAY)


def line(pid: str, line_id: str) -> Any:
    return next(ln for ln in program(pid).spec.lines if ln.id == line_id)


def fits(recommendation: dict[str, Any]) -> list[str]:
    return list(recommendation.get("fitting_lines", []))


# ── 긴급경영안정자금 ─────────────────────────────────────────────────────────────────────


def test_emergency_fund_admits_a_fall_in_operating_profit_alone(engine) -> None:  # type: ignore[no-untyped-def]
    # Revenue flat (−0 %), operating profit −43 %: the notice asks for revenue OR operating profit.
    flat = firm("crisis", revenue={"2023": 9800000000, "2024": 9000000000, "2025": 9000000000})
    result = engine.match(flat, TODAY)
    emergency = next(r for r in result["eligible"] if r["program_id"] == "kosmes-emergency-fund")
    by_fact = {c["fact"]: c for c in emergency["reasons"]}
    assert by_fact["revenue_change_yoy"]["status"] == "not_met"
    assert by_fact["operating_profit_change_yoy"]["status"] == "met"
    assert "-42.6%" in by_fact["operating_profit_change_yoy"]["ko"]


def test_journey_3_firm_qualifies_by_revenue_and_by_operating_profit() -> None:
    facts = facts_of("crisis")
    assert facts["revenue_change_yoy"] == pytest.approx(-0.22)
    assert facts["operating_profit_change_yoy"] == pytest.approx(-0.4259, abs=1e-4)
    rule = program("kosmes-emergency-fund").rule
    assert evaluate_rule(rule, facts) == MET
    assert evaluate_rule(rule, {**facts, "revenue_change_yoy": 0.05}) == MET  # by operating profit alone


@pytest.mark.parametrize("cause", ["large_customer_restructuring", "customer_bankruptcy",
                                   "platform_settlement_delay", "technology_leakage"])
def test_emergency_causes_that_qualify_without_the_10_percent_test(cause: str) -> None:
    steady = facts_of("crisis", revenue={"2023": 9000000000, "2024": 9000000000, "2025": 9100000000},
                      operating_profit={"2024": 500000000, "2025": 520000000})
    rule = program("kosmes-emergency-fund").rule
    assert evaluate_rule(rule, steady) == UNKNOWN  # causes not stated: cannot tell
    assert evaluate_rule(rule, {**steady, "hardship_causes": frozenset({"other"})}) == NOT_MET
    assert evaluate_rule(rule, {**steady, "hardship_causes": frozenset({cause})}) == MET


def test_retailer_rehabilitation_victims_get_the_base_rate(engine) -> None:  # type: ignore[no-untyped-def]
    general, homeplus = line("kosmes-emergency-fund", "general"), line("kosmes-emergency-fund", "retailer-rehabilitation")
    assert general.interest.spread_pct == Decimal("0.5")
    assert homeplus.interest.spread_pct == Decimal("0.0")
    plain = next(r for r in engine.match(firm("crisis", hardship_causes=["other"]), TODAY)["eligible"]
                 if r["program_id"] == "kosmes-emergency-fund")
    assert fits(plain) == ["general"]
    victim = next(r for r in engine.match(firm("crisis", hardship_causes=["retailer_rehabilitation"]), TODAY)["eligible"]
                  if r["program_id"] == "kosmes-emergency-fund")
    assert fits(victim) == ["general", "retailer-rehabilitation"]


def test_emergency_fund_is_exempt_from_the_count_and_cumulative_limits() -> None:
    used = [{"program_id": "kosmes-new-growth-fund", "year": y, "amount": 9_000_000_000} for y in (2023, 2024, 2025)]
    facts = facts_of("crisis", support_history=used)
    assert facts["policy_fund_count_5y"] == 3 and facts["policy_fund_amount_5y"] == 27_000_000_000
    assert evaluate_rule(program("kosmes-new-growth-fund").rule, facts) == NOT_MET
    assert evaluate_rule(program("kosmes-emergency-fund").rule, facts) == MET
    shared = {leaf.shared_rule for leaf in _leaves("kosmes-emergency-fund")}
    assert "policy-fund-support-limits" not in shared and "policy-fund-excluded-industries" in shared


# ── 혁신창업사업화자금 (창업기반) ─────────────────────────────────────────────────────────


def test_startup_fund_lines_pair_each_spread_with_its_own_term() -> None:
    facility, working = line("kosmes-startup-fund", "facility"), line("kosmes-startup-fund", "working")
    assert (working.interest.spread_pct, working.term_years, working.grace_years, working.amount) == \
        (Decimal("-0.3"), 5, 2, 500_000_000)
    assert (facility.interest.spread_pct, facility.term_years, facility.grace_years, facility.amount) == \
        (Decimal("-0.6"), 10, 4, 6_000_000_000)
    assert program("kosmes-startup-fund").spec.limits.interest is None  # no program-wide rate to misread


def test_matching_says_which_lines_a_firm_fits(engine) -> None:  # type: ignore[no-untyped-def]
    result = engine.match(firm("young-founder"), TODAY)
    startup = next(r for r in result["eligible"] if r["program_id"] == "kosmes-startup-fund")
    assert [ln["line_id"] for ln in startup["lines"]] == ["facility", "working"]
    assert fits(startup) == ["facility", "working"]
    working = startup["lines"][1]
    assert (working["amount"], working["term_years"], working["interest"]["spread_pct"]) == (500000000, 5, "-0.3")


# ── 재도약지원자금 (재창업) ──────────────────────────────────────────────────────────────


RESTARTER = ["restart_founder", "honest_management_review_passed", "funding_difficulty_or_credit_recovery"]


def test_restart_fund_allows_tax_arrears_when_seizure_is_deferred() -> None:
    base = facts_of("young-founder", qualifications=RESTARTER)
    rule = program("kosmes-restart-fund").rule
    assert evaluate_rule(rule, base) == MET
    assert evaluate_rule(rule, {**base, "tax_arrears": True, "tax_arrears_deferred": False}) == NOT_MET
    assert evaluate_rule(rule, {**base, "tax_arrears": True, "tax_arrears_deferred": True}) == MET
    # The common rule refuses arrears outright for the other funds.
    assert evaluate_rule(program("kosmes-startup-fund").rule,
                         {**base, "tax_arrears": True, "tax_arrears_deferred": True}) == NOT_MET


def test_restart_fund_needs_the_review_and_funding_difficulty_within_7_or_10_years() -> None:
    rule = program("kosmes-restart-fund").rule
    base = facts_of("young-founder", qualifications=RESTARTER)
    assert evaluate_rule(rule, {**base, "qualifications": frozenset(RESTARTER[:2])}) == NOT_MET
    assert evaluate_rule(rule, {**base, "qualifications": frozenset(RESTARTER[::2])}) == NOT_MET
    assert evaluate_rule(rule, {**base, "business_age_years": 8}) == NOT_MET
    new_industry = frozenset([*RESTARTER, "new_industry_field"])
    assert evaluate_rule(rule, {**base, "business_age_years": 8, "qualifications": new_industry}) == MET
    assert evaluate_rule(rule, {**base, "business_age_years": 10, "qualifications": new_industry}) == NOT_MET
    # A credit-recovery record is the point of this fund: the credit-record rule does not apply.
    assert evaluate_rule(rule, {**base, "credit_default_record": True}) == MET


def test_restart_fund_in_depth_review_line_is_03_points_cheaper(engine) -> None:  # type: ignore[no-untyped-def]
    deep = line("kosmes-restart-fund", "working-in-depth")
    assert (deep.interest.spread_pct, deep.amount) == (Decimal("-0.3"), 1_000_000_000)
    rec = next(r for r in engine.match(firm("young-founder", qualifications=RESTARTER), TODAY)["eligible"]
               if r["program_id"] == "kosmes-restart-fund")
    assert fits(rec) == ["facility", "working"]
    rec = next(r for r in engine.match(firm("young-founder", qualifications=[*RESTARTER, "in_depth_review_passed"]),
                                       TODAY)["eligible"] if r["program_id"] == "kosmes-restart-fund")
    assert fits(rec) == ["facility", "working", "working-in-depth"]


# ── 청년전용창업자금 and prospective founders ────────────────────────────────────────────


@pytest.mark.parametrize("referral", [
    {"support_history": [{"program_id": "kosmes-youth-startup-academy", "year": 2024, "amount": 100000000}]},
    {"support_history": [{"program_id": "kibo-youth-startup-guarantee", "year": 2024, "amount": 100000000}]},
    {"qualifications": ["vc_investment_referral"]},
])
def test_youth_fund_7_year_exception_covers_every_referral(referral: dict[str, Any]) -> None:
    five_years = {"founded_on": "2021-03-02", "revenue": {"2023": 40000000, "2024": 60000000, "2025": 300000000},
                  "qualifications": []}
    rule = program("kosmes-youth-startup-fund").rule
    assert evaluate_rule(rule, facts_of("young-founder", **five_years)) == NOT_MET
    assert evaluate_rule(rule, facts_of("young-founder", **{**five_years, **referral})) == MET


def prospective(**changes: Any) -> Any:
    data = {k: v for k, v in example("young-founder").items()
            if k not in ("brn", "revenue", "operating_profit", "regular_employees")}
    data.update(applicant_kind="prospective_founder", founded_on="2027-03-01", name="김하늘 (예비창업)")
    data.update(changes)
    return parse_firm(data)


def test_prospective_founder_has_no_brn_and_a_planned_founding_date() -> None:
    founder = prospective()
    assert founder.brn is None and founder.founded_on == date(2027, 3, 1)
    with pytest.raises(DomainError) as e:
        prospective(brn="415-81-25309")
    assert [p.field for p in e.value.problems] == ["brn"]
    assert "예비창업자" in e.value.problems[0].ko and "prospective founder" in e.value.problems[0].en
    with pytest.raises(DomainError) as e:
        parse_firm({k: v for k, v in example("young-founder").items() if k != "brn"})
    assert e.value.problems[0].field == "brn" and e.value.problems[0].code == "brn_required"
    with pytest.raises(DomainError) as e:
        prospective(founded_on="2040-01-01")
    assert e.value.problems[0].code == "founded_on_planned"


def test_prospective_founders_match_only_the_programs_that_admit_them(engine) -> None:  # type: ignore[no-untyped-def]
    result = engine.match(prospective(), TODAY)
    eligible = {r["program_id"] for r in result["eligible"]}
    assert {"kosmes-youth-startup-fund", "kosmes-startup-fund"} <= eligible
    assert not eligible - {p.id for p in engine.programs if "prospective_founder" in p.spec.applicants}
    by_code = {e["program_id"]: e["code"] for e in result["excluded"]}
    assert by_code["kosmes-new-growth-fund"] == "applicant_kind"
    assert all(m["fact"] != "applicant_kind" for r in result["near_misses"] for m in r["missing"])
    assert result["brn"] is None


def test_a_founder_over_39_is_not_offered_the_youth_fund() -> None:
    facts = derive(prospective(ceo_birth_date="1980-01-01"), TODAY)
    assert facts["applicant_kind"] == "prospective_founder" and facts["business_age_years"] == 0
    assert evaluate_rule(program("kosmes-youth-startup-fund").rule, facts) == NOT_MET


# ── 수출바우처 ──────────────────────────────────────────────────────────────────────────


def test_export_voucher_is_a_recruitment_round_with_selection(engine) -> None:  # type: ignore[no-untyped-def]
    window = program("motie-export-voucher").spec.application_window
    assert not window.always_open and window.selective and window.opens == date(2025, 12, 22)
    # opened 2025-12-22; the closing date is not in the releases: never "open until the budget is used"
    assert not window.is_open_on(date(2025, 12, 21)) and not window.is_open_on(date(2026, 1, 5))
    assert window.year == 2026 and window.is_closed_for_good(date(2027, 1, 1))
    rec = next(r for r in engine.match(firm("exporter"), date(2026, 1, 5))["eligible"]
               if r["program_id"] == "motie-export-voucher")
    assert "선정평가" in rec["selection"]["ko"] and "selected" in rec["selection"]["en"]


# ── 전라남도 중소기업 육성자금 ──────────────────────────────────────────────────────────


JEONNAM = {"region": "12150", "ksic": "C10602"}


def test_jeonnam_manufacturers_need_a_30_percent_share_and_a_registered_factory() -> None:
    rule = program("jeonnam-sme-development-fund").rule
    base = facts_of("young-founder", **JEONNAM)
    assert evaluate_rule(rule, {**base, "manufacturing_share": 0.3, "factory_registered": True}) == MET
    assert evaluate_rule(rule, {**base, "manufacturing_share": 0.29, "factory_registered": True,
                                "qualifications": frozenset()}) == NOT_MET
    assert evaluate_rule(rule, {**base, "manufacturing_share": 0.8, "factory_registered": False,
                                "qualifications": frozenset()}) == NOT_MET


@pytest.mark.parametrize("cert", ["social_enterprise", "village_enterprise", "cooperative", "self_sufficiency_enterprise"])
def test_jeonnam_counts_every_social_economy_firm(cert: str) -> None:
    facts = facts_of("young-founder", region="12150", ksic="I56111", certifications=[cert], qualifications=[])
    assert evaluate_rule(program("jeonnam-sme-development-fund").rule, facts) == MET


def test_jeonnam_admits_service_firms_and_excludes_closed_ones() -> None:
    rule = program("jeonnam-sme-development-fund").rule
    service = facts_of("young-founder", region="12150", ksic="J62010",
                       qualifications=["manufacturing_related_or_knowledge_service"])
    assert evaluate_rule(rule, service) == MET
    assert evaluate_rule(rule, {**service, "business_status": "closed"}) == NOT_MET
    assert evaluate_rule(rule, {**service, "business_status": "suspended"}) == NOT_MET


def test_jeonnam_young_service_firms_get_operating_loans_only(engine) -> None:  # type: ignore[no-untyped-def]
    young_service = firm("young-founder", region="12150", ksic="J62010",
                         qualifications=["manufacturing_related_or_knowledge_service"])
    rec = next(r for r in engine.match(young_service, TODAY)["eligible"]
               if r["program_id"] == "jeonnam-sme-development-fund")
    assert fits(rec) == ["working"]


def test_jeonnam_source_url_is_the_whole_address() -> None:
    url = program("jeonnam-sme-development-fund").spec.source.url
    assert url is not None and url.endswith("-00117135") and url != "https://modubokji.com/business/"


# ── The plan's common conditions (유의사항) ──────────────────────────────────────────────


@pytest.mark.parametrize(("changes", "expected"), [
    ({"business_status": "closed"}, NOT_MET), ({"business_status": "suspended"}, NOT_MET),
    ({"credit_default_record": True}, NOT_MET), ({"rehabilitation": True}, NOT_MET),
    ({"tax_arrears": True}, NOT_MET), ({"business_status": None}, UNKNOWN),
])
def test_restricted_firms_are_refused_policy_loans(changes: dict[str, Any], expected: int) -> None:
    facts = {**facts_of("exporter"), **changes}
    assert evaluate_rule(program("kosmes-new-growth-fund").rule, facts) == expected


def test_micro_enterprises_use_semas_funds_except_manufacturers_and_new_market_funds() -> None:
    shop = facts_of("young-founder", ksic="G47121", regular_employees=2, qualifications=[])
    assert shop["is_micro_enterprise"] is True
    assert evaluate_rule(program("kosmes-startup-fund").rule, shop) == NOT_MET
    assert evaluate_rule(program("kosmes-domestic-to-export-fund").rule, shop) == MET
    bakery = facts_of("young-founder")  # a micro-enterprise too, but a manufacturer
    assert bakery["is_micro_enterprise"] is True
    assert evaluate_rule(program("kosmes-startup-fund").rule, bakery) == MET


def test_debt_ratio_and_impairment_come_from_the_statements() -> None:
    facts = facts_of("crisis")
    assert facts["debt_ratio"] == pytest.approx(1.5) and facts["capital_impaired"] is False
    impaired = facts_of("crisis", total_equity=-100000000)
    assert impaired["debt_ratio"] is None and impaired["capital_impaired"] is True


def _leaves(pid: str) -> list[Any]:
    from onestop.rules.syntax import leaves

    return leaves(program(pid).rule)


# ── Figures: every one checked, the page generated ─────────────────────────────────────


def test_every_figure_of_every_program_is_confirmed_or_says_why_not() -> None:
    for p in shipped_catalog():
        assert not stale_checks(p), p.id
        for f in figures(p):
            assert f.status != NOT_CHECKED, (p.id, f.key)
            assert f.note.strip(), (p.id, f.key)
            if f.status == CONFIRMED:
                assert p.spec.source.title in f.note or any(s.title in f.note for s in p.spec.sources.values())


def test_kosmes_funds_follow_the_amended_plan() -> None:
    for p in shipped_catalog():
        if p.id.startswith("kosmes-") and p.id.endswith("-fund") and p.spec.source.date != date(2017, 1, 15):
            assert p.spec.source.number == "중소벤처기업부 공고 제2026-464호", p.id
            assert all(f.status == CONFIRMED for f in figures(p) if f.key != "application_window"), p.id


def test_figures_page_is_generated_from_the_catalog() -> None:
    assert DOC.read_text(encoding="utf-8") == markdown(shipped_catalog()), "run `onestop docs catalog-figures`"
    assert UNCONFIRMED in DOC.read_text(encoding="utf-8")


def test_prospective_founder_cannot_state_revenue_before_the_planned_founding() -> None:
    """Found by the agreement test: a planned founding after the last fiscal year left no year to
    average and divided by zero; such revenue is refused, naming the field, and the average of a
    span without years is unknown."""
    with pytest.raises(DomainError) as e:
        prospective(revenue={"2024": 60000000, "2025": 300000000})
    assert [p.field for p in e.value.problems] == ["revenue"]
    assert derive(prospective(), TODAY)["revenue_avg3"] is None
