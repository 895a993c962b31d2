"""Course pages through the forms: the FKI center's officer creates a course (refused field by
field with what was typed kept), adds sessions, takes attendance on each session's sheet (hours
over the session refused next to the person's field) and refers a seeker to a posting; a new
seeker enrols, sees their progress reach completion and the referral, and applies; English pages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from onestop.demo.seed import PASSWORD
from onestop.jobs.tables import JobCourseEnrolmentRow, JobPostingRow
from onestop.korea.dates import KST
from onestop.platform.db import utcnow
from tests.integration.test_jobs_pages import PROFILE, seeker_signs_up
from tests.integration.test_pages import csrf_of, page_login


def test_course_journey_through_the_pages(app: Any) -> None:
    today = utcnow().astimezone(KST).date()
    with TestClient(app, client=("2001:db8::1251", 5000)) as officer, TestClient(app, client=("2001:db8::1252", 5000)) as me:
        assert page_login(officer, "officer.fki@onestop.demo", PASSWORD).status_code == 303
        page = officer.get("/jobs/courses").text
        assert "리바운스(Re-Bounce) 중장년 재취업 교육 — 순천 12월반" in page and 'id="course-form"' in page
        form = {"csrf_token": csrf_of(page), "title": "리바운스 집중반", "required_hours": "8", "capacity": "0",
                "enrol_opens": today.isoformat(), "enrol_closes": (today - timedelta(days=1)).isoformat(),
                "program_id": "fki-rebounce", "description": "하루 8시간 집중 과정", "counsellor_id": ""}
        r = officer.post("/jobs/courses", data=form)
        assert r.status_code == 422
        assert "정원은 1명 이상" in r.text and "수강 신청 마감일" in r.text and 'value="리바운스 집중반"' in r.text
        r = officer.post("/jobs/courses", data={**form, "capacity": "10",
                                                "enrol_closes": (today + timedelta(days=20)).isoformat()},
                         follow_redirects=False)
        assert r.status_code == 303
        course_url = r.headers["location"]
        token = csrf_of(officer.get(course_url).text)
        session = {"csrf_token": token, "day": today.isoformat(), "starts": "13:00", "ends": "09:00", "hours": "4",
                   "mode": "offline", "venue": ""}
        r = officer.post(f"{course_url}/sessions", data=session)
        assert r.status_code == 422 and "종료 시각(09:00)이 시작 시각(13:00)보다 늦어야" in r.text and "교육장" in r.text
        for starts, ends, mode in (("09:00", "13:00", "offline"), ("14:00", "18:00", "online")):
            r = officer.post(f"{course_url}/sessions", data={**session, "starts": starts, "ends": ends, "mode": mode,
                                                              "venue": "순천시 일자리센터 교육장"}, follow_redirects=False)
            assert r.status_code == 303
        sheets = re.findall(rf'href="({course_url}/sessions/\d+)"', officer.get(course_url).text)
        assert len(sheets) == 2

        csrf = seeker_signs_up(me)
        r = me.post("/jobs/profile", data={**PROFILE, "csrf_token": csrf, "consent": "yes", "consent_version": "2026-11-30"},
                    follow_redirects=False)
        assert r.status_code == 303
        page = me.get(course_url).text
        assert 'id="enrol"' in page and "8시간 출석" in page
        assert me.post(f"{course_url}/enrol", data={"csrf_token": csrf_of(page)}, follow_redirects=False).status_code == 303
        page = me.get(course_url).text
        assert "출석 0시간 / 이수 기준 8시간" in page and 'id="enrol"' not in page
        r = me.post(f"{course_url}/enrol", data={"csrf_token": csrf_of(page)})
        assert r.status_code == 422 and "이미 신청한 과정" in r.text
        assert me.get(sheets[0]).status_code == 404  # a seeker has no attendance sheet

        page = officer.get(sheets[0]).text
        field = re.search(r'name="(hours-\d+)"', page).group(1)  # type: ignore[union-attr]
        r = officer.post(sheets[0], data={"csrf_token": csrf_of(page), field: "4.5"})
        assert r.status_code == 422 and "출석 시간은 0시간부터 이 회차의 인정 시간(4시간)까지" in r.text
        assert 'value="4.5"' in r.text  # what was typed stays
        for sheet in sheets:
            assert officer.post(sheet, data={"csrf_token": csrf_of(page), field: "4"}, follow_redirects=False).status_code == 303
        assert "수료" in officer.get(sheets[1]).text
        edit = {"csrf_token": csrf_of(page), "day": today.isoformat(), "starts": "09:00", "ends": "13:30", "hours": "3",
                "mode": "offline", "venue": "순천시 일자리센터 교육장"}
        r = officer.post(f"{sheets[0]}/edit", data=edit)
        assert r.status_code == 422 and "이미 4시간 출석으로 기록된 사람이 있어" in r.text and 'value="13:30"' in r.text
        assert officer.post(f"{sheets[0]}/edit", data={**edit, "hours": "4.5"}, follow_redirects=False).status_code == 303
        assert "09:00~13:30" in officer.get(sheets[0]).text

        with app.state.db.unit_of_work() as db:
            posting_id = db.scalar(select(JobPostingRow.id).where(JobPostingRow.external_id == "DEMO-JOB-1"))
            enrolment_id = int(field.removeprefix("hours-"))
            assert db.get(JobCourseEnrolmentRow, enrolment_id).completed_on == today  # type: ignore[union-attr]
        page = officer.get(course_url).text
        r = officer.post(f"{course_url}/referrals", data={"csrf_token": csrf_of(page), "enrolment_id": str(enrolment_id),
                                                           "posting_id": str(posting_id), "note": "품질관리 경력에 맞는 자리"},
                         follow_redirects=False)
        assert r.status_code == 303

        page = me.get(course_url).text
        assert f"{today.isoformat()} 수료" in page and "출석 8시간 / 이수 기준 8시간" in page
        assert "제과 공장 품질관리 사무원" in page and "품질관리 경력에 맞는 자리" in page
        r = me.post(f"{course_url}/referrals/{posting_id}/apply", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
        assert r.status_code == 303
        assert "지원함" in me.get(course_url).text
        english = me.get(course_url, params={"lang": "en"}).text
        assert f"Completed on {today.isoformat()}" in english and "8 of 8 hours attended" in english
        assert "Applied" in english
        assert "Re-employment courses" in me.get("/jobs/courses", params={"lang": "en"}).text
        # the completion is an outcome without a firm: the agency's outcome pages read on
        for url in ("/officer/outcomes", "/officer/outcomes/quarterly"):
            assert officer.get(url).status_code == 200, url
