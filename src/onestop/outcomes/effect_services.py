"""Measure a program's effect over the registered firms (see `outcomes.effect` for the method)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from onestop.catalog.loader import Catalog
from onestop.outcomes.dashboard import age_band, supported_firm_ids
from onestop.outcomes.effect import Effect, Measure, Unit, compare, latest_change
from onestop.outcomes.simulation import UNKNOWN_GROUP
from onestop.rules.evaluate import MET, evaluate_rule, flip_effects


def measure(db: Session, catalog: Catalog, program_id: str, on: date) -> Effect:
    """Supported firms (an application of the program executed) against near misses and matched
    unsupported firms, on the changes of revenue, regular employees and exports (won) their
    profiles hold by fiscal year, the latest year before `on`'s year against the year before.
    Raises CatalogError `program_unknown` for a program not in the catalog."""
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
        cell = (firm.region[:2], (firm.ksic or UNKNOWN_GROUP)[:1], str(facts.get("size_class") or UNKNOWN_GROUP),
                age_band(facts.get("ceo_age")))
        changes = {Measure.revenue: latest_change(firm.revenue, on, relative=True),
                   Measure.employment: latest_change(firm.regular_employees_by_year, on, relative=False),
                   Measure.exports: latest_change(firm.export_revenue_by_year, on, relative=False)}
        units.append(Unit(firm_id, is_supported, near, cell, changes))
    return compare(units)


def as_dict(e: Effect, program_id: str) -> dict[str, Any]:
    """The comparison as JSON-ready data: `program`, `supported`, `near_misses`, `measures` (one
    per measure: `measure`, `unit`, group sizes, means, `matched_difference`, method and caveats in
    Korean and English), the overall method and caveats."""
    return {"program": program_id, **asdict(e)}


def shown(value: float | None, unit: str, lang: str = "ko") -> str:
    """A measured change for people: `+12.0%` (ratio), `+1.5명`/`+1.5 people`, `+12,000,000원`/
    `+₩12,000,000`; `—` when not shown (too few firms)."""
    if value is None:
        return "—"
    digits = {"ratio": 3, "people": 1}.get(unit, 0)
    if round(value, digits) == 0:
        value = 0.0  # never "-0.0"
    if unit == "ratio":
        return f"{value * 100:+.1f}%"
    if unit == "people":
        return f"{value:+,.1f}명" if lang == "ko" else f"{value:+,.1f} people"
    return f"{value:+,.0f}원" if lang == "ko" else f"{'+' if value >= 0 else '-'}₩{abs(value):,.0f}"
