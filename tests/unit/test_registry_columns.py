"""Columnar ingest (`registry.columns`) means what the per-firm path means: generated profiles,
valid and invalid, give the same facts (size class and its parameters version included) and the
same field errors both ways, and no column check refuses a profile the model accepts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.firms.facts import derive, size_of
from onestop.firms.model import parse_firm
from onestop.korea.brn import check_digit
from onestop.korea.money import MAX_WON
from onestop.registry.columns import facts_of, result_schema
from onestop.registry.ingest import jsonl_chunks
from onestop.rules.facts import CERTIFICATIONS, HARDSHIP_CAUSES, QUALIFICATIONS
from onestop.rules.vectorize import facts_frame
from tests.conftest import example

EOK = 100_000_000


TODAY = date.today()
maybe = st.sampled_from([True, False, None])
KSIC = ["C26111", "C2611", "C26", "J62", "J62010", "G47", "I56111", "L68", "C30393", "C30", "c26111",
        "26111", "C26110", "F41", "C", "M71", "Q86"]
REGIONS = ["11680", "41", "41135", "47720", "28170", "26", "36110", "51150", "1168010100", "12", "52111"]


@st.composite
def clean(draw: st.DrawFn) -> dict[str, Any]:
    """A valid profile: facts that agree with each other (figures from the founding year on, exports
    within revenue, a representative of working age born before a sole proprietorship's founding)."""
    nine = "".join(str(draw(st.integers(0, 9))) for _ in range(9))
    digits = nine + str(check_digit(nine))
    founded = draw(st.dates(date(1950, 1, 1), TODAY))
    p: dict[str, Any] = {
        "brn": draw(st.sampled_from([f"{digits[:3]}-{digits[3:5]}-{digits[5:]}", digits])),
        "name": draw(st.sampled_from(["한빛정밀 주식회사", "㈜다온", "바른식품", "Acme 코리아", "가" * 200])),
        "ksic": draw(st.sampled_from(KSIC)), "region": draw(st.sampled_from(REGIONS)),
        "founded_on": founded.isoformat(),
    }
    if draw(st.booleans()):
        latest = min(founded, date(TODAY.year - 16, 1, 1))
        if latest > date(1900, 1, 1):
            p["ceo_birth_date"] = draw(st.dates(date(1900, 1, 1), latest)).isoformat()
    first = max(founded.year, TODAY.year - 6)
    for key, lo in (("revenue", 0), ("operating_profit", -300 * EOK)):
        years = draw(st.lists(st.integers(first, TODAY.year), max_size=4, unique=True))
        if years or draw(st.booleans()):
            p[key] = {str(y): draw(st.integers(lo, 300 * EOK)) for y in years}
    past = [int(y) for y in p.get("revenue", {}) if int(y) < TODAY.year]
    if past and draw(st.booleans()):
        p["export_revenue"] = p["revenue"][str(max(past))] * draw(st.integers(0, 100)) // 100
    simple: dict[str, st.SearchStrategy[Any]] = {
        "regular_employees": st.integers(0, 300),
        "total_assets": st.one_of(st.integers(0, 300 * EOK), st.just(5000 * EOK)),
        "export_usd": st.integers(0, 10**8), "total_liabilities": st.integers(0, 300 * EOK),
        "total_equity": st.integers(-50 * EOK, 300 * EOK),
        "certifications": st.lists(st.sampled_from(CERTIFICATIONS), max_size=3),
        "qualifications": st.one_of(st.lists(st.sampled_from(QUALIFICATIONS), max_size=3), st.none()),
        "hardship_causes": st.one_of(st.lists(st.sampled_from(HARDSHIP_CAUSES), max_size=2), st.none()),
        "in_large_business_group": st.sampled_from([False, False, True]),
        "tax_arrears": maybe, "credit_default_record": maybe, "rehabilitation": maybe,
        "tax_arrears_deferred": maybe, "factory_registered": maybe,
        "credit_grade": st.sampled_from(["BBB", " a+ ", "AAA", "", None]),
        "business_status": st.sampled_from(["operating", "suspended", "closed", None]),
        "manufacturing_share_pct": st.integers(0, 100),
    }
    for key in draw(st.lists(st.sampled_from(sorted(simple)), unique=True, max_size=len(simple))):
        p[key] = draw(simple[key])
    return p


amounts = st.sampled_from([-1, MAX_WON + 1, 10**20, "12억", 1.5, True])
#: One thing wrong (or of a shape only the model decides) per spoiled profile.
SPOILERS: dict[str, st.SearchStrategy[Any]] = {
    "brn": st.sampled_from(["124-81-00999", "123", "１２４-８１-００９９８", 1248100998, "", " 124-81-00998 ", None]),
    "name": st.sampled_from(["", " 바른식품 ", "가" * 201, 7]),
    "ksic": st.sampled_from(["Z99", "C99999", "", 26111]),
    "region": st.sampled_from(["99999", "1", 11680, "47"]),
    "founded_on": st.sampled_from(["2023-02-30", "2020/01/01", "1899-12-31", (TODAY.replace(day=1).replace(
        year=TODAY.year + 1)).isoformat(), 20200101]),
    "ceo_birth_date": st.sampled_from(["1899-12-31", f"{TODAY.year - 10}-01-01", "2023-02-30", "1980-1-1"]),
    "regular_employees": st.sampled_from([-1, 1_000_001, "5", 5.0, True]),
    "revenue": st.sampled_from([{"1949": 1}, {"2101": 1}, {str(TODAY.year + 1): 1}, {"1950": 1},
                                {"2024": -1}, {"2024": MAX_WON + 1}, {"2024": 10**20}, {"2024": "1억"},
                                {" 2024": 1}, "abc", None]),
    "operating_profit": st.sampled_from([{"2024": -MAX_WON - 1}, {"1950": -5}, {"2024": 2.5}, []]),
    "total_assets": amounts, "export_revenue": amounts, "total_liabilities": amounts,
    "export_usd": st.sampled_from([10**12 + 1, -3]),
    "total_equity": st.sampled_from([-MAX_WON - 1, "0"]),
    "certifications": st.sampled_from([["bogus"], None, "venture", ["venture"] * 11]),
    "qualifications": st.sampled_from([["bogus"], "priority_field"]),
    "in_large_business_group": st.sampled_from([None, "no", 0]),
    "tax_arrears": st.sampled_from(["yes", 1]),
    "credit_grade": st.sampled_from(["X" * 11, 3]),
    "business_status": st.sampled_from(["open", ""]),
    "manufacturing_share_pct": st.sampled_from([101, -1, 50.5]),
    "support_history": st.sampled_from([[{"program_id": "kosmes-startup-fund", "year": 2024, "amount": 3 * EOK}],
                                        [{"program_id": "", "year": 2024}]]),
    "applicant_kind": st.sampled_from(["prospective_founder", "robot"]),
    "nickname": st.just("an extra field"),
}


@st.composite
def profiles(draw: st.DrawFn) -> Any:
    p = draw(clean())
    if draw(st.integers(0, 2)) == 0:
        key = draw(st.sampled_from(sorted(SPOILERS)))
        p[key] = draw(SPOILERS[key])
    if draw(st.integers(0, 40)) == 0:
        del p[draw(st.sampled_from(["brn", "name", "ksic", "region", "founded_on"]))]
    return p


def per_firm(rows: list[tuple[int, Any]], on: date) -> tuple[pl.DataFrame, list[tuple[int, DomainError]]]:
    """The reference: `parse_firm` and `derive`, one firm at a time."""
    facts, errors = [], []
    ids: dict[str, list[Any]] = {"row": [], "brn": [], "name": [], "parameters_version": []}
    for n, raw in rows:
        try:
            firm = parse_firm(raw)
        except DomainError as e:
            errors.append((n, e))
            continue
        size = size_of(firm, on)
        facts.append(derive(firm, on))
        for k, v in (("row", n), ("brn", firm.brn), ("name", firm.name), ("parameters_version", size.parameters_version)):
            ids[k].append(v)
    frame = facts_frame(facts, extra=ids).cast({"row": pl.Int64(), "brn": pl.String(), "name": pl.String(),
                                                "parameters_version": pl.String()})
    return frame.select(list(result_schema())), errors


def assert_same(rows: list[tuple[int, Any]], on: date) -> None:
    expected, expected_errors = per_firm(rows, on)
    got = facts_of(rows, on)
    assert got.rescued == 0
    assert [(n, e.code, e.problems) for n, e in got.errors] == [(n, e.code, e.problems) for n, e in expected_errors]
    assert got.frame.columns == expected.columns
    for name in expected.columns:  # field by field, so a failure names the fact
        assert got.frame.get_column(name).to_list() == expected.get_column(name).to_list(), name


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(profiles(), min_size=1, max_size=8), st.dates(date(2020, 1, 1), date(2027, 12, 31)))
def test_columnar_facts_and_errors_equal_the_per_firm_path(raws: list[Any], on: date) -> None:
    assert_same(list(enumerate(raws, 1)), on)


def test_shipped_examples_agree_and_regular_ones_stay_columnar() -> None:
    names = ["crisis", "exporter", "lessor", "prospective-founder", "samsung-electronics", "seoul-software",
             "smart-factory", "tax-arrears", "young-founder"]
    rows = [(i, example(n)) for i, n in enumerate(names, 1)]
    for on in (date(2026, 11, 23), date(2025, 3, 1)):
        assert_same(rows, on)
    plain = [(n, raw) for n, raw in rows if not raw.get("support_history") and "applicant_kind" not in raw]
    assert facts_of(plain, date(2026, 11, 23)).per_firm == 0


def test_absurd_amount_and_broken_lines_do_not_stop_the_file(tmp_path: Path) -> None:
    good = example("seoul-software")
    src = tmp_path / "firms.jsonl"
    lines = [json.dumps(good, ensure_ascii=False), '{"brn": "124-81-00998", "revenue": {"2025": 100000000000000000000',
             json.dumps({**good, "revenue": {"2025": 10**20}}), "", json.dumps(good, ensure_ascii=False),
             json.dumps({**good, "total_assets": 10**20})]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = [r for _, chunk in jsonl_chunks(src, size=2) for r in chunk]
    assert [n for n, _ in rows] == [1, 2, 3, 5, 6]
    result = facts_of(rows, date(2026, 11, 23))
    assert result.frame.get_column("row").to_list() == [1, 5]
    (n2, json_error), (n3, amount_error), (n6, assets_error) = result.errors
    assert n6 == 6 and "100,000,000,000,000,000,000" in assets_error.problems[0].en
    assert (n2, json_error.code) == (2, "json")
    assert n3 == 3 and [p.field for p in amount_error.problems] == ["revenue"]
    assert "1,000조" in amount_error.problems[0].ko
    (big,) = facts_of([(1, {**good, "total_assets": 10**20})], date(2026, 11, 23)).errors
    assert [(p.field, p.en) for p in big[1].problems] == [
        ("total_assets", "The total assets must be at most 1,000,000,000,000,000; got 100,000,000,000,000,000,000.")]
