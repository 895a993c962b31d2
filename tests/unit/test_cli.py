"""The command line: exit codes, JSON shapes, errors in both languages, batch evaluation."""

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from onestop.cli import app
from tests.conftest import EXAMPLES, example

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def test_validate_ok_and_field_errors(tmp_path: Path) -> None:
    assert run("validate", str(EXAMPLES / "young-founder.json")).exit_code == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**example("young-founder"), "brn": "415-81-25300"}), encoding="utf-8")
    result = run("validate", str(bad))
    assert result.exit_code == 1
    assert "brn" in result.output and "검증번호" in result.output and "check digit" in result.output


def test_validate_missing_file_is_a_message_not_a_trace(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_classify_json_keys() -> None:
    result = run("classify", str(EXAMPLES / "young-founder.json"), "--date", "2026-11-23", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["size_class"] == "small" and data["is_sme"] is True
    assert data["is_micro_enterprise"] is True and data["parameters_version"] == "2026"
    assert data["reasons"] and {"ko", "en"} <= set(data["reasons"][0])


def test_classify_picks_the_version_in_force() -> None:
    result = run("classify", str(EXAMPLES / "exporter.json"), "--date", "2024-06-30", "--json")
    assert json.loads(result.stdout)["parameters_version"] == "2015"


def test_bad_date_is_explained() -> None:
    result = run("classify", str(EXAMPLES / "exporter.json"), "--date", "2026-02-30")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_match_json_shape() -> None:
    result = run("match", str(EXAMPLES / "young-founder.json"), "--date", "2026-02-02", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("eligible", "near_misses", "packages"):
        assert key in data
    row = data["eligible"][0]
    assert {"program_id", "name_ko", "name_en", "score", "reasons"} <= set(row)
    assert all(isinstance(p, list) and all(isinstance(i, str) for i in p) for p in data["packages"])


def test_match_text_output() -> None:
    result = run("match", str(EXAMPLES / "crisis.json"), "--date", "2026-11-23")
    assert result.exit_code == 0
    assert "긴급경영안정자금" in result.output and "Near misses" in result.output


def test_programs_list_show_and_catalog_check() -> None:
    listed = json.loads(run("programs", "list", "--json").stdout)
    assert len(listed) >= 40
    shown = run("programs", "show", "kosmes-youth-startup-fund")
    assert shown.exit_code == 0 and "대표자 만 39세 이하" in shown.output
    assert run("programs", "show", "nope").exit_code == 1
    check = run("catalog", "check")
    assert check.exit_code == 0 and "OK" in check.output


def test_catalog_check_fails_on_a_broken_catalog(tmp_path: Path) -> None:
    (tmp_path / "programs").mkdir()
    (tmp_path / "programs" / "x.yaml").write_text("id: x\n", encoding="utf-8")
    result = run("catalog", "check", str(tmp_path))
    assert result.exit_code == 1 and "programs/x.yaml" in result.output


def test_batch_jsonl_and_parquet_agree_with_single_match(tmp_path: Path) -> None:
    names = ["young-founder", "exporter", "crisis", "lessor", "tax-arrears", "seoul-software"]
    src = tmp_path / "firms.jsonl"
    lines = [json.dumps(example(n), ensure_ascii=False) for n in names]
    lines.insert(2, json.dumps({**example("exporter"), "brn": "123"}))  # one invalid row
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "result.parquet"
    result = run("batch", str(src), "--out", str(out), "--date", "2026-11-23")
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(out)
    assert frame.height == len(names)
    errors = (tmp_path / "result.errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(errors) == 1 and json.loads(errors[0])["row"] == 3
    single = json.loads(run("match", str(EXAMPLES / "crisis.json"), "--date", "2026-11-23",
                            "--json").stdout)
    row = frame.filter(pl.col("brn") == single["brn"]).row(0, named=True)
    eligible = {r["program_id"] for r in single["eligible"]}
    batch_true = {k for k, v in row.items() if v is True and "/" not in k}
    excluded = {e["program_id"] for e in single["excluded"]}
    assert eligible <= batch_true and batch_true - eligible <= excluded
    # Lines have columns of their own (`program/line`), true exactly where the match says the line fits.
    for rec in single["eligible"]:
        for line in rec.get("lines", []):
            expected = {"eligible": True, "unknown": None, "not_eligible": False}[line["status"]]
            assert row[f"{rec['program_id']}/{line['line_id']}"] is expected
    # The same firms as Parquet give the same result.
    pq_src = tmp_path / "firms.parquet"
    pl.DataFrame([{**example(n), "revenue": json.dumps(example(n)["revenue"]),
                   "certifications": json.dumps(example(n).get("certifications", [])),
                   "support_history": json.dumps(example(n).get("support_history", []))}
                  for n in names]).write_parquet(pq_src)
    out2 = tmp_path / "result2.parquet"
    assert run("batch", str(pq_src), "--out", str(out2), "--date", "2026-11-23").exit_code == 0
    assert pl.read_parquet(out2).equals(frame)
