"""The chart of accounts and the posting rules of the funds ledger. Pure: no database.

The journal follows TigerBeetle's rules (docs.tigerbeetle.com, reference/transfer and
reference/account): every *transfer* debits one account and credits one account with the same
positive amount, so each transfer, and every entry made of them, balances by construction; an
*entry* is a group of linked transfers that succeed or fail together and carries a client-chosen
id that makes it happen at most once; an account may be flagged so that its debits never exceed
its credits (or the reverse), which the database enforces; nothing is ever changed or deleted:
a correction is a new, reversing entry.

Amounts are integer won (`korea.money`); a transfer of zero is never written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from onestop.errors import DomainError
from onestop.korea.hangul import josa
from onestop.korea.money import MAX_WON


class Kind(StrEnum):
    """What an account holds. Budget-level accounts belong to one budget (program, fiscal year,
    optionally a region); the others to one firm's commitment or loan."""

    appropriation = "appropriation"  # where a budget's money comes from (credit-normal)
    budget = "budget"  # the budget not yet committed (debit-normal)
    committed = "committed"  # approved, not yet paid out (per application)
    loans_receivable = "loans_receivable"  # principal lent and not repaid (per loan)
    overdue = "overdue"  # principal past its due date and unpaid (per loan)
    interest_receivable = "interest_receivable"  # interest accrued, not yet paid (per loan)
    interest_income = "interest_income"  # interest earned by the fund (per loan, credit-normal)
    repaid = "repaid"  # money received back from firms (per loan)
    grants_paid = "grants_paid"  # grants and vouchers paid out (per application)
    clawback_receivable = "clawback_receivable"  # a grant's part to be returned, not yet paid (per application)


@dataclass(frozen=True)
class KindInfo:
    ko: str
    en: str
    #: True: the balance is debits - credits; False: credits - debits
    debit_normal: bool
    #: the balance on its normal side may never go below zero (enforced by the database)
    non_negative: bool = True


KINDS: dict[Kind, KindInfo] = {
    Kind.appropriation: KindInfo("예산 재원", "Appropriation", debit_normal=False),
    Kind.budget: KindInfo("예산 잔액", "Budget available", debit_normal=True),
    Kind.committed: KindInfo("약정(배정)액", "Committed", debit_normal=True),
    Kind.loans_receivable: KindInfo("대출 잔액", "Loans receivable", debit_normal=True),
    Kind.overdue: KindInfo("연체 원금", "Overdue principal", debit_normal=True),
    Kind.interest_receivable: KindInfo("미수 이자", "Interest receivable", debit_normal=True),
    Kind.interest_income: KindInfo("이자 수익", "Interest income", debit_normal=False),
    Kind.repaid: KindInfo("회수액", "Repaid", debit_normal=True),
    Kind.grants_paid: KindInfo("보조금 지급액", "Grants paid", debit_normal=True),
    Kind.clawback_receivable: KindInfo("환수 미수금", "Clawback receivable", debit_normal=True),
}


@dataclass(frozen=True)
class Transfer:
    """Move `amount` won from the credit account to the debit account (keys, see `account_key`)."""

    debit: str
    credit: str
    amount: int


def balance(kind: Kind, debits: int, credits: int) -> int:
    """The balance of an account on its normal side (won)."""
    return debits - credits if KINDS[kind].debit_normal else credits - debits


def check_transfers(transfers: Iterable[Transfer]) -> list[Transfer]:
    """The transfers of one entry, checked: positive whole won, not above `MAX_WON`, two
    different accounts, and at least one. Raises DomainError (`bad_transfer`) naming the
    transfer."""
    checked = list(transfers)
    if not checked:
        raise DomainError(code="bad_transfer", field="transfers", ko="전표에 이체가 하나도 없습니다.",
                          en="An entry needs at least one transfer.")
    for i, t in enumerate(checked, 1):
        if not isinstance(t.amount, int) or isinstance(t.amount, bool) or not 0 < t.amount <= MAX_WON:
            raise DomainError(code="bad_transfer", field=f"transfers[{i}].amount",
                              ko=f"{i}번째 이체 금액 {josa(repr(t.amount), '은')} 받을 수 없습니다. "
                                 f"1원 이상 {MAX_WON:,}원 이하의 정수여야 합니다.",
                              en=f"Transfer {i}: amount {t.amount!r} is not allowed; it must be a whole number of won "
                                 f"from 1 to {MAX_WON:,}.")
        if t.debit == t.credit:
            raise DomainError(code="bad_transfer", field=f"transfers[{i}]",
                              ko=f"{i}번째 이체의 차변과 대변이 같은 계정({t.debit})입니다.",
                              en=f"Transfer {i} debits and credits the same account ({t.debit}).")
    return checked


def net_changes(transfers: Iterable[Transfer]) -> dict[str, tuple[int, int]]:
    """(debits, credits) added to each account by these transfers."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in transfers:
        sums[t.debit][0] += t.amount
        sums[t.credit][1] += t.amount
    return {key: (d, c) for key, (d, c) in sums.items()}


def violates(kind: Kind, debits: int, credits: int) -> bool:
    """Whether posted totals break the account's non-negative flag."""
    return KINDS[kind].non_negative and balance(kind, debits, credits) < 0


def reverse(transfers: Iterable[Transfer]) -> list[Transfer]:
    """The transfers that undo these (the only way to correct the journal)."""
    return [Transfer(debit=t.credit, credit=t.debit, amount=t.amount) for t in transfers]


def replay(entries: Iterable[Iterable[Transfer]]) -> dict[str, tuple[int, int]]:
    """Posted (debits, credits) per account after applying every entry in order."""
    totals: dict[str, tuple[int, int]] = {}
    for entry in entries:
        for key, (d, c) in net_changes(entry).items():
            before = totals.get(key, (0, 0))
            totals[key] = (before[0] + d, before[1] + c)
    return totals


def trial_balance(totals: Mapping[str, tuple[int, int]]) -> tuple[int, int]:
    """(sum of debits, sum of credits) over all accounts: always equal for a sound journal."""
    return sum(d for d, _ in totals.values()), sum(c for _, c in totals.values())


# --- account keys -----------------------------------------------------------------------------

def budget_account(kind: Kind, budget_id: int) -> str:
    return f"budget:{budget_id}:{kind.value}"


def commitment_account(application_id: int) -> str:
    return f"application:{application_id}:{Kind.committed.value}"


def grant_account(application_id: int) -> str:
    return f"application:{application_id}:{Kind.grants_paid.value}"


def application_account(kind: Kind, application_id: int) -> str:
    return f"application:{application_id}:{kind.value}"


def loan_account(kind: Kind, loan_id: int) -> str:
    return f"loan:{loan_id}:{kind.value}"


def kind_of(key: str) -> Kind:
    """The kind named by an account key (its last part)."""
    return Kind(key.rsplit(":", 1)[1])


# --- posting rules ---------------------------------------------------------------------------
# Each business event is one entry. The budget's money flows budget → committed → loan or grant;
# interest accrues into interest receivable against interest income; a repayment moves money
# from the firm's receivables to repaid.

def fund_budget(budget_id: int, amount: int) -> list[Transfer]:
    """A budget receives its appropriation."""
    return [Transfer(budget_account(Kind.budget, budget_id), budget_account(Kind.appropriation, budget_id), amount)]


def commit(budget_id: int, application_id: int, amount: int) -> list[Transfer]:
    """An approval reserves `amount` of the budget for the application (refused by the
    database when the budget's balance would go below zero)."""
    return [Transfer(commitment_account(application_id), budget_account(Kind.budget, budget_id), amount)]


def release(budget_id: int, application_id: int, amount: int) -> list[Transfer]:
    """A withdrawn, rejected or expired approval gives its commitment back to the budget."""
    return reverse(commit(budget_id, application_id, amount))


def disburse_loan(application_id: int, loan_id: int, amount: int) -> list[Transfer]:
    """Paying out a loan turns the commitment into principal receivable."""
    return [Transfer(loan_account(Kind.loans_receivable, loan_id), commitment_account(application_id), amount)]


def pay_grant(application_id: int, amount: int) -> list[Transfer]:
    """Paying out a grant or voucher uses the commitment."""
    return [Transfer(grant_account(application_id), commitment_account(application_id), amount)]


def accrue_interest(loan_id: int, amount: int) -> list[Transfer]:
    return [Transfer(loan_account(Kind.interest_receivable, loan_id), loan_account(Kind.interest_income, loan_id),
                     amount)]


def become_overdue(loan_id: int, amount: int) -> list[Transfer]:
    """Principal past its due date and unpaid moves from receivable to overdue."""
    return [Transfer(loan_account(Kind.overdue, loan_id), loan_account(Kind.loans_receivable, loan_id), amount)]


def repay(loan_id: int, interest: int, overdue_principal: int, principal: int) -> list[Transfer]:
    """A repayment, already allocated (see `loans.allocate`): interest, then overdue principal,
    then principal not yet due. Parts of zero write no transfer."""
    repaid = loan_account(Kind.repaid, loan_id)
    parts = ((interest, Kind.interest_receivable), (overdue_principal, Kind.overdue),
             (principal, Kind.loans_receivable))
    return [Transfer(repaid, loan_account(kind, loan_id), amount) for amount, kind in parts if amount > 0]


def claw_back(application_id: int, amount: int) -> list[Transfer]:
    """A decided settlement claws back the unspent or disallowed part of a grant: it is no
    longer a grant paid but a receivable the firm owes (refused by the database for more than
    was paid)."""
    return [Transfer(application_account(Kind.clawback_receivable, application_id), grant_account(application_id),
                     amount)]


def repay_clawback(application_id: int, amount: int) -> list[Transfer]:
    """Money the firm returns against its clawback (refused by the database above what is owed)."""
    return [Transfer(application_account(Kind.repaid, application_id),
                     application_account(Kind.clawback_receivable, application_id), amount)]
