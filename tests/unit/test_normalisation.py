"""Text is normalised at every entry: any Unicode variant of a valid input gives the same stored
value, or a clear error naming the field (issue 14 §1)."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.catalog.search import terms
from onestop.errors import DomainError
from onestop.firms.model import parse_firm
from onestop.korea.brn import normalize_brn
from onestop.korea.ksic import normalize_ksic
from onestop.text import normalise_tree
from tests.conftest import example

FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def full_width(s: str) -> str:
    return "".join(FULL_WIDTH.get(c, c) for c in s)


def test_full_width_brn_is_stored_with_ascii_digits() -> None:
    assert normalize_brn("４１５-８１-２５３０９") == "415-81-25309"
    assert normalize_brn("４１５－８１－２５３０９") == "415-81-25309"  # full-width hyphens too
    assert normalize_brn("\u3000415 81 25309 ") == "415-81-25309"


def test_digits_of_other_scripts_are_refused_not_stored() -> None:
    arabic_indic = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in "415-81-25309")
    with pytest.raises(DomainError) as e:
        normalize_brn(arabic_indic)
    assert e.value.code == "brn_format" and e.value.field == "brn"


def test_full_width_ksic_folds_to_ascii() -> None:
    assert normalize_ksic("Ｃ１０６０２") == "C10602"
    assert normalize_ksic("ｃ２６") == "C26"


def test_decomposed_hangul_query_finds_what_the_composed_one_finds() -> None:
    query = "청년창업자금을"
    assert terms(unicodedata.normalize("NFD", query)) == terms(query)
    assert terms("ＡＩ 바우처") == terms("AI 바우처")


def test_decomposed_names_are_stored_composed() -> None:
    data = {**example("young-founder"), "name": unicodedata.normalize("NFD", " 순천바른빵 주식회사\u3000")}
    assert parse_firm(data).name == "순천바른빵 주식회사"


def test_normalise_tree_bounds_depth() -> None:
    deep: Any = "x"
    for _ in range(40):
        deep = [deep]
    with pytest.raises(DomainError) as e:
        normalise_tree(deep)
    assert e.value.code == "too_deep"


BLANKS = st.sampled_from(["", " ", "\u3000", "\t", "\u00a0", " \u3000 "])


@st.composite
def variant(draw: st.DrawFn, value: str, *, code: bool) -> str:
    """One Unicode spelling of `value`: NFC/NFD/NFKC/NFKD, full width for codes, blanks around."""
    form = draw(st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"]))
    out = unicodedata.normalize(form, value)
    if code and draw(st.booleans()):
        out = full_width(out)
    return draw(BLANKS) + out + draw(BLANKS)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), base=st.sampled_from(["young-founder", "exporter", "crisis", "smart-factory"]))
def test_any_unicode_variant_of_a_valid_profile_stores_the_same_values(data: st.DataObject, base: str) -> None:
    canonical = example(base)
    expected = parse_firm(canonical).model_dump()
    changed = {
        **canonical,
        "brn": data.draw(variant(canonical["brn"], code=True)),
        "ksic": data.draw(variant(canonical["ksic"], code=True)),
        "region": data.draw(variant(canonical["region"], code=True)),
        "name": data.draw(variant(canonical["name"], code=False)),
    }
    assert parse_firm(changed).model_dump() == expected


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_any_text_as_a_brn_is_either_a_valid_ascii_number_or_a_named_error(raw: str) -> None:
    try:
        out = normalize_brn(raw)
    except DomainError as e:
        assert e.field == "brn" and e.ko and e.en
    else:
        assert out.isascii() and len(out) == 12
