"""The fast track (패스트트랙) for crisis funds, the pure core: who enters, the service level
and the time left. No web, database or file I/O.

An application enters when it passed the rules at submission (its stored eligibility is
`eligible`) and the credit model's recommendation band is one the program lists (the catalog's
`fast_track.bands`); the program's `fast_track.service_days` is the service level: a decision
within N Korean business days of entering. The day of entry is day 0; the N-th business day
after it is the due date (weekends and public holidays, `holidays`' KR calendar, do not count),
and the decision is due by the end of that day, KST. The 2026 policy-fund plan promises
긴급경영안정자금 a fast review (패스트트랙 심사) without a day count in the copies read, so N is the
agency's parameter in the catalog with that noted as its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from onestop.applications.consultations import business_days_after, business_days_between
from onestop.catalog.model import FastTrack
from onestop.korea.dates import KST


class Band(StrEnum):
    """The credit model's recommendation band, A (lowest risk) to D (highest), as the
    evaluation feature's `scoring.BANDS` defines them (A ≥ 980, B 950–979, C 850–949, D below,
    on its 0–1000 score); the model recommends, it never decides (issue 8 item 5)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


def qualifies(spec: FastTrack | None, eligibility_status: str | None, band: Band | None) -> bool:
    """Whether an application enters the fast track: the program has one, the rules passed at
    submission, and the band is one the program lists. No band (no statements, no model) means
    a person reviews it on the ordinary track."""
    return (spec is not None and eligibility_status == "eligible" and band is not None
            and band.value in spec.bands)


def due_on(entered: datetime, service_days: int) -> date:
    """The date (KST) by whose end the decision is due."""
    return business_days_after(entered.astimezone(KST).date(), service_days)


def deadline(entered: datetime, service_days: int) -> datetime:
    """The first moment past the service level: midnight KST after the due date."""
    return datetime.combine(due_on(entered, service_days) + timedelta(days=1), time(0), tzinfo=KST)


@dataclass(frozen=True)
class TimeLeft:
    """Where an application stands against its service level at `now`."""

    due: date
    #: business days after today up to the due date (0: due today, or past due)
    business_days: int
    #: hours until the deadline (negative: how long past it)
    hours: int
    breached: bool

    @property
    def ko(self) -> str:
        if self.breached:
            return f"처리 기한 초과 ({self.due.isoformat()}까지, {-self.hours}시간 지남)"
        if self.business_days == 0:
            return f"오늘 마감 ({self.due.isoformat()})"
        return f"{self.business_days}영업일 남음 ({self.due.isoformat()}까지)"

    @property
    def en(self) -> str:
        if self.breached:
            return f"Past the service level (due {self.due.isoformat()}, {-self.hours} h over)"
        if self.business_days == 0:
            return f"Due today ({self.due.isoformat()})"
        days = "1 business day" if self.business_days == 1 else f"{self.business_days} business days"
        return f"{days} left (due {self.due.isoformat()})"


def time_left(entered: datetime, service_days: int, now: datetime) -> TimeLeft:
    """The time left at `now` for an application that entered at `entered` (aware datetimes)."""
    end = deadline(entered, service_days)
    due = due_on(entered, service_days)
    today = now.astimezone(KST).date()
    seconds = (end - now).total_seconds()
    hours = int(seconds // 3600) if seconds >= 0 else -int(-seconds // 3600)
    return TimeLeft(due=due, business_days=business_days_between(today, due), hours=hours, breached=now >= end)


def decided_late(entered: datetime, service_days: int, decided: datetime) -> bool:
    """A decision made at or after the deadline breached the service level."""
    return decided >= deadline(entered, service_days)
