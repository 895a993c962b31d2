"""`onestop funds schedule`: JSON in integer won, a table, and bad options named with what is allowed."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from onestop.cli import app

runner = CliRunner()
BASE = ["funds", "schedule", "--amount", "100000000", "--rate", "3", "--term-years", "5", "--grace-years", "2",
        "--method", "equal_principal", "--frequency", "quarterly", "--start", "2026-03-16"]


def test_schedule_json_is_a_list_of_due_date_principal_interest_balance_in_won() -> None:
    r = runner.invoke(app, [*BASE, "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert len(rows) == 20 and set(rows[0]) == {"due_date", "principal", "interest", "balance"}
    assert rows[0] == {"due_date": "2026-06-16", "principal": 0, "interest": 750000, "balance": 100000000}
    assert sum(x["principal"] for x in rows) == 100_000_000 and rows[-1]["balance"] == 0


def test_schedule_table_shows_totals_and_the_business_day() -> None:
    r = runner.invoke(app, BASE, env={"COLUMNS": "80"})  # a plain terminal: every figure whole
    assert r.exit_code == 0 and "100,000,000" in r.stdout and "2027-09-17" in r.stdout
    assert "…" not in r.stdout


@pytest.mark.parametrize(("args", "words"), [
    (["--method", "annuity"], ["--method", "equal_principal, equal_instalment, bullet"]),
    (["--frequency", "weekly"], ["--frequency", "monthly, quarterly"]),
    (["--rate", "abc"], ["--rate", "3.35"]),
    (["--rate", "45"], ["45%", "20%"]),
    (["--amount", "-100"], ["-100", "1원 이상"]),
    (["--start", "2026-02-30"], ["--start", "YYYY-MM-DD"]),
    (["--term-years", "2.1"], ["--term-years", "2.1"]),
    (["--grace-years", "5"], ["거치기간 60개월"]),
])
def test_bad_options_are_messages_naming_what_is_allowed(args: list[str], words: list[str]) -> None:
    given = list(BASE)
    for flag, value in zip(args[::2], args[1::2], strict=True):
        given[given.index(flag) + 1] = value
    r = runner.invoke(app, given)
    assert r.exit_code == 2 and "Traceback" not in r.output
    for w in words:
        assert w in r.output
