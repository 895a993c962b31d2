"""Every figure a program states, and how each was checked against its publisher's text.

A *figure* is a value a user relies on: a limit (amount, rate, term, grace, number of uses), a
line's limits and criteria, the application window, the budget, who may apply, and every criterion
of the program's own eligibility (shared rules have their sources in their own files). Each figure
has a key (`limits.amount`, `lines.working.term_years`, `eligibility.ceo_age <= 39`); a program's
`figures:` maps keys to a check — confirmed against a named source (page or section) or
unconfirmed with the reason. `markdown()` renders the per-program table of docs/catalog-figures.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from onestop.catalog.model import Interest, Line, Program, ProgramSpec
from onestop.korea.money import format_won
from onestop.rules.explain import criterion_text
from onestop.rules.syntax import Leaf, leaves

CONFIRMED, UNCONFIRMED, NOT_CHECKED = "confirmed", "unconfirmed", "not_checked"


@dataclass(frozen=True)
class Figure:
    key: str
    value: str
    status: str
    #: for a confirmed figure: the citation and where in it; for an unconfirmed one: why
    note: str


def criterion_key(leaf: Leaf) -> str:
    """`eligibility.ceo_age <= 39`; `ksic prefix C10,C11` for lists (the YAML's own values)."""
    value = leaf.value
    shown = ",".join(str(v) for v in value) if isinstance(value, tuple) else json.dumps(value)
    return f"{leaf.fact} {leaf.op} {shown}"


def _rate(interest: Interest) -> str:
    if interest.kind == "fixed":
        return f"{interest.rate_pct}% 고정"
    if interest.kind == "varies":
        assert interest.note is not None
        return interest.note.ko
    spread = interest.spread_pct
    assert spread is not None
    return f"기준금리 {'+' if spread >= 0 else ''}{spread}%p"


def _years(v: float) -> str:
    return f"{v:g}년"


def _limits(prefix: str, holder: ProgramSpec | Line) -> list[tuple[str, str]]:
    limits = holder.limits if isinstance(holder, ProgramSpec) else holder
    out = []
    if limits.amount is not None:
        out.append((f"{prefix}amount", format_won(limits.amount)))
    if limits.interest is not None:
        out.append((f"{prefix}interest", _rate(limits.interest)))
    if limits.term_years is not None:
        out.append((f"{prefix}term_years", _years(limits.term_years)))
    if limits.grace_years is not None:
        out.append((f"{prefix}grace_years", _years(limits.grace_years)))
    return out


def _own(rule_leaves: Iterable[Leaf]) -> list[Leaf]:
    seen: dict[str, Leaf] = {}
    for leaf in rule_leaves:
        if not leaf.shared:
            seen.setdefault(criterion_key(leaf), leaf)
    return list(seen.values())


def figure_values(program: Program) -> list[tuple[str, str]]:
    """(key, value as shown) of every figure the program states, in a stable order."""
    s = program.spec
    out = _limits("limits.", s)
    if s.limits.max_uses is not None:
        out.append(("limits.max_uses", f"{s.limits.max_uses}회"))
    for line, rule in program.line_rules:
        out.extend(_limits(f"lines.{line.id}.", line))
        if line.eligibility is not None:
            for leaf in _own(leaves(rule)):
                if ":lines[" in leaf.path:
                    out.append((f"lines.{line.id}.eligibility.{criterion_key(leaf)}", criterion_text(leaf)[0]))
    w = s.application_window
    if w.always_open:
        window = "상시 접수"
    elif w.by_notice:
        window = "모집 공고 시 접수"
    else:
        window = f"{w.opens or ''} ~ {w.closes or ''}".strip()
    if w.year is not None:
        window += f" ({w.year}년 사업)"
    if w.selective:
        window += " (선정평가)"
    out.append(("application_window", window))
    if s.budget is not None:
        out.append(("budget", format_won(s.budget)))
    if s.applicants != ["firm"]:
        out.append(("applicants", ", ".join(s.applicants)))
    for leaf in _own(leaves(program.rule)):
        if ":lines[" not in leaf.path:
            out.append((f"eligibility.{criterion_key(leaf)}", criterion_text(leaf)[0]))
    return out


def figures(program: Program) -> list[Figure]:
    """Every figure with its status: checked against which source and where, or why not."""
    s = program.spec
    legacy = set(s.unconfirmed)
    out = []
    for key, value in figure_values(program):
        check = s.figures.get(key)
        if check is not None and check.source is not None:
            src = s.source_of(check.source)
            note = src.citation() + (f", {check.at}" if check.at else "")
            out.append(Figure(key, value, CONFIRMED, note))
        elif check is not None:
            out.append(Figure(key, value, UNCONFIRMED, check.unconfirmed or ""))
        elif key in legacy or any(key.startswith(f"{k}.") for k in legacy):
            out.append(Figure(key, value, UNCONFIRMED, "원문과 대조하지 못함 / not checked against the source"))
        else:
            out.append(Figure(key, value, NOT_CHECKED, ""))
    return out


def stale_checks(program: Program) -> list[str]:
    """Keys in `figures:` that name no figure of the program (a renamed or removed figure)."""
    keys = {k for k, _ in figure_values(program)}
    return sorted(k for k in program.spec.figures if k not in keys)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(programs: Iterable[Program]) -> str:
    """docs/catalog-figures.md: a summary, then per program each figure, its value and status."""
    rows = sorted(programs, key=lambda p: p.id)
    per = {p.id: figures(p) for p in rows}
    total = sum(len(f) for f in per.values())
    counts = {st: sum(1 for f in per.values() for x in f if x.status == st)
              for st in (CONFIRMED, UNCONFIRMED, NOT_CHECKED)}
    share = counts[UNCONFIRMED] / total * 100 if total else 0.0
    lines = [
        "# Catalog figures and their sources",
        "",
        "Generated from the catalog by `onestop docs catalog-figures`; a test regenerates it and fails",
        "when it is stale. Every figure a program states — limits, lines, the application window, the",
        "budget, who may apply and each criterion of its own eligibility — is either **confirmed**",
        "against the text named beside it (title, notice number, publisher, date, page or section) or",
        "**unconfirmed**, with the reason. Shared rules (the policy-fund plan's common conditions) cite",
        "their sources in `src/onestop/data/catalog/rules/`.",
        "",
        f"**{len(rows)} programs, {total} figures: {counts[CONFIRMED]} confirmed, "
        f"{counts[UNCONFIRMED]} unconfirmed ({share:.1f} %), {counts[NOT_CHECKED]} not checked.**",
        "",
        "| program | figures | confirmed | unconfirmed |",
        "|---|---:|---:|---:|",
    ]
    for p in rows:
        f = per[p.id]
        ok = sum(1 for x in f if x.status == CONFIRMED)
        lines.append(f"| [{p.id}](#{p.id}) | {len(f)} | {ok} | {len(f) - ok} |")
    for p in rows:
        s = p.spec
        lines += ["", f"## {p.id}", "", f"{s.name.ko} — {s.name.en}", "",
                  f"Source: {s.source.citation()}" + (f" <{s.source.url}>" if s.source.url else "")]
        if s.source.read_via:
            lines.append(f"(read via {s.source.read_via})")
        for sid, src in sorted(s.sources.items()):
            lines.append(f"- `{sid}`: {src.citation()}" + (f" <{src.url}>" if src.url else "")
                         + (f" (read via {src.read_via})" if src.read_via else ""))
        lines += ["", "| figure | value | status | source or reason |", "|---|---|---|---|"]
        for x in per[p.id]:
            lines.append(f"| `{_cell(x.key)}` | {_cell(x.value)} | {x.status} | {_cell(x.note)} |")
    return "\n".join(lines) + "\n"
