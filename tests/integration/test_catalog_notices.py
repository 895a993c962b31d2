"""Issue 17 on the database: versions follow notices, program pages show lines and the notice,
prospective founders register without a BRN, the quick check takes the plan's facts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from onestop.catalog.loader import shipped_catalog
from onestop.catalog.services import history, import_catalog
from onestop.platform.db import Database
from tests.conftest import example
from tests.integration.conftest import Api, fresh_brn


def test_importing_an_amended_notice_makes_versions_that_name_it(tmp_path: Path) -> None:
    from onestop.platform.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'notices.db'}"
    upgrade(url)
    db = Database(url)
    catalog = shipped_catalog()
    with db.unit_of_work() as s:
        import_catalog(s, catalog)
        first = history(s, "kosmes-emergency-fund")
        assert len(first) == 1 and "제2026-464호" in first[0].note and first[0].note.startswith("공고 반영")
    # The same text again: nothing new. A program edited without a new notice: a plain import.
    spec = catalog.get("kosmes-emergency-fund").spec
    amended = spec.model_copy(update={"source": spec.source.model_copy(update={"number": "중소벤처기업부 공고 제2026-999호"})})
    retitled = catalog.get("kosmes-startup-fund").spec.model_copy(update={"tags": ["창업"]})
    from onestop.catalog.loader import Catalog, compose, program_from_raw

    changed = dict(catalog.programs)
    for new in (amended, retitled):
        changed[new.id] = program_from_raw(new.model_dump(mode="json"), f"programs/{new.id}.yaml",
                                           catalog.shared_rules, None)
    assert compose  # composed by the loader
    with db.unit_of_work() as s:
        summary = import_catalog(s, Catalog(changed, catalog.agencies, "x", catalog.shared_rules, catalog.shared_titles))
        assert summary.updated == 2 and summary.created == 0
        emergency = history(s, "kosmes-emergency-fund")
        assert emergency[0].version == 2 and "제2026-999호" in emergency[0].note
        assert history(s, "kosmes-startup-fund")[0].note == "카탈로그 가져오기 / catalog import"
    db.dispose()


def test_program_page_shows_lines_the_notice_and_unconfirmed_reasons(client: TestClient) -> None:
    page = client.get("/programs/kosmes-startup-fund")
    assert page.status_code == 200
    assert 'id="program-lines"' in page.text and "운전자금" in page.text and "-0.3%p" in page.text
    assert "제2026-464호" in page.text and 'id="program-notice"' in page.text
    assert "정책자금 융자제외 업종 (별표1)" in page.text  # shared rules by their titles, not their file names
    assert "policy-fund-" not in page.text
    history_page = client.get("/programs/kosmes-startup-fund/history")
    assert "따르는 공고" in history_page.text and "제2026-464호" in history_page.text


def test_quick_check_takes_the_plans_facts(client: TestClient) -> None:
    answers: dict[str, Any] = {"ksic": "C25913", "region": "44200", "founded_on": "2009-06-01",
                               "regular_employees": 35, "revenue_avg3": 8600000000, "total_assets": 6500000000,
                               "tax_arrears": False, "business_status": "operating", "credit_default_record": False,
                               "rehabilitation": False, "revenue_change_pct": 0, "operating_profit_change_pct": -40}
    r = client.post("/api/v1/eligibility/quick", json={"program_id": "kosmes-emergency-fund", "answers": answers,
                                                       "date": "2026-11-23"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "eligible" and "제2026-464호" in body["notice"]
    assert body["fitting_lines"] == ["general"]
    closed = client.post("/api/v1/eligibility/quick", json={"program_id": "kosmes-emergency-fund", "date": "2026-11-23",
                                                            "answers": {**answers, "business_status": "closed"}})
    assert closed.json()["status"] == "not_eligible"


def test_prospective_founder_registers_without_a_brn_and_later_adds_it(client: TestClient) -> None:
    api = Api(client)
    data = {k: v for k, v in example("young-founder").items() if k not in ("brn", "revenue", "operating_profit")}
    data.update(applicant_kind="prospective_founder", founded_on="2027-03-01", name="예비창업 김하늘")
    r = api.post("/api/v1/firms", json=data)
    assert r.status_code == 201, r.text
    firm = r.json()
    assert firm["brn"] is None
    second = api.post("/api/v1/firms", json={**data, "name": "예비창업 둘"})  # two founders: no BRN clash
    assert second.status_code == 201, second.text
    recs = api.get(f"/api/v1/firms/{firm['id']}/recommendations", params={"date": "2026-11-23", "explain": "full"}).json()
    assert "kosmes-youth-startup-fund" in {x["program_id"] for x in recs["eligible"]}
    assert {"kosmes-new-growth-fund"} <= {e["program_id"] for e in recs["excluded"] if e["code"] == "applicant_kind"}
    wrong = api.post("/api/v1/firms", json={**data, "brn": fresh_brn()})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "brn"
    registered = {**data, "applicant_kind": "firm", "brn": fresh_brn(), "founded_on": "2026-03-02"}
    done = api.put(f"/api/v1/firms/{firm['id']}", json={"profile": registered, "version": firm["version"]})
    assert done.status_code == 200, done.text
    assert done.json()["brn"] == registered["brn"]
