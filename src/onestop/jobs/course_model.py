"""The pure core of re-employment courses (issue 12 §5, like the FKI center's Re-Bounce): a
course, its sessions, attendance per session and the completion rule.

Hours are kept as whole minutes (an hour typed as "2.5" is 150 minutes; tenths of an hour, i.e.
6-minute steps, are accepted). A session has a date, a start and an end in KST, and the hours it
credits (at most its length: a lunch break may be left out); a person attends 0 to the session's
hours. A person completes the course when the hours attended reach the course's required hours,
on the date of the session whose attendance crossed them (sessions taken in date and time order).

Re-Bounce: 전경련중소기업협력센터의 대기업 퇴직 중장년 재취업 교육 — "20시간 재취업 종합교육과 1:1
상담, 직접 알선" (중소기업뉴스 2014-02-27, 전경련중소기업협력센터 제1회 정기이사회 2014년 사업계획).

No web, database or file I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time

from onestop.errors import DomainError, FieldProblem
from onestop.korea.hangul import josa
from onestop.text import identifier, text

#: Re-Bounce's length (the FKI center's 2014 plan: a 20-hour course)
REBOUNCE_HOURS = 20
MAX_REQUIRED_HOURS = 1_000
MAX_CAPACITY = 10_000
MODES: dict[str, tuple[str, str]] = {"offline": ("대면(교육장)", "In person (venue)"), "online": ("온라인", "Online")}
_HOURS = re.compile(r"^\d{1,4}(\.\d)?$")


@dataclass(frozen=True)
class CourseSpec:
    """A course as checked: `required_minutes` the hours to complete (×60), `capacity` seats."""

    title: str
    description: str
    program_id: str
    required_minutes: int
    capacity: int
    enrol_opens: date
    enrol_closes: date


@dataclass(frozen=True)
class SessionSpec:
    """A session as checked: on `day`, from `starts` to `ends` (KST), crediting `minutes`."""

    day: date
    starts: time
    ends: time
    minutes: int
    mode: str
    venue: str

    @property
    def length_minutes(self) -> int:
        return (self.ends.hour * 60 + self.ends.minute) - (self.starts.hour * 60 + self.starts.minute)


@dataclass(frozen=True)
class Attended:
    """One person's attendance at one session: the session's date and start (its order), its
    id (ties), and the minutes attended."""

    day: date
    starts: time
    session_id: int
    minutes: int


def _problem(field: str, code: str, ko: str, en: str) -> FieldProblem:
    return FieldProblem(field, code, ko, en)


def refuse(problems: list[FieldProblem]) -> None:
    """Raise every problem at once (the first one's code and field lead), or nothing."""
    if problems:
        first = problems[0]
        raise DomainError(code=first.code, field=first.field, ko=first.ko, en=first.en, problems=problems)


def parse_minutes(raw: str, field: str, problems: list[FieldProblem], *, what_ko: str, what_en: str) -> int | None:
    """Hours as typed ("20", "2.5", "２"), to whole minutes; a problem on `field` if not a number
    of hours with at most one decimal."""
    value = identifier(raw)
    if not _HOURS.match(value):
        problems.append(_problem(field, "hours_invalid", f"{josa(what_ko, '를')} 시간 단위 숫자로 입력하세요 (예: 20, 2.5).",
                                 f"Enter the {what_en} as a number of hours (e.g. 20 or 2.5)."))
        return None
    whole, _, tenth = value.partition(".")
    return int(whole) * 60 + int(tenth or 0) * 6


def _parse_date(raw: str, field: str, problems: list[FieldProblem], ko: str, en: str) -> date | None:
    try:
        return date.fromisoformat(identifier(raw))
    except ValueError:
        problems.append(_problem(field, "date_invalid", f"{josa(ko, '를')} YYYY-MM-DD 형식으로 입력하세요.",
                                 f"Enter the {en} as YYYY-MM-DD."))
        return None


def _parse_time(raw: str, field: str, problems: list[FieldProblem], ko: str, en: str) -> time | None:
    value = identifier(raw)
    try:
        if not re.fullmatch(r"\d{2}:\d{2}", value):
            raise ValueError(value)
        return time.fromisoformat(value)
    except ValueError:
        problems.append(_problem(field, "time_invalid", f"{josa(ko, '를')} HH:MM(24시간) 형식으로 입력하세요.",
                                 f"Enter the {en} as HH:MM (24-hour)."))
        return None


def check_course(raw: Mapping[str, str], programs: Iterable[str] = ()) -> CourseSpec:
    """A course from the form's strings: title, description, program_id (optional; one of
    `programs`), required_hours, capacity, enrol_opens, enrol_closes. DomainError with every
    field-level problem (Korean and English) at once."""
    problems: list[FieldProblem] = []
    title = text(raw.get("title", ""))[:200]
    if not title:
        problems.append(_problem("title", "title_missing", "과정 이름을 입력하세요.", "Enter the course's title."))
    program = identifier(raw.get("program_id", ""))
    known = set(programs)
    if program and program not in known:
        problems.append(_problem("program_id", "choice_unknown",
                                 f"지원사업은 비워 두거나 {', '.join(sorted(known))} 가운데 하나를 고르세요.",
                                 f"Leave the program empty or choose one of {', '.join(sorted(known))}."))
    required = parse_minutes(raw.get("required_hours", ""), "required_hours", problems,
                             what_ko="이수 기준 시간", what_en="hours required to complete")
    if required is not None and not 0 < required <= MAX_REQUIRED_HOURS * 60:
        problems.append(_problem("required_hours", "hours_out_of_range",
                                 f"이수 기준 시간은 0시간보다 많고 {MAX_REQUIRED_HOURS:,}시간 이하여야 합니다.",
                                 f"The hours required are more than 0 and at most {MAX_REQUIRED_HOURS:,}."))
    capacity_raw = identifier(raw.get("capacity", ""))
    capacity = int(capacity_raw) if capacity_raw.isdigit() and capacity_raw.isascii() else None
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        problems.append(_problem("capacity", "capacity_invalid",
                                 f"정원은 1명 이상 {MAX_CAPACITY:,}명 이하의 정수입니다.",
                                 f"The capacity is a whole number from 1 to {MAX_CAPACITY:,}."))
    opens = _parse_date(raw.get("enrol_opens", ""), "enrol_opens", problems, "수강 신청 시작일", "enrolment opening date")
    closes = _parse_date(raw.get("enrol_closes", ""), "enrol_closes", problems, "수강 신청 마감일", "enrolment closing date")
    if opens is not None and closes is not None and closes < opens:
        problems.append(_problem("enrol_closes", "closes_before_opens",
                                 f"수강 신청 마감일({closes.isoformat()})이 시작일({opens.isoformat()})보다 앞섭니다.",
                                 f"Enrolment closes ({closes.isoformat()}) before it opens ({opens.isoformat()})."))
    refuse(problems)
    assert required is not None and capacity is not None and opens is not None and closes is not None
    return CourseSpec(title, text(raw.get("description", ""))[:4000], program, required, capacity, opens, closes)


def check_session(raw: Mapping[str, str]) -> SessionSpec:
    """A session from the form's strings: day, starts, ends (HH:MM, KST), hours, mode (offline or
    online), venue (needed in person). DomainError with every field-level problem at once: the
    end not after the start, credited hours over the session's length, a missing venue."""
    problems: list[FieldProblem] = []
    day = _parse_date(raw.get("day", ""), "day", problems, "교육일", "session date")
    starts = _parse_time(raw.get("starts", ""), "starts", problems, "시작 시각", "start time")
    ends = _parse_time(raw.get("ends", ""), "ends", problems, "종료 시각", "end time")
    minutes = parse_minutes(raw.get("hours", ""), "hours", problems, what_ko="인정 시간", what_en="hours credited")
    mode = identifier(raw.get("mode", ""))
    venue = text(raw.get("venue", ""))[:300]
    if starts is not None and ends is not None and ends <= starts:
        problems.append(_problem("ends", "ends_before_starts",
                                 f"종료 시각({ends:%H:%M})이 시작 시각({starts:%H:%M})보다 늦어야 합니다.",
                                 f"The end ({ends:%H:%M}) must be after the start ({starts:%H:%M})."))
    elif starts is not None and ends is not None and minutes is not None:
        length = (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)
        if minutes > length:
            problems.append(_problem("hours", "hours_over_length",
                                     f"인정 시간({minutes / 60:g}시간)이 교육 시간({length / 60:g}시간)보다 깁니다.",
                                     f"The hours credited ({minutes / 60:g} h) exceed the session's length ({length / 60:g} h)."))
    if minutes is not None and minutes <= 0:
        problems.append(_problem("hours", "hours_out_of_range", "인정 시간은 0시간보다 많아야 합니다.",
                                 "The hours credited must be more than 0."))
    if mode not in MODES:
        problems.append(_problem("mode", "choice_unknown", "교육 방식은 대면(offline) 또는 온라인(online)입니다.",
                                 "The mode is offline (in person) or online."))
    elif mode == "offline" and not venue:
        problems.append(_problem("venue", "venue_missing", "대면 교육은 교육장을 입력하세요.",
                                 "An in-person session needs a venue."))
    refuse(problems)
    assert day is not None and starts is not None and ends is not None and minutes is not None
    return SessionSpec(day, starts, ends, minutes, mode, venue)


def check_attendance(raw: str, session_minutes: int, field: str) -> int:
    """Hours attended as typed ("" is 0), to minutes: from 0 to the session's credited hours.
    DomainError on `field` otherwise."""
    problems: list[FieldProblem] = []
    minutes = parse_minutes(raw or "0", field, problems, what_ko="출석 시간", what_en="hours attended")
    if minutes is not None and minutes > session_minutes:
        problems.append(_problem(field, "attendance_over_session",
                                 f"출석 시간은 0시간부터 이 회차의 인정 시간({session_minutes / 60:g}시간)까지입니다.",
                                 f"Hours attended are 0 to this session's {session_minutes / 60:g} h."))
    refuse(problems)
    assert minutes is not None
    return minutes


def attended_minutes(rows: Iterable[Attended]) -> int:
    """The total minutes attended."""
    return sum(r.minutes for r in rows)


def completed_on(required_minutes: int, rows: Iterable[Attended]) -> date | None:
    """The date of the session whose attendance made the total reach `required_minutes`
    (sessions in date, start and id order), or None while it has not. Raises ValueError for a
    required time that is not positive."""
    if required_minutes <= 0:
        raise ValueError("required_minutes must be positive")
    total = 0
    for r in sorted(rows, key=lambda r: (r.day, r.starts, r.session_id)):
        total += r.minutes
        if r.minutes > 0 and total >= required_minutes:
            return r.day
    return None


def can_enrol(today: date, opens: date, closes: date) -> bool:
    """Enrolment is open from `opens` to `closes`, both included."""
    return opens <= today <= closes


def can_cancel(today: date, first_session: date | None) -> bool:
    """A seeker may cancel before the day of the first session (any time while none is set)."""
    return first_session is None or today < first_session


def hours_label(minutes: int) -> str:
    """Minutes as hours for people: 1200 → "20", 150 → "2.5"."""
    return f"{minutes / 60:g}"
