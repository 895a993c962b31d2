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


def format_won_en(amount: int) -> str:
    return f"KRW {amount:,}"
