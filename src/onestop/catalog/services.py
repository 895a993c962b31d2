"""Catalog use cases on the database: import the shipped YAML, edit with the loader's checks,
keep every version, and build the engine for the current revision."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.accounts.model import Principal
from onestop.catalog.loader import Catalog, link_problems, program_from_raw
from onestop.catalog.model import Agency, Program, ProgramSpec
from onestop.catalog.tables import (
    AgencyRow,
    CatalogStateRow,
    ProgramRow,
    ProgramVersionRow,
    SharedRuleRow,
)
from onestop.errors import CatalogError, DomainError
from onestop.korea.hangul import josa
from onestop.matching.services import Engine
from onestop.platform import hooks
from onestop.platform.db import utcnow


def _digest(spec: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def revision(db: Session) -> int:
    return db.scalar(select(CatalogStateRow.revision).where(CatalogStateRow.id == 1)) or 0


def _bump(db: Session) -> int:
    state = db.get(CatalogStateRow, 1, with_for_update=True)
    if state is None:
        state = CatalogStateRow(id=1, revision=0)
        db.add(state)
    state.revision += 1
    state.updated_at = utcnow()
    db.flush()
    hooks.catalog_published(db, state.revision)
    return state.revision


@dataclass
class ImportSummary:
    created: int
    updated: int
    unchanged: int
    revision: int


def import_catalog(db: Session, catalog: Catalog, user_id: int | None = None) -> ImportSummary:
    """Upsert agencies, shared rules and programs; a changed program gets a new version."""
    for agency in catalog.agencies.values():
        row = db.get(AgencyRow, agency.id) or AgencyRow(id=agency.id)
        row.name_ko, row.name_en, row.url = agency.name.ko, agency.name.en, agency.url
        db.add(row)
    for name, rule in catalog.shared_rules.items():
        shared = db.get(SharedRuleRow, name) or SharedRuleRow(name=name)
        title = catalog.shared_titles.get(name)
        shared.rule = rule if title is None else {"title": {"ko": title[0], "en": title[1]}, "rule": rule}
        shared.updated_at = utcnow()
        db.add(shared)
    db.flush()
    created = updated = unchanged = 0
    for program in catalog:
        spec = program.spec.model_dump(mode="json")
        current = current_spec(db, program.id)
        version = _store_version(db, program.id, program.spec.agency, spec,
                                 import_note(current[1].spec if current else None, program.spec), user_id)
        if version is None:
            unchanged += 1
        elif version.version == 1:
            created += 1
        else:
            updated += 1
    rev = _bump(db) if created or updated else revision(db)
    return ImportSummary(created, updated, unchanged, rev)


def import_note(before: dict[str, Any] | None, spec: ProgramSpec) -> str:
    """Why an imported version exists: the notice it follows when the source changed (a new or
    amended notice), else a plain import."""
    source = spec.source
    if before is not None and before.get("source") == source.model_dump(mode="json"):
        return "카탈로그 가져오기 / catalog import"
    cited = source.citation()
    return f"공고 반영: {cited} / follows the notice: {cited}"


def _store_version(db: Session, program_id: str, agency_id: str, spec: dict[str, Any], note: str,
                   user_id: int | None) -> ProgramVersionRow | None:
    """Add a version when the spec differs from the current one; None when unchanged."""
    digest = _digest(spec)
    row = db.get(ProgramRow, program_id, with_for_update=True)
    if row is not None:
        current = db.scalar(select(ProgramVersionRow).where(
            ProgramVersionRow.program_id == program_id, ProgramVersionRow.version == row.current_version))
        if current is not None and current.digest == digest:
            return None
        number = row.current_version + 1
        row.current_version = number
        row.agency_id = agency_id
        row.updated_at = utcnow()
    else:
        number = 1
        db.add(ProgramRow(id=program_id, agency_id=agency_id, current_version=1))
        db.flush()
    version = ProgramVersionRow(program_id=program_id, version=number, spec=spec, digest=digest,
                                note=note, created_by=user_id)
    db.add(version)
    db.flush()
    return version


def _shared(db: Session) -> list[tuple[str, Any, tuple[str, str] | None]]:
    """(name, rule, title) of every shared rule; a titled rule is stored as {title, rule}."""
    out: list[tuple[str, Any, tuple[str, str] | None]] = []
    for r in db.scalars(select(SharedRuleRow)):
        raw = r.rule
        if isinstance(raw, dict) and "rule" in raw and isinstance(raw.get("title"), dict):
            out.append((r.name, raw["rule"], (str(raw["title"]["ko"]), str(raw["title"]["en"]))))
        else:
            out.append((r.name, raw, None))
    return out


def shared_rules(db: Session) -> dict[str, Any]:
    return {name: rule for name, rule, _ in _shared(db)}


def agency_ids(db: Session) -> set[str]:
    return set(db.scalars(select(AgencyRow.id)))


def validate_program(db: Session, raw: Any, where: str) -> Program:
    """The loader's checks, against the agencies, shared rules and programs in the database."""
    program = program_from_raw(raw, where, shared_rules(db), agency_ids(db))
    known = set(db.scalars(select(ProgramRow.id))) | {program.id}
    problems = link_problems([program], dict.fromkeys(known))
    if problems:
        raise CatalogError(code="catalog_invalid", ko=f"{len(problems)}건의 오류가 있습니다.",
                           en=f"{len(problems)} error(s).", problems=problems)
    return program


NOTE_MAX = 500


def check_note(note: str | None) -> str:
    """The reason for a program change, NFC and trimmed; raises `DomainError` naming field
    `note` when it is missing or longer than `NOTE_MAX` characters."""
    import unicodedata

    text = unicodedata.normalize("NFC", note or "").strip()
    if not text:
        raise DomainError(code="note_required", field="note",
                          ko="변경 사유를 적어 주세요. 변경 이력에 남고 기업과 다른 담당자가 봅니다 (예: 2026년 변경공고 반영).",
                          en="Give the reason for the change; it is kept in the history (e.g. the 2026 amended notice).")
    if len(text) > NOTE_MAX:
        raise DomainError(code="note_too_long", field="note",
                          ko=f"변경 사유는 {NOTE_MAX}자 이내로 적어 주세요. 지금 {len(text)}자입니다.",
                          en=f"The reason must be at most {NOTE_MAX} characters; it has {len(text)}.")
    return text


def save_program(db: Session, who: Principal, raw: Any, note: str,
                 program_id: str | None = None) -> ProgramVersionRow | None:
    """Create a program or add a version to it. Officers edit only their agency's programs.
    Every entry (API, page) gives the reason for the change, kept in the history that firms
    and other officers read: `note_required` / `note_too_long` (500 characters) on field
    `note`, after the spec and the officer's right to edit it are checked."""
    pid = program_id or (raw.get("id") if isinstance(raw, dict) else None) or "new"
    program = validate_program(db, raw, f"programs/{pid}.yaml")
    if program_id is not None and program.id != program_id:
        raise DomainError(code="id_mismatch", field="id", ko="사업 id는 바꿀 수 없습니다.",
                          en="A program's id cannot be changed.")
    existing = db.get(ProgramRow, program.id)
    if program_id is None and existing is not None:
        raise DomainError(code="program_exists", field="id", ko=f"사업 id {josa(program.id, '가')} 이미 있습니다.",
                          en=f"Program id {program.id} already exists.")
    for agency in {program.spec.agency, *([existing.agency_id] if existing else [])}:
        if not who.can_edit_program(agency):
            raise DomainError(code="forbidden", ko="소속 기관의 사업만 수정할 수 있습니다.",
                              en="You can edit only your own agency's programs.")
    note = check_note(note)
    version = _store_version(db, program.id, program.spec.agency, program.spec.model_dump(mode="json"),
                             note, who.user_id)
    if version is not None:
        _bump(db)
    return version


def history(db: Session, program_id: str) -> list[ProgramVersionRow]:
    return list(db.scalars(select(ProgramVersionRow).where(ProgramVersionRow.program_id == program_id)
                           .order_by(ProgramVersionRow.version.desc())))


def changed_fields(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    if old is None:
        return sorted(new)
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def history_with_changes(db: Session, program_id: str) -> list[tuple[ProgramVersionRow, list[str]]]:
    """Every version, newest first, with the top-level fields it changed from the one before."""
    versions = history(db, program_id)
    return [(v, changed_fields(versions[i + 1].spec if i + 1 < len(versions) else None, v.spec))
            for i, v in enumerate(versions)]


def current_spec(db: Session, program_id: str) -> tuple[ProgramRow, ProgramVersionRow] | None:
    row = db.get(ProgramRow, program_id)
    if row is None:
        return None
    version = db.scalar(select(ProgramVersionRow).where(
        ProgramVersionRow.program_id == program_id, ProgramVersionRow.version == row.current_version))
    assert version is not None
    return row, version


def current_specs(db: Session, program_ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """The current spec of every program (or of these), in one query, by program id."""
    q = (select(ProgramVersionRow.program_id, ProgramVersionRow.spec)
         .join(ProgramRow, (ProgramRow.id == ProgramVersionRow.program_id)
               & (ProgramRow.current_version == ProgramVersionRow.version))
         .order_by(ProgramVersionRow.program_id))
    if program_ids is not None:
        q = q.where(ProgramVersionRow.program_id.in_(program_ids))
    return {pid: spec for pid, spec in db.execute(q)}


def build_catalog(db: Session) -> Catalog:
    rows_shared = _shared(db)
    shared = {name: rule for name, rule, _ in rows_shared}
    titles = {name: title for name, _, title in rows_shared if title is not None}
    agencies = {
        a.id: Agency(id=a.id, name={"ko": a.name_ko, "en": a.name_en}, url=a.url)
        for a in db.scalars(select(AgencyRow))
    }
    rows = db.execute(
        select(ProgramVersionRow.program_id, ProgramVersionRow.spec)
        .join(ProgramRow, (ProgramRow.id == ProgramVersionRow.program_id)
              & (ProgramRow.current_version == ProgramVersionRow.version))
    )
    programs = {pid: program_from_raw(spec, f"programs/{pid}", shared, None) for pid, spec in rows}
    return Catalog(programs, agencies, f"r{revision(db)}", shared, titles)


class EngineCache:
    """One engine per catalog revision, rebuilt only when an edit bumps the revision.

    The revision is read from the database at most once per `ttl` seconds: an edit made by this
    process is seen at once (`invalidate`), one made by another worker within `ttl`.
    """

    def __init__(self, ttl: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._revision = -1
        self._engine: Engine | None = None
        self._checked = 0.0
        self._ttl = ttl

    def invalidate(self) -> None:
        with self._lock:
            self._checked = 0.0

    def get(self, db: Session) -> tuple[int, Engine]:
        now = time.monotonic()
        with self._lock:
            if self._engine is not None and now - self._checked < self._ttl:
                return self._revision, self._engine
        rev = revision(db)
        with self._lock:
            if self._engine is None or rev != self._revision:
                self._engine = Engine(build_catalog(db))
                self._revision = rev
            self._checked = now
            return self._revision, self._engine
