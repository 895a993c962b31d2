"""Marketplace tables: asset-owner organisations (large companies), listings, their photos, SMEs'
requests, and the e-agreements that record a transfer or lease."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from onestop.platform.db import Base, JsonType, UTCDateTime, utcnow


class AssetOwnerRow(Base):
    """A registered organisation (a firm record with its members) that lists assets, as an
    organisation of type `large_company`, with the size decision that allowed it."""

    __tablename__ = "market_owners"

    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id", ondelete="CASCADE"), primary_key=True)
    org_type: Mapped[str] = mapped_column(String(20), default="large_company")
    #: the size classification shown when it registered (version and reasons)
    basis: Mapped[dict[str, Any]] = mapped_column(JsonType)
    registered_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListingRow(Base):
    __tablename__ = "market_listings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_firm_id: Mapped[int] = mapped_column(ForeignKey("market_owners.firm_id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(String(5), index=True)
    terms: Mapped[str] = mapped_column(String(10))
    price_won: Mapped[int] = mapped_column(BigInteger, default=0)
    available_from: Mapped[date] = mapped_column(Date)
    available_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    patent_number: Mapped[str | None] = mapped_column(String(20), nullable=True)
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    #: the listing's search terms (morphemes and bigrams, space-separated), written with it
    search_terms: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set on every change: the search index's change stamp reads its maximum through the index
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PhotoRow(Base):
    """A photo of a listing: bytes in the documents store, named by their SHA-256."""

    __tablename__ = "market_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("market_listings.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestRow(Base):
    __tablename__ = "market_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("market_listings.id"), index=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"), index=True)
    purpose: Mapped[str] = mapped_column(Text)
    wanted_from: Mapped[date] = mapped_column(Date)
    wanted_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    state: Mapped[str] = mapped_column(String(12), default="requested", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class DealAgreementRow(Base):
    """The e-agreement of an accepted request: written once when the owner accepts; each side's
    authorised person (a firm owner) signs the document's SHA-256. A database trigger refuses any
    change once both have signed, and any deletion."""

    __tablename__ = "market_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("market_requests.id"), unique=True)
    terms: Mapped[dict[str, Any]] = mapped_column(JsonType)
    document: Mapped[str] = mapped_column(Text)
    document_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    owner_signed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    owner_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    owner_signer_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    requester_signed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    requester_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    requester_signer_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
