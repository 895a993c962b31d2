"""Load-and-fault test of applying online on PostgreSQL: N simulated firms submit in the last hour
before the program's deadline while officers review; the server (uvicorn master and workers) is
killed with SIGKILL mid-run and restarted; afterwards nothing may be lost or duplicated.

Usage:  .venv/bin/python bench/apply_fault.py [--firms 1000] [--concurrency 64] [--workers 2]
                                              [--kill-after 0.4|30s|none] [--officers 4] [--seed 42]
                                              [--stall-timeout 45] [--pg-lock-timeout 5s]
Needs: PostgreSQL on 127.0.0.1:5432 (trust auth). Results: bench/out/apply_fault.json, the
server's log in bench/out/apply_fault-server.log. `--database NAME` runs on another database
(and port, upload folder and result files named after it), so two runs cannot disturb each other.

Setup (not timed): recreates the database `onestop_fault`, migrates it, imports a copy of the
shipped catalog in which `jeonnam-sme-development-fund` closes `--deadline-minutes` from now
(so every draft gets that `deadline_at`), seeds the demo accounts, and creates one account, one
firm (eligible: a young 전남 manufacturer) and one bearer token per simulated firm in-process
with the project's services (`accounts.services.create_account`, confirmed, with the argon2 hash computed once,
`firms.services.register`, `accounts.services.issue_token`) -- through the API the 2,000 argon2
hashes alone would take minutes on 2 cores.

Load: `onestop serve --workers N`; each firm (asyncio + httpx) creates a draft with an
Idempotency-Key, uploads every required document plus `--extra-docs` attachments (distinct random
PDF bytes), and submits. Connection errors and 5xx are retried: drafts with the same key; uploads
and submits only after re-reading the application (GET), so a request that took effect before the
crash is not repeated. Officers loop over the queue: open (audited view) -> start_check ->
documents_ok -> approve with the version they saw (409 stale and 422 "already moved" are counted).

Fault: when `--kill-after` is reached (a fraction of firms submitted, or seconds), SIGKILL to the
server's process group, 1 s pause, restart, wait for /healthz; clients keep retrying.

Verify (SQL on onestop_fault): one application per firm (none lost, none duplicated), the same id
the firm was acknowledged, every acknowledged submit in a state >= submitted with one submit event,
every acknowledged upload has its document row and its file re-hashes to the sha256, and
`onestop audit verify` passes. Exit 1 if any check fails.

A wedged server (no firm request answered for --stall-timeout seconds outside the planned
outage) ends the run as failed, with what every database session was waiting for in the JSON.
--pg-lock-timeout sets PostgreSQL's lock_timeout on the test database: a lock wait that long
fails (500, retried) instead of hanging. It is off by default; say so when you report numbers
measured with it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import hashlib
import itertools
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ONESTOP = str(ROOT / ".venv" / "bin" / "onestop")
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DB_NAME = "onestop_fault"  # --database changes these (main)
DB_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB_NAME}"
STEM = "apply_fault"
PROGRAM = "jeonnam-sme-development-fund"
OFFICER = "officer.jeonnam@onestop.demo"
FIRM_PASSWORD = "fault-test-password-2026"
FIRM_OPS = {"create", "upload", "submit", "get"}
#: a request that still fails after this long (retries included) is an error
GIVE_UP_S = 180.0
SUBMITTED_OR_LATER = {"submitted", "document_check", "supplement_requested", "resubmitted", "evaluation", "approved",
                      "rejected", "waitlisted", "agreement_signed", "executed", "outcome_reporting", "closed"}


# --- setup (not timed) ----------------------------------------------------------------------

def recreate_database(template: str | None = None) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {DB_NAME}" + (f" TEMPLATE {template}" if template else "")))
    engine.dispose()


def save_setup(args: argparse.Namespace, deadline: datetime, catalog: Path, firms: list[Firm]) -> None:
    """--reuse-setup: keep the fresh database as a template `<database>_setup` and the firms'
    tokens beside it, so the next run with the same --firms/--seed clones it in seconds."""
    import sqlalchemy as sa

    engine = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DB_NAME}_setup WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {DB_NAME}_setup TEMPLATE {DB_NAME}"))
    engine.dispose()
    (OUT / f"{STEM}-setup.json").write_text(json.dumps({
        "firms": args.firms, "seed": args.seed, "deadline": deadline.isoformat(), "catalog": str(catalog),
        "firm_rows": [[f.index, f.firm_id, f.token, f.key] for f in firms]}))


def reusable_setup(args: argparse.Namespace) -> tuple[datetime, Path, list[Firm]] | None:
    """The saved setup, if it was made for the same --firms and --seed and its deadline is at
    least 20 minutes away (a run must finish before it); None otherwise."""
    path = OUT / f"{STEM}-setup.json"
    if not path.is_file():
        return None
    saved = json.loads(path.read_text())
    deadline = datetime.fromisoformat(saved["deadline"])
    if (saved["firms"], saved["seed"]) != (args.firms, args.seed) or deadline - datetime.now(deadline.tzinfo) < timedelta(minutes=20):
        return None
    return deadline, Path(saved["catalog"]), [Firm(i, fid, tok, key) for i, fid, tok, key in saved["firm_rows"]]


def set_lock_timeout(value: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"ALTER DATABASE {DB_NAME} SET lock_timeout = " + "'" + value.replace("'", "") + "'"))
    engine.dispose()


def cli(*args: str) -> str:
    return subprocess.run([ONESTOP, *args, "--database-url", DB_URL], check=True, capture_output=True, text=True).stdout


def deadline_catalog(deadline: datetime) -> Path:
    """The shipped catalog, with the program's window closing at `deadline` (KST)."""
    import onestop

    target = OUT / f"{STEM}-catalog"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(Path(onestop.__file__).parent / "data" / "catalog", target)
    path = target / "programs" / f"{PROGRAM}.yaml"
    text = path.read_text(encoding="utf-8")
    old = "application_window: {always_open: true}"
    assert old in text, f"{path}: expected {old!r}"
    opens = (deadline - timedelta(days=30)).date().isoformat()
    window = f"application_window: {{opens: {opens}, closes: {deadline.date().isoformat()}, closes_at: '{deadline:%H:%M:%S}'}}"
    path.write_text(text.replace(old, window), encoding="utf-8")
    return target


@dataclass
class Firm:
    index: int
    firm_id: int
    token: str
    key: str
    app_id: int | None = None
    version: int = 1
    created_ack: bool = False
    submit_ack: bool = False  # 200 to the submit request
    submit_seen: bool = False  # or a re-read after a failed attempt showed it submitted
    eligibility: str | None = None
    uploads: list[tuple[int, str, str]] = field(default_factory=list)  # (app id, kind, sha256) acknowledged 201
    uploads_seen: list[tuple[int, str, str]] = field(default_factory=list)  # confirmed by re-reading
    error: str | None = None
    done_at: float | None = None


def make_firms(n: int, seed: int) -> list[Firm]:
    """One account, firm and bearer token per simulated firm, written with the project's services."""
    from sqlalchemy import select

    from onestop.accounts import services as accounts
    from onestop.demo.seed import scenario
    from onestop.firms import services as firms
    from onestop.firms.tables import FirmRow
    from onestop.korea.brn import check_digit
    from onestop.platform.db import Database

    rng = random.Random(seed)
    base = scenario("young-founder")
    hashed = accounts.hash_password(FIRM_PASSWORD)
    real_hash = accounts.hash_password
    accounts.hash_password = lambda _password: hashed  # type: ignore[assignment]  # one argon2 hash for all
    db = Database(DB_URL)
    out: list[Firm] = []
    try:
        with db.unit_of_work() as s:
            taken = set(s.scalars(select(FirmRow.brn)))
            serial = 0
            for i in range(n):
                while True:
                    serial += 1
                    head = f"6{seed % 100:02d}{serial:06d}"
                    brn = f"{head[:3]}-{head[3:5]}-{head[5:]}{check_digit(head)}"
                    if brn not in taken:
                        break
                user = accounts.create_account(s, email=f"fault-firm{i:05d}@fault.example.kr",
                                               password=FIRM_PASSWORD, name=f"부하시험 대표 {i}", confirmed=True)
                who = accounts.principal(s, user)
                employees = rng.randint(1, 30)
                scale = rng.uniform(0.3, 4.0)
                profile = {**base, "brn": brn, "name": f"부하시험 제조 {i:04d} 주식회사", "regular_employees": employees,
                           "revenue": {y: int(v * scale) for y, v in base["revenue"].items()},
                           "total_assets": int(base["total_assets"] * scale)}
                row = firms.register(s, who, profile)
                token, _ = accounts.issue_token(s, user, "apply-fault")
                out.append(Firm(i, row.id, token, key=f"apply-fault-{seed}-{i}"))
    finally:
        accounts.hash_password = real_hash  # type: ignore[assignment]
        db.dispose()
    return out


def required_kinds(catalog_dir: Path) -> list[str]:
    from onestop.applications.services import required_documents
    from onestop.catalog.loader import load_catalog

    return [k for k, _, _ in required_documents(load_catalog(catalog_dir).get(PROGRAM))]


# --- the server -----------------------------------------------------------------------------

class Server:
    def __init__(self, port: int, workers: int, upload_dir: Path) -> None:
        self.port, self.workers = port, workers
        self.env = dict(os.environ, ONESTOP_DATABASE_URL=DB_URL, ONESTOP_UPLOAD_DIR=str(upload_dir),
                        ONESTOP_WARM_SEARCH="false", ONESTOP_SECRET_KEY="apply-fault-bench-secret")
        self.log = (OUT / f"{STEM}-server.log").open("ab")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([ONESTOP, "serve", "--port", str(self.port), "--workers", str(self.workers)],
                                     env=self.env, stdout=self.log, stderr=self.log, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL to the whole process group: the uvicorn master and every worker, no clean-up."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    async def healthy(self, timeout: float = 120.0) -> float:
        t0 = time.monotonic()
        async with httpx.AsyncClient(timeout=2.0) as c:
            while time.monotonic() - t0 < timeout:
                try:
                    if (await c.get(f"http://127.0.0.1:{self.port}/healthz")).status_code == 200:
                        return time.monotonic()
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        raise RuntimeError("the server did not become healthy")


class CpuMeter:
    """CPU seconds (user + system) used during the load by the server's processes, the test
    database's PostgreSQL backends and this client: on a shared machine, what a submission costs
    is steadier than how many fit in a second. Processes come and go (SIGKILL, reconnects), so
    each is sampled every half second and its last reading counts."""

    def __init__(self, server: Server) -> None:
        import threading

        self.server = server
        self.seen: dict[tuple[str, int], float] = {}
        self.workers: set[int] = set()
        self.base: dict[tuple[str, int], float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.client0 = 0.0

    def processes(self) -> list[tuple[str, Any]]:
        import psutil

        found: list[tuple[str, Any]] = []
        if self.server.proc is not None and self.server.proc.poll() is None:
            try:
                root = psutil.Process(self.server.proc.pid)
                children = root.children(recursive=True)
                found += [("server", p) for p in [root, *children]]
                self.workers |= {p.pid for p in children if "spawn_main" in " ".join(p.cmdline())}
            except psutil.Error:  # the server is being killed or restarted
                pass
        for p in psutil.process_iter(["name", "cmdline"]):
            cmd = " ".join(p.info.get("cmdline") or [])
            if p.info.get("name") == "postgres" and f" {DB_NAME} " in f"{cmd} ":
                found.append(("postgres", p))
        return found

    def sample(self) -> None:
        import psutil

        for kind, p in self.processes():
            try:
                t = p.cpu_times()
            except psutil.Error:
                continue
            self.seen[(kind, p.pid)] = t.user + t.system

    def run(self) -> None:
        while not self.stop.wait(0.5):
            self.sample()

    def start(self) -> None:
        import resource

        self.sample()
        self.base = dict(self.seen)
        r = resource.getrusage(resource.RUSAGE_SELF)
        self.client0 = r.ru_utime + r.ru_stime
        self.thread.start()

    def result(self) -> dict[str, float]:
        import resource

        self.sample()
        self.stop.set()
        self.thread.join()
        out = {"server": 0.0, "postgres": 0.0}
        for (kind, pid), t in self.seen.items():
            out[kind] += t - self.base.get((kind, pid), 0.0)
        r = resource.getrusage(resource.RUSAGE_SELF)
        out["client"] = r.ru_utime + r.ru_stime - self.client0
        return {k: round(v, 2) for k, v in out.items()}

    def server_processes(self) -> int:
        """Worker processes seen during the load: --workers per server start (twice with the
        planned kill), more if uvicorn's supervisor replaced one it found unresponsive."""
        return len(self.workers)


# --- the load -------------------------------------------------------------------------------

#: the HTTP client of the simulated user this task plays
LANE: contextvars.ContextVar[httpx.AsyncClient] = contextvars.ContextVar("lane")


class GiveUp(Exception):
    pass


class Restart(Exception):
    """The application the firm was acknowledged is not there: start again with the same key."""


@dataclass
class Stats:
    latency: dict[str, list[float]] = field(default_factory=dict)  # per request that got a (< 500) answer
    statuses: Counter[str] = field(default_factory=Counter)  # "op status"
    transport_errors: Counter[str] = field(default_factory=Counter)
    transport_kinds: Counter[str] = field(default_factory=Counter)
    server_errors: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    anomalies: Counter[str] = field(default_factory=Counter)
    officer: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)  # bodies of 5xx and unexpected answers
    answered_at: list[float] = field(default_factory=list)
    submit_e2e: list[float] = field(default_factory=list)  # first submit attempt -> acknowledged, retries included
    submitted: int = 0

    def sample(self, text: str) -> None:
        if len(self.samples) < 40:
            self.samples.append(text[:600])


class Load:
    def __init__(self, args: argparse.Namespace, firms: list[Firm], kinds: list[str]) -> None:
        self.args, self.firms, self.kinds = args, firms, kinds
        self.base = f"http://127.0.0.1:{args.port}"
        self.stats = Stats()
        self.t_start = self.last_answer = self.outage_ended = time.monotonic()
        self.outage = False
        self.stalled: dict[str, Any] | None = None
        self.client = self.new_client()
        # One client (one keep-alive connection) per simulated user: httpx's pool scans every
        # connection for every request, which made one shared 70-connection pool the biggest
        # CPU cost of this process (py-spy), on the cores the server needs.
        self.lanes: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
        for _ in range(args.concurrency):
            self.lanes.put_nowait(self.new_client())

    def new_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base, timeout=httpx.Timeout(60.0, connect=5.0),
                                 limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))

    async def attempt(self, op: str, method: str, url: str, **kw: Any) -> httpx.Response | None:
        """One request; None if the connection failed or the server answered 5xx (both retried)."""
        t0 = time.perf_counter()
        try:
            r = await LANE.get(self.client).request(method, url, **kw)
        except httpx.TransportError as e:
            self.stats.transport_errors[op] += 1
            self.stats.transport_kinds[type(e).__name__] += 1
            return None
        dt = time.perf_counter() - t0
        self.stats.statuses[f"{op} {r.status_code}"] += 1
        if r.status_code >= 500:
            self.stats.server_errors[op] += 1
            self.stats.sample(f"{op} {method} {url} -> {r.status_code}: {r.text}")
            return None
        self.stats.latency.setdefault(op, []).append(dt)
        self.stats.answered_at.append(time.monotonic())
        if op in FIRM_OPS:  # progress of the firms (officers' reads may still be answered by a sound worker)
            self.last_answer = time.monotonic()
        return r

    async def pause(self, tries: int) -> None:
        await asyncio.sleep(min(0.05 * 2 ** min(tries, 5), 1.0) * random.uniform(0.5, 1.5))

    async def until_answer(self, op: str, method: str, url: str, **kw: Any) -> httpx.Response:
        t0, tries = time.monotonic(), 0
        while True:
            r = await self.attempt(op, method, url, **kw)
            if r is not None:
                return r
            tries += 1
            self.stats.retries[op] += 1
            if time.monotonic() - t0 > GIVE_UP_S:
                raise GiveUp(f"{op} {url}: no answer in {GIVE_UP_S:.0f} s")
            await self.pause(tries)

    # --- a firm ---

    def auth(self, f: Firm) -> dict[str, str]:
        return {"Authorization": f"Bearer {f.token}"}

    async def reread(self, f: Firm) -> dict[str, Any]:
        r = await self.until_answer("get", "GET", f"/api/v1/applications/{f.app_id}", headers=self.auth(f))
        if r.status_code == 404:
            raise Restart
        if r.status_code != 200:
            raise GiveUp(f"GET application {f.app_id} -> {r.status_code} {r.text[:300]}")
        return dict(r.json())

    async def create(self, f: Firm) -> None:
        r = await self.until_answer("create", "POST", "/api/v1/applications", json={"firm_id": f.firm_id, "program_id": PROGRAM},
                                    headers={**self.auth(f), "Idempotency-Key": f.key})
        if r.status_code not in (200, 201):
            self.stats.sample(f"create firm {f.firm_id} -> {r.status_code}: {r.text}")
            raise GiveUp(f"create -> {r.status_code} {r.text[:300]}")
        body = r.json()
        if f.app_id is not None and body["id"] != f.app_id:
            self.stats.anomalies["create_answered_another_id"] += 1
        f.app_id, f.version, f.created_ack = int(body["id"]), int(body["version"]), True

    async def upload(self, f: Firm, kind: str, data: bytes) -> None:
        sha = hashlib.sha256(data).hexdigest()
        t0, tries = time.monotonic(), 0
        while True:
            if tries:  # did the failed attempt take effect? then do not upload again
                detail = await self.reread(f)
                if any(d["kind"] == kind and d["sha256"] == sha for d in detail["documents"]):
                    f.uploads_seen.append((int(detail["id"]), kind, sha))
                    return
                if detail["state"] != "draft":
                    raise GiveUp(f"upload: application {f.app_id} is {detail['state']}")
            r = await self.attempt("upload", "POST", f"/api/v1/applications/{f.app_id}/documents", headers=self.auth(f),
                                   data={"kind": kind}, files={"file": (f"{kind}-{f.index}.pdf", data, "application/pdf")})
            tries += 1
            if r is None:
                self.stats.retries["upload"] += 1
                if time.monotonic() - t0 > GIVE_UP_S:
                    raise GiveUp("upload: no answer")
                await self.pause(tries)
                continue
            if r.status_code == 201:
                body = r.json()
                if body["sha256"] != sha:
                    self.stats.anomalies["upload_hash_differs"] += 1
                f.uploads.append((int(f.app_id or 0), kind, sha))
                return
            if r.status_code == 404:  # the draft we were answered is not (yet) there
                self.stats.anomalies["upload_404_after_create_ack"] += 1
                self.stats.sample(f"upload app {f.app_id} (create acknowledged) -> 404: {r.text}")
                raise Restart
            self.stats.sample(f"upload app {f.app_id} -> {r.status_code}: {r.text}")
            raise GiveUp(f"upload -> {r.status_code} {r.text[:300]}")

    async def submit(self, f: Firm, docs: dict[str, bytes]) -> None:
        t0, tries = time.monotonic(), 0
        while True:
            if tries:
                detail = await self.reread(f)
                if detail["state"] != "draft":
                    f.submit_seen = True
                    f.eligibility = (detail.get("eligibility") or {}).get("status")
                    self.stats.submit_e2e.append(time.monotonic() - t0)
                    self.stats.submitted += 1
                    return
                f.version = int(detail["version"])
                have = {(d["kind"], d["sha256"]) for d in detail["documents"]}
                for kind, data in docs.items():
                    if (kind, hashlib.sha256(data).hexdigest()) not in have:
                        self.stats.anomalies["acknowledged_upload_missing_at_submit"] += 1
                        await self.upload(f, kind, data)
            if time.monotonic() - t0 > GIVE_UP_S:
                raise GiveUp("submit: gave up")
            r = await self.attempt("submit", "POST", f"/api/v1/applications/{f.app_id}/submit", headers=self.auth(f),
                                   json={"version": f.version})
            tries += 1
            if r is None:
                self.stats.retries["submit"] += 1
                await self.pause(tries)
                continue
            if r.status_code == 200:
                body = r.json()
                f.submit_ack, f.eligibility = True, (body.get("eligibility") or {}).get("status")
                self.stats.submit_e2e.append(time.monotonic() - t0)
                self.stats.submitted += 1
                return
            code = r.json().get("code") if r.headers.get("content-type", "").startswith("application/") else None
            if r.status_code == 409 or code in ("illegal_transition", "documents_missing"):
                # stale version, already submitted by a request whose answer was lost, or an
                # acknowledged upload that this request did not see: re-read and decide
                self.stats.retries["submit"] += 1
                if code == "illegal_transition":
                    self.stats.anomalies["submit_422_already_submitted"] += 1
                elif code == "documents_missing":
                    self.stats.anomalies["submit_422_documents_missing_after_upload_ack"] += 1
                    self.stats.sample(f"submit app {f.app_id} after acknowledged uploads -> 422 documents_missing")
                continue
            self.stats.sample(f"submit app {f.app_id} -> {r.status_code}: {r.text}")
            raise GiveUp(f"submit -> {r.status_code} {r.text[:300]}")

    async def firm(self, f: Firm) -> None:
        client = await self.lanes.get()  # at most --concurrency firms at a time
        LANE.set(client)
        try:
            await self.firm_flow(f)
        finally:
            self.lanes.put_nowait(client)

    async def firm_flow(self, f: Firm) -> None:
        rng = random.Random(self.args.seed * 1_000_003 + f.index)
        kinds = self.kinds + ["other"] * self.args.extra_docs
        docs = {}
        for j, kind in enumerate(kinds):
            body = rng.randbytes(rng.randint(20_000, 120_000))
            docs[kind if j < len(self.kinds) else f"other#{j}"] = (
                b"%%PDF-1.4\n%% apply-fault firm %d doc %d\n" % (f.index, j) + body + b"\n%%EOF\n")
        try:
            for _ in range(5):
                try:
                    await self.create(f)
                    for name, data in docs.items():
                        await self.upload(f, name.split("#")[0], data)
                    await self.submit(f, {k: v for k, v in docs.items() if "#" not in k})
                    break
                except Restart:
                    self.stats.retries["restart_flow"] += 1
                    await asyncio.sleep(0.2)
            else:
                raise GiveUp("the acknowledged draft kept disappearing")
        except (GiveUp, httpx.HTTPError, ValueError, KeyError) as e:
            f.error = f"{type(e).__name__}: {e}"
        f.done_at = time.monotonic()

    # --- officers ---

    async def officer(self, k: int, token: str, stop: asyncio.Event) -> None:
        client = self.new_client()
        LANE.set(client)
        try:
            await self.officer_loop(k, token, stop)
        finally:
            await client.aclose()

    async def officer_loop(self, k: int, token: str, stop: asyncio.Event) -> None:
        rng = random.Random(self.args.seed * 7 + k)
        headers = {"Authorization": f"Bearer {token}"}
        steps = {"submitted": "start_check", "document_check": "documents_ok", "evaluation": "approve"}
        while not stop.is_set():
            picked = None
            for state in ("submitted", "document_check", "evaluation"):
                r = await self.attempt("queue", "GET", "/api/v1/applications/queue", headers=headers,
                                       params={"program_id": PROGRAM, "state": state})
                if r is None:
                    self.stats.retries["queue"] += 1
                    await self.pause(3)
                    break
                items = r.json()
                if items:
                    picked = rng.choice(items[:20])
                    break
            if picked is None:
                await asyncio.sleep(0.2)
                continue
            try:
                await self.review(int(picked["id"]), headers, steps)
            except GiveUp as e:
                self.stats.officer["error"] += 1
                self.stats.sample(f"officer: {e}")

    async def review(self, app_id: int, headers: dict[str, str], steps: dict[str, str]) -> None:
        r = await self.until_answer("officer_view", "GET", f"/api/v1/applications/{app_id}", headers=headers)
        if r.status_code != 200:
            raise GiveUp(f"view {app_id} -> {r.status_code}")
        state, version = r.json()["state"], r.json()["version"]
        while state in steps:
            action = steps[state]
            r = await self.attempt("officer_action", "POST", f"/api/v1/applications/{app_id}/actions", headers=headers,
                                   json={"action": action, "version": version})
            if r is None:  # learn what happened before trying again
                self.stats.retries["officer_action"] += 1
                await self.pause(3)
                r = await self.until_answer("officer_view", "GET", f"/api/v1/applications/{app_id}", headers=headers)
                state, version = r.json()["state"], r.json()["version"]
                continue
            if r.status_code == 200:
                self.stats.officer[action] += 1
                state, version = r.json()["state"], r.json()["version"]
                continue
            code = r.json().get("code")
            if r.status_code == 409:
                self.stats.officer["409_stale"] += 1
            elif code == "illegal_transition":
                self.stats.officer["422_already_moved"] += 1
            else:
                self.stats.officer[f"{r.status_code}_{code}"] += 1
                self.stats.sample(f"officer {action} {app_id} -> {r.status_code}: {r.text}")
            return

    # --- the fault ---

    async def fault(self, server: Server, t_start: float) -> dict[str, Any]:
        spec = self.args.kill_after
        if spec is None:
            return {}
        while True:
            if (spec[0] == "fraction" and self.stats.submitted >= spec[1] * len(self.firms)) or (
                    spec[0] == "seconds" and time.monotonic() - t_start >= spec[1]):
                break
            if all(f.done_at is not None for f in self.firms):
                return {"killed": False}
            await asyncio.sleep(0.02)
        submitted = self.stats.submitted
        self.outage = True
        t_kill = time.monotonic()
        try:
            server.kill()
            await asyncio.sleep(1.0)
            server.start()
            t_up = await server.healthy()
        finally:
            self.outage, self.outage_ended = False, time.monotonic()
        return {"killed": True, "at_s": round(t_kill - t_start, 2), "submitted_before_kill": submitted,
                "in_flight_firms": sum(1 for f in self.firms if f.app_id is not None and f.done_at is None),
                "server_down_s": round(t_up - t_kill, 2), "t_kill": t_kill, "t_up": t_up}

    async def watchdog(self, firms_task: asyncio.Future[Any]) -> None:
        """A server that answers nothing for --stall-timeout seconds (outside the planned outage) is
        wedged: record what the database sessions wait for, and end the load."""
        while not firms_task.done():
            await asyncio.sleep(1.0)
            last = max(self.last_answer, self.outage_ended)
            if self.outage or time.monotonic() - last < self.args.stall_timeout:
                continue
            self.stalled = {"after_s": round(time.monotonic() - self.t_start, 1),
                            "no_answer_for_s": round(time.monotonic() - last, 1),
                            "submitted": self.stats.submitted,
                            "pg_sessions": await asyncio.to_thread(pg_sessions)}
            firms_task.cancel()
            return

    async def run(self, server: Server) -> dict[str, Any]:
        from onestop.demo.seed import PASSWORD

        r = await self.until_answer("login", "POST", "/api/v1/auth/token", json={"email": OFFICER, "password": PASSWORD})
        officer_token = r.json()["access_token"]
        stop = asyncio.Event()
        self.t_start = t_start = time.monotonic()
        officers = [asyncio.create_task(self.officer(k, officer_token, stop)) for k in range(self.args.officers)]
        fault = asyncio.create_task(self.fault(server, t_start))
        firms_task = asyncio.gather(*(self.firm(f) for f in self.firms))
        watchdog = asyncio.create_task(self.watchdog(firms_task))
        try:
            await firms_task
        except asyncio.CancelledError:
            for f in self.firms:
                if f.done_at is None:
                    f.error, f.done_at = "cancelled: the server stopped answering", time.monotonic()
        t_end = time.monotonic()
        stop.set()
        watchdog.cancel()
        if self.stalled:
            for task in (*officers, fault):
                task.cancel()
        results = await asyncio.gather(*officers, fault, return_exceptions=True)
        fault_info = results[-1] if isinstance(results[-1], dict) else {"killed": False}
        await self.client.aclose()
        while not self.lanes.empty():
            await self.lanes.get_nowait().aclose()
        if fault_info.get("killed"):
            # the longest time without any answer around the kill: the outage as the clients saw it
            times = sorted(self.stats.answered_at)
            gaps = [b - a for a, b in itertools.pairwise(times) if b >= fault_info["t_kill"] and a <= fault_info["t_up"]]
            fault_info["clients_without_answer_s"] = round(max(gaps), 2) if gaps else None
            fault_info.pop("t_kill"), fault_info.pop("t_up")
        return {"wall_s": t_end - t_start, "fault": fault_info, "stalled": self.stalled}


def pg_sessions() -> list[dict[str, Any]]:
    """What every session of the test database is doing (for a wedged server)."""
    import sqlalchemy as sa

    engine = sa.create_engine(ADMIN_URL)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT pid, client_port, state, wait_event_type, wait_event, "
            "round(extract(epoch FROM now() - xact_start)::numeric, 1) AS xact_s, left(query, 100) AS query, "
            "pg_blocking_pids(pid) AS blocked_by FROM pg_stat_activity WHERE datname = :d ORDER BY xact_start"),
            {"d": DB_NAME}).mappings().all()
    engine.dispose()
    return [{k: (float(v) if k == "xact_s" and v is not None else v) for k, v in r.items()} for r in rows]


# --- verification ---------------------------------------------------------------------------

def verify(firms: list[Firm], upload_dir: Path) -> dict[str, Any]:
    import sqlalchemy as sa

    engine = sa.create_engine(DB_URL)
    with engine.connect() as conn:
        apps = conn.execute(sa.text("SELECT id, firm_id, state FROM applications WHERE program_id = :p"),
                            {"p": PROGRAM}).all()
        docs = conn.execute(sa.text("SELECT application_id, kind, sha256 FROM documents")).all()
        submits = Counter(a for (a,) in conn.execute(sa.text(
            "SELECT application_id FROM application_events WHERE action = 'submit'")))
        audit_submits = Counter(s for (s,) in conn.execute(sa.text(
            "SELECT subject FROM audit_log WHERE action = 'application.submit'")))
    engine.dispose()
    by_firm: dict[int, list[tuple[int, str]]] = {}
    for app_id, firm_id, state in apps:
        by_firm.setdefault(firm_id, []).append((app_id, state))
    doc_rows = Counter((a, k, s) for a, k, s in docs)
    lost = [f.index for f in firms if f.created_ack and not by_firm.get(f.firm_id)]
    duplicated = [f.index for f in firms if len(by_firm.get(f.firm_id, [])) > 1]
    other_id = [f.index for f in firms if f.app_id is not None and len(by_firm.get(f.firm_id, [])) == 1
                and by_firm[f.firm_id][0][0] != f.app_id]
    acked = [f for f in firms if f.submit_ack or f.submit_seen]
    not_submitted = [f.index for f in acked if not by_firm.get(f.firm_id)
                     or by_firm[f.firm_id][0][1] not in SUBMITTED_OR_LATER]
    double_submit = [a for a, n in submits.items() if n > 1] + [s for s, n in audit_submits.items() if n > 1]
    missing_rows, bad_files, checked = [], [], 0
    for f in firms:
        for app_id, kind, sha in f.uploads:
            checked += 1
            if doc_rows[(app_id, kind, sha)] == 0:
                missing_rows.append((f.index, app_id, kind, sha[:12]))
            path = upload_dir / sha[:2] / sha
            if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha:
                bad_files.append((f.index, sha[:12]))
    dup_docs = sum(n - 1 for n in doc_rows.values() if n > 1)
    stored = {p.name for p in upload_dir.glob("??/*") if not p.name.startswith(".")}
    referenced = {s for _, _, s in docs}
    audit = subprocess.run([ONESTOP, "audit", "verify", "--database-url", DB_URL], capture_output=True, text=True)
    checks = {
        "every firm has one application (none lost)": not lost and all(by_firm.get(f.firm_id) for f in firms),
        "no firm has two applications (none duplicated)": not duplicated,
        "the application is the one acknowledged": not other_id,
        "every acknowledged submit is >= submitted": not not_submitted,
        "one submit event per application": not double_submit,
        "every acknowledged upload has its document row": not missing_rows,
        "every acknowledged upload's file re-hashes": not bad_files,
        "audit chain verifies (onestop audit verify)": audit.returncode == 0,
        "every simulated firm finished without error": not any(f.error for f in firms),
    }
    return {
        "checks": checks,
        "ok": all(checks.values()),
        "applications": len(apps),
        "states": dict(Counter(s for _, _, s in apps)),
        "firms_without_application": [f.index for f in firms if not by_firm.get(f.firm_id)][:20],
        "lost": lost[:20], "duplicated": duplicated[:20], "other_id": other_id[:20],
        "acknowledged_submits": len(acked), "acknowledged_submit_not_submitted": not_submitted[:20],
        "double_submit": double_submit[:20],
        "acknowledged_uploads_checked": checked, "upload_missing_row": missing_rows[:20], "upload_bad_file": bad_files[:20],
        "duplicate_document_rows": dup_docs,
        "stored_files_without_row": len(stored - referenced),
        "audit_verify": (audit.stdout + audit.stderr).strip(),
        "errors": [f"firm {f.index}: {f.error}" for f in firms if f.error][:20],
    }


# --- report ---------------------------------------------------------------------------------

def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=1000, method="inclusive")[int(p * 10) - 1] * 1000


def parse_kill(value: str) -> tuple[str, float] | None:
    if value.lower() in ("none", "no", "0"):
        return None
    if value.endswith("s"):
        return ("seconds", float(value[:-1]))
    x = float(value)
    return ("fraction", x) if x < 1 else ("seconds", x)


def main() -> int:
    global DB_NAME, DB_URL, STEM
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--firms", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--officers", type=int, default=4)
    ap.add_argument("--extra-docs", type=int, default=1, help="optional attachments (kind 'other') besides the required ones")
    ap.add_argument("--kill-after", type=parse_kill, default=("fraction", 0.4),
                    help="a fraction of firms submitted (0.4), seconds (30 or 30s), or none")
    ap.add_argument("--deadline-minutes", type=int, default=60)
    ap.add_argument("--port", type=int, default=None, help="default 8766 (8767 with --database)")
    ap.add_argument("--database", default=DB_NAME, help="the test database, dropped and created again")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--stall-timeout", type=float, default=45.0,
                    help="end the run as wedged when nothing is answered for this many seconds")
    ap.add_argument("--reuse-setup", action="store_true",
                    help="keep the set-up database as a template and clone it on the next run with the same --firms "
                         "and --seed while its deadline is 20+ minutes away (setup in seconds instead of minutes)")
    ap.add_argument("--pg-lock-timeout", default=None,
                    help="set PostgreSQL lock_timeout on the test database (e.g. 2s): a mitigation, off by default")
    args = ap.parse_args()
    if not args.database.replace("_", "").isalnum() or args.database in ("test", "onestop_bench", "postgres"):
        ap.error(f"--database {args.database!r}: use a name of its own")
    if args.database != DB_NAME:
        DB_NAME, STEM = args.database, f"apply_fault-{args.database}"
        DB_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB_NAME}"
    args.port = args.port or (8766 if DB_NAME == "onestop_fault" else 8767)
    random.seed(args.seed)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{STEM}-server.log").unlink(missing_ok=True)

    from onestop.catalog.model import KST

    t0 = time.monotonic()
    upload_dir = OUT / f"{STEM}-uploads"
    shutil.rmtree(upload_dir, ignore_errors=True)
    upload_dir.mkdir(parents=True)
    saved = reusable_setup(args) if args.reuse_setup else None
    if saved is not None:
        deadline, catalog, firms = saved
        recreate_database(template=f"{DB_NAME}_setup")
    else:
        deadline = (datetime.now(KST) + timedelta(minutes=args.deadline_minutes)).replace(second=0, microsecond=0)
        catalog = deadline_catalog(deadline)
        recreate_database()
        cli("db", "upgrade")
        cli("catalog", "import", str(catalog))
        cli("demo", "seed")
        firms = make_firms(args.firms, args.seed)
        if args.reuse_setup:
            save_setup(args, deadline, catalog, firms)
    if args.pg_lock_timeout:
        set_lock_timeout(args.pg_lock_timeout)
    kinds = required_kinds(catalog)
    setup_s = time.monotonic() - t0
    print(f"setup {setup_s:.1f} s: {len(firms)} firms, documents {kinds} + {args.extra_docs} other, "
          f"deadline {deadline:%Y-%m-%d %H:%M} KST", flush=True)

    server = Server(args.port, args.workers, upload_dir)
    server.start()
    try:
        asyncio.run(server.healthy())
        load = Load(args, firms, kinds)
        meter = CpuMeter(server)
        meter.start()
        run = asyncio.run(load.run(server))
        cpu = meter.result()
    finally:
        server.stop()
    v = verify(firms, upload_dir)
    s = load.stats
    acked = sum(1 for f in firms if f.submit_ack or f.submit_seen)
    ops = ("create", "upload", "submit", "get", "officer_view", "officer_action", "queue")
    results = {
        "firms": args.firms, "concurrency": args.concurrency, "workers": args.workers, "officers": args.officers,
        "documents_per_firm": len(kinds) + args.extra_docs, "seed": args.seed, "kill_after": args.kill_after,
        "deadline_kst": deadline.isoformat(), "setup_s": round(setup_s, 1), "load_wall_s": round(run["wall_s"], 2),
        "submits_acknowledged": acked, "submits_per_s": round(acked / run["wall_s"], 1),
        "submit_ack_by_200": sum(1 for f in firms if f.submit_ack), "submit_ack_by_reread": sum(1 for f in firms if f.submit_seen),
        "eligibility": dict(Counter(f.eligibility for f in firms)),
        "latency_ms": {op: {"n": len(s.latency.get(op, [])), "p50": round(pct(s.latency.get(op, []), 50), 1),
                            "p95": round(pct(s.latency.get(op, []), 95), 1), "p99": round(pct(s.latency.get(op, []), 99), 1)}
                       for op in ops},
        "submit_with_retries_ms": {"p50": round(pct(s.submit_e2e, 50), 1), "p99": round(pct(s.submit_e2e, 99), 1),
                                   "max": round(max(s.submit_e2e, default=0) * 1000, 1)},
        "workers_seen": meter.server_processes(),
        "cpu_s": cpu, "cpu_ms_per_submission": {k: round(v * 1000 / max(acked, 1), 1) for k, v in cpu.items()},
        "load_average": os.getloadavg(),
        "fault": run["fault"], "stalled": run["stalled"], "pg_lock_timeout": args.pg_lock_timeout,
        "transport_errors": dict(s.transport_errors), "transport_error_kinds": dict(s.transport_kinds),
        "server_errors_5xx": dict(s.server_errors),
        "retries": dict(s.retries), "anomalies": dict(s.anomalies), "officer": dict(s.officer),
        "statuses": dict(sorted(s.statuses.items())), "samples": s.samples,
        "verify": v,
    }
    (OUT / f"{STEM}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))

    lat = results["latency_ms"]
    print(f"\nload {run['wall_s']:.1f} s, {acked}/{args.firms} submits acknowledged = {results['submits_per_s']} submits/s; "
          f"fault: {run['fault']}")
    if run["stalled"]:
        st = run["stalled"]
        print(f"STALLED: nothing answered for {st['no_answer_for_s']} s (at {st['after_s']} s, {st['submitted']} submitted); "
              "database sessions:")
        for row in st["pg_sessions"]:
            print(f"   pid {row['pid']} port {row['client_port']} {row['state']} {row['wait_event']} {row['xact_s']} s "
                  f"blocked by {row['blocked_by']}: {row['query']}")
    print("| request | n | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|---:|")
    for op in ops:
        print(f"| {op} | {lat[op]['n']} | {lat[op]['p50']} | {lat[op]['p95']} | {lat[op]['p99']} |")
    print(f"submit incl. retries: {results['submit_with_retries_ms']}")
    print(f"CPU during the load: {cpu} s; per acknowledged submission {results['cpu_ms_per_submission']} ms; "
          f"load average at the end {os.getloadavg()}; workers seen {meter.server_processes()}")
    print(f"retries {dict(s.retries)}; transport errors {dict(s.transport_errors)}; 5xx {dict(s.server_errors)}")
    print(f"anomalies {dict(s.anomalies)}; officer {dict(s.officer)}")
    print("\n| check | result |\n|---|---|")
    for name, ok in v["checks"].items():
        print(f"| {name} | {'PASS' if ok else 'FAIL'} |")
    print(f"audit: {v['audit_verify']}; duplicate document rows {v['duplicate_document_rows']}, "
          f"stored files without a row {v['stored_files_without_row']}")
    for line in v["errors"] + [str(x) for x in v["upload_missing_row"]]:
        print("  ", line)
    return 0 if v["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
