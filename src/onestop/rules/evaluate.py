"""Evaluate rules for one firm with an explanation of every criterion.

Three-valued (Kleene) logic encoded as integers so that `all` is `min`, `any` is `max` and
`not` is `2 - x`: NOT_MET=0 < UNKNOWN=1 < MET=2. A catalog is compiled once: criteria with the
same meaning are evaluated once per firm however many programs share them, and program trees
are evaluated level by level with NumPy, which keeps one firm × 10,000 programs in
milliseconds.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from operator import eq, ge, gt, le, lt, ne
from typing import Any, NamedTuple, overload

import numpy as np
import numpy.typing as npt

from onestop.rules.explain import (
    MET,
    NOT_MET,
    STATUS_NAMES,
    STATUS_WORDS,
    UNKNOWN,
    criterion_text,
    exclusion_sentence,
    sentence,
    value_text,
)
from onestop.rules.syntax import All, Leaf, Not, Rule, Scalar, leaves

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


Predicate = Callable[[Any], "bool | int"]


def predicate(key: LeafKey) -> Predicate:
    """A one-argument test of the fact's value, same meaning as `leaf_status` (which stays the
    reference: the property tests compare the two). True/False mean met/not met; an int is a
    status already (prefixes can be unknown)."""
    _fact, op, target = key
    # partial(gt, t)(v) is t > v, i.e. v < t.
    flipped = {"<": gt, "<=": ge, ">": lt, ">=": le, "==": eq, "!=": ne}
    if op in flipped:
        return partial(flipped[op], target)
    assert isinstance(target, tuple)
    if op in ("in", "not_in"):
        members = frozenset(target)
        return members.__contains__ if op == "in" else (lambda v: v not in members)
    if op == "prefix":
        return lambda v: _prefix_status(str(v), target)
    if op == "not_prefix":
        return lambda v: 2 - _prefix_status(str(v), target)
    wanted = frozenset(target)
    if op == "has_any":
        return lambda v: not wanted.isdisjoint(v)
    if op == "has_all":
        return wanted.issubset
    return wanted.isdisjoint


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


class LeafOutcome(NamedTuple):
    """One distinct criterion's result for one firm, shared by every program that uses it.

    Tuples rather than dataclasses: one firm against ten thousand programs makes tens of
    thousands of these, and tuple construction is several times cheaper."""

    status: int
    value_ko: str
    value_en: str
    sentence_ko: str
    sentence_en: str


class CriterionResult(NamedTuple):
    leaf: Leaf
    outcome: LeafOutcome
    #: False for a criterion of an exception that did not apply (see `applied_flags`)
    applied: bool = True

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
            "applied": self.applied,
            # what an exception that did not apply asks, without an outcome: it is not the firm's
            "criterion": None if self.applied else dict(zip(("ko", "en"), criterion_text(self.leaf), strict=True)),
        }


class ProgramResult(NamedTuple):
    position: int
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
    owner: npt.NDArray[np.int64]  # for each gathered child, the index of its node in `nodes`


def _lut(combine: Callable[[int, int], int]) -> npt.NDArray[np.uint8]:
    """[other, mask] → the mask of `combine(x, other)` for every value x in `mask` (bit 1 << x)."""
    out = np.zeros((3, 8), dtype=np.uint8)
    for other in range(3):
        for mask in range(8):
            for x in range(3):
                if mask & (1 << x):
                    out[other, mask] |= 1 << combine(x, other)
    return out


_MIN_LUT, _MAX_LUT = _lut(min), _lut(max)
#: `not` turns a value x into 2 - x: bit 0 and bit 2 swap
_REVERSE = np.array([(m & 2) | ((m & 1) << 2) | ((m & 4) >> 2) for m in range(8)], dtype=np.uint8)


@dataclass
class CompiledRules:
    """Rules of many programs compiled for fast explained evaluation."""

    rules: Sequence[Rule]
    keys: list[LeafKey] = field(default_factory=list)
    program_leaves: list[tuple[Leaf, ...]] = field(default_factory=list)
    program_leaf_slots: list[tuple[int, ...]] = field(default_factory=list)
    #: per program, per criterion: its own label (ko, en) when it has one, else None
    program_labels: list[tuple[tuple[str, str] | None, ...]] = field(default_factory=list)
    #: per program: True when its rule has an alternative (an `any`, or an `all` under `not`), so
    #: that some of its criteria may be exceptions that did not apply
    program_alternatives: list[bool] = field(default_factory=list)
    root_slots: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    levels: list[_Level] = field(default_factory=list)
    n_slots: int = 0
    #: criterion meaning → its slot
    slot: dict[LeafKey, int] = field(default_factory=dict)
    #: per distinct criterion: its fact, its test, and its wording (ko, en)
    tests: list[tuple[str, Predicate]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)
    #: every criterion occurrence of every program, in program order: its program, its slot, and
    #: whether it comes from a shared rule (for counts over the whole catalog without explanations)
    occurrence_program: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    occurrence_slot: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    occurrence_shared: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    #: per program: the same criterion object occurs twice in its rule (`single_fixes` cannot
    #: tell one occurrence from the other; `flip_effects` answers for these)
    repeated: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    _slot_masks: dict[frozenset[str], npt.NDArray[np.bool_]] = field(default_factory=dict)
    #: the slot of each compiled criterion object, by identity (cheaper than its meaning's key)
    slot_by_id: dict[int, int] = field(default_factory=dict)
    #: (fact, type of its value, value) → the statuses of the criteria testing that fact
    #: (`by_fact` order): a value seen before is not tested again (bounded, emptied when full)
    _fact_statuses: dict[tuple[Any, ...], npt.NDArray[np.int8]] = field(default_factory=dict)
    #: the criteria's statuses (as bytes) → every rule's status; and, with the allowed slots too,
    #: `single_fixes`' answer. Both are pure functions of those: a firm asked about on another
    #: day, or another firm that stands the same on every criterion, takes them from here
    #: (bounded, emptied when full)
    _by_leaves: dict[bytes, npt.NDArray[np.int8]] = field(default_factory=dict)
    _fixes: dict[tuple[bytes, bytes], npt.NDArray[np.bool_]] = field(default_factory=dict)

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
            self.program_alternatives.append(_has_alternative(rule, True))
            self.program_labels.append(tuple(
                criterion_text(leaf) if leaf.label_ko and leaf.label_en else None for leaf in leaves_here))

        n_leaves = len(self.keys)

        def slot(ref: int) -> int:
            return ref if ref >= 0 else n_leaves + (-ref - 1)

        self.slot = key_slot
        self.slot_by_id = {id(leaf): slot for ls, slots in zip(self.program_leaves, self.program_leaf_slots, strict=True)
                           for leaf, slot in zip(ls, slots, strict=True)}
        self.occurrence_program = np.repeat(np.arange(len(rules), dtype=np.int64),
                                            [len(slots) for slots in self.program_leaf_slots])
        self.occurrence_slot = np.array([s for slots in self.program_leaf_slots for s in slots], dtype=np.int64)
        self.occurrence_shared = np.array([leaf.shared for ls in self.program_leaves for leaf in ls], dtype=np.bool_)
        self.repeated = np.array([len({id(leaf) for leaf in ls}) != len(ls) for ls in self.program_leaves], dtype=np.bool_)
        self.tests = [(key[0], predicate(key)) for key in self.keys]
        self.texts = [criterion_text(Leaf(fact=k[0], op=k[1], value=k[2])) for k in self.keys]
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
                np.repeat(np.arange(len(nodes), dtype=np.int64), [len(kids) for _, kids in nodes]),
            ))
        return self

    @cached_property
    def by_fact(self) -> list[tuple[str, npt.NDArray[np.int64], list[Predicate]]]:
        """The distinct criteria grouped by the fact they test: (fact, slots, tests)."""
        groups: dict[str, tuple[list[int], list[Predicate]]] = {}
        for slot, (fact, test) in enumerate(self.tests):
            slots, tests = groups.setdefault(fact, ([], []))
            slots.append(slot)
            tests.append(test)
        return [(fact, np.asarray(slots, dtype=np.int64), tests) for fact, (slots, tests) in groups.items()]

    def slots_of(self, facts: frozenset[str]) -> npt.NDArray[np.bool_]:
        """Which distinct criteria test one of `facts` (cached: the set is a constant)."""
        found = self._slot_masks.get(facts)
        if found is None:
            found = np.array([key[0] in facts for key in self.keys], dtype=np.bool_)
            self._slot_masks[facts] = found
        return found

    def single_fixes(self, leaf_statuses: Sequence[int] | npt.NDArray[np.int8], allowed: npt.NDArray[np.bool_]
                     ) -> npt.NDArray[np.bool_]:
        """Per rule: would meeting one criterion occurrence that is not met now (one whose slot
        `allowed` permits) make the whole rule met? The same answer as `flip_effects` (for a rule
        without `repeated` criterion objects), for every rule at once.

        Each node carries, besides its value, the set of values it can take when exactly one
        allowed criterion below it is forced to met (a 3-bit mask). Under an `all`, forcing inside
        one child gives min(that child's forced value, the minimum of the other children); under
        an `any` the maximum; `not` mirrors the set. The rule is a near miss when "met" is in
        its root's set. Evaluated level by level like `evaluate`, with NumPy."""
        n_leaves = len(self.keys)
        leaf = np.asarray(leaf_statuses, dtype=np.int8)
        key = (leaf.tobytes(), allowed.tobytes())
        hit = self._fixes.get(key)
        if hit is not None:
            return hit.copy()
        values = np.empty(self.n_slots, dtype=np.int8)
        masks = np.zeros(self.n_slots, dtype=np.uint8)
        values[:n_leaves] = leaf
        masks[:n_leaves] = np.where((leaf == NOT_MET) & allowed, 1 << MET, 0)
        for level in self.levels:
            v = values[level.gather]
            m = masks[level.gather]
            if level.kind == _NOT:
                values[level.nodes] = 2 - v
                masks[level.nodes] = _REVERSE[m]
                continue
            reduce: np.ufunc = np.minimum if level.kind == _ALL else np.maximum
            identity, lut = (MET, _MIN_LUT) if level.kind == _ALL else (NOT_MET, _MAX_LUT)
            best = reduce.reduceat(v, level.starts)
            best_each = best[level.owner]
            is_best = v == best_each
            ties = np.add.reduceat(is_best.astype(np.int64), level.starts)
            second = reduce.reduceat(np.where(is_best, np.int8(identity), v), level.starts)
            # the value of the other children together, for each child
            others = np.where(~is_best | (ties[level.owner] > 1), best_each, second[level.owner])
            masks[level.nodes] = np.bitwise_or.reduceat(lut[others, m], level.starts)
            values[level.nodes] = best
        found = np.asarray((masks[self.root_slots] & (1 << MET)) != 0)
        if len(self._fixes) >= 4096:
            self._fixes.clear()
        self._fixes[key] = found
        return found.copy()

    def evaluate(self, facts: Mapping[str, Any]) -> FirmEvaluation:
        """Every program's status; the explanation of a criterion is worded when first asked for
        (`FirmEvaluation.outcomes`), so a page of twenty programs words only their criteria.
        The criteria are tested per fact, and a fact's value seen before (by this compilation,
        for any firm) takes the statuses found then: the tests are pure functions of the value."""
        values = np.empty(self.n_slots, dtype=np.int8)
        memo = self._fact_statuses
        for fact, slots, tests in self.by_fact:
            v = facts.get(fact)
            if v is None:
                values[slots] = UNKNOWN
                continue
            key: tuple[Any, ...] | None = (fact, type(v), v)  # the type too: True == 1
            try:
                found = memo.get(key)  # type: ignore[arg-type]
            except TypeError:  # an unhashable value (a list): tested every time
                key, found = None, None
            if found is None:
                found = np.array([MET if r is True else NOT_MET if r is False else r for r in (t(v) for t in tests)],
                                 dtype=np.int8)
                if key is not None:
                    if len(memo) >= 100_000:
                        memo.clear()
                    memo[key] = found
            values[slots] = found
        leaf = values[: len(self.keys)].copy()  # the criteria's statuses (the levels below write past them)
        statuses = leaf.tolist()
        leaves_key = leaf.tobytes()
        roots = self._by_leaves.get(leaves_key)
        if roots is None:
            for level in self.levels:
                gathered = values[level.gather]
                if level.kind == _ALL:
                    values[level.nodes] = np.minimum.reduceat(gathered, level.starts)
                elif level.kind == _ANY:
                    values[level.nodes] = np.maximum.reduceat(gathered, level.starts)
                else:
                    values[level.nodes] = 2 - gathered
            roots = values[self.root_slots].copy()
            if len(self._by_leaves) >= 4096:
                self._by_leaves.clear()
            self._by_leaves[leaves_key] = roots
        ev = FirmEvaluation(self, roots.copy(), Outcomes(self, facts, statuses), statuses)
        ev.__dict__["leaf_array"] = leaf  # `leaf_array` made here, not again from the list
        return ev


class Outcomes(Sequence[LeafOutcome]):
    """Each distinct criterion's outcome for one firm, worded on first access and kept.

    Wording (the firm's value in Korean and English, two sentences) is most of the cost of an
    explained evaluation; statuses alone are a few comparisons. One firm against a large catalog
    needs the words only for the programs it is shown."""

    def __init__(self, compiled: CompiledRules, facts: Mapping[str, Any], statuses: list[int]) -> None:
        self._compiled = compiled
        self._facts = facts
        self._statuses = statuses
        self._done: dict[int, LeafOutcome] = {}
        self._shown: dict[str, tuple[str, str]] = {}

    def __len__(self) -> int:
        return len(self._statuses)

    @overload
    def __getitem__(self, slot: int) -> LeafOutcome: ...

    @overload
    def __getitem__(self, slot: slice) -> Sequence[LeafOutcome]: ...

    def __getitem__(self, slot: int | slice) -> LeafOutcome | Sequence[LeafOutcome]:
        if isinstance(slot, slice):
            return [self[i] for i in range(*slot.indices(len(self)))]
        found = self._done.get(slot)
        if found is not None:
            return found
        if not -len(self._statuses) <= slot < len(self._statuses):
            raise IndexError(slot)
        slot %= len(self._statuses)
        fact = self._compiled.tests[slot][0]
        shown = self._shown.get(fact)
        if shown is None:
            shown = self._shown[fact] = value_text(fact, self._facts.get(fact))
        vk, ve = shown
        crit_ko, crit_en = self._compiled.texts[slot]
        status = self._statuses[slot]
        ko_status, en_status = STATUS_WORDS
        found = LeafOutcome(status, vk, ve, f"{crit_ko} — 기업: {vk} → {ko_status[status]}",
                            f"{crit_en} — firm: {ve} → {en_status[status]}")
        self._done[slot] = found
        return found

    def status(self, slot: int) -> int:
        return self._statuses[slot]


@dataclass
class FirmEvaluation:
    """Every program's status for one firm, and every distinct criterion's explanation."""

    compiled: CompiledRules
    statuses: npt.NDArray[np.int8]
    outcomes: Sequence[LeafOutcome]
    #: each distinct criterion's status, by slot
    leaf_statuses: list[int]

    @cached_property
    def leaf_array(self) -> npt.NDArray[np.int8]:
        """`leaf_statuses` as a NumPy array (made once, for selections by many slots at once; set
        by `CompiledRules.evaluate` from the array the statuses came from)."""
        return np.asarray(self.leaf_statuses, dtype=np.int8)

    def status_of(self, leaf: Leaf) -> int:
        """The firm's status on a criterion of the compiled rules (already computed)."""
        slot = self.compiled.slot_by_id.get(id(leaf))
        return self.leaf_statuses[self.compiled.slot[leaf.key] if slot is None else slot]

    def program(self, i: int) -> ProgramResult:
        c = self.compiled
        outcomes = self.outcomes
        criteria = []
        if c.program_alternatives[i]:
            leaf_statuses = self.leaf_statuses
            by_leaf = {id(leaf): leaf_statuses[slot] for leaf, slot in zip(c.program_leaves[i],
                                                                                 c.program_leaf_slots[i], strict=True)}
            applied = applied_flags(c.rules[i], lambda leaf: by_leaf[id(leaf)])
        else:
            applied = (True,) * len(c.program_leaves[i])
        for leaf, slot, label, used in zip(c.program_leaves[i], c.program_leaf_slots[i], c.program_labels[i],
                                           applied, strict=True):
            outcome = outcomes[slot]
            if leaf.exclusion:  # phrased positively: "체납 기업 아님 → 충족", "…에 해당 → 미충족"
                sk, se = exclusion_sentence(leaf, (outcome.value_ko, outcome.value_en), outcome.status)
                outcome = outcome._replace(sentence_ko=sk, sentence_en=se)
            elif label is not None:  # the program words this criterion its own way
                sk, se = sentence(label, (outcome.value_ko, outcome.value_en), outcome.status)
                outcome = outcome._replace(sentence_ko=sk, sentence_en=se)
            criteria.append(CriterionResult(leaf, outcome, used))
        return ProgramResult(i, int(self.statuses[i]), tuple(criteria))

    def all_programs(self) -> list[ProgramResult]:
        """Every program's explanation. Tens of thousands of small tuples and no cycles: the
        cyclic garbage collector is paused while they are built, or it would rescan the growing
        list dozens of times (half the time, measured)."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            return [self.program(i) for i in range(len(self.statuses))]
        finally:
            if enabled:
                gc.enable()


StatusOf = Callable[[Leaf], int]


def _has_alternative(rule: Rule, positive: bool) -> bool:
    if isinstance(rule, Leaf):
        return False
    if isinstance(rule, Not):
        return _has_alternative(rule.child, not positive)
    if isinstance(rule, All) != positive:  # an `any`, or an `all` under `not`
        return True
    return any(_has_alternative(child, positive) for child in rule.children)


def applied_flags(rule: Rule, status: StatusOf) -> tuple[bool, ...]:
    """Which criteria took part in the result, one flag per criterion in the order of `leaves(rule)`.

    A criterion is *not applied* when it lies in an alternative that did not apply and did not
    decide the result: a branch of an `any` (or of an `all` under `not`, which reads "unless …")
    whose outcome is worse than the alternative's own, because another branch decided it. E.g. the
    construction and fintech exceptions of an industry exclusion for a firm that is in neither
    excluded industry: `any(ksic not in excluded, ksic in fintech, ksic in construction)` is met by
    its first branch, so the two exceptions are not applied (they are neither failures of the firm
    nor reasons for the result). When every branch fails alike, all of them are decisive (meeting
    any one would change the result). Statuses: MET=2, UNKNOWN=1, NOT_MET=0 (Kleene logic, as
    `evaluate_rule`); the result is shown, not recomputed: presentation of `evaluate_rule`'s tree."""
    out: list[bool] = []
    _flags(rule, status, True, True, out)
    return tuple(out)


def _flags(rule: Rule, status: StatusOf, positive: bool, applied: bool, out: list[bool]) -> int:
    """Append the flags of `rule`'s criteria to `out`; return the rule's status."""
    if isinstance(rule, Leaf):
        out.append(applied)
        return status(rule)
    if isinstance(rule, Not):
        return 2 - _flags(rule.child, status, not positive, applied, out)
    start = len(out)
    values: list[int] = []
    sizes: list[int] = []
    for child in rule.children:
        before = len(out)
        values.append(_flags(child, status, positive, applied, out))
        sizes.append(len(out) - before)
    is_all = isinstance(rule, All)
    value = min(values) if is_all else max(values)
    if applied and is_all != positive:  # an alternative: the branches that fell short did not apply
        # in the polarity of the reader ("unless" reverses it): a branch is worse than the result
        at = start
        for child_value, size in zip(values, sizes, strict=True):
            if (child_value < value) if positive else (child_value > value):
                out[at: at + size] = [False] * size
            at += size
    return value


def evaluate_rule(rule: Rule, facts: Mapping[str, Any], status: StatusOf | None = None) -> int:
    """Reference evaluation of one rule by recursion; the compiled path must agree with it.

    `status` may supply criteria statuses already known (e.g. from a `FirmEvaluation`)."""
    if status is None:
        def status(leaf: Leaf) -> int:
            return leaf_status(leaf.key, facts)
    return _walk(rule, status, None)


def _walk(rule: Rule, status: StatusOf, forced: Leaf | None) -> int:
    if rule is forced:
        return MET
    if isinstance(rule, Leaf):
        return status(rule)
    if isinstance(rule, Not):
        return 2 - _walk(rule.child, status, forced)
    results = [_walk(c, status, forced) for c in rule.children]
    return min(results) if isinstance(rule, All) else max(results)


def flip_effects(rule: Rule, facts: Mapping[str, Any], status: StatusOf | None = None) -> list[Leaf]:
    """Criteria not met whose being met alone would make the whole rule met (near-miss fixes)."""
    if status is None:
        def status(leaf: Leaf) -> int:
            return leaf_status(leaf.key, facts)
    out = []
    for leaf in {id(x): x for x in leaves(rule)}.values():
        if status(leaf) == NOT_MET and _walk(rule, status, leaf) == MET:
            out.append(leaf)
    return out
