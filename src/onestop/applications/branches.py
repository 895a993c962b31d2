"""Agency branches that take consultation bookings (shipped reference data), and the online desk
every other agency gets, so a firm can consult any agency in the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from onestop.errors import DomainError
from onestop.korea._data import data_path
from onestop.korea.hangul import josa


@dataclass(frozen=True)
class Branch:
    id: str
    agency: str
    name_ko: str
    name_en: str
    sido: str | None
    online: bool = False


@lru_cache(maxsize=1)
def _listed() -> tuple[Branch, ...]:
    raw: list[dict[str, Any]] = yaml.safe_load(data_path("reference", "branches.yaml").read_text(encoding="utf-8"))
    return tuple(Branch(r["id"], r["agency"], r["name"]["ko"], r["name"]["en"], r.get("sido")) for r in raw)


def online_desk(agency_id: str, agency_ko: str, agency_en: str) -> Branch:
    return Branch(f"{agency_id}-online", agency_id, f"{agency_ko} 비대면 상담창구", f"{agency_en} online desk", None, True)


def of_agency(agency_id: str, agency_ko: str, agency_en: str) -> list[Branch]:
    """The agency's listed branches, or its online desk when none is listed."""
    listed = [b for b in _listed() if b.agency == agency_id]
    return listed or [online_desk(agency_id, agency_ko, agency_en)]


def all_branches(agencies: dict[str, tuple[str, str]]) -> list[Branch]:
    """Every bookable branch of these agencies (id → (Korean name, English name))."""
    return [b for aid, (ko, en) in agencies.items() for b in of_agency(aid, ko, en)]


def find(branch_id: str, agencies: dict[str, tuple[str, str]]) -> Branch:
    for b in all_branches(agencies):
        if b.id == branch_id:
            return b
    known = ", ".join(b.id for b in _listed())
    raise DomainError(code="branch_unknown", field="branch",
                      ko=f"상담 지점 {josa(repr(branch_id), '를')} 찾을 수 없습니다. 예: {known}, 또는 '<기관>-online'",
                      en=f"Unknown branch {branch_id!r}; e.g. {known}, or '<agency>-online'.")


def nearest(branches: list[Branch], sido: str) -> Branch:
    """The branch in the firm's 시도 if the agency has one there, else its first."""
    return next((b for b in branches if b.sido == sido), branches[0])
