"""Every page, signed out and signed in as each kind of user, in Korean and English: axe-core
finds no serious or critical accessibility violation, the browser logs no error, no request
fails, the Content-Security-Policy reports no violation, and at 390 px nothing is wider than
the screen. Each page is saved as a screenshot at 1280×900 and at 390×844."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from onestop.demo.seed import PASSWORD
from tests.browser.conftest import ARTIFACTS, new_context

pytestmark = pytest.mark.browser
AXE = Axe()
#: pages anyone can open; the closed program is 청년창업사관학교 (closed 2026-02-13)
PUBLIC = ["/", "/programs", "/programs?q=청년창업&category=funds", "/programs/kosmes-youth-startup-fund",
          "/programs/kosmes-youth-startup-academy", "/programs/kosmes-youth-startup-fund/history", "/login", "/signup",
          "/help/rules", "/statistics", "/jobs", "/marketplace", "/jobs/courses"]
#: pages of the demo accounts; {firm}, {app} and {thread} are found by following links
FIRM_MEMBER = ["/firms", "/firms/{firm}/recommendations", "/firms/{firm}/edit", "/firms/new", "/applications",
               "/applications/{app}", "/consultations", "/saved", "/notifications", "/account",
               "/programs/jeonnam-sme-development-fund", "/outcomes/reports", "/loans", "/settlements", "/advisory",
               "/exports", "/marketplace/requests", "/marketplace/owner"]
OFFICER = ["/officer/applications", "/officer/applications/{app}", "/officer/programs",
           "/officer/programs/kosmes-emergency-fund/edit", "/officer/programs/new", "/consultations",
           "/officer/fast-track", "/officer/outcomes", "/officer/outcomes/quarterly",
           "/officer/outcomes/effect?program=kosmes-distribution-channel-entry",
           "/officer/simulate?program=kosmes-youth-startup-academy", "/officer/funds", "/officer/settlements",
           "/officer/advisory", "/officer/advisory/experts", "/officer/exports",
           "/officer/marketplace"]
#: journey 8 as seeded: KOTRA's committee on 창원정밀기계's 수출바우처 application, and its evaluators
COMMITTEE = ["/officer/applications/{app}/committee"]
EVALUATOR = ["/evaluator", "/evaluator/applications/{app}", "/evaluator/profile"]
#: issue 12: the demo seeker (50, 순천) and the founder's job postings with their candidates
JOB_SEEKER = ["/jobs/profile", "/jobs/matches", "/jobs/fairs", "/jobs/fairs/{fair}", "/jobs/placements", "/jobs/courses",
              "/jobs/courses/{course}"]
JOB_FIRM = ["/jobs/firm", "/jobs/firm/postings/{posting}", "/jobs/fairs/{fair}", "/jobs/placements"]
#: issue 12 item 5: the FKI center's officer and its Re-Bounce course, a session's attendance sheet
COURSE_OFFICER = ["/jobs/courses", "/jobs/courses/{course}", "/jobs/courses/{course}/sessions/{session}"]


def serious_violations(page: Any) -> list[str]:
    # preload: false — axe would otherwise load the stylesheets into <style> elements of its own,
    # which the page's policy rightly refuses (and reports)
    results = AXE.run(page, options={"resultTypes": ["violations"], "preload": False})
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def sign_in(page: Any, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-submit").click()
    page.wait_for_load_state()


def first_link(page: Any, url: str, pattern: str) -> str:
    page.goto(url)
    hrefs = page.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    found = next((h for h in hrefs if h and re.fullmatch(pattern, h)), None)
    assert found, f"no link like {pattern} on {url}"
    return re.fullmatch(pattern, found).group(1)  # type: ignore[union-attr]


def name_of(url: str, lang: str, who: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", url).strip("-") or "home"
    return f"every-{who}-{lang}-{slug}"


def visit_all(browser: Any, base: str, live_app: Any, who: str, email: str | None, urls: list[str]) -> list[str]:
    failures: list[str] = []
    ids: dict[str, str] = {}
    live_app.state.csp_reports.clear()
    for lang in ("ko", "en"):
        widths = [(1280, 900), (390, 844)] if lang == "ko" else [(1280, 900)]
        for width, height in widths:
            context, watch = new_context(browser, base, width, height, lang)
            page = context.new_page()
            page.set_default_timeout(30000)
            try:
                if email:
                    sign_in(page, email)
                if email and not ids:
                    if who in ("seeker", "jobfirm"):
                        ids["fair"] = first_link(page, "/jobs/fairs", r"/jobs/fairs/(\d+)")
                    if who in ("seeker", "fki"):
                        ids["course"] = first_link(page, "/jobs/courses", r"/jobs/courses/(\d+)")
                    if who == "fki":
                        ids["session"] = first_link(page, f"/jobs/courses/{ids['course']}",
                                                    rf"/jobs/courses/{ids['course']}/sessions/(\d+)")
                    if who == "jobfirm":
                        ids["posting"] = first_link(page, "/jobs/firm", r"/jobs/firm/postings/(\d+)")
                    elif who in ("seeker", "fki"):
                        pass
                    elif who == "firm":
                        ids["firm"] = first_link(page, "/firms", r"/firms/(\d+)/recommendations")
                        ids["app"] = first_link(page, "/applications", r"/applications/(\d+)")
                    elif who == "evaluator":
                        ids["app"] = first_link(page, "/evaluator", r"/evaluator/applications/(\d+)")
                    elif who == "expert":
                        ids["need"] = first_link(page, "/expert/needs", r"/advisory/needs/(\d+)")
                    else:
                        ids["app"] = first_link(page, "/officer/applications", r"/officer/applications/(\d+)")
                for raw in urls:
                    url = raw.format(**ids)
                    response = page.goto(url)
                    page.wait_for_load_state("networkidle")
                    assert response is not None
                    if response.status >= 400:
                        failures.append(f"{who}/{lang}: {url} answered {response.status}")
                    try:
                        watch.check()  # before axe, whose injected script the policy would block too
                    except AssertionError as e:
                        failures.append(f"{who}/{lang} {width}px: {url}: {e}")
                    if width == 390:
                        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                        if wide > 0:
                            failures.append(f"{who}/{lang} 390px: {url} is {wide}px wider than the screen")
                    else:
                        failures += [f"{who}/{lang}: {url}: {v}" for v in serious_violations(page)]
                    if page.locator("html").get_attribute("lang") != lang:
                        failures.append(f"{who}/{lang}: {url} is not in {lang}")
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / f"{name_of(raw, lang, who)}-{width}.png"), full_page=True)
                    try:
                        watch.check()  # axe must not trip the policy either
                    except AssertionError as e:
                        failures.append(f"{who}/{lang} {width}px: {url} (after axe): {e}")
            finally:
                context.close()
    failures += [f"CSP report: {r}" for r in live_app.state.csp_reports.all()]
    return failures


def test_every_public_page(browser: Any, live_server: str, live_app: Any) -> None:
    failures = visit_all(browser, live_server, live_app, "public", None, PUBLIC)
    assert not failures, "\n".join(failures)


def test_every_firm_member_page(browser: Any, live_server: str, live_app: Any) -> None:
    failures = visit_all(browser, live_server, live_app, "firm", "crisis@onestop.demo", FIRM_MEMBER)
    assert not failures, "\n".join(failures)


def test_every_officer_page(browser: Any, live_server: str, live_app: Any) -> None:
    failures = visit_all(browser, live_server, live_app, "officer", "officer.kosmes@onestop.demo", OFFICER)
    assert not failures, "\n".join(failures)


def test_every_committee_page(browser: Any, live_server: str, live_app: Any) -> None:
    failures = visit_all(browser, live_server, live_app, "kotra", "officer.kotra@onestop.demo", COMMITTEE)
    failures += visit_all(browser, live_server, live_app, "evaluator", "evaluator2@onestop.demo", EVALUATOR)
    assert not failures, "\n".join(failures)


def test_every_job_page(browser: Any, live_server: str, live_app: Any) -> None:
    failures = visit_all(browser, live_server, live_app, "seeker", "seeker@onestop.demo", JOB_SEEKER)
    failures += visit_all(browser, live_server, live_app, "jobfirm", "founder@onestop.demo", JOB_FIRM)
    failures += visit_all(browser, live_server, live_app, "fki", "officer.fki@onestop.demo", COURSE_OFFICER)
    assert not failures, "\n".join(failures)


def test_pages_with_errors_are_accessible_too(browser: Any, live_server: str, live_app: Any) -> None:
    """The states a user meets when something is wrong: a form sent back with its errors, a
    quick check with bad answers (htmx, 422), a missing page."""
    context, watch = new_context(browser, live_server)
    page = context.new_page()
    try:
        watch.expect("/programs/no-such-program")
        page.goto("/programs/no-such-program")
        assert "찾을 수 없습니다" in page.locator("main").inner_text()
        assert not serious_violations(page)
        page.goto("/programs/kosmes-youth-startup-fund")
        page.locator("#quick-panel summary").click()
        page.locator("#ksic").fill("Z999")
        page.locator("#founded_on").fill("2030-01-01")
        watch.expect("/quick")
        page.locator("#quick-submit").click()
        page.locator("#ksic-error").wait_for()
        assert page.locator("#ksic").get_attribute("aria-invalid") == "true"
        assert "Z999" in page.locator("#ksic-error").inner_text()
        assert not serious_violations(page)
        page.screenshot(path=str(ARTIFACTS / "every-public-ko-quick-check-errors-1280.png"), full_page=True)
        sign_in(page, "founder@onestop.demo")
        page.goto("/firms/new")
        page.locator("#brn").fill("415-81-25300")
        page.locator("#ceo_birth_date").fill("2030-02-01")
        page.locator("#regular_employees").fill("네 명")
        watch.expect("/firms/new")
        page.locator("#firm-submit").click()
        summary = page.locator("#error-summary")
        summary.wait_for()
        assert page.evaluate("document.activeElement.id") == "error-summary"  # the summary takes focus
        text = summary.inner_text()
        assert "검증번호" in text and "상시근로자 수는 숫자로만" in text and "2030-02-01" in text  # all at once
        for field in ("brn", "ceo_birth_date", "regular_employees"):
            assert page.locator(f"#{field}").get_attribute("aria-invalid") == "true"
            assert f"{field}-error" in (page.locator(f"#{field}").get_attribute("aria-describedby") or "")
        summary.locator("a[href='#regular_employees']").click()
        assert page.evaluate("document.activeElement.id") == "regular_employees"
        assert not serious_violations(page)
        page.screenshot(path=str(ARTIFACTS / "every-firm-ko-register-errors-1280.png"), full_page=True)
        # an htmx request the server refuses with a JSON problem (here a stale security token)
        # shows the server's message in its target, not a blank box
        page.evaluate("""document.body.setAttribute('hx-headers', '{"X-CSRF-Token": "stale"}')""")
        watch.expect("/firms/check")
        page.locator("#name").fill("순천바른빵")
        page.locator("#name").dispatch_event("change")
        page.locator("#live .os-error-summary").wait_for()
        assert "보안 토큰" in page.locator("#live").inner_text()
        watch.check()
    finally:
        context.close()
