"""Figures of supported firms for the officers' dashboard and the public statistics page.

A *supported firm* is a firm with an application executed (state executed, outcome reporting or
closed) in the year, KST. Each is described by its 시도, KSIC section, size class and CEO age
band as its profile states them on the day asked; drill-down lists the firms of one group
(officers only). Public figures are counts with small-cell suppression (`suppression`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal
from onestop.errors import DomainError
from onestop.korea import ksic, regions
from onestop.outcomes.simulation import AGE_BANDS, UNKNOWN_GROUP
from onestop.outcomes.suppression import THRESHOLD, Table, suppress

SUPPORTED_STATES = ("executed", "outcome_reporting", "closed")
SIZE_NAMES = {"small": ("소기업", "small"), "medium": ("중기업", "medium-sized"),
              "non_sme": ("중소기업 아님", "not an SME"), UNKNOWN_GROUP: ("미상", "unknown")}
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


def supported(db: Session, f: Filters, on: date, agency_id: str | None = None) -> list[Supported]:
    """Supported firms of the year (one per executed application), filtered."""
    from onestop.applications.tables import ApplicationEventRow, ApplicationRow
    from onestop.firms.facts import derive
    from onestop.firms.services import profile_of
    from onestop.firms.tables import FirmRow
    from onestop.outcomes.kpi import _year_bounds

    start, end = _year_bounds(f.year)
    executed = (select(ApplicationEventRow.application_id).where(
        ApplicationEventRow.action == "execute", ApplicationEventRow.at >= start, ApplicationEventRow.at < end))
    q = (select(ApplicationRow, FirmRow).join(FirmRow, FirmRow.id == ApplicationRow.firm_id)
         .where(ApplicationRow.state.in_(SUPPORTED_STATES), ApplicationRow.id.in_(executed)))
    if f.program_id:
        q = q.where(ApplicationRow.program_id == f.program_id)
    if f.sido:
        q = q.where(FirmRow.region.startswith(f.sido))
    if agency_id:
        q = q.where(ApplicationRow.agency_id == agency_id)
    out = []
    for app, firm in db.execute(q.order_by(ApplicationRow.id)):
        facts = derive(profile_of(firm), on)
        out.append(Supported(app.id, firm.id, firm.name, app.program_id, firm.region[:2],
                             (firm.ksic or UNKNOWN_GROUP)[:1], str(facts.get("size_class") or UNKNOWN_GROUP),
                             age_band(facts.get("ceo_age"))))
    return out


def counts(rows: list[Supported], dim: str) -> list[tuple[str, int]]:
    """(group, firms) for one dimension, largest first (a ranked bar)."""
    if dim not in DIMENSIONS:
        raise DomainError(code="invalid", field="dim", ko=f"알 수 없는 구분입니다: {dim!r}",
                          en=f"Unknown breakdown {dim!r}; allowed: {', '.join(DIMENSIONS)}.")
    c = Counter(r.group(dim) for r in rows)
    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))


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


def public_table(rows: list[Supported]) -> tuple[list[str], list[str], Table]:
    """Supported firms by 시도 (rows) × size class (columns), suppressed for publication."""
    sidos = sorted({r.sido for r in rows})
    sizes = [s for s in ("small", "medium", "non_sme", UNKNOWN_GROUP) if any(r.size_class == s for r in rows)]
    if not sidos:
        return [], [], Table([[0]], [[True]])
    c = Counter((r.sido, r.size_class) for r in rows)
    return sidos, sizes, suppress([[c[(s, z)] for z in sizes] for s in sidos])


def public_records(rows: list[Supported], year: int) -> list[dict[str, Any]]:
    """The published figures as flat records (CSV and JSON carry the same): one per cell and
    margin, `firms` None where suppressed."""
    sidos, sizes, table = public_table(rows)
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


__all__ = ["DIMENSIONS", "THRESHOLD", "Filters", "Supported", "check_filters", "counts", "group_name",
           "public_records", "public_table", "supported", "visible_agency"]
