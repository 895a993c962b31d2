"""The email outbox: notifications that should also reach an inbox are marked due
(`email_due_at`) in the same transaction that creates them, and sent afterwards from here.

Sending inside the request would make a user wait on the mail server, hold the request's
locks while it answers, and mail people about changes that are then rolled back. Here the
mail goes out only for committed notifications, at least once: a crash between SMTP's answer
and the commit sends that one mail again, which beats losing it.

Security mail (email confirmation, password reset, password changed) carries a one-time link
that is not stored anywhere: `data["mail_link"]` names the link's purpose and salt, and the
token is derived here from the secret key (`accounts.tokens`). Only those kinds go to an
address that has not been confirmed yet; other notifications to it stay in the app.

Senders: the web app's background thread (`start`, every ONESTOP_MAIL_INTERVAL seconds) and
`onestop mail send` for cron. On PostgreSQL the due rows are taken with FOR UPDATE SKIP LOCKED,
so any number of workers and cron jobs never send the same mail twice; SQLite has no row locks
(the clause is dropped), so there run a single sender (one web worker, or cron alone).
"""

from __future__ import annotations

import logging
import smtplib
import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.accounts.tables import UserRow
from onestop.alerts.tables import NotificationRow
from onestop.platform import mail
from onestop.platform.db import Database, utcnow
from onestop.platform.settings import Settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
#: mail that could not go out for this long (SMTP was off, or down for days) is dropped: a
#: "three business days left" email arriving after the deadline misleads more than it helps.
#: The in-app notification is never affected.
MAX_AGE = timedelta(days=3)


def retry_delay(attempts: int) -> timedelta:
    """1, 4, 16, 64 minutes: a mail server restarting or briefly refusing gets about an hour and
    a half before the fifth failure gives the mail up, without hammering it every few seconds."""
    return timedelta(minutes=4 ** max(attempts - 1, 0))


#: kinds that may go to an address not yet confirmed (they are how it gets confirmed, or recovered)
SECURITY_KINDS = frozenset({"email_confirm", "password_reset", "password_changed"})


def notify(db: Session, user_ids: list[int], kind: str, ko: str, en: str, link: str = "",
           data: dict[str, Any] | None = None, email: bool = True) -> list[NotificationRow]:
    """In the app now; by email once this transaction commits (marked due for the outbox)."""
    now = utcnow()
    rows = [NotificationRow(user_id=user_id, kind=kind, title_ko=ko[:300], title_en=en[:300], link=link,
                            data=data or {}, email_due_at=now if email else None) for user_id in user_ids]
    db.add_all(rows)
    return rows


def body(settings: Settings, note: NotificationRow) -> str:
    """Both languages and the link back into the app, where the details (and the action) are;
    a security mail's paragraphs and its one-time link, derived now from the secret key."""
    from onestop.accounts import tokens

    data = note.data or {}
    links = [note.link] if note.link else []
    # A saved-search alert names several programs; each gets its own link.
    links += [f"/programs/{p}" for p in data.get("programs", [])[1:]]
    urls = [f"{settings.base_url}{link}" for link in links]
    secret = data.get("mail_link")
    if isinstance(secret, dict) and secret.get("purpose") in tokens.PURPOSES:
        urls = [tokens.link(settings.secret_key, settings.base_url, secret["purpose"], str(secret["salt"]))]
    lines = [note.title_ko, note.title_en, "", *urls]
    if "lines_ko" in data:
        lines += ["", *map(str, data["lines_ko"]), "", *map(str, data.get("lines_en", []))]
    return "\n".join(lines) + "\n"


def _give_up(note: NotificationRow, error: str) -> None:
    note.email_due_at = None
    note.email_error = error[:1000]


def send_pending(db: Session, settings: Settings, limit: int = 100, now: datetime | None = None) -> int:
    """Send up to `limit` due emails; returns how many were sent. Failures stay in the outbox
    for a later attempt (`retry_delay`) until MAX_ATTEMPTS. Does nothing without SMTP, so the
    mail waits (up to MAX_AGE) until SMTP is configured."""
    if not mail.enabled(settings):
        return 0
    now = now or utcnow()
    # The recipient comes in the same query: a query inside the loop would autoflush, and on
    # SQLite the first flush takes the database's write lock for the rest of the SMTP work.
    rows = db.execute(
        select(NotificationRow, UserRow.email, UserRow.is_active, UserRow.email_confirmed_at)
        .join(UserRow, UserRow.id == NotificationRow.user_id)
        .where(NotificationRow.email_due_at <= now)
        .order_by(NotificationRow.email_due_at, NotificationRow.id)
        .limit(limit)
        .with_for_update(of=NotificationRow, skip_locked=True)
    ).all()
    sent = 0
    for note, address, active, confirmed in rows:
        if not active:
            _give_up(note, "account inactive")
            continue
        if confirmed is None and note.kind not in SECURITY_KINDS:
            _give_up(note, "address not confirmed")  # the notification stays in the app
            continue
        if note.created_at < now - MAX_AGE:
            _give_up(note, f"not sent within {MAX_AGE.days} days")
            continue
        note.email_attempts += 1
        try:
            mail.send(settings, address, note.title_ko, body(settings, note))
        except (OSError, smtplib.SMTPException, ValueError) as exc:  # ValueError: a malformed header
            error = f"{type(exc).__name__}: {exc}"
            log.warning("notification %s email to %s failed (attempt %s): %s", note.id, address,
                        note.email_attempts, error)
            if note.email_attempts >= MAX_ATTEMPTS or isinstance(exc, smtplib.SMTPRecipientsRefused):
                _give_up(note, error)  # a refused address will not be accepted on a retry either
            else:
                note.email_due_at = now + retry_delay(note.email_attempts)
                note.email_error = error[:1000]
            continue
        note.emailed_at = utcnow()
        note.email_due_at = None
        note.email_error = None
        sent += 1
    db.flush()
    return sent


def drain(database: Database, settings: Settings, batch: int = 100, stop: threading.Event | None = None,
          now: datetime | None = None) -> int:
    """Send batches, each in its own transaction (row locks and SQLite's write lock are held for
    one batch only), until a batch is not full. Returns the number sent."""
    total = 0
    while stop is None or not stop.is_set():
        with database.unit_of_work() as db:
            n = send_pending(db, settings, batch, now)
        total += n
        if n < batch:
            break
    return total


def _run(database: Database, settings: Settings, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            drain(database, settings, stop=stop)
        except Exception:  # the database may be restarting: the mail waits for the next round
            log.exception("sending notification emails failed")
        stop.wait(settings.mail_interval)


def start(database: Database, settings: Settings, stop: threading.Event) -> threading.Thread | None:
    """The web app's sender thread, or None without SMTP (nothing could be sent). Set `stop` and
    join the thread at shutdown: it finishes the mail it is sending and stops between batches."""
    if not mail.enabled(settings):
        return None
    thread = threading.Thread(target=_run, args=(database, settings, stop), name="mail-outbox", daemon=True)
    thread.start()
    return thread
