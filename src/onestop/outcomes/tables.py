"""Outcome reports (one per executed application and reporting period) and KPI targets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, JsonType, UTCDateTime, utcnow


class OutcomeReportRow(Base):
    """A report due from a firm `after_months` after its support was executed.

    `state`: due → submitted → accepted, or submitted → returned (the officer asks for a
    correction) → submitted again. `values` holds the last figures submitted (a returned
    report keeps them, so nothing the firm entered is lost)."""

    __tablename__ = "outcome_reports"
    __table_args__ = (UniqueConstraint("application_id", "after_months"),
                      Index("ix_outcome_reports_queue", "state", "agency_id", "submitted_at"),
                      Index("ix_outcome_reports_queue_all", "state", "submitted_at"),
                      Index("ix_outcome_reports_totals", "program_id", "state", "period_end"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    firm_id: Mapped[int] = mapped_column(Integer, index=True)
    program_id: Mapped[str] = mapped_column(String(100), index=True)
    agency_id: Mapped[str] = mapped_column(String(60), index=True)
    executed_on: Mapped[date] = mapped_column(Date)
    after_months: Mapped[int] = mapped_column(Integer)
    period_end: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(20), default="due", index=True)
    values: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    confirmed: Mapped[list[str]] = mapped_column(JsonType, default=list)
    as_of: Mapped[date | None] = mapped_column(Date, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reviewed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    #: the due date a reminder was last sent for (one reminder per due date)
    reminded_for: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class KpiTargetRow(Base):
    """A published target: for a program (or an agency, or a 시도 when `program_id` is empty),
    a year, a measure (`firms_supported` or an outcome measure), the figure and its source."""

    __tablename__ = "kpi_targets"
    __table_args__ = (UniqueConstraint("program_id", "agency_id", "region", "year", "measure"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[str] = mapped_column(String(100), default="")
    agency_id: Mapped[str] = mapped_column(String(60), default="")
    region: Mapped[str] = mapped_column(String(2), default="")
    year: Mapped[int] = mapped_column(Integer)
    measure: Mapped[str] = mapped_column(String(40))
    target: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(20))
    #: the figure before the plan, when the source states one (e.g. 1,085 → 1,200)
    baseline: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    source: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str] = mapped_column(Text, default="")


class SupportedRow(Base):
    """One executed application, described as the dashboards and statistics group it: written
    when the support is executed (the lifecycle hook), so every figure is a GROUP BY over this
    table instead of a pass over firm profiles. The firm's 시도, KSIC section, size class and CEO
    age band are those of its profile on the execution date (KST): the firm as it was when it was
    supported. An execution is final (no transition leaves executed, outcome reporting, closed),
    so the row is never rewritten."""

    __tablename__ = "outcome_supported"
    __table_args__ = (Index("ix_outcome_supported_agency_day", "agency_id", "executed_on"),
                      Index("ix_outcome_supported_year_program", "year", "program_id", "executed_on"),
                      Index("ix_outcome_supported_year_sido", "year", "sido", "size_class"))

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    firm_id: Mapped[int] = mapped_column(Integer, index=True)
    program_id: Mapped[str] = mapped_column(String(100), index=True)
    agency_id: Mapped[str] = mapped_column(String(60))
    executed_on: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    sido: Mapped[str] = mapped_column(String(2))
    industry: Mapped[str] = mapped_column(String(10))
    size_class: Mapped[str] = mapped_column(String(20))
    ceo_age_band: Mapped[str] = mapped_column(String(20))


class SupportedCountRow(Base):
    """How many executions share one year, agency, program and group of each dimension: the
    rollup of `outcome_supported` that the dashboards and public statistics sum (a few thousand
    rows where the executions are a hundred thousand). Kept by the same hook, one upsert per
    execution (`n = n + 1`), so it is never stale; `dashboard.rebuild_counts` recomputes it."""

    __tablename__ = "outcome_supported_counts"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    program_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    sido: Mapped[str] = mapped_column(String(2), primary_key=True)
    industry: Mapped[str] = mapped_column(String(10), primary_key=True)
    size_class: Mapped[str] = mapped_column(String(20), primary_key=True)
    ceo_age_band: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class RecordedOutcomeRow(Base):
    """One figure of an outcome that does not come from an application's report: an export
    contract from a buyer inquiry, an idle-asset deal. Written by the feature where it happens
    (`services.record_outcome`, in the same transaction) and summed into the KPI actuals with
    the reports. `sido` is the firm's 시도 on the day (its profile), or the person's for an
    outcome without a firm, for 시도 targets."""

    __tablename__ = "outcome_recorded"
    __table_args__ = (UniqueConstraint("source_kind", "source_id", "measure"),
                      Index("ix_outcome_recorded_program", "program_id", "measure", "occurred_on"),
                      Index("ix_outcome_recorded_agency", "agency_id", "measure", "occurred_on"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[int] = mapped_column(Integer)
    #: None for an outcome of a person, not a firm (a course completion): not counted as a firm
    firm_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    program_id: Mapped[str] = mapped_column(String(100))
    agency_id: Mapped[str] = mapped_column(String(60))
    sido: Mapped[str] = mapped_column(String(2), default="")
    measure: Mapped[str] = mapped_column(String(40))
    value: Mapped[int] = mapped_column(BigInteger)
    occurred_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
