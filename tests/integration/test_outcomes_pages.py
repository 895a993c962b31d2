"""Outcome pages: the firm's form keeps what was typed and names each bad field; the officer's
dashboard has each chart's data as a table and filters in the URL; the public statistics hide
small cells and publish the same figures as CSV and JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from onestop.applications import services as applications
from onestop.demo.seed import PASSWORD
from onestop.outcomes.tables import OutcomeReportRow
from tests.integration.funds_helpers import officer, principal
from tests.integration.test_outcomes import _signed
from tests.integration.test_pages import csrf_of, page_login

PROGRAM = "fki-tech-innovation-consulting"  # revenue, patents, products launched, a certification


@pytest.fixture
def founder(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        assert page_login(c, "founder@onestop.demo", PASSWORD).status_code == 303
        yield c


@pytest.fixture
def kosmes(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        assert page_login(c, "officer.kosmes@onestop.demo", PASSWORD).status_code == 303
        yield c


def test_firm_form_names_bad_fields_and_keeps_input(app: Any, founder: TestClient) -> None:
    database = app.state.app.db
    with database.unit_of_work() as s:
        app_id = _signed(s, "founder@onestop.demo", PROGRAM, "fki-sme")
        admin = principal(s, "admin@onestop.demo")
        applications.act(s, admin, app_id, "execute", None)
        report_id = s.scalar(select(OutcomeReportRow.id).where(OutcomeReportRow.application_id == app_id,
                                                                OutcomeReportRow.after_months == 6))
    page = founder.get("/outcomes/reports")
    assert page.status_code == 200 and f"/outcomes/reports/{report_id}" in page.text
    form = founder.get(f"/outcomes/reports/{report_id}")
    assert "특허 등록 건수" in form.text
    r = founder.post(f"/outcomes/reports/{report_id}", data={
        "csrf_token": csrf_of(form.text), "as_of": "2099-01-01", "revenue_won": "3억원", "patents": "-1",
        "products_launched": "2", "certification": "venture"})
    assert r.status_code == 422
    assert "숫자만 입력하세요" in r.text and "0 이상이어야 합니다" in r.text and "이후일 수 없습니다" in r.text
    assert 'value="3억원"' in r.text and 'value="2"' in r.text  # what was typed is kept
    with database.unit_of_work() as s:
        assert s.get(OutcomeReportRow, report_id).state == "due"
    ok = founder.post(f"/outcomes/reports/{report_id}", data={
        "csrf_token": csrf_of(form.text), "as_of": "2026-11-02", "revenue_won": "300,000,000", "patents": "1",
        "products_launched": "2", "certification": "venture"}, follow_redirects=False)
    assert ok.status_code == 303
    with database.unit_of_work() as s:
        row = s.get(OutcomeReportRow, report_id)
        assert row.state == "submitted" and row.values["patents"] == 1
    history = founder.get(f"/outcomes/reports/{report_id}", params={"lang": "en"}).text
    assert 'id="report-history"' in history and "Submitted" in history and "Firm member" in history


def test_dashboard_tables_filters_and_drill_down(app: Any, kosmes: TestClient) -> None:
    database = app.state.app.db
    with database.unit_of_work() as s:
        app_id = _signed(s, "crisis@onestop.demo", "kosmes-distribution-channel-entry", "kosmes")
        applications.act(s, officer(s), app_id, "execute", None)
    r = kosmes.get("/officer/outcomes")
    assert r.status_code == 200
    for dim in ("program", "sido", "industry", "size_class", "ceo_age_band"):
        assert f'id="chart-{dim}"' in r.text and f'id="table-{dim}"' in r.text
    assert "유통망" in r.text  # a program's name, not its id
    r = kosmes.get("/officer/outcomes", params={"dim": "program", "value": "kosmes-distribution-channel-entry"})
    assert 'id="drill-table"' in r.text and f"#{app_id}" in r.text
    bad = kosmes.get("/officer/outcomes", params={"year": "20x6"})
    assert bad.status_code == 200 and "네 자리" in bad.text


def test_public_statistics_suppress_small_cells(client: TestClient) -> None:
    page = client.get("/statistics")
    assert page.status_code == 200 and 'id="suppression-note"' in page.text
    data = client.get("/statistics.json").json()
    assert data["suppressed_below"] == 5
    for rec in data["records"]:
        assert rec["firms"] is None or rec["firms"] >= 5
    rows = list(csv.DictReader(io.StringIO(client.get("/statistics.csv").text.lstrip("\ufeff"))))
    assert [r["firms"] for r in rows] == ["x" if x["firms"] is None else str(x["firms"]) for x in data["records"]]
