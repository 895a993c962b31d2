"""Advisory routing, the pure core: one need, routed to the two or three competent experts
(after Place des Entreprises / Conseillers-Entreprises), every decision explained.

An expert is chosen by the need's subject, the regions the expert covers, the expert's match
filters (stored as data: KSIC prefixes accepted or excluded, firm sizes, business age) and open
capacity. Reminders follow at +7, +21 and +45 Korean business days after routing.
No web, database or file I/O here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from onestop.errors import DomainError, FieldProblem
from onestop.korea.hangul import josa
from onestop.korea.sme_size import SIZE_CLASS_GROUPS
from onestop.text import identifier


class Subject(StrEnum):
    """The taxonomy a firm picks its need's subject from (seed 003: the advisory corps' fields)."""

    tech = "tech"
    export = "export"
    management = "management"
    finance = "finance"
    people = "people"
    market = "market"
    smart_factory = "smart_factory"


SUBJECT_NAMES: dict[str, tuple[str, str]] = {
    "tech": ("기술", "Technology"),
    "export": ("수출", "Export"),
    "management": ("경영", "Management"),
    "finance": ("자금", "Finance"),
    "people": ("인력", "People and hiring"),
    "market": ("판로", "Sales channels"),
    "smart_factory": ("스마트공장", "Smart factory"),
}


class Closure(StrEnum):
    """How a need ends."""

    done = "done"
    done_without_help = "done_without_help"
    unreachable = "unreachable"


CLOSURE_NAMES: dict[str, tuple[str, str]] = {
    "done": ("도움을 받아 해결", "Done, with the expert's help"),
    "done_without_help": ("도움 없이 해결", "Done without help"),
    "unreachable": ("연락 불가", "Firm not reachable"),
}

SIZE_NAMES = SIZE_CLASS_GROUPS

#: Short names of the 시도 for explanations ("서울·경기 담당"); codes as in `korea.regions`.
SIDO_SHORT: dict[str, tuple[str, str]] = {
    "11": ("서울", "Seoul"), "12": ("전남광주", "Jeonnam-Gwangju"), "26": ("부산", "Busan"),
    "27": ("대구", "Daegu"), "28": ("인천", "Incheon"), "29": ("광주", "Gwangju"), "30": ("대전", "Daejeon"),
    "31": ("울산", "Ulsan"), "36": ("세종", "Sejong"), "41": ("경기", "Gyeonggi"), "42": ("강원", "Gangwon"),
    "43": ("충북", "Chungbuk"), "44": ("충남", "Chungnam"), "45": ("전북", "Jeonbuk"), "46": ("전남", "Jeonnam"),
    "47": ("경북", "Gyeongbuk"), "48": ("경남", "Gyeongnam"), "50": ("제주", "Jeju"), "51": ("강원", "Gangwon"),
    "52": ("전북", "Jeonbuk"),
}

#: KSIC sections (11th revision), Korean and English, for "제조업 대상" / "for manufacturing".
KSIC_SECTIONS: dict[str, tuple[str, str]] = {
    "A": ("농업, 임업 및 어업", "agriculture, forestry and fishing"), "B": ("광업", "mining"),
    "C": ("제조업", "manufacturing"), "D": ("전기, 가스, 증기 및 공기 조절 공급업", "electricity and gas supply"),
    "E": ("수도, 하수 및 폐기물 처리, 원료 재생업", "water, sewage and waste"), "F": ("건설업", "construction"),
    "G": ("도매 및 소매업", "wholesale and retail trade"), "H": ("운수 및 창고업", "transport and storage"),
    "I": ("숙박 및 음식점업", "accommodation and food services"),
    "J": ("정보통신업", "information and communication"), "K": ("금융 및 보험업", "finance and insurance"),
    "L": ("부동산업", "real estate"), "M": ("전문, 과학 및 기술 서비스업", "professional, scientific and technical services"),
    "N": ("사업시설 관리, 사업 지원 및 임대 서비스업", "business support services"),
    "O": ("공공 행정, 국방 및 사회보장 행정", "public administration"), "P": ("교육 서비스업", "education"),
    "Q": ("보건업 및 사회복지 서비스업", "health and social work"),
    "R": ("예술, 스포츠 및 여가관련 서비스업", "arts, sports and recreation"),
    "S": ("협회 및 단체, 수리 및 기타 개인 서비스업", "associations, repair and other personal services"),
    "T": ("가구 내 고용활동 및 자가소비 생산활동", "households as employers"), "U": ("국제 및 외국기관", "extraterritorial bodies"),
}

#: business days after routing at which an unanswered or unclosed need is chased
REMINDER_DAYS: tuple[int, ...] = (7, 21, 45)
#: how many experts one need goes to (Place des Entreprises: "two or three")
ROUTE_TO = 3
MAX_CAPACITY = 200


def ksic_phrase(prefix: str) -> tuple[str, str]:
    """"제조업" for C, "제조업(C26)" for a finer prefix: the name first, the code only as a detail."""
    section = KSIC_SECTIONS.get(prefix[:1].upper(), (prefix, prefix))
    if len(prefix) == 1:
        return section
    return f"{section[0]}({prefix})", f"{section[1]} ({prefix})"


@dataclass(frozen=True)
class MatchFilters:
    """What an expert accepts: empty tuples and None mean "any"."""

    ksic_prefixes: tuple[str, ...] = ()
    exclude_ksic_prefixes: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    min_business_age: int | None = None
    max_business_age: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ksic_prefixes": list(self.ksic_prefixes), "exclude_ksic_prefixes": list(self.exclude_ksic_prefixes),
                "sizes": list(self.sizes), "min_business_age": self.min_business_age,
                "max_business_age": self.max_business_age}


def _bad(field_name: str, ko: str, en: str) -> FieldProblem:
    return FieldProblem(field=field_name, code="invalid", ko=ko, en=en)


def _prefixes(raw: object, field_name: str, problems: list[FieldProblem]) -> tuple[str, ...]:
    if raw is None or raw == "":
        return ()
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        problems.append(_bad(field_name, "업종 코드 목록이어야 합니다 (예: C, C26, J62).",
                             "Give a list of KSIC codes (e.g. C, C26, J62)."))
        return ()
    out = []
    for item in items:
        code = identifier(str(item)).upper()
        if not code:
            continue
        digits = code[1:]
        if code[0] not in KSIC_SECTIONS or len(code) > 6 or (digits and not (digits.isascii() and digits.isdigit())):
            problems.append(_bad(field_name, f"{josa(repr(code), '는')} 한국표준산업분류 코드가 아닙니다. 대분류 문자(A–U)와 숫자 "
                                             "최대 5자리로 쓰세요 (예: C, C26).",
                                 f"'{code}' is not a KSIC code: a section letter A–U and up to 5 digits (e.g. C, C26)."))
            continue
        out.append(code)
    return tuple(dict.fromkeys(out))


def _age(raw: object, field_name: str, problems: list[FieldProblem]) -> int | None:
    if raw is None or raw == "":
        return None
    text = identifier(str(raw))
    if not (text.isascii() and text.isdigit()) or int(text) > 200:
        problems.append(_bad(field_name, "업력은 0에서 200 사이의 연 수로 쓰세요.",
                             "Business age is a number of years from 0 to 200."))
        return None
    return int(text)


def parse_filters(raw: Mapping[str, Any]) -> MatchFilters:
    """Match filters from stored or typed data; DomainError naming each bad field."""
    problems: list[FieldProblem] = []
    sizes: list[str] = []
    raw_sizes = raw.get("sizes") or []
    for s in raw_sizes.split(",") if isinstance(raw_sizes, str) else raw_sizes:
        s = identifier(str(s))
        if not s:
            continue
        if s not in SIZE_NAMES:
            problems.append(_bad("sizes", "기업 규모는 소상공인(micro), 소기업(small), 중기업(medium) 중에서 고르세요.",
                                 "Firm sizes are micro, small or medium."))
        else:
            sizes.append(s)
    f = MatchFilters(
        ksic_prefixes=_prefixes(raw.get("ksic_prefixes"), "ksic_prefixes", problems),
        exclude_ksic_prefixes=_prefixes(raw.get("exclude_ksic_prefixes"), "exclude_ksic_prefixes", problems),
        sizes=tuple(dict.fromkeys(sizes)),
        min_business_age=_age(raw.get("min_business_age"), "min_business_age", problems),
        max_business_age=_age(raw.get("max_business_age"), "max_business_age", problems),
    )
    if f.min_business_age is not None and f.max_business_age is not None and f.min_business_age > f.max_business_age:
        problems.append(_bad("max_business_age", "최대 업력은 최소 업력보다 작을 수 없습니다.",
                             "The maximum business age cannot be below the minimum."))
    if problems:
        raise DomainError(code="invalid", field=problems[0].field, ko=problems[0].ko, en=problems[0].en,
                          problems=problems)
    return f


@dataclass(frozen=True)
class Expert:
    """An expert as routing sees it: who, what and where they advise, their filters and load."""

    id: int
    name: str
    institution: str
    subjects: frozenset[str]
    #: 시도 codes covered; empty = nationwide
    regions: frozenset[str]
    filters: MatchFilters = field(default_factory=MatchFilters)
    capacity: int = 10
    open_load: int = 0

    @property
    def free(self) -> int:
        return self.capacity - self.open_load


@dataclass(frozen=True)
class NeedFacts:
    """The need as routing sees it: its subject and the firm's profile at the time."""

    subject: str
    sido: str
    ksic: str
    size_class: str | None = None
    business_age_years: int | None = None


@dataclass(frozen=True)
class Routed:
    """An expert chosen for a need, and why ("서울·경기 담당, 수출 자문, 제조업 대상")."""

    expert: Expert
    ko: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        e = self.expert
        return {"expert_id": e.id, "name": e.name, "institution": e.institution, "free_capacity": e.free,
                "reason_ko": self.ko, "reason_en": self.en}


#: why an expert was not chosen, for the explanation of the whole decision
EXCLUSIONS: dict[str, tuple[str, str]] = {
    "subject": ("다른 분야 담당", "advises on other subjects"),
    "region": ("다른 지역 담당", "covers other regions"),
    "industry": ("업종 조건 불일치", "does not take this industry"),
    "size": ("기업 규모 조건 불일치", "does not take firms of this size"),
    "age": ("업력 조건 불일치", "does not take firms of this business age"),
    "capacity": ("상담 여력 없음", "has no open capacity"),
    "declined": ("이미 거절함", "already declined this need"),
}


def exclusion(expert: Expert, need: NeedFacts) -> str | None:
    """The first reason `expert` cannot take `need`, or None when they can."""
    if need.subject not in expert.subjects:
        return "subject"
    if expert.regions and need.sido not in expert.regions:
        return "region"
    f = expert.filters
    if f.ksic_prefixes and not need.ksic.startswith(f.ksic_prefixes):
        return "industry"
    if f.exclude_ksic_prefixes and need.ksic.startswith(f.exclude_ksic_prefixes):
        return "industry"
    if f.sizes and need.size_class not in f.sizes:
        return "size"
    if f.min_business_age is not None or f.max_business_age is not None:
        age = need.business_age_years
        if age is None or (f.min_business_age is not None and age < f.min_business_age) or (
                f.max_business_age is not None and age > f.max_business_age):
            return "age"
    if expert.free <= 0:
        return "capacity"
    return None


def explain(expert: Expert, need: NeedFacts) -> tuple[str, str]:
    """Why this expert fits, in the order a firm reads it: where, what, for whom."""
    ko: list[str] = []
    en: list[str] = []
    if expert.regions:
        codes = sorted(expert.regions)
        ko.append("·".join(SIDO_SHORT.get(c, (c, c))[0] for c in codes) + " 담당")
        en.append("covers " + ", ".join(SIDO_SHORT.get(c, (c, c))[1] for c in codes))
    else:
        ko.append("전국 담당")
        en.append("covers the whole country")
    s_ko, s_en = SUBJECT_NAMES[need.subject]
    ko.append(f"{s_ko} 자문")
    en.append(f"advises on {s_en.lower()}")
    f = expert.filters
    if f.ksic_prefixes:
        names = [ksic_phrase(p) for p in f.ksic_prefixes if need.ksic.startswith(p)]
        ko.append("·".join(n[0] for n in names) + " 대상")
        en.append("for " + ", ".join(n[1] for n in names))
    if f.sizes:
        ko.append("·".join(SIZE_NAMES[s][0] for s in f.sizes) + " 대상")
        en.append("for " + ", ".join(SIZE_NAMES[s][1] for s in f.sizes))
    if f.min_business_age is not None or f.max_business_age is not None:
        lo, hi = f.min_business_age, f.max_business_age
        if lo is not None and hi is not None:
            ko.append(f"업력 {lo}–{hi}년 대상")
            en.append(f"for firms {lo}–{hi} years old")
        elif lo is not None:
            ko.append(f"업력 {lo}년 이상 대상")
            en.append(f"for firms at least {lo} years old")
        else:
            ko.append(f"업력 {hi}년 이하 대상")
            en.append(f"for firms at most {hi} years old")
    ko.append(f"상담 여력 {expert.free}건")
    en.append(f"{expert.free} open slot" + ("" if expert.free == 1 else "s"))
    return ", ".join(ko), "; ".join(en)


@dataclass(frozen=True)
class Decision:
    """The experts chosen and, for the rest, how many were left out for each reason."""

    routed: tuple[Routed, ...]
    excluded: dict[str, int]
    considered: int

    def as_dict(self) -> dict[str, Any]:
        return {"routed": [r.as_dict() for r in self.routed], "considered": self.considered,
                "excluded": [{"reason": k, "ko": EXCLUSIONS[k][0], "en": EXCLUSIONS[k][1], "experts": n}
                             for k, n in self.excluded.items()]}


def _rank(e: Expert) -> tuple[int, float, int, int]:
    # a regional expert before a nationwide one (closer to the firm), then the most free
    # capacity in proportion, then the fewest open needs, then the oldest registration
    return (0 if e.regions else 1, -(e.free / e.capacity if e.capacity else 0.0), e.open_load, e.id)


@dataclass
class ExpertPool:
    """Experts indexed by subject and 시도 (nationwide experts under every 시도 of their subjects),
    so that routing one need looks only at the experts who advise on its subject where the firm
    is: 10,000 experts in the pool, a few hundred looked at (BENCHMARKS.md)."""

    size: int = 0
    by_subject: dict[str, int] = field(default_factory=dict)
    by_place: dict[tuple[str, str], list[Expert]] = field(default_factory=dict)
    nationwide: dict[str, list[Expert]] = field(default_factory=dict)

    @classmethod
    def build(cls, experts: Iterable[Expert]) -> ExpertPool:
        pool = cls()
        for e in experts:
            pool.size += 1
            for s in e.subjects:
                pool.by_subject[s] = pool.by_subject.get(s, 0) + 1
                if e.regions:
                    for r in e.regions:
                        pool.by_place.setdefault((s, r), []).append(e)
                else:
                    pool.nationwide.setdefault(s, []).append(e)
        return pool

    def candidates(self, need: NeedFacts) -> list[Expert]:
        return self.by_place.get((need.subject, need.sido), []) + self.nationwide.get(need.subject, [])


def _decide(need: NeedFacts, candidates: Iterable[Expert], limit: int, skip: frozenset[int],
            excluded: dict[str, int], considered: int) -> Decision:
    fit: list[Expert] = []
    for e in candidates:
        why = exclusion(e, need)
        if why is None and e.id in skip:
            why = "declined"
        if why is None:
            fit.append(e)
        else:
            excluded[why] = excluded.get(why, 0) + 1
    fit.sort(key=_rank)
    chosen = tuple(Routed(e, *explain(e, need)) for e in fit[:limit])
    return Decision(chosen, {k: excluded[k] for k in EXCLUSIONS if excluded.get(k)}, considered)


def _check_subject(need: NeedFacts) -> None:
    if need.subject not in SUBJECT_NAMES:
        raise DomainError(code="invalid", field="subject", ko="자문 분야를 목록에서 고르세요.",
                          en="Choose the subject from the list.")


def route(need: NeedFacts, experts: Iterable[Expert], limit: int = ROUTE_TO,
          skip: frozenset[int] = frozenset()) -> Decision:
    """Choose up to `limit` experts for `need`, looking at every expert; `skip` are experts who
    already declined it (counted as such when they would otherwise fit)."""
    _check_subject(need)
    pool = list(experts)
    return _decide(need, pool, limit, skip, {}, len(pool))


def route_pool(need: NeedFacts, pool: ExpertPool, limit: int = ROUTE_TO,
               skip: frozenset[int] = frozenset()) -> Decision:
    """The same decision as `route` over the pool's experts, looking only at the candidates; the
    experts of other subjects and regions are counted, not visited."""
    _check_subject(need)
    candidates = pool.candidates(need)
    with_subject = pool.by_subject.get(need.subject, 0)
    excluded = {"subject": pool.size - with_subject, "region": with_subject - len(candidates)}
    return _decide(need, candidates, limit, skip, excluded, pool.size)


def reminder_dates(start: date, is_business_day: Callable[[date], bool],
                   steps: tuple[int, ...] = REMINDER_DAYS) -> list[tuple[int, date]]:
    """The day of each reminder: the n-th Korean business day after `start` for each n in `steps`."""
    out: list[tuple[int, date]] = []
    day, counted = start, 0
    for n in sorted(steps):
        while counted < n:
            day += timedelta(days=1)
            if is_business_day(day):
                counted += 1
        out.append((n, day))
    return out


def age_band(business_days: int) -> str:
    """An open need's age band for the officer's view, on the reminder steps."""
    if business_days < REMINDER_DAYS[0]:
        return "new"
    if business_days < REMINDER_DAYS[1]:
        return "d7"
    if business_days < REMINDER_DAYS[2]:
        return "d21"
    return "d45"


AGE_BANDS: dict[str, tuple[str, str]] = {
    "new": ("7영업일 미만", "Under 7 business days"),
    "d7": ("7–20영업일", "7–20 business days"),
    "d21": ("21–44영업일", "21–44 business days"),
    "d45": ("45영업일 이상", "45 business days or more"),
}


def check_satisfaction(raw: str) -> int:
    text = identifier(raw)
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 5:
        raise DomainError(code="invalid", field="satisfaction", ko="만족도는 1(매우 불만족)부터 5(매우 만족) 중에서 고르세요.",
                          en="Rate your satisfaction from 1 (very dissatisfied) to 5 (very satisfied).")
    return int(text)
