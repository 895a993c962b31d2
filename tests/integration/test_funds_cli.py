"""`onestop funds accrue | import-payments | verify | budget list | base-rate` against a migrated database."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from onestop.cli import app

runner = CliRunner()


def run(database_url: str, *args: str) -> object:
    return runner.invoke(app, ["funds", *args, "--database-url", database_url], env={"COLUMNS": "200"})


def test_accrue_twice_posts_nothing_the_second_time_and_the_journal_verifies(database_url: str) -> None:
    run(database_url, "accrue")
    again = run(database_url, "accrue")
    assert again.exit_code == 0 and "0 entries posted" in again.stdout  # type: ignore[attr-defined]
    ok = run(database_url, "verify")
    assert ok.exit_code == 0 and "OK" in ok.stdout  # type: ignore[attr-defined]


def test_import_lists_bad_rows_by_number_and_exits_1(database_url: str, tmp_path: Path) -> None:
    f = tmp_path / "statement.csv"
    f.write_text("transaction_id,loan,paid_on,amount\nCLI-1,987654,2026-02-01,1000\nCLI-2,x,2026-02-01,1000\n",
                 encoding="utf-8")
    r = run(database_url, "import-payments", str(f))
    assert r.exit_code == 1 and "0 posted" in r.stdout  # type: ignore[attr-defined]
    assert "row 2 (loan)" in r.output and "row 3 (loan)" in r.output  # type: ignore[attr-defined]
    headless = tmp_path / "bad.csv"
    headless.write_text("tx;amount\n1;2\n", encoding="utf-8")
    r = run(database_url, "import-payments", str(headless))
    assert r.exit_code == 1 and "transaction_id, loan, paid_on, amount" in r.output  # type: ignore[attr-defined]


def test_base_rate_needs_a_source_and_budgets_list(database_url: str) -> None:
    r = run(database_url, "base-rate", "set", "--lender", "kosmes", "--from", "2001-01-01", "--rate", "3",
            "--source", " ", "--officer", "officer.kosmes@onestop.demo")
    assert r.exit_code == 1 and "출처" in r.output  # type: ignore[attr-defined]
    r = run(database_url, "budget", "list", "--json")
    assert r.exit_code == 0 and r.stdout.startswith("[")  # type: ignore[attr-defined]
