"""Figures of supported firms for the officers' dashboard and the public statistics page.

A *supported firm* is a firm with an application executed (state executed, outcome reporting or
closed) in the year, KST, counted once per executed application. Each is described by its 시도,
KSIC section, size class and CEO age band as its profile stated them on the execution date,
kept in the summary table `outcome_supported` (written by the execution's hook), so every
figure is one aggregate query; drill-down lists the firms of one group (officers only). Public
figures are counts with small-cell suppression (`suppression`)."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal
from onestop.errors import DomainError
from onestop.korea import ksic, regions
from onestop.korea.sme_size import SIZE_CLASS_NAMES
from onestop.outcomes.simulation import AGE_BANDS, UNKNOWN_GROUP
from onestop.outcomes.suppression import THRESHOLD, Table, suppress
from onestop.outcomes.tables import SupportedCountRow, SupportedRow

SUPPORTED_STATES = ("executed", "outcome_reporting", "closed")
#: firms listed on a drill-down page at most (the count says how many there are)
DRILL_LIMIT = 100
SIZE_NAMES = SIZE_CLASS_NAMES
DIMENSIONS: dict[str, tuple[str, str]] = {
    "program": ("사업별", "By program"), "sido": ("시도별", "By province"), "industry": ("업종(대분류)별", "By industry"),
    "size_class": ("기업 규모별", "By size class"), "ceo_age_band": ("대표자 연령대별", "By CEO age band")}


@dataclass(frozen=True)
class Supported:
    application_id: int
    firm_id: int
    firm_name: str
    program_id: str
    sido: str
    industry: str
    size_class: str
    ceo_age_band: str

    def group(self, dim: str) -> str:
        value: str = getattr(self, "program_id" if dim == "program" else dim)
        return value


@dataclass(frozen=True)
class Filters:
    year: int
    program_id: str = ""
    sido: str = ""


def age_band(age: Any) -> str:
    if not isinstance(age, int):
        return UNKNOWN_GROUP
    for lo, hi, name in AGE_BANDS:
        if lo <= age <= hi:
            return name
    return UNKNOWN_GROUP


def check_filters(year: str, program_id: str, sido: str, today: date) -> Filters:
    """Filters from a query string; DomainError naming the field and what is allowed."""
    y = year.strip() or str(today.year)
    if not y.isascii() or not y.isdigit() or not 2000 <= int(y) <= today.year + 1:
        raise DomainError(code="invalid", field="year", ko=f"연도는 2000–{today.year + 1} 사이 네 자리로 입력하세요: {year!r}",
                          en=f"The year must be four digits between 2000 and {today.year + 1}; got {year!r}.")
    s = sido.strip()
    if s and s not in {r.code for r in regions.sido_list()}:
        raise DomainError(code="invalid", field="sido", ko=f"시도 코드가 아닙니다: {sido!r}",
                          en=f"Not a province code: {sido!r}.")
    return Filters(int(y), program_id.strip(), s)


def describe(application_id: int, firm_id: int, program_id: str, agency_id: str, executed_on: date,
             profile: Any) -> SupportedRow:
    """The summary row of one execution: the firm's groups as its profile states them on the
    execution date."""
    from onestop.firms.facts import derive

    facts = derive(profile, executed_on)
    return SupportedRow(application_id=application_id, firm_id=firm_id, program_id=program_id, agency_id=agency_id,
                        executed_on=executed_on, year=executed_on.year, sido=(profile.region or "")[:2],
                        industry=(profile.ksic or UNKNOWN_GROUP)[:1],
                        size_class=str(facts.get("size_class") or UNKNOWN_GROUP),
                        ceo_age_band=age_band(facts.get("ceo_age")))


#: the rollup's key: what the dashboards filter and group by
COUNT_KEYS = ("year", "agency_id", "program_id", "sido", "industry", "size_class", "ceo_age_band")


def _count_up(db: Session, row: SupportedRow) -> None:
    """One more execution in the row's cell of the rollup (an upsert: concurrent executions of
    the same cell add up under the row's lock)."""
    dialect = db.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(SupportedCountRow).values(**{k: getattr(row, k) for k in COUNT_KEYS}, n=1)
    db.execute(stmt.on_conflict_do_update(index_elements=list(COUNT_KEYS), set_={"n": SupportedCountRow.n + 1}))


def record_execution(db: Session, row: Any, executed_on: date) -> None:
    """The execution's summary row and its count in the rollup (called by
    `services.on_application_moved`)."""
    from onestop.firms.services import profiles_by_id

    profile = profiles_by_id(db, [row.firm_id]).get(row.firm_id)
    if profile is not None and db.get(SupportedRow, row.id) is None:
        summary = describe(row.id, row.firm_id, row.program_id, row.agency_id, executed_on, profile)
        db.add(summary)
        _count_up(db, summary)


def rebuild_counts(db: Session) -> int:
    """Recompute the rollup from the summary rows (after a backfill); returns its rows."""
    cols = [getattr(SupportedRow, k) for k in COUNT_KEYS]
    db.execute(delete(SupportedCountRow))
    db.execute(insert(SupportedCountRow).from_select([*COUNT_KEYS, "n"],
                                                     select(*cols, func.count()).group_by(*cols)))
    return int(db.scalar(select(func.count()).select_from(SupportedCountRow)) or 0)


def backfill(db: Session) -> int:
    """Summary rows for executed applications that have none (those executed before the table
    existed: the migration that adds it calls this); the execution date is the KST date of the
    lifecycle's `execute` event. Returns how many rows were written."""
    from onestop.applications.services import executions
    from onestop.firms.services import profiles_by_id
    from onestop.korea.dates import KST

    have = set(db.scalars(select(SupportedRow.application_id)))
    todo = [x for x in executions(db) if x[0] not in have]
    profiles = profiles_by_id(db, {x[1] for x in todo}) if todo else {}
    n = 0
    for app_id, firm_id, program_id, agency_id, at in todo:
        if firm_id in profiles:
            db.add(describe(app_id, firm_id, program_id, agency_id, at.astimezone(KST).date(), profiles[firm_id]))
            n += 1
    db.flush()
    if n:
        rebuild_counts(db)
    return n


def _where(f: Filters, agency_id: str | None = None, until: date | None = None,
           t: Any = SupportedRow) -> list[Any]:
    cond: list[Any] = [t.year == f.year]
    if f.program_id:
        cond.append(t.program_id == f.program_id)
    if f.sido:
        cond.append(t.sido == f.sido)
    if agency_id:
        cond.append(t.agency_id == agency_id)
    if until is not None:
        cond.append(t.executed_on <= until)
    return cond


def _columns(t: Any = SupportedRow) -> dict[str, Any]:
    return {"program": t.program_id, "sido": t.sido, "industry": t.industry, "size_class": t.size_class,
            "ceo_age_band": t.ceo_age_band}


@dataclass(frozen=True)
class Figures:
    """Supported firms (one per executed application) under the filters: the total and, per
    dimension, (group, firms) largest first (a ranked bar)."""

    total: int
    by: dict[str, list[tuple[str, int]]]


def figures(db: Session, f: Filters, agency_id: str | None = None) -> Figures:
    """The five breakdowns summed from the rollup: on PostgreSQL in one statement (GROUPING
    SETS, one group per dimension: a few hundred rows back); elsewhere every combination that
    occurs, folded here."""
    t = SupportedCountRow
    cols = _columns(t)
    cond = _where(f, agency_id, t=t)
    by: dict[str, Counter[str]] = {dim: Counter() for dim in DIMENSIONS}
    if db.get_bind().dialect.name == "postgresql":
        q = select(*cols.values(), func.sum(t.n)).where(*cond).group_by(func.grouping_sets(*cols.values()))
        for *keys, n in db.execute(q):
            dim, key = next((d, k) for d, k in zip(cols, keys, strict=True) if k is not None)
            by[dim][key] += int(n)
    else:
        for *keys, n in db.execute(select(*cols.values(), func.sum(t.n)).where(*cond).group_by(*cols.values())):
            for dim, key in zip(cols, keys, strict=True):
                by[dim][key] += int(n)
    total = sum(by["program"].values())
    return Figures(total, {dim: sorted(c.items(), key=lambda kv: (-kv[1], kv[0])) for dim, c in by.items()})


def drill(db: Session, f: Filters, dim: str, value: str, agency_id: str | None = None,
          limit: int = DRILL_LIMIT) -> tuple[list[Supported], int]:
    """The firms of one group (officers), newest execution first: at most `limit` of them, and
    how many there are in all."""
    if dim not in DIMENSIONS:
        return [], 0
    from onestop.firms.services import names_of

    t = SupportedRow
    cond = [*_where(f, agency_id), _columns()[dim] == value]
    n = int(db.scalar(select(func.count()).select_from(t).where(*cond)) or 0)
    rows = db.execute(select(t.application_id, t.firm_id, t.program_id, t.sido, t.industry, t.size_class,
                             t.ceo_age_band).where(*cond)
                      .order_by(t.executed_on.desc(), t.application_id.desc()).limit(limit)).all()
    names = names_of(db, {r.firm_id for r in rows})
    return [Supported(r.application_id, r.firm_id, names.get(r.firm_id, ""), r.program_id, r.sido, r.industry,
                      r.size_class, r.ceo_age_band) for r in rows], n


def executed_count(db: Session, program_id: str, year: int, until: date | None = None, agency_id: str = "",
                   sido: str = "") -> int:
    """Applications executed in the KST year (up to `until`): of the program, or of every
    program of the agency when `program_id` is empty; of firms in `sido` when given."""
    f = Filters(year, program_id, sido)
    if until is None:
        t = SupportedCountRow
        return int(db.scalar(select(func.sum(t.n)).where(*_where(f, agency_id or None, t=t))) or 0)
    q = select(func.count()).select_from(SupportedRow).where(*_where(f, agency_id or None, until=until))
    return int(db.scalar(q) or 0)


def executed_in(sido: str) -> Any:
    """The executed applications of firms in one 시도 (a subquery, for outcome totals by region)."""
    return select(SupportedRow.application_id).where(SupportedRow.sido == sido)


def supported_firm_ids(db: Session, program_id: str) -> set[int]:
    """Firms with an application of the program executed (any year)."""
    return set(db.scalars(select(SupportedRow.firm_id).where(SupportedRow.program_id == program_id)))


def public_counts(db: Session, year: int) -> dict[tuple[str, str], int]:
    """Supported firms of the year by (시도, size class): what the public statistics publish."""
    t = SupportedCountRow
    q = select(t.sido, t.size_class, func.sum(t.n)).where(t.year == year).group_by(t.sido, t.size_class)
    return {(sido, size): int(n) for sido, size, n in db.execute(q)}


def group_name(dim: str, key: str, names: dict[str, tuple[str, str]] | None = None) -> tuple[str, str]:
    """A group's Korean and English name (never a bare code where a name exists)."""
    if key == UNKNOWN_GROUP:
        return ("미상", "unknown")
    if dim == "sido":
        if key not in regions.table():
            return (key, key)
        return (regions.name_of(key), regions.name_en(key))
    if dim == "industry":
        try:
            n, en = ksic.name_of(key), ksic.name_of(key, "en")
        except KeyError:
            return (key, key)
        return (f"{key} {n}", f"{key} {en}")
    if dim == "size_class":
        return SIZE_NAMES.get(key, (key, key))
    if dim == "program" and names:
        return names.get(key, (key, key))
    return (key, key)


def public_table(counts: dict[tuple[str, str], int]) -> tuple[list[str], list[str], Table]:
    """Supported firms by 시도 (rows) × size class (columns), suppressed for publication."""
    sidos = sorted({sido for (sido, _), n in counts.items() if n})
    sizes = [z for z in ("small", "medium", "non_sme", UNKNOWN_GROUP) if any(n for (_, k), n in counts.items() if k == z)]
    if not sidos:
        return [], [], Table([[0]], [[True]])
    return sidos, sizes, _suppressed(tuple(tuple(counts.get((s, z), 0) for z in sizes) for s in sidos))


@functools.lru_cache(maxsize=256)
def _suppressed(cells: tuple[tuple[int, ...], ...]) -> Table:
    """The exact derivability test costs tens of milliseconds; the published table changes only
    when an execution does, so the same counts are suppressed once per process."""
    return suppress([list(row) for row in cells])


def public_records(counts: dict[tuple[str, str], int], year: int) -> list[dict[str, Any]]:
    """The published figures as flat records (CSV and JSON carry the same): one per cell and
    margin, `firms` None where suppressed."""
    sidos, sizes, table = public_table(counts)
    pub = table.published()
    out = []
    for i, sido in enumerate([*sidos, "total"]):
        for j, size in enumerate([*sizes, "total"]):
            if not sidos:
                break
            out.append({"year": year, "sido": sido, "sido_name": "전체" if sido == "total" else group_name("sido", sido)[0],
                        "size_class": size, "size_name": "전체" if size == "total" else group_name("size_class", size)[0],
                        "firms": pub[i][j]})
    return out


def visible_agency(who: Principal) -> str | None:
    """Officers see their agency's programs; administrators see all."""
    if who.role.value == "admin":
        return None
    return who.agency_id


__all__ = ["DIMENSIONS", "THRESHOLD", "Figures", "Filters", "Supported", "check_filters", "describe", "drill",
           "executed_count", "figures", "group_name", "public_counts", "public_records", "public_table",
           "record_execution", "supported_firm_ids", "visible_agency"]
