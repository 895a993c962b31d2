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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import numpy as np
import numpy.typing as npt

from onestop.catalog.model import Program
from onestop.catalog.windows import window_state
from onestop.korea.dates import KST
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
from onestop.rules.syntax import Leaf

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


def _score(program: Program, met: int, facts: Mapping[str, Any], history: History, on: date) -> int:
    """`met`: how many of the program's own criteria (not those of shared rules, such as the
    policy-fund exclusion list, which hold for most firms) the firm meets, so that programs that
    target the firm precisely rank first."""
    held = facts.get("certifications") or frozenset()
    favoured = sum(1 for c in program.spec.ranking.favoured_certifications if c in held)
    score = 50 + min(15, 3 * met) + min(15, 5 * favoured) + program.spec.ranking.boost
    links = program.spec.links
    if any(history.times(p) for p in (*links.follows, *links.requires)):
        score += 5
    window = program.spec.application_window
    if window.closes is not None and 0 <= (window.closes - on).days <= 30:
        score += 5
    if history.times(program.id):
        score -= 10
    return max(0, min(100, score))


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


@dataclass(frozen=True)
class Standing:
    """Where one program stands for the firm, without its explanation (cheap to make for every
    program of a large catalog)."""

    index: int
    program: Program
    #: "eligible", "near_miss" or "unknown"
    status: str
    score: int


@dataclass
class Standings:
    """Every program's standing for one firm; explanations are built for the programs shown
    (`explain`), from the same evaluation."""

    on: date
    eligible: list[Standing]
    near_misses: list[Standing]
    needs_information: list[Standing]
    packages: list[list[str]]
    excluded: list[Excluded]
    evaluation: FirmEvaluation
    facts: Mapping[str, Any]
    lines: Mapping[str, Sequence[tuple[str, int]]]

    def shown(self) -> list[Standing]:
        """Eligible first, then near misses, then those that need information; each ranked."""
        return [*self.eligible, *self.near_misses, *self.needs_information]

    def fix_count(self, standing: Standing) -> int:
        """How many criteria could each alone make a near miss eligible (its `missing`, unworded)."""
        return sum(1 for leaf in flip_effects(standing.program.rule, self.facts, self.evaluation.status_of)
                   if leaf.fact not in FIXED_FACTS)

    def fitting_lines(self, standing: Standing) -> list[str]:
        """The lines of the program that the firm fits (the same as its `lines` say)."""
        return [line["line_id"] for line in line_results(standing.program, self.evaluation,
                                                         self.lines.get(standing.program.id, ()))
                if line["status"] == "eligible"]

    def explain(self, standing: Standing) -> Recommendation:
        """The full explanation of one program (the same as `recommend` gives for it)."""
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


def _own_met(compiled: CompiledRules, leaf_statuses: Sequence[int]) -> npt.NDArray[np.int64]:
    """Per program: how many of its own criteria (not those of shared rules) the firm meets,
    over the whole catalog in one NumPy pass."""
    status = np.asarray(leaf_statuses, dtype=np.int8)[compiled.occurrence_slot]
    mask = (status == MET) & ~compiled.occurrence_shared
    return np.bincount(compiled.occurrence_program[mask], minlength=len(compiled.rules)).astype(np.int64)


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
    `flip_effects` for a rule that repeats a criterion object."""
    ev = evaluation or compiled.evaluate(facts)
    own_met = _own_met(compiled, ev.leaf_statuses).tolist()
    fixes = compiled.single_fixes(ev.leaf_statuses, ~compiled.slots_of(FIXED_FACTS))
    fixable = fixes.tolist()
    repeated = compiled.repeated.tolist()
    statuses = ev.statuses.tolist()
    eligible: list[Standing] = []
    near: list[Standing] = []
    unknown: list[Standing] = []
    excluded: list[Excluded] = []
    # Only programs that can be shown or excluded are looked at: not met, no single fix, and no
    # applicant guard is most of a large catalog, and such a program is neither.
    n = len(programs)
    candidates = np.flatnonzero((ev.statuses[:n] != NOT_MET) | fixes[:n] | compiled.repeated[:n]
                                | _guarded(programs)).tolist()
    for i in candidates:
        program = programs[i]
        status = statuses[i]
        window = program.spec.application_window
        if window.is_closed_for_good(on):
            if status != NOT_MET:
                excluded.append(Excluded(
                    program.id, "closed",
                    f"{program.spec.name.ko}: 신청 기간이 {window.closes}에 마감되었습니다.",
                    f"{program.spec.name.en}: applications closed on {window.closes}."))
            continue
        if program.guard is not None and ev.status_of(program.guard) == NOT_MET:
            excluded.append(Excluded(
                program.id, "applicant_kind",
                f"{program.spec.name.ko}: {program.guard.label_ko}",
                f"{program.spec.name.en}: {program.guard.label_en}."))
            continue
        if _exhausted(program, history):
            if status != NOT_MET:
                excluded.append(Excluded(
                    program.id, "exhausted",
                    f"{program.spec.name.ko}: 지원 한도 횟수({program.spec.limits.max_uses}회)를 "
                    "이미 받았습니다.",
                    f"{program.spec.name.en}: the firm has already received it the maximum "
                    f"{program.spec.limits.max_uses} time(s)."))
            continue
        if status == MET:
            eligible.append(Standing(i, program, "eligible", _score(program, own_met[i], facts, history, on)))
        elif status == UNKNOWN:
            unknown.append(Standing(i, program, "unknown", _score(program, own_met[i], facts, history, on)))
        else:
            if repeated[i]:
                is_near = any(leaf.fact not in FIXED_FACTS for leaf in flip_effects(program.rule, facts, ev.status_of))
            else:
                is_near = fixable[i]
            if is_near:
                near.append(Standing(i, program, "near_miss", _score(program, own_met[i], facts, history, on)))
    for group in (eligible, near, unknown):
        group.sort(key=_rank)
    return Standings(on, eligible, near, unknown, packages(programs, facts, history, on, ev.status_of), excluded,
                     ev, facts, lines or {})


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


_GUARDED: dict[int, tuple[Sequence[Program], npt.NDArray[np.bool_]]] = {}


def _guarded(programs: Sequence[Program]) -> npt.NDArray[np.bool_]:
    """Per program: it admits only some kinds of applicant (a guard), once per catalog."""
    found = _GUARDED.get(id(programs))
    if found is not None and found[0] is programs:
        return found[1]
    mask = np.array([p.guard is not None for p in programs], dtype=np.bool_)
    if len(_GUARDED) >= 8:
        _GUARDED.clear()
    _GUARDED[id(programs)] = (programs, mask)
    return mask


def packages(programs: Sequence[Program], facts: Mapping[str, Any], history: History,
             on: date, known: StatusOf | None = None) -> list[list[str]]:
    """Maximal chains along catalog links in which every step is open to the firm in turn."""
    by_id, successors = _links(programs)
    received = facts.get("received_programs") or frozenset()

    def usable(pid: str) -> bool:
        p = by_id[pid]
        return not p.spec.application_window.is_closed_for_good(on) and not _exhausted(p, history)

    def open_after(pid: str, done: tuple[str, ...]) -> bool:
        p = by_id[pid]
        have = set(received) | set(done)
        if any(r not in have for r in p.spec.links.requires):
            return False
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
    return [list(c) for c in keep]


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


def window_summary(program: Program, on: date) -> dict[str, Any]:
    """The application window as of `on` (KST): its phase, dates and days left (D-day)."""
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


def compact_item(rec: Recommendation, program: Program, on: date) -> dict[str, Any]:
    """One program in the compact answer: what a list shows, and why in at most three reasons;
    a near miss also says what is missing. Fields without a value (no amount, no rate, no
    closing date) are left out. The whole explanation is `rec.as_dict()`."""
    spec = program.spec
    out: dict[str, Any] = {
        "program_id": rec.program_id,
        "name_ko": rec.name_ko,
        "name_en": rec.name_en,
        "agency": spec.agency,
        "category": spec.category.value,
        "support_type": spec.support_type.value,
    }
    if spec.limits.amount is not None:
        out["amount"] = spec.limits.amount
    rate = spec.limits.interest
    if rate is not None:
        out["interest"] = {"kind": rate.kind, **({} if rate.spread_pct is None else {"spread_pct": str(rate.spread_pct)}),
                           **({} if rate.rate_pct is None else {"rate_pct": str(rate.rate_pct)})}
    out.update(window=window_summary(program, on), score=rec.score, status=rec.status,
               reasons=decisive_reasons(rec.reasons, rec.status))
    if rec.status == "near_miss":
        out["missing"] = rec.missing
    if rec.lines:
        out["fitting_lines"] = [line["line_id"] for line in rec.lines if line["status"] == "eligible"]
    return out


STATUSES = ("eligible", "near_miss", "unknown")


def totals(st: Standings) -> dict[str, Any]:
    """How many programs stand where, in all and per category (every program, not one page)."""
    by_category: dict[str, dict[str, int]] = {}
    for s in st.shown():
        cat = by_category.setdefault(s.program.spec.category.value, dict.fromkeys(STATUSES, 0))
        cat[s.status] += 1
    return {"eligible": len(st.eligible), "near_miss": len(st.near_misses), "unknown": len(st.needs_information),
            "excluded": len(st.excluded), "categories": dict(sorted(by_category.items()))}


def select(st: Standings, status: str | None, category: str | None) -> list[Standing]:
    """The standings a list shows, in order, filtered by status and category when given."""
    return [s for s in st.shown()
            if (status is None or s.status == status) and (category is None or s.program.spec.category.value == category)]


def snapshot(st: Standings) -> dict[str, Any]:
    """The standings as data (to store): program ids with scores per status, packages,
    exclusions; `restore` takes them back with the firm's own evaluation."""
    return {
        "eligible": [[s.program.id, s.score] for s in st.eligible],
        "near_misses": [[s.program.id, s.score] for s in st.near_misses],
        "needs_information": [[s.program.id, s.score] for s in st.needs_information],
        "packages": st.packages,
        "excluded": [[e.program_id, e.code, e.ko, e.en] for e in st.excluded],
    }


def restore(data: Mapping[str, Any], programs: Sequence[Program], positions: Mapping[str, int],
            evaluation: FirmEvaluation, facts: Mapping[str, Any], on: date,
            lines: Mapping[str, Sequence[tuple[str, int]]]) -> Standings | None:
    """Standings from `snapshot` data and the firm's evaluation; None when the data names a
    program the catalog does not have (it was computed for another revision)."""
    groups: list[list[Standing]] = []
    for key, status in (("eligible", "eligible"), ("near_misses", "near_miss"), ("needs_information", "unknown")):
        group = []
        for pid, score in data[key]:
            i = positions.get(pid)
            if i is None:
                return None
            group.append(Standing(i, programs[i], status, int(score)))
        groups.append(group)
    excluded = [Excluded(str(pid), str(code), str(ko), str(en)) for pid, code, ko, en in data["excluded"]]
    packages = [[str(p) for p in pkg] for pkg in data["packages"]]
    return Standings(on, groups[0], groups[1], groups[2], packages, excluded, evaluation, facts, lines)
