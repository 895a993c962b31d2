"""`onestop fasttrack …`: the scheduled check of the fast track's service level (run it from
cron like `onestop remind`; every run is safe to repeat)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="The fast track for crisis funds (패스트트랙).", no_args_is_help=True)


@app.command("check")
def check(database_url: Annotated[str | None, typer.Option("--database-url", help="Database URL")] = None,
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Enter applications the model banded, record decisions, mark service-level breaches and
    escalate each to the agency's officers once (in the app, and by email through the outbox)."""
    import json

    from onestop.catalog.services import EngineCache
    from onestop.cli import _migrated, out
    from onestop.evaluation.fasttrack_services import check as run

    with _migrated(database_url) as db:
        result = run(db, EngineCache().get(db)[1])
    if as_json:
        typer.echo(json.dumps(result.__dict__))
        return
    out.print(f"[green]OK[/] 편입 {result.entered} · 결정 {result.decided} · 기한 초과 {result.breached} · "
              f"보고 {result.escalated} / entered {result.entered}, decided {result.decided}, "
              f"breached {result.breached}, escalated {result.escalated}")
