"""No Korean on English pages except proper names (fixsec item 4): every page, signed out and
as a firm owner, an officer, an evaluator and an administrator (the demo accounts), rendered
in English, has no Hangul in its main content except names that exist only in Korean — firm
and person names, the titles, numbers and publishers of Korean notices the catalog cites,
and the KSIC and 시군구 names that their publishers' English tables do not cover (KSIC groups
without an English title of their own, 시군구 created or renamed after Statistics Korea's 2018
table): an industry or a place that has an English name must be shown by it. Money reads
"KRW … million", holidays by their English names; and the Korean pages do not show the English
names."""

from __future__ import annotations

import html as htmllib
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from onestop.accounts.tables import UserRow
from onestop.advisory.tables import ExpertRow, NeedRow
from onestop.applications.tables import ApplicationEventRow, BookingRow, ThreadRow
from onestop.catalog.loader import shipped_catalog
from onestop.demo.seed import PASSWORD
from onestop.exports.tables import InquiryRow
from onestop.firms.tables import FirmRow
from onestop.jobs import occupations
from onestop.jobs import services as jobs
from onestop.jobs.tables import (
    JobCourseRow,
    JobCourseSessionRow,
    JobFairRow,
    JobPostingRow,
    JobReferralRow,
    JobSeekerRow,
)
from onestop.korea import ksic, regions
from onestop.marketplace.tables import ListingRow, RequestRow
from tests.integration.test_pages import page_login

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
PUBLIC = ["/", "/programs", "/programs?q=청년창업&category=funds", "/programs/kosmes-youth-startup-fund",
          "/programs/kosmes-youth-startup-academy", "/programs/kosmes-youth-startup-fund/history", "/login", "/signup",
          "/password/forgot", "/consultations?branch=jnsbi-hq&date=2026-09-25", "/jobs", "/marketplace", "/jobs/courses"]
FIRM = ["/firms", "/firms/{firm}/recommendations", "/firms/{firm}/edit", "/firms/new", "/applications",
        "/applications/{app}", "/consultations", "/saved", "/notifications", "/account", "/invitations",
        "/firms/{firm}/members", "/firms/join", "/programs/jeonnam-sme-development-fund", "/loans", "/settlements", "/jobs/firm",
        "/jobs/placements", "/advisory", "/exports", "/marketplace/requests", "/marketplace/owner"]
STAFF = ["/officer/applications", "/officer/applications/{app}", "/consultations", "/notifications", "/account"]
OFFICER = [*STAFF, "/officer/programs", "/officer/funds", "/officer/settlements", "/officer/outcomes/quarterly",
           "/officer/advisory", "/officer/advisory/experts", "/officer/exports", "/officer/marketplace"]
ROLES = [("public", None, PUBLIC), ("firm", "crisis@onestop.demo", FIRM), ("founder", "founder@onestop.demo", FIRM),
         ("officer", "officer.kosmes@onestop.demo", OFFICER), ("evaluator", "evaluator@onestop.demo", STAFF),
         ("admin", "admin@onestop.demo", OFFICER),
         ("seeker", "seeker@onestop.demo", ["/jobs/profile", "/jobs/matches", "/jobs/fairs", "/jobs/fairs/{fair}",
                                            "/jobs/placements", "/jobs/courses", "/jobs/courses/{course}"]),
         ("fki", "officer.fki@onestop.demo", ["/jobs/courses", "/jobs/courses/{course}",
                                             "/jobs/courses/{course}/sessions/{session}"])]


def _only_korean(value: Any, inside_pair: bool = False) -> list[str]:
    """Catalog strings given only in Korean (not the Korean half of a ko/en pair): notice
    titles, numbers, publishers, page references."""
    if isinstance(value, dict):
        paired = "ko" in value and "en" in value
        return [s for k, v in value.items() if not (paired and k == "ko") for s in _only_korean(v, paired)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _only_korean(v)]
    return [value] if isinstance(value, str) and HANGUL.search(value) else []


def proper_names(app: Any) -> list[str]:
    names: set[str] = set()
    with app.state.db.unit_of_work() as db:
        names.update(db.scalars(sa.select(FirmRow.name)))
        names.update(db.scalars(sa.select(UserRow.name)))
        # a question's subject is the firm's own words, shown as written; a booking's subject is
        # the platform's and must read in English
        names.update(s for s in db.scalars(sa.select(ThreadRow.subject)) if not s.startswith("[상담 예약]"))
        names.update(db.scalars(sa.select(BookingRow.topic)))
        names.update(db.scalars(sa.select(ApplicationEventRow.note)))  # what a person wrote with a step
        # an advisory request's title is the firm's own words, its experts' names and institutions proper names
        names.update(db.scalars(sa.select(NeedRow.title)))
        names.update(db.scalars(sa.select(ExpertRow.name)))
        names.update(db.scalars(sa.select(ExpertRow.institution)))
        # an inquiry's product is the buyer's description as the officer registered it
        names.update(db.scalars(sa.select(InquiryRow.product)))
        # a marketplace listing's title and description, and a request's purpose, are the firms' own words
        names.update(db.scalars(sa.select(ListingRow.title)))
        names.update(db.scalars(sa.select(ListingRow.description)))
        names.update(db.scalars(sa.select(RequestRow.purpose)))
    for program in shipped_catalog().programs.values():
        spec = program.spec.model_dump(mode="json")
        names.update(_only_korean({k: v for k, v in spec.items() if k in ("source", "sources", "citations", "notes",
                                                                         "application_window", "contact")}))
        names.update(_only_korean(spec.get("source")))
    # only the industries and places without a published English name may stay in Korean
    names.update(e.name_ko for e in ksic.table().values() if e.name_en is None)
    untranslated = [r for r in regions.table().values() if regions.english_name(r.code) is None]
    names.update(r.name_ko for r in untranslated)
    names.update(r.name_full for r in untranslated)
    names.update(o.name_ko for o in occupations.table().values())  # KSCO-8: Korean names only (SOURCE.md)
    with app.state.db.unit_of_work() as db:  # jobs: what firms and seekers wrote themselves
        for title, description, data in db.execute(sa.select(JobPostingRow.title, JobPostingRow.description,
                                                             JobPostingRow.data)):
            names.update([title, description, *data.get("licences", [])])
        for name, venue in db.execute(sa.select(JobFairRow.name, JobFairRow.venue)):
            names.update([name, venue])
        # a course's title, description and venues, and a referral's note, are the agency's own words
        for title, description in db.execute(sa.select(JobCourseRow.title, JobCourseRow.description)):
            names.update([title, description])
        names.update(db.scalars(sa.select(JobCourseSessionRow.venue)))
        names.update(db.scalars(sa.select(JobReferralRow.note)))
        for (profile,) in db.execute(sa.select(JobSeekerRow.profile)):
            names.update([*profile.get("licences", []), *jobs.terms_of(profile.get("keywords", ""))])
    # longest first, so that a name containing another is removed whole
    return sorted((htmllib.escape(n, quote=False) for n in names if n), key=len, reverse=True)


def main_text(page: str) -> str:
    found = re.search(r"<main[^>]*>(.*)</main>", page, re.S)
    body = found.group(1) if found else page
    body = re.sub(r"<(script|style|textarea)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", "\n", body)


def korean_left(page: str, names: list[str]) -> list[str]:
    text = main_text(page)
    for name in names:
        if HANGUL.search(name):
            text = text.replace(name, " ")
    text = htmllib.unescape(text)
    for name in names:
        text = text.replace(htmllib.unescape(name), " ")
    return sorted({line.strip() for line in text.split("\n") if HANGUL.search(line)})


def first(client: TestClient, url: str, pattern: str) -> str:
    found = re.search(pattern, client.get(url).text)
    assert found, f"no link like {pattern} on {url}"
    return found.group(1)


@pytest.mark.parametrize(("who", "email", "urls"), ROLES, ids=[r[0] for r in ROLES])
def test_english_pages_have_no_korean_but_proper_names(app: Any, who: str, email: str | None, urls: list[str]) -> None:
    names = proper_names(app)
    with TestClient(app, client=(f"2001:db8::e{len(who)}{who[:2].encode().hex()}", 5000)) as browser:
        if email:
            assert page_login(browser, email, PASSWORD).status_code == 303
        ids: dict[str, str] = {}
        if who == "seeker":
            ids["fair"] = first(browser, "/jobs/fairs", r'href="/jobs/fairs/(\d+)"')
        if who in ("seeker", "fki"):
            ids["course"] = first(browser, "/jobs/courses", r'href="/jobs/courses/(\d+)"')
        if who == "fki":
            ids["session"] = first(browser, f"/jobs/courses/{ids['course']}", rf'href="/jobs/courses/{ids["course"]}/sessions/(\d+)"')
        if who in ("firm", "founder"):
            ids["firm"] = first(browser, "/firms", r"/firms/(\d+)/recommendations")
            found = re.search(r'href="/applications/(\d+)"', browser.get("/applications").text)
            ids["app"] = found.group(1) if found else "0"
        elif who not in ("public", "seeker", "fki"):
            found = re.search(r'/officer/applications/(\d+)"', browser.get("/officer/applications").text)
            ids["app"] = found.group(1) if found else "0"
        failures = {}
        for raw in urls:
            if "{app}" in raw and ids.get("app") == "0":
                continue
            url = raw.format(**ids)
            r = browser.get(url, params={"lang": "en"})
            assert r.status_code == 200 and '<html lang="en">' in r.text, (url, r.status_code)
            left = korean_left(r.text, names)
            if left:
                failures[url] = left
        assert failures == {}, "\n".join(f"{u}: {left}" for u, left in failures.items())


def test_the_consultation_calendar_names_a_holiday_in_the_pages_language(client: TestClient) -> None:
    assert page_login(client, "founder@onestop.demo", PASSWORD).status_code == 303
    chuseok = {"branch": "jnsbi-hq", "date": "2026-09-25"}
    english = client.get("/ui/slots", params={**chuseok, "lang": "en"})
    assert "Chuseok" in english.text and "추석" not in english.text
    korean = client.get("/ui/slots", params=chuseok)
    assert "추석" in korean.text and "Chuseok" not in korean.text


def test_english_money_reads_in_millions(client: TestClient) -> None:
    english = client.get("/programs/kosmes-youth-startup-fund", params={"lang": "en"})
    assert re.search(r"KRW [\d.,]+ (million|billion)", english.text)
    assert not re.search(r"\d억|\d,?\d*만 원", main_text(english.text))
    korean = client.get("/programs/kosmes-youth-startup-fund")
    assert re.search(r"\d+억", main_text(korean.text)) and "KRW" not in main_text(korean.text)


def test_a_booking_on_a_holiday_names_it_in_each_language(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from onestop.applications import services
    from tests.integration.conftest import Api

    api = Api(client)
    firm_id = api.register_firm()["id"]
    day = date(2026, 12, 25)  # 기독탄신일, a Friday
    # the booking horizon counts from today: the test books as if on 2026-11-30, whenever it runs
    monkeypatch.setattr(services, "utcnow", lambda: datetime(2026, 11, 30, 1, 0, tzinfo=UTC))
    r = api.post("/api/v1/consultations/bookings", json={"firm_id": firm_id, "branch": "jnsbi-hq",
                                                         "starts_at": f"{day.isoformat()}T10:00:00+09:00"})
    assert r.status_code == 422
    body = r.json()
    assert "기독탄신일" in body["detail_ko"] and "Christmas Day" in body["detail"] and not HANGUL.search(body["detail"])
    assert body["detail_ko"].startswith("2026-12-25는 ")  # 5 오: no final consonant


def test_english_pages_name_industries_and_places_from_the_publishers_tables(app: Any) -> None:
    """Issue 15 item 9: the firm's industry and place read in English on its pages (Statistics
    Korea's KSIC-11 title, its English 시군구 name), the pickers offer the English names, and
    the Korean pages keep the Korean names."""
    with TestClient(app, client=("2001:db8::e9", 5000)) as browser:
        assert page_login(browser, "crisis@onestop.demo", PASSWORD).status_code == 303
        firm_id = first(browser, "/firms", r"/firms/(\d+)/recommendations")
        with app.state.db.unit_of_work() as db:
            firm = db.get(FirmRow, int(firm_id))
            assert firm is not None
            code, place = str(firm.ksic), str(firm.region)
        entry = ksic.table()[code]
        assert entry.name_en and regions.english_name(place), (code, place)
        english = main_text(browser.get(f"/firms/{firm_id}/recommendations", params={"lang": "en"}).text)
        assert f"{entry.name_en} ({code})" in htmllib.unescape(english)
        assert regions.name_en(place) in htmllib.unescape(english)
        assert entry.name_ko not in english
        korean = main_text(browser.get(f"/firms/{firm_id}/recommendations").text)
        assert f"{entry.name_ko} ({code})" in korean and entry.name_en not in korean
        options = browser.get("/ui/regions", params={"sido": "12", "lang": "en"}).text
        assert ">Suncheon-si</option>" in options and "순천시" not in options
        hits = browser.get("/ui/ksic", params={"q": "bakery", "lang": "en"}).text
        assert "Manufacture of bakery products (C10602)" in hits
        assert "빵류 제조업 (C10602)" in browser.get("/ui/ksic", params={"q": "빵류"}).text


def test_the_code_lookups_give_the_english_names(client: TestClient) -> None:
    bakery = client.get("/api/v1/ksic", params={"q": "bakery products"}).json()
    assert {"code": "C10602", "level": "subclass", "name_ko": "빵류 제조업",
            "name_en": "Manufacture of bakery products"} in bakery
    places = {r["code"]: r for r in client.get("/api/v1/regions", params={"parent": "28"}).json()}
    assert places["28185"]["name_en"] == "Yeonsu-gu" and places["28125"]["name_en"] == "Jemulpo-gu"
    assert {"code": "11", "level": "sido", "name_ko": "서울특별시", "name_en": "Seoul"} in \
        client.get("/api/v1/regions").json()


def test_a_problem_does_not_repeat_its_field_key_in_its_message(client: TestClient) -> None:
    """Issue 15 item 9 "no doubled keys in messages": a problem names its field once, in
    ``field``; its messages read "This value must be a whole number", not "The firm_id must be
    … / firm_id는 …"."""
    r = client.post("/api/v1/consultations/bookings", json={"firm_id": "x", "branch": 3, "starts_at": "soon"})
    problems = r.json()["errors"]
    assert {p["field"] for p in problems} == {"firm_id", "branch", "starts_at"}
    for p in problems:
        assert p["field"] not in p["ko"] and p["field"] not in p["en"], p
    assert {"field": "firm_id", "code": "int_parsing", "ko": "이 값은 숫자로만 입력해 주세요. 입력값 'x'는 숫자가 아닙니다.",
            "en": "The value must be a whole number; 'x' is not."} in problems
    listed = client.get("/api/v1/programs", params={"limit": "abc"}).json()["errors"]
    assert [(p["field"], p["en"]) for p in listed] == [("limit", "The value must be a whole number; 'abc' is not.")]
