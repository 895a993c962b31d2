"""Advisory and export inquiries in a real browser: a firm's need is routed to an expert, who is
reminded after 7 business days, takes it and answers; the firm closes it and rates the help. A
firm declares its products' HS codes, an officer registers a buyer's inquiry, the firm answers
with a quote and records the contract."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import pytest

from tests.browser.conftest import shot
from tests.browser.test_every_page import serious_violations, sign_in

pytestmark = pytest.mark.browser


def _switch(page: Any, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, email)


def test_need_routed_reminded_taken_closed_and_rated(page: Any, live_app: Any) -> None:
    from onestop.advisory import services
    from onestop.advisory.tables import NeedReminderRow, NeedRow
    from onestop.korea.dates import KST
    from tests.integration.advisory_helpers import expert, retire_all

    db = live_app.state.app.db
    with db.unit_of_work() as s:
        retire_all(s)
        _, mail = expert(s, "정수출", ["export"], ["48", "26"], {"ksic_prefixes": ["C"]})
    sign_in(page, "exporter@onestop.demo")
    page.goto("/advisory")
    page.locator("#subject").select_option("export")
    page.locator("#title").fill("중동 플랜트 바이어 발굴")
    page.locator("#body").fill("사우디 담수 플랜트용 펌프 부품 수출을 준비합니다. 바이어 발굴 자문이 필요합니다.")
    page.locator("#submit-need").click()
    page.wait_for_load_state()
    assert "부산·경남 담당, 수출 자문, 제조업 대상" in page.locator("#routes").inner_text()
    shot(page, "70-advisory-need-routed")
    assert not serious_violations(page)
    need_url = page.url
    with db.unit_of_work() as s:  # seven business days later the reminder goes out
        need_id = int(need_url.rsplit("/", 1)[1])
        due = s.query(NeedReminderRow).filter_by(need_id=need_id, step=7).one().due_on
        assert services.send_reminders(s, now=datetime.combine(due, time(9), tzinfo=KST)) >= 1
    _switch(page, mail)
    page.goto("/notifications")
    assert "7영업일째" in page.locator("main").inner_text()
    page.goto("/expert/needs")
    page.locator(f"#inbox-{need_id} a").click()
    page.wait_for_load_state()
    page.locator("#answer").fill("KOTRA 리야드 무역관과 연계해 바이어 3곳을 소개하겠습니다.")
    page.locator("#take-need").click()
    page.wait_for_load_state()
    shot(page, "71-advisory-expert-took")
    _switch(page, "exporter@onestop.demo")
    page.goto(need_url)
    assert "리야드 무역관" in page.locator("main").inner_text()
    page.locator("label[for=closure-done]").click()
    page.locator("#close-need").click()
    page.wait_for_load_state()
    page.locator("label[for=satisfaction-5]").click()
    page.locator("#send-survey").click()
    page.wait_for_load_state()
    assert "5/5" in page.locator("#survey-done").inner_text()
    shot(page, "72-advisory-closed-rated")
    with db.unit_of_work() as s:
        assert s.get(NeedRow, need_id).closure == "done"
    page.watch.check()


def test_inquiry_answered_and_contract_recorded(page: Any, live_app: Any) -> None:
    sign_in(page, "exporter@onestop.demo")
    page.goto("/exports")
    form = page.locator("form[id^=declare-]").first
    form.locator("input[name=hs_codes]").fill("8413.91-1000, 8413.70")
    form.locator("label[for$=-ISO9001]").click()
    form.locator("input[name=countries]").fill("SA, AE")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    _switch(page, "officer.kotra@onestop.demo")
    page.goto("/officer/exports")
    page.locator("#buyer_country").select_option("SA")
    page.locator("#product").fill("담수 플랜트용 원심펌프 부품")
    page.locator("#hs_code").fill("8413.99")
    page.watch.expect("/officer/exports")
    page.locator("#register-inquiry").click()
    page.wait_for_load_state()
    assert "8413.99는 HS 2022 품목분류표" in page.locator("#error-summary").inner_text()
    page.locator("#hs_code").fill("8413.91")
    page.locator("#register-inquiry").click()
    page.wait_for_load_state()
    assert "사우디아라비아 수출 경험" in page.locator("#inquiry-offers").inner_text()
    shot(page, "73-export-inquiry-matched")
    assert not serious_violations(page)
    page.watch.check()
    _switch(page, "exporter@onestop.demo")
    page.goto("/exports")
    page.locator("#offers a").first.click()
    page.wait_for_load_state()
    page.locator("#quote_usd").fill("1,150")
    page.locator("#quote_note").fill("FOB 부산, 납기 6주")
    page.locator("label[for=samples]").click()
    page.locator("#send-answer").click()
    page.wait_for_load_state()
    page.locator("#state").select_option("contracted")
    page.locator("#contract_won").fill("318,000,000")
    page.locator("#contract_usd").fill("230,000")
    page.locator("#save-follow-up").click()
    page.wait_for_load_state()
    assert "US$ 230,000" in page.locator("#contract").inner_text()
    shot(page, "74-export-contract-recorded")
    page.watch.check()


def test_every_expert_page(browser: Any, live_server: str, live_app: Any) -> None:
    """The expert's pages through the every-page walk (axe, console, CSP, 390 px, both languages),
    on a need the expert took: the inbox, and the need with the long-term advisory forms."""
    from onestop.advisory import services
    from tests.browser.test_every_page import visit_all
    from tests.integration.advisory_helpers import expert, retire_all
    from tests.integration.funds_helpers import principal

    with live_app.state.app.db.unit_of_work() as s:
        retire_all(s)
        _, mail = expert(s, "오기술", ["tech"], [])
        firm = principal(s, "seoul@onestop.demo")
        need = services.submit_need(s, firm, sorted(firm.firms)[0], "tech", "클라우드 전환",
                                    "사내 서버를 클라우드로 옮기는 방법을 알고 싶습니다.")
        services.take(s, principal(s, mail), need.id, "현재 구성을 진단한 뒤 단계별 전환 계획을 드리겠습니다.")
    failures = visit_all(browser, live_server, live_app, "expert", mail, ["/expert/needs", "/advisory/needs/{need}"])
    assert not failures, "\n".join(failures)
