"""English names from their publishers' tables (issue 15 item 9): Statistics Korea's English
KSIC-11 titles, its English 시군구 names and, for the 시군구 created since, the Ministry of the
Interior and Safety's; shown on English pages and in English explanations. Where no table has an
English name, the Korean name stays beside the code, as before."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.korea import ksic, regions
from onestop.korea._data import data_path
from onestop.korea.regions import english_from_mois, english_from_published
from onestop.platform.display import Show


def test_known_ksic_codes_have_statistics_koreas_english_titles() -> None:
    t = ksic.table()
    assert t["C10602"].name_en == "Manufacture of bakery products"
    assert t["A01110"].name_en == "Growing of cereal crops and other crops for food"
    assert t["C26111"].name_en == "Manufacture of memory electronic integrated circuits"
    assert t["J58221"].name_en == "System software publishing"
    assert t["I56111"].name_en == "General Korean food restaurants"
    assert t["R91291"].name_en == "Ballroom operation"
    # sections as published (A–F), and division 01 (the package's README prints its C11 row)
    assert t["C"].name_en == "Manufacturing" and t["F"].name_en == "Construction"
    assert t["A01"].name_ko == "농업" and t["A01"].name_en == "Agriculture"
    # a class titled word for word like its subclass takes the subclass's English title
    assert t["G4651"].name_ko == t["G46510"].name_ko and t["G4651"].name_en == t["G46510"].name_en
    # a division without a published English title keeps its Korean title
    assert t["C10"].name_en is None and t["C10"].name("en") == "식료품 제조업"
    assert ksic.name_of("C10602", "en") == "Manufacture of bakery products"
    assert ksic.name_of("C10602") == "빵류 제조업"


def test_every_subclass_has_an_english_title_and_the_others_only_as_derived() -> None:
    t = ksic.table()
    subclasses = [e for e in t.values() if e.level == "subclass"]
    assert len(subclasses) == 1205 and all(e.name_en for e in subclasses)
    text = data_path("reference", "ksic11_en.csv").read_text(encoding="utf-8")
    published = {r["code"]: r["name_en"] for r in csv.DictReader(io.StringIO(text))}
    for e in t.values():
        if e.level in ("subclass", "section") or e.name_en is None:
            continue
        if e.code[1:] in published:  # published at its own level
            assert e.name_en == published[e.code[1:]]
            continue
        same = [s for s in subclasses if s.code.startswith(e.code)
                and "".join(s.name_ko.split()) == "".join(e.name_ko.split())]
        assert same and {s.name_en for s in same} == {e.name_en}, e.code
    # every row of the published table names a KSIC-11 code: a section by its letter, the others
    # without it
    codes = {c[1:] for c, e in t.items() if e.level != "section"} | {c for c, e in t.items() if e.level == "section"}
    assert set(published) <= codes
    # the counts README states: every subclass, 6 sections, 3 divisions, 41 groups, 182 classes
    have = {lvl: sum(1 for e in t.values() if e.level == lvl and e.name_en) for lvl in
            ("section", "division", "group", "class", "subclass")}
    assert have == {"section": 6, "division": 3, "group": 41, "class": 182, "subclass": 1205}


def test_ksic_search_finds_english_titles() -> None:
    assert "C10602" in [e.code for e in ksic.search("bakery products")]
    assert "J58221" in [e.code for e in ksic.search("System Software")]
    assert "C10602" in [e.code for e in ksic.search("빵류")]
    # a code is looked up as a code, not as letters of English titles
    assert all(e.code.startswith("A") for e in ksic.search("A"))
    assert all(e.code.startswith("C26") for e in ksic.search("c26"))


def test_known_sigungu_have_their_english_names() -> None:
    assert regions.english_name("11110") == "Jongno-gu"
    assert regions.english_name("12150") == "Suncheon-si"  # 전라남도 46150 until 2026-07-01
    assert regions.english_name("12210") == "Dong-gu"  # 광주광역시 29110 until 2026-07-01
    assert regions.english_name("41111") == "Jangan-gu, Suwon-si"
    assert regions.english_name("52111") == "Wansan-gu, Jeonju-si"  # 전라북도 45111 until 2024-01-18
    assert regions.english_name("27720") == "Gunwi-gun"  # 경상북도 47720 until 2023-07-01
    assert regions.english_name("51760") == "Pyeongchang-gun"  # 강원도 42760 until 2023-06-11
    assert regions.english_name("41610") == "Gwangju-si"  # published "Gwangju", unit added
    assert regions.english_name("43745") == "Jeungpyeong-gun"  # published "Jeungpyeonggun"
    assert regions.english_name("48125") == "Masanhappo-gu"  # published without its 시
    assert regions.english_name("11") == "Seoul" and regions.english_name("36110") == "Sejong"
    assert regions.name_en("12150") == "Suncheon-si, Jeonnam-Gwangju Integrated Special City"
    assert regions.name_en("41111") == "Jangan-gu, Suwon-si, Gyeonggi-do"


MOIS_2026 = {"28125": "Jemulpo-gu", "28155": "Yeongjong-gu", "28177": "Michuhol-gu", "28275": "Seohae-gu",
             "28290": "Geomdan-gu", "41192": "Wonmi-gu, Bucheon-si", "41194": "Sosa-gu, Bucheon-si",
             "41196": "Ojeong-gu, Bucheon-si", "41591": "Manse-gu, Hwaseong-si",
             "41593": "Hyohaeng-gu, Hwaseong-si", "41595": "Byeongjeom-gu, Hwaseong-si",
             "41597": "Dongtan-gu, Hwaseong-si", "51780": "Cheorwon-gun"}


def test_every_sigungu_has_a_published_english_name() -> None:
    """243 of the 256 from Statistics Korea's 2018 table (세종 by the 시도's name); the 13 it does
    not name (created or renamed since, and 철원군, published there as "Gongju-si") from the
    Ministry of the Interior and Safety's 2026 table."""
    sigungu = {c for c, r in regions.table().items() if r.level == "sigungu"}
    assert len(sigungu) == 256 and all(regions.english_name(c) for c in sigungu)
    assert {c: regions.english_name(c) for c in MOIS_2026} == MOIS_2026
    kostat = set(regions._kostat_sigungu_en())
    assert len(kostat | {"36110"}) == 243 and kostat.isdisjoint(MOIS_2026)
    assert set(regions._mois_en()) == set(MOIS_2026) == sigungu - kostat - {"36110"}
    assert regions.name_en("28177") == "Michuhol-gu, Incheon"  # 남구 until 2018: never "Nam-gu"
    assert regions.name_en("51780") == "Cheorwon-gun, Gangwon State"  # not the 2018 row's "Gongju-si"
    assert regions.name_en("41591") == "Manse-gu, Hwaseong-si, Gyeonggi-do"


def test_the_ministrys_rows_match_our_codes_and_names_and_the_2018_spelling_of_their_si() -> None:
    """Code for code and Korean name for Korean name against regions.csv; a 일반구's 시 is spelled as
    Statistics Korea spelled it in 2018, when the 시 had no 구 ("Bucheon-si", "Hwaseong-si")."""
    text = data_path("reference", "sigungu_en_mois2026.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 13
    for row in rows:
        region = regions.table()[row["code"]]
        assert region.level == "sigungu" and region.name_ko == row["name"], row
        assert row["name_eng"] == MOIS_2026[row["code"]]
    assert regions.former_name_en("41190", "경기도 부천시") == "Bucheon-si, Gyeonggi-do"
    assert regions.former_name_en("41590", "경기도 화성시") == "Hwaseong-si, Gyeonggi-do"
    assert all(MOIS_2026[c].endswith(", Bucheon-si") for c in ("41192", "41194", "41196"))
    assert all(MOIS_2026[c].endswith(", Hwaseong-si") for c in ("41591", "41593", "41595", "41597"))


def test_ministry_rows_with_the_wrong_unit_are_refused() -> None:
    assert english_from_mois("제물포구", "Jemulpo-gu") == "Jemulpo-gu"
    assert english_from_mois("철원군", "Cheorwon-gun") == "Cheorwon-gun"
    assert english_from_mois("부천시 원미구", "Wonmi-gu, Bucheon-si") == "Wonmi-gu, Bucheon-si"
    assert english_from_mois("철원군", "Gongju-si") is None
    assert english_from_mois("부천시 원미구", "Wonmi-gu") is None
    assert english_from_mois("제물포구", "Jemulpo-dong") is None
    assert english_from_mois("제물포구", "jemulpo gu") is None


def test_a_name_no_table_covers_keeps_the_korean_name() -> None:
    """No invented names: a former 시군구 neither table names (청원군, merged into 청주시 in 2014)
    reads in Korean with its province in English."""
    assert regions.former_name_en("43710", "충청북도 청원군") == "청원군, Chungcheongbuk-do"


def test_every_english_sigungu_name_has_the_unit_after_a_hyphen() -> None:
    layout = re.compile(r"^[A-Z][a-z]+-(si|gun|gu)(, [A-Z][a-z]+-si)?$")
    for code, region in regions.table().items():
        english = regions.english_name(code)
        if region.level == "sigungu" and english and code != "36110":
            assert layout.match(english), (code, english)
            unit = {"시": "-si", "군": "-gun", "구": "-gu"}[region.name_ko[-1]]
            assert english.split(",")[0].endswith(unit), (code, english)


def test_former_codes_are_named_in_english_in_english_messages() -> None:
    assert regions.resolve_region("46150").note_en == (
        "46150 Suncheon-si, Jeollanam-do: Jeonnam-Gwangju Integrated Special City established on 2026-07-01. "
        "Its current code is 12150 (Suncheon-si, Jeonnam-Gwangju Integrated Special City).")
    assert regions.former_name_en("42760", "강원도 평창군") == "Pyeongchang-gun, Gangwon-do"
    assert regions.former_name_en("41110", "경기도 수원시") == "Suwon-si, Gyeonggi-do"  # the spelling its 구 share
    assert regions.former_name_en("28170", "인천광역시 남구") == "Nam-gu, Incheon"  # as named until 2018
    assert regions.former_name_en("42", "강원도") == "Gangwon-do"


def test_publisher_rows_are_laid_out_and_wrong_units_refused() -> None:
    assert english_from_published("광주시", "Gwangju") == "Gwangju-si"
    assert english_from_published("화성시", "Hwaseongsi") == "Hwaseong-si"
    assert english_from_published("증평군", "Jeungpyeonggun") == "Jeungpyeong-gun"
    assert english_from_published("철원군", "Gongju-si") is None
    assert english_from_published("수원시장안구", "Suwonsijangangu", "suwonsi") == "Jangan-gu, Suwon-si"
    assert english_from_published("포항시남구", "Nam-gu") == "Nam-gu"
    assert english_from_published("수원시장안구", "Jangangu", "suwonsi") is None


@settings(max_examples=60, deadline=None)
@given(row=st.sampled_from([("순천시", "Suncheon-si"), ("기장군", "Gijang-gun"), ("종로구", "Jongno-gu"),
                            ("계룡시", "Gyeryongsi"), ("울릉군", "Ulleung-gun")]),
       upper=st.lists(st.booleans(), min_size=20, max_size=20), dash=st.booleans())
def test_the_layout_depends_only_on_the_publishers_letters(row: tuple[str, str], upper: list[bool],
                                                           dash: bool) -> None:
    """Case and hyphens of a published row do not change the name shown."""
    name_ko, published = row
    letters = published.replace("-", "")
    unit = {"시": "si", "군": "gun", "구": "gu"}[name_ko[-1]]
    stem = letters[:-len(unit)]
    variant = "".join(c.upper() if u else c.lower() for c, u in zip(stem + ("-" if dash else "") + unit,
                                                                   upper + [False] * 40, strict=False))
    assert english_from_published(name_ko, variant) == english_from_published(name_ko, published)


def test_pages_show_codes_with_their_names_in_the_pages_language() -> None:
    ko, en = Show("ko"), Show("en")
    assert ko.ksic("C10602") == "빵류 제조업 (C10602)"
    assert en.ksic("C10602") == "Manufacture of bakery products (C10602)"
    assert en.ksic("C10") == "식료품 제조업 (C10)"
    assert en.ksic("A01") == "Agriculture (A01)" and ko.ksic("A01") == "농업 (A01)"
    assert ko.region("41111") == "경기도 수원시 장안구"
    assert en.region("41111") == "Jangan-gu, Suwon-si, Gyeonggi-do"
    assert en.place(regions.table()["12150"]) == "Suncheon-si" and ko.place(regions.table()["12150"]) == "순천시"
    assert en.industry(ksic.table()["J58221"]) == "System software publishing"
