import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.korea.brn import check_digit, is_valid_brn, normalize_brn
from tests.conftest import LISTED


@pytest.mark.parametrize("company,brn", sorted(LISTED.items()))
def test_listed_companies_brns_are_valid(company: str, brn: str) -> None:
    assert is_valid_brn(brn), company
    assert normalize_brn(brn.replace("-", "")) == brn


def test_wrong_check_digit_names_the_expected_digit() -> None:
    with pytest.raises(DomainError) as e:
        normalize_brn("124-81-00999")
    assert e.value.code == "brn_check_digit"
    assert e.value.field == "brn"
    assert "8" in e.value.ko and "8" in e.value.en


@pytest.mark.parametrize("bad", ["", "12-34", "124-81-0099a", "1248100998123", "abc"])
def test_malformed_brn_says_what_is_allowed(bad: str) -> None:
    with pytest.raises(DomainError) as e:
        normalize_brn(bad)
    assert e.value.code == "brn_format"
    assert "10" in e.value.ko and "10 digits" in e.value.en


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_is_valid(first_nine: str) -> None:
    valid = [d for d in range(10) if is_valid_brn(first_nine + str(d))]
    assert valid == [check_digit(first_nine)]
