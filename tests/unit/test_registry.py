"""The national registry: a generated one holds valid, unique firms partitioned by 시도 whose facts
equal the per-firm path's; an agency's CSV extract is imported with a column mapping and its bad
rows reported; the reach of a program counts what one-by-one matching would."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from onestop.cli import app
from onestop.firms.facts import derive
from onestop.firms.model import parse_firm
from onestop.matching.services import Engine
from onestop.registry.columns import frame_facts
from onestop.registry.reach import FIXED_FACTS
from onestop.registry.schema import to_typed
from onestop.registry.store import read_parts
from onestop.registry.synthetic import as_profiles
from onestop.rules.evaluate import MET, UNKNOWN, evaluate_rule, flip_effects
from onestop.rules.syntax import Rule

ON = date(2026, 11, 23)
runner = CliRunner()


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reg") / "registry"
    result = runner.invoke(app, ["registry", "generate", "--out", str(root), "--firms", "800", "--seed", "3"])
    assert result.exit_code == 0, result.output
    return root


def test_generated_registry_is_partitioned_valid_and_agrees_with_per_firm_facts(registry: Path) -> None:
    folders = sorted(p.name for p in registry.iterdir())
    assert "sido=11" in folders and "sido=41" in folders and all(f.startswith("sido=") for f in folders)
    frame = pl.concat(list(read_parts(registry)))
    assert frame.height == 800 and frame.get_column("brn").n_unique() == 800
    assert (frame.get_column("region").str.slice(0, 2) == frame.get_column("sido")).all()
    facts, refused = frame_facts(*to_typed(frame), ON, date.today())
    assert refused == []
    assert frame_facts(*to_typed(frame), ON, date.today(), trusted=True)[0].equals(facts)  # reach's way
    for row, raw in zip(facts.head(300).iter_rows(named=True), as_profiles(frame.head(300)), strict=True):
        expected = derive(parse_firm(raw), ON)
        assert row["size_class"] == expected["size_class"] and row["revenue_avg3"] == expected["revenue_avg3"]
        assert row["ceo_age"] == expected["ceo_age"] and row["business_age_years"] == expected["business_age_years"]


def test_generate_refuses_to_overwrite(registry: Path) -> None:
    result = runner.invoke(app, ["registry", "generate", "--out", str(registry), "--firms", "10"])
    assert result.exit_code == 1 and "already holds a registry" in result.output


def test_import_maps_korean_columns_and_reports_bad_rows(tmp_path: Path) -> None:
    src = tmp_path / "extract.csv"
    src.write_text(
        "사업자번호,상호,업종,소재지,개업일,대표자생년월일,종업원,자산,매출_2024,매출_2025,벤처\n"
        "124-81-00998,한빛정밀,C29,41135,20100315,19700101,12,\"3,200,000,000\",2500000000,2800000000,Y\n"
        "124-81-00999,오류상사,G47,11680,2015-01-01,,3,,,,N\n"
        "220-81-62517,누리소프트,J62,47720,2019-06-01,1985-05-05,8,900000000,,1500000000,N\n"
        "101-86-12346,없는업종,Z99,11680,2015-01-01,,3,,,,\n",
        encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump({
        "columns": {"brn": "사업자번호", "name": "상호", "ksic": "업종", "region": "소재지", "founded_on": "개업일",
                    "ceo_birth_date": "대표자생년월일", "regular_employees": "종업원", "total_assets": "자산",
                    "certifications": "벤처"},
        "revenue": {"2024": "매출_2024", "2025": "매출_2025"}}, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "imported"
    result = runner.invoke(app, ["registry", "import", str(src), "--mapping", str(mapping), "--out", str(out)])
    assert result.exit_code == 0, result.output
    errors = [json.loads(line) for line in (tmp_path / "imported.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    by_row = {e["row"]: {p["field"] for p in e["problems"]} for e in errors}
    # "Y"/"N" are not certifications' names: refused with the field named, next to the other mistakes
    assert by_row == {1: {"certifications.0"}, 2: {"brn", "certifications.0"}, 3: {"certifications.0"},
                      4: {"ksic"}}
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("  certifications: 벤처\n", ""), encoding="utf-8")
    out2 = tmp_path / "imported2"
    result = runner.invoke(app, ["registry", "import", str(src), "--mapping", str(mapping), "--out", str(out2)])
    assert result.exit_code == 0, result.output
    errors = [json.loads(line) for line in (tmp_path / "imported2.errors.jsonl").read_text("utf-8").splitlines()]
    assert {e["row"]: {p["field"] for p in e["problems"]} for e in errors} == {2: {"brn"}, 4: {"ksic"}}
    frame = pl.concat(list(read_parts(out2))).sort("brn")
    assert frame.get_column("brn").to_list() == ["124-81-00998", "220-81-62517"]
    first, second = frame.iter_rows(named=True)
    assert first["total_assets"] == 3_200_000_000 and first["founded_on"] == date(2010, 3, 15)
    assert first["revenue"] == [{"year": 2024, "amount": 2_500_000_000}, {"year": 2025, "amount": 2_800_000_000}]
    assert second["region"] == "27720" and second["sido"] == "27"  # 군위군 moved to 대구 on 2023-07-01


def test_import_names_missing_mapping_fields(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns: {brn: a, name: b, 매출: c}\n", encoding="utf-8")
    (tmp_path / "x.csv").write_text("a,b\n", encoding="utf-8")
    result = runner.invoke(app, ["registry", "import", str(tmp_path / "x.csv"), "--mapping", str(mapping),
                                 "--out", str(tmp_path / "r")])
    assert result.exit_code == 1 and "Unknown fields: 매출" in result.output


@pytest.fixture(scope="module")
def firm_facts(registry: Path) -> list[dict[str, object]]:
    return [derive(parse_firm(raw), ON) for raw in as_profiles(pl.concat(list(read_parts(registry))))]


def _one_by_one(rule: Rule, all_facts: list[dict[str, object]]) -> dict[str, int]:
    out = {"eligible": 0, "near_miss": 0, "unknown": 0, "not_eligible": 0}
    for facts in all_facts:
        status = evaluate_rule(rule, facts)
        if status == MET:
            out["eligible"] += 1
        elif status == UNKNOWN:
            out["unknown"] += 1
        elif [x for x in flip_effects(rule, facts) if x.fact not in FIXED_FACTS]:
            out["near_miss"] += 1
        else:
            out["not_eligible"] += 1
    return out


@pytest.mark.parametrize("program_id", ["kosmes-youth-startup-fund", "kosmes-business-conversion-fund",
                                        "fki-business-mentoring"])
def test_reach_counts_what_one_by_one_matching_finds(registry: Path, firm_facts: list[dict[str, object]],
                                                     program_id: str) -> None:
    result = runner.invoke(app, ["reach", program_id, "--registry", str(registry), "--date", ON.isoformat(), "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    program = Engine.shipped().catalog.programs[program_id]
    assert got["totals"] == _one_by_one(program.rule, firm_facts)
    assert got["firms"] == 800
    for dim in ("sido", "size_class", "section", "ceo_age_band"):
        assert sum(r["firms"] for r in got["by"][dim]) == 800


def test_reach_of_a_draft_and_of_an_unknown_program(registry: Path, tmp_path: Path) -> None:
    raw = yaml.safe_load((Path("src/onestop/data/catalog/programs/fki-business-mentoring.yaml")).read_text("utf-8"))
    raw["id"] = "draft-mentoring"
    raw["eligibility"] = {"all": [raw["eligibility"]["all"][0],
                                  {"fact": "sido", "op": "in", "value": ["11"],
                                   "label": {"ko": "서울 소재", "en": "Located in Seoul"}}]}
    draft = tmp_path / "draft.yaml"
    draft.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["reach", "draft-mentoring", "--registry", str(registry), "--draft", str(draft),
                                 "--date", ON.isoformat(), "--json"])
    assert result.exit_code == 0, result.output
    by_sido = {r["value"]: r for r in json.loads(result.output)["by"]["sido"]}
    assert by_sido["11"]["eligible"] > 0 and all(r["eligible"] == 0 for s, r in by_sido.items() if s != "11")
    result = runner.invoke(app, ["reach", "no-such-program", "--registry", str(registry)])
    assert result.exit_code == 1 and "No program 'no-such-program'" in result.output


def test_reach_keeps_the_facts_of_a_date_until_the_registry_changes(tmp_path: Path) -> None:
    from onestop.registry.services import registry_reach
    from onestop.registry.store import FACTS_DIR, generate_registry

    root = tmp_path / "registry"
    generate_registry(root, 300, seed=5)
    program = Engine.shipped().catalog.programs["fki-business-mentoring"]
    first = registry_reach(root, program, ON)
    assert (root / FACTS_DIR / ON.isoformat() / "stamp.json").exists()
    assert registry_reach(root, program, ON) == first and first.firms == 300
    seoul = next((root / "sido=11").glob("*.parquet"))
    gone = pl.read_parquet(seoul).height
    seoul.unlink()  # the registry changed: the kept facts are derived again
    assert registry_reach(root, program, ON).firms == 300 - gone


def test_batch_reads_a_registry_folder_by_column_and_reports_a_bad_row(tmp_path: Path) -> None:
    from onestop.registry.store import generate_registry

    root = tmp_path / "registry"
    generate_registry(root, 120, seed=9)
    part = next((root / "sido=41").glob("*.parquet"))
    frame = pl.read_parquet(part)
    brn = frame.get_column("brn")[0]
    frame.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(brn[:-1] + str((int(brn[-1]) + 1) % 10)))
                       .otherwise(pl.col("brn")).alias("brn")).write_parquet(part)
    out = tmp_path / "result.parquet"
    result = runner.invoke(app, ["batch", str(root), "--out", str(out), "--date", ON.isoformat()])
    assert result.exit_code == 0, result.output
    (error,) = [json.loads(x) for x in (tmp_path / "result.errors.jsonl").read_text("utf-8").splitlines()]
    assert [p["code"] for p in error["problems"]] == ["brn_check_digit"]
    # the same firms as JSON Lines give the same results
    src = tmp_path / "firms.jsonl"
    src.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n"
                           for p in as_profiles(pl.concat(list(read_parts(root))))), encoding="utf-8")
    assert runner.invoke(app, ["batch", str(src), "--out", str(tmp_path / "r2.parquet"), "--date", ON.isoformat()]
                         ).exit_code == 0
    assert pl.read_parquet(out).sort("brn").equals(pl.read_parquet(tmp_path / "r2.parquet").sort("brn"))


def test_simulate_over_a_registry_folder_reads_its_facts_part_by_part(registry: Path, tmp_path: Path) -> None:
    """`onestop simulate --registry FOLDER` counts what the simulation over the registry's facts as
    one frame counts, and keeps the facts of the date as `onestop reach` does."""
    from onestop.outcomes.simulation import simulate

    draft = tmp_path / "draft.yaml"
    draft.write_text("eligibility:\n  all:\n  - fact: ceo_age\n    op: <=\n    value: 49\n"
                     "    label: {ko: 대표자 만 49세 이하, en: CEO aged 49 or younger}\n", encoding="utf-8")
    program = "kosmes-youth-startup-academy"
    result = runner.invoke(app, ["simulate", program, "--draft", str(draft), "--registry", str(registry),
                                 "--date", ON.isoformat(), "--amount", "50000000", "--take-up", "0.5", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    facts = pl.concat([frame_facts(*to_typed(part), ON, ON, trusted=True)[0] for part in read_parts(registry)])
    catalog = Engine.shipped().catalog
    from onestop.outcomes.simulations import draft_rule_program

    after = draft_rule_program(catalog, program, {"eligibility": yaml.safe_load(draft.read_text("utf-8"))["eligibility"]})
    expected = simulate(facts, catalog.get(program).rule, after.rule, 50_000_000, 0.5, keep_rows=False).as_dict()
    assert {k: v for k, v in data.items() if k not in ("program", "date", "population")} == expected
    assert data["firms"] == 800 and data["gain"] > 0
    assert (registry / "_facts" / ON.isoformat() / "stamp.json").exists()
    missing = runner.invoke(app, ["simulate", program, "--draft", str(draft), "--registry", str(tmp_path), "--json"])
    assert missing.exit_code == 1 and "registry generate" in missing.output and "Traceback" not in missing.output
