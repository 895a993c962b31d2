"""Alerts at scale: one run per program change (its checkpoint), one row per firm told.

The unique key on (run, firm) is what makes a firm hear of a change exactly once, however often
the job is killed and run again; the run's `last_firm_id` is the checkpoint a re-run resumes from.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, UTCDateTime, utcnow


class ProgramAlertRunRow(Base):
    __tablename__ = "program_alert_runs"
    __table_args__ = (UniqueConstraint("program_id", "change_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[str] = mapped_column(String(100), index=True)
    #: digest of the rules before and after the change (and the reference date): one run per change
    change_key: Mapped[str] = mapped_column(String(64))
    on: Mapped[date] = mapped_column(Date)
    #: the checkpoint: every firm with an id up to this one has been looked at and, if new, told
    last_firm_id: Mapped[int] = mapped_column(Integer, default=0)
    firms_seen: Mapped[int] = mapped_column(Integer, default=0)
    notified: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ProgramAlertRow(Base):
    __tablename__ = "program_alerts"
    __table_args__ = (UniqueConstraint("run_id", "firm_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("program_alert_runs.id", ondelete="CASCADE"), index=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
