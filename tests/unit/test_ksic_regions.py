import pytest

from onestop.errors import DomainError
from onestop.korea import ksic, regions


def test_ksic_table_has_all_1205_subclasses() -> None:
    levels = [e.level for e in ksic.table().values()]
    assert levels.count("subclass") == 1205
    assert levels.count("section") == 21
    assert levels.count("division") == 77


@pytest.mark.parametrize("code,name", [
    ("C26111", "메모리용 전자집적회로 제조업"),
    ("J62010", "컴퓨터 프로그래밍 서비스업"),
    ("L68112", "비주거용 건물 임대업"),
    ("C10602", "빵류 제조업"),
    ("C26", "전자 부품, 컴퓨터, 영상, 음향 및 통신장비 제조업"),
])
def test_real_ksic_codes_have_their_official_names(code: str, name: str) -> None:
    assert ksic.name_of(ksic.normalize_ksic(code)) == name


def test_ksic_accepts_lowercase_and_bare_digits() -> None:
    assert ksic.normalize_ksic("c26111") == "C26111"
    assert ksic.normalize_ksic("C26110") == "C2611"  # a class padded with a zero
    assert ksic.normalize_ksic("26111") == "C26111"


def test_unknown_ksic_is_refused_with_examples() -> None:
    with pytest.raises(DomainError) as e:
        ksic.normalize_ksic("C99")
    assert e.value.field == "ksic" and "C26111" in e.value.en


def test_ksic_search_by_korean_name() -> None:
    hits = ksic.search("빵류")
    assert hits[0].code == "C10602"


def test_regions_have_current_special_self_governing_provinces() -> None:
    names = {r.code: r.name_ko for r in regions.sido_list()}
    assert names["51"] == "강원특별자치도"
    assert names["52"] == "전북특별자치도"
    assert "42" not in names and "45" not in names


@pytest.mark.parametrize("former,current", [
    ("42110", "51110"),  # 춘천시: 강원도 → 강원특별자치도 (2023-06-11)
    ("45111", "52111"),  # 전주시 완산구: 전라북도 → 전북특별자치도 (2024-01-18)
    ("46150", "12150"),  # 순천시: 전라남도 → 전남광주통합특별시
    ("29200", "12330"),  # 광산구
    ("46", "12"),
])
def test_former_region_codes_map_to_current(former: str, current: str) -> None:
    assert regions.normalize_region(former) == current


def test_capital_area() -> None:
    assert regions.is_capital_area("11680") and regions.is_capital_area("41390")
    assert not regions.is_capital_area("30200")


def test_unknown_region_is_refused() -> None:
    with pytest.raises(DomainError) as e:
        regions.normalize_region("99")
    assert e.value.field == "region" and "11680" in e.value.ko


def test_full_legal_dong_code_keeps_the_district() -> None:
    assert regions.normalize_region("1168010100") == "11680"
