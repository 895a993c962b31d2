"""Applying online in a real browser: a firm applies and uploads its documents, an officer asks
for a supplement, the firm uploads it, the officer approves, the firm's owner signs the
e-agreement. Two browser contexts, so the firm and the officer have their own sessions."""

from __future__ import annotations

import re
from typing import Any

import pytest

from onestop.demo.seed import PASSWORD
from tests.browser.conftest import shot
from tests.browser.test_journeys import fill_young_founder, sign_up
from tests.integration.conftest import fresh_brn

pytestmark = pytest.mark.browser

PROGRAM = "jeonnam-sme-development-fund"


def pdf(name: str, text: str) -> dict[str, Any]:
    body = f"%PDF-1.4\n% {text}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".encode()
    return {"name": name, "mimeType": "application/pdf", "buffer": body}


def register_firm(page: Any) -> None:
    fill_young_founder(page, fresh_brn())
    page.locator("#firm-submit").click()
    page.wait_for_url(re.compile(r"/firms/\d+/recommendations$"))


def state_of(page: Any) -> str:
    return str(page.locator("h1 .os-state").get_attribute("data-state"))


def officer_acts(page: Any, action: str) -> None:
    page.locator(f"#act-{action}").click()
    page.wait_for_load_state()


def test_firm_applies_officer_asks_supplement_approves_firm_signs(browser: Any, live_server: str) -> None:
    firm_ctx = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="ko-KR")
    officer_ctx = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="ko-KR")
    firm, officer = firm_ctx.new_page(), officer_ctx.new_page()
    for p in (firm, officer):
        p.set_default_timeout(30000)
    try:
        sign_up(firm)
        register_firm(firm)
        firm.goto(f"/programs/{PROGRAM}")
        firm.locator("#apply").click()
        firm.wait_for_url(re.compile(r"/applications/\d+$"))
        app_url = firm.url
        app_id = app_url.rsplit("/", 1)[1]
        assert state_of(firm) == "draft"
        kinds = [k for k in firm.locator("#checklist form input[name=kind]").evaluate_all(
            "els => els.map(e => e.value)") if k != "other"]
        assert kinds, "the program's checklist is shown"
        shot(firm, "20-application-draft")
        for kind in kinds:
            firm.locator(f"#file-{kind}").set_input_files(pdf(f"{kind}.pdf", kind))
            firm.locator(f"#upload-{kind}").click()
            firm.wait_for_url(app_url)
            assert ".pdf" in firm.locator(f"#doc-{kind}").inner_text()
        firm.locator("#submit-application").click()
        firm.wait_for_url(app_url)
        assert state_of(firm) == "submitted"
        assert "신청 가능합니다" in firm.locator("#eligibility-status").inner_text()
        shot(firm, "21-application-submitted")

        officer.goto("/login")
        officer.locator("#email").fill("officer.jeonnam@onestop.demo")
        officer.locator("#password").fill(PASSWORD)
        officer.locator("#login-submit").click()
        officer.wait_for_load_state()
        officer.goto("/officer/applications")
        officer.locator("#f-state").select_option("submitted")
        officer.locator("#filter").click()
        officer.wait_for_url(re.compile(r"state=submitted"))
        shot(officer, "22-officer-queue")
        officer.locator(f"#queue a[href='/officer/applications/{app_id}']").first.click()
        officer.wait_for_url(re.compile(rf"/officer/applications/{app_id}$"))
        # the decisive facts and the actions are above the fold at 1280×900
        for selector in ("#decisive-eligibility", "#act-start_check", "#firm-facts"):
            box = officer.locator(selector).bounding_box()
            assert box is not None and box["y"] + box["height"] <= 900, selector
        officer_acts(officer, "start_check")
        assert state_of(officer) == "document_check"
        officer.locator("#reason_other").fill("최근 1년 재무제표를 함께 올려 주세요.")
        officer.locator("#request-supplement").click()
        officer.wait_for_load_state()
        assert state_of(officer) == "supplement_requested"
        shot(officer, "23-officer-review-supplement")

        firm.goto(app_url)
        assert "최근 1년 재무제표" in firm.locator("#supplement-notice").inner_text()
        shot(firm, "24-firm-supplement-requested")
        firm.locator("#file-other").set_input_files(pdf("재무제표-2025.pdf", "financial statements"))
        firm.locator("#upload-other").click()
        firm.wait_for_url(app_url)
        firm.locator("#resubmit").click()
        firm.wait_for_url(app_url)
        assert state_of(firm) == "resubmitted"

        officer.reload()
        officer_acts(officer, "documents_ok")
        assert state_of(officer) == "evaluation"
        officer_acts(officer, "approve")
        assert state_of(officer) == "approved"
        shot(officer, "25-officer-approved")

        firm.goto(app_url)
        firm.locator("#open-agreement").click()
        firm.wait_for_url(re.compile(r"/agreement$"))
        assert "전자약정서" in firm.locator("#agreement-document").inner_text()
        shot(firm, "26-agreement")
        firm.locator("label[for=consent]").click()
        assert firm.locator("#consent").is_checked()
        firm.locator("#sign").click()
        firm.wait_for_url(app_url)
        assert state_of(firm) == "agreement_signed"
        assert "서명 완료" in firm.locator("#agreement-signed").inner_text()
        timeline = firm.locator("#timeline").inner_text()
        for step in ("신청서 제출", "보완 요청", "보완 서류 제출", "선정", "전자약정 서명"):
            assert step in timeline
        shot(firm, "27-signed-timeline")
        firm.goto("/applications")
        shot(firm, "28-my-applications")
    finally:
        firm_ctx.close()
        officer_ctx.close()


def test_firm_books_a_consultation(page: Any) -> None:
    sign_up(page)
    register_firm(page)
    page.goto("/consultations?agency=jnsbi")
    page.locator("#slots label.os-slot").first.click()
    page.locator("#topic").fill("육성자금 서류 문의")
    page.locator("#book").click()
    page.locator("#booked").wait_for()
    assert "육성자금 서류 문의" in page.locator("#bookings").inner_text()
    # the confirmation names the date and time, the branch and how to join
    assert re.search(r"\d{4}-\d{2}-\d{2} \(\w+\) \d{2}:\d{2} KST", page.locator("#booked-when").inner_text())
    assert page.locator("#booked-branch").inner_text().strip()
    assert "화상 회의 주소" in page.locator("#booked-join").inner_text()
    page.locator("#booked-thread").click()
    page.wait_for_url(re.compile(r"/consultations/threads/\d+$"))
    assert "상담 예약" in page.locator("h1").inner_text()
    page.go_back()
    shot(page, "29-consultation-booked")
    page.watch.check()
