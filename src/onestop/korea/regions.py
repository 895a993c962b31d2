"""Administrative region codes (행정안전부 법정동코드, first 5 digits) and the capital area.

Codes: 2 digits for a 시도, 5 digits for a 시군구. Former codes (강원 42, 전북 45, 광주 29,
전남 46) are accepted and mapped to the current ones, because users and older records still use
them; see data/reference/SOURCE.md.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache

from onestop.errors import DomainError
from onestop.korea._data import data_path
from onestop.text import identifier, is_ascii_digits

#: 수도권정비계획법 제2조: 서울특별시, 인천광역시, 경기도.
CAPITAL_AREA_SIDO = frozenset({"11", "28", "41"})


@dataclass(frozen=True)
class Region:
    code: str
    level: str
    name_ko: str
    name_full: str

    @property
    def sido(self) -> str:
        return self.code[:2]


@lru_cache(maxsize=1)
def table() -> dict[str, Region]:
    text = data_path("reference", "regions.csv").read_text(encoding="utf-8")
    return {
        r["code"]: Region(r["code"], r["level"], r["name_ko"], r["name_full"])
        for r in csv.DictReader(io.StringIO(text))
    }


@lru_cache(maxsize=1)
def former_codes() -> dict[str, str]:
    text = data_path("reference", "former_regions.csv").read_text(encoding="utf-8")
    return {r["former_code"]: r["current_code"] for r in csv.DictReader(io.StringIO(text))}


def normalize_region(value: str, field: str = "region") -> str:
    """Return the current code for a 시도 or 시군구 code, or raise naming what is allowed."""
    code = "".join(identifier(value).split())
    if is_ascii_digits(code) and len(code) == 10:
        code = code[:5]  # a full 법정동코드: keep the 시군구 part
        if code.endswith("000"):
            code = code[:2]
    code = former_codes().get(code, code)
    if code not in table():
        raise DomainError(
            code="region_unknown",
            field=field,
            ko=(
                f"지역 코드 {value!r}를 찾을 수 없습니다. 시도 2자리(예: 11 서울특별시) 또는 "
                "시군구 5자리(예: 11680 강남구) 행정구역 코드를 입력하세요."
            ),
            en=(
                f"Region code {value!r} is unknown. Use a 2-digit province code (e.g. 11 Seoul) "
                "or a 5-digit district code (e.g. 11680 Gangnam-gu)."
            ),
        )
    return code


def is_capital_area(code: str) -> bool:
    return code[:2] in CAPITAL_AREA_SIDO


def sido_list() -> list[Region]:
    return [r for r in table().values() if r.level == "sido"]


def name_of(code: str) -> str:
    return table()[code].name_full
