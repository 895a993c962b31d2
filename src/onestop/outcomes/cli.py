"""`onestop simulate …` and `onestop outcomes …` (mounted by `onestop.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from onestop.errors import DomainError

app = typer.Typer(help="Outcome reports, reminders and KPI targets.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]
DbOpt = Annotated[str | None, typer.Option("--database-url", help="Default: ONESTOP_DATABASE_URL or SQLite "
                                            "under the user data directory")]


def _cli() -> Any:
    from onestop import cli

    return cli


def simulate(
    program_id: Annotated[str, typer.Argument(help="The program whose rules change")],
    draft: Annotated[Path, typer.Option("--draft", help="YAML with the changed program keys (e.g. eligibility)")],
    registry: Annotated[Path | None, typer.Option("--registry", help="A registry folder (`onestop registry "
                                                  "generate|import`) or a facts Parquet; default: the "
                                                  "registered firms")] = None,
    date_: Annotated[str | None, typer.Option("--date", help="Reference date YYYY-MM-DD (default today)")] = None,
    amount: Annotated[int | None, typer.Option("--amount", min=0, help="Expected won per firm (default: the "
                                               "program's limit)")] = None,
    take_up: Annotated[float, typer.Option("--take-up", help="Share of eligible firms expected to be "
                                           "supported, 0–1 (default 1: an upper bound)")] = 1.0,
    database_url: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Who gains and who loses eligibility if PROGRAM_ID's rules become the draft's, and the budget."""
    from onestop.outcomes import simulations

    cli = _cli()
    on = cli._date(date_)
    try:
        changes = simulations.read_draft(draft)
        if registry is not None and registry.is_dir():
            result = simulations.run_registry(cli._engine().catalog, program_id, changes, registry, on, amount,
                                              take_up)
        elif registry is not None:
            catalog = cli._engine().catalog
            result = simulations.run(catalog, program_id, changes, simulations.registry_frame(registry), amount,
                                     take_up)
        else:
            from onestop.catalog.services import build_catalog

            with cli._migrated(database_url) as db:
                result = simulations.run(build_catalog(db), program_id, changes,
                                         simulations.registered_frame(db, on), amount, take_up, db)
    except DomainError as e:
        cli._fail(e)
        raise
    data = {"program": program_id, "date": on.isoformat(),
            "population": "registry" if registry is not None else "registered", **result.as_dict()}
    if as_json:
        cli._print_json(data)
        return
    out = cli.out
    out.print(f"{program_id} ({on}): {data['firms']:,} firms — gain {data['gain']:,}, lose {data['lose']:,}, "
              f"unchanged {data['unchanged']:,}")
    out.print(f"eligible {data['eligible_before']:,} → {data['eligible_after']:,}; budget "
              f"{data['budget_before_won']:,} → {data['budget_won']:,} won "
              f"({data['amount_won']:,} won × take-up {take_up})")
    for sido, b in data["by_region"].items():
        if b["gain"] or b["lose"]:
            out.print(f"  {sido}: +{b['gain']:,} −{b['lose']:,}")


@app.command("remind")
def remind(days: Annotated[int, typer.Option("--days", min=0, help="Remind of reports due within this many "
                                             "Korean business days")] = 5,
           database_url: DbOpt = None) -> None:
    """Remind firms of outcome reports due soon (once per due date); scheduled work, like `onestop remind`."""
    from onestop.outcomes.services import send_reminders

    with _cli()._migrated(database_url) as db:
        n = send_reminders(db, days)
    _cli().out.print(f"[green]OK[/] {n} outcome report reminder(s) queued")


@app.command("targets")
def targets(path: Annotated[Path | None, typer.Argument(help="Targets YAML (default: the shipped demo targets)")]
            = None, database_url: DbOpt = None) -> None:
    """Load KPI targets (each with its source) into the database."""
    from onestop.outcomes.kpi import import_targets

    with _cli()._migrated(database_url) as db:
        n = import_targets(db, path)
    _cli().out.print(f"[green]OK[/] {n} target(s) loaded")


@app.command("kpi")
def kpi(year: Annotated[int | None, typer.Option("--year")] = None,
        program: Annotated[str | None, typer.Option("--program")] = None,
        database_url: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Targets against actuals (executions, accepted outcome reports, the ledger)."""
    from onestop.outcomes.kpi import as_dict, progress

    with _cli()._migrated(database_url) as db:
        lines = [as_dict(x) for x in progress(db, year, program)]
    if as_json:
        _cli()._print_json(lines)
        return
    for x in lines:
        _cli().out.print(f"{x['year']} {x['program'] or x['agency']} {x['measure']}: {x['actual']:,} / "
                         f"{x['target']:,} {x['unit']} ({x['percent']}%) — {x['source']}")


@app.command("effect")
def effect(program_id: str, database_url: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Supported firms against near misses and a matched group on the changes of revenue, regular
    employees and exports, each with its group sizes, method and caveats."""
    from onestop.catalog.services import build_catalog
    from onestop.outcomes.effect_services import as_dict, measure, shown
    from onestop.outcomes.services import today_kst

    cli = _cli()
    with cli._migrated(database_url) as db:
        data = as_dict(measure(db, build_catalog(db), program_id, today_kst()), program_id)
    if as_json:
        cli._print_json(data)
        return
    cli.out.print(data["method_ko"])
    cli.out.print(f"지원 {data['supported']}개사, 기준 하나 미달 {data['near_misses']}개사")
    for m in data["measures"]:
        cli.out.print(f"{m['name_ko']}: 지원 측정 {m['supported_measured']}, 평균 {shown(m['mean_supported'], m['unit'])}; "
                      f"기준 하나 미달 측정 {m['near_misses_measured']}, 평균 {shown(m['mean_near_miss'], m['unit'])}; "
                      f"매칭 {m['matched']} (짝 없음 {m['unmatched']}, 비교 기업 {m['controls_used']}), "
                      f"차이 {shown(m['matched_difference'], m['unit'])}")
        cli.out.print(f"  {m['method_ko']}")
        for c in m["caveats_ko"]:
            cli.out.print(f"  • {c}")
    for c in data["caveats_ko"]:
        cli.out.print(f"• {c}")


report_app = typer.Typer(help="Reports as XLSX or PDF.", no_args_is_help=True)


@report_app.command("program")
def report_program(program_id: str,
                   year: Annotated[int, typer.Option("--year", min=2000, max=2100)],
                   fmt: Annotated[str, typer.Option("--format", help="xlsx or pdf")],
                   out_path: Annotated[Path, typer.Option("--out")],
                   database_url: DbOpt = None) -> None:
    """A program's annual report: KPI targets against actuals, firms by 시도, outcome totals."""
    from onestop.catalog.services import build_catalog
    from onestop.outcomes import reports
    from onestop.outcomes.services import today_kst

    cli = _cli()
    if fmt not in ("xlsx", "pdf"):
        cli._fail(DomainError(code="format", field="--format", ko=f"--format은 xlsx 또는 pdf입니다: {fmt!r}",
                              en=f"--format is xlsx or pdf; got {fmt!r}."), 2)
    with cli._migrated(database_url) as db:
        body = reports.render(reports.build(db, build_catalog(db), program_id, year, today_kst()), fmt)
    out_path.write_bytes(body)
    cli.out.print(f"[green]OK[/] {out_path} ({len(body):,} bytes)")


@report_app.command("agency")
def report_agency(agency_id: str,
                  year: Annotated[int, typer.Option("--year", min=2000, max=2100)],
                  quarter: Annotated[int, typer.Option("--quarter", min=1, max=4, help="1, 2, 3 or 4")],
                  fmt: Annotated[str, typer.Option("--format", help="xlsx or pdf")],
                  out_path: Annotated[Path, typer.Option("--out")],
                  database_url: DbOpt = None) -> None:
    """An agency's quarterly report: executions and won disbursed by program and 시도, outcome
    reports accepted in the quarter, KPI targets against actuals year to date."""
    from onestop.catalog.services import build_catalog
    from onestop.outcomes import quarterly
    from onestop.outcomes.services import today_kst

    cli = _cli()
    if fmt not in ("xlsx", "pdf"):
        cli._fail(DomainError(code="format", field="--format", ko=f"--format은 xlsx 또는 pdf입니다: {fmt!r}",
                              en=f"--format is xlsx or pdf; got {fmt!r}."), 2)
    try:
        with cli._migrated(database_url) as db:
            report = quarterly.build(db, build_catalog(db), agency_id, year, quarter, today_kst())
    except DomainError as e:
        cli._fail(e)
        raise
    body = quarterly.render(report, fmt)
    out_path.write_bytes(body)
    cli.out.print(f"[green]OK[/] {out_path} ({len(body):,} bytes): {report.executions:,} execution(s), "
                  f"{report.disbursed_won:,} won disbursed in {year} Q{quarter}")


def mount(root: typer.Typer) -> None:
    root.command("simulate")(simulate)
    root.add_typer(app, name="outcomes")
    root.add_typer(report_app, name="report")
