"""`onestop model …` (train, metrics, card) and `onestop score FIRM.json`: thin, the work is in
`training`, `artifacts` and `scoring`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from onestop.errors import DomainError

model_app = typer.Typer(help="The credit model: train, metrics, card.", no_args_is_help=True)
out = Console()
err = Console(stderr=True, soft_wrap=True)


def _fail(error: DomainError, code: int = 1) -> None:
    err.print(f"[bold red]오류[/] {error.ko}")
    err.print(f"[bold red]Error[/] {error.en}")
    for p in error.problems:
        err.print(f"  • [bold]{p.field}[/]: {p.ko}")
        err.print(f"    {p.en}")
    raise typer.Exit(code)


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


DataOpt = Annotated[Path | None, typer.Option("--data", help="Labelled ratios: ARFF of UCI 365, or CSV of AttrN/ratio columns and class")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Models directory (default: the shipped one or ONESTOP_MODEL_DIR)")]


@model_app.command("train")
def train(data: DataOpt = None,
          horizon: Annotated[int, typer.Option("--horizon", help="Years ahead: 1 (5year.arff) or 5 (1year.arff)")] = 1,
          out_dir: OutOpt = None,
          version: Annotated[str | None, typer.Option("--version", help="Version name (default polish-h<horizon>-<date>)")] = None,
          n_estimators: Annotated[int | None, typer.Option("--n-estimators", help="Trees (default 300)")] = None,
          make_current: Annotated[bool, typer.Option("--current/--no-current", help="Write CURRENT to this version")] = True) -> None:
    """Measure three models on the same 5 folds, fit the platform model, write a versioned artifact and card."""
    from onestop.evaluation import artifacts, training

    target = out_dir or artifacts.models_dir()
    params = {"n_estimators": n_estimators} if n_estimators else None
    try:
        card = training.train(target, data_path=data, horizon=horizon, version=version, params=params)
    except DomainError as e:
        _fail(e, 2)
        raise
    if make_current:
        (target / "CURRENT").write_text(card["version"] + "\n", encoding="utf-8")
    out.print(f"[green]학습 완료[/] trained {card['version']} → {target / card['version']}")
    for m in card["metrics"]:
        out.print(f"  {m['model']:<18} ROC AUC {m['roc_auc']:.3f}  PR AUC {m['pr_auc']:.3f}  Brier {m['brier']:.4f}")


@model_app.command("metrics")
def metrics(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
            version: Annotated[str | None, typer.Option("--version")] = None) -> None:
    """The honest-metrics table of a model version (same folds for every model)."""
    from onestop.evaluation import artifacts

    try:
        model = artifacts.load(version)
    except DomainError as e:
        _fail(e, 2)
        raise
    rows = [{"model": m["model"], "roc_auc": m["roc_auc"], "pr_auc": m["pr_auc"], "brier": m["brier"],
             "roc_auc_ci": m["roc_auc_ci"], "pr_auc_ci": m["pr_auc_ci"], "brier_ci": m["brier_ci"]}
            for m in model.card["metrics"]]
    if as_json:
        _json(rows)
        return
    out.print(f"[bold]{model.version}[/] — {model.card['data']['rows']} firms, {model.card['data']['bankrupt']} bankrupt, "
              f"{model.card['cv']['folds']}-fold stratified CV (seed {model.card['cv']['seed']})")
    for r in rows:
        out.print(f"  {r['model']:<18} ROC AUC {r['roc_auc']:.3f} [{r['roc_auc_ci'][0]:.3f}, {r['roc_auc_ci'][1]:.3f}]  "
                  f"PR AUC {r['pr_auc']:.3f}  Brier {r['brier']:.4f}")


def _statements_of(path: Path) -> Any:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        _fail(DomainError(code="file", field=str(path), ko=f"파일을 읽을 수 없습니다: {path} ({exc.strerror})",
                          en=f"Cannot read {path}: {exc.strerror}"), 2)
    except ValueError as exc:
        _fail(DomainError(code="json", field=str(path), ko=f"JSON 형식이 아닙니다: {path} ({exc})",
                          en=f"Not JSON: {path} ({exc})"), 2)
    if isinstance(doc, dict) and "statements" in doc:
        return doc["statements"]
    return doc


def score(firm: Annotated[Path, typer.Argument(help="JSON with the firm's statements: {\"statements\": [...]} or {\"years\": [...]}")],
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
          version: Annotated[str | None, typer.Option("--version", help="Model version (default CURRENT)")] = None) -> None:
    """Score a firm's statements: score, band, model version, factors and missing inputs."""
    from onestop.evaluation import artifacts
    from onestop.evaluation.statements import parse_statements

    try:
        statements = parse_statements(_statements_of(firm))
        rec = artifacts.load(version).recommend(statements)
    except DomainError as e:
        _fail(e)
        raise
    data = rec.as_dict()
    if as_json:
        _json({k: data[k] for k in ("score", "band", "model_version", "probability", "factors", "missing")})
        return
    band = rec.band_info
    out.print(f"[bold]점수 score {rec.score}[/] / 1000 · 등급 band {band.ko} · model {rec.model_version}")
    out.print(f"[dim]{band.en}. 권고일 뿐 결정이 아닙니다 — a recommendation, not a decision.[/]")
    for f in rec.factors:
        out.print(f"  • {f.ko}\n    [dim]{f.en}[/]")
    for m in rec.missing:
        out.print(f"  ? {m.ko}\n    [dim]{m.en}[/]")


def mount(app: typer.Typer) -> None:
    """Add `onestop model …` and `onestop score` to the top-level command line."""
    app.add_typer(model_app, name="model")
    app.command("score")(score)
