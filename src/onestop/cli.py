"""The `onestop` command line: thin, every rule lives in the core."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from onestop.errors import DomainError
from onestop.firms.model import FirmProfile, parse_firm_json

app = typer.Typer(help="onestop: Korean SME support programs, eligibility with reasons.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
programs_app = typer.Typer(help="Browse the program catalog.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
catalog_app = typer.Typer(help="Check the program catalog.", no_args_is_help=True)
app.add_typer(programs_app, name="programs")
app.add_typer(catalog_app, name="catalog")

out = Console()
err = Console(stderr=True, soft_wrap=True)

DateOpt = Annotated[str | None, typer.Option("--date", help="Reference date YYYY-MM-DD (default today)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]


def _fail(error: DomainError, code: int = 1) -> None:
    err.print(f"[bold red]오류[/] {error.ko}")
    err.print(f"[bold red]Error[/] {error.en}")
    for p in error.problems:
        err.print(f"  • [bold]{p.field}[/]: {p.ko}")
        err.print(f"    {p.en}")
    raise typer.Exit(code)


def _date(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(DomainError(code="date", field="--date",
                          ko=f"--date는 YYYY-MM-DD 형식이어야 합니다: {value!r}",
                          en=f"--date must be YYYY-MM-DD; got {value!r}."), 2)
        raise  # unreachable


def _firm(path: Path) -> FirmProfile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        _fail(DomainError(code="file", field=str(path),
                          ko=f"파일을 읽을 수 없습니다: {path} ({exc.strerror})",
                          en=f"Cannot read {path}: {exc.strerror}"), 2)
    try:
        return parse_firm_json(text)
    except DomainError as e:
        _fail(e)
        raise


def _engine() -> Any:
    from onestop.matching.services import Engine

    try:
        return Engine.shipped()
    except DomainError as e:
        _fail(e, 2)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.command()
def validate(firm: Path) -> None:
    """Validate a firm profile JSON (exit 0 valid, 1 with field errors)."""
    profile = _firm(firm)
    out.print(f"[green]유효[/] valid: {profile.name} ({profile.brn})")


@app.command()
def classify(firm: Path, date_: DateOpt = None, as_json: JsonOpt = False) -> None:
    """SME size class (중소기업 범위) of a firm on a date, with the parameters used."""
    on = _date(date_)
    result = _engine().classify(_firm(firm), on)
    if as_json:
        _print_json(result)
        return
    names = {"small": "소기업 (small)", "medium": "중기업 (medium)", "non_sme": "중소기업 아님 (non-SME)",
             None: "판단 불가 (unknown)"}
    out.print(f"[bold]{result['name']}[/] ({result['brn']}) — {on}")
    out.print(f"규모 size: [bold]{names[result['size_class']]}[/]  ·  "
              f"소상공인 micro-enterprise: {result['is_micro_enterprise']}  ·  "
              f"기준 parameters: {result['parameters_version']}")
    for r in result["reasons"]:
        out.print(f"  • {r['ko']}\n    [dim]{r['en']}[/]")


@app.command()
def match(firm: Path, date_: DateOpt = None, as_json: JsonOpt = False) -> None:
    """Programs the firm qualifies for, near misses and packages, with reasons. `--json` gives the
    full form: every program with every criterion (the API's `?explain=full`)."""
    on = _date(date_)
    engine = _engine()
    result = engine.match(_firm(firm), on)
    if as_json:
        _print_json(result)
        return
    out.print(f"[bold]{result['name']}[/] ({result['brn']}) — {on}, 카탈로그 {result['catalog_version']}"
              f", 기준 {result['parameters_version']}")
    _table("신청 가능 Eligible", result["eligible"], show_missing=False)
    _table("아깝게 놓친 사업 Near misses", result["near_misses"], show_missing=True)
    if result["needs_information"]:
        _table("정보가 더 필요한 사업 Needs information", result["needs_information"], show_missing=True)
    if result["packages"]:
        names = {p.id: p.spec.name.ko for p in engine.programs}
        out.print("\n[bold]연계 패키지 Packages[/]")
        for pkg in result["packages"]:
            out.print("  " + " → ".join(names[p] for p in pkg))
    for e in result["excluded"]:
        out.print(f"[dim]  제외 {e['ko']}[/]")


def _reason_lines(reasons: list[dict[str, Any]]) -> list[str]:
    """Why an eligible program fits: its own criteria that are met, one per line, and each
    shared rule (e.g. the policy-fund exclusion list) in one line. Alternatives of an `any`
    that did not matter are left to `--json`, which lists every criterion."""
    lines = [c["ko"] for c in reasons if not c["shared_rule"] and c["status"] == "met" and c.get("applied", True)]
    for name in dict.fromkeys(c["shared_rule"] for c in reasons if c["shared_rule"]):
        lines.append(f"공통 규칙 {name}: 제외 대상 아님 → 충족")
    return lines


def _table(title: str, rows: list[dict[str, Any]], show_missing: bool) -> None:
    table = Table(title=title, show_lines=True, title_justify="left")
    table.add_column("점수", justify="right")
    table.add_column("사업 Program")
    table.add_column("근거 Reasons")
    for r in rows:
        lines = [m["ko"] for m in r.get("missing", [])] if show_missing else _reason_lines(r["reasons"])
        table.add_row(str(r["score"]), f"{r['name_ko']}\n[dim]{r['name_en']}[/]", "\n".join(lines))
    out.print(table)


@programs_app.command("list")
def programs_list(category: Annotated[str | None, typer.Option(help="Filter by category")] = None,
                  as_json: JsonOpt = False) -> None:
    """List the programs in the catalog."""
    engine = _engine()
    rows = [p for p in engine.programs if category is None or p.spec.category.value == category]
    if as_json:
        _print_json([{"id": p.id, "name_ko": p.spec.name.ko, "name_en": p.spec.name.en,
                      "agency": p.spec.agency, "category": p.spec.category.value,
                      "support_type": p.spec.support_type.value} for p in rows])
        return
    table = Table(title=f"{len(rows)} programs")
    for col in ("id", "사업명", "기관", "분야", "유형"):
        table.add_column(col)
    for p in rows:
        table.add_row(p.id, p.spec.name.ko, p.spec.agency, p.spec.category.value,
                      p.spec.support_type.value)
    out.print(table)


@programs_app.command("show")
def programs_show(program_id: str, as_json: JsonOpt = False) -> None:
    """Show one program: limits, window, links, eligibility and source."""
    engine = _engine()
    try:
        program = engine.catalog.get(program_id)
    except DomainError as e:
        _fail(e)
        raise
    data = program.spec.model_dump(mode="json")
    if as_json:
        _print_json(data)
        return
    from onestop.catalog.figures import figure_values
    from onestop.rules.explain import criterion_text
    from onestop.rules.syntax import leaves

    s = program.spec
    out.print(f"[bold]{s.name.ko}[/] ({s.name.en}) — {s.id}")
    out.print(f"{s.agency} · {s.category.value} · {s.support_type.value}")
    out.print(s.summary.ko)
    out.print("[bold]자격 Eligibility[/]")
    for leaf in leaves(program.rule):
        ko, en = criterion_text(leaf)
        out.print(f"  • {ko}  [dim]{en}[/]")
    for line, _rule in program.line_rules:
        out.print(f"[bold]{line.name.ko}[/] ({line.name.en}): " + ", ".join(
            v for k, v in figure_values(program) if k.startswith(f"lines.{line.id}.") and ".eligibility." not in k))
    out.print(f"[bold]출처 Source[/] {s.source.citation()} {s.source.url or ''}")
    for key, why in s.unconfirmed_figures():
        out.print(f"[yellow]미확인 unconfirmed[/] {key}: {why}")


@catalog_app.command("check")
def catalog_check(path: Annotated[Path | None, typer.Argument(help="Catalog folder")] = None) -> None:
    """Load and type-check every program and rule; list every error."""
    from onestop.catalog.loader import load_catalog

    try:
        cat = load_catalog(path)
    except DomainError as e:
        _fail(e)
        raise
    unconfirmed = sum(1 for p in cat if p.spec.unconfirmed_figures())
    out.print(f"[green]OK[/] {len(cat)} programs, {len(cat.agencies)} agencies, "
              f"{len(cat.shared_rules)} shared rules, version {cat.version}; "
              f"{unconfirmed} programs list unconfirmed figures.")


@app.command()
def batch(
    firms: Annotated[str, typer.Argument(help="A .jsonl or .parquet file of profiles, or a registry folder "
                                         "(with --engine spark also an object-storage URI: s3a://, gs://)")],
    out_path: Annotated[str, typer.Option("--out", help="Result Parquet file (--engine spark: a Parquet folder, "
                                          "local or an object-storage URI)")],
    date_: DateOpt = None,
    engine: Annotated[str, typer.Option("--engine", help="polars (this machine) or spark (a cluster, or local)")]
    = "polars",
    master: Annotated[str, typer.Option("--master", help="Spark master URL for --engine spark")] = "local[2]",
    facts_dir: Annotated[Path | None, typer.Option("--facts-dir", help="--engine spark on a cluster, for a .jsonl "
                                                    "or .parquet file of profiles (a registry needs none): a folder "
                                                    "every executor can read, for the facts derived on this host")] = None,
) -> None:
    """Evaluate every firm in FIRMS (.jsonl, .parquet or a registry folder) against the catalog, vectorized."""
    from onestop.matching.batch import is_uri, run_batch, run_batch_spark

    if engine not in ("polars", "spark"):
        _fail(DomainError(code="engine", field="--engine", ko=f"--engine 값은 polars 또는 spark여야 합니다. 입력값: {engine!r}",
                          en=f"--engine must be polars or spark; got {engine!r}."), 2)
    try:
        if engine == "spark":
            summary = run_batch_spark(firms, out_path, _date(date_), _engine(), master, console=err,
                                      facts_dir=facts_dir)
        else:
            for name, value in (("FIRMS", firms), ("--out", out_path)):
                if is_uri(value):
                    raise DomainError(
                        code="batch_uri", field=name,
                        ko=f"{name}의 객체 저장소 경로({value})는 --engine spark로만 읽고 쓸 수 있습니다. "
                           "로컬 경로를 주거나 --engine spark를 쓰세요.",
                        en=f"{name} is an object-storage path ({value}), which only --engine spark reads "
                           "and writes; give a local path or use --engine spark.")
            summary = run_batch(Path(firms), Path(out_path), _date(date_), _engine(), console=err)
    except DomainError as e:
        _fail(e)
        raise
    out.print(f"[green]OK[/] {summary['firms']:,} firms × {summary['programs']} programs → "
              f"{out_path} ({summary['invalid']} invalid rows skipped, see {summary['errors_path']})")


DbOpt = Annotated[str | None, typer.Option("--database-url", help="Default: ONESTOP_DATABASE_URL or SQLite "
                                            "under the user data directory")]


def _database_url(value: str | None) -> str:
    from onestop.platform.settings import get_settings

    return value or get_settings().database_url


@contextmanager
def _migrated_database(database_url: str | None) -> Iterator[Any]:
    """A migrated database (for commands that need several units of work); any domain error
    becomes a CLI message."""
    from onestop.platform.db import Database
    from onestop.platform.migrate import ensure_migrated

    url = _database_url(database_url)
    database = Database(url)
    try:
        ensure_migrated(database.engine, url)
        yield database
    except DomainError as e:
        _fail(e)
    finally:
        database.dispose()


@contextmanager
def _migrated(database_url: str | None) -> Iterator[Any]:
    """One unit of work on a migrated database; any domain error becomes a CLI message."""
    with _migrated_database(database_url) as database, database.unit_of_work() as db:
        yield db


@db_app.command("upgrade")
def db_upgrade(database_url: DbOpt = None) -> None:
    """Apply every migration to the database."""
    from onestop.platform.migrate import upgrade

    url = _database_url(database_url)
    revision = upgrade(url)
    out.print(f"[green]OK[/] schema at {revision} ({url.split('@')[-1]})")


@catalog_app.command("import")
def catalog_import(path: Annotated[Path | None, typer.Argument(help="Catalog folder (default: shipped)")] = None,
                   database_url: DbOpt = None) -> None:
    """Import the YAML catalog into the database; changed programs get a new version."""
    from onestop.catalog.loader import load_catalog
    from onestop.catalog.services import import_catalog

    with _migrated(database_url) as db:
        summary = import_catalog(db, load_catalog(path))
    out.print(f"[green]OK[/] {summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged; "
              f"catalog revision {summary.revision}")


@demo_app.command("seed")
def demo_seed(database_url: DbOpt = None,
              firms: Annotated[int, typer.Option(help="Registry firms to generate")] = 300) -> None:
    """Create demo accounts of every role, the scenario firms and a registry of realistic firms."""
    from onestop.catalog.services import EngineCache
    from onestop.demo.seed import ACCOUNTS, PASSWORD, seed, seed_applications
    from onestop.platform.settings import Settings
    from onestop.platform.state import make_store

    with _migrated(database_url) as db:
        summary = seed(db, firms)
        revision, engine = EngineCache().get(db)
        summary["applications"] = seed_applications(db, make_store(Settings()), engine, revision) \
            if engine.programs else 0
    table = Table(title=f"데모 계정 Demo accounts (비밀번호 password: {PASSWORD})")
    table.add_column("email")
    table.add_column("role")
    table.add_column("")
    for acc in ACCOUNTS:
        table.add_row(acc.email, acc.role.value + (f" · {acc.agency_id}" if acc.agency_id else ""), acc.name)
    out.print(table)
    out.print(f"[green]OK[/] {summary['users']} accounts, {summary['firms']} firms and "
              f"{summary['applications']} applications added")


docs_app = typer.Typer(help="Generated documentation.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")
app.add_typer(audit_app, name="audit")


@docs_app.command("lifecycle")
def docs_lifecycle(out_path: Annotated[Path, typer.Option("--out")] = Path("docs/applications-lifecycle.md")) -> None:
    """Write the application state machine (Mermaid diagram and tables) from the code."""
    from onestop.applications.lifecycle import markdown

    out_path.write_text(markdown(), encoding="utf-8")
    out.print(f"[green]OK[/] {out_path}")


@docs_app.command("catalog-figures")
def docs_catalog_figures(out_path: Annotated[Path, typer.Option("--out")] = Path("docs/catalog-figures.md")) -> None:
    """Write every program's figures and how each was checked against its source."""
    from onestop.catalog.figures import markdown
    from onestop.catalog.loader import shipped_catalog

    out_path.write_text(markdown(shipped_catalog()), encoding="utf-8")
    out.print(f"[green]OK[/] {out_path}")


@audit_app.command("verify")
def audit_verify(
    database_url: DbOpt = None,
    expect_anchor: Annotated[list[str] | None, typer.Option(
        "--expect-anchor", help="NUMBER:HASH of an anchor noted down earlier (from a previous verify); "
                                "repeatable. Catches an anchor chain rewritten inside the database")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Recompute every audit chain and the anchors; exit 1 naming the first broken link of each."""
    from onestop.audit.model import parse_witness
    from onestop.audit.services import verdict_json, verify_chain

    try:
        expect = [parse_witness(x) for x in expect_anchor or []]
    except DomainError as e:
        _fail(e, 2)
    with _migrated(database_url) as db:
        verdict = verify_chain(db, expect)
    if as_json:
        out.print_json(json.dumps(verdict_json(verdict), ensure_ascii=False))
    elif verdict.ok:
        newest = (f"; newest anchor {verdict.last_anchor.seq}:{verdict.last_anchor.hash} (note it down elsewhere and "
                  f"pass it to --expect-anchor later)") if verdict.last_anchor else ""
        out.print(f"[green]OK[/] {verdict.checked} records in {verdict.chains} chains and {verdict.anchors} anchors, "
                  f"every chain intact{newest}", soft_wrap=True)
    else:
        for p in verdict.problems:
            err.print(f"[bold red]깨짐 BROKEN[/] at {p.where()}: {p.ko} / {p.en}")
        listed = f" (the first {len(verdict.problems)} listed)" if verdict.broken > len(verdict.problems) else ""
        err.print(f"{verdict.broken} broken chain(s){listed}; {verdict.checked} records verified")
    if not verdict.ok:
        raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor(database_url: DbOpt = None) -> None:
    """Commit the heads of every chain that moved since the last anchor (for cron when the web
    app's anchoring thread is off: ONESTOP_AUDIT_ANCHOR_INTERVAL=0)."""
    from onestop.audit.anchor import drain

    with _migrated_database(database_url) as database:
        made = drain(database)
    out.print(f"[green]OK[/] {made} anchor(s) made")


@app.command("expire")
def expire(database_url: DbOpt = None) -> None:
    """Expire drafts and unanswered supplement requests past their deadline (run it from cron)."""
    from onestop.applications.services import expire_overdue

    with _migrated(database_url) as db:
        n = expire_overdue(db)
    out.print(f"[green]OK[/] {n} application(s) expired")


@app.command("remind")
def remind(days: Annotated[int, typer.Option("--days", min=0, help="Remind of deadlines within this many "
                                             "Korean business days")] = 3,
           database_url: DbOpt = None) -> None:
    """Remind firms of application deadlines N business days ahead, once per deadline (run it daily from cron)."""
    from onestop.applications.reminders import send_reminders

    with _migrated(database_url) as db:
        n = send_reminders(db, days)
    out.print(f"[green]OK[/] 마감 알림 {n}건 / {n} deadline reminder(s) created")


mail_app = typer.Typer(help="Notification emails (the outbox).", no_args_is_help=True)
app.add_typer(mail_app, name="mail")


@mail_app.command("send")
def mail_send(database_url: DbOpt = None,
              batch: Annotated[int, typer.Option(min=1, help="Emails per transaction")] = 100) -> None:
    """Send the notification emails waiting in the outbox (for cron; `serve` also sends them itself)."""
    from onestop.alerts.outbox import drain
    from onestop.platform import mail
    from onestop.platform.settings import Settings

    # Read fresh: SMTP settings come from this command's environment.
    settings = Settings(database_url=_database_url(database_url))
    if not mail.enabled(settings):
        _fail(DomainError(code="smtp_not_configured", field="ONESTOP_SMTP_HOST",
                          ko="SMTP가 설정되지 않아 메일을 보낼 수 없습니다. ONESTOP_SMTP_HOST를 설정하세요.",
                          en="SMTP is not configured, so no mail can be sent; set ONESTOP_SMTP_HOST."), 2)
    with _migrated_database(settings.database_url) as database:
        n = drain(database, settings, batch)
    out.print(f"[green]OK[/] 메일 {n}건 발송 / {n} email(s) sent")


def serve_base_url(host: str, port: int) -> str:
    """The base URL of links in emails for a server on `host`:`port` ("0.0.0.0" and "::" are
    written as 127.0.0.1, an IPv6 address in brackets), e.g. ``http://127.0.0.1:8791``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else (f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}"


@app.command()
def serve(host: Annotated[str, typer.Option()] = "127.0.0.1",
          port: Annotated[int, typer.Option()] = 8000,
          database_url: DbOpt = None,
          workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
          worker_timeout: Annotated[int, typer.Option(
              min=1, help="Seconds a worker may take to answer the supervisor's health check (starting up "
                          "included) before it is killed and replaced; with --workers above 1")] = 60) -> None:
    """Start the web app (API under /api/v1, pages, /docs).

    With several workers, uvicorn's supervisor pings each worker every half second and kills one
    that does not answer within `worker_timeout` seconds. uvicorn's own default, 5 s, is shorter
    than a worker's start on a busy 2-core machine (importing the app took 17 s of wall time at a
    load average of 8–13): new workers were killed before they could answer, and replaced again
    and again (21 workers started in one run of bench/apply_fault.py instead of 4), each start
    costing ~5 s of CPU and every request in flight on the killed one (BENCHMARKS.md, issue 14 §6)."""
    import os

    import uvicorn

    from onestop.platform.db import Database
    from onestop.platform.migrate import ensure_migrated

    url = _database_url(database_url)
    os.environ["ONESTOP_DATABASE_URL"] = url
    # links in emails (reset, confirmation, invitations, notifications) follow the address the
    # server listens on (`make run PORT=…`, `--port`) unless ONESTOP_BASE_URL says otherwise
    os.environ.setdefault("ONESTOP_BASE_URL", serve_base_url(host, port))
    database = Database(url)
    try:
        ensure_migrated(database.engine, url)
    except DomainError as e:
        _fail(e, 2)
    finally:
        database.dispose()
    out.print(f"onestop → http://{host}:{port}  (API docs http://{host}:{port}/docs)")
    # The workers share one listening socket. libuv (under uvloop) accepts every waiting
    # connection at once, so the first worker to wake took most of a burst of clients and kept
    # them: one worker at full load, the other idle, measured. Accepting one connection at a time
    # lets the workers share them (libuv's UV_TCP_SINGLE_ACCEPT; BENCHMARKS.md, "The fast lane").
    if workers > 1:
        os.environ.setdefault("UV_TCP_SINGLE_ACCEPT", "1")
    uvicorn.run("onestop.platform.asgi:app", host=host, port=port, workers=workers, log_level="warning",
                proxy_headers=False, timeout_worker_healthcheck=worker_timeout)


from onestop.evaluation.cli import mount as _mount_evaluation  # noqa: E402 - each feature mounts its own commands

_mount_evaluation(app)


def main() -> None:
    """Entry point: a user sees a message, never a stack trace."""
    try:
        app()
    except DomainError as e:
        _fail(e)
    except Exception as exc:  # pragma: no cover - last line of defence
        err.print("[bold red]내부 오류[/] 예기치 않은 오류가 발생했습니다. 입력은 변경되지 않았습니다.")
        err.print(f"[bold red]Internal error[/] unexpected {type(exc).__name__}: {exc}")
        raise SystemExit(70) from None


def _mount_features() -> None:
    """Features that own their command groups (ARCHITECTURE.md: each mounts its own sub-app)."""
    from onestop.advisory.cli import app as advisory_app
    from onestop.evaluation.fasttrack_cli import app as fasttrack_app
    from onestop.exports.cli import app as exports_app
    from onestop.funds.cli import app as funds_app
    from onestop.jobs.cli import app as jobs_app
    from onestop.marketplace.cli import app as marketplace_app
    from onestop.matching.cli import app as recommendations_app
    from onestop.outcomes.cli import mount as mount_outcomes
    from onestop.registry.cli import mount as mount_registry

    app.add_typer(fasttrack_app, name="fasttrack")
    app.add_typer(funds_app, name="funds")
    app.add_typer(recommendations_app, name="recommendations")
    app.add_typer(jobs_app, name="jobs")
    app.add_typer(advisory_app, name="advisory")
    app.add_typer(exports_app, name="exports")
    app.add_typer(marketplace_app, name="marketplace")
    mount_outcomes(app)
    mount_registry(app)


_mount_features()
