"""The executions' summary table behind the dashboards and statistics: written by the execution,
the same groups as the firm's profile on that day, rebuilt by the backfill the migration runs;
the dashboard's figures, drill-down and KPI count read it with aggregate queries."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from onestop.applications import services as applications
from onestop.firms.facts import derive
from onestop.firms.services import profiles_by_id
from onestop.outcomes import dashboard, kpi
from onestop.outcomes.services import today_kst
from onestop.outcomes.tables import SupportedCountRow, SupportedRow
from onestop.platform.db import Base, Database
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


CELL = st.tuples(st.sampled_from([2025, 2026]), st.sampled_from(["kosmes", "kotra"]),
                 st.sampled_from(["p-a", "p-b", "p-c"]), st.sampled_from(["11", "46", "48"]),
                 st.sampled_from(["C", "G", "미상"]), st.sampled_from(["small", "medium"]),
                 st.sampled_from(["39세 이하", "60세 이상"]))


@examples(max_examples=25, deadline=None)
@given(cells=st.lists(CELL, max_size=40), year=st.sampled_from([2025, 2026]),
       agency=st.sampled_from([None, "kosmes"]), program=st.sampled_from(["", "p-b"]), sido=st.sampled_from(["", "46"]))
def test_the_rollup_kept_on_write_agrees_with_counting_the_rows(cells: list[tuple[Any, ...]], year: int,
                                                                agency: str | None, program: str, sido: str) -> None:
    """Adding executions one upsert at a time gives the same breakdowns, totals and public counts
    as counting the summary rows themselves, under every filter."""
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine, tables=[SupportedRow.__table__, SupportedCountRow.__table__])
    with Session(engine) as s:
        rows = []
        for i, (y, ag, prog, sd, ind, size, age) in enumerate(cells, start=1):
            row = SupportedRow(application_id=i, firm_id=i, program_id=prog, agency_id=ag, executed_on=date(y, 5, 1),
                               year=y, sido=sd, industry=ind, size_class=size, ceo_age_band=age)
            s.add(row)
            dashboard._count_up(s, row)
            rows.append(row)
        s.flush()
        f = dashboard.Filters(year, program, sido)
        kept = [r for r in rows if r.year == year and (not program or r.program_id == program)
                and (not sido or r.sido == sido) and (agency is None or r.agency_id == agency)]
        got = dashboard.figures(s, f, agency)
        assert got.total == len(kept)
        for dim in dashboard.DIMENSIONS:
            want = Counter(r.program_id if dim == "program" else getattr(r, dim) for r in kept)
            assert dict(got.by[dim]) == dict(want)
        assert dashboard.executed_count(s, program, year, None, agency or "", sido) == len(kept)
        assert dashboard.public_counts(s, year) == dict(Counter((r.sido, r.size_class) for r in rows if r.year == year))
        dashboard.rebuild_counts(s)
        assert dashboard.figures(s, f, agency) == got
    engine.dispose()
