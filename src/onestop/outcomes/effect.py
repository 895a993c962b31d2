"""Effect, honestly measured: supported firms against similar firms that were not supported (pure).

Two comparison groups:
- *near misses*: registered firms the program's rule did not admit, but would have if one
  criterion had been met (`rules.evaluate.flip_effects`) — the closest thing to a
  regression-discontinuity comparison the data allows;
- a *matched group*: exact matching on 시도, KSIC section, size class and CEO age band; each
  supported firm is compared with the mean of the unsupported firms of its own cell, and firms
  without any match are counted, not dropped silently.

The outcome compared is what every firm's profile holds in the same way for both groups: the
change of revenue between its two latest fiscal years (`revenue_change_yoy`). Employment and
exports are reported only where both groups have a before and an after figure; profiles keep
one figure of each, so they are stated as not measurable rather than guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

MIN_GROUP = 5

CAVEATS_KO = (
    "비교 결과는 연관을 보여줄 뿐 인과 효과가 아닙니다: 지원을 받은 기업은 스스로 신청했고 선정되었으므로 "
    "관찰되지 않은 차이(의지, 경영 능력 등)가 있을 수 있습니다.",
    "매출 증감률은 기업 정보에 입력된 가장 최근 두 사업연도의 값이며, 지원 시점과 정확히 맞지 않을 수 있습니다.",
    "고용과 수출은 비교 기업의 이전 값이 없어 비교하지 않았습니다.",
    f"집단이 {MIN_GROUP}개 미만이면 평균을 보이지 않습니다.",
)
CAVEATS_EN = (
    "The comparison shows association, not a causal effect: supported firms applied and were selected, "
    "so they may differ in ways not observed (drive, management).",
    "Revenue change is between the two latest fiscal years in each firm's profile, which need not align "
    "with the time of support.",
    "Employment and exports are not compared: comparison firms have no earlier figure.",
    f"Means are not shown for groups of fewer than {MIN_GROUP} firms.",
)


@dataclass(frozen=True)
class Unit:
    firm_id: int
    supported: bool
    near_miss: bool
    #: (시도, KSIC section, size class, CEO age band)
    cell: tuple[str, str, str, str]
    #: revenue change between the two latest fiscal years (0.12 = +12 %), None when unknown
    change: float | None


@dataclass
class Effect:
    supported: int
    supported_measured: int
    near_misses: int
    near_misses_measured: int
    matched: int
    unmatched: int
    controls_used: int
    mean_supported: float | None
    mean_near_miss: float | None
    #: mean over matched supported firms of (own change − mean change of its cell's controls)
    matched_difference: float | None
    method_ko: str = ("지원 기업과 (1) 기준 하나만 미달한 기업, (2) 시도·업종 대분류·기업 규모·대표자 연령대가 같은 "
                      "미지원 기업의 매출 증감률을 비교했습니다.")
    method_en: str = ("Revenue change of supported firms compared with (1) firms that missed one criterion and "
                      "(2) unsupported firms of the same province, KSIC section, size class and CEO age band.")
    caveats_ko: tuple[str, ...] = CAVEATS_KO
    caveats_en: tuple[str, ...] = CAVEATS_EN
    notes: list[str] = field(default_factory=list)


def _mean(values: list[float]) -> float | None:
    return fmean(values) if len(values) >= MIN_GROUP else None


def compare(units: list[Unit]) -> Effect:
    """Compare supported firms with near misses and a matched group (see the module's doc)."""
    sup = [u for u in units if u.supported]
    near = [u for u in units if u.near_miss and not u.supported]
    sup_changes = [u.change for u in sup if u.change is not None]
    near_changes = [u.change for u in near if u.change is not None]
    controls: dict[tuple[str, str, str, str], list[float]] = defaultdict(list)
    for u in units:
        if not u.supported and u.change is not None:
            controls[u.cell].append(u.change)
    diffs = []
    used: set[tuple[str, str, str, str]] = set()
    unmatched = 0
    for u in sup:
        if u.change is None:
            continue
        pool = controls.get(u.cell)
        if not pool:
            unmatched += 1
            continue
        used.add(u.cell)
        diffs.append(u.change - fmean(pool))
    return Effect(
        supported=len(sup), supported_measured=len(sup_changes), near_misses=len(near),
        near_misses_measured=len(near_changes), matched=len(diffs), unmatched=unmatched,
        controls_used=sum(len(controls[c]) for c in used),
        mean_supported=_mean(sup_changes), mean_near_miss=_mean(near_changes),
        matched_difference=_mean(diffs))
