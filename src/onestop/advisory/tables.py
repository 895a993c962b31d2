"""Experts, needs, the routes of a need to experts, and the reminders due on a need."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, JsonType, UTCDateTime, utcnow


class ExpertRow(Base):
    """An advisory expert (a user with the `expert` role): subjects, 시도 covered (empty list =
    nationwide), match filters stored as data (see `advisory.model.MatchFilters`), capacity."""

    __tablename__ = "advisory_experts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    institution: Mapped[str] = mapped_column(String(200), index=True)
    subjects: Mapped[list[str]] = mapped_column(JsonType, default=list)
    regions: Mapped[list[str]] = mapped_column(JsonType, default=list)
    filters: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    capacity: Mapped[int] = mapped_column(Integer, default=10)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NeedRow(Base):
    """A firm's need, described once. `state`: open (routed, nobody took it yet) → taken →
    closed; `unrouted` when no expert fits (an officer sees it first in the open list).
    `facts` is the firm's profile as routing saw it; `decision` the explanation of the routing."""

    __tablename__ = "advisory_needs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"), index=True)
    subject: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    decision: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)
    routed_on: Mapped[date] = mapped_column(Date)
    closure: Mapped[str | None] = mapped_column(String(30), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    satisfaction: Mapped[int | None] = mapped_column(Integer, nullable=True)
    survey_comment: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class NeedRouteRow(Base):
    """One need sent to one expert, with why; `state`: pending → taken or declined (with a reason)."""

    __tablename__ = "advisory_routes"
    __table_args__ = (UniqueConstraint("need_id", "expert_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("advisory_needs.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("advisory_experts.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    reason_ko: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NeedReminderRow(Base):
    """A reminder due on a need `step` Korean business days after routing; `sent_at` is set in
    the transaction that queues its notifications, so each is sent once."""

    __tablename__ = "advisory_reminders"
    __table_args__ = (UniqueConstraint("need_id", "step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("advisory_needs.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EngagementRow(Base):
    """Long-term advisory on a need (경영닥터제, 비즈니스 멘토링, 중견기업 키우기): the expert who took
    the need runs sessions, writes a report of each, and ends with an assessment."""

    __tablename__ = "advisory_engagements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("advisory_needs.id"), unique=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("advisory_experts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    planned_sessions: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="active")
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    assessment: Mapped[str] = mapped_column(Text, default="")
    goals_met: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class EngagementSessionRow(Base):
    """One advisory session of an engagement and the expert's report of it."""

    __tablename__ = "advisory_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("advisory_engagements.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    report: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
