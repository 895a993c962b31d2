"""Atomic attempt counters: the sign-in throttle and the limits on emailed links.

An attempt first *reserves* a hit in every counter that applies, under a lock: on PostgreSQL
in a short transaction of its own (`INSERT … ON CONFLICT DO NOTHING`, then `SELECT … FOR
UPDATE`) committed before the password is checked; on SQLite in the request's transaction,
which holds the database's write lock from its first statement to its commit. Forty parallel
guesses are therefore counted one after another: exactly the allowed number reach the password
check and the rest are refused (429) without it. A successful sign-in gives its hit back.

Two kinds of rule:
- *growing* (an account at one address): `free` attempts, then each further one must wait
  twice as long as the one before (1, 2, 4 … minutes, at most an hour) after the last; the
  count is forgotten after a day without attempts. A guesser at one address gets about thirty
  tries a day; the owner at another address is not affected.
- *window* (one address over all accounts; one account over unknown addresses): at most `free`
  hits in a fixed window; then refused until the window ends.

OWASP's Authentication Cheat Sheet ("Account lockout"; "Protect against automated attacks")
describes both, and why a lock-out per account alone lets anyone lock a known user out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from onestop.accounts.tables import ThrottleRow
from onestop.platform.db import utcnow

FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=1)
#: a growing count is forgotten after this long without a hit
MEMORY = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    key: str
    free: int
    window: timedelta
    growing: bool = False


@dataclass(frozen=True)
class Verdict:
    """Whether the attempt may go on; if not, which counters refused and for how long."""

    allowed: bool
    retry_after: timedelta = timedelta(0)
    refused: tuple[str, ...] = ()


def delay(over: int) -> timedelta:
    """The wait before the attempt that is `over` attempts beyond the free ones (over ≥ 1)."""
    grown: timedelta = FIRST_DELAY * (2 ** min(over - 1, 20))
    return min(grown, MAX_DELAY)


def _wait(rule: Rule, row: ThrottleRow, now: datetime) -> timedelta:
    if rule.growing:
        if row.last_hit_at is not None and now - row.last_hit_at >= MEMORY:
            row.hits = 0
        if row.hits < rule.free or row.last_hit_at is None:
            return timedelta(0)
        wait: timedelta = row.last_hit_at + delay(row.hits - rule.free + 1) - now
        return max(wait, timedelta(0))
    if now - row.window_started_at >= rule.window:
        row.hits, row.window_started_at = 0, now
    if row.hits < rule.free:
        return timedelta(0)
    return max(row.window_started_at + rule.window - now, timedelta(seconds=1))


def _engine(db: Session) -> Engine:
    bind = db.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _insert_missing(own: Session, keys: list[str], now: datetime) -> None:
    dialect = own.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    own.execute(insert(ThrottleRow).values([{"key": k, "hits": 0, "window_started_at": now} for k in keys])
                .on_conflict_do_nothing(index_elements=["key"]))


def reserve(db: Session, rules: Sequence[Rule] | Callable[[Session], Sequence[Rule]],
            now: datetime | None = None) -> Verdict:
    """Count one hit in every rule's counter, unless one of them refuses (then nothing is
    counted); `rules` may be a function of the session the counters are read in.

    PostgreSQL: in a transaction of its own, committed at once, so the row locks are not held
    while the password is checked. Call it before `db` has read anything, so that a request
    holds one pooled connection at a time. SQLite: in the caller's transaction, which took the
    database's write lock with its first statement (`BEGIN IMMEDIATE`, platform/db.py) and keeps
    it to its commit: sign-ins are serialized whole, and a second connection would only wait
    for the lock its own request holds."""
    now = now or utcnow()
    if _engine(db).dialect.name == "sqlite":
        verdict = _reserve(db, rules, now)
        db.flush()
        return verdict
    with Session(_engine(db), expire_on_commit=False) as own, own.begin():
        return _reserve(own, rules, now)


def _reserve(db: Session, rules: Sequence[Rule] | Callable[[Session], Sequence[Rule]], now: datetime) -> Verdict:
    if callable(rules):
        rules = rules(db)
    keys = sorted({r.key for r in rules})
    if not keys:
        return Verdict(True)
    _insert_missing(db, keys, now)
    rows = {r.key: r for r in db.scalars(select(ThrottleRow).where(ThrottleRow.key.in_(keys))
                                         .order_by(ThrottleRow.key).with_for_update())}
    waits = {rule.key: _wait(rule, rows[rule.key], now) for rule in rules}
    refused = tuple(k for k, w in waits.items() if w > timedelta(0))
    if refused:
        return Verdict(False, max(waits.values()), refused)  # the forgetting in _wait is kept: harmless
    for key in keys:
        rows[key].hits += 1
        rows[key].last_hit_at = now
    return Verdict(True)


def give_back(db: Session, rules: Sequence[Rule]) -> None:
    """After a success: a growing count starts again; window counts return the hit. In the
    caller's transaction (it commits with the sign-in it belongs to)."""
    keys = sorted({r.key for r in rules})
    growing = {r.key for r in rules if r.growing}
    for row in db.scalars(select(ThrottleRow).where(ThrottleRow.key.in_(keys)).order_by(ThrottleRow.key)
                          .with_for_update()):
        if row.key in growing:
            row.hits, row.last_hit_at = 0, None
        else:
            row.hits = max(row.hits - 1, 0)


def forget(db: Session, prefix_keys: Sequence[str]) -> None:
    """Drop counters whose keys start so (after a password reset, the account's own counts
    start over), in the caller's transaction."""
    for key in prefix_keys:
        db.execute(delete(ThrottleRow).where(ThrottleRow.key.like(f"{_escape(key)}%", escape="\\")))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def minutes(wait: timedelta) -> int:
    return max(1, -(-int(wait.total_seconds()) // 60))
