"""Statements, the XLSX template and the model's recommendation through the API and the pages
(issue 8 items 1, 4, 5, 8 and the bad-input section), with the shipped model."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from onestop.demo.seed import PASSWORD
from tests.integration.conftest import Api
from tests.integration.test_applications import draft, upload_all
from tests.integration.test_hardening import live  # noqa: F401 - the live-server fixture
from tests.integration.test_pages import page_login
from tests.unit.test_statements import daesung


def three_years() -> list[dict[str, Any]]:
    return [daesung(2025), daesung(2024, revenue=9_000_000_000), daesung(2023, revenue=9_800_000_000)]


def filled_template(api: Api, years: list[dict[str, Any]], **cells: Any) -> bytes:
    from openpyxl import load_workbook

    r = api.get("/api/v1/statements/template.xlsx")
    assert r.status_code == 200 and r.headers["content-type"].endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["재무제표"]
    header = [ws.cell(row=3, column=c).value for c in range(4, 7)]
    by_year = {y["year"]: y for y in years}
    for row in range(4, 18):
        key = ws.cell(row=row, column=3).value
        for col, year in enumerate(header, start=4):
            if year in by_year:
                ws.cell(row=row, column=col, value=by_year[year][key])
    for ref, value in cells.items():
        ws[ref] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_statements_are_versioned_and_bad_input_keeps_what_was_saved(client: TestClient) -> None:
    api = Api(client)
    firm = api.register_firm()
    fid = firm["id"]
    assert api.get(f"/api/v1/firms/{fid}/statements").status_code == 404
    ok = api.put(f"/api/v1/firms/{fid}/statements", json={"years": three_years()})
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["version"] == 1 and [y["year"] for y in body["years"]] == [2025, 2024, 2023]
    growth = next(r for r in body["ratios"] if r["key"] == "sales_growth")
    assert growth["value"] == pytest.approx(0.78) and growth["attr"] == "Attr21"

    unbalanced = api.put(f"/api/v1/firms/{fid}/statements", json={"years": [daesung(total_equity=2_000_000_000)]})
    assert unbalanced.status_code == 422
    problems = unbalanced.json()["errors"]
    assert {p["field"] for p in problems} >= {"years.2025.total_assets", "years.2025.total_equity"}
    assert "자산총계" in problems[0]["ko"] and "total liabilities" in problems[0]["en"]
    text = api.put(f"/api/v1/firms/{fid}/statements", json={"years": [daesung(net_income="적자")]})
    assert text.status_code == 422 and text.json()["errors"][0]["field"] == "years.2025.net_income"
    assert api.get(f"/api/v1/firms/{fid}/statements").json()["version"] == 1  # nothing saved is lost

    other = Api(client)
    assert other.get(f"/api/v1/firms/{fid}/statements").status_code == 404
    assert other.put(f"/api/v1/firms/{fid}/statements", json={"years": three_years()}).status_code == 404


def test_xlsx_template_round_trip_and_refusals(client: TestClient) -> None:
    from tests.files import xlsx as unrelated_workbook

    api = Api(client)
    fid = api.register_firm()["id"]
    years = [daesung(2025), daesung(2024, revenue=9_000_000_000)]
    r = api.post(f"/api/v1/firms/{fid}/statements/xlsx", files={"file": ("s.xlsx", filled_template(api, years))})
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1 and r.json()["source"] == "xlsx"

    not_template = api.post(f"/api/v1/firms/{fid}/statements/xlsx", files={"file": ("x.xlsx", unrelated_workbook())})
    assert not_template.status_code == 422 and "template" in not_template.json()["detail"]
    garbage = api.post(f"/api/v1/firms/{fid}/statements/xlsx", files={"file": ("x.xlsx", b"not a zip at all")})
    assert garbage.status_code == 422 and "양식" in garbage.json()["detail_ko"]
    broken = filled_template(api, years, D4="#DIV/0!")
    formula = api.post(f"/api/v1/firms/{fid}/statements/xlsx", files={"file": ("s.xlsx", broken)})
    assert formula.status_code == 422
    (p,) = formula.json()["errors"]
    assert "D4" in p["ko"] and "#DIV/0!" in p["en"] and p["field"].endswith(".revenue")
    assert api.get(f"/api/v1/firms/{fid}/statements").json()["version"] == 1


def _submitted(client: TestClient, with_statements: bool) -> tuple[Api, int, int]:
    api = Api(client)
    fid = api.register_firm()["id"]
    if with_statements:
        assert api.put(f"/api/v1/firms/{fid}/statements", json={"years": three_years()}).status_code == 200
    aid = draft(api, fid)["id"]
    upload_all(api, aid)
    assert api.post(f"/api/v1/applications/{aid}/submit", json={}).status_code == 200
    return api, fid, aid


def test_recommendation_is_stored_at_submission_and_the_decision_beside_it(client: TestClient) -> None:
    firm, fid, aid = _submitted(client, with_statements=True)
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    r = officer.get(f"/api/v1/applications/{aid}/recommendation").json()
    rec = r["recommendation"]
    assert rec["model_version"] == "polish-h1-20261130" and rec["band"] in "ABCD" and 0 <= rec["score"] <= 1000
    assert r["statements_version"] == 1 and rec["missing"] == []
    assert all(f["ko"].endswith("습니다.") and f["en"] for f in rec["factors"])
    # the firm sees it with the decision, not before
    assert firm.get(f"/api/v1/applications/{aid}/recommendation").json()["recommendation"] is None
    # a new statements version does not change what the application was judged on
    firm.put(f"/api/v1/firms/{fid}/statements", json={"years": [daesung(2025, net_income=-900_000_000)]})
    assert officer.get(f"/api/v1/applications/{aid}/recommendation").json()["recommendation"] == rec
    for action in ("start_check", "documents_ok"):
        assert officer.post(f"/api/v1/applications/{aid}/actions", json={"action": action}).status_code == 200
    assert officer.post(f"/api/v1/applications/{aid}/actions", json={"action": "reject", "note": "예산 소진"}).status_code == 200
    after = firm.get(f"/api/v1/applications/{aid}/recommendation").json()
    assert after["recommendation"] == rec and after["decision"] == "rejected"
    assert after["followed"] is (rec["band"] in ("C", "D"))
    assert Api(client).get(f"/api/v1/applications/{aid}/recommendation").status_code == 404


def test_no_statements_or_no_model_routes_to_a_person(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from onestop.applications.tables import ApplicationRow
    from onestop.evaluation import services as evaluation

    _, _, aid = _submitted(client, with_statements=False)
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    r = officer.get(f"/api/v1/applications/{aid}/recommendation").json()
    assert r["recommendation"] is None and "재무제표가 없어" in r["routed"]["ko"]

    monkeypatch.setenv("ONESTOP_MODEL_VERSION", "polish-h1-19990101")
    _, _, aid2 = _submitted(client, with_statements=True)
    r2 = officer.get(f"/api/v1/applications/{aid2}/recommendation").json()
    assert r2["recommendation"] is None and "model could not be loaded" in r2["routed"]["en"]
    with client.app.state.db.unit_of_work() as db:  # type: ignore[attr-defined]
        assert db.get(ApplicationRow, aid2).state == "submitted"  # not rejected: a person decides
        assert evaluation.recommendation_for(db, aid2) is None


def test_statements_page_keeps_typed_values_on_error_and_shows_won(app: Any) -> None:
    from tests.integration.test_application_pages import registered_firm

    with TestClient(app) as c:
        fid, csrf = registered_firm(c)
        page = c.get(f"/firms/{fid}/statements")
        assert page.status_code == 200 and 'id="statements-none"' in page.text
        years = re.findall(r'name="year" value="(\d+)"', page.text)
        y = years[0]
        form = {"csrf_token": csrf, "year": years}
        form.update({f"years.{y}.{k}": f"{v:,}" for k, v in daesung(int(y)).items() if k != "year"})
        bad = dict(form, **{f"years.{y}.total_equity": "2,000,000,000"})
        r = c.post(f"/firms/{fid}/statements", data=bad)
        assert r.status_code == 422 and "is-error" in r.text and "부채총계" in r.text
        assert 'value="2,000,000,000"' in r.text  # what was typed is shown again
        r = c.post(f"/firms/{fid}/statements", data=form, follow_redirects=False)
        assert r.status_code == 303
        saved = c.get(f"/firms/{fid}/statements")
        assert "70억 2,000만 원" in saved.text and 'id="statements-version"' in saved.text
        assert "재무제표를 새 판으로 저장했습니다" in saved.text


def test_officer_sees_score_band_and_factors_next_to_the_rule_checks(client: TestClient, app: Any) -> None:
    _, _, aid = _submitted(client, with_statements=True)
    with TestClient(app) as c:
        assert page_login(c, "officer.jeonnam@onestop.demo", PASSWORD).status_code == 303
        html = c.get(f"/officer/applications/{aid}").text
        assert 'id="model-band"' in html and 'id="model-factors"' in html and "권고일 뿐 결정이 아닙니다" in html
        assert html.index('id="recommendation"') < html.index('id="elig-title"')
        model = c.get("/evaluation/model")
        assert model.status_code == 200 and "lightgbm_platform" in model.text and "Zięba" in model.text
        assert c.get("/evaluation/model/reliability.png").content[:4] == b"\x89PNG"
        monitoring = c.get("/evaluation/monitoring")
        assert monitoring.status_code == 200 and 'id="groups-capital_area"' in monitoring.text
        assert "비수도권" in monitoring.text and ('id="drift"' in monitoring.text or 'id="drift-none"' in monitoring.text)


def test_monitoring_is_for_officers_only(client: TestClient, app: Any) -> None:
    from tests.integration.test_application_pages import registered_firm

    with TestClient(app) as c:
        registered_firm(c)
        r = c.get("/evaluation/monitoring")
        assert r.status_code == 403 and "기관 담당자만" in r.text


def test_parallel_saves_get_consecutive_versions(client: TestClient, live: str) -> None:  # noqa: F811
    """Ten saves of one firm's statements at once (a live server, ten connections): versions 1–10,
    none lost to a duplicate number (the firm's row lock on PostgreSQL)."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    api = Api(client)
    fid = api.register_firm()["id"]

    def save(n: int) -> int:
        with httpx.Client(base_url=live, headers=api.headers, timeout=120) as c:
            return c.put(f"/api/v1/firms/{fid}/statements",
                         json={"years": [daesung(2025, revenue=7_000_000_000 + n)]}).status_code

    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(save, range(10)))
    assert codes == [200] * 10
    versions = [h["version"] for h in api.get(f"/api/v1/firms/{fid}/statements/history").json()]
    assert sorted(versions) == list(range(1, 11))
