"""The fast-track queue: an application's entry, its service level, and when it was decided,
breached and escalated (each breach escalated once)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, UTCDateTime, utcnow


class FastTrackRow(Base):
    __tablename__ = "fast_track"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    program_id: Mapped[str] = mapped_column(String(100), index=True)
    agency_id: Mapped[str] = mapped_column(String(60), index=True)
    band: Mapped[str] = mapped_column(String(2))
    #: where the band came from (the model version, or who entered it)
    band_source: Mapped[str] = mapped_column(String(100), default="")
    service_days: Mapped[int] = mapped_column(Integer)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[date] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: set when the service level was missed (the decision came late, or none by the deadline)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
