"""Recommendations recomputed in the background when a catalog revision is published.

A publish changes the catalog revision, and with it the key of every firm's cached
recommendations. Without this, the first view of every firm after a publish would compute it
on the visitor's request, all at once (a thundering herd). Instead, publishing records a run
(`on_catalog_published`, a hook in the publish's transaction) and the run recomputes every
registered firm's standings in batches, off the request path, storing each as a snapshot. A
visitor's request then reads its firm's snapshot (one indexed query) and builds only the
explanations of the page it shows; a firm not reached yet, or edited since, is computed for that
firm alone. No request ever computes another firm.

Runners: the web app's background thread (`start`, every ONESTOP_RECOMMENDATION_REFRESH_INTERVAL
seconds) and `onestop recommendations refresh` for cron. The run's row is taken with FOR UPDATE
SKIP LOCKED, one batch per transaction, so on PostgreSQL any number of workers and cron jobs
recompute each firm of a run exactly once; SQLite has no row locks (the clause is dropped), so
there run a single runner (one web worker, or cron alone), as for the email outbox.
"""

from __future__ import annotations

import logging
import threading
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.firms import services as firms
from onestop.matching.model import snapshot
from onestop.matching.services import Engine
from onestop.matching.tables import RecommendationRunRow, RecommendationSnapshotRow
from onestop.platform.db import Database, utcnow

log = logging.getLogger(__name__)

BATCH = 200


def on_catalog_published(db: Session, revision: int) -> None:
    """Hook (platform/hooks.CATALOG_PUBLISHED): schedule the revision's recomputation, for the
    date a visitor's request takes by default."""
    if db.scalar(select(RecommendationRunRow.id).where(RecommendationRunRow.catalog_revision == revision)) is None:
        db.add(RecommendationRunRow(catalog_revision=revision, on_date=firms.reference_date(None), state="pending",
                                    next_firm_id=0, firms_done=0))
        db.flush()


def save_snapshot(db: Session, row: Any, revision: int, on: date, engine: Engine) -> None:
    """Compute one firm's standings and store them (replacing the firm's previous snapshot)."""
    st, size = engine.standings(firms.profile_of(row), on)
    snap = db.get(RecommendationSnapshotRow, row.id)
    if snap is None:
        snap = RecommendationSnapshotRow(firm_id=row.id)
        db.add(snap)
    snap.firm_version = row.version
    snap.catalog_revision = revision
    snap.on_date = on
    snap.parameters_version = size.parameters_version
    snap.standings = snapshot(st)
    snap.computed_at = utcnow()


def run_date(db: Session, revision: int, known: dict[int, date] | None = None) -> date | None:
    """The date a catalog revision's background run computes for (None: the revision has no run).
    The run is recorded in the publish's own transaction, once per revision, and its date never
    changes: `known` (one database's revisions → their run's date, e.g. the app's result cache)
    keeps it once found."""
    found = known.get(revision) if known is not None else None
    if found is None:
        found = db.scalar(select(RecommendationRunRow.on_date).where(RecommendationRunRow.catalog_revision == revision))
        if found is not None and known is not None:
            if len(known) >= 64:
                known.clear()
            known[revision] = found
    return found


def snapshot_of(db: Session, firm_id: int, version: int, revision: int, on: date,
                run_dates: dict[int, date] | None = None) -> dict[str, Any] | None:
    """The firm's stored standings, if they were computed for this version, revision and date.
    Snapshots are stored only for the date of their revision's run (`run_date`, with
    `run_dates` kept by the caller for its database): another date is not looked up."""
    if on != run_date(db, revision, run_dates):
        return None
    # one indexed look-up that reads the stored JSON only when it is for these inputs
    s = RecommendationSnapshotRow
    found: dict[str, Any] | None = db.scalar(
        select(s.standings).where(s.firm_id == firm_id, s.firm_version == version, s.catalog_revision == revision,
                                  s.on_date == on))
    return found


def refresh_batch(db: Session, engine_of: Any, batch: int = BATCH) -> int | None:
    """Recompute the next `batch` firms of the newest pending run; the number done, or None when
    no run is pending (or every pending one is being worked on elsewhere). `engine_of(db)` gives
    (revision, Engine) for the current catalog (the app's EngineCache, or a fresh build)."""
    run = db.scalar(select(RecommendationRunRow).where(RecommendationRunRow.state == "pending")
                    .order_by(RecommendationRunRow.catalog_revision.desc()).limit(1)
                    .with_for_update(skip_locked=True))
    if run is None:
        return None
    rev, engine = engine_of(db)
    if run.catalog_revision != rev:
        # an older revision (a newer one was published: its own run recomputes everyone), or one
        # this process's engine has not seen yet (it is looked up again next round)
        if run.catalog_revision > rev:
            return None
        run.state = "superseded"
        run.finished_at = utcnow()
        return 0
    rows = firms.rows_after(db, run.next_firm_id, batch)
    for row in rows:
        save_snapshot(db, row, rev, run.on_date, engine)
    if rows:
        run.next_firm_id = rows[-1].id
        run.firms_done += len(rows)
    if len(rows) < batch:
        run.state = "done"
        run.finished_at = utcnow()
    db.flush()
    return len(rows)


def drain(database: Database, engine_of: Any, batch: int = BATCH, stop: threading.Event | None = None) -> int:
    """Run batches, each in its own transaction, until no run is pending. Returns firms done."""
    total = 0
    while stop is None or not stop.is_set():
        with database.unit_of_work() as db:
            n = refresh_batch(db, engine_of, batch)
        if n is None:
            break
        total += n
    return total


def _run(database: Database, engine_of: Any, interval: float, stop: threading.Event) -> None:
    # The first round waits one interval: the first visitors after a start go first.
    while not stop.wait(interval):
        try:
            drain(database, engine_of, stop=stop)
        except Exception:  # the database may be restarting: the run waits for the next round
            log.exception("recomputing recommendations failed")


def start(database: Database, engine_of: Any, interval: float, stop: threading.Event) -> threading.Thread | None:
    """The web app's runner thread (None when `interval` is 0: runs are left to cron). Set
    `stop` and join the thread at shutdown: it stops between batches."""
    if interval <= 0:
        return None
    thread = threading.Thread(target=_run, args=(database, engine_of, interval, stop), name="recommendations-refresh",
                              daemon=True)
    thread.start()
    return thread
