"""The HTTP API on SQLite (and PostgreSQL in CI): accounts, firms, catalog, matching, alerts."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from onestop.demo.seed import PASSWORD
from tests.conftest import example
from tests.integration.conftest import Api, fresh_brn, fresh_email

PROBLEM = "application/problem+json"


def problem_fields(r: Any) -> dict[str, dict[str, str]]:
    assert r.headers["content-type"].startswith(PROBLEM), r.text
    body = r.json()
    assert {"type", "title", "status", "detail", "errors"} <= set(body)
    return {e["field"]: e for e in body["errors"]}


def test_healthz_reports_versions(client: TestClient, database_url: str) -> None:
    from onestop.platform.migrate import head_revision

    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["app_version"]
    assert body["schema_revision"] == head_revision(database_url)
    assert body["catalog_revision"] >= 1


def test_signup_errors_name_fields_in_both_languages(client: TestClient) -> None:
    r = client.post("/api/v1/auth/signup", json={"email": "nope", "password": "short", "name": ""})
    assert r.status_code == 422
    fields = problem_fields(r)
    assert {"email", "password", "name", "consents.terms", "consents.privacy"} <= set(fields)
    assert "10자" in fields["password"]["ko"] and "10 characters" in fields["password"]["en"]


def test_wrong_password_then_throttled(client: TestClient) -> None:
    api = Api(client)
    for _ in range(5):
        r = client.post("/api/v1/auth/token", json={"email": api.email, "password": "wrong-password!"})
        assert r.status_code == 401 and "비밀번호" in r.json()["detail_ko"]
    r = client.post("/api/v1/auth/token", json={"email": api.email, "password": Api.PASSWORD})
    assert r.status_code == 429 and r.headers["retry-after"]


def test_firm_registration_and_bad_brn(client: TestClient) -> None:
    api = Api(client)
    bad = api.post("/api/v1/firms", json={**example("young-founder"), "brn": "124-81-00999"})
    assert bad.status_code == 422
    assert "검증번호" in problem_fields(bad)["brn"]["ko"]
    firm = api.register_firm()
    assert firm["version"] == 1 and firm["profile"]["region"] == "12150"
    again = api.post("/api/v1/firms", json={**example("young-founder"), "brn": firm["brn"]})
    assert again.status_code == 409 and "brn" in problem_fields(again)
    me = api.get("/api/v1/me").json()
    assert me["firms"] == {str(firm["id"]): "owner"}


def test_a_member_never_sees_another_firm(client: TestClient) -> None:
    alice, bob = Api(client), Api(client)
    firm = alice.register_firm()
    fid = firm["id"]
    for method, url, body in (
        ("get", f"/api/v1/firms/{fid}", None),
        ("put", f"/api/v1/firms/{fid}", {"profile": firm["profile"]}),
        ("get", f"/api/v1/firms/{fid}/recommendations", None),
        ("get", f"/api/v1/firms/{fid}/eligibility/kosmes-youth-startup-fund", None),
        ("get", f"/api/v1/firms/{fid}/size", None),
        ("post", f"/api/v1/firms/{fid}/invitations", {"email": bob.email}),
    ):
        r = getattr(bob, method)(url, json=body) if body is not None else getattr(bob, method)(url)
        assert r.status_code == 404, (method, url, r.text)
        assert firm["brn"] not in r.text and firm["profile"]["name"] not in r.text
    missing = bob.get("/api/v1/firms/99999999")
    assert missing.status_code == 404 and missing.json()["detail"] == bob.get(f"/api/v1/firms/{fid}").json()["detail"]
    assert bob.get("/api/v1/firms").json() == []
    assert bob.get("/api/v1/me").json()["firms"] == {}
    assert client.get(f"/api/v1/firms/{fid}").status_code == 401


def test_owner_invites_staff_who_can_read_but_not_invite(client: TestClient) -> None:
    owner, staff, outsider = Api(client), Api(client), Api(client)
    fid = owner.register_firm()["id"]
    invite = owner.post(f"/api/v1/firms/{fid}/invitations", json={"email": staff.email})
    assert invite.status_code == 201
    token = invite.json()["token"]
    assert outsider.post("/api/v1/invitations/accept", json={"token": token}).status_code == 422
    assert staff.post("/api/v1/invitations/accept", json={"token": token}).json() == {"firm_id": fid}
    assert staff.get(f"/api/v1/firms/{fid}").status_code == 200
    assert staff.get("/api/v1/me").json()["firms"] == {str(fid): "staff"}
    assert staff.post(f"/api/v1/firms/{fid}/invitations", json={"email": fresh_email()}).status_code == 403


def test_concurrent_edit_is_refused_with_a_clear_conflict(client: TestClient) -> None:
    api = Api(client)
    firm = api.register_firm()
    first = api.put(f"/api/v1/firms/{firm['id']}", json={"profile": {**firm["profile"], "regular_employees": 5},
                                                        "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = api.put(f"/api/v1/firms/{firm['id']}", json={"profile": {**firm["profile"], "regular_employees": 6},
                                                        "version": 1})
    assert stale.status_code == 409 and "다른 사람이" in stale.json()["detail_ko"]
    assert api.get(f"/api/v1/firms/{firm['id']}").json()["profile"]["regular_employees"] == 5


def test_recommendations_record_the_versions_used(client: TestClient, app: Any) -> None:
    api = Api(client)
    firm = api.register_firm()
    rec = api.get(f"/api/v1/firms/{firm['id']}/recommendations", params={"date": "2026-02-02"}).json()
    assert "kosmes-youth-startup-fund" in [r["program_id"] for r in rec["eligible"]]
    assert rec["parameters_version"] == "2026" and rec["catalog_revision"] >= 1
    assert any(p[0] == "kosmes-youth-startup-academy" for p in rec["packages"])
    from sqlalchemy import select

    from onestop.matching.tables import EvaluationRow

    with app.state.db.unit_of_work() as s:
        row = s.scalars(select(EvaluationRow).where(EvaluationRow.firm_id == firm["id"])).one()
        assert row.catalog_revision == rec["catalog_revision"] and row.parameters_version == "2026"
    check = api.get(f"/api/v1/firms/{firm['id']}/eligibility/kosmes-new-growth-fund").json()
    assert check["status"] == "not_eligible"
    assert any(c["fact"] == "business_age_years" and c["status"] == "not_met" for c in check["criteria"])


def test_program_search_handles_particles_and_filters(client: TestClient) -> None:
    ids = [p["id"] for p in client.get("/api/v1/programs", params={"q": "청년창업자금을"}).json()["items"]]
    assert ids[0] == "kosmes-youth-startup-fund"
    spaced = [p["id"] for p in client.get("/api/v1/programs", params={"q": "청년 창업 자금"}).json()["items"]]
    assert "kosmes-youth-startup-fund" in spaced[:3]
    regional = client.get("/api/v1/programs", params={"region": "11", "category": "regional"}).json()["items"]
    assert "jeonnam-sme-development-fund" not in [p["id"] for p in regional]
    jeonnam = client.get("/api/v1/programs", params={"region": "12150", "q": "육성자금"}).json()["items"]
    assert "jeonnam-sme-development-fund" in [p["id"] for p in jeonnam]
    loans = client.get("/api/v1/programs", params={"support_type": "loan", "limit": 200}).json()["items"]
    assert loans and all(p["support_type"] == "loan" for p in loans)
    dated = client.get("/api/v1/programs", params={"open_on": "2026-02-02", "sort": "deadline"}).json()["items"]
    closes = [p["closes"] for p in dated if p["closes"]]
    assert closes == sorted(closes) and dated[0]["closes"] is not None
    bad = client.get("/api/v1/programs", params={"region": "99"})
    assert bad.status_code == 422 and "region" in problem_fields(bad)


def test_quick_check_without_an_account(client: TestClient) -> None:
    r = client.post("/api/v1/eligibility/quick", json={
        "program_id": "kosmes-youth-startup-fund",
        "answers": {"ceo_birth_date": "1992-05-10", "founded_on": "2025-01-02"}})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "unknown"
    statuses = {c["fact"]: c["status"] for c in body["criteria"]}
    assert statuses["ceo_age"] == "met" and statuses["is_sme"] == "unknown"
    bad = client.post("/api/v1/eligibility/quick", json={"program_id": "kosmes-youth-startup-fund",
                                                          "answers": {"ksic": "Z999"}})
    assert bad.status_code == 422


def spec_of(client: TestClient, program_id: str) -> dict[str, Any]:
    return dict(client.get(f"/api/v1/programs/{program_id}").json()["spec"])


def test_officer_edits_only_his_agency_and_every_edit_is_a_version(client: TestClient) -> None:
    kosmes = Api.login(client, "officer.kosmes@onestop.demo", PASSWORD)
    jeonnam = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    member = Api(client)
    spec = spec_of(client, "jeonnam-sme-development-fund")
    before = len(client.get("/api/v1/programs/jeonnam-sme-development-fund/history").json())
    assert kosmes.put("/api/v1/programs/jeonnam-sme-development-fund", json={"spec": spec}).status_code == 403
    assert member.put("/api/v1/programs/jeonnam-sme-development-fund", json={"spec": spec}).status_code == 403
    spec["budget"] = (spec.get("budget") or 0) + 1_000_000_000
    r = jeonnam.put("/api/v1/programs/jeonnam-sme-development-fund", json={"spec": spec, "note": "예산 증액"})
    assert r.status_code == 200 and r.json()["changed"]
    history = client.get("/api/v1/programs/jeonnam-sme-development-fund/history").json()
    assert len(history) == before + 1 and history[0]["note"] == "예산 증액" and history[0]["changed"] == ["budget"]
    same = jeonnam.put("/api/v1/programs/jeonnam-sme-development-fund", json={"spec": spec, "note": "재확인"})
    assert same.json()["changed"] is False


def test_rule_errors_name_the_rule_and_preview_counts_firms(client: TestClient) -> None:
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    spec = spec_of(client, "jeonnam-sme-development-fund")
    broken = {**spec, "eligibility": {"all": [{"fact": "ceo_agee", "op": "<=", "value": 39}]}}
    r = officer.put("/api/v1/programs/jeonnam-sme-development-fund", json={"spec": broken})
    assert r.status_code == 422
    (field, err), = problem_fields(r).items()
    assert "eligibility.all[0]" in field and "ceo_agee" in err["en"]
    wide = officer.post("/api/v1/programs/preview", json={"spec": {**spec, "eligibility": {
        "fact": "is_sme", "op": "==", "value": True}}}).json()
    narrow = officer.post("/api/v1/programs/preview", json={"spec": {**spec, "eligibility": {"all": [
        {"fact": "is_sme", "op": "==", "value": True}, {"fact": "capital_area", "op": "==", "value": True}]}}}).json()
    assert wide["total"] >= 60 and 0 < narrow["met"] < wide["met"]
    assert wide["met"] + wide["unknown"] + wide["not_met"] == wide["total"]
    assert Api(client).post("/api/v1/programs/preview", json={"spec": spec}).status_code == 403


def test_new_program_alerts_matching_saved_searches(client: TestClient) -> None:
    watcher = Api(client)
    saved = watcher.post("/api/v1/saved-searches", json={"name": "전남 스마트", "query": {"q": "전남 스마트팩토리"}})
    assert saved.status_code == 201
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    spec = {**spec_of(client, "jeonnam-sme-development-fund"), "id": f"jeonnam-smart-factory-{fresh_brn()[-5:]}",
            "name": {"ko": "전남 스마트팩토리 전환 지원", "en": "Jeonnam smart factory transition"},
            "links": {}}
    created = officer.post("/api/v1/programs", json={"spec": spec, "note": "신규"})
    assert created.status_code == 201, created.text
    notes = watcher.get("/api/v1/notifications").json()
    assert notes and spec["id"] in notes[0]["link"] and "전남 스마트" in notes[0]["title_ko"]
    assert watcher.post("/api/v1/notifications/read").status_code == 204
    assert all(n["read"] for n in watcher.get("/api/v1/notifications").json())
    other = Api(client)
    assert other.get("/api/v1/notifications").json() == []
    assert other.delete(f"/api/v1/saved-searches/{saved.json()['id']}").status_code == 404


def test_sign_out_everywhere_revokes_tokens(client: TestClient) -> None:
    api = Api(client)
    assert api.get("/api/v1/me").status_code == 200
    assert api.post("/api/v1/auth/signout-everywhere").status_code == 204
    r = api.get("/api/v1/me")
    assert r.status_code == 401 and r.headers["content-type"].startswith(PROBLEM)


def test_firm_register_validation_keeps_nothing_partial(client: TestClient) -> None:
    api = Api(client)
    r = api.post("/api/v1/firms", json={"brn": fresh_brn(), "name": "x"})
    assert r.status_code == 422 and {"ksic", "region", "founded_on"} <= set(problem_fields(r))
    assert api.get("/api/v1/firms").json() == []
    live = client.post("/api/v1/validate/firm", json={**example("young-founder"), "brn": "1234567890"})
    assert live.json()["valid"] is False and live.json()["errors"][0]["field"] == "brn"
