"""Server CPU per request kind, with requests sent one at a time to one worker (`onestop serve
--workers 1`): the CPU (psutil, user + system) that the server process and the database's
backends used for each request, averaged per kind. Less noisy than a loaded run on a shared
machine, since nothing queues (psutil counts in 10 ms ticks: use 50+ firms).

Usage:  .venv/bin/python bench/request_cpu.py [FIRMS]   (default 100; at most 300)
Needs:  the saved set-up of `bench/apply_fault.py --firms 300 --database h_perf_p300 --reuse-setup`
(the template database h_perf_p300_setup and bench/out/apply_fault-h_perf_p300-setup.json).
Each firm: create, 2 uploads, submit; then an officer: queue, view, start_check, documents_ok,
approve. The first 5 firms are a warm-up and not counted.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import psutil
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DB = "h_perf_seq"
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}"
PROGRAM = "jeonnam-sme-development-fund"
PORT = 8795


def main() -> None:
    engine = sa.create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {DB} TEMPLATE h_perf_p300_setup"))
    engine.dispose()
    setup = json.loads((ROOT / "bench" / "out" / "apply_fault-h_perf_p300-setup.json").read_text())
    firms = setup["firm_rows"][: int(sys.argv[1]) if len(sys.argv) > 1 else 100]
    env = dict(os.environ, ONESTOP_DATABASE_URL=URL, ONESTOP_UPLOAD_DIR=tempfile.mkdtemp(prefix="request-cpu-"),
               ONESTOP_WARM_SEARCH="false", ONESTOP_SECRET_KEY="request-cpu")
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "onestop"), "serve", "--port", str(PORT), "--workers", "1"],
                              env=env, start_new_session=True)
    try:
        run(server, firms)
    finally:
        os.killpg(server.pid, 15)
        server.wait()


def run(server: subprocess.Popen[bytes], firms: list[list[Any]]) -> None:
    c = httpx.Client(base_url=f"http://127.0.0.1:{PORT}", timeout=30)
    for _ in range(600):
        try:
            if c.get("/healthz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc = psutil.Process(server.pid)
    backends = [p for p in psutil.process_iter(["name", "cmdline"])
                if p.info["name"] == "postgres" and f" {DB} " in " ".join(p.info["cmdline"] or []) + " "]

    def cpu() -> tuple[float, float]:
        t = proc.cpu_times()
        pg = 0.0
        for p in backends:
            try:
                b = p.cpu_times()
                pg += b.user + b.system
            except psutil.Error:
                pass
        return t.user + t.system, pg

    srv: Counter[str] = Counter()
    pgc: Counter[str] = Counter()
    n: Counter[str] = Counter()
    rng = random.Random(1)

    def call(op: str, method: str, url: str, **kw: Any) -> Any:
        s0, q0 = cpu()
        r = c.request(method, url, **kw)
        s1, q1 = cpu()
        srv[op] += s1 - s0
        pgc[op] += q1 - q0
        n[op] += 1
        assert r.status_code < 300, (op, r.status_code, r.text[:300])
        return r.json()

    off = c.post("/api/v1/auth/token", json={"email": "officer.jeonnam@onestop.demo", "password": "onestop-demo-2026"})
    officer = {"Authorization": f"Bearer {off.json()['access_token']}"}
    for k, (_index, firm_id, token, key) in enumerate(firms):
        h = {"Authorization": f"Bearer {token}"}
        a = call("create", "POST", "/api/v1/applications", json={"firm_id": firm_id, "program_id": PROGRAM},
                 headers={**h, "Idempotency-Key": key})
        for kind in ("business_plan", "other"):
            pdf = b"%PDF-1.4\n%" + rng.randbytes(rng.randint(20_000, 120_000)) + b"\n%%EOF\n"
            call("upload", "POST", f"/api/v1/applications/{a['id']}/documents", headers=h, data={"kind": kind},
                 files={"file": (f"{kind}.pdf", pdf, "application/pdf")})
        call("submit", "POST", f"/api/v1/applications/{a['id']}/submit", headers=h, json={"version": a["version"]})
        call("queue", "GET", "/api/v1/applications/queue", headers=officer,
             params={"program_id": PROGRAM, "state": "submitted"})
        v = call("officer_view", "GET", f"/api/v1/applications/{a['id']}", headers=officer)
        for action in ("start_check", "documents_ok", "approve"):
            v = call("officer_action", "POST", f"/api/v1/applications/{a['id']}/actions", headers=officer,
                     json={"action": action, "version": v["version"]})
        if k == 4:
            srv.clear()
            pgc.clear()
            n.clear()
    for op in n:
        print(f"{op:15s} n={n[op]:4d} server {srv[op] * 1000 / n[op]:6.2f} ms  postgres {pgc[op] * 1000 / n[op]:5.2f} ms")
    firm = ("create", "upload", "submit")
    print(f"firm path per submission: server {sum(srv[o] for o in firm) * 1000 / n['submit']:.1f} ms, "
          f"postgres {sum(pgc[o] for o in firm) * 1000 / n['submit']:.1f} ms; load {os.getloadavg()}")


if __name__ == "__main__":
    main()
