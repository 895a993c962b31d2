"""The audit log in a database (SQLite always, PostgreSQL when ONESTOP_TEST_POSTGRES_URL is set):
each kind of tampering found by `verify_chain`, the CLI and the API; the migration keeping old
records verifiable; records following their transaction; the anchoring job exactly once; and on
PostgreSQL, writers of different subjects not waiting for each other while one subject's
writers queue in order."""

from __future__ import annotations

import itertools
import json
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from typer.testing import CliRunner

from onestop.audit import anchor as anchoring
from onestop.audit.model import GENESIS, LEGACY, canonical, chain_hash
from onestop.audit.services import flush, history, record, verdict_json, verify_chain
from onestop.platform.db import Database, JsonType, UTCDateTime
from onestop.platform.migrate import alembic_config, upgrade
from tests.integration.conftest import BACKENDS, PG_URL

_schemas = itertools.count(1)


def fresh_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a PostgreSQL schema of the test database."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'audit.db'}"
        return
    assert PG_URL is not None
    schema = f"audit_t{os.getpid()}_{next(_schemas)}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_url(request.param, tmp_path)


@pytest.fixture
def db(url: str) -> Iterator[Database]:
    upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Database]:
    if PG_URL is None:
        pytest.skip("needs ONESTOP_TEST_POSTGRES_URL")
    for url in fresh_url("postgresql", tmp_path):
        upgrade(url)
        database = Database(url)
        yield database
        database.dispose()


def write(database: Database, *items: tuple[str, dict[str, Any]]) -> None:
    with database.unit_of_work() as s:
        for subject, data in items:
            record(s, actor="officer", actor_user_id=7, action="application.approve", subject=subject, data=data)


def sample(database: Database) -> None:
    """Two applications and a firm, anchored once, then written to again."""
    write(database, ("application:12", {"kind": "business_plan"}), ("firm:4", {"via": "firm"}),
          ("application:12", {"state": "submitted"}))
    assert anchoring.drain(database) == 1
    write(database, ("application:12", {"state": "document_check"}), ("application:13", {"note": "전남 육성자금"}))


def tamper(database: Database, *statements: str, **params: Any) -> None:
    """What an attacker with database access does: switch the append-only triggers off first."""
    with database.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            for (name,) in conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                                "AND name LIKE 'audit_%'")).all():
                conn.execute(sa.text(f"DROP TRIGGER {name}"))
        else:
            for table in ("audit_log", "audit_anchor", "audit_anchor_leaf"):
                conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        for statement in statements:
            conn.execute(sa.text(statement), params)


def verdict(database: Database, expect: tuple[tuple[int, str], ...] = ()) -> Any:
    with database.unit_of_work(read_only=True) as s:
        return verify_chain(s, expect)


def seq_of(database: Database, subject: str, position: int) -> int:
    with database.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT seq FROM audit_log WHERE subject = :s AND subject_seq = :n"),
                                {"s": subject, "n": position}).scalar_one())


# --- guarantees kept ------------------------------------------------------------------------

def test_the_log_tables_refuse_update_and_delete(db: Database) -> None:
    sample(db)
    for statement in ("UPDATE audit_log SET actor = 'admin'", "DELETE FROM audit_log",
                      "UPDATE audit_anchor SET root = 'x'", "DELETE FROM audit_anchor_leaf"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert verdict(db).ok


def test_a_changed_record_is_named(db: Database) -> None:
    sample(db)
    target = seq_of(db, "application:12", 2)
    tamper(db, "UPDATE audit_log SET data = :d WHERE seq = :s", d=json.dumps({"state": "approved"}), s=target)
    v = verdict(db)
    assert not v.ok and v.broken_at == target and "changed" in v.reason
    assert (v.first.subject, v.first.subject_seq) == ("application:12", 2)


def test_a_record_removed_from_the_middle_is_named(db: Database) -> None:
    sample(db)
    after = seq_of(db, "application:12", 3)
    tamper(db, "DELETE FROM audit_log WHERE subject = 'application:12' AND subject_seq = 2")
    v = verdict(db)
    assert not v.ok and v.broken_at == after and v.reason == "sequence jumps from 1 to 3 (a record was removed)"


def test_a_removed_tail_record_of_a_subject_is_caught(db: Database) -> None:
    sample(db)
    tamper(db, "DELETE FROM audit_log WHERE subject = 'application:13'")
    v = verdict(db)
    assert not v.ok and (v.first.code, v.first.subject, v.first.subject_seq) == ("truncated", "application:13", 1)
    assert "records removed at the end" in v.reason


def test_a_removed_anchored_tail_with_its_head_rewound_is_caught_by_the_anchor(db: Database) -> None:
    sample(db)  # firm:4 #1 was anchored
    tamper(db, "DELETE FROM audit_log WHERE subject = 'firm:4'")
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_chain WHERE subject = 'firm:4'"))
    v = verdict(db)
    assert not v.ok and (v.first.code, v.first.subject) == ("truncated", "firm:4")
    assert "anchor says 1 records but 0 are there" in v.reason


def test_reordered_records_are_named(db: Database) -> None:
    sample(db)
    first, second = seq_of(db, "application:12", 1), seq_of(db, "application:12", 2)
    tamper(db, "UPDATE audit_log SET subject_seq = -1 WHERE seq = :a", "UPDATE audit_log SET subject_seq = 1 WHERE seq = :b",
           "UPDATE audit_log SET subject_seq = 2 WHERE seq = :a", a=first, b=second)
    v = verdict(db)
    assert not v.ok and v.broken_at == second and v.first.subject_seq == 1


def test_a_changed_anchor_is_named(db: Database) -> None:
    sample(db)
    tamper(db, "UPDATE audit_anchor_leaf SET subject_seq = 1 WHERE subject = 'application:12'")
    v = verdict(db)
    assert not v.ok and (v.first.code, v.first.anchor) == ("anchor_root", 1)
    tamper(db, "UPDATE audit_anchor_leaf SET subject_seq = 2 WHERE subject = 'application:12'",
           "UPDATE audit_anchor SET hash = :h", h="f" * 64)
    v = verdict(db)
    assert not v.ok and (v.first.code, v.first.anchor) == ("anchor_changed", 1)


def test_a_removed_last_anchor_is_caught_by_the_head_and_by_a_noted_hash(db: Database) -> None:
    sample(db)
    assert anchoring.drain(db) == 1
    noted = verdict(db).last_anchor
    assert noted is not None and noted.seq == 2
    tamper(db, "DELETE FROM audit_anchor_leaf WHERE anchor_seq = 2", "DELETE FROM audit_anchor WHERE seq = 2")
    v = verdict(db)
    assert not v.ok and v.first.code == "anchor_truncated"
    with db.engine.begin() as conn:  # rewinding the head too holds together inside the database ...
        conn.execute(sa.text("UPDATE audit_head SET seq = 1, hash = (SELECT hash FROM audit_anchor WHERE seq = 1)"))
        conn.execute(sa.text("UPDATE audit_chain SET anchored_seq = 0 WHERE subject = 'application:13'"))
    assert verdict(db).ok
    v = verdict(db, expect=((2, noted.hash),))  # ... but not with the hash noted down elsewhere
    assert not v.ok and (v.first.code, v.first.anchor) == ("witness", 2)


# --- records follow their transaction -------------------------------------------------------

def test_records_are_written_with_the_commit_and_dropped_with_a_rollback(db: Database) -> None:
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        record(s, actor="firm", action="application.create", subject="application:1")
        raise RuntimeError("the request failed after recording")
    with db.unit_of_work() as s:
        record(s, actor="firm", action="application.create", subject="application:1")
        with s.begin_nested() as savepoint:
            record(s, actor="firm", action="application.upload", subject="application:1", data={"kind": "x"})
            savepoint.rollback()
        with s.begin_nested():
            record(s, actor="firm", action="application.upload", subject="application:1", data={"kind": "business_plan"})
        record(s, actor="firm", action="firm.view_data", subject="firm:1")
    with db.unit_of_work() as s:
        rows = history(s, "application:1")
        assert [(r.action, r.subject_seq, r.data) for r in rows] == [
            ("application.create", 1, {}), ("application.upload", 2, {"kind": "business_plan"})]
        record(s, actor="firm", action="application.submit", subject="application:1")
        assert [r.subject_seq for r in history(s, "application:1")] == [1, 2, 3]  # its own, before commit
    assert verdict(db).ok and verdict(db).chains == 2


def test_a_read_only_session_writes_its_record_at_once(db: Database) -> None:
    with db.unit_of_work(read_only=True) as s:
        record(s, actor="officer", action="firm.view_data", subject="firm:9", data={"application": 3})
        with db.engine.connect() as other:
            assert other.execute(sa.text("SELECT count(*) FROM audit_log WHERE subject = 'firm:9'")).scalar_one() == 1


def test_a_subject_outside_the_bounds_is_refused(db: Database) -> None:
    with db.unit_of_work() as s:
        for bad in ("", LEGACY, "application:" + "9" * 80):
            with pytest.raises(ValueError):
                record(s, actor="system", action="x", subject=bad)


# --- the migration --------------------------------------------------------------------------

def before_subject_chains(url: str) -> str:
    """The revision before the migration to subject chains (found by its title, so re-chaining
    the migrations at a merge does not break these tests)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(url))
    (rev,) = [r for r in script.walk_revisions() if (r.doc or "").startswith("audit log: one hash chain per subject")]
    assert isinstance(rev.down_revision, str)
    return rev.down_revision


def test_the_migration_keeps_old_records_verifiable(url: str) -> None:
    """Records written by the old global chain (the revision before) verify after the upgrade with the
    algorithm that wrote them, new records go into subject chains, and tampering with an old
    record is still caught."""
    cfg = alembic_config(url)
    command.upgrade(cfg, before_subject_chains(url))
    engine = sa.create_engine(url)
    at = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
    prev = GENESIS
    insert = sa.text("INSERT INTO audit_log (seq, at, actor_user_id, actor, action, subject, data, prev_hash, hash) "
                     "VALUES (:seq, :at, 5, 'firm', 'application.submit', :subject, :data, :prev, :hash)").bindparams(
        sa.bindparam("at", type_=UTCDateTime()), sa.bindparam("data", type_=JsonType))
    with engine.begin() as conn:  # what the old `record` wrote: seq, global prev_hash, head row
        for seq, subject in enumerate(["application:1", "firm:2", "application:1"], start=1):
            data = {"state": "submitted", "메모": "구 형식"}
            digest = chain_hash(prev, canonical(seq, at, 5, "firm", "application.submit", subject, data))
            conn.execute(insert, {"seq": seq, "at": at, "subject": subject, "data": data, "prev": prev, "hash": digest})
            conn.execute(sa.text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"), {"s": seq, "h": digest})
            prev = digest
    engine.dispose()
    upgrade(url)
    database = Database(url)
    try:
        v = verdict(database)
        assert v.ok and v.checked == 3 and v.anchors == 1
        write(database, ("application:1", {"state": "document_check"}))
        with database.unit_of_work() as s:
            rows = history(s, "application:1")
        assert [(r.seq, r.subject_seq) for r in rows] == [(1, None), (3, None), (4, 1)]
        assert anchoring.drain(database) == 1 and verdict(database).ok
        with pytest.raises(RuntimeError, match="subject chains"):
            command.downgrade(alembic_config(url), before_subject_chains(url))
        tamper(database, "UPDATE audit_log SET actor = 'admin' WHERE seq = 2")
        v = verdict(database)
        assert not v.ok and v.broken_at == 2 and (v.first.subject, v.first.code) == ("firm:2", "changed")
    finally:
        database.dispose()


def test_the_migration_goes_down_while_nothing_was_written_in_subject_chains(url: str) -> None:
    upgrade(url)
    command.downgrade(alembic_config(url), before_subject_chains(url))
    upgrade(url)
    database = Database(url)
    try:
        write(database, ("firm:1", {}))
        assert verdict(database).ok
    finally:
        database.dispose()


# --- the anchoring job ----------------------------------------------------------------------

def test_anchoring_commits_each_moved_head_once(db: Database) -> None:
    assert anchoring.drain(db) == 0  # nothing moved: no empty anchor
    write(db, *((f"application:{i}", {"i": i}) for i in range(7)))
    assert anchoring.drain(db, limit=3) == 3  # 3 + 3 + 1 heads
    assert anchoring.drain(db) == 0
    write(db, ("application:2", {"again": True}))
    assert anchoring.drain(db) == 1
    with db.engine.connect() as conn:
        sizes = conn.execute(sa.text("SELECT size FROM audit_anchor ORDER BY seq")).scalars().all()
        assert sizes == [3, 3, 1, 1]
        assert conn.execute(sa.text("SELECT count(*) FROM audit_chain WHERE seq > anchored_seq")).scalar_one() == 0
    assert verdict(db).anchors == 4 and verdict(db).ok


def test_the_anchoring_thread_runs_until_stopped(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = threading.Event()
    real = anchoring.drain

    def drain(database: Database, stop: threading.Event | None = None, limit: int = anchoring.MAX_LEAVES) -> int:
        n = real(database, stop, limit)
        ran.set()
        return n

    monkeypatch.setattr(anchoring, "drain", drain)
    write(db, ("firm:1", {}))
    stop = threading.Event()
    assert anchoring.start(db, 0, stop) is None  # 0: left to cron
    thread = anchoring.start(db, 0.01, stop)
    assert thread is not None and thread.name == "audit-anchor"
    assert ran.wait(10)
    stop.set()
    thread.join(10)
    assert not thread.is_alive() and verdict(db).anchors == 1


# --- the CLI and the API --------------------------------------------------------------------

def test_the_cli_names_the_first_broken_link_and_the_newest_anchor(db: Database) -> None:
    from onestop.cli import app

    runner = CliRunner()
    sample(db)
    ok = runner.invoke(app, ["audit", "verify", "--database-url", db.url])
    assert ok.exit_code == 0 and "5 records in 3 chains and 1 anchors" in ok.stdout and "newest anchor 1:" in ok.stdout
    made = runner.invoke(app, ["audit", "anchor", "--database-url", db.url])
    assert made.exit_code == 0 and "1 anchor(s) made" in made.stdout
    noted = verdict(db).last_anchor
    assert noted is not None
    witnessed = runner.invoke(app, ["audit", "verify", "--database-url", db.url, "--expect-anchor", f"2:{noted.hash}"])
    assert witnessed.exit_code == 0
    bad = runner.invoke(app, ["audit", "verify", "--database-url", db.url, "--expect-anchor", "2"])
    assert bad.exit_code == 2 and "NUMBER:HASH" in bad.stderr
    target = seq_of(db, "application:12", 1)
    tamper(db, "UPDATE audit_log SET action = 'application.reject' WHERE seq = :s", s=target)
    broken = runner.invoke(app, ["audit", "verify", "--database-url", db.url])
    assert broken.exit_code == 1
    assert f"BROKEN at record {target} (application:12 #1)" in broken.stderr and "it was changed" in broken.stderr
    as_json = runner.invoke(app, ["audit", "verify", "--database-url", db.url, "--json"])
    body = json.loads(as_json.stdout)
    assert as_json.exit_code == 1 and body["broken_at"] == target and body["problems"][0]["code"] == "changed"


def test_the_verdict_for_the_api_names_the_break(db: Database) -> None:
    sample(db)
    tamper(db, "DELETE FROM audit_log WHERE subject = 'application:13'")
    body = verdict_json(verdict(db))
    assert body["ok"] is False and body["broken_at"] is None
    assert (body["subject"], body["subject_seq"]) == ("application:13", 1)
    assert body["problems"][0]["where"] == "application:13 #1" and "끝의 기록이 삭제" in body["problems"][0]["ko"]
    assert body["newest_anchor"]["seq"] == 1


# --- PostgreSQL: who waits for whom ---------------------------------------------------------

def _lock_timeout(s: Any, ms: int) -> None:
    s.execute(sa.text(f"SET LOCAL lock_timeout = '{ms}ms'"))


def test_writers_of_different_subjects_do_not_wait_for_each_other(pg: Database) -> None:
    holder = pg.sessions()
    try:
        record(holder, actor="firm", action="application.upload", subject="application:1")
        flush(holder)  # appended: application:1's head is locked until `holder` ends
        with pg.unit_of_work() as other:
            _lock_timeout(other, 2000)  # a wait would fail the test instead of hanging it
            record(other, actor="firm", action="application.upload", subject="application:2")
            record(other, actor="officer", action="firm.view_data", subject="firm:1")
        holder.commit()
    finally:
        holder.close()
    v = verdict(pg)
    assert v.ok and v.chains == 3


def test_writers_of_one_subject_queue_in_order(pg: Database) -> None:
    holder = pg.sessions()
    try:
        record(holder, actor="firm", action="application.upload", subject="application:1", data={"n": 1})
        flush(holder)
        with pytest.raises(sa.exc.OperationalError, match="lock timeout"), pg.unit_of_work() as other:
            _lock_timeout(other, 200)
            record(other, actor="firm", action="application.submit", subject="application:1", data={"n": 2})
        holder.commit()
    finally:
        holder.close()
    write(pg, ("application:1", {"n": 2}))
    with pg.unit_of_work() as s:
        assert [(r.subject_seq, r.data["n"]) for r in history(s, "application:1")] == [(1, 1), (2, 2)]
    assert verdict(pg).ok


def test_the_anchorer_skips_a_head_being_written_and_never_waits(pg: Database) -> None:
    write(pg, ("application:1", {}), ("application:2", {}))
    holder = pg.sessions()
    try:
        record(holder, actor="firm", action="application.upload", subject="application:1")
        flush(holder)
        with pg.unit_of_work() as s:
            _lock_timeout(s, 2000)
            made = anchoring.anchor_once(s)
        assert made is not None and [x.subject for x in made.leaves] == ["application:2"]
        holder.commit()
    finally:
        holder.close()
    assert anchoring.drain(pg) == 1
    v = verdict(pg)
    assert v.ok and v.anchors == 2


def test_parallel_writers_and_anchorers_leave_every_chain_whole(pg: Database) -> None:
    """8 writers, each transaction recording two subjects in either order (one shared by all),
    and 2 anchorers at once: no error, no deadlock, no fork, every record in its chain once."""
    shared = "program:jeonnam-sme-development-fund"

    def writer(k: int) -> None:
        for i in range(15):
            own = f"application:{k}"
            with pg.unit_of_work() as s:
                for subject in ((own, shared) if i % 2 else (shared, own)):
                    record(s, actor="firm", action="application.upload", subject=subject, data={"k": k, "i": i})

    stop = threading.Event()

    def anchorer() -> int:
        made = 0
        while not stop.is_set():
            made += anchoring.drain(pg)
        return made + anchoring.drain(pg)

    with ThreadPoolExecutor(11) as pool:
        anchorers = [pool.submit(anchorer) for _ in range(2)]
        for f in [pool.submit(writer, k) for k in range(8)]:
            f.result()
        stop.set()
        made = sum(a.result() for a in anchorers)
    assert anchoring.drain(pg) == 0
    with pg.engine.connect() as conn:
        counts = dict(conn.execute(sa.text("SELECT subject, count(*) FROM audit_log GROUP BY subject")).all())
        assert conn.execute(sa.text("SELECT count(*) FROM audit_anchor")).scalar_one() == made
    assert counts == {shared: 120, **{f"application:{k}": 15 for k in range(8)}}
    v = verdict(pg)
    assert v.ok and v.checked == 240 and v.anchors == made


def test_administrators_verify_through_the_api_with_a_noted_anchor(client: Any, app: Any) -> None:
    from onestop.demo.seed import PASSWORD
    from tests.integration.conftest import Api

    with app.state.db.unit_of_work() as s:
        record(s, actor="admin", action="firm.view_data", subject="firm:1", data={"via": "firm"})
    anchoring.drain(app.state.db)
    admin = Api.login(client, "admin@onestop.demo", PASSWORD)
    body = admin.get("/api/v1/audit/verify").json()
    assert body["ok"] is True and body["problems"] == [] and body["newest_anchor"]["seq"] >= 1
    noted = f"{body['newest_anchor']['seq']}:{body['newest_anchor']['hash']}"
    assert admin.get("/api/v1/audit/verify", params={"expect_anchor": noted}).json()["ok"] is True
    wrong = f"{body['newest_anchor']['seq']}:{'0' * 64}"
    body = admin.get("/api/v1/audit/verify", params={"expect_anchor": wrong}).json()
    assert body["ok"] is False and body["problems"][0]["code"] == "witness"
    bad = admin.get("/api/v1/audit/verify", params={"expect_anchor": "12"})
    assert bad.status_code in (400, 422) and "NUMBER:HASH" in bad.text and "번호:해시" in bad.text
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    assert officer.get("/api/v1/audit/verify").status_code == 403
