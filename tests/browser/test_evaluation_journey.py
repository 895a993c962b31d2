"""Journey 3 with the credit model, in a real browser: 대성금속 keeps its statements (a mistake is
shown next to the field and nothing saved is lost); the KOSMES officer sees the score, band and
factors next to the rule checks; the model page and the fairness and drift page draw."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import shot
from tests.browser.test_every_page import serious_violations, sign_in

pytestmark = pytest.mark.browser


def test_firm_corrects_its_statements_and_nothing_saved_is_lost(page: Any) -> None:
    sign_in(page, "crisis@onestop.demo")
    page.goto("/firms")
    page.locator(".firm-card", has_text="대성금속").get_by_role("link", name="재무제표").click()
    page.wait_for_url("**/statements")
    assert "1" in page.locator("#statements-version").inner_text()  # the demo's version
    assert "70억 2,000만 원" in page.locator("#statements-table").inner_text()
    page.locator("#years_2025_total_equity").fill("2,000,000,000")
    page.watch.expect("/statements")
    page.locator("#save-statements").click()
    page.wait_for_load_state()
    error = page.locator("#years_2025_total_equity-error")
    assert "부채총계" in error.inner_text() and "자본총계" in error.inner_text()
    assert page.locator("#years_2025_total_equity").get_attribute("aria-invalid") == "true"
    assert page.locator("#years_2025_total_equity").input_value() == "2,000,000,000"  # what was typed stays
    shot(page, "50-statements-unbalanced")
    page.goto(page.url)
    assert "1" in page.locator("#statements-version").inner_text()  # the saved version is untouched
    assert not serious_violations(page)
    page.watch.check()


def test_officer_sees_score_band_and_factors_next_to_the_rule_checks(page: Any) -> None:
    sign_in(page, "officer.kosmes@onestop.demo")
    page.goto("/officer/applications")
    page.get_by_role("link", name="대성금속", exact=False).first.click()
    page.wait_for_url("**/officer/applications/*")
    panel = page.locator("#recommendation")
    assert panel.is_visible()
    assert page.locator("#model-band").inner_text().startswith("등급 ")
    assert page.locator("#model-version").inner_text() == "polish-h1-20261130"
    factors = page.locator("#model-factors li").all_inner_texts()
    assert 1 <= len(factors) <= 5 and all("점수가" in f for f in factors)
    assert "결정이 아닙니다" in page.locator("#model-note").inner_text()
    assert page.evaluate("document.fonts.check('16px \"Pretendard GOV\"', '한')")
    panel.scroll_into_view_if_needed()
    shot(page, "51-officer-recommendation")
    page.locator("#model-note a").click()
    page.wait_for_url("**/evaluation/model")
    assert page.locator("#metric-lightgbm_platform").is_visible()
    assert page.evaluate("document.getElementById('reliability').naturalWidth") > 0
    shot(page, "52-model-card")
    assert not serious_violations(page)
    page.locator("#nav-monitoring").click()
    page.wait_for_url("**/evaluation/monitoring")
    page.wait_for_function("typeof Chart !== 'undefined' && Chart.getChart(document.getElementById('chart-scores'))")
    assert page.locator("#groups-capital_area").is_visible()
    shot(page, "53-fairness-drift")
    assert not serious_violations(page)
    page.watch.check()
