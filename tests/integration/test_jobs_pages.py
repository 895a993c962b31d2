"""Jobs pages through the forms: a seeker signs up as a seeker, is refused field by field with
what they typed kept, builds the 신중년 profile in 순천, sees explained matches, applies; the firm
posts a job (below the minimum wage refused), sees the applicant by name and nobody else's."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from onestop.demo.seed import PASSWORD
from tests.integration.conftest import agreements, fresh_email
from tests.integration.test_pages import PAGE_PASSWORD, csrf_of, page_login

PROFILE = {"birth_year": "1976", "region": "12150", "commute": "province", "sought.0": "32122", "sought.1": "32121",
           "held.0.occupation": "32121", "held.0.years": "18", "education": "high", "licences": "지게차운전기능사",
           "employment_types": "permanent", "max_hours_per_week": "40", "pay_floor_won": "2,500,000",
           "pay_floor_unit": "month", "keywords": "품질관리 생산관리"}


def seeker_signs_up(client: TestClient) -> str:
    email = fresh_email("seekerpage")
    page = client.get("/signup?as=seeker").text
    assert 'value="seeker" id="account-type-seeker" checked' in page
    form = {"csrf_token": csrf_of(page), "email": email, "password": PAGE_PASSWORD, "password_confirm": PAGE_PASSWORD,
            "name": "정순천", "account_type": "seeker", **{f"agree_{k}": "yes" for k in agreements()},
            **{f"version_{k}": v for k, v in agreements().items()}}
    r = client.post("/signup", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/jobs/profile", r.text
    return csrf_of(client.get("/jobs/profile").text)


def test_seeker_and_firm_journey_through_the_pages(app: Any) -> None:
    with TestClient(app, client=("2001:db8::1201", 5000)) as seeker, TestClient(app, client=("2001:db8::1202", 5000)) as firm:
        csrf = seeker_signs_up(seeker)
        r = seeker.post("/jobs/profile", data={**PROFILE, "csrf_token": csrf, "birth_year": "2016", "sought.0": "12345"})
        assert r.status_code == 422
        assert "근로기준법 제64조" in r.text and "한국표준직업분류" in r.text and "동의해야" in r.text
        assert 'value="32121"' in r.text and 'value="품질관리 생산관리"' in r.text  # nothing typed is lost
        r = seeker.post("/jobs/profile", data={**PROFILE, "csrf_token": csrf, "consent": "yes",
                                                "consent_version": "2026-11-30"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/jobs/matches"
        profile = seeker.get("/jobs/profile").text  # each code is named beside its field, not shown bare
        assert "32122 품질관리 사무원" in profile and "32121 생산관리 사무원" in profile

        assert page_login(firm, "founder@onestop.demo", PASSWORD).status_code == 303
        page = firm.get("/jobs/firm").text
        assert "10,320" in page and "2,156,880" in page
        token = csrf_of(page)
        firm_id = re.search(r'name="firm_id"><option value="(\d+)"', page).group(1)  # type: ignore[union-attr]
        posting = {"csrf_token": token, "firm_id": firm_id, "title": "제과 공장 품질관리 사무원", "occupation": "32122",
                   "region": "12150", "employment_type": "permanent", "hours_per_week": "40", "pay_won": "2,000,000",
                   "pay_unit": "month", "opens_on": "2026-11-01", "closes_on": "2026-12-31", "education_min": "high",
                   "career_years": "3", "programs": "new_middle_aged_job", "description": "품질관리 업무"}
        r = firm.post("/jobs/firm/postings", data=posting)
        assert r.status_code == 422 and "최저임금" in r.text and 'value="제과 공장 품질관리 사무원"' in r.text
        assert "32122 품질관리 사무원" in r.text  # the typed code is named beside its field
        r = firm.post("/jobs/firm/postings", data={**posting, "pay_won": "2,800,000"}, follow_redirects=False)
        assert r.status_code == 303
        posting_id = r.headers["location"].rsplit("/", 1)[1]

        page = seeker.get("/jobs/matches").text
        assert "희망 직종과 일치 (세세분류): 32122 품질관리 사무원" in page and "신중년 적합직무" in page
        english = seeker.get("/jobs/matches?lang=en").text
        assert "Matches an occupation you seek (detailed occupation)" in english
        assert f'id="apply-{posting_id}"' in page
        assert "정순천" not in firm.get(f"/jobs/firm/postings/{posting_id}").text
        r = seeker.post(f"/jobs/postings/{posting_id}/apply", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
        assert r.status_code == 303
        page = firm.get(f"/jobs/firm/postings/{posting_id}").text
        assert "정순천" in page and "지원함" in page

        download = seeker.get("/jobs/my-data.json")
        assert download.status_code == 200 and download.json()["profile"]["region"] == "12150"
        r = seeker.post("/jobs/my-data/delete", data={"csrf_token": csrf_of(seeker.get("/jobs/profile").text)},
                        follow_redirects=False)
        assert r.status_code == 303
        assert seeker.get("/jobs/my-data.json").json()["profile"] is None
        assert "정순천" not in firm.get(f"/jobs/firm/postings/{posting_id}").text


def test_another_firms_posting_and_a_firms_pages_are_not_found(app: Any) -> None:
    with TestClient(app, client=("2001:db8::1203", 5000)) as other:
        assert page_login(other, "crisis@onestop.demo", PASSWORD).status_code == 303
        assert other.get("/jobs/firm/postings/999999").status_code == 404
        assert other.get("/jobs/profile").status_code == 404


def test_the_demo_seeker_registers_for_the_mini_fair_books_an_interview_and_is_hired(app: Any) -> None:
    with TestClient(app, client=("2001:db8::1204", 5000)) as seeker, TestClient(app, client=("2001:db8::1205", 5000)) as firm:
        assert page_login(seeker, "seeker@onestop.demo", PASSWORD).status_code == 303
        listing = seeker.get("/jobs/fairs").text
        fair = re.search(r'href="/jobs/fairs/(\d+)">순천 신중년 미니 채용박람회', listing).group(1)  # type: ignore[union-attr]
        page = seeker.get(f"/jobs/fairs/{fair}").text
        r = seeker.post(f"/jobs/fairs/{fair}/register", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
        assert r.status_code == 303
        page = seeker.get(f"/jobs/fairs/{fair}").text
        booth, slot = re.search(r'name="booth_id" value="(\d+)".*?<option value="([^"]+)"', page, re.S).groups()  # type: ignore[union-attr]
        r = seeker.post(f"/jobs/fairs/{fair}/book", data={"csrf_token": csrf_of(page), "booth_id": booth, "starts_at": slot},
                        follow_redirects=False)
        assert r.status_code == 303
        again = seeker.post(f"/jobs/fairs/{fair}/book", data={"csrf_token": csrf_of(page), "booth_id": booth,
                                                              "starts_at": slot})
        assert again.status_code == 422 and "이미" in again.text
        assert "면접 예약" in seeker.get(f"/jobs/fairs/{fair}").text

        assert page_login(firm, "founder@onestop.demo", PASSWORD).status_code == 303
        page = firm.get(f"/jobs/fairs/{fair}").text
        assert "정순천 (신중년 구직자)" in page
        interview = re.search(r'id="interview-(\d+)"', page).group(1)  # type: ignore[union-attr]
        for step in ("interviewed", "offered", "hired"):
            r = firm.post(f"/jobs/interviews/{interview}/result", data={"csrf_token": csrf_of(page), "result": step},
                          follow_redirects=False)
            assert r.status_code == 303, step
        assert "채용 1" in seeker.get(f"/jobs/fairs/{fair}").text

        page = firm.get("/jobs/placements").text
        posting = re.search(r'name="posting_id".*?<option value="(\d+)"', page, re.S).group(1)  # type: ignore[union-attr]
        seeker_id = re.search(r'<option value="(\d+)">정순천 \(신중년 구직자\)</option>', page).group(1)  # type: ignore[union-attr]
        bad = firm.post("/jobs/placements", data={"csrf_token": csrf_of(page), "posting_id": posting, "seeker_id": seeker_id,
                                                  "starts_on": "2027-13-01"})
        assert bad.status_code == 422 and 'id="starts_on-error"' in bad.text and "YYYY-MM-DD" in bad.text
        assert f'<option value="{seeker_id}" selected>정순천' in bad.text  # what was chosen is kept
        english = firm.post("/jobs/placements?lang=en", data={"csrf_token": csrf_of(page), "posting_id": posting,
                                                              "seeker_id": "", "starts_on": "2027-01-04"})
        assert english.status_code == 422 and "No such job seeker." in english.text and 'id="seeker_id-error"' in english.text
        r = firm.post("/jobs/placements", data={"csrf_token": csrf_of(page), "posting_id": posting, "seeker_id": seeker_id,
                                                "starts_on": "2027-01-04"}, follow_redirects=False)
        assert r.status_code == 303
        assert "확인 전" in firm.get("/jobs/placements").text
        mine = seeker.get("/jobs/placements").text
        hire = re.search(r'id="confirm-(\d+)"', mine).group(1)  # type: ignore[union-attr]
        assert firm.post(f"/jobs/placements/{hire}/confirm", data={"csrf_token": csrf_of(page)}).status_code == 404
        r = seeker.post(f"/jobs/placements/{hire}/confirm", data={"csrf_token": csrf_of(mine)}, follow_redirects=False)
        assert r.status_code == 303 and "확인함" in seeker.get("/jobs/placements").text
        early = firm.post(f"/jobs/placements/{hire}/retention", data={"csrf_token": csrf_of(page), "months": "3",
                                                                     "retained": "yes"})
        assert early.status_code == 422 and 'id="retained-' in early.text and "2027-04-04" in early.text
