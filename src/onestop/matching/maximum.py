"""The most a firm could plausibly receive from the programs it qualifies for: the best set of
programs it could hold together, under the limits the notices state, not the sum of every limit.

How the figure is computed (the recommendations page says it in these words):

1. **Each program's amount** is its limit, or, for a program with lines, the lines the firm fits:
   a facility line and a working-capital line are taken together (up to the program's limit: "연간
   60억 원 이내 (운전자금 5억 원 이내)"), while working-capital lines of different kinds and other
   lines (sub-types such as 홈플러스 피해기업) are alternatives — the largest counts once.
2. **Programs that cannot be combined** (`links.excludes`, 중복 지원 불가) are never counted together:
   the best combination is chosen (exactly, by trying every combination of the conflicting ones).
3. **KOSMES policy funds** follow the 2026 plan's limits per firm (2026년도 중소기업 정책자금
   융자계획 변경공고, 중소벤처기업부 공고 제2026-464호, Ⅲ. 유의사항):
   - ⑮ (p.13–14): no new loan once a firm had 3 policy loans in the last 5 years, so at most
     `3 − loans already had` funds count (재도약지원자금 and 긴급경영안정자금 are exempt);
   - ⑬ (p.12): loans of the last 5 years total at most 200억 원, less what the firm already had;
   - 개별기업당 융자한도: the KOSMES policy-loan balance of one firm at most 60억 원 (70억 원 for a
     firm outside the capital area). The plan's per-firm cap as the KOSMES plans have stated it;
     the copies of the 2026 text read did not show the figure, so it is listed as unconfirmed in
     `docs/catalog-figures.md`'s notes and the page says so. Past policy loans of the last 5 years
     are counted against it as if still outstanding (the profile has no balance).
   The best set of funds within these limits is chosen.

Grants and vouchers follow steps 1 and 2. Amounts are integer won.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from onestop.catalog.model import Program

#: ⑮: no new policy loan after this many in the last 5 years (공고 제2026-464호 Ⅲ ⑮, p.13–14)
POLICY_LOANS_PER_5_YEARS = 3
#: ⑬: policy loans and guarantees of the last 5 years at most (공고 제2026-464호 Ⅲ ⑬, p.12)
POLICY_LOANS_5Y_TOTAL = 20_000_000_000
#: 개별기업당 융자한도 (KOSMES policy-loan balance), capital area / elsewhere; not confirmed in the
#: copies of the 2026 text read (see the module docstring)
BALANCE_CAP_CAPITAL_AREA = 6_000_000_000
BALANCE_CAP_ELSEWHERE = 7_000_000_000
#: the shared rule a fund uses when the count and amount limits apply to it
LIMITS_RULE = "policy-fund-support-limits"
#: exhaustive search over conflicting programs up to this many; greedy beyond (never reached by
#: the shipped catalog, whose exclusion links join a few programs each)
EXACT_LIMIT = 16


@dataclass(frozen=True)
class Candidate:
    program: Program
    amount: int
    #: a KOSMES policy fund, and whether the count and amount limits (⑬, ⑮) apply to it
    policy_fund: bool = False
    counted: bool = False


@dataclass
class Maximum:
    amount: int
    chosen: list[str]
    #: how it was computed, sentence by sentence (ko, en)
    notes: list[tuple[str, str]] = field(default_factory=list)


def _line_kind(line_id: str) -> str:
    if line_id == "facility":
        return "facility"
    return "working" if line_id.startswith("working") else "other"


def program_amount(program: Program, fitting_lines: Sequence[str] | None = None) -> int:
    """The most one program gives a firm: its limit, or its fitting lines' (step 1)."""
    spec = program.spec
    lines = [ln for ln in spec.lines if ln.amount and (fitting_lines is None or ln.id in fitting_lines)]
    if not lines:
        return spec.limits.amount or 0
    by_kind: dict[str, int] = {}
    for ln in lines:
        kind = _line_kind(ln.id)
        by_kind[kind] = max(by_kind.get(kind, 0), ln.amount or 0)
    together = by_kind.get("facility", 0) + by_kind.get("working", 0)
    best = max(together, by_kind.get("other", 0))
    return min(best, spec.limits.amount) if spec.limits.amount else best


def _conflict(a: Program, b: Program) -> bool:
    return a.id in b.spec.links.excludes or b.id in a.spec.links.excludes


def _feasible(group: Sequence[Candidate], slots: int | None, total_cap: int | None) -> int | None:
    if any(_conflict(a.program, b.program) for a, b in combinations(group, 2)):
        return None
    if slots is not None and sum(1 for c in group if c.counted) > slots:
        return None
    amount = sum(c.amount for c in group)
    return amount if total_cap is None else min(amount, total_cap)


def best_set(candidates: Sequence[Candidate], slots: int | None = None,
             total_cap: int | None = None) -> tuple[int, list[Candidate]]:
    """The largest total of a set of candidates with no two excluding each other, at most `slots`
    of the counted ones, the total capped at `total_cap`. Ties go to fewer programs, then ids."""
    items = sorted((c for c in candidates if c.amount > 0), key=lambda c: (-c.amount, c.program.id))
    if len(items) > EXACT_LIMIT:  # greedy: largest first, skipping what does not fit
        chosen: list[Candidate] = []
        for c in items:
            if _feasible([*chosen, c], slots, None) is not None:
                chosen.append(c)
        amount = sum(c.amount for c in chosen)
        return (amount if total_cap is None else min(amount, total_cap)), chosen
    best_key: tuple[int, int, list[str]] | None = None
    best_group: list[Candidate] = []
    for size in range(1, len(items) + 1):
        for group in combinations(items, size):
            total = _feasible(group, slots, total_cap)
            if total is None:
                continue
            ids = [c.program.id for c in group]
            better = best_key is None or (total, -size) > best_key[:2] or (
                (total, -size) == best_key[:2] and ids < best_key[2])
            if better:
                best_key, best_group = (total, -size, ids), list(group)
    return (best_key[0] if best_key else 0), best_group


def plausible_maximum(programs: Sequence[Program], facts: Mapping[str, Any],
                      fitting: Mapping[str, Sequence[str]] | None = None) -> Maximum:
    """The most a firm could receive from `programs` (all of one kind: loans and guarantees, or
    grants and vouchers) together, with `facts` the firm's facts (`policy_fund_count_5y`,
    `policy_fund_amount_5y`, `capital_area`) and `fitting` the lines it fits per program id."""
    fitting = fitting or {}
    candidates = []
    for p in programs:
        amount = program_amount(p, fitting.get(p.id))
        policy = p.spec.agency == "kosmes" and p.spec.support_type.value == "loan"
        counted = policy and any(leaf.shared_rule == LIMITS_RULE for leaf in _leaves(p))
        candidates.append(Candidate(p, amount, policy, counted))
    funds = [c for c in candidates if c.policy_fund]
    others = [c for c in candidates if not c.policy_fund]
    notes: list[tuple[str, str]] = []
    if any(p.spec.lines for p in programs):
        notes.append(("세부 사업(라인)이 있는 사업은 기업이 맞는 라인만 셉니다: 시설자금과 운전자금은 합해서 사업 한도까지, "
                      "서로 대신하는 라인은 큰 쪽 하나만.",
                      "For programs with lines, only the lines the firm fits count: a facility and a "
                      "working-capital line together up to the program's limit; alternative lines once."))
    if any(_conflict(a.program, b.program) for a, b in combinations(candidates, 2)):
        notes.append(("함께 받을 수 없는 사업(중복 지원 불가)은 금액이 큰 조합 하나만 셉니다.",
                      "Programs that cannot be combined are never counted together; the larger combination counts."))
    chosen: list[Candidate] = []
    total = 0
    if funds:
        count = int(facts.get("policy_fund_count_5y") or 0)
        had = int(facts.get("policy_fund_amount_5y") or 0)
        slots = max(0, POLICY_LOANS_PER_5_YEARS - count)
        capital = facts.get("capital_area")
        balance_cap = BALANCE_CAP_CAPITAL_AREA if capital is not False else BALANCE_CAP_ELSEWHERE
        cap = max(0, min(balance_cap - had, POLICY_LOANS_5Y_TOTAL - had))
        amount, picked = best_set(funds, slots, cap)
        total += amount
        chosen += picked
        notes.append((
            f"중진공 정책자금은 2026년 융자계획의 한도를 따릅니다: 최근 5년 융자 3회 미만(이미 {count}회, 새로 최대 {slots}건; "
            "재도약·긴급경영안정자금 제외), 5년 합계 200억 원 이하, 기업당 융자잔액 "
            f"{balance_cap // 100_000_000}억 원({'수도권' if capital is not False else '비수도권'}; "
            "2026년 공고 사본에서 금액을 확인하지 못한 한도)에서 지난 5년 융자를 뺀 금액까지.",
            f"KOSMES policy funds follow the 2026 plan's limits: fewer than 3 loans in 5 years (had {count}, "
            f"so at most {slots} more; restart and emergency funds exempt), at most KRW 20bn in 5 years, and a "
            f"per-firm balance of KRW {balance_cap // 100_000_000 / 10:g}bn "
            f"({'capital area' if capital is not False else 'outside the capital area'}; a cap not confirmed "
            "in the copies of the 2026 text read) less the loans of the last 5 years."))
    amount, picked = best_set(others)
    total += amount
    chosen += picked
    return Maximum(total, sorted(c.program.id for c in chosen), notes)


def _leaves(program: Program) -> list[Any]:
    from onestop.rules.syntax import leaves

    return leaves(program.rule)
