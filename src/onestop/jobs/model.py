"""The pure core of jobs: a seeker's profile, a posting, their checks, age groups on a date, and
the explained match score (the same score ranks postings for a seeker and seekers for a posting).

No web, database or file I/O here: the minimum wage and the age groups come in as values (the
adapters read them from the dated parameters `minimum_wage` and `age_groups`).

The score is a sum of documented parts, each shown to the user with its reason:

- occupation (40): the best level a sought code shares with the posting's code — 세세분류 40,
  세분류 30, 소분류 20, 중분류 10, 대분류 4; a held (not sought) code counts three quarters.
- experience (15): years in related occupations (same 세분류 in full, same 소분류 half, same
  중분류 a quarter) against the years the posting asks; full when it asks none.
- region (20): same 시군구 20; same 시도 within a 시도-wide commute 16; another 시도 with a
  nationwide commute 10; outside the commute 0.
- qualifications (10): education at least the posting's minimum 5; share of the required
  licences held × 5.
- conditions (15): employment type wanted 5; hours within the seeker's maximum 5; pay (hourly
  equivalent) against the seeker's floor × 5.
- text (5): share of the seeker's keywords (Korean morphemes, kiwipiepy) found in the posting's
  title and description × 5.
- programs (5): an age-group or career-break program the posting offers and the seeker can use
  (e.g. 신중년 적합직무).

Age is never a negative factor: it enters only through the programs part, which can only add.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

from onestop.errors import DomainError, FieldProblem
from onestop.jobs.occupations import LEVELS, shared_level
from onestop.korea.hangul import josa

# --- vocabularies ----------------------------------------------------------------------------


class EmploymentType(StrEnum):
    """고용형태, with the 고용24 open API's empTpCd."""

    permanent = "permanent"
    permanent_part_time = "permanent_part_time"
    fixed_term = "fixed_term"
    fixed_term_part_time = "fixed_term_part_time"
    dispatch = "dispatch"
    substitute = "substitute"


EMPLOYMENT_TYPES: dict[EmploymentType, tuple[str, str, str]] = {
    EmploymentType.permanent: ("10", "기간의 정함이 없는 근로계약", "Open-ended contract"),
    EmploymentType.permanent_part_time: ("11", "기간의 정함이 없는 근로계약(시간선택제)", "Open-ended, part-time"),
    EmploymentType.fixed_term: ("20", "기간의 정함이 있는 근로계약", "Fixed-term contract"),
    EmploymentType.fixed_term_part_time: ("21", "기간의 정함이 있는 근로계약(시간선택제)", "Fixed-term, part-time"),
    EmploymentType.dispatch: ("4", "파견근로", "Temporary agency work"),
    EmploymentType.substitute: ("3", "대체인력", "Substitute worker"),
}


class PayUnit(StrEnum):
    """임금형태, with the open API's salTp letter."""

    hour = "hour"
    day = "day"
    month = "month"
    year = "year"


PAY_UNITS: dict[PayUnit, tuple[str, str, str]] = {
    PayUnit.hour: ("H", "시급", "per hour"),
    PayUnit.day: ("D", "일급", "per day"),
    PayUnit.month: ("M", "월급", "per month"),
    PayUnit.year: ("Y", "연봉", "per year"),
}

#: 최종 학력, lowest first, with the open API's minEdubg names.
EDUCATION: tuple[tuple[str, str, str], ...] = (
    ("any", "학력무관", "Any"),
    ("middle", "중졸", "Middle school"),
    ("high", "고졸", "High school"),
    ("college", "대졸(2~3년)", "College, 2–3 years"),
    ("university", "대졸(4년)", "University, 4 years"),
    ("master", "석사", "Master's"),
    ("doctor", "박사", "Doctorate"),
)
EDUCATION_RANK = {e[0]: i for i, e in enumerate(EDUCATION)}


class Commute(StrEnum):
    """How far a seeker will commute: within the home 시군구, the home 시도, or anywhere."""

    district = "district"
    province = "province"
    nationwide = "nationwide"


COMMUTES: dict[Commute, tuple[str, str]] = {
    Commute.district: ("거주 시군구 안", "Within my district"),
    Commute.province: ("거주 시도 안", "Within my province"),
    Commute.nationwide: ("전국", "Anywhere in Korea"),
}

#: Programs a posting may say it offers; who can use each (an age group id or `career_break`).
PROGRAMS: dict[str, tuple[str, str, str]] = {
    "new_middle_aged_job": ("new_middle_aged", "신중년 적합직무", "New middle-aged suitable job"),
    "middle_aged_welcome": ("middle_aged", "중장년 우대", "Middle-aged welcome"),
    "youth_tomorrow": ("youth", "청년내일채움공제 가입 가능", "Youth Tomorrow Mutual Aid eligible"),
    "career_break_return": ("career_break", "경력단절여성 새일 채용", "Career-break return (Saeil)"),
}


# --- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeGroup:
    id: str
    ko: str
    en: str
    min_age: int
    max_age: int


#: how many sought and how many held occupations a profile keeps
MAX_OCCUPATIONS = 3


def age_on(birth_year: int, on: date) -> int:
    """Age counted from the birth year (연 나이): the platform asks for the year only."""
    return on.year - birth_year


def age_groups(birth_year: int, on: date, groups: Iterable[AgeGroup]) -> list[AgeGroup]:
    age = age_on(birth_year, on)
    return [g for g in groups if g.min_age <= age <= g.max_age]


@dataclass(frozen=True, slots=True)
class Experience:
    occupation: str
    years: int


@dataclass(frozen=True, slots=True)
class Seeker:
    id: int
    birth_year: int
    region: str
    commute: Commute
    held: tuple[Experience, ...] = ()
    sought: tuple[str, ...] = ()
    education: str = "any"
    licences: frozenset[str] = frozenset()
    employment_types: frozenset[EmploymentType] = frozenset()
    max_hours_per_week: int = 52
    pay_floor_won: int = 0
    pay_floor_unit: PayUnit = PayUnit.hour
    career_break: bool = False
    keywords: str = ""


@dataclass(frozen=True)
class Posting:
    id: int
    title: str
    occupation: str
    region: str
    employment_type: EmploymentType
    hours_per_week: int
    pay_won: int
    pay_unit: PayUnit
    opens_on: date
    closes_on: date
    education_min: str = "any"
    career_years: int = 0
    licences: frozenset[str] = frozenset()
    programs: frozenset[str] = frozenset()
    description: str = ""
    firm_id: int = 0


# --- pay -------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def paid_hours_per_month(hours_per_week: int) -> int:
    """Paid hours of a month: the weekly hours plus 주휴 (a paid day of rest, 근로기준법 제55조,
    for 15 hours a week or more, in proportion to the hours), times 365/7/12 weeks, rounded up —
    the 고용노동부 convention that gives 209 hours for 40 a week."""
    weekly = Fraction(hours_per_week) + (Fraction(hours_per_week, 5) if hours_per_week >= 15 else 0)
    return math.ceil(weekly * 365 / 7 / 12)


@lru_cache(maxsize=1024)
def hours_in(unit: PayUnit, hours_per_week: int) -> Fraction:
    """The paid hours one pay unit stands for at the given weekly hours."""
    hours_per_week = max(1, hours_per_week)
    if unit == PayUnit.hour:
        return Fraction(1)
    if unit == PayUnit.day:
        return min(Fraction(8), Fraction(hours_per_week, 5))
    month = paid_hours_per_month(hours_per_week)
    return Fraction(month * (12 if unit == PayUnit.year else 1))


def hourly(amount: int, unit: PayUnit, hours_per_week: int) -> Fraction:
    return Fraction(amount) / hours_in(unit, hours_per_week)


def minimum_for(unit: PayUnit, hours_per_week: int, minimum_hourly: int) -> int:
    """The lowest pay of a unit at the minimum wage (won, rounded up)."""
    return math.ceil(minimum_hourly * hours_in(unit, hours_per_week))


# --- checks ----------------------------------------------------------------------------------


def check_birth_year(birth_year: int, on: date, min_working_age: int) -> list[FieldProblem]:
    age = age_on(birth_year, on)
    if birth_year < 1900 or age > 120:
        return [FieldProblem("birth_year", "birth_year_range", f"출생연도 {birth_year}년은 받을 수 없습니다. 1900년 이후로 입력하세요.",
                             f"Birth year {birth_year} is not accepted; enter a year from 1900 on.")]
    if age < min_working_age:
        return [FieldProblem("birth_year", "birth_year_child",
                             f"출생연도 {birth_year}년이면 {on.year}년에 {age}세입니다. 근로기준법 제64조에 따라 "
                             f"{min_working_age}세 미만은 구직 회원이 될 수 없습니다. "
                             f"{on.year - min_working_age}년 이전 출생연도를 입력하세요.",
                             f"Born in {birth_year}, you are {age} in {on.year}: under the Labor Standards Act "
                             f"(Article 64) no one under {min_working_age} can register as a job seeker. Enter "
                             f"{on.year - min_working_age} or earlier.")]
    return []


def check_posting(posting: Posting, minimum_hourly: int, minimum_source: str) -> list[FieldProblem]:
    """What is wrong with a posting: dates, hours, pay below the minimum wage of its open date."""
    out: list[FieldProblem] = []
    if not posting.title:
        out.append(FieldProblem("title", "title_missing", "공고 제목을 입력하세요.", "Enter the posting's title."))
    if posting.closes_on < posting.opens_on:
        out.append(FieldProblem("closes_on", "closes_before_opens",
                                f"마감일({posting.closes_on.isoformat()})이 시작일({posting.opens_on.isoformat()})보다 "
                                "앞섭니다. 시작일 이후 날짜를 입력하세요.",
                                f"The closing date ({posting.closes_on.isoformat()}) is before the opening date "
                                f"({posting.opens_on.isoformat()}); choose a date on or after it."))
    if not 1 <= posting.hours_per_week <= 52:
        out.append(FieldProblem("hours_per_week", "hours_range",
                                "주 근로시간은 1~52시간으로 입력하세요(근로기준법 제50조·제53조: 주 40시간, 연장 12시간까지).",
                                "Weekly hours must be 1 to 52 (Labor Standards Act Articles 50 and 53: 40 hours plus "
                                "up to 12 of overtime)."))
    elif posting.pay_won < minimum_for(posting.pay_unit, posting.hours_per_week, minimum_hourly):
        least = minimum_for(posting.pay_unit, posting.hours_per_week, minimum_hourly)
        _, unit_ko, unit_en = PAY_UNITS[posting.pay_unit]
        out.append(FieldProblem("pay_won", "pay_below_minimum_wage",
                                f"{unit_ko} {posting.pay_won:,}원은 최저임금보다 적습니다. 주 {posting.hours_per_week}시간이면 "
                                f"{unit_ko} {least:,}원 이상이어야 합니다(시간급 {minimum_hourly:,}원, {minimum_source}).",
                                f"{posting.pay_won:,} won {unit_en} is below the minimum wage: at {posting.hours_per_week} "
                                f"hours a week it must be at least {least:,} won {unit_en} ({minimum_hourly:,} won an hour, "
                                f"{minimum_source})."))
    if posting.education_min not in EDUCATION_RANK:
        out.append(_choice("education_min", posting.education_min, [e[0] for e in EDUCATION]))
    if posting.career_years < 0 or posting.career_years > 40:
        out.append(FieldProblem("career_years", "career_range", "요구 경력은 0~40년으로 입력하세요.",
                                "Required experience must be 0 to 40 years."))
    unknown = sorted(posting.programs - PROGRAMS.keys())
    if unknown:
        out.append(_choice("programs", ", ".join(unknown), list(PROGRAMS)))
    return out


def check_seeker(seeker: Seeker, on: date, min_working_age: int) -> list[FieldProblem]:
    out = check_birth_year(seeker.birth_year, on, min_working_age)
    if seeker.education not in EDUCATION_RANK:
        out.append(_choice("education", seeker.education, [e[0] for e in EDUCATION]))
    for i, e in enumerate(seeker.held):
        if not 0 <= e.years <= 60:
            out.append(FieldProblem(f"held.{i}.years", "years_range", "경력 연수는 0~60년으로 입력하세요.",
                                    "Years of experience must be 0 to 60."))
    if not 1 <= seeker.max_hours_per_week <= 52:
        out.append(FieldProblem("max_hours_per_week", "hours_range", "희망 주 근로시간은 1~52시간으로 입력하세요.",
                                "Desired weekly hours must be 1 to 52."))
    if seeker.pay_floor_won < 0:
        out.append(FieldProblem("pay_floor_won", "pay_negative", "희망 임금은 0원 이상으로 입력하세요.",
                                "The lowest pay must be 0 won or more."))
    for name_, codes in (("sought", seeker.sought), ("held", seeker.held)):
        if len(codes) > MAX_OCCUPATIONS:
            out.append(FieldProblem(name_, "too_many", f"직종은 {MAX_OCCUPATIONS}개까지 고를 수 있습니다.",
                                    f"Choose at most {MAX_OCCUPATIONS} occupations."))
    if not seeker.sought and not seeker.held:
        out.append(FieldProblem("sought", "sought_missing", "희망 직종을 하나 이상 고르세요.",
                                "Choose at least one occupation you are looking for."))
    return out


def _choice(field_name: str, given: str, allowed: list[str]) -> FieldProblem:
    return FieldProblem(field_name, "choice_unknown", f"{josa(repr(given), '은')} 고를 수 없는 값입니다. 가능한 값: {', '.join(allowed)}",
                        f"{given!r} is not one of the choices: {', '.join(allowed)}.")


def refuse(problems: list[FieldProblem]) -> None:
    if problems:
        first = problems[0]
        raise DomainError(code=first.code, field=first.field, ko=first.ko, en=first.en, problems=problems)


# --- the score -------------------------------------------------------------------------------

WEIGHTS: dict[str, int] = {"occupation": 40, "experience": 15, "region": 20, "qualifications": 10,
                           "conditions": 15, "text": 5, "programs": 5}
OCCUPATION_POINTS = {5: 40.0, 4: 30.0, 3: 20.0, 2: 10.0, 1: 4.0, 0: 0.0}
HELD_SHARE = 0.75
EXPERIENCE_SHARE = {5: 1.0, 4: 1.0, 3: 0.5, 2: 0.25, 1: 0.0, 0: 0.0}
REGION_POINTS = {"district": 20.0, "province": 16.0, "nationwide": 10.0, "outside": 0.0}
PART_NAMES: dict[str, tuple[str, str]] = {
    "occupation": ("직종", "Occupation"), "experience": ("경력", "Experience"), "region": ("지역·통근", "Region and commute"),
    "qualifications": ("학력·자격", "Education and licences"), "conditions": ("근로조건", "Conditions"),
    "text": ("키워드", "Keywords"), "programs": ("연령대·지원 프로그램", "Age-group and support programs"),
}


@dataclass(frozen=True)
class Part:
    key: str
    points: float
    max_points: int
    ko: str
    en: str

    def as_dict(self) -> dict[str, object]:
        return {"part": self.key, "points": round(self.points, 2), "max": self.max_points, "ko": self.ko, "en": self.en}


@dataclass(frozen=True)
class Match:
    posting_id: int
    seeker_id: int
    score: float
    parts: tuple[Part, ...] = field(default_factory=tuple)

    def reasons(self, lang: str = "ko") -> list[str]:
        return [p.en if lang == "en" else p.ko for p in self.parts]

    def as_dict(self) -> dict[str, object]:
        return {"posting_id": self.posting_id, "seeker_id": self.seeker_id, "score": round(self.score, 2),
                "reasons": [p.as_dict() for p in self.parts]}


@dataclass(frozen=True)
class Names:
    """How the explanation names codes: occupation and region names (the adapters pass the
    KSCO and region tables; the defaults show the codes)."""

    occupation: Callable[[str], str] = str
    region_ko: Callable[[str], str] = str
    region_en: Callable[[str], str] = str
    licence: Callable[[str], str] = str


def occupation_part(seeker: Seeker, posting: Posting, names: Names) -> Part:
    best, how, code = 0.0, "", ""
    for c in seeker.sought:
        level = shared_level(c, posting.occupation)
        if OCCUPATION_POINTS[level] > best:
            best, how, code = OCCUPATION_POINTS[level], "sought", c
    for e in seeker.held:
        level = shared_level(e.occupation, posting.occupation)
        if OCCUPATION_POINTS[level] * HELD_SHARE > best:
            best, how, code = OCCUPATION_POINTS[level] * HELD_SHARE, "held", e.occupation
    job = names.occupation(posting.occupation)
    if best == 0.0:
        return Part("occupation", 0.0, WEIGHTS["occupation"], f"희망·경력 직종과 다른 직종: {job}",
                    f"Not an occupation you seek or held: {job}")
    level = shared_level(code, posting.occupation)
    lvl_ko, lvl_en = LEVELS[level]
    if how == "sought":
        return Part("occupation", best, WEIGHTS["occupation"], f"희망 직종과 일치 ({lvl_ko}): {job}",
                    f"Matches an occupation you seek ({lvl_en}): {job}")
    return Part("occupation", best, WEIGHTS["occupation"], f"경력 직종과 일치 ({lvl_ko}): {job}",
                f"Matches an occupation you held ({lvl_en}): {job}")


def related_years(seeker: Seeker, occupation: str) -> float:
    return sum(e.years * EXPERIENCE_SHARE[shared_level(e.occupation, occupation)] for e in seeker.held)


def experience_part(seeker: Seeker, posting: Posting) -> Part:
    years = related_years(seeker, posting.occupation)
    w = WEIGHTS["experience"]
    if posting.career_years == 0:
        extra_ko = f" (관련 경력 {years:g}년)" if years else ""
        extra_en = f" (related experience {years:g} years)" if years else ""
        return Part("experience", float(w), w, f"경력 무관 공고{extra_ko}", f"No experience required{extra_en}")
    points = w * min(1.0, years / posting.career_years)
    if years >= posting.career_years:
        return Part("experience", points, w, f"경력 요건 충족: 관련 경력 {years:g}년 ≥ {posting.career_years}년",
                    f"Experience met: {years:g} related years ≥ {posting.career_years}")
    return Part("experience", points, w, f"경력 요건 {posting.career_years}년 중 {years:g}년",
                f"{years:g} of the {posting.career_years} years of experience asked")


def region_reach(seeker: Seeker, posting: Posting) -> str:
    if seeker.region == posting.region:
        return "district"
    same_sido = seeker.region[:2] == posting.region[:2]
    if same_sido and seeker.commute in (Commute.province, Commute.nationwide):
        return "province"
    if seeker.commute == Commute.nationwide:
        return "nationwide"
    return "outside"


def region_part(seeker: Seeker, posting: Posting, names: Names) -> Part:
    reach = region_reach(seeker, posting)
    w = WEIGHTS["region"]
    here_ko, there_ko = names.region_ko(seeker.region), names.region_ko(posting.region)
    here_en, there_en = names.region_en(seeker.region), names.region_en(posting.region)
    points = REGION_POINTS[reach]
    if reach == "district":
        return Part("region", points, w, f"거주지와 같은 시군구: {there_ko}", f"In your own district: {there_en}")
    if reach == "province":
        return Part("region", points, w, f"통근 범위 안(같은 시도): {here_ko} → {there_ko}",
                    f"Within your commute (same province): {here_en} → {there_en}")
    if reach == "nationwide":
        return Part("region", points, w, f"다른 시도(전국 통근 희망): {here_ko} → {there_ko}",
                    f"Another province (you commute anywhere): {here_en} → {there_en}")
    return Part("region", 0.0, w, f"통근 범위 밖: {here_ko} → {there_ko}",
                f"Outside your commute: {here_en} → {there_en}")


def qualifications_part(seeker: Seeker, posting: Posting, names: Names) -> Part:
    w = WEIGHTS["qualifications"]
    edu_ok = EDUCATION_RANK.get(seeker.education, 0) >= EDUCATION_RANK.get(posting.education_min, 0)
    need = EDUCATION[EDUCATION_RANK.get(posting.education_min, 0)]
    points = 5.0 if edu_ok else 0.0
    ko = [f"학력 요건({need[1]}) 충족" if edu_ok else f"학력 요건({need[1]}) 미달"]
    en = [f"education ({need[2]}) met" if edu_ok else f"education ({need[2]}) not met"]
    if posting.licences:
        have = sorted(posting.licences & seeker.licences)
        points += 5.0 * len(have) / len(posting.licences)
        shown = ", ".join(names.licence(x) for x in sorted(posting.licences))
        ko.append(f"요구 자격 {len(posting.licences)}개 중 {len(have)}개 보유({shown})")
        en.append(f"{len(have)} of {len(posting.licences)} required licences held ({shown})")
    else:
        points += 5.0
        ko.append("요구 자격 없음")
        en.append("no licence required")
    return Part("qualifications", points, w, ", ".join(ko), "; ".join(en).capitalize())


def conditions_part(seeker: Seeker, posting: Posting) -> Part:
    w = WEIGHTS["conditions"]
    points = 0.0
    ko: list[str] = []
    en: list[str] = []
    _, type_ko, type_en = EMPLOYMENT_TYPES[posting.employment_type]
    if not seeker.employment_types or posting.employment_type in seeker.employment_types:
        points += 5.0
        ko.append(f"희망 고용형태({type_ko})")
        en.append(f"employment type wanted ({type_en})")
    else:
        ko.append(f"희망하지 않은 고용형태({type_ko})")
        en.append(f"employment type not wanted ({type_en})")
    if posting.hours_per_week <= seeker.max_hours_per_week:
        points += 5.0
        ko.append(f"주 {posting.hours_per_week}시간 ≤ 희망 {seeker.max_hours_per_week}시간")
        en.append(f"{posting.hours_per_week} h/week ≤ {seeker.max_hours_per_week} wanted")
    else:
        ko.append(f"주 {posting.hours_per_week}시간 > 희망 {seeker.max_hours_per_week}시간")
        en.append(f"{posting.hours_per_week} h/week > {seeker.max_hours_per_week} wanted")
    pay = hourly(posting.pay_won, posting.pay_unit, posting.hours_per_week)
    floor = hourly(seeker.pay_floor_won, seeker.pay_floor_unit, posting.hours_per_week)
    share = 1.0 if floor <= 0 or pay >= floor else float(pay / floor)
    points += 5.0 * share
    _, unit_ko, unit_en = PAY_UNITS[posting.pay_unit]
    if share >= 1.0:
        ko.append(f"임금 {unit_ko} {posting.pay_won:,}원(희망 이상)")
        en.append(f"pay {posting.pay_won:,} won {unit_en} (at least your floor)")
    else:
        ko.append(f"임금 {unit_ko} {posting.pay_won:,}원(희망의 {share:.0%})")
        en.append(f"pay {posting.pay_won:,} won {unit_en} ({share:.0%} of your floor)")
    return Part("conditions", points, w, ", ".join(ko), "; ".join(en).capitalize())


def text_part(seeker_terms: frozenset[str], posting_terms: frozenset[str]) -> Part:
    w = WEIGHTS["text"]
    if not seeker_terms:
        return Part("text", 0.0, w, "키워드 없음", "No keywords given")
    found = sorted(seeker_terms & posting_terms)
    points = w * len(found) / len(seeker_terms)
    if not found:
        return Part("text", 0.0, w, "키워드가 공고에 없음", "None of your keywords in the posting")
    return Part("text", points, w, f"키워드 일치: {', '.join(found[:5])}", f"Keywords found: {', '.join(found[:5])}")


def programs_part(seeker_groups: frozenset[str], career_break: bool, posting: Posting) -> Part:
    w = WEIGHTS["programs"]
    usable = [p for p in sorted(posting.programs) if p in PROGRAMS and (
        PROGRAMS[p][0] in seeker_groups or (PROGRAMS[p][0] == "career_break" and career_break))]
    if not usable:
        return Part("programs", 0.0, w, "해당하는 지원 프로그램 없음(감점 없음)", "No program that applies (never a penalty)")
    return Part("programs", float(w), w, "지원 프로그램: " + ", ".join(PROGRAMS[p][1] for p in usable),
                "Programs for you: " + ", ".join(PROGRAMS[p][2] for p in usable))


def score(seeker: Seeker, posting: Posting, seeker_groups: frozenset[str], seeker_terms: frozenset[str] = frozenset(),
          posting_terms: frozenset[str] = frozenset(), names: Names | None = None) -> Match:
    """The explained score of one seeker for one posting (0–110)."""
    names = names or Names()
    parts = (occupation_part(seeker, posting, names), experience_part(seeker, posting),
             region_part(seeker, posting, names), qualifications_part(seeker, posting, names),
             conditions_part(seeker, posting), text_part(seeker_terms, posting_terms),
             programs_part(seeker_groups, seeker.career_break, posting))
    return Match(posting.id, seeker.id, sum(p.points for p in parts), parts)


def is_open(posting: Posting, on: date) -> bool:
    return posting.opens_on <= on <= posting.closes_on


def groups_from(raw: Mapping[str, object]) -> tuple[AgeGroup, ...]:
    """Age groups from the `age_groups` parameter's values."""
    rows = raw.get("groups")
    if not isinstance(rows, list):
        return ()
    return tuple(AgeGroup(str(g["id"]), str(g["ko"]), str(g["en"]), int(g["min_age"]), int(g["max_age"]))
                 for g in rows if isinstance(g, dict))
