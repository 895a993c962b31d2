"""The anchoring job: commits the heads of every subject chain that moved since the last anchor
into the next link of the anchor chain (their RFC 6962 Merkle root), so records removed at the
end of a chain — even with its head row rewound to match — or a whole chain removed are caught
by `onestop audit verify` once an anchor has seen them.

Anchorers: the web app's background thread (`start`, every ONESTOP_AUDIT_ANCHOR_INTERVAL
seconds, in every worker) and `onestop audit anchor` for cron. Exactly one anchor is made at a
time: on PostgreSQL a transaction-level advisory lock (others skip the round instead of waiting)
and the anchor number's primary key; the head rows are taken with FOR UPDATE SKIP LOCKED, so the
job never waits for a writer (a head being appended to right now is committed by the next
round) and a writer waits at most for one anchor's short transaction. SQLite serializes every
writer anyway; two anchorers racing there are refused by the anchor number's primary key.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from onestop.audit.model import Anchor, Link, make_anchor
from onestop.audit.tables import AuditHeadRow, audit_anchor, audit_anchor_leaf, audit_chain, audit_head
from onestop.platform.db import Database, utcnow

log = logging.getLogger(__name__)

#: pg_try_advisory_xact_lock key of the anchorer ("onestop audit anchor")
LOCK_KEY = 0x6F6E_6573_7461_6E63
#: most heads one anchor commits; a busy interval is committed by several anchors in one round
MAX_LEAVES = 5000


def anchor_once(db: Session, now: datetime | None = None, limit: int = MAX_LEAVES) -> Anchor | None:
    """Make the next anchor in the caller's transaction, committing up to `limit` chain heads
    that moved since they were last anchored; None when none moved or another anchorer holds the
    lock (PostgreSQL). The commit of the caller's transaction makes it durable."""
    if db.get_bind().dialect.name == "postgresql" and not db.scalar(select(func.pg_try_advisory_xact_lock(LOCK_KEY))):
        return None
    c = audit_chain.c
    moved = db.execute(select(c.subject, c.seq, c.hash).where(c.seq > c.anchored_seq).order_by(c.subject)
                       .limit(limit).with_for_update(skip_locked=True)).all()
    if not moved:
        return None
    head = db.execute(select(AuditHeadRow.seq, AuditHeadRow.hash).where(AuditHeadRow.id == 1)).one()
    anchor = make_anchor(head.seq, head.hash, now or utcnow(), (Link(r.subject, r.seq, r.hash) for r in moved))
    db.execute(insert(audit_anchor).values(seq=anchor.seq, at=anchor.at, size=anchor.size,
                                                  root=anchor.root, prev_hash=anchor.prev_hash, hash=anchor.hash))
    db.execute(insert(audit_anchor_leaf), [
        {"anchor_seq": anchor.seq, "position": i, "subject": x.subject, "subject_seq": x.seq, "hash": x.hash}
        for i, x in enumerate(anchor.leaves)])
    # the position read above, not the column: on SQLite (no row locks) a chain may have moved since
    db.execute(update(audit_chain).where(c.subject == bindparam("s")).values(anchored_seq=bindparam("n")),
               [{"s": x.subject, "n": x.seq} for x in anchor.leaves])
    updated = db.execute(update(audit_head)
                         .where(AuditHeadRow.id == 1, AuditHeadRow.seq == head.seq, AuditHeadRow.hash == head.hash)
                         .values(seq=anchor.seq, hash=anchor.hash))
    if updated.rowcount != 1:  # type: ignore[attr-defined]  # another anchorer got there first (SQLite)
        raise RuntimeError("the anchor head moved while anchoring")
    return anchor


def drain(database: Database, stop: threading.Event | None = None, limit: int = MAX_LEAVES) -> int:
    """Anchor until no head is left unanchored, each anchor in its own transaction. Returns the
    number of anchors made."""
    made = 0
    while stop is None or not stop.is_set():
        with database.unit_of_work() as db:
            anchor = anchor_once(db, limit=limit)
        if anchor is None:
            break
        made += 1
        if len(anchor.leaves) < limit:
            break
    return made


def _run(database: Database, interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        try:
            drain(database, stop)
        except Exception:  # the database may be restarting, or another anchorer won a race: next round
            log.exception("anchoring the audit log failed")


def start(database: Database, interval: float, stop: threading.Event) -> threading.Thread | None:
    """The web app's anchoring thread (None when `interval` is 0: anchoring is left to cron).
    Set `stop` and join the thread at shutdown."""
    if interval <= 0:
        return None
    thread = threading.Thread(target=_run, args=(database, interval, stop), name="audit-anchor", daemon=True)
    thread.start()
    return thread
