"""`onestop funds …`: schedules, budgets, the journal's check (mounted by `onestop.cli`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

from onestop.errors import DomainError

app = typer.Typer(help="Policy funds: loan schedules, budgets, the ledger.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]
DbOpt = Annotated[str | None, typer.Option("--database-url", help="Default: ONESTOP_DATABASE_URL or SQLite "
                                            "under the user data directory")]


def _cli() -> Any:
    from onestop import cli

    return cli


def _bad(field: str, ko: str, en: str) -> None:
    _cli()._fail(DomainError(code="invalid", field=field, ko=ko, en=en), 2)


def _decimal(value: str, field: str) -> Decimal:
    try:
        parsed = Decimal(value.strip().rstrip("%"))
    except InvalidOperation:
        parsed = Decimal("NaN")
    if not parsed.is_finite():
        _bad(field, f"{field}는 숫자여야 합니다(예: 3.35): {value!r}", f"{field} must be a number such as 3.35; got {value!r}.")
    return parsed


def _months(value: str, field: str) -> int:
    years = _decimal(value, field)
    months = years * 12
    if months != months.to_integral_value():
        _bad(field, f"{field} {value}년은 개월 수로 떨어지지 않습니다(예: 5, 2.5).",
             f"{field} {value} years is not a whole number of months (e.g. 5 or 2.5).")
    return int(months)


@app.command()
def schedule(amount: Annotated[int, typer.Option("--amount", help="Amount lent, in won")],
             rate: Annotated[str, typer.Option("--rate", help="Annual rate in percent, e.g. 3.35")],
             term_years: Annotated[str, typer.Option("--term-years", help="Term in years (incl. grace)")],
             method: Annotated[str, typer.Option("--method", help="equal_principal | equal_instalment | bullet")],
             start: Annotated[str, typer.Option("--start", help="Disbursement date YYYY-MM-DD")],
             grace_years: Annotated[str, typer.Option("--grace-years", help="Interest-only years")] = "0",
             frequency: Annotated[str, typer.Option("--frequency", help="monthly | quarterly")] = "monthly",
             day_count: Annotated[str, typer.Option("--day-count", help="30/360 | actual/365")] = "30/360",
             as_json: JsonOpt = False) -> None:
    """Print a loan's repayment schedule (JSON: due_date, principal, interest, balance in won)."""
    from rich import box
    from rich.table import Table

    from onestop.funds.schedule import DayCount, Frequency, Method, Terms, totals
    from onestop.funds.schedule import schedule as make

    choices = {"--method": (method, Method), "--frequency": (frequency, Frequency), "--day-count": (day_count, DayCount)}
    for field, (given, enum) in choices.items():
        if given not in {m.value for m in enum}:
            allowed = ", ".join(m.value for m in enum)
            _bad(field, f"{field} {given!r}는 없는 값입니다. 가능한 값: {allowed}", f"{field} {given!r} is unknown; allowed: {allowed}.")
    try:
        begin = date.fromisoformat(start)
    except ValueError:
        _bad("--start", f"--start는 YYYY-MM-DD 형식의 날짜여야 합니다: {start!r}", f"--start must be a date YYYY-MM-DD; got {start!r}.")
        raise
    terms = Terms(amount, _decimal(rate, "--rate"), _months(term_years, "--term-years"),
                  _months(grace_years, "--grace-years"), Method(method), Frequency(frequency), begin, DayCount(day_count))
    try:
        rows = make(terms)
    except DomainError as e:
        _cli()._fail(e, 2)
        raise
    if as_json:
        _cli()._print_json([{"due_date": i.due_date.isoformat(), "principal": i.principal, "interest": i.interest,
                             "balance": i.balance} for i in rows])
        return
    # light borders and figures that never wrap: a 20-year schedule reads whole in 80 columns
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, show_edge=False)
    for header in ("회차\n#", "약정일\ndue", "납부일\npay by", "원금\nprincipal", "이자\ninterest", "합계\ntotal",
                   "잔액\nbalance"):
        table.add_column(header, no_wrap=True, justify="left" if "일" in header else "right")
    for i in rows:
        pay_by = i.pay_by.isoformat() if i.pay_by != i.due_date else ""
        table.add_row(str(i.number), i.due_date.isoformat(), pay_by, f"{i.principal:,}", f"{i.interest:,}",
                      f"{i.total:,}", f"{i.balance:,}")
    principal, interest = totals(rows)
    table.add_row("", "합계 total", "", f"{principal:,}", f"{interest:,}", f"{principal + interest:,}", "")
    _cli().out.print(table)


budget_app = typer.Typer(help="Budgets per program and fiscal year.", no_args_is_help=True)
app.add_typer(budget_app, name="budget")


@budget_app.command("create")
def budget_create(program: Annotated[str, typer.Option("--program")],
                  year: Annotated[int, typer.Option("--year", help="Fiscal year")],
                  amount: Annotated[int, typer.Option("--amount", help="Won")],
                  officer: Annotated[str, typer.Option("--officer", help="Email of the agency officer")],
                  region: Annotated[str, typer.Option("--region", help="시도 code, or empty for the program")] = "",
                  database_url: DbOpt = None) -> None:
    """Open a program's budget for a fiscal year and post its appropriation."""
    from onestop.funds import budgets
    from onestop.funds.services import principal_by_email

    with _cli()._migrated(database_url) as db:
        row = budgets.create(db, principal_by_email(db, officer), program, year, amount, region)
        _cli().out.print(f"[green]OK[/] budget #{row.id}: {program} {year}{' ' + region if region else ''} KRW {amount:,}")


@budget_app.command("list")
def budget_list(program: Annotated[str | None, typer.Option("--program")] = None, as_json: JsonOpt = False,
                database_url: DbOpt = None) -> None:
    """Budgets with their figures (appropriated, available, committed, disbursed), in won."""
    from dataclasses import asdict

    from rich.table import Table

    from onestop.funds import budgets

    with _cli()._migrated(database_url) as db:
        rows = [budgets.figures(db, b) for b in budgets.listing(db, program)]
    if as_json:
        _cli()._print_json([asdict(r) for r in rows])
        return
    table = Table("#", "program", "year", "시도", "예산 amount", "잔액 available", "약정 committed", "집행 disbursed")
    for r in rows:
        table.add_row(str(r.budget_id), r.program_id, str(r.fiscal_year), r.region or "전체", f"{r.amount:,}",
                      f"{r.available:,}", f"{r.committed:,}", f"{r.disbursed:,}")
    _cli().out.print(table)


@app.command()
def verify(database_url: DbOpt = None) -> None:
    """Replay the journal: every account's totals against its transfers; debits = credits."""
    from onestop.funds import journal

    with _cli()._migrated(database_url) as db:
        result = journal.verify(db)
    line = f"{result.entries:,} entries, {result.transfers:,} transfers, debits {result.debits:,} = credits {result.credits:,}"
    if result.ok:
        _cli().out.print(f"[green]OK[/] {line}")
        return
    for key, (have, want) in result.mismatches.items():
        _cli().err.print(f"[red]{key}[/]: posted {have}, journal {want}")
    _cli().err.print(f"[bold red]장부 불일치 / ledger mismatch[/] {line}")
    raise typer.Exit(1)


gl_app = typer.Typer(help="GL mapping per program (which GL account each ledger account posts to).",
                     no_args_is_help=True)
app.add_typer(gl_app, name="gl")


@gl_app.command("map")
def gl_map(program: Annotated[str, typer.Option("--program")],
           kind: Annotated[str, typer.Option("--kind", help="Ledger account kind, e.g. loans_receivable")],
           code: Annotated[str, typer.Option("--code", help="GL code")],
           name: Annotated[str, typer.Option("--name", help="GL account name")],
           officer: Annotated[str, typer.Option("--officer", help="Email of the agency officer")],
           database_url: DbOpt = None) -> None:
    """Map a kind of the program's ledger accounts to a GL account (accounts opened from now on)."""
    from onestop.funds import accounting
    from onestop.funds.services import principal_by_email

    with _cli()._migrated(database_url) as db:
        row = accounting.set_mapping(db, principal_by_email(db, officer), program, kind, code, name)
        _cli().out.print(f"[green]OK[/] {program}: {row.kind} → {row.gl_code} {row.gl_name}")


@app.command("trial-balance")
def trial_balance(officer: Annotated[str, typer.Option("--officer", help="Email of the officer (or admin)")],
                  program: Annotated[str | None, typer.Option("--program")] = None, as_json: JsonOpt = False,
                  database_url: DbOpt = None) -> None:
    """Posted debits and credits per GL account (the programs the officer may see)."""
    from rich.table import Table

    from onestop.funds import accounting
    from onestop.funds.services import principal_by_email

    with _cli()._migrated(database_url) as db:
        tb = accounting.trial_balance(db, principal_by_email(db, officer), program)
    if as_json:
        _cli()._print_json({"lines": [{"gl_code": x.gl_code, "debits": x.debits, "credits": x.credits,
                                       "balance": x.balance} for x in tb.lines],
                            "debits": tb.debits, "credits": tb.credits})
        return
    table = Table("GL", "계정과목 account", "차변 debits", "대변 credits", "잔액 balance")
    for x in tb.lines:
        table.add_row(x.gl_code, " / ".join(tb.names.get(x.gl_code, ("", ""))), f"{x.debits:,}", f"{x.credits:,}",
                      f"{x.balance:,}")
    table.add_row("", "합계 total", f"{tb.debits:,}", f"{tb.credits:,}", "일치 balanced" if tb.debits == tb.credits
                  else "불일치 NOT balanced")
    _cli().out.print(table)


@app.command()
def compact(database_url: DbOpt = None) -> None:
    """Fold the journal's summary rows (the dashboard's figures) into one per budget, kind of
    account, month and kind of entry. Safe at any time; `accrue` and batch payments run it."""
    from onestop.funds import journal

    with _cli()._migrated(database_url) as db:
        n = journal.compact_totals(db)
    _cli().out.print(f"[green]OK[/] {n:,} summary rows folded")


def _date_opt(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _bad(field, f"{field}는 YYYY-MM-DD 형식의 날짜여야 합니다: {value!r}", f"{field} must be a date YYYY-MM-DD; got {value!r}.")
        raise


@app.command()
def accrue(on: Annotated[str | None, typer.Option("--date", help="Accrue up to this day (default today, KST)")] = None,
           database_url: DbOpt = None) -> None:
    """The daily job: interest due, overdue principal and overdue interest of every loan, posted
    up to the day. Safe to run again (it posts only what is missing)."""
    from onestop.funds import loans

    as_of = _date_opt(on, "--date")
    with _cli()._migrated_database(database_url) as database:
        n, posted = loans.accrue(database.unit_of_work, as_of)
    _cli().out.print(f"[green]OK[/] {n:,} loans, {posted:,} entries posted")


@app.command("import-payments")
def import_payments(file: Annotated[str, typer.Argument(help="Bank statement CSV: transaction_id,loan,paid_on,amount")],
                    database_url: DbOpt = None) -> None:
    """Post repayments from a bank statement. Bad rows are listed (row number and reason) and
    never block the good ones; rows seen before are not posted again. Exit 1 if any row was bad."""
    from pathlib import Path

    from onestop.funds import loans

    try:
        text = Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _bad("file", f"파일을 읽을 수 없습니다: {file} ({exc})", f"Cannot read {file} as UTF-8 text: {exc}")
        raise
    with _cli()._migrated_database(database_url) as database:
        result = loans.import_payments(database.unit_of_work, text, Path(file).name)
    _cli().out.print(f"[green]OK[/] {len(result.posted)} posted, {result.duplicates} already posted, "
                     f"{len(result.refused)} refused")
    for row, field, ko, en in result.refused:
        _cli().err.print(f"  • row {row} ({field}): {ko}")
        _cli().err.print(f"    {en}")
    if result.refused:
        raise typer.Exit(1)


@app.command()
def disburse(batch: Annotated[int, typer.Option("--batch", help="Disbursement batch id")],
             officer: Annotated[str, typer.Option("--officer", help="Email of the agency officer")],
             database_url: DbOpt = None) -> None:
    """Pay out a batch: each line posted once (re-running pays only what was not paid)."""
    from onestop.funds import loans
    from onestop.funds.services import principal_by_email

    with _cli()._migrated_database(database_url) as database:
        with database.unit_of_work() as db:
            who = principal_by_email(db, officer)
        result = loans.execute_batch(database.unit_of_work, who, batch)
    _cli().out.print(f"[green]OK[/] batch #{batch}: {result.paid} paid now, {result.already} paid before, "
                     f"{len(result.failed)} failed")
    for app_id, ko, en in result.failed:
        _cli().err.print(f"  • application #{app_id}: {ko}")
        _cli().err.print(f"    {en}")
    if result.failed:
        raise typer.Exit(1)


rate_app = typer.Typer(help="정책자금 기준금리 (policy base rates) with their sources.", no_args_is_help=True)
app.add_typer(rate_app, name="base-rate")


@rate_app.command("set")
def base_rate_set(lender: Annotated[str, typer.Option("--lender", help="Agency id, e.g. kosmes")],
                  effective_from: Annotated[str, typer.Option("--from", help="First day in force YYYY-MM-DD")],
                  rate: Annotated[str, typer.Option("--rate", help="Percent, e.g. 3.15")],
                  source: Annotated[str, typer.Option("--source", help="The announcement and its date")],
                  officer: Annotated[str, typer.Option("--officer", help="Email of the lender's officer")],
                  database_url: DbOpt = None) -> None:
    """Record an announced base rate (floating loans re-price their instalments not yet due)."""
    from onestop.funds import loans
    from onestop.funds.services import principal_by_email

    day = _date_opt(effective_from, "--from")
    assert day is not None
    with _cli()._migrated(database_url) as db:
        loans.record_base_rate(db, principal_by_email(db, officer), lender, day, _decimal(rate, "--rate"), source)
    _cli().out.print(f"[green]OK[/] {lender} {rate}% from {day.isoformat()}")


@rate_app.command("list")
def base_rate_list(lender: Annotated[str, typer.Option("--lender")] = "kosmes", database_url: DbOpt = None) -> None:
    """The recorded base rates of a lender with their sources."""
    from onestop.funds import loans

    with _cli()._migrated(database_url) as db:
        for r in loans.base_rates(db, lender):
            _cli().out.print(f"{r.effective_from.isoformat()}  {loans.pct(r.rate_pct)}%  {r.source}")
