"""Evaluate rules for one firm with an explanation of every criterion.

Three-valued (Kleene) logic encoded as integers so that `all` is `min`, `any` is `max` and
`not` is `2 - x`: NOT_MET=0 < UNKNOWN=1 < MET=2. A catalog is compiled once: criteria with the
same meaning are evaluated once per firm however many programs share them, and program trees
are evaluated level by level with NumPy, which keeps one firm × 10,000 programs in
milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from onestop.rules.explain import (
    MET,
    NOT_MET,
    STATUS_NAMES,
    UNKNOWN,
    criterion_text,
    sentence,
    value_text,
)
from onestop.rules.syntax import All, AnyOf, Leaf, Not, Rule, Scalar

LeafKey = tuple[str, str, Scalar | tuple[Scalar, ...]]

__all__ = ["MET", "NOT_MET", "UNKNOWN", "CompiledRules", "FirmEvaluation", "leaf_status"]


def _prefix_status(value: str, prefixes: tuple[Scalar, ...]) -> int:
    """MET if the code lies under a prefix; UNKNOWN if the code is coarser than a prefix that
    could contain it (a firm registered `C2` tested against `C26`); otherwise NOT_MET."""
    status = NOT_MET
    for p in prefixes:
        ps = str(p)
        if value.startswith(ps):
            return MET
        if ps.startswith(value):
            status = UNKNOWN
    return status


def leaf_status(key: LeafKey, facts: Mapping[str, Any]) -> int:
    fact, op, target = key
    v = facts.get(fact)
    if v is None:
        return UNKNOWN
    if op == "<":
        ok = v < target
    elif op == "<=":
        ok = v <= target
    elif op == ">":
        ok = v > target
    elif op == ">=":
        ok = v >= target
    elif op == "==":
        ok = v == target
    elif op == "!=":
        ok = v != target
    elif op == "in":
        ok = v in target  # type: ignore[operator]
    elif op == "not_in":
        ok = v not in target  # type: ignore[operator]
    elif op == "prefix":
        assert isinstance(target, tuple)
        return _prefix_status(str(v), target)
    elif op == "not_prefix":
        assert isinstance(target, tuple)
        return 2 - _prefix_status(str(v), target)
    elif op == "has_any":
        ok = not v.isdisjoint(target)
    elif op == "has_all":
        ok = v.issuperset(target)
    elif op == "has_none":
        ok = v.isdisjoint(target)
    else:  # pragma: no cover - the checker rejects unknown operators
        raise ValueError(op)
    return MET if ok else NOT_MET


@dataclass(frozen=True)
class LeafOutcome:
    """One distinct criterion's result for one firm, shared by every program that uses it."""

    status: int
    value_ko: str
    value_en: str
    sentence_ko: str
    sentence_en: str


@dataclass(frozen=True)
class CriterionResult:
    leaf: Leaf
    outcome: LeafOutcome

    def as_dict(self) -> dict[str, Any]:
        t = self.leaf.value
        return {
            "id": self.leaf.id or None,
            "shared_rule": self.leaf.shared_rule,
            "fact": self.leaf.fact,
            "op": self.leaf.op,
            "threshold": list(t) if isinstance(t, tuple) else t,
            "status": STATUS_NAMES[self.outcome.status],
            "value": {"ko": self.outcome.value_ko, "en": self.outcome.value_en},
            "ko": self.outcome.sentence_ko,
            "en": self.outcome.sentence_en,
        }


@dataclass(frozen=True)
class ProgramResult:
    index: int
    status: int
    criteria: tuple[CriterionResult, ...]

    @property
    def eligible(self) -> bool:
        return self.status == MET

    def failing(self) -> list[CriterionResult]:
        return [c for c in self.criteria if c.outcome.status == NOT_MET]

    def unknown(self) -> list[CriterionResult]:
        return [c for c in self.criteria if c.outcome.status == UNKNOWN]


# Node kinds in the compiled plan.
_ALL, _ANY, _NOT = 0, 1, 2


@dataclass
class _Level:
    kind: int
    nodes: npt.NDArray[np.int64]  # slot written for each node
    gather: npt.NDArray[np.int64]  # children's slots, concatenated
    starts: npt.NDArray[np.int64]  # reduceat offsets into gather


@dataclass
class CompiledRules:
    """Rules of many programs compiled for fast explained evaluation."""

    rules: Sequence[Rule]
    keys: list[LeafKey] = field(default_factory=list)
    program_leaves: list[tuple[Leaf, ...]] = field(default_factory=list)
    program_leaf_slots: list[tuple[int, ...]] = field(default_factory=list)
    root_slots: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    levels: list[_Level] = field(default_factory=list)
    n_slots: int = 0
    criterion_texts: dict[int, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def compile(cls, rules: Sequence[Rule]) -> CompiledRules:
        """Number distinct criteria first (slots 0..n-1), then every internal node after them,
        and group internal nodes by (height, kind) so each group is one NumPy reduction."""
        self = cls(rules)
        key_slot: dict[LeafKey, int] = {}
        # An internal node: (height, kind, children); children refer to a criterion slot
        # (>= 0) or to an internal node (-(index + 1)) until slots are assigned.
        internal: list[tuple[int, int, list[int]]] = []

        def walk(node: Rule, leaves_out: list[Leaf], slots_out: list[int]) -> tuple[int, int]:
            if isinstance(node, Leaf):
                if node.key not in key_slot:
                    key_slot[node.key] = len(self.keys)
                    self.keys.append(node.key)
                leaves_out.append(node)
                slots_out.append(key_slot[node.key])
                return key_slot[node.key], 0
            if isinstance(node, Not):
                kids = [walk(node.child, leaves_out, slots_out)]
                kind = _NOT
            else:
                kids = [walk(c, leaves_out, slots_out) for c in node.children]
                kind = _ALL if isinstance(node, All) else _ANY
            height = 1 + max(h for _, h in kids)
            internal.append((height, kind, [ref for ref, _ in kids]))
            return -len(internal), height

        roots: list[int] = []
        for rule in rules:
            leaves_here: list[Leaf] = []
            slots_here: list[int] = []
            root, _ = walk(rule, leaves_here, slots_here)
            roots.append(root)
            self.program_leaves.append(tuple(leaves_here))
            self.program_leaf_slots.append(tuple(slots_here))

        n_leaves = len(self.keys)

        def slot(ref: int) -> int:
            return ref if ref >= 0 else n_leaves + (-ref - 1)

        self.n_slots = n_leaves + len(internal)
        self.root_slots = np.array([slot(r) for r in roots], dtype=np.int64)
        groups: dict[tuple[int, int], list[tuple[int, list[int]]]] = {}
        for index, (height, kind, kids) in enumerate(internal):
            groups.setdefault((height, kind), []).append(
                (n_leaves + index, [slot(k) for k in kids])
            )
        for (_height, kind), nodes in sorted(groups.items()):
            gather: list[int] = []
            starts: list[int] = []
            for _node, kids in nodes:
                starts.append(len(gather))
                gather.extend(kids)
            self.levels.append(_Level(
                kind,
                np.array([n for n, _ in nodes], dtype=np.int64),
                np.array(gather, dtype=np.int64),
                np.array(starts, dtype=np.int64),
            ))
        return self

    def evaluate(self, facts: Mapping[str, Any]) -> FirmEvaluation:
        values = np.empty(self.n_slots, dtype=np.int8)
        statuses = [leaf_status(k, facts) for k in self.keys]
        values[: len(statuses)] = statuses
        for level in self.levels:
            gathered = values[level.gather]
            if level.kind == _ALL:
                values[level.nodes] = np.minimum.reduceat(gathered, level.starts)
            elif level.kind == _ANY:
                values[level.nodes] = np.maximum.reduceat(gathered, level.starts)
            else:
                values[level.nodes] = 2 - gathered
        shown = {fact: value_text(fact, facts.get(fact)) for fact in {k[0] for k in self.keys}}
        outcomes = []
        for i, key in enumerate(self.keys):
            crit = self.criterion_texts.get(i)
            if crit is None:
                crit = self.criterion_texts[i] = criterion_text(
                    Leaf(fact=key[0], op=key[1], value=key[2])
                )
            vk, ve = shown[key[0]]
            sk, se = sentence(crit, (vk, ve), statuses[i])
            outcomes.append(LeafOutcome(statuses[i], vk, ve, sk, se))
        return FirmEvaluation(self, values[self.root_slots].copy(), outcomes)


@dataclass
class FirmEvaluation:
    """Every program's status for one firm, and every distinct criterion's explanation."""

    compiled: CompiledRules
    statuses: npt.NDArray[np.int8]
    outcomes: list[LeafOutcome]

    def program(self, i: int) -> ProgramResult:
        leaves = self.compiled.program_leaves[i]
        slots = self.compiled.program_leaf_slots[i]
        criteria = []
        for leaf, slot in zip(leaves, slots, strict=True):
            outcome = self.outcomes[slot]
            if leaf.label_ko:
                crit = criterion_text(leaf)
                sk, se = sentence(crit, (outcome.value_ko, outcome.value_en), outcome.status)
                outcome = LeafOutcome(outcome.status, outcome.value_ko, outcome.value_en, sk, se)
            criteria.append(CriterionResult(leaf, outcome))
        return ProgramResult(i, int(self.statuses[i]), tuple(criteria))

    def all_programs(self) -> list[ProgramResult]:
        return [self.program(i) for i in range(len(self.statuses))]


def evaluate_rule(rule: Rule, facts: Mapping[str, Any]) -> int:
    """Reference evaluation of one rule by recursion; the compiled path must agree with it."""
    if isinstance(rule, Leaf):
        return leaf_status(rule.key, facts)
    if isinstance(rule, Not):
        return 2 - evaluate_rule(rule.child, facts)
    results = [evaluate_rule(c, facts) for c in rule.children]
    return min(results) if isinstance(rule, All) else max(results)


def flip_effects(rule: Rule, facts: Mapping[str, Any]) -> list[Leaf]:
    """Criteria not met whose being met alone would make the whole rule met (near-miss fixes)."""
    out = []
    for leaf in {id(x): x for x in _leaves(rule)}.values():
        if leaf_status(leaf.key, facts) != NOT_MET:
            continue
        if _eval_forced(rule, facts, leaf) == MET:
            out.append(leaf)
    return out


def _leaves(rule: Rule) -> list[Leaf]:
    if isinstance(rule, Leaf):
        return [rule]
    if isinstance(rule, Not):
        return _leaves(rule.child)
    return [x for c in rule.children for x in _leaves(c)]


def _eval_forced(rule: Rule, facts: Mapping[str, Any], forced: Leaf) -> int:
    if rule is forced:
        return MET
    if isinstance(rule, Leaf):
        return leaf_status(rule.key, facts)
    if isinstance(rule, Not):
        return 2 - _eval_forced(rule.child, facts, forced)
    results = [_eval_forced(c, facts, forced) for c in rule.children]
    return min(results) if isinstance(rule, AnyOf) is False else max(results)
