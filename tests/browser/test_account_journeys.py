"""Account journeys in chromium: a forgotten password reset from the emailed link, and a
newcomer whose firm is already registered asking its owner to be let in (issue 14 §4, issue 15
item 6). No console errors and no failed requests on the way."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import LIVE, Watch, shot
from tests.browser.test_apply_journey import register_firm
from tests.browser.test_journeys import fill_young_founder, sign_up
from tests.integration.conftest import fresh_brn, mailed_token


class Seen(Watch):
    """The suite's watch (console errors, failed requests, CSP reports), except that a page may
    answer 4xx on purpose here (a refused form is 422): only its assets must load."""

    def _response(self, r: Any) -> None:
        if r.request.resource_type != "document":
            super()._response(r)


def watch(page: Any) -> Seen:
    seen = Seen()
    seen.attach(page)
    return seen


def test_a_forgotten_password_is_reset_from_the_emailed_link(page: Any) -> None:
    seen = watch(page)
    email = sign_up(page)
    page.locator("form[action='/logout'] button:visible").click()
    page.goto("/login")
    page.locator("#forgot-link").click()
    page.wait_for_url(re.compile(r"/password/forgot$"))
    page.get_by_label("이메일").fill(email)
    page.locator("#forgot-submit").click()
    page.locator("#reset-sent").wait_for()
    shot(page, "40-password-forgot-sent")

    page.goto(f"/password/reset/{mailed_token(LIVE['app'], email, 'password_reset')}")
    page.get_by_label("새 비밀번호", exact=True).fill("password1234")
    page.get_by_label("새 비밀번호 확인").fill("password1234")
    page.locator("#reset-submit").click()
    page.locator("#password-error").wait_for()
    assert "유출된 비밀번호" in page.locator("#password-error").inner_text()
    assert page.locator("#password").get_attribute("aria-invalid") == "true"
    shot(page, "41-password-reset-refused")
    new = "순천만 갈대 사이로 부는 바람 2026"
    page.get_by_label("새 비밀번호", exact=True).fill(new)
    page.get_by_label("새 비밀번호 확인").fill(new)
    page.locator("#reset-submit").click()
    page.locator("#done").wait_for()

    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(new)
    page.locator("#login-submit").click()
    page.wait_for_url(re.compile(r"/firms$"))
    seen.check()


def test_a_newcomer_asks_the_owner_of_a_registered_firm_to_be_let_in(browser: Any, live_server: str) -> None:
    owner_ctx = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="ko-KR")
    new_ctx = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, locale="ko-KR")
    owner, newcomer = owner_ctx.new_page(), new_ctx.new_page()
    seen = [watch(owner), watch(newcomer)]
    try:
        for p in (owner, newcomer):
            p.set_default_timeout(30000)
        sign_up(owner)
        brn = fresh_brn()
        fill_young_founder(owner, brn)
        owner.locator("#firm-submit").click()
        owner.wait_for_url(re.compile(r"/firms/\d+/recommendations$"))
        firm_id = re.search(r"/firms/(\d+)/", owner.url).group(1)  # type: ignore[union-attr]

        sign_up(newcomer)
        fill_young_founder(newcomer, brn)
        newcomer.locator("#firm-submit").click()
        newcomer.wait_for_url(re.compile(r"/firms/join\?brn="))
        assert "기존 관리자에게 초대 요청" in newcomer.locator("h1").inner_text()
        newcomer.locator("#message").fill("재무 담당 박입니다. 신청서 작성을 돕겠습니다.")
        shot(newcomer, "42-join-request-mobile")
        newcomer.locator("#join-submit").click()
        newcomer.locator("#join-sent").wait_for()

        owner.goto(f"/firms/{firm_id}/members")
        assert "재무 담당 박입니다" in owner.locator("main").inner_text()
        shot(owner, "43-members-request")
        owner.get_by_role("button", name="수락하고 초대 보내기").click()
        owner.locator("#notice").wait_for()

        newcomer.goto("/invitations")
        newcomer.locator("button[id^='accept-']").click()
        newcomer.wait_for_url(re.compile(rf"/firms/{firm_id}/recommendations$"))
        owner.goto(f"/firms/{firm_id}/members")
        assert owner.locator("#members tbody tr").count() == 2
        shot(owner, "44-members")
        for w in seen:
            w.check()
    finally:
        owner_ctx.close()
        new_ctx.close()


def test_an_unconfirmed_newcomer_is_told_what_waits_for_the_confirmation(page: Any) -> None:
    sign_up(page, confirm=False)
    register_firm(page)
    page.goto("/account")
    assert "확인 전" in page.locator("#email-status").inner_text()
    assert "신청서 제출" in page.locator("#confirm-email").inner_text()
    shot(page, "45-account-unconfirmed")
