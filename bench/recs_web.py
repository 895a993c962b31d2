"""The recommendations endpoint under load (issue 16), on PostgreSQL, for the shipped catalog or
the shipped catalog plus synthetic programs: cached and uncached match under 64 connections
(wrk), the server's CPU per request, and the response size (plain, gzip, br).

Usage:  .venv/bin/python bench/recs_web.py [--programs 0|1941] [--duration 15] [--connections 64]
            [--workers 2] [--port 8830] [--database h_recs16_web] [--code DIR] [--label NAME] [--reuse]
`--programs N` adds N synthetic programs (`synthetic_catalog.py`) to the 59 shipped ones;
`--code DIR` runs another checkout's `src` (PYTHONPATH), e.g. the code before issue 16, whose
default answer is the full one. Creates the database, migrates it, imports the catalog, seeds the
demo registry, recomputes the registry's recommendations in the background run (when the code
has it, before serving, so that the run does not share the CPU with the measurement), serves with
`onestop serve --workers N` and drives the young founder's recommendations with wrk: the same
URL (cached) and a different reference date on every request (uncached: each one computes and
records a match). CPU: user + system time of the server's processes over each wrk run, divided
by the requests served; PostgreSQL's processes are counted apart (`postgres_cpu_ms_per_request`;
backends that ended during the run are missed, so it is a lower bound). `--reuse` skips the set-up
(the database of an earlier run). Results: bench/out/recs-LABEL.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_load import UNCACHED_LUA, get_json, patiently, post_json, wrk

ROOT = Path(__file__).resolve().parent.parent
ONESTOP = str(ROOT / ".venv" / "bin" / "onestop")
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def recreate(name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()


def cpu_of(processes: Iterable[psutil.Process]) -> float:
    """User + system CPU of the processes (those that ended meanwhile count nothing)."""
    total = 0.0
    for p in processes:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the uvicorn workers)."""
    root = psutil.Process(pid)
    return cpu_of([root, *root.children(recursive=True)])


#: Every request a (firm, date) not asked before, so every one computes and records a match: the
#: member's firms in turn, and for each the days from BASE on (two wrk threads interleave).
#: `recs_web.py` fills in FIRMS and BASE (2023-01-01 for the warm-up, 2025-01-01 measured).
#: (web_load.py's script draws dates at random from ten years, so part of its "uncached"
#: requests repeat one already answered and come from the cache.)
DISTINCT_LUA = """
local firms = {FIRMS}
local started = 0
function setup(thread)
  thread:set("tid", started)
  started = started + 1
end
counter = 0
request = function()
  local i = counter * 2 + tid
  counter = counter + 1
  local firm = firms[(i % #firms) + 1]
  local day = math.floor(i / #firms)
  return wrk.format("GET", "/api/v1/firms/" .. firm .. "/recommendations?date=" .. os.date("!%Y-%m-%d", {BASE} + day * 86400))
end
"""


def firm_profiles(n: int) -> list[dict[str, Any]]:
    """`n` firm profiles like the young founder's, each with its own business registration
    number, name, founding date and region (for a member's other firms)."""
    from onestop.korea.brn import check_digit

    profile = json.loads((ROOT / "examples" / "young-founder.json").read_text(encoding="utf-8"))
    regions = ["11680", "26350", "46150", "41135", "30200", "27290", "44131", "48330"]
    out = []
    for k in range(max(0, n)):
        head = f"7{os.getpid() % 100:02d}{k:06d}"
        out.append({**profile, "brn": f"{head[:3]}-{head[3:5]}-{head[5:]}{check_digit(head)}",
                    "name": f"{profile['name']} {k + 2}호점", "region": regions[k % len(regions)],
                    "founded_on": f"{2018 + k % 7}-{1 + k % 12:02d}-{1 + k % 28:02d}"})
    return out


def more_firms(base: str, token: str, n: int) -> list[int]:
    """`n` more firms of the member (`firm_profiles`), registered through the API; their ids."""
    ids = []
    for k, data in enumerate(firm_profiles(n)):
        req = urllib.request.Request(f"{base}/api/v1/firms", data=json.dumps(data).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                ids.append(int(json.loads(r.read())["id"]))
        except urllib.error.HTTPError as e:
            raise SystemExit(f"registering firm {k + 2}: {e.code} {e.read().decode()}") from None
    return ids


def evaluations(url: str) -> int:
    """Rows in the evaluations table: one per match computed (a cached answer records nothing)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        n = int(conn.execute(sa.text("SELECT count(*) FROM evaluations")).scalar_one())
    engine.dispose()
    return n


def postgres_cpu_seconds() -> float:
    """User + system CPU of every PostgreSQL process (the server's backends, WAL writer, checkpointer)."""
    return cpu_of(p for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith("postgres"))


def sizes(url: str, token: str) -> dict[str, int]:
    out = {}
    for coding in ("identity", "gzip", "br"):
        req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Accept-Encoding": coding})
        with urllib.request.urlopen(req, timeout=120) as r:
            body = r.read()
            out[coding] = len(body)
            if coding == "gzip" and r.headers.get("Content-Encoding") == "gzip":
                gzip.decompress(body)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--programs", type=int, default=0)
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=8830)
    ap.add_argument("--database", default="h_recs16_web")
    ap.add_argument("--code", type=Path, default=None)
    ap.add_argument("--label", default="after")
    ap.add_argument("--reuse", action="store_true", help="the database is set up already (by an earlier run)")
    ap.add_argument("--firms", type=int, default=50, help="the member's firms the distinct run asks about")
    args = ap.parse_args()
    if not args.database.replace("_", "").isalnum() or args.database in ("test", "postgres"):
        ap.error(f"--database {args.database!r}: use a name of its own")
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.database}"
    env = dict(os.environ, ONESTOP_DATABASE_URL=url, ONESTOP_RECOMMENDATION_REFRESH_INTERVAL="0")
    if args.code is not None:
        env["PYTHONPATH"] = str(args.code.resolve() / "src")

    def run(*cmd: str) -> None:
        subprocess.run([ONESTOP, *cmd, "--database-url", url], check=True, stdout=subprocess.DEVNULL, env=env)

    has_refresh = subprocess.run([ONESTOP, "recommendations", "--help"], env=env, capture_output=True).returncode == 0
    refresh_s = None
    if not args.reuse:
        recreate(args.database)
        run("db", "upgrade")
        if args.programs:
            from synthetic_catalog import write_catalog

            folder = write_catalog(ROOT / "bench" / "out" / f"catalog-{args.programs}", args.programs)
            run("catalog", "import", str(folder))
        else:
            run("catalog", "import")
        run("demo", "seed")
        if has_refresh:
            t = time.monotonic()
            run("recommendations", "refresh")
            refresh_s = time.monotonic() - t
    server = subprocess.Popen([ONESTOP, "serve", "--port", str(args.port), "--workers", str(args.workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{args.port}"
    results: dict[str, Any] = {"label": args.label, "workers": args.workers, "connections": args.connections,
                               "duration_s": args.duration}
    if refresh_s is not None:
        results["background_refresh_s"] = round(refresh_s, 1)
    try:
        token = str(patiently(lambda: post_json(f"{base}/api/v1/auth/token", {
            "email": "founder@onestop.demo", "password": "onestop-demo-2026"}))["access_token"])
        firm_id = patiently(lambda: get_json(f"{base}/api/v1/firms", token))[0]["id"]  # type: ignore[index]
        match_url = f"{base}/api/v1/firms/{firm_id}/recommendations"
        for _ in range(20):  # warm every worker
            patiently(lambda: get_json(match_url, token))
        results["programs"] = 59 + args.programs  # the shipped catalog's 59 and the synthetic ones
        results["bytes"] = sizes(match_url, token)
        if has_refresh:
            results["bytes_full"] = sizes(match_url + "?explain=full", token)
        firms = [int(f["id"]) for f in patiently(lambda: get_json(f"{base}/api/v1/firms", token))]  # type: ignore[union-attr,index]
        if len(firms) < args.firms:
            firms += more_firms(base, token, args.firms - len(firms))
        distinct = DISTINCT_LUA.replace("{FIRMS}", "{" + ", ".join(map(str, firms[:args.firms])) + "}")
        results["firms"] = args.firms
        # the distinct run after a warm-up on other dates: what a process that has been serving
        # for a while does (its memos of criteria, explanations and rule statuses filled)
        runs: list[tuple[str, str | None, int]] = [
            ("cached", None, args.duration), ("uncached", UNCACHED_LUA, args.duration),
            ("warm_up", distinct.replace("{BASE}", "1672531200"), 5),
            ("distinct", distinct.replace("{BASE}", "1735689600"), args.duration)]
        for name, script, seconds in runs:
            before, pg_before, recorded = cpu_seconds(server.pid), postgres_cpu_seconds(), evaluations(url)
            load = os.getloadavg()
            r = wrk(match_url, token, seconds, args.connections, script)
            served = max(r["requests"], 1)
            r["cpu_ms_per_request"] = round((cpu_seconds(server.pid) - before) * 1e3 / served, 2)
            r["postgres_cpu_ms_per_request"] = round((postgres_cpu_seconds() - pg_before) * 1e3 / served, 2)
            r["computed"] = evaluations(url) - recorded  # matches computed and recorded (not from a cache)
            r["load_average_before"] = [round(x, 2) for x in load]
            results[name] = r
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"recs-{args.label}.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
