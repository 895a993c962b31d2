"""Saved searches, the notifications they (and applications) produce, with the email outbox
kept on the notification itself, and the record of deadline reminders already given."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, JsonType, UTCDateTime, utcnow


class SavedSearchRow(Base):
    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[dict[str, Any]] = mapped_column(JsonType)
    #: program ids that matched when the user was last told, so only new matches alert
    known: Mapped[list[str]] = mapped_column(JsonType, default=list)
    email: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationRow(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title_ko: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(300), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: the outbox: set when an email is owed, to the earliest time the next attempt may run;
    #: cleared when it is sent or given up. The index keeps the sender's scan to due rows only.
    email_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    email_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the last failure, kept after giving up so an operator can see why mail never arrived
    email_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class DeadlineReminderRow(Base):
    """One row per application and deadline reminded of: the unique key is what makes running
    `onestop remind` twice (or from two hosts) harmless, and a new deadline a new key."""

    __tablename__ = "deadline_reminders"
    __table_args__ = (UniqueConstraint("application_id", "deadline_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
