"""GL mapping per program on SQLite and PostgreSQL: a program's officer maps a kind of its
ledger accounts to a GL account, accounts opened afterwards post to it, the trial balance by GL
account balances and names it; another agency's officer cannot map the program; the page shows
the trial balance and refuses a bad code next to its field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from onestop.applications import services as applications
from onestop.demo.seed import PASSWORD
from onestop.errors import DomainError
from onestop.funds import accounting, budgets, journal, ledger
from onestop.funds.ledger import Kind
from onestop.funds.tables import AccountRow
from onestop.platform.db import Database
from tests.integration.funds_helpers import funds_fiscal_year, in_evaluation, officer  # noqa: F401
from tests.integration.test_pages import csrf_of, page_login

pytestmark = pytest.mark.usefixtures("funds_fiscal_year")
#: its own fiscal year: the program is budgeted by other modules too
FISCAL_YEAR = 2093
PROGRAM = "kosmes-youth-startup-fund"


@pytest.fixture(scope="module")
def db(database_url: str) -> Any:
    database = Database(database_url)
    yield database
    database.dispose()


def test_a_programs_mapping_applies_to_accounts_opened_afterwards(db: Database) -> None:
    with db.unit_of_work() as s:
        budget = budgets.create(s, officer(s), PROGRAM, FISCAL_YEAR, 10**11)
        (first,) = in_evaluation(s, PROGRAM, 1)
    with db.unit_of_work() as s:
        applications.act(s, officer(s), first, "approve", None)  # its committed account: the default chart
    with db.unit_of_work() as s:
        with pytest.raises(DomainError) as e:
            accounting.set_mapping(s, officer(s, "jnsbi"), PROGRAM, "committed", "1125", "약정 자금(청년)")
        assert e.value.code == "not_found"
        with pytest.raises(DomainError) as e:
            accounting.set_mapping(s, officer(s), PROGRAM, "cash", "1125", "x")
        assert e.value.field == "kind" and "committed" in e.value.en
        accounting.set_mapping(s, officer(s), PROGRAM, "committed", "1125", "약정 자금(청년전용)")
        (second,) = in_evaluation(s, PROGRAM, 1)
    with db.unit_of_work() as s:
        applications.act(s, officer(s), second, "approve", None)
    with db.unit_of_work() as s:
        codes = dict(s.execute(AccountRow.__table__.select().with_only_columns(AccountRow.key, AccountRow.gl_code)
                               .where(AccountRow.key.in_([ledger.commitment_account(first),
                                                          ledger.commitment_account(second)]))).all())
        assert codes == {ledger.commitment_account(first): "1120", ledger.commitment_account(second): "1125"}
        mapped = {m.kind: (m.gl_code, m.own) for m in accounting.mapping(s, PROGRAM)}
        assert mapped[Kind.committed] == ("1125", True) and mapped[Kind.budget] == ("1110", False)
        tb = accounting.trial_balance(s, officer(s), PROGRAM)
        by_code = {x.gl_code: x for x in tb.lines}
        amount = budgets.figures(s, budget).committed // 2
        assert by_code["1125"].balance == amount and by_code["1120"].balance == amount
        assert tb.debits == tb.credits and tb.names["1125"] == ("약정 자금(청년전용)", "약정 자금(청년전용)")
        assert by_code["3100"].credits >= 10**11
        assert accounting.trial_balance(s, officer(s, "jnsbi"), PROGRAM).lines == []
        assert journal.verify(s).ok


def test_the_trial_balance_page_and_a_bad_code(app: Any) -> None:
    with TestClient(app) as kosmes:
        assert page_login(kosmes, "officer.kosmes@onestop.demo", PASSWORD).status_code == 303
        page = kosmes.get(f"/officer/funds/trial-balance?program={PROGRAM}")
        assert page.status_code == 200 and 'id="trial-balance"' in page.text and 'id="balanced">일치' in page.text
        bad = kosmes.post("/officer/funds/gl-mappings", data={"csrf_token": csrf_of(page.text), "program_id": PROGRAM,
                                                              "kind": "overdue", "gl_code": "연체", "gl_name": "연체 대출금"})
        assert bad.status_code == 422 and 'id="gl_code-error"' in bad.text and 'value="연체 대출금"' in bad.text
        ok = kosmes.post("/officer/funds/gl-mappings", data={"csrf_token": csrf_of(page.text), "program_id": PROGRAM,
                                                             "kind": "overdue", "gl_code": "1221", "gl_name": "연체 대출금(청년)"},
                         follow_redirects=True)
        assert ok.status_code == 200 and "연체 대출금(청년)" in ok.text
        english = kosmes.get(f"/lang?to=en&next=/officer/funds/trial-balance?program={PROGRAM}", follow_redirects=True)
        assert "Trial balance by GL account" in english.text and "balanced" in english.text
