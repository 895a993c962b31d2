"""Load test of the web service on PostgreSQL: the match endpoint for one firm against the full
catalog, and program search, under 64 concurrent connections on loopback (wrk).

Usage:  .venv/bin/python bench/web_load.py [--duration 20] [--connections 64] [--workers 2]
                                            [--database onestop_bench] [--port 8765]
Needs: PostgreSQL on 127.0.0.1:5432 (trust auth) and Debian's `wrk`. Creates the database
(`onestop_bench`, or `--database NAME` so two runs cannot disturb each other), migrates it,
imports the catalog, seeds the demo registry, starts `onestop serve --workers N` and drives it
with wrk. Results: bench/out/web.json (web-NAME.json with --database).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
ONESTOP = str(ROOT / ".venv" / "bin" / "onestop")
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DB_NAME = "onestop_bench"  # --database changes it (main)
DB_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB_NAME}"


def recreate_database() -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {DB_NAME}"))
    engine.dispose()


def run(*args: str) -> None:
    subprocess.run([ONESTOP, *args, "--database-url", DB_URL], check=True, stdout=subprocess.DEVNULL)


def patiently(call: Callable[[], T], within: float = 180.0) -> T:
    """The first requests retried on connection errors: on a loaded machine a worker may still be
    starting, or be restarted by uvicorn's supervisor when it misses a health check."""
    deadline = time.monotonic() + within
    while True:
        try:
            return call()
        except (OSError, http.client.HTTPException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def post_json(url: str, body: dict[str, object]) -> dict[str, object]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    # the first request of a worker may wait for its start-up on a loaded machine
    with urllib.request.urlopen(req, timeout=120) as r:
        return dict(json.loads(r.read()))


def get_json(url: str, token: str) -> object:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def parse_wrk(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["requests_per_s"] = float(rps.group(1)) if rps else 0.0
    for pct in ("50", "90", "99"):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if m:
            out[f"p{pct}_ms"] = float(m.group(1)) * UNITS[m.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non_2xx"] = float(errors.group(1)) if errors else 0.0
    total = re.search(r"(\d+) requests in", text)
    out["requests"] = float(total.group(1)) if total else 0.0
    return out


#: a different reference date on every request: each one misses the result cache, so the match is
#: computed and its evaluation recorded (an INSERT) every time
UNCACHED_LUA = """
counter = 0
request = function()
  counter = counter + 1
  local day = 1 + (counter * 7919 + math.random(0, 100000)) % 3650
  return wrk.format("GET", wrk.path .. "?date=" .. os.date("!%Y-%m-%d", 1577836800 + day * 86400))
end
"""


def wrk(url: str, token: str, duration: int, connections: int, script: str | None = None) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H", f"Authorization: Bearer {token}"]
    if script is not None:
        path = ROOT / "bench" / "out" / "wrk.lua"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(script)
        cmd += ["-s", str(path)]
    text = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    return parse_wrk(text)


def main() -> int:
    global DB_NAME, DB_URL
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--database", default=DB_NAME, help="the test database, dropped and created again")
    args = ap.parse_args()
    if not args.database.replace("_", "").isalnum() or args.database in ("test", "postgres"):
        ap.error(f"--database {args.database!r}: use a name of its own")
    DB_NAME = args.database
    DB_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB_NAME}"
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    recreate_database()
    run("db", "upgrade")
    run("catalog", "import")
    run("demo", "seed")
    env = dict(os.environ, ONESTOP_DATABASE_URL=DB_URL)
    server = subprocess.Popen([ONESTOP, "serve", "--port", str(args.port), "--workers", str(args.workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        token = str(patiently(lambda: post_json(f"{base}/api/v1/auth/token", {
            "email": "founder@onestop.demo", "password": "onestop-demo-2026"}))["access_token"])
        firm_id = patiently(lambda: get_json(f"{base}/api/v1/firms", token))[0]["id"]  # type: ignore[index]
        match_url = f"{base}/api/v1/firms/{firm_id}/recommendations"
        search_url = f"{base}/api/v1/programs?" + urllib.parse.urlencode({"q": "청년 창업자금", "region": "12150"})
        for url in (match_url, search_url):  # warm caches in every worker
            for _ in range(20):
                patiently(lambda url=url: get_json(url, token))  # type: ignore[misc]
        results = {
            "match": wrk(match_url, token, args.duration, args.connections),
            "search": wrk(search_url, token, args.duration, args.connections),
            "match_uncached": wrk(match_url, token, args.duration, args.connections, UNCACHED_LUA),
            "connections": args.connections, "duration_s": args.duration, "workers": args.workers,
            "programs": len(get_json(f"{base}/api/v1/programs?limit=200", token)["items"]),  # type: ignore[index]
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    results["load_average"] = os.getloadavg()
    (out / ("web.json" if DB_NAME == "onestop_bench" else f"web-{DB_NAME}.json")).write_text(json.dumps(results, indent=2))
    print("| endpoint | requests/s | p50 ms | p99 ms | non-2xx |")
    print("|---|---:|---:|---:|---:|")
    for name in ("match", "search", "match_uncached"):
        r = results[name]
        assert isinstance(r, dict)
        print(f"| {name} | {r['requests_per_s']:.0f} | {r.get('p50_ms', 0):.1f} | {r.get('p99_ms', 0):.1f} | "
              f"{r['non_2xx']:.0f} |")
    print(f"load average at the end {results['load_average']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
