"""`onestop jobs …` (mounted by `onestop.cli`): rank postings for a seeker profile, import and
export postings in the 고용24 open-API layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from onestop.errors import DomainError
from onestop.korea.hangul import josa

app = typer.Typer(help="Jobs: match a seeker to open postings; import and export postings (고용24 layout).",
                  no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]
DbOpt = Annotated[str | None, typer.Option("--database-url", help="Default: ONESTOP_DATABASE_URL or SQLite "
                                            "under the user data directory")]


def _cli() -> Any:
    from onestop import cli

    return cli


def _read_json(path: Path, what_ko: str, what_en: str) -> Any:
    cli = _cli()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        cli._fail(DomainError(code="file", field=str(path), ko=f"{what_ko} 파일 {josa(str(path), '을')} 읽을 수 없습니다: {e}",
                              en=f"Cannot read the {what_en} file {path}: {e}"), 2)


@app.command("match")
def match(
    seeker: Annotated[Path, typer.Argument(help="A seeker profile as JSON (see examples/seeker-50s-suncheon.json)")],
    date_: Annotated[str | None, typer.Option("--date", help="Reference date YYYY-MM-DD (default today)")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="How many postings")] = 10,
    lang: Annotated[str, typer.Option("--lang", help="ko or en: the language of the reasons (text output)")] = "ko",
    database_url: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rank the open postings in the database for SEEKER, each with its score and reasons."""
    from onestop.jobs import services
    from onestop.text import normalise_tree

    cli = _cli()
    on = cli._date(date_)
    data = normalise_tree(_read_json(seeker, "구직자 프로필", "seeker profile"))
    try:
        profile = services.seeker_from_data(data if isinstance(data, dict) else {}, on)
    except DomainError as e:
        cli._fail(e)
        raise
    with cli._migrated(database_url) as db:
        ranked = services.match_postings(db, profile, on, limit)
    if as_json:
        cli._print_json([{"posting_id": r.match.posting_id, "score": round(r.match.score, 2), "title": r.posting.title,
                          "company": r.company, "reasons": [p.as_dict() for p in r.match.parts]} for r in ranked])
        return
    for r in ranked:
        cli.out.print(f"[bold]{r.match.score:6.1f}[/]  #{r.match.posting_id} {r.posting.title} · {r.company}")
        for p in r.match.parts:
            cli.out.print(f"        {p.points:5.1f}/{p.max_points:<3} {p.en if lang == 'en' else p.ko}")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Postings in the 고용24 open-API layout: a JSON list of records, "
                                              "or {\"wantedRoot\": {\"wanted\": [...]}}")],
    database_url: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load postings of registered firms (matched by busino); all or none."""
    from onestop.jobs import services
    from onestop.text import normalise_tree

    cli = _cli()
    data = normalise_tree(_read_json(file, "공고", "postings"))
    records = data.get("wantedRoot", {}).get("wanted", []) if isinstance(data, dict) else data
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        cli._fail(DomainError(code="format", field=str(file), ko="공고 파일은 레코드(JSON 객체)의 목록이어야 합니다.",
                              en="The postings file must be a list of records (JSON objects)."), 2)
    with cli._migrated(database_url) as db:
        rows = services.import_worknet(db, records)
        result = [{"posting_id": r.id, "wantedAuthNo": r.external_id, "title": r.title, "closes_on": r.closes_on.isoformat()}
                  for r in rows]
    if as_json:
        cli._print_json(result)
        return
    cli.out.print(f"[green]OK[/] {len(result)}건의 공고를 가져왔습니다 / imported {len(result)} postings")
    for r in result:
        cli.out.print(f"  #{r['posting_id']} {r['wantedAuthNo']} {r['title']} (~{r['closes_on']})")


@app.command("export")
def export(
    date_: Annotated[str | None, typer.Option("--date", help="Postings open on this date (default today)")] = None,
    database_url: DbOpt = None,
) -> None:
    """Print the open postings in the 고용24 open-API layout ({"wantedRoot": {"total", "wanted"}})."""
    from sqlalchemy import select

    from onestop.jobs import services
    from onestop.jobs.tables import JobPostingRow

    cli = _cli()
    on = cli._date(date_)
    with cli._migrated(database_url) as db:
        rows = list(db.scalars(select(JobPostingRow).where(JobPostingRow.opens_on <= on, JobPostingRow.closes_on >= on)
                               .order_by(JobPostingRow.id)))
        records = services.export_worknet(db, rows)
    cli._print_json({"wantedRoot": {"total": len(records), "wanted": records}})
