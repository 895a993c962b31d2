"""Load versions of a parameter set from `data/parameters/<name>/*.yaml` and pick one by date.

Following OpenFisca, a threshold is never an `if` in code: each version is a file with the
first and last day it is in force and its legal reference, so adding a revision is a data
change only.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import yaml

from onestop.errors import ParameterError
from onestop.korea._data import data_path


@dataclass(frozen=True)
class ParameterVersion:
    name: str
    version: str
    effective_from: date
    effective_to: date | None
    reference: dict[str, Any]
    values: dict[str, Any]

    def covers(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


def _as_date(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ParameterError(
        code="parameter_date",
        field=where,
        ko=f"{where}: 날짜(YYYY-MM-DD)가 필요합니다.",
        en=f"{where}: a date (YYYY-MM-DD) is required.",
    )


@cache
def versions(name: str) -> tuple[ParameterVersion, ...]:
    """All versions of a parameter set, oldest first; overlapping dates are an error."""
    folder = data_path("parameters", name)
    loaded: list[ParameterVersion] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        raw = yaml.safe_load(entry.read_text(encoding="utf-8"))
        where = f"parameters/{name}/{entry.name}"
        end = raw.get("effective_to")
        loaded.append(
            ParameterVersion(
                name=name,
                version=str(raw["version"]),
                effective_from=_as_date(raw["effective_from"], where + ":effective_from"),
                effective_to=None if end is None else _as_date(end, where + ":effective_to"),
                reference=dict(raw.get("reference") or {}),
                values=raw,
            )
        )
    loaded.sort(key=lambda v: v.effective_from)
    for before, after in itertools.pairwise(loaded):
        if before.effective_to is None or before.effective_to >= after.effective_from:
            raise ParameterError(
                code="parameter_overlap",
                field=f"parameters/{name}",
                ko=f"{name}의 {before.version}판과 {after.version}판의 시행 기간이 겹칩니다.",
                en=f"Versions {before.version} and {after.version} of {name} overlap in time.",
            )
    return tuple(loaded)


def in_force(name: str, on: date) -> ParameterVersion:
    """The version of `name` in force on `on`."""
    for version in versions(name):
        if version.covers(on):
            return version
    raise ParameterError(
        code="parameter_not_in_force",
        field=name,
        ko=f"{on.isoformat()}에 시행 중인 {name} 기준이 없습니다.",
        en=f"No version of {name} is in force on {on.isoformat()}.",
    )
