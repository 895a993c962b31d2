"""Bands and explanations: what a score means and how its factors are said (pure core).

The model gives a probability `p` that the firm goes bankrupt within the horizon (one year for the
shipped model). The score is `round(1000 × (1 − p))`: 0–1000, higher is safer. The band is a
*recommendation* to the officer, never a decision: the model never rejects anyone, and a firm
with no statements gets no band at all (it goes to a person).

Band thresholds (on the score; the probabilities in brackets). The shipped model's base rate is
6.9% (410 of 5,910 Polish firms), so band C holds firms near that average:

| band | score | probability of bankruptcy | recommendation |
|---|---|---|---|
| A | ≥ 980 | < 2% | 우선 검토 (low risk) — fast-track eligible |
| B | 950–979 | 2–5% | 일반 검토 (moderate risk) — fast-track eligible |
| C | 850–949 | 5–15% | 심층 검토 (elevated risk) |
| D | < 850 | ≥ 15% | 전문가 심층 검토 (high risk): an officer reads every factor |

Explanations come from TreeSHAP contributions (LightGBM `pred_contrib`, in log-odds of
bankruptcy): a positive contribution raised the risk (lowered the score). Each factor is phrased
from the ratio's name and whether its value sits above or below the training median
("부채 의존도가 높아 점수가 낮아졌습니다").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onestop.korea.hangul import josa


@dataclass(frozen=True)
class Band:
    code: str
    min_score: int
    ko: str
    en: str
    fast_track: bool


#: Highest first; a score belongs to the first band whose `min_score` it reaches.
BANDS: tuple[Band, ...] = (
    Band("A", 980, "A (저위험) — 우선 검토 권고", "A (low risk) — recommend priority review", True),
    Band("B", 950, "B (보통) — 일반 검토 권고", "B (moderate risk) — recommend standard review", True),
    Band("C", 850, "C (주의) — 심층 검토 권고", "C (elevated risk) — recommend in-depth review", False),
    Band("D", 0, "D (고위험) — 전문가 심층 검토 권고", "D (high risk) — recommend expert review of every factor", False),
)
BAND = {b.code: b for b in BANDS}
#: bands in which a crisis-fund application may enter the fast track (issue 8 item 6)
FAST_TRACK_BANDS = tuple(b.code for b in BANDS if b.fast_track)


def score_of(probability: float) -> int:
    """0–1000, higher is safer: `round(1000 × (1 − p))`. Raises ValueError outside 0 ≤ p ≤ 1."""
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"probability {probability} outside [0, 1]")
    return round(1000 * (1.0 - probability))


def band_of(score: int) -> Band:
    """The band a 0–1000 score falls in (see the table above)."""
    return next(b for b in BANDS if score >= b.min_score)


@dataclass(frozen=True)
class Factor:
    """One ratio's share in the score: its key, value, TreeSHAP contribution (log-odds of
    bankruptcy; positive lowers the score) and the sentence shown, in Korean and English."""

    feature: str
    value: float | None
    contribution: float
    ko: str
    en: str

    def as_dict(self) -> dict[str, object]:
        return {"feature": self.feature, "value": self.value, "contribution": round(self.contribution, 4),
                "ko": self.ko, "en": self.en}


@dataclass(frozen=True)
class Missing:
    """An input the model could not see: the ratio and why, in both languages."""

    feature: str
    ko: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"feature": self.feature, "ko": self.ko, "en": self.en}


@dataclass(frozen=True)
class Recommendation:
    """What the model recommends for one firm: score, band, the model version, the factors shown
    (largest first) and the inputs that were missing. A recommendation, not a decision."""

    score: int
    band: str
    model_version: str
    probability: float
    factors: tuple[Factor, ...]
    missing: tuple[Missing, ...] = field(default_factory=tuple)
    statements_version: int | None = None

    @property
    def band_info(self) -> Band:
        return BAND[self.band]

    def as_dict(self) -> dict[str, object]:
        return {"score": self.score, "band": self.band, "model_version": self.model_version,
                "probability": round(self.probability, 6),
                "factors": [f.as_dict() for f in self.factors],
                "missing": [m.as_dict() for m in self.missing], "statements_version": self.statements_version}


def phrase(ko_name: str, en_name: str, value: float | None, median: float | None, contribution: float) -> tuple[str, str]:
    """The sentence for one factor: whether the value is high or low against the training median,
    and whether that lowered or raised the score (`contribution` > 0 raises the risk)."""
    lowered = contribution > 0
    if value is None or median is None:
        level_ko, level_en = "알 수 없어", "is unknown, which"
    elif value >= median:
        level_ko, level_en = "높아", "is high, which"
    else:
        level_ko, level_en = "낮아", "is low, which"
    effect_ko = "점수가 낮아졌습니다" if lowered else "점수가 높아졌습니다"
    effect_en = "lowered the score" if lowered else "raised the score"
    return f"{josa(ko_name, '이')} {level_ko} {effect_ko}.", f"The {en_name} {level_en} {effect_en}."


def missing_reason(key: str, ko_name: str, en_name: str) -> Missing:
    """Why a ratio is missing: the previous year is not stated (sales growth) or its denominator is zero."""
    if key == "sales_growth":
        return Missing(key, f"{ko_name}: 전년도 재무제표가 없어 계산하지 않았습니다 (채우지 않고 결측으로 두었습니다).",
                       f"{en_name}: no previous year stated, so not computed (left missing, not filled in).")
    return Missing(key, f"{ko_name}: 분모가 0이라 계산할 수 없습니다 (채우지 않고 결측으로 두었습니다).",
                   f"{en_name}: its denominator is zero, so it cannot be computed (left missing, not filled in).")
