"""Policy simulation as a use case: read a draft of a program's rules, check it as the catalog
loader does, and compare it with the version in force over registered firms or a registry."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from sqlalchemy.orm import Session

from onestop.catalog.loader import Catalog, program_from_raw
from onestop.errors import DomainError
from onestop.korea._data import data_path
from onestop.korea.hangul import josa
from onestop.outcomes.simulation import SimulationResult, facts_needed, simulate, simulate_parts
from onestop.rules.vectorize import fact_schema, facts_frame
from onestop.text import normalise_tree


def read_draft(path: Path) -> dict[str, Any]:
    """The draft as a mapping of top-level program keys (e.g. only `eligibility`); DomainError
    naming the file when it cannot be read or is not a YAML mapping."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DomainError(code="file", field="--draft", ko=f"파일을 읽을 수 없습니다: {path} ({exc.strerror})",
                          en=f"Cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise DomainError(code="yaml", field="--draft", ko=f"{path}: YAML 형식 오류입니다 ({exc}).",
                          en=f"{path}: not valid YAML ({exc}).") from None
    if not isinstance(raw, dict):
        raise DomainError(code="yaml", field="--draft", ko=f"{path}: 사업 항목(키: 값)의 묶음이어야 합니다.",
                          en=f"{path}: must be a mapping of program keys.")
    out: dict[str, Any] = normalise_tree(raw)
    return out


def parse_draft(text_: str) -> dict[str, Any]:
    """A draft typed into the page: YAML of the changed program keys."""
    try:
        raw = yaml.safe_load(text_)
    except yaml.YAMLError as exc:
        raise DomainError(code="yaml", field="draft", ko=f"YAML 형식 오류입니다: {exc}",
                          en=f"Not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise DomainError(code="yaml", field="draft", ko="사업 항목(키: 값)의 묶음이어야 합니다(예: eligibility: …).",
                          en="Must be a mapping of program keys (e.g. eligibility: …).")
    out: dict[str, Any] = normalise_tree(raw)
    return out


def base_spec(program_id: str, db: Session | None = None) -> dict[str, Any]:
    """The program's current data as stored (the database's current version, or the shipped YAML)."""
    if db is not None:
        from onestop.catalog.services import current_spec

        found = current_spec(db, program_id)
        if found is not None:
            spec: dict[str, Any] = dict(found[1].spec)
            return spec
    node = data_path("catalog", "programs", f"{program_id}.yaml")
    if not node.is_file():
        raise DomainError(code="not_found", field="PROGRAM_ID", ko=f"사업 {josa(str(program_id), '을')} 찾을 수 없습니다.",
                          en=f"Program {program_id} not found.")
    raw: dict[str, Any] = yaml.safe_load(node.read_text(encoding="utf-8"))
    return raw


def draft_rule_program(catalog: Catalog, program_id: str, draft: dict[str, Any], db: Session | None = None) -> Any:
    """The draft merged over the current version (top-level keys replaced), type-checked by the
    catalog loader: a rule that does not type-check raises its CatalogError unchanged."""
    if "id" in draft and draft["id"] != program_id:
        raise DomainError(code="draft_id", field="id", ko=f"초안의 id({draft['id']})가 {program_id}와 다릅니다.",
                          en=f"The draft's id ({draft['id']}) is not {program_id}.")
    merged = {**base_spec(program_id, db), **draft, "id": program_id}
    return program_from_raw(merged, f"programs/{program_id}.yaml (draft)", catalog.shared_rules,
                            set(catalog.agencies))


def registry_frame(path: Path) -> pl.DataFrame:
    """A generated registry (a facts frame written as Parquet, columns of `fact_schema`); facts
    absent from the file are unknown for every firm."""
    if not path.exists():
        raise DomainError(code="file", field="--registry", ko=f"파일이 없습니다: {path}", en=f"No such file: {path}")
    schema = fact_schema()
    lf = pl.scan_parquet(path)
    have = lf.collect_schema().names()
    if not any(c in schema for c in have):
        raise DomainError(code="registry_columns", field="--registry",
                          ko=f"{path}: 사실(fact) 열이 하나도 없습니다(예: sido, ceo_age).",
                          en=f"{path}: has no fact columns (e.g. sido, ceo_age).")
    return lf.select(
        [pl.col(c).cast(t) if c in have else pl.lit(None, dtype=t).alias(c) for c, t in schema.items()]
    ).collect()


def registered_frame(db: Session, on: date) -> pl.DataFrame:
    """Facts of every registered firm on `on`."""
    from onestop.firms import services as firms
    from onestop.firms.facts import derive

    return facts_frame([derive(p, on) for p in firms.all_profiles(db)])


def _prepared(catalog: Catalog, program_id: str, draft: dict[str, Any], amount_won: int | None, take_up: float,
              db: Session | None) -> tuple[Any, Any, int]:
    """(program in force, the draft as a program, expected amount per firm), or DomainError."""
    current = catalog.get(program_id)
    draft_program = draft_rule_program(catalog, program_id, draft, db)
    amount = amount_won if amount_won is not None else (draft_program.spec.limits.amount
                                                        or current.spec.limits.amount)
    if amount is None:
        raise DomainError(code="amount_required", field="--amount",
                          ko="이 사업은 지원 한도를 밝히지 않습니다. --amount로 기업당 예상 지원액(원)을 주세요.",
                          en="This program states no amount; give the expected amount per firm in won with --amount.")
    if not 0.0 <= take_up <= 1.0:
        raise DomainError(code="take_up", field="--take-up", ko="--take-up은 0과 1 사이여야 합니다(예: 0.3).",
                          en="--take-up must be between 0 and 1 (e.g. 0.3).")
    return current, draft_program, amount


def run(catalog: Catalog, program_id: str, draft: dict[str, Any], frame: pl.DataFrame,
        amount_won: int | None = None, take_up: float = 1.0, db: Session | None = None) -> SimulationResult:
    """Compare the draft with the program's rule in force over `frame`. The expected amount per
    firm defaults to the draft's `limits.amount` (or the program's); DomainError when neither
    states one and none is given, or on a take-up outside 0–1."""
    current, draft_program, amount = _prepared(catalog, program_id, draft, amount_won, take_up, db)
    return simulate(frame, current.rule, draft_program.rule, amount, take_up, keep_rows=False)


def run_registry(catalog: Catalog, program_id: str, draft: dict[str, Any], root: Path, on: date,
                 amount_won: int | None = None, take_up: float = 1.0) -> SimulationResult:
    """`run` over a national registry folder (`onestop registry generate|import`): the facts on
    `on` are read as `onestop reach` reads them (`registry.store.facts_parts`: derived by column
    once per date and kept, then only the columns the two rules and the breakdowns need), a part
    at a time, and counted part by part (`simulation.simulate_parts`), so memory holds one part.
    DomainError as `run`, and `registry_empty` when `root` holds no registry."""
    from onestop.registry.store import facts_parts

    current, draft_program, amount = _prepared(catalog, program_id, draft, amount_won, take_up, None)
    columns = facts_needed(current.rule, draft_program.rule)
    return simulate_parts(facts_parts(root, on, columns), current.rule, draft_program.rule, amount, take_up)
