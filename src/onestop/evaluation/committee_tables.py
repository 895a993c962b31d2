"""Evaluation committees: evaluators' declarations (workplace 시군구, past employments), who
is assigned to which application and whether they were excluded (and why), their scores and
the committee's decision with what it was made with."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, JsonType, UTCDateTime, utcnow


class EvaluatorProfileRow(Base):
    """What an evaluator declares about themselves for conflict checks."""

    __tablename__ = "evaluator_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: the 시군구 code of the evaluator's workplace (None: not stated)
    region: Mapped[str | None] = mapped_column(String(10), nullable=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PastEmploymentRow(Base):
    """A past employment an evaluator declared: a firm at which they worked, until when."""

    __tablename__ = "evaluator_past_employments"
    __table_args__ = (UniqueConstraint("user_id", "brn"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    brn: Mapped[str] = mapped_column(String(12), index=True)
    employer: Mapped[str] = mapped_column(String(200))
    until: Mapped[date] = mapped_column(Date)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssignmentRow(Base):
    """An evaluator assigned to an application. `excluded_at` set: excluded for `ground`
    (a `committee_model.Ground`), with the reason; an excluded evaluator no longer sees it."""

    __tablename__ = "committee_assignments"
    __table_args__ = (UniqueConstraint("application_id", "evaluator_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    excluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ground: Mapped[str | None] = mapped_column(String(30), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    excluded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class ScoreRow(Base):
    """An evaluator's scores for an assignment: a level per rubric item, the total in
    hundredths of a point (out of 100), a comment; replaced until the committee decides."""

    __tablename__ = "committee_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("committee_assignments.id"), unique=True)
    levels: Mapped[dict[str, Any]] = mapped_column(JsonType)
    total_hundredths: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DecisionRow(Base):
    """The committee's decision on an application and what it was made with: every score, the
    aggregation rule and result, the rules checked at submission, the rubric and the reasons."""

    __tablename__ = "committee_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(20))
    recommended: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[str] = mapped_column(Text)
    aggregate_hundredths: Mapped[int] = mapped_column(Integer)
    record: Mapped[dict[str, Any]] = mapped_column(JsonType)
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
