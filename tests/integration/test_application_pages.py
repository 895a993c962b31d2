"""Applying online through the pages (cookie sessions, CSRF forms, multipart uploads): a firm
applies, an officer reviews from the queue, asks for a supplement, approves; the firm signs.
Refusals re-render the page with the reason and keep what was saved. Consultations: booking
without double booking, and a written thread answered by the officer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from onestop.applications.consultations import KST, is_business_day
from onestop.demo.seed import PASSWORD
from tests.integration.test_applications import PDF, PROGRAM
from tests.integration.test_pages import csrf_of, firm_form, page_login, sign_up


@pytest.fixture
def officer(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        r = page_login(c, "officer.jeonnam@onestop.demo", PASSWORD)
        assert r.status_code == 303
        yield c


def registered_firm(client: TestClient) -> tuple[int, str]:
    csrf = sign_up(client)
    r = client.post("/firms/new", data={**firm_form(), "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    firm_id = int(re.search(r"/firms/(\d+)/", r.headers["location"]).group(1))  # type: ignore[union-attr]
    return firm_id, csrf


def version_of(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no version on the page"
    return match.group(1)


def apply(client: TestClient) -> tuple[int, str]:
    """Open the program page, press "apply" twice with the same form (a double click)."""
    firm_id, csrf = registered_firm(client)
    page = client.get(f"/programs/{PROGRAM}")
    assert 'id="apply"' in page.text
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": csrf, "firm_id": str(firm_id), "program_id": PROGRAM, "idempotency_key": key}
    first = client.post("/applications/new", data=form, follow_redirects=False)
    second = client.post("/applications/new", data=form, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    return int(first.headers["location"].rsplit("/", 1)[1]), csrf


def upload(client: TestClient, app_id: int, csrf: str, kind: str, name: str, data: bytes) -> Any:
    return client.post(f"/applications/{app_id}/documents", data={"csrf_token": csrf, "kind": kind},
                       files={"file": (name, data, "application/octet-stream")}, follow_redirects=False)


def kinds_on(html: str) -> list[str]:
    return [k for k in re.findall(r'name="kind" value="([a-z_]+)"', html) if k != "other"]


def test_firm_applies_officer_reviews_firm_signs(client: TestClient, officer: TestClient, app: Any) -> None:
    app_id, csrf = apply(client)
    detail = client.get(f"/applications/{app_id}")
    assert detail.status_code == 200 and 'id="checklist"' in detail.text and "작성 중" in detail.text
    early = client.post(f"/applications/{app_id}/submit", data={"csrf_token": csrf, "version": version_of(detail.text)})
    assert early.status_code == 422 and "제출 서류가 빠졌습니다" in early.text and 'id="checklist"' in early.text

    fake = upload(client, app_id, csrf, "other", "virus.pdf", b"MZ\x90\x00 not a pdf")
    assert fake.status_code == 422 and 'id="error-summary"' in fake.text and "PDF" in fake.text
    empty = client.post(f"/applications/{app_id}/documents", data={"csrf_token": csrf, "kind": "other"})
    assert empty.status_code == 422 and "파일을 골라" in empty.text
    for kind in kinds_on(detail.text):
        assert upload(client, app_id, csrf, kind, f"{kind}.pdf", PDF + kind.encode()).status_code == 303
    ready = client.get(f"/applications/{app_id}")
    assert "아직 없음" not in ready.text
    done = client.post(f"/applications/{app_id}/submit", data={"csrf_token": csrf, "version": version_of(ready.text)},
                       follow_redirects=True)
    assert "접수" in done.text and 'id="eligibility-status"' in done.text and "신청 가능합니다" in done.text
    mine = client.get("/applications")
    assert f'href="/applications/{app_id}"' in mine.text

    queue = officer.get("/officer/applications", params={"state": "submitted", "program": PROGRAM, "branch": "12"})
    assert queue.status_code == 200 and f'href="/officer/applications/{app_id}"' in queue.text
    assert f'/officer/applications/{app_id}"' not in officer.get("/officer/applications",
                                                                 params={"branch": "11"}).text
    assert f'/officer/applications/{app_id}"' not in officer.get("/officer/applications", params={"age": "7"}).text
    review = officer.get(f"/officer/applications/{app_id}")
    assert review.status_code == 200 and "기업 정보" in review.text and 'id="act-start_check"' in review.text
    with app.state.db.unit_of_work() as s:
        views = s.scalar(sa.text("SELECT count(*) FROM audit_log WHERE action = 'firm.view_data' "
                                 "AND data LIKE :needle"), {"needle": f'%"application": {app_id}%'}) \
            if app.state.db.engine.dialect.name == "sqlite" else s.scalar(sa.text(
                "SELECT count(*) FROM audit_log WHERE action = 'firm.view_data' AND (data->>'application')::int = :a"),
                {"a": app_id})
    assert views >= 1, "an officer opening the review screen is recorded"
    ocsrf = csrf_of(review.text)
    stale_version = version_of(review.text)
    r = officer.post(f"/officer/applications/{app_id}/action",
                     data={"csrf_token": ocsrf, "version": stale_version, "action": "start_check"}, follow_redirects=True)
    assert "서류 검토" in r.text and 'id="supplement-form"' in r.text
    stale = officer.post(f"/officer/applications/{app_id}/action",
                         data={"csrf_token": ocsrf, "version": stale_version, "action": "documents_ok"})
    assert stale.status_code == 409 and "다른 사람이 먼저" in stale.text
    no_reason = officer.post(f"/officer/applications/{app_id}/action",
                             data={"csrf_token": ocsrf, "version": version_of(r.text), "action": "request_supplement"})
    assert no_reason.status_code == 422 and "사유" in no_reason.text
    asked = officer.post(f"/officer/applications/{app_id}/action", follow_redirects=True, data={
        "csrf_token": ocsrf, "version": version_of(r.text), "action": "request_supplement",
        "reason_other": "최근 1년 재무제표를 올려 주세요."})
    assert "보완 요청" in asked.text

    firm_view = client.get(f"/applications/{app_id}")
    assert 'id="supplement-notice"' in firm_view.text and "최근 1년 재무제표" in firm_view.text
    assert "보완 요청이 있습니다" in client.get("/notifications").text or "보완" in client.get("/notifications").text
    not_yet = client.post(f"/applications/{app_id}/action",
                          data={"csrf_token": csrf, "version": version_of(firm_view.text), "action": "resubmit"})
    assert not_yet.status_code == 422 and "보완 서류" in not_yet.text
    assert upload(client, app_id, csrf, "other", "재무제표.pdf", PDF + b"fs").status_code == 303
    page = client.get(f"/applications/{app_id}")
    again = client.post(f"/applications/{app_id}/action", follow_redirects=True,
                        data={"csrf_token": csrf, "version": version_of(page.text), "action": "resubmit"})
    assert "보완 제출" in again.text

    for action in ("documents_ok", "approve"):
        page = officer.get(f"/officer/applications/{app_id}")
        done = officer.post(f"/officer/applications/{app_id}/action", follow_redirects=True,
                            data={"csrf_token": ocsrf, "version": version_of(page.text), "action": action})
        assert done.status_code == 200, done.text
    assert "선정" in done.text and "서명 대기" in done.text
    download = officer.get(re.search(r'href="(/api/v1/applications/\d+/documents/\d+)"', done.text).group(1))  # type: ignore[union-attr]
    assert download.status_code == 200 and download.content.startswith(b"%PDF") and "attachment" in \
        download.headers["content-disposition"]

    agreement = client.get(f"/applications/{app_id}/agreement")
    assert "전자약정서" in agreement.text and 'id="sign"' in agreement.text
    sha = re.search(r'name="document_sha256" value="([0-9a-f]{64})"', agreement.text).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": csrf, "version": version_of(agreement.text), "document_sha256": sha}
    unticked = client.post(f"/applications/{app_id}/agreement/sign", data=form)
    assert unticked.status_code == 422 and "동의" in unticked.text
    signed = client.post(f"/applications/{app_id}/agreement/sign", data={**form, "consent": "yes"},
                         headers={"user-agent": "pytest-browser"}, follow_redirects=True)
    assert 'id="agreement-signed"' in signed.text and "약정 체결" in signed.text
    twice = client.post(f"/applications/{app_id}/agreement/sign", data={**form, "consent": "yes"})
    assert twice.status_code == 422
    review = officer.get(f"/officer/applications/{app_id}")
    assert 'id="review-signed"' in review.text and 'id="act-execute"' in review.text
    english = client.get(f"/applications/{app_id}", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "Timeline" in english.text and "Agreement signed" in english.text
    queue_en = officer.get("/officer/applications", params={"lang": "en"})
    assert "Applications queue" in queue_en.text


def submitted_by_page(client: TestClient) -> tuple[int, str]:
    """An application made and submitted through the pages, every required document uploaded."""
    app_id, csrf = apply(client)
    detail = client.get(f"/applications/{app_id}")
    for kind in kinds_on(detail.text):
        assert upload(client, app_id, csrf, kind, f"{kind}.pdf", PDF + kind.encode()).status_code == 303
    ready = client.get(f"/applications/{app_id}")
    done = client.post(f"/applications/{app_id}/submit", data={"csrf_token": csrf, "version": version_of(ready.text)},
                       follow_redirects=False)
    assert done.status_code == 303
    return app_id, csrf


def test_officer_pages_are_scoped_and_reasons_are_required(client: TestClient, officer: TestClient, app: Any) -> None:
    app_id, csrf = apply(client)
    assert officer.get(f"/officer/applications/{app_id}").status_code == 404  # a draft is the firm's alone
    app_id, csrf = submitted_by_page(client)
    with TestClient(app) as kosmes:
        page_login(kosmes, "officer.kosmes@onestop.demo", PASSWORD)
        assert kosmes.get(f"/officer/applications/{app_id}").status_code == 404
        assert f"/officer/applications/{app_id}\"" not in kosmes.get("/officer/applications").text
    assert client.get("/officer/applications").status_code == 403
    assert officer.get(f"/applications/{app_id}", follow_redirects=False).headers["location"] == \
        f"/officer/applications/{app_id}"
    review = officer.get(f"/officer/applications/{app_id}")
    ocsrf = csrf_of(review.text)
    in_past = officer.post(f"/officer/applications/{app_id}/deadline",
                           data={"csrf_token": ocsrf, "until": "2020-01-01T18:00", "reason": "전산 장애"})
    assert in_past.status_code == 422 and "뒤여야" in in_past.text
    no_reason = officer.post(f"/officer/applications/{app_id}/deadline",
                             data={"csrf_token": ocsrf, "until": "2099-12-31T18:00", "reason": ""})
    assert no_reason.status_code == 422
    later = officer.post(f"/officer/applications/{app_id}/deadline", follow_redirects=True,
                         data={"csrf_token": ocsrf, "until": "2099-12-31T18:00", "reason": "전산 장애로 연장"})
    assert "2099-12-31 18:00" in later.text and "전산 장애로 연장" in later.text
    assert "2099-12-31 18:00" in client.get(f"/applications/{app_id}").text
    withdrawn = client.post(f"/applications/{app_id}/action", follow_redirects=True, data={
        "csrf_token": csrf, "version": version_of(client.get(f"/applications/{app_id}").text), "action": "withdraw"})
    assert "신청 철회" in withdrawn.text and 'id="submit-application"' not in withdrawn.text


def next_business_day() -> str:
    day = datetime.now(KST).date() + timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day.isoformat()


def test_consultation_booking_and_written_thread(client: TestClient, officer: TestClient, app: Any) -> None:
    firm_id, csrf = registered_firm(client)
    day = next_business_day()
    page = client.get("/consultations", params={"agency": "jnsbi", "firm": firm_id, "date": day})
    assert page.status_code == 200 and 'id="booking-form"' in page.text and "jnsbi-hq" in page.text
    slots = client.get("/ui/slots", params={"branch": "jnsbi-hq", "date": day}).text
    slot = re.findall(r'name="slot" value="([^"]+)"', slots)[-1]
    booked = client.post("/consultations/book", follow_redirects=True, data={
        "csrf_token": csrf, "firm_id": firm_id, "branch": "jnsbi-hq", "slot": slot, "mode": "video",
        "topic": "육성자금 서류 문의"})
    assert 'id="booked"' in booked.text and "육성자금 서류 문의" in booked.text
    # the thread the booking opened reads in the page's language; the firm's topic stays as written
    english = client.get("/consultations", params={"lang": "en"}).text
    assert "[Booking] " in english and "video consultation" in english and "[상담 예약]" not in english
    assert "[상담 예약]" in client.get("/consultations", params={"lang": "ko"}).text
    assert slot not in client.get("/ui/slots", params={"branch": "jnsbi-hq", "date": day}).text
    with TestClient(app) as other:
        other_firm, other_csrf = registered_firm(other)
        taken = other.post("/consultations/book", data={"csrf_token": other_csrf, "firm_id": other_firm,
                                                        "branch": "jnsbi-hq", "slot": slot, "topic": "x"})
        assert taken.status_code == 409 and "이미 예약" in taken.text and 'value="x"' in taken.text
    christmas = client.get("/ui/slots", params={"branch": "jnsbi-hq", "date": "2026-12-25"}).text
    assert "공휴일" in christmas and 'name="slot"' not in christmas
    visit_online = client.post("/consultations/book", data={
        "csrf_token": csrf, "firm_id": firm_id, "branch": "kotra-online", "slot": slot, "mode": "visit"})
    assert visit_online.status_code == 422 and "방문" in visit_online.text
    assert "육성자금 서류 문의" in officer.get("/consultations").text  # the agency sees its branch's bookings

    empty = client.post("/consultations/threads", data={"csrf_token": csrf, "firm_id": firm_id, "agency": "jnsbi",
                                                        "subject": "", "body": ""})
    assert empty.status_code == 422
    thread = client.post("/consultations/threads", follow_redirects=False, data={
        "csrf_token": csrf, "firm_id": firm_id, "agency": "jnsbi", "subject": "담보 없이 신청 가능한가요?",
        "body": "부동산 담보가 없습니다.\n신용으로 신청할 수 있나요?"})
    assert thread.status_code == 303
    url = thread.headers["location"]
    inbox = officer.get("/consultations")
    assert "담보 없이 신청 가능한가요?" in inbox.text
    ocsrf = csrf_of(inbox.text)
    answered = officer.post(f"{url}/reply", follow_redirects=True,
                            data={"csrf_token": ocsrf, "body": "신용 대출 트랙으로 신청할 수 있습니다."})
    assert "담당자" in answered.text and "신용 대출 트랙" in answered.text
    assert "담당자 답변" in client.get("/notifications").text
    seen = client.get(url)
    assert "부동산 담보가 없습니다." in seen.text and "신용 대출 트랙" in seen.text
    with TestClient(app) as stranger:
        sign_up(stranger)
        assert stranger.get(url).status_code == 404
