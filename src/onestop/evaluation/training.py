"""Training the credit model on the Polish companies bankruptcy data, and measuring it honestly.

`onestop model train` runs `train()`: it reads the ARFF file of the chosen horizon (or an agency's
own labelled ratios in the same schema), measures three models on the *same* stratified 5-fold
split with fixed seeds — LightGBM on the ratios the platform computes (`lightgbm_platform`),
LightGBM on all 64 (`lightgbm_all`) and a standardised logistic regression (`logistic`) — from
out-of-fold predictions (ROC AUC, PR AUC, Brier, with bootstrap 95% intervals, and a reliability
curve), then fits the platform model on every row and writes a versioned artifact:

    <models dir>/<version>/model.txt       the LightGBM booster (text format)
    <models dir>/<version>/card.json       what the model card and the pages show: data, horizon,
                                           features, metrics, calibration, the training
                                           distributions (medians, PSI bins)
    <models dir>/<version>/reliability.png the reliability curve

LightGBM handles missing values natively (no imputation, no oversampling). The logistic baseline
cannot, so it gets the fold's training medians and standardisation inside its pipeline — the
usual way such a baseline is built, said in the card.

File naming in UCI 365 is counter-intuitive: `5year.arff` holds ratios from the fifth year of
the forecasting period with the status *one* year later (horizon 1), `1year.arff` the status
five years later (horizon 5). `HORIZON_FILES` keeps that straight.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from onestop.errors import DomainError
from onestop.evaluation import ratios
from onestop.evaluation.scoring import score_of

HORIZON_FILES = {1: "5year.arff", 5: "1year.arff"}
ALL_ATTRS = tuple(f"Attr{i}" for i in range(1, 65))
SEED = 20160410  # the data set's publication date: any fixed seed, written down
FOLDS = 5

#: the shipped configuration; tests pass a smaller n_estimators
PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.05, "n_estimators": 300, "num_leaves": 15,
    "min_child_samples": 20, "subsample": 0.8, "subsample_freq": 1, "colsample_bytree": 0.8,
    "reg_lambda": 1.0, "random_state": SEED, "n_jobs": 1, "verbose": -1,
}


def shipped_data_dir() -> Path:
    return Path(str(resources.files("onestop") / "data" / "polish-bankruptcy"))


def shipped_models_dir() -> Path:
    return Path(str(resources.files("onestop") / "data" / "models"))


@dataclass
class Dataset:
    """Ratios (rows × columns, NaN where missing), labels (1 = bankrupt), the column names, the source."""

    x: np.ndarray
    y: np.ndarray
    columns: list[str]
    source: str
    sha256: str

    def platform(self) -> np.ndarray:
        """The columns the platform computes, in `ratios.RATIOS` order (NaN columns when the file lacks one)."""
        index = {c: i for i, c in enumerate(self.columns)}
        out = np.full((len(self.y), len(ratios.RATIOS)), np.nan)
        for j, r in enumerate(ratios.RATIOS):
            if r.attr in index:
                out[:, j] = self.x[:, index[r.attr]]
            elif r.key in index:
                out[:, j] = self.x[:, index[r.key]]
        return out


def _bad_file(path: Path, ko: str, en: str) -> DomainError:
    return DomainError(code="training_data", field="--data", ko=f"{path}: {ko}", en=f"{path}: {en}")


def load(path: Path) -> Dataset:
    """An ARFF file of UCI 365 (`Attr1`…`Attr64`, `class`, `?` for missing) or a CSV with a header
    naming `AttrN` columns (or platform ratio keys) and a `class` column of 0/1.

    Raises DomainError naming the file and the line when it is not in that schema."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _bad_file(path, f"파일을 읽을 수 없습니다 ({exc.strerror}).", f"cannot read the file ({exc.strerror}).") from None
    text = raw.decode("utf-8", errors="replace")
    lines = [ln.strip() for ln in text.splitlines()]
    columns: list[str] = []
    rows: list[str]
    if path.suffix.lower() == ".arff":
        start = next((i for i, ln in enumerate(lines) if ln.lower() == "@data"), None)
        if start is None:
            raise _bad_file(path, "@data 줄이 없습니다.", "no @data line.")
        columns = [ln.split()[1] for ln in lines[:start] if ln.lower().startswith("@attribute")]
        rows = [ln for ln in lines[start + 1:] if ln and not ln.startswith("%")]
    else:
        header, *rows = [ln for ln in lines if ln]
        columns = [c.strip() for c in header.split(",")]
        if not rows:
            raise _bad_file(path, "데이터 행이 없습니다.", "no data rows.")
    if "class" not in columns:
        raise _bad_file(path, "'class' 열(부도 1, 정상 0)이 없습니다.", "no 'class' column (1 bankrupt, 0 not).")
    known = set(ALL_ATTRS) | set(ratios.KEYS)
    unknown = [c for c in columns if c != "class" and c not in known]
    if unknown:
        raise _bad_file(path, f"알 수 없는 열: {', '.join(unknown[:5])} (Attr1~Attr64 또는 플랫폼 비율 이름만 허용).",
                        f"unknown columns: {', '.join(unknown[:5])} (only Attr1–Attr64 or the platform's ratio names).")
    width = len(columns)
    label = columns.index("class")
    x = np.full((len(rows), width - 1), np.nan)
    y = np.zeros(len(rows), dtype=np.int8)
    for i, row in enumerate(rows):
        cells = row.split(",")
        if len(cells) != width:
            raise _bad_file(path, f"{i + 1}번째 데이터 행의 값이 {len(cells)}개입니다 ({width}개여야 함).",
                            f"data row {i + 1} has {len(cells)} values; {width} expected.")
        j = 0
        for k, cell in enumerate(cells):
            cell = cell.strip().strip("'\"")
            if k == label:
                if cell not in ("0", "1"):
                    raise _bad_file(path, f"{i + 1}번째 행의 class는 0 또는 1이어야 합니다: {cell!r}",
                                    f"row {i + 1}: class must be 0 or 1; got {cell!r}.")
                y[i] = int(cell)
                continue
            if cell not in ("?", ""):
                try:
                    x[i, j] = float(cell)
                except ValueError:
                    raise _bad_file(path, f"{i + 1}번째 행 {columns[k]} 값이 숫자가 아닙니다: {cell[:20]!r}",
                                    f"row {i + 1}, {columns[k]}: not a number: {cell[:20]!r}.") from None
            j += 1
    if y.sum() < FOLDS or (len(y) - y.sum()) < FOLDS:
        raise _bad_file(path, f"부도와 정상 기업이 각각 {FOLDS}개 이상 있어야 합니다.",
                        f"needs at least {FOLDS} bankrupt and {FOLDS} other firms.")
    return Dataset(x=x, y=y, columns=[c for c in columns if c != "class"], source=str(path),
                   sha256=hashlib.sha256(raw).hexdigest())


def _lgbm(params: dict[str, Any]) -> Any:
    import lightgbm as lgb

    return lgb.LGBMClassifier(**params)


def _logistic() -> Any:
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                         LogisticRegression(max_iter=2000, random_state=SEED))


def _metrics(y: np.ndarray, p: np.ndarray, rounds: int = 300) -> dict[str, Any]:
    """ROC AUC, PR AUC (average precision) and Brier of out-of-fold predictions, each with a
    percentile bootstrap 95% interval (`rounds` resamples of the rows, fixed seed)."""
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    fns = {"roc_auc": roc_auc_score, "pr_auc": average_precision_score, "brier": brier_score_loss}
    out: dict[str, Any] = {name: float(fn(y, p)) for name, fn in fns.items()}
    rng = np.random.default_rng(SEED)
    samples: dict[str, list[float]] = {name: [] for name in fns}
    n = len(y)
    for _ in range(rounds):
        idx = rng.integers(0, n, n)
        if y[idx].min() == y[idx].max():
            continue
        for name, fn in fns.items():
            samples[name].append(float(fn(y[idx], p[idx])))
    for name in fns:
        lo, hi = np.percentile(samples[name], [2.5, 97.5])
        out[f"{name}_ci"] = [float(lo), float(hi)]
    return out


def _reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Quantile bins of predicted probability: mean predicted and observed rate, with counts."""
    edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    out = []
    for b in range(len(edges) - 1):
        mask = which == b
        if mask.any():
            out.append({"predicted": float(p[mask].mean()), "observed": float(y[mask].mean()), "count": int(mask.sum())})
    return out


def _plot(curves: dict[str, list[dict[str, float]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect calibration")
    for name, points in curves.items():
        ax.plot([q["predicted"] for q in points], [q["observed"] for q in points], marker="o", label=name)
    ax.set_xlabel("mean predicted probability of bankruptcy")
    ax.set_ylabel("observed bankruptcy rate")
    ax.set_title("Reliability (out-of-fold, 10 quantile bins)")
    top = max(max(q["predicted"], q["observed"]) for pts in curves.values() for q in pts)
    ax.set_xlim(0, min(1.0, top * 1.1))
    ax.set_ylim(0, min(1.0, top * 1.1))
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def _psi_bins(values: np.ndarray, bins: int = 10) -> list[float]:
    """Inner decile edges of the non-missing training values (PSI buckets, missing its own bucket)."""
    present = values[~np.isnan(values)]
    if len(present) == 0:
        return []
    return [float(e) for e in np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1]))]


def _shares(values: np.ndarray, edges: list[float]) -> list[float]:
    """Share of values per bucket: one per interval between `edges`, then one for missing."""
    missing = np.isnan(values)
    which = np.searchsorted(np.asarray(edges), values[~missing], side="right")
    counts = np.bincount(which, minlength=len(edges) + 1).astype(float)
    total = len(values)
    return [float(c / total) for c in counts] + [float(missing.sum() / total)]


def cross_validate(data: Dataset, params: dict[str, Any]) -> tuple[dict[str, np.ndarray], list[list[int]]]:
    """Out-of-fold probabilities of the three models on one stratified 5-fold split (seed `SEED`)."""
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    plat, every = data.platform(), data.x
    oof = {name: np.zeros(len(data.y)) for name in ("lightgbm_platform", "lightgbm_all", "logistic")}
    splits: list[list[int]] = []
    for train, test in folds.split(plat, data.y):
        splits.append([int(i) for i in test[:5]])
        for name, x in (("lightgbm_platform", plat), ("lightgbm_all", every), ("logistic", plat)):
            model = _logistic() if name == "logistic" else _lgbm(params)
            model.fit(x[train], data.y[train])
            oof[name][test] = model.predict_proba(x[test])[:, 1]
    return oof, splits


def default_version(horizon: int, when: datetime) -> str:
    return f"polish-h{horizon}-{when:%Y%m%d}"


def train(out_dir: Path, *, data_path: Path | None = None, horizon: int = 1, version: str | None = None,
          params: dict[str, Any] | None = None, bootstrap: int = 300) -> dict[str, Any]:
    """Measure, fit and write a versioned model; returns the card (also written as card.json).

    Raises DomainError for an unknown horizon or a training file not in the schema."""
    if horizon not in HORIZON_FILES:
        raise DomainError(code="horizon", field="--horizon", ko="--horizon은 1 또는 5(년)만 가능합니다.",
                          en="--horizon must be 1 or 5 (years).")
    params = {**PARAMS, **(params or {})}
    path = data_path or shipped_data_dir() / HORIZON_FILES[horizon]
    data = load(path)
    started = time.perf_counter()
    oof, _ = cross_validate(data, params)
    cv_seconds = time.perf_counter() - started
    metrics = [{"model": name, **_metrics(data.y, p, bootstrap)} for name, p in oof.items()]
    curves = {name: _reliability(data.y, p) for name, p in oof.items()}

    started = time.perf_counter()
    plat = data.platform()
    final = _lgbm(params)
    final.fit(plat, data.y, feature_name=list(ratios.KEYS))
    fit_seconds = time.perf_counter() - started
    now = datetime.now(UTC)
    version = version or default_version(horizon, now)
    target = out_dir / version
    target.mkdir(parents=True, exist_ok=True)
    final.booster_.save_model(str(target / "model.txt"))
    train_p = final.booster_.predict(plat)
    scores = np.array([score_of(float(p)) for p in train_p], dtype=float)
    card: dict[str, Any] = {
        "version": version,
        "trained_at": now.isoformat(timespec="seconds"),
        "horizon_years": horizon,
        "data": {"source": "UCI 365 Polish companies bankruptcy data (CC BY 4.0)" if data_path is None else str(path),
                 "file": path.name, "sha256": data.sha256, "rows": len(data.y),
                 "bankrupt": int(data.y.sum()), "base_rate": float(data.y.mean())},
        "features": [{"key": r.key, "attr": r.attr, "ko": r.ko, "en": r.en, "formula_ko": r.formula_ko,
                      "formula_en": r.formula_en, "note": r.note,
                      "median": None if np.isnan(plat[:, j]).all() else float(np.nanmedian(plat[:, j])),
                      "missing_share": float(np.isnan(plat[:, j]).mean()),
                      "psi_edges": _psi_bins(plat[:, j])} for j, r in enumerate(ratios.RATIOS)],
        "params": {k: v for k, v in params.items() if k != "n_jobs"},
        "cv": {"folds": FOLDS, "seed": SEED, "stratified": True, "bootstrap_rounds": bootstrap},
        "metrics": metrics,
        "reliability": curves,
        "score_edges": _psi_bins(scores),
        "score_shares": _shares(scores, _psi_bins(scores)),
        "timing_seconds": {"cross_validation": round(cv_seconds, 2), "final_fit": round(fit_seconds, 2)},
    }
    for f, j in zip(card["features"], range(plat.shape[1]), strict=True):
        f["psi_shares"] = _shares(plat[:, j], f["psi_edges"])
    (target / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=1), encoding="utf-8")
    _plot({k: v for k, v in curves.items()}, target / "reliability.png")
    return card

