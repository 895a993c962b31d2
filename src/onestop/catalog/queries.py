"""Program search: filters and Korean keywords over one catalog revision (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from onestop.catalog.loader import Catalog
from onestop.catalog.model import Category, Program, SupportType
from onestop.catalog.search import KeywordIndex
from onestop.korea.regions import is_capital_area, normalize_region
from onestop.rules.evaluate import NOT_MET, evaluate_rule


class SearchQuery(BaseModel):
    """What a user searches for; also what a saved search stores."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(default="", max_length=200)
    category: Category | None = None
    agency: str | None = Field(default=None, max_length=60)
    region: str | None = Field(default=None, max_length=10)
    open_on: date | None = None
    support_type: SupportType | None = None
    sort: Literal["relevance", "deadline"] = "relevance"


@dataclass
class Hit:
    program: Program
    score: float


def document(program: Program, catalog: Catalog) -> str:
    s = program.spec
    agency = catalog.agencies.get(s.agency)
    # The name counts three times: a query that names the program should find it first.
    parts = [s.name.ko] * 3 + [s.name.en] * 2 + [s.summary.ko, s.summary.en, s.category.value,
                                                  s.support_type.value, *s.tags]
    if agency is not None:
        parts += [agency.name.ko, agency.name.en]
    return "\n".join(parts)


def build_index(catalog: Catalog) -> KeywordIndex:
    return KeywordIndex((p.id, document(p, catalog)) for p in catalog)


def available_in(program: Program, region: str) -> bool:
    """Could a firm located in `region` qualify? Only location facts are known here, so a
    program is left out only when its rule fails on location alone."""
    facts = {"region": region, "sido": region[:2], "capital_area": is_capital_area(region)}
    return evaluate_rule(program.rule, facts) != NOT_MET


def search(catalog: Catalog, index: KeywordIndex, query: SearchQuery) -> list[Hit]:
    region = normalize_region(query.region) if query.region else None
    scores = index.score(query.q) if query.q.strip() else None
    hits = []
    for program in catalog:
        s = program.spec
        if query.category and s.category != query.category:
            continue
        if query.agency and s.agency != query.agency:
            continue
        if query.support_type and s.support_type != query.support_type:
            continue
        if query.open_on and not s.application_window.is_open_on(query.open_on):
            continue
        if region and not available_in(program, region):
            continue
        score = 0.0
        if scores is not None:
            if program.id not in scores:
                continue
            score = scores[program.id]
        hits.append(Hit(program, score))
    if query.sort == "deadline":
        far = date.max
        hits.sort(key=lambda h: (h.program.spec.application_window.closes or far, h.program.id))
    else:
        hits.sort(key=lambda h: (-h.score, h.program.spec.name.ko))
    return hits
