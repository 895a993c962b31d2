"""Budgets, commitments, the journal (accounts, entries, transfers), policy base rates, loans
and payments. Entries and transfers are append-only (database triggers); accounts carry their
posted totals, which a CHECK keeps from going negative where the account is so flagged, and
which `journal.verify` recomputes from the transfers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, JsonType, UTCDateTime, utcnow


class BudgetRow(Base):
    """A program's budget for a fiscal year, for the whole program (`region` "") or one 시도."""

    __tablename__ = "funds_budgets"
    __table_args__ = (UniqueConstraint("program_id", "fiscal_year", "region"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    #: 시도 code (2 digits) or "" for the whole program
    region: Mapped[str] = mapped_column(String(2), default="")
    amount: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccountRow(Base):
    __tablename__ = "funds_accounts"
    __table_args__ = (
        CheckConstraint("debits_posted >= 0 AND credits_posted >= 0", name="posted_positive"),
        CheckConstraint("NOT non_negative OR (debit_normal AND credits_posted <= debits_posted) "
                        "OR (NOT debit_normal AND debits_posted <= credits_posted)", name="non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    budget_id: Mapped[int] = mapped_column(ForeignKey("funds_budgets.id"), index=True)
    program_id: Mapped[str] = mapped_column(String(100), index=True)
    firm_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    debit_normal: Mapped[bool] = mapped_column(Boolean)
    non_negative: Mapped[bool] = mapped_column(Boolean)
    debits_posted: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_posted: Mapped[int] = mapped_column(BigInteger, default=0)
    #: the GL account its program maps its kind to, fixed when the account is opened (funds.gl)
    gl_code: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)


class EntryRow(Base):
    """One business event: its transfers succeed or fail together; `client_id` makes it
    happen at most once."""

    __tablename__ = "funds_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: the value date (KST) the event belongs to: back-dated events carry their own
    value_date: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    memo: Mapped[str] = mapped_column(Text, default="")
    program_id: Mapped[str] = mapped_column(String(100), index=True)
    firm_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    loan_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("funds_entries.id"), nullable=True, unique=True)
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class TransferRow(Base):
    __tablename__ = "funds_transfers"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("debit_account_id <> credit_account_id", name="two_accounts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("funds_entries.id"), index=True)
    debit_account_id: Mapped[int] = mapped_column(ForeignKey("funds_accounts.id"), index=True)
    credit_account_id: Mapped[int] = mapped_column(ForeignKey("funds_accounts.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)


class CommitmentRow(Base):
    """The part of a budget an approved application holds (one per application)."""

    __tablename__ = "funds_commitments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("funds_budgets.id"), index=True)
    firm_id: Mapped[int] = mapped_column(Integer, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    #: active → released (withdrawn, rejected, expired) or used (paid out)
    state: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BaseRateRow(Base):
    """A lender's announced 정책자금 기준금리 from a date on, with where it was announced."""

    __tablename__ = "funds_base_rates"
    __table_args__ = (UniqueConstraint("lender", "effective_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lender: Mapped[str] = mapped_column(String(60))
    effective_from: Mapped[date] = mapped_column(Date)
    rate_pct: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    source: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoanRow(Base):
    """A loan made from a signed agreement; `terms` is the snapshot it runs on."""

    __tablename__ = "funds_loans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    firm_id: Mapped[int] = mapped_column(Integer, index=True)
    program_id: Mapped[str] = mapped_column(String(100), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("funds_budgets.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    terms: Mapped[dict[str, Any]] = mapped_column(JsonType)
    disbursed_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaymentRow(Base):
    """Money received for a loan and how it was allocated (append-only)."""

    __tablename__ = "funds_payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("funds_loans.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(120), unique=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    interest: Mapped[int] = mapped_column(BigInteger)
    overdue_principal: Mapped[int] = mapped_column(BigInteger)
    principal: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(200), default="manual")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BatchRow(Base):
    """A disbursement batch: the payments an officer sends to the bank together."""

    __tablename__ = "funds_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value_date: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BatchLineRow(Base):
    """One payment of a batch (append-only). An application is paid out in one line only."""

    __tablename__ = "funds_batch_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("funds_batches.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    firm_id: Mapped[int] = mapped_column(Integer, index=True)
    #: "loan" or "grant"
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(BigInteger)
    bank: Mapped[str] = mapped_column(String(40))
    account: Mapped[str] = mapped_column(String(40))
    holder: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(40))
    #: loans: the repayment method and frequency the officer chose (schedule.Method, Frequency)
    method: Mapped[str | None] = mapped_column(String(20), nullable=True)
    frequency: Mapped[str | None] = mapped_column(String(10), nullable=True)
    #: the program line (시설자금 facility, 운전자금 working …) whose terms a loan takes
    line: Mapped[str | None] = mapped_column(String(60), nullable=True)


class SettlementRow(Base):
    """A firm's settlement (정산) of a grant paid out: one per application, submitted (again
    after a return) until the officer decides it."""

    __tablename__ = "funds_settlements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    firm_id: Mapped[int] = mapped_column(Integer, index=True)
    program_id: Mapped[str] = mapped_column(String(100), index=True)
    agency_id: Mapped[str] = mapped_column(String(60), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("funds_budgets.id"), index=True)
    #: the grant paid out, which the settlement accounts for
    paid: Mapped[int] = mapped_column(BigInteger)
    #: settlement_model.State
    state: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    #: how many times the firm submitted it (the lines of the latest are `version`)
    version: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str] = mapped_column(Text, default="")
    submitted_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    returned_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recognised: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    unspent: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    disallowed: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")


class SettlementLineRow(Base):
    """One spending line of a submission, with its evidence (stored in the documents store,
    named by its SHA-256) and, once reviewed, the amount allowed."""

    __tablename__ = "funds_settlement_lines"
    __table_args__ = (UniqueConstraint("settlement_id", "version", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("funds_settlements.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(300))
    amount: Mapped[int] = mapped_column(BigInteger)
    receipt_name: Mapped[str] = mapped_column(String(255))
    receipt_type: Mapped[str] = mapped_column(String(100))
    receipt_size: Mapped[int] = mapped_column(Integer)
    receipt_sha256: Mapped[str] = mapped_column(String(64))
    allowed: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    cut_reason: Mapped[str] = mapped_column(Text, default="")


class ClawbackRow(Base):
    """The part of a grant a decided settlement claws back: a receivable with its due date.
    Its balance is the journal's (`application:N:clawback_receivable`); its state follows from
    the balance and the due date."""

    __tablename__ = "funds_clawbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("funds_settlements.id"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    firm_id: Mapped[int] = mapped_column(Integer, index=True)
    program_id: Mapped[str] = mapped_column(String(100), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClawbackPaymentRow(Base):
    """Money a firm returned against its clawback (append-only), keyed by the bank's or the
    officer's transaction id."""

    __tablename__ = "funds_clawback_payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clawback_id: Mapped[int] = mapped_column(ForeignKey("funds_clawbacks.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(120), unique=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    recorded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GlMappingRow(Base):
    """A program's own GL account for one kind of ledger account (Fineract's product-to-GL
    mapping); kinds without a row use the default chart (`funds.gl.DEFAULT`)."""

    __tablename__ = "funds_gl_mappings"
    __table_args__ = (UniqueConstraint("program_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    gl_code: Mapped[str] = mapped_column(String(20))
    gl_name: Mapped[str] = mapped_column(String(200))
    set_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BudgetTotalRow(Base):
    """Per budget, kind of account, month of value date and kind of entry: posted debits and
    credits. `journal.post` inserts one row per group it changes (insert-only: posts never wait
    on each other here) and `journal.compact_totals` folds the rows into one per group, so the
    dashboard reads a few rows per budget instead of summing every account."""

    __tablename__ = "funds_budget_totals"
    __table_args__ = (Index("ix_funds_budget_totals_budget_kind", "budget_id", "kind"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    budget_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    #: YYYY-MM of the entry's value date
    month: Mapped[str] = mapped_column(String(7))
    entry_kind: Mapped[str] = mapped_column(String(40))
    debits: Mapped[int] = mapped_column(BigInteger)
    credits: Mapped[int] = mapped_column(BigInteger)
