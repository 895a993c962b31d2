"""Evaluation committees (평가위원회), the pure core: scoring a rubric, conflicts of interest
(제척·기피·회피) and aggregating the committee's scores. No web, database or file I/O.

- **Scores.** An evaluator gives each rubric item a level 1..S (S = the rubric's scale). A
  level is worth level/S of the item's weight, so on the usual five-level scale 매우 우수 earns
  100% of the 배점, 우수 80%, 보통 60%, 미흡 40%, 매우 미흡 20% — the absolute-evaluation
  convention of Korean government program evaluations. The total is out of 100.
- **Aggregation.** With five or more scores the highest and the lowest total are dropped (one
  each, however many tie) and the rest averaged; with fewer, all are averaged. Dropping the
  extremes is what Korean selection committees commonly do to blunt one evaluator's outlier;
  below five scores it would throw away too much. The mean is exact (fractions) and shown
  rounded half-up to two decimals.
- **Conflicts.** 제척 (exclusion by rule): the evaluator is a member of the applying firm, or
  declared past employment at it ending within the program's look-back (3 years unless the
  rubric says otherwise). 회피 (recusal): the evaluator declares a conflict, or — for regional
  programs whose rubric says so — works in the firm's own 시군구. 기피 (challenge): the firm
  challenges an evaluator and the officer accepts it. Each exclusion keeps its ground and reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from onestop.catalog.model import Rubric
from onestop.errors import DomainError, FieldProblem
from onestop.korea.dates import completed_years

#: with at least this many scores the highest and lowest are dropped before the mean
TRIM_FROM = 5


class Ground(StrEnum):
    """Why an evaluator is excluded."""

    member = "member"
    past_employment = "past_employment"
    same_region = "same_region"
    declared = "declared"
    challenged = "challenged"


class ConflictKind(StrEnum):
    exclusion = "exclusion"  # 제척
    challenge = "challenge"  # 기피
    recusal = "recusal"  # 회피


KIND_OF = {
    Ground.member: ConflictKind.exclusion,
    Ground.past_employment: ConflictKind.exclusion,
    Ground.same_region: ConflictKind.recusal,
    Ground.declared: ConflictKind.recusal,
    Ground.challenged: ConflictKind.challenge,
}
KIND_NAMES = {ConflictKind.exclusion: ("제척", "Exclusion"), ConflictKind.challenge: ("기피", "Challenge"),
              ConflictKind.recusal: ("회피", "Recusal")}
GROUND_NAMES = {
    Ground.member: ("신청 기업의 구성원", "A member of the applying firm"),
    Ground.past_employment: ("신청 기업에 재직한 이력", "Past employment at the applying firm"),
    Ground.same_region: ("신청 기업과 같은 시군구", "The applying firm's own 시군구"),
    Ground.declared: ("평가위원이 밝힌 이해충돌", "A conflict the evaluator declared"),
    Ground.challenged: ("신청 기업의 기피 신청", "The applying firm's challenge"),
}


@dataclass(frozen=True)
class PastEmployment:
    """An evaluator's declared past employment: the employer's BRN and when it ended."""

    brn: str
    until: date


@dataclass(frozen=True)
class EvaluatorFacts:
    """What conflict detection knows of an evaluator: the firms they belong to on the platform,
    their declared past employments and the 시군구 code of their workplace (None: not stated)."""

    firm_ids: frozenset[int]
    past_employments: tuple[PastEmployment, ...] = ()
    region: str | None = None


@dataclass(frozen=True)
class FirmFacts:
    firm_id: int
    #: None for a prospective founder (예비창업자), who has no registration number yet
    brn: str | None
    region: str


@dataclass(frozen=True)
class Conflict:
    ground: Ground
    ko: str
    en: str

    @property
    def kind(self) -> ConflictKind:
        return KIND_OF[self.ground]


def detect(evaluator: EvaluatorFacts, firm: FirmFacts, rubric: Rubric, on: date) -> list[Conflict]:
    """The conflicts found without anyone declaring them, in the order of `Ground`; empty when
    none. `on` is the assignment date (a past employment counts while it ended within
    `rubric.past_employment_years` years of it)."""
    found: list[Conflict] = []
    if firm.firm_id in evaluator.firm_ids:
        found.append(Conflict(Ground.member, "평가위원이 신청 기업의 구성원입니다.",
                              "The evaluator is a member of the applying firm."))
    for job in evaluator.past_employments:
        if firm.brn is not None and job.brn == firm.brn and max(completed_years(job.until, on), 0) < rubric.past_employment_years:
            found.append(Conflict(
                Ground.past_employment,
                f"평가위원이 신청 기업에 {job.until.isoformat()}까지 재직했습니다(최근 {rubric.past_employment_years}년 이내).",
                f"The evaluator worked at the applying firm until {job.until.isoformat()} "
                f"(within {rubric.past_employment_years} years)."))
            break
    if rubric.same_region_excluded and evaluator.region is not None and evaluator.region == firm.region:
        found.append(Conflict(Ground.same_region, "지역 사업으로, 평가위원의 근무지가 신청 기업과 같은 시군구입니다.",
                              "A regional program: the evaluator works in the applying firm's own 시군구."))
    return found


def score_total(rubric: Rubric, levels: dict[str, int]) -> Fraction:
    """The total out of 100 of one evaluator's levels ({item id: level 1..scale}), exact.

    Raises DomainError (`rubric_scores`) listing every item missing, unknown or out of range,
    each as a field `scores.<item>` naming what is allowed."""
    scale = len(rubric.scale)
    problems: list[FieldProblem] = []
    known = {i.id for i in rubric.items}
    for item in rubric.items:
        level = levels.get(item.id)
        if level is None:
            problems.append(FieldProblem(f"scores.{item.id}", "required",
                                         f"'{item.name.ko}' 항목의 점수를 1~{scale} 중에서 골라 주세요.",
                                         f"Choose a level from 1 to {scale} for '{item.name.en}'."))
        elif isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= scale:
            problems.append(FieldProblem(f"scores.{item.id}", "out_of_range",
                                         f"'{item.name.ko}' 항목의 점수는 1~{scale} 사이여야 합니다. 받은 값: {level!r}",
                                         f"The level of '{item.name.en}' must be 1 to {scale}; got {level!r}."))
    for extra in sorted(set(levels) - known):
        problems.append(FieldProblem(f"scores.{extra}", "unknown_item",
                                     f"이 평가표에 없는 항목입니다: {extra!r}. 항목: {', '.join(sorted(known))}",
                                     f"Not an item of this rubric: {extra!r}; items: {', '.join(sorted(known))}."))
    if problems:
        raise DomainError(code="rubric_scores", field="scores", problems=problems,
                          ko="평가 점수를 확인해 주세요.", en="Check the scores.")
    return sum((Fraction(item.weight * levels[item.id], scale) for item in rubric.items), Fraction(0))


@dataclass(frozen=True)
class Aggregate:
    """The committee's score: the mean of `kept` totals (out of 100), with the dropped extremes."""

    mean: Fraction
    kept: tuple[Fraction, ...]
    dropped: tuple[Fraction, ...]

    @property
    def shown(self) -> Decimal:
        return rounded(self.mean)

    @property
    def rule_ko(self) -> str:
        if self.dropped:
            return f"평가위원 {len(self.kept) + 2}명 중 최고점과 최저점을 뺀 {len(self.kept)}명의 평균"
        return f"평가위원 {len(self.kept)}명의 평균"

    @property
    def rule_en(self) -> str:
        if self.dropped:
            return f"mean of {len(self.kept)} of {len(self.kept) + 2} evaluators, the highest and lowest dropped"
        return f"mean of {len(self.kept)} evaluators"


def aggregate(totals: list[Fraction]) -> Aggregate:
    """The committee's score from the evaluators' totals: drop the highest and the lowest when
    there are `TRIM_FROM` (5) or more, then the mean. Raises ValueError on no totals."""
    if not totals:
        raise ValueError("no scores to aggregate")
    ordered = sorted(totals)
    kept: tuple[Fraction, ...]
    dropped: tuple[Fraction, ...]
    if len(ordered) >= TRIM_FROM:
        kept, dropped = tuple(ordered[1:-1]), (ordered[0], ordered[-1])
    else:
        kept, dropped = tuple(ordered), ()
    return Aggregate(mean=sum(kept, Fraction(0)) / len(kept), kept=kept, dropped=dropped)


def rounded(value: Fraction) -> Decimal:
    """Half-up to two decimals, as scores are shown and stored (hundredths)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def hundredths(value: Fraction) -> int:
    return int(rounded(value) * 100)


def points(hundredths_: int) -> Decimal:
    """A stored score (hundredths) as shown: 8800 → 88.00."""
    return Decimal(hundredths_).scaleb(-2)


class Outcome(StrEnum):
    approve = "approve"
    waitlist = "waitlist"
    reject = "reject"


OUTCOME_NAMES = {Outcome.approve: ("선정", "Selected"), Outcome.waitlist: ("예비 선정", "Waitlisted"),
                 Outcome.reject: ("미선정", "Not selected")}


def recommended(rubric: Rubric, result: Aggregate) -> Outcome:
    """What the score suggests: selection at or above the rubric's pass mark, otherwise not.
    The committee decides and may depart from it with its reasons (`departs` is recorded)."""
    return Outcome.approve if result.mean >= rubric.pass_mark else Outcome.reject


def check_quorum(rubric: Rubric, scored: int) -> None:
    """A decision needs at least `rubric.quorum` scores from evaluators not excluded."""
    if scored < rubric.quorum:
        raise DomainError(code="quorum", field="outcome",
                          ko=f"평가를 마친 평가위원이 {scored}명입니다. 결정에는 {rubric.quorum}명 이상의 점수가 필요합니다.",
                          en=f"{scored} evaluator(s) have scored; a decision needs at least {rubric.quorum}.")
