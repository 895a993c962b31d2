"""Application events and deadline reminders by email through a real (local) SMTP server: the
outbox is filled in the request's transaction and drained afterwards; failures stay queued and
back off; reminders count Korean business days and are given once per deadline.

The session's database is shared with other tests, so every assertion looks at this test's own
firm member, application or mail, never at totals."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from email.header import decode_header, make_header
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from onestop.accounts.tables import UserRow
from onestop.alerts.outbox import MAX_ATTEMPTS, body, drain, send_pending
from onestop.alerts.tables import NotificationRow
from onestop.applications.consultations import KST, business_days_after, business_days_between, is_business_day
from onestop.applications.reminders import send_reminders
from onestop.applications.tables import ApplicationRow
from onestop.cli import app as cli
from onestop.demo.seed import PASSWORD
from onestop.platform.db import utcnow
from onestop.platform.settings import Settings
from tests.integration.conftest import Api
from tests.integration.test_applications import PDF, draft, upload_all


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """A local SMTP server and what it received."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        self.messages: list[Any] = []
        outer = self

        class Handler(Message):
            def handle_message(self, message: Any) -> None:
                outer.messages.append(message)

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if m["To"] == address]


def subject(message: Any) -> str:
    return str(make_header(decode_header(message["Subject"])))


def text(message: Any) -> str:
    return str(message.get_payload(decode=True).decode("utf-8"))


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    box = Inbox()
    box.controller.start()
    try:
        yield box
    finally:
        box.controller.stop()


@pytest.fixture
def mail_settings(settings: Settings, inbox: Inbox) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port})


@pytest.fixture
def broken_smtp(settings: Settings) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": free_port()})  # nobody listens


def notes_of(app: Any, email: str, kind: str | None = None) -> list[NotificationRow]:
    with app.state.db.unit_of_work() as s:
        q = (sa.select(NotificationRow).join(UserRow, UserRow.id == NotificationRow.user_id)
             .where(UserRow.email == email).order_by(NotificationRow.id))
        if kind:
            q = q.where(NotificationRow.kind == kind)
        return list(s.scalars(q))


def act(api: Api, aid: int, action: str, **extra: Any) -> None:
    v = api.get(f"/api/v1/applications/{aid}").json()["version"]
    r = api.post(f"/api/v1/applications/{aid}/actions", json={"action": action, "version": v, **extra})
    assert r.status_code == 200, r.text


def submitted(client: TestClient) -> tuple[Api, int]:
    firm_api = Api(client)
    aid = draft(firm_api, firm_api.register_firm()["id"])["id"]
    upload_all(firm_api, aid)
    assert firm_api.post(f"/api/v1/applications/{aid}/submit", json={}).status_code == 200
    return firm_api, aid


# --- events ---------------------------------------------------------------------------------

def test_each_application_event_is_emailed_after_the_transaction(client: TestClient, app: Any,
                                                                 mail_settings: Settings, inbox: Inbox) -> None:
    firm_api, aid = submitted(client)
    received = notes_of(app, firm_api.email, "application_received")
    assert len(received) == 1 and received[0].email_due_at is not None and received[0].emailed_at is None
    assert inbox.to(firm_api.email) == []  # the request itself sent nothing

    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    act(officer, aid, "start_check")
    act(officer, aid, "request_supplement", supplements={"other": "최근 재무제표 / latest financial statements"})
    firm_api.post(f"/api/v1/applications/{aid}/documents", data={"kind": "other"}, files={"file": ("fs.pdf", PDF)})
    act(firm_api, aid, "resubmit")
    act(officer, aid, "documents_ok")
    act(officer, aid, "approve")

    assert drain(app.state.db, mail_settings) >= 4
    mails = {subject(m): text(m) for m in inbox.to(firm_api.email)}
    assert set(mails) == {f"신청 #{aid}가 접수되었습니다.", f"신청 #{aid}에 서류 보완 요청이 있습니다.",
                          f"신청 #{aid} 결과: 선정", f"신청 #{aid}의 전자약정서가 준비되었습니다."}, mails
    link = f"{mail_settings.base_url}/applications/{aid}"
    assert all(link in b for b in mails.values())
    assert f"Application #{aid} was received." in mails[f"신청 #{aid}가 접수되었습니다."]
    assert f"The e-agreement for application #{aid} is ready to sign." in mails[f"신청 #{aid}의 전자약정서가 준비되었습니다."]
    assert all(n.emailed_at and n.email_due_at is None and n.email_attempts == 1
               for n in notes_of(app, firm_api.email))
    before = len(inbox.to(firm_api.email))
    drain(app.state.db, mail_settings)
    assert len(inbox.to(firm_api.email)) == before  # sent once


def test_smtp_failure_keeps_the_email_queued_and_the_in_app_notification(
        client: TestClient, app: Any, mail_settings: Settings, broken_smtp: Settings, inbox: Inbox) -> None:
    firm_api, aid = submitted(client)
    with app.state.db.unit_of_work() as s:
        send_pending(s, broken_smtp, limit=10_000)
    [note] = notes_of(app, firm_api.email)
    assert note.emailed_at is None and note.email_attempts == 1 and note.email_due_at is not None
    assert note.email_due_at > utcnow() and "ConnectionRefused" in (note.email_error or "")
    in_app = firm_api.get("/api/v1/notifications").json()
    assert [n["title_ko"] for n in in_app] == [f"신청 #{aid}가 접수되었습니다."] and not in_app[0]["read"]

    with app.state.db.unit_of_work() as s:  # backing off: not retried at once
        send_pending(s, mail_settings, limit=10_000)
    assert inbox.to(firm_api.email) == []
    with app.state.db.unit_of_work() as s:  # the server is back after the delay
        send_pending(s, mail_settings, limit=10_000, now=utcnow() + timedelta(minutes=2))
    [mail] = inbox.to(firm_api.email)
    assert f"/applications/{aid}" in text(mail)
    [note] = notes_of(app, firm_api.email)
    assert note.emailed_at and note.email_due_at is None and note.email_attempts == 2 and note.email_error is None


def test_the_outbox_gives_up_after_five_failures(client: TestClient, app: Any, mail_settings: Settings,
                                                 broken_smtp: Settings, inbox: Inbox) -> None:
    firm_api, _ = submitted(client)
    at = utcnow()
    for _ in range(MAX_ATTEMPTS):
        at += timedelta(hours=2)  # past every retry delay
        with app.state.db.unit_of_work() as s:
            send_pending(s, broken_smtp, limit=10_000, now=at)
    [note] = notes_of(app, firm_api.email)
    assert note.email_attempts == MAX_ATTEMPTS and note.email_due_at is None and note.emailed_at is None
    assert note.email_error
    with app.state.db.unit_of_work() as s:
        send_pending(s, mail_settings, limit=10_000, now=at + timedelta(hours=2))
    assert inbox.to(firm_api.email) == []
    assert len(firm_api.get("/api/v1/notifications").json()) == 1  # the app still tells them


def test_an_email_locked_by_another_sender_is_left_to_it(client: TestClient, app: Any, mail_settings: Settings,
                                                         inbox: Inbox) -> None:
    if app.state.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no row locks: run one sender there")
    firm_api, _ = submitted(client)
    [note] = notes_of(app, firm_api.email)
    with app.state.db.unit_of_work() as other:  # another worker, in the middle of sending it
        other.execute(sa.select(NotificationRow.id).where(NotificationRow.id == note.id).with_for_update())
        with app.state.db.unit_of_work() as s:
            send_pending(s, mail_settings, limit=10_000)  # skips the locked row instead of waiting
        assert inbox.to(firm_api.email) == []
    drain(app.state.db, mail_settings)
    assert len(inbox.to(firm_api.email)) == 1


def test_no_smtp_means_nothing_is_sent_and_nothing_is_lost(client: TestClient, app: Any, settings: Settings) -> None:
    firm_api, _ = submitted(client)
    with app.state.db.unit_of_work() as s:
        assert send_pending(s, settings) == 0
    [note] = notes_of(app, firm_api.email)
    assert note.email_due_at is not None and note.email_attempts == 0


def test_alert_email_lists_every_new_program(settings: Settings) -> None:
    note = NotificationRow(title_ko="새 사업 2건", title_en="2 new programs", link="/programs/a",
                           data={"programs": ["a", "b"]})
    assert body(settings, note).splitlines() == ["새 사업 2건", "2 new programs", "",
                                                 f"{settings.base_url}/programs/a", f"{settings.base_url}/programs/b"]


# --- deadline reminders ---------------------------------------------------------------------

def kst(y: int, m: int, d: int, hour: int = 18) -> datetime:
    return datetime(y, m, d, hour, tzinfo=KST)


def set_deadline(app: Any, aid: int, at: datetime) -> None:
    with app.state.db.unit_of_work() as s:
        s.execute(sa.update(ApplicationRow).where(ApplicationRow.id == aid).values(deadline_at=at))


def reminders(app: Any, email: str) -> list[str]:
    return [n.title_ko for n in notes_of(app, email, "deadline_reminder")]


def test_korean_holidays_are_not_business_days() -> None:
    assert not is_business_day(date(2026, 12, 25))  # Christmas, a Friday
    assert business_days_between(date(2026, 12, 22), date(2026, 12, 28)) == 3  # Wed, Thu, Mon
    assert business_days_between(date(2027, 2, 5), date(2027, 2, 12)) == 3  # Seollal Mon 8, Tue 9
    assert business_days_between(date(2026, 12, 22), date(2026, 12, 22)) == 0
    assert business_days_between(date(2026, 12, 22), date(2026, 12, 26)) == 2  # a Saturday deadline


def test_deadline_reminders_once_per_deadline_in_business_days(client: TestClient, app: Any,
                                                               mail_settings: Settings, inbox: Inbox) -> None:
    near, far, past = Api(client), Api(client), Api(client)
    near_id = draft(near, near.register_firm()["id"])["id"]
    far_id = draft(far, far.register_firm()["id"])["id"]
    past_id = draft(past, past.register_firm()["id"])["id"]
    supplement, sup_id = submitted(client)
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    act(officer, sup_id, "start_check")
    act(officer, sup_id, "request_supplement", supplements={"other": "사업자등록증 / registration certificate"})
    set_deadline(app, near_id, kst(2026, 12, 28))  # Mon; Christmas (Fri 25) does not count: 3 left
    set_deadline(app, far_id, kst(2026, 12, 29))  # 4 business days left
    set_deadline(app, past_id, kst(2026, 12, 22, 9))  # passed an hour before `now`
    set_deadline(app, sup_id, kst(2026, 12, 24))
    now = kst(2026, 12, 22, 10)  # Tuesday

    with app.state.db.unit_of_work() as s:
        assert send_reminders(s, 3, now=now) >= 2
    assert reminders(app, near.email) == [
        f"신청 #{near_id} 마감이 3영업일 남았습니다 (2026-12-28 18:00 KST). 서류를 제출해 주세요."]
    [note] = notes_of(app, near.email, "deadline_reminder")
    assert note.title_en == (f"Application #{near_id} is due in 3 business days (2026-12-28 18:00 KST). "
                             "Please complete and submit your application.")
    assert reminders(app, far.email) == [] and reminders(app, past.email) == []
    assert reminders(app, supplement.email) == [
        f"신청 #{sup_id} 마감이 2영업일 남았습니다 (2026-12-24 18:00 KST). 요청된 보완 서류를 올려 주세요."]

    with app.state.db.unit_of_work() as s:  # the second run (cron twice, or two hosts) adds nothing
        assert send_reminders(s, 3, now=now) == 0
    assert len(reminders(app, near.email)) == 1

    drain(app.state.db, mail_settings)
    [mail] = inbox.to(near.email)
    assert subject(mail) == reminders(app, near.email)[0] and f"/applications/{near_id}" in text(mail)

    # A draft is the firm's alone: no officer moves its deadline. An officer extends the
    # supplement's deadline past Seollal: the new deadline gets its own reminder.
    hidden = officer.post(f"/api/v1/applications/{near_id}/deadline",
                          json={"until": kst(2027, 2, 12).isoformat(), "reason": "설 연휴 / Seollal holidays"})
    assert hidden.status_code == 404
    r = officer.post(f"/api/v1/applications/{sup_id}/deadline",
                     json={"until": kst(2027, 2, 12).isoformat(), "reason": "설 연휴 / Seollal holidays"})
    assert r.status_code == 200, r.text
    with app.state.db.unit_of_work() as s:
        send_reminders(s, 3, now=kst(2027, 2, 4, 10))
    assert len(reminders(app, supplement.email)) == 1  # Thu 4 Feb: 4 business days left (Seollal skipped)
    with app.state.db.unit_of_work() as s:
        send_reminders(s, 3, now=kst(2027, 2, 5, 10))
        send_reminders(s, 3, now=kst(2027, 2, 5, 10))
    assert reminders(app, supplement.email)[1:] == [
        f"신청 #{sup_id} 마감이 3영업일 남았습니다 (2027-02-12 18:00 KST). 요청된 보완 서류를 올려 주세요."]


def test_cli_remind_and_mail_send(client: TestClient, app: Any, settings: Settings, inbox: Inbox) -> None:
    firm_api = Api(client)
    aid = draft(firm_api, firm_api.register_firm()["id"])["id"]
    today = datetime.now(KST).date()
    set_deadline(app, aid, datetime.combine(business_days_after(today, 2), time(18), tzinfo=KST))
    runner = CliRunner()
    url = settings.database_url

    first = runner.invoke(cli, ["remind", "--days", "3", "--database-url", url])
    assert first.exit_code == 0, first.output
    assert "deadline reminder(s) created" in first.output and "마감 알림 0건" not in first.output
    assert len(reminders(app, firm_api.email)) == 1 and "2영업일" in reminders(app, firm_api.email)[0]
    again = runner.invoke(cli, ["remind", "--database-url", url])
    assert again.exit_code == 0 and "마감 알림 0건 / 0 deadline reminder(s)" in again.output

    env = {"ONESTOP_SECRET_KEY": "test-secret", "ONESTOP_SMTP_HOST": ""}
    off = runner.invoke(cli, ["mail", "send", "--database-url", url], env=env)
    assert off.exit_code == 2 and "ONESTOP_SMTP_HOST" in off.output
    env.update(ONESTOP_SMTP_HOST="127.0.0.1", ONESTOP_SMTP_PORT=str(inbox.port))
    sent = runner.invoke(cli, ["mail", "send", "--database-url", url], env=env)
    assert sent.exit_code == 0 and "email(s) sent" in sent.output, sent.output
    [mail] = inbox.to(firm_api.email)
    assert "마감" in subject(mail) and "business day" in text(mail)
