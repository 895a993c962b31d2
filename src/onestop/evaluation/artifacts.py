"""Loading a trained model by version and scoring with it (the adapter around the pure core).

The models directory holds one folder per version (see `training`) and a file `CURRENT` naming
the version in use. `ONESTOP_MODEL_DIR` points elsewhere (an agency's own models);
`ONESTOP_MODEL_VERSION` pins a version. A missing folder, a missing file or an unknown version
raises `ModelUnavailable` with a clear message; callers route the application to a person.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from onestop.errors import DomainError
from onestop.evaluation import ratios
from onestop.evaluation.scoring import Factor, Recommendation, band_of, missing_reason, phrase, score_of
from onestop.evaluation.statements import Statements
from onestop.korea.hangul import josa

#: how many factors an explanation shows
TOP_FACTORS = 5


class ModelUnavailable(DomainError):
    """The model file is missing or of an unknown version: the application goes to a person."""


def models_dir() -> Path:
    from onestop.evaluation.training import shipped_models_dir

    configured = os.environ.get("ONESTOP_MODEL_DIR")
    return Path(configured) if configured else shipped_models_dir()


def current_version(directory: Path | None = None) -> str:
    directory = directory or models_dir()
    pinned = os.environ.get("ONESTOP_MODEL_VERSION")
    if pinned:
        return pinned
    try:
        return (directory / "CURRENT").read_text(encoding="utf-8").strip()
    except OSError:
        raise ModelUnavailable(code="model_missing", field="model",
                               ko=f"신용평가 모형이 없습니다 ({directory}/CURRENT). `onestop model train`으로 학습하세요. "
                                  "신청은 담당자가 직접 검토합니다.",
                               en=f"No credit model is installed ({directory}/CURRENT); train one with `onestop model train`. "
                                  "Applications go to a person.") from None


@dataclass
class Model:
    """A loaded booster with its card (features, medians, training distributions)."""

    version: str
    booster: Any
    card: dict[str, Any]
    directory: Path

    @property
    def features(self) -> list[dict[str, Any]]:
        features: list[dict[str, Any]] = self.card["features"]
        return features

    def matrix(self, rows: list[dict[str, float | None]]) -> np.ndarray:
        keys = [f["key"] for f in self.features]
        out = np.full((len(rows), len(keys)), np.nan)
        for i, row in enumerate(rows):
            for j, k in enumerate(keys):
                v = row.get(k)
                if v is not None:
                    out[i, j] = v
        return out

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        p: np.ndarray = self.booster.predict(x, num_threads=1)
        return p

    def explain(self, values: dict[str, float | None], *, statements_version: int | None = None,
                top: int = TOP_FACTORS) -> Recommendation:
        """Score one firm's ratios and phrase its largest TreeSHAP contributions."""
        x = self.matrix([values])
        contrib = self.booster.predict(x, pred_contrib=True, num_threads=1)[0]
        raw = float(contrib.sum())
        p = float(1.0 / (1.0 + np.exp(-raw)))
        score = score_of(p)
        order = np.argsort(-np.abs(contrib[:-1]))
        factors = []
        for j in order:
            f = self.features[int(j)]
            if values.get(f["key"]) is None or abs(contrib[j]) < 1e-9:
                continue  # a missing input is listed as missing, not as a reason
            ko, en = phrase(f["ko"], f["en"], values[f["key"]], f["median"], float(contrib[j]))
            factors.append(Factor(f["key"], values[f["key"]], float(contrib[j]), ko, en))
            if len(factors) == top:
                break
        missing = tuple(missing_reason(f["key"], f["ko"], f["en"]) for f in self.features if values.get(f["key"]) is None)
        return Recommendation(score=score, band=band_of(score).code, model_version=self.version, probability=p,
                              factors=tuple(factors), missing=missing, statements_version=statements_version)

    def recommend(self, statements: Statements, *, statements_version: int | None = None) -> Recommendation:
        return self.explain(ratios.compute(statements), statements_version=statements_version)

    def scores(self, rows: list[dict[str, float | None]]) -> np.ndarray:
        """Scores (0–1000) of many firms at once (the batch path: one matrix, one predict)."""
        p = self.probabilities(self.matrix(rows))
        return np.rint(1000 * (1.0 - p)).astype(int)


_cache: dict[tuple[str, str], Model] = {}
_lock = threading.Lock()


def load(version: str | None = None, directory: Path | None = None) -> Model:
    """The model of `version` (default: CURRENT) from `directory`; cached per process.

    Raises ModelUnavailable when the version's folder or files are missing or unreadable."""
    import lightgbm as lgb

    directory = directory or models_dir()
    version = version or current_version(directory)
    key = (str(directory), version)
    with _lock:
        if key in _cache:
            return _cache[key]
        folder = directory / version
        if not (folder / "model.txt").is_file() or not (folder / "card.json").is_file():
            known = sorted(p.name for p in directory.iterdir() if (p / "model.txt").is_file()) if directory.is_dir() else []
            raise ModelUnavailable(code="model_version", field="model",
                                   ko=f"모형 버전 {josa(repr(version), '을')} 찾을 수 없습니다. 설치된 버전: {', '.join(known) or '없음'}. "
                                      "신청은 담당자가 직접 검토합니다.",
                                   en=f"Model version {version!r} is not installed; installed: {', '.join(known) or 'none'}. "
                                      "Applications go to a person.")
        try:
            card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
            booster = lgb.Booster(model_file=str(folder / "model.txt"))
        except (OSError, ValueError, lgb.basic.LightGBMError) as exc:
            raise ModelUnavailable(code="model_unreadable", field="model",
                                   ko=f"모형 {version} 파일을 읽을 수 없습니다 ({type(exc).__name__}). 신청은 담당자가 직접 검토합니다.",
                                   en=f"Model {version} cannot be read ({type(exc).__name__}). Applications go to a person.") from None
        if [f["key"] for f in card.get("features", [])] != list(booster.feature_name()):
            raise ModelUnavailable(code="model_schema", field="model",
                                   ko=f"모형 {version}의 입력 항목이 카드와 다릅니다. 신청은 담당자가 직접 검토합니다.",
                                   en=f"Model {version}'s inputs differ from its card. Applications go to a person.")
        model = Model(version=version, booster=booster, card=card, directory=folder)
        _cache[key] = model
        return model
