"""How long `onestop audit verify` takes on a large log (PostgreSQL).

Usage:  .venv/bin/python bench/audit_verify.py [--records 100000] [--subjects 20000] [--database NAME]
Needs: PostgreSQL on 127.0.0.1:5432 (trust auth). Recreates the database (default
`onestop_audit_verify`), migrates it, appends `--records` records spread over `--subjects`
chains with the project's own `record` (200 per transaction), anchoring every 50 transactions,
then times `verify_chain` (one snapshot, streamed). Results: bench/out/audit_verify.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_contention import ROOT, recreate


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--subjects", type=int, default=20_000)
    ap.add_argument("--database", default="onestop_audit_verify")
    args = ap.parse_args()
    if not args.database.replace("_", "").isalnum() or args.database in ("test", "postgres", "onestop_bench"):
        ap.error(f"--database {args.database!r}: use a name of its own")

    from onestop.audit.anchor import drain
    from onestop.audit.services import record, verify_chain
    from onestop.platform.db import Database
    from onestop.platform.migrate import upgrade

    url = recreate(args.database)
    upgrade(url)
    db = Database(url)
    t0 = time.perf_counter()
    for batch in range(0, args.records, 200):
        with db.unit_of_work() as s:
            for k in range(batch, min(batch + 200, args.records)):
                record(s, actor="firm", actor_user_id=k % 97, action="application.upload",
                       subject=f"application:{k % args.subjects}", data={"kind": "business_plan", "k": k})
        if batch // 200 % 50 == 0:
            drain(db)
    drain(db)
    t1 = time.perf_counter()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with db.unit_of_work(read_only=True) as s:
        verdict = verify_chain(s)
    t2 = time.perf_counter()
    db.dispose()
    result = {
        "records": args.records, "subjects": args.subjects, "write_s": round(t1 - t0, 1),
        "verify_s": round(t2 - t1, 2), "verify_records_per_s": round(verdict.checked / (t2 - t1)),
        "max_rss_mib_before_after_verify": [round(rss0 / 1024), round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)],
        "ok": verdict.ok, "checked": verdict.checked, "chains": verdict.chains, "anchors": verdict.anchors,
        "load_average": os.getloadavg(),
    }
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "audit_verify.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
