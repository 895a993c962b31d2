"""No Korean on English pages except proper names (fixsec item 4): every page, signed out and
as a firm owner, an officer, an evaluator and an administrator (the demo accounts), rendered
in English, has no Hangul in its main content except names that exist only in Korean — firm
and person names, the titles, numbers and publishers of Korean notices the catalog cites,
KSIC and 시군구 names (no published English table is shipped). Money reads "KRW … million",
holidays by their English names; and the Korean pages do not show the English names."""

from __future__ import annotations

import html as htmllib
import re
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from onestop.accounts.tables import UserRow
from onestop.applications.tables import BookingRow, ThreadRow
from onestop.catalog.loader import shipped_catalog
from onestop.demo.seed import PASSWORD
from onestop.firms.tables import FirmRow
from onestop.jobs import occupations
from onestop.jobs import services as jobs
from onestop.jobs.tables import JobFairRow, JobPostingRow, JobSeekerRow
from onestop.korea import ksic, regions
from tests.integration.test_pages import page_login

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
PUBLIC = ["/", "/programs", "/programs?q=청년창업&category=funds", "/programs/kosmes-youth-startup-fund",
          "/programs/kosmes-youth-startup-academy", "/programs/kosmes-youth-startup-fund/history", "/login", "/signup",
          "/password/forgot", "/consultations?branch=jnsbi-hq&date=2026-09-25", "/jobs"]
FIRM = ["/firms", "/firms/{firm}/recommendations", "/firms/{firm}/edit", "/firms/new", "/applications",
        "/applications/{app}", "/consultations", "/saved", "/notifications", "/account", "/invitations",
        "/firms/{firm}/members", "/firms/join", "/programs/jeonnam-sme-development-fund", "/jobs/firm"]
STAFF = ["/officer/applications", "/officer/applications/{app}", "/consultations", "/notifications", "/account"]
OFFICER = [*STAFF, "/officer/programs"]
ROLES = [("public", None, PUBLIC), ("firm", "crisis@onestop.demo", FIRM), ("founder", "founder@onestop.demo", FIRM),
         ("officer", "officer.kosmes@onestop.demo", OFFICER), ("evaluator", "evaluator@onestop.demo", STAFF),
         ("admin", "admin@onestop.demo", OFFICER),
         ("seeker", "seeker@onestop.demo", ["/jobs/profile", "/jobs/matches", "/jobs/fairs", "/jobs/fairs/{fair}"])]


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
    for program in shipped_catalog().programs.values():
        spec = program.spec.model_dump(mode="json")
        names.update(_only_korean({k: v for k, v in spec.items() if k in ("source", "sources", "citations", "notes",
                                                                         "application_window", "contact")}))
        names.update(_only_korean(spec.get("source")))
    names.update(e.name_ko for e in ksic.table().values())
    names.update(o.name_ko for o in occupations.table().values())  # KSCO-8: Korean names only (SOURCE.md)
    with app.state.db.unit_of_work() as db:  # jobs: what firms and seekers wrote themselves
        for title, description, data in db.execute(sa.select(JobPostingRow.title, JobPostingRow.description,
                                                             JobPostingRow.data)):
            names.update([title, description, *data.get("licences", [])])
        for name, venue in db.execute(sa.select(JobFairRow.name, JobFairRow.venue)):
            names.update([name, venue])
        for (profile,) in db.execute(sa.select(JobSeekerRow.profile)):
            names.update([*profile.get("licences", []), *jobs.terms_of(profile.get("keywords", ""))])
    names.update(r.name_ko for r in regions.table().values())
    names.update(r.name_full for r in regions.table().values())
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
        if who in ("firm", "founder"):
            ids["firm"] = first(browser, "/firms", r"/firms/(\d+)/recommendations")
            found = re.search(r'href="/applications/(\d+)"', browser.get("/applications").text)
            ids["app"] = found.group(1) if found else "0"
        elif who not in ("public", "seeker"):
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


def test_a_booking_on_a_holiday_names_it_in_each_language(client: TestClient) -> None:
    from tests.integration.conftest import Api

    api = Api(client)
    firm_id = api.register_firm()["id"]
    day = date(2026, 12, 25)  # 기독탄신일, a Friday, within the booking horizon until late December
    if (day - date.today()).days > 60 or day < date.today():
        pytest.skip("Christmas 2026 is outside the 60-day booking horizon today")
    r = api.post("/api/v1/consultations/bookings", json={"firm_id": firm_id, "branch": "jnsbi-hq",
                                                         "starts_at": f"{day.isoformat()}T10:00:00+09:00"})
    assert r.status_code == 422
    body = r.json()
    assert "기독탄신일" in body["detail_ko"] and "Christmas Day" in body["detail"] and not HANGUL.search(body["detail"])
    assert body["detail_ko"].startswith("2026-12-25는 ")  # 5 오: no final consonant
