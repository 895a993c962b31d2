"""Use cases over the shipped catalog: classify a firm, match it, evaluate many firms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from onestop.catalog.loader import Catalog, shipped_catalog
from onestop.firms.facts import derive, size_of
from onestop.firms.model import FirmProfile
from onestop.korea.sme_size import SizeResult
from onestop.matching.model import Recommendations, history_of, recommend
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

    def recommendations(self, firm: FirmProfile, on: date) -> tuple[Recommendations, SizeResult]:
        size = size_of(firm, on)
        facts = derive(firm, on, size)
        recs = recommend(self.programs, self.compiled, facts, history_of(firm.support_history), on,
                         lines=self.line_positions)
        return recs, size

    def match(self, firm: FirmProfile, on: date) -> dict[str, Any]:
        recs, size = self.recommendations(firm, on)
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
