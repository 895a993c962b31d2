"""Exporters' declared products, buyer inquiries, and each invited firm's answer and follow-up."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, JsonType, UTCDateTime, utcnow


class ExporterProfileRow(Base):
    """What a firm declares for export matching: its products' HS codes (6 or 10 digits), product
    certifications (CE, FDA …) and the countries it has exported to (ISO alpha-2)."""

    __tablename__ = "export_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"), unique=True)
    hs_codes: Mapped[list[str]] = mapped_column(JsonType, default=list)
    certifications: Mapped[list[str]] = mapped_column(JsonType, default=list)
    countries: Mapped[list[str]] = mapped_column(JsonType, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InquiryRow(Base):
    """A buyer's inquiry registered by an agency officer (바이어·인콰이어리 알선)."""

    __tablename__ = "export_inquiries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(60), index=True)
    created_by: Mapped[int] = mapped_column(Integer)
    buyer_name: Mapped[str] = mapped_column(String(200), default="")
    buyer_country: Mapped[str] = mapped_column(String(2))
    product: Mapped[str] = mapped_column(Text)
    hs_code: Mapped[str] = mapped_column(String(10), index=True)
    quantity: Mapped[str] = mapped_column(String(200), default="")
    target_price_usd: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    required: Mapped[list[str]] = mapped_column(JsonType, default=list)
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InquiryOfferRow(Base):
    """One firm invited to answer an inquiry, why it was matched, its answer (quote, samples) and
    the follow-up (사후관리): invited → answered → negotiating → contracted (amount in won and
    US$) or lost."""

    __tablename__ = "export_offers"
    __table_args__ = (UniqueConstraint("inquiry_id", "firm_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("export_inquiries.id"), index=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    matched_hs: Mapped[str] = mapped_column(String(10))
    reasons_ko: Mapped[list[str]] = mapped_column(JsonType, default=list)
    reasons_en: Mapped[list[str]] = mapped_column(JsonType, default=list)
    state: Mapped[str] = mapped_column(String(20), default="invited", index=True)
    quote_usd: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    quote_note: Mapped[str] = mapped_column(Text, default="")
    samples: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    contract_won: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    contract_usd: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    contracted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
