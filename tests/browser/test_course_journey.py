"""A re-employment course in a real browser (issue 12 item 5): the FKI center's officer creates
a course (a refused form first) with two sessions today; the 50-year-old seeker in 순천 enrols;
the officer takes attendance on each session's sheet (hours over the session refused next to
the person) and refers her to a posting; she sees that she completed the course and the
referral, and applies. Each page passes axe and fits a 390 px screen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.browser.conftest import new_context, shot
from tests.browser.test_every_page import serious_violations, sign_in

pytestmark = pytest.mark.browser


def _checked(page: Any) -> None:
    assert not serious_violations(page), page.url
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url
    page.set_viewport_size({"width": 1280, "height": 900})


def test_seeker_enrols_attends_completes_and_sees_the_referral(browser: Any, live_server: str) -> None:
    from onestop.marketplace.services import today_kst

    today = today_kst()
    staff, staff_watch = new_context(browser, live_server)
    person, person_watch = new_context(browser, live_server)
    try:
        page = staff.new_page()
        page.set_default_timeout(30000)
        sign_in(page, "officer.fki@onestop.demo")
        page.goto("/jobs/courses")
        page.locator("#title").fill("리바운스 하루 집중반")
        page.locator("#required_hours").fill("8")
        page.locator("#capacity").fill("0")
        page.locator("#enrol_opens").fill(today.isoformat())
        page.locator("#enrol_closes").fill((today + timedelta(days=14)).isoformat())
        page.locator("#program_id").select_option("fki-rebounce")
        staff_watch.expect("/jobs/courses")
        page.locator("#save-course").click()
        page.locator("#error-summary").wait_for()
        assert page.locator("#capacity").get_attribute("aria-invalid") == "true"
        assert page.locator("#title").input_value() == "리바운스 하루 집중반"  # nothing typed is lost
        _checked(page)
        page.locator("#capacity").fill("20")
        page.locator("#save-course").click()
        page.locator("#session-form").wait_for()
        course_url = page.url
        for starts, ends, mode in (("09:00", "13:00", "offline"), ("14:00", "18:00", "online")):
            page.locator("#day").fill(today.isoformat())
            page.locator("#starts").fill(starts)
            page.locator("#ends").fill(ends)
            page.locator("#hours").fill("4")
            page.locator("#mode").select_option(mode)
            page.locator("#venue").fill("순천시 일자리센터 교육장" if mode == "offline" else "")
            page.locator("#save-session").click()
            page.wait_for_load_state()
        assert page.locator("#sessions tbody tr").count() == 2

        me = person.new_page()
        me.set_default_timeout(30000)
        sign_in(me, "seeker@onestop.demo")
        me.goto("/jobs/courses")
        me.locator(f'a[href="{course_url.removeprefix(live_server)}"]').click()
        me.locator("#enrol").click()
        me.locator("#progress").wait_for()
        assert "출석 0시간 / 이수 기준 8시간" in me.locator("#progress").inner_text()
        _checked(me)
        shot(me, "course-enrolled")

        page.goto(course_url)
        sheets = page.locator("a[id^=sheet-]")
        first_sheet = sheets.nth(0).get_attribute("href")
        second_sheet = sheets.nth(1).get_attribute("href")
        page.goto(first_sheet)
        row = page.get_by_role("row", name="정순천")
        row.get_by_role("textbox").fill("5")
        staff_watch.expect("/sessions/")
        page.locator("#save-attendance").click()
        page.locator("#error-summary").wait_for()
        assert "4시간" in page.locator("#error-summary").inner_text()
        _checked(page)
        page.get_by_role("row", name="정순천").get_by_role("textbox").fill("4")
        page.locator("#save-attendance").click()
        page.wait_for_load_state()
        shot(page, "course-attendance")
        page.goto(second_sheet)
        page.get_by_role("row", name="정순천").get_by_role("textbox").fill("4")
        page.locator("#save-attendance").click()
        page.wait_for_load_state()
        assert "수료" in page.get_by_role("row", name="정순천").inner_text()

        page.goto(course_url)
        page.locator("#enrolment_id").select_option(label="정순천 (신중년 구직자)")
        page.locator("#posting_id").select_option(label="제과 공장 품질관리 사무원 (신중년 적합직무)")
        page.locator("#note").fill("품질관리 경력에 맞는 자리입니다")
        page.locator("#refer").click()
        page.wait_for_load_state()
        assert "제과 공장 품질관리 사무원" in page.locator("#referrals").inner_text()

        me.goto(course_url)
        assert today.isoformat() in me.locator("#completed").inner_text()
        referral = me.locator("#my-referrals li").first
        assert "품질관리 경력에 맞는 자리입니다" in referral.inner_text()
        _checked(me)
        shot(me, "course-completed-referral")
        referral.get_by_role("button").click()
        me.wait_for_load_state()
        assert "지원함" in me.locator("#my-referrals").inner_text()
        staff_watch.check()
        person_watch.check()
    finally:
        staff.close()
        person.close()
