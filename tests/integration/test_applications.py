"""Applying online end to end through the API: lifecycle, documents, eligibility at submission,
supplements, decisions, the e-agreement, idempotency, one open application, optimistic locking,
consultations, and the hash-chained audit trail (tampering is caught)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from onestop.applications.consultations import KST, is_business_day
from onestop.applications.lifecycle import markdown
from onestop.applications.tables import ApplicationRow
from onestop.demo.seed import PASSWORD
from tests.integration.conftest import Api

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PROGRAM = "jeonnam-sme-development-fund"


def xlsx() -> bytes:
    from tests.files import xlsx as workbook

    return workbook()


def draft(api: Api, firm_id: int, key: str | None = None) -> dict[str, Any]:
    headers = {**api.headers, **({"Idempotency-Key": key} if key else {})}
    r = api.client.post("/api/v1/applications", json={"firm_id": firm_id, "program_id": PROGRAM}, headers=headers)
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


def upload_all(api: Api, app_id: int) -> None:
    detail = api.get(f"/api/v1/applications/{app_id}").json()
    kinds = {"business_plan"}
    r = api.post(f"/api/v1/applications/{app_id}/documents", data={"kind": "nope"}, files={"file": ("a.pdf", PDF)})
    if r.status_code == 422 and "allowed" in r.json()["detail"]:
        kinds = {k.strip(" .'") for k in r.json()["detail"].split("allowed:")[1].split(",")} - {"other"}
    for kind in kinds:
        ok = api.post(f"/api/v1/applications/{app_id}/documents", data={"kind": kind}, files={"file": (f"{kind}.pdf", PDF)})
        assert ok.status_code == 201, ok.text
    assert detail["state"] == "draft"


def test_lifecycle_doc_is_generated_from_code() -> None:
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "applications-lifecycle.md"
    assert doc.read_text(encoding="utf-8") == markdown(), "run `onestop docs lifecycle`"


def test_apply_supplement_approve_sign(client: TestClient, app: Any) -> None:
    firm_api = Api(client)
    firm = firm_api.register_firm()
    app_row = draft(firm_api, firm["id"], key="click-1")
    again = draft(firm_api, firm["id"], key="click-1")
    assert again["id"] == app_row["id"]  # a double click makes one application
    other = client.post("/api/v1/applications", json={"firm_id": firm["id"], "program_id": PROGRAM},
                        headers=firm_api.headers)
    assert other.status_code == 409 and "하나만" in other.json()["detail_ko"]
    aid = app_row["id"]
    bad = firm_api.post(f"/api/v1/applications/{aid}/documents", data={"kind": "other"},
                        files={"file": ("evil.pdf", b"MZ\x90\x00 not a pdf")})
    assert bad.status_code == 422 and "PDF" in bad.json()["detail"]
    assert firm_api.post(f"/api/v1/applications/{aid}/submit", json={}).status_code == 422  # documents missing
    upload_all(firm_api, aid)
    sheet = firm_api.post(f"/api/v1/applications/{aid}/documents", data={"kind": "other"},
                          files={"file": ("figures.xlsx", xlsx())})
    assert sheet.status_code == 201 and sheet.json()["content_type"].endswith("spreadsheetml.sheet")
    submitted = firm_api.post(f"/api/v1/applications/{aid}/submit", json={"version": 1})
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["state"] == "submitted" and body["eligibility"]["status"] == "eligible"
    assert body["eligibility"]["parameters_version"] == "2026" and body["eligibility"]["catalog_revision"] >= 1

    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    kosmes = Api.login(client, "officer.kosmes@onestop.demo", PASSWORD)
    assert kosmes.get(f"/api/v1/applications/{aid}").status_code == 404  # another agency
    assert Api(client).get(f"/api/v1/applications/{aid}").status_code == 404  # another firm
    queue = officer.get("/api/v1/applications/queue", params={"state": "submitted"}).json()
    assert aid in [a["id"] for a in queue]
    v = officer.get(f"/api/v1/applications/{aid}").json()["version"]
    illegal = officer.post(f"/api/v1/applications/{aid}/actions", json={"action": "approve", "version": v})
    assert illegal.status_code == 422 and "possible now" in illegal.json()["detail"]
    assert firm_api.post(f"/api/v1/applications/{aid}/actions", json={"action": "start_check"}).status_code == 403
    v = officer.post(f"/api/v1/applications/{aid}/actions", json={"action": "start_check", "version": v}).json()["version"]
    stale = officer.post(f"/api/v1/applications/{aid}/actions",
                         json={"action": "documents_ok", "version": v - 1})
    assert stale.status_code == 409
    sup = officer.post(f"/api/v1/applications/{aid}/actions", json={
        "action": "request_supplement", "version": v, "supplements": {"other": "최근 재무제표를 첨부해 주세요"}})
    assert sup.status_code == 200 and sup.json()["state"] == "supplement_requested"
    notes = firm_api.get("/api/v1/notifications").json()
    assert any("보완" in n["title_ko"] for n in notes)
    early = firm_api.post(f"/api/v1/applications/{aid}/actions", json={"action": "resubmit"})
    assert early.status_code == 422
    firm_api.post(f"/api/v1/applications/{aid}/documents", data={"kind": "other"}, files={"file": ("fs.pdf", PDF + b" ")})
    v = firm_api.get(f"/api/v1/applications/{aid}").json()["version"]
    assert firm_api.post(f"/api/v1/applications/{aid}/actions", json={"action": "resubmit", "version": v}).status_code == 200
    for action in ("documents_ok", "approve"):
        v = officer.get(f"/api/v1/applications/{aid}").json()["version"]
        r = officer.post(f"/api/v1/applications/{aid}/actions", json={"action": action, "version": v})
        assert r.status_code == 200, r.text
    agreement = firm_api.get(f"/api/v1/applications/{aid}/agreement").json()
    assert "전자약정서" in agreement["document"] and agreement["signed_at"] is None
    v = firm_api.get(f"/api/v1/applications/{aid}").json()["version"]
    wrong = firm_api.post(f"/api/v1/applications/{aid}/agreement/sign", json={"document_sha256": "0" * 64, "version": v})
    assert wrong.status_code == 422
    signed = firm_api.post(f"/api/v1/applications/{aid}/agreement/sign",
                           json={"document_sha256": agreement["sha256"], "version": v}, headers={"user-agent": "pytest"})
    assert signed.status_code == 200 and signed.json()["signed_at"]
    final = firm_api.get(f"/api/v1/applications/{aid}").json()
    assert final["state"] == "agreement_signed"
    assert [e["action"] for e in final["timeline"]] == [
        "create", "submit", "start_check", "request_supplement", "resubmit", "documents_ok", "approve", "sign"]
    # A signed agreement cannot change, even by SQL.
    with app.state.db.engine.begin() as conn:
        try:
            conn.execute(sa.text("UPDATE agreements SET document = 'x' WHERE application_id = :a"), {"a": aid})
            changed = True
        except sa.exc.DBAPIError:
            changed = False
    assert not changed
    admin = Api.login(client, "admin@onestop.demo", PASSWORD)
    assert admin.get("/api/v1/audit/verify").json()["ok"] is True


def test_rejection_needs_a_reason_and_override_is_recorded(client: TestClient) -> None:
    firm_api = Api(client)
    firm = firm_api.register_firm(region="11680")  # outside 전남: not eligible for the 전남 fund
    aid = draft(firm_api, firm["id"])["id"]
    upload_all(firm_api, aid)
    body = firm_api.post(f"/api/v1/applications/{aid}/submit", json={}).json()
    assert body["eligibility"]["status"] == "not_eligible"
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    for action in ("start_check", "documents_ok"):
        officer.post(f"/api/v1/applications/{aid}/actions", json={"action": action})
    assert officer.post(f"/api/v1/applications/{aid}/actions", json={"action": "approve"}).status_code == 422
    assert officer.post(f"/api/v1/applications/{aid}/actions", json={"action": "reject"}).status_code == 422
    r = officer.post(f"/api/v1/applications/{aid}/override", json={"reason": "본사 이전 확약서 제출로 예외 인정"})
    assert r.json()["override"]["reason"] == "본사 이전 확약서 제출로 예외 인정"
    assert officer.post(f"/api/v1/applications/{aid}/actions", json={"action": "approve"}).status_code == 200


def test_expired_drafts_free_the_slot(client: TestClient, app: Any) -> None:
    from onestop.applications.services import expire_overdue

    firm_api = Api(client)
    firm = firm_api.register_firm()
    aid = draft(firm_api, firm["id"])["id"]
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    past = (datetime.now(KST) - timedelta(hours=1)).isoformat()
    shorten = officer.post(f"/api/v1/applications/{aid}/deadline", json={"until": past, "reason": "테스트"})
    assert shorten.status_code == 404  # a draft is the firm's until submitted: no officer sees or moves it
    with app.state.db.unit_of_work() as s:  # the program's window closed an hour ago
        s.execute(sa.update(ApplicationRow).where(ApplicationRow.id == aid).values(
            deadline_at=datetime.now(KST) - timedelta(hours=1)))
    late = firm_api.post(f"/api/v1/applications/{aid}/submit", json={})
    assert late.status_code == 422 and "마감" in late.json()["detail_ko"]
    with app.state.db.unit_of_work() as s:
        assert expire_overdue(s) >= 1
    assert firm_api.get(f"/api/v1/applications/{aid}").json()["state"] == "expired"
    assert draft(firm_api, firm["id"])["id"] != aid


def test_consultation_booking_on_business_days_without_double_booking(client: TestClient) -> None:
    a, b = Api(client), Api(client)
    fa, fb = a.register_firm()["id"], b.register_firm()["id"]
    day = datetime.now(KST).date() + timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    free = client.get("/api/v1/consultations/slots", params={"branch": "jnsbi-hq", "date": day.isoformat()}).json()
    assert free and free[0].endswith("09:00:00+09:00")
    slot = free[0]
    first = a.post("/api/v1/consultations/bookings", json={"firm_id": fa, "branch": "jnsbi-hq", "starts_at": slot})
    assert first.status_code == 201
    second = b.post("/api/v1/consultations/bookings", json={"firm_id": fb, "branch": "jnsbi-hq", "starts_at": slot})
    assert second.status_code == 409
    chuseok = "2026-09-25T10:00:00+09:00"
    holiday = a.post("/api/v1/consultations/bookings", json={"firm_id": fa, "branch": "jnsbi-hq",
                                                             "starts_at": chuseok})
    assert holiday.status_code == 422
    thread = a.post("/api/v1/consultations/threads", json={"firm_id": fa, "agency_id": "jnsbi", "subject": "육성자금 문의",
                                                           "body": "시설자금도 신청할 수 있나요?"}).json()
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    assert officer.post(f"/api/v1/consultations/threads/{thread['id']}/messages",
                        json={"body": "네, 가능합니다."}).status_code == 201
    history = a.get(f"/api/v1/consultations/threads/{thread['id']}").json()
    assert [m["body"] for m in history["messages"]] == ["시설자금도 신청할 수 있나요?", "네, 가능합니다."]
    assert b.get(f"/api/v1/consultations/threads/{thread['id']}").status_code == 404


def test_audit_chain_catches_a_tampered_row(app: Any, tmp_path: Any) -> None:
    from onestop.audit.services import record, verify_chain

    with app.state.db.unit_of_work() as s:
        for i in range(3):
            record(s, actor="test", action="test.event", subject=f"test:{i}", data={"i": i})
    with app.state.db.unit_of_work() as s:
        assert verify_chain(s).ok
        seq = s.execute(sa.text("SELECT max(seq) FROM audit_log")).scalar()
    engine = app.state.db.engine
    dialect = engine.dialect.name
    with engine.begin() as conn:  # an attacker with database access must first drop the guard
        try:
            conn.execute(sa.text("UPDATE audit_log SET data = '{\"i\": 99}' WHERE seq = :s"), {"s": seq - 1})
            raise AssertionError("the append-only trigger let an UPDATE through")
        except sa.exc.DBAPIError:
            pass
    with engine.begin() as conn:
        if dialect == "sqlite":
            conn.execute(sa.text("DROP TRIGGER audit_log_no_update"))
        else:
            conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        conn.execute(sa.text("UPDATE audit_log SET data = '{\"i\": 99}' WHERE seq = :s"), {"s": seq - 1})
    try:
        with app.state.db.unit_of_work() as s:
            verdict = verify_chain(s)
        assert not verdict.ok and verdict.broken_at == seq - 1 and "changed" in verdict.reason
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_log SET data = '{\"i\": 1}' WHERE seq = :s"), {"s": seq - 1})
            if dialect == "sqlite":
                conn.execute(sa.text("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                                     "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"))
            else:
                conn.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    with app.state.db.unit_of_work() as s:
        assert verify_chain(s).ok


def test_every_view_of_a_firms_data_by_staff_is_recorded(client: TestClient, app: Any) -> None:
    """Officers opening an application, downloading a document, and administrators reading a
    firm: each leaves an audit record, even though they are reads (GET), and the chain holds."""
    firm_api = Api(client)
    firm = firm_api.register_firm()
    aid = draft(firm_api, firm["id"])["id"]
    upload_all(firm_api, aid)
    firm_api.post(f"/api/v1/applications/{aid}/submit", json={})
    doc_id = firm_api.get(f"/api/v1/applications/{aid}").json()["documents"][0]["id"]
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    admin = Api.login(client, "admin@onestop.demo", PASSWORD)

    def views() -> list[str]:
        with app.state.db.unit_of_work() as s:
            return [a for (a,) in s.execute(sa.text("SELECT action FROM audit_log WHERE subject = :s ORDER BY seq"),
                                            {"s": f"firm:{firm['id']}"})]

    before = views()
    assert firm_api.get(f"/api/v1/firms/{firm['id']}").status_code == 200  # the firm's own member: not a view
    assert officer.get(f"/api/v1/applications/{aid}").status_code == 200
    download = officer.get(f"/api/v1/applications/{aid}/documents/{doc_id}")
    assert download.status_code == 200 and download.headers["x-content-sha256"]
    assert admin.get(f"/api/v1/firms/{firm['id']}").status_code == 200
    assert views()[len(before):] == ["firm.view_data", "firm.view_document", "firm.view_data"]
    assert admin.get("/api/v1/audit/verify").json()["ok"] is True


def test_the_queue_reads_summaries_without_the_eligibility_check(client: TestClient, app: Any) -> None:
    """The queue shows summaries; decoding every row's eligibility JSON (up to 500 rows a
    request) was a fifth of a busy worker's CPU in bench/apply_fault.py. It is left unloaded,
    and still there when a row's check is read."""
    from sqlalchemy import inspect

    from onestop.accounts import services as accounts
    from onestop.accounts.tables import UserRow
    from onestop.applications import services

    firm_api = Api(client)
    aid = draft(firm_api, firm_api.register_firm()["id"])["id"]
    upload_all(firm_api, aid)
    assert firm_api.post(f"/api/v1/applications/{aid}/submit", json={"version": 1}).status_code == 200
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    listed = {a["id"]: a for a in officer.get("/api/v1/applications/queue", params={"state": "submitted"}).json()}
    assert listed[aid]["state"] == "submitted" and listed[aid]["submitted_at"] and listed[aid]["version"] == 2
    with app.state.db.unit_of_work() as db:
        user = db.scalar(sa.text("SELECT id FROM users WHERE email = 'officer.jeonnam@onestop.demo'"))
        who = accounts.principal(db, db.get(UserRow, user))
        rows = {r.id: r for r in services.queue(db, who, services.QueueFilter(PROGRAM, "submitted"))}
        unloaded = inspect(rows[aid]).unloaded
        assert {"eligibility", "answers", "override"} <= unloaded and "state" not in unloaded
        assert rows[aid].eligibility is not None and rows[aid].eligibility["status"] == "eligible"  # loaded on use
