"""Boundaries between people (issue 14 §4): evaluators see only applications in evaluation,
documents included; only the owner withdraws an approved application, after confirming; no one
invites themselves, every membership change is audited and told to the owners, an
administrator's acts on a firm's behalf are recorded as such; a registered BRN leads to a
request to its owners (issue 15 item 6); each missing resource names itself."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from onestop.alerts.tables import NotificationRow
from onestop.audit.tables import AuditRow
from onestop.demo.seed import PASSWORD
from tests.integration.conftest import Api, fresh_email
from tests.integration.test_application_pages import apply, kinds_on, registered_firm, upload, version_of
from tests.integration.test_applications import PDF, draft, upload_all
from tests.integration.test_pages import csrf_of, firm_form, page_login, sign_up


def act(api: Api, aid: int, action: str, **extra: Any) -> Any:
    v = api.get(f"/api/v1/applications/{aid}").json()["version"]
    return api.post(f"/api/v1/applications/{aid}/actions", json={"action": action, "version": v, **extra})


def audit_of(app: Any, subject: str, prefix: str) -> list[AuditRow]:
    with app.state.db.unit_of_work() as db:
        return list(db.scalars(sa.select(AuditRow).where(AuditRow.subject == subject, AuditRow.action.like(f"{prefix}%"))
                               .order_by(AuditRow.seq)))


def notices(app: Any, email: str) -> list[str]:
    from onestop.accounts.tables import UserRow

    with app.state.db.unit_of_work() as db:
        return list(db.scalars(sa.select(NotificationRow.title_ko).join(UserRow, UserRow.id == NotificationRow.user_id)
                               .where(UserRow.email == email).order_by(NotificationRow.id)))


# --- evaluators --------------------------------------------------------------------------------

def test_evaluators_see_nothing_before_submission_and_only_what_is_in_evaluation(client: TestClient,
                                                                                 app: Any) -> None:
    """And only when assigned to its committee (issue 8 item 7): in evaluation but not assigned
    is "not found" as well; see tests/integration/test_committees.py for two side by side."""
    from onestop.accounts.tables import UserRow

    firm = Api(client)
    firm_id = firm.register_firm()["id"]
    r = firm.post("/api/v1/applications", json={"firm_id": firm_id, "program_id": "jnsbi-overseas-market-development"})
    aid = r.json()["id"]
    upload_all(firm, aid)
    doc = firm.get(f"/api/v1/applications/{aid}").json()["documents"][0]["id"]
    evaluator = Api.login(client, "evaluator@onestop.demo", PASSWORD)
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)

    def sees() -> tuple[int, int, bool]:
        one = evaluator.get(f"/api/v1/applications/{aid}").status_code
        download = evaluator.get(f"/api/v1/applications/{aid}/documents/{doc}").status_code
        queued = aid in [a["id"] for a in evaluator.get("/api/v1/applications/queue").json()]
        return one, download, queued

    assert sees() == (404, 404, False)  # a draft
    assert firm.post(f"/api/v1/applications/{aid}/submit", json={}).status_code == 200
    assert sees() == (404, 404, False)
    assert act(officer, aid, "start_check").status_code == 200
    assert sees() == (404, 404, False)
    assert act(officer, aid, "documents_ok").status_code == 200
    assert sees() == (404, 404, False)  # in evaluation, not assigned
    with app.state.db.unit_of_work() as db:
        uid = db.scalar(sa.select(UserRow.id).where(UserRow.email == "evaluator@onestop.demo"))
    assert officer.post(f"/api/v1/applications/{aid}/committee/assignments",
                        json={"evaluator_id": uid}).status_code == 201
    assert sees() == (200, 200, True)  # in evaluation and assigned
    assert evaluator.get(f"/api/v1/applications/{aid}").json()["actions"] == []
    assert act(officer, aid, "approve").status_code == 200
    assert sees() == (404, 404, False)
    assert all(a["state"] == "evaluation" for a in evaluator.get("/api/v1/applications/queue").json())


def test_evaluator_pages_follow_the_same_rule(client: TestClient, app: Any) -> None:
    firm = Api(client)
    aid = draft(firm, firm.register_firm()["id"])["id"]
    with TestClient(app) as evaluator:
        assert page_login(evaluator, "evaluator@onestop.demo", PASSWORD).status_code == 303
        assert evaluator.get(f"/officer/applications/{aid}").status_code == 404
        assert f"/officer/applications/{aid}" not in evaluator.get("/officer/applications").text


# --- withdrawing after approval ------------------------------------------------------------------

def approved(client: TestClient) -> tuple[Api, Api, int, int]:
    owner, staff = Api(client), Api(client)
    firm_id = owner.register_firm()["id"]
    invite = owner.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": staff.email})
    assert staff.post("/api/v1/invitations/accept", json={"token": invite.json()["token"]}).status_code == 200
    aid = draft(owner, firm_id)["id"]
    upload_all(owner, aid)
    assert owner.post(f"/api/v1/applications/{aid}/submit", json={}).status_code == 200
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    for action in ("start_check", "documents_ok", "approve"):
        assert act(officer, aid, action).status_code == 200
    return owner, staff, firm_id, aid


def test_after_approval_only_the_owner_withdraws_and_only_after_confirming(client: TestClient) -> None:
    owner, staff, _, aid = approved(client)
    assert "withdraw" not in staff.get(f"/api/v1/applications/{aid}").json()["actions"]
    by_staff = act(staff, aid, "withdraw", confirm=True)
    assert by_staff.status_code == 403 and "대표 관리자(소유자)만" in by_staff.json()["detail_ko"]
    unconfirmed = act(owner, aid, "withdraw")
    assert unconfirmed.status_code == 422 and unconfirmed.json()["code"] == "confirmation_required"
    assert owner.get(f"/api/v1/applications/{aid}").json()["state"] == "approved"
    done = act(owner, aid, "withdraw", confirm=True)
    assert done.status_code == 200 and done.json()["state"] == "withdrawn"


def test_before_approval_staff_may_still_withdraw(client: TestClient) -> None:
    owner, staff = Api(client), Api(client)
    firm_id = owner.register_firm()["id"]
    token = owner.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": staff.email}).json()["token"]
    staff.post("/api/v1/invitations/accept", json={"token": token})
    aid = draft(owner, firm_id)["id"]
    assert act(staff, aid, "withdraw").json()["state"] == "withdrawn"


def test_the_withdraw_page_asks_for_confirmation_after_approval(client: TestClient, app: Any) -> None:
    app_id, csrf = apply(client)
    detail = client.get(f"/applications/{app_id}").text
    for kind in kinds_on(detail):
        assert upload(client, app_id, csrf, kind, f"{kind}.pdf", PDF).status_code == 303
    submit = client.post(f"/applications/{app_id}/submit", follow_redirects=False,
                         data={"csrf_token": csrf, "version": version_of(client.get(f"/applications/{app_id}").text)})
    assert submit.status_code == 303
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    for action in ("start_check", "documents_ok", "approve"):
        assert act(officer, app_id, action).status_code == 200
    form = {"csrf_token": csrf, "version": version_of(client.get(f"/applications/{app_id}").text), "action": "withdraw"}
    ask = client.post(f"/applications/{app_id}/action", data=form)
    assert ask.status_code == 200 and 'id="withdraw-warning"' in ask.text and "포기" in ask.text
    assert 'name="confirm"' in ask.text and "onsubmit" not in ask.text
    unticked = client.post(f"/applications/{app_id}/action", data={**form, "confirm": "no"})
    assert unticked.status_code == 422 and "확인란" in unticked.text
    done = client.post(f"/applications/{app_id}/action", data={**form, "confirm": "yes"}, follow_redirects=True)
    assert done.status_code == 200 and "신청 철회" in done.text


# --- memberships --------------------------------------------------------------------------------

def test_no_one_invites_themselves_not_even_an_administrator(client: TestClient, app: Any) -> None:
    owner = Api(client)
    firm_id = owner.register_firm()["id"]
    self_invite = owner.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": owner.email.upper()})
    assert self_invite.status_code == 422 and self_invite.json()["code"] == "invite_self"
    admin = Api.login(client, "admin@onestop.demo", PASSWORD)
    by_admin = admin.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": "admin@onestop.demo", "role": "owner"})
    assert by_admin.status_code == 403 and "대표 관리자(소유자)만" in by_admin.json()["detail_ko"]
    assert str(firm_id) not in admin.get("/api/v1/me").json()["firms"]


def test_every_membership_change_is_audited_and_told_to_the_owners(client: TestClient, app: Any) -> None:
    owner, second, staff = Api(client), Api(client), Api(client)
    firm_id = owner.register_firm()["id"]
    subject = f"firm:{firm_id}"

    token = owner.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": second.email, "role": "owner"}).json()["token"]
    assert second.post("/api/v1/invitations/accept", json={"token": token}).json() == {"firm_id": firm_id}
    token = second.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": staff.email}).json()["token"]
    assert staff.post("/api/v1/invitations/accept", json={"token": token}).status_code == 200
    staff_id = staff.get("/api/v1/me").json()["id"]
    assert staff.put(f"/api/v1/firms/{firm_id}/members/{staff_id}", json={"role": "owner"}).status_code == 403
    promoted = owner.put(f"/api/v1/firms/{firm_id}/members/{staff_id}", json={"role": "owner"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "owner"
    assert owner.delete(f"/api/v1/firms/{firm_id}/members/{staff_id}").status_code == 204
    actions = [r.action for r in audit_of(app, subject, "firm.member.")]
    assert actions == ["firm.member.invite", "firm.member.join", "firm.member.invite", "firm.member.join",
                       "firm.member.role", "firm.member.remove"]
    assert all(r.data["on_behalf"] is False for r in audit_of(app, subject, "firm.member."))
    told = notices(app, owner.email)
    assert any("초대를 수락" in t for t in told) and any("초대했습니다" in t for t in told)  # the other owner's invitation
    assert any("역할이" in t for t in notices(app, second.email)) and any("내보냈습니다" in t for t in notices(app, staff.email))


def test_a_firm_always_keeps_an_owner_and_members_may_leave(client: TestClient) -> None:
    owner, staff = Api(client), Api(client)
    firm_id = owner.register_firm()["id"]
    owner_id = owner.get("/api/v1/me").json()["id"]
    token = owner.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": staff.email}).json()["token"]
    staff.post("/api/v1/invitations/accept", json={"token": token})
    last = owner.put(f"/api/v1/firms/{firm_id}/members/{owner_id}", json={"role": "staff"})
    assert last.status_code == 422 and last.json()["code"] == "last_owner"
    assert owner.delete(f"/api/v1/firms/{firm_id}/members/{owner_id}").json()["code"] == "last_owner"
    staff_id = staff.get("/api/v1/me").json()["id"]
    assert staff.delete(f"/api/v1/firms/{firm_id}/members/{owner_id}").status_code == 403
    assert staff.delete(f"/api/v1/firms/{firm_id}/members/{staff_id}").status_code == 204  # leaving
    assert staff.get(f"/api/v1/firms/{firm_id}").status_code == 404


def test_an_administrators_acts_on_a_firms_behalf_are_recorded_as_such(client: TestClient, app: Any) -> None:
    owner, newcomer = Api(client), Api(client)
    firm = owner.register_firm()
    admin = Api.login(client, "admin@onestop.demo", PASSWORD)
    token = owner.post(f"/api/v1/firms/{firm['id']}/invitations", json={"email": newcomer.email}).json()["token"]
    newcomer.post("/api/v1/invitations/accept", json={"token": token})
    newcomer_id = newcomer.get("/api/v1/me").json()["id"]
    assert admin.put(f"/api/v1/firms/{firm['id']}/members/{newcomer_id}", json={"role": "owner"}).status_code == 200
    firm = owner.get(f"/api/v1/firms/{firm['id']}").json()
    edited = admin.put(f"/api/v1/firms/{firm['id']}", json={"profile": {**firm["profile"], "regular_employees": 6},
                                                             "version": firm["version"]})
    assert edited.status_code == 200
    role = audit_of(app, f"firm:{firm['id']}", "firm.member.role")[0]
    assert role.actor == "admin" and role.data["on_behalf"] is True
    update = audit_of(app, f"firm:{firm['id']}", "firm.update")[0]
    assert update.actor == "admin" and update.data["on_behalf"] is True
    told = notices(app, owner.email)
    assert any(t.startswith(f"{firm['name']}: [플랫폼 관리자") and "역할이" in t for t in told)
    assert any("기업 정보를 수정" in t for t in told)


def test_the_members_page_manages_members_without_inline_script(client: TestClient, app: Any) -> None:
    firm_id, csrf = registered_firm(client)
    page = client.get(f"/firms/{firm_id}/members")
    assert page.status_code == 200 and 'id="invite-form"' in page.text and "<script>" not in page.text
    mine = client.post(f"/firms/{firm_id}/members/invite", data={"csrf_token": csrf, "email": "not-an-email"})
    assert mine.status_code == 422 and 'id="email-error"' in mine.text
    email = fresh_email()
    invited = client.post(f"/firms/{firm_id}/members/invite", data={"csrf_token": csrf, "email": email, "role": "staff"})
    assert invited.status_code == 200 and 'id="invite-link"' in invited.text and email in invited.text


# --- a BRN already registered -------------------------------------------------------------------

def test_a_registered_brn_leads_to_a_request_the_owners_accept(client: TestClient, app: Any) -> None:
    owner = Api(client)
    firm = owner.register_firm()
    with TestClient(app) as newcomer:
        csrf = sign_up(newcomer)
        taken = newcomer.post("/firms/new", data={**firm_form(brn=firm["brn"]), "csrf_token": csrf}, follow_redirects=False)
        assert taken.status_code == 303 and taken.headers["location"].startswith("/firms/join?brn=")
        page = newcomer.get(taken.headers["location"])
        assert "소유권 확인 / 기존 관리자에게 초대 요청" in page.text and f'value="{firm["brn"]}"' in page.text
        sent = newcomer.post("/firms/join", data={"csrf_token": csrf, "brn": firm["brn"], "message": "재무 담당 김입니다."})
        assert sent.status_code == 200 and 'id="join-sent"' in sent.text
        again = newcomer.post("/firms/join", data={"csrf_token": csrf, "brn": firm["brn"]})
        assert again.status_code == 200  # asking twice keeps one request

        requests = owner.get(f"/api/v1/firms/{firm['id']}/join-requests").json()
        assert len(requests) == 1 and requests[0]["message"] == "재무 담당 김입니다."
        assert any("참여를 요청했습니다" in t for t in notices(app, owner.email))
        decided = owner.post(f"/api/v1/firms/{firm['id']}/join-requests/{requests[0]['id']}", json={"accept": True})
        assert decided.status_code == 200 and decided.json()["status"] == "accepted"

        listed = newcomer.get("/invitations")
        assert firm["name"] in listed.text and "수락됨" in listed.text
        accept = newcomer.post(f"/invitations/by-id/{owner_invitation(listed.text)}",
                               data={"csrf_token": csrf_of(listed.text)}, follow_redirects=False)
        assert accept.status_code == 303 and accept.headers["location"] == f"/firms/{firm['id']}/recommendations"
    names = [m["email"] for m in owner.get(f"/api/v1/firms/{firm['id']}/members").json()]
    assert len(names) == 2
    actions = [r.action for r in audit_of(app, f"firm:{firm['id']}", "firm.member.")]
    assert actions == ["firm.member.request", "firm.member.request_accepted", "firm.member.invite", "firm.member.join"]


def owner_invitation(html: str) -> int:
    found = re.search(r'action="/invitations/by-id/(\d+)"', html)
    assert found, "no invitation on the page"
    return int(found.group(1))


def test_a_declined_request_is_told_to_the_requester(client: TestClient, app: Any) -> None:
    owner, asker = Api(client), Api(client)
    firm = owner.register_firm()
    made = asker.post("/api/v1/join-requests", json={"brn": firm["brn"].replace("-", "")})
    assert made.status_code == 201
    assert owner.post(f"/api/v1/firms/{firm['id']}/join-requests/{made.json()['id']}",
                      json={"accept": False}).json()["status"] == "declined"
    assert any("거절" in t for t in notices(app, asker.email))
    assert asker.get("/api/v1/invitations").json() == []
    unknown = asker.post("/api/v1/join-requests", json={"brn": "124-81-00998"})
    assert unknown.status_code == 422 and unknown.json()["code"] in ("firm_unregistered",)


# --- each missing resource names itself ----------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "named"), [
    ("get", "/api/v1/applications/999999", "Application not found"),
    ("get", "/api/v1/applications/{aid}/documents/999999", "Document not found"),
    ("get", "/api/v1/applications/{aid}/agreement", "no agreement"),
    ("get", "/api/v1/consultations/threads/999999", "Consultation not found"),
    ("post", "/api/v1/consultations/threads/999999/messages", "Consultation not found"),
    ("get", "/api/v1/firms/999999", "Firm not found"),
    ("get", "/api/v1/firms/999999/members", "Firm not found"),
    ("put", "/api/v1/firms/{fid}/members/999999", "Firm member not found"),
    ("post", "/api/v1/firms/{fid}/join-requests/999999", "Join request not found"),
    ("get", "/api/v1/programs/no-such-program", "Program not found"),
    ("delete", "/api/v1/saved-searches/999999", "Saved search not found"),
])
def test_each_missing_resource_names_itself(client: TestClient, method: str, path: str, named: str) -> None:
    api = Api(client)
    fid = api.register_firm()["id"]
    aid = draft(api, fid)["id"]
    bodies = {"post": {"body": "문의합니다", "accept": True}, "put": {"role": "owner"}}
    kw = {"json": bodies[method]} if method in bodies else {}
    r = getattr(api, method)(path.format(aid=aid, fid=fid), **kw)
    assert r.status_code == 404 and named in r.json()["detail"], r.text
    assert r.json()["detail_ko"].endswith("찾을 수 없습니다.") or "없습니다" in r.json()["detail_ko"]
