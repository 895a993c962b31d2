"""A program page's check leads with the decisive criteria and folds the exceptions that did not
apply into a keyboard-reachable <details> (issue 15 item 3): a bakery checking 재창업자금 is not
shown "미충족" beside the fintech or construction exceptions of the policy-fund exclusions."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

BAKERY = {"ksic": "C10602", "region": "46150", "founded_on": "2024-03-02", "regular_employees": "4",
          "applicant_kind": "firm", "business_status": "operating", "tax_arrears": "no"}


def _lists(text: str) -> tuple[str, str]:
    """(what the page shows open, what is folded under "적용되지 않은 예외")."""
    folded = re.search(r'<details class="os-more os-unused">(.*?)</details>', text, re.S)
    assert folded, text
    open_part = text[:folded.start()]
    return open_part, folded.group(1)


def test_the_check_folds_the_exceptions_that_did_not_apply(client: TestClient) -> None:
    r = client.post("/programs/kosmes-restart-fund/quick", data=BAKERY)
    assert r.status_code == 200
    shown, folded = _lists(r.text)
    assert re.search(r"<summary>적용되지 않은 예외 \d+개</summary>", folded)
    assert "핀테크" in folded and "건설업" in folded and "→ 미충족" not in folded  # not the firm's failure
    assert "핀테크" not in shown and "예외: 환경설비" not in shown
    decisive = re.findall(r'<li class="(?:not_met|unknown) decisive">(.*?)</li>', shown)
    assert decisive and not any("예외:" in d for d in decisive)


def test_the_english_check_says_the_exceptions_did_not_apply(client: TestClient) -> None:
    client.get("/lang", params={"to": "en", "next": "/"})
    try:
        r = client.post("/programs/kosmes-restart-fund/quick", data=BAKERY)
        _shown, folded = _lists(r.text)
        assert re.search(r"<summary>\d+ exceptions that did not apply</summary>", folded)
        assert "fintech" in folded and "→ not met" not in folded
    finally:
        client.get("/lang", params={"to": "ko", "next": "/"})


def test_a_lessors_check_leads_with_real_estate(client: TestClient) -> None:
    r = client.post("/programs/kosmes-restart-fund/quick", data={**BAKERY, "ksic": "L68112"})
    shown, folded = _lists(r.text)
    decisive = re.findall(r'<li class="not_met decisive">(.*?)</li>', shown)
    assert any("부동산업" in d and "미충족" in d for d in decisive), decisive
    assert "핀테크" in folded


def test_the_english_program_page_names_the_agency_and_places_in_english(client: TestClient) -> None:
    client.get("/lang", params={"to": "en", "next": "/"})
    try:
        page = client.get("/programs/jeonnam-sme-development-fund").text
        assert "Jeonnam SME, Jobs and Economy Promotion Agency" in page
        assert ">Gyeonggi-do<" in page and ">Jeonnam-Gwangju Integrated Special City<" in page
        checked = client.post("/programs/jeonnam-sme-development-fund/quick", data={**BAKERY, "region": "12150"}).text
        # the firm's place and industry by name in the English explanation, never a bare code
        assert "firm: 12150 (Suncheon-si, Jeonnam-Gwangju Integrated Special City)" in checked
        assert "firm: C10602 (Manufacture of bakery products)" in checked
        assert "firm: 12150 →" not in checked and "firm: C10602 →" not in checked
    finally:
        client.get("/lang", params={"to": "ko", "next": "/"})
