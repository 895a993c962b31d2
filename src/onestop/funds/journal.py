"""Posting to the journal and reading balances.

`post` writes one entry (a group of linked transfers) at most once per client id, inside a
savepoint: either every transfer and every account total is written, or nothing is. Account
totals are updated in account-id order (no deadlock between two entries touching the same
accounts) by single UPDATE statements, so concurrent posts queue on the account row and the
database's CHECK refuses any post that would take a non-negative account below zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onestop.errors import DomainError
from onestop.funds import gl
from onestop.funds.ledger import KINDS, Kind, Transfer, balance, check_transfers, kind_of, net_changes, reverse
from onestop.funds.tables import AccountRow, BudgetTotalRow, EntryRow, GlMappingRow, TransferRow
from onestop.korea.hangul import josa
from onestop.korea.money import format_won


@dataclass(frozen=True)
class Owner:
    """Whose accounts an entry creates when they do not exist yet: the budget and program, and
    the firm (for every account that is not a budget-level account)."""

    budget_id: int
    program_id: str
    firm_id: int | None = None
    loan_id: int | None = None


class InsufficientBalance(DomainError):
    """A post would take an account flagged non-negative below zero."""


def _account(db: Session, key: str, owner: Owner) -> AccountRow:
    found = db.scalar(select(AccountRow).where(AccountRow.key == key))
    if found is not None:
        return found
    kind = kind_of(key)
    info = KINDS[kind]
    mapped = db.scalar(select(GlMappingRow.gl_code).where(GlMappingRow.program_id == owner.program_id,
                                                          GlMappingRow.kind == kind.value))
    row = AccountRow(key=key, kind=kind.value, budget_id=owner.budget_id, program_id=owner.program_id,
                     firm_id=None if key.startswith("budget:") else owner.firm_id,
                     debit_normal=info.debit_normal, non_negative=info.non_negative, debits_posted=0,
                     credits_posted=0, gl_code=mapped or gl.DEFAULT[kind])
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:  # created meanwhile by a concurrent post
        found = db.scalar(select(AccountRow).where(AccountRow.key == key))
        assert found is not None
        return found
    return row


def transfers_of(db: Session, entry_id: int) -> list[Transfer]:
    rows = db.execute(select(TransferRow.amount, AccountRow.key, TransferRow.credit_account_id)
                      .join(AccountRow, AccountRow.id == TransferRow.debit_account_id)
                      .where(TransferRow.entry_id == entry_id).order_by(TransferRow.id)).all()
    keys = dict(db.execute(select(AccountRow.id, AccountRow.key).where(
        AccountRow.id.in_({r.credit_account_id for r in rows}))).all())
    return [Transfer(debit=r.key, credit=keys[r.credit_account_id], amount=r.amount) for r in rows]


def _existing(db: Session, client_id: str, transfers: list[Transfer]) -> EntryRow | None:
    entry = db.scalar(select(EntryRow).where(EntryRow.client_id == client_id))
    if entry is None:
        return None
    if sorted(transfers_of(db, entry.id), key=repr) != sorted(transfers, key=repr):
        raise DomainError(code="idempotency_conflict", field="client_id",
                          ko=f"전표 번호 {client_id}는 이미 다른 내용으로 기록되었습니다. 같은 번호로 다른 거래를 기록할 수 없습니다.",
                          en=f"Entry id {client_id} was already posted with different transfers; one id is one "
                             "transaction.")
    return entry


def post(db: Session, client_id: str, kind: str, transfers: list[Transfer], owner: Owner, value_date: date,
         memo: str = "", user_id: int | None = None, reverses_id: int | None = None) -> tuple[EntryRow, bool]:
    """Post one entry at most once: returns (entry, True) when written now, (the earlier entry,
    False) when `client_id` was posted before with the same transfers. Raises DomainError
    `idempotency_conflict` when it was posted with other transfers, `InsufficientBalance`
    (`insufficient_balance`, naming the account and its balance in won) when an account
    flagged non-negative would go below zero; nothing is written then."""
    checked = check_transfers(transfers)
    if (found := _existing(db, client_id, checked)) is not None:
        return found, False
    try:
        with db.begin_nested():
            entry = EntryRow(client_id=client_id, kind=kind, value_date=value_date, memo=memo,
                             program_id=owner.program_id, firm_id=owner.firm_id, loan_id=owner.loan_id,
                             reverses_id=reverses_id,
                             created_by=user_id)
            db.add(entry)
            db.flush()
    except IntegrityError:
        # the same id was posted meanwhile by a concurrent request (committed now), or the
        # entry was reversed already
        if (found := _existing(db, client_id, checked)) is not None:
            return found, False
        raise DomainError(code="already_reversed", field="reverses_id", ko="이미 취소(역분개)된 전표입니다.",
                          en="This entry was already reversed.") from None
    changes = net_changes(checked)
    accounts = {key: _account(db, key, owner) for key in changes}
    failed: AccountRow | None = None
    try:
        with db.begin_nested():
            for key, acc in sorted(accounts.items(), key=lambda kv: kv[1].id):
                d, c = changes[key]
                failed = acc
                db.execute(update(AccountRow).where(AccountRow.id == acc.id).values(
                    debits_posted=AccountRow.debits_posted + d, credits_posted=AccountRow.credits_posted + c))
            failed = None
            db.add_all(TransferRow(entry_id=entry.id, debit_account_id=accounts[t.debit].id,
                                   credit_account_id=accounts[t.credit].id, amount=t.amount) for t in checked)
            db.add_all(_total_rows(accounts, changes, value_date, kind))
            db.flush()
    except IntegrityError:
        db.expunge(entry)
        if failed is None:
            raise
        db.refresh(failed)
        k = Kind(failed.kind)
        now = balance(k, failed.debits_posted, failed.credits_posted)
        d, c = changes[failed.key]
        wanted = -balance(k, d, c)
        info = KINDS[k]
        raise InsufficientBalance(
            code="insufficient_balance", field="amount",
            ko=f"{info.ko}({failed.key})의 잔액 {format_won(now)}으로는 {josa(str(format_won(wanted)), '을')} 처리할 수 없습니다. "
               "아무것도 기록되지 않았습니다.",
            en=f"{info.en} ({failed.key}) holds KRW {now:,}; KRW {wanted:,} cannot be taken from it. Nothing was "
               "posted.") from None
    for acc in accounts.values():
        db.expire(acc)
    return entry, True


def _total_rows(accounts: dict[str, AccountRow], changes: dict[str, tuple[int, int]], value_date: date,
                entry_kind: str) -> list[BudgetTotalRow]:
    """The entry's changes summed per budget and kind of account: the summary rows it adds."""
    groups: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for key, (d, c) in changes.items():
        acc = accounts[key]
        g = groups[(acc.budget_id, acc.kind)]
        g[0] += d
        g[1] += c
    month = value_date.strftime("%Y-%m")
    return [BudgetTotalRow(budget_id=b, kind=k, month=month, entry_kind=entry_kind, debits=d, credits=c)
            for (b, k), (d, c) in sorted(groups.items())]


def compact_totals(db: Session) -> int:
    """Fold the summary rows into one per budget, kind, month and kind of entry (the rows it
    deletes are the ones it re-adds, so concurrent compactions and posts never count a row twice
    or lose one). Returns how many rows it folded."""
    gone = db.execute(delete(BudgetTotalRow).returning(
        BudgetTotalRow.budget_id, BudgetTotalRow.kind, BudgetTotalRow.month, BudgetTotalRow.entry_kind,
        BudgetTotalRow.debits, BudgetTotalRow.credits)).all()
    sums: dict[tuple[int, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for b, k, m, e, d, c in gone:
        g = sums[(b, k, m, e)]
        g[0] += d
        g[1] += c
    db.add_all(BudgetTotalRow(budget_id=b, kind=k, month=m, entry_kind=e, debits=d, credits=c)
               for (b, k, m, e), (d, c) in sorted(sums.items()))
    db.flush()
    return len(gone)


def budget_totals(db: Session, budget_id: int) -> dict[Kind, int]:
    """A budget's balances per kind of account, from the summary rows (a few rows a budget once
    compacted); equal to `totals_by_kind` over its accounts (`verify` checks it)."""
    return budget_totals_and(db, budget_id)[0]


def budget_totals_and(db: Session, budget_id: int, *also: Any) -> tuple[dict[Kind, int], list[int]]:
    """`budget_totals`, and the values of the scalar subqueries `also` read in the same round
    trip (zeros when the budget has no summary row)."""
    rows = db.execute(select(BudgetTotalRow.kind, func.sum(BudgetTotalRow.debits), func.sum(BudgetTotalRow.credits),
                             *also)
                      .where(BudgetTotalRow.budget_id == budget_id).group_by(BudgetTotalRow.kind)).all()
    out = dict.fromkeys(Kind, 0)
    extra = [0] * len(also)
    for kind, d, c, *values in rows:
        out[Kind(kind)] = balance(Kind(kind), int(d or 0), int(c or 0))
        extra = [int(v or 0) for v in values]
    return out, extra


def monthly_debits(db: Session, budget_ids: list[int], entry_kinds: list[str]) -> list[tuple[str, str, int]]:
    """(YYYY-MM, kind of entry, debits posted) for these budgets and kinds of entry."""
    if not budget_ids:
        return []
    rows = db.execute(select(BudgetTotalRow.month, BudgetTotalRow.entry_kind, func.sum(BudgetTotalRow.debits))
                      .where(BudgetTotalRow.budget_id.in_(budget_ids), BudgetTotalRow.entry_kind.in_(entry_kinds))
                      .group_by(BudgetTotalRow.month, BudgetTotalRow.entry_kind)).all()
    return [(m, e, int(d or 0)) for m, e, d in rows]


def reverse_entry(db: Session, entry_id: int, client_id: str, memo: str, user_id: int | None = None
                  ) -> tuple[EntryRow, bool]:
    """Correct an entry by posting its mirror image (the journal is never edited). An entry is
    reversed at most once."""
    original = db.get(EntryRow, entry_id)
    if original is None:
        raise DomainError(code="not_found", field="entry_id", ko="전표를 찾을 수 없습니다.", en="Entry not found.")
    acc = db.scalar(select(AccountRow).join(TransferRow, TransferRow.debit_account_id == AccountRow.id)
                    .where(TransferRow.entry_id == entry_id).limit(1))
    assert acc is not None
    owner = Owner(acc.budget_id, original.program_id, original.firm_id, original.loan_id)
    return post(db, client_id, f"reverse:{original.kind}", reverse(transfers_of(db, entry_id)), owner,
                original.value_date, memo, user_id, reverses_id=entry_id)


def balances(db: Session, keys: list[str]) -> dict[str, int]:
    """The balance of each account on its normal side (0 for an account never posted to)."""
    rows = db.execute(select(AccountRow.key, AccountRow.kind, AccountRow.debits_posted, AccountRow.credits_posted)
                      .where(AccountRow.key.in_(keys))).all()
    found = {r.key: balance(Kind(r.kind), r.debits_posted, r.credits_posted) for r in rows}
    return {key: found.get(key, 0) for key in keys}


def totals_by_kind(db: Session, *where: object) -> dict[Kind, int]:
    """Balances summed per kind over the accounts matching `where` (e.g. a firm, a program)."""
    rows = db.execute(select(AccountRow.kind, func.sum(AccountRow.debits_posted), func.sum(AccountRow.credits_posted))
                      .where(*where).group_by(AccountRow.kind)).all()  # type: ignore[arg-type]
    out = dict.fromkeys(Kind, 0)
    for kind, d, c in rows:
        out[Kind(kind)] = balance(Kind(kind), int(d or 0), int(c or 0))
    return out


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    transfers: int
    debits: int
    credits: int
    #: account key → (posted debits, credits) vs (replayed debits, credits), where they differ
    mismatches: dict[str, tuple[tuple[int, int], tuple[int, int]]]


def verify(db: Session) -> Verification:
    """Replay the journal: every account's posted totals must equal the sum of its transfers,
    total debits must equal total credits, and the dashboard's summary rows must equal the
    accounts' totals per budget and kind."""
    replayed: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for acc_id, amount in db.execute(select(TransferRow.debit_account_id, func.sum(TransferRow.amount))
                                     .group_by(TransferRow.debit_account_id)):
        replayed[acc_id][0] = int(amount)
    for acc_id, amount in db.execute(select(TransferRow.credit_account_id, func.sum(TransferRow.amount))
                                     .group_by(TransferRow.credit_account_id)):
        replayed[acc_id][1] = int(amount)
    mismatches = {}
    debits = credits = 0
    for acc in db.scalars(select(AccountRow)):
        want = tuple(replayed.get(acc.id, [0, 0]))
        have = (acc.debits_posted, acc.credits_posted)
        debits += have[0]
        credits += have[1]
        if have != want:
            mismatches[acc.key] = (have, (want[0], want[1]))
    summary = {(b, k): (int(d), int(c)) for b, k, d, c in db.execute(
        select(BudgetTotalRow.budget_id, BudgetTotalRow.kind, func.sum(BudgetTotalRow.debits),
               func.sum(BudgetTotalRow.credits)).group_by(BudgetTotalRow.budget_id, BudgetTotalRow.kind))}
    accounts = {(b, k): (int(d), int(c)) for b, k, d, c in db.execute(
        select(AccountRow.budget_id, AccountRow.kind, func.sum(AccountRow.debits_posted),
               func.sum(AccountRow.credits_posted)).group_by(AccountRow.budget_id, AccountRow.kind))}
    for group in sorted(set(summary) | set(accounts)):
        have_s, want_s = summary.get(group, (0, 0)), accounts.get(group, (0, 0))
        if have_s != want_s:
            mismatches[f"budget:{group[0]}:{group[1]} (summary)"] = (have_s, want_s)
    entries = db.scalar(select(func.count()).select_from(EntryRow)) or 0
    transfers = db.scalar(select(func.count()).select_from(TransferRow)) or 0
    return Verification(ok=not mismatches and debits == credits, entries=entries, transfers=transfers,
                        debits=debits, credits=credits, mismatches=mismatches)
