"""The funds pages end to end (cookie sessions, CSRF forms): an officer opens a budget (a bad
amount is refused next to its field), approval shows as committed, the firm signs, the officer
pays out from the dashboard (a bad account number is refused next to its field), the batch
page gives the bank file, and the firm sees its loan: schedule, next payment, balance."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from onestop.applications import services as applications
from onestop.applications.tables import ApplicationRow
from onestop.demo.seed import PASSWORD
from onestop.korea.dates import KST
from onestop.platform.db import utcnow
from tests.integration.funds_helpers import FUNDS_YEAR, funds_fiscal_year, principal  # noqa: F401
from tests.integration.funds_helpers import officer as officer_principal
from tests.integration.test_application_pages import registered_firm
from tests.integration.test_pages import csrf_of, page_login

pytestmark = pytest.mark.usefixtures("funds_fiscal_year")
YEAR = utcnow().astimezone(KST).year
PROGRAM = "kosmes-disaster-recovery-fund"  # 10억 원, 1.9 % fixed, 5 years with 2 years' grace


@pytest.fixture
def kosmes(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        assert page_login(c, "officer.kosmes@onestop.demo", PASSWORD).status_code == 303
        yield c


def test_budget_approval_payment_and_the_firms_loan_page(app: Any, client: TestClient, kosmes: TestClient) -> None:
    firm_id, firm_csrf = registered_firm(client)
    db = app.state.app.db
    with db.unit_of_work() as s:
        creator = principal(s, "admin@onestop.demo").user_id
        row = ApplicationRow(firm_id=firm_id, program_id=PROGRAM, agency_id="kosmes", branch="12", state="evaluation",
                             open_slot=f"{firm_id}:{PROGRAM}", created_by=creator, submitted_at=datetime.now(UTC),
                             eligibility={"status": "eligible"})
        s.add(row)
        s.flush()
        app_id = row.id

    page = kosmes.get("/officer/funds")
    assert page.status_code == 200 and "자금 현황" in page.text
    csrf = csrf_of(page.text)
    bad = kosmes.post("/officer/funds/budgets", data={"csrf_token": csrf, "program_id": PROGRAM, "fiscal_year": str(FUNDS_YEAR),
                                                      "region": "", "amount": "오십억"})
    assert bad.status_code == 422 and "원 단위 숫자" in bad.text and 'id="error-summary"' in bad.text
    assert 'value="오십억"' in bad.text  # what was typed is kept
    ok = kosmes.post("/officer/funds/budgets", data={"csrf_token": csrf, "program_id": PROGRAM, "fiscal_year": str(FUNDS_YEAR),
                                                     "region": "", "amount": "5,000,000,000"}, follow_redirects=False)
    assert ok.status_code == 303

    with db.unit_of_work() as s:
        applications.act(s, officer_principal(s), app_id, "approve", None)
    page = kosmes.get("/officer/funds")
    with db.unit_of_work() as s:
        from onestop.funds import budgets

        budget_id = budgets.find(s, PROGRAM, budgets.today(), "12").id  # type: ignore[union-attr]
    budget_row = re.search(rf'<tr id="budget-{budget_id}">(.*?)</tr>', page.text, re.S).group(1)  # type: ignore[union-attr]
    cells = re.findall(r'<td class="os-num">([\d,]+)</td>', budget_row)
    # budget, available, committed: the approval shows as committed
    assert cells[:3] == ["5,000,000,000", "4,000,000,000", "1,000,000,000"]

    agreement = client.get(f"/applications/{app_id}/agreement")
    sha = re.search(r'name="document_sha256" value="([0-9a-f]{64})"', agreement.text).group(1)  # type: ignore[union-attr]
    version = re.search(r'name="version" value="(\d+)"', agreement.text).group(1)  # type: ignore[union-attr]
    signed = client.post(f"/applications/{app_id}/agreement/sign",
                         data={"csrf_token": firm_csrf, "version": version, "document_sha256": sha, "consent": "yes"},
                         follow_redirects=False)
    assert signed.status_code == 303, signed.text

    page = kosmes.get("/officer/funds")
    assert f'id="awaiting-{app_id}"' in page.text and 'id="pay-form"' not in page.text
    assert 'id="pay-form"' in kosmes.get(f"/officer/funds?pay={app_id}").text
    form = {"csrf_token": csrf, "application_id": str(app_id), "value_date": f"{YEAR}-03-16", "bank": "기업은행",
            "account": "12-34", "holder": "순천바른빵 주식회사", "pay_amount": "", "method": "equal_principal",
            "frequency": "quarterly"}
    bad = kosmes.post("/officer/funds/batches", data=form)
    assert bad.status_code == 422 and "계좌번호" in bad.text and 'value="12-34"' in bad.text
    assert 'id="pay-form"' in bad.text  # the form is shown again with what was typed
    made = kosmes.post("/officer/funds/batches", data={**form, "account": "123-456789-01-011"}, follow_redirects=False)
    assert made.status_code == 303
    batch_url = made.headers["location"]
    batch = kosmes.get(batch_url)
    assert "123-456789-01-011" in batch.text and "지급 전" in batch.text
    csv = kosmes.get(f"{batch_url}/bank.csv")
    assert csv.status_code == 200 and "1000000000" in csv.content.decode("utf-8-sig")
    assert kosmes.get(f"{batch_url}/bank.xlsx").content[:2] == b"PK"
    paid = kosmes.post(f"{batch_url}/execute", data={"csrf_token": csrf}, follow_redirects=True)
    assert "지급 완료" in paid.text
    again = kosmes.post(f"{batch_url}/execute", data={"csrf_token": csrf}, follow_redirects=True)
    assert again.status_code == 200 and again.text.count("지급 완료") == 1  # paying again pays nothing

    mine = client.get("/loans")
    loan_url = re.search(r'href="(/loans/\d+)"', mine.text).group(1)  # type: ignore[union-attr]
    loan = client.get(loan_url)
    assert loan.status_code == 200 and 'id="schedule"' in loan.text
    assert "1.9%" in loan.text and "원금균등분할상환" in loan.text
    # 10억 원 at 1.9 %: 4,750,000 won interest a quarter during the grace period
    assert "4,750,000" in loan.text and "10억 원" in loan.text
    english = client.get(f"/lang?to=en&next={loan_url}", follow_redirects=True)
    assert "Schedule" in english.text and "equal principal" in english.text
    with TestClient(app) as stranger:
        registered_firm(stranger)
        assert stranger.get(loan_url).status_code == 404
    with db.unit_of_work() as s:
        assert principal(s, "officer.jeonnam@onestop.demo").agency_id == "jnsbi"
