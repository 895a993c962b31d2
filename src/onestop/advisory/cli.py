"""`onestop advisory …` (mounted by `onestop.cli`): where a need would go, and the reminders."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from onestop.errors import DomainError

app = typer.Typer(help="Advisory requests routed to experts.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]
DbOpt = Annotated[str | None, typer.Option("--database-url", help="Default: ONESTOP_DATABASE_URL or SQLite "
                                            "under the user data directory")]


def _cli() -> Any:
    from onestop import cli

    return cli


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DomainError(code="file", field=str(path), ko=f"파일을 읽을 수 없습니다: {path} ({exc.strerror})",
                          en=f"Cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise DomainError(code="file", field=str(path), ko=f"JSON 형식이 아닙니다: {path} ({exc})",
                          en=f"{path} is not JSON: {exc}") from None


def need_from_file(path: Path, on: date) -> Any:
    """A need file: subject, title, body and the firm's profile (as `onestop validate` reads it)."""
    from onestop.advisory.model import NeedFacts
    from onestop.advisory.services import check_need
    from onestop.firms.facts import derive
    from onestop.firms.model import parse_firm_json
    from onestop.text import normalise_tree

    data = normalise_tree(_read(path))
    if not isinstance(data, dict) or not isinstance(data.get("firm"), dict):
        raise DomainError(code="invalid", field="firm", ko="요청 파일에 기업 정보(firm)가 있어야 합니다.",
                          en="The need file needs the firm's profile under \"firm\".")
    subject, _, _ = check_need(str(data.get("subject", "")), str(data.get("title", "")), str(data.get("body", "")))
    f = derive(parse_firm_json(json.dumps(data["firm"], ensure_ascii=False)), on)
    return NeedFacts(subject=subject, sido=f["sido"], ksic=f["ksic"], size_class=f["size_class"],
                     business_age_years=f["business_age_years"])


def experts_from_file(path: Path) -> list[Any]:
    """Experts as data: a JSON list of {id, name, institution, subjects, regions, filters, capacity, open}."""
    from onestop.advisory.model import Expert, parse_filters

    data = _read(path)
    if not isinstance(data, list):
        raise DomainError(code="invalid", field=str(path), ko="전문가 파일은 JSON 목록이어야 합니다.",
                          en="The experts file is a JSON list.")
    out = []
    for i, e in enumerate(data, start=1):
        out.append(Expert(id=int(e.get("id", i)), name=str(e["name"]), institution=str(e.get("institution", "")),
                          subjects=frozenset(e.get("subjects", [])), regions=frozenset(e.get("regions", [])),
                          filters=parse_filters(e.get("filters", {})), capacity=int(e.get("capacity", 10)),
                          open_load=int(e.get("open", 0))))
    return out


@app.command("route")
def route_cmd(need: Annotated[Path, typer.Argument(help="The need: subject, title, body and the firm's profile")],
              experts: Annotated[Path | None, typer.Option("--experts", help="Experts as JSON (default: the "
                                                           "experts registered in the database)")] = None,
              date_: Annotated[str | None, typer.Option("--date", help="Reference date YYYY-MM-DD (default today)")]
              = None,
              database_url: DbOpt = None, as_json: JsonOpt = False) -> None:
    """The experts NEED would go to, with the reason for each and why the others were left out."""
    from onestop.advisory.model import SUBJECT_NAMES, route

    cli = _cli()
    on = cli._date(date_)
    try:
        facts = need_from_file(need, on)
        if experts is not None:
            pool = experts_from_file(experts)
        else:
            from onestop.advisory.services import experts as registered

            with cli._migrated(database_url) as db:
                pool = registered(db)
        decision = route(facts, pool)
    except DomainError as e:
        cli._fail(e)
        raise
    data = {"need": {"subject": facts.subject, "sido": facts.sido, "ksic": facts.ksic, "size_class": facts.size_class,
                     "business_age_years": facts.business_age_years}, **decision.as_dict()}
    if as_json:
        cli._print_json(data)
        return
    s_ko, s_en = SUBJECT_NAMES[facts.subject]
    cli.out.print(f"{s_ko} ({s_en}) — {decision.considered:,} experts considered, {len(decision.routed)} chosen")
    for r in decision.routed:
        cli.out.print(f"  • {r.expert.name} ({r.expert.institution}): {r.ko}\n    [dim]{r.en}[/]")
    for x in data["excluded"]:
        cli.out.print(f"  – {x['ko']} / {x['en']}: {x['experts']:,}")


@app.command("expert")
def expert_cmd(email: Annotated[str, typer.Argument(help="The expert's email (the sign-in name)")],
               name: Annotated[str, typer.Option("--name", help="Name shown to firms")],
               institution: Annotated[str, typer.Option("--institution", help="e.g. 전경련중소기업협력센터")],
               subjects: Annotated[str, typer.Option("--subjects", help="Comma-separated: tech, export, management, "
                                                     "finance, people, market, smart_factory")],
               password: Annotated[str, typer.Option("--password", prompt=True, hide_input=True,
                                                     help="For a new account (asked when not given)")],
               regions: Annotated[str, typer.Option("--regions", help="Comma-separated 시도 codes; empty: "
                                                    "nationwide")] = "",
               ksic: Annotated[str, typer.Option("--ksic", help="KSIC prefixes accepted, e.g. C,J62")] = "",
               exclude_ksic: Annotated[str, typer.Option("--exclude-ksic", help="KSIC prefixes refused")] = "",
               sizes: Annotated[str, typer.Option("--sizes", help="micro, small, medium")] = "",
               min_age: Annotated[str, typer.Option("--min-age", help="Minimum business age (years)")] = "",
               max_age: Annotated[str, typer.Option("--max-age", help="Maximum business age (years)")] = "",
               capacity: Annotated[int, typer.Option("--capacity", help="Open requests at a time")] = 10,
               database_url: DbOpt = None) -> None:
    """Create an expert account (role `expert`) if it does not exist, and register or update its
    routing profile: subjects, regions, match filters and capacity."""
    from sqlalchemy import select

    from onestop.accounts import services as accounts
    from onestop.accounts.model import Principal, Role
    from onestop.accounts.tables import UserRow
    from onestop.advisory.services import register_expert

    cli = _cli()
    operator = Principal(user_id=0, email="cli", name="onestop advisory expert", role=Role.admin, agency_id=None,
                         firms={})
    try:
        with cli._migrated(database_url) as db:
            user = db.scalar(select(UserRow).where(UserRow.email == accounts.normal_email(email)))
            if user is None:
                user = accounts.create_account(db, email=email, password=password, name=name, role=Role.expert,
                                               confirmed=True)
            elif user.role != Role.expert.value:
                raise DomainError(code="invalid", field="email", ko="이미 다른 역할로 가입된 이메일입니다.",
                                  en="This email belongs to an account with another role.")
            row = register_expert(db, operator, user_id=user.id, institution=institution,
                                  subjects=subjects.split(","), regions=regions.split(","),
                                  filters={"ksic_prefixes": ksic, "exclude_ksic_prefixes": exclude_ksic,
                                           "sizes": sizes, "min_business_age": min_age, "max_business_age": max_age},
                                  capacity=capacity)
            expert_id = row.id
    except DomainError as e:
        cli._fail(e)
        raise
    cli.out.print(f"[green]OK[/] expert #{expert_id}: {email}")


@app.command("remind")
def remind(database_url: DbOpt = None) -> None:
    """Send the advisory reminders due today (+7, +21, +45 business days), each once; run daily from cron."""
    from onestop.advisory.services import send_reminders

    with _cli()._migrated(database_url) as db:
        n = send_reminders(db)
    _cli().out.print(f"[green]OK[/] {n} advisory reminder(s) queued")
