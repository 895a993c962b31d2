"""Outcomes benchmarks (issue 10).

Usage:  .venv/bin/python bench/outcomes.py simulate [--firms 1000000] [--seed 42]
        .venv/bin/python bench/outcomes.py suppress [--rows 18] [--cols 4] [--tables 200]
        .venv/bin/python bench/outcomes.py pdf
        .venv/bin/python bench/outcomes.py dashboard [--executions 100000] [--firms 20000] [--reads 200]
                                                    [--reads-only] [--database-url URL]
        .venv/bin/python bench/outcomes.py effect [--firms 2000] [--supported 100] [--database-url URL]

* simulate: a generated national registry (`bench/generate.py`, seeded) of `--firms` firms, and
  one rule change of a shipped program (청년창업사관학교: CEO age limit 39 → 49 with the business-age
  criteria kept); times `outcomes.simulation.simulate` (both rules vectorized, gain/lose sets,
  four breakdowns, budget) after the frame is in memory, and checks the gain/lose counts on a
  sample of 2,000 firms against the per-firm evaluator.
* suppress: `--tables` random tables of 시도 × size class counts (1–30 per cell) suppressed with
  the exact derivability test; time per table.
* pdf: a program's annual report rendered to PDF with WeasyPrint (font embedding included).
* dashboard (PostgreSQL; the database's public schema is DROPPED and recreated, migrated, given
  the shipped catalog and demo data): `--firms` firms (copies of the seeded registry's profiles),
  `--executions` executed applications of the shipped programs with their `execute` events, all
  in 2026 (the dashboard's default year covers every one), three outcome reports each (6, 12 and
  24 months: 60 % accepted, 10 % awaiting review, 30 % due), bulk-loaded with INSERT … SELECT
  generate_series; then the summary table is filled by the migration's backfill
  (`dashboard.backfill`, the real per-firm derivation, timed). Measured: p50/p99 of the officers'
  dashboard reads (an administrator's and an agency officer's: the five breakdowns, the review
  queue, a drill-down), of the public statistics (counts, suppression, records), and of the two
  pages over HTTP (TestClient, the whole request: session, queries, template).
* effect (PostgreSQL; the database's public schema is DROPPED and recreated): the demo data with
  a registry of `--firms` seeded firms (`demo.firms.generate`: revenue, employees and exports by
  fiscal year), an application of 온라인몰 입점 지원 (`jnsbi-online-mall-entry`) executed for
  `--supported` of them through the lifecycle; times `effect_services.measure` (every registered
  firm's profile read and derived, the program's rule and its near misses evaluated, the three
  measures compared), five runs.
Results: bench/out/outcomes_<command>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OUT = Path(__file__).resolve().parent / "out"
PROGRAM = "kosmes-youth-startup-academy"
DRAFT = {"eligibility": {"all": [
    {"fact": "ceo_age", "op": "<=", "value": 49, "label": {"ko": "대표자 만 49세 이하", "en": "CEO aged 49 or younger"}},
    {"any": [{"fact": "business_age_years", "op": "<", "value": 3, "label": {"ko": "창업 3년 이내", "en": "within 3 years"}},
             {"fact": "business_age_years", "op": "<", "value": 7, "label": {"ko": "창업 7년 이내", "en": "within 7 years"}}]},
]}}


def _save(name: str, data: dict[str, Any]) -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / f"outcomes_{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False, indent=2))


def simulate(n: int, seed: int) -> None:
    from bench.generate import fact_dicts, generate_firms
    from onestop.catalog.loader import shipped_catalog
    from onestop.outcomes.simulation import simulate as run
    from onestop.outcomes.simulations import draft_rule_program
    from onestop.rules.evaluate import MET, evaluate_rule

    t0 = time.perf_counter()
    frame = generate_firms(n, seed)
    gen = time.perf_counter() - t0
    catalog = shipped_catalog()
    before = catalog.get(PROGRAM).rule
    after = draft_rule_program(catalog, PROGRAM, DRAFT).rule
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = run(frame, before, after, 50_000_000, 0.3, keep_rows=False)
        times.append(time.perf_counter() - t0)
    sample = frame.head(2000)
    small = run(sample, before, after, 50_000_000, 0.3)
    firms = fact_dicts(sample)
    gained = sum(1 for f in firms if evaluate_rule(after, f) == MET != evaluate_rule(before, f))
    lost = sum(1 for f in firms if evaluate_rule(before, f) == MET != evaluate_rule(after, f))
    assert (small.gain, small.lose) == (gained, lost), "vectorized and per-firm disagree"
    _save("simulate", {"firms": n, "generate_s": round(gen, 2), "simulate_s": [round(t, 2) for t in times],
                       "best_s": round(min(times), 2), "gain": result.gain, "lose": result.lose,
                       "budget_won": result.budget_won, "checked_sample": 2000})


def suppress(rows: int, cols: int, tables: int) -> None:
    from onestop.outcomes.suppression import suppress as run

    rng = random.Random(7)
    times, hidden = [], []
    for _ in range(tables):
        cells = [[rng.randint(1, 30) for _ in range(cols)] for _ in range(rows)]
        t0 = time.perf_counter()
        t = run(cells)
        times.append(time.perf_counter() - t0)
        hidden.append(sum(map(sum, t.hidden)))
    times.sort()
    _save("suppress", {"tables": tables, "shape": [rows, cols], "p50_ms": round(times[len(times) // 2] * 1000, 1),
                       "p99_ms": round(times[int(len(times) * 0.99) - 1] * 1000, 1),
                       "mean_hidden_entries": round(sum(hidden) / len(hidden), 1)})


def pdf() -> None:
    from onestop.outcomes.reports import ProgramReport
    from onestop.outcomes.reports import pdf as render

    r = ProgramReport("kosmes-distribution-channel-entry", "국내외 유통망 진출 지원", "중소벤처기업진흥공단", 2026,
                      date(2026, 11, 30),
                      [{"measure": "firms_supported", "unit": "개사", "target": 120, "actual": 97, "percent": 80,
                        "baseline": None, "source": "bench"}],
                      [(f"시도 {i}", 10 + i) for i in range(17)], 300, [("매출액 (원)", 22_500_000_000)])
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        body = render(r)
        times.append(time.perf_counter() - t0)
    _save("pdf", {"seconds": [round(t, 2) for t in times], "best_s": round(min(times), 2), "bytes": len(body)})


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 2)


def dashboard_load(url: str, executions: int, firms: int) -> dict[str, Any]:
    import sqlalchemy as sa

    from bench.funds import fresh
    from onestop.outcomes.dashboard import backfill

    t0 = time.perf_counter()
    db = fresh(url, registry=200)
    seeded = time.perf_counter() - t0
    t0 = time.perf_counter()
    with db.engine.begin() as c:
        admin = c.execute(sa.text("SELECT id FROM users WHERE email = 'admin@onestop.demo'")).scalar()
        base = c.execute(sa.text("SELECT count(*) FROM firms")).scalar()
        c.execute(sa.text("""INSERT INTO firms (brn, name, ksic, region, profile, version, created_at, updated_at)
            SELECT NULL, f.name || ' #' || g, f.ksic, f.region, f.profile, 1, now(), now()
            FROM generate_series(1, :n) g
            JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS rn, name, ksic, region, profile FROM firms) f
              ON f.rn = g % :base"""), {"n": firms, "base": base})
        programs = c.execute(sa.text("SELECT count(*) FROM programs")).scalar()
        c.execute(sa.text("""INSERT INTO applications (firm_id, program_id, agency_id, branch, state, open_slot,
                idempotency_key, created_by, created_at, updated_at, submitted_at, answers, eligibility,
                decision_reason, version)
            SELECT b.id, p.id, p.agency_id, left(b.region, 2), (ARRAY['executed', 'outcome_reporting', 'closed'])[1 + g % 3],
                   NULL, 'bench:' || g, :admin, now(), now(), now(), '{}', '{"status": "eligible"}', '', 1
            FROM generate_series(1, :e) g
            JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS rn, id, region FROM firms WHERE name LIKE '% #%') b
              ON b.rn = (g * 7919) % :nf
            JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS rn, id, agency_id FROM programs) p
              ON p.rn = (g * 31 + g / 97) % :np"""), {"e": executions, "nf": firms, "np": programs, "admin": admin})
        c.execute(sa.text("""INSERT INTO application_events (application_id, at, actor_user_id, action, from_state, to_state, note)
            SELECT id, TIMESTAMPTZ '2026-01-02 01:00:00+00' + (id % 330) * INTERVAL '1 day', NULL, 'execute',
                   'agreement_signed', 'executed', '' FROM applications WHERE idempotency_key LIKE 'bench:%'"""))
        c.execute(sa.text("""INSERT INTO outcome_reports (application_id, firm_id, program_id, agency_id, executed_on,
                after_months, period_end, due_on, state, values, confirmed, as_of, submitted_at, review_note,
                version, created_at)
            SELECT a.id, a.firm_id, a.program_id, a.agency_id, d.on, m.m, (d.on + m.m * INTERVAL '1 month')::date,
                   (d.on + m.m * INTERVAL '1 month')::date + 28,
                   CASE WHEN (a.id + m.m) % 10 < 6 THEN 'accepted' WHEN (a.id + m.m) % 10 = 6 THEN 'submitted' ELSE 'due' END,
                   CASE WHEN (a.id + m.m) % 10 < 7 THEN jsonb_build_object('revenue_won', 100000000 + (a.id % 997) * 1000000,
                        'exports_won', (a.id % 13) * 10000000, 'regular_employees', 3 + a.id % 40, 'placements', a.id % 5)
                        ELSE '{}'::jsonb END,
                   '[]', CASE WHEN (a.id + m.m) % 10 < 7 THEN d.on + 30 END,
                   CASE WHEN (a.id + m.m) % 10 < 7 THEN TIMESTAMPTZ '2026-06-01 00:00:00+00' + (a.id % 100) * INTERVAL '1 hour' END,
                   '', 1, now()
            FROM applications a
            CROSS JOIN LATERAL (SELECT DATE '2026-01-02' + (a.id % 330) AS on) d
            CROSS JOIN (VALUES (6), (12), (24)) AS m(m)
            WHERE a.idempotency_key LIKE 'bench:%'"""))
    bulk = time.perf_counter() - t0
    t0 = time.perf_counter()
    with db.unit_of_work() as s:
        summarized = backfill(s)
    summary = time.perf_counter() - t0
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(sa.text("VACUUM ANALYZE"))
        counts = {t: c.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("firms", "applications", "outcome_reports", "outcome_supported")}
    db.dispose()
    return {"seed_s": round(seeded, 1), "bulk_load_s": round(bulk, 1), "backfill_s": round(summary, 1),
            "backfilled": summarized, "rows": counts}


def dashboard_reads(url: str, reads: int) -> dict[str, Any]:
    import sqlalchemy as sa
    from fastapi.testclient import TestClient

    from onestop.demo.seed import PASSWORD
    from onestop.outcomes import dashboard, services
    from onestop.platform.app import create_app
    from onestop.platform.db import Database
    from onestop.platform.settings import Settings
    from tests.integration.funds_helpers import officer, principal
    from tests.integration.test_pages import page_login

    db = Database(url)
    f = dashboard.Filters(2026)
    with db.unit_of_work(read_only=True) as s:
        who = {"admin": principal(s, "admin@onestop.demo"), "kosmes": officer(s)}
        top = dashboard.figures(s, f).by["program"][0][0]
        total = dashboard.figures(s, f).total
        size = s.scalar(sa.select(sa.func.count()).select_from(sa.table("outcome_reports")))

    def page_reads(s: Any, p: Any) -> None:
        agency = dashboard.visible_agency(p)
        dashboard.figures(s, f, agency)
        services.review_queue_page(s, p)
        dashboard.drill(s, f, "program", top, agency)

    def statistics(s: Any) -> None:
        counts = dashboard.public_counts(s, 2026)
        dashboard.public_records(counts, 2026)
        dashboard.public_table(counts)

    out: dict[str, Any] = {"executions_in_2026": total, "outcome_reports": size, "reads": reads}
    for name, fn in (("dashboard_admin", lambda s: page_reads(s, who["admin"])),
                     ("dashboard_kosmes_officer", lambda s: page_reads(s, who["kosmes"])),
                     ("dashboard_one_program", lambda s: dashboard.figures(s, dashboard.Filters(2026, top))),
                     ("statistics", statistics)):
        times = []
        for _ in range(reads):
            with db.unit_of_work(read_only=True) as s:
                t0 = time.perf_counter()
                fn(s)
                times.append((time.perf_counter() - t0) * 1000)
        out[f"{name}_ms"] = {"p50": _pct(times, 0.5), "p99": _pct(times, 0.99)}
    app = create_app(Settings(database_url=url, secret_key="bench", warm_search=False))
    with TestClient(app) as anon, TestClient(app) as kosmes:
        assert page_login(kosmes, "officer.kosmes@onestop.demo", PASSWORD).status_code == 303
        for name, client, path in (("http_officer_outcomes", kosmes, "/officer/outcomes"),
                                   ("http_statistics", anon, "/statistics")):
            assert client.get(path).status_code == 200  # the process's first request builds its caches: not timed
            times = []
            for _ in range(max(20, reads // 2)):
                t0 = time.perf_counter()
                r = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, r.status_code
            out[f"{name}_ms"] = {"p50": _pct(times, 0.5), "p99": _pct(times, 0.99)}
    out["load_average"] = [round(x, 1) for x in os.getloadavg()]
    db.dispose()
    return out


def dashboard_bench(url: str, executions: int, firms: int, reads: int, reads_only: bool) -> None:
    data: dict[str, Any] = {"database": "postgresql", "executions": executions, "firms": firms}
    if not reads_only:
        data["load"] = dashboard_load(url, executions, firms)
    data.update(dashboard_reads(url, reads))
    _save("dashboard", data)


def effect_bench(url: str, firms: int, supported: int) -> None:
    from sqlalchemy import select

    from bench.funds import fresh
    from onestop.accounts import services as accounts
    from onestop.accounts.tables import MembershipRow, UserRow
    from onestop.applications import services as applications
    from onestop.applications.tables import ApplicationRow
    from onestop.catalog.services import build_catalog
    from onestop.firms.tables import FirmRow
    from onestop.outcomes.effect_services import measure
    from onestop.outcomes.services import today_kst
    from onestop.platform.db import utcnow

    program = "jnsbi-online-mall-entry"
    t0 = time.perf_counter()
    db = fresh(url, registry=firms)
    seeded = time.perf_counter() - t0
    with db.unit_of_work() as s:
        admin = accounts.principal(s, s.scalar(select(UserRow).where(UserRow.email == "admin@onestop.demo")))
        members = set(s.scalars(select(MembershipRow.firm_id)))
        rows = [f for f in s.scalars(select(FirmRow).order_by(FirmRow.id)) if f.id not in members]
        for f in rows[::max(1, len(rows) // supported)][:supported]:
            app = ApplicationRow(firm_id=f.id, program_id=program, agency_id="jnsbi", branch=f.region[:2],
                                 state="agreement_signed", open_slot=None, created_by=admin.user_id,
                                 eligibility={"status": "eligible"}, idempotency_key=f"bench-effect-{f.id}",
                                 submitted_at=utcnow())
            s.add(app)
            s.flush()
            applications.act(s, admin, app.id, "execute", None)
    times = []
    with db.unit_of_work() as s:
        catalog = build_catalog(s)
        for _ in range(5):
            t0 = time.perf_counter()
            e = measure(s, catalog, program, today_kst())
            times.append(time.perf_counter() - t0)
        total = s.query(FirmRow).count()
    db.dispose()
    data = {"firms": total, "seed_s": round(seeded, 1), "supported": e.supported, "near_misses": e.near_misses,
            "measured": {m.measure: [m.supported_measured, m.near_misses_measured, m.matched] for m in e.measures},
            "measure_s": [round(t, 2) for t in times], "best_s": round(min(times), 2),
            "load_average": [round(x, 2) for x in os.getloadavg()]}
    print(json.dumps(data, ensure_ascii=False))
    _save("effect", data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("simulate")
    s.add_argument("--firms", type=int, default=1_000_000)
    s.add_argument("--seed", type=int, default=42)
    p = sub.add_parser("suppress")
    p.add_argument("--rows", type=int, default=18)
    p.add_argument("--cols", type=int, default=4)
    p.add_argument("--tables", type=int, default=200)
    sub.add_parser("pdf")
    d = sub.add_parser("dashboard")
    d.add_argument("--executions", type=int, default=100_000)
    d.add_argument("--firms", type=int, default=20_000)
    d.add_argument("--reads", type=int, default=200)
    d.add_argument("--reads-only", action="store_true", help="measure the reads on the last run's data")
    d.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/h_outcomes2")
    f = sub.add_parser("effect")
    f.add_argument("--firms", type=int, default=2000)
    f.add_argument("--supported", type=int, default=100)
    f.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/h_effect10_bench")
    a = ap.parse_args()
    if a.cmd == "effect":
        effect_bench(a.database_url, a.firms, a.supported)
    elif a.cmd == "simulate":
        simulate(a.firms, a.seed)
    elif a.cmd == "suppress":
        suppress(a.rows, a.cols, a.tables)
    elif a.cmd == "dashboard":
        dashboard_bench(a.database_url, a.executions, a.firms, a.reads, a.reads_only)
    else:
        pdf()


if __name__ == "__main__":
    main()
