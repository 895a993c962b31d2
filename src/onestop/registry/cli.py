"""`onestop registry generate|import` and `onestop reach` (mounted by `onestop.cli`)."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from onestop.errors import DomainError

app = typer.Typer(help="A national firm registry (Parquet partitioned by 시도): generate or import one.",
                  no_args_is_help=True)

RegistryOpt = Annotated[Path, typer.Option("--registry", help="Registry folder (Parquet partitioned by 시도)")]


def _cli() -> Any:
    from onestop import cli

    return cli


@app.command()
def generate(out_dir: Annotated[Path, typer.Option("--out", help="Registry folder to create")],
             firms: Annotated[int, typer.Option("--firms", min=1, help="How many firms")] = 7_700_000,
             seed: Annotated[int, typer.Option(help="Random seed")] = 42) -> None:
    """Write a realistic synthetic registry (seeded) as Parquet partitioned by 시도."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from onestop.registry.store import generate_registry

    cli = _cli()
    started = time.perf_counter()
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=cli.err) as bar:
            task = bar.add_task("생성 중 generating", total=firms)
            n = generate_registry(out_dir, firms, seed, progress=lambda done: bar.update(task, completed=done))
    except DomainError as e:
        cli._fail(e)
    cli.out.print(f"[green]OK[/] 기업 {n:,}곳 / {n:,} firms → {out_dir} ({time.perf_counter() - started:.1f} s)")


@app.command("import")
def import_(source: Annotated[Path, typer.Argument(help="The agency's extract: .csv or .parquet")],
            mapping: Annotated[Path, typer.Option("--mapping", help="YAML: which column holds each field")],
            out_dir: Annotated[Path, typer.Option("--out", help="Registry folder to create")]) -> None:
    """Load an agency's registry extract with a column mapping; invalid rows go to OUT.errors.jsonl."""
    from onestop.registry.store import Mapping, import_registry

    cli = _cli()
    errors = out_dir.with_name(out_dir.name + ".errors.jsonl")
    try:
        summary = import_registry(source, Mapping.load(mapping), out_dir, errors)
    except DomainError as e:
        cli._fail(e)
        raise
    cli.out.print(f"[green]OK[/] 기업 {summary['firms']:,}곳 등록 / {summary['firms']:,} firms imported → {out_dir} "
                  f"(오류 {summary['invalid']:,}행 / {summary['invalid']:,} invalid rows: {errors})")


_DIM_NAMES = {"sido": ("시도", "province"), "size_class": ("기업 규모", "size class"),
              "section": ("업종 대분류", "industry section"), "ceo_age_band": ("대표자 연령대", "CEO's age")}


def _label(dim: str, value: str) -> str:
    from onestop.korea import ksic, regions

    if value == "unknown":
        return "모름 (unknown)"
    if dim == "sido":
        return f"{regions.name_of(value)} ({regions.name_en(value)})" if value in regions.table() else value
    if dim == "section":
        return f"{value} {ksic.name_of(value)}" if value in ksic.table() else value
    if dim == "size_class":
        return {"small": "소기업 (small)", "medium": "중기업 (medium)", "non_sme": "중소기업 아님 (non-SME)"}[value]
    return f"{value}세" if value else value


def reach(program_id: Annotated[str, typer.Argument(help="Program id in the catalog (or a name for --draft)")],
          registry: RegistryOpt,
          draft: Annotated[Path | None, typer.Option("--draft", help="A draft program's YAML file")] = None,
          date_: Annotated[str | None, typer.Option("--date", help="Reference date YYYY-MM-DD (default today)")] = None,
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """How many firms of the registry qualify for a program, nearly qualify or lack data, by 시도,
    size class, industry and CEO age band."""
    from onestop.registry.reach import STATUS_NAMES, STATUSES
    from onestop.registry.services import program_to_reach, registry_reach

    cli = _cli()
    on = cli._date(date_)
    started = time.perf_counter()
    try:
        program = program_to_reach(cli._engine().catalog, program_id, draft)
        result = registry_reach(registry, program, on)
    except DomainError as e:
        cli._fail(e)
        raise
    seconds = time.perf_counter() - started
    if as_json:
        cli.out.print_json(json.dumps({"program_id": program.id, "date": on.isoformat(), "seconds": round(seconds, 2),
                                       **dataclasses.asdict(result)}, ensure_ascii=False))
        return
    cli.out.print(f"[bold]{program.spec.name.ko}[/] ({program.spec.name.en}) — {on}, 기업 {result.firms:,}곳 / "
                  f"{result.firms:,} firms, {seconds:.1f} s")
    cli.out.print("  ".join(f"{STATUS_NAMES[s][0]} ({STATUS_NAMES[s][1]}): {result.totals[s]:,}" for s in STATUSES))
    for dim, rows in result.by.items():
        ko, en = _DIM_NAMES[dim]
        table = Table(title=f"{ko} ({en})")
        table.add_column(f"{ko} ({en})")
        for s in (*STATUSES, "firms"):
            name = STATUS_NAMES.get(s, ("전체", "All"))
            table.add_column(f"{name[0]}\n{name[1]}", justify="right")
        for row in rows:
            table.add_row(_label(dim, row["value"]), *(f"{row[s]:,}" for s in (*STATUSES, "firms")))
        cli.out.print(table)


@app.command()
def alert(program_id: Annotated[str, typer.Argument(help="The program published or changed (catalog id)")],
          before: Annotated[Path | None, typer.Option("--before", help="The program's previous version (YAML); "
                                                      "omit for a newly published program")] = None,
          draft: Annotated[Path | None, typer.Option("--draft", help="The new version as YAML, if not the catalog's")]
          = None,
          date_: Annotated[str | None, typer.Option("--date", help="Reference date YYYY-MM-DD (default today)")] = None,
          batch: Annotated[int, typer.Option(min=1, help="Firms per transaction (the checkpoint's step)")] = 2000,
          database_url: Annotated[str | None, typer.Option("--database-url", help="Default: ONESTOP_DATABASE_URL")]
          = None) -> None:
    """Tell every registered firm that newly qualifies for a program, once each (resumable: run it
    again after a crash and it continues from its checkpoint)."""
    import os
    import sys

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from onestop.registry.alerts import alert_new_qualifiers
    from onestop.registry.services import program_to_reach

    cli = _cli()
    on = cli._date(date_)
    hold = int(os.environ.get("ONESTOP_ALERTS_HOLD_AT", "0"))

    def before_commit(number: int) -> None:
        # a test's hook: stop before this batch commits, until told (or killed)
        if number == hold:
            print(f"HOLD {number}", flush=True)
            sys.stdin.readline()

    with cli._migrated_database(database_url) as database:
        try:
            catalog = cli._engine().catalog
            program = program_to_reach(catalog, program_id, draft)
            old = program_to_reach(catalog, program_id, before).rule if before is not None else None
        except DomainError as e:
            cli._fail(e)
            raise
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=cli.err) as bar:
            task = bar.add_task("알림 대상 확인 중 checking firms", total=None)
            result = alert_new_qualifiers(database, program, old, on, batch,
                                          progress=lambda seen, total: bar.update(task, completed=seen, total=total),
                                          before_commit=before_commit if hold else None)
    cli.out.print(f"[green]OK[/] {program.spec.name.ko}: 새로 자격을 충족한 기업 {result.notified:,}곳에 알림 / "
                  f"{result.notified:,} firm(s) newly eligible told ({result.firms_seen:,} firms checked)")


def mount(root: typer.Typer) -> None:
    root.add_typer(app, name="registry")
    root.command("reach")(reach)
