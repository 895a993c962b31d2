"""Funds in a real browser: an officer opens a budget, approves an application (the commitment
shows on the dashboard), the firm signs, the officer pays it out from the dashboard and the
batch page, and the firm sees its loan's schedule. Screenshots for the README."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from onestop.applications.tables import ApplicationRow
from onestop.demo.seed import PASSWORD
from tests.browser.conftest import LIVE, shot
from tests.browser.test_apply_journey import register_firm
from tests.browser.test_journeys import sign_up

pytestmark = pytest.mark.browser

PROGRAM = "kosmes-disaster-recovery-fund"  # 10억 원, 1.9 % fixed, 5 years with 2 years' grace


def test_approve_commit_disburse_and_the_firm_sees_its_schedule(browser: Any, live_server: str) -> None:
    firm_ctx = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="ko-KR")
    officer_ctx = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="ko-KR")
    firm, officer = firm_ctx.new_page(), officer_ctx.new_page()
    for p in (firm, officer):
        p.set_default_timeout(30000)
    try:
        sign_up(firm)
        register_firm(firm)
        firm_id = int(re.search(r"/firms/(\d+)/", firm.url).group(1))  # type: ignore[union-attr]
        # the application has been through submission and document check (tested in test_apply_journey)
        from sqlalchemy import select

        from onestop.accounts.tables import UserRow

        db = LIVE["app"].state.app.db
        with db.unit_of_work() as s:
            admin = s.scalar(select(UserRow.id).where(UserRow.email == "admin@onestop.demo"))
            row = ApplicationRow(firm_id=firm_id, program_id=PROGRAM, agency_id="kosmes", branch="12",
                                 state="evaluation", open_slot=f"{firm_id}:{PROGRAM}", created_by=admin,
                                 submitted_at=datetime.now(UTC), eligibility={"status": "eligible"})
            s.add(row)
            s.flush()
            app_id = row.id

        officer.goto("/login")
        officer.locator("#email").fill("officer.kosmes@onestop.demo")
        officer.locator("#password").fill(PASSWORD)
        officer.locator("#login-submit").click()
        officer.wait_for_load_state()
        officer.locator("#nav-funds").click()
        officer.wait_for_url(re.compile(r"/officer/funds$"))
        officer.locator("#f-program_id, [name=program_id]").first.select_option(PROGRAM)
        officer.locator("[name=amount]").fill("5,000,000,000")
        officer.locator("#open-budget").click()
        officer.wait_for_url(re.compile(r"/officer/funds$"))
        assert "5,000,000,000" in officer.locator("#budgets").inner_text()

        officer.goto(f"/officer/applications/{app_id}")
        officer.locator("#act-approve").click()
        officer.wait_for_load_state()
        officer.goto("/officer/funds")
        row = officer.locator("#budgets tbody tr", has_text="재해중소기업").last  # other journeys budget other programs
        cells = row.locator("td.os-num").all_inner_texts()
        assert cells[:3] == ["5,000,000,000", "4,000,000,000", "1,000,000,000"]  # the approval's commitment
        shot(officer, "40-funds-dashboard-committed")

        firm.goto(f"/applications/{app_id}")
        firm.locator("#open-agreement").click()
        firm.wait_for_url(re.compile(r"/agreement$"))
        firm.locator("label[for=consent]").click()
        firm.locator("#sign").click()
        firm.wait_for_url(re.compile(rf"/applications/{app_id}$"))

        officer.goto("/officer/funds")
        officer.locator(f"#prepare-{app_id}").click()
        officer.locator("[name=bank]").fill("기업은행")
        officer.locator("[name=account]").fill("12")
        officer.locator("[name=holder]").fill("순천바른빵 주식회사")
        officer.locator("#make-batch").click()
        officer.wait_for_load_state()
        assert "계좌번호" in officer.locator("#error-summary").inner_text()  # refused next to the field
        officer.locator("[name=account]").fill("123-456789-01-011")
        officer.locator("#make-batch").click()
        officer.wait_for_url(re.compile(r"/officer/funds/batches/\d+$"))
        shot(officer, "41-funds-batch")
        officer.on("dialog", lambda d: d.accept())
        officer.locator("#execute-batch").click()
        officer.wait_for_load_state()
        assert "지급 완료" in officer.locator("#batch-lines").inner_text()

        firm.goto("/loans")
        firm.locator("#loans a").first.click()
        firm.wait_for_url(re.compile(r"/loans/\d+$"))
        schedule = firm.locator("#schedule").inner_text()
        assert "4,750,000" in schedule  # 10억 원 × 1.9 % a quarter in the grace period
        assert "10억 원" in firm.locator("#outstanding").inner_text()
        shot(firm, "42-firm-loan-schedule")
    finally:
        firm_ctx.close()
        officer_ctx.close()
