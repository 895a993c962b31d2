"""The recommendations fast lane (issue 16) against the FastAPI route it stands in front of: the
same bytes for everything it answers, the route's answer (and its field errors) for everything
else, the evaluation recorded once per distinct input, the security headers kept."""

from __future__ import annotations

import gzip
import itertools
from datetime import date, timedelta
from typing import Any

import brotli
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from onestop.matching import lane
from onestop.matching.records import ResultCache
from onestop.matching.services import Page
from onestop.matching.tables import EvaluationRow
from tests.integration.conftest import Api

_days = itertools.count(1)


def new_day() -> str:
    """A reference date no other request of the run asked for: the answer is computed, not cached."""
    return (date(2021, 1, 1) + timedelta(days=next(_days))).isoformat()


class Counting:
    """Counts the lane's answers (the route calls `api.answer`, the lane its own import of it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = lane.answer

        def counted(*args: Any, **kw: Any) -> bytes:
            self.calls += 1
            return real(*args, **kw)

        monkeypatch.setattr(lane, "answer", counted)


def member(client: TestClient) -> tuple[Api, str]:
    api = Api(client)
    firm = api.register_firm()
    url = f"/api/v1/firms/{firm['id']}/recommendations"
    assert api.get(url, params={"date": new_day()}).status_code == 200  # the route signs the token in
    return api, url


def by_route(client: TestClient, api: Api, url: str, **kw: Any) -> Any:
    """The same request answered by the route: the sign-in cache is emptied first, so the lane
    passes it on (the route fills the cache again)."""
    client.app.state.app.principals.clear()  # type: ignore[attr-defined]
    return api.get(url, **kw)


def test_the_lane_answers_a_members_request_with_the_routes_bytes(client: TestClient,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    api, url = member(client)
    counting = Counting(monkeypatch)
    state = client.app.state.app  # type: ignore[attr-defined]
    cases: list[dict[str, Any]] = [{}, {"per_page": 5, "status": "eligible"}, {"category": "funds", "page": 2},
                                   {"status": "near_miss", "per_page": 100}, {"explain": "full"},
                                   {"status": "", "category": ""}, {"unrelated": "x", "lang": "en"}]
    for params in cases:
        for encoding in ("identity", "gzip", "br"):
            day = new_day()
            headers = {"Accept-Encoding": encoding}
            before = counting.calls
            fast = api.get(url, params={"date": day, **params}, headers=headers)
            assert fast.status_code == 200, (params, fast.text)
            assert counting.calls == before + 1, params  # answered by the lane
            state.results = ResultCache()  # the route computes it again instead of reading the lane's result
            slow = by_route(client, api, url, params={"date": day, **params}, headers=headers)
            assert counting.calls == before + 1, params  # not by the lane
            assert slow.status_code == 200 and fast.content == slow.content, params
            for name in ("content-type", "content-encoding", "vary", "content-security-policy",
                         "x-content-type-options", "cache-control", "referrer-policy"):
                assert fast.headers.get(name) == slow.headers.get(name), (name, params, encoding)
            assert fast.headers["cache-control"] == "no-store"


def test_compressed_lane_answers_unpack_to_the_plain_one(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    api, url = member(client)
    counting = Counting(monkeypatch)
    day = {"date": new_day()}
    plain = api.get(url, params=day, headers={"Accept-Encoding": "identity"})
    for coding, unpack in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        r = client.send(client.build_request("GET", url, params=day,
                                             headers={**api.headers, "Accept-Encoding": f"{coding}, deflate"}),
                        stream=True)
        raw = b"".join(r.iter_raw())
        assert r.headers["content-encoding"] == coding and r.headers["content-length"] == str(len(raw))
        assert unpack(raw) == plain.content
    assert counting.calls == 3


def test_what_the_lane_does_not_understand_gets_the_routes_answer(client: TestClient,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    api, url = member(client)
    counting = Counting(monkeypatch)
    for params, field in ((f"per_page=500&date={new_day()}", "per_page"), ("status=maybe", "status"),
                          ("category=loans", "category"), ("explain=some", "explain"), ("page=0", "page"),
                          ("date=2026-02-30", "date"), ("date=", "date"), ("date=30.11.2026", "date"),
                          ("page=two", "page"), ("explain=full&per_page=x", "per_page")):
        r = api.get(f"{url}?{params}")
        assert r.status_code == 422, (params, r.text)
        body = r.json()
        assert body["errors"][0]["field"] == field and body["detail_ko"] and body["detail"], params
    repeated = api.get(f"{url}?date={new_day()}&per_page=3&per_page=4")  # the route reads the last one
    assert repeated.status_code == 200 and len(repeated.json()["eligible"]) == 4
    officer = Api.login(client, "officer.kosmes@onestop.demo", "onestop-demo-2026")
    assert officer.get(url, params={"date": new_day()}).status_code in (200, 404)  # the route decides
    assert Api(client).get(url).status_code == 404  # not their firm
    assert client.get(url).status_code == 401
    head = client.head(url, headers=api.headers)
    assert head.status_code != 200 or head.content == b""
    assert counting.calls == 0


def test_each_distinct_input_is_recorded_once_whichever_path_answers(client: TestClient) -> None:
    api, url = member(client)
    firm_id = int(url.split("/")[-2])
    db = client.app.state.db  # type: ignore[attr-defined]

    def recorded() -> int:
        with db.unit_of_work(read_only=True) as s:
            return int(s.scalar(select(func.count()).select_from(EvaluationRow)
                                .where(EvaluationRow.firm_id == firm_id)) or 0)

    before = recorded()
    day = new_day()
    for per_page in (5, 10, 100):  # three pages of one decision
        r = api.get(url, params={"date": day, "per_page": per_page})
        assert r.status_code == 200
    assert recorded() == before + 1
    with db.unit_of_work(read_only=True) as s:
        row = s.scalars(select(EvaluationRow).where(EvaluationRow.firm_id == firm_id)
                        .order_by(EvaluationRow.id.desc())).first()
    assert row is not None and row.on_date.isoformat() == day and row.kind == "recommendations"
    assert row.summary["eligible"] == [p["program_id"] for p in r.json()["eligible"]]
    assert row.created_at.tzinfo is not None
    assert api.get(url, params={"date": new_day()}).status_code == 200
    assert recorded() == before + 2


_VALUES = {
    "date": st.sampled_from(["2026-11-23", "2026-13-01", "", "2026-1-5", "２０２６-11-23", "2025-06-30"]),
    "explain": st.sampled_from(["compact", "full", "", "FULL"]),
    "status": st.sampled_from(["eligible", "near_miss", "unknown", "excluded", "", "x"]),
    "category": st.sampled_from(["funds", "export", "", "loans"]),
    "page": st.sampled_from(["1", "2", "0", "-1", "01", "", "1.0", "99999999"]),
    "per_page": st.sampled_from(["1", "20", "100", "101", "", " 5"]),
}
_members: dict[int, tuple[Api, str]] = {}
_QUERIES = st.lists(st.sampled_from(sorted(_VALUES)).flatmap(lambda k: _VALUES[k].map(lambda v: (k, v))),
                    max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=_QUERIES)
def test_the_lane_and_the_route_agree_on_any_query(client: TestClient, query: list[tuple[str, str]]) -> None:
    """Whatever the query, the lane either passes it on or gives the route's own answer."""
    if id(client.app) not in _members:  # one member per app (database) for all the examples
        _members[id(client.app)] = member(client)
    api, url = _members[id(client.app)]
    api.client = client
    state = client.app.state.app  # type: ignore[attr-defined]
    state.principals.clear()
    api.get(url, params={"date": "2020-01-01", "per_page": 1})  # signs the token in again (the route)
    request = lane.parse({"type": "http", "method": "GET", "path": url, "headers": [(b"authorization",
                          api.headers["Authorization"].encode())], "query_string": _encode(query)})
    fast = api.get(url, params=query)
    state.results = ResultCache()
    slow = by_route(client, api, url, params=query)
    assert fast.status_code == slow.status_code and fast.content == slow.content, (query, request)
    if request is not None:
        assert fast.status_code == 200


def _encode(query: list[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(query).encode()


def test_parse_reads_only_what_it_fully_understands() -> None:
    def scope(query: str = "", method: str = "GET", path: str = "/api/v1/firms/7/recommendations",
              headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
        return {"type": "http", "method": method, "path": path, "query_string": query.encode(),
                "headers": [(b"authorization", b"Bearer abc")] if headers is None else headers}

    got = lane.parse(scope("date=2026-11-30&per_page=5&status=eligible&lang=en"))
    assert got is not None and got.firm_id == 7 and got.token == "abc" and got.on == date(2026, 11, 30)
    assert got.shown == Page(status="eligible", number=1, size=5) and got.coding is None
    full = lane.parse(scope("explain=full", headers=[(b"authorization", b"bearer  xyz "),
                                                     (b"accept-encoding", b"gzip, br")]))
    assert full is not None and full.shown is None and full.token == "xyz" and full.coding == "br"
    for refused in (scope(method="HEAD"), scope(method="POST"), scope(path="/api/v1/firms/0/recommendations"),
                    scope(path="/api/v1/firms/99999999999/recommendations"), scope(path="/api/v1/firms/7/eligibility"),
                    scope(headers=[]), scope(headers=[(b"authorization", b"Basic abc")]),
                    scope(headers=[(b"authorization", b"Bearer ")]),
                    scope(headers=[(b"authorization", b"Bearer a"), (b"authorization", b"Bearer b")]),
                    scope(headers=[(b"authorization", b"Bearer a"), (b"cookie", b"onestop_session=s")]),
                    scope("date=2026-02-30"), scope("date="), scope("page=0"), scope("per_page=101"),
                    scope("page=x"), scope("explain=Full"), scope("status=maybe"), scope("page=1&page=2")):
        assert lane.parse(refused) is None, refused


def test_a_failed_record_leaves_the_pooled_connection_as_the_sessions_expect(client: TestClient) -> None:
    """The record's driver path switches a pooled connection to autocommit for one statement: when
    the statement fails, the error is SQLAlchemy's (the route's handlers know it) and the
    connection goes back transactional, so the next unit of work can still roll back."""
    from sqlalchemy.exc import IntegrityError

    from onestop.matching.records import record_evaluation
    from onestop.platform.db import utcnow

    db = client.app.state.db  # type: ignore[attr-defined]
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the driver path is PostgreSQL's; SQLite records through the session")
    values = {"firm_id": 2**31 - 1, "firm_version": 1, "kind": "recommendations", "on_date": date(2026, 11, 30),
              "catalog_revision": 1, "parameters_version": "x", "summary": {"eligible": []}, "created_by": None,
              "created_at": utcnow()}
    for _ in range(db.engine.pool.size() + 2):  # every pooled connection, and then some
        with pytest.raises(IntegrityError), db.unit_of_work(read_only=True) as s:
            record_evaluation(s, values)
    _api, url = member(client)
    firm_id = int(url.split("/")[-2])
    with db.unit_of_work() as s:
        count = select(func.count()).select_from(EvaluationRow).where(EvaluationRow.firm_id == firm_id)
        before = s.scalar(count)
        record_evaluation(s, {**values, "firm_id": firm_id})  # in a transaction: the session's statement
        assert s.scalar(count) == before + 1
        s.rollback()
        assert s.scalar(count) == before
    for _ in range(db.engine.pool.size() + 2):
        with db.unit_of_work() as s:
            s.connection()
            assert not s.connection().connection.driver_connection.autocommit


# ── records written together (matching.recorder) ─────────────────────────────────────────────
def concurrently(client: TestClient, api: Api, requests: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """The requests sent at once to the app on one event loop (as a worker's connections are)."""
    import asyncio

    import httpx

    async def run() -> list[Any]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return list(await asyncio.gather(*(c.get(u, params=p, headers=api.headers) for u, p in requests)))

    return asyncio.run(run())


def recorded_days(client: TestClient, firm_id: int) -> list[str]:
    db = client.app.state.db  # type: ignore[attr-defined]
    with db.unit_of_work(read_only=True) as s:
        return sorted(d.isoformat() for d in s.scalars(select(EvaluationRow.on_date)
                                                      .where(EvaluationRow.firm_id == firm_id)))


def test_concurrent_requests_are_answered_and_each_decision_recorded_once(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve decisions asked at once, each by three pages: every answer is the one asked for
    (the same bytes as the route's), and each decision has one record (the pages of one
    decision wait for the first one's record and are answered from the cache). On PostgreSQL
    the records go in shared transactions: fewer transactions than decisions."""
    import psycopg

    api, url = member(client)
    firm_id = int(url.split("/")[-2])
    monkeypatch.setattr(client.app.state.app.principals, "_ttl", 600.0)  # type: ignore[attr-defined]
    assert by_route(client, api, url, params={"date": new_day()}).status_code == 200  # signed in for the run
    groups: list[int] = []
    real = psycopg.AsyncRawCursor.executemany

    async def counted(self: Any, query: Any, params_seq: Any, **kw: Any) -> None:
        params_seq = list(params_seq)
        groups.append(len(params_seq))
        await real(self, query, params_seq, **kw)

    monkeypatch.setattr(psycopg.AsyncRawCursor, "executemany", counted)
    before = recorded_days(client, firm_id)
    days = [new_day() for _ in range(12)]
    asked = [(url, {"date": d, "per_page": n}) for n in (5, 7, 9) for d in days]
    answers = concurrently(client, api, asked)
    assert [r.status_code for r in answers] == [200] * len(asked)
    assert sorted(set(recorded_days(client, firm_id)) - set(before)) == sorted(days)
    assert len(recorded_days(client, firm_id)) == len(before) + len(days)
    for (_, params), r in zip(asked, answers, strict=True):
        assert r.json()["date"] == params["date"] and r.json()["page"]["size"] == params["per_page"]
        assert by_route(client, api, url, params=params).content == r.content
    if client.app.state.db.engine.dialect.name == "postgresql":  # type: ignore[attr-defined]
        assert sum(groups) == len(days) and len(groups) < len(days), groups
    assert len(recorded_days(client, firm_id)) == len(before) + len(days)  # the route's answers came from the cache


def test_when_the_shared_record_fails_the_route_answers_and_records(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed group transaction sends nothing and caches nothing: each request is handed to the
    route, which computes and records it on its own (one record per decision still)."""
    import psycopg

    from onestop.matching import recorder

    if client.app.state.db.engine.dialect.name != "postgresql":  # type: ignore[attr-defined]
        pytest.skip("records are written together on PostgreSQL only; SQLite writes each in its request")
    api, url = member(client)
    firm_id = int(url.split("/")[-2])
    monkeypatch.setattr(client.app.state.app.principals, "_ttl", 600.0)  # type: ignore[attr-defined]
    assert by_route(client, api, url, params={"date": new_day()}).status_code == 200
    failures = []

    async def failing(self: Any, rows: list[dict[str, Any]]) -> None:
        failures.append(len(rows))
        raise psycopg.OperationalError("connection lost")

    monkeypatch.setattr(recorder.GroupRecorder, "record", failing)
    before = recorded_days(client, firm_id)
    days = [new_day() for _ in range(4)]
    answers = concurrently(client, api, [(url, {"date": d}) for d in days])
    assert [r.status_code for r in answers] == [200] * len(days) and len(failures) == len(days)
    assert [r.json()["date"] for r in answers] == days
    assert recorded_days(client, firm_id) == sorted([*before, *days])


def test_two_threads_asking_for_one_decision_compute_and_record_it_once(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The route's threads claim a decision as the lane does (`ResultCache.claim`): the second
    request waits for the first one's record and takes its standings from the cache."""
    import threading
    import time

    from onestop.firms.tables import FirmRow
    from onestop.matching import records
    from onestop.matching.services import Engine

    _api, url = member(client)
    firm_id = int(url.split("/")[-2])
    state = client.app.state.app  # type: ignore[attr-defined]
    computed: list[float] = []
    real = Engine.standings

    def slow(self: Engine, firm: Any, on: date) -> Any:
        computed.append(time.monotonic())
        time.sleep(0.3)  # long enough for the other thread to arrive meanwhile
        return real(self, firm, on)

    monkeypatch.setattr(Engine, "standings", slow)
    before = recorded_days(client, firm_id)
    day = date.fromisoformat(new_day())
    found: list[Any] = []

    def ask() -> None:
        with state.db.unit_of_work(read_only=True) as db:
            rev, engine = state.engine(db)
            row = db.get(FirmRow, firm_id)
            found.append(records.standings_of(db, rev, engine, row, day, None, state.results))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(found) == 2 and found[0] is found[1] and len(computed) == 1
    assert recorded_days(client, firm_id) == sorted([*before, day.isoformat()])
    results = records.ResultCache()
    assert results.claim((1, 1, day)) is None
    waiting = results.claim((1, 1, day))
    assert waiting is not None and not waiting.is_set()
    results.release((1, 1, day))
    assert waiting.is_set() and results.claim((1, 1, day)) is None


def slow_group_writes(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Each group's transaction takes `seconds` longer (a busy disk, a lock)."""
    import asyncio

    import psycopg

    real = psycopg.AsyncRawCursor.executemany

    async def slow(self: Any, query: Any, params_seq: Any, **kw: Any) -> None:
        await asyncio.sleep(seconds)
        await real(self, query, params_seq, **kw)

    monkeypatch.setattr(psycopg.AsyncRawCursor, "executemany", slow)


def signed_in_member(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> tuple[Api, str, int]:
    """A member whose token the lane knows for the whole test (PostgreSQL only: the group recorder)."""
    if client.app.state.db.engine.dialect.name != "postgresql":  # type: ignore[attr-defined]
        pytest.skip("records are written together on PostgreSQL only; SQLite writes each in its request")
    api, url = member(client)
    monkeypatch.setattr(client.app.state.app.principals, "_ttl", 600.0)  # type: ignore[attr-defined]
    assert by_route(client, api, url, params={"date": new_day()}).status_code == 200
    return api, url, int(url.split("/")[-2])


def test_the_route_waits_for_the_lanes_record_without_stopping_the_event_loop(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The route runs on the event loop too: a request the lane passes on (a repeated parameter)
    for a decision the lane is recording waits for that record without blocking the loop, and
    is answered from the cache: one record, no pause (found by review: it blocked the loop for
    the whole claim wait and recorded the decision twice)."""
    import asyncio
    import time

    import httpx

    from onestop.matching import records

    api, url, firm_id = signed_in_member(client, monkeypatch)
    monkeypatch.setattr(records, "CLAIM_WAIT", 3.0)
    slow_group_writes(monkeypatch, 0.3)
    day = new_day()

    async def run() -> tuple[list[Any], float]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app), base_url="http://test") as c:
            began = time.monotonic()
            by_lane = asyncio.ensure_future(c.get(url, params={"date": day}, headers=api.headers))
            await asyncio.sleep(0.1)
            passed_on = asyncio.ensure_future(c.get(f"{url}?date={day}&per_page=3&per_page=4", headers=api.headers))
            return list(await asyncio.gather(by_lane, passed_on)), time.monotonic() - began

    before = recorded_days(client, firm_id)
    answers, took = asyncio.run(run())
    assert [r.status_code for r in answers] == [200, 200] and took < 2.0, took
    assert recorded_days(client, firm_id) == sorted([*before, day])


def test_the_full_form_is_not_served_before_its_record(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """`explain=full` keeps its answer in the cache only once recorded: after a failed group the
    route computes and records it (found by review: it served the lane's cached dict unrecorded)."""
    import psycopg

    from onestop.matching import recorder

    api, url, firm_id = signed_in_member(client, monkeypatch)

    async def failing(self: Any, rows: list[dict[str, Any]]) -> None:
        raise psycopg.OperationalError("connection lost")

    monkeypatch.setattr(recorder.GroupRecorder, "record", failing)
    before = recorded_days(client, firm_id)
    day = new_day()
    assert concurrently(client, api, [(url, {"date": day, "explain": "full"})])[0].status_code == 200
    assert recorded_days(client, firm_id) == sorted([*before, day])


def test_a_request_cancelled_while_recording_still_caches_its_decision(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The client leaves while its record is being written: the record is written, the answer
    cached and the claim given up, so the next request for the decision records nothing more
    (found by review: it recorded the decision again)."""
    import asyncio

    import httpx

    api, url, firm_id = signed_in_member(client, monkeypatch)
    slow_group_writes(monkeypatch, 0.3)
    day = new_day()

    async def run() -> int:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app), base_url="http://test") as c:
            first = asyncio.ensure_future(c.get(url, params={"date": day}, headers=api.headers))
            await asyncio.sleep(0.1)
            first.cancel()
            await asyncio.sleep(0.6)  # the group commits meanwhile
            return (await c.get(url, params={"date": day}, headers=api.headers)).status_code

    before = recorded_days(client, firm_id)
    assert asyncio.run(run()) == 200
    assert recorded_days(client, firm_id) == sorted([*before, day])
