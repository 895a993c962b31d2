"""The credit model: trained on the real Polish data (a small configuration), measured honestly on
the same folds, loaded by version, explained in Korean and English (issue 8 items 2–5, 9)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from onestop.cli import app
from onestop.errors import DomainError
from onestop.evaluation import artifacts, ratios, training
from onestop.evaluation.scoring import BANDS, FAST_TRACK_BANDS, band_of, phrase, score_of
from onestop.evaluation.statements import parse_statements
from tests.unit.test_statements import daesung

SMALL = {"n_estimators": 60, "learning_rate": 0.1}


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("models")
    card = training.train(out, version="test-h1", params=SMALL, bootstrap=60)
    (out / "CURRENT").write_text("test-h1\n", encoding="utf-8")
    return out, card


def _metric(card: dict[str, Any], model: str, name: str) -> float:
    return float(next(m[name] for m in card["metrics"] if m["model"] == model))


def test_lightgbm_beats_the_logistic_baseline_on_the_same_folds(trained: tuple[Path, dict[str, Any]]) -> None:
    _, card = trained
    assert card["data"]["rows"] == 5910 and card["data"]["bankrupt"] == 410  # 5year.arff = the one-year horizon
    assert card["horizon_years"] == 1 and card["cv"] == {"folds": 5, "seed": training.SEED, "stratified": True,
                                                         "bootstrap_rounds": 60}
    for model in ("lightgbm_platform", "lightgbm_all"):
        assert _metric(card, model, "roc_auc") > _metric(card, "logistic", "roc_auc") + 0.05
        assert _metric(card, model, "pr_auc") > _metric(card, "logistic", "pr_auc")
        assert _metric(card, model, "brier") < _metric(card, "logistic", "brier")
    assert _metric(card, "lightgbm_platform", "roc_auc") > 0.80
    lo, hi = next(m["roc_auc_ci"] for m in card["metrics"] if m["model"] == "lightgbm_platform")
    assert lo < _metric(card, "lightgbm_platform", "roc_auc") < hi


def test_artifact_is_versioned_with_card_and_reliability_plot(trained: tuple[Path, dict[str, Any]]) -> None:
    out, card = trained
    folder = out / "test-h1"
    assert (folder / "reliability.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((folder / "card.json").read_text(encoding="utf-8"))["version"] == "test-h1"
    model = artifacts.load("test-h1", out)
    assert model.booster.feature_name() == list(ratios.KEYS)
    assert sum(b["count"] for b in card["reliability"]["lightgbm_platform"]) == 5910


def test_unknown_version_and_missing_directory_are_clear_errors(tmp_path: Path, trained: tuple[Path, dict[str, Any]]) -> None:
    out, _ = trained
    with pytest.raises(artifacts.ModelUnavailable) as e:
        artifacts.load("polish-h1-19990101", out)
    assert "test-h1" in e.value.en and "담당자" in e.value.ko
    with pytest.raises(artifacts.ModelUnavailable) as e2:
        artifacts.load(None, tmp_path / "nowhere")
    assert e2.value.code == "model_missing"


def test_daesung_is_scored_with_factors_in_korean_and_english(trained: tuple[Path, dict[str, Any]]) -> None:
    out, _ = trained
    model = artifacts.load("test-h1", out)
    rec = model.recommend(parse_statements([daesung(2025), daesung(2024, revenue=9_000_000_000)]), statements_version=2)
    assert 0 <= rec.score <= 1000 and rec.band == band_of(rec.score).code
    assert rec.model_version == "test-h1" and rec.statements_version == 2
    assert 1 <= len(rec.factors) <= 5
    assert [abs(f.contribution) for f in rec.factors] == sorted((abs(f.contribution) for f in rec.factors), reverse=True)
    for f in rec.factors:
        assert f.ko.endswith("점수가 낮아졌습니다.") or f.ko.endswith("점수가 높아졌습니다.")
        assert "score" in f.en and f.feature in ratios.KEYS
    assert rec.missing == ()  # two years stated, no zero denominator


def test_missing_inputs_are_listed_never_filled(trained: tuple[Path, dict[str, Any]]) -> None:
    out, _ = trained
    model = artifacts.load("test-h1", out)
    rec = model.recommend(parse_statements([daesung(interest_expense=0)]))
    assert [m.feature for m in rec.missing] == ["sales_growth", "interest_coverage"]
    assert "전년도" in rec.missing[0].ko and "not filled in" in rec.missing[0].en
    assert all(f.feature not in ("sales_growth", "interest_coverage") for f in rec.factors)


def test_batch_scores_agree_with_the_one_firm_path(trained: tuple[Path, dict[str, Any]]) -> None:
    out, _ = trained
    model = artifacts.load("test-h1", out)
    firms = [daesung(revenue=r, cost_of_sales=int(r * 0.84)) for r in (3_000_000_000, 7_020_000_000, 12_000_000_000)]
    rows = [ratios.compute(parse_statements([f])) for f in firms]
    assert list(model.scores(rows)) == [model.explain(r).score for r in rows]


def test_cli_metrics_and_score_json(trained: tuple[Path, dict[str, Any]], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out, _ = trained
    monkeypatch.setenv("ONESTOP_MODEL_DIR", str(out))
    runner = CliRunner()
    result = runner.invoke(app, ["model", "metrics", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["model"] for r in rows] == ["lightgbm_platform", "lightgbm_all", "logistic"]
    assert set(rows[0]) >= {"model", "roc_auc", "pr_auc", "brier"}
    firm = tmp_path / "daesung.json"
    firm.write_text(json.dumps({"statements": [daesung(2025), daesung(2024, revenue=9_000_000_000)]}), encoding="utf-8")
    result = runner.invoke(app, ["score", str(firm), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"score", "band", "model_version", "factors", "missing"} and data["model_version"] == "test-h1"
    assert set(data["factors"][0]) >= {"feature", "contribution", "ko", "en"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"statements": [daesung(total_equity=1)]}), encoding="utf-8")
    result = runner.invoke(app, ["score", str(bad), "--json"])
    assert result.exit_code == 1 and "자산총계" in result.output and "Traceback" not in result.output


def test_training_data_not_in_the_schema_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "agency.csv"
    bad.write_text("Attr1,Attr2,default\n0.1,0.5,0\n", encoding="utf-8")
    with pytest.raises(DomainError) as e:
        training.load(bad)
    assert "class" in e.value.en
    bad.write_text("Attr1,Attr2,class\n0.1,abc,0\n", encoding="utf-8")
    with pytest.raises(DomainError) as e:
        training.load(bad)
    assert "Attr2" in e.value.en and "row 1" in e.value.en


def test_bands_cover_the_score_range_and_only_a_b_fast_track() -> None:
    assert [b.code for b in BANDS] == ["A", "B", "C", "D"] and FAST_TRACK_BANDS == ("A", "B")
    assert band_of(1000).code == "A" and band_of(980).code == "A" and band_of(979).code == "B"
    assert band_of(950).code == "B" and band_of(949).code == "C" and band_of(850).code == "C" and band_of(0).code == "D"
    assert score_of(0.02) == 980 and score_of(0.0) == 1000
    with pytest.raises(ValueError):
        score_of(1.5)


def test_phrases_choose_the_particle_and_direction() -> None:
    ko, en = phrase("부채 의존도", "liabilities to assets", 0.9, 0.5, 0.4)
    assert ko == "부채 의존도가 높아 점수가 낮아졌습니다." and en == "The liabilities to assets is high, which lowered the score."
    ko, _ = phrase("유동비율", "current ratio", 0.4, 1.1, 0.3)
    assert ko == "유동비율이 낮아 점수가 낮아졌습니다."
    ko, _ = phrase("총자산영업이익률", "operating return on assets", 0.2, 0.05, -0.5)
    assert ko == "총자산영업이익률이 높아 점수가 높아졌습니다."


def test_training_distributions_in_the_card_give_zero_drift_on_the_training_data(trained: tuple[Path, dict[str, Any]]) -> None:
    from onestop.evaluation import fairness

    _, card = trained
    data = training.load(training.shipped_data_dir() / "5year.arff")
    x = data.platform()
    for j, f in enumerate(card["features"]):
        live = fairness.shares([None if v != v else float(v) for v in x[:, j]], f["psi_edges"])
        assert fairness.psi(f["psi_shares"], live) == pytest.approx(0.0, abs=1e-9), f["key"]
    shifted = fairness.shares([v * 3 if v == v else None for v in x[:, 1]], card["features"][1]["psi_edges"])
    assert fairness.level(fairness.psi(card["features"][1]["psi_shares"], shifted)) == "act"  # debts tripled
