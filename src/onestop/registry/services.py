"""Use cases over a registry: the reach of a program (published, or a draft's YAML)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from onestop.catalog.loader import Catalog, program_from_raw
from onestop.errors import DomainError
from onestop.registry.columns import frame_facts
from onestop.registry.reach import Reach, combine, compile_reach, counts
from onestop.registry.schema import to_typed
from onestop.registry.store import read_parts


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
    or lack data, by 시도, size class, industry section and CEO age band."""
    compiled = compile_reach(program.rule)
    today = today or date.today()
    # the registry's rows were checked when it was written (generate, import): read as trusted
    return combine(counts(frame_facts(*to_typed(part), on, today, trusted=True)[0], compiled)
                   for part in read_parts(root))
