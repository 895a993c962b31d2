"""Job fairs: an officer's mini fair over Christmas, booths, seekers booking interview slots on
Korean business days with no double booking, results in order, recorded only by the booth's firm."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from onestop.errors import DomainError
from onestop.jobs import fairs, services
from onestop.korea.dates import KST
from onestop.platform.db import Database
from tests.integration.funds_helpers import officer, principal
from tests.integration.test_jobs import POSTING, SEEKER, new_seeker


@pytest.fixture(scope="module")
def db(database_url: str) -> Any:
    database = Database(database_url)
    yield database
    database.dispose()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=KST)


def test_mini_fair_interviews_on_business_days_without_double_booking(db: Database) -> None:
    with db.unit_of_work() as s:
        jn = officer(s, "jnsbi")
        with pytest.raises(DomainError) as bad:
            fairs.create_fair(s, jn, name="", kind="mini", starts_on=date(2026, 12, 26), ends_on=date(2026, 12, 25))
        assert {p.field for p in bad.value.problems} == {"name", "ends_on", "venue", "starts_on"}
        fair = fairs.create_fair(s, jn, name="순천 신중년 미니 채용박람회", kind="mini", venue="순천시 일자리센터",
                                 region="12150", starts_on=date(2026, 12, 24), ends_on=date(2026, 12, 28))
        founder, exporter = principal(s, "founder@onestop.demo"), principal(s, "exporter@onestop.demo")
        bakery, machine = min(founder.firms), min(exporter.firms)
        posting = services.create_posting(s, founder, bakery, POSTING)
        booth = fairs.register_booth(s, founder, fair.id, bakery, [posting.id])
        other_booth = fairs.register_booth(s, exporter, fair.id, machine, [])
        with pytest.raises(DomainError):
            fairs.register_booth(s, exporter, fair.id, machine, [posting.id])  # another firm's posting
        days = {t.date() for t in fairs.open_slots(s, booth.id)}
        assert days == {date(2026, 12, 24), date(2026, 12, 28)}  # 25 Christmas, 26–27 weekend

        first, second = new_seeker(s, "박람회1"), new_seeker(s, "박람회2")
        for who in (first, second):
            services.save_profile(s, who, SEEKER, date(2026, 11, 30), consent_version=services.CONSENT_VERSION)
        with pytest.raises(DomainError) as unregistered:
            fairs.book(s, first, booth.id, at(24, 10))
        assert unregistered.value.code == "not_registered"
        fairs.register_seeker(s, first, fair.id)
        fairs.register_seeker(s, second, fair.id)
        with pytest.raises(DomainError) as holiday:
            fairs.book(s, first, booth.id, at(25, 10))
        assert holiday.value.code == "slot_invalid" and "영업일" in holiday.value.ko
        interview = fairs.book(s, first, booth.id, at(24, 10))
        with pytest.raises(DomainError) as taken:
            fairs.book(s, second, booth.id, at(24, 10))
        assert taken.value.code == "slot_taken"
        with pytest.raises(DomainError) as twice:
            fairs.book(s, first, other_booth.id, at(24, 10))
        assert twice.value.code == "slot_double_booked"
        assert at(24, 10) not in fairs.open_slots(s, booth.id)
        fairs.book(s, second, booth.id, at(24, 10, 30))

        with pytest.raises(DomainError) as not_theirs:
            fairs.record_result(s, exporter, interview.id, "interviewed")
        assert not_theirs.value.code == "not_found"
        with pytest.raises(DomainError) as order:
            fairs.record_result(s, founder, interview.id, "hired")
        assert order.value.code == "result_order"
        for step in ("interviewed", "offered", "hired"):
            fairs.record_result(s, founder, interview.id, step)
        counts = fairs.results(s, fair.id)
        assert counts["hired"] == 1 and counts["booked"] == 1
        # each booth is shown with its firm's whole name (not the first letter of it)
        assert {b.firm for b in fairs.view(s, founder, fair.id).booths} == {"순천바른빵 주식회사", "창원정밀기계 주식회사"}


def test_a_hire_confirmed_by_both_counts_for_the_fairs_agency_and_is_checked_at_3_and_6_months(db: Database) -> None:
    from onestop.jobs import placements

    with db.unit_of_work() as s:
        jn = officer(s, "jnsbi")
        fair = fairs.create_fair(s, jn, name="여수 미니 채용박람회", kind="mini", venue="여수시청",
                                 starts_on=date(2026, 12, 28), ends_on=date(2026, 12, 29))
        founder, exporter = principal(s, "founder@onestop.demo"), principal(s, "exporter@onestop.demo")
        bakery = min(founder.firms)
        posting = services.create_posting(s, founder, bakery, POSTING)
        booth = fairs.register_booth(s, founder, fair.id, bakery, [posting.id])
        who = new_seeker(s, "채용될사람")
        seeker = services.save_profile(s, who, SEEKER, date(2026, 11, 30), consent_version=services.CONSENT_VERSION)
        stranger = new_seeker(s, "모르는사람")
        unseen = services.save_profile(s, stranger, SEEKER, date(2026, 11, 30), consent_version=services.CONSENT_VERSION)
        with pytest.raises(DomainError):  # the firm never met this seeker
            placements.propose(s, founder, posting.id, unseen.id, date(2027, 1, 4))
        fairs.register_seeker(s, who, fair.id)
        fairs.book(s, who, booth.id, at(28, 14))
        with pytest.raises(DomainError):  # another firm cannot record the bakery's hire
            placements.propose(s, exporter, posting.id, seeker.id, date(2027, 1, 4))
        placed = placements.count_by_agency(s, 2027).get("jnsbi", {}).get("placed", 0)
        hire = placements.propose(s, founder, posting.id, seeker.id, date(2027, 1, 4))
        assert hire.agency_id == "jnsbi" and hire.pay_won == 2_700_000
        assert placements.count_by_agency(s, 2027).get("jnsbi", {}).get("placed", 0) == placed  # not confirmed yet
        with pytest.raises(DomainError):
            placements.confirm(s, stranger, hire.id)
        from onestop.outcomes import kpi

        recorded = kpi.recorded_totals(s, "", date(2027, 1, 1), date(2027, 12, 31), agency_id="jnsbi")
        placements.confirm(s, who, hire.id)
        placements.confirm(s, who, hire.id)  # confirming twice counts once
        now = kpi.recorded_totals(s, "", date(2027, 1, 1), date(2027, 12, 31), agency_id="jnsbi")
        assert now.get("placements", 0) == recorded.get("placements", 0) + 1
        assert SEEKER["birth_year"] <= 1977  # a 50s seeker: also a 신중년 new hire
        assert now.get("new_hires_senior", 0) == recorded.get("new_hires_senior", 0) + 1
        # jnsbi's hire does not count toward the FKI center's 2,500 target …
        fki_before = kpi.outcome_total(s, placements.PROGRAM_ID, 2027, "placements")
        assert kpi.recorded_totals(s, placements.PROGRAM_ID, date(2027, 1, 1), date(2027, 12, 31),
                                   agency_id="jnsbi").get("placements", 0) == fki_before
        # … a hire counted for the FKI SME center does (its fair or its officer's posting)
        again = services.create_posting(s, founder, bakery, {**POSTING, "title": "제과 품질관리 사무원"})
        other = placements.propose(s, founder, again.id, seeker.id, date(2027, 2, 1))
        other.agency_id = placements.PROGRAM_AGENCY
        placements.confirm(s, who, other.id)
        assert kpi.outcome_total(s, placements.PROGRAM_ID, 2027, "placements") == fki_before + 1
        before = placements.count_by_agency(s, 2027)["jnsbi"]["placed"]
        assert before == placed + 1
        assert placements.retention_due(hire) == {3: date(2027, 4, 4), 6: date(2027, 7, 4)}
        with pytest.raises(DomainError) as early:
            placements.record_retention(s, founder, hire.id, 3, True, date(2027, 4, 3))
        assert early.value.code == "retention_not_due"
        placements.record_retention(s, founder, hire.id, 3, True, date(2027, 4, 4))
        placements.record_retention(s, founder, hire.id, 6, False, date(2027, 7, 6))
        counts = placements.count_by_agency(s, 2027)["jnsbi"]
        assert counts["retained_3m"] >= 1 and counts["placed"] == before
