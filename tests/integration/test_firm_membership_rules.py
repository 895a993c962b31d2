"""Firm takeover by staff accounts (issue 14 §4): only a firm's owners invite; staff accounts
(officer, evaluator, administrator) never become members — no invitation to them, no
acceptance, join request or registration by them; the last owner stays, even when two owners
demote each other at once; every change (decline included) is audited on the firm and told
to its owners; an administrator's acts on a firm's behalf are recorded as such."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from onestop.accounts import services as accounts
from onestop.accounts.model import Role
from onestop.demo.seed import PASSWORD
from tests.integration.conftest import Api, fresh_email
from tests.integration.test_boundaries import audit_of, notices


def staff_account(app: Any, role: Role, email: str | None = None) -> str:
    email = email or fresh_email(role.value)
    with app.state.db.unit_of_work() as db:
        accounts.create_account(db, email=email, password=Api.PASSWORD, name="김직원", role=role,
                                agency_id="kosmes" if role == Role.officer else None, confirmed=True)
    return email


def member_emails(owner: Api, firm_id: int) -> list[str]:
    return sorted(m["email"] for m in owner.get(f"/api/v1/firms/{firm_id}/members").json())


def test_an_administrator_cannot_invite_itself_or_anyone_into_a_firm(client: TestClient, app: Any) -> None:
    owner, newcomer = Api(client), Api(client)
    firm_id = owner.register_firm()["id"]
    admin = Api.login(client, "admin@onestop.demo", PASSWORD)
    for email in ("admin@onestop.demo", newcomer.email):
        r = admin.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": email, "role": "owner"})
        assert r.status_code == 403, r.text
        assert "대표 관리자(소유자)만" in r.json()["detail_ko"]
    assert member_emails(owner, firm_id) == [owner.email]
    assert audit_of(app, f"firm:{firm_id}", "firm.member.invite") == []


@pytest.mark.parametrize("role", [Role.officer, Role.evaluator, Role.expert, Role.admin])
def test_an_owner_cannot_invite_a_staff_account(client: TestClient, app: Any, role: Role) -> None:
    owner = Api(client)
    firm_id = owner.register_firm()["id"]
    email = staff_account(app, role)
    r = owner.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": email})
    assert r.status_code == 422 and r.json()["code"] == "invitee_staff"
    assert r.json()["errors"][0]["field"] == "email"
    assert "기업 구성원으로 초대할 수 없습니다" in r.json()["detail_ko"] and "can never be a member" in r.json()["detail"]


def test_a_staff_account_cannot_accept_an_invitation_made_before_it_existed(client: TestClient, app: Any) -> None:
    owner = Api(client)
    firm_id = owner.register_firm()["id"]
    email = fresh_email("later-officer")
    token = owner.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": email, "role": "owner"}).json()["token"]
    staff_account(app, Role.officer, email)
    officer = Api.login(client, email, Api.PASSWORD)
    by_token = officer.post("/api/v1/invitations/accept", json={"token": token})
    assert by_token.status_code == 403 and by_token.json()["code"] == "staff_account"
    assert "기관 담당자 계정은 기업 구성원이 될 수 없어" in by_token.json()["detail_ko"]
    listed = officer.get("/api/v1/invitations").json()
    by_id = officer.post("/api/v1/invitations/accept", json={"invitation_id": listed[0]["id"]})
    assert by_id.status_code == 403
    assert member_emails(owner, firm_id) == [owner.email]


@pytest.mark.parametrize("email", ["officer.kosmes@onestop.demo", "evaluator@onestop.demo", "admin@onestop.demo"])
def test_staff_accounts_neither_ask_to_join_nor_register_a_firm(client: TestClient, app: Any, email: str) -> None:
    owner = Api(client)
    firm = owner.register_firm()
    staff = Api.login(client, email, PASSWORD)
    asked = staff.post("/api/v1/join-requests", json={"brn": firm["brn"]})
    assert asked.status_code == 403 and asked.json()["code"] == "staff_account"
    from tests.conftest import example
    from tests.integration.conftest import fresh_brn

    registered = staff.post("/api/v1/firms", json={**example("young-founder"), "brn": fresh_brn()})
    assert registered.status_code == 403 and "기업을 등록할 수 없습니다" in registered.json()["detail_ko"]
    assert staff.get("/api/v1/me").json()["firms"] == {}


def test_the_firm_page_tells_a_staff_account_why_it_cannot_register(client: TestClient) -> None:
    from tests.integration.test_pages import csrf_of, firm_form, page_login

    page_login(client, "officer.kosmes@onestop.demo", PASSWORD)
    form = client.get("/firms/new")
    assert form.status_code == 403 and "기업 구성원이 될 수 없어" in form.text and 'name="brn"' not in form.text
    r = client.post("/firms/new", data={**firm_form(), "csrf_token": csrf_of(client.get("/firms").text)},
                    follow_redirects=False)
    assert r.status_code == 403 and "기업 구성원이 될 수 없어" in r.text


def test_an_invitee_declines_and_the_owners_hear_of_it(client: TestClient, app: Any) -> None:
    owner, invitee = Api(client), Api(client)
    firm_id = owner.register_firm()["id"]
    token = owner.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": invitee.email}).json()["token"]
    invitation = invitee.get("/api/v1/invitations").json()[0]["id"]
    assert Api(client).post(f"/api/v1/invitations/{invitation}/decline").status_code == 404  # not theirs
    assert invitee.post(f"/api/v1/invitations/{invitation}/decline").status_code == 204
    assert invitee.get("/api/v1/invitations").json() == []
    assert invitee.post("/api/v1/invitations/accept", json={"token": token}).status_code == 422
    assert invitee.post(f"/api/v1/invitations/{invitation}/decline").status_code == 404  # once
    actions = [r.action for r in audit_of(app, f"firm:{firm_id}", "firm.member.")]
    assert actions == ["firm.member.invite", "firm.member.decline"]
    assert any("초대를 거절했습니다" in t for t in notices(app, owner.email))


def test_the_invitations_page_offers_decline(client: TestClient, app: Any) -> None:
    from tests.integration.test_pages import csrf_of, page_login

    owner = Api(client)
    firm_id = owner.register_firm()["id"]
    with TestClient(app, client=("2001:db8::dec1", 5000)) as browser:
        invitee = Api(browser)
        owner.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": invitee.email})
        page_login(browser, invitee.email, Api.PASSWORD)
        page = browser.get("/invitations")
        invitation = invitee.get("/api/v1/invitations").json()[0]["id"]
        assert f'id="decline-{invitation}"' in page.text
        r = browser.post(f"/invitations/by-id/{invitation}/decline", data={"csrf_token": csrf_of(page.text)},
                         follow_redirects=False)
        assert r.status_code == 303 and f'id="decline-{invitation}"' not in browser.get("/invitations").text


def test_an_administrators_role_change_is_recorded_and_told_as_on_behalf(client: TestClient, app: Any) -> None:
    owner, staff = Api(client), Api(client)
    firm_id = owner.register_firm()["id"]
    token = owner.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": staff.email}).json()["token"]
    staff.post("/api/v1/invitations/accept", json={"token": token})
    staff_id = staff.get("/api/v1/me").json()["id"]
    admin = Api.login(client, "admin@onestop.demo", PASSWORD)
    assert admin.put(f"/api/v1/firms/{firm_id}/members/{staff_id}", json={"role": "owner"}).status_code == 200
    assert admin.delete(f"/api/v1/firms/{firm_id}/members/{staff_id}").status_code == 204
    rows = audit_of(app, f"firm:{firm_id}", "firm.member.")
    by_admin = [r for r in rows if r.actor == "admin"]
    assert [r.action for r in by_admin] == ["firm.member.role", "firm.member.remove"]
    assert all(r.data["on_behalf"] is True for r in by_admin)
    told = notices(app, owner.email)
    assert any("[플랫폼 관리자" in t and "대표 관리자(소유자)로 바뀌었습니다" in t for t in told)


def demote_each_other(firm_id: int, pair: tuple[Api, Api], ids: dict[str, int]) -> list[int]:
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def demote(actor: Api, other: Api) -> None:
        barrier.wait()
        codes.append(actor.put(f"/api/v1/firms/{firm_id}/members/{ids[other.email]}", json={"role": "staff"}).status_code)

    threads = [threading.Thread(target=demote, args=(a, b)) for a, b in (pair, pair[::-1])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes


def test_two_owners_demoting_each_other_at_once_leave_one_owner(client: TestClient, app: Any) -> None:
    first, second = Api(client), Api(client)
    firm_id = first.register_firm()["id"]
    token = first.post(f"/api/v1/firms/{firm_id}/invitations", json={"email": second.email, "role": "owner"}).json()["token"]
    second.post("/api/v1/invitations/accept", json={"token": token})
    ids = {a.email: a.get("/api/v1/me").json()["id"] for a in (first, second)}
    for _ in range(3):
        codes = demote_each_other(firm_id, (first, second), ids)
        roles = {m["email"]: m["role"] for m in first.get(f"/api/v1/firms/{firm_id}/members").json()}
        assert list(roles.values()).count("owner") == 1, (codes, roles)
        assert sorted(codes) in ([200, 403], [200, 422]), codes  # the loser is staff now, or the last owner
        owner, other = (first, second) if roles[first.email] == "owner" else (second, first)
        assert owner.put(f"/api/v1/firms/{firm_id}/members/{ids[other.email]}", json={"role": "owner"}).status_code == 200


# --- smaller items (fixsec item 5) --------------------------------------------------------------

def test_the_program_edit_through_the_api_needs_a_reason_like_the_page(client: TestClient) -> None:
    officer = Api.login(client, "officer.kosmes@onestop.demo", PASSWORD)
    spec = client.get("/api/v1/programs/kosmes-new-growth-fund").json()["spec"]
    for body in ({"spec": spec}, {"spec": spec, "note": "   "}):
        r = officer.put("/api/v1/programs/kosmes-new-growth-fund", json=body)
        assert r.status_code == 422 and r.json()["code"] == "note_required"
        assert r.json()["errors"][0]["field"] == "note" and "변경 사유" in r.json()["detail_ko"]
    long = officer.put("/api/v1/programs/kosmes-new-growth-fund", json={"spec": spec, "note": "가" * 501})
    assert long.status_code == 422 and long.json()["code"] == "note_too_long" and "501" in long.json()["detail"]
    created = officer.post("/api/v1/programs", json={"spec": {**spec, "id": "kosmes-no-reason"}})
    assert created.status_code == 422 and created.json()["errors"][0]["field"] == "note"


def test_a_join_request_by_a_full_width_brn_finds_the_firm(client: TestClient, app: Any) -> None:
    owner, asker = Api(client), Api(client)
    firm = owner.register_firm()
    wide = firm["brn"].translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    made = asker.post("/api/v1/join-requests", json={"brn": f" {wide} "})
    assert made.status_code == 201 and made.json()["firm_id"] == firm["id"]
    spaced = Api(client).post("/api/v1/join-requests", json={"brn": " ".join(firm["brn"].replace("-", ""))})
    assert spaced.status_code == 201 and spaced.json()["firm_id"] == firm["id"]


def test_a_booking_beyond_the_published_horizon_is_refused_by_its_field(client: TestClient) -> None:
    from datetime import datetime, timedelta

    from onestop.applications.consultations import HORIZON_DAYS, is_business_day
    from onestop.korea.dates import KST

    api = Api(client)
    firm_id = api.register_firm()["id"]
    absurd = api.post("/api/v1/consultations/bookings", json={"firm_id": firm_id, "branch": "jnsbi-hq",
                                                              "starts_at": "9999-12-30T10:00:00+09:00"})
    assert absurd.status_code == 422 and absurd.json()["errors"][0]["field"] == "starts_at"
    assert "(는)" not in absurd.json()["detail_ko"] and "+09:00은 받을 수 없는" in absurd.json()["detail_ko"]
    for when in ("2098-12-30T10:00:00+09:00", "2027-12-01T10:00:00+09:00"):
        r = api.post("/api/v1/consultations/bookings", json={"firm_id": firm_id, "branch": "jnsbi-hq", "starts_at": when})
        assert r.status_code == 422 and r.json()["code"] == "beyond_horizon", r.text
        assert r.json()["errors"][0]["field"] == "starts_at" and f"{HORIZON_DAYS}일" in r.json()["detail_ko"]
    day = datetime.now(KST).date() + timedelta(days=HORIZON_DAYS + 1)
    while not is_business_day(day):
        day += timedelta(days=1)
    assert client.get("/api/v1/consultations/slots", params={"branch": "jnsbi-hq", "date": day.isoformat()}).json() == []
    day = datetime.now(KST).date() + timedelta(days=HORIZON_DAYS - 7)
    while not is_business_day(day):
        day -= timedelta(days=1)
    inside = api.post("/api/v1/consultations/bookings", json={"firm_id": firm_id, "branch": "jnsbi-hq",
                                                              "starts_at": f"{day.isoformat()}T15:30:00+09:00"})
    assert inside.status_code == 201, inside.text


def test_a_staff_member_is_shown_who_signs_not_the_sign_action(client: TestClient, app: Any) -> None:
    from tests.integration.test_boundaries import approved

    owner, staff, _, aid = approved(client)
    with TestClient(app, client=("2001:db8::5191", 5000)) as staff_browser, \
            TestClient(app, client=("2001:db8::5192", 5000)) as owner_browser:
        from tests.integration.test_pages import page_login

        page_login(staff_browser, staff.email, Api.PASSWORD)
        page_login(owner_browser, owner.email, Api.PASSWORD)
        seen = staff_browser.get(f"/applications/{aid}").text
        assert 'id="who-signs"' in seen and "테스트 사용자" in seen and "약정서 확인·서명" not in seen
        agreement = staff_browser.get(f"/applications/{aid}/agreement").text
        assert 'id="owner-only"' in agreement and 'id="sign"' not in agreement and "테스트 사용자" in agreement
        mine = owner_browser.get(f"/applications/{aid}").text
        assert "약정서 확인·서명" in mine and 'id="who-signs"' not in mine
        assert 'id="sign"' in owner_browser.get(f"/applications/{aid}/agreement").text
