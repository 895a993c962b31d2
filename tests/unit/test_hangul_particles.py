"""Korean particles chosen by the last syllable, and messages that use them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.firms.model import parse_firm
from onestop.korea.hangul import josa, particle
from tests.conftest import example


@pytest.mark.parametrize(("word", "which", "expected"), [
    ("상시근로자 수", "은", "상시근로자 수는"),
    ("설립일", "는", "설립일은"),
    ("2026-02-30", "은", "2026-02-30은"),  # 영: a final consonant
    ("C10602", "는", "C10602는"),  # 이
    ("기업명", "를", "기업명을"),
    ("매출액", "와", "매출액과"),
    ("자본", "가", "자본이"),
    ("서울", "으로", "서울로"),  # ㄹ takes 로
    ("부산", "로", "부산으로"),
    ("대구", "으로", "대구로"),
    ("7", "으로", "7로"),  # 칠
    ("3", "으로", "3으로"),  # 삼
    ("수출액(원)", "이", "수출액(원)이"),  # the word before a bracketed note decides
    ("'네명'", "은", "'네명'은"),
    ("KSIC", "을", "KSIC를"),  # 씨
    ("URL", "을", "URL을"),  # 엘
])
def test_particle_follows_the_last_syllable(word: str, which: str, expected: str) -> None:
    assert josa(word, which) == expected


hangul = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)


@given(st.text(hangul, min_size=1, max_size=5), st.sampled_from(["은", "이", "을", "과", "으로"]))
def test_either_form_of_a_pair_gives_the_same_choice(word: str, which: str) -> None:
    other = {"은": "는", "이": "가", "을": "를", "과": "와", "으로": "로"}[which]
    assert particle(word, which) == particle(word, other)
    has_final = (ord(word[-1]) - 0xAC00) % 28 != 0
    if which != "으로":
        assert particle(word, which) == (which if has_final else other)


def problems(data: dict[str, object]) -> dict[str, str]:
    with pytest.raises(DomainError) as info:
        parse_firm(data)
    return {p.field: p.ko for p in info.value.problems} | {p.field + ".en": p.en for p in info.value.problems}


def test_messages_quote_the_value_state_the_limit_and_choose_particles() -> None:
    base = example("young-founder")
    found = problems({**base, "founded_on": "2026-02-30", "regular_employees": "네 명", "name": "가" * 201,
                      "total_assets": -1})
    assert found["founded_on"] == "2026-02-30은 없는 날짜입니다. 설립일을 달력에 있는 날짜로 입력해 주세요."
    assert found["regular_employees"].startswith("상시근로자 수는 숫자로만 입력해 주세요. 입력값 '네 명'은")
    assert found["name"] == "기업명은 200자 이내로 입력해 주세요. 지금 201자입니다."
    assert found["total_assets"] == "자산총액은 0 이상이어야 합니다. 입력값: -1"
    assert found["total_assets.en"] == "The total assets must be 0 or more; got -1."
    assert not any(key in found["regular_employees.en"] for key in ("regular_employees:", "int_parsing"))
