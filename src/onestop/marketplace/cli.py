"""`onestop marketplace …` (mounted by `onestop.cli`): search the idle-asset marketplace from the shell."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

app = typer.Typer(help="The idle-asset marketplace: large companies' idle patents, equipment, instruments and space.",
                  no_args_is_help=True)

DbOpt = Annotated[str | None, typer.Option("--database-url", help="Default: ONESTOP_DATABASE_URL or SQLite "
                                            "under the user data directory")]


@app.command("search")
def search(
    query: Annotated[str, typer.Argument(help="Korean keywords, e.g. 좌표측정기")] = "",
    kind: Annotated[str | None, typer.Option(help="patent, equipment, instrument or space")] = None,
    region: Annotated[str | None, typer.Option(help="A 시도 (2-digit) or 시군구 (5-digit) code")] = None,
    max_price: Annotated[str | None, typer.Option("--max-price", help="At most this many won (free is 0)")] = None,
    database_url: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Open listings for QUERY and the filters, best first (the same search as the page)."""
    from onestop import cli
    from onestop.errors import DomainError
    from onestop.korea import regions
    from onestop.korea.money import format_won
    from onestop.marketplace import model, services

    try:
        if kind is not None and kind not in model.KIND_NAMES:
            raise DomainError(code="kind", field="kind", ko=f"자산 종류는 {', '.join(model.KIND_NAMES)} 중 하나입니다.",
                              en=f"The kind is one of {', '.join(model.KIND_NAMES)}.")
        found_regions, price = services.parse_filters(region or "", max_price or "")
    except DomainError as e:
        cli._fail(e)
        return
    with cli._migrated(database_url) as db:
        result, rows = services.search(db, services.SearchQuery(
            text=query, kinds=frozenset({kind}) if kind else frozenset(), regions=found_regions, max_price=price))
        scores = {h.id: h.score for h in result.hits}
        out: list[dict[str, Any]] = [
            {"id": r.id, "title": r.title, "kind": r.kind, "owner": services.firm_name(db, r.owner_firm_id),
             "region": r.region, "region_name": regions.name_of(r.region), "terms": r.terms, "price_won": r.price_won,
             "available_from": r.available_from.isoformat(),
             "available_until": r.available_until.isoformat() if r.available_until else None,
             "patent_number": r.patent_number, "score": round(scores[r.id], 3)} for r in rows]
    if as_json:
        typer.echo(json.dumps({"total": result.total, "listings": out}, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{result.total}건 / {result.total} found")
    for o in out:
        price_text = "무상" if o["terms"] == "free" else format_won(o["price_won"]) + (" /월" if o["terms"] == "lease" else "")
        typer.echo(f"#{o['id']} [{model.KIND_NAMES[o['kind']][0]}] {o['title']} · {o['owner']} · {o['region_name']} · "
                   f"{price_text}")
