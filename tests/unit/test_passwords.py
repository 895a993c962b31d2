"""The password policy (issue 14 §4): common and breached passwords, passwords built from the
email address, easily guessed ones refused; good passphrases accepted; NFKC before hashing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.accounts import passwords

EMAIL = "hong.gildong@sunchon-bread.kr"


def codes(password: str, email: str = EMAIL, name: str = "홍길동") -> list[str]:
    return [p.code for p in passwords.problems(password, email=email, name=name)]


@pytest.mark.parametrize("password", ["password1234", "qwer1234!@", "1q2w3e4r5t", "qwertyuiop", "iloveyou12",
                                      "PASSWORD1234"])
def test_common_and_breached_passwords_are_refused(password: str) -> None:
    assert codes(password) in (["password_common"], ["password_weak"])
    problem = passwords.problems(password, email=EMAIL)[0]
    assert problem.field == "password" and problem.ko and problem.en


def test_every_long_enough_password_of_the_breach_list_is_refused() -> None:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    listed = [p for p in FREQUENCY_LISTS["passwords"] if len(p) >= passwords.MIN_LENGTH]
    assert len(listed) > 1000
    assert all(passwords.problems(p, email=EMAIL) for p in listed)


def test_a_password_containing_the_email_local_part_is_refused() -> None:
    assert codes("Hong.Gildong!2026-bread") == ["password_contains_email"]
    assert "이메일" in passwords.problems("xx-hong.gildong-xx-2026", email=EMAIL)[0].ko


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "abcdefghijkl", "1234567890123", "gildong2026", "20260101a!"])
def test_easily_guessed_passwords_are_refused(password: str) -> None:
    assert codes(password, email="owner@example.kr", name="홍 길동 gildong")


def test_short_and_long_passwords_name_the_limit() -> None:
    short = passwords.problems("x7#kQ", email=EMAIL)[0]
    assert short.code == "password_short" and "10자" in short.ko and "(it has 5)" in short.en
    assert codes("a" * 201) == ["password_long"]


@pytest.mark.parametrize("password", ["순천 바른빵 보리 식빵 2026", "correct-horse-battery", "Tr0ub4dor&3-staple",
                                      "onestop-demo-2026", "빨간 자전거가 언덕을 오른다"])
def test_passphrases_are_accepted(password: str) -> None:
    assert codes(password) == []


def test_passwords_are_compared_in_nfkc() -> None:
    hashed = passwords.hash_password("ｓｕｎｃｈｅｏｎ－ｂｒｅａｄ２０２６")  # full-width, as a Korean IME may type it
    assert passwords.verify(hashed, "suncheon-bread2026")
    assert not passwords.verify(hashed, "suncheon-bread2027")
    assert not passwords.verify("not a hash", "suncheon-bread2026")


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=300))
def test_any_password_gets_problems_or_none_never_an_error(password: str) -> None:
    found = passwords.problems(password, email=EMAIL)
    assert all(p.field == "password" and p.ko and p.en for p in found)
    if len(passwords.normalized(password)) < passwords.MIN_LENGTH:
        assert [p.code for p in found] == ["password_short"]


def test_a_long_password_is_judged_not_refused_by_the_estimator() -> None:
    """zxcvbn 4.5 raises ValueError past 72 characters; the check estimates the first 72."""
    assert passwords.problems("correct horse battery staple " * 5, email=EMAIL) == []
    assert [p.code for p in passwords.problems("a" * 150, email=EMAIL)] == ["password_weak"]
