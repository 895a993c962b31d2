"""Export buyer inquiries on SQLite and PostgreSQL: firms declare HS codes (checked against HS
2022 and the HSK); an officer's inquiry is matched with reasons and sent to the best exporters;
only the invited firm sees and answers its offer (side by side); follow-up to a contract whose
export amount in won and US$ is counted."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from onestop.errors import DomainError
from onestop.exports import services
from onestop.exports.tables import ExporterProfileRow, InquiryOfferRow
from onestop.outcomes import kpi
from onestop.platform.db import Database
from tests.integration.funds_helpers import officer, principal

INQUIRY = {"buyer_name": "Al-Rashid Water Co.", "buyer_country": "SA", "product": "담수 플랜트용 원심펌프 부품",
           "hs_code": "8413.91", "quantity": "분기당 2,000개", "target_price_usd": "1,200", "deadline": "2099-03-31"}


@pytest.fixture(scope="module")
def database(database_url: str) -> Any:
    db = Database(database_url)
    yield db
    db.dispose()


def _firm(p: Any, nth: int = 0) -> int:
    return sorted(p.firms)[nth]


def test_declarations_name_each_bad_code(database: Database) -> None:
    with database.unit_of_work() as s:
        who = principal(s, "exporter@onestop.demo")
        with pytest.raises(DomainError) as err:
            services.declare_products(s, who, _firm(who), "8413.91, 9999.99, 84, ８４１３７０", ["CE", "XYZ"], "SA, ZZ")
        messages = [(p.field, p.ko) for p in err.value.problems]
        assert ("hs_codes", "9999.99는 HS 2022 품목분류표와 관세청 HSK(2025-01-01)에 없는 코드입니다.") in messages
        assert any(f == "hs_codes" and "6자리 이상" in m for f, m in messages)
        assert {f for f, _ in messages} == {"hs_codes", "certifications", "countries"}
        other = principal(s, "founder@onestop.demo")
        with pytest.raises(DomainError) as err:
            services.declare_products(s, other, _firm(who), "841391", [], [])
        assert err.value.code == "not_found"  # another firm's declaration


def test_inquiry_matched_answered_and_followed_to_a_contract(database: Database) -> None:
    with database.unit_of_work() as s:
        exporter, crisis, founder = (principal(s, m) for m in ("exporter@onestop.demo", "crisis@onestop.demo",
                                                                "founder@onestop.demo"))
        for row in s.scalars(select(ExporterProfileRow)):
            s.delete(row)
        s.flush()
        services.declare_products(s, exporter, _firm(exporter), "8413.91-1000, 8413.70", ["ISO9001"], ["SA", "AE"])
        services.declare_products(s, exporter, _firm(exporter, 1), "8479.89", [], [])
        services.declare_products(s, crisis, _firm(crisis), "841391, 7318.15", [], [])
        services.declare_products(s, founder, _firm(founder), "1905.90-1010", [], [])
        kosmes = officer(s)
        with pytest.raises(DomainError) as err:
            services.register_inquiry(s, kosmes, {**INQUIRY, "hs_code": "8413.99-9999", "buyer_country": "XX"})
        assert [p.field for p in err.value.problems] == ["hs_code", "buyer_country"]
        assert "상위 분류 8413" in err.value.problems[0].ko
        inquiry = services.register_inquiry(s, kosmes, INQUIRY)
        offers = services.offers_of_inquiry(s, inquiry.id)
        assert [f.id for _, f in offers] == [_firm(exporter), _firm(crisis), _firm(exporter, 1)]
        first = offers[0][0]
        assert first.reasons_ko[:3] == ["HS 소호(6단위) 일치: 8413.91-1000 급유용 펌프의 것",
                                        "사우디아라비아 수출 경험", "수출 실적 US$ 300,000"]
        assert offers[2][0].reasons_en[0].startswith("same HS chapter")
        offer_id, crisis_offer = first.id, offers[1][0].id
        assert all(f.id != _firm(founder) for _, f in offers)  # bakery products: not even the chapter
    with database.unit_of_work() as s:
        exporter, crisis = principal(s, "exporter@onestop.demo"), principal(s, "crisis@onestop.demo")
        for stranger in (crisis, principal(s, "founder@onestop.demo")):
            with pytest.raises(DomainError) as err:
                services.get_offer(s, stranger, offer_id)
            assert err.value.code == "not_found"
        assert [o.id for o, _ in services.offers_of_firms(s, crisis)] == [crisis_offer]
        with pytest.raises(DomainError) as err:
            services.follow_up(s, exporter, offer_id, "contracted", "1", "1")
        assert err.value.code == "conflict"
        with pytest.raises(DomainError) as err:
            services.answer(s, exporter, offer_id, "천이백", "", True)
        assert err.value.field == "quote_usd"
        services.answer(s, exporter, offer_id, "1,150", "FOB 부산, 샘플 10개 무상", True)
        services.follow_up(s, exporter, offer_id, "negotiating")
        with pytest.raises(DomainError) as err:
            services.follow_up(s, exporter, offer_id, "contracted", "1억", "")
        assert {p.field for p in err.value.problems} == {"contract_won", "contract_usd"}
        before = kpi.recorded_totals(s, services.PROGRAM_ID, date(2026, 1, 1), date(2026, 12, 31))
        services.follow_up(s, exporter, offer_id, "contracted", "318,000,000", "230,000", "2026-11-20")
        after = kpi.recorded_totals(s, services.PROGRAM_ID, date(2026, 1, 1), date(2026, 12, 31))
        # the contract is an outcome of buyer-inquiry matching, dated the day it was signed
        assert {m: after[m] - before.get(m, 0) for m in after} == {
            "export_contracts": 1, "exports_won": 318_000_000, "exports_usd": 230_000}
        assert kpi.recorded_totals(s, "", date(2026, 11, 20), date(2026, 11, 20), kosmes.agency_id or "platform")[
            "exports_won"] >= 318_000_000
        row = s.get(InquiryOfferRow, offer_id)
        assert (row.state, row.contract_won, row.contract_usd, str(row.contracted_on)) == (
            "contracted", 318_000_000, 230_000, "2026-11-20")
        totals = services.contract_totals(s, officer(s))
        y2026 = next(t for t in totals if t["year"] == 2026)
        assert y2026["contracts"] >= 1 and y2026["won"] >= 318_000_000 and y2026["usd"] >= 230_000
        with pytest.raises(DomainError):
            services.contract_totals(s, exporter)


def test_each_step_is_in_the_inquirys_audit_chain(database: Database) -> None:
    from onestop.audit.tables import AuditRow

    with database.unit_of_work() as s:
        actions = list(s.scalars(select(AuditRow.action).where(AuditRow.subject.like("export_inquiry:%"))))
    assert {"exports.register", "exports.answer", "exports.follow_up"} <= set(actions)
