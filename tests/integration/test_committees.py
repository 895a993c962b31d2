"""Evaluation committees and the fast track through the API and services (SQLite, and
PostgreSQL when configured): evaluators see only their assignments (two side by side, 404 for
the other's), conflicts are declared and detected and exclude with the reason, scores aggregate
by the documented rule, the decision records scores, rules checked and reasons, audited; the
fast track's service level is breached, escalated once, and counted."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from onestop.audit.tables import AuditRow
from onestop.demo.seed import PASSWORD
from onestop.korea.dates import KST
from tests.conftest import example
from tests.integration.conftest import Api, fresh_brn, fresh_email
from tests.integration.test_applications import PDF

REGIONAL = "jnsbi-overseas-market-development"  # jnsbi; its rubric excludes evaluators of the firm's 시군구
VOUCHER = "motie-export-voucher"  # kotra
EMERGENCY = "kosmes-emergency-fund"  # kosmes; fast track, 5 business days, bands A and B
OFFICER = {REGIONAL: "officer.jeonnam@onestop.demo", VOUCHER: "officer.kotra@onestop.demo",
           EMERGENCY: "officer.kosmes@onestop.demo", "jeonnam-sme-development-fund": "officer.jeonnam@onestop.demo"}
_n = itertools.count(1)


def act(api: Api, aid: int, action: str, **extra: Any) -> Any:
    v = api.get(f"/api/v1/applications/{aid}").json()["version"]
    return api.post(f"/api/v1/applications/{aid}/actions", json={"action": action, "version": v, **extra})


def submitted(client: TestClient, program: str, firm_example: str = "young-founder",
              **changes: Any) -> tuple[Api, dict[str, Any], int]:
    firm_api = Api(client)
    firm = firm_api.register_firm(**{**example(firm_example), "brn": fresh_brn(), **changes})
    r = firm_api.post("/api/v1/applications", json={"firm_id": firm["id"], "program_id": program})
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    probe = firm_api.post(f"/api/v1/applications/{aid}/documents", data={"kind": "nope"}, files={"file": ("a.pdf", PDF)})
    kinds = {k.strip(" .'") for k in probe.json()["detail"].split("allowed:")[1].split(",")} - {"other"}
    for kind in kinds:
        assert firm_api.post(f"/api/v1/applications/{aid}/documents", data={"kind": kind},
                             files={"file": (f"{kind}.pdf", PDF)}).status_code == 201
    done = firm_api.post(f"/api/v1/applications/{aid}/submit", json={})
    assert done.status_code == 200, done.text
    return firm_api, firm, aid


def in_evaluation(client: TestClient, program: str = REGIONAL, firm_example: str = "young-founder",
                  **changes: Any) -> tuple[Api, Api, dict[str, Any], int]:
    firm_api, firm, aid = submitted(client, program, firm_example, **changes)
    officer = Api.login(client, OFFICER[program], PASSWORD)
    for action in ("start_check", "documents_ok"):
        assert act(officer, aid, action).status_code == 200
    return firm_api, officer, firm, aid


def new_evaluator(app: Any, name: str = "평가위원") -> tuple[int, str]:
    from onestop.accounts import services as accounts
    from onestop.accounts.model import Role

    email = fresh_email("evaluator")
    with app.state.db.unit_of_work() as db:
        user = accounts.create_account(db, email=email, password=PASSWORD, name=f"{name} {next(_n)}",
                                       role=Role.evaluator, confirmed=True)
        return user.id, email


def evaluator_id(app: Any, email: str) -> int:
    from onestop.accounts.tables import UserRow

    with app.state.db.unit_of_work() as db:
        return int(db.scalar(sa.select(UserRow.id).where(UserRow.email == email)))


def assign(officer: Api, aid: int, uid: int) -> dict[str, Any]:
    r = officer.post(f"/api/v1/applications/{aid}/committee/assignments", json={"evaluator_id": uid})
    assert r.status_code == 201, r.text
    return dict(r.json())


def audit_actions(app: Any, aid: int) -> list[tuple[str, dict[str, Any]]]:
    with app.state.db.unit_of_work() as db:
        return [(r.action, r.data) for r in db.scalars(sa.select(AuditRow).where(
            AuditRow.subject == f"application:{aid}", AuditRow.action.like("committee.%")).order_by(AuditRow.seq))]


def scores_for(rubric: dict[str, Any], level: int) -> dict[str, int]:
    return {item["id"]: level for item in rubric["items"]}


# --- who sees what ---------------------------------------------------------------------------

def test_two_evaluators_side_by_side_each_sees_only_their_own(client: TestClient, app: Any) -> None:
    firm_x, officer, _, x = in_evaluation(client)
    _, _, _, y = in_evaluation(client)
    doc_x = firm_x.get(f"/api/v1/applications/{x}").json()["documents"][0]["id"]
    a_id, a_email = new_evaluator(app, "김갑")
    b_id, b_email = new_evaluator(app, "이을")
    a, b = Api.login(client, a_email, PASSWORD), Api.login(client, b_email, PASSWORD)
    # in evaluation but nobody assigned: nobody sees it (before committees, every evaluator did)
    assert a.get(f"/api/v1/applications/{x}").status_code == 404
    assign(officer, x, a_id)
    assign(officer, y, b_id)

    def sees(ev: Api, aid: int, doc: int | None = None) -> tuple[int, ...]:
        codes = [ev.get(f"/api/v1/applications/{aid}").status_code,
                 ev.get(f"/api/v1/evaluator/applications/{aid}").status_code,
                 ev.post(f"/api/v1/evaluator/applications/{aid}/scores", json={"scores": {}}).status_code]
        if doc is not None:
            codes.append(ev.get(f"/api/v1/applications/{aid}/documents/{doc}").status_code)
        return tuple(codes)

    assert sees(a, x, doc_x) == (200, 200, 422, 200)  # 422: the empty scores, named item by item
    assert sees(b, x, doc_x) == (404, 404, 404, 404)
    assert sees(b, y) == (200, 200, 422)
    assert sees(a, y) == (404, 404, 404)
    assert [q["id"] for q in a.get("/api/v1/applications/queue").json()] == [x]
    assert [q["id"] for q in b.get("/api/v1/applications/queue").json()] == [y]
    assert [m["application_id"] for m in a.get("/api/v1/evaluator/assignments").json()] == [x]
    # the officer's committee view is not theirs
    assert a.get(f"/api/v1/applications/{x}/committee").status_code == 403
    assert b.get(f"/api/v1/applications/{x}/committee").status_code == 404
    # after declaring a conflict, A no longer sees it; the assignment stays listed with the reason
    r = a.post(f"/api/v1/evaluator/applications/{x}/conflict", json={"reason": "신청 기업 대표와 친족 관계"})
    assert r.status_code == 200 and r.json()["excluded"]["kind_ko"] == "회피"
    assert sees(a, x, doc_x) == (404, 404, 404, 404)
    mine = a.get("/api/v1/evaluator/assignments").json()
    assert mine[0]["excluded"]["reason"] == "신청 기업 대표와 친족 관계"


def test_pages_follow_the_assignment_too(client: TestClient, app: Any) -> None:
    from tests.integration.test_pages import page_login

    _, officer, _, x = in_evaluation(client)
    a_id, a_email = new_evaluator(app)
    _, b_email = new_evaluator(app)
    assign(officer, x, a_id)
    with TestClient(app) as a, TestClient(app) as b:
        assert page_login(a, a_email, PASSWORD).status_code == 303
        assert page_login(b, b_email, PASSWORD).status_code == 303
        assert a.get(f"/officer/applications/{x}").status_code == 200
        assert a.get(f"/evaluator/applications/{x}").status_code == 200
        assert b.get(f"/officer/applications/{x}").status_code == 404
        assert b.get(f"/evaluator/applications/{x}").status_code == 404
        assert f"/evaluator/applications/{x}" in a.get("/evaluator").text
        assert f"/evaluator/applications/{x}" not in b.get("/evaluator").text


# --- conflicts ---------------------------------------------------------------------------------

def test_conflicts_are_detected_at_assignment_and_recorded(client: TestClient, app: Any) -> None:
    from onestop.accounts import services as accounts
    from onestop.accounts.model import FirmRole

    firm_api, officer, firm, aid = in_evaluation(client)
    # a member of the firm
    member_id, _ = new_evaluator(app, "구성원")
    with app.state.db.unit_of_work() as db:
        accounts.add_member(db, member_id, firm["id"], FirmRole.staff)
    # a declared past employment, two years ago
    former_id, former_email = new_evaluator(app, "전직원")
    former = Api.login(client, former_email, PASSWORD)
    until = (datetime.now(KST) - timedelta(days=730)).date().isoformat()
    r = former.post("/api/v1/evaluator/past-employments", json={"brn": firm["brn"], "employer": "순천바른빵", "until": until})
    assert r.status_code == 201, r.text
    # the same 시군구 (the program is regional and says so), and a neighbour who is not excluded
    local_id, local_email = new_evaluator(app, "지역")
    assert Api.login(client, local_email, PASSWORD).put("/api/v1/evaluator/profile", json={
        "region": firm["profile"]["region"], "organisation": "순천대학교"}).status_code == 200
    clear_id, _ = new_evaluator(app, "무관")

    results = {uid: assign(officer, aid, uid)["excluded"] for uid in (member_id, former_id, local_id, clear_id)}
    assert results[member_id]["ground"] == "member" and results[member_id]["kind_ko"] == "제척"
    assert results[former_id]["ground"] == "past_employment" and until in results[former_id]["reason"]
    assert results[local_id]["ground"] == "same_region" and results[local_id]["kind_ko"] == "회피"
    assert results[clear_id] is None
    # a challenge (기피) by the firm, recorded by the officer
    view = officer.get(f"/api/v1/applications/{aid}/committee").json()
    clear = next(m for m in view["members"] if m["evaluator_id"] == clear_id)
    no_reason = officer.post(f"/api/v1/applications/{aid}/committee/challenges",
                             json={"assignment_id": clear["assignment_id"], "reason": "  "})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    ok = officer.post(f"/api/v1/applications/{aid}/committee/challenges",
                      json={"assignment_id": clear["assignment_id"], "reason": "경쟁사 자문 이력 (기업 기피 신청 인용)"})
    assert ok.status_code == 200 and ok.json()["excluded"]["kind_ko"] == "기피"
    grounds = [d["ground"] for action, d in audit_actions(app, aid) if action == "committee.exclude"]
    assert grounds == ["member", "past_employment", "same_region", "challenged"]
    # assigning twice, or a non-evaluator, is refused by name
    again = officer.post(f"/api/v1/applications/{aid}/committee/assignments", json={"evaluator_id": clear_id})
    assert again.status_code == 422 and "이미" in again.json()["detail_ko"]
    firm_user = evaluator_id(app, firm_api.email)
    wrong = officer.post(f"/api/v1/applications/{aid}/committee/assignments", json={"evaluator_id": firm_user})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "evaluator_id"


def test_a_program_without_a_rubric_has_no_committee(client: TestClient) -> None:
    _, officer, _, aid = in_evaluation(client, "jeonnam-sme-development-fund")
    r = officer.post(f"/api/v1/applications/{aid}/committee/assignments", json={"evaluator_id": 1})
    assert r.status_code == 422 and r.json()["code"] == "no_committee"


# --- journey 8: three score, one is excluded, the decision records it all --------------------

def test_journey_8_committee_decision(client: TestClient, app: Any) -> None:
    firm_api, officer, _, aid = in_evaluation(client, VOUCHER, "exporter")
    emails = ["evaluator@onestop.demo", "evaluator2@onestop.demo", "evaluator3@onestop.demo", "evaluator4@onestop.demo"]
    for email in emails:
        assert assign(officer, aid, evaluator_id(app, email))["excluded"] is None
    evaluators = [Api.login(client, e, PASSWORD) for e in emails]
    conflicted = evaluators[3].post(f"/api/v1/evaluator/applications/{aid}/conflict",
                                    json={"reason": "2024년 신청 기업의 수출 전략 자문을 맡았습니다."})
    assert conflicted.status_code == 200
    rubric = evaluators[0].get(f"/api/v1/evaluator/applications/{aid}").json()["rubric"]
    assert [i["weight"] for i in rubric["items"]] == [40, 35, 25] and rubric["scale"] == 5
    bad = evaluators[0].post(f"/api/v1/evaluator/applications/{aid}/scores",
                             json={"scores": {"export-capability": 9, "voucher-plan": 4}})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"scores.export-capability", "scores.expected-results"}
    too_early = officer.post(f"/api/v1/applications/{aid}/committee/decision",
                             json={"outcome": "approve", "reasons": "우수"})
    assert too_early.status_code == 422 and too_early.json()["code"] == "quorum"
    levels = [{"export-capability": 5, "voucher-plan": 4, "expected-results": 4},  # 40 + 28 + 20 = 88
              {"export-capability": 4, "voucher-plan": 4, "expected-results": 3},  # 32 + 28 + 15 = 75
              {"export-capability": 4, "voucher-plan": 3, "expected-results": 4}]  # 32 + 21 + 20 = 73
    totals = []
    for ev, lv in zip(evaluators[:3], levels, strict=True):
        r = ev.post(f"/api/v1/evaluator/applications/{aid}/scores", json={"scores": lv, "comment": "수출 실적 확인"})
        assert r.status_code == 200, r.text
        totals.append(r.json()["total"])
    assert totals == ["88.00", "75.00", "73.00"]
    # the conflicted evaluator cannot score any more
    assert evaluators[3].post(f"/api/v1/evaluator/applications/{aid}/scores",
                              json={"scores": levels[0]}).status_code == 404
    view = officer.get(f"/api/v1/applications/{aid}/committee").json()
    assert view["aggregate"]["mean"] == "78.67" and view["aggregate"]["counted"] == 3
    assert view["recommended"] == "approve"
    no_reason = officer.post(f"/api/v1/applications/{aid}/committee/decision", json={"outcome": "approve", "reasons": ""})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reasons"
    done = officer.post(f"/api/v1/applications/{aid}/committee/decision", json={
        "outcome": "approve", "reasons": "해외진출 역량과 바우처 이용계획이 구체적이며 합격점(70점)을 넘었습니다.",
        "version": view["version"]})
    assert done.status_code == 201, done.text
    record = done.json()["decision"]["record"]
    assert [s["total"] for s in record["scores"]] == ["88.00", "75.00", "73.00"]
    assert record["excluded"][0]["kind"] == "recusal" and "자문" in record["excluded"][0]["reason"]
    assert record["rules_checked"]["status"] == "eligible" and record["rules_checked"]["criteria"]
    assert record["aggregate"]["mean"] == "78.67" and record["departs"] is False
    detail = firm_api.get(f"/api/v1/applications/{aid}").json()
    assert detail["state"] == "approved" and "합격점" in detail["decision_reason"]
    actions = [a for a, _ in audit_actions(app, aid)]
    assert actions.count("committee.assign") == 4 and actions.count("committee.score") == 3
    assert actions[-1] == "committee.decide"
    # decided: no more scores, no second decision, and the evaluators no longer see it
    assert evaluators[0].post(f"/api/v1/evaluator/applications/{aid}/scores", json={"scores": levels[0]}).status_code == 404
    again = officer.post(f"/api/v1/applications/{aid}/committee/decision", json={"outcome": "reject", "reasons": "x"})
    assert again.status_code == 422
    admin = Api.login(client, "admin@onestop.demo", PASSWORD)
    assert admin.get("/api/v1/audit/verify").json()["ok"] is True


def test_five_scores_drop_the_extremes_and_a_refused_move_records_nothing(client: TestClient, app: Any) -> None:
    _, officer, _, aid = in_evaluation(client, REGIONAL, region="11680")  # outside 전남: not eligible
    people = [new_evaluator(app, "위원") for _ in range(5)]
    rubric = None
    for (uid, email), level in zip(people, (1, 3, 3, 4, 5), strict=True):
        assign(officer, aid, uid)
        ev = Api.login(client, email, PASSWORD)
        rubric = rubric or ev.get(f"/api/v1/evaluator/applications/{aid}").json()["rubric"]
        assert ev.post(f"/api/v1/evaluator/applications/{aid}/scores", json={"scores": scores_for(rubric, level)}
                       ).status_code == 200
    view = officer.get(f"/api/v1/applications/{aid}/committee").json()
    # totals 20, 60, 60, 80, 100 → drop 20 and 100 → mean of 60, 60, 80
    assert view["aggregate"]["mean"] == "66.67" and "최고점과 최저점" in view["aggregate"]["rule_ko"]
    refused = officer.post(f"/api/v1/applications/{aid}/committee/decision",
                           json={"outcome": "approve", "reasons": "점수는 합격점 이상"})
    assert refused.status_code == 422 and refused.json()["code"] == "not_eligible"
    assert officer.get(f"/api/v1/applications/{aid}/committee").json()["decision"] is None
    rejected = officer.post(f"/api/v1/applications/{aid}/committee/decision",
                            json={"outcome": "reject", "reasons": "전남 소재 기업이 아닙니다."})
    assert rejected.status_code == 201 and rejected.json()["decision"]["record"]["departs"] is True


# --- the fast track --------------------------------------------------------------------------

def test_fast_track_service_level_breach_escalates_once_and_is_counted(client: TestClient, app: Any) -> None:
    from onestop.evaluation import fasttrack_services as fasttrack
    from onestop.evaluation.fasttrack_tables import FastTrackRow

    _, _, aid = submitted(client, EMERGENCY, "crisis")
    officer = Api.login(client, OFFICER[EMERGENCY], PASSWORD)
    band_c = officer.post(f"/api/v1/applications/{aid}/fast-track", json={"band": "C"})
    assert band_c.status_code == 422 and band_c.json()["errors"][0]["field"] == "band"
    assert "A, B" in band_c.json()["detail_ko"]
    entered = officer.post(f"/api/v1/applications/{aid}/fast-track", json={"band": "A"})
    assert entered.status_code == 201, entered.text
    assert entered.json()["service_days"] == 5
    other = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    assert other.post(f"/api/v1/applications/{aid}/fast-track", json={"band": "A"}).status_code == 404
    queue = officer.get("/api/v1/fast-track").json()
    mine = next(q for q in queue["queue"] if q["application_id"] == aid)
    assert mine["business_days_left"] == 5 and not mine["breached"] and "5영업일 남음" in mine["left_ko"]

    with app.state.db.unit_of_work() as db:
        entry = db.get(FastTrackRow, aid)
        assert entry is not None
        entered_at = entry.entered_at
    late = entered_at + timedelta(days=12)  # past 5 business days, whatever the holidays
    before = len(_breach_notes(app))
    for _ in range(2):  # the scheduled check runs again: still one escalation
        with app.state.db.unit_of_work() as db:
            fasttrack.check(db, app.state.app.engine(db)[1], now=late)
    notes = _breach_notes(app)[before:]
    assert len([n for n in notes if f"#{aid}" in n]) == _officer_count(app, "kosmes")
    counts = officer.get("/api/v1/fast-track").json()["counts"]
    assert counts["breached"] >= 1 and counts["escalated"] >= 1
    # decided afterwards: recorded as decided, still counted as a breach
    for action in ("start_check", "documents_ok", "approve"):
        assert act(officer, aid, action).status_code == 200
    with app.state.db.unit_of_work() as db:
        fasttrack.check(db, app.state.app.engine(db)[1], now=late + timedelta(hours=1))
        entry = db.get(FastTrackRow, aid)
        assert entry is not None and entry.decided_at is not None and entry.breached_at is not None


def test_a_qualifying_band_enters_the_fast_track_when_the_application_is_submitted(client: TestClient, app: Any) -> None:
    """The recommendation is stored at submission and, when its band qualifies, the application
    is on the fast track at once (its service level counts from the submission, not from the
    next scheduled check); without statements it stays on the ordinary track."""
    import json

    from onestop.applications.tables import ApplicationRow
    from onestop.evaluation.fasttrack_tables import FastTrackRow
    from onestop.korea._data import data_path

    years = json.loads(data_path("demo", "statements", "crisis.json").read_text(encoding="utf-8"))["statements"]
    firm_api = Api(client)
    firm = firm_api.register_firm(**{**example("crisis"), "brn": fresh_brn()})
    assert firm_api.put(f"/api/v1/firms/{firm['id']}/statements", json={"years": years}).status_code == 200
    r = firm_api.post("/api/v1/applications", json={"firm_id": firm["id"], "program_id": EMERGENCY})
    aid = r.json()["id"]
    probe = firm_api.post(f"/api/v1/applications/{aid}/documents", data={"kind": "nope"}, files={"file": ("a.pdf", PDF)})
    for kind in {k.strip(" .'") for k in probe.json()["detail"].split("allowed:")[1].split(",")} - {"other"}:
        assert firm_api.post(f"/api/v1/applications/{aid}/documents", data={"kind": kind},
                             files={"file": (f"{kind}.pdf", PDF)}).status_code == 201
    assert firm_api.post(f"/api/v1/applications/{aid}/submit", json={}).status_code == 200
    officer = Api.login(client, OFFICER[EMERGENCY], PASSWORD)
    band = officer.get(f"/api/v1/applications/{aid}/recommendation").json()["recommendation"]["band"]
    assert band in ("A", "B"), "the demo crisis firm's statements band it for the fast track"
    with app.state.db.unit_of_work() as db:
        entry = db.get(FastTrackRow, aid)
        assert entry is not None and entry.band == band and entry.band_source == "polish-h1-20261130"
        row = db.get(ApplicationRow, aid)
        assert row is not None and row.submitted_at is not None
        assert entry.entered_at == row.submitted_at  # the same transaction: the clock starts at submission
    assert any(q["application_id"] == aid for q in officer.get("/api/v1/fast-track").json()["queue"])

    _, _, plain = submitted(client, EMERGENCY, "crisis")  # no statements: a person reviews it, no band
    with app.state.db.unit_of_work() as db:
        assert db.get(FastTrackRow, plain) is None


def test_fast_track_decided_in_time_is_no_breach_and_ineligible_never_enters(client: TestClient, app: Any) -> None:
    from onestop.evaluation import fasttrack_services as fasttrack
    from onestop.evaluation.fasttrack_tables import FastTrackRow

    _, _, aid = submitted(client, EMERGENCY, "crisis")
    officer = Api.login(client, OFFICER[EMERGENCY], PASSWORD)
    assert officer.post(f"/api/v1/applications/{aid}/fast-track", json={"band": "B"}).status_code == 201
    for action in ("start_check", "documents_ok", "approve"):
        assert act(officer, aid, action).status_code == 200
    with app.state.db.unit_of_work() as db:
        fasttrack.check(db, app.state.app.engine(db)[1])
        entry = db.get(FastTrackRow, aid)
        assert entry is not None and entry.decided_at is not None and entry.breached_at is None
    # revenue up, no listed hardship: the rules fail at submission, so no fast track
    _, _, failing = submitted(client, EMERGENCY, "crisis",
                              revenue={"2023": 9_000_000_000, "2024": 9_500_000_000, "2025": 9_900_000_000},
                              operating_profit={"2023": 500_000_000, "2024": 540_000_000, "2025": 560_000_000})
    r = officer.post(f"/api/v1/applications/{failing}/fast-track", json={"band": "A"})
    assert r.status_code == 422 and r.json()["code"] == "not_eligible"


def _breach_notes(app: Any) -> list[str]:
    from onestop.alerts.tables import NotificationRow

    with app.state.db.unit_of_work() as db:
        return list(db.scalars(sa.select(NotificationRow.title_ko).where(NotificationRow.kind == "fast_track_breach")
                               .order_by(NotificationRow.id)))


def _officer_count(app: Any, agency: str) -> int:
    from onestop.accounts.tables import UserRow

    with app.state.db.unit_of_work() as db:
        return int(db.scalar(sa.select(sa.func.count()).select_from(UserRow).where(
            UserRow.role == "officer", UserRow.agency_id == agency)) or 0)


def test_the_pages_assign_score_with_errors_declare_and_decide(client: TestClient, app: Any) -> None:
    from tests.integration.test_pages import csrf_of, page_login

    _, _, _, aid = in_evaluation(client)
    people = [new_evaluator(app, "페이지") for _ in range(4)]
    with TestClient(app) as officer:
        assert page_login(officer, OFFICER[REGIONAL], PASSWORD).status_code == 303
        page = officer.get(f"/officer/applications/{aid}/committee")
        assert page.status_code == 200 and "아직 배정한 평가위원이 없습니다" in page.text
        assert f"/officer/applications/{aid}/committee" in officer.get(f"/officer/applications/{aid}").text
        for uid, _ in people:
            r = officer.post(f"/officer/applications/{aid}/committee/assign",
                             data={"csrf_token": csrf_of(page.text), "evaluator_id": str(uid)}, follow_redirects=False)
            assert r.status_code == 303
        for n, (_, email) in enumerate(people):
            with TestClient(app) as ev:
                assert page_login(ev, email, PASSWORD).headers["location"] == "/evaluator"
                form = ev.get(f"/evaluator/applications/{aid}")
                assert form.status_code == 200 and "수출 준비도" in form.text and "배점 40점" in form.text
                token = csrf_of(form.text)
                if n == 3:
                    empty = ev.post(f"/evaluator/applications/{aid}/conflict", data={"csrf_token": token, "reason": ""})
                    assert empty.status_code == 422 and "사유를 적어 주세요" in empty.text
                    ok = ev.post(f"/evaluator/applications/{aid}/conflict",
                                 data={"csrf_token": token, "reason": "신청 기업 대표와 대학 동기로 가까운 사이"},
                                 follow_redirects=False)
                    assert ok.status_code == 303
                    assert "회피" in ev.get("/evaluator").text
                    continue
                partial = ev.post(f"/evaluator/applications/{aid}/scores",
                                  data={"csrf_token": token, "level_export-readiness": "4", "comment": "양호"})
                assert partial.status_code == 422
                assert 'id="scores_market-plan-error"' in partial.text and 'value="4" id="level-export-readiness-4" checked' in partial.text
                assert "양호" in partial.text  # nothing typed is lost
                done = ev.post(f"/evaluator/applications/{aid}/scores", data={
                    "csrf_token": token, "level_export-readiness": "4", "level_market-plan": "4",
                    "level_regional-impact": str(3 + n % 2), "comment": "양호"}, follow_redirects=False)
                assert done.status_code == 303
        page = officer.get(f"/officer/applications/{aid}/committee")
        assert 'id="aggregate-mean"' in page.text and "회피" in page.text
        blank = officer.post(f"/officer/applications/{aid}/committee/decision",
                             data={"csrf_token": csrf_of(page.text), "outcome": "approve", "reasons": ""})
        assert blank.status_code == 422 and 'id="reasons-error"' in blank.text
        decided = officer.post(f"/officer/applications/{aid}/committee/decision", follow_redirects=False, data={
            "csrf_token": csrf_of(page.text), "outcome": "approve", "reasons": "도내 수출 유망기업으로 합격점을 넘음"})
        assert decided.status_code == 303
        record = officer.get(f"/officer/applications/{aid}/committee").text
        assert 'id="decision-outcome"' in record and "도내 수출 유망기업" in record and "대학 동기" in record
        assert officer.get("/officer/fast-track").status_code == 200


def test_fasttrack_check_command(tmp_path: Any) -> None:
    import json

    from typer.testing import CliRunner

    from onestop.catalog.loader import shipped_catalog
    from onestop.catalog.services import import_catalog
    from onestop.cli import app as cli
    from onestop.platform.db import Database
    from onestop.platform.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    db = Database(url)
    with db.unit_of_work() as s:
        import_catalog(s, shipped_catalog())
    db.dispose()
    result = CliRunner().invoke(cli, ["fasttrack", "check", "--database-url", url, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"entered": 0, "decided": 0, "breached": 0, "escalated": 0}


def test_two_checks_at_once_escalate_a_breach_once_on_postgresql(client: TestClient, app: Any,
                                                                  database_url: str) -> None:
    """Two `onestop fasttrack check` runs at the same moment (two cron hosts, or cron and a
    retry): the officers hear of a breach once."""
    import threading

    import pytest

    from onestop.evaluation import fasttrack_services as fasttrack
    from onestop.evaluation.fasttrack_tables import FastTrackRow

    if not database_url.startswith("postgresql"):
        pytest.skip("row locks and concurrent transactions: PostgreSQL only")
    _, _, aid = submitted(client, EMERGENCY, "crisis")
    officer = Api.login(client, OFFICER[EMERGENCY], PASSWORD)
    assert officer.post(f"/api/v1/applications/{aid}/fast-track", json={"band": "A"}).status_code == 201
    with app.state.db.unit_of_work() as db:
        entry = db.get(FastTrackRow, aid)
        assert entry is not None
        late = entry.entered_at + timedelta(days=12)
    before = len([n for n in _breach_notes(app) if f"#{aid}" in n])
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            with app.state.db.unit_of_work() as db:
                fasttrack.check(db, app.state.app.engine(db)[1], now=late)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    after = len([n for n in _breach_notes(app) if f"#{aid}" in n])
    assert after - before == _officer_count(app, "kosmes")
