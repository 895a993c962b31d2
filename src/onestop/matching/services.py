"""Use cases over the shipped catalog: classify a firm, match it, evaluate many firms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from onestop.catalog.loader import Catalog, shipped_catalog
from onestop.catalog.model import CATEGORY_NAMES, SUPPORT_NAMES
from onestop.errors import DomainError
from onestop.firms.facts import derive, size_of
from onestop.firms.model import FirmProfile
from onestop.korea.sme_size import SizeResult
from onestop.matching.model import (
    STATUSES,
    Excluded,
    Explanations,
    Recommendations,
    Standings,
    history_of,
    restore,
    select,
    standings,
    totals,
)
from onestop.rules.evaluate import CompiledRules
from onestop.rules.syntax import Rule
from onestop.rules.vectorize import VectorRules


def line_column(program_id: str, line_id: str) -> str:
    """The name of a line's column in vectorized results: `kosmes-startup-fund/working`."""
    return f"{program_id}/{line_id}"


def size_dict(size: SizeResult) -> dict[str, Any]:
    return {
        "size_class": size.size_class,
        "is_sme": size.is_sme,
        "is_small": size.is_small,
        "is_micro_enterprise": size.is_micro_enterprise,
        "parameters_version": size.parameters_version,
        "reasons": [{"code": r.code, "ko": r.ko, "en": r.en} for r in size.reasons],
    }


@dataclass(frozen=True)
class Page:
    """Which part of the recommendations a list shows: a status and a category (None: all), the
    page number from 1, and its size."""

    status: str | None = None
    category: str | None = None
    number: int = 1
    size: int = 20

    def __post_init__(self) -> None:
        from onestop.catalog.model import CATEGORY_NAMES

        if self.status is not None and self.status not in (*STATUSES, "excluded"):
            raise DomainError(code="status", field="status",
                              ko="상태는 eligible(신청 가능), near_miss(한 가지 부족), unknown(정보 필요), "
                                 "excluded(제외) 중 하나여야 합니다.",
                              en="status must be eligible, near_miss, unknown or excluded.")
        if self.category is not None and self.category not in CATEGORY_NAMES:
            ko = ", ".join(f"{code}({names[0]})" for code, names in CATEGORY_NAMES.items())
            en = ", ".join(f"{code} ({names[1]})" for code, names in CATEGORY_NAMES.items())
            raise DomainError(code="category", field="category", ko=f"분야는 다음 중 하나여야 합니다: {ko}.",
                              en=f"category must be one of: {en}.")
        if not 1 <= self.number <= 10_000:
            raise DomainError(code="page", field="page", ko="쪽 번호는 1부터 10,000까지입니다.",
                              en="page must be from 1 to 10,000.")
        if not 1 <= self.size <= 100:
            raise DomainError(code="per_page", field="per_page", ko="한 쪽에 1개부터 100개까지 보여 줄 수 있습니다.",
                              en="per_page must be from 1 to 100.")


@dataclass
class Engine:
    catalog: Catalog

    @classmethod
    def shipped(cls) -> Engine:
        return cls(shipped_catalog())

    @cached_property
    def programs(self) -> list[Any]:
        return sorted(self.catalog, key=lambda p: p.id)

    @cached_property
    def line_positions(self) -> dict[str, list[tuple[str, int]]]:
        """Program id → [(line id, position in the compiled rules)]: lines come after every program."""
        out: dict[str, list[tuple[str, int]]] = {}
        position = len(self.programs)
        for p in self.programs:
            for line, _rule in p.line_rules:
                out.setdefault(p.id, []).append((line.id, position))
                position += 1
        return out

    def _rules(self) -> tuple[list[Rule], list[str]]:
        rules: list[Rule] = [p.rule for p in self.programs]
        names = [p.id for p in self.programs]
        for p in self.programs:
            for line, rule in p.line_rules:
                rules.append(rule)
                names.append(line_column(p.id, line.id))
        return rules, names

    @cached_property
    def compiled(self) -> CompiledRules:
        """Every program's rule, then every line's (see `line_positions`)."""
        return CompiledRules.compile(self._rules()[0])

    @cached_property
    def vector(self) -> VectorRules:
        """One column per program and one per line (`program/line`)."""
        rules, names = self._rules()
        return VectorRules(rules, names)

    @cached_property
    def program_names(self) -> list[str]:
        """The vector columns that are programs (the rest are lines)."""
        return [p.id for p in self.programs]

    def classify(self, firm: FirmProfile, on: date) -> dict[str, Any]:
        out = {"brn": firm.brn, "name": firm.name, "date": on.isoformat()}
        out.update(size_dict(size_of(firm, on)))
        return out

    def standings(self, firm: FirmProfile, on: date) -> tuple[Standings, SizeResult]:
        """Every program's standing for the firm; nothing explained yet."""
        size = size_of(firm, on)
        facts = derive(firm, on, size)
        st = standings(self.programs, self.compiled, facts, history_of(firm.support_history), on,
                       lines=self.line_positions)
        st.explanations = self.explanations
        return st, size

    @cached_property
    def explanations(self) -> Explanations:
        """Explanations worded once per program, standing, criteria statuses and fact values,
        shared by every firm and date (see `Explanations`)."""
        return Explanations(self.compiled)

    def restore(self, firm: FirmProfile, on: date, data: dict[str, Any]) -> tuple[Standings, SizeResult] | None:
        """Standings stored by the background recomputation (`snapshot`), with the firm's own
        evaluation for the explanations of the page shown; None if they name an unknown program."""
        size = size_of(firm, on)
        facts = derive(firm, on, size)
        st = restore(data, self.programs, self.compiled.evaluate(facts), facts, on,
                     self.line_positions)
        if st is None:
            return None
        st.explanations = self.explanations
        return st, size

    def recommendations(self, firm: FirmProfile, on: date, found: tuple[Standings, SizeResult] | None = None
                        ) -> tuple[Recommendations, SizeResult]:
        st, size = found or self.standings(firm, on)
        return Recommendations(on, [st.explain(s) for s in st.eligible], [st.explain(s) for s in st.near_misses],
                               [st.explain(s) for s in st.needs_information], st.packages, st.excluded), size

    def compact(self, firm: FirmProfile, on: date, page: Page | None = None,
                found: tuple[Standings, SizeResult] | None = None) -> dict[str, Any]:
        """The compact answer: one page of programs (eligible first, then near misses, then those
        that need information), each with its decisive reasons; totals per status and category
        over the whole catalog. Explanations are built for the programs of the page only. The
        programs excluded (closed, exhausted, not for this kind of applicant) are counted in the
        totals and listed by `status="excluded"`."""
        page = page or Page()
        st, size = found or self.standings(firm, on)
        window = slice((page.number - 1) * page.size, page.number * page.size)
        out_of: list[Any] = []
        if page.status == "excluded":  # closed, exhausted, or not for this kind of applicant
            programs = self.catalog.programs
            out_of = [e for e in st.excluded
                      if page.category is None or programs[e.program_id].spec.category.value == page.category]
            chosen: Sequence[Any] = out_of
        else:
            chosen = select(st, page.status, page.category)
        items = [st.compact_item(s, on) for s in chosen[window]] if not out_of else []
        agencies = self.catalog.agencies
        counted = totals(st)
        excluded = [self._excluded_item(e) for e in out_of[window]]
        shown = [*items, *excluded]
        return {
            "brn": firm.brn,
            "name": firm.name,
            "date": on.isoformat(),
            "explain": "compact",
            "catalog_version": self.catalog.version,
            "parameters_version": size.parameters_version,
            "size_class": size.size_class,
            "totals": counted,
            "page": {"number": page.number, "size": page.size, "status": page.status, "category": page.category,
                     "total": len(chosen), "pages": max(1, -(-len(chosen) // page.size))},
            "eligible": [i for i in items if i["status"] == "eligible"],
            "near_misses": [i for i in items if i["status"] == "near_miss"],
            "needs_information": [i for i in items if i["status"] == "unknown"],
            "agencies": {a: {"ko": agencies[a].name.ko, "en": agencies[a].name.en}
                         for a in sorted({i["agency"] for i in shown}) if a in agencies},
            # the names of the codes the answer uses (categories of the items and of the totals)
            "categories": {c: dict(zip(("ko", "en"), CATEGORY_NAMES[c], strict=True))
                           for c in sorted({*counted["categories"], *(i["category"] for i in shown)})
                           if c in CATEGORY_NAMES},
            "support_types": {t: dict(zip(("ko", "en"), SUPPORT_NAMES[t], strict=True))
                              for t in sorted({i["support_type"] for i in items}) if t in SUPPORT_NAMES},
            "packages": st.packages,
            "excluded": excluded,
        }

    def _excluded_item(self, e: Excluded) -> dict[str, Any]:
        """An excluded program as the compact answer lists it: its names, agency and category,
        and why (a code and a sentence in Korean and English)."""
        spec = self.catalog.programs[e.program_id].spec
        return {"program_id": e.program_id, "name_ko": spec.name.ko, "name_en": spec.name.en, "agency": spec.agency,
                "category": spec.category.value, "status": "excluded", "code": e.code, "ko": e.ko, "en": e.en}

    def match(self, firm: FirmProfile, on: date, found: tuple[Standings, SizeResult] | None = None) -> dict[str, Any]:
        """The full answer (`onestop match --json`, `?explain=full`): every program, every criterion."""
        recs, size = self.recommendations(firm, on, found)
        return {
            "brn": firm.brn,
            "name": firm.name,
            "date": on.isoformat(),
            "catalog_version": self.catalog.version,
            "parameters_version": size.parameters_version,
            "size_class": size.size_class,
            "eligible": [r.as_dict() for r in recs.eligible],
            "near_misses": [r.as_dict() for r in recs.near_misses],
            "needs_information": [r.as_dict() for r in recs.needs_information],
            "packages": recs.packages,
            "excluded": [
                {"program_id": e.program_id, "code": e.code, "ko": e.ko, "en": e.en}
                for e in recs.excluded
            ],
        }
