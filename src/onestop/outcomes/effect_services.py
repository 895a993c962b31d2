"""Measure a program's effect over the registered firms (see `outcomes.effect` for the method)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.catalog.loader import Catalog
from onestop.outcomes.dashboard import SUPPORTED_STATES, age_band
from onestop.outcomes.effect import Effect, Unit, compare
from onestop.outcomes.simulation import UNKNOWN_GROUP
from onestop.rules.evaluate import MET, evaluate_rule, flip_effects


def measure(db: Session, catalog: Catalog, program_id: str, on: date) -> Effect:
    """Supported firms (an application of the program executed) against near misses and matched
    unsupported firms, on the revenue change their profiles hold on `on`."""
    from onestop.applications.tables import ApplicationRow
    from onestop.firms.facts import derive
    from onestop.firms.services import profile_of
    from onestop.firms.tables import FirmRow

    program = catalog.get(program_id)
    supported = set(db.scalars(select(ApplicationRow.firm_id).where(
        ApplicationRow.program_id == program_id, ApplicationRow.state.in_(SUPPORTED_STATES))))
    units = []
    for firm in db.scalars(select(FirmRow).order_by(FirmRow.id)):
        facts = derive(profile_of(firm), on)
        is_supported = firm.id in supported
        near = (not is_supported and evaluate_rule(program.rule, facts) != MET
                and bool(flip_effects(program.rule, facts)))
        change = facts.get("revenue_change_yoy")
        cell = (firm.region[:2], (firm.ksic or UNKNOWN_GROUP)[:1], str(facts.get("size_class") or UNKNOWN_GROUP),
                age_band(facts.get("ceo_age")))
        units.append(Unit(firm.id, is_supported, near, cell, float(change) if change is not None else None))
    return compare(units)


def as_dict(e: Effect, program_id: str) -> dict[str, Any]:
    return {"program": program_id, **asdict(e)}
