"""End-to-end journeys in a real browser, with a screenshot of every page they pass."""

from __future__ import annotations

import re
from typing import Any

import pytest

from onestop.demo.seed import PASSWORD
from tests.browser.conftest import LIVE, shot
from tests.integration.conftest import fresh_brn, fresh_email, mailed_token

pytestmark = pytest.mark.browser


def korean_font_loaded(page: Any) -> bool:
    page.evaluate("document.fonts.ready")
    return bool(page.evaluate("""async () => { await document.fonts.load('16px "Pretendard GOV"', '한');
        return document.fonts.check('16px "Pretendard GOV"', '한'); }"""))


def sign_up(page: Any, confirm: bool = True) -> str:
    """Sign up (both consents ticked with "agree to all", the password twice), then open the
    confirmation link of the email and confirm, as a new user does."""
    email = fresh_email("browser")
    page.goto("/signup")
    page.get_by_label("이름", exact=True).fill("김청년")
    page.get_by_label("이메일", exact=True).fill(email)
    page.get_by_label("비밀번호", exact=True).fill("a-long-password-1")
    page.get_by_label("비밀번호 확인").fill("a-long-password-1")
    page.locator("label[for=agree-all]").click()  # KRDS draws the box on the label
    assert page.locator("#agree-terms").is_checked() and page.locator("#agree-marketing").is_checked()
    page.locator("label[for=agree-marketing]").click()  # the optional item stays optional
    assert not page.locator("#agree-all").is_checked()
    shot(page, "01-signup")
    page.locator("#signup-submit").click()
    page.wait_for_url(re.compile(r"/firms/new$"))
    if confirm:
        back = page.url
        page.goto(f"/account/confirm/{mailed_token(LIVE['app'], email, 'email_confirm')}")
        page.locator("#confirm-submit").click()
        page.locator("#done").wait_for()
        page.goto(back)
    return email


def fill_young_founder(page: Any, brn: str) -> None:
    """The registration form filled in for journey 1's founder (순천, food manufacturing)."""
    page.locator("#brn").fill(brn)
    page.locator("#name").fill("순천바른빵 주식회사")
    page.locator("#ksic").fill("C10602")
    page.locator("#sido").select_option("12")
    page.locator("#region").locator("option[value='12150']").wait_for(state="attached")
    page.locator("#region").select_option("12150")
    page.locator("#founded_on").fill("2024-09-02")
    page.locator("#ceo_birth_date").fill("1992-05-10")
    page.locator("#regular_employees").fill("4")
    page.locator("#revenue_2024").fill("60000000")
    page.locator("#revenue_2025").fill("300000000")
    page.locator("#total_assets").fill("250000000")
    page.locator("#manufacturing_share_pct").fill("100")  # a bakery with its own registered factory
    page.locator("label[for=factory_registered]").click()  # KRDS draws the box on the label


def test_founder_registers_and_sees_recommendations_with_reasons(page: Any) -> None:
    page.goto("/")
    assert korean_font_loaded(page), "Pretendard GOV did not load: Hangul would show as boxes"
    shot(page, "00-home")
    sign_up(page)
    fill_young_founder(page, "415-81-25300")
    page.locator("#live-errors").wait_for()
    assert "검증번호" in page.locator("#live-errors").inner_text()
    page.watch.expect("/firms/new")
    page.locator("#firm-submit").click()
    page.locator("#error-summary").wait_for()
    assert "검증번호" in page.locator("#error-summary").inner_text()
    assert "검증번호" in page.locator("#brn-error").inner_text()  # next to the field too
    assert page.locator("#brn").get_attribute("aria-invalid") == "true"
    shot(page, "02-register-wrong-brn")
    page.locator("#brn").fill(fresh_brn())
    page.locator("#firm-submit").click()
    page.wait_for_url(re.compile(r"/firms/\d+/recommendations$"))
    assert page.locator(".eligible-program[data-program='kosmes-youth-startup-fund']").count() == 1
    near = page.locator(".near-miss").first
    assert "조건을 충족하면" in near.inner_text() and "현재:" in near.inner_text()
    packages = page.locator(".os-package").all_inner_texts()
    assert any("청년전용창업자금" in p and "수출바우처" in p for p in packages)  # the journey's package
    shot(page, "03-recommendations")
    page.goto("/programs/kosmes-youth-startup-fund")
    page.locator("#check-status").wait_for()
    assert "충족" in page.locator("#eligibility-check").inner_text()
    assert page.locator("#key-facts").is_visible() and page.locator("#apply").is_visible()
    shot(page, "04-program-detail-check")
    page.goto("/programs/kosmes-youth-startup-academy")  # closed on 2026-02-13
    assert page.locator("#check-status").get_attribute("data-status") == "closed"
    assert page.locator("#apply").count() == 0
    page.watch.check()


def test_search_save_and_quick_check(page: Any) -> None:
    page.goto("/programs/kosmes-youth-startup-fund")
    page.locator("#quick-panel summary").click()
    page.locator("#ceo_birth_date").fill("1992-05-10")
    page.locator("#founded_on").fill("2025-03-01")
    page.locator("#quick-submit").click()
    page.locator("#quick-status").wait_for()
    assert "대표자 만 39세 이하" in (page.locator("#quick-result").text_content() or "")
    shot(page, "05-quick-check")
    sign_up(page)
    page.goto("/programs")
    page.locator("#q").fill("스마트공장을")
    page.locator("#search-submit").click()
    page.locator("#result-count").wait_for()
    assert "스마트공장" in page.locator("main").inner_text()
    shot(page, "06-search")
    page.locator("#save-search-submit").click()
    page.wait_for_url(re.compile(r"/saved$"))
    assert page.locator(".saved-search").count() == 1
    assert "저장했습니다" in page.locator("#flash").inner_text()
    shot(page, "07-saved-searches")
    page.watch.check()


def test_officer_edits_a_rule_and_sees_the_preview_change(page: Any) -> None:
    page.goto("/login")
    page.locator("#email").fill("officer.jeonnam@onestop.demo")
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-submit").click()
    page.wait_for_url(re.compile(r"/officer/applications$"))  # officers land on their queue
    page.goto("/officer/programs")
    shot(page, "08-officer-programs")
    page.goto("/officer/programs/jeonnam-sme-development-fund/edit")
    page.watch.expect("/officer/preview")
    page.locator("#preview-button").click()
    page.locator("#preview-result").wait_for()
    before = int(page.locator("#preview-result").get_attribute("data-met") or "-1")
    spec = page.locator("#spec").input_value()
    extra = "  - {fact: regular_employees, op: '>=', value: 50}\n"
    narrowed = spec.replace("eligibility:\n  all:\n", "eligibility:\n  all:\n" + extra, 1)
    assert narrowed != spec
    page.locator("#spec").fill(narrowed)
    page.locator("#preview-button").click()
    # a CSS condition, not wait_for_function: the page's policy forbids evaluating strings
    page.locator(f"#preview-result:not([data-met='{before}'])").wait_for()
    after = int(page.locator("#preview-result").get_attribute("data-met") or "-1")
    assert 0 <= after < before
    shot(page, "09-officer-preview")
    page.locator("#spec").fill(narrowed.replace("fact: is_sme", "fact: is_smee", 1))
    page.locator("#preview-button").click()
    page.locator("#preview-errors").wait_for()  # the loader's error (422) shown, with its line
    assert "행" in page.locator("#preview-errors").inner_text() and "is_smee" in page.locator("#preview-errors").inner_text()
    page.locator("#spec").fill(narrowed)
    page.locator("#note").fill("상시근로자 50인 이상으로 조정")
    page.locator("#save-program").click()
    page.wait_for_url(re.compile(r"/programs/jeonnam-sme-development-fund/history$"))
    assert "상시근로자 50인 이상으로 조정" in page.locator("main").inner_text()
    shot(page, "10-program-history")
    # the officer puts the rule back: other journeys on this server apply to the program as published
    page.goto("/officer/programs/jeonnam-sme-development-fund/edit")
    page.locator("#spec").fill(spec)
    page.locator("#note").fill("상시근로자 요건 원상 복구")
    page.locator("#save-program").click()
    page.wait_for_url(re.compile(r"/programs/jeonnam-sme-development-fund/history$"))
    assert "상시근로자 요건 원상 복구" in page.locator("main").inner_text()


def test_english_switch_keeps_the_query(page: Any) -> None:
    page.goto("/programs?q=수출바우처&category=export")
    page.locator("#lang-switch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Find support programs" in page.locator("main").inner_text()
    assert "category=export" in page.url and page.locator("#q").input_value() == "수출바우처"
    shot(page, "11-english")
    page.locator("#lang-switch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ko" and "category=export" in page.url
    page.watch.check()
