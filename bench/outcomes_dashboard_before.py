"""The outcomes dashboard's and public statistics' reads as the code before the summary table
made them (commit 8e10e9e: every supported firm derived from its profile), for BENCHMARKS.md's
"before" column, on the data `bench/outcomes.py dashboard` loaded.

Usage:  git archive 8e10e9e src | tar -x -C /tmp/before
        .venv/bin/python bench/outcomes_dashboard_before.py /tmp/before/src [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from typing import Any


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", help="the old commit's src folder")
    ap.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/h_outcomes2_bench")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    sys.path.insert(0, a.src)
    import onestop

    assert onestop.__file__ is not None and onestop.__file__.startswith(a.src), onestop.__file__
    from sqlalchemy import select

    from onestop.accounts import services as accounts
    from onestop.accounts.tables import UserRow
    from onestop.outcomes import dashboard, services
    from onestop.platform.db import Database

    db = Database(a.database_url)
    f = dashboard.Filters(2026)
    on = date(2026, 11, 30)
    out: dict[str, Any] = {}
    with db.unit_of_work(read_only=True) as s:
        who = accounts.principal(s, s.scalar(select(UserRow).where(UserRow.email == "officer.kosmes@onestop.demo")))

        def officer_dashboard() -> None:
            rows = dashboard.supported(s, f, on, "kosmes")
            for d in dashboard.DIMENSIONS:
                dashboard.counts(rows, d)
            services.review_queue(s, who)

        def statistics() -> None:
            dashboard.public_table(dashboard.supported(s, f, on))

        for name, fn in (("dashboard_kosmes_officer", officer_dashboard), ("statistics", statistics)):
            times = []
            for _ in range(a.runs):
                t0 = time.perf_counter()
                fn()
                times.append(round(time.perf_counter() - t0, 2))
            out[f"{name}_s"] = times
    out["load_average"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
