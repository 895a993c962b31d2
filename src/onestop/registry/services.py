"""Use cases over a registry: the reach of a program (published, or a draft's YAML)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from onestop.catalog.loader import Catalog, program_from_raw
from onestop.errors import DomainError
from onestop.registry.reach import Reach, combine, compile_reach, counts
from onestop.registry.store import facts_parts
from onestop.rules.syntax import leaves


def program_to_reach(catalog: Catalog, program_id: str, draft: Path | None = None) -> Any:
    """The catalog's program `program_id`, or the draft in `draft` (a program YAML file, checked
    as the catalog checks its own)."""
    if draft is not None:
        try:
            raw = yaml.safe_load(draft.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise DomainError(code="draft_file", field="--draft", ko=f"초안 파일을 읽을 수 없습니다: {draft} ({exc})",
                              en=f"Cannot read the draft {draft}: {exc}") from None
        return program_from_raw(raw, draft.name, catalog.shared_rules, set(catalog.agencies) or None)
    program = catalog.programs.get(program_id)
    if program is None:
        raise DomainError(code="program_unknown", field="PROGRAM_ID",
                          ko=f"카탈로그에 {program_id!r} 사업이 없습니다. `onestop programs list`로 확인하세요.",
                          en=f"No program {program_id!r} in the catalog; see `onestop programs list`.")
    return program


def registry_reach(root: Path, program: Any, on: date, today: date | None = None) -> Reach:
    """How many firms of the registry under `root` qualify for `program` on `on`, nearly qualify
    or lack data, by 시도, size class, industry section and CEO age band. The facts on a date are
    derived once and kept (`store.facts_parts`): the next program's reach reads only its columns."""
    compiled = compile_reach(program.rule)
    columns = sorted({leaf.fact for leaf in leaves(program.rule)} | {"sido", "size_class", "ksic", "ceo_age"})
    return combine(counts(part, compiled) for part in facts_parts(root, on, columns, today))
