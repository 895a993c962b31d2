"""Re-employment courses (Re-Bounce) on SQLite and PostgreSQL: the FKI center's officer creates
a 20-hour course and its sessions; seekers enrol (window, capacity, once, cancel before the
first session — and two enrolments for the last seat never both succeed); attendance completes
the course on the crossing session's date and counts as an outcome without a firm in the KPI
actuals of the program, agency and 시도; counselling on Korean business days without double
booking; a referral the firm learns of only when the seeker applies; a placement via the course."""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from onestop.catalog.services import build_catalog
from onestop.errors import DomainError
from onestop.jobs import courses, placements, services
from onestop.korea.dates import KST
from onestop.outcomes import kpi, quarterly
from onestop.outcomes.services import recorded_of_firm
from onestop.outcomes.tables import KpiTargetRow, RecordedOutcomeRow
from onestop.platform.db import Database
from tests.integration.funds_helpers import officer, principal
from tests.integration.test_jobs import POSTING, SEEKER, new_seeker

ON = date(2026, 11, 30)
COURSE = {"title": "리바운스(Re-Bounce) 중장년 재취업 교육 — 시험반", "required_hours": "20", "capacity": "2",
          "enrol_opens": "2026-11-16", "enrol_closes": "2026-12-04", "program_id": "fki-rebounce",
          "description": "20시간 재취업 종합교육"}
DAYS = [date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10), date(2026, 12, 11)]


@pytest.fixture(scope="module")
def db(database_url: str) -> Any:
    database = Database(database_url)
    yield database
    database.dispose()


def fki(s: Any) -> Any:
    return principal(s, "officer.fki@onestop.demo")


def rebounce(s: Any, **over: str) -> Any:
    who = fki(s)
    course = courses.create_course(s, who, {**COURSE, **over})
    for i, day in enumerate(DAYS):
        courses.add_session(s, who, course.id, {"day": day.isoformat(), "starts": "10:00", "ends": "15:00", "hours": "4",
                                                "mode": "online" if i % 2 else "offline", "venue": "순천시 일자리센터 교육장"})
    return course


def seeker(s: Any, name: str) -> Any:
    who = new_seeker(s, name)
    services.save_profile(s, who, SEEKER, ON, consent_version=services.CONSENT_VERSION)
    return who


def test_only_the_agencys_officers_create_and_edit_with_field_level_errors(db: Database) -> None:
    with db.unit_of_work() as s:
        who = fki(s)
        with pytest.raises(DomainError) as bad:
            courses.create_course(s, who, {**COURSE, "capacity": "0", "enrol_closes": "2026-11-01", "program_id": "kosmes-x"})
        assert {p.field for p in bad.value.problems} == {"capacity", "enrol_closes", "program_id"}
        with pytest.raises(DomainError) as not_officer:
            courses.create_course(s, seeker(s, "과정생성"), COURSE)
        assert not_officer.value.code == "forbidden"
        course = rebounce(s)
        assert course.agency_id == "fki-sme" and course.counsellor_id == who.user_id and course.required_minutes == 1200
        with pytest.raises(DomainError) as other_agency:
            courses.update_course(s, officer(s, "jnsbi"), course.id, COURSE)
        assert other_agency.value.code == "not_found"
        with pytest.raises(DomainError) as session:
            courses.add_session(s, who, course.id, {"day": "2026-12-14", "starts": "14:00", "ends": "13:00", "hours": "2",
                                                    "mode": "offline", "venue": ""})
        assert {p.field for p in session.value.problems} == {"ends", "venue"}
        assert [x.day for x in courses.sessions_of(s, course.id)] == DAYS
        courses.update_course(s, who, course.id, {**COURSE, "title": "리바운스 순천반", "capacity": "3"})
        assert (course.title, course.capacity) == ("리바운스 순천반", 3)


def test_enrol_once_within_the_window_and_capacity_cancel_before_the_first_session(db: Database) -> None:
    with db.unit_of_work() as s:
        course = rebounce(s)
        a, b, c = seeker(s, "수강생가"), seeker(s, "수강생나"), seeker(s, "수강생다")
        with pytest.raises(DomainError) as early:
            courses.enrol(s, a, course.id, date(2026, 11, 15))
        assert early.value.code == "enrolment_closed" and "2026-11-16" in early.value.ko
        courses.enrol(s, a, course.id, ON)
        with pytest.raises(DomainError) as twice:
            courses.enrol(s, a, course.id, ON)
        assert twice.value.code == "already_enrolled"
        courses.enrol(s, b, course.id, ON)
        with pytest.raises(DomainError) as full:
            courses.enrol(s, c, course.id, ON)
        assert full.value.code == "course_full" and "2명" in full.value.ko
        with pytest.raises(DomainError) as shrink:
            courses.update_course(s, fki(s), course.id, {**COURSE, "capacity": "1"})
        assert shrink.value.field == "capacity"
        with pytest.raises(DomainError) as late:
            courses.cancel(s, b, course.id, DAYS[0])
        assert late.value.code == "cancel_too_late" and "2026-12-07" in late.value.ko
        courses.cancel(s, b, course.id, date(2026, 12, 6))
        assert courses.seats_left(s, course) == 1
        courses.enrol(s, c, course.id, ON)  # the freed seat
        with pytest.raises(DomainError):
            courses.enrol(s, b, course.id, ON)  # full again


def test_attendance_completes_on_the_crossing_session_and_counts_without_a_firm(db: Database) -> None:
    with db.unit_of_work() as s:
        course = rebounce(s)
        who = fki(s)
        me = seeker(s, "수료예정")
        e = courses.enrol(s, me, course.id, ON)
        sessions = courses.sessions_of(s, course.id)
        with pytest.raises(DomainError) as future:
            courses.take_attendance(s, who, sessions[0].id, {e.id: "4"}, ON)
        assert future.value.code == "session_not_held"
        with pytest.raises(DomainError) as over:
            courses.take_attendance(s, who, sessions[0].id, {e.id: "4.5"}, DAYS[4])
        assert over.value.field == f"hours-{e.id}" and "4시간" in over.value.ko and "4 h" in over.value.en
        for x, h in zip(sessions, ["4", "4", "3", "4", "4"], strict=True):
            courses.take_attendance(s, who, x.id, {e.id: h}, DAYS[4])
        p = courses.progress(s, course, e)
        assert (p.attended, p.required, p.completed_on) == (19 * 60, 1200, None)
        courses.take_attendance(s, who, sessions[2].id, {e.id: "4"}, DAYS[4])  # a correction: now 20 h
        assert e.completed_on == DAYS[4]
        # 20 hours first reached at the fifth session; more on the third moves it earlier, never undoes it
        courses.take_attendance(s, who, sessions[1].id, {e.id: "4"}, DAYS[4])
        rows = s.scalars(select(RecordedOutcomeRow).where(RecordedOutcomeRow.source_kind == "course_completion",
                                                          RecordedOutcomeRow.source_id == e.id)).all()
        assert [(r.firm_id, r.sido, r.measure, r.value, r.occurred_on, r.program_id, r.agency_id) for r in rows] == [
            (None, "12", "course_completions", 1, DAYS[4], "fki-rebounce", "fki-sme")]
        for scope in ({"program_id": "fki-rebounce"}, {"program_id": "", "agency_id": "fki-sme"},
                      {"program_id": "fki-rebounce", "region": "12"}):
            scoped = {"program_id": "", **scope}
            totals = kpi.recorded_totals(s, scoped.pop("program_id"), date(2026, 1, 1), date(2026, 12, 31), **scoped)
            assert totals.get("course_completions", 0) >= 1
        assert kpi.recorded_totals(s, "fki-rebounce", date(2026, 1, 1), date(2026, 12, 31), region="48") \
            .get("course_completions", 0) == 0
        # a NULL firm is nobody's: no firm's recorded outcomes, and the agency's quarter still reads
        assert all(r.source_kind != "course_completion" for r in recorded_of_firm(s, 0))
        # a target on completions (an illustration, not a published one) reads them as its actual,
        # on the KPI lines and in the agency's quarterly report
        target = KpiTargetRow(program_id="fki-rebounce", agency_id="fki-sme", region="12", year=2026,
                              measure="course_completions", target=100, unit="명", source="시험용 예시 목표")
        s.add(target)
        s.flush()
        assert kpi.actual(s, target) >= 1
        q4 = quarterly.build(s, build_catalog(s), "fki-sme", 2026, 4, DAYS[4])
        line = next(k for k in q4.kpis if k["measure"] == "course_completions")
        assert line["actual"] >= 1 and q4.executions == 0
        # taking hours away below 20 un-completes and removes the outcome
        courses.take_attendance(s, who, sessions[4].id, {e.id: "0"}, DAYS[4])
        courses.take_attendance(s, who, sessions[3].id, {e.id: "0"}, DAYS[4])
        assert e.completed_on is None
        assert s.scalars(select(RecordedOutcomeRow).where(RecordedOutcomeRow.source_kind == "course_completion",
                                                          RecordedOutcomeRow.source_id == e.id)).all() == []


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=KST)


def test_counselling_on_business_days_of_the_course_without_double_booking(db: Database) -> None:
    with db.unit_of_work() as s:
        course = rebounce(s)
        a, b, outsider = seeker(s, "상담가"), seeker(s, "상담나"), seeker(s, "상담외부")
        courses.enrol(s, a, course.id, ON)
        courses.enrol(s, b, course.id, ON)
        assert {t.date() for t in courses.open_counselling(s, course.id, ON)} == set(DAYS)
        with pytest.raises(DomainError) as not_enrolled:
            courses.book_counselling(s, outsider, course.id, at(7, 10), ON)
        assert not_enrolled.value.code == "not_enrolled"
        with pytest.raises(DomainError) as weekend:
            courses.book_counselling(s, a, course.id, at(12, 10), ON)  # a Saturday after the course
        assert weekend.value.code == "slot_invalid" and "영업일" in weekend.value.ko
        courses.book_counselling(s, a, course.id, at(7, 16), ON)
        with pytest.raises(DomainError) as taken:
            courses.book_counselling(s, b, course.id, at(7, 16), ON)
        assert taken.value.code == "slot_taken"
        with pytest.raises(DomainError) as mine:
            courses.book_counselling(s, a, course.id, at(7, 16), ON)
        assert mine.value.code == "slot_double_booked"
        assert at(7, 16) not in courses.open_counselling(s, course.id, ON)
        courses.book_counselling(s, b, course.id, at(7, 16, 30), ON)
        courses.cancel(s, a, course.id, ON)  # cancelling releases the slot
        assert at(7, 16) in courses.open_counselling(s, course.id, ON)


def test_a_referral_reveals_nothing_to_the_firm_until_the_seeker_applies_and_marks_the_hire(db: Database) -> None:
    with db.unit_of_work() as s:
        course = rebounce(s)
        who = fki(s)
        founder = principal(s, "founder@onestop.demo")
        posting = services.create_posting(s, founder, min(founder.firms), POSTING)
        me = seeker(s, "추천받음")
        stranger = seeker(s, "미수강")
        e = courses.enrol(s, me, course.id, ON)
        with pytest.raises(DomainError) as not_enrolled:
            courses.refer(s, who, course.id, 999_999, posting.id, ON)
        assert not_enrolled.value.field == "enrolment_id"
        with pytest.raises(DomainError) as other_agency:
            courses.refer(s, officer(s, "jnsbi"), course.id, e.id, posting.id, ON)
        assert other_agency.value.code == "not_found"
        with pytest.raises(DomainError) as closed:
            courses.refer(s, who, course.id, e.id, posting.id, date(2027, 1, 5))
        assert closed.value.code == "posting_closed"
        courses.refer(s, who, course.id, e.id, posting.id, ON, "품질관리 경력이 맞습니다")
        with pytest.raises(DomainError):
            courses.refer(s, who, course.id, e.id, posting.id, ON)
        mine = services.my_seeker_row(s, me)
        assert mine is not None
        assert [(p.id, r.note) for r, p in courses.referrals_of_seeker(s, mine.id)] == [(posting.id, "품질관리 경력이 맞습니다")]
        # the firm does not see the referred seeker: not a candidate, no profile, no hire possible
        assert all(c.seeker_id != mine.id for c in services.candidates(s, founder, posting.id, ON))
        with pytest.raises(DomainError):
            services.seeker_for_firm(s, founder, mine.id)
        with pytest.raises(DomainError):
            placements.propose(s, founder, posting.id, mine.id, date(2027, 1, 4))
        services.apply(s, me, posting.id, ON)
        assert services.seeker_for_firm(s, founder, mine.id)["region"] == "12150"
        hire = placements.propose(s, founder, posting.id, mine.id, date(2027, 1, 4))
        assert hire.course_id == course.id
        assert [v["course"] for v in placements.of_seeker(s, me)] == [course.title]
        assert courses.placements_via(s, who, course.id) == 1
        other = services.my_seeker_row(s, stranger)
        assert other is not None
        services.apply(s, stranger, posting.id, ON)
        assert placements.propose(s, founder, posting.id, other.id, date(2027, 1, 4)).course_id is None


def test_two_enrolments_for_the_last_seat_never_both_succeed(db: Database) -> None:
    with db.unit_of_work() as s:
        course = rebounce(s, capacity="1")
        racers = [seeker(s, f"경쟁{i}") for i in range(2)]
        course_id = course.id
    def go(who: Any, barrier: threading.Barrier, results: list[str]) -> None:
        try:
            with db.unit_of_work() as s:
                barrier.wait(timeout=10)
                courses.enrol(s, who, course_id, ON)
            results.append("ok")
        except DomainError as e:
            results.append(e.code)

    for _ in range(2):  # twice: the lock, not luck
        with db.unit_of_work() as s:
            for e in s.scalars(select(courses.JobCourseEnrolmentRow).where(
                    courses.JobCourseEnrolmentRow.course_id == course_id)):
                s.delete(e)
        barrier = threading.Barrier(2)
        results: list[str] = []
        threads = [threading.Thread(target=go, args=(w, barrier, results)) for w in racers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(results) == ["course_full", "ok"]
        with db.unit_of_work() as s:
            assert courses.seats_left(s, courses.get_course(s, course_id)) == 0


def test_the_seekers_download_has_the_courses_and_deleting_removes_them(db: Database) -> None:
    with db.unit_of_work() as s:
        course = rebounce(s)
        me = seeker(s, "내자료")
        e = courses.enrol(s, me, course.id, ON)
        courses.book_counselling(s, me, course.id, at(8, 9), ON)
        courses.take_attendance(s, fki(s), courses.sessions_of(s, course.id)[0].id, {e.id: "4"}, DAYS[4])
        data = services.export_my_data(s, me)["courses"]
        assert data[0]["course"] == COURSE["title"] and data[0]["attendance"] == [{"date": "2026-12-07", "hours": "4"}]
        services.delete_my_data(s, me)
        assert courses.my_enrolment(s, me, course.id) is None
        assert courses.counselling_of(s, course.id) == []
