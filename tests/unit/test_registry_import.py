"""`registry import` by column (Polars expressions over the extract's cells) writes the registry
and the errors file the per-row import wrote (`profile_of` then `columns.validated`, kept below as
the reference): the same firms, values and amounts by year, the same errors row by row, on
extracts of generated firms with odd and invalid cells in every column, in CSV and Parquet."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.registry.columns import validated
from onestop.registry.schema import from_typed
from onestop.registry.store import Mapping, _source_batches, import_registry, profile_of, read_parts, write_partitions
from onestop.registry.synthetic import as_profiles, generate

TODAY = date(2026, 11, 23)
MAPPING = Mapping(
    columns={"brn": "사업자번호", "name": "상호", "ksic": "업종", "region": "소재지", "founded_on": "개업일",
             "ceo_birth_date": "대표자생년월일", "credit_grade": "신용등급", "business_status": "영업상태",
             "in_large_business_group": "대기업집단", "regular_employees": "상시근로자", "total_assets": "자산총계",
             "export_revenue": "수출액", "total_equity": "자본총계", "total_liabilities": "부채총계",
             "tax_arrears": "체납", "factory_registered": "공장등록", "certifications": "인증",
             "qualifications": "자격", "hardship_causes": "경영애로"},
    revenue={"2023": "매출_2023", "2024": "매출_2024", "2025": "매출_2025"},
    operating_profit={"2024": "영업이익_2024", "2025": "영업이익_2025"})
FIELDS = {v: k for k, v in MAPPING.columns.items()}

#: Other spellings of a cell and mistakes, by the kind of field (each either read the same by both
#: paths or refused with the same errors).
ODD: dict[str, list[str | None]] = {
    "text": ["", "  ", "\t", " 앞뒤 공백 ", "\u3000전각공백", "x\u0301", "A\u0308", "\x1c", "null", "1234567890"],
    "number": ["1,234", "1,0", "12,34", "1.5", "１，２００", "−5", "-0", "007", "100000000000000000000",
               "9223372036854775808", " 42", "4 2", "abc", "", "-3"],
    "date": ["20200230", "2020-02-30", "0000-01-01", "2020-1-5", "2019/01/01", " 20190101", "30000101",
             "19991231", "2027-01-01"],
    "flag": ["Y", "n", "예", "아니요", "O", "X", "true", "False", "1", "0", "maybe", " y", "T"],
    "list": ["venture", "venture;innobiz", "venture, innobiz", "innobiz;;", ";", " venture ", "\tventure",
             "없는인증", "venture;venture;venture;venture;venture;venture;venture;venture;venture;venture;venture"],
}


def _kind(field: str) -> str:
    if field in ("founded_on", "ceo_birth_date"):
        return "date"
    if field in ("in_large_business_group", "tax_arrears", "factory_registered"):
        return "flag"
    if field in ("certifications", "qualifications", "hardship_causes"):
        return "list"
    if field in ("brn", "name", "ksic", "region", "credit_grade", "business_status"):
        return "text"
    return "number"


def _cells(p: dict[str, Any], rng: random.Random) -> dict[str, str | None]:
    """A generated profile as an agency writes it: dates as 20200315 or ISO, amounts with or without
    thousands separators, flags as Y/N, 예/아니오 or true/false, lists joined by ; or ,."""
    out: dict[str, str | None] = {}
    for column, field in FIELDS.items():
        v = p.get(field)
        if v is None:
            out[column] = None if rng.random() < 0.7 else ""
        elif isinstance(v, bool):
            out[column] = rng.choice([("Y", "N"), ("예", "아니오"), ("true", "false")])[0 if v else 1]
        elif isinstance(v, int):
            out[column] = f"{v:,}" if rng.random() < 0.3 else str(v)
        elif isinstance(v, list):
            out[column] = rng.choice([";", ", "]).join(v)
        elif field in ("founded_on", "ceo_birth_date"):
            out[column] = v.replace("-", "") if rng.random() < 0.5 else v
        else:
            out[column] = str(v)
    for kind, years in (("revenue", MAPPING.revenue), ("operating_profit", MAPPING.operating_profit)):
        for year, column in years.items():
            amount = p.get(kind, {}).get(year)
            out[column] = None if amount is None else (f"{amount:,}" if rng.random() < 0.3 else str(amount))
    return out


def extract(n: int, seed: int, odd_share: float) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = []
    for p in as_profiles(generate(n, seed=seed, today=TODAY)):
        cells = _cells(p, rng)
        if rng.random() < odd_share:
            for _ in range(rng.randint(1, 3)):
                column = rng.choice([*FIELDS, *MAPPING.revenue.values()])
                kind = "number" if column.startswith("매출") else _kind(FIELDS[column])
                cells[column] = rng.choice(ODD[kind])
        if rng.random() < odd_share / 4:  # a wrong check digit
            brn = cells["사업자번호"] or "124-81-00998"
            cells["사업자번호"] = brn[:-1] + str((int(brn[-1]) + 1) % 10) if brn[-1].isdigit() else brn
        rows.append(cells)
    columns = [*FIELDS, *MAPPING.revenue.values(), *MAPPING.operating_profit.values()]
    return pl.DataFrame(rows, schema={c: pl.String() for c in columns})


def reference_import(src: Path, mapping: Mapping, root: Path, errors_path: Path, chunk: int) -> dict[str, int]:
    """The per-row import as it was: each source row through `profile_of`, then `validated`."""
    root.mkdir(parents=True)
    done = invalid = part = row = 0
    with errors_path.open("w", encoding="utf-8") as errs:
        for batch in _source_batches(src, list(dict.fromkeys(mapping.sources())), chunk):
            rows = []
            for values in batch.iter_rows(named=True):
                row += 1
                rows.append((row, profile_of(values, mapping)))
            v = validated(rows, TODAY)
            for n, e in v.errors:
                errs.write(json.dumps({"row": n, "ko": e.ko, "en": e.en, "problems": [p.as_dict() for p in e.problems]},
                                      ensure_ascii=False) + "\n")
            invalid += len(v.errors)
            frame = from_typed(v.checked, v.revenue, v.profit)
            if frame.height:
                write_partitions(frame, root, part)
                part += 1
            done += frame.height
    return {"firms": done, "invalid": invalid}


def _agree(src: Path, tmp: Path, chunk: int) -> dict[str, int]:
    got = import_registry(src, MAPPING, tmp / "new", tmp / "new.errors.jsonl", chunk=chunk, today=TODAY)
    expected = reference_import(src, MAPPING, tmp / "old", tmp / "old.errors.jsonl", chunk)
    assert got == expected
    assert (tmp / "new.errors.jsonl").read_bytes() == (tmp / "old.errors.jsonl").read_bytes()
    if expected["firms"]:
        new, old = (pl.concat(list(read_parts(tmp / d))).sort("brn", "name") for d in ("new", "old"))
        assert new.equals(old)
    return got


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_columnar_import_writes_what_the_per_row_import_wrote(tmp_path: Path, suffix: str) -> None:
    frame = extract(3000, seed=7, odd_share=0.25)
    src = tmp_path / f"extract.{suffix}"
    frame.write_csv(src) if suffix == "csv" else frame.write_parquet(src)
    summary = _agree(src, tmp_path, chunk=1000)
    assert summary["invalid"] > 100 and summary["firms"] > 2000  # both kinds of rows were there


def test_typed_parquet_columns_and_a_clean_extract(tmp_path: Path) -> None:
    """A Parquet extract whose amounts are integers and dates are dates (cast to text on reading),
    and an extract without a mistake: every row by column."""
    frame = extract(500, seed=11, odd_share=0.0)
    typed = frame.with_columns(
        *[pl.col(c).str.replace_all(",", "").cast(pl.Int64) for c in ("자산총계", "매출_2024")],
        pl.col("개업일").str.replace_all("-", "").str.to_date("%Y%m%d"))
    src = tmp_path / "typed.parquet"
    typed.write_parquet(src)
    summary = _agree(src, tmp_path, chunk=200)
    assert summary == {"firms": 500, "invalid": 0}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10_000), st.lists(st.tuples(st.integers(0, 19), st.sampled_from(sorted(FIELDS)),
                                                  st.sampled_from([c for k in ODD.values() for c in k])),
                                        max_size=12))
def test_any_odd_cell_anywhere_agrees(tmp_path_factory: pytest.TempPathFactory, seed: int,
                                      spoil: list[tuple[int, str, str | None]]) -> None:
    frame = extract(20, seed=seed, odd_share=0.0)
    for i, column, cell in spoil:
        frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == i).then(pl.lit(cell, pl.String()))
                                   .otherwise(pl.col(column)).alias(column))
    tmp = tmp_path_factory.mktemp("odd")
    src = tmp / "extract.csv"
    frame.write_csv(src)
    _agree(src, tmp, chunk=7)
