"""A booking's thread subject is the platform's words and reads in the page's language; any
other subject is the firm's own and is shown as written."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from onestop.applications.consultations import booking_subject, subject_in
from onestop.korea.dates import KST

MODES = {"화상": "Video", "전화": "Phone", "방문": "Visit"}
BRANCHES = {"본원": "Head office", "동부지부": "Eastern branch"}


def test_a_booking_subject_reads_in_english() -> None:
    stored = booking_subject(datetime(2026, 12, 1, 17, 30, tzinfo=KST), "화상", "본원")
    assert stored == "[상담 예약] 2026-12-01 17:30 화상 상담 · 본원"
    assert subject_in(stored, "ko", MODES, BRANCHES) == stored
    assert subject_in(stored, "en", MODES, BRANCHES) == "[Booking] 2026-12-01 17:30 KST, video consultation · Head office"


@given(st.text(min_size=1, max_size=80))
def test_a_firms_own_subject_is_shown_as_written(subject: str) -> None:
    if not subject.startswith("[상담 예약] "):
        assert subject_in(subject, "en", MODES, BRANCHES) == subject
    assert subject_in(subject, "ko", MODES, BRANCHES) == subject
