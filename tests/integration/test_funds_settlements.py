"""Grant settlement and clawback on SQLite and PostgreSQL: a firm paid a grant settles it with
receipts (a bad line or file is refused naming the line, nothing saved); the officer returns it,
the firm resubmits keeping a receipt, the officer cuts a line with a reason; the unspent and cut
parts become a clawback receivable in the journal with its due date; the firm's repayment is
posted once per transaction id and never above what is owed; another agency's officer and
another firm get 404; audit entries and notifications follow each step."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from onestop.accounts.model import Principal
from onestop.alerts.tables import NotificationRow
from onestop.applications import services as applications
from onestop.applications.documents import LocalStore
from onestop.applications.lifecycle import Actor
from onestop.audit.tables import AuditRow
from onestop.errors import DomainError
from onestop.funds import budgets, journal, ledger, loans, settlements
from onestop.funds.ledger import Kind
from onestop.funds.settlement_model import ClawbackState, Review
from onestop.funds.settlements import LineIn
from onestop.platform.db import Database
from tests.integration.funds_helpers import (  # noqa: F401
    FUNDS_YEAR,
    firm_owner,
    funds_fiscal_year,
    in_evaluation,
    officer,
)
from tests.integration.test_applications import PDF

pytestmark = pytest.mark.usefixtures("funds_fiscal_year")
GRANT = "kosmes-gangwon-next-unicorn"  # 10억 원 이전지원금 (grant), KOSMES
PAID = 1_000_000_000


@pytest.fixture(scope="module")
def db(database_url: str) -> Any:
    database = Database(database_url)
    yield database
    database.dispose()


def paid_grant(db: Database) -> tuple[int, int]:
    """A grant application approved, signed and paid out in full: (application id, firm id)."""
    with db.unit_of_work() as s:
        if budgets.find(s, GRANT, date(FUNDS_YEAR, 3, 2), "") is None:
            budgets.create(s, officer(s), GRANT, FUNDS_YEAR, 10 * PAID)
        (aid,) = in_evaluation(s, GRANT, 1, owned=True)
    with db.unit_of_work() as s:
        applications.act(s, officer(s), aid, "approve", None)
    with db.unit_of_work() as s:
        row, _ = applications.get(s, officer(s), aid)
        applications._move(s, None, row, "sign", Actor.firm, None)  # the firm's owner signs (tested elsewhere)
        batch = loans.create_batch(s, officer(s), loans.today(), [
            loans.LineInput(aid, "기업은행", "123-456789-01-011", "강원 주식회사")])
        assert batch.batch is not None
        kosmes, batch_id, firm_id = officer(s), batch.batch.id, row.firm_id
    assert loans.execute_batch(db.unit_of_work, kosmes, batch_id).paid == 1
    return aid, firm_id


def test_settlement_return_cut_clawback_and_repayment(db: Database, tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    aid, firm_id = paid_grant(db)
    with db.unit_of_work() as s:
        firm = firm_owner(s, firm_id)
        # bad input: a missing receipt, an unknown category, a negative amount, a text file as evidence
        with pytest.raises(DomainError) as bad:
            settlements.submit(s, firm, store, aid, [
                LineIn("materials", "시제품 재료", 300_000_000),
                LineIn("yacht", "요트", 10_000, "a.pdf", PDF),
                LineIn("travel", "출장", -5, "b.pdf", PDF),
                LineIn("personnel", "연구원 인건비", 100_000_000, "pay.txt", b"just text"),
            ])
        fields = [p.field for p in bad.value.problems]
        assert fields == ["lines[1].receipt", "lines[2].category", "lines[3].amount", "lines[4].receipt"]
        assert "1번째 줄" in bad.value.problems[0].ko and "Line 1" in bad.value.problems[0].en
        first = settlements.submit(s, firm, store, aid, [
            LineIn("materials", "시제품 재료 구입", 500_000_000, "재료비 영수증.pdf", PDF),
            LineIn("outsourcing", "시제품 금형 외주", 300_000_000, "금형.pdf", PDF),
        ], "1차 정산")
        sid = first.id
    with db.unit_of_work() as s:
        kosmes = officer(s)
        with pytest.raises(DomainError):  # under review: the firm cannot submit again
            settlements.submit(s, firm_owner(s, firm_id), store, aid, [LineIn("other", "x", 1, "x.pdf", PDF)])
        with pytest.raises(DomainError) as e:
            settlements.return_for_correction(s, kosmes, sid, "   ")
        assert e.value.field == "reason"
        settlements.return_for_correction(s, kosmes, sid, "금형 외주 계약서를 함께 올려 주세요.")
    with db.unit_of_work() as s:
        again = settlements.submit(s, firm_owner(s, firm_id), store, aid, [
            LineIn("materials", "시제품 재료 구입", 500_000_000, keep_receipt_of=1),
            LineIn("outsourcing", "시제품 금형 외주 (계약서 포함)", 300_000_000, "금형 계약서.pdf", PDF),
            LineIn("marketing", "전시회 참가", 100_000_000, "전시회.pdf", PDF),
        ])
        assert again.version == 2 and again.state == "submitted"
        v = settlements.view(s, officer(s), sid)
        assert v.lines[0].receipt_name == "재료비 영수증.pdf"
    with db.unit_of_work() as s:
        kosmes = officer(s)
        with pytest.raises(DomainError) as e:  # a cut without a reason, an allowance above the claim
            settlements.decide(s, kosmes, sid, [Review(500_000_000), Review(200_000_000), Review(100_000_001)])
        assert [p.field for p in e.value.problems] == ["lines[2].reason", "lines[3].allowed"]
        due = settlements.default_due(settlements.today())
        v = settlements.decide(s, kosmes, sid, [Review(500_000_000), Review(200_000_000, "계약 범위 밖 금형 수정비"),
                                                Review(100_000_000)])
        # 9억 claimed of 10억 paid: 1억 unspent; 1억 cut; 8억 recognised; 2억 clawed back
        assert v.outcome is not None and (v.outcome.recognised, v.outcome.unspent, v.outcome.disallowed) == (
            800_000_000, 100_000_000, 100_000_000)
        assert v.clawback is not None and (v.clawback.owed, v.clawback.row.due_on) == (200_000_000, due)
        assert v.clawback.state == ClawbackState.open
        keys = [ledger.application_account(k, aid) for k in (Kind.grants_paid, Kind.clawback_receivable)]
        assert journal.balances(s, keys) == dict(zip(keys, [800_000_000, 200_000_000], strict=True))
        budget = budgets.find(s, GRANT, date(FUNDS_YEAR, 3, 2), "")
        assert budget is not None
        figures = budgets.figures(s, budget)
        assert figures.clawback >= 200_000_000 and figures.disbursed >= PAID  # paid out stays paid out
        with pytest.raises(DomainError):  # decided: final
            settlements.decide(s, kosmes, sid, [Review(1), Review(1), Review(1)])
    with db.unit_of_work() as s:
        kosmes, today = officer(s), settlements.today()
        with pytest.raises(DomainError) as e:
            settlements.record_clawback_payment(s, kosmes, sid, today, 200_000_001, "BANK-1")
        assert e.value.field == "amount" and "200,000,000" in e.value.en
        with pytest.raises(DomainError) as e:
            settlements.record_clawback_payment(s, kosmes, sid, today + timedelta(days=1), 1, "BANK-1")
        assert e.value.field == "paid_on"
        _, created = settlements.record_clawback_payment(s, kosmes, sid, today, 150_000_000, "BANK-1")
        _, again_created = settlements.record_clawback_payment(s, kosmes, sid, today, 150_000_000, "BANK-1")
        assert (created, again_created) == (True, False)
    with db.unit_of_work() as s:
        c = settlements.view(s, firm_owner(s, firm_id), sid).clawback
        assert c is not None and (c.repaid, c.owed, c.state) == (150_000_000, 50_000_000, ClawbackState.open)
        later = settlements.clawback_view(s, c.row, c.row.due_on + timedelta(days=3))
        assert (later.state, later.days_overdue) == (ClawbackState.overdue, 3)
        settlements.record_clawback_payment(s, officer(s), sid, settlements.today(), 50_000_000, "BANK-2")
    with db.unit_of_work() as s:
        c = settlements.view(s, officer(s), sid).clawback
        assert c is not None and c.state == ClawbackState.paid and c.owed == 0
        assert journal.verify(s).ok
        actions = set(s.scalars(select(AuditRow.action).where(AuditRow.subject == f"application:{aid}")))
        assert {"funds.settlement.submit", "funds.settlement.return", "funds.settlement.decide",
                "funds.clawback.payment"} <= actions
        owner = firm_owner(s, firm_id)
        titles = list(s.scalars(select(NotificationRow.title_ko).where(NotificationRow.user_id == owner.user_id,
                                                                      NotificationRow.kind == "settlement")))
        assert any("보완 요청" in t for t in titles) and any("환수" in t for t in titles)
        assert any("납부가 완료" in t for t in titles)


def test_other_agencies_and_firms_do_not_see_a_settlement(db: Database, tmp_path: Any) -> None:
    aid, firm_id = paid_grant(db)
    with db.unit_of_work() as s:
        sid = settlements.submit(s, firm_owner(s, firm_id), LocalStore(tmp_path), aid, [
            LineIn("materials", "재료", 1_000_000_000, "r.pdf", PDF)]).id
        line_id = settlements.view(s, officer(s), sid).lines[0].id
        jeonnam = officer(s, "jnsbi")
        other_firm: Principal = firm_owner(s, next(f for f in range(1, 10_000) if f != firm_id and _has_owner(s, f)))
        for who in (jeonnam, other_firm):
            for call in (lambda w: settlements.view(s, w, sid),
                         lambda w: settlements.receipt(s, w, LocalStore(tmp_path), line_id),
                         lambda w: settlements.decide(s, w, sid, [Review(1)])):
                with pytest.raises(DomainError) as e:
                    call(who)
                assert e.value.code == "not_found"
        with pytest.raises(DomainError) as e:  # the officer cannot submit for the firm
            settlements.submit(s, officer(s), LocalStore(tmp_path), aid, [LineIn("other", "x", 1, "x.pdf", PDF)])
        assert e.value.code == "not_found"
        assert settlements.queue(s, jeonnam) == [] or all(v.row.agency_id == "jnsbi" for v in settlements.queue(s, jeonnam))
        line, data = settlements.receipt(s, officer(s), LocalStore(tmp_path), line_id)
        assert data == PDF and line.receipt_type == "application/pdf"


def _has_owner(s: Any, firm_id: int) -> bool:
    from onestop.accounts.tables import MembershipRow

    return s.scalar(select(MembershipRow.id).where(MembershipRow.firm_id == firm_id,
                                                   MembershipRow.role == "owner").limit(1)) is not None
