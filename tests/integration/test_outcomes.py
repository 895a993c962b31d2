"""Outcome reports end to end on SQLite and PostgreSQL: execution schedules them, the firm's bad
input is refused field by field with nothing saved lost, a ten-fold jump needs confirming, the
officer reviews, reminders go out once through the outbox; KPI targets against actuals; the
simulation over registered firms through the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from onestop.alerts.tables import NotificationRow
from onestop.applications import services as applications
from onestop.applications.tables import ApplicationRow
from onestop.audit.services import verify_chain
from onestop.audit.tables import AuditRow
from onestop.cli import app as cli_app
from onestop.errors import DomainError
from onestop.firms.tables import FirmRow
from onestop.korea.dates import KST
from onestop.outcomes import kpi, services
from onestop.outcomes.model import add_months
from onestop.outcomes.tables import KpiTargetRow, OutcomeReportRow
from onestop.platform.db import Database, utcnow
from tests.integration.funds_helpers import officer, principal

PROGRAM = "kosmes-distribution-channel-entry"  # declares revenue and exports at 6 and 12 months


@pytest.fixture(scope="module")
def db(database_url: str) -> Any:
    database = Database(database_url)
    yield database
    database.dispose()


def _signed(s: Any, email: str, program: str, agency: str) -> int:
    firm_id = next(iter(principal(s, email).firms))
    firm = s.get(FirmRow, firm_id)
    row = ApplicationRow(firm_id=firm_id, program_id=program, agency_id=agency, branch=firm.region[:2],
                         state="agreement_signed", open_slot=None, created_by=principal(s, "admin@onestop.demo").user_id,
                         eligibility={"status": "eligible"}, idempotency_key=f"outcomes-{program}-{firm_id}",
                         submitted_at=utcnow())
    s.add(row)
    s.flush()
    return int(row.id)


def test_execution_schedules_reports_and_the_firm_files_them(db: Database) -> None:
    with db.unit_of_work() as s:
        app_id = _signed(s, "exporter@onestop.demo", PROGRAM, "kosmes")
        applications.act(s, officer(s), app_id, "execute", None)
        reports = list(s.scalars(select(OutcomeReportRow).where(OutcomeReportRow.application_id == app_id)
                                 .order_by(OutcomeReportRow.after_months)))
        today = utcnow().astimezone(KST).date()
        assert [(r.after_months, r.period_end, r.state) for r in reports] == [
            (6, add_months(today, 6), "due"), (12, add_months(today, 12), "due")]
        assert all(r.due_on > r.period_end for r in reports)
        first = reports[0].id

    firm = None
    with db.unit_of_work() as s:
        firm = principal(s, "exporter@onestop.demo")
        row = services.get_for_firm(s, firm, first)
        previous = services.previous_figures(s, row)
        assert previous["revenue_won"] and previous["revenue_won"] > 0  # the profile's last fiscal year
        future = (utcnow().astimezone(KST).date() + timedelta(days=3)).isoformat()
        with pytest.raises(DomainError) as info:
            services.submit(s, firm, first, {"as_of": future, "revenue_won": "십억", "exports_won": "-5",
                                             "exports_usd": "250,000"}, [])
        assert {p.field: p.code for p in info.value.problems} == {
            "as_of": "future", "revenue_won": "not_a_number", "exports_won": "negative"}

    with db.unit_of_work() as s:
        row = s.get(OutcomeReportRow, first)
        assert row.state == "due" and row.values == {}  # nothing was saved by the refused attempt
        jump = str(previous["revenue_won"] * 12)
        raw = {"as_of": utcnow().astimezone(KST).date().isoformat(), "revenue_won": jump,
               "exports_won": "3,200,000,000", "exports_usd": "2,400,000"}
        with pytest.raises(DomainError) as info:
            services.submit(s, firm, first, raw, [])
        assert [p.code for p in info.value.problems] == ["jump_unconfirmed"]
        done = services.submit(s, firm, first, raw, ["revenue_won"])
        assert done.state == "submitted" and done.values["revenue_won"] == int(jump)

    with db.unit_of_work() as s:
        other = officer(s, "jnsbi")
        with pytest.raises(DomainError):
            services.review(s, other, first, True, "")  # another agency's officer sees nothing
        kosmes = officer(s)
        assert first in [r.id for r in services.review_queue(s, kosmes)]
        with pytest.raises(DomainError) as info:
            services.review(s, kosmes, first, False, "  ")
        assert info.value.code == "reason_required"
        returned = services.review(s, kosmes, first, False, "수출액 증빙(수출실적증명서)을 첨부해 주세요.")
        assert returned.state == "returned" and returned.values["exports_usd"] == 2_400_000

    with db.unit_of_work() as s:
        again = services.submit(s, firm, first, raw, ["revenue_won"])
        assert again.state == "submitted"
        services.review(s, officer(s), first, True, "")
        assert s.get(OutcomeReportRow, first).state == "accepted"

    with db.unit_of_work() as s:  # the audit log holds each step (refused attempts left nothing)
        steps = services.history(s, s.get(OutcomeReportRow, first))
        assert [h["action"].removeprefix("outcome_report.") for h in steps] == [
            "submit", "confirm_jump", "return", "correct", "confirm_jump", "accept"]
        assert steps[1]["measures"] == ["revenue_won"] and steps[2]["note"].startswith("수출액 증빙")
        assert [h["actor"] for h in steps] == ["firm_member"] * 2 + ["officer"] + ["firm_member"] * 2 + ["officer"]
        jump = s.scalar(select(AuditRow).where(AuditRow.subject == f"outcome_report:{first}",
                                               AuditRow.action == "outcome_report.confirm_jump"))
        assert jump.data["figures"]["revenue_won"] == {"previous": previous["revenue_won"], "reported": int(raw["revenue_won"])}
        assert verify_chain(s).ok


def test_reminders_go_out_once_and_move_the_application(db: Database) -> None:
    with db.unit_of_work() as s:
        app_id = _signed(s, "seoul@onestop.demo", "fki-middle-aged-job-center", "fki-sme")
        row = s.get(ApplicationRow, app_id)
        row.state = "executed"
        executed = date(2026, 3, 31)
        s.add(OutcomeReportRow(application_id=app_id, firm_id=row.firm_id, program_id=row.program_id,
                               agency_id="fki-sme", executed_on=executed, after_months=6,
                               period_end=date(2026, 9, 30), due_on=date(2026, 10, 30), state="due", values={},
                               confirmed=[], review_note=""))
        s.flush()
    # 2026-10-26 (Mon): the 30th is 4 business days away, within 5
    at = datetime(2026, 10, 26, 9, 0, tzinfo=KST)
    with db.unit_of_work() as s:
        assert services.send_reminders(s, 5, at) >= 1
        assert s.get(ApplicationRow, app_id).state == "outcome_reporting"
    with db.unit_of_work() as s:
        assert services.send_reminders(s, 5, at) == 0  # once per due date
        owners = s.scalars(select(NotificationRow.title_ko).where(NotificationRow.kind == "outcome_due")).all()
        assert any("4영업일" in t and "2026-10-30" in t for t in owners)


def test_kpi_targets_against_actuals(db: Database) -> None:
    with db.unit_of_work() as s:
        assert kpi.import_targets(s) == 4
        assert kpi.import_targets(s) == 4  # idempotent: updated, not duplicated
        assert s.scalar(select(KpiTargetRow).where(KpiTargetRow.measure == "placements")).baseline == 1941
        year = utcnow().astimezone(KST).year
        s.add(KpiTargetRow(program_id=PROGRAM, agency_id="kosmes", region="", year=year, measure="firms_supported",
                           target=4, unit="개사", source="test target"))
        s.add(KpiTargetRow(program_id=PROGRAM, agency_id="kosmes", region="", year=add_months(
            utcnow().astimezone(KST).date(), 6).year, measure="exports_usd", target=4_800_000, unit="달러",
            source="test target"))
        s.flush()
        lines = {(x.target.year, x.target.measure): x for x in kpi.progress(s, program_id=PROGRAM)}
        assert lines[(year, "firms_supported")].progress.actual >= 1
        exports = next(x for (_, m), x in lines.items() if m == "exports_usd")
        assert exports.progress.actual == 2_400_000 and exports.progress.percent == 50
        fki = kpi.progress(s, year=2014)
        assert [kpi.as_dict(x)["target"] for x in fki] == [1200, 350, 2500, 40]


def test_simulate_cli_over_registered_firms(database_url: str, tmp_path: Path) -> None:
    draft = tmp_path / "draft.yaml"
    draft.write_text("eligibility:\n  all:\n  - fact: ceo_age\n    op: <=\n    value: 49\n"
                     "    label: {ko: 대표자 만 49세 이하, en: CEO aged 49 or younger}\n", encoding="utf-8")
    r = CliRunner().invoke(cli_app, ["simulate", "kosmes-youth-startup-academy", "--draft", str(draft),
                                     "--amount", "50000000", "--take-up", "0.5", "--json",
                                     "--database-url", database_url])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["population"] == "registered" and data["firms"] >= 60
    assert data["gain"] + data["lose"] + data["unchanged"] == data["firms"]
    assert data["budget_won"] == data["eligible_after"] * 25_000_000
    assert sum(b["gain"] for b in data["by_region"].values()) == data["gain"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("eligibility:\n  all:\n  - fact: ceo_agee\n    op: <=\n    value: 49\n", encoding="utf-8")
    r = CliRunner().invoke(cli_app, ["simulate", "kosmes-youth-startup-academy", "--draft", str(bad), "--json",
                                     "--database-url", database_url])
    assert r.exit_code == 1
    assert "ceo_agee" in r.output and "Traceback" not in r.output


def test_effect_cli_reports_groups_and_caveats(database_url: str) -> None:
    r = CliRunner().invoke(cli_app, ["outcomes", "effect", PROGRAM, "--json", "--database-url", database_url])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["supported"] >= 1
    assert [m["measure"] for m in data["measures"]] == ["revenue", "employment", "exports"]
    for m in data["measures"]:
        assert m["matched"] + m["unmatched"] == m["supported_measured"] <= data["supported"]
        assert m["mean_supported"] is None or m["supported_measured"] >= 5
        assert m["caveats_ko"] and m["caveats_en"]
    assert any("인과" in c for c in data["caveats_ko"])
