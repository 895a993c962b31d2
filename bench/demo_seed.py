"""How much the outcomes demo's history of support adds to `onestop demo seed` (issue 10).

Prepares one migrated SQLite database with the shipped catalog, then times `demo seed` on fresh
copies of it, alternately without the history (`outcomes.demo.seed` replaced by a no-op) and
with it, each in its own process so each pays the same imports and model loading.

    .venv/bin/python bench/demo_seed.py [--pairs 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import shutil, sys, time
shutil.copy(sys.argv[1], sys.argv[2])
if sys.argv[3] == "without":
    import onestop.outcomes.demo as d
    d.seed = lambda *a, **k: 0
from onestop.cli import app
t = time.perf_counter()
try:
    app(["demo", "seed", "--database-url", "sqlite:///" + sys.argv[2]])
except SystemExit as e:
    assert not e.code, e.code
print(round(time.perf_counter() - t, 1), file=sys.stderr)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=2)
    args = parser.parse_args()
    onestop = [str(Path(sys.executable).parent / "onestop")]  # the console script of this environment
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        env = {**os.environ, "ONESTOP_UPLOAD_DIR": str(Path(tmp) / "uploads")}
        for cmd in (["db", "upgrade"], ["catalog", "import"]):
            subprocess.run([*onestop, *cmd, "--database-url", f"sqlite:///{base}"], check=True, env=env,
                           capture_output=True)
        for i in range(args.pairs):
            for mode in ("without", "with"):
                target = Path(tmp) / f"{mode}-{i}.db"
                load = os.getloadavg()[0]
                start = time.perf_counter()
                done = subprocess.run([sys.executable, "-c", CHILD, str(base), str(target), mode], env=env,
                                      capture_output=True, text=True, check=True)
                total = time.perf_counter() - start
                print(f"{mode:8} seed {done.stderr.strip().splitlines()[-1]:>6} s   process {total:5.1f} s   "
                      f"load {load:.1f}")
                target.unlink()
        shutil.rmtree(Path(tmp) / "uploads", ignore_errors=True)


if __name__ == "__main__":
    main()
