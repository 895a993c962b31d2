"""The journeys of SCENARIOS.md, end to end through the shipped catalog."""

from datetime import date
from typing import Any

from tests.conftest import TODAY, firm

ACADEMY_OPEN = date(2026, 2, 2)  # 2026 청년창업사관학교 window: 2026-01-30 ~ 2026-02-13


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [r["program_id"] for r in rows]


def test_young_founder_gets_youth_fund_with_every_criterion_explained(engine) -> None:  # type: ignore[no-untyped-def]
    result = engine.match(firm("young-founder"), TODAY)
    eligible = {r["program_id"]: r for r in result["eligible"]}
    youth = eligible["kosmes-youth-startup-fund"]
    assert youth["name_ko"].startswith("청년전용창업자금")
    assert all(c["status"] in ("met", "not_met", "unknown") for c in youth["reasons"])
    ceo = next(c for c in youth["reasons"] if c["fact"] == "ceo_age")
    assert ceo["status"] == "met" and "34세" in ceo["ko"] and "34 years" in ceo["en"]
    assert "kosmes-tomorrow-fill-deduction" in eligible  # 내일채움공제 for a key hire
    assert result["parameters_version"] == "2026"


def test_young_founder_package_runs_academy_then_youth_fund_then_export_voucher(engine) -> None:  # type: ignore[no-untyped-def]
    packages = engine.match(firm("young-founder"), ACADEMY_OPEN)["packages"]
    relay = [p for p in packages if p[0] == "kosmes-youth-startup-academy"]
    assert relay, packages
    first = relay[0]
    assert first.index("kosmes-youth-startup-fund") < first.index("motie-export-voucher")


def test_closed_window_is_excluded_from_packages_and_says_so(engine) -> None:  # type: ignore[no-untyped-def]
    result = engine.match(firm("young-founder"), TODAY)
    assert all("kosmes-youth-startup-academy" not in p for p in result["packages"])
    closed = {e["program_id"]: e for e in result["excluded"]}
    assert closed["kosmes-youth-startup-academy"]["code"] == "closed"


def test_exhausted_program_is_not_recommended(engine) -> None:  # type: ignore[no-untyped-def]
    graduate = firm("young-founder", support_history=[
        {"program_id": "kosmes-youth-startup-academy", "year": 2025, "amount": 100000000}])
    result = engine.match(graduate, ACADEMY_OPEN)
    assert "kosmes-youth-startup-academy" not in ids(result["eligible"])
    assert all("kosmes-youth-startup-academy" not in p for p in result["packages"])
    assert {"program_id": "kosmes-youth-startup-academy", "code": "exhausted"}.items() <= next(
        e for e in result["excluded"] if e["program_id"] == "kosmes-youth-startup-academy").items()


def test_packages_never_combine_excluded_programs(engine) -> None:  # type: ignore[no-untyped-def]
    progs = {p.id: p for p in engine.programs}
    for name in ("young-founder", "exporter", "crisis", "seoul-software", "smart-factory"):
        for pkg in engine.match(firm(name), ACADEMY_OPEN)["packages"]:
            for a in pkg:
                for b in pkg:
                    assert b not in progs[a].spec.links.excludes, (a, b)


def test_exporter_globalisation_line_not_domestic_line(engine) -> None:  # type: ignore[no-untyped-def]
    result = engine.match(firm("exporter"), TODAY)
    assert "kosmes-export-globalization-fund" in ids(result["eligible"])
    near = {r["program_id"]: r for r in result["near_misses"]}
    domestic = near["kosmes-domestic-to-export-fund"]
    assert [m["fact"] for m in domestic["missing"]] == ["export_usd"]
    assert "10만 달러" in domestic["missing"][0]["ko"]
    assert "kosmes-export-commercialization-fund" in ids(result["eligible"])
    assert any(p[-1] == "motie-world-class-plus" for p in result["packages"])


def test_crisis_firm_finds_emergency_fund(engine) -> None:  # type: ignore[no-untyped-def]
    result = engine.match(firm("crisis"), TODAY)
    emergency = next(r for r in result["eligible"] if r["program_id"] == "kosmes-emergency-fund")
    drop = next(c for c in emergency["reasons"] if c["fact"] == "revenue_change_yoy")
    assert drop["status"] == "met" and "-22.0%" in drop["ko"]


def test_lessor_and_tax_arrears_learn_which_rule_excludes_them(engine) -> None:  # type: ignore[no-untyped-def]
    for name, fact in (("lessor", "ksic"), ("tax-arrears", "tax_arrears")):
        result = engine.match(firm(name), TODAY)
        assert not [p for p in ids(result["eligible"]) if p.startswith("kosmes-") and p.endswith("-fund")]
        near = {r["program_id"]: r for r in result["near_misses"]}
        new_growth = near["kosmes-new-growth-fund"]
        # The one criterion that keeps the firm out is named, and it comes from a shared rule.
        assert [m["fact"] for m in new_growth["missing"]] == [fact]
        failing = [c for c in new_growth["reasons"] if c["status"] == "not_met" and c["shared_rule"]
                   and c["fact"] == fact and not (c["id"] or "").endswith("exception")]
        assert failing and ("융자" in failing[0]["ko"] or "체납" in failing[0]["ko"])


def test_capital_area_startup_sees_relocation_programs(engine) -> None:  # type: ignore[no-untyped-def]
    result = engine.match(firm("seoul-software"), TODAY)
    assert "kosmes-capital-area-relocation" in ids(result["eligible"])
    after_move = engine.match(firm("seoul-software", region="30200"), TODAY)
    assert "kosmes-capital-area-relocation" not in ids(after_move["eligible"])
    assert "kosmes-regional-flagship" in ids(after_move["eligible"])


def test_smart_factory_adopter_sees_follow_up_programs(engine) -> None:  # type: ignore[no-untyped-def]
    result = engine.match(firm("smart-factory"), TODAY)
    eligible = ids(result["eligible"])
    assert "kosmes-smart-factory-training" in eligible
    assert "kosmes-smart-factory-aftercare" in eligible or any(
        "kosmes-smart-factory-aftercare" in p for p in result["packages"])


def test_approval_programs_ask_for_information_instead_of_guessing(engine) -> None:  # type: ignore[no-untyped-def]
    result = engine.match(firm("crisis"), TODAY)
    needs = {r["program_id"]: r for r in result["needs_information"]}
    assert "kosmes-business-conversion-fund" in needs
    approved = engine.match(firm("crisis", qualifications=["business_conversion_approved"]), TODAY)
    assert "kosmes-business-conversion-fund" in ids(approved["eligible"])


def test_large_company_is_not_an_sme(engine) -> None:  # type: ignore[no-untyped-def]
    result = engine.classify(firm("samsung-electronics"), TODAY)
    assert result["size_class"] == "non_sme" and result["is_sme"] is False
    assert not [r for r in engine.match(firm("samsung-electronics"), TODAY)["eligible"]
                if r["program_id"].startswith("kosmes-")]


def test_ranking_is_by_score_then_id(engine) -> None:  # type: ignore[no-untyped-def]
    eligible = engine.match(firm("exporter"), TODAY)["eligible"]
    keys = [(-r["score"], r["program_id"]) for r in eligible]
    assert keys == sorted(keys)
    assert all(0 <= r["score"] <= 100 for r in eligible)
