"""The firms table: the validated profile as JSON, with a version for optimistic locking."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, JsonType, UTCDateTime, utcnow


class FirmRow(Base):
    __tablename__ = "firms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: None for a prospective founder (예비창업자), who has no BRN yet
    brn: Mapped[str | None] = mapped_column(String(12), unique=True, index=True, nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    ksic: Mapped[str] = mapped_column(String(6), index=True)
    region: Mapped[str] = mapped_column(String(5), index=True)
    profile: Mapped[dict[str, Any]] = mapped_column(JsonType)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
