"""KPI targets (per program, agency, 시도 and year, each with its source) and their actuals.

Actuals:
- `firms_supported`: applications of the program executed (the lifecycle's `execute` event)
  in the year, KST;
- an outcome measure (`placements`, `revenue_won`, …): the sum over the program's accepted
  outcome reports whose reporting period ended in the year, taking for each application only
  its latest such report (a 12-month report supersedes the 6-month one, so nothing is counted
  twice), plus the recorded outcomes that come from no application (export contracts from
  buyer inquiries, idle-asset deals: `services.record_outcome`) dated in the year;
- `disbursed_won`: what the funds ledger shows disbursed from the program's budgets of that
  fiscal year (`funds.budgets.figures`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onestop.errors import DomainError
from onestop.korea._data import data_path
from onestop.outcomes.model import MEASURES as OUTCOME_MEASURES
from onestop.outcomes.model import Kind, Measure, Progress
from onestop.outcomes.tables import KpiTargetRow, OutcomeReportRow, RecordedOutcomeRow
from onestop.text import text

MEASURES = frozenset({"firms_supported", "disbursed_won"} | {m.value for m in Measure})


UNITS = {Kind.won: "원", Kind.usd: "달러", Kind.people: "명", Kind.items: "건"}
UNITS_EN = {Kind.won: "won", Kind.usd: "US$", Kind.people: "people", Kind.items: "items"}
#: KPI measures that are not outcome measures
OTHER_MEASURES = {"firms_supported": ("지원(집행) 기업 수", "Firms supported (executed)"),
                  "disbursed_won": ("지급액(원)", "Won disbursed")}


#: A target's unit as written in a plan (`개사`, `社`, `명` …) and its English name. A unit not
#: listed is shown as it was written, in both languages.
UNIT_NAMES: dict[str, tuple[str, str]] = {
    "개사": ("개사", "firms"), "社": ("社", "firms"), "사": ("사", "firms"), "개 기업": ("개 기업", "firms"),
    "기업": ("기업", "firms"), "명": ("명", "people"), "인": ("인", "people"), "건": ("건", "items"),
    "개": ("개", "items"), "원": ("원", "won"), "천원": ("천원", "thousand won"),
    "백만원": ("백만원", "million won"), "억원": ("억원", "100 million won"), "억 원": ("억 원", "100 million won"),
    "달러": ("달러", "US$"), "US$": ("US$", "US$"), "%": ("%", "%"),
}


def unit_name(unit: str) -> tuple[str, str]:
    """A KPI target's unit in Korean and English (`개사` → firms), so an English page does not show
    the Korean word; a unit not in `UNIT_NAMES` is returned as written."""
    written = unit.strip()
    return UNIT_NAMES.get(written, (written, written))


def measure_name(key: str) -> tuple[str, str]:
    """A measure's name with its unit, in Korean and English (never the bare key)."""
    if key in OTHER_MEASURES:
        return OTHER_MEASURES[key]
    try:
        info = OUTCOME_MEASURES[Measure(key)]
    except ValueError:
        return (key, key)
    if info.kind == Kind.certification:
        return (info.ko, info.en)
    ko = info.ko if info.ko.endswith(")") else f"{info.ko} ({UNITS[info.kind]})"
    return (ko, f"{info.en} ({UNITS_EN[info.kind]})")


@dataclass(frozen=True)
class KpiLine:
    target: KpiTargetRow
    progress: Progress


def _bad(where: str, ko: str, en: str) -> DomainError:
    return DomainError(code="kpi_invalid", field=where, ko=ko, en=en)


def import_targets(db: Session, path: Path | Traversable | None = None) -> int:
    """Load targets from YAML (default: the shipped demo targets); a target already present
    (same program, agency, 시도, year, measure) is updated. Returns how many were read."""
    raw = yaml.safe_load((path or data_path("demo", "kpi_targets.yaml")).read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise _bad("targets", "목표 파일은 목록이어야 합니다.", "The targets file must be a list.")
    for i, item in enumerate(raw):
        where = f"targets[{i}]"
        if not isinstance(item, dict):
            raise _bad(where, "각 목표는 항목 묶음이어야 합니다.", "Each target must be a mapping.")
        measure = text(str(item.get("measure", "")))
        if measure not in MEASURES:
            raise _bad(f"{where}.measure", f"알 수 없는 지표 {measure!r}; 가능한 값: {', '.join(sorted(MEASURES))}",
                       f"Unknown measure {measure!r}; allowed: {', '.join(sorted(MEASURES))}")
        target, year = item.get("target"), item.get("year")
        if not isinstance(target, int) or target < 0 or not isinstance(year, int) or not 1990 <= year <= 2100:
            raise _bad(where, "목표(0 이상의 정수)와 연도(1990–2100)가 필요합니다.",
                       "A target (an integer of 0 or more) and a year (1990–2100) are required.")
        if not text(str(item.get("source", ""))):
            raise _bad(f"{where}.source", "목표의 출처를 적어야 합니다.", "Every target needs its source.")
        key = dict(program_id=text(str(item.get("program", ""))), agency_id=text(str(item.get("agency", ""))),
                   region=text(str(item.get("region", ""))), year=year, measure=measure)
        row = db.scalar(select(KpiTargetRow).filter_by(**key))
        if row is None:
            row = KpiTargetRow(**key)
            db.add(row)
        row.target = target
        row.unit = text(str(item.get("unit", "")))[:20]
        row.baseline = item.get("baseline") if isinstance(item.get("baseline"), int) else None
        row.source = text(str(item["source"]))
        row.source_url = text(str(item.get("url", "")))
    db.flush()
    return len(raw)


def executed_count(db: Session, program_id: str, year: int, until: date | None = None, agency_id: str = "",
                   region: str = "") -> int:
    """Applications executed in the KST year (up to `until`) — of the program, or of the
    agency's programs when `program_id` is empty, in `region` (a 시도) when given: the summary
    the execution hook writes (`dashboard.executed_count`)."""
    from onestop.outcomes.dashboard import executed_count as count

    return count(db, program_id, year, until, agency_id, region)


def outcome_totals(db: Session, program_id: str, start: date, end: date, agency_id: str = "",
                   region: str = "") -> tuple[int, dict[str, int]]:
    """Over the latest accepted report per application whose period ended in [start, end]: how
    many reports, and each measure's sum (a 12-month report supersedes the 6-month one) plus
    the recorded outcomes dated in [start, end] (`recorded_totals`). Of the program, or of the
    agency's programs when `program_id` is empty; of firms in `region`."""
    from onestop.outcomes.dashboard import executed_in

    t = OutcomeReportRow
    cond = [t.state == "accepted", t.period_end >= start, t.period_end <= end]
    if program_id:
        cond.append(t.program_id == program_id)
    elif agency_id:
        cond.append(t.agency_id == agency_id)
    if region:
        cond.append(t.application_id.in_(executed_in(region)))
    rows = db.execute(select(t.application_id, t.values).where(*cond).order_by(t.application_id, t.after_months.desc()))
    seen: set[int] = set()
    totals: dict[str, int] = {}
    for app_id, values in rows:
        if app_id in seen:
            continue
        seen.add(app_id)
        for k, v in values.items():
            if isinstance(v, int):
                totals[k] = totals.get(k, 0) + v
    for k, v in recorded_totals(db, program_id, start, end, agency_id, region).items():
        totals[k] = totals.get(k, 0) + v
    return len(seen), totals


def recorded_totals(db: Session, program_id: str, start: date, end: date, agency_id: str = "",
                    region: str = "") -> dict[str, int]:
    """Each measure's sum over the recorded outcomes (no application's report: export
    contracts, idle-asset deals) dated in [start, end]; scope as `outcome_totals`."""
    t = RecordedOutcomeRow
    cond = [t.occurred_on >= start, t.occurred_on <= end]
    if program_id:
        cond.append(t.program_id == program_id)
    elif agency_id:
        cond.append(t.agency_id == agency_id)
    if region:
        cond.append(t.sido == region)
    rows = db.execute(select(t.measure, func.sum(t.value)).where(*cond).group_by(t.measure))
    return {str(m): int(v or 0) for m, v in rows}


def outcome_total(db: Session, program_id: str, year: int, measure: str, until: date | None = None,
                  agency_id: str = "", region: str = "") -> int:
    """Sum of `measure` over the latest accepted report per application whose period ended in
    `year` (up to `until`); scope as `outcome_totals`."""
    end = min(date(year, 12, 31), until) if until else date(year, 12, 31)
    return outcome_totals(db, program_id, date(year, 1, 1), end, agency_id, region)[1].get(measure, 0)


def _agency_of(db: Session, program_id: str) -> str:
    from onestop.catalog.services import current_spec

    found = current_spec(db, program_id)
    return str(found[1].spec.get("agency", "")) if found else ""


def disbursed(db: Session, program_id: str, year: int, until: date | None = None, agency_id: str = "",
              region: str = "") -> int:
    """Won disbursed from the budgets of the fiscal year (the funds ledger) — the program's, or
    every program's of the agency when `program_id` is empty, the 시도's budgets when `region`
    is given; with `until`, what was paid out by the end of that month (value dates)."""
    from onestop.funds import budgets

    mine = [b for b in budgets.listing(db, program_id or None) if b.fiscal_year == year
            and (not region or b.region == region)
            and (bool(program_id) or not agency_id or _agency_of(db, b.program_id) == agency_id)]
    if until is None:
        return sum(budgets.figures(db, b).disbursed for b in mine)
    last = f"{until:%Y-%m}"
    return sum(paid for month, paid, _ in budgets.monthly(db, [b.id for b in mine]) if month <= last)


def disbursed_between(db: Session, program_id: str, start: date, end: date) -> int:
    """Won disbursed from the program's budgets (any fiscal year) with a value date in the
    months from `start` to `end` (the funds ledger's monthly figures)."""
    from onestop.funds import budgets

    first, last = f"{start:%Y-%m}", f"{end:%Y-%m}"
    ids = [b.id for b in budgets.listing(db, program_id)]
    return sum(paid for month, paid, _ in budgets.monthly(db, ids) if first <= month <= last)


def actual(db: Session, target: KpiTargetRow, until: date | None = None) -> int:
    """The target's actual in its year, or up to `until` within it (year to date)."""
    scope = {"agency_id": target.agency_id, "region": target.region}
    if target.measure == "firms_supported":
        return executed_count(db, target.program_id, target.year, until, **scope)
    if target.measure == "disbursed_won":
        return disbursed(db, target.program_id, target.year, until, **scope)
    return outcome_total(db, target.program_id, target.year, target.measure, until, **scope)


def progress(db: Session, year: int | None = None, program_id: str | None = None,
             agency_id: str | None = None, until: date | None = None) -> list[KpiLine]:
    """Targets (filtered) with their actuals (year to date with `until`), ordered by year,
    agency and program."""
    q = select(KpiTargetRow)
    if year is not None:
        q = q.where(KpiTargetRow.year == year)
    if program_id:
        q = q.where(KpiTargetRow.program_id == program_id)
    if agency_id:
        q = q.where(KpiTargetRow.agency_id == agency_id)
    rows = db.scalars(q.order_by(KpiTargetRow.year, KpiTargetRow.agency_id, KpiTargetRow.program_id,
                                 KpiTargetRow.measure))
    return [KpiLine(t, Progress(t.target, actual(db, t, until))) for t in rows]


def as_dict(line: KpiLine) -> dict[str, Any]:
    t = line.target
    return {"program": t.program_id, "agency": t.agency_id, "region": t.region, "year": t.year,
            "measure": t.measure, "unit": t.unit, "target": t.target, "baseline": t.baseline,
            "actual": line.progress.actual, "percent": line.progress.percent, "source": t.source,
            "source_url": t.source_url}
