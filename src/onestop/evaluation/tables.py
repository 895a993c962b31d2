"""Statements and recommendations: append-only statement versions per firm, and the
recommendation each application was shown, with the officer's decision beside it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, JsonType, UTCDateTime, utcnow


class StatementRow(Base):
    """One version of a firm's statements (up to three fiscal years). Versions are never edited:
    a correction is a new version, so an application keeps the version it was judged on."""

    __tablename__ = "firm_statements"
    __table_args__ = (UniqueConstraint("firm_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    #: [{"year": 2025, "revenue": …, …}, …] newest first, integer won
    years: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    source: Mapped[str] = mapped_column(String(10))  # form | api | xlsx | demo
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecommendationRow(Base):
    """What the model recommended for an application, exactly as shown; or why it was not scored
    (`routed`: no statements, model unavailable). The officer's decision is recorded beside it."""

    __tablename__ = "evaluation_recommendations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"), index=True)
    statements_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    model_version: Mapped[str | None] = mapped_column(String(80), nullable=True)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    band: Mapped[str | None] = mapped_column(String(2), nullable=True, index=True)
    probability: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: the explanation shown: {"factors": [...], "missing": [...]}
    explanation: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    #: None when scored; else a code: no_statements | model_unavailable
    routed: Mapped[str | None] = mapped_column(String(30), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(20), nullable=True)  # approved | rejected
    #: did the decision follow the band's recommendation (A/B favour approval, C/D call for scrutiny)
    followed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
