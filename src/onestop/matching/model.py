"""Recommendations for one firm on one date.

- **Eligible**: every criterion met, the window not closed for good, not exhausted by the
  firm's support history. Ranked by the fit score below.
- **Near misses**: not eligible, and meeting one more criterion would make it eligible; each
  says what would have to change.
- **Needs information**: the result depends on data the firm has not given.
- **Packages**: ordered bundles that follow the catalog's links (`follows`, `requires`,
  `package_with`), where each step is eligible once the steps before it are done, no two steps
  exclude each other, and no step is closed or exhausted.

Fit score (0–100), documented in the README: 50, +3 per criterion met (at most +15: programs
that target the firm precisely rank first), +5 per favoured certification held (at most +15),
the program's own boost (−10..+10), +5 when it continues a program the firm already received,
+5 when its window closes within 30 days, −10 when the firm received it before.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, NamedTuple, cast, overload

import numpy as np
import numpy.typing as npt

from onestop.catalog.model import Program
from onestop.catalog.windows import window_state
from onestop.korea.dates import KST
from onestop.memo import IdentityMemo
from onestop.rules.evaluate import (
    MET,
    NOT_MET,
    UNKNOWN,
    CompiledRules,
    FirmEvaluation,
    StatusOf,
    evaluate_rule,
    flip_effects,
    leaf_status,
)
from onestop.rules.explain import criterion_text, value_text
from onestop.rules.syntax import Leaf, leaves

MAX_PACKAGE_LENGTH = 5


@dataclass(frozen=True)
class History:
    """What the firm received: program id → (times, total won)."""

    uses: Mapping[str, int]

    def times(self, program_id: str) -> int:
        return self.uses.get(program_id, 0)


@dataclass
class Recommendation:
    program_id: str
    name_ko: str
    name_en: str
    score: int
    status: str
    reasons: list[dict[str, Any]]
    missing: list[dict[str, str]] = field(default_factory=list)
    #: the program's lines, each with whether the firm fits it (see `line_results`)
    lines: list[dict[str, Any]] = field(default_factory=list)
    #: a recruitment round with selection: meeting every criterion lets the firm apply, not win
    selective: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "program_id": self.program_id,
            "name_ko": self.name_ko,
            "name_en": self.name_en,
            "score": self.score,
            "status": self.status,
            "reasons": self.reasons,
        }
        if self.missing:
            out["missing"] = self.missing
        if self.lines:
            out["lines"] = self.lines
            out["fitting_lines"] = [line["line_id"] for line in self.lines if line["status"] == "eligible"]
        if self.selective:
            out["selection"] = {"ko": SELECTION_KO, "en": SELECTION_EN}
        return out


SELECTION_KO = "모집 공고에 따라 신청을 받아 선정평가로 지원 기업을 정합니다. 요건을 갖추면 신청할 수 있습니다."
SELECTION_EN = "Applications are taken in a recruitment round and firms are selected by evaluation; " \
    "meeting the criteria lets the firm apply."
STATUS_OF = {MET: "eligible", UNKNOWN: "unknown", NOT_MET: "not_eligible"}


def line_results(program: Program, ev: FirmEvaluation, positions: Sequence[tuple[str, int]]
                 ) -> list[dict[str, Any]]:
    """Each line of a program: its limits, whether the firm fits it, and the line's own criteria.

    Lines are compiled after the programs (`positions`: line id → position); a line's status is
    the program's criteria and the line's together."""
    out = []
    by_id = {line.id: line for line, _ in program.line_rules}
    for line_id, position in positions:
        line = by_id[line_id]
        result = ev.program(position)
        own = [c.as_dict() for c in result.criteria
               if c.leaf.path.split(":", 1)[-1].startswith("lines[")]
        interest = None
        if line.interest is not None:
            interest = {"kind": line.interest.kind,
                        "spread_pct": None if line.interest.spread_pct is None else str(line.interest.spread_pct),
                        "rate_pct": None if line.interest.rate_pct is None else str(line.interest.rate_pct)}
        out.append({
            "line_id": line.id, "name_ko": line.name.ko, "name_en": line.name.en,
            "status": STATUS_OF[result.status],
            "amount": line.amount, "interest": interest,
            "term_years": line.term_years, "grace_years": line.grace_years,
            "criteria": own,
        })
    return out


@dataclass
class Excluded:
    program_id: str
    code: str
    ko: str
    en: str


@dataclass
class Recommendations:
    on: date
    eligible: list[Recommendation]
    near_misses: list[Recommendation]
    needs_information: list[Recommendation]
    packages: list[list[str]]
    excluded: list[Excluded]


def _exhausted(program: Program, history: History) -> bool:
    cap = program.spec.limits.max_uses
    return cap is not None and history.times(program.id) >= cap


#: Facts a firm cannot change by acting: never offered as "would qualify if".
FIXED_FACTS = frozenset({"applicant_kind"})


def _missing(program: Program, facts: Mapping[str, Any], ev: FirmEvaluation) -> list[dict[str, str]]:
    out = []
    for leaf in flip_effects(program.rule, facts, ev.status_of):
        if leaf.fact in FIXED_FACTS:
            continue
        ko, en = criterion_text(leaf)
        now_ko, now_en = value_text(leaf.fact, facts.get(leaf.fact))
        out.append({
            "fact": leaf.fact,
            "ko": f"'{ko}' 조건을 충족하면 신청할 수 있습니다 (현재: {now_ko}).",
            "en": f"Would qualify if: {en} (now: {now_en}).",
        })
    return out


#: the statuses a program can stand in for a firm (not excluded), in the order they are shown
STATUSES = ("eligible", "near_miss", "unknown")


class Standing(NamedTuple):
    """Where one program stands for the firm, without its explanation (cheap to make for every
    program of a large catalog: a named tuple is made ~3× faster than a frozen dataclass, and a
    firm of a 2,000-program catalog has ~700 of them)."""

    #: the program's position in the catalog (and in its compiled rules); the field shadows
    #: tuple.index on purpose (the name every caller uses)
    index: int  # type: ignore[assignment]
    program: Program
    #: "eligible", "near_miss" or "unknown"
    status: str
    score: int


class Ranked(Sequence[Standing]):
    """Programs in ranked order, as arrays (catalog positions, scores and statuses); a `Standing`
    is made only for an item read. A firm of a 2,000-program catalog has ~700 programs that
    stand somewhere, and a page shows 20: making a `Standing` for each was a fifth of the CPU
    of an uncached request (BENCHMARKS.md, "Standings as arrays, records written together")."""

    __slots__ = ("catalog_ids", "kinds", "positions", "programs", "scores")

    def __init__(self, programs: Sequence[Program], catalog_ids: npt.NDArray[np.object_],
                 positions: npt.NDArray[np.int64], scores: npt.NDArray[np.int64], kinds: npt.NDArray[np.int8]) -> None:
        #: the catalog's programs (indexed by `positions`), and their ids as an object array
        self.programs = programs
        self.catalog_ids = catalog_ids
        self.positions = positions
        self.scores = scores
        #: each item's status, as an index into `STATUSES`
        self.kinds = kinds

    @classmethod
    def of(cls, catalog: _CatalogArrays, status: str, positions: Sequence[int] | npt.NDArray[np.int64],
           scores: Sequence[int] | npt.NDArray[np.int64]) -> Ranked:
        """Programs of `catalog` that all stand the same way (`status`: "eligible", "near_miss" or "unknown")."""
        at = np.asarray(positions, dtype=np.int64)
        return cls(catalog.programs, catalog.ids, at, np.asarray(scores, dtype=np.int64),
                   np.full(len(at), STATUSES.index(status), dtype=np.int8))

    @classmethod
    def chain(cls, first: Ranked, *rest: Ranked) -> Ranked:
        """The parts (of one catalog) one after the other."""
        parts = (first, *rest)
        return cls(first.programs, first.catalog_ids, np.concatenate([p.positions for p in parts]),
                   np.concatenate([p.scores for p in parts]), np.concatenate([p.kinds for p in parts]))

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, i: int) -> Standing: ...

    @overload
    def __getitem__(self, i: slice) -> Ranked: ...

    def __getitem__(self, i: int | slice) -> Standing | Ranked:
        if isinstance(i, slice):
            return Ranked(self.programs, self.catalog_ids, self.positions[i], self.scores[i], self.kinds[i])
        at = int(self.positions[i])
        return Standing(at, self.programs[at], STATUSES[self.kinds[i]], int(self.scores[i]))

    def __iter__(self) -> Iterator[Standing]:
        programs = self.programs
        for at, kind, score in zip(self.positions.tolist(), self.kinds.tolist(), self.scores.tolist(), strict=True):
            yield Standing(at, programs[at], STATUSES[kind], score)

    def where(self, keep: npt.NDArray[np.bool_]) -> Ranked:
        """The items where `keep` (one flag per item) is true, in the same order."""
        return Ranked(self.programs, self.catalog_ids, self.positions[keep], self.scores[keep], self.kinds[keep])

    def ids(self) -> list[str]:
        """The programs' ids, in order (no `Standing` made)."""
        return cast(list[str], self.catalog_ids[self.positions].tolist())

    def pairs(self) -> list[list[Any]]:
        """[program id, score] per item, in order (as `snapshot` stores them)."""
        return [[pid, score] for pid, score in zip(self.ids(), self.scores.tolist(), strict=True)]

    def __repr__(self) -> str:
        return f"Ranked({len(self)} programs)"


@dataclass
class Standings:
    """Every program's standing for one firm; explanations are built for the programs shown
    (`explain`), from the same evaluation."""

    on: date
    eligible: Ranked
    near_misses: Ranked
    needs_information: Ranked
    packages: list[list[str]]
    excluded: list[Excluded]
    evaluation: FirmEvaluation
    facts: Mapping[str, Any]
    lines: Mapping[str, Sequence[tuple[str, int]]]
    #: explanations worded already (per catalog compilation); None: each is worded anew
    explanations: Explanations | None = None
    #: category → how many programs stand where (see `totals`), when counted already
    category_counts: dict[str, dict[str, int]] | None = None

    def shown(self) -> Ranked:
        """Eligible first, then near misses, then those that need information; each ranked."""
        return Ranked.chain(self.eligible, self.near_misses, self.needs_information)

    def fitting_lines(self, standing: Standing) -> list[str]:
        """The lines of the program that the firm fits (the same as its `lines` say)."""
        return [line["line_id"] for line in line_results(standing.program, self.evaluation,
                                                         self.lines.get(standing.program.id, ()))
                if line["status"] == "eligible"]

    def explain(self, standing: Standing) -> Recommendation:
        """The full explanation of one program (the same as `recommend` gives for it).

        With `explanations` (an `Explanations` memo of the catalog's compilation), the parts
        that depend only on the program, its standing, its criteria's statuses and the values of
        the facts they test are worded once and shared by every firm and date that agree on
        those; the lists shared must not be changed (none of the answers changes them)."""
        memo = self.explanations
        if memo is None:
            return self._explain(standing)
        key = memo.key(standing, self.evaluation, self.facts, self.lines)
        found = memo.get(key) if key is not None else None
        if found is None:
            rec = self._explain(standing)
            if key is not None:
                memo.put(key, (rec.reasons, rec.missing, rec.lines))
            return rec
        program = standing.program
        return Recommendation(
            program_id=program.id, name_ko=program.spec.name.ko, name_en=program.spec.name.en, score=standing.score,
            status=standing.status, reasons=found[0], missing=found[1], lines=found[2],
            selective=program.spec.application_window.selective)

    def compact_item(self, standing: Standing, on: date) -> dict[str, Any]:
        """One program in the compact answer (`compact_item` of its explanation), with the parts
        that do not depend on the date or the score taken from `explanations` when an
        explanation with the same key was shown before."""
        memo = self.explanations
        key = memo.key(standing, self.evaluation, self.facts, self.lines) if memo is not None else None
        parts = memo.get_compact(key) if memo is not None and key is not None else None
        if parts is None:
            parts = compact_parts(self.explain(standing), standing.program)
            if memo is not None and key is not None:
                memo.put_compact(key, parts)
        return compact_from(parts, standing.program, on, standing.score)

    def _explain(self, standing: Standing) -> Recommendation:
        program, ev, facts = standing.program, self.evaluation, self.facts
        result = ev.program(standing.index)
        rec = Recommendation(
            program_id=program.id, name_ko=program.spec.name.ko, name_en=program.spec.name.en,
            score=standing.score, status=standing.status, reasons=[c.as_dict() for c in result.criteria],
            selective=program.spec.application_window.selective)
        if standing.status == "near_miss":
            rec.missing = _missing(program, facts, ev)
            return rec
        rec.lines = line_results(program, ev, self.lines.get(program.id, ()))
        if standing.status == "unknown":
            rec.missing = [
                {"fact": c.leaf.fact, "ko": f"정보가 필요합니다: {c.outcome.sentence_ko}",
                 "en": f"Information needed: {c.outcome.sentence_en}"}
                for c in result.unknown()
            ]
        return rec


Explained = tuple[list[dict[str, Any]], list[dict[str, str]], list[dict[str, Any]]]


class Explanations:
    """Explanations already worded, per catalog compilation: a program's reasons, what is missing
    and its lines, by (program position, standing, the statuses of its criteria and of its
    lines' criteria, the values of the facts those test). Those are everything an explanation
    is made of (each criterion's sentence is its wording, the firm's value worded, and its
    status; `applied` and the near-miss fixes follow from the statuses), so an explanation found
    here is the one `Standings._explain` would build. Bounded: emptied when `size` entries are
    kept. Thread-safe enough for its use (a lost entry is worded again)."""

    def __init__(self, compiled: CompiledRules, size: int = 20_000) -> None:
        self._compiled = compiled
        self._size = size
        self._items: dict[tuple[Any, ...], Explained] = {}
        #: the compact answer's parts of the same explanations (`compact_parts`), by the same keys
        self._compact: dict[tuple[Any, ...], CompactParts] = {}
        #: program position → (criterion slots of the program and its lines, facts they test)
        self._inputs: dict[int, tuple[npt.NDArray[np.int64], tuple[str, ...]]] = {}

    def _inputs_of(self, index: int, lines: Sequence[tuple[str, int]]) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
        found = self._inputs.get(index)
        if found is None:
            c = self._compiled
            slots = [*c.program_leaf_slots[index]]
            leaves_here = [*c.program_leaves[index]]
            for _line, position in lines:
                slots += c.program_leaf_slots[position]
                leaves_here += c.program_leaves[position]
            found = (np.asarray(slots, dtype=np.int64), tuple(sorted({leaf.fact for leaf in leaves_here})))
            self._inputs[index] = found
        return found

    def key(self, standing: Standing, ev: FirmEvaluation, facts: Mapping[str, Any],
            lines: Mapping[str, Sequence[tuple[str, int]]]) -> tuple[Any, ...] | None:
        """The memo key of a standing's explanation, or None when a fact's value cannot be a key."""
        if ev.compiled is not self._compiled:
            return None
        slots, names = self._inputs_of(standing.index, lines.get(standing.program.id, ()))
        values = tuple(map(facts.get, names))
        # the types too: True and 1 are equal keys but are worded differently
        key = (standing.index, standing.status, ev.leaf_array[slots].tobytes(), values, tuple(map(type, values)))
        try:
            hash(key)
        except TypeError:  # a list or a dict among the facts
            return None
        return key

    def get(self, key: tuple[Any, ...]) -> Explained | None:
        return self._items.get(key)

    def put(self, key: tuple[Any, ...], value: Explained) -> None:
        if len(self._items) >= self._size:
            self._items.clear()
        self._items[key] = value

    def get_compact(self, key: tuple[Any, ...]) -> CompactParts | None:
        return self._compact.get(key)

    def put_compact(self, key: tuple[Any, ...], value: CompactParts) -> None:
        if len(self._compact) >= self._size:
            self._compact.clear()
        self._compact[key] = value


@dataclass(frozen=True)
class _CatalogArrays:
    """What `standings` needs of every program as NumPy arrays, built once per catalog (and its
    compilation): the window's last day and closing date (ordinals; `_NEVER` when there is
    none), the applicant guard's criterion slot (-1 without a guard), the cap on uses (-1
    without one), the ranking boost, the favoured certifications, and which programs continue
    which (`follows`, `requires`)."""

    programs: Sequence[Program]
    compiled: CompiledRules
    last_day: npt.NDArray[np.int64]
    closes: npt.NDArray[np.int64]
    guard_slot: npt.NDArray[np.int64]
    max_uses: npt.NDArray[np.int64]
    boost: npt.NDArray[np.int64]
    #: certification → how many times each program favours it
    favoured: Mapping[str, npt.NDArray[np.int64]]
    #: program id → the positions of the programs that follow or require it
    continued_by: Mapping[str, npt.NDArray[np.int64]]
    position: Mapping[str, int]
    #: each program's rank by id (the tie-break of the ranking)
    id_rank: npt.NDArray[np.int64]
    #: each program's category, as an index into `category_names`
    category: npt.NDArray[np.int64]
    category_names: list[str]
    #: each program's id, by position (an object array: ids of many positions in one take)
    ids: npt.NDArray[np.object_]
    #: the criteria statuses (bytes of the leaf status array) → `criteria_points` for them
    _points: dict[bytes, npt.NDArray[np.int8]] = field(default_factory=dict)

    def criteria_points(self, leaf: npt.NDArray[np.int8]) -> npt.NDArray[np.int8]:
        """Per program, the fit score's points for its own criteria (not those of shared rules)
        that the firm meets: 3 each, at most 15. Counted over the whole catalog in one NumPy
        pass and kept per criteria statuses (firms and dates that meet the same criteria share
        it; at most ~16 MB kept). Not to be changed by the caller."""
        key = leaf.tobytes()
        found = self._points.get(key)
        if found is None:
            c = self.compiled
            mask = (leaf[c.occurrence_slot] == MET) & ~c.occurrence_shared
            met = np.bincount(c.occurrence_program[mask], minlength=len(c.rules))[: len(self.programs)]
            found = np.minimum(15, 3 * met).astype(np.int8)
            if len(self._points) >= max(64, 16_000_000 // (len(key) + len(found) + 250)):  # ~250 B per entry besides
                self._points.clear()
            self._points[key] = found
        return found

    @classmethod
    def build(cls, programs: Sequence[Program], compiled: CompiledRules) -> _CatalogArrays:
        n = len(programs)
        last_day = np.full(n, _NEVER, dtype=np.int64)
        closes = np.full(n, _NEVER, dtype=np.int64)
        guard_slot = np.full(n, -1, dtype=np.int64)
        max_uses = np.full(n, -1, dtype=np.int64)
        boost = np.zeros(n, dtype=np.int64)
        favoured: dict[str, npt.NDArray[np.int64]] = {}
        continued: dict[str, list[int]] = {}
        for i, p in enumerate(programs):
            window = p.spec.application_window
            last = window.last_day()
            if not window.always_open and last is not None:
                last_day[i] = last.toordinal()
            if window.closes is not None:
                closes[i] = window.closes.toordinal()
            if p.guard is not None:
                slot = compiled.slot_by_id.get(id(p.guard))
                guard_slot[i] = compiled.slot[p.guard.key] if slot is None else slot
            if p.spec.limits.max_uses is not None:
                max_uses[i] = p.spec.limits.max_uses
            boost[i] = p.spec.ranking.boost
            for cert in p.spec.ranking.favoured_certifications:
                favoured.setdefault(cert, np.zeros(n, dtype=np.int64))[i] += 1
            for before in {*p.spec.links.follows, *p.spec.links.requires}:
                continued.setdefault(before, []).append(i)
        id_rank = np.empty(n, dtype=np.int64)
        id_rank[sorted(range(n), key=lambda i: programs[i].id)] = np.arange(n, dtype=np.int64)
        names = sorted({p.spec.category.value for p in programs})
        category = np.array([names.index(p.spec.category.value) for p in programs], dtype=np.int64)
        ids = np.empty(n, dtype=np.object_)
        ids[:] = [p.id for p in programs]
        return cls(programs, compiled, last_day, closes, guard_slot, max_uses, boost, favoured,
                   {k: np.asarray(v, dtype=np.int64) for k, v in continued.items()},
                   {p.id: i for i, p in enumerate(programs)}, id_rank, category, names, ids)


#: a window that never closes for good (an ordinal beyond any date)
_NEVER = date.max.toordinal() + 1
_ARRAYS: dict[tuple[int, int], _CatalogArrays] = {}


def _arrays(programs: Sequence[Program], compiled: CompiledRules) -> _CatalogArrays:
    found = _ARRAYS.get((id(programs), id(compiled)))
    if found is not None and found.programs is programs and found.compiled is compiled:
        return found
    built = _CatalogArrays.build(programs, compiled)
    if len(_ARRAYS) >= 8:
        _ARRAYS.clear()
    _ARRAYS[(id(programs), id(compiled))] = built
    return built


def standings(
    programs: Sequence[Program],
    compiled: CompiledRules,
    facts: Mapping[str, Any],
    history: History,
    on: date,
    evaluation: FirmEvaluation | None = None,
    lines: Mapping[str, Sequence[tuple[str, int]]] | None = None,
) -> Standings:
    """Every program's status and score, and the packages, without building explanations.

    A near miss is a program not met that meeting one criterion the firm can change would make
    met: found for the whole catalog at once (`CompiledRules.single_fixes`), or by the search of
    `flip_effects` for a rule that repeats a criterion object. Windows, guards, caps and scores
    are decided for the whole catalog at once with NumPy (`_CatalogArrays`); `Standing` objects
    are made only for the programs shown (eligible, near misses, needing information)."""
    ev = evaluation or compiled.evaluate(facts)
    n = len(programs)
    arr = _arrays(programs, compiled)
    status = ev.statuses[:n]
    leaf = ev.leaf_array
    fixes = compiled.single_fixes(leaf, ~compiled.slots_of(FIXED_FACTS))[:n]
    times = np.zeros(n, dtype=np.int64)
    continues = np.zeros(n, dtype=np.bool_)
    for pid, count in history.uses.items():
        i = arr.position.get(pid)
        if i is not None:
            times[i] = count
        after = arr.continued_by.get(pid)
        if count and after is not None:
            continues[after] = True
    day = on.toordinal()
    closed = arr.last_day < day
    guarded = arr.guard_slot >= 0
    guard_out = guarded & (leaf[np.where(guarded, arr.guard_slot, 0)] == NOT_MET)
    exhausted = (arr.max_uses >= 0) & (times >= arr.max_uses)
    decided = status != NOT_MET
    out_of = (closed & decided) | (~closed & guard_out) | (~closed & ~guard_out & exhausted & decided)
    excluded: list[Excluded] = []
    for i in np.flatnonzero(out_of).tolist():
        program = programs[i]
        name = program.spec.name
        if closed[i]:
            closes = program.spec.application_window.closes
            excluded.append(Excluded(program.id, "closed", f"{name.ko}: 신청 기간이 {closes}에 마감되었습니다.",
                                     f"{name.en}: applications closed on {closes}."))
        elif guard_out[i]:
            guard = program.guard
            assert guard is not None
            excluded.append(Excluded(program.id, "applicant_kind", f"{name.ko}: {guard.label_ko}",
                                     f"{name.en}: {guard.label_en}."))
        else:
            cap = program.spec.limits.max_uses
            excluded.append(Excluded(
                program.id, "exhausted", f"{name.ko}: 지원 한도 횟수({cap}회)를 이미 받았습니다.",
                f"{name.en}: the firm has already received it the maximum {cap} time(s)."))
    active = ~(closed | guard_out | exhausted)
    near_mask = active & (status == NOT_MET) & fixes & ~compiled.repeated[:n]
    for i in np.flatnonzero(active & (status == NOT_MET) & compiled.repeated[:n]).tolist():
        program = programs[i]
        near_mask[i] = any(leaf.fact not in FIXED_FACTS for leaf in flip_effects(program.rule, facts, ev.status_of))
    held = facts.get("certifications") or frozenset()
    favoured = np.zeros(n, dtype=np.int64)
    for cert in held:
        counts = arr.favoured.get(cert)
        if counts is not None:
            favoured += counts
    until_close = arr.closes - day
    score = (50 + arr.criteria_points(leaf).astype(np.int64) + np.minimum(15, 5 * favoured) + arr.boost + 5 * continues
             + 5 * ((until_close >= 0) & (until_close <= 30)) - 10 * (times > 0))
    score = np.clip(score, 0, 100)
    groups: list[Ranked] = []
    per_category = []
    for mask, kind in ((active & (status == MET), "eligible"), (near_mask, "near_miss"),
                       (active & (status == UNKNOWN), "unknown")):
        index = np.flatnonzero(mask)
        per_category.append(np.bincount(arr.category[index], minlength=len(arr.category_names)).tolist())
        order = index[np.lexsort((arr.id_rank[index], -score[index]))]
        groups.append(Ranked.of(arr, kind, order, score[order]))
    by_category = {name: dict(zip(STATUSES, n_each, strict=True))
                   for name, *n_each in zip(arr.category_names, *per_category, strict=True) if any(n_each)}
    return Standings(on, groups[0], groups[1], groups[2],
                     packages(programs, facts, history, on, ev.status_of, ev, ~(closed | exhausted)),
                     excluded, ev, facts, lines or {}, category_counts=by_category)


def recommend(
    programs: Sequence[Program],
    compiled: CompiledRules,
    facts: Mapping[str, Any],
    history: History,
    on: date,
    evaluation: FirmEvaluation | None = None,
    lines: Mapping[str, Sequence[tuple[str, int]]] | None = None,
) -> Recommendations:
    """Every recommendation explained in full. `compiled` must be the compilation of
    `[p.rule for p in programs]`, followed by the rules of the programs' lines at the positions
    `lines` gives (program id → [(line id, position)])."""
    st = standings(programs, compiled, facts, history, on, evaluation, lines)
    return Recommendations(on, [st.explain(s) for s in st.eligible], [st.explain(s) for s in st.near_misses],
                           [st.explain(s) for s in st.needs_information], st.packages, st.excluded)


def _rank(r: Standing | Recommendation) -> tuple[int, str]:
    return (-r.score, r.program.id if isinstance(r, Standing) else r.program_id)


#: the link graph of recent catalogs, by the identity of their program list (kept alive here)
_LINKS: dict[int, tuple[Sequence[Program], dict[str, Program], dict[str, list[str]]]] = {}


def _links(programs: Sequence[Program]) -> tuple[dict[str, Program], dict[str, list[str]]]:
    """Programs by id, and each linked program's successors (a program without links has no
    entry): built once per catalog, not per firm."""
    found = _LINKS.get(id(programs))
    if found is not None and found[0] is programs:
        return found[1], found[2]
    by_id = {p.id: p for p in programs}
    successors: dict[str, list[str]] = {}
    for p in programs:
        for before in (*p.spec.links.follows, *p.spec.links.requires):
            if before in by_id:
                successors.setdefault(before, []).append(p.id)
    # `package_with` joins two programs without an order; it never reverses a relay order
    # that `follows`/`requires` already gives.
    for p in programs:
        for partner in p.spec.links.package_with:
            if partner in by_id and p.id not in successors.get(partner, []):
                successors.setdefault(p.id, []).append(partner)
    if len(_LINKS) >= 8:
        _LINKS.clear()
    _LINKS[id(programs)] = (programs, by_id, successors)
    return by_id, successors


def packages(programs: Sequence[Program], facts: Mapping[str, Any], history: History,
             on: date, known: StatusOf | None = None, evaluation: FirmEvaluation | None = None,
             usable_now: npt.NDArray[np.bool_] | None = None) -> list[list[str]]:
    """Maximal chains along catalog links in which every step is open to the firm in turn.

    `known` gives criteria statuses already computed; `evaluation` (the compiled evaluation of
    `[p.rule for p in programs]`, first in its rules) gives whole programs' statuses: a program
    whose rule has no support-history criterion is open after any steps exactly when it is met.
    With `evaluation`, the packages are kept per catalog by everything they are decided from
    (what the firm received, the linked programs' statuses, the statuses of the criteria of
    those that test the support history, and which linked programs are closed or exhausted).
    `usable_now` (with `evaluation`): per program of the catalog, neither closed for good on `on`
    nor used up by `history`, as `standings` computed it for the whole catalog at once."""
    by_id, successors = _links(programs)
    history_rules, positions = _history_rules(programs)
    received = facts.get("received_programs") or frozenset()
    memo_key = None
    if evaluation is not None:
        linked = _linked(programs, evaluation.compiled)
        open_now = (usable_now[linked.positions] if usable_now is not None else np.array(
            [not p.spec.application_window.is_closed_for_good(on) and not _exhausted(p, history)
             for p in linked.programs], dtype=np.bool_))
        memo_key = (
            received,
            evaluation.statuses[linked.plain_array].tobytes(),
            evaluation.leaf_array[linked.history_array].tobytes(),
            open_now.tobytes(),
        )
        try:
            found = linked.memo.get(memo_key)
        except TypeError:  # received programs given as something unhashable
            memo_key, found = None, None
        if found is not None:
            return [list(c) for c in found]

    def usable(pid: str) -> bool:
        p = by_id[pid]
        return not p.spec.application_window.is_closed_for_good(on) and not _exhausted(p, history)

    def open_after(pid: str, done: tuple[str, ...]) -> bool:
        p = by_id[pid]
        have = set(received) | set(done)
        if any(r not in have for r in p.spec.links.requires):
            return False
        if evaluation is not None and pid not in history_rules:
            return bool(evaluation.statuses[positions[pid]] == MET)
        view = dict(facts)
        view["received_programs"] = frozenset(have)
        if known is None:
            return evaluate_rule(p.rule, view) == MET

        def status(leaf: Leaf) -> int:
            # Only support-history criteria change along a package; the rest are known.
            return leaf_status(leaf.key, view) if leaf.fact == "received_programs" else known(leaf)

        return evaluate_rule(p.rule, view, status) == MET

    def excluded(pid: str, done: tuple[str, ...]) -> bool:
        p = by_id[pid]
        return any(d in p.spec.links.excludes or pid in by_id[d].spec.links.excludes for d in done)

    chains: list[tuple[str, ...]] = []

    def extend(chain: tuple[str, ...]) -> None:
        grown = False
        if len(chain) < MAX_PACKAGE_LENGTH:
            for nxt in sorted(set(successors.get(chain[-1], ()))):
                if nxt in chain or not usable(nxt) or excluded(nxt, chain):
                    continue
                if open_after(nxt, chain):
                    grown = True
                    extend((*chain, nxt))
        if not grown and len(chain) >= 2:
            chains.append(chain)

    for start in sorted(successors):
        if successors[start] and usable(start) and open_after(start, ()):
            extend((start,))
    # Keep maximal packages: drop a chain whose programs all appear in a longer one kept
    # already (a shorter path through the same relay, or the same programs reordered).
    keep: list[tuple[str, ...]] = []
    for c in sorted(set(chains), key=lambda c: (-len(c), c)):
        if not any(set(c) <= set(k) for k in keep):
            keep.append(c)
    if memo_key is not None and evaluation is not None:
        memo = _linked(programs, evaluation.compiled).memo
        if len(memo) >= 10_000:
            memo.clear()
        memo[memo_key] = tuple(keep)
    return [list(c) for c in keep]


@dataclass
class _Linked:
    """The programs of a catalog that packages are made of (a link to or from another), in
    order: `plain` the positions of those whose rule has no support-history criterion (their
    status decides), `history_slots` the criterion slots of the others; and the packages
    found, by what they were decided from (see `packages`)."""

    source: tuple[Sequence[Program], CompiledRules]
    programs: list[Program]
    plain: list[int]
    history_slots: list[int]
    memo: dict[tuple[Any, ...], tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    #: the same as arrays, and the positions of `programs` in the catalog
    plain_array: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    history_array: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    positions: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


_LINKED: dict[tuple[int, int], _Linked] = {}


def _linked(programs: Sequence[Program], compiled: CompiledRules) -> _Linked:
    found = _LINKED.get((id(programs), id(compiled)))
    if found is not None and found.source[0] is programs and found.source[1] is compiled:
        return found
    by_id, successors = _links(programs)
    history_rules, positions = _history_rules(programs)
    ids = sorted({*successors, *(x for after in successors.values() for x in after)})
    plain = [positions[pid] for pid in ids if pid not in history_rules]
    slots = [s for pid in ids if pid in history_rules for s in compiled.program_leaf_slots[positions[pid]]]
    built = _Linked((programs, compiled), [by_id[pid] for pid in ids], plain, slots,
                    plain_array=np.asarray(plain, dtype=np.int64), history_array=np.asarray(slots, dtype=np.int64),
                    positions=np.asarray([positions[pid] for pid in ids], dtype=np.int64))
    if len(_LINKED) >= 8:
        _LINKED.clear()
    _LINKED[(id(programs), id(compiled))] = built
    return built


_HISTORY_RULES: dict[int, tuple[Sequence[Program], frozenset[str], dict[str, int]]] = {}


def _history_rules(programs: Sequence[Program]) -> tuple[frozenset[str], dict[str, int]]:
    """The programs whose rule tests the support history (`received_programs`), and each
    program's position, once per catalog."""
    found = _HISTORY_RULES.get(id(programs))
    if found is not None and found[0] is programs:
        return found[1], found[2]
    ids = frozenset(p.id for p in programs if any(leaf.fact == "received_programs" for leaf in leaves(p.rule)))
    positions = {p.id: i for i, p in enumerate(programs)}
    if len(_HISTORY_RULES) >= 8:
        _HISTORY_RULES.clear()
    _HISTORY_RULES[id(programs)] = (programs, ids, positions)
    return ids, positions


def history_of(support: Sequence[Any]) -> History:
    uses: dict[str, int] = {}
    for record in support:
        uses[record.program_id] = uses.get(record.program_id, 0) + 1
    return History(uses)


# ── the compact answer ────────────────────────────────────────────────────────────────────────
#: at most this many reasons per program in the compact answer
DECISIVE = 3
#: the criteria that decide each standing: met for an eligible program, not met for a near
#: miss, unknown for one that needs information
_DECIDING = {"eligible": "met", "near_miss": "not_met", "unknown": "unknown"}


def decisive_reasons(reasons: Sequence[Mapping[str, Any]], status: str) -> list[dict[str, Any]]:
    """The reasons that decide a program's standing, at most `DECISIVE`, from its full
    explanation (`Recommendation.reasons`): the criteria that took part (`applied`) with the
    status that decides, a sentence said once. For an eligible program, its own criteria: those of
    shared rules (the policy-fund exclusion list, "an SME") hold for most firms and say nothing
    about the fit, so they are shown only for a program that has no criterion of its own. Each
    reason is the sentence in Korean and English (its status is the program's: met for an
    eligible program, not met for a near miss, unknown otherwise)."""
    wanted = _DECIDING[status]
    picked = [r for r in reasons if r["applied"] and r["status"] == wanted]
    if status == "eligible":
        own = [r for r in picked if r["shared_rule"] is None]
        picked = own or picked
    out: list[dict[str, Any]] = []
    said: set[str] = set()
    for r in picked:
        if r["ko"] in said:
            continue
        said.add(r["ko"])
        out.append({"ko": r["ko"], "en": r["en"]})
        if len(out) == DECISIVE:
            break
    return out


#: window summaries by program and day: every firm asking on the same day shares them
_WINDOWS: IdentityMemo[dict[str, Any]] = IdentityMemo(50_000)


def window_summary(program: Program, on: date) -> dict[str, Any]:
    """The application window as of `on` (KST): its phase, dates and days left (D-day).
    Shared between answers of the same day: not to be changed."""
    return _WINDOWS.get_or_make(program, on.toordinal(), lambda: _window_summary(program, on))


def _window_summary(program: Program, on: date) -> dict[str, Any]:
    ws = window_state(program.spec.application_window, datetime.combine(on, time(9, 0), KST))
    out: dict[str, Any] = {"phase": ws.phase}
    if ws.opens is not None:
        out["opens"] = ws.opens.isoformat()
    if ws.closes is not None:
        out["closes"] = ws.closes.isoformat()
    if ws.days_left is not None:
        out["days_left"] = ws.days_left
        out["dday"] = ws.dday()
    return out


@dataclass(frozen=True)
class CompactParts:
    """What the compact answer shows of one explanation but its window and score: the program's
    list fields (`head`), its status, decisive reasons, what is missing (near misses) and the
    lines it fits (None: none). Shared between answers: not to be changed."""

    head: dict[str, Any]
    status: str
    reasons: list[dict[str, Any]]
    missing: list[dict[str, str]] | None
    fitting_lines: list[str] | None


def compact_parts(rec: Recommendation, program: Program) -> CompactParts:
    spec = program.spec
    head: dict[str, Any] = {
        "program_id": rec.program_id,
        "name_ko": rec.name_ko,
        "name_en": rec.name_en,
        "agency": spec.agency,
        "category": spec.category.value,
        "support_type": spec.support_type.value,
    }
    if spec.limits.amount is not None:
        head["amount"] = spec.limits.amount
    rate = spec.limits.interest
    if rate is not None:
        head["interest"] = {"kind": rate.kind, **({} if rate.spread_pct is None else {"spread_pct": str(rate.spread_pct)}),
                            **({} if rate.rate_pct is None else {"rate_pct": str(rate.rate_pct)})}
    return CompactParts(head, rec.status, decisive_reasons(rec.reasons, rec.status),
                        rec.missing if rec.status == "near_miss" else None,
                        [line["line_id"] for line in rec.lines if line["status"] == "eligible"] if rec.lines else None)


def compact_from(parts: CompactParts, program: Program, on: date, score: int) -> dict[str, Any]:
    out = dict(parts.head)
    out.update(window=window_summary(program, on), score=score, status=parts.status, reasons=parts.reasons)
    if parts.missing is not None:
        out["missing"] = parts.missing
    if parts.fitting_lines is not None:
        out["fitting_lines"] = parts.fitting_lines
    return out


def compact_item(rec: Recommendation, program: Program, on: date) -> dict[str, Any]:
    """One program in the compact answer: what a list shows, and why in at most three reasons;
    a near miss also says what is missing. Fields without a value (no amount, no rate, no
    closing date) are left out. The whole explanation is `rec.as_dict()`."""
    return compact_from(compact_parts(rec, program), program, on, rec.score)


def totals(st: Standings) -> dict[str, Any]:
    """How many programs stand where, in all and per category (every program, not one page)."""
    by_category: dict[str, dict[str, int]] = {}
    if st.category_counts is not None:  # counted for the whole catalog at once by `standings`
        by_category = {name: dict(counts) for name, counts in st.category_counts.items()}
    else:
        for s in st.shown():
            cat = by_category.setdefault(s.program.spec.category.value, dict.fromkeys(STATUSES, 0))
            cat[s.status] += 1
    return {"eligible": len(st.eligible), "near_miss": len(st.near_misses), "unknown": len(st.needs_information),
            "excluded": len(st.excluded), "categories": dict(sorted(by_category.items()))}


def select(st: Standings, status: str | None, category: str | None) -> Ranked:
    """The standings a list shows, in order, filtered by status and category when given."""
    shown = {"eligible": st.eligible, "near_miss": st.near_misses, "unknown": st.needs_information}.get(status or "")
    if shown is None:
        shown = st.shown()
    if category is None:
        return shown
    programs = shown.programs
    return shown.where(np.fromiter((programs[at].spec.category.value == category for at in shown.positions.tolist()),
                                   dtype=np.bool_, count=len(shown)))


def snapshot(st: Standings) -> dict[str, Any]:
    """The standings as data (to store): program ids with scores per status, packages,
    exclusions; `restore` takes them back with the firm's own evaluation."""
    return {
        "eligible": st.eligible.pairs(),
        "near_misses": st.near_misses.pairs(),
        "needs_information": st.needs_information.pairs(),
        "packages": st.packages,
        "excluded": [[e.program_id, e.code, e.ko, e.en] for e in st.excluded],
    }


def restore(data: Mapping[str, Any], programs: Sequence[Program],
            evaluation: FirmEvaluation, facts: Mapping[str, Any], on: date,
            lines: Mapping[str, Sequence[tuple[str, int]]]) -> Standings | None:
    """Standings from `snapshot` data and the firm's evaluation; None when the data names a
    program the catalog does not have (it was computed for another revision)."""
    catalog = _arrays(programs, evaluation.compiled)
    groups: list[Ranked] = []
    for key, status in (("eligible", "eligible"), ("near_misses", "near_miss"), ("needs_information", "unknown")):
        at = [catalog.position.get(pid) for pid, _ in data[key]]
        if None in at:
            return None
        groups.append(Ranked.of(catalog, status, cast(list[int], at), [int(score) for _, score in data[key]]))
    excluded = [Excluded(str(pid), str(code), str(ko), str(en)) for pid, code, ko, en in data["excluded"]]
    packages = [[str(p) for p in pkg] for pkg in data["packages"]]
    return Standings(on, groups[0], groups[1], groups[2], packages, excluded, evaluation, facts, lines)
