"""QA findings on the catalog pages (issues 15 and 17): what a program page states must be the
figures its notice states, per line where the notice gives lines."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from onestop.catalog.loader import shipped_catalog


def key_facts(page: str) -> str:
    match = re.search(r'<dl class="os-keyfacts" id="key-facts">(.*?)</dl>', page, re.S)
    assert match, "the key facts are on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def test_programs_with_lines_show_each_lines_figures_in_the_key_facts(client: TestClient) -> None:
    facts = key_facts(client.get("/programs/kosmes-startup-fund").text)
    assert "해당 없음" not in facts
    assert "시설자금" in facts and "운전자금" in facts
    assert "-0.6%p" in facts and "-0.3%p" in facts  # each line's own spread
    assert "10년 (거치 4년 포함)" in facts and "5년 (거치 2년 포함)" in facts


def test_no_program_says_not_applicable_where_a_line_states_the_figure(client: TestClient) -> None:
    for program in shipped_catalog():
        spec = program.spec
        if not spec.lines:
            continue
        facts = key_facts(client.get(f"/programs/{spec.id}").text)
        if any(line.interest for line in spec.lines) or spec.limits.interest:
            assert "금리 해당 없음" not in facts, spec.id
        if any(line.term_years for line in spec.lines) or spec.limits.term_years:
            assert "기간·거치 해당 없음" not in facts, spec.id
        for line in spec.lines:
            if line.amount or line.interest or line.term_years:
                assert line.name.ko in facts, (spec.id, line.id)


def test_search_cards_show_the_lines_rates(client: TestClient) -> None:
    page = client.get("/programs", params={"q": "창업기반지원자금"}).text
    card = page[page.index('data-program="kosmes-startup-fund"'):]
    card = card[:card.index("</li>")]
    assert "-0.6%p" in card and "-0.3%p" in card


def test_a_program_with_only_exclusions_says_who_may_apply(client: TestClient) -> None:
    page = client.get("/programs/motie-export-voucher").text
    who = re.search(r'<p id="who-may-apply">(.*?)</p>', page, re.S)
    assert who and "사업자등록을 한 기업이면 누구나 신청할 수 있습니다" in who.group(1)
    assert "선정평가" in who.group(1)
    excluded = re.search(r'<ul class="os-rule" id="exclusions">(.*?)</ul>', page, re.S)
    assert excluded and "공시대상기업집단(대기업집단) 소속 기업" in excluded.group(1)
    assert "국세·지방세 체납 기업" in excluded.group(1)
    assert "제외 아님" not in page and "해당하지 않음에 해당" not in page


def test_policy_fund_page_lists_its_own_criteria_and_the_common_exclusions(client: TestClient) -> None:
    page = client.get("/programs/kosmes-startup-fund").text
    assert 'id="who-may-apply"' not in page  # it has criteria of its own
    assert re.search(r'<ul class="os-rule" id="criteria">.*업력 7년 미만', page, re.S)


def test_export_voucher_page_card_and_check_agree_it_is_a_recruitment_round(client: TestClient) -> None:
    from onestop.demo.seed import PASSWORD
    from tests.integration.test_pages import page_login

    page = client.get("/programs/motie-export-voucher").text
    window = re.search(r'<dd id="window">(.*?)</dd>', page, re.S)
    assert window and "예산 소진" not in window.group(1) and "마감일은 모집 공고에서 확인하세요" in window.group(1)
    assert 'data-phase="unconfirmed"' in page and 'data-phase="open"' not in page
    search = client.get("/programs", params={"q": "수출바우처"}).text
    card = search[search.index('data-program="motie-export-voucher"'):]
    card = card[:card.index("</li>")]
    assert 'data-phase="unconfirmed"' in card and "예산 소진" not in card
    page_login(client, "founder@onestop.demo", PASSWORD)
    signed = client.get("/programs/motie-export-voucher").text
    assert 'data-status="unconfirmed"' in signed and 'id="apply"' not in signed
    assert 'id="round-note"' in signed
    assert 'data-phase="by_notice"' in client.get("/programs/mss-smart-factory-build").text


def test_recommendations_summary_gives_a_plausible_most_and_how_it_was_computed(client: TestClient) -> None:
    from onestop.demo.seed import PASSWORD
    from tests.integration.test_pages import page_login

    page_login(client, "founder@onestop.demo", PASSWORD)
    firms_page = client.get("/firms").text
    firm_id = re.search(r'href="/firms/(\d+)/recommendations"', firms_page)
    assert firm_id
    page = client.get(f"/firms/{firm_id.group(1)}/recommendations").text
    loans = re.search(r'<dd id="sum-loans">(.*?)</dd>', page, re.S)
    assert loans and "229억" not in loans.group(1)
    how = re.search(r'<details class="os-more" id="max-how">(.*?)</details>', page, re.S)
    assert how and "3회 미만" in how.group(1) and "70억" in how.group(1)
