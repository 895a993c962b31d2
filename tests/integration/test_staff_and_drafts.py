"""A draft belongs to the firm until it is submitted (issue 14 §4): the program's officer, an
administrator and an evaluator get 404 for a draft, its documents and its pages, and do not
find it in their queues; after submission the officer and administrator see it. Two people
side by side: the firm in one browser session, staff in another."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from onestop.demo.seed import PASSWORD
from tests.integration.conftest import Api
from tests.integration.test_applications import draft, upload_all
from tests.integration.test_pages import page_login

STAFF = ["officer.jeonnam@onestop.demo", "admin@onestop.demo", "evaluator@onestop.demo"]


def what_staff_sees(staff: Api, browser: TestClient, aid: int, doc: int) -> dict[str, int | bool]:
    return {
        "api": staff.get(f"/api/v1/applications/{aid}").status_code,
        "document": staff.get(f"/api/v1/applications/{aid}/documents/{doc}").status_code,
        "agreement": staff.get(f"/api/v1/applications/{aid}/agreement").status_code,
        "queued": aid in [a["id"] for a in staff.get("/api/v1/applications/queue").json()],
        "review page": browser.get(f"/officer/applications/{aid}").status_code,
        "firm page": browser.get(f"/applications/{aid}").status_code,
        "listed": f"/officer/applications/{aid}\"" in browser.get("/officer/applications").text,
    }


@pytest.mark.parametrize("email", STAFF)
def test_staff_get_404_for_a_draft_and_its_documents(client: TestClient, app: Any, email: str) -> None:
    firm = Api(client)
    aid = draft(firm, firm.register_firm()["id"])["id"]
    upload_all(firm, aid)
    doc = firm.get(f"/api/v1/applications/{aid}").json()["documents"][0]["id"]
    assert firm.get(f"/api/v1/applications/{aid}/documents/{doc}").status_code == 200  # the firm's own
    staff = Api.login(client, email, PASSWORD)
    with TestClient(app, client=("2001:db8::5ca1", 5000)) as browser:
        assert page_login(browser, email, PASSWORD).status_code == 303
        hidden = {"api": 404, "document": 404, "agreement": 404, "queued": False, "review page": 404,
                  "firm page": 404, "listed": False}
        assert what_staff_sees(staff, browser, aid, doc) == hidden
        act = staff.post(f"/api/v1/applications/{aid}/actions", json={"action": "start_check", "version": 1})
        assert act.status_code == 404

        assert firm.post(f"/api/v1/applications/{aid}/submit", json={}).status_code == 200
        seen = what_staff_sees(staff, browser, aid, doc)
        if email == "evaluator@onestop.demo":  # not before evaluation
            assert seen == hidden
        else:
            assert (seen["api"], seen["document"], seen["queued"], seen["review page"]) == (200, 200, True, 200)


def test_a_draft_withdrawn_before_submission_stays_the_firms(client: TestClient) -> None:
    firm = Api(client)
    aid = draft(firm, firm.register_firm()["id"])["id"]
    version = firm.get(f"/api/v1/applications/{aid}").json()["version"]
    withdrawn = firm.post(f"/api/v1/applications/{aid}/actions", json={"action": "withdraw", "version": version})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    for email in STAFF[:2]:
        staff = Api.login(client, email, PASSWORD)
        assert staff.get(f"/api/v1/applications/{aid}").status_code == 404
        assert aid not in [a["id"] for a in staff.get("/api/v1/applications/queue").json()]
