"""Journey 8 in a real browser: a KOTRA officer assigns four evaluators to a 수출바우처
application; one declares a conflict of interest and is excluded; three score on the rubric (one
first forgets an item and is told which); the officer records the committee's decision, which
shows the scores, the exclusion with its reason, the rules checked and the reasons. Each person
has a browser context of their own; the scoring page is also walked at 390 px."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from onestop.demo.seed import PASSWORD
from tests.browser.conftest import new_context, shot

pytestmark = pytest.mark.browser

PROGRAM = "motie-export-voucher"
EVALUATORS = ["evaluator@onestop.demo", "evaluator2@onestop.demo", "evaluator3@onestop.demo",
              "evaluator4@onestop.demo"]
#: levels per rubric item (수출 역량 40, 이용계획 35, 기대 성과 25): totals 88, 75 and 73
LEVELS = [{"export-capability": 5, "voucher-plan": 4, "expected-results": 4},
          {"export-capability": 4, "voucher-plan": 4, "expected-results": 3},
          {"export-capability": 4, "voucher-plan": 3, "expected-results": 4}]


def application_in_evaluation(live_app: Any) -> int:
    """경북프라스틱 (journey 7, owned by exporter@) applies to 수출바우처 with its documents; KOTRA
    checks them and sends the application to evaluation (the steps test_apply_journey walks)."""
    from onestop.accounts.model import FirmRole, Principal, Role
    from onestop.accounts.tables import UserRow
    from onestop.applications import services as applications
    from onestop.demo.seed import demo_pdf, scenario
    from onestop.firms.tables import FirmRow
    from onestop.platform.state import make_store

    state = live_app.state.app
    with state.db.unit_of_work() as db:
        revision, engine = state.engine(db)
        owner = db.scalar(sa.select(UserRow).where(UserRow.email == "exporter@onestop.demo"))
        officer = db.scalar(sa.select(UserRow).where(UserRow.email == "officer.kotra@onestop.demo"))
        firm = db.scalar(sa.select(FirmRow).where(FirmRow.brn == scenario("smart-factory")["brn"]))
        who = Principal(owner.id, owner.email, owner.name, Role.firm_member, None, {firm.id: FirmRole.owner})
        row, _ = applications.create(db, who, engine, firm.id, PROGRAM, "journey-8-browser")
        for kind, _ko, en in applications.required_documents(engine.catalog.get(PROGRAM)):
            applications.upload(db, who, make_store(state.settings), engine, row.id, kind, f"{kind}.pdf",
                                demo_pdf(f"{en} - {firm.brn}"))
        applications.submit(db, who, engine, revision, row.id, None)
        kotra = Principal(officer.id, officer.email, officer.name, Role.officer, "kotra", {})
        for action in ("start_check", "documents_ok"):
            applications.act(db, kotra, row.id, action, None)
        return int(row.id)


def user_ids(live_app: Any) -> dict[str, int]:
    from onestop.accounts.tables import UserRow

    with live_app.state.app.db.unit_of_work() as db:
        return {e: int(i) for e, i in db.execute(sa.select(UserRow.email, UserRow.id).where(UserRow.email.in_(EVALUATORS)))}


def sign_in(page: Any, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-submit").click()
    page.wait_for_load_state()


def choose(page: Any, levels: dict[str, int]) -> None:
    for item, level in levels.items():
        page.locator(f"label[for='level-{item}-{level}']").click()


def test_journey_8_three_score_one_declares_the_committee_decides(browser: Any, live_server: str,
                                                                   live_app: Any) -> None:
    aid = application_in_evaluation(live_app)
    ids = user_ids(live_app)
    officer_ctx, officer_watch = new_context(browser, live_server)
    officer = officer_ctx.new_page()
    officer.set_default_timeout(30000)
    contexts = [officer_ctx]
    try:
        sign_in(officer, "officer.kotra@onestop.demo")
        officer.goto(f"/officer/applications/{aid}")
        officer.locator("#to-committee").click()
        officer.wait_for_url(f"**/officer/applications/{aid}/committee")
        assert officer.locator("#no-members").is_visible()
        for email in EVALUATORS:
            officer.locator("#evaluator_id").select_option(str(ids[email]))
            officer.locator("#assign").click()
            officer.wait_for_load_state()
        assert officer.locator("#members tbody tr").count() == 4
        shot(officer, "30-committee-assigned")

        for n, email in enumerate(EVALUATORS):
            width = 390 if n == 1 else 1280
            ctx, watch = new_context(browser, live_server, width=width, height=844 if n == 1 else 900)
            contexts.append(ctx)
            page = ctx.new_page()
            page.set_default_timeout(30000)
            sign_in(page, email)
            assert re.search(r"/evaluator$", page.url), page.url  # evaluators land on their assignments
            if n == 0:
                shot(page, "31-evaluator-assignments")
            page.locator(f"#assignment-{aid} a").click()
            page.wait_for_url(f"**/evaluator/applications/{aid}")
            if n == 3:  # the fourth once advised the firm: declares it and steps aside
                page.locator("#reason").fill("2024년 신청 기업의 수출 전략 자문을 맡았습니다.")
                page.locator("#declare-conflict").click()
                page.wait_for_url(re.compile(r"/evaluator$"))
                assert "회피" in page.locator(f"#assignment-{aid}").inner_text()
                assert page.locator(f"#assignment-{aid} a").count() == 0  # no longer opens
                shot(page, "33-conflict-declared")
                watch.check()
                continue
            if n == 0:  # forgets an item: told which, and what was chosen stays chosen
                choose(page, {k: v for k, v in LEVELS[0].items() if k != "expected-results"})
                page.locator("#comment").fill("수출 실적과 전담 인력이 확인됩니다.")
                watch.expect(f"/evaluator/applications/{aid}/scores")  # sent back with its problem, 422
                page.locator("#submit-scores").click()
                page.wait_for_load_state()
                assert page.locator("#error-summary").is_visible()
                assert page.locator("#scores_expected-results-error").is_visible()
                assert page.locator("#level-export-capability-5").is_checked()
                assert page.locator("#comment").input_value() == "수출 실적과 전담 인력이 확인됩니다."
                shot(page, "32-score-missing-item")
            choose(page, LEVELS[n])
            page.locator("#submit-scores").click()
            page.wait_for_url(f"**/evaluator/applications/{aid}")
            assert page.locator("#my-total").is_visible()
            shot(page, "32-evaluator-scored" if n == 0 else ("mobile-evaluator-score" if n == 1 else f"32-evaluator-{n}"))
            if n == 1:
                wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert wide <= 0, f"the scoring page is {wide}px wider than a phone"
            watch.check()

        officer.reload()
        assert officer.locator("#aggregate-mean").inner_text() == "78.67"
        assert officer.locator("#recommended").inner_text().strip() == "선정"
        assert "회피" in officer.locator(f"#member-{ids[EVALUATORS[3]]}").inner_text()
        shot(officer, "34-committee-scores")
        officer.locator("#reasons").fill("해외진출 역량과 바우처 이용계획이 구체적이며, 위원회 점수 78.67점으로 합격점(70점)을 넘었습니다.")
        officer.locator("label[for='outcome-approve']").click()
        officer.locator("#decide").click()
        officer.wait_for_url(f"**/officer/applications/{aid}/committee")
        decision = officer.locator("#decision").inner_text()
        assert "선정" in officer.locator("#decision-outcome").inner_text()
        assert "88.00" in decision and "75.00" in decision and "73.00" in decision
        assert "수출 전략 자문" in officer.locator("#decision-excluded").inner_text()
        assert "신청 가능" in officer.locator("#decision-rules").inner_text()
        shot(officer, "35-committee-decision")
        officer_watch.check()
    finally:
        for ctx in contexts:
            ctx.close()
