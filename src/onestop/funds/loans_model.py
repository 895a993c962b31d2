"""A loan's position on a date, replayed from its schedule and every payment in value-date
order. Pure: the services post the difference between this position and the journal, so a
back-dated payment (or a correction) is absorbed by new entries, never by edits (Fineract's
"reprocess transactions after a back-dated event").

Rules, as stated in docs/funds.md:

* Interest of an instalment falls due on its due date, on the principal not yet due at the start
  of its period (with no prepayment that is exactly the schedule's interest).
* Principal or interest unpaid after the instalment's `pay_by` day is overdue. Overdue
  principal bears 연체이자 at the loan's rate plus the overdue add-on (a dated parameter), per
  day on actual/365; the exact amount accumulates and is cut to the won only in the total.
* A payment pays, in this order (ALLOCATION): overdue (penalty) interest, interest due,
  overdue principal, principal due, and then principal not yet due (early repayment), taken
  from the last instalments first so the term shortens and later interest falls. A payment
  larger than everything owed is refused with the payoff amount.
* Days past due count from the first day after the oldest unpaid instalment's `pay_by`;
  delinquency buckets are 1-29, 30-59, 60-89 and 90+ days (the 30/60/90 convention of Korean
  banks' 연체 reporting).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from onestop.errors import DomainError
from onestop.funds.schedule import DayCount, Instalment, Terms, add_months

ALLOCATION = ("penalty_interest", "interest", "overdue_principal", "principal_due", "prepayment")
ALLOCATION_NAMES = {
    "penalty_interest": ("연체이자", "overdue interest"),
    "interest": ("정상이자", "interest"),
    "overdue_principal": ("연체원금", "overdue principal"),
    "principal_due": ("약정원금", "principal due"),
    "prepayment": ("조기상환 원금", "early repayment"),
}


@dataclass(frozen=True)
class Payment:
    id: int
    paid_on: date
    amount: int


@dataclass(frozen=True)
class Allocation:
    interest: int  # penalty and regular interest
    overdue_principal: int
    principal: int  # principal due and early repayment

    @property
    def total(self) -> int:
        return self.interest + self.overdue_principal + self.principal


@dataclass
class Position:
    as_of: date
    #: interest charged so far (instalments due plus penalty accrued), in won
    interest_charged: int = 0
    interest_paid: int = 0
    principal_paid: int = 0
    #: principal unpaid after its pay_by day
    overdue_principal: int = 0
    #: interest unpaid after its pay_by day (penalty included)
    overdue_interest: int = 0
    principal_outstanding: int = 0
    days_past_due: int = 0
    allocations: dict[int, Allocation] = field(default_factory=dict)
    #: instalment number → (principal, interest) still owed, for instalments due by as_of
    unpaid: dict[int, tuple[int, int]] = field(default_factory=dict)
    next_due: Instalment | None = None

    @property
    def interest_outstanding(self) -> int:
        return self.interest_charged - self.interest_paid

    @property
    def bucket(self) -> str:
        d = self.days_past_due
        return "current" if d == 0 else "1-29" if d < 30 else "30-59" if d < 60 else "60-89" if d < 90 else "90+"


BUCKET_NAMES = {"current": ("정상", "current"), "1-29": ("1~29일 연체", "1-29 days past due"),
                "30-59": ("30~59일 연체", "30-59 days past due"), "60-89": ("60~89일 연체", "60-89 days past due"),
                "90+": ("90일 이상 연체", "90+ days past due")}


def _period_interest(terms: Terms, balance: int, inst: Instalment) -> int:
    start = add_months(terms.start, (inst.number - 1) * terms.period_months)
    if terms.day_count == DayCount.thirty_360:
        value = Decimal(balance) * inst.rate_pct / 100 * terms.period_months / 12
    else:
        value = Decimal(balance) * inst.rate_pct / 100 * (inst.due_date - start).days / 365
    return int(value.to_integral_value(ROUND_DOWN))


def position(terms: Terms, plan: Sequence[Instalment], payments: Sequence[Payment], as_of: date,
             penalty_addon_pct: Decimal) -> Position:
    """Replay the loan up to and including `as_of`. Raises DomainError (`overpayment`) for a
    payment larger than everything owed on its day, (`before_disbursement`) for one dated
    before the loan was paid out."""
    principal_left = {i.number: i.principal for i in plan}  # principal of each instalment still owed
    interest_left: dict[int, int] = {}
    charged = Decimal(0)  # exact penalty accrued
    penalty_paid = 0
    pos = Position(as_of=as_of)
    regular_charged = 0
    events = sorted(payments, key=lambda p: (p.paid_on, p.id))
    day = terms.start
    due_index = 0
    ordered = list(plan)

    def overdue_principal(on: date) -> int:
        return sum(principal_left[i.number] for i in ordered if i.pay_by < on)

    def fall_due(upto: date) -> None:
        nonlocal due_index, regular_charged
        while due_index < len(ordered) and ordered[due_index].due_date <= upto:
            inst = ordered[due_index]
            not_yet_due = sum(principal_left[i.number] for i in ordered[due_index:])
            interest = _period_interest(terms, not_yet_due, inst)
            interest_left[inst.number] = interest
            regular_charged += interest
            due_index += 1

    def accrue(until: date) -> None:
        """Penalty for each day after `day` up to `until` (inclusive), a stretch of days with the
        same overdue principal at a time."""
        nonlocal day, charged
        while day < until:
            first = day + timedelta(days=1)
            fall_due(first)
            changes = [i.due_date for i in ordered[due_index:]] + [
                i.pay_by + timedelta(days=1) for i in ordered if principal_left[i.number]]
            end = min([c for c in changes if c > first] + [until + timedelta(days=1)])
            over = overdue_principal(first)
            if over:
                rate = (ordered[min(due_index, len(ordered) - 1)].rate_pct + penalty_addon_pct) / 100
                charged += Decimal(over) * rate * (end - first).days / 365
            day = end - timedelta(days=1)

    fall_due(terms.start)
    for p in events:
        if p.paid_on < terms.start:
            raise DomainError(code="before_disbursement", field="paid_on",
                              ko=f"{p.paid_on.isoformat()} 납입은 대출일 {terms.start.isoformat()}보다 앞설 수 없습니다.",
                              en=f"A payment on {p.paid_on.isoformat()} cannot precede the loan's disbursement on "
                                 f"{terms.start.isoformat()}.")
        if p.paid_on > as_of:
            break
        accrue(p.paid_on)
        left = p.amount
        # 1. penalty interest
        owed_penalty = int(charged.to_integral_value(ROUND_DOWN)) - penalty_paid
        take = min(left, owed_penalty)
        penalty_paid += take
        interest_part = take
        left -= take
        # 2. interest due (oldest first)
        for n in sorted(interest_left):
            take = min(left, interest_left[n])
            interest_left[n] -= take
            interest_part += take
            left -= take
        # 3. overdue principal, 4. principal due (oldest first)
        overdue_part = principal_part = 0
        for inst in ordered[:due_index]:
            take = min(left, principal_left[inst.number])
            principal_left[inst.number] -= take
            left -= take
            if inst.pay_by < p.paid_on:
                overdue_part += take
            else:
                principal_part += take
        # 5. early repayment, last instalments first
        for inst in reversed(ordered[due_index:]):
            take = min(left, principal_left[inst.number])
            principal_left[inst.number] -= take
            principal_part += take
            left -= take
        if left > 0:
            owed = p.amount - left
            raise DomainError(code="overpayment", field="amount",
                              ko=f"{p.paid_on.isoformat()} 납입액 {p.amount:,}원이 그날 갚을 전액 {owed:,}원보다 많습니다.",
                              en=f"The payment of KRW {p.amount:,} on {p.paid_on.isoformat()} is more than the "
                                 f"KRW {owed:,} owed in full that day.")
        pos.allocations[p.id] = Allocation(interest_part, overdue_part, principal_part)
        pos.interest_paid += interest_part
        pos.principal_paid += overdue_part + principal_part
    accrue(as_of)
    pos.interest_charged = regular_charged + int(charged.to_integral_value(ROUND_DOWN))
    pos.overdue_principal = overdue_principal(as_of)
    pos.principal_outstanding = terms.amount - pos.principal_paid
    owed_penalty = int(charged.to_integral_value(ROUND_DOWN)) - penalty_paid
    late = [i for i in ordered[:due_index] if i.pay_by < as_of
            and (principal_left[i.number] or interest_left.get(i.number, 0))]
    pos.overdue_interest = owed_penalty + sum(interest_left.get(i.number, 0) for i in late)
    pos.days_past_due = (as_of - late[0].pay_by).days if late else 0
    pos.unpaid = {i.number: (principal_left[i.number], interest_left.get(i.number, 0)) for i in ordered[:due_index]
                  if principal_left[i.number] or interest_left.get(i.number, 0)}
    pos.next_due = next((i for i in ordered[due_index:] if principal_left[i.number] or i.interest), None)
    return pos


def payoff(terms: Terms, plan: Sequence[Instalment], payments: Sequence[Payment], on: date,
           penalty_addon_pct: Decimal) -> int:
    """What repays the loan in full on `on`: every interest and principal owed (the interest of
    the running period is not charged: it falls due only on its due date)."""
    pos = position(terms, plan, payments, on, penalty_addon_pct)
    return pos.interest_outstanding + pos.principal_outstanding
