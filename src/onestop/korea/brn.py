"""사업자등록번호 (business registration number): normalisation and the check digit.

The check digit algorithm is the one the National Tax Service uses: weights 1,3,7,1,3,7,1,3,5
on the first nine digits, plus floor(digit9 * 5 / 10); the tenth digit is
(10 - sum mod 10) mod 10.
"""

from __future__ import annotations

import re

from onestop.errors import DomainError
from onestop.text import identifier

_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_SHAPE = re.compile(r"^[0-9]{3}-?[0-9]{2}-?[0-9]{5}$")  # ASCII digits only, after NFKC


def check_digit(first_nine: str) -> int:
    """The tenth digit that makes `first_nine` a valid number."""
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True))
    total += (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def normalize_brn(value: str, field: str = "brn") -> str:
    """Return the BRN as `123-45-67890`, or raise a DomainError saying what is wrong.

    The input is NFKC-normalised first, so full-width digits and dashes from a Korean IME
    (`４１５－８１－２５３０９`) give the same number as ASCII ones; digits of other scripts are refused.
    """
    raw = "".join(identifier(value).split()).replace("\u2010", "-").replace("\u2212", "-")
    if not _SHAPE.match(raw):
        raise DomainError(
            code="brn_format",
            field=field,
            ko=f"사업자등록번호는 숫자 10자리(예: 124-81-00998)여야 합니다. 입력값: {value!r}",
            en=f"A business registration number has 10 digits (e.g. 124-81-00998); got {value!r}.",
        )
    digits = raw.replace("-", "")
    expected = check_digit(digits[:9])
    if int(digits[9]) != expected:
        raise DomainError(
            code="brn_check_digit",
            field=field,
            ko=(
                f"사업자등록번호 {value}의 검증번호(마지막 자리)가 맞지 않습니다: "
                f"앞 9자리로 계산한 값은 {expected}입니다. 번호를 다시 확인해 주세요."
            ),
            en=(
                f"The check digit (last digit) of business registration number {value} is wrong: "
                f"the first nine digits give {expected}. Please check the number."
            ),
        )
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def is_valid_brn(value: str) -> bool:
    try:
        normalize_brn(value)
    except DomainError:
        return False
    return True
