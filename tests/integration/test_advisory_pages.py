"""Advisory pages: a firm's bad request keeps what was typed and names each field; the need goes
to an expert who sees it in the inbox and takes it; an expert it was not routed to and another
firm get 404; the firm closes it and rates the help; the officer sees open needs by age and the
statistics; the English pages read in English."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from onestop.advisory.tables import NeedRow
from onestop.demo.seed import PASSWORD
from tests.integration.advisory_helpers import expert, retire_all
from tests.integration.test_pages import csrf_of, page_login


def _client(app: Any, email: str) -> TestClient:
    c = TestClient(app)
    assert page_login(c, email, PASSWORD).status_code == 303
    return c


def test_need_journey_through_the_pages(app: Any) -> None:
    database = app.state.app.db
    with database.unit_of_work() as s:
        retire_all(s)
        _, mail = expert(s, "정수출", ["export"], ["48"], {"ksic_prefixes": ["C"]})
        _, other_mail = expert(s, "한기술", ["tech"], [])
    firm = _client(app, "exporter@onestop.demo")
    page = firm.get("/advisory")
    assert page.status_code == 200 and 'id="need-form"' in page.text
    bad = firm.post("/advisory", data={"csrf_token": csrf_of(page.text), "firm_id": "", "subject": "우주",
                                       "title": "중동 바이어", "body": "짧음"})
    assert bad.status_code == 422
    assert "자문을 요청할 기업을 고르세요" in bad.text
    firm_id = re.search(r'<option value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    bad = firm.post("/advisory", data={"csrf_token": csrf_of(page.text), "firm_id": firm_id, "subject": "우주",
                                       "title": "중동 바이어", "body": "짧음"})
    assert "자문 분야를 고르세요: 기술, 수출" in bad.text and "10–4000자" in bad.text
    assert 'value="중동 바이어"' in bad.text  # kept
    ok = firm.post("/advisory", data={"csrf_token": csrf_of(page.text), "firm_id": firm_id, "subject": "export",
                                      "title": "중동 바이어", "body": "사우디 플랜트 바이어를 찾고 있습니다."},
                   follow_redirects=False)
    assert ok.status_code == 303
    url = ok.headers["location"]
    need_id = int(url.rsplit("/", 1)[1])
    shown = firm.get(url)
    assert "경남 담당, 수출 자문, 제조업 대상" in shown.text and "정수출" in shown.text
    en = firm.get(url + "?lang=en")
    assert "covers Gyeongnam; advises on export; for manufacturing" in en.text

    stranger, wrong_expert = _client(app, "crisis@onestop.demo"), _client(app, other_mail)
    assert stranger.get(url).status_code == 404 and wrong_expert.get(url).status_code == 404
    taken = wrong_expert.post(f"{url}/take", data={"csrf_token": csrf_of(wrong_expert.get("/expert/needs").text),
                                                   "answer": "제가 맡겠습니다, 연락드리겠습니다."})
    assert taken.status_code == 404

    adviser = _client(app, mail)
    inbox = adviser.get("/expert/needs")
    assert inbox.status_code == 200 and f"/advisory/needs/{need_id}" in inbox.text
    need_page = adviser.get(url)
    short = adviser.post(f"{url}/take", data={"csrf_token": csrf_of(need_page.text), "answer": "네"})
    assert short.status_code == 422 and "첫 답변을 10–4000자로" in short.text
    adviser.post(f"{url}/take", data={"csrf_token": csrf_of(need_page.text),
                                      "answer": "중동 전시회와 KOTRA 무역관 연계를 안내드리겠습니다."})
    assert "중동 전시회와" in firm.get(url).text
    page = adviser.get(url)  # the taken need continues as long-term advisory
    assert 'id="engagement-form"' in page.text
    bad = adviser.post(f"{url}/engagement", data={"csrf_token": csrf_of(page.text), "kind": "management_doctor",
                                                  "planned_sessions": "0"})
    assert bad.status_code == 422 and "계획 회차는 1–52회" in bad.text
    adviser.post(f"{url}/engagement", data={"csrf_token": csrf_of(page.text), "kind": "management_doctor",
                                            "planned_sessions": "4"})
    page = adviser.get(url)
    from onestop.advisory.services import today_kst

    adviser.post(f"{url}/engagement/sessions", data={"csrf_token": csrf_of(page.text), "held_on": str(today_kst()),
                                                     "report": "전시회 참가 계획과 바이어 명단을 정리했습니다."})
    adviser.post(f"{url}/engagement/end", data={"csrf_token": csrf_of(page.text), "goals_met": "yes",
                                                "assessment": "바이어 3곳과 상담을 마쳤고 견적을 보냈습니다."})
    shown = firm.get(url).text
    assert 'id="engagement"' in shown and "바이어 명단을 정리" in shown and "목표 달성" in shown

    page = firm.get(url)
    firm.post(f"{url}/close", data={"csrf_token": csrf_of(page.text), "closure": "done"})
    page = firm.get(url)
    assert 'id="survey-form"' in page.text
    firm.post(f"{url}/survey", data={"csrf_token": csrf_of(page.text), "satisfaction": "4", "comment": "좋았습니다"})
    assert "4/5" in firm.get(url).text
    with database.unit_of_work() as s:
        row = s.scalar(select(NeedRow).where(NeedRow.id == need_id))
        assert row is not None and (row.state, row.closure, row.satisfaction) == ("closed", "done", 4)

    officer = _client(app, "officer.kosmes@onestop.demo")
    view = officer.get("/officer/advisory")
    assert view.status_code == 200 and 'id="per-expert"' in view.text and "정수출" in view.text
    assert firm.get("/officer/advisory").status_code == 404 and firm.get("/expert/needs").status_code == 404


def test_english_advisory_pages_show_korean_only_in_peoples_own_words(app: Any) -> None:
    import sqlalchemy as sa

    from onestop.advisory.tables import EngagementRow, EngagementSessionRow, NeedRouteRow
    from tests.integration.test_english_pages import korean_left, proper_names

    database = app.state.app.db
    with database.unit_of_work() as s:
        retire_all(s)
        _, mail = expert(s, "윤판로", ["market"], [])
    firm = _client(app, "seoul@onestop.demo")
    page = firm.get("/advisory")
    firm_id = re.search(r'<option value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    url = firm.post("/advisory", data={"csrf_token": csrf_of(page.text), "firm_id": firm_id, "subject": "market",
                                       "title": "온라인 판로", "body": "해외 온라인몰 입점 방법을 알고 싶습니다."},
                    follow_redirects=False).headers["location"]
    adviser = _client(app, mail)
    adviser.post(f"{url}/take", data={"csrf_token": csrf_of(adviser.get(url).text),
                                      "answer": "입점 절차와 수수료 구조를 정리해 드리겠습니다."})
    with database.unit_of_work() as s:  # the firm's and the experts' own words stay as written
        words = [*s.scalars(sa.select(NeedRow.body)), *s.scalars(sa.select(NeedRouteRow.answer)),
                 *s.scalars(sa.select(NeedRouteRow.decline_reason)), *s.scalars(sa.select(EngagementRow.assessment)),
                 *s.scalars(sa.select(EngagementSessionRow.report))]
    names = sorted({*proper_names(app), *(w for w in words if w)}, key=len, reverse=True)
    for client, path in ((adviser, "/expert/needs"), (adviser, url), (firm, url), (firm, "/advisory")):
        r = client.get(path, params={"lang": "en"})
        assert r.status_code == 200 and '<html lang="en">' in r.text
        assert korean_left(r.text, names) == [], path


def test_an_officer_registers_and_updates_an_adviser_on_the_page(app: Any) -> None:
    from onestop.accounts.tables import UserRow
    from onestop.advisory.tables import ExpertRow
    from onestop.alerts.tables import NotificationRow

    officer, firm = _client(app, "officer.kosmes@onestop.demo"), _client(app, "exporter@onestop.demo")
    assert firm.get("/officer/advisory/experts").status_code == 404
    assert firm.post("/officer/advisory/experts", data={"email": "x@y.kr"}).status_code in (403, 404)
    assert 'id="manage-experts"' in officer.get("/officer/advisory").text
    page = officer.get("/officer/advisory/experts")
    assert page.status_code == 200 and 'id="expert-form"' in page.text and 'value="10"' in page.text
    email = f"smart.{id(page) % 100000}@advisory.test"
    form = {"csrf_token": csrf_of(page.text), "email": email, "name": "김스마트", "institution": "",
            "subjects": ["우주"], "regions": ["48", "99"], "sizes": ["small"], "ksic_prefixes": "C, 62",
            "exclude_ksic_prefixes": "", "min_business_age": "7", "max_business_age": "3", "capacity": "많이"}
    bad = officer.post("/officer/advisory/experts", data=form)
    assert bad.status_code == 422
    for message in ("소속 기관을 입력하세요", "자문 분야를 하나 이상 고르세요: 기술, 수출", "담당 지역은 시도 목록에서 고르세요",
                    "한국표준산업분류 코드가 아닙니다", "최대 업력은 최소 업력보다 작을 수 없습니다",
                    "1에서 200 사이의 정수"):
        assert message in bad.text, message
    assert 'id="capacity-error"' in bad.text and 'id="subjects-error"' in bad.text
    assert f'value="{email}"' in bad.text and 'value="48" id="region-48" checked' in bad.text  # kept
    english = officer.post("/officer/advisory/experts?lang=en", data=form)
    assert "Enter the institution" in english.text and "Choose one or more subjects: Technology" in english.text
    with app.state.app.db.unit_of_work() as s:
        assert s.scalar(select(UserRow).where(UserRow.email == email)) is None  # nothing half-saved
    good = {**form, "institution": "전경련중소기업협력센터 경영자문단", "subjects": ["smart_factory", "tech"],
            "regions": ["48"], "ksic_prefixes": "C", "max_business_age": "", "capacity": "3"}
    ok = officer.post("/officer/advisory/experts", data=good, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].startswith("/officer/advisory/experts#expert-")
    with app.state.app.db.unit_of_work() as s:
        user = s.scalar(select(UserRow).where(UserRow.email == email))
        assert user is not None and user.role == "expert"
        row = s.scalar(select(ExpertRow).where(ExpertRow.user_id == user.id))
        assert row is not None and (row.name, row.subjects, row.regions, row.capacity) == (
            "김스마트", ["smart_factory", "tech"], ["48"], 3)
        assert row.filters["ksic_prefixes"] == ["C"] and row.filters["min_business_age"] == 7
        mails = s.scalars(select(NotificationRow.kind).where(NotificationRow.user_id == user.id))
        assert "password_reset" in list(mails)  # the new adviser chooses a password by the link
        expert_id = row.id
    listed = officer.get("/officer/advisory/experts")
    assert f'id="expert-{expert_id}"' in listed.text and "스마트공장" in listed.text and "경상남도" in listed.text
    edit = officer.get(f"/officer/advisory/experts?expert={expert_id}")
    assert f'value="{email}"' in edit.text and 'value="smart_factory" id="subject-smart_factory" checked' in edit.text
    assert officer.get("/officer/advisory/experts?expert=999999").status_code == 404
    again = officer.post("/officer/advisory/experts", follow_redirects=False,
                         data={**good, "csrf_token": csrf_of(edit.text), "regions": [], "capacity": "8"})
    assert again.status_code == 303
    with app.state.app.db.unit_of_work() as s:
        row = s.get(ExpertRow, expert_id)
        assert row is not None and (row.regions, row.capacity) == ([], 8)  # updated, not a second adviser
        assert s.scalar(select(func.count()).select_from(UserRow).where(UserRow.email == email)) == 1
        row.active = False  # out of the routing pool of later tests
    taken = officer.post("/officer/advisory/experts", data={**good, "email": "exporter@onestop.demo"})
    assert taken.status_code == 422 and "이미 다른 역할" in taken.text
