"""A program's eligibility rule as structured Korean (and English) for its page: criteria joined
by 그리고 (all) and 또는 (any), a shared rule shown as one line that names it, and exclusions
phrased as what the firm must not be ("제외 업종 아님"). Presentation only: the rule's meaning is
the evaluator's (rules/evaluate.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from onestop.rules.explain import criterion_text
from onestop.rules.syntax import All, Leaf, Not, Rule

#: names of the shared rule files, as a page names them
SHARED_NAMES: dict[str, tuple[str, str]] = {
    "policy-fund-exclusions": ("정책자금 융자 제외 대상이 아닐 것 (2026년 정책자금 공통 기준)",
                               "Not excluded from policy loans (the 2026 policy-fund common criteria)"),
}


@dataclass
class Node:
    kind: str  # "all", "any", "leaf", "shared"
    ko: str = ""
    en: str = ""
    children: list[Node] = field(default_factory=list)


def _negate(leaf: Leaf) -> tuple[str, str]:
    ko, en = criterion_text(leaf)
    return f"{ko}에 해당하지 않음", f"not: {en}"


def _shared(rule: Rule) -> str | None:
    names = {leaf.shared_rule for leaf in _leaves(rule)}
    if len(names) == 1:
        name = names.pop()
        return name
    return None


def _leaves(rule: Rule) -> list[Leaf]:
    if isinstance(rule, Leaf):
        return [rule]
    if isinstance(rule, Not):
        return _leaves(rule.child)
    out: list[Leaf] = []
    for child in rule.children:
        out += _leaves(child)
    return out


def outline(rule: Rule, titles: Callable[[str], tuple[str, str]] | None = None) -> Node:
    """The rule as a tree of sentences. A subtree drawn wholly from one shared rule file is one
    line naming that rule (by `titles`, the catalog's names of its shared rules); a one-child
    group is flattened."""
    shared = _shared(rule)
    if shared is not None:
        named = titles(shared) if titles else (shared, shared)
        if named == (shared, shared):  # the catalog has no title for it
            named = SHARED_NAMES.get(shared, (f"공통 기준: {shared}", f"Shared criteria: {shared}"))
        ko, en = named
        return Node("shared", ko, en)
    if isinstance(rule, Leaf):
        ko, en = criterion_text(rule)
        return Node("leaf", ko, en)
    if isinstance(rule, Not):
        if isinstance(rule.child, Leaf):
            ko, en = _negate(rule.child)
            return Node("leaf", ko, en)
        inner = outline(rule.child, titles)
        return Node("not", "다음에 해당하지 않을 것", "None of the following", [inner])
    kind = "all" if isinstance(rule, All) else "any"
    children = [outline(c, titles) for c in rule.children]
    # merge several lines of the same shared rule into one
    seen: set[str] = set()
    merged: list[Node] = []
    for c in children:
        if c.kind == "shared":
            if c.ko in seen:
                continue
            seen.add(c.ko)
        merged.append(c)
    if len(merged) == 1:
        return merged[0]
    return Node(kind, children=merged)


@dataclass
class Sections:
    """A program's criteria as its page lists them: who may apply (the positive criteria, joined by
    그리고), and who may not (each exclusion named positively: "국세·지방세 체납 기업")."""

    who: Node
    excluded: list[tuple[str, str]]
    #: True when nothing but who may apply at all (registered firms, prospective founders) and the
    #: exclusions limit the program: the page then says so instead of an empty list
    open_to_all: bool


def _conjuncts(rule: Rule) -> list[Rule]:
    if isinstance(rule, All) and _shared(rule) is None:
        out: list[Rule] = []
        for child in rule.children:
            out += _conjuncts(child)
        return out
    return [rule]


def sections(rule: Rule, titles: Callable[[str], tuple[str, str]] | None = None) -> Sections:
    """Split the rule's top-level criteria into who may apply and the exclusions."""
    parts = _conjuncts(rule)
    excluded = [(c.excludes_ko, c.excludes_en) for c in parts if isinstance(c, Leaf) and c.exclusion]
    rest = [c for c in parts if not (isinstance(c, Leaf) and c.exclusion)]
    positive = [c for c in rest if not (isinstance(c, Leaf) and c.fact == "applicant_kind")]
    who = outline(All(tuple(rest)), titles) if len(rest) > 1 else (
        outline(rest[0], titles) if rest else Node("all"))
    return Sections(who, excluded, not positive)


__all__ = ["SHARED_NAMES", "Node", "Sections", "outline", "sections"]
