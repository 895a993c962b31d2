"""What pages promise: security headers on every response, a closed program never offers
"온라인 신청하기", the language switch keeps the page's query, officers' edits need a reason and
show the loader's errors where they are, and help is a page rather than a file path."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from onestop.catalog.windows import now_kst, window_state
from onestop.demo.seed import PASSWORD
from tests.integration.test_pages import csrf_of, firm_form, page_login, sign_up


@pytest.fixture
def officer(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        r = page_login(c, "officer.jeonnam@onestop.demo", PASSWORD)
        assert r.status_code == 303 and r.headers["location"].endswith("/officer/applications")  # lands on the queue
        yield c


def test_every_page_carries_the_security_headers(client: TestClient) -> None:
    page = client.get("/programs")
    csp = page.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                      "object-src 'none'", "report-uri /csp-report"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "cache-control" not in page.headers  # public and signed out: cacheable
    assert "strict-transport-security" not in page.headers  # secure cookies are off
    assert "<script>" not in page.text and " onclick=" not in page.text and " style=" not in page.text
    assert '"includeIndicatorStyles": false' in page.text
    api = client.get("/api/v1/programs")
    assert api.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in api.headers


def test_signed_in_pages_and_tokens_are_not_stored(client: TestClient) -> None:
    sign_up(client)
    assert client.get("/firms/new").headers["cache-control"] == "no-store"
    assert client.get("/static/css/onestop.css").headers.get("cache-control") != "no-store"
    token = client.post("/api/v1/auth/token", json={"email": "founder@onestop.demo", "password": PASSWORD})
    assert token.status_code == 200 and token.headers["cache-control"] == "no-store"


def test_hsts_when_cookies_are_secure(settings: Any) -> None:
    from onestop.platform.app import create_app

    app = create_app(settings.model_copy(update={"secure_cookies": True}))
    with TestClient(app) as c:
        assert c.get("/").headers["strict-transport-security"].startswith("max-age=31536000")


def test_csp_reports_are_recorded(client: TestClient, app: Any) -> None:
    app.state.csp_reports.clear()
    body = {"csp-report": {"document-uri": "http://x/programs", "violated-directive": "script-src",
                           "blocked-uri": "inline"}}
    r = client.post("/csp-report", content=__import__("json").dumps(body),
                    headers={"content-type": "application/csp-report"})
    assert r.status_code == 204
    assert app.state.csp_reports.all()[0]["violated-directive"] == "script-src"


def test_a_closed_program_never_offers_to_apply(client: TestClient) -> None:
    sign_up(client)
    csrf = csrf_of(client.get("/firms/new").text)
    assert client.post("/firms/new", data={**firm_form(), "csrf_token": csrf}).status_code == 200
    closed = client.get("/programs/kosmes-youth-startup-academy")  # closed 2026-02-13
    assert 'data-phase="closed"' in closed.text and "신청 기간이 끝났습니다" in closed.text
    assert 'id="apply"' not in closed.text and "온라인 신청하기" not in closed.text
    assert "신청 가능합니다" not in closed.text
    listing = client.get("/programs", params={"q": "청년창업사관학교"})
    card = re.search(r'data-program="kosmes-youth-startup-academy".*?</li>', listing.text, re.S)
    assert card and 'data-phase="closed"' in card.group(0) and "마감" in card.group(0)
    opened = client.get("/programs/kosmes-youth-startup-fund")
    assert 'id="apply"' in opened.text and 'data-phase="always"' in opened.text
    firm_id = re.search(r'name="firm_id" value="(\d+)"', opened.text).group(1)  # type: ignore[union-attr]
    started = client.post("/applications/new", data={"csrf_token": csrf, "firm_id": firm_id, "program_id":
                                                     "kosmes-youth-startup-academy"})
    assert started.status_code == 422 and "마감되었습니다" in started.text


def test_an_open_application_turns_apply_into_view(client: TestClient) -> None:
    sign_up(client)
    csrf = csrf_of(client.get("/firms/new").text)
    client.post("/firms/new", data={**firm_form(), "csrf_token": csrf})
    page = client.get("/programs/jeonnam-sme-development-fund")
    firm_id = re.search(r'name="firm_id" value="(\d+)"', page.text)
    assert firm_id
    started = client.post("/applications/new", data={"csrf_token": csrf, "firm_id": firm_id.group(1),
                                                     "program_id": "jeonnam-sme-development-fund",
                                                     "idempotency_key": "view-after-apply"}, follow_redirects=False)
    assert started.status_code == 303
    again = client.get("/programs/jeonnam-sme-development-fund")
    assert "내 신청서 보기" in again.text and 'id="apply"' not in again.text


def test_windows_are_stated_by_one_logic(app: Any) -> None:
    from onestop.catalog.loader import shipped_catalog

    program = shipped_catalog().get("kosmes-youth-startup-academy")
    assert window_state(program.spec.application_window, now_kst()).closed


def test_language_switch_keeps_the_query(client: TestClient) -> None:
    page = client.get("/programs", params={"q": "수출바우처", "category": "export"})
    link = html.unescape(re.search(r'id="lang-switch"', page.text) and
                         re.search(r'href="([^"]+)"[^>]*id="lang-switch"', page.text).group(1))  # type: ignore[union-attr]
    switched = client.get(link, follow_redirects=True)
    assert '<html lang="en">' in switched.text and "category=export" in str(switched.url)
    assert "수출바우처" in str(switched.url) or "%EC%88%98" in str(switched.url)
    assert "Export" in switched.text
    client.get("/lang", params={"to": "ko", "next": "/"})


def test_language_switch_on_a_form_answer_returns_to_the_form_page(client: TestClient) -> None:
    """Issue 15 item 9: a page rendered in answer to a form post (a 422 with the errors) has no
    address of its own; its switch went to GET of the form's action (405). It returns to the page
    that held the form, with that page's query, and never off the site."""
    from tests.integration.test_pages import csrf_of, sign_up

    sign_up(client)  # signed in
    token = csrf_of(client.get("/account").text)
    answer = client.post("/account/password", headers={"referer": "http://testserver/account?tab=security&lang=ko"},
                         data={"csrf_token": token, "current_password": "wrong-password", "password": "x",
                               "password_confirm": "y"})
    assert answer.status_code == 422
    link = html.unescape(re.search(r'href="([^"]+)"[^>]*id="lang-switch"', answer.text).group(1))  # type: ignore[union-attr]
    assert link == "/lang?to=en&next=%2Faccount%3Ftab%3Dsecurity"
    switched = client.get(link, follow_redirects=True)
    assert switched.status_code == 200 and '<html lang="en">' in switched.text
    assert str(switched.url).endswith("/account?tab=security")
    elsewhere = client.post("/account/password", headers={"referer": "https://evil.example/account"},
                            data={"csrf_token": token, "current_password": "wrong-password", "password": "x",
                                  "password_confirm": "y"})
    assert 'href="/lang?to=ko&amp;next=%2F"' in elsewhere.text
    client.get("/lang", params={"to": "ko", "next": "/"})


def test_quick_check_errors_stand_next_to_their_fields(client: TestClient) -> None:
    r = client.post("/programs/kosmes-youth-startup-fund/quick", data={"ksic": "Z999", "founded_on": "2026-02-30",
                                                                     "regular_employees": "네 명"})
    assert r.status_code == 422
    assert 'id="ksic-error"' in r.text and 'id="founded_on-error"' in r.text and 'id="regular_employees-error"' in r.text
    assert "2026-02-30은 없는 날짜입니다" in r.text and 'value="Z999"' in r.text  # nothing typed is lost


def test_officer_edit_needs_a_reason_and_says_when_nothing_changed(officer: TestClient) -> None:
    editor = officer.get("/officer/programs/jeonnam-sme-development-fund/edit")
    csrf = csrf_of(editor.text)
    spec = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", editor.text, re.S).group(1))  # type: ignore[union-attr]
    form = {"csrf_token": csrf, "program_id": "jeonnam-sme-development-fund", "spec": spec}
    no_reason = officer.post("/officer/programs/save", data={**form, "note": ""})
    assert no_reason.status_code == 422 and 'id="note-error"' in no_reason.text and "변경 사유를 적어 주세요" in no_reason.text
    unchanged = officer.post("/officer/programs/save", data={**form, "note": "확인"})
    assert unchanged.status_code == 422 and "바뀐 내용이 없어" in unchanged.text
    broken = spec.replace("fact: is_sme", "fact: is_smee", 1)
    line = next(i for i, text in enumerate(broken.splitlines(), 1) if "is_smee" in text)
    bad = officer.post("/officer/preview", data={"spec": broken}, headers={"X-CSRF-Token": csrf})
    where = re.search(r"(\d+)행 (\d+)열", bad.text)
    assert bad.status_code == 422 and where and "is_smee" in bad.text
    assert line - 3 <= int(where.group(1)) <= line  # the criterion that holds the unknown fact
    assert "draft.yaml" not in bad.text and "all[0]" not in bad.text  # no internal path
    assert "/help/rules" in editor.text and "docs/rules-and-catalog.md" not in editor.text


def test_help_is_rendered_from_the_documentation(client: TestClient) -> None:
    page = client.get("/help/rules")
    assert page.status_code == 200 and "<h1>" in page.text and "<table>" in page.text
    assert client.get("/help/nope").status_code == 404


def test_no_internal_names_on_a_firms_pages(client: TestClient) -> None:
    sign_up(client)
    csrf = csrf_of(client.get("/firms/new").text)
    rec = client.post("/firms/new", data={**firm_form(), "csrf_token": csrf})
    assert "빵류 제조업 (C10602)" in rec.text and "순천시" in rec.text and "소기업" in rec.text
    assert ">small<" not in rec.text and "size_class" not in rec.text
    firms = client.get("/firms").text
    assert "빵류 제조업" in firms and "12150" not in firms
