"""The audit log: records in one hash chain per subject (`audit_log`, `audit_chain` holding each
chain's head), and the anchor chain that periodically commits the heads that moved
(`audit_anchor`, its leaves `audit_anchor_leaf`, its head `audit_head`). See docs/audit.md.

The migrations add triggers on both SQLite and PostgreSQL that refuse UPDATE and DELETE on
`audit_log`, `audit_anchor` and `audit_anchor_leaf`: rewriting history needs the triggers
dropped first, and the chains show it. Subject columns sort in code-point order on PostgreSQL
(collation "C"), as the verifier walks them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import ForeignKey, Index, Integer, String, Table, text
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, JsonType, UTCDateTime

#: a subject column: code-point order on PostgreSQL (the verifier merges chains in that order)
Subject = String(80).with_variant(String(80, collation="C"), "postgresql")


class AuditRow(Base):
    """One record. `seq` is a global id from a sequence (not contiguous for subject-chain
    records); `subject_seq` the record's position in its subject's chain, NULL for the records
    written before subject chains (the legacy global chain, where `seq` is the position)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject: Mapped[str] = mapped_column(String(80), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    subject_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ChainRow(Base):
    """A subject chain's head: the number of records and the last hash. Locked (its row only)
    by the transactions appending to that subject; `anchored_seq` is how far the last anchor
    committed it."""

    __tablename__ = "audit_chain"
    __table_args__ = (
        Index("ix_audit_chain_unanchored", "subject", postgresql_where=text("seq > anchored_seq"),
              sqlite_where=text("seq > anchored_seq")),
    )

    subject: Mapped[str] = mapped_column(Subject, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    anchored_seq: Mapped[int] = mapped_column(Integer, server_default="0")


class AnchorRow(Base):
    """One link of the anchor chain: the Merkle root of the `size` heads it commits."""

    __tablename__ = "audit_anchor"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    size: Mapped[int] = mapped_column(Integer)
    root: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AnchorLeafRow(Base):
    """One head an anchor commits (its leaves, in subject order, are the Merkle tree's input)."""

    __tablename__ = "audit_anchor_leaf"
    __table_args__ = (Index("ix_audit_anchor_leaf_subject", "subject", "subject_seq"),)

    anchor_seq: Mapped[int] = mapped_column(ForeignKey("audit_anchor.seq"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    subject: Mapped[str] = mapped_column(Subject)
    subject_seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The anchor chain's head (one row, id 1): the last anchor's number and hash."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


#: the tables, for Core statements (bulk inserts and updates without ORM bookkeeping)
audit_log = cast(Table, AuditRow.__table__)
audit_chain = cast(Table, ChainRow.__table__)
audit_anchor = cast(Table, AnchorRow.__table__)
audit_anchor_leaf = cast(Table, AnchorLeafRow.__table__)
audit_head = cast(Table, AuditHeadRow.__table__)
