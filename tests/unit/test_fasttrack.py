"""The fast track's service level in Korean business days (weekends and public holidays do
not count), who enters, and the time left."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from onestop.applications.consultations import is_business_day
from onestop.catalog.model import FastTrack
from onestop.evaluation.fasttrack import Band, deadline, decided_late, due_on, qualifies, time_left
from onestop.korea.dates import KST

SPEC = FastTrack.model_validate({"service_days": 5, "bands": ["A", "B"], "source": {"ko": "시험", "en": "test"}})


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=KST)  # type: ignore[misc]


def test_five_business_days_skip_the_weekend() -> None:
    # Monday 2026-11-30 → Monday 2026-12-07
    assert due_on(kst(2026, 11, 30, 10), 5).isoformat() == "2026-12-07"


def test_chuseok_does_not_count() -> None:
    # 추석 2026: 9/24–9/26 (Thu–Sat), 대체공휴일 none needed; 개천절 10/3 is a Saturday → 10/5 substitute
    entered = kst(2026, 9, 22, 9)  # Tuesday
    due = due_on(entered, 5)
    assert due.isoformat() == "2026-10-01"  # 9/23, 9/28, 9/29, 9/30, 10/1


def test_time_left_and_breach() -> None:
    entered = kst(2026, 11, 30, 10)
    left = time_left(entered, 5, kst(2026, 12, 2, 9))
    assert (left.business_days, left.breached) == (3, False)
    assert "3영업일 남음" in left.ko and "3 business days left" in left.en
    today = time_left(entered, 5, kst(2026, 12, 7, 17))
    assert today.business_days == 0 and not today.breached and "오늘 마감" in today.ko
    late = time_left(entered, 5, kst(2026, 12, 8, 2))
    assert late.breached and late.hours == -2 and "처리 기한 초과" in late.ko
    assert not decided_late(entered, 5, kst(2026, 12, 7, 23, 59))
    assert decided_late(entered, 5, kst(2026, 12, 8, 0, 0))


def test_who_enters() -> None:
    assert qualifies(SPEC, "eligible", Band.A)
    assert not qualifies(SPEC, "eligible", Band.C)  # the band is not the program's
    assert not qualifies(SPEC, "not_eligible", Band.A)  # the rules did not pass
    assert not qualifies(SPEC, "eligible", None)  # no statements or no model: a person decides
    assert not qualifies(None, "eligible", Band.A)  # the program has no fast track


@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 1)), st.integers(1, 20))
def test_the_due_date_is_a_business_day_with_exactly_n_business_days_before_it(at: datetime, n: int) -> None:
    entered = at.replace(tzinfo=KST)
    due = due_on(entered, n)
    assert is_business_day(due)
    assert time_left(entered, n, entered).business_days == n
    assert deadline(entered, n).astimezone(KST).time().hour == 0


def test_the_band_comes_from_the_evaluation_features_recommendation(monkeypatch: object) -> None:
    """`evaluation.services.recommendation_for(session, application_id)` gives an object with
    `band` ("A".."D") and `model_version`; None routes the application to a person."""
    import sys
    import types
    from dataclasses import dataclass

    import onestop.evaluation
    from onestop.evaluation.fasttrack_services import band_of

    @dataclass
    class Recommendation:
        band: str
        model_version: str

    fake = types.ModuleType("onestop.evaluation.services")
    fake.recommendation_for = lambda _db, app_id: (  # type: ignore[attr-defined]
        Recommendation("B", "lgbm-2026.11") if app_id == 1 else None)
    mp = monkeypatch  # pytest's MonkeyPatch
    mp.setitem(sys.modules, "onestop.evaluation.services", fake)  # type: ignore[attr-defined]
    mp.setattr(onestop.evaluation, "services", fake, raising=False)  # type: ignore[attr-defined]
    assert band_of(None, 1) == (Band.B, "lgbm-2026.11")  # type: ignore[arg-type]
    assert band_of(None, 2) is None  # type: ignore[arg-type]
