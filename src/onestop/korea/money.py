"""Won amounts as Koreans read them: 억 and 만."""

from __future__ import annotations

EOK = 100_000_000
MAN = 10_000
#: The largest amount of won any field accepts: 1,000조 원, about twice the total assets of Korea's
#: largest company (삼성전자, 514조 원 at the end of 2024, DART 사업보고서). Anything larger is a typo or an
#: attack, and would overflow the 64-bit integers of the database and the vectorized evaluator.
MAX_WON = 10**15


def format_won(amount: int) -> str:
    """`320000000` → `3억 2,000만 원`; `5000` → `5,000 원`. Amounts are integer won."""
    sign = "-" if amount < 0 else ""
    eok, rest = divmod(abs(amount), EOK)
    man, won = divmod(rest, MAN)
    parts = [f"{n:,}{unit}" for n, unit in ((eok, "억"), (man, "만"), (won, "")) if n]
    return sign + (" ".join(parts) or "0") + " 원"


_EN_UNITS = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"))


def format_won_en(amount: int) -> str:
    """Won as English readers read large sums (integer won in, text out):
    `120000000` → `KRW 120 million`, `1500000000` → `KRW 1.5 billion`, `325500000` →
    `KRW 325.5 million`; an amount a million or more that two decimals cannot state exactly,
    and anything under a million, is written out in full: `123456789` → `KRW 123,456,789`,
    `5000` → `KRW 5,000`. Integer arithmetic only (no float rounding). Never uses 억/만,
    which English readers cannot parse."""
    sign = "-" if amount < 0 else ""
    n = abs(amount)
    for unit, name in _EN_UNITS:
        whole, frac = divmod(n, unit)
        if whole and (frac * 100) % unit == 0:
            hundredths = frac * 100 // unit
            decimals = f".{hundredths:02d}".rstrip("0") if hundredths else ""
            return f"{sign}KRW {whole:,}{decimals} {name}"
    return f"{sign}KRW {n:,}"


def format_won_in(amount: int, lang: str) -> str:
    """`format_won` for Korean pages, `format_won_en` for English ones."""
    return format_won_en(amount) if lang == "en" else format_won(amount)
