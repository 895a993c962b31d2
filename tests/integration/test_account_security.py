"""Sign-in and account security (issue 14 §4): login CSRF, the atomic throttle with a growing
delay per account and address, password reset by emailed one-time link, email confirmation,
the password policy at every entry, and the consents of sign-up (issue 15 item 6)."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from onestop.accounts import services, throttle
from onestop.accounts.tables import AccountTokenRow, ConsentRow, LoginAttemptRow, ThrottleRow, UserRow
from onestop.alerts.outbox import drain
from onestop.alerts.tables import NotificationRow
from onestop.errors import DomainError
from onestop.platform.db import utcnow
from onestop.platform.settings import Settings
from tests.integration.conftest import Api, agreements, fresh_email, mailed_token, mails
from tests.integration.test_application_mail import Inbox, notes_of, subject, text
from tests.integration.test_pages import PAGE_PASSWORD, csrf_of, page_login, sign_up

_addresses = itertools.count(1)
POLICY = services.Throttle(5, timedelta(minutes=15))


def address() -> str:
    """A fresh client address for each test: the counters are shared by the whole suite."""
    n = next(_addresses)
    return f"198.51.{n // 250}.{n % 250 + 1}"


def attempt(app: Any, email: str, password: str, ip: str) -> str:
    """One sign-in through the service, committed like a request: "ok" or the refusal's code."""
    with app.state.db.unit_of_work() as db:
        try:
            services.authenticate(db, email=email, password=password, ip=ip, policy=POLICY)
        except DomainError as e:
            return e.code
    return "ok"


# --- login CSRF -----------------------------------------------------------------------------------

def test_a_cross_site_sign_in_form_is_refused_and_the_normal_form_works(client: TestClient, app: Any) -> None:
    api = Api(client)
    token = csrf_of(client.get("/login").text)
    form = {"csrf_token": token, "email": api.email, "password": Api.PASSWORD}
    evil = client.post("/login", data=form, headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
                       follow_redirects=False)
    assert evil.status_code == 403 and "onestop_session" not in evil.cookies and "보안 확인" in evil.text
    assert client.post("/login", data=form, headers={"Origin": "https://evil.example"},
                       follow_redirects=False).status_code == 403
    with TestClient(app) as stranger:  # another browser: no pre-session cookie of its own
        assert stranger.post("/login", data=form, follow_redirects=False).status_code == 403
        stranger.get("/login")
        assert stranger.post("/login", data=form, follow_redirects=False).status_code == 403  # token not its own
    missing = client.post("/login", data={"email": api.email, "password": Api.PASSWORD}, follow_redirects=False)
    assert missing.status_code == 403
    ok = client.post("/login", data=form, headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
                     follow_redirects=False)
    assert ok.status_code == 303 and client.cookies.get("onestop_session")


def test_a_cross_site_sign_up_form_is_refused(app: Any) -> None:
    with TestClient(app) as c:
        token = csrf_of(c.get("/signup").text)
        form = {"csrf_token": token, "email": fresh_email("csrf"), "password": PAGE_PASSWORD,
                "password_confirm": PAGE_PASSWORD, "name": "홍길동", **{f"agree_{k}": "yes" for k in agreements()}}
        evil = c.post("/signup", data=form, headers={"Sec-Fetch-Site": "cross-site"}, follow_redirects=False)
        assert evil.status_code == 403 and "onestop_session" not in evil.cookies
        assert c.post("/signup", data=form, follow_redirects=False).status_code == 303


# --- the throttle -------------------------------------------------------------------------------

def test_forty_parallel_wrong_guesses_are_evaluated_exactly_five_times(client: TestClient, app: Any) -> None:
    api = Api(client)
    ip = address()
    barrier = threading.Barrier(40)
    codes: list[str] = []

    def guess() -> None:
        barrier.wait()
        codes.append(attempt(app, api.email, "wrong-guess-2026", ip))

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == ["login_failed"] * 5 + ["login_throttled"] * 35
    with app.state.db.unit_of_work() as db:
        evaluated = db.scalar(sa.select(sa.func.count()).select_from(LoginAttemptRow).where(
            LoginAttemptRow.email == api.email, LoginAttemptRow.success.is_(False)))
    assert evaluated == 5  # only the allowed attempts reached the password check


def test_the_api_answers_429_with_the_wait_after_five_failures(client: TestClient) -> None:
    api = Api(client)
    for _ in range(5):
        r = client.post("/api/v1/auth/token", json={"email": api.email, "password": "wrong-password!"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/token", json={"email": api.email, "password": Api.PASSWORD})
    assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
    assert "1분" in r.json()["detail_ko"] and "1 minute" in r.json()["detail"]


def test_the_wait_doubles_after_each_further_failure_up_to_an_hour(client: TestClient, app: Any) -> None:
    rule = throttle.Rule(f"test-growing:{fresh_email()}", 5, timedelta(minutes=15), growing=True)
    t0 = utcnow()
    with app.state.db.unit_of_work() as db:
        for i in range(5):
            assert throttle.reserve(db, [rule], t0 + timedelta(seconds=i)).allowed
        at, waits = t0 + timedelta(seconds=4), []
        for _ in range(9):
            refused = throttle.reserve(db, [rule], at)
            assert not refused.allowed
            waits.append(round(refused.retry_after.total_seconds() / 60))
            at += refused.retry_after
            assert throttle.reserve(db, [rule], at).allowed
        assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
        assert throttle.reserve(db, [rule], at + timedelta(days=1, seconds=1)).allowed  # forgotten after a day


def test_an_attacker_elsewhere_cannot_lock_the_owner_out(client: TestClient, app: Any) -> None:
    owner = Api(client)
    home, attacker = address(), address()
    assert attempt(app, owner.email, Api.PASSWORD, home) == "ok"  # the owner's usual address
    for _ in range(5):
        assert attempt(app, owner.email, "guess-guess-guess", attacker) == "login_failed"
    assert attempt(app, owner.email, Api.PASSWORD, attacker) == "login_throttled"
    assert attempt(app, owner.email, Api.PASSWORD, home) == "ok"
    # a guesser spread over many addresses: past the account's limit for unknown addresses,
    # the owner at home still signs in, a new address waits
    botnet = [address() for _ in range(25)]
    for ip in botnet:
        for _ in range(4):
            attempt(app, owner.email, "guess-guess-guess", ip)
    assert attempt(app, owner.email, Api.PASSWORD, address()) == "login_throttled"
    assert attempt(app, owner.email, Api.PASSWORD, home) == "ok"


def test_a_success_gives_back_its_hit_and_restarts_the_growing_count(client: TestClient, app: Any) -> None:
    owner = Api(client)
    ip = address()
    for _ in range(4):
        assert attempt(app, owner.email, "guess-guess-guess", ip) == "login_failed"
    assert attempt(app, owner.email, Api.PASSWORD, ip) == "ok"
    for _ in range(5):
        assert attempt(app, owner.email, "guess-guess-guess", ip) == "login_failed"
    with app.state.db.unit_of_work() as db:
        row = db.get(ThrottleRow, f"signin:{owner.email}@{ip}")
        assert row is not None and row.hits == 5


# --- password reset -------------------------------------------------------------------------------

def test_password_reset_by_emailed_one_time_link(client: TestClient, app: Any) -> None:
    api = Api(client)
    unknown = client.post("/api/v1/auth/password-reset", json={"email": fresh_email("nobody")})
    asked = client.post("/api/v1/auth/password-reset", json={"email": api.email.upper()})
    assert unknown.status_code == asked.status_code == 202 and unknown.json() == asked.json()
    mail = mails(app, api.email, "password_reset")[-1]
    assert "/password/reset/" in mail and "1시간" in mail and "an hour" in mail
    token = mailed_token(app, api.email, "password_reset")
    with app.state.db.unit_of_work() as db:  # the link is kept hashed, and the outbox holds no link either
        stored = [str(v) for row in db.execute(sa.select(AccountTokenRow)).scalars() for v in vars(row).values()]
        stored += [str(n.data) + n.link for n in db.scalars(sa.select(NotificationRow))]
        assert not any(token in value for value in stored)

    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 200 and "새 비밀번호" in page.text and api.email in page.text
    form = {"csrf_token": csrf_of(page.text), "password": "password1234", "password_confirm": "password1234"}
    weak = client.post(f"/password/reset/{token}", data=form)
    assert weak.status_code == 422 and 'aria-invalid="true"' in weak.text and "유출된 비밀번호" in weak.text
    new = "봄날 순천만 갈대밭 산책 2026"
    form = {"csrf_token": csrf_of(weak.text), "password": new, "password_confirm": new}
    done = client.post(f"/password/reset/{token}", data=form)
    assert done.status_code == 200 and "비밀번호를 바꾸었습니다" in done.text

    assert api.get("/api/v1/me").status_code == 401  # every token of the account ended
    assert client.post("/api/v1/auth/token", json={"email": api.email, "password": Api.PASSWORD}).status_code == 401
    assert client.post("/api/v1/auth/token", json={"email": api.email, "password": new}).status_code == 200
    again = client.post(f"/password/reset/{token}", data={**form, "csrf_token": csrf_of(client.get("/login").text)})
    assert again.status_code == 410 and "이미 쓰였거나" in again.text  # single use
    assert "비밀번호가 바뀌었습니다" in mails(app, api.email, "password_changed")[-1]


def test_reset_links_expire_and_a_newer_one_replaces_the_older(client: TestClient, app: Any) -> None:
    api = Api(client)
    client.post("/api/v1/auth/password-reset", json={"email": api.email})
    first = mailed_token(app, api.email, "password_reset")
    client.post("/api/v1/auth/password-reset", json={"email": api.email})
    second = mailed_token(app, api.email, "password_reset")
    body = {"password": "바다 위 등대 불빛 하나 둘", "token": first}
    assert client.post("/api/v1/auth/password-reset/confirm", json=body).json()["code"] == "link_invalid"
    with app.state.db.unit_of_work() as db:
        db.execute(sa.update(AccountTokenRow).where(AccountTokenRow.used_at.is_(None), AccountTokenRow.user_id == sa.select(
            UserRow.id).where(UserRow.email == api.email).scalar_subquery()).values(expires_at=utcnow()))
    expired = client.post("/api/v1/auth/password-reset/confirm", json={**body, "token": second})
    assert expired.status_code == 422 and "만료" in expired.json()["detail_ko"]


def test_reset_requests_are_limited_per_account_and_address(client: TestClient, app: Any) -> None:
    api = Api(client)
    ip = address()
    for _ in range(5):  # one request each
        with app.state.db.unit_of_work() as db:
            services.request_reset(db, "test-secret", api.email, ip)
    assert len(mails(app, api.email, "password_reset")) == 3  # three links an hour, then silence
    with pytest.raises(DomainError) as caught:
        for _ in range(20):
            with app.state.db.unit_of_work() as db:
                services.request_reset(db, "test-secret", fresh_email("spray"), ip)
    assert caught.value.code == "login_throttled" and caught.value.retry_after


def test_reset_pages_speak_korean_and_english(client: TestClient) -> None:
    assert "비밀번호 재설정" in client.get("/password/forgot").text
    client.get("/lang", params={"to": "en", "next": "/"})
    english = client.get("/password/forgot")
    assert "Reset your password" in english.text and 'lang="en"' in english.text
    sent = client.post("/password/forgot", data={"csrf_token": csrf_of(english.text), "email": fresh_email()})
    assert 'id="reset-sent"' in sent.text and "an hour" in sent.text
    assert "wrong, already used or expired" in client.get("/password/reset/not-a-token").text
    client.get("/lang", params={"to": "ko", "next": "/"})


def test_a_signed_in_user_changes_the_password_and_other_devices_sign_out(client: TestClient, app: Any) -> None:
    csrf = sign_up(client)
    email = re.search(r"[\w.+-]+@example\.kr", client.get("/account").text).group(0)  # type: ignore[union-attr]
    with TestClient(app) as other:
        assert page_login(other, email, PAGE_PASSWORD).status_code == 303
        new = "가을 하늘 높이 나는 연 2026"
        wrong = client.post("/account/password", data={"csrf_token": csrf, "current_password": "nope-nope-nope",
                                                       "password": new, "password_confirm": new})
        assert wrong.status_code == 422 and 'id="current_password-error"' in wrong.text
        ok = client.post("/account/password", data={"csrf_token": csrf, "current_password": PAGE_PASSWORD,
                                                     "password": new, "password_confirm": new})
        assert ok.status_code == 200 and 'id="notice"' in ok.text
        assert other.get("/account", follow_redirects=False).status_code == 303  # signed out there
        assert client.get("/account").status_code == 200  # not here


# --- email confirmation ---------------------------------------------------------------------------

def test_an_unconfirmed_account_may_draft_but_not_submit_invite_or_get_mail(client: TestClient, app: Any) -> None:
    from tests.integration.test_applications import PROGRAM, upload_all

    api = Api(client, confirmed=False)
    assert api.get("/api/v1/me").json()["email_confirmed"] is False
    firm = api.register_firm()
    draft = api.post("/api/v1/applications", json={"firm_id": firm["id"], "program_id": PROGRAM})
    assert draft.status_code == 201
    upload_all(api, draft.json()["id"])
    refused = api.post(f"/api/v1/applications/{draft.json()['id']}/submit", json={})
    assert refused.status_code == 403 and refused.json()["code"] == "email_unconfirmed"
    assert "이메일 주소를 확인" in refused.json()["detail_ko"]
    invite = api.post(f"/api/v1/firms/{firm['id']}/invitations", json={"email": fresh_email()})
    assert invite.status_code == 403 and invite.json()["code"] == "email_unconfirmed"

    token = mailed_token(app, api.email, "email_confirm")
    page = client.get(f"/account/confirm/{token}")
    assert page.status_code == 200 and 'id="confirm-submit"' in page.text  # a mail scanner's GET confirms nothing
    assert api.get("/api/v1/me").json()["email_confirmed"] is False
    assert client.post(f"/account/confirm/{token}", data={"csrf_token": csrf_of(page.text)}).status_code == 200
    assert api.get("/api/v1/me").json()["email_confirmed"] is True
    assert api.post(f"/api/v1/applications/{draft.json()['id']}/submit", json={}).status_code == 200
    assert client.post("/api/v1/auth/confirm-email", json={"token": token}).json()["code"] == "link_invalid"


@pytest.fixture(scope="module")
def smtp() -> Iterator[Inbox]:
    box = Inbox()
    box.controller.start()
    try:
        yield box
    finally:
        box.controller.stop()


def test_an_unconfirmed_address_gets_only_the_confirmation_mail(client: TestClient, app: Any, smtp: Inbox,
                                                                settings: Settings) -> None:
    inbox = smtp
    mail_settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port})
    api = Api(client, confirmed=False)
    with app.state.db.unit_of_work() as db:  # an application notice for the unconfirmed account
        db.add(NotificationRow(user_id=api.get("/api/v1/me").json()["id"], kind="decision", title_ko="신청 결과",
                               title_en="Decision", email_due_at=utcnow()))
    drain(app.state.db, mail_settings)
    assert [subject(m) for m in inbox.to(api.email)] == ["[원스톱] 이메일 주소를 확인해 주세요"]
    decision = notes_of(app, api.email, "decision")[0]
    assert decision.email_error == "address not confirmed" and decision.email_due_at is None
    assert "/account/confirm/" in text(inbox.to(api.email)[0])


def test_the_account_page_resends_the_confirmation_three_times_an_hour(client: TestClient, app: Any) -> None:
    csrf = sign_up(client, confirmed=False)
    page = client.get("/account")
    assert 'id="confirm-email"' in page.text and "확인 전" in page.text
    for _ in range(3):
        assert client.post("/account/confirm", data={"csrf_token": csrf}).status_code == 200
    late = client.post("/account/confirm", data={"csrf_token": csrf})
    assert late.status_code == 429 and "너무 자주" in late.text


# --- consents and the sign-up form -------------------------------------------------------------

def test_sign_up_needs_the_required_consents_in_their_current_version(client: TestClient, app: Any) -> None:
    email = fresh_email()
    body = {"email": email, "password": Api.PASSWORD, "name": "김동의"}
    none = client.post("/api/v1/auth/signup", json=body)
    fields = {e["field"]: e for e in none.json()["errors"]}
    assert none.status_code == 422 and {"consents.terms", "consents.privacy"} <= set(fields)
    assert "[필수] 이용약관 동의" in fields["consents.terms"]["ko"]
    stale = client.post("/api/v1/auth/signup", json={**body, "agreements": {**agreements(), "terms": "2020-01-01"}})
    assert [e["code"] for e in stale.json()["errors"]] == ["consent_version"]
    items = client.get("/api/v1/consents").json()
    assert [i["id"] for i in items] == ["terms", "privacy", "marketing"]
    assert "보유·이용 기간" in items[1]["text_ko"] and "동의를 거부할 권리" in items[1]["text_ko"]
    ok = client.post("/api/v1/auth/signup", json={**body, "agreements": agreements()})
    assert ok.status_code == 201 and ok.json()["email_confirmed"] is False
    with app.state.db.unit_of_work() as db:
        rows = {r.item: r for r in db.scalars(sa.select(ConsentRow).join(UserRow, UserRow.id == ConsentRow.user_id)
                                                .where(UserRow.email == email))}
    assert {k: (r.agreed, r.version) for k, r in rows.items()} == {
        "terms": (True, "2026-01-01"), "privacy": (True, "2026-01-01"), "marketing": (False, "2026-01-01")}
    assert all(r.at is not None and r.ip.startswith("2001:db8::") for r in rows.values())  # the visitor's address


def test_the_sign_up_form_shows_each_error_by_its_field_and_keeps_the_input(app: Any) -> None:
    with TestClient(app) as c:
        page = c.get("/signup")
        assert "[필수]" in page.text and "[선택]" in page.text and "/static/js/consent.js" in page.text
        assert "<script>" not in page.text and "onclick" not in page.text
        form = {"csrf_token": csrf_of(page.text), "email": fresh_email(), "name": "김가입", "password": PAGE_PASSWORD,
                "password_confirm": PAGE_PASSWORD + "x", "agree_terms": "yes"}
        r = c.post("/signup", data=form)
        assert r.status_code == 422
        assert 'id="password_confirm-error"' in r.text and 'aria-describedby="password_confirm-error' in r.text
        assert 'id="consents_privacy-error"' in r.text and 'id="consents_terms-error"' not in r.text
        assert f'value="{form["email"]}"' in r.text and 'id="agree-terms" data-consent checked' in r.text


def test_optional_consent_is_given_and_withdrawn_on_the_account_page(client: TestClient, app: Any) -> None:
    csrf = sign_up(client)
    page = client.get("/account")
    assert "광고성 정보" in page.text and 'id="agree-marketing"' in page.text
    given = client.post("/account/consents", data={"csrf_token": csrf, "item": "marketing", "agreed": "yes"})
    assert 'id="withdraw-marketing"' in given.text
    client.post("/account/consents", data={"csrf_token": csrf, "item": "marketing", "agreed": "no"})
    required = client.post("/account/consents", data={"csrf_token": csrf, "item": "privacy", "agreed": "no"})
    assert required.status_code == 422 and "필수 항목" in required.text
    email = re.search(r"[\w.+-]+@example\.kr", page.text).group(0)  # type: ignore[union-attr]
    with app.state.db.unit_of_work() as db:
        answers = [(r.item, r.agreed) for r in db.scalars(sa.select(ConsentRow).join(
            UserRow, UserRow.id == ConsentRow.user_id).where(UserRow.email == email).order_by(ConsentRow.id))]
    assert answers[-2:] == [("marketing", True), ("marketing", False)]  # every answer kept, in order
    terms = client.get("/terms/privacy/2026-01-01")
    assert terms.status_code == 200 and "<table>" in terms.text and "수집·이용 목적" in terms.text
    assert client.get("/terms/privacy/1999-01-01").status_code == 404


def test_demo_accounts_are_confirmed(app: Any) -> None:
    from onestop.demo.seed import ACCOUNTS

    with app.state.db.unit_of_work() as db:
        confirmed = {u.email: u.email_confirmed_at is not None for u in db.scalars(
            sa.select(UserRow).where(UserRow.email.in_([a.email for a in ACCOUNTS])))}
    assert confirmed == {a.email: True for a in ACCOUNTS}


def _greedy_extras(span: timedelta) -> int:
    """The most attempts beyond the free ones that the growing delays let through in `span`."""
    n, used = 0, timedelta(0)
    while used + throttle.delay(n + 1) <= span:
        n += 1
        used += throttle.delay(n)
    return n


@examples(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=40 * 60), min_size=1, max_size=25))
def test_no_schedule_of_guesses_gets_more_than_the_delays_allow(app: Any, gaps: list[int]) -> None:
    """However a guesser spaces the attempts (seconds apart), one account at one address never
    gets more than the free attempts plus what the doubling waits leave room for."""
    rule = throttle.Rule(f"property:{fresh_email()}", 5, timedelta(minutes=15), growing=True)
    at, allowed = utcnow(), []
    with app.state.db.unit_of_work() as db:
        for gap in gaps:
            at += timedelta(seconds=gap)
            if throttle.reserve(db, [rule], at).allowed:
                allowed.append(at)
    if len(allowed) > 5:
        assert len(allowed) - 5 <= _greedy_extras(allowed[-1] - allowed[4]) + 1
    assert len(allowed) <= len(gaps)
