"""Outcomes that come from no application (an export contract, an idle-asset deal), recorded by
the feature where they happen and counted in the KPI actuals with the reports, on SQLite and
PostgreSQL: by program, agency and 시도; recording a source again replaces it (never counted
twice); a measure the source does not carry is refused with the field named."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from onestop.errors import DomainError
from onestop.firms.tables import FirmRow
from onestop.outcomes import kpi, services
from onestop.outcomes.tables import KpiTargetRow, RecordedOutcomeRow
from onestop.platform.db import Database
from tests.integration.funds_helpers import principal

PROGRAM = "kosmes-buyer-inquiry-matching"
YEAR = 2019  # a year no other test records in


@pytest.fixture(scope="module")
def db(database_url: str) -> Any:
    database = Database(database_url)
    yield database
    database.dispose()


def test_recorded_outcomes_count_in_the_kpi_actuals_once(db: Database) -> None:
    with db.unit_of_work() as s:
        firm_id = next(iter(principal(s, "exporter@onestop.demo").firms))
        sido = (s.get(FirmRow, firm_id).region or "")[:2]
        target = s.scalar(select(KpiTargetRow).filter_by(program_id=PROGRAM, agency_id="kosmes", region="",
                                                         year=YEAR, measure="exports_won"))
        if target is None:
            target = KpiTargetRow(program_id=PROGRAM, agency_id="kosmes", region="", year=YEAR, measure="exports_won",
                                  target=1_000_000_000, unit="원", source="중기부 수출 성과 목표 (시험)")
            s.add(target)
        for source_id in (990_001, 990_002):
            services.record_outcome(s, "export_contract", source_id, firm_id, PROGRAM, "kosmes",
                                    {"export_contracts": 1, "exports_won": 318_000_000, "exports_usd": 230_000},
                                    date(YEAR, 11, 20))
        # the first contract corrected: its figures replace the old ones
        services.record_outcome(s, "export_contract", 990_001, firm_id, PROGRAM, "kosmes",
                                {"export_contracts": 1, "exports_won": 100_000_000, "exports_usd": 72_000},
                                date(YEAR, 11, 20))
        assert kpi.actual(s, target) == 418_000_000
        assert kpi.actual(s, target, until=date(YEAR, 11, 19)) == 0
        assert kpi.outcome_total(s, "", YEAR, "export_contracts", agency_id="kosmes") == 2
        assert kpi.outcome_total(s, "", YEAR, "exports_usd", agency_id="kosmes", region=sido) == 302_000
        other = "11" if sido != "11" else "26"
        assert kpi.outcome_total(s, "", YEAR, "exports_usd", agency_id="kosmes", region=other) == 0
        assert kpi.outcome_total(s, "fki-idle-asset-marketplace", YEAR, "exports_won") == 0
        line = next(x for x in kpi.progress(s, YEAR, PROGRAM) if x.target.measure == "exports_won")
        assert (line.progress.actual, line.progress.target) == (418_000_000, 1_000_000_000)
        mine = [(r.source_id, r.measure, r.value) for r in services.recorded_of_firm(s, firm_id) if r.source_id == 990_001]
        assert sorted(mine) == [(990_001, "export_contracts", 1), (990_001, "exports_usd", 72_000),
                                (990_001, "exports_won", 100_000_000)]


def test_a_measure_the_source_does_not_carry_is_refused(db: Database) -> None:
    with db.unit_of_work() as s:
        firm_id = next(iter(principal(s, "founder@onestop.demo").firms))
        with pytest.raises(DomainError) as err:
            services.record_outcome(s, "asset_deal", 990_003, firm_id, "fki-idle-asset-marketplace", "fki-sme",
                                    {"asset_deals": 1, "exports_won": 5}, date(YEAR, 3, 2))
        assert err.value.field == "exports_won" and "asset_deal_won, asset_deals" in err.value.ko
        with pytest.raises(DomainError) as err:
            services.record_outcome(s, "grant", 990_003, firm_id, "", "", {"asset_deals": 1}, date(YEAR, 3, 2))
        assert err.value.field == "source_kind" and "export_contract" in err.value.en
        assert s.scalar(select(RecordedOutcomeRow).where(RecordedOutcomeRow.source_id == 990_003)) is None
