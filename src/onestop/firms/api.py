"""Firm endpoints: register, read, edit (optimistic locking), and live validation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from onestop.errors import DomainError
from onestop.firms import services
from onestop.firms.model import notices, parse_firm
from onestop.firms.tables import FirmRow
from onestop.platform.openapi import PROBLEM_RESPONSES
from onestop.platform.web import DB, MAX_ID, CurrentActor, PathId, UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["firms"], responses=PROBLEM_RESPONSES, route_class=UnitOfWorkRoute)


class FirmOut(BaseModel):
    id: int
    brn: str | None = Field(description="None for a prospective founder (예비창업자) who has no BRN yet")
    name: str
    version: int
    profile: dict[str, Any]
    updated_at: datetime
    notices: list[dict[str, str]] = Field(default_factory=list, description=(
        "what the platform changed in the stated profile, by field (e.g. a former region code "
        "mapped to its successor, with the date and the reason), in Korean and English"))


class FirmUpdate(BaseModel):
    profile: dict[str, Any]
    version: int | None = Field(default=None, ge=0, le=MAX_ID, description="the version you edited; a stale one is refused")


class ValidationOut(BaseModel):
    valid: bool
    errors: list[dict[str, str]]


def out(row: FirmRow) -> FirmOut:
    notes = [n.as_dict() for n in notices(parse_firm(row.profile))] if row.profile.get("region_given") else []
    return FirmOut(id=row.id, brn=row.brn, name=row.name, version=row.version, profile=row.profile,
                   updated_at=row.updated_at, notices=notes)


@router.get("/firms", response_model=list[FirmOut], summary="Firms the caller belongs to")
def list_firms(who: CurrentActor, db: DB) -> list[FirmOut]:
    return [out(r) for r in services.mine(db, who.require())]


@router.post("/firms", response_model=FirmOut, status_code=201, summary="Register a firm (you become its owner)")
def register(profile: dict[str, Any], request: Request, who: CurrentActor, db: DB) -> FirmOut:
    row = services.register(db, who.require(), profile)
    request.app.state.app.principals.clear()  # the new membership
    return out(row)


@router.get("/firms/{firm_id}", response_model=FirmOut, summary="One firm")
def get_firm(firm_id: PathId, who: CurrentActor, db: DB) -> FirmOut:
    return out(services.get(db, who.require(), firm_id))


@router.put("/firms/{firm_id}", response_model=FirmOut, summary="Edit a firm's profile")
def update_firm(firm_id: PathId, body: FirmUpdate, request: Request, who: CurrentActor, db: DB) -> FirmOut:
    row = services.update(db, who.require(), firm_id, body.profile, body.version)
    request.app.state.app.principals.clear()  # the firm's version moved
    return out(row)


@router.post("/validate/firm", response_model=ValidationOut, summary="Check a profile without saving it")
def validate(profile: dict[str, Any]) -> ValidationOut:
    try:
        parse_firm(profile, entry=True)
    except DomainError as e:
        return ValidationOut(valid=False, errors=[p.as_dict() for p in e.problems])
    return ValidationOut(valid=True, errors=[])
