"""The marketplace in a real browser: an SME finds a large company's idle instrument, requests it
(a refused form first), the owner accepts, both sign the e-agreement, and the instrument is the
SME's for the period agreed. Each page passes axe and fits a 390 px screen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.browser.conftest import new_context, shot
from tests.browser.test_every_page import serious_violations, sign_in

pytestmark = pytest.mark.browser


def _fits(page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_sme_requests_a_large_companys_idle_instrument_and_gets_it(browser: Any, live_server: str) -> None:
    from onestop.marketplace.services import today_kst

    today = today_kst()
    sme, sme_watch = new_context(browser, live_server)
    owner, owner_watch = new_context(browser, live_server)
    try:
        page = sme.new_page()
        page.set_default_timeout(30000)
        sign_in(page, "seoul@onestop.demo")
        page.goto("/marketplace")
        page.locator("#q").fill("좌표측정기")
        page.locator("#kind").select_option("instrument")
        page.locator("#market-search-submit").click()
        page.wait_for_load_state()
        assert "3차원 좌표측정기" in page.locator("#market-results").inner_text()
        assert not serious_violations(page)
        _fits(page)
        shot(page, "70-marketplace-search")
        page.locator("#market-results a").first.click()
        page.wait_for_load_state()
        listing_url = page.url
        _fits(page)
        assert "월 50만 원" in page.locator("#listing-terms").inner_text()
        page.locator("#purpose").fill("앱")
        page.locator("#wanted_from").fill(today.isoformat())
        sme_watch.expect("/requests")
        page.locator("#request-submit").click()
        page.locator("#error-summary").wait_for()
        assert page.locator("#purpose").get_attribute("aria-invalid") == "true"
        assert "희망 종료일" in page.locator("#error-summary").inner_text()
        assert not serious_violations(page)
        shot(page, "71-marketplace-request-errors")
        page.locator("#purpose").fill("스마트 공장 센서 브래킷의 치수 검사를 위해 석 달 동안 주 2회 사용하려 합니다.")
        page.locator("#wanted_until").fill((today + timedelta(days=90)).isoformat())
        page.locator("#request-submit").click()
        page.wait_for_load_state()
        assert "검토 대기" in page.locator("#request-state").inner_text()
        request_url = page.url

        desk = owner.new_page()
        desk.set_default_timeout(30000)
        sign_in(desk, "owner.large@onestop.demo")
        desk.goto("/marketplace/owner")
        assert not serious_violations(desk)
        _fits(desk)
        shot(desk, "72-marketplace-owner-desk")
        # listing a patent with an application number: named next to the field, what was typed kept
        desk.locator("a[id^='new-listing-']").click()
        desk.wait_for_load_state()
        desk.locator("#kind").select_option("patent")
        desk.locator("#patent_number").fill("10-2020-0012345")
        desk.locator("#title").fill("배터리 분리막 코팅 특허")
        desk.locator("#description").fill("리튬 배터리 분리막의 세라믹 코팅 조성 특허입니다.")
        desk.locator("#region").fill("30200")
        desk.locator("#terms").select_option("price")
        desk.locator("#price_won").fill("5,000,000")
        desk.locator("#available_from").fill(today.isoformat())
        owner_watch.expect("/listings/new")
        desk.locator("#listing-submit").click()
        desk.locator("#error-summary").wait_for()
        assert "출원번호" in desk.locator("#patent_number-error").inner_text()
        assert desk.locator("#title").input_value() == "배터리 분리막 코팅 특허"
        assert not serious_violations(desk)
        _fits(desk)
        shot(desk, "74-marketplace-patent-number-error")
        desk.locator("#patent_number").fill("10-1253502")
        desk.locator("#listing-submit").click()
        desk.wait_for_load_state()
        assert desk.locator("#patent-number").inner_text() == "10-1253502"
        desk.goto("/marketplace/owner")
        desk.locator(f"a[href='{request_url.split(live_server)[1]}']").first.click()
        desk.wait_for_load_state()
        assert "치수 검사" in desk.locator("#request-purpose").inner_text()
        desk.locator("#accept-request").click()
        desk.wait_for_load_state()
        assert desk.locator("#agreement").is_visible()
        assert not serious_violations(desk)
        desk.locator("#sign-agreement").click()
        desk.wait_for_load_state()
        assert desk.locator("#sign-agreement").count() == 0

        page.goto(request_url)
        assert "전자약정서" in page.locator("#agreement").inner_text()
        page.locator("#sign-agreement").click()
        page.wait_for_load_state()
        assert "약정 체결" in page.locator("#request-state").inner_text()
        assert not serious_violations(page)
        _fits(page)
        shot(page, "73-marketplace-agreed")
        page.goto(listing_url)
        assert "약정 완료" in page.locator("#listing-state").inner_text()
        page.goto("/marketplace?lang=en")
        assert "Idle-asset marketplace" in page.locator("h1").inner_text()
        sme_watch.check()
        owner_watch.check()
    finally:
        sme.close()
        owner.close()
