"""After `onestop demo seed` (SQLite, the 300-firm registry) the outcome pages show real figures:
the officers' dashboard counts supported firms, the effect page shows a mean of each measure for
the demo's main program, the public statistics hide at least one small cell, the quarterly
report has lines and the KPI targets have actuals. The history is deterministic and seeded once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from onestop.applications.tables import ApplicationRow
from onestop.catalog.services import EngineCache
from onestop.cli import app as cli
from onestop.demo.seed import PASSWORD
from onestop.firms.services import profile_of
from onestop.firms.tables import FirmRow
from onestop.outcomes import demo
from onestop.outcomes.tables import OutcomeReportRow, SupportedRow
from onestop.platform.app import create_app
from onestop.platform.db import Database
from onestop.platform.settings import Settings
from tests.integration.test_pages import page_login

YEAR = 2026  # the demo's history of support lies in 2025–2026


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tmp: Path = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{tmp / 'demo.db'}"
    runner = CliRunner()
    for args in (["db", "upgrade"], ["catalog", "import"], ["demo", "seed"]):
        # the seed's documents go to this test's folder, not the developer's
        result = runner.invoke(cli, [*args, "--database-url", url], env={"ONESTOP_UPLOAD_DIR": str(tmp / "uploads")})
        assert result.exit_code == 0, result.output
    settings = Settings(database_url=url, secret_key="demo-test", upload_dir=tmp / "uploads", warm_search=False,
                        recommendation_refresh_interval=0)
    yield create_app(settings)


def _officer(app: Any, email: str) -> TestClient:
    c = TestClient(app)
    assert page_login(c, email, PASSWORD).status_code == 303
    return c


def test_the_officers_dashboard_counts_supported_firms_in_every_chart(seeded: Any) -> None:
    for email in ("officer.jeonnam@onestop.demo", "officer.fki@onestop.demo"):
        page = _officer(seeded, email).get(f"/officer/outcomes?year={YEAR}")
        assert page.status_code == 200
        total = re.search(r"지원\(집행\) 기업: (\d+)개", page.text)
        assert total is not None and int(total.group(1)) >= 5, email
        for dim in ("program", "sido", "industry", "size_class", "ceo_age_band"):
            table = page.text.split(f'id="table-{dim}"', 1)[1].split("</table>", 1)[0]
            assert table.count("<tr") >= 2, (email, dim)  # a header and at least one bar's row


def test_the_effect_page_shows_a_mean_of_each_measure_for_the_main_program(seeded: Any) -> None:
    main = demo.PLAN[0][0]
    assert main == "jeonnam-sme-development-fund"
    c = _officer(seeded, "officer.jeonnam@onestop.demo")
    for program in (main, "fki-business-mentoring"):
        page = c.get(f"/officer/outcomes/effect?program={program}")
        assert page.status_code == 200
        for measure in ("revenue", "employment", "exports"):
            row = page.text.split(f'id="effect-{measure}"', 1)[1].split("</tr>", 1)[0]
            cells = re.findall(r"<td>(.*?)</td>", row)
            assert int(cells[0]) >= 5, (program, measure)  # supported firms measured
            assert cells[1] != "—" and re.search(r"\d", cells[1]), (program, measure, cells[1])  # their mean


def test_the_public_statistics_publish_counts_and_suppress_small_cells(seeded: Any) -> None:
    page = TestClient(seeded).get(f"/statistics?year={YEAR}")
    assert page.status_code == 200
    table = page.text.split('id="statistics"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<td>(.*?)</td>", table)
    assert "x" in cells  # fewer than 5 firms, or enough to work one out
    assert any(c.isdigit() and int(c) >= 5 for c in cells)
    assert "전라남도" in table or "전남" in table


def test_the_quarterly_report_has_lines_and_the_targets_have_actuals(seeded: Any) -> None:
    page = _officer(seeded, "officer.fki@onestop.demo").get(f"/officer/outcomes/quarterly?year={YEAR}&quarter=4")
    assert page.status_code == 200
    assert "경영자문" in page.text or "fki-business-mentoring" in page.text
    from onestop.outcomes import kpi

    database = seeded.state.app.db
    with database.unit_of_work() as s:
        lines = kpi.progress(s, YEAR, agency_id="fki-sme")
        assert lines and all(x.progress.actual > 0 for x in lines)
        accepted = s.scalar(select(func.count()).select_from(OutcomeReportRow).where(OutcomeReportRow.state == "accepted"))
        waiting = s.scalar(select(func.count()).select_from(OutcomeReportRow).where(OutcomeReportRow.state == "submitted"))
        assert accepted and accepted >= 10
        assert waiting is not None  # reports the officers have not reached stay in their queue
        years = set(s.scalars(select(SupportedRow.year)))
        assert years <= {2025, 2026} and 2026 in years


def test_the_history_keeps_the_journeys_firms_and_is_seeded_once(seeded: Any) -> None:
    database = seeded.state.app.db
    with database.unit_of_work() as s:
        journeys = {r.program_id: r.state for r in s.scalars(select(ApplicationRow).where(
            ApplicationRow.idempotency_key.like("demo-%"), ~ApplicationRow.idempotency_key.like("demo-outcomes-%")))}
        assert journeys == {"kosmes-emergency-fund": "submitted", "jeonnam-sme-development-fund": "draft",
                            "motie-export-voucher": "evaluation"}
        revision, engine = EngineCache().get(s)
        before = s.scalar(select(func.count()).select_from(ApplicationRow))
        assert demo.seed(s, engine, revision, seeded.state.app.store) == 0
        assert s.scalar(select(func.count()).select_from(ApplicationRow)) == before


def test_the_plan_is_deterministic(seeded: Any) -> None:
    database: Database = seeded.state.app.db
    with database.unit_of_work() as s:
        _, engine = EngineCache().get(s)
        firms = {r.id: profile_of(r) for r in s.scalars(select(FirmRow).where(FirmRow.brn.is_not(None)))}
    today = date(2026, 11, 30)
    first, second = demo.plan(firms, engine, today), demo.plan(firms, engine, today)
    assert first == second and len(first) > 60
    assert all(s.submitted_on < s.executed_on < today for s in first)
    assert {s.program_id for s in first} == {p for p, _ in demo.PLAN}
