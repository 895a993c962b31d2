"""General-ledger (GL) mapping: which GL account each ledger account posts to. Pure.

Apache Fineract maps each loan product's postings to GL accounts ("accounting rules" per
product: fund source, loan portfolio, interest receivable, income from interest …), so the
same events land in the chart of accounts the finance team keeps. Here each program maps each
*kind* of ledger account (`ledger.Kind`) to a GL code; kinds a program does not map use the
platform's default chart below. An account takes its GL code when it is opened (its first
posting) and keeps it: changing a program's mapping applies to accounts opened afterwards, so
a trial balance never moves money between GL accounts behind the journal's back.

The default chart is the platform's own, numbered the usual way (1 assets, 3 fund balance,
4 income, 5 expenses); it is not any agency's published chart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from onestop.errors import DomainError
from onestop.funds.ledger import Kind

#: GL code → (Korean name, English name)
CHART: dict[str, tuple[str, str]] = {
    "1110": ("예산 배정 가능 자금", "Fund cash available"),
    "1120": ("약정 자금", "Fund cash committed"),
    "1130": ("회수 자금", "Fund cash recovered"),
    "1210": ("정책자금 대출금", "Policy loans"),
    "1220": ("연체 대출금", "Overdue loans"),
    "1230": ("미수 이자", "Interest receivable"),
    "1240": ("보조금 환수 미수금", "Grant clawback receivable"),
    "3100": ("기금 재원(예산)", "Fund appropriation"),
    "4100": ("대출 이자 수익", "Loan interest income"),
    "5100": ("보조금 지급", "Grants paid"),
}
DEFAULT: dict[Kind, str] = {
    Kind.appropriation: "3100",
    Kind.budget: "1110",
    Kind.committed: "1120",
    Kind.repaid: "1130",
    Kind.loans_receivable: "1210",
    Kind.overdue: "1220",
    Kind.interest_receivable: "1230",
    Kind.clawback_receivable: "1240",
    Kind.interest_income: "4100",
    Kind.grants_paid: "5100",
}


def gl_code(kind: Kind, mapping: Mapping[Kind, str]) -> str:
    """The GL code an account of `kind` posts to under a program's `mapping`."""
    return mapping.get(kind, DEFAULT[kind])


def check_code(code: str) -> str:
    """A GL code is 2 to 20 letters, digits, '-' or '.'; DomainError naming `gl_code` otherwise."""
    code = code.strip()
    if not 2 <= len(code) <= 20 or not all(c.isascii() and (c.isalnum() or c in "-.") for c in code):
        raise DomainError(code="invalid", field="gl_code",
                          ko=f"계정과목 코드 '{code}'는 받을 수 없습니다. 영문·숫자·'-'·'.'로 2~20자를 적어 주세요.",
                          en=f"GL code '{code}' is not allowed: 2 to 20 letters, digits, '-' or '.'.")
    return code


@dataclass(frozen=True)
class TrialLine:
    """One GL account's posted totals in won; `balance` is debits - credits."""

    gl_code: str
    debits: int
    credits: int

    @property
    def balance(self) -> int:
        return self.debits - self.credits


def trial_balance(accounts: Iterable[tuple[str, int, int]]) -> list[TrialLine]:
    """Posted (debits, credits) summed per GL code, from (gl code, debits, credits) per ledger
    account, in code order. Every transfer debits one account and credits another by the same
    amount, so the debits of all lines equal the credits whatever the mapping."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, debits, credits in accounts:
        sums[code][0] += debits
        sums[code][1] += credits
    return [TrialLine(code, d, c) for code, (d, c) in sorted(sums.items())]
