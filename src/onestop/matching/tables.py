"""Evaluations: what was decided for a firm, with the catalog revision and parameters used."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, JsonType, UTCDateTime, utcnow


class EvaluationRow(Base):
    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id", ondelete="CASCADE"), index=True)
    firm_version: Mapped[int] = mapped_column(Integer)
    program_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    on_date: Mapped[date] = mapped_column(Date)
    catalog_revision: Mapped[int] = mapped_column(Integer)
    parameters_version: Mapped[str] = mapped_column(String(20))
    summary: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecommendationRunRow(Base):
    """A catalog revision's recomputation of every registered firm's recommendations, done in
    the background in batches (`matching.refresh`); `next_firm_id` is how far it has come."""

    __tablename__ = "recommendation_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    catalog_revision: Mapped[int] = mapped_column(Integer, unique=True)
    on_date: Mapped[date] = mapped_column(Date)
    #: pending → done, or superseded when a newer revision was published before it finished
    state: Mapped[str] = mapped_column(String(20), index=True, default="pending")
    next_firm_id: Mapped[int] = mapped_column(Integer, default=0)
    firms_done: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RecommendationSnapshotRow(Base):
    """A firm's standings on every program (status, score, packages, exclusions) as computed in
    the background for a catalog revision and date; a visitor's request uses it when the firm's
    version, the revision and the date still match, and builds only the page's explanations."""

    __tablename__ = "recommendation_snapshots"

    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id", ondelete="CASCADE"), primary_key=True)
    firm_version: Mapped[int] = mapped_column(Integer)
    catalog_revision: Mapped[int] = mapped_column(Integer)
    on_date: Mapped[date] = mapped_column(Date)
    parameters_version: Mapped[str] = mapped_column(String(20))
    standings: Mapped[dict[str, Any]] = mapped_column(JsonType)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
