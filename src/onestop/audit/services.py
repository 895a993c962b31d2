"""Append to the audit log with the caller's transaction, and verify all of it.

`record` queues a record on the session; when the session's transaction commits, the queued
records are appended to their subjects' chains just before the COMMIT, subjects in sorted
order. So a chain's head row is locked only by writers of that subject and only for the end of
their transaction, and two transactions touching the same subjects lock them in the same order
(no deadlock). A rolled-back transaction or savepoint drops what it queued: the log holds
exactly what was committed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, bindparam, event, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.elements import ColumnElement

from onestop.audit.model import (
    GENESIS,
    LEGACY,
    Anchor,
    Entry,
    Link,
    Verdict,
    check_subject,
    seal,
    verify_log,
)
from onestop.audit.tables import (
    AuditHeadRow,
    AuditRow,
    audit_anchor,
    audit_anchor_leaf,
    audit_chain,
    audit_head,
    audit_log,
)
from onestop.platform.db import utcnow

_PENDING = "onestop.audit.pending"


@dataclass(frozen=True)
class _Queued:
    tx: SessionTransaction
    at: datetime
    actor_user_id: int | None
    actor: str
    action: str
    subject: str
    data: dict[str, Any]


def record(db: Session, *, actor: str, action: str, subject: str, data: dict[str, Any] | None = None,
           actor_user_id: int | None = None) -> None:
    """Record that `actor` did `action` to `subject` (e.g. "application:12"), now (`at`; `data` is
    copied now). The record is appended when the caller's transaction commits, and not at all if
    it rolls back; a chain's order is the order its writers committed in. On a
    read-only (autocommit) session, as GET requests use, it is written at once in a
    transaction of its own. Raises ValueError for a subject that is empty, longer than 80
    characters or "*"."""
    check_subject(subject)
    at = utcnow()
    writer = db.info.get("write_sessions")
    if writer is not None:
        with writer() as own, own.begin():
            _queue(own, at, actor_user_id, actor, action, subject, dict(data or {}))
        return
    _queue(db, at, actor_user_id, actor, action, subject, dict(data or {}))


def _queue(db: Session, at: datetime, actor_user_id: int | None, actor: str, action: str, subject: str,
           data: dict[str, Any]) -> None:
    tx = db.get_nested_transaction() or db.get_transaction() or db.begin()
    db.info.setdefault(_PENDING, []).append(_Queued(tx, at, actor_user_id, actor, action, subject, data))


def flush(db: Session) -> None:
    """Append what this session has queued now instead of at commit (its heads stay locked until
    the transaction ends): for a caller that must read its own records back before committing."""
    queued: list[_Queued] = db.info.pop(_PENDING, [])
    if queued:
        db.flush()
        append(db, queued)


@event.listens_for(Session, "before_commit")
def _append_queued(db: Session) -> None:
    """At the outermost commit (a savepoint's release keeps its records queued for the outer
    transaction); the ORM's changes are flushed first, so the head locks are the transaction's last."""
    if not db.in_nested_transaction():
        flush(db)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(db: Session, previous: SessionTransaction) -> None:
    queued: list[_Queued] | None = db.info.get(_PENDING)
    if queued:
        db.info[_PENDING] = [q for q in queued if not _within(q.tx, previous)]


@event.listens_for(Session, "after_transaction_end")
def _forget(db: Session, tx: SessionTransaction) -> None:
    if tx.parent is None:  # the outermost transaction ended: committed (appended) or not
        db.info.pop(_PENDING, None)


def _within(tx: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while tx is not None:
        if tx is ancestor:
            return True
        tx = tx.parent
    return False


_RECORD = ("at", "actor_user_id", "actor", "action", "subject", "subject_seq", "data", "prev_hash", "hash")


@functools.cache
def _statements(dialect: str) -> tuple[Any, Any, Any]:
    """Built once per dialect (bound parameters, compiled once and cached): the head upsert, the
    insert of one record together with the head's new hash (one round trip on PostgreSQL, a
    data-modifying WITH), and the plain head update for several records or SQLite."""
    c = audit_chain.c
    upsert = (pg_insert if dialect == "postgresql" else sqlite_insert)(audit_chain)
    head = upsert.values(subject=bindparam("head_subject"), seq=bindparam("n"), hash=GENESIS, anchored_seq=0) \
        .on_conflict_do_update(index_elements=[c.subject], set_={"seq": c.seq + bindparam("n")}) \
        .returning(c.seq, c.hash)
    set_hash = update(audit_chain).where(c.subject == bindparam("head_subject")).values(hash=bindparam("head_hash"))
    one = None
    if dialect == "postgresql":
        row = insert(audit_log).values({k: bindparam(f"r_{k}", type_=audit_log.c[k].type) for k in _RECORD}).cte("appended")
        one = set_hash.add_cte(row)
    return head, one, set_hash


def append(db: Session, queued: Sequence[_Queued]) -> None:
    """Append to each subject's chain, subjects in sorted order, records of one subject in the
    order they were recorded: per subject one upsert of the head (which takes its row lock and
    returns where the chain stands), then the records and the head's new hash (one statement on
    PostgreSQL for one record). Runs on the session's connection, past the ORM."""
    conn = db.connection()
    head, one, set_hash = _statements(conn.dialect.name)
    for subject, group in groupby(sorted(queued, key=lambda q: q.subject), key=lambda q: q.subject):
        items = list(group)
        seq, prev = conn.execute(head, {"head_subject": subject, "n": len(items)}).one()
        rows = []
        for pos, q in enumerate(items, start=seq - len(items) + 1):
            digest = seal(prev, subject, pos, q.at, q.actor_user_id, q.actor, q.action, q.data)
            rows.append({"at": q.at, "actor_user_id": q.actor_user_id, "actor": q.actor, "action": q.action,
                         "subject": subject, "subject_seq": pos, "data": q.data, "prev_hash": prev, "hash": digest})
            prev = digest
        if one is not None and len(rows) == 1:
            conn.execute(one, {**{f"r_{k}": v for k, v in rows[0].items()}, "head_subject": subject, "head_hash": prev})
        else:
            conn.execute(insert(audit_log), rows)
            conn.execute(set_hash, {"head_subject": subject, "head_hash": prev})


# --- verification ----------------------------------------------------------------------------

@contextmanager
def snapshot(db: Session) -> Iterator[Connection]:
    """A connection of its own that sees one consistent state of the database for all its reads
    (REPEATABLE READ, read only, on PostgreSQL; one read transaction on SQLite), so appends
    committed meanwhile cannot look like a broken chain."""
    engine = db.get_bind().engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True) as conn, \
                conn.begin():
            yield conn
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.exec_driver_sql("ROLLBACK")


def _ordered(conn: Connection, column: ColumnElement[str]) -> ColumnElement[str]:
    """Code-point order on every backend (the verifier merges streams in Python's order)."""
    return column.collate("C") if conn.dialect.name == "postgresql" else column


BATCH = 2000


def _entry(r: Any) -> Entry:
    return Entry(r.seq, r.at, r.actor_user_id, r.actor, r.action, r.subject, r.data, r.prev_hash, r.hash, r.subject_seq)


def _stream(conn: Connection, stmt: Any) -> Iterator[Any]:
    """Rows in batches through a server-side cursor on PostgreSQL (constant memory)."""
    yield from conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)


def _records(conn: Connection) -> Iterator[Entry]:
    t = audit_log.c
    stmt = select(audit_log).where(t.subject_seq.is_not(None)).order_by(_ordered(conn, t.subject), t.subject_seq)
    return (_entry(r) for r in _stream(conn, stmt))


def _legacy(conn: Connection) -> Iterator[Entry]:
    t = audit_log.c
    return (_entry(r) for r in _stream(conn, select(audit_log).where(t.subject_seq.is_(None)).order_by(t.seq)))


def _heads(conn: Connection) -> Iterator[Link]:
    t = audit_chain.c
    return (Link(r.subject, r.seq, r.hash)
            for r in _stream(conn, select(t.subject, t.seq, t.hash).order_by(_ordered(conn, t.subject))))


def _anchored(conn: Connection) -> Iterator[Link]:
    t = audit_anchor_leaf.c
    stmt = select(t.subject, t.subject_seq, t.hash).where(t.subject != LEGACY) \
        .order_by(_ordered(conn, t.subject), t.subject_seq)
    return (Link(r.subject, r.subject_seq, r.hash) for r in _stream(conn, stmt))


def _anchors(conn: Connection) -> Iterator[Anchor]:
    """Anchors in order, each with its leaves; a batch of anchors and their leaves at a time."""
    a, lf = audit_anchor.c, audit_anchor_leaf.c
    last = 0
    while True:
        rows = conn.execute(select(audit_anchor).where(a.seq > last).order_by(a.seq).limit(200)).all()
        if not rows:
            return
        leaves: dict[int, list[Link]] = {}
        stmt = select(lf.anchor_seq, lf.subject, lf.subject_seq, lf.hash) \
            .where(lf.anchor_seq > last, lf.anchor_seq <= rows[-1].seq).order_by(lf.anchor_seq, lf.position)
        for leaf in _stream(conn, stmt):
            leaves.setdefault(leaf.anchor_seq, []).append(Link(leaf.subject, leaf.subject_seq, leaf.hash))
        for r in rows:
            yield Anchor(r.seq, r.at, r.size, r.root, r.prev_hash, r.hash, tuple(leaves.get(r.seq, ())))
        last = rows[-1].seq


def verify_chain(db: Session, expect: Sequence[tuple[int, str]] = ()) -> Verdict:
    """Recompute every chain (subject chains, the legacy chain, the anchor chain) in one
    snapshot; `expect` = anchors noted down elsewhere, (number, hash), that must still be there."""
    with snapshot(db) as conn:
        head = conn.execute(select(audit_head).where(AuditHeadRow.id == 1)).first()
        return verify_log(legacy=_legacy(conn), records=_records(conn), heads=_heads(conn), anchors=_anchors(conn),
                          anchor_head=Link("anchor", head.seq, head.hash) if head is not None else None,
                          anchored=_anchored(conn), expect=expect)


def verdict_json(v: Verdict) -> dict[str, Any]:
    """The verdict for the API and `--json`: `broken_at` the first broken record's global id
    (None when the first break is not a stored record), `reason` its English text; every
    chain's first broken link in `problems`; the newest anchor to note down elsewhere."""
    first = v.first
    return {
        "ok": v.ok, "checked": v.checked, "chains": v.chains, "anchors": v.anchors, "broken": v.broken,
        "broken_at": v.broken_at, "reason": v.reason,
        "subject": first.subject if first else None, "subject_seq": first.subject_seq if first else None,
        "anchor": first.anchor if first else None,
        "problems": [{"code": p.code, "where": p.where(), "record": p.record, "subject": p.subject,
                      "subject_seq": p.subject_seq, "anchor": p.anchor, "ko": p.ko, "en": p.en} for p in v.problems],
        "newest_anchor": {"seq": v.last_anchor.seq, "hash": v.last_anchor.hash} if v.last_anchor else None,
    }


def history(db: Session, subject: str) -> list[AuditRow]:
    """A subject's records, oldest first (legacy records, then its chain), this transaction's own included."""
    flush(db)
    return list(db.scalars(select(AuditRow).where(AuditRow.subject == subject)
                           .order_by(AuditRow.subject_seq.is_not(None), AuditRow.subject_seq, AuditRow.seq)))
