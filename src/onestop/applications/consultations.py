"""Consultation slots at agency branches: business days in KST, Korean public holidays
excluded, 30-minute slots from 09:00 to 17:30, one booking per slot (a unique constraint)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from onestop.korea.dates import KST

FIRST = time(9, 0)
LAST = time(17, 30)
STEP = timedelta(minutes=30)
#: how far ahead slots are published and booked: 60 days from today (KST), as agency desks
#: publish their calendars about two months ahead
HORIZON_DAYS = 60


def last_bookable_day(today: date) -> date:
    """The last day whose slots are published (today + `HORIZON_DAYS`)."""
    return today + timedelta(days=HORIZON_DAYS)


@lru_cache(maxsize=32)
def _kr_holidays(year: int, lang: str = "ko") -> holidays.HolidayBase:
    """Korea's public holidays of a year (관공서의 공휴일에 관한 규정, with substitute days), named
    in Korean (`lang` "ko") or English ("en" → the package's en_US names). The package's own
    default language for KR is English, so the language is always given."""
    return holidays.country_holidays("KR", years=year, language="en_US" if lang == "en" else "ko")


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _kr_holidays(day.year)


def holiday_name(day: date, lang: str = "ko") -> str | None:
    """The public holiday's name on `day` in `lang` ("ko": "추석", "en": "Chuseok"), or None."""
    name = _kr_holidays(day.year, lang).get(day)
    return str(name) if name else None


def business_days_after(start: date, n: int) -> date:
    """The n-th business day after `start` (deadline reminders count business days)."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (0 when `end` is not later): what
    "the deadline is N business days away" means, so a deadline on a Saturday counts the
    Friday before it and a holiday week does not count as working time."""
    n = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day):
            n += 1
    return n


def slots(day: date) -> list[datetime]:
    """Every bookable slot of a day, as KST datetimes; none on weekends and holidays."""
    if not is_business_day(day):
        return []
    out = []
    at = datetime.combine(day, FIRST, tzinfo=KST)
    end = datetime.combine(day, LAST, tzinfo=KST)
    while at <= end:
        out.append(at)
        at += STEP
    return out


def is_slot(at: datetime) -> bool:
    local = at.astimezone(KST)
    return local in slots(local.date())


#: the subject of the written thread a booking opens, as stored (the agency's language)
_BOOKING_SUBJECT = re.compile(r"^\[상담 예약\] (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) (\S+) 상담 · (.+)$")


def booking_subject(starts_kst: datetime, mode_ko: str, branch_ko: str) -> str:
    """The stored subject of a booking's thread: "[상담 예약] 2026-12-01 17:30 화상 상담 · 본원"
    (`starts_kst` a KST datetime, `mode_ko` 화상/전화/방문, `branch_ko` the branch's Korean name)."""
    return f"[상담 예약] {starts_kst:%Y-%m-%d %H:%M} {mode_ko} 상담 · {branch_ko}"


def subject_in(subject: str, lang: str, modes_en: dict[str, str], branches_en: dict[str, str]) -> str:
    """A thread subject for a page in `lang`: a booking's subject made by `booking_subject` reads
    in English on English pages ("[Booking] 2026-12-01 17:30 KST, video consultation · Head
    office"), its mode and branch translated by `modes_en` (화상 → Video) and `branches_en`
    (본원 → Head office); any other subject is the firm's own words and is shown as written."""
    found = _BOOKING_SUBJECT.match(subject) if lang == "en" else None
    if found is None:
        return subject
    at, mode, branch = found.groups()
    return (f"[Booking] {at} KST, {modes_en.get(mode, mode).lower()} consultation · "
            f"{branches_en.get(branch, branch)}")
