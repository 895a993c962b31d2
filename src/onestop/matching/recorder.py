"""Evaluation records written together, off the event loop's critical path (issue 16).

An uncached recommendation is recorded (the evaluations table, one row per decision) before its
answer is sent. Sent one INSERT at a time from the event loop, that record held the whole
worker still for a round trip to PostgreSQL: under load, a third of the loop's time was spent
waiting for it, and every request queued behind (BENCHMARKS.md, "Standings as arrays, records written together").

Here the fast lane (`matching.lane`) answers inside `deferring()`: `records.record_evaluation`
then keeps the row instead of sending it, and what must follow the record (putting the answer
in the result cache: an answer from memory always has its record) is kept by `after_record`.
The lane then awaits `GroupRecorder.record`, which writes the rows of every request waiting at
that moment in one transaction on the worker's own asyncio connection (psycopg's
`AsyncConnection`, pipelined `executemany`): while PostgreSQL works, the loop answers other
requests, and the rows that arrived meanwhile go in the next transaction (group commit). Only
when the transaction has committed is the answer sent and cached. If it fails, nothing is sent
or cached from it: the lane hands the request to the route, which computes and records it on
its own (and words the error if the database is gone).

Outside `deferring()` (the route, pages, the CLI, SQLite) nothing changes: `record_evaluation`
writes at once and `after_record` runs its function at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import psycopg

log = logging.getLogger(__name__)


@dataclass
class Deferred:
    """What one answer left to do: the evaluation rows to write (the evaluations table's
    columns but its id) and, once they are written, the functions to run (cache puts)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    then: list[Callable[[], None]] = field(default_factory=list)

    def done(self) -> None:
        """The rows are written: run what waited for them, in order."""
        for fn in self.then:
            fn()


_DEFERRED: ContextVar[Deferred | None] = ContextVar("onestop_deferred_records", default=None)


@contextmanager
def deferring() -> Iterator[Deferred]:
    """Within the block, records and what follows them are kept in the `Deferred` yielded
    (the caller writes the rows, then calls `done`)."""
    deferred = Deferred()
    token = _DEFERRED.set(deferred)
    try:
        yield deferred
    finally:
        _DEFERRED.reset(token)


def deferred() -> Deferred | None:
    """The `Deferred` of the enclosing `deferring()` block, if any."""
    return _DEFERRED.get()


def after_record(fn: Callable[[], None]) -> None:
    """Run `fn` once the records made so far are written: now, outside `deferring()`."""
    found = _DEFERRED.get()
    if found is None:
        fn()
    else:
        found.then.append(fn)


#: seconds a group's transaction (with connecting) may take before its requests are handed to the route
WRITE_TIMEOUT = 10.0


def _fail(waiting: asyncio.Future[None]) -> None:
    if not waiting.done():
        waiting.set_exception(ConnectionError("the recorder moved to another event loop"))


class GroupRecorder:
    """Writes evaluation rows for one worker process, many requests' rows per transaction.

    `conninfo`: a libpq connection string; `sql`: the INSERT of one row with $1… parameters;
    `row_of`: one row's values (a mapping) → the statement's parameters. The connection is
    opened on first use in the running event loop, in autocommit with `synchronous_commit` off
    (the record's durability as `records._RECORD_SQL` explains), and opened again after an error
    or in another event loop (a test client's). A group that takes longer than `WRITE_TIMEOUT`
    (connecting included) fails, and its connection is dropped. Not thread-safe: used from one
    event loop at a time."""

    def __init__(self, conninfo: str, sql: str, row_of: Callable[[dict[str, Any]], Sequence[Any]]) -> None:
        self._conninfo = conninfo
        self._sql = sql
        self._row_of = row_of
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: list[tuple[list[dict[str, Any]], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, rows: list[dict[str, Any]]) -> None:
        """Return once `rows` are committed (with whatever other requests sent meanwhile).
        Raises what writing them raised (psycopg.Error, OSError; none of the transaction's rows
        is then written)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (a test client's): what belonged to the old one is dropped
            self._drop()
            for _, left in self._waiting:  # their loop is told, if it still runs (none is left waiting)
                with contextlib.suppress(RuntimeError):
                    left.get_loop().call_soon_threadsafe(_fail, left)
            self._loop = loop
            self._waiting = []
            self._writer = None
        done: asyncio.Future[None] = loop.create_future()
        self._waiting.append((rows, done))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write())
        await done

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await asyncio.wait_for(self._insert([row for rows, _ in batch for row in rows]), WRITE_TIMEOUT)
            except Exception as e:  # every waiting request learns it (none is left waiting)
                if isinstance(e, TimeoutError) or (self._conn is not None and (self._conn.closed or self._conn.broken)):
                    self._drop()  # a connection stuck or broken mid-transaction is not used again
                for _, done in batch:
                    if not done.done():
                        done.set_exception(e)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _insert(self, rows: list[dict[str, Any]]) -> None:
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True,
                                                               connect_timeout=int(WRITE_TIMEOUT))
            await self._conn.execute("SET synchronous_commit = off")
        async with self._conn.transaction(), psycopg.AsyncRawCursor(self._conn) as cur:
            await cur.executemany(self._sql, [self._row_of(row) for row in rows])

    def _drop(self) -> None:
        """Close the connection without its event loop (its socket is closed at once)."""
        if self._conn is not None:
            self._conn.pgconn.finish()
            self._conn = None

    async def close(self) -> None:
        """Close the connection (the app's shutdown); a later `record` opens it again."""
        if self._loop is not asyncio.get_running_loop():
            self._drop()
            return
        if self._writer is not None and not self._writer.done():
            await asyncio.wait([self._writer], timeout=WRITE_TIMEOUT)
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
