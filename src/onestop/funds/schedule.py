"""Loan repayment schedules: 원금균등분할상환 (equal principal), 원리금균등분할상환 (equal
instalment) and 만기일시상환 (bullet), after an interest-only grace period (거치기간), paid
monthly or quarterly. Pure: no database, no I/O.

Rules (docs/funds.md states them with worked examples):

* Money is integer won. Interest of each period is cut to whole won (원 미만 절사). Principal
  instalments are whole won, rounded down to `multiples_of` won (Fineract's
  installmentAmountInMultiplesOf); the remainder is paid with the last instalment, so the
  principal always sums to the amount lent.
* Day count, `30/360` (the default): a period's interest is balance × annual rate × months/12,
  the convention behind an equal instalment (and numpy-financial's `pmt`). `actual/365`:
  balance × annual rate × days/365 over the actual days of the period (Korean banks' 일할 계산);
  the equal instalment is then still sized on the periodic rate and the last instalment absorbs
  the difference. Which of the two KOSMES applies to policy loans is not stated in the 2026
  plan read for the catalog: *unconfirmed*.
* Due dates fall on the disbursement day of each month (the month's last day when it has no
  such day). One that is not a business day is payable on the next business day (`pay_by`)
  without extra interest.
* A rate change (a new quarterly 정책자금 기준금리 for a floating loan) applies from the first
  period that starts on or after it; an equal instalment is sized again over the periods left.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache, lru_cache

import holidays

from onestop.errors import DomainError, FieldProblem
from onestop.korea.hangul import josa
from onestop.korea.money import MAX_WON


class Method(StrEnum):
    equal_principal = "equal_principal"  # 원금균등분할상환
    equal_instalment = "equal_instalment"  # 원리금균등분할상환
    bullet = "bullet"  # 만기일시상환


class Frequency(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"


class DayCount(StrEnum):
    thirty_360 = "30/360"
    actual_365 = "actual/365"


METHOD_NAMES = {Method.equal_principal: ("원금균등분할상환", "equal principal"),
                Method.equal_instalment: ("원리금균등분할상환", "equal instalment"),
                Method.bullet: ("만기일시상환", "bullet (all principal at maturity)")}
MONTHS = {Frequency.monthly: 1, Frequency.quarterly: 3}
#: A rate above this is a typo: Korean policy loans run at 2-5 %, and 이자제한법's ceiling on any
#: loan is 20 % a year (이자제한법 제2조제1항의 최고이자율에 관한 규정).
MAX_RATE = Decimal(20)
MAX_TERM_MONTHS = 360


@dataclass(frozen=True)
class Terms:
    """What a schedule is made from. `amount` in won; `rate_pct` the annual rate in percent
    (Decimal("3.35") for 3.35 %); months for term and grace; `start` the disbursement date."""

    amount: int
    rate_pct: Decimal
    term_months: int
    grace_months: int
    method: Method
    frequency: Frequency
    start: date
    day_count: DayCount = DayCount.thirty_360
    multiples_of: int = 1

    @property
    def period_months(self) -> int:
        return MONTHS[self.frequency]

    @property
    def periods(self) -> int:
        return self.term_months // self.period_months

    @property
    def grace_periods(self) -> int:
        return self.grace_months // self.period_months


@dataclass(frozen=True)
class Instalment:
    number: int
    due_date: date
    #: the business day by which it is paid (the due date, or the next business day)
    pay_by: date
    principal: int
    interest: int
    #: principal still owed after this instalment
    balance: int
    rate_pct: Decimal

    @property
    def total(self) -> int:
        return self.principal + self.interest

    def as_dict(self) -> dict[str, object]:
        return {"number": self.number, "due_date": self.due_date.isoformat(), "pay_by": self.pay_by.isoformat(),
                "principal": self.principal, "interest": self.interest, "total": self.total,
                "balance": self.balance, "rate_pct": str(self.rate_pct)}


def problems(terms: Terms) -> list[FieldProblem]:
    """Everything wrong with the terms, each naming its field and what is allowed."""
    out: list[FieldProblem] = []

    def bad(field: str, ko: str, en: str) -> None:
        out.append(FieldProblem(field, "invalid", ko, en))

    if isinstance(terms.amount, bool) or not isinstance(terms.amount, int) or not 0 < terms.amount <= MAX_WON:
        bad("amount", f"대출금액 {josa(str(terms.amount), '은')} 받을 수 없습니다. 1원 이상 {MAX_WON:,}원 이하의 정수로 입력하세요.",
            f"Amount {terms.amount} is not allowed: a whole number of won from 1 to {MAX_WON:,}.")
    if not Decimal(0) <= terms.rate_pct <= MAX_RATE:
        bad("rate", f"금리 {terms.rate_pct}%는 받을 수 없습니다. 0% 이상 {MAX_RATE}% 이하로 입력하세요.",
            f"A rate of {terms.rate_pct}% is not allowed: from 0% to {MAX_RATE}%.")
    p = terms.period_months
    unit_ko, unit_en = ("1개월", "1 month") if p == 1 else ("3개월(분기)", "3 months (a quarter)")
    if not 0 < terms.term_months <= MAX_TERM_MONTHS or terms.term_months % p:
        bad("term", f"대출기간 {terms.term_months}개월은 받을 수 없습니다. "
                    f"{MAX_TERM_MONTHS}개월(30년) 이내에서 {unit_ko} 단위로 입력하세요.",
            f"A term of {terms.term_months} months is not allowed: up to {MAX_TERM_MONTHS} months (30 years), in "
            f"steps of {unit_en}.")
    if terms.grace_months < 0 or terms.grace_months % p or (
            terms.method != Method.bullet and terms.grace_months >= terms.term_months > 0):
        bad("grace", f"거치기간 {terms.grace_months}개월은 받을 수 없습니다. 0 이상, 대출기간보다 짧게, {unit_ko} 단위로 입력하세요.",
            f"A grace period of {terms.grace_months} months is not allowed: 0 or more, shorter than the term, in "
            f"steps of {unit_en}.")
    if not 1 <= terms.multiples_of <= 1_000_000:
        bad("multiples_of", "상환 원금 단위는 1원에서 100만 원 사이여야 합니다.",
            "Instalments may be rounded to multiples of 1 to 1,000,000 won.")
    if not 1950 <= terms.start.year <= 2100:
        bad("start", f"대출일 {josa(str(terms.start.isoformat()), '은')} 받을 수 없습니다. 1950년부터 2100년 사이로 입력하세요.",
            f"Start date {terms.start.isoformat()} is not allowed: give a date from 1950 to 2100.")
    return out


def check(terms: Terms) -> None:
    """Raise DomainError (`invalid_terms`) listing every problem of the terms."""
    found = problems(terms)
    if found:
        raise DomainError(code="invalid_terms", field=found[0].field,
                          ko=f"대출 조건에 {len(found)}건의 오류가 있습니다: {found[0].ko}" if len(found) > 1 else found[0].ko,
                          en=f"The loan terms have {len(found)} errors: {found[0].en}" if len(found) > 1 else found[0].en,
                          problems=found)


@lru_cache(maxsize=200_000)
def add_months(start: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it has no such day."""
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@cache
def _kr_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("KR", years=year)


@lru_cache(maxsize=100_000)
def next_business_day(day: date) -> date:
    """`day` itself when it is a business day, else the next one (weekends and Korean public
    holidays, from the `holidays` package)."""
    while day.weekday() >= 5 or day in _kr_holidays(day.year):
        day += timedelta(days=1)
    return day


def rate_on(terms: Terms, changes: Sequence[tuple[date, Decimal]], on: date) -> Decimal:
    """The annual rate in force for a period starting on `on`: the latest change on or before
    it, else the terms' rate."""
    rate = terms.rate_pct
    for when, value in sorted(changes) if changes else ():
        if when <= on:
            rate = value
    return rate


def _interest(balance: int, rate_pct: Decimal, months: int, start: date, end: date, day_count: DayCount) -> int:
    if day_count == DayCount.thirty_360:
        value = Decimal(balance) * rate_pct / 100 * months / 12
    else:
        value = Decimal(balance) * rate_pct / 100 * (end - start).days / 365
    return int(value.to_integral_value(ROUND_DOWN))


def level_payment(balance: int, rate_pct: Decimal, months: int, periods: int, multiples_of: int = 1) -> int:
    """The equal instalment that repays `balance` over `periods` periods of `months` months at
    `rate_pct` a year: P·r / (1 − (1 + r)^−n), r = rate × months / 12, rounded to the nearest
    won (or multiple of `multiples_of`)."""
    r = rate_pct / 100 * months / 12
    raw = Decimal(balance) / periods if r == 0 else Decimal(balance) * r / (1 - (1 + r) ** (-periods))
    units = (raw / multiples_of).to_integral_value(ROUND_HALF_UP)
    return int(units) * multiples_of


def schedule(terms: Terms, rate_changes: Sequence[tuple[date, Decimal]] = ()) -> list[Instalment]:
    """The instalments of a loan, first to last. Raises DomainError (`invalid_terms`) for terms
    out of bounds (see `problems`)."""
    check(terms)
    months, n, grace = terms.period_months, terms.periods, terms.grace_periods
    amortising = 1 if terms.method == Method.bullet else n - grace
    m = terms.multiples_of
    even = (terms.amount // amortising) // m * m
    balance = terms.amount
    payment = 0
    current: Decimal | None = None
    out: list[Instalment] = []
    for k in range(1, n + 1):
        start, due = add_months(terms.start, (k - 1) * months), add_months(terms.start, k * months)
        rate = rate_on(terms, rate_changes, start)
        interest = _interest(balance, rate, months, start, due, terms.day_count)
        left = n - k + 1  # periods left including this one
        if k <= grace or (terms.method == Method.bullet and k < n):
            principal = 0
        elif k == n:
            principal = balance
        elif terms.method == Method.equal_principal:
            principal = min(even, balance)
        else:
            if rate != current or payment == 0:
                payment = level_payment(balance, rate, months, left, m)
                current = rate
            principal = max(0, min(balance, payment - interest))
        balance -= principal
        out.append(Instalment(k, due, next_business_day(due), principal, interest, balance, rate))
    return out


def totals(instalments: Sequence[Instalment]) -> tuple[int, int]:
    """(principal, interest) over the instalments."""
    return sum(i.principal for i in instalments), sum(i.interest for i in instalments)
