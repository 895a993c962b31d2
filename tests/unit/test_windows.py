"""One window logic for every page: open, upcoming or closed with D-day, in KST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.catalog.model import Window
from onestop.catalog.windows import window_state
from onestop.korea.dates import KST


def at(d: date, hh: int = 12, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), tzinfo=KST)


def test_youth_startup_academy_is_closed_after_its_deadline() -> None:
    window = Window(opens=date(2026, 1, 19), closes=date(2026, 2, 13))
    assert window_state(window, at(date(2026, 2, 13), 17, 59)).phase == "open"
    assert window_state(window, at(date(2026, 2, 13), 17, 59)).dday() == "D-day"
    closed = window_state(window, at(date(2026, 2, 13), 18, 1))
    assert closed.phase == "closed" and not closed.accepting and closed.dday() == ""
    assert window_state(window, at(date(2026, 2, 6))).dday() == "D-7"
    early = window_state(window, at(date(2026, 1, 18), 23, 59))
    assert early.phase == "upcoming" and early.days_to_open == 1 and not early.accepting


def test_the_deadline_is_kst_whatever_the_clock() -> None:
    window = Window(opens=date(2026, 1, 19), closes=date(2026, 2, 13))
    utc = datetime(2026, 2, 13, 8, 30, tzinfo=UTC)  # 17:30 KST
    assert window_state(window, utc).accepting
    assert not window_state(window, utc + timedelta(hours=1)).accepting
    with pytest.raises(ValueError):
        window_state(window, datetime(2026, 2, 13, 8, 30))


@given(st.dates(date(2025, 1, 1), date(2027, 12, 31)), st.integers(0, 60), st.integers(-90, 90))
def test_states_agree_with_the_catalogs_closed_for_good(opens: date, length: int, offset: int) -> None:
    window = Window(opens=opens, closes=opens + timedelta(days=length))
    day = opens + timedelta(days=offset)
    state = window_state(window, at(day, 12))
    assert state.closed == window.is_closed_for_good(day)
    assert state.accepting == window.is_open_on(day)
    if state.phase == "open":
        assert state.days_left == (window.closes - day).days >= 0


def test_always_open_has_no_dday() -> None:
    state = window_state(Window(always_open=True), at(date(2026, 5, 1)))
    assert state.phase == "always" and state.accepting and state.dday() == ""
