"""The lessor's check (journey 4) leads with the real-estate exclusion; the exceptions that did not
apply to it (fintech, construction …) are folded away and open from the keyboard (issue 15 item 3)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_every_page import serious_violations, sign_in
from tests.browser.test_scenario_journeys import recommendations_of

pytestmark = pytest.mark.browser


def test_exceptions_that_did_not_apply_fold_away_and_open_from_the_keyboard(page: Any) -> None:
    sign_in(page, "seoul@onestop.demo")
    recommendations_of(page, "한빛빌딩관리")
    page.locator(".near-miss[data-program='kosmes-new-growth-fund']").get_by_role("link").first.click()
    page.locator("#check-status").wait_for()
    if page.locator("#firm").count():
        with page.expect_navigation():
            page.locator("#firm").select_option(label="한빛빌딩관리 주식회사")
    check = page.locator("#eligibility-check")
    decisive = check.locator(".os-crit li.decisive").all_inner_texts()
    assert decisive and not any("예외:" in t for t in decisive), decisive
    folded = check.locator("details.os-unused")
    assert folded.count() == 1 and "적용되지 않은 예외" in folded.locator("summary").inner_text()
    fintech = folded.locator("li", has_text="핀테크")
    assert not fintech.is_visible()
    folded.locator("summary").focus()
    page.keyboard.press("Enter")
    assert fintech.is_visible() and "미충족" not in fintech.inner_text()
    assert not serious_violations(page)
    page.watch.check()
