"""Funds benchmarks and the crash test (issue 9).

Usage:  .venv/bin/python bench/funds.py schedules [--loans 100000]
        .venv/bin/python bench/funds.py journal   [--entries 1000000] [--posts 5000] [--reads 500]
        .venv/bin/python bench/funds.py approvals [--parallel 50]
        .venv/bin/python bench/funds.py crash     [--lines 1000] [--kill-after 300]
Needs PostgreSQL for all but `schedules`: --database-url (default the funds helper's database,
postgresql+psycopg://postgres@127.0.0.1:5432/h_funds), whose public schema is DROPPED and
recreated, migrated, and given the shipped catalog and demo data.

* schedules: generates the schedules of N loans (seeded random amounts, rates, terms, grace,
  methods, frequencies) with `funds.schedule.schedule`, and checks each repays its principal.
* journal: bulk-loads `--entries` repayment entries (one transfer each) over 20,000 loans of one
  budget with INSERT … SELECT generate_series (to reach the volume quickly), sets the accounts'
  totals from them and verifies the journal; then measures `journal.post` itself (`--posts`
  entries, one transaction each, the real code path: idempotency check, savepoints, account
  updates under the CHECK, the summary rows) in entries/s, and the p50/p99 of a firm's balance
  (`journal.totals_by_kind` over its accounts), of a program's dashboard figures
  (`budgets.figures`) and of its monthly chart (`budgets.monthly`) with the journal at that
  size: first with the summary rows the posts added, then after `journal.compact_totals`.
* approvals: N officers approve N applications at once against a budget for 10 (the approval
  goes through the applications lifecycle and the budget hook); throughput and p99.
* crash: 1,000 signed applications with commitments in one disbursement batch; a child process
  pays the batch and is SIGKILLed after `--kill-after` lines; then: the journal replays, every
  line paid is paid exactly once (entry, loan, commitment used, application executed together);
  the batch is run again and completes with each payment posted exactly once.
Results: bench/out/funds_<command>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/h_funds"


def save(name: str, data: dict[str, Any]) -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / f"funds_{name}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def fresh(url: str, registry: int = 60) -> Any:
    from onestop.catalog.loader import shipped_catalog
    from onestop.catalog.services import import_catalog
    from onestop.demo.seed import seed
    from onestop.platform.db import Database
    from onestop.platform.migrate import upgrade
    from tests.integration.conftest import reset_postgres

    reset_postgres(url)
    upgrade(url)
    db = Database(url)
    with db.unit_of_work() as s:
        import_catalog(s, shipped_catalog())
        seed(s, registry_size=registry)
    return db


def schedules(args: argparse.Namespace) -> None:
    from onestop.funds.schedule import DayCount, Frequency, Method, Terms, schedule, totals

    rnd = random.Random(9)
    terms = []
    for _ in range(args.loans):
        f = rnd.choice(list(Frequency))
        p = 1 if f == Frequency.monthly else 3
        years = rnd.choice([3, 5, 6, 8, 10])
        grace = rnd.choice([0, 1, 2, 3, 4]) if years > 4 else rnd.choice([0, 1, 2])
        terms.append(Terms(rnd.randrange(10_000_000, 6_000_000_000, 1_000_000), Decimal(rnd.randrange(150, 500)) / 100,
                           years * 12, grace * 12, rnd.choice(list(Method)), f,
                           date(2026, rnd.randint(1, 12), rnd.randint(1, 28)), rnd.choice(list(DayCount))))
        assert terms[-1].grace_months % p == 0
    start = time.perf_counter()
    instalments = 0
    for t in terms:
        s = schedule(t)
        instalments += len(s)
        assert totals(s)[0] == t.amount
    seconds = time.perf_counter() - start
    save("schedules", {"loans": args.loans, "instalments": instalments, "seconds": round(seconds, 2),
                       "loans_per_s": round(args.loans / seconds), "us_per_loan": round(seconds / args.loans * 1e6, 1)})


def journal_bench(args: argparse.Namespace) -> None:
    import sqlalchemy as sa

    from onestop.funds import budgets, journal, ledger
    from onestop.funds.ledger import Kind, Transfer
    from onestop.funds.tables import BudgetRow
    from tests.integration.funds_helpers import officer

    loans_n = 20_000
    if args.reads_only:  # the journal of a previous run: measure the reads again
        from onestop.platform.db import Database

        db = Database(args.database_url)
        with db.unit_of_work() as s:
            bid = s.scalar(sa.select(BudgetRow.id).order_by(BudgetRow.id).limit(1))
        reads(db, bid, loans_n, args)
        return
    db = fresh(args.database_url)
    with db.unit_of_work() as s:
        budget = budgets.create(s, officer(s), "kosmes-new-growth-fund", 2026, 10**14)
        bid = budget.id
    t0 = time.perf_counter()
    with db.engine.begin() as c:
        # two accounts a loan (receivable, repaid), firms 1..loans_n, then one repayment entry each
        c.execute(sa.text("""INSERT INTO funds_accounts (key, kind, budget_id, program_id, firm_id, debit_normal, non_negative,
                   debits_posted, credits_posted)
            SELECT 'loan:' || g || ':' || k.kind, k.kind, :b, 'kosmes-new-growth-fund', g, true, k.nn, 0, 0
            FROM generate_series(1, :n) g, (VALUES ('loans_receivable', false), ('repaid', true)) AS k(kind, nn)"""),
                  {"b": bid, "n": loans_n})
        c.execute(sa.text("""INSERT INTO funds_entries (client_id, kind, value_date, at, memo, program_id, firm_id, loan_id)
            SELECT 'bulk:' || g, 'repayment', DATE '2026-01-01' + (g % 300), now(), '', 'kosmes-new-growth-fund',
                   1 + g % :n, 1 + g % :n FROM generate_series(1, :e) g"""), {"n": loans_n, "e": args.entries})
        c.execute(sa.text("""INSERT INTO funds_transfers (entry_id, debit_account_id, credit_account_id, amount)
            SELECT e.id, r.id, l.id, 1000 + (e.id % 97) * 1000 FROM funds_entries e
            JOIN funds_accounts r ON r.key = 'loan:' || e.loan_id || '\\:repaid'
            JOIN funds_accounts l ON l.key = 'loan:' || e.loan_id || '\\:loans_receivable'
            WHERE e.client_id LIKE 'bulk:%'"""))
        c.execute(sa.text("""UPDATE funds_accounts a SET debits_posted = coalesce(d.s, 0), credits_posted = coalesce(cr.s, 0)
            FROM funds_accounts x
            LEFT JOIN (SELECT debit_account_id id, sum(amount) s FROM funds_transfers GROUP BY 1) d ON d.id = x.id
            LEFT JOIN (SELECT credit_account_id id, sum(amount) s FROM funds_transfers GROUP BY 1) cr ON cr.id = x.id
            WHERE a.id = x.id AND x.key LIKE 'loan:%'"""))
        # the dashboard's summary rows of the bulk entries (journal.post writes them for the others)
        c.execute(sa.text("""INSERT INTO funds_budget_totals (budget_id, kind, month, entry_kind, debits, credits)
            SELECT a.budget_id, a.kind, to_char(e.value_date, 'YYYY-MM'), e.kind, sum(CASE WHEN a.id = t.debit_account_id
                   THEN t.amount ELSE 0 END), sum(CASE WHEN a.id = t.credit_account_id THEN t.amount ELSE 0 END)
            FROM funds_transfers t JOIN funds_entries e ON e.id = t.entry_id
            JOIN funds_accounts a ON a.id IN (t.debit_account_id, t.credit_account_id)
            WHERE e.client_id LIKE 'bulk:%' GROUP BY 1, 2, 3, 4"""))
        c.execute(sa.text("ANALYZE"))
    load_s = time.perf_counter() - t0
    with db.unit_of_work() as s:
        t0 = time.perf_counter()
        v = journal.verify(s)
        verify_s = time.perf_counter() - t0
        assert v.ok, v.mismatches
    # the real posting path, one transaction per entry (a budget commitment each: the hot budget row)
    times = []
    t0 = time.perf_counter()
    for i in range(args.posts):
        a = time.perf_counter()
        with db.unit_of_work() as s:
            journal.post(s, f"bench:{i}", "commitment",
                         [Transfer(ledger.commitment_account(10**6 + i), ledger.budget_account(Kind.budget, bid), 1000)],
                         journal.Owner(bid, "kosmes-new-growth-fund", 1 + i % loans_n), date(2026, 6, 1))
        times.append(time.perf_counter() - a)
    post_s = time.perf_counter() - t0
    with db.unit_of_work() as s:
        v = journal.verify(s)
    save("journal", {
        "entries_in_journal": v.entries, "transfers": v.transfers, "bulk_load_s": round(load_s, 1),
        "verify_s": round(verify_s, 2), "verified": v.ok,
        "post": {"entries": args.posts, "seconds": round(post_s, 2), "entries_per_s": round(args.posts / post_s),
                 "p50_ms": round(pct(times, 0.5) * 1000, 2), "p99_ms": round(pct(times, 0.99) * 1000, 2),
                 "hours_for_1m_at_this_rate": round(1_000_000 / (args.posts / post_s) / 3600, 2)},
        "load_average": os.getloadavg(),
    })
    reads(db, bid, loans_n, args)


def reads(db: Any, bid: int, loans_n: int, args: argparse.Namespace) -> None:
    """p50/p99 of a firm's balance, of a program's dashboard figures and of its monthly chart:
    first with the summary rows the posts added since the bulk load (not folded), then after
    `journal.compact_totals` (as the daily accrual leaves them)."""
    import sqlalchemy as sa

    from onestop.funds import budgets, journal
    from onestop.funds.tables import AccountRow, BudgetRow, BudgetTotalRow

    out: dict[str, Any] = {}
    for phase in ("unfolded", "folded"):
        if phase == "folded":
            with db.unit_of_work() as s:
                t0 = time.perf_counter()
                out["compact_rows"] = journal.compact_totals(s)
            out["compact_s"] = round(time.perf_counter() - t0, 2)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(sa.text("VACUUM ANALYZE funds_accounts"))
            c.execute(sa.text("VACUUM ANALYZE funds_budget_totals"))
            entries = c.execute(sa.text("SELECT count(*) FROM funds_entries")).scalar()
        with db.unit_of_work(read_only=True) as s:
            summary_rows = s.scalar(sa.select(sa.func.count()).select_from(BudgetTotalRow)
                                    .where(BudgetTotalRow.budget_id == bid))
        firm_ms, dash_ms, month_ms = [], [], []
        rnd = random.Random(1)
        for _ in range(args.reads):
            firm = rnd.randint(1, loans_n)
            with db.unit_of_work(read_only=True) as s:
                a = time.perf_counter()
                journal.totals_by_kind(s, AccountRow.firm_id == firm)
                firm_ms.append((time.perf_counter() - a) * 1000)
                a = time.perf_counter()
                figures = budgets.figures(s, s.get(BudgetRow, bid))
                dash_ms.append((time.perf_counter() - a) * 1000)
                a = time.perf_counter()
                budgets.monthly(s, [bid])
                month_ms.append((time.perf_counter() - a) * 1000)
        with db.unit_of_work(read_only=True) as s:  # the summary gives what summing the accounts gives
            assert journal.budget_totals(s, bid) == journal.totals_by_kind(s, AccountRow.budget_id == bid)
        out[phase] = {"entries_in_journal": entries, "summary_rows_of_the_budget": summary_rows,
                      "reads": args.reads, "repaid": figures.repaid,
                      "firm_balance_ms": {"p50": round(pct(firm_ms, 0.5), 2), "p99": round(pct(firm_ms, 0.99), 2)},
                      "program_dashboard_ms": {"p50": round(pct(dash_ms, 0.5), 2), "p99": round(pct(dash_ms, 0.99), 2)},
                      "monthly_chart_ms": {"p50": round(pct(month_ms, 0.5), 2), "p99": round(pct(month_ms, 0.99), 2)},
                      "load_average": os.getloadavg()}
    save("reads", out)


def approvals(args: argparse.Namespace) -> None:
    from onestop.applications import services as applications
    from onestop.errors import DomainError
    from onestop.funds import budgets, journal
    from tests.integration.funds_helpers import in_evaluation, officer

    db = fresh(args.database_url, registry=max(60, args.parallel + 10))
    with db.unit_of_work() as s:
        budget = budgets.create(s, officer(s), "kosmes-new-growth-fund", date.today().year, 10 * 6_000_000_000)
        ids = in_evaluation(s, "kosmes-new-growth-fund", args.parallel)

    def approve(aid: int) -> tuple[str, float]:
        a = time.perf_counter()
        try:
            with db.unit_of_work() as s:
                applications.act(s, officer(s), aid, "approve", None)
            out = "approved"
        except DomainError as e:
            out = e.code
        return out, time.perf_counter() - a

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        results = list(pool.map(approve, ids))
    wall = time.perf_counter() - t0
    lat = [t for _, t in results]
    with db.unit_of_work() as s:
        f = budgets.figures(s, budget)
        ok = journal.verify(s).ok
    save("approvals", {"parallel": args.parallel, "approved": sum(o == "approved" for o, _ in results),
                       "refused_over_budget": sum(o == "over_budget" for o, _ in results),
                       "other": sorted({o for o, _ in results} - {"approved", "over_budget"}),
                       "wall_s": round(wall, 2), "decisions_per_s": round(args.parallel / wall, 1),
                       "p50_ms": round(pct(lat, 0.5) * 1000, 1), "p99_ms": round(pct(lat, 0.99) * 1000, 1),
                       "budget_available": f.available, "committed": f.committed, "journal_verified": ok})


def crash(args: argparse.Namespace) -> None:
    import sqlalchemy as sa

    from onestop.applications import services as applications
    from onestop.applications.lifecycle import Actor
    from onestop.funds import budgets, journal, loans
    from tests.integration.funds_helpers import in_evaluation, officer

    program = "kosmes-disaster-recovery-fund"  # 10억 원 fixed 1.9 %, 5 years (2 grace)
    db = fresh(args.database_url, registry=args.lines + 10)
    t0 = time.perf_counter()
    with db.unit_of_work() as s:
        who = officer(s)
        budgets.create(s, who, program, date.today().year, args.lines * 10**9)
        ids = in_evaluation(s, program, args.lines)
    for aid in ids:
        with db.unit_of_work() as s:
            applications.act(s, who, aid, "approve", None)
            row, _ = applications.get(s, who, aid)
            applications._move(s, None, row, "sign", Actor.firm, None)
    with db.unit_of_work() as s:
        batch = loans.create_batch(s, who, date.today(), [
            loans.LineInput(aid, "기업은행", f"123-{aid:06d}-01-011", f"기업 {aid}") for aid in ids])
        assert batch.batch is not None and not batch.refused
        batch_id = batch.batch.id
    setup_s = time.perf_counter() - t0

    def paid() -> int:
        with db.engine.connect() as c:
            return int(c.execute(sa.text("SELECT count(*) FROM funds_entries WHERE client_id LIKE 'disburse:%'")).scalar() or 0)

    def consistent() -> dict[str, int]:
        with db.engine.connect() as c:
            q = {name: int(c.execute(sa.text(sql)).scalar() or 0) for name, sql in {
                "disbursement_entries": "SELECT count(*) FROM funds_entries WHERE client_id LIKE 'disburse:%'",
                "distinct_paid_applications": "SELECT count(DISTINCT client_id) FROM funds_entries WHERE client_id LIKE 'disburse:%'",
                "loans": "SELECT count(*) FROM funds_loans",
                "commitments_used": "SELECT count(*) FROM funds_commitments WHERE state = 'used'",
                "applications_executed": "SELECT count(*) FROM applications WHERE state = 'executed'",
            }.items()}
        assert len(set(q.values())) == 1, q  # every payment with its loan, commitment and execution, or none
        return q

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, __file__, "_execute", "--batch", str(batch_id),
                              "--database-url", args.database_url], env=env)
    t0 = time.perf_counter()
    while paid() < args.kill_after and child.poll() is None:
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    first_run_s = time.perf_counter() - t0
    after_kill = consistent()
    with db.unit_of_work() as s:
        v1 = journal.verify(s)
    t0 = time.perf_counter()
    result = loans.execute_batch(db.unit_of_work, who, batch_id)
    rerun_s = time.perf_counter() - t0
    final = consistent()
    with db.unit_of_work() as s:
        v2 = journal.verify(s)
    save("crash", {"lines": args.lines, "setup_s": round(setup_s, 1), "killed_after_s": round(first_run_s, 1),
                   "after_sigkill": after_kill, "journal_verified_after_kill": v1.ok,
                   "rerun": {"paid_now": result.paid, "paid_before": result.already, "failed": len(result.failed),
                             "seconds": round(rerun_s, 1), "lines_per_s": round((result.paid + result.already) / rerun_s, 1)},
                   "final": final, "journal_verified_final": v2.ok, "entries": v2.entries,
                   "exactly_once": final["disbursement_entries"] == args.lines == final["distinct_paid_applications"]})


def _execute(args: argparse.Namespace) -> None:
    from onestop.funds import loans
    from onestop.platform.db import Database
    from tests.integration.funds_helpers import officer

    db = Database(args.database_url)
    with db.unit_of_work() as s:
        who = officer(s)
    loans.execute_batch(db.unit_of_work, who, args.batch)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["schedules", "journal", "approvals", "crash", "_execute"])
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--loans", type=int, default=100_000)
    p.add_argument("--entries", type=int, default=1_000_000)
    p.add_argument("--posts", type=int, default=5_000)
    p.add_argument("--reads", type=int, default=500)
    p.add_argument("--reads-only", action="store_true", help="journal: measure the reads on the last run's data")
    p.add_argument("--parallel", type=int, default=50)
    p.add_argument("--lines", type=int, default=1000)
    p.add_argument("--kill-after", type=int, default=300)
    p.add_argument("--batch", type=int, default=0)
    args = p.parse_args()
    {"schedules": schedules, "journal": journal_bench, "approvals": approvals, "crash": crash,
     "_execute": _execute}[args.command](args)


if __name__ == "__main__":
    main()
