"""Append to the audit chain inside the caller's transaction, and verify the whole chain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from onestop.audit.model import Entry, Verdict, canonical, chain_hash, verify
from onestop.audit.tables import AuditHeadRow, AuditRow
from onestop.platform.db import utcnow


def record(db: Session, *, actor: str, action: str, subject: str, data: dict[str, Any] | None = None,
           actor_user_id: int | None = None) -> AuditRow:
    """Append one record in the caller's transaction. On a read-only (autocommit) session, as
    GET requests use, the record is written in a transaction of its own: the head lock below
    only protects the chain inside a transaction."""
    writer = db.info.get("write_sessions")
    if writer is None:
        return _append(db, actor, action, subject, data, actor_user_id)
    with writer() as own, own.begin():
        return _append(own, actor, action, subject, data, actor_user_id)


def _append(db: Session, actor: str, action: str, subject: str, data: dict[str, Any] | None,
            actor_user_id: int | None) -> AuditRow:
    """The head row is updated first: that takes the write lock (row lock on PostgreSQL, the
    database lock on SQLite) so concurrent appends queue instead of forking the chain; it is
    held until the transaction commits."""
    db.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1).values(seq=AuditHeadRow.seq + 1))
    head = db.scalar(select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update())
    assert head is not None, "the migration creates the audit head"
    at = utcnow()
    payload = data or {}
    digest = chain_hash(head.hash, canonical(head.seq, at, actor_user_id, actor, action, subject, payload))
    row = AuditRow(seq=head.seq, at=at, actor_user_id=actor_user_id, actor=actor, action=action, subject=subject,
                   data=payload, prev_hash=head.hash, hash=digest)
    db.add(row)
    head.hash = digest
    db.flush()
    return row


def entries(db: Session, batch: int = 5000) -> Iterator[Entry]:
    last = 0
    while True:
        rows = list(db.scalars(select(AuditRow).where(AuditRow.seq > last).order_by(AuditRow.seq).limit(batch)))
        if not rows:
            return
        for r in rows:
            yield Entry(r.seq, r.at, r.actor_user_id, r.actor, r.action, r.subject, r.data, r.prev_hash, r.hash)
        last = rows[-1].seq


def verify_chain(db: Session) -> Verdict:
    verdict = verify(entries(db))
    if verdict.ok:
        head = db.get(AuditHeadRow, 1)
        if head is not None and head.seq != verdict.checked:
            return Verdict(False, verdict.checked, verdict.checked + 1,
                           f"the head says {head.seq} records but {verdict.checked} are there (records removed at the end)")
    return verdict


def history(db: Session, subject: str) -> list[AuditRow]:
    return list(db.scalars(select(AuditRow).where(AuditRow.subject == subject).order_by(AuditRow.seq)))
