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
from onestop.rules.syntax import Rule
from onestop.text import web_url


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
    """Policy loans are priced as the 정책자금 기준금리 plus a spread; a few at a fixed rate."""

    kind: Literal["base_plus_spread", "fixed"]
    spread_pct: Decimal | None = Field(default=None, ge=-10, le=10)
    rate_pct: Decimal | None = Field(default=None, ge=0, le=30)
    note: Text | None = None

    @model_validator(mode="after")
    def _one(self) -> Interest:
        if self.kind == "base_plus_spread" and self.spread_pct is None:
            raise ValueError("base_plus_spread needs spread_pct")
        if self.kind == "fixed" and self.rate_pct is None:
            raise ValueError("fixed needs rate_pct")
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
    """When applications are taken; `opens` without `closes` runs until the budget is used."""

    always_open: bool = False
    opens: date | None = None
    closes: date | None = None
    closes_at: time = time(18, 0)

    @model_validator(mode="after")
    def _shape(self) -> Window:
        if self.always_open and (self.opens or self.closes):
            raise ValueError("always_open excludes opens/closes")
        if not self.always_open and self.closes is None and self.opens is None:
            raise ValueError("a window needs opens and/or closes, or always_open: true")
        if self.opens and self.closes and self.opens > self.closes:
            raise ValueError("opens must not be after closes")
        return self

    def deadline(self) -> datetime | None:
        if self.always_open or self.closes is None:
            return None
        return datetime.combine(self.closes, self.closes_at, tzinfo=KST)

    def is_open_on(self, on: date) -> bool:
        if self.always_open:
            return True
        return (self.opens is None or self.opens <= on) and (self.closes is None or on <= self.closes)

    def is_closed_for_good(self, on: date) -> bool:
        """Closed on `on` and will not open again in this notice."""
        return not self.always_open and self.closes is not None and on > self.closes


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
    title: str
    publisher: str
    url: WebUrl = None
    date: date


class Agency(_Strict):
    id: str
    name: Text
    url: WebUrl = None


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
    unconfirmed: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class Program:
    """A program with its eligibility parsed and checked."""

    __slots__ = ("rule", "spec")

    def __init__(self, spec: ProgramSpec, rule: Rule) -> None:
        self.spec = spec
        self.rule = rule

    @property
    def id(self) -> str:
        return self.spec.id

    def __repr__(self) -> str:
        return f"Program({self.spec.id!r})"
