"""Export matching's pure core and the shipped nomenclature: codes as customs papers write them,
unknown codes named with the nearest existing parent, the deeper HS match first, required
certifications as a filter; the prefix index agrees with scoring every exporter (hypothesis)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from onestop.errors import DomainError
from onestop.exports import hs
from onestop.exports.model import Exporter, ExporterIndex, Inquiry, check_inquiry, match, score


def test_codes_are_read_as_written_and_unknown_ones_refused() -> None:
    assert hs.normalize_hs("8413.91-1000") == "8413911000"
    assert hs.normalize_hs("８４１３．９１") == "841391"
    assert hs.name("1905901010") == "빵" and hs.name("1905901010", "en") == "Bread"
    assert hs.table()["8549"].level == 4  # an HS 2022-only heading (e-waste)
    with pytest.raises(DomainError) as err:
        hs.normalize_hs("8413.99")
    assert err.value.ko.startswith("8413.99는 HS 2022 품목분류표와 관세청 HSK(2025-01-01)에 없는 코드입니다.")
    assert "8413(Pumps" in err.value.ko
    with pytest.raises(DomainError) as err:
        hs.normalize_hs("84A")
    assert "2·4·6자리" in err.value.ko


def test_inquiry_fields_name_what_is_allowed() -> None:
    _, problems = check_inquiry({"buyer_country": "ZZ", "product": "", "target_price_usd": "-3",
                                 "deadline": "2020-01-01", "required": ["CE", "ABC"]}, date(2026, 11, 30))
    assert [p.field for p in problems] == ["buyer_country", "product", "target_price_usd", "deadline", "required"]


def test_deeper_hs_match_ranks_first_and_required_certification_filters() -> None:
    a = Exporter(1, "a", ("8481800000",), certifications=frozenset({"CE"}), countries=frozenset({"SA"}), export_usd=9)
    b = Exporter(2, "b", ("841391",), certifications=frozenset({"CE"}))
    c = Exporter(3, "c", ("841391",))
    got = match(Inquiry("SA", "pump parts", "841391", required=frozenset({"CE"})), ExporterIndex.build([a, b, c]))
    assert [m.exporter.firm_id for m in got] == [2, 1]
    assert got[1].reasons[0][1].startswith("same HS chapter")


CODES = ["841391", "8413911000", "841370", "8413709010", "848180", "731815", "190590", "1905901010", "300490"]
exporters = st.builds(Exporter, firm_id=st.integers(1, 10**6), name=st.just("x"),
                      hs_codes=st.lists(st.sampled_from(CODES), min_size=1, max_size=3).map(tuple),
                      certifications=st.frozensets(st.sampled_from(["CE", "ISO9001"])),
                      countries=st.frozensets(st.sampled_from(["SA", "US"])), export_usd=st.integers(0, 10**6))


@settings(max_examples=100, deadline=None)
@given(st.lists(exporters, max_size=25, unique_by=lambda e: e.firm_id), st.sampled_from([*CODES, "8413", "7318", "3004"]),
       st.frozensets(st.sampled_from(["CE", "ISO9001"]), max_size=1))
def test_index_finds_exactly_what_scoring_everyone_finds(pool: list[Exporter], code: str, req: frozenset[str]) -> None:
    inquiry = Inquiry("SA", "p", code, required=req)
    brute = [m for e in pool if (m := score(inquiry, e)) is not None]
    brute.sort(key=lambda m: (-m.level, -m.score, m.exporter.firm_id))
    index = ExporterIndex.build(pool)
    assert match(inquiry, index, limit=100) == brute
    assert match(inquiry, index, limit=3) == brute[:3]  # stopping at a full level changes nothing


def test_cli_ranks_the_example_exporters() -> None:
    from onestop.cli import app

    r = CliRunner().invoke(app, ["exports", "match", "examples/inquiry.json", "--exporters", "examples/exporters.json",
                                 "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [m["name"] for m in data["matches"]][:2] == ["창원정밀기계 주식회사", "대성금속 주식회사"]
    assert data["matches"][0]["reasons_ko"][0] == "HS 소호(6단위) 일치: 8413.91-1000 급유용 펌프의 것"
