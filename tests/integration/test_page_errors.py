"""Page URLs answer KRDS HTML error pages, not problem+json (issue 15 item 4): every page route
of the app, walked from the app's own routes with a missing id, a wrong method and a bad
query, answers HTML with the right status, a title, the message and a way back, in Korean
or English; only `/api/...` (and htmx requests, whose script shows problem details in place)
answer JSON."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.integration.test_pages import page_login, sign_up

#: machine-readable by design (the public statistics' open-data downloads among them)
MACHINE = ("/api", "/static", "/openapi.json", "/docs", "/healthz", "/csp-report", "/statistics.json",
           "/statistics.csv")


def routes(router: Any, prefix: str = "") -> Iterator[APIRoute]:
    """Every APIRoute under `router`, through FastAPI's included routers."""
    for r in getattr(router, "routes", []):
        inner = getattr(r, "original_router", None)
        if inner is not None:
            yield from routes(inner, prefix + (getattr(getattr(r, "include_context", None), "prefix", "") or ""))
        elif isinstance(r, APIRoute):
            yield r


def page_routes(app: Any) -> list[tuple[str, set[str]]]:
    found: dict[str, set[str]] = {}
    for r in routes(app.router):
        if not r.path.startswith(MACHINE):
            found.setdefault(r.path, set()).update(r.methods or set())
    return sorted(found.items())


def missing(path: str, big: bool = False) -> str:
    """The path with every parameter a thing that does not exist: ids 999999 (or one beyond
    any id, `big`), names nonsense."""
    number = "99999999999" if big else "999999"
    return re.sub(r"\{(\w+)\}", lambda m: number if m.group(1).endswith("_id") else "no-such-thing", path)


def is_html_page(r: Any) -> bool:
    return r.headers.get("content-type", "").startswith("text/html") and "<h1" in r.text and 'href="/"' in r.text


def test_the_walk_finds_the_page_routes(app: Any) -> None:
    paths = [p for p, _ in page_routes(app)]
    assert {"/applications/{app_id}", "/programs/{program_id}", "/firms/{firm_id}/members", "/login"} <= set(paths)
    assert len(paths) > 40


def test_every_page_route_with_a_missing_id_answers_an_html_page(app: Any) -> None:
    with TestClient(app, client=("2001:db8::e404", 5000)) as browser:
        sign_up(browser)
        failures = []
        for path, methods in page_routes(app):
            if "GET" not in methods or "{" not in path:
                continue
            for big in (False, True):
                r = browser.get(missing(path, big), follow_redirects=False)
                if (r.status_code >= 400 and not is_html_page(r)) or r.status_code >= 500:
                    failures.append((path, big, r.status_code, r.headers.get("content-type")))
        assert failures == []


def test_every_page_route_asked_with_a_wrong_method_answers_405_html(app: Any) -> None:
    with TestClient(app, client=("2001:db8::e405", 5000)) as browser:
        sign_up(browser)
        failures = []
        for path, methods in page_routes(app):
            wrong = "PUT" if "PUT" not in methods else "PATCH"
            r = browser.request(wrong, missing(path), follow_redirects=False)
            if r.status_code != 405 or not is_html_page(r) or "Allow" not in r.headers:
                failures.append((path, r.status_code, r.headers.get("content-type")))
        assert failures == []


@pytest.mark.parametrize(("path", "status", "ko", "en"), [
    ("/applications/999999", 404, "신청을 찾을 수 없습니다", "Application not found"),
    ("/programs/nope", 404, "찾을 수 없습니다", "not found"),
    ("/applications/99999999999", 422, "주소나 입력값을 확인해 주세요", "check the address"),
    ("/no/such/page", 404, "페이지를 찾을 수 없습니다", "Page not found"),
])
def test_the_error_page_names_the_problem_in_both_languages(client: TestClient, path: str, status: int, ko: str,
                                                            en: str) -> None:
    sign_up(client)
    korean = client.get(path)
    assert korean.status_code == status and is_html_page(korean)
    assert '<html lang="ko">' in korean.text and ko in korean.text and 'id="error-home"' in korean.text
    english = client.get(path, params={"lang": "en"})
    assert english.status_code == status and '<html lang="en">' in english.text and en.lower() in english.text.lower()


def test_a_bad_query_on_a_page_answers_html_and_the_api_still_answers_json(client: TestClient) -> None:
    page = client.get("/programs", params={"page": "abc"})
    assert page.status_code in (200, 422) and page.headers["content-type"].startswith("text/html")
    api = client.get("/api/v1/programs/nope")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
    htmx = client.get("/applications/999999", headers={"HX-Request": "true"})
    assert htmx.headers["content-type"] in ("application/problem+json", "text/html; charset=utf-8")


def test_the_error_page_offers_the_page_the_visitor_came_from(client: TestClient) -> None:
    sign_up(client)
    r = client.get("/applications/999999", headers={"referer": "http://testserver/programs?q=%EC%B0%BD%EC%97%85"})
    assert 'id="error-back"' in r.text and 'href="/programs?q=%EC%B0%BD%EC%97%85"' in r.text
    elsewhere = client.get("/applications/999999", headers={"referer": "https://evil.example/x"})
    assert 'id="error-back"' not in elsewhere.text


def test_a_signed_out_visitor_is_sent_to_sign_in_not_given_json(app: Any) -> None:
    with TestClient(app, client=("2001:db8::e401", 5000)) as browser:
        for path, methods in page_routes(app):
            if "GET" not in methods:
                continue
            r = browser.get(missing(path), follow_redirects=False)
            assert r.status_code < 500, path
            assert not r.headers.get("content-type", "").startswith("application/"), (path, r.status_code)


def test_page_login_still_works(client: TestClient) -> None:
    from onestop.demo.seed import PASSWORD

    assert page_login(client, "founder@onestop.demo", PASSWORD).status_code == 303
