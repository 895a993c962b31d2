"""Matching on the database: recommendations and per-program checks for registered firms
(each recorded with the catalog revision and parameters used), the anonymous quick check,
and the officer's preview of how many registered firms a draft rule would admit."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import orjson
import polars as pl
import psycopg
from psycopg.types.json import Jsonb
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Table, insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine as DatabaseEngine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from onestop.catalog.loader import Catalog
from onestop.catalog.model import Program
from onestop.errors import DomainError
from onestop.firms import services as firms
from onestop.firms.facts import derive, size_of
from onestop.firms.model import ApplicantKind, BusinessStatus, Certification, FirmProfile
from onestop.firms.tables import FirmRow
from onestop.korea.dates import completed_years
from onestop.korea.ksic import normalize_ksic
from onestop.korea.regions import is_capital_area, normalize_region
from onestop.korea.sme_size import SizeResult, classify
from onestop.matching import recorder
from onestop.matching.model import Standings, line_results
from onestop.matching.refresh import snapshot_of
from onestop.matching.services import Engine, Page, size_dict
from onestop.matching.tables import EvaluationRow
from onestop.platform.cache import LRU
from onestop.platform.db import utcnow
from onestop.rules.evaluate import CompiledRules
from onestop.rules.vectorize import VectorRules, facts_frame

Key = tuple[int, int, int, date]


class ResultCache:
    """Recent recommendations by (firm, firm version, catalog revision, date).

    The same inputs give the same result, so a repeated view is served from memory and is not
    recorded again: the evaluations table keeps one row per distinct decision (per process).
    Kept: each firm's standings (every program's status and score, explained on demand), the
    full result and its JSON (~300 KB for the shipped catalog), and each compact page's JSON.
    """

    def __init__(self, size: int = 4096) -> None:
        self._results: LRU[Key, dict[str, Any]] = LRU(size)
        self._bytes: LRU[tuple[Any, ...], bytes] = LRU(size)
        # few: they serve the other pages of a firm just viewed (the pages themselves are kept
        # as bytes), and each holds the firm's evaluation, facts and worded criteria
        self._standings: LRU[Key, tuple[Standings, SizeResult]] = LRU(max(1, min(32, size // 8)))
        self._profiles: LRU[tuple[int, int], FirmProfile] = LRU(size)
        #: catalog revision → the date its background run computes for (`refresh.run_date`)
        self.run_dates: dict[int, date] = {}
        #: (firm, version, date) → set when the request computing that decision has recorded it
        self._computing: dict[tuple[int, int, date], threading.Event] = {}
        self._computing_lock = threading.Lock()

    def claim(self, key: tuple[int, int, date]) -> threading.Event | None:
        """Claim the computation of one decision (firm id, version, date): None when the caller
        now holds it (and must `release` it once the decision is recorded and cached, or given
        up), else the event set when the request holding it is done. The route's threads and
        the fast lane share it, so two requests for one decision record it once."""
        with self._computing_lock:
            found = self._computing.get(key)
            if found is None:
                self._computing[key] = threading.Event()
            return found

    def release(self, key: tuple[int, int, date]) -> None:
        """Give a claimed decision up (recorded and cached, or failed): whoever waits goes on."""
        with self._computing_lock:
            found = self._computing.pop(key, None)
        if found is not None:
            found.set()

    async def settled(self, key: tuple[int, int, date], limit: float | None = None) -> None:
        """On an event loop: return once no request holds `key` (at most `limit` seconds,
        `CLAIM_WAIT` by default), looking again after 1, 2, 4 … 20 ms; the loop serves other
        requests meanwhile."""
        with self._computing_lock:
            found = self._computing.get(key)
        if found is not None:
            await settle(found, time.monotonic() + (CLAIM_WAIT if limit is None else limit))

    def get(self, key: Key) -> dict[str, Any] | None:
        return self._results.get(key)

    def put(self, key: Key, value: dict[str, Any]) -> None:
        self._results.put(key, value)

    def get_bytes(self, key: tuple[Any, ...]) -> bytes | None:
        return self._bytes.get(key)

    def put_bytes(self, key: tuple[Any, ...], value: bytes) -> None:
        self._bytes.put(key, value)

    def get_standings(self, key: Key) -> tuple[Standings, SizeResult] | None:
        return self._standings.get(key)

    def put_standings(self, key: Key, value: tuple[Standings, SizeResult]) -> None:
        self._standings.put(key, value)

    def get_profile(self, firm_id: int, version: int) -> FirmProfile | None:
        """A firm's profile as parsed for this version (`FirmRow.version` goes up with every
        change of the row); shared, not to be changed."""
        return self._profiles.get((firm_id, version))

    def put_profile(self, firm_id: int, version: int, profile: FirmProfile) -> None:
        self._profiles.put((firm_id, version), profile)


async def settle(event: threading.Event, deadline: float) -> None:
    """Wait on an event loop, without blocking it, until `event` is set or `time.monotonic()`
    reaches `deadline`."""
    pause = 0.001
    while not event.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(pause)
        pause = min(0.02, pause * 2)


def _on_event_loop() -> bool:
    """Is this thread running an event loop (where blocking would stop every request)?"""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


#: the evaluations table, written with plain INSERT statements (one per decision)
_EVALUATIONS = cast(Table, EvaluationRow.__table__)
_RECORD_KEYS = ("firm_id", "firm_version", "kind", "on_date", "catalog_revision", "parameters_version", "summary",
                "created_by", "created_at")
_PG = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]
#: The same INSERT with PostgreSQL's own numbered parameters ($1 …, sent by psycopg's RawCursor:
#: no placeholder conversion per call), its columns and types read from the table definition,
#: made from a one-row subquery that sets `synchronous_commit` off for the statement's own
#: transaction (`set_config(…, true)`): the commit returns once the record is in PostgreSQL's
#: log, without waiting for the disk to confirm it (PostgreSQL documentation, "Asynchronous
#: Commit" in "Reliability and the Write-Ahead Log"). Seen by every other transaction at once;
#: lost only if PostgreSQL itself crashes within ~0.6 s (3 × wal_writer_delay), and then
#: recomputed the same from what stays durable (the firm version, catalog revision, parameters
#: and date). Nobody acts on the record's durability: the visitor's answer does not depend on it.
#: Waited for on the event loop, the disk's flush (1–3 ms, hundreds when it is busy) held up
#: every request of the process (BENCHMARKS.md, "The fast lane").
#: each parameter cast to its column's type without the length: an over-long text is refused, not cut
_RECORD_PARAMS = ", ".join(f"${n}::{re.sub(r'[(][0-9]+[)]', '', _EVALUATIONS.c[k].type.compile(dialect=_PG))}"
                           for n, k in enumerate(_RECORD_KEYS, 1))
_RECORD_SQL = (f"INSERT INTO {_EVALUATIONS.name} ({', '.join(_RECORD_KEYS)}) SELECT {_RECORD_PARAMS}"
               " FROM (SELECT set_config('synchronous_commit', 'off', true)) AS without_waiting_for_the_disk")
#: one row of a group's transaction (`matching.recorder.GroupRecorder`, whose connection has
#: `synchronous_commit` off for the same reason)
GROUP_RECORD_SQL = f"INSERT INTO {_EVALUATIONS.name} ({', '.join(_RECORD_KEYS)}) VALUES ({_RECORD_PARAMS})"


def record_row(values: dict[str, Any]) -> list[Any]:
    """One evaluation row's values (`record_evaluation`'s) as the parameters of `_RECORD_SQL`
    and `GROUP_RECORD_SQL`."""
    return [Jsonb(values[k], dumps=_dumps) if k == "summary" else values[k] for k in _RECORD_KEYS]


def record_evaluation(db: Session, values: dict[str, Any]) -> None:
    """Record one decision (`values`: the evaluations row's columns but its id) before the answer is sent.

    In a transaction (a form's unit of work) it is one more statement of that transaction. In a
    read-only request's session on PostgreSQL (autocommit: every statement is its own transaction)
    it is the same single-statement transaction, sent on a pooled connection through psycopg with
    a prepared statement instead of through the session and the SQL compiler (measured 0.2 ms of
    CPU against 1.0 ms), committed without waiting for the disk (`_RECORD_SQL`; BENCHMARKS.md,
    "The fast lane"). Inside `recorder.deferring()` (the fast lane) that row is kept instead, and
    written with other requests' rows before the answer is sent (`recorder.GroupRecorder`).
    Raises what the driver raises (wrapped as SQLAlchemy's DBAPIError)."""
    engine = cast(DatabaseEngine, db.get_bind())
    if engine.dialect.name != "postgresql" or engine.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        db.execute(insert(_EVALUATIONS), values)
        return
    later = recorder.deferred()
    if later is not None:  # the fast lane writes it with other requests' records (`matching.recorder`)
        later.rows.append(values)
        return
    raw = engine.raw_connection()
    driver = cast("psycopg.Connection[Any]", raw.driver_connection)
    try:
        driver.autocommit = True  # idle connection: a flag, no round trip; put back before it returns to the pool
        try:
            psycopg.RawCursor(driver).execute(_RECORD_SQL, record_row(values), prepare=True)
        finally:
            if not driver.closed:
                driver.autocommit = False
    except psycopg.Error as e:  # wrapped as a session statement's error would be; a broken connection is dropped
        if driver.closed:
            raw.invalidate()
        raise DBAPIError.instance(_RECORD_SQL, values, e, psycopg.Error) from e
    finally:
        raw.close()


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def compact_key(firm_id: int, version: int, revision: int, on: date, page: Page) -> tuple[Any, ...]:
    """The cache key of one compact page's JSON."""
    return (firm_id, version, revision, on, "compact", page)


def standings_of(db: Session, revision: int, engine: Engine, row: FirmRow | KnownFirm, on: date, user_id: int | None,
                 cache: ResultCache | None = None) -> tuple[Standings, SizeResult]:
    """The firm's standings on every program: from memory, else as the background recomputation
    stored them (`matching.refresh`), else computed for this firm alone; recorded once per
    distinct input (the evaluations table: one row per decision, whatever form or page is shown)."""
    key = (row.id, row.version, revision, on)
    if cache is not None:
        hit = cache.get_standings(key)
        if hit is not None:
            return hit
    if cache is None or recorder.deferred() is not None:  # nothing shared, or the fast lane holding the claim
        return _standings(db, revision, engine, row, on, user_id, cache, key)
    decision = (row.id, row.version, on)
    busy = cache.claim(decision)
    if busy is None:
        try:
            return _standings(db, revision, engine, row, on, user_id, cache, key)
        finally:
            cache.release(decision)
    # another request is computing it: its answer is cached once recorded. An event loop is never
    # blocked (the async route awaits `ResultCache.settled` before it gets here).
    if not _on_event_loop():
        busy.wait(timeout=CLAIM_WAIT)
        hit = cache.get_standings(key)
        if hit is not None:
            return hit
    return _standings(db, revision, engine, row, on, user_id, cache, key)


#: seconds a request waits for another computing the same decision before computing it itself
CLAIM_WAIT = 10.0


def _standings(db: Session, revision: int, engine: Engine, row: FirmRow | KnownFirm, on: date, user_id: int | None,
               cache: ResultCache | None, key: Key) -> tuple[Standings, SizeResult]:
    profile = profile_of(row, cache)
    stored = snapshot_of(db, row.id, row.version, revision, on,  # computed in the background
                         cache.run_dates if cache is not None else None)
    found = (engine.restore(profile, on, stored) if stored is not None else None) or engine.standings(profile, on)
    st, size = found
    record_evaluation(db, {
        "firm_id": row.id, "firm_version": row.version, "kind": "recommendations", "on_date": on,
        "catalog_revision": revision, "parameters_version": size.parameters_version,
        "summary": {"eligible": st.eligible.ids(),
                    "near_misses": st.near_misses.ids(),
                    "packages": st.packages},
        "created_by": user_id, "created_at": utcnow(),
    })
    if cache is not None:  # kept once recorded: an answer from memory always has its record
        recorder.after_record(lambda: cache.put_standings(key, found))
    return found


@dataclass(frozen=True)
class KnownFirm:
    """A firm of the member's own, by id and the version its sign-in read (`Principal.firm_versions`),
    with the profile parsed for that version already: its recommendations need no read of the
    firm's row."""

    id: int
    version: int
    profile: FirmProfile


def known_firm(cache: ResultCache, firm_id: int, version: int) -> KnownFirm | None:
    """The firm at this version when this process has parsed its profile (else None: read the row)."""
    found = cache.get_profile(firm_id, version)
    return None if found is None else KnownFirm(firm_id, version, found)


def profile_of(row: FirmRow | KnownFirm, cache: ResultCache | None = None) -> FirmProfile:
    """The firm's validated profile, parsed once per firm version with `cache`."""
    if isinstance(row, KnownFirm):
        return row.profile
    found = cache.get_profile(row.id, row.version) if cache is not None else None
    if found is None:
        found = firms.profile_of(row)
        if cache is not None:
            cache.put_profile(row.id, row.version, found)
    return found


def compact_json(db: Session, revision: int, engine: Engine, row: FirmRow | KnownFirm, on: date, user_id: int | None,
                 cache: ResultCache, page: Page) -> bytes:
    """One page of the compact answer, serialised once per distinct result and page."""
    key = compact_key(row.id, row.version, revision, on, page)
    body = cache.get_bytes(key)
    if body is None:
        body = orjson.dumps(compact(db, revision, engine, row, on, user_id, cache, page))
        recorder.after_record(lambda: cache.put_bytes(key, body))
    return body


def compact(db: Session, revision: int, engine: Engine, row: FirmRow | KnownFirm, on: date, user_id: int | None,
            cache: ResultCache | None = None, page: Page | None = None) -> dict[str, Any]:
    found = standings_of(db, revision, engine, row, on, user_id, cache)
    result = engine.compact(profile_of(row, cache), on, page, found)
    result["catalog_revision"] = revision
    result["firm_id"] = row.id
    return result


def recommendations_json(db: Session, revision: int, engine: Engine, row: FirmRow | KnownFirm, on: date,
                         user_id: int | None, cache: ResultCache) -> bytes:
    """`recommendations` (the full form), serialised once per distinct result."""
    key = (row.id, row.version, revision, on)
    body = cache.get_bytes(key)
    if body is None:
        body = orjson.dumps(recommendations(db, revision, engine, row, on, user_id, cache))
        recorder.after_record(lambda: cache.put_bytes(key, body))
    return body


def recommendations(db: Session, revision: int, engine: Engine, row: FirmRow | KnownFirm, on: date,
                    user_id: int | None, cache: ResultCache | None = None) -> dict[str, Any]:
    """The full form: every program, every criterion (the page and `?explain=full`)."""
    key = (row.id, row.version, revision, on)
    if cache is not None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    found = standings_of(db, revision, engine, row, on, user_id, cache)
    result = engine.match(profile_of(row, cache), on, found)
    result["catalog_revision"] = revision
    result["firm_id"] = row.id
    if cache is not None:  # kept once recorded, as the standings are
        recorder.after_record(lambda: cache.put(key, result))
    return result


def explain_program(program: Program, facts: dict[str, Any]) -> dict[str, Any]:
    """One program for one firm: every criterion, each line's fit, and the notice it follows."""
    ev = CompiledRules.compile([program.rule, *(rule for _, rule in program.line_rules)]).evaluate(facts)
    result = ev.program(0)
    out: dict[str, Any] = {
        "program_id": program.id,
        "name_ko": program.spec.name.ko,
        "name_en": program.spec.name.en,
        "status": {2: "eligible", 1: "unknown", 0: "not_eligible"}[result.status],
        "criteria": [c.as_dict() for c in result.criteria],
        "notice": program.spec.source.citation(),
    }
    if program.line_rules:
        out["lines"] = line_results(program, ev, [(line.id, i + 1) for i, (line, _) in enumerate(program.line_rules)])
        out["fitting_lines"] = [ln["line_id"] for ln in out["lines"] if ln["status"] == "eligible"]
    return out


def check_program(db: Session, revision: int, engine: Engine, row: FirmRow, program_id: str, on: date,
                  user_id: int | None) -> dict[str, Any]:
    program = engine.catalog.get(program_id)
    profile = firms.profile_of(row)
    size = size_of(profile, on)
    out = explain_program(program, derive(profile, on, size))
    out.update(firm_id=row.id, date=on.isoformat(), catalog_revision=revision,
               parameters_version=size.parameters_version)
    db.add(EvaluationRow(firm_id=row.id, firm_version=row.version, program_id=program_id, kind="program",
                         on_date=on, catalog_revision=revision, parameters_version=size.parameters_version,
                         summary={"status": out["status"]}, created_by=user_id))
    return out


class QuickAnswers(BaseModel):
    """The anonymous questionnaire: whatever the visitor answers; the rest stays unknown."""

    model_config = ConfigDict(extra="forbid")

    ksic: str | None = None
    region: str | None = None
    founded_on: date | None = None
    ceo_birth_date: date | None = None
    regular_employees: int | None = Field(default=None, ge=0, le=10_000_000)
    revenue_avg3: int | None = Field(default=None, ge=0)
    total_assets: int | None = Field(default=None, ge=0)
    export_usd: int | None = Field(default=None, ge=0)
    certifications: list[Certification] = Field(default_factory=list)
    tax_arrears: bool | None = None
    # the 2026 policy-fund plan's conditions (issue 17)
    applicant_kind: ApplicantKind = ApplicantKind.firm
    business_status: BusinessStatus | None = None
    credit_default_record: bool | None = None
    rehabilitation: bool | None = None
    revenue_change_pct: int | None = Field(default=None, ge=-100, le=10_000)
    operating_profit_change_pct: int | None = Field(default=None, ge=-10_000, le=10_000)
    policy_loans_5y: int | None = Field(default=None, ge=0, le=100)

    @field_validator("ksic")
    @classmethod
    def _ksic(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        try:
            return normalize_ksic(v)
        except DomainError as e:
            raise ValueError(e.en) from None

    @field_validator("region")
    @classmethod
    def _region(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        try:
            return normalize_region(v)
        except DomainError as e:
            raise ValueError(e.en) from None


def quick_facts(a: QuickAnswers, on: date) -> dict[str, Any]:
    size = None
    if a.ksic is not None:
        size = classify(ksic=a.ksic, revenue_avg3=a.revenue_avg3, total_assets=a.total_assets,
                        in_large_business_group=False, regular_employees=a.regular_employees, on=on)
    return {
        "ksic": a.ksic,
        "region": a.region,
        "sido": a.region[:2] if a.region else None,
        "capital_area": is_capital_area(a.region) if a.region else None,
        "business_age_years": max(0, completed_years(a.founded_on, on)) if a.founded_on else None,
        "ceo_age": completed_years(a.ceo_birth_date, on) if a.ceo_birth_date else None,
        "regular_employees": a.regular_employees,
        "revenue_avg3": a.revenue_avg3,
        "total_assets": a.total_assets,
        "export_usd": a.export_usd,
        "certifications": frozenset(c.value for c in a.certifications),
        "tax_arrears": a.tax_arrears,
        "size_class": size.size_class if size else None,
        "is_sme": size.is_sme if size else None,
        "is_small": size.is_small if size else None,
        "is_micro_enterprise": size.is_micro_enterprise if size else None,
        "received_programs": frozenset(),
        "applicant_kind": a.applicant_kind.value,
        "business_status": None if a.business_status is None else a.business_status.value,
        "credit_default_record": a.credit_default_record,
        "rehabilitation": a.rehabilitation,
        "revenue_change_yoy": None if a.revenue_change_pct is None else a.revenue_change_pct / 100,
        "operating_profit_change_yoy": (None if a.operating_profit_change_pct is None
                                        else a.operating_profit_change_pct / 100),
        "policy_fund_count_5y": a.policy_loans_5y,
    }


def quick_check(catalog: Catalog, program_id: str, answers: QuickAnswers, on: date) -> dict[str, Any]:
    out = explain_program(catalog.get(program_id), quick_facts(answers, on))
    out["date"] = on.isoformat()
    return out


class RegistryFacts:
    """Facts of every registered firm as one Polars frame, rebuilt when a firm changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: Any = None
        self._frame: pl.DataFrame | None = None

    def frame(self, db: Session, on: date) -> pl.DataFrame:
        key = (firms.registry_stamp(db), on)
        with self._lock:
            if self._frame is None or key != self._key:
                self._frame = facts_frame([derive(p, on) for p in firms.all_profiles(db)])
                self._key = key
            return self._frame


def preview(frame: pl.DataFrame, program: Program) -> dict[str, int]:
    """How many registered firms the program's rule admits, rejects, or cannot decide."""
    result = VectorRules([program.rule], ["p"]).evaluate(frame)["p"]
    met = int(result.sum() or 0)
    unknown = int(result.null_count())
    return {"total": frame.height, "met": met, "unknown": unknown, "not_met": frame.height - met - unknown}


def classify_firm(row: FirmRow, on: date) -> dict[str, Any]:
    return size_dict(size_of(firms.profile_of(row), on))


__all__ = ["QuickAnswers", "RegistryFacts", "check_program", "compact", "compact_json", "preview", "quick_check",
           "recommendations", "standings_of"]
