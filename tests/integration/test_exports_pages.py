"""Export pages: a firm's declaration names each bad HS code and keeps the input; an officer's
inquiry with an unknown HS code is refused next to the field; the invited firm answers and
records the contract; another firm gets 404; the officer sees why each firm was chosen and the
contract in won and US$."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from onestop.demo.seed import PASSWORD
from onestop.exports.tables import ExporterProfileRow
from tests.integration.test_pages import csrf_of, page_login


def _client(app: Any, email: str) -> TestClient:
    c = TestClient(app)
    assert page_login(c, email, PASSWORD).status_code == 303
    return c


def test_inquiry_journey_through_the_pages(app: Any) -> None:
    with app.state.app.db.unit_of_work() as s:
        for row in s.scalars(select(ExporterProfileRow)):
            s.delete(row)
    firm = _client(app, "crisis@onestop.demo")
    page = firm.get("/exports")
    assert page.status_code == 200
    firm_id = re.search(r'action="/exports/firms/(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    bad = firm.post(f"/exports/firms/{firm_id}", data={"csrf_token": csrf_of(page.text), "hs_codes": "7318.15, 9999.99",
                                                       "countries": "SA"})
    assert bad.status_code == 422 and "9999.99는 HS 2022 품목분류표와 관세청 HSK" in bad.text
    assert 'value="7318.15, 9999.99"' in bad.text
    ok = firm.post(f"/exports/firms/{firm_id}", data={"csrf_token": csrf_of(page.text), "hs_codes": "7318.15",
                                                      "certifications": "ISO9001", "countries": "SA"},
                   follow_redirects=False)
    assert ok.status_code == 303

    officer = _client(app, "officer.kosmes@onestop.demo")
    form = officer.get("/officer/exports")
    assert form.status_code == 200
    data = {"csrf_token": csrf_of(form.text), "buyer_name": "Gulf Fasteners", "buyer_country": "SA",
            "product": "육각 볼트", "hs_code": "7318.16", "quantity": "월 5만 개", "target_price_usd": "9",
            "deadline": "2099-01-31"}
    bad = officer.post("/officer/exports", data={**data, "hs_code": "7318.99"})
    assert bad.status_code == 422 and "7318.99는 HS 2022 품목분류표와 관세청 HSK" in bad.text
    assert 'value="육각 볼트"' in bad.text
    made = officer.post("/officer/exports", data=data, follow_redirects=False)
    assert made.status_code == 303
    view = officer.get(made.headers["location"])
    assert "HS 호(4단위) 일치: 7318.15" in view.text and "사우디아라비아 수출 경험" in view.text
    offer_url = re.search(r'href="(/exports/offers/\d+)"', view.text).group(1)  # type: ignore[union-attr]

    assert _client(app, "founder@onestop.demo").get(offer_url).status_code == 404
    offer = firm.get(offer_url)
    assert "Why it was sent" not in offer.text and "이 기업에 전달된 이유" in offer.text
    firm.post(offer_url + "/answer", data={"csrf_token": csrf_of(offer.text), "quote_usd": "8.5",
                                           "quote_note": "FOB 평택"})
    short = firm.post(offer_url + "/answer", data={"csrf_token": csrf_of(offer.text), "quote_usd": "8.5"})
    assert short.status_code == 422 and "미화 달러 양의 정수" in short.text
    firm.post(offer_url + "/answer", data={"csrf_token": csrf_of(offer.text), "quote_usd": "9", "samples": "yes"})
    page = firm.get(offer_url)
    firm.post(offer_url + "/follow-up", data={"csrf_token": csrf_of(page.text), "state": "contracted",
                                              "contract_won": "62,000,000", "contract_usd": "45,000",
                                              "contracted_on": "2026-11-27"})
    done = firm.get(offer_url)
    assert "계약 체결" in done.text and "US$ 45,000" in done.text
    totals = officer.get("/officer/exports")
    assert 'id="contract-totals"' in totals.text
    en = firm.get(offer_url + "?lang=en")
    assert "Contract signed" in en.text and "same HS heading" in en.text
    from onestop.exports.tables import InquiryOfferRow, InquiryRow
    from tests.integration.test_english_pages import korean_left, proper_names

    with app.state.app.db.unit_of_work() as s:  # the firm's terms and the buyer's quantity stay as written
        notes = [n for n in [*s.scalars(select(InquiryOfferRow.quote_note)), *s.scalars(select(InquiryRow.quantity))] if n]
    names = sorted({*proper_names(app), *notes}, key=len, reverse=True)
    for client, path in ((firm, offer_url), (firm, "/exports"), (officer, made.headers["location"]),
                         (officer, "/officer/exports")):
        r = client.get(path, params={"lang": "en"})
        assert r.status_code == 200 and korean_left(r.text, names) == [], path
