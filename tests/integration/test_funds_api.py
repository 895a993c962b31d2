"""The funds JSON API with the pages' authorization: an officer batches and pays a signed loan
agreement through the API; the firm's owner sees its loan, schedule and position, another
firm and another agency's officer get 404 for it; only the agency's officer records a payment
(once per transaction id); budgets and the trial balance are the officer's; anonymous is 401."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from onestop.accounts.tables import UserRow
from onestop.applications import services as applications
from onestop.applications.lifecycle import Actor
from onestop.demo.seed import PASSWORD
from onestop.funds import budgets, loans
from tests.integration.conftest import Api
from tests.integration.funds_helpers import (  # noqa: F401
    firm_owner,
    funds_fiscal_year,
    in_evaluation,
    officer,
)

pytestmark = pytest.mark.usefixtures("funds_fiscal_year")
#: its own fiscal year: the program is budgeted by other modules too
FISCAL_YEAR = 2092
PROGRAM = "kosmes-disaster-recovery-fund"  # 10억 원, 1.9 % fixed, 5 years with 2 years' grace


def _owner_email(s: Any, firm_id: int) -> str:
    user = s.get(UserRow, firm_owner(s, firm_id).user_id)
    assert user is not None
    return str(user.email)


def test_loans_batches_and_budgets_through_the_api(app: Any, client: TestClient) -> None:
    db = app.state.app.db
    with db.unit_of_work() as s:
        if budgets.find(s, PROGRAM, budgets.today(), "") is None:
            budgets.create(s, officer(s), PROGRAM, FISCAL_YEAR, 10**11)
        aid, other_aid = in_evaluation(s, PROGRAM, 2, owned=True)
    for app_id in (aid, other_aid):
        with db.unit_of_work() as s:
            applications.act(s, officer(s), app_id, "approve", None)
        with db.unit_of_work() as s:
            row, _ = applications.get(s, officer(s), app_id)
            applications._move(s, None, row, "sign", Actor.firm, None)  # signing is tested with the pages
    with db.unit_of_work() as s:
        rows = [applications.get(s, officer(s), a)[0] for a in (aid, other_aid)]
        owner, other_owner = (_owner_email(s, r.firm_id) for r in rows)

    assert client.get("/api/v1/funds/loans").status_code == 401
    kosmes = Api.login(client, "officer.kosmes@onestop.demo", PASSWORD)
    made = kosmes.post("/api/v1/funds/batches", json={"value_date": loans.today().isoformat(), "lines": [
        {"application_id": aid, "bank": "기업은행", "account": "123-456789-01-011", "holder": "피해복구 주식회사"},
        {"application_id": other_aid, "bank": "국민은행", "account": "12", "holder": "다른 주식회사"}]})
    assert made.status_code == 201, made.text
    batch = made.json()
    assert [x["application_id"] for x in batch["lines"]] == [aid]
    assert batch["refused"][0]["field"] == "account" and batch["lines"][0]["paid"] is False
    paid = kosmes.post(f"/api/v1/funds/batches/{batch['id']}/execute")
    assert paid.status_code == 200 and paid.json() == {"paid": 1, "already": 0, "failed": []}
    again = kosmes.post(f"/api/v1/funds/batches/{batch['id']}/execute").json()
    assert (again["paid"], again["already"]) == (0, 1)  # a re-run never pays twice
    assert kosmes.get(f"/api/v1/funds/batches/{batch['id']}").json()["lines"][0]["paid"] is True

    firm = Api.login(client, owner, PASSWORD)
    mine = firm.get("/api/v1/funds/loans").json()  # its loans (the firm may hold others from other tests)
    assert aid in [x["application_id"] for x in mine] and {x["firm_id"] for x in mine} == {rows[0].firm_id}
    loan_id = next(x["id"] for x in mine if x["application_id"] == aid)
    detail = firm.get(f"/api/v1/funds/loans/{loan_id}").json()
    assert detail["amount"] == 1_000_000_000 and detail["rate_pct"] == "1.9" and detail["term_months"] == 60
    assert detail["schedule"][0]["interest"] == 4_750_000 and detail["position"]["bucket"] == "current"
    assert firm.get(f"/api/v1/funds/loans/{loan_id}/schedule").json() == detail["schedule"]
    assert firm.post(f"/api/v1/funds/loans/{loan_id}/payments", json={
        "paid_on": loans.today().isoformat(), "amount": 1000, "transaction_id": "T-1"}).status_code == 404
    assert firm.get("/api/v1/funds/budgets").status_code == 404
    assert firm.get("/api/v1/funds/trial-balance").status_code == 404

    stranger = Api.login(client, other_owner, PASSWORD)
    assert stranger.get(f"/api/v1/funds/loans/{loan_id}").status_code == 404
    assert loan_id not in [x["id"] for x in stranger.get("/api/v1/funds/loans").json()]
    jeonnam = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    assert jeonnam.get(f"/api/v1/funds/loans/{loan_id}").status_code == 404
    assert jeonnam.get(f"/api/v1/funds/batches/{batch['id']}").status_code == 404
    assert all(b["program_id"] != PROGRAM for b in jeonnam.get("/api/v1/funds/budgets").json())

    payment = {"paid_on": loans.today().isoformat(), "amount": 4_750_000, "transaction_id": "IBK-77"}
    first = kosmes.post(f"/api/v1/funds/loans/{loan_id}/payments", json=payment)
    second = kosmes.post(f"/api/v1/funds/loans/{loan_id}/payments", json=payment)
    assert first.status_code == second.status_code == 201 and first.json()["id"] == second.json()["id"]
    too_much = kosmes.post(f"/api/v1/funds/loans/{loan_id}/payments", json={**payment, "transaction_id": "IBK-78",
                                                                            "amount": 5 * 10**9})
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "amount"
    assert [p["id"] for p in firm.get(f"/api/v1/funds/loans/{loan_id}/payments").json()] == [first.json()["id"]]

    budget = next(b for b in kosmes.get("/api/v1/funds/budgets").json()
                  if b["program_id"] == PROGRAM and b["fiscal_year"] == FISCAL_YEAR)
    assert budget["disbursed"] >= 1_000_000_000 and budget["repaid"] >= 4_750_000
    assert kosmes.get(f"/api/v1/funds/budgets/{budget['id']}").json() == budget
    assert jeonnam.get(f"/api/v1/funds/budgets/{budget['id']}").status_code == 404
    tb = kosmes.get("/api/v1/funds/trial-balance", params={"program_id": PROGRAM}).json()
    assert tb["balanced"] and tb["debits"] == tb["credits"] > 0
    assert {x["gl_code"] for x in tb["lines"]} >= {"1210", "3100"}
    over = kosmes.post("/api/v1/funds/budgets", json={"program_id": PROGRAM, "fiscal_year": FISCAL_YEAR, "amount": 1})
    assert over.status_code == 409  # the program's budget of that year exists
