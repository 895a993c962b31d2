"""Where the CPU of one uncached recommendations request goes (issue 16): the app in process on
PostgreSQL, requests passed one at a time straight to the ASGI app on the event loop (the lane or
the endpoint, its dependencies and the middleware all run on that thread, so cProfile sees the
whole handler path; uvicorn's HTTP parsing is not included). Each request asks for a reference
date not asked before, drawn from the ten years `recs_web.py`'s uncached script draws from
(uncached: the firm's match is computed and recorded).

Usage:  .venv/bin/python bench/recs_profile.py [--programs 0|1941] [--requests 300]
            [--database h_recs16_prof] [--reuse] [--profile] [--top 40]
Prints the process CPU per request (time.process_time over the run: the database's own CPU is
not included) and, with --profile, cProfile's top functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from recs_web import ONESTOP, ROOT, firm_profiles, recreate


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--programs", type=int, default=0)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--database", default="h_recs16_prof")
    ap.add_argument("--reuse", action="store_true", help="the database is set up already")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--firms", type=int, default=1, help="ask about this many of the member's firms in turn")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    if not args.database.replace("_", "").isalnum() or args.database in ("test", "postgres"):
        ap.error(f"--database {args.database!r}: use a name of its own")
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.database}"
    os.environ.update(ONESTOP_DATABASE_URL=url, ONESTOP_RECOMMENDATION_REFRESH_INTERVAL="0")
    if not args.reuse:
        def run(*cmd: str) -> None:
            subprocess.run([ONESTOP, *cmd, "--database-url", url], check=True, stdout=subprocess.DEVNULL)

        recreate(args.database)
        run("db", "upgrade")
        if args.programs:
            from synthetic_catalog import write_catalog

            run("catalog", "import", str(write_catalog(ROOT / "bench" / "out" / f"catalog-{args.programs}",
                                                       args.programs)))
        else:
            run("catalog", "import")
        run("demo", "seed")
    return asyncio.run(drive(args))


async def drive(args: argparse.Namespace) -> int:
    import httpx

    from onestop.platform.app import _warm, create_app

    app = create_app()
    _warm(app.state.app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        r = await c.post("/api/v1/auth/token", json={"email": "founder@onestop.demo", "password": "onestop-demo-2026"})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        firms = [f["id"] for f in (await c.get("/api/v1/firms", headers=headers)).json()]
        for data in firm_profiles(args.firms - len(firms)):  # the member's other firms (--firms)
            r = await c.post("/api/v1/firms", json=data, headers=headers)
            assert r.status_code == 201, r.text
            firms.append(r.json()["id"])
        firms = firms[:args.firms]
        firm_id = firms[0]
        url = f"/api/v1/firms/{firm_id}/recommendations"
        start = date(2020, 1, 1)
        for i in range(20):  # warm-up
            assert (await c.get(url, params={"date": (start + timedelta(days=i)).isoformat()},
                                headers=headers)).status_code == 200
    # The dates wrk's uncached script asks for (2020-01-02 … 2029-12-29, in random order), each
    # once: every request computes and records a match. Sent straight to the ASGI app (no HTTP
    # client in the measured process), so the CPU is the server's but for uvicorn's parsing.
    days = random.Random(16).sample(range(20, 3650), args.requests)
    auth = headers["Authorization"].encode()

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    statuses: list[int] = []
    took: list[float] = []

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(int(message["status"]))  # type: ignore[call-overload]

    prof = cProfile.Profile(time.process_time) if args.profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if prof is not None:
        prof.enable()
    for n, day in enumerate(days):
        query = f"date={(start + timedelta(days=day)).isoformat()}".encode()
        url = f"/api/v1/firms/{firms[n % len(firms)]}/recommendations"
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
                 "path": url, "raw_path": url.encode(), "query_string": query, "root_path": "",
                 "headers": [(b"host", b"test"), (b"authorization", auth)], "client": ("127.0.0.1", 5000),
                 "server": ("test", 80), "state": {}}
        began = time.perf_counter()
        await app(scope, receive, send)
        took.append(time.perf_counter() - began)
    if prof is not None:
        prof.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert statuses == [200] * len(days), sorted(set(statuses))
    took.sort()
    print(f"wall per request, one at a time: p50 {took[len(took) // 2] * 1e3:.2f} ms, "
          f"p99 {took[int(len(took) * 0.99)] * 1e3:.2f} ms, max {took[-1] * 1e3:.2f} ms")
    print(f"programs {59 + args.programs}: {args.requests} uncached requests, "
          f"CPU {cpu * 1e3 / args.requests:.2f} ms/request, wall {wall * 1e3 / args.requests:.2f} ms/request "
          f"(with the profiler: {args.profile}); load {os.getloadavg()}")
    if prof is not None:
        for key in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(key).print_stats(args.top)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
