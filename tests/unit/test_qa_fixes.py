"""QA findings on the catalog and recommendations (issues 15 and 17), each with the test that
would have caught it."""

from __future__ import annotations

import json
import re
from typing import Any

from onestop.catalog.loader import shipped_catalog
from tests.conftest import TODAY, firm

SCENARIOS = ("young-founder", "exporter", "crisis", "seoul-software", "smart-factory", "lessor", "tax-arrears")


def _texts(result: dict[str, Any]) -> str:
    keep = {k: result[k] for k in ("eligible", "near_misses", "needs_information", "excluded")}
    out: list[str] = []

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in ("ko", "en", "value_ko", "value_en", "criterion_ko", "criterion_en"):
            out.append(node)

    walk(keep)
    return "\n".join(out)


def test_no_explanation_shows_a_program_id(engine) -> None:  # type: ignore[no-untyped-def]
    ids = [p.id for p in shipped_catalog()]
    pattern = re.compile("|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)))
    for name in SCENARIOS:
        text = _texts(engine.match(firm(name), TODAY))
        assert not pattern.search(text), (name, pattern.search(text))


def test_smart_factory_adopter_near_miss_names_what_it_received(engine) -> None:  # type: ignore[no-untyped-def]
    """SCENARIOS journey 7: the A/S alliance is one step away (it follows the build support,
    which the firm has not had: it took the smart-factory loan), and says so by name."""
    result = engine.match(firm("smart-factory"), TODAY)
    near = {r["program_id"]: r for r in result["near_misses"]}
    aftercare = near["kosmes-smart-factory-aftercare"]
    [missing] = aftercare["missing"]
    assert missing["fact"] == "received_programs"
    assert "스마트공장 구축 지원을 받은 기업" in missing["ko"]
    assert "제조현장스마트화자금" in missing["ko"] or "스마트" in missing["ko"].split("현재:")[1]
    assert "kosmes-" not in json.dumps(aftercare, ensure_ascii=False).replace(
        '"program_id": "kosmes-smart-factory-aftercare"', "")


def test_unlabelled_program_criterion_names_the_programs() -> None:
    from onestop.rules.explain import criterion_text, value_text
    from onestop.rules.syntax import Leaf

    shipped_catalog()
    ko, en = criterion_text(Leaf(fact="received_programs", op="has_any", value=("kosmes-youth-startup-academy",)))
    assert "청년창업사관학교" in ko and "Youth Startup Academy" in en
    assert "kosmes-" not in ko + en
    now_ko, now_en = value_text("received_programs", frozenset({"no-such-program"}))
    assert now_ko == "카탈로그에 없는 사업" and "not in the catalog" in now_en


def _criteria(engine, name: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    from onestop.firms.facts import derive
    from onestop.matching.records import explain_program

    facts = dict(derive(firm(name), TODAY))
    out: list[dict[str, Any]] = []
    for program in engine.programs:
        out += explain_program(program, facts)["criteria"]
    return out


def test_exclusions_read_positively_never_as_a_double_negative(engine) -> None:  # type: ignore[no-untyped-def]
    for name in SCENARIOS:
        for c in _criteria(engine, name):
            assert "제외 — 기업" not in c["ko"] and "않음 — 기업: 아니오" not in c["ko"], c["ko"]
            assert "이 아님 — 기업: 아니오" not in c["ko"] and "are excluded — firm" not in c["en"], c
    founder = _criteria(engine, "young-founder")
    estate = next(c for c in founder if c["id"] == "pf-excl-real-estate")
    assert estate["ko"] == "융자제외 업종(부동산업(68)) 아님 — 기업: C10602(빵류 제조업) → 충족"
    taxes = next(c for c in founder if c["fact"] == "tax_arrears")
    assert taxes["ko"].endswith("체납 기업 아님 → 충족") or "체납 기업 (2026년 정책자금 융자제한 기업) 아님 → 충족" in taxes["ko"]
    lessor = next(c for c in _criteria(engine, "lessor") if c["id"] == "pf-excl-real-estate")
    assert lessor["status"] == "not_met"
    assert lessor["ko"].startswith("융자제외 업종(부동산업(68))에 해당 — 기업: L68")
    arrears = [c for c in _criteria(engine, "tax-arrears") if c["fact"] == "tax_arrears" and c["status"] == "not_met"]
    assert arrears and all("체납 기업" in c["ko"] and "에 해당 → 미충족" in c["ko"] for c in arrears)


def test_every_exclusion_in_the_catalog_names_the_excluded_group() -> None:
    from onestop.rules.syntax import leaves

    for program in shipped_catalog():
        for leaf in leaves(program.rule):
            negative = leaf.op in ("not_prefix", "not_in", "has_none") or (
                leaf.op == "==" and leaf.value is False and ("제외" in leaf.label_ko or "않음" in leaf.label_ko
                                                             or "아님" in leaf.label_ko))
            if negative or leaf.label_ko.endswith("제외"):
                assert leaf.exclusion, (program.id, leaf.label_ko)


def _emergency(engine, **changes: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from onestop.firms.facts import derive
    from onestop.matching.records import explain_program

    profile = firm("crisis", revenue={"2023": 9_800_000_000, "2024": 9_000_000_000, "2025": 8_800_000_000}, **changes)
    return explain_program(engine.catalog.get("kosmes-emergency-fund") if hasattr(engine, "catalog")
                           else shipped_catalog().get("kosmes-emergency-fund"), dict(derive(profile, TODAY)))


def test_operating_profit_falling_into_a_loss_is_a_decrease(engine) -> None:  # type: ignore[no-untyped-def]
    """긴급경영안정자금 (2026년 정책자금 융자계획 변경공고 제2026-464호, Ⅳ p.34): 매출액 또는 영업이익
    10% 이상 감소. Revenue fell only 2.2 %; operating profit fell from a profit into a loss."""
    result = _emergency(engine, operating_profit={"2024": 120_000_000, "2025": -30_000_000})
    drop = next(c for c in result["criteria"] if c["id"] == "operating-profit-drop-10pct")
    assert drop["status"] == "met", drop
    assert "-125.0%" in drop["ko"]
    assert result["status"] == "eligible"


def test_a_larger_loss_is_a_decrease_and_a_smaller_loss_is_not(engine) -> None:  # type: ignore[no-untyped-def]
    larger = _emergency(engine, operating_profit={"2024": -100_000_000, "2025": -150_000_000})
    drop = next(c for c in larger["criteria"] if c["id"] == "operating-profit-drop-10pct")
    assert drop["status"] == "met" and "-50.0%" in drop["ko"]
    smaller = _emergency(engine, operating_profit={"2024": -100_000_000, "2025": -60_000_000})
    drop = next(c for c in smaller["criteria"] if c["id"] == "operating-profit-drop-10pct")
    assert drop["status"] == "not_met" and "+40.0%" in drop["ko"]
    from_zero = _emergency(engine, operating_profit={"2024": 0, "2025": -10_000_000})
    drop = next(c for c in from_zero["criteria"] if c["id"] == "operating-profit-drop-10pct")
    assert drop["status"] == "met"


def test_profit_change_rule() -> None:
    from onestop.firms.facts import profit_change

    assert profit_change(80, 100) == -0.2
    assert profit_change(-20, 100) == -1.2
    assert profit_change(-150, -100) == -0.5
    assert profit_change(-50, -100) == 0.5
    assert profit_change(-10, 0) == -1.0 and profit_change(10, 0) == 1.0 and profit_change(0, 0) == 0.0
    assert profit_change(None, 100) is None and profit_change(100, None) is None


def test_export_voucher_is_a_recruitment_round_not_always_open() -> None:
    """수출바우처 (산업부·KOTRA 2026 모집 개시 보도, 2025-12-22): a 2026 recruitment round with selection,
    opened 2025-12-22; the closing date is not in the releases, so it is never "접수 중 · 예산 소진 시"."""
    from datetime import datetime

    from onestop.catalog.windows import window_state
    from onestop.korea.dates import KST

    catalog = shipped_catalog()
    for pid in ("motie-export-voucher", "motie-export-voucher-emergency"):
        w = catalog.get(pid).spec.application_window
        assert w.selective and w.year == 2026
        late = window_state(w, datetime(2026, 11, 30, 10, tzinfo=KST))
        assert late.phase == "unconfirmed" and not late.accepting
        assert not w.is_open_on(datetime(2026, 11, 30).date())
        before = window_state(w, datetime(2025, 12, 1, 10, tzinfo=KST))
        assert before.phase == "upcoming" and before.opens == datetime(2025, 12, 22).date()
        after = window_state(w, datetime(2027, 1, 4, 10, tzinfo=KST))
        assert after.closed and w.is_closed_for_good(datetime(2027, 1, 4).date())


def test_no_recruitment_program_is_shown_as_open_until_the_budget_is_used() -> None:
    """Every program that selects its firms in recruitment rounds states its round, or says it is
    taken by notice; "상시 접수 (예산 소진 시)" is left to the funds that take applications all year."""
    from datetime import datetime

    from onestop.catalog.windows import window_state
    from onestop.korea.dates import KST

    now = datetime(2026, 11, 30, 10, tzinfo=KST)
    for program in shipped_catalog():
        w = program.spec.application_window
        state = window_state(w, now)
        if w.selective:
            assert state.phase not in ("always",), program.id
            assert not (state.phase == "open" and state.closes is None), program.id
        if state.phase == "always":
            assert not w.selective, program.id
    taken_by_notice = {p.id for p in shipped_catalog() if p.spec.application_window.by_notice}
    assert {"mss-smart-factory-build", "motie-world-class-plus", "mss-global-1000-project",
            "kotra-korea-pavilion", "kosmes-gangwon-next-unicorn"} <= taken_by_notice


def _maximum(engine, name: str, **changes: Any):  # type: ignore[no-untyped-def]
    from onestop.firms.facts import derive
    from onestop.matching.maximum import plausible_maximum

    profile = firm(name, **changes)
    result = engine.match(profile, TODAY)
    programs = {p.id: p for p in engine.programs}
    eligible = [programs[r["program_id"]] for r in result["eligible"]]
    fitting = {r["program_id"]: r.get("fitting_lines", []) for r in result["eligible"] if r.get("lines")}
    loans = [p for p in eligible if p.spec.support_type.value in ("loan", "guarantee")]
    return plausible_maximum(loans, derive(profile, TODAY), fitting), loans


def test_most_a_firm_could_receive_respects_the_policy_fund_caps(engine) -> None:  # type: ignore[no-untyped-def]
    """QA: "최대 229억" summed every eligible loan's limit. The 2026 plan limits KOSMES policy loans
    per firm (Ⅲ ⑬ ⑮ and the per-firm balance); lines that are alternatives count once."""
    most, loans = _maximum(engine, "young-founder")
    naive = sum(p.spec.limits.amount or 0 for p in loans)
    assert naive > 22_000_000_000  # QA saw 229억: every limit summed
    kosmes = [pid for pid in most.chosen if pid.startswith("kosmes-")]
    kosmes_total = sum(min(p.spec.limits.amount or 0, 7_000_000_000) for p in loans if p.id in kosmes)
    assert kosmes_total <= 7_000_000_000  # 순천: outside the capital area, 70억 balance
    assert most.amount < naive and most.amount <= 13_000_000_000
    assert any("3회 미만" in ko for ko, _ in most.notes)
    # after three policy loans in five years no further fund that the limits apply to counts
    history = [{"program_id": "kosmes-startup-fund", "year": 2025 - i, "amount": 100_000_000} for i in range(3)]
    capped, _ = _maximum(engine, "young-founder", support_history=history)
    assert not [pid for pid in capped.chosen if pid in ("kosmes-startup-fund", "kosmes-smart-factory-fund")]


def test_line_alternatives_count_once_and_facility_with_working_up_to_the_limit() -> None:
    from onestop.matching.maximum import program_amount

    catalog = shipped_catalog()
    emergency = catalog.get("kosmes-emergency-fund")  # general or 홈플러스 line: alternatives
    assert program_amount(emergency, ["general", "retailer-rehabilitation"]) == 1_000_000_000
    restart = catalog.get("kosmes-restart-fund")  # working lines are alternatives, facility adds
    assert program_amount(restart, ["facility", "working", "working-in-depth"]) == 6_000_000_000
    assert program_amount(restart, ["working", "working-in-depth"]) == 1_000_000_000
    youth = catalog.get("kosmes-youth-startup-fund")  # lines without amounts of their own: the limit
    assert program_amount(youth, ["working"]) == youth.spec.limits.amount == 200_000_000


def test_programs_that_exclude_each_other_are_not_summed() -> None:
    from onestop.matching.maximum import Candidate, best_set

    catalog = shipped_catalog()
    pairs = [(p, catalog.get(q)) for p in catalog for q in p.spec.links.excludes if q in catalog.programs]
    assert pairs, "the catalog has 중복 지원 불가 links"
    a, b = pairs[0]
    amount, chosen = best_set([Candidate(a, 500), Candidate(b, 300)])
    assert amount == 500 and [c.program.id for c in chosen] == [a.id]


def _prospective(**changes: Any) -> dict[str, Any]:
    from tests.conftest import example

    data = {k: v for k, v in example("young-founder").items()
            if k not in ("brn", "revenue", "operating_profit", "regular_employees")}
    data.update(applicant_kind="prospective_founder", founded_on="2027-03-01", name="김하늘 (예비창업)")
    data.update(changes)
    return data


def test_the_academy_admits_prospective_founders(engine) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from onestop.firms.model import parse_firm

    result = engine.match(parse_firm(_prospective()), date(2026, 2, 2))  # the 16기 call: 01-30 ~ 02-13
    assert "kosmes-youth-startup-academy" in [r["program_id"] for r in result["eligible"]]
    assert "prospective_founder" in shipped_catalog().get("kosmes-youth-startup-academy").spec.applicants


def test_a_prospective_founder_is_not_yet_an_sme_and_the_funds_say_how_they_admit_them(engine) -> None:  # type: ignore[no-untyped-def]
    from onestop.firms.facts import derive
    from onestop.firms.model import parse_firm
    from onestop.matching.records import explain_program

    facts = dict(derive(parse_firm(_prospective()), TODAY))
    assert facts["is_sme"] is False  # not unknown: there is no business yet
    for program in shipped_catalog():
        if "prospective_founder" not in program.spec.applicants:
            continue
        result = explain_program(program, facts)
        sme = [c for c in result["criteria"] if c["fact"] == "is_sme"]
        assert all(c["status"] != "unknown" for c in sme), program.id
        if sme:  # the notice's own route for prospective founders is stated and met
            route = [c for c in result["criteria"] if c["fact"] == "applicant_kind" and c["op"] == "=="]
            assert route and route[0]["status"] == "met" and "예비창업자" in route[0]["ko"], program.id


def test_a_planned_founding_date_must_be_today_or_later_when_entered() -> None:
    from datetime import date, timedelta

    import pytest

    from onestop.errors import DomainError
    from onestop.firms.model import parse_firm

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    with pytest.raises(DomainError) as e:
        parse_firm(_prospective(founded_on=yesterday), entry=True)
    [problem] = e.value.problems
    assert problem.field == "founded_on" and problem.code == "founded_on_planned_past"
    assert yesterday in problem.ko and "오늘" in problem.ko and "today" in problem.en
    assert parse_firm(_prospective(founded_on=date.today().isoformat()), entry=True).founded_on == date.today()
    # a plan stored earlier whose date has since passed still reads (the founder is asked to update it)
    assert parse_firm(_prospective(founded_on=yesterday)).founded_on.isoformat() == yesterday


def test_journey_3_firm_qualifies_by_operating_profit_too(engine) -> None:  # type: ignore[no-untyped-def]
    result = engine.match(firm("crisis"), TODAY)
    emergency = next(r for r in result["eligible"] if r["program_id"] == "kosmes-emergency-fund")
    by = {c["id"]: c for c in emergency["reasons"] if c["id"]}
    assert by["revenue-drop-10pct"]["status"] == "met"
    assert by["operating-profit-drop-10pct"]["status"] == "met" and "-42.6%" in by["operating-profit-drop-10pct"]["ko"]
    assert "general" in emergency["fitting_lines"]  # the line it fits, with that line's rate
    # one policy loan in the last five years: counted toward the plan's limits, still under them
    limits = [c for c in emergency["reasons"] if c["fact"] == "policy_fund_count_5y"]
    assert not limits  # 긴급경영안정자금 is exempt from the count (공고 제2026-464호 Ⅲ ⑮)
    startup = engine.match(firm("crisis"), TODAY)
    assert startup["eligible"]


def test_demo_firms_carry_the_plans_facts() -> None:
    from onestop.demo.firms import generate
    from onestop.demo.seed import ACCOUNTS, scenario
    from onestop.firms.model import parse_firm

    names = [n for acc in ACCOUNTS for n in acc.firms]
    profiles = {n: parse_firm(scenario(n)) for n in names}
    registered = [p for p in profiles.values() if p.applicant_kind.value == "firm"]
    assert all(p.business_status is not None and p.credit_default_record is not None for p in registered)
    assert all(p.operating_profit for p in registered)
    assert any(p.tax_arrears_deferred is not None for p in profiles.values()) or scenario("tax-arrears")
    assert any(any(v < 0 for v in p.operating_profit.values()) for p in registered)  # a loss year
    assert any(r.program_id.startswith("kosmes-") for p in registered for r in p.support_history)
    assert any(p.applicant_kind.value == "prospective_founder" for p in profiles.values())
    registry = generate(300)
    assert all("operating_profit" in f and "business_status" in f for f in registry)
    assert sum(f["business_status"] != "operating" for f in registry) >= 1
    assert sum(bool(f["support_history"]) for f in registry) >= 20
    assert sum(f.get("tax_arrears_deferred") is not None for f in registry) >= 1


def test_the_prospective_founder_demo_finds_the_startup_funds(engine) -> None:  # type: ignore[no-untyped-def]
    from onestop.demo.seed import scenario
    from onestop.firms.model import parse_firm

    result = engine.match(parse_firm(scenario("prospective-founder")), TODAY)
    eligible = [r["program_id"] for r in result["eligible"]]
    assert {"kosmes-youth-startup-fund", "kosmes-startup-fund"} <= set(eligible)
    assert all(e["code"] in ("applicant_kind", "closed") for e in result["excluded"])
