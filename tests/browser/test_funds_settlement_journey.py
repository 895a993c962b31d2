"""Grant settlement in a real browser: a firm paid a grant lists its spending with receipts
(a missing receipt is refused next to its field), the officer cuts a line with a reason, and
the firm sees the clawback with its due date. axe-core finds no serious violation on the forms.
Screenshots for the README."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from onestop.applications.tables import ApplicationRow
from onestop.demo.seed import PASSWORD
from tests.browser.conftest import LIVE, shot
from tests.browser.test_apply_journey import register_firm
from tests.browser.test_every_page import serious_violations
from tests.browser.test_journeys import sign_up
from tests.integration.test_applications import PDF

pytestmark = pytest.mark.browser
GRANT = "kosmes-gangwon-next-unicorn"  # 10억 원 이전지원금 (grant), KOSMES


def _paid_grant(firm_id: int) -> int:
    from onestop.applications import services as applications
    from onestop.applications.lifecycle import Actor
    from onestop.funds import budgets, loans
    from tests.integration.funds_helpers import officer, principal

    db = LIVE["app"].state.app.db
    with db.unit_of_work() as s:
        if budgets.find(s, GRANT, budgets.today(), "") is None:
            budgets.create(s, officer(s), GRANT, budgets.today().year, 10**10)
        row = ApplicationRow(firm_id=firm_id, program_id=GRANT, agency_id="kosmes", branch="51", state="evaluation",
                             open_slot=f"{firm_id}:{GRANT}", created_by=principal(s, "admin@onestop.demo").user_id,
                             submitted_at=datetime.now(UTC), eligibility={"status": "eligible"})
        s.add(row)
        s.flush()
        app_id = row.id
    with db.unit_of_work() as s:
        applications.act(s, officer(s), app_id, "approve", None)
    with db.unit_of_work() as s:
        row, _ = applications.get(s, officer(s), app_id)
        applications._move(s, None, row, "sign", Actor.firm, None)  # signing in the browser: test_funds_journey
        batch = loans.create_batch(s, officer(s), loans.today(), [
            loans.LineInput(app_id, "농협은행", "301-0123-4567-81", "강원 주식회사")])
        assert batch.batch is not None
        batch_id, kosmes = batch.batch.id, officer(s)
    assert loans.execute_batch(db.unit_of_work, kosmes, batch_id).paid == 1
    return app_id


def test_settle_a_grant_and_see_the_clawback(browser: Any, live_server: str) -> None:
    firm_ctx = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="ko-KR")
    officer_ctx = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="ko-KR")
    firm, officer = firm_ctx.new_page(), officer_ctx.new_page()
    for p in (firm, officer):
        p.set_default_timeout(30000)
    try:
        sign_up(firm)
        register_firm(firm)
        firm_id = int(re.search(r"/firms/(\d+)/", firm.url).group(1))  # type: ignore[union-attr]
        app_id = _paid_grant(firm_id)

        firm.goto("/settlements")
        firm.locator(f"#grant-{app_id} a").click()
        firm.wait_for_url(re.compile(rf"/settlements/{app_id}$"))
        firm.locator("[name='lines[1].category']").select_option("materials")
        firm.locator("[name='lines[1].description']").fill("시제품 재료 구입")
        firm.locator("[name='lines[1].amount']").fill("600,000,000")
        firm.locator("[name='lines[1].receipt']").set_input_files(
            {"name": "재료비 영수증.pdf", "mimeType": "application/pdf", "buffer": PDF})
        firm.locator("[name='lines[2].category']").select_option("marketing")
        firm.locator("[name='lines[2].description']").fill("해외 전시회 참가")
        firm.locator("[name='lines[2].amount']").fill("200,000,000")
        firm.locator("#submit-settlement").click()
        firm.wait_for_load_state()
        assert "2번째 줄" in firm.locator("#error-summary").inner_text()  # no receipt on line 2
        assert firm.locator("[name='lines[2].description']").input_value() == "해외 전시회 참가"
        assert serious_violations(firm) == []
        for n, name in ((1, "재료비 영수증.pdf"), (2, "전시회 계약서.pdf")):
            firm.locator(f"[name='lines[{n}].receipt']").set_input_files(
                {"name": name, "mimeType": "application/pdf", "buffer": PDF})
        firm.locator("[name='lines[1].amount']").fill("600,000,000")
        firm.locator("#submit-settlement").click()
        firm.wait_for_url(re.compile(rf"/settlements/{app_id}$"))
        assert "검토 중" in firm.locator("#state").inner_text()

        officer.goto("/login")
        officer.locator("#email").fill("officer.kosmes@onestop.demo")
        officer.locator("#password").fill(PASSWORD)
        officer.locator("#login-submit").click()
        officer.wait_for_load_state()
        officer.goto("/officer/settlements")
        officer.locator("#settlements tbody a", has_text=f"#{app_id})").click()
        officer.wait_for_url(re.compile(r"/officer/settlements/\d+$"))
        officer.locator("[name='lines[2].allowed']").fill("150,000,000")
        officer.locator("[name='lines[2].reason']").fill("부스 장치비 일부 증빙 없음")
        assert serious_violations(officer) == []
        shot(officer, "43-funds-settlement-review")
        officer.locator("#decide").click()
        officer.wait_for_load_state()
        # 10억 paid, 8억 claimed, 7.5억 recognised: 2억 unspent + 0.5억 cut
        assert "2억 5,000만 원" in officer.locator("#clawback-owed").inner_text()

        firm.reload()
        assert "2억 5,000만 원" in firm.locator("#clawback-owed").inner_text()
        assert "납부 대기" in firm.locator("#clawback-state").inner_text()
        assert "부스 장치비 일부 증빙 없음" in firm.locator("#lines").inner_text()
        shot(firm, "44-firm-settlement-clawback")
    finally:
        firm_ctx.close()
        officer_ctx.close()
