"""Where a program's application window stands at a moment: open, upcoming or closed, with the
days left (D-day). One answer for every place that states it — the program page, the search
and home cards, the recommendations and whether an application may be started — so no page
can say "신청 가능" for a program whose window has closed.

A window closes at its `closes` date's `closes_at` time in Korea (18:00 KST unless the notice
says otherwise); it opens at 00:00 KST on `opens`. A recruitment round (모집 공고, `selective`) that
opened but whose closing date is not known is "unconfirmed" (the page sends the firm to the
notice), never open until the budget is used; a program taken only in rounds announced by notice
is "by_notice"; either is closed after the 31 December of its program `year`. D-day counts calendar days in KST between
today and the closing date (D-day on the closing day itself), as Korean notices do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

from onestop.catalog.model import Window
from onestop.korea.dates import KST

Phase = Literal["always", "open", "upcoming", "closed", "unconfirmed", "by_notice"]


@dataclass(frozen=True)
class WindowState:
    phase: Phase
    opens: date | None
    closes: date | None
    #: the closing moment (tz-aware, KST), when the window has one
    deadline: datetime | None
    #: whole KST days until the closing date (0 on the day), for an open window with an end
    days_left: int | None
    #: whole KST days until the opening date, for an upcoming window
    days_to_open: int | None

    @property
    def accepting(self) -> bool:
        """Applications are taken now."""
        return self.phase in ("always", "open")

    @property
    def closed(self) -> bool:
        return self.phase == "closed"

    def dday(self) -> str:
        """"D-7", "D-day", or "" when there is no deadline to count to."""
        if self.days_left is None:
            return ""
        return "D-day" if self.days_left == 0 else f"D-{self.days_left}"


def window_state(window: Window, now: datetime) -> WindowState:
    """The state of `window` at `now` (tz-aware). Raises ValueError for a naive `now`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(KST)
    today = local.date()
    deadline = window.deadline()
    if window.always_open:
        return WindowState("always", None, None, None, None, None)
    last = window.last_day()
    if (deadline is not None and local > deadline) or (deadline is None and last is not None and today > last):
        return WindowState("closed", window.opens, last, deadline, None, None)
    if window.opens is not None and local < datetime.combine(window.opens, time(0, 0), tzinfo=KST):
        return WindowState("upcoming", window.opens, window.closes, deadline, None,
                           (window.opens - today).days)
    if window.by_notice:
        return WindowState("by_notice", None, None, None, None, None)
    if window.round_unconfirmed:
        return WindowState("unconfirmed", window.opens, None, None, None, None)
    days_left = (window.closes - today).days if window.closes is not None else None
    return WindowState("open", window.opens, window.closes, deadline, days_left, None)


def now_kst() -> datetime:
    return datetime.now(KST)
