"""Ages and business age on a reference date, counted as Korean law counts them (만 나이)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from onestop.errors import DomainError
from onestop.korea.hangul import josa


def completed_years(start: date, on: date) -> int:
    """Whole years from `start` to `on` (a birthday on 29 Feb counts on 28 Feb otherwise: 1 Mar)."""
    years = on.year - start.year
    if (on.month, on.day) < (start.month, start.day):
        years -= 1
    return years


#: Korea Standard Time (UTC+9, no daylight saving since 1988).
KST = timezone(timedelta(hours=9), "KST")
#: The years a date or time entered on the platform may fall in: far enough for any deadline,
#: booking or record, near enough that converting between time zones cannot overflow.
YEARS = (1900, 2100)


def moment(value: datetime, field: str) -> datetime:
    """A point in time a user entered, as an aware UTC datetime.

    A time without an offset is read as KST (how people in Korea write times). Raises DomainError
    naming `field` when the year is outside 1900-2100 (e.g. `9999-12-31T23:59:59-14:00`, which
    would overflow when converted to UTC).
    """
    low, high = YEARS
    if not low + 1 <= value.year <= high - 1:  # a day's margin either side for the offset
        raise DomainError(
            code="datetime_range", field=field,
            ko=f"{josa(value.isoformat(), '은')} 받을 수 없는 일시입니다. {low + 1}년부터 {high - 1}년 사이로 입력하세요.",
            en=f"{value.isoformat()} is out of range; give a date and time between {low + 1} and {high - 1}.",
        )
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=KST)
    return value.astimezone(UTC)
