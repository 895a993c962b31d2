"""The executions' summary table behind the dashboards and statistics: written by the execution,
the same groups as the firm's profile on that day, rebuilt by the backfill the migration runs;
the dashboard's figures, drill-down and KPI count read it with aggregate queries."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import delete, select

from onestop.applications import services as applications
from onestop.firms.facts import derive
from onestop.firms.services import profiles_by_id
from onestop.outcomes import dashboard, kpi
from onestop.outcomes.services import today_kst
from onestop.outcomes.tables import SupportedRow
from onestop.platform.db import Database
from tests.integration.funds_helpers import officer
from tests.integration.test_outcomes import _signed

PROGRAM = "kosmes-distribution-channel-entry"


@pytest.fixture(scope="module")
def db(database_url: str) -> Any:
    database = Database(database_url)
    yield database
    database.dispose()


def test_execution_writes_the_summary_the_dashboard_reads(db: Database) -> None:
    with db.unit_of_work() as s:
        app_id = _signed(s, "seoul@onestop.demo", PROGRAM, "kosmes")
        year = today_kst().year
        before = dashboard.figures(s, dashboard.Filters(year, PROGRAM), "kosmes")
        applications.act(s, officer(s), app_id, "execute", None)
        row = s.get(SupportedRow, app_id)
        assert row is not None
        assert row.year == year and row.executed_on == today_kst()
        profile = profiles_by_id(s, [row.firm_id])[row.firm_id]
        facts = derive(profile, row.executed_on)
        assert (row.sido, row.industry, row.size_class) == (profile.region[:2], profile.ksic[:1], facts["size_class"])
        assert row.ceo_age_band == dashboard.age_band(facts.get("ceo_age"))
        after = dashboard.figures(s, dashboard.Filters(year, PROGRAM), "kosmes")
        assert after.total == before.total + 1
        assert sum(n for _, n in after.by["sido"]) == after.total
        assert dict(after.by["size_class"])[row.size_class] >= 1
        assert dashboard.figures(s, dashboard.Filters(year, PROGRAM), "jnsbi").total == 0  # another agency's
        assert kpi.executed_count(s, PROGRAM, year) == after.total
        firms, n = dashboard.drill(s, dashboard.Filters(year, PROGRAM), "sido", row.sido, "kosmes")
        assert app_id in [f.application_id for f in firms] and n >= 1
        assert all(f.firm_name for f in firms)
        assert dashboard.public_counts(s, year)[(row.sido, row.size_class)] >= 1
        # the rollup kept on write sums to what the summary rows say, breakdown by breakdown
        rows = s.scalars(select(SupportedRow).where(SupportedRow.year == year)).all()
        expected = {dim: sorted(Counter(getattr(r, "program_id" if dim == "program" else dim) for r in rows).items(),
                                key=lambda kv: (-kv[1], kv[0])) for dim in dashboard.DIMENSIONS}
        assert dashboard.figures(s, dashboard.Filters(year)).by == expected
        assert dashboard.rebuild_counts(s) >= 1 and dashboard.figures(s, dashboard.Filters(year)).by == expected

    with db.unit_of_work() as s:  # the migration's backfill rebuilds exactly what the hook wrote
        columns = ("firm_id", "program_id", "agency_id", "executed_on", "year", "sido", "industry", "size_class",
                   "ceo_age_band")
        kept = {c: getattr(s.get(SupportedRow, app_id), c) for c in columns}
        s.execute(delete(SupportedRow).where(SupportedRow.application_id == app_id))
        s.expunge_all()
        assert dashboard.backfill(s) >= 1
        assert dashboard.backfill(s) == 0
        again = s.scalar(select(SupportedRow).where(SupportedRow.application_id == app_id))
        assert {c: getattr(again, c) for c in kept} == kept
