"""The journeys of SCENARIOS.md that have pages, walked with the demo accounts (journeys 1, 3
and 5 are walked from the start in test_journeys.py and test_apply_journey.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import shot
from tests.browser.test_every_page import serious_violations, sign_in

pytestmark = pytest.mark.browser


def recommendations_of(page: Any, firm_name: str) -> None:
    page.goto("/firms")
    page.locator(".firm-card", has_text=firm_name).get_by_role("link", name="맞춤 추천").click()
    page.wait_for_url("**/recommendations")


def test_journey_2_exporter_sees_the_globalisation_line_and_why_not_the_domestic_one(page: Any) -> None:
    sign_in(page, "exporter@onestop.demo")
    recommendations_of(page, "창원정밀기계")
    assert page.locator(".eligible-program[data-program='kosmes-export-globalization-fund']").count() == 1
    near = page.locator(".near-miss[data-program='kosmes-domestic-to-export-fund']")
    assert near.count() == 1 and "현재:" in near.inner_text()
    assert page.locator("#summary").is_visible()
    shot(page, "40-exporter-recommendations")
    assert not serious_violations(page)
    page.watch.check()


def test_journey_4_lessor_learns_which_rule_excludes_it(page: Any) -> None:
    sign_in(page, "seoul@onestop.demo")
    recommendations_of(page, "한빛빌딩관리")
    near = page.locator(".near-miss[data-program='kosmes-new-growth-fund']")
    assert near.count() == 1
    near.get_by_role("link").first.click()
    page.locator("#check-status").wait_for()
    if page.locator("#firm").count():  # the account has two firms: choose the lessor
        with page.expect_navigation():
            page.locator("#firm").select_option(label="한빛빌딩관리 주식회사")
    assert page.locator("#check-status").get_attribute("data-status") == "not_eligible"
    decisive = page.locator("#eligibility-check .os-crit li.decisive").all_inner_texts()
    assert any("부동산" in t or "L68" in t for t in decisive), decisive
    shot(page, "41-lessor-excluded")
    page.watch.check()


def test_journey_6_capital_area_startup_sees_relocation_support(page: Any) -> None:
    sign_in(page, "seoul@onestop.demo")
    recommendations_of(page, "코드브릿지")
    assert page.locator(".eligible-program[data-program='kosmes-capital-area-relocation']").count() == 1
    page.locator("#type").select_option("service")
    page.wait_for_url("**type=service**")
    assert page.locator(".eligible-program[data-program='kosmes-capital-area-relocation']").count() == 1
    assert page.locator(".eligible-program[data-program='kosmes-smart-factory-fund']").count() == 0  # a loan
    page.watch.check()


def test_journey_7_smart_factory_adopter_finds_the_follow_ups(page: Any) -> None:
    sign_in(page, "exporter@onestop.demo")
    recommendations_of(page, "경북프라스틱")
    assert page.locator(".eligible-program[data-program='kosmes-smart-factory-training']").count() == 1
    assert page.locator(".near-miss[data-program='kosmes-smart-factory-aftercare']").count() == 1
    shot(page, "42-smart-factory-follow-ups")
    page.watch.check()
