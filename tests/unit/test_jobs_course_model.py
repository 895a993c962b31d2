"""The pure core of re-employment courses: course and session checks with field-level Korean
and English messages, hours as typed, and the completion rule (Re-Bounce: 20 hours)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.errors import DomainError
from onestop.jobs import course_model as cm

COURSE = {"title": "리바운스(Re-Bounce) 중장년 재취업 교육", "required_hours": "20", "capacity": "30",
          "enrol_opens": "2026-11-16", "enrol_closes": "2026-12-04", "program_id": "fki-rebounce"}
SESSION = {"day": "2026-12-07", "starts": "10:00", "ends": "15:00", "hours": "4", "mode": "offline",
           "venue": "순천시 일자리센터 교육장"}


def fields(err: pytest.ExceptionInfo[DomainError]) -> set[str]:
    return {p.field for p in err.value.problems}


def test_a_rebounce_course_and_session_read_from_the_form() -> None:
    c = cm.check_course(COURSE, ["fki-rebounce"])
    assert (c.required_minutes, c.capacity, c.program_id) == (20 * 60, 30, "fki-rebounce")
    s = cm.check_session({**SESSION, "hours": "４.5", "starts": "09:30"})  # full-width digits fold (NFKC)
    assert (s.minutes, s.length_minutes, s.starts) == (270, 330, time(9, 30))
    assert cm.check_session({**SESSION, "mode": "online", "venue": ""}).venue == ""


def test_every_course_problem_at_once_in_korean_and_english() -> None:
    with pytest.raises(DomainError) as bad:
        cm.check_course({"title": " ", "required_hours": "스무", "capacity": "0", "enrol_opens": "2026-12-04",
                         "enrol_closes": "2026-11-16", "program_id": "kosmes-youth-startup-fund"}, ["fki-rebounce"])
    assert fields(bad) == {"title", "required_hours", "capacity", "enrol_closes", "program_id"}
    by = {p.field: p for p in bad.value.problems}
    assert "1명 이상" in by["capacity"].ko and "from 1" in by["capacity"].en
    assert "2026-12-04" in by["enrol_closes"].ko and "fki-rebounce" in by["program_id"].en


def test_session_problems_end_before_start_hours_over_length_missing_venue() -> None:
    with pytest.raises(DomainError) as bad:
        cm.check_session({**SESSION, "starts": "15:00", "ends": "10:00", "venue": ""})
    assert fields(bad) == {"ends", "venue"}
    with pytest.raises(DomainError) as long:
        cm.check_session({**SESSION, "hours": "6"})
    assert fields(long) == {"hours"} and "5시간" in long.value.ko and "5 h" in long.value.en
    with pytest.raises(DomainError) as odd:
        cm.check_session({**SESSION, "day": "2026-13-01", "starts": "10시", "hours": "1.25", "mode": "hybrid"})
    assert fields(odd) == {"day", "starts", "hours", "mode"}


def test_attendance_is_from_zero_to_the_sessions_hours() -> None:
    assert cm.check_attendance("", 240, "hours-1") == 0
    assert cm.check_attendance("3.5", 240, "hours-1") == 210
    with pytest.raises(DomainError) as over:
        cm.check_attendance("4.5", 240, "hours-7")
    assert over.value.field == "hours-7" and "4시간" in over.value.ko
    with pytest.raises(DomainError):
        cm.check_attendance("-1", 240, "hours-7")


def test_enrolment_window_and_cancelling_before_the_first_session() -> None:
    assert cm.can_enrol(date(2026, 12, 4), date(2026, 11, 16), date(2026, 12, 4))
    assert not cm.can_enrol(date(2026, 12, 5), date(2026, 11, 16), date(2026, 12, 4))
    assert cm.can_cancel(date(2026, 12, 6), date(2026, 12, 7)) and not cm.can_cancel(date(2026, 12, 7), date(2026, 12, 7))
    assert cm.can_cancel(date(2026, 12, 30), None)


def test_five_four_hour_sessions_complete_rebounce_on_the_fifth_day() -> None:
    days = [date(2026, 12, 7) + timedelta(days=i) for i in range(5)]
    rows = [cm.Attended(d, time(10), i + 1, 240) for i, d in enumerate(days)]
    assert cm.completed_on(20 * 60, rows) == date(2026, 12, 11)
    assert cm.completed_on(20 * 60, rows[:4]) is None
    short = [*rows[:4], cm.Attended(days[4], time(10), 5, 180)]
    assert cm.completed_on(20 * 60, short) is None and cm.attended_minutes(short) == 19 * 60


sessions = st.lists(st.tuples(st.integers(0, 40), st.integers(8, 18), st.integers(0, 300)), min_size=1, max_size=12)


def rows_of(raw: list[tuple[int, int, int]]) -> list[cm.Attended]:
    return [cm.Attended(date(2026, 12, 1) + timedelta(days=d), time(h), i + 1, m) for i, (d, h, m) in enumerate(raw)]


@given(sessions, st.integers(1, 2000), st.data())
def test_more_attendance_never_uncompletes_nor_delays(raw: list[tuple[int, int, int]], required: int,
                                                      data: st.DataObject) -> None:
    before = cm.completed_on(required, rows_of(raw))
    i = data.draw(st.integers(0, len(raw) - 1))
    extra = data.draw(st.integers(0, 300))
    more = [(d, h, m + extra) if j == i else (d, h, m) for j, (d, h, m) in enumerate(raw)]
    after = cm.completed_on(required, rows_of(more))
    if before is not None:
        assert after is not None and after <= before


@given(sessions, st.integers(1, 2000))
def test_completion_date_is_the_session_that_crossed_the_hours(raw: list[tuple[int, int, int]], required: int) -> None:
    rows = rows_of(raw)
    done = cm.completed_on(required, rows)
    ordered = sorted(rows, key=lambda r: (r.day, r.starts, r.session_id))
    totals = [sum(r.minutes for r in ordered[: k + 1]) for k in range(len(ordered))]
    if totals[-1] < required:
        assert done is None
        return
    k = next(k for k, t in enumerate(totals) if t >= required)
    assert done == ordered[k].day
    assert k == 0 or totals[k - 1] < required  # before that session the hours were short


@given(st.integers(0, 9999), st.integers(0, 9))
def test_hours_as_typed_are_whole_minutes(whole: int, tenth: int) -> None:
    problems: list = []
    minutes = cm.parse_minutes(f"{whole}.{tenth}", "h", problems, what_ko="시간", what_en="hours")
    assert minutes == whole * 60 + tenth * 6 and not problems
    assert cm.hours_label(minutes) == (f"{whole}.{tenth}" if tenth else str(whole))
