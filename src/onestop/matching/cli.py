"""`onestop recommendations …` (mounted by `onestop.cli`): the background recomputation of
registered firms' recommendations after a catalog publish, for cron when the web app's runner
is off (ONESTOP_RECOMMENDATION_REFRESH_INTERVAL=0)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

app = typer.Typer(help="Recommendations of registered firms, recomputed after a catalog publish.",
                  no_args_is_help=True)

DbOpt = Annotated[str | None, typer.Option("--database-url", help="Default: ONESTOP_DATABASE_URL or SQLite "
                                            "under the user data directory")]


def _cli() -> Any:
    from onestop import cli

    return cli


@app.command("refresh")
def refresh(batch: Annotated[int, typer.Option("--batch", min=1, max=10_000, help="Firms per transaction")] = 200,
            database_url: DbOpt = None) -> None:
    """Recompute every registered firm's recommendations for the newest published catalog
    revision still pending (scheduled work, beside `onestop remind`); each firm once."""
    from onestop.catalog.services import EngineCache
    from onestop.matching.refresh import drain

    with _cli()._migrated_database(database_url) as database:
        n = drain(database, EngineCache().get, batch)
    _cli().out.print(f"[green]OK[/] {n}개 기업의 추천을 다시 계산했습니다 / recommendations recomputed for {n} firm(s)")
