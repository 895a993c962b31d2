"""The agency's quarterly report: executions by program and 시도 (suppressed), won disbursed from
the ledger in the quarter, KPI targets against actuals year to date; as a page (own agency only),
XLSX and PDF (the KRDS font embedded), and from the command line."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from onestop.applications import services as applications
from onestop.applications.tables import ApplicationRow
from onestop.catalog.services import build_catalog
from onestop.cli import app as cli_app
from onestop.demo.seed import PASSWORD
from onestop.errors import DomainError
from onestop.funds import budgets, journal, ledger
from onestop.funds.ledger import Kind, Transfer
from onestop.outcomes import dashboard, quarterly
from onestop.outcomes.kpi import progress as kpi_lines
from onestop.outcomes.services import today_kst
from onestop.outcomes.tables import KpiTargetRow, SupportedRow
from onestop.platform.db import Database
from tests.integration.funds_helpers import officer
from tests.integration.test_outcomes import _signed
from tests.integration.test_pages import page_login

ARTIFACTS = Path(os.environ.get("ONESTOP_ARTIFACTS", "test-artifacts")) / "reports"
PROGRAM = "kosmes-smart-factory-training"  # no other test executes it
PAID = 30_000_000


def test_quarters_and_their_bad_input() -> None:
    assert quarterly.quarter_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarterly.quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarterly.check_quarter("2026", "Q3", date(2026, 11, 30)) == (2026, 3)
    with pytest.raises(DomainError) as info:
        quarterly.check_quarter("2026", "5", date(2026, 11, 30))
    assert info.value.field == "quarter" and "1, 2, 3, 4" in info.value.ko and "1, 2, 3 or 4" in info.value.en
    with pytest.raises(DomainError) as info:
        quarterly.check_quarter("이천", "1", date(2026, 11, 30))
    assert info.value.field == "year"


@pytest.fixture(scope="module")
def executed(database_url: str) -> Iterator[tuple[int, int]]:
    """One execution of the program this quarter, its grant paid out through the journal, and a
    KPI target of the agency for the year."""
    db = Database(database_url)
    today = today_kst()
    with db.unit_of_work() as s:
        app_id = _signed(s, "exporter@onestop.demo", PROGRAM, "kosmes")
        applications.act(s, officer(s), app_id, "execute", None)
        budget = budgets.create(s, officer(s), PROGRAM, today.year, 10**10)
        owner = journal.Owner(budget.id, PROGRAM, s.get(ApplicationRow, app_id).firm_id)
        journal.post(s, f"test-commit:{app_id}", "commitment",
                     [Transfer(ledger.commitment_account(app_id), ledger.budget_account(Kind.budget, budget.id), PAID)],
                     owner, today)
        journal.post(s, f"test-disburse:{app_id}", "disbursement", ledger.pay_grant(app_id, PAID), owner, today)
        s.add(KpiTargetRow(program_id=PROGRAM, agency_id="kosmes", region="", year=today.year,
                           measure="firms_supported", target=20, unit="개사", source="test target (quarterly)"))
        sido = s.get(SupportedRow, app_id).sido
        for region, measure in (("", "firms_supported"), (sido, "firms_supported"), ("", "disbursed_won")):
            s.add(KpiTargetRow(program_id="", agency_id="kosmes", region=region, year=today.year, measure=measure,
                               target=10**9, unit="", source="test target (agency-wide)"))
    yield app_id, (today.month - 1) // 3 + 1
    db.dispose()


def test_the_quarter_holds_executions_disbursements_and_kpis(database_url: str, executed: tuple[int, int]) -> None:
    _, quarter = executed
    today = today_kst()
    db = Database(database_url)
    with db.unit_of_work(read_only=True) as s:
        r = quarterly.build(s, build_catalog(s), "kosmes", today.year, quarter, today)
        line = next(x for x in r.programs if x.program_id == PROGRAM)
        assert line.executions == line.executions_ytd == 1 and line.disbursed_won == PAID
        assert r.executions >= 1 and r.disbursed_won >= PAID
        assert all(v is None or v >= 5 for _, v in r.by_sido)  # under 5: hidden
        kpi = next(x for x in r.kpis if x["program"] == PROGRAM)
        assert (kpi["target"], kpi["actual"], kpi["percent"]) == (20, 1, 5)
        # agency-wide targets (no program) count every program of the agency, in the 시도 when given
        wide = {(x.target.region, x.target.measure): x.progress.actual
                for x in kpi_lines(s, today.year, agency_id="kosmes") if not x.target.program_id}
        sido = s.get(SupportedRow, executed[0]).sido
        assert wide[("", "firms_supported")] == dashboard.figures(s, dashboard.Filters(today.year), "kosmes").total
        assert wide[(sido, "firms_supported")] == dashboard.figures(
            s, dashboard.Filters(today.year, sido=sido), "kosmes").total >= 1
        assert wide[("", "disbursed_won")] >= PAID
        before = quarterly.build(s, build_catalog(s), "kosmes", today.year - 1, 4, today)
        assert all(x.program_id != PROGRAM for x in before.programs)  # nothing of it last year
        with pytest.raises(DomainError):
            quarterly.build(s, build_catalog(s), "no-such-agency", today.year, quarter, today)
    db.dispose()


@pytest.fixture
def kosmes(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        assert page_login(c, "officer.kosmes@onestop.demo", PASSWORD).status_code == 303
        yield c


def test_the_page_and_its_downloads_are_the_agencys_own(app: Any, kosmes: TestClient,
                                                       executed: tuple[int, int]) -> None:
    _, quarter = executed
    year = today_kst().year
    page = kosmes.get("/officer/outcomes/quarterly", params={"year": year, "quarter": quarter})
    assert page.status_code == 200
    assert 'id="quarter-programs"' in page.text and "스마트공장" in page.text and 'id="quarter-kpis"' in page.text
    english = kosmes.get("/officer/outcomes/quarterly", params={"year": year, "quarter": quarter, "lang": "en"})
    assert "Firms supported (executed)" in english.text and "firms_supported" not in english.text
    assert kosmes.get("/officer/outcomes/quarterly", params={"agency": "jnsbi"}).status_code == 404
    bad = kosmes.get("/officer/outcomes/quarterly", params={"quarter": "5"})
    assert bad.status_code == 200 and "분기는 1, 2, 3, 4 중 하나입니다" in bad.text
    book = kosmes.get("/officer/outcomes/quarterly", params={"year": year, "quarter": quarter, "format": "xlsx"})
    assert "attachment" in book.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(book.content))
    assert wb.sheetnames == ["요약", "사업별", "시도별", "성과지표"]
    rows = {r[0]: r for r in wb["사업별"].iter_rows(values_only=True)}
    assert any("스마트공장" in str(k) and r[3] == PAID for k, r in rows.items())


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) is installed by .ci/run")
def test_the_cli_writes_the_pdf_with_the_korean_font(database_url: str, tmp_path: Path,
                                                     executed: tuple[int, int]) -> None:
    if database_url.startswith("postgresql"):
        pytest.skip("rendering does not depend on the database: once, on SQLite, keeps the suite lean")
    _, quarter = executed
    out = tmp_path / "quarter.pdf"
    r = CliRunner().invoke(cli_app, ["report", "agency", "kosmes", "--year", str(today_kst().year), "--quarter",
                                     str(quarter), "--format", "pdf", "--out", str(out), "--database-url", database_url])
    assert r.exit_code == 0, r.output
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert [line for line in fonts.splitlines() if "Pretendard" in line and " yes " in line], fonts
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "분기 성과 보고서" in text and "시도별 집행" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(out), str(ARTIFACTS / "agency-quarterly")],
                   check=True)
    assert any(ARTIFACTS.glob("agency-quarterly*.png"))
    bad = CliRunner().invoke(cli_app, ["report", "agency", "nobody", "--year", "2026", "--quarter", "1", "--format",
                                       "xlsx", "--out", str(tmp_path / "x.xlsx"), "--database-url", database_url])
    assert bad.exit_code == 1 and "nobody" in bad.output and "Traceback" not in bad.output
