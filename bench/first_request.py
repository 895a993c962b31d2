"""How long the first visitors wait after the server starts.

Starts `onestop serve` on a fresh SQLite database (migrated, catalog imported, demo seeded), waits
until the port accepts a connection, then at once requests the pages a first visitor opens —
the home page, a keyword search, a program page — and reports each one's latency, and the time
from the process start to the first answer.

    python bench/first_request.py                 # this checkout
    python bench/first_request.py --src /tmp/old  # another source tree (e.g. `git archive main`)

Numbers go in BENCHMARKS.md, never in tests.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PAGES = ["/", "/programs?q=%EC%B2%AD%EB%85%84%EC%B0%BD%EC%97%85%EC%9E%90%EA%B8%88", "/programs/kosmes-youth-startup-fund"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def onestop(src: str | None, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    if src:
        env = {**env, "PYTHONPATH": str(Path(src) / "src")}
    code = "import sys; from onestop.cli import main; sys.argv[0] = 'onestop'; main()"
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def once(src: str | None) -> tuple[float, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ONESTOP_DATABASE_URL": f"sqlite:///{tmp}/o.db", "ONESTOP_SECRET_KEY": "bench",
               "ONESTOP_UPLOAD_DIR": f"{tmp}/up"}
        for args in (("db", "upgrade"), ("catalog", "import"), ("demo", "seed", "--firms", "300")):
            assert onestop(src, env, *args).wait() == 0, args
        port = free_port()
        started = time.perf_counter()
        server = onestop(src, env, "serve", "--port", str(port))
        try:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.05).close()
                    break
                except OSError:
                    if time.perf_counter() - started > 120:
                        raise RuntimeError("the server did not start") from None
                    time.sleep(0.02)
            latencies = []
            first_answer = 0.0
            for path in PAGES:
                t0 = time.perf_counter()
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120) as r:
                    r.read()
                latencies.append(time.perf_counter() - t0)
                first_answer = first_answer or time.perf_counter() - started
            return first_answer, latencies
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", help="source tree to run (default: the installed onestop)")
    parser.add_argument("--runs", type=int, default=3)
    a = parser.parse_args()
    results = [once(a.src) for _ in range(a.runs)]
    print(f"start → first answer: median {statistics.median(r[0] for r in results):.2f} s "
          f"(runs: {', '.join(f'{r[0]:.2f}' for r in results)})")
    for i, path in enumerate(PAGES):
        values = [r[1][i] for r in results]
        print(f"  first {path[:40]:40s} median {statistics.median(values) * 1000:7.0f} ms "
              f"(max {max(values) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
