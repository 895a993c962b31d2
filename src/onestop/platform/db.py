"""The database engine, sessions and the unit of work.

SQLite by default (a file under the user's data directory), PostgreSQL through
`ONESTOP_DATABASE_URL=postgresql+psycopg://…`. Services receive a Session and commit once per
use case through `unit_of_work`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


#: JSON everywhere, JSONB on PostgreSQL.
JsonType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: worker threads for plain-function endpoints (set on the thread limiter at start-up)
THREADS = 30


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            conn.isolation_level = None  # SQLAlchemy, not the driver, begins transactions (below)

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # A write transaction takes SQLite's write lock when it begins (BEGIN IMMEDIATE), so
            # concurrent writers queue on busy_timeout. A deferred BEGIN reads a snapshot first and
            # fails with "database is locked" instead of waiting if another writer commits before
            # it upgrades to a write (e.g. two uploads numbering a document's next version).
            if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # No pre-ping: it costs a round trip per request; connections are recycled instead.
    # Up to THREADS plain-function requests hold one connection each, plus the event loop's:
    # the pool must outgrow the thread pool, or a checkout could wait forever on the loop.
    return create_engine(url, pool_size=10, max_overflow=THREADS, pool_recycle=1800)


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str) -> None:
        import onestop.platform.models  # noqa: F401 - register every table before mapping

        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Reads (and the single-statement records a GET may add) need no BEGIN/COMMIT round trips.
        self.read_sessions = sessionmaker(self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                                          expire_on_commit=False)

    @contextmanager
    def unit_of_work(self, read_only: bool = False) -> Iterator[Session]:
        """A session committed once at the end; `read_only` runs each statement in autocommit
        (for GET requests: every write a GET makes is a single statement)."""
        session = self.read_sessions() if read_only else self.sessions()
        if read_only:
            # a read that must leave a record (an audit entry) writes it in its own transaction
            session.info["write_sessions"] = self.sessions
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
