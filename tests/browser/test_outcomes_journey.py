"""Outcomes in a real browser: the officer's dashboard draws its charts (each with its table) and
leads to the agency's quarterly report,
a policy simulation compares a draft with the rules in force, a rule that does not type-check
shows the loader's message, and the public statistics hide small cells."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import shot
from tests.browser.test_every_page import serious_violations, sign_in

pytestmark = pytest.mark.browser

WIDER = """eligibility:
  all:
  - fact: ceo_age
    op: <=
    value: 49
    label: {ko: 대표자 만 49세 이하, en: CEO aged 49 or younger}
"""


def test_dashboard_and_simulation(page: Any, live_app: Any) -> None:
    from onestop.applications import services as applications
    from tests.integration.funds_helpers import officer
    from tests.integration.test_outcomes import _signed

    with live_app.state.app.db.unit_of_work() as s:  # support executed for four demo firms
        for email in ("crisis@onestop.demo", "exporter@onestop.demo", "founder@onestop.demo", "seoul@onestop.demo"):
            applications.act(s, officer(s), _signed(s, email, "kosmes-distribution-channel-entry", "kosmes"),
                             "execute", None)
    sign_in(page, "officer.kosmes@onestop.demo")
    page.goto("/officer/outcomes")
    for dim in ("program", "sido", "industry", "size_class", "ceo_age_band"):
        assert page.locator(f"#h-{dim}").is_visible()
    assert page.locator("#table-sido tbody tr").count() >= 2
    shot(page, "60-outcomes-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})  # with charts drawn, the page still fits a phone
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#to-quarterly").click()
    page.wait_for_load_state()
    assert "유통망" in page.locator("#quarter-programs").inner_text()  # this quarter's executions, by program
    assert page.locator("#quarter-sidos").is_visible() and page.locator("#download-pdf").is_visible()
    shot(page, "63-agency-quarterly")
    assert not serious_violations(page)
    page.goto("/officer/simulate?program=kosmes-youth-startup-academy")
    assert "ceo_age" in page.locator("#draft").input_value()
    page.locator("#draft").fill(WIDER)
    page.locator("#amount").fill("50,000,000")
    page.locator("#take_up").fill("0.3")
    page.watch.expect("/officer/simulate")
    page.locator("#run-simulation").click()
    page.wait_for_load_state()
    assert page.locator("#side-by-side").is_visible()
    assert "새로 대상" in page.locator("#gain-lose").inner_text()
    shot(page, "61-policy-simulation")
    assert not serious_violations(page)
    page.locator("#draft").fill(WIDER.replace("ceo_age", "ceo_agee"))
    page.locator("#run-simulation").click()
    page.wait_for_load_state()
    assert "ceo_agee" in page.locator("#error-summary").inner_text()
    assert "ceo_agee" in page.locator("#draft").input_value()  # what was typed stays
    page.watch.check()


def test_effect_page_compares_three_measures(page: Any) -> None:
    sign_in(page, "officer.kosmes@onestop.demo")
    page.goto("/officer/outcomes")
    page.locator("#to-effect").click()
    page.wait_for_load_state()
    page.locator("#program").select_option("kosmes-distribution-channel-entry")
    page.locator("#run-effect").click()
    page.wait_for_load_state()
    assert "program=kosmes-distribution-channel-entry" in page.url  # the choice stays in the URL
    rows = page.locator("#effect-table tbody tr")
    assert rows.count() == 3
    assert [rows.nth(i).locator("th").inner_text() for i in range(3)] == ["매출액 증감률", "상시근로자 증감", "수출액 증감"]
    assert "인과 효과가 아닙니다" in page.locator("#effect-caveats").inner_text()
    shot(page, "64-outcomes-effect")
    assert not serious_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})  # the wide table scrolls inside its frame
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.watch.check()


def test_public_statistics(page: Any) -> None:
    page.goto("/statistics")
    assert "5개 미만" in page.locator("#suppression-note").inner_text()
    shot(page, "62-public-statistics")
    assert not serious_violations(page)
