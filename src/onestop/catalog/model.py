"""A support program as the catalog states it: limits, window, links, eligibility and source."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from onestop.errors import DomainError
from onestop.korea.dates import KST
from onestop.korea.money import MAX_WON
from onestop.outcomes.model import OutcomePlan
from onestop.rules.syntax import Leaf, Rule
from onestop.text import web_url

ApplicantKindName = Literal["firm", "prospective_founder"]


class Category(StrEnum):
    funds = "funds"
    export = "export"
    smart_factory = "smart_factory"
    training = "training"
    consulting = "consulting"
    startup = "startup"
    jobs = "jobs"
    regional = "regional"
    marketplace = "marketplace"


class SupportType(StrEnum):
    loan = "loan"
    grant = "grant"
    voucher = "voucher"
    service = "service"
    guarantee = "guarantee"
    mutual_aid = "mutual_aid"


#: Names of the categories and support types, in Korean and English.
CATEGORY_NAMES = {
    "funds": ("정책자금", "Funds"), "export": ("수출", "Export"), "smart_factory": ("스마트공장", "Smart factory"),
    "training": ("교육", "Training"), "consulting": ("컨설팅", "Consulting"), "startup": ("창업", "Startup"),
    "jobs": ("일자리", "Jobs"), "regional": ("지역", "Regional"), "marketplace": ("장터", "Marketplace"),
}
SUPPORT_NAMES = {
    "loan": ("융자", "Loan"), "grant": ("보조금", "Grant"), "voucher": ("바우처", "Voucher"),
    "service": ("서비스", "Service"), "guarantee": ("보증", "Guarantee"), "mutual_aid": ("공제", "Mutual aid"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Interest(_Strict):
    """Policy loans are priced as the 정책자금 기준금리 plus a spread; a few at a fixed rate; some
    notices give different rates to different firms (`varies`: the note says which)."""

    kind: Literal["base_plus_spread", "fixed", "varies"]
    spread_pct: Decimal | None = Field(default=None, ge=-10, le=10)
    rate_pct: Decimal | None = Field(default=None, ge=0, le=30)
    note: Text | None = None

    @model_validator(mode="after")
    def _one(self) -> Interest:
        if self.kind == "base_plus_spread" and self.spread_pct is None:
            raise ValueError("base_plus_spread needs spread_pct")
        if self.kind == "fixed" and self.rate_pct is None:
            raise ValueError("fixed needs rate_pct")
        if self.kind == "varies" and self.note is None:
            raise ValueError("varies needs a note saying which firms get which rate")
        return self


class Limits(_Strict):
    amount: int | None = Field(default=None, ge=0, le=MAX_WON)
    amount_note: Text | None = None
    interest: Interest | None = None
    term_years: float | None = Field(default=None, gt=0, le=50)
    grace_years: float | None = Field(default=None, ge=0, le=20)
    max_uses: int | None = Field(default=None, ge=1, le=1000)

    @model_validator(mode="after")
    def _grace(self) -> Limits:
        if self.term_years is not None and self.grace_years is not None and self.grace_years >= self.term_years:
            raise ValueError("grace_years must be shorter than term_years")
        return self


class Window(_Strict):
    """When applications are taken.

    - `always_open`: taken all year, until the budget is used (the KOSMES policy funds);
    - `opens`/`closes`: one dated window; `opens` without `closes` on a window that is not
      `selective` runs until the budget is used;
    - `selective`: a recruitment round (모집 공고) whose applicants are selected by evaluation
      (선정평가): a firm that meets every criterion may apply but is not sure to be supported. A
      selective round that states when it opened but not when it closes is *not* open until the
      budget is used: the page says the closing date is to be checked in the notice;
    - `by_notice`: taken only in recruitment rounds announced by notice, none of whose dates the
      catalog knows (the page says "모집 공고 시 접수", never "상시");
    - `year`: the program year the notice recruits for; after its 31 December the round is over.
    """

    always_open: bool = False
    by_notice: bool = False
    opens: date | None = None
    closes: date | None = None
    closes_at: time = time(18, 0)
    selective: bool = False
    year: int | None = Field(default=None, ge=2000, le=2100)
    note: Text | None = None

    @model_validator(mode="after")
    def _shape(self) -> Window:
        if self.always_open and (self.opens or self.closes or self.by_notice):
            raise ValueError("always_open excludes opens/closes and by_notice")
        if self.by_notice and (self.opens or self.closes):
            raise ValueError("by_notice is for rounds whose dates are not known; give opens/closes instead")
        if not self.always_open and not self.by_notice and self.closes is None and self.opens is None:
            raise ValueError("a window needs opens and/or closes, or always_open: true, or by_notice: true")
        if self.opens and self.closes and self.opens > self.closes:
            raise ValueError("opens must not be after closes")
        if self.year is not None and self.closes is not None and self.closes.year > self.year:
            raise ValueError("closes must fall in the program year")
        return self

    @property
    def round_unconfirmed(self) -> bool:
        """A recruitment round that opened on a known date and closes on one the catalog lacks."""
        return self.selective and self.opens is not None and self.closes is None

    def last_day(self) -> date | None:
        """The last day applications may be taken, when known: `closes`, or the end of `year`."""
        if self.closes is not None:
            return self.closes
        return date(self.year, 12, 31) if self.year is not None else None

    def deadline(self) -> datetime | None:
        if self.always_open or self.closes is None:
            return None
        return datetime.combine(self.closes, self.closes_at, tzinfo=KST)

    def is_open_on(self, on: date) -> bool:
        """Applications are surely taken on `on` (an unconfirmed or by-notice round is not)."""
        if self.always_open:
            return True
        if self.by_notice or self.round_unconfirmed:
            return False
        return (self.opens is None or self.opens <= on) and (self.closes is None or on <= self.closes)

    def is_closed_for_good(self, on: date) -> bool:
        """Closed on `on` and will not open again in this notice."""
        last = self.last_day()
        return not self.always_open and last is not None and on > last


class Document(_Strict):
    id: str
    ko: str
    en: str


class Links(_Strict):
    requires: list[str] = Field(default_factory=list)
    follows: list[str] = Field(default_factory=list)
    package_with: list[str] = Field(default_factory=list)
    excludes: list[str] = Field(default_factory=list)


class Ranking(_Strict):
    favoured_certifications: list[str] = Field(default_factory=list)
    boost: int = Field(default=0, ge=-10, le=10)


def _web_url(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return web_url(value)
    except DomainError as e:
        raise PydanticCustomError(e.code, "{en}", {"ko": e.ko, "en": e.en}) from None


#: A link shown on public pages: http(s) only (issue 14 §4: a `javascript:` source ran script).
WebUrl = Annotated[str | None, AfterValidator(_web_url)]


class Source(_Strict):
    """A published text the catalog follows: a notice (공고, with its number) or a page."""

    title: str
    publisher: str
    #: the notice number, e.g. `중소벤처기업부 공고 제2026-464호`
    number: str | None = None
    url: WebUrl = None
    #: the date of the text; None when the copy read did not show it (never guessed)
    date: date | None
    #: how the text was read when not from the publisher itself (a copy, a quoting repository)
    read_via: str | None = None

    def citation(self) -> str:
        """`title (number, publisher, date)` as shown on pages and in the figures page."""
        parts = [p for p in (self.number, self.publisher, self.date.isoformat() if self.date else None) if p]
        return f"{self.title} ({', '.join(parts)})"


class FigureCheck(_Strict):
    """How one figure of a program was checked: against a source (`source`: `source` for the
    program's own, or an id from `sources`; `at`: page or section), or not (`unconfirmed`: why)."""

    source: str | None = None
    at: str | None = None
    unconfirmed: str | None = None

    @model_validator(mode="after")
    def _one(self) -> FigureCheck:
        if (self.source is None) == (self.unconfirmed is None):
            raise ValueError("a figure is either checked against a source or unconfirmed with a reason")
        if self.unconfirmed is not None and not self.unconfirmed.strip():
            raise ValueError("say why the figure could not be confirmed")
        return self

    @property
    def confirmed(self) -> bool:
        return self.source is not None


class Line(_Strict):
    """One line of a program (시설자금 / 운전자금; a sub-type such as first-time exporters) with its own
    limits and, optionally, criteria of its own on top of the program's."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: Text
    amount: int | None = Field(default=None, ge=0, le=MAX_WON)
    amount_note: Text | None = None
    interest: Interest | None = None
    term_years: float | None = Field(default=None, gt=0, le=50)
    grace_years: float | None = Field(default=None, ge=0, le=20)
    eligibility: dict[str, object] | None = None

    @model_validator(mode="after")
    def _grace(self) -> Line:
        if self.term_years is not None and self.grace_years is not None and self.grace_years >= self.term_years:
            raise ValueError("grace_years must be shorter than term_years")
        return self


class Agency(_Strict):
    id: str
    name: Text
    url: WebUrl = None


class RubricItem(_Strict):
    """One item of an evaluation committee's rubric (평가 항목) and its weight (배점, points out
    of 100); `levels` overrides the rubric's common level meanings for this item."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: Text
    weight: int = Field(ge=1, le=100)
    levels: list[Text] = Field(default_factory=list)


class Rubric(_Strict):
    """How a program's evaluation committee (평가위원회) scores: items with weights summing to 100,
    a scale whose levels are worth level/scale of an item's weight (5단계: 매우 우수 100% … 매우
    미흡 20%), the pass mark on the total (out of 100), how many scores a decision needs, and
    the conflict rules the program states (see `evaluation.committee_model`)."""

    items: list[RubricItem] = Field(min_length=1, max_length=20)
    #: what each level means, lowest first; the scale is 1..len(scale)
    scale: list[Text] = Field(min_length=2, max_length=10)
    pass_mark: int = Field(ge=0, le=100)
    quorum: int = Field(default=3, ge=1, le=20)
    #: an evaluator whose 시군구 is the firm's is excluded (regional programs that say so)
    same_region_excluded: bool = False
    #: a declared past employment at the firm excludes the evaluator for this many years after it ended
    past_employment_years: int = Field(default=3, ge=0, le=20)
    #: where the items come from (the notice's 평가 항목), or why the weights are the platform's
    source: Text

    @model_validator(mode="after")
    def _weights(self) -> Rubric:
        ids = [i.id for i in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("rubric item ids must be distinct")
        if sum(i.weight for i in self.items) != 100:
            raise ValueError(f"rubric weights must sum to 100; they sum to {sum(i.weight for i in self.items)}")
        for item in self.items:
            if item.levels and len(item.levels) != len(self.scale):
                raise ValueError(f"item {item.id!r} has {len(item.levels)} levels; the scale has {len(self.scale)}")
        return self

    def level_names(self, item: RubricItem) -> list[Text]:
        return item.levels or self.scale


#: the credit model's recommendation bands (evaluation.scoring.BANDS: A ≥ 980, B 950–979, C 850–949, D below)
BandName = Literal["A", "B", "C", "D"]


class FastTrack(_Strict):
    """The fast track (패스트트랙) of a crisis fund: an application that passed the rules and whose
    recommendation band is one of `bands` must be decided within `service_days` Korean business
    days of entering the queue (see `evaluation.fasttrack`)."""

    service_days: int = Field(ge=1, le=60)
    bands: list[BandName] = Field(min_length=1)
    source: Text


class ProgramSpec(_Strict):
    """The YAML of one program, before its eligibility is parsed into a rule tree."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: Text
    agency: str
    category: Category
    support_type: SupportType
    summary: Text
    limits: Limits = Field(default_factory=Limits)
    application_window: Window
    budget: int | None = Field(default=None, ge=0, le=MAX_WON)
    required_documents: list[Document] = Field(default_factory=list)
    links: Links = Field(default_factory=Links)
    eligibility: dict[str, object]
    ranking: Ranking = Field(default_factory=Ranking)
    source: Source
    #: further texts figures were checked against, by id (`source` names the program's own)
    sources: dict[str, Source] = Field(default_factory=dict)
    #: every figure's check (see `figure_keys`); the shipped catalog checks all of them
    figures: dict[str, FigureCheck] = Field(default_factory=dict)
    #: figures not confirmed, as older versions listed them (paths only); `figures` supersedes it
    unconfirmed: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    lines: list[Line] = Field(default_factory=list)
    #: who may apply: registered businesses, and for some programs prospective founders (예비창업자)
    applicants: list[ApplicantKindName] = Field(default_factory=lambda: list[ApplicantKindName](["firm"]))
    #: the evaluation committee's rubric, for programs that select by committee
    committee: Rubric | None = None
    #: the fast track's service level, for crisis funds
    fast_track: FastTrack | None = None
    #: the outcomes the program measures and when they are reported (`outcomes.model`)
    outcomes: OutcomePlan | None = None

    @model_validator(mode="after")
    def _references(self) -> ProgramSpec:
        ids = [line.id for line in self.lines]
        if len(set(ids)) != len(ids):
            raise ValueError("line ids must be distinct")
        for key, check in self.figures.items():
            if check.source is not None and check.source != "source" and check.source not in self.sources:
                raise ValueError(f"figure {key!r} names source {check.source!r}, which is not in `sources`")
        if not self.applicants:
            raise ValueError("applicants must name at least one kind of applicant")
        return self

    def source_of(self, key: str) -> Source:
        return self.source if key == "source" else self.sources[key]

    def unconfirmed_figures(self) -> list[tuple[str, str]]:
        """(figure, why) for every figure not confirmed; legacy paths without a reason say so."""
        out = [(k, c.unconfirmed) for k, c in self.figures.items() if c.unconfirmed is not None]
        seen = {k for k, _ in out}
        out.extend((k, "원문과 대조하지 못함 / not checked against the source")
                   for k in self.unconfirmed if k not in seen)
        return out


class Program:
    """A program with its eligibility parsed and checked.

    `rule` is the whole test (the program's criteria, who may apply, and — when lines have criteria
    of their own — that some line fits); `line_rules` pairs each line with the test of that line
    (the program's criteria and the line's own)."""

    __slots__ = ("guard", "line_rules", "rule", "spec")

    def __init__(self, spec: ProgramSpec, rule: Rule, line_rules: tuple[tuple[Line, Rule], ...] = (),
                 guard: Leaf | None = None) -> None:
        self.spec = spec
        self.rule = rule
        self.line_rules = line_rules
        #: the criterion on who may apply (None: anyone may)
        self.guard = guard

    @property
    def id(self) -> str:
        return self.spec.id

    def __repr__(self) -> str:
        return f"Program({self.spec.id!r})"
