"""Region codes have a history (issue 14 §2): former codes map to their successor with the date and a
note, divided areas are refused naming their successors, current codes are never remapped."""

import csv
import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.korea import regions
from onestop.korea._data import data_path

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _raw_rows(name: str) -> list[dict[str, str]]:
    text = data_path("reference", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("former,current,name,changed_on,event", [
    ("47720", "27720", "대구광역시 군위군", date(2023, 7, 1), "대구광역시로 편입"),
    ("28170", "28177", "인천광역시 미추홀구", date(2018, 7, 1), "미추홀구로 명칭 변경"),
    ("42110", "51110", "강원특별자치도 춘천시", date(2023, 6, 11), "강원특별자치도 출범"),
    ("42830", "51830", "강원특별자치도 양양군", date(2023, 6, 11), "강원특별자치도 출범"),
    ("42", "51", "강원특별자치도", date(2023, 6, 11), "강원특별자치도 출범"),
    ("45111", "52111", "전북특별자치도 전주시 완산구", date(2024, 1, 18), "전북특별자치도 출범"),
    ("45", "52", "전북특별자치도", date(2024, 1, 18), "전북특별자치도 출범"),
    ("29200", "12330", "전남광주통합특별시 광산구", date(2026, 7, 1), "전남광주통합특별시 출범"),
    ("46150", "12150", "전남광주통합특별시 순천시", date(2026, 7, 1), "전남광주통합특별시 출범"),
    ("29", "12", "전남광주통합특별시", date(2026, 7, 1), "전남광주통합특별시 출범"),
    ("46", "12", "전남광주통합특별시", date(2026, 7, 1), "전남광주통합특별시 출범"),
    ("48190", "48129", "경상남도 창원시 진해구", date(2010, 7, 1), "창원·마산·진해 통합"),
    ("44830", "44270", "충청남도 당진시", date(2012, 1, 1), "당진시로 승격"),
    ("44730", "36110", "세종특별자치시", date(2012, 7, 1), "세종특별자치시 출범"),
    ("41730", "41670", "경기도 여주시", date(2013, 9, 23), "여주시로 승격"),
    ("28140", "28125", "인천광역시 제물포구", date(2026, 7, 1), "인천 행정체제 개편"),
    ("41195", "41192", "경기도 부천시 원미구", date(2024, 1, 1), "부천시 일반구 설치"),
    ("41197", "41194", "경기도 부천시 소사구", date(2024, 1, 1), "부천시 일반구 설치"),
    ("41199", "41196", "경기도 부천시 오정구", date(2024, 1, 1), "부천시 일반구 설치"),
])
def test_former_code_maps_to_its_successor_with_date_and_note(
        former: str, current: str, name: str, changed_on: date, event: str) -> None:
    r = regions.resolve_region(former)
    assert (r.given, r.current, r.current_name, r.changed_on) == (former, current, name, changed_on)
    assert r.note_ko is not None and r.note_en is not None
    assert event in r.note_ko and changed_on.isoformat() in r.note_ko and current in r.note_ko
    assert changed_on.isoformat() in r.note_en and current in r.note_en
    assert regions.normalize_region(former) == current


def test_gunwi_note_names_old_and_new_province() -> None:
    r = regions.resolve_region("47720")
    assert r.note_ko == ("47720 경상북도 군위군: 2023-07-01 대구광역시로 편입. "
                         "현재 코드는 27720(대구광역시 군위군)입니다.")
    assert r.note_en == ("47720 Gunwi-gun, Gyeongsangbuk-do: moved to Daegu Metropolitan City on 2023-07-01. "
                         "Its current code is 27720 (Gunwi-gun, Daegu).")


@pytest.mark.parametrize("former,successors,names", [
    ("41590", ("41591", "41593", "41595", "41597"), ("만세구", "효행구", "병점구", "동탄구")),
    ("28260", ("28275", "28290"), ("서해구", "검단구")),
    ("28110", ("28125", "28155"), ("제물포구", "영종구")),
    ("41190", ("41192", "41194", "41196"), ("원미구", "소사구", "오정구")),
    ("43710", ("43111", "43112", "43113", "43114"), ("상당구", "서원구", "흥덕구", "청원구")),
    ("48110", ("48121", "48123"), ("의창구", "성산구")),
    ("48160", ("48125", "48127"), ("마산합포구", "마산회원구")),
])
def test_divided_code_is_refused_naming_every_successor(
        former: str, successors: tuple[str, ...], names: tuple[str, ...]) -> None:
    with pytest.raises(regions.RegionSplitError) as e:
        regions.resolve_region(former)
    err = e.value
    assert err.code == "region_split" and err.field == "region"
    assert tuple(r.code for r in err.successors) == successors
    for code, name in zip(successors, names, strict=True):
        assert code in err.ko and name in err.ko
        # in English by its published English name, or by its Korean name where none is published
        assert code in err.en and regions.name_en(code) in err.en
    with pytest.raises(DomainError):
        regions.normalize_region(former)


def test_hwaseong_refusal_message_reads_in_full() -> None:
    with pytest.raises(regions.RegionSplitError) as e:
        regions.resolve_region("41590", field="firm.region")
    assert e.value.field == "firm.region"
    assert e.value.ko == (
        "지역 코드 41590(경기도 화성시): 2026-02-01에 여러 지역으로 나뉘었습니다(화성시 일반구 설치). "
        "지금 코드 중 하나를 고르세요: 41591 경기도 화성시 만세구, 41593 경기도 화성시 효행구, "
        "41595 경기도 화성시 병점구, 41597 경기도 화성시 동탄구.")


@pytest.mark.parametrize("code,name", [
    ("43112", "충청북도 청주시 서원구"),  # created 2014-07-01 (청주·청원 통합); current, never remapped
    ("43113", "충청북도 청주시 흥덕구"),  # 흥덕구 has been 43113 since 1995
    ("41192", "경기도 부천시 원미구"),
    ("27720", "대구광역시 군위군"),
    ("12", "전남광주통합특별시"),
])
def test_current_code_is_never_remapped(code: str, name: str) -> None:
    r = regions.resolve_region(code)
    assert (r.current, r.current_name, r.changed_on, r.note_ko) == (code, name, None, None)


def test_city_with_districts_is_refused_naming_its_districts() -> None:
    with pytest.raises(regions.RegionSplitError) as e:
        regions.resolve_region("41110")
    assert [r.code for r in e.value.successors] == ["41111", "41113", "41115", "41117"]
    assert "수원시 장안구" in e.value.ko and "41117 Yeongtong-gu, Suwon-si, Gyeonggi-do" in e.value.en


def test_former_city_code_with_districts_names_the_current_districts() -> None:
    with pytest.raises(regions.RegionSplitError) as e:
        regions.resolve_region("45110")  # 전라북도 전주시 → 52110, a city with 구
    assert [r.code for r in e.value.successors] == ["52111", "52113"]
    assert "전라북도 전주시" in e.value.ko


def test_rules_of_an_earlier_date_apply_when_asked() -> None:
    r = regions.resolve_region("41195", on=date(2020, 1, 1))  # 원미구 merged into 부천시 in 2016
    assert (r.current, r.changed_on) == ("41190", date(2016, 7, 4))
    assert r.note_ko is not None and "2020-01-01 기준 코드는 41190(경기도 부천시)" in r.note_ko
    assert regions.resolve_region("41190", on=date(2020, 1, 1)).current == "41190"
    assert regions.resolve_region("28110", on=date(2026, 6, 30)).current == "28110"
    assert regions.resolve_region("47720", on=date(2023, 6, 30)).changed_on is None
    assert regions.resolve_region("47720", on=date(2023, 7, 1)).current == "27720"


def test_code_not_yet_in_force_is_refused_for_that_date() -> None:
    with pytest.raises(DomainError) as e:
        regions.resolve_region("28125", on=date(2026, 6, 30))
    assert e.value.code == "region_not_yet" and "2026-07-01" in e.value.ko and "2026-07-01" in e.value.en


@pytest.mark.parametrize("value,given,current", [
    ("1168010100", "1168010100", "11680"),
    ("4772025021", "4772025021", "27720"),  # 경상북도 군위군 군위읍 동부리
    ("1100000000", "1100000000", "11"),
    ("４７７２０", "47720", "27720"),
    (" 47720 ", "47720", "27720"),
    ("１１６８０", "11680", "11680"),
])
def test_ten_digit_codes_and_unicode_variants(value: str, given: str, current: str) -> None:
    r = regions.resolve_region(value)
    assert (r.given, r.current) == (given, current)


def test_ten_digit_code_note_names_the_district_part() -> None:
    r = regions.resolve_region("4772025021")
    assert r.note_ko is not None and r.note_ko.startswith("4772025021(시군구 47720) 경상북도 군위군: ")


@pytest.mark.parametrize("value", ["99", "11999", "٤٧٧٢٠", "४७७२०", "①1680", "𝟏𝟏𝟔𝟖𝟎", "11⁶80", "47720a", "4772",
                                   "", "  ", "4-7720"])
def test_unknown_or_malformed_code_is_refused_naming_what_is_allowed(value: str) -> None:
    with pytest.raises(DomainError) as e:
        regions.resolve_region(value)
    assert e.value.code == "region_unknown" and e.value.field == "region"
    assert "11680" in e.value.ko and "0–9" in e.value.ko and "0-9" in e.value.en


def test_former_codes_lists_unique_successors_only() -> None:
    former = regions.former_codes()
    assert former["47720"] == "27720" and former["42"] == "51" and former["28140"] == "28125"
    assert former["41195"] == "41192"
    assert "41590" not in former and "28260" not in former and "41190" not in former


def test_successors_of_a_divided_area() -> None:
    assert regions.successors_of("28260") == ("28275", "28290")
    assert regions.successors_of("41195") == ("41192",)
    assert regions.successors_of("11680") == ("11680",)


# --- the data files themselves ---------------------------------------------------------------

def test_region_names_are_clean() -> None:
    for row in _raw_rows("regions.csv"):
        for key in ("name_ko", "name_full"):
            name = row[key]
            assert name == name.strip() and "  " not in name, (row["code"], name)
    for row in _raw_rows("region_changes.csv"):
        name = row["former_name"]
        assert name == name.strip() and "  " not in name, (row["former_code"], name)


def test_every_change_row_is_dated_sourced_and_well_formed() -> None:
    table = regions.table()
    for change in regions.history():
        assert regions.HISTORY_START <= change.effective <= date(2026, 11, 30), change
        assert change.kind in regions.CHANGE_KINDS, change
        assert (len(change.successors) > 1) == (change.kind == "split"), change
        assert change.source and change.check and change.event_ko and change.event_en, change
        assert change.former_code not in table, f"{change.former_code} is current and must not be remapped"
        if not change.confirmed:
            reason = change.source.split("unconfirmed", 1)[1]
            assert len(reason.strip(" ):")) > 5, change  # says why
        for successor in change.successors:
            later = [c for c in regions.history() if c.former_code == successor and c.effective > change.effective]
            assert successor in table or later or successor[:4] + "0" == successor, (change, successor)


def test_history_covers_every_change_in_the_issue() -> None:
    dated = {(c.former_code, c.effective.isoformat()) for c in regions.history()}
    for code, day in [("48160", "2010-07-01"), ("44830", "2012-01-01"), ("44730", "2012-07-01"),
                      ("41730", "2013-09-23"), ("43710", "2014-07-01"), ("41195", "2016-07-04"),
                      ("41190", "2024-01-01"), ("28170", "2018-07-01"), ("42", "2023-06-11"),
                      ("47720", "2023-07-01"), ("45", "2024-01-18"), ("41590", "2026-02-01"),
                      ("28110", "2026-07-01"), ("28140", "2026-07-01"), ("28260", "2026-07-01"),
                      ("29", "2026-07-01"), ("46", "2026-07-01")]:
        assert (code, day) in dated


# --- invariants ------------------------------------------------------------------------------

@given(st.sampled_from(sorted({c.former_code for c in regions.history()})))
def test_every_former_code_resolves_to_a_current_code_or_a_refusal_naming_current_codes(code: str) -> None:
    table = regions.table()
    try:
        r = regions.resolve_region(code)
    except regions.RegionSplitError as e:
        assert len(e.successors) >= 2
        for region in e.successors:
            assert region.code in table and region.code in e.ko and region.name_full in e.ko
    else:
        assert r.current in table and r.changed_on is not None and r.note_ko and r.note_en
        assert regions.successors_of(code) == (r.current,)


@given(st.sampled_from(sorted(regions.table())), st.booleans(), st.sampled_from(["", " ", "\u3000"]))
def test_every_current_code_resolves_to_itself_in_any_digit_form(code: str, wide: bool, pad: str) -> None:
    typed = pad + (code.translate(FULL_WIDTH) if wide else code) + pad
    r = regions.resolve_region(typed)
    assert (r.given, r.current, r.changed_on) == (code, code, None)
    assert r.current_name == regions.name_of(code)


@given(st.text(max_size=12))
def test_any_text_resolves_or_is_refused_with_a_domain_error(text: str) -> None:
    try:
        r = regions.resolve_region(text)
    except DomainError as e:
        assert e.code in ("region_unknown", "region_split") and e.ko and e.en
    else:
        assert r.current in regions.table()


@given(st.from_regex(r"\A[0-9]{5}\Z"))
def test_any_five_digits_give_a_current_code_or_a_clear_refusal(code: str) -> None:
    try:
        r = regions.resolve_region(code)
    except regions.RegionSplitError as e:
        assert all(s.code in regions.table() for s in e.successors) and e.successors
    except DomainError as e:
        assert e.code == "region_unknown"
    else:
        assert r.current in regions.table()
