"""Memory over a batch run: `onestop batch` on a JSON Lines file with the process's resident memory
sampled every 0.25 s; prints the largest sample in each tenth of the run (MiB), to show whether
memory stays flat as the file goes by.

    .venv/bin/python bench/rss_sample.py /tmp/firms2m.jsonl
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from datetime import date
from pathlib import Path

from rich.console import Console

from onestop.matching.batch import run_batch
from onestop.matching.services import Engine

ON = date(2026, 11, 23)


def main(src: Path) -> None:
    engine = Engine.shipped()
    engine.vector  # noqa: B018 — compile the catalog before the run
    samples: list[tuple[float, float]] = []
    done = threading.Event()
    page = os.sysconf("SC_PAGE_SIZE")

    def sample() -> None:
        while not done.is_set():
            with open("/proc/self/statm") as f:
                samples.append((time.perf_counter(), int(f.read().split()[1]) * page / 2**20))
            time.sleep(0.25)

    threading.Thread(target=sample, daemon=True).start()
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        run_batch(src, Path("/tmp/onestop_rss.parquet"), ON, engine, console=Console(file=quiet))
    done.set()
    total = time.perf_counter() - started
    tenths = [round(max((m for t, m in samples if started + total * k / 10 <= t < started + total * (k + 1) / 10),
                        default=0)) for k in range(10)]
    print(json.dumps({"file": str(src), "wall_s": round(total, 1), "max_rss_mib_by_tenth": tenths,
                      "load": os.getloadavg()}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
