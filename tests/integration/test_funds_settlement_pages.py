"""The settlement pages end to end (cookie sessions, CSRF, multipart): a firm paid a grant
submits its spending with receipts (a bad amount and a missing receipt are refused next to
their fields and what was typed stays); the officer cuts a line without a reason (refused next
to it), then with one; the firm sees the clawback and its due date, in Korean and English; the
officer records the repayment; another firm gets 404."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from onestop.applications import services as applications
from onestop.applications.lifecycle import Actor
from onestop.applications.tables import ApplicationRow
from onestop.demo.seed import PASSWORD
from onestop.funds import budgets, loans
from tests.integration.funds_helpers import FUNDS_YEAR, funds_fiscal_year, principal  # noqa: F401
from tests.integration.funds_helpers import officer as officer_principal
from tests.integration.test_application_pages import registered_firm
from tests.integration.test_applications import PDF
from tests.integration.test_pages import csrf_of, page_login

pytestmark = pytest.mark.usefixtures("funds_fiscal_year")
GRANT = "kosmes-gangwon-next-unicorn"  # 10억 원 이전지원금 (grant), KOSMES


def _paid_grant(app: Any, firm_id: int) -> int:
    db = app.state.app.db
    with db.unit_of_work() as s:
        if budgets.find(s, GRANT, budgets.today(), "") is None:
            budgets.create(s, officer_principal(s), GRANT, FUNDS_YEAR, 10**10)
        row = ApplicationRow(firm_id=firm_id, program_id=GRANT, agency_id="kosmes", branch="51", state="evaluation",
                             open_slot=f"{firm_id}:{GRANT}", created_by=principal(s, "admin@onestop.demo").user_id,
                             submitted_at=datetime.now(UTC), eligibility={"status": "eligible"})
        s.add(row)
        s.flush()
        app_id = row.id
    with db.unit_of_work() as s:
        applications.act(s, officer_principal(s), app_id, "approve", None)
    with db.unit_of_work() as s:
        row, _ = applications.get(s, officer_principal(s), app_id)
        applications._move(s, None, row, "sign", Actor.firm, None)  # signing pages are tested with loans
        result = loans.create_batch(s, officer_principal(s), loans.today(), [
            loans.LineInput(app_id, "농협은행", "301-0123-4567-81", "강원 주식회사")])
        assert result.batch is not None
        batch_id, kosmes = result.batch.id, officer_principal(s)
    assert loans.execute_batch(db.unit_of_work, kosmes, batch_id).paid == 1
    return app_id


def test_settle_a_grant_cut_a_line_and_see_the_clawback(app: Any, client: TestClient) -> None:
    firm_id, csrf = registered_firm(client)
    app_id = _paid_grant(app, firm_id)
    listing = client.get("/settlements")
    assert listing.status_code == 200 and f'href="/settlements/{app_id}"' in listing.text
    page = client.get(f"/settlements/{app_id}")
    assert page.status_code == 200 and 'id="settlement-form"' in page.text and "10억 원" in page.text
    form = {"csrf_token": csrf, "lines[1].category": "materials", "lines[1].description": "시제품 재료",
            "lines[1].amount": "육억", "lines[2].category": "marketing", "lines[2].description": "전시회 참가",
            "lines[2].amount": "200,000,000"}
    files = {"lines[1].receipt": ("영수증.pdf", PDF, "application/pdf")}
    bad = client.post(f"/settlements/{app_id}", data=form, files=files)
    assert bad.status_code == 422 and 'id="error-summary"' in bad.text
    assert "원 단위 숫자" in bad.text and 'value="육억"' in bad.text and 'value="전시회 참가"' in bad.text
    assert 'id="lines[1]_amount-error"' in bad.text  # the message stands under its field
    form["lines[1].amount"] = "600,000,000"
    missing = client.post(f"/settlements/{app_id}", data=form, files=files)
    assert missing.status_code == 422 and 'id="lines[2]_receipt-error"' in missing.text and "증빙" in missing.text
    files["lines[2].receipt"] = ("전시회.pdf", PDF, "application/pdf")
    done = client.post(f"/settlements/{app_id}", data=form, files=files, follow_redirects=False)
    assert done.status_code == 303
    shown = client.get(f"/settlements/{app_id}")
    assert "검토 중" in shown.text and "영수증.pdf" in shown.text and 'id="settlement-form"' not in shown.text

    with TestClient(app) as kosmes:
        assert page_login(kosmes, "officer.kosmes@onestop.demo", PASSWORD).status_code == 303
        queue = kosmes.get("/officer/settlements")
        # this application's settlement (other tests' settlements are in the queue too)
        sid = re.search(rf'href="/officer/settlements/(\d+)">#\d+ \(신청 #{app_id}\)', queue.text).group(1)  # type: ignore[union-attr]
        review = kosmes.get(f"/officer/settlements/{sid}")
        assert review.status_code == 200 and 'id="decide-form"' in review.text
        receipt_url = re.search(r'href="(/settlements/receipts/\d+)"', review.text).group(1)  # type: ignore[union-attr]
        assert kosmes.get(receipt_url).content == PDF
        k_csrf = csrf_of(review.text)
        decision = {"csrf_token": k_csrf, "lines[1].allowed": "600,000,000", "lines[1].reason": "",
                    "lines[2].allowed": "150,000,000", "lines[2].reason": "", "due_on": f"{FUNDS_YEAR}-04-30"}
        refused = kosmes.post(f"/officer/settlements/{sid}/decide", data=decision)
        assert refused.status_code == 422 and 'id="lines[2]_reason-error"' in refused.text
        assert 'value="150,000,000"' in refused.text
        decision["lines[2].reason"] = "부스 장치비 일부 증빙 없음"
        ok = kosmes.post(f"/officer/settlements/{sid}/decide", data=decision, follow_redirects=True)
        # 10억 paid, 8억 claimed, 7.5억 recognised: 2억 unspent + 0.5억 cut = 2.5억 clawed back
        assert ok.status_code == 200 and "정산 확정" in ok.text and 'id="payment-form"' in ok.text
        assert "2억 5,000만 원" in ok.text

        firm_view = client.get(f"/settlements/{app_id}")
        assert "2억 5,000만 원" in firm_view.text and f"{FUNDS_YEAR}-04-30" in firm_view.text
        assert "부스 장치비 일부 증빙 없음" in firm_view.text
        english = client.get(f"/lang?to=en&next=/settlements/{app_id}", follow_redirects=True)
        assert "Clawback" in english.text and "KRW 250,000,000" in english.text and "환수" not in english.text

        paid = kosmes.post(f"/officer/settlements/{sid}/payments",
                           data={"csrf_token": k_csrf, "paid_on": loans.today().isoformat(), "amount": "250,000,000",
                                 "transaction_id": "NH-0001"}, follow_redirects=True)
        assert paid.status_code == 200 and "납부 완료" in paid.text

    with TestClient(app) as stranger:
        registered_firm(stranger)
        assert stranger.get(f"/settlements/{app_id}").status_code == 404
        assert stranger.get(receipt_url).status_code == 404
    with TestClient(app) as jeonnam:
        assert page_login(jeonnam, "officer.jeonnam@onestop.demo", PASSWORD).status_code == 303
        assert jeonnam.get(f"/officer/settlements/{sid}").status_code == 404
