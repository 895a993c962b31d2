"""Pages through the HTTP client: sessions, CSRF, forms with errors, language switch, officers."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from onestop.demo.seed import PASSWORD
from tests.conftest import example
from tests.integration.conftest import agreements, confirm_email, fresh_brn, fresh_email


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


PAGE_PASSWORD = "a-long-password"


def sign_up(client: TestClient, confirmed: bool = True, email: str | None = None) -> str:
    """Sign up through the form (consents ticked, the password twice), confirm the address
    from the emailed link, and return the session's CSRF token."""
    email = email or fresh_email("page")
    form = {"csrf_token": csrf_of(client.get("/signup").text), "email": email, "password": PAGE_PASSWORD,
            "password_confirm": PAGE_PASSWORD, "name": "홍길동",
            **{f"agree_{k}": "yes" for k in agreements()}, **{f"version_{k}": v for k, v in agreements().items()}}
    r = client.post("/signup", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/firms/new", r.text
    if confirmed:
        confirm_email(client, email)
    return csrf_of(client.get("/firms/new").text)


def page_login(client: TestClient, email: str, password: str, **extra: str) -> Any:
    """Sign in through the form, with the pre-session CSRF token of the sign-in page."""
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password, **extra},
                       follow_redirects=False)


def firm_form(**changes: Any) -> dict[str, Any]:
    data = example("young-founder")
    form = {"brn": fresh_brn(), "name": data["name"], "ksic": data["ksic"], "sido": "12", "region": "12150",
            "founded_on": data["founded_on"], "ceo_birth_date": data["ceo_birth_date"], "regular_employees": "4",
            "revenue_2024": "60,000,000", "revenue_2025": "300000000", "total_assets": "250000000",
            # the policy-fund plan's facts as the form submits them (status preselected; a bakery with a factory)
            "business_status": "operating", "manufacturing_share_pct": "100", "factory_registered": "1",
            "policy_fund_fields": "1"}
    form.update(changes)
    return form


def test_public_pages_render_in_korean_and_english(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and '<html lang="ko">' in home.text and "지원사업 찾기" in home.text
    results = client.get("/programs", params={"q": "수출바우처"})
    assert "수출바우처" in results.text and "검색 결과" in results.text
    switched = client.get("/lang", params={"to": "en", "next": "/programs"}, follow_redirects=True)
    assert '<html lang="en">' in switched.text and "Find support programs" in switched.text
    client.get("/lang", params={"to": "ko", "next": "/"})
    detail = client.get("/programs/kosmes-youth-startup-fund")
    assert "우리 기업 자격 확인" in detail.text and "대표자 만 39세 이하" in detail.text
    assert client.get("/programs/nope").status_code == 404
    css = client.get("/static/css/onestop.css").text
    assert '@font-face' in css and "PretendardGOV-Regular.subset.woff2" in css
    assert client.get("/static/vendor/krds/fonts/PretendardGOV-Regular.subset.woff2").status_code == 200


def test_register_firm_with_wrong_brn_then_right_one(client: TestClient) -> None:
    csrf = sign_up(client)
    bad = client.post("/firms/new", data={**firm_form(brn="415-81-25300"), "csrf_token": csrf})
    assert bad.status_code == 422
    assert "검증번호" in bad.text and 'value="순천바른빵 주식회사"' in bad.text  # nothing typed is lost
    # the error stands next to its field, the input says so, and the summary links to it
    assert 'id="brn" name="brn"' in bad.text and 'aria-invalid="true" aria-describedby="brn-error brn-hint"' in bad.text
    assert '<p class="form-hint-invalid" id="brn-error">' in bad.text and 'href="#brn"' in bad.text
    ok = client.post("/firms/new", data={**firm_form(), "csrf_token": csrf}, follow_redirects=False)
    assert ok.status_code == 303
    page = client.get(ok.headers["location"])
    assert "맞춤 추천" in page.text and "청년전용창업자금" in page.text
    assert "한 가지만 더" in page.text and "현재:" in page.text
    assert "등록했습니다" in page.text  # the flash of the post/redirect/get, shown once
    assert "등록했습니다" not in client.get(ok.headers["location"]).text


def test_every_near_miss_is_shown_one_change_away_with_its_alternatives(client: TestClient) -> None:
    """A near miss is one change away however many criteria could each make it eligible: the
    page counts them as the API does, and a program with alternatives (수출사업화자금: a
    government export program *or* the promising-exporter designation) lists them as "any one
    of these" (found by a new user: it was filed under "more than one change")."""
    import re

    csrf = sign_up(client)
    ok = client.post("/firms/new", data={**firm_form(), "csrf_token": csrf}, follow_redirects=False)
    url = ok.headers["location"]
    firm_id = int(url.split("/")[2])
    page = client.get(url).text
    api = client.get(f"/api/v1/firms/{firm_id}/recommendations").json()
    near = api["totals"]["near_miss"]
    assert f"한 가지만 더 ({near})" in page and "두 가지 이상" not in page
    shown = set(re.findall(r'os-onemore near-miss" data-program="([^"]+)"', page))
    assert len(shown) == min(near, 30)
    card = page[page.index('data-program="kosmes-export-commercialization-fund"'):].split('<li class="os-program-card')[0]
    assert "다음 가운데 하나만 갖추면 됩니다." in card and card.count("<li>") == 2


def test_forms_without_csrf_token_are_refused(client: TestClient) -> None:
    sign_up(client)
    r = client.post("/firms/new", data=firm_form())
    assert r.status_code == 403 and "보안 토큰" in r.text and r.headers["content-type"].startswith("text/html")


def test_live_validation_fragment(client: TestClient) -> None:
    csrf = sign_up(client)
    r = client.post("/firms/check", data={**firm_form(brn="124-81-00999"), "csrf_token": csrf})
    assert 'href="#brn"' in r.text and "검증번호" in r.text
    ok = client.post("/firms/check", data={**firm_form(), "csrf_token": csrf})
    assert 'id="live-ok"' in ok.text
    options = client.get("/ui/ksic", params={"q": "빵류"})
    assert 'value="C10602"' in options.text
    districts = client.get("/ui/regions", params={"sido": "52"})
    assert "전주시" in districts.text


def test_save_search_from_results_page(client: TestClient) -> None:
    csrf = sign_up(client)
    results = client.get("/programs", params={"q": "스마트공장", "category": "smart_factory"})
    qs = re.search(r'name="query_string" value="([^"]*)"', results.text)
    assert qs
    query_string = qs.group(1).replace("&amp;", "&")
    saved = client.post("/saved", data={"csrf_token": csrf, "name": "스마트공장", "query_string": query_string},
                        follow_redirects=True)
    assert saved.status_code == 200 and "스마트공장" in saved.text and "category=smart_factory" in saved.text


def test_officer_editor_preview_and_boundaries(client: TestClient) -> None:
    r = page_login(client, "officer.jeonnam@onestop.demo", PASSWORD, next="/officer/programs")
    assert r.headers["location"].endswith("/officer/programs")
    r = client.get(r.headers["location"])
    assert "jeonnam-sme-development-fund" in r.text and "kosmes-youth-startup-fund" not in r.text
    editor = client.get("/officer/programs/jeonnam-sme-development-fund/edit")
    csrf = csrf_of(editor.text)
    yaml_text = re.search(r'<textarea[^>]*>(.*?)</textarea>', editor.text, re.S)
    assert yaml_text
    import html

    spec = html.unescape(yaml_text.group(1))
    preview = client.post("/officer/preview", data={"spec": spec}, headers={"X-CSRF-Token": csrf})
    assert 'id="preview-result"' in preview.text
    broken = client.post("/officer/preview", data={"spec": spec.replace("fact: is_sme", "fact: is_smee", 1)},
                         headers={"X-CSRF-Token": csrf})
    assert broken.status_code == 422 and "is_smee" in broken.text
    other = client.get("/officer/programs/kosmes-youth-startup-fund/edit")
    assert other.status_code == 403


def test_member_cannot_open_officer_pages_or_other_firms(client: TestClient) -> None:
    sign_up(client)
    assert client.get("/officer/programs").status_code == 403
    assert client.get("/firms/1/edit").status_code == 404
    assert client.get("/firms/1/recommendations").status_code == 404


def test_login_errors_and_logout(client: TestClient) -> None:
    bad = page_login(client, "nobody@example.kr", "wrong-password")
    assert bad.status_code == 401 and "올바르지 않습니다" in bad.text
    csrf = sign_up(client)
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/firms", follow_redirects=False).status_code == 303


def test_a_reference_date_not_on_the_calendar_is_named_so_on_the_page(client: TestClient) -> None:
    """2026-02-30 has the right form but is no day: the page says so (it said the form was wrong;
    found by a new user), as the API does; a value of another form is told the form."""
    from onestop.firms.services import reference_date

    csrf = sign_up(client)
    url = client.post("/firms/new", data={**firm_form(), "csrf_token": csrf}, follow_redirects=False).headers["location"]
    impossible = client.get(url, params={"date": "2026-02-30"})
    assert impossible.status_code == 422 and "2026-02-30은 없는 날짜입니다" in impossible.text
    assert "형식이어야" not in impossible.text
    malformed = client.get(url, params={"date": "yesterday"})
    assert malformed.status_code == 422 and "YYYY-MM-DD 형식이어야" in malformed.text
    import pytest

    from onestop.errors import DomainError

    with pytest.raises(DomainError) as e:
        reference_date("2026-13-01")
    assert e.value.field == "date" and "없는 날짜" in e.value.ko and "not a date on the calendar" in e.value.en
