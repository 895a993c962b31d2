"""`onestop exports …` (mounted by `onestop.cli`): the exporters a buyer inquiry would go to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from onestop.errors import DomainError

app = typer.Typer(help="Export buyer inquiries matched to exporters.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]
DbOpt = Annotated[str | None, typer.Option("--database-url", help="Default: ONESTOP_DATABASE_URL or SQLite "
                                            "under the user data directory")]


def _cli() -> Any:
    from onestop import cli

    return cli


def _read(path: Path) -> Any:
    from onestop.text import normalise_tree

    try:
        return normalise_tree(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise DomainError(code="file", field=str(path), ko=f"파일을 읽을 수 없습니다: {path} ({exc.strerror})",
                          en=f"Cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise DomainError(code="file", field=str(path), ko=f"JSON 형식이 아닙니다: {path} ({exc})",
                          en=f"{path} is not JSON: {exc}") from None


def exporters_from_file(path: Path) -> list[Any]:
    """Exporters as data: a JSON list of {firm_id, name, hs_codes, ksic, certifications, countries, export_usd};
    each HS code checked like a firm's declaration."""
    from onestop.exports.model import Exporter
    from onestop.exports.services import check_products

    data = _read(path)
    if not isinstance(data, list):
        raise DomainError(code="invalid", field=str(path), ko="수출기업 파일은 JSON 목록이어야 합니다.",
                          en="The exporters file is a JSON list.")
    out = []
    for i, e in enumerate(data, start=1):
        codes, certs, nations = check_products(e.get("hs_codes", []), e.get("certifications", []),
                                               e.get("countries", []))
        out.append(Exporter(firm_id=int(e.get("firm_id", i)), name=str(e["name"]), hs_codes=tuple(codes),
                            ksic=str(e.get("ksic", "")), sido=str(e.get("sido", "")), certifications=frozenset(certs),
                            countries=frozenset(nations), export_usd=int(e.get("export_usd", 0))))
    return out


@app.command("match")
def match_cmd(inquiry: Annotated[Path, typer.Argument(help="The inquiry: buyer country, product, HS code, quantity, "
                                                      "target price, deadline")],
              exporters: Annotated[Path | None, typer.Option("--exporters", help="Exporters as JSON (default: the "
                                                             "firms' declarations in the database)")] = None,
              database_url: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Exporters ranked for INQUIRY, with the reasons for each."""
    from onestop.exports import hs, services
    from onestop.exports.model import COUNTRIES

    cli = _cli()
    try:
        raw = _read(inquiry)
        if not isinstance(raw, dict):
            raise DomainError(code="invalid", field=str(inquiry), ko="인콰이어리 파일은 JSON 객체여야 합니다.",
                              en="The inquiry file is a JSON object.")
        parsed = services.inquiry_of(raw, services.today_kst())
        if exporters is not None:
            pool = exporters_from_file(exporters)
        else:
            with cli._migrated(database_url) as db:
                pool = services.exporters(db)
        ranked = services.rank(parsed, pool)
    except DomainError as e:
        cli._fail(e)
        raise
    data = {"inquiry": {"buyer_country": parsed.buyer_country, "hs_code": parsed.hs_code,
                        "hs_name_ko": hs.name(parsed.hs_code, "ko"), "hs_name_en": hs.name(parsed.hs_code, "en"),
                        "product": parsed.product},
            "exporters_considered": len(pool), "matches": [m.as_dict() for m in ranked]}
    if as_json:
        cli._print_json(data)
        return
    country = COUNTRIES[parsed.buyer_country]
    cli.out.print(f"{country[0]} ({country[1]}) — HS {hs.shown_code(parsed.hs_code)} {hs.name(parsed.hs_code, 'ko')}: "
                  f"{len(ranked)} of {len(pool):,} exporters")
    for m in ranked:
        cli.out.print(f"  {m.score:>3}  {m.exporter.name}: {'; '.join(r[0] for r in m.reasons)}")
