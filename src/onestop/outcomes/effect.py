"""Effect, honestly measured: supported firms against similar firms that were not supported (pure).

Two comparison groups:
- *near misses*: registered firms the program's rule did not admit, but would have if one
  criterion had been met (`rules.evaluate.flip_effects`) — the closest thing to a
  regression-discontinuity comparison the data allows;
- a *matched group*: exact matching on 시도, KSIC section, size class and CEO age band; each
  supported firm is compared with the mean of the unsupported firms of its own cell, and firms
  without any match are counted, not dropped silently.

Three outcomes, each measured the same way for both groups from the figures the firm's profile
keeps by fiscal year (`firms.model.FirmProfile`): the change between the latest fiscal year before
the reference year that has a figure and the year before it —
- `revenue`: relative change of revenue (0.12 = +12 %; unknown when the year before is 0);
- `employment`: change of regular employees (상시근로자), in people;
- `exports`: change of exports, in won (from 0 counts: a firm that starts exporting is measured).

Each measure has its own group sizes: a firm without both years of a figure is counted in its
group but not measured, and a mean over fewer than `MIN_GROUP` firms is not shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from statistics import fmean

MIN_GROUP = 5

Cell = tuple[str, str, str, str]


class Measure(StrEnum):
    revenue = "revenue"
    employment = "employment"
    exports = "exports"


@dataclass(frozen=True)
class MeasureSpec:
    measure: Measure
    name_ko: str
    name_en: str
    #: how a change is expressed: "ratio" (0.12 = +12 %), "people" or "won"
    unit: str
    method_ko: str
    method_en: str
    caveats_ko: tuple[str, ...]
    caveats_en: tuple[str, ...]


_LATEST_KO = "기업 정보에 입력된 가장 최근 두 사업연도(기준 연도 이전)의 값이며, 지원 시점과 정확히 맞지 않을 수 있습니다."
_LATEST_EN = ("the two latest fiscal years (before the reference year) in each firm's profile, which need not "
              "align with the time of support.")

SPECS: dict[Measure, MeasureSpec] = {
    Measure.revenue: MeasureSpec(
        Measure.revenue, "매출액 증감률", "Revenue change", "ratio",
        "가장 최근 사업연도 매출액을 그 전 해 매출액과 비교한 증감률(%)입니다.",
        "Revenue of the latest fiscal year against the year before, as a percentage change.",
        (f"매출 증감률은 {_LATEST_KO}", "전 해 매출액이 0이면 증감률이 없어 측정하지 않습니다."),
        (f"Revenue change is between {_LATEST_EN}", "A firm whose revenue the year before was 0 has no "
         "percentage change and is not measured.")),
    Measure.employment: MeasureSpec(
        Measure.employment, "상시근로자 증감", "Change in regular employees", "people",
        "가장 최근 사업연도 상시근로자 수에서 그 전 해 상시근로자 수를 뺀 값(명)입니다.",
        "Regular employees of the latest fiscal year minus those of the year before, in people.",
        (f"상시근로자 수는 {_LATEST_KO}", "두 해의 상시근로자 수를 모두 입력한 기업만 측정합니다: "
         "입력하지 않은 기업이 많으면 측정된 기업이 전체를 대표하지 않을 수 있습니다.",
         "증감은 사람 수이므로 규모가 큰 기업이 평균에 더 크게 작용합니다(규모는 매칭 기준입니다)."),
        (f"Regular employees are from {_LATEST_EN}", "Only firms that gave both years are measured: if many "
         "did not, the measured firms may not represent the group.",
         "The change is in people, so larger firms weigh more in a mean (size is a matching criterion).")),
    Measure.exports: MeasureSpec(
        Measure.exports, "수출액 증감", "Change in exports", "won",
        "가장 최근 사업연도 수출액(원)에서 그 전 해 수출액을 뺀 값(원)입니다. 수출을 새로 시작한 기업(0원에서 증가)도 셉니다.",
        "Exports (won) of the latest fiscal year minus those of the year before, in won; a firm that "
        "started exporting (from 0) is counted.",
        (f"수출액은 {_LATEST_KO}", "원화 수출액만 씁니다: 달러로만 입력한 해는 환율 가정 없이는 비교할 수 없어 측정하지 "
         "않습니다.", "금액 차이이므로 수출 규모가 큰 기업이 평균에 크게 작용합니다(규모는 매칭 기준입니다)."),
        (f"Exports are from {_LATEST_EN}", "Only exports in won are used: a year given in US dollars only "
         "is not measured, as comparing it would need an exchange-rate assumption.",
         "The change is an amount, so large exporters weigh more in a mean (size is a matching criterion).")),
}

CAVEATS_KO = (
    "비교 결과는 연관을 보여줄 뿐 인과 효과가 아닙니다: 지원을 받은 기업은 스스로 신청했고 선정되었으므로 "
    "관찰되지 않은 차이(의지, 경영 능력 등)가 있을 수 있습니다.",
    "측정 항목마다 두 해의 값이 있는 기업만 측정하므로 항목마다 집단 크기가 다릅니다.",
    f"집단이 {MIN_GROUP}개 미만이면 평균을 보이지 않습니다.",
)
CAVEATS_EN = (
    "The comparison shows association, not a causal effect: supported firms applied and were selected, "
    "so they may differ in ways not observed (drive, management).",
    "Each measure counts only firms with both years of its figure, so group sizes differ by measure.",
    f"Means are not shown for groups of fewer than {MIN_GROUP} firms.",
)
METHOD_KO = ("지원 기업과 (1) 기준 하나만 미달한 기업, (2) 시도·업종 대분류·기업 규모·대표자 연령대가 같은 "
             "미지원 기업의 매출액·상시근로자·수출액 변화를 비교했습니다.")
METHOD_EN = ("Changes in revenue, regular employees and exports of supported firms compared with (1) firms "
             "that missed one criterion and (2) unsupported firms of the same province, KSIC section, size "
             "class and CEO age band.")


def latest_change(by_year: Mapping[int, int], on: date, *, relative: bool) -> float | None:
    """The change between the latest fiscal year before `on`'s year that has a figure and the
    year before it: `(now - before) / before` when `relative` (None when `before` is not
    positive), else `now - before` in the figure's unit. None when either year is missing."""
    years = [y for y in by_year if y < on.year]
    if not years:
        return None
    last = max(years)
    now, before = by_year[last], by_year.get(last - 1)
    if before is None:
        return None
    if relative:
        return (now - before) / before if before > 0 else None
    return float(now - before)


@dataclass(frozen=True)
class Unit:
    firm_id: int
    supported: bool
    near_miss: bool
    #: (시도, KSIC section, size class, CEO age band)
    cell: Cell
    #: each measure's change (see `Measure`), None or absent when unknown
    changes: Mapping[Measure, float | None]


@dataclass
class MeasureEffect:
    measure: str
    name_ko: str
    name_en: str
    unit: str
    supported_measured: int
    near_misses_measured: int
    matched: int
    unmatched: int
    controls_used: int
    mean_supported: float | None
    mean_near_miss: float | None
    #: mean over matched supported firms of (own change − mean change of its cell's controls)
    matched_difference: float | None
    method_ko: str
    method_en: str
    caveats_ko: tuple[str, ...]
    caveats_en: tuple[str, ...]


@dataclass
class Effect:
    supported: int
    near_misses: int
    measures: list[MeasureEffect]
    method_ko: str = METHOD_KO
    method_en: str = METHOD_EN
    caveats_ko: tuple[str, ...] = CAVEATS_KO
    caveats_en: tuple[str, ...] = CAVEATS_EN
    notes: list[str] = field(default_factory=list)

    def of(self, measure: Measure | str) -> MeasureEffect:
        """The result of one measure (KeyError for a measure not compared)."""
        for m in self.measures:
            if m.measure == measure:
                return m
        raise KeyError(measure)


def _mean(values: list[float]) -> float | None:
    return fmean(values) if len(values) >= MIN_GROUP else None


def compare_measure(units: list[Unit], measure: Measure) -> MeasureEffect:
    """One measure's comparison (see the module's doc); firms whose change is unknown are left out
    of this measure's groups and counts of measured firms."""
    sup = [(u, c) for u in units if u.supported and (c := u.changes.get(measure)) is not None]
    near = [c for u in units if u.near_miss and not u.supported and (c := u.changes.get(measure)) is not None]
    controls: dict[Cell, list[float]] = defaultdict(list)
    for u in units:
        c = u.changes.get(measure)
        if not u.supported and c is not None:
            controls[u.cell].append(c)
    diffs: list[float] = []
    used: set[Cell] = set()
    unmatched = 0
    for u, c in sup:
        pool = controls.get(u.cell)
        if not pool:
            unmatched += 1
            continue
        used.add(u.cell)
        diffs.append(c - fmean(pool))
    spec = SPECS[measure]
    return MeasureEffect(
        measure=measure.value, name_ko=spec.name_ko, name_en=spec.name_en, unit=spec.unit,
        supported_measured=len(sup), near_misses_measured=len(near), matched=len(diffs), unmatched=unmatched,
        controls_used=sum(len(controls[c]) for c in used),
        mean_supported=_mean([c for _, c in sup]), mean_near_miss=_mean(near), matched_difference=_mean(diffs),
        method_ko=spec.method_ko, method_en=spec.method_en, caveats_ko=spec.caveats_ko, caveats_en=spec.caveats_en)


def compare(units: list[Unit]) -> Effect:
    """Compare supported firms with near misses and a matched group on revenue, employment and
    exports, each with its own group sizes (see the module's doc)."""
    return Effect(supported=sum(1 for u in units if u.supported),
                  near_misses=sum(1 for u in units if u.near_miss and not u.supported),
                  measures=[compare_measure(units, m) for m in Measure])
