"""Measure a program's effect over the registered firms (see `outcomes.effect` for the method)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from onestop.catalog.loader import Catalog
from onestop.outcomes.dashboard import age_band, supported_firm_ids
from onestop.outcomes.effect import Effect, Unit, compare
from onestop.outcomes.simulation import UNKNOWN_GROUP
from onestop.rules.evaluate import MET, evaluate_rule, flip_effects


def measure(db: Session, catalog: Catalog, program_id: str, on: date) -> Effect:
    """Supported firms (an application of the program executed) against near misses and matched
    unsupported firms, on the revenue change their profiles hold on `on`."""
    from onestop.firms.facts import derive
    from onestop.firms.services import profiles_by_id

    program = catalog.get(program_id)
    supported = supported_firm_ids(db, program_id)
    units = []
    for firm_id, firm in profiles_by_id(db).items():
        facts = derive(firm, on)
        is_supported = firm_id in supported
        near = (not is_supported and evaluate_rule(program.rule, facts) != MET
                and bool(flip_effects(program.rule, facts)))
        change = facts.get("revenue_change_yoy")
        cell = (firm.region[:2], (firm.ksic or UNKNOWN_GROUP)[:1], str(facts.get("size_class") or UNKNOWN_GROUP),
                age_band(facts.get("ceo_age")))
        units.append(Unit(firm_id, is_supported, near, cell, float(change) if change is not None else None))
    return compare(units)


def as_dict(e: Effect, program_id: str) -> dict[str, Any]:
    return {"program": program_id, **asdict(e)}
