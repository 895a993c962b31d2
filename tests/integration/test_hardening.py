"""Issue 14 §1 and §5 through the API, on SQLite and PostgreSQL: one stored form for any Unicode
spelling, bounded amounts, contradictory facts named, far-away datetimes, request size and depth,
ids out of range, idempotency keys, and concurrent uploads (never a 500 for a race)."""

from __future__ import annotations

import json
import threading
import time
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from onestop.demo.seed import PASSWORD
from onestop.korea.brn import check_digit
from tests.conftest import example
from tests.integration.conftest import Api, fresh_brn
from tests.integration.test_applications import PDF, PROGRAM, draft

FULL = str.maketrans("0123456789-", "０１２３４５６７８９－")


def sole_proprietor_brn() -> str:
    """A BRN whose 구분코드 (digits 4-5) is 01-79: an individual business."""
    head = fresh_brn().replace("-", "")[:9]
    head = head[:3] + "12" + head[5:]
    return f"{head[:3]}-{head[3:5]}-{head[5:]}{check_digit(head)}"


def profile(**changes: Any) -> dict[str, Any]:
    return {**example("young-founder"), "brn": fresh_brn(), **changes}


def fields(r: Any) -> set[str]:
    return {e["field"] for e in r.json()["errors"]}


# --- §1 normalisation ------------------------------------------------------------------------

def test_full_width_brn_registers_the_same_company_once(client: TestClient) -> None:
    api = Api(client)
    brn = fresh_brn()
    first = api.post("/api/v1/firms", json=profile(brn=brn.translate(FULL)))
    assert first.status_code == 201, first.text
    assert first.json()["profile"]["brn"] == brn
    again = Api(client).post("/api/v1/firms", json=profile(brn=brn))
    assert again.status_code == 409 and again.json()["code"] == "brn_taken"
    wide = Api(client).post("/api/v1/firms", json=profile(brn=brn.translate(FULL)))
    assert wide.status_code == 409


def test_decomposed_hangul_search_finds_the_same_programs(client: TestClient) -> None:
    nfc = client.get("/api/v1/programs", params={"q": "청년창업자금을"}).json()
    nfd = client.get("/api/v1/programs", params={"q": unicodedata.normalize("NFD", "청년창업자금을")}).json()
    assert nfc["total"] > 0
    assert [p["id"] for p in nfd["items"]] == [p["id"] for p in nfc["items"]]


def test_names_are_stored_composed_and_trimmed(client: TestClient) -> None:
    r = Api(client).post("/api/v1/firms", json=profile(name=unicodedata.normalize("NFD", "\u3000순천바른빵 ")))
    assert r.status_code == 201 and r.json()["profile"]["name"] == "순천바른빵"


# --- §5 bounds and contradictions ----------------------------------------------------------------

@pytest.mark.parametrize("change", [
    {"total_assets": 10**20},
    {"revenue": {"2025": 2**64 + 1}},
    {"export_revenue": 9_223_372_036_854_775_808},
    {"regular_employees": 10**12},
    {"support_history": [{"program_id": "motie-export-voucher", "year": 2025, "amount": 10**20}]},
])
def test_absurd_amounts_are_refused_with_the_field_named(client: TestClient, change: dict[str, Any]) -> None:
    api = Api(client)
    r = api.post("/api/v1/firms", json=profile(**change))
    assert r.status_code == 422, r.text
    assert {f.split(".")[0] for f in fields(r)} == set(change)
    assert api.get("/api/v1/firms").json() == []  # nothing stored


def test_revenue_before_founding_names_both_facts_and_matching_still_works(client: TestClient) -> None:
    api = Api(client)
    r = api.post("/api/v1/firms", json=profile(founded_on="2025-03-01", revenue={"2023": 10**8, "2024": 2 * 10**8}))
    assert r.status_code == 422
    (err,) = r.json()["errors"]
    assert err["field"] == "revenue" and err["code"] == "revenue_before_founding"
    assert "2023" in err["ko"] and "2025-03-01" in err["ko"] and "founded on 2025-03-01" in err["en"]
    assert "founded_on" not in err["ko"] + err["en"]  # names, not keys
    ok = api.post("/api/v1/firms", json=profile(founded_on="2025-03-01", revenue={"2025": 10**8},
                                                   operating_profit={"2025": 10**7}))
    assert ok.status_code == 201
    match = api.get(f"/api/v1/firms/{ok.json()['id']}/recommendations")
    assert match.status_code == 200


def test_exports_above_revenue_name_both_facts(client: TestClient) -> None:
    r = Api(client).post("/api/v1/firms", json=profile(export_revenue=400_000_000))
    assert r.status_code == 422
    (err,) = r.json()["errors"]
    assert err["field"] == "export_revenue" and "revenue" in err["en"] and "매출액" in err["ko"]


def test_a_sole_proprietor_born_after_the_founding_is_refused_a_corporation_is_not(client: TestClient) -> None:
    late = {"founded_on": "1990-01-01", "ceo_birth_date": "1992-05-10", "revenue": {"2025": 10**8}}
    r = Api(client).post("/api/v1/firms", json=profile(brn=sole_proprietor_brn(), **late))
    assert r.status_code == 422
    (err,) = r.json()["errors"]
    assert err["field"] == "ceo_birth_date" and "founding date" in err["en"]
    corp = Api(client).post("/api/v1/firms", json=profile(**late))  # 415-81-…: 주식회사, a later CEO
    assert corp.status_code == 201, corp.text


def test_a_deep_extra_field_is_refused_not_a_server_error(client: TestClient) -> None:
    deep: Any = 1
    for _ in range(900):
        deep = {"a": deep}
    r = Api(client).post("/api/v1/firms", content=json.dumps(profile(extra=deep)),
                         headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] in ("too_deep", "invalid", "firm_invalid")


def test_a_thirty_megabyte_extra_field_is_refused_before_it_is_read(client: TestClient) -> None:
    api = Api(client)
    r = api.post("/api/v1/firms", json=profile(notes="가" * (10 * 1024 * 1024)))
    assert r.status_code == 413 and r.json()["code"] == "body_too_large"
    medium = api.post("/api/v1/firms", json=profile(notes="가" * 20_000))
    assert medium.status_code == 422 and "extra_fields_size" in {e["code"] for e in medium.json()["errors"]}
    assert api.get("/api/v1/firms").json() == []


def test_an_id_out_of_range_is_named_not_blamed_on_characters(client: TestClient) -> None:
    api = Api(client)
    for url in ("/api/v1/applications/2147483648", "/api/v1/firms/2147483648",
                "/api/v1/consultations/threads/99999999999999999999"):
        r = api.get(url)
        assert r.status_code == 422, (url, r.text)
        assert "NUL" not in r.text
    assert api.get("/api/v1/applications/2147483647").status_code == 404


def test_datetimes_far_from_now_are_refused_naming_the_field(client: TestClient) -> None:
    firm_api = Api(client)
    fid = firm_api.register_firm(region="12150")["id"]
    app_id = draft(firm_api, fid)["id"]
    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    for when in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"):
        r = officer.post(f"/api/v1/applications/{app_id}/deadline", json={"until": when, "reason": "연장"})
        assert r.status_code == 422 and fields(r) == {"until"}, r.text
        b = firm_api.post("/api/v1/consultations/bookings", json={"firm_id": fid, "branch": "jnsbi-hq", "starts_at": when})
        assert b.status_code == 422 and fields(b) == {"starts_at"}, b.text


def test_an_idempotency_key_reused_for_another_request_is_refused(client: TestClient) -> None:
    api = Api(client)
    a, b = api.register_firm()["id"], api.register_firm()["id"]
    first = draft(api, a, key="same-key-1")
    assert draft(api, a, key="same-key-1")["id"] == first["id"]
    r = api.post("/api/v1/applications", json={"firm_id": b, "program_id": PROGRAM},
                 headers={"Idempotency-Key": "same-key-1"})
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"


# --- races against a live server ------------------------------------------------------------------

@pytest.fixture(scope="module")
def live(app: Any) -> Iterator[str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_parallel_uploads_of_one_kind_get_consecutive_versions(client: TestClient, live: str) -> None:
    api = Api(client)
    app_id = draft(api, api.register_firm(region="12150")["id"])["id"]

    def upload(n: int) -> int:
        with httpx.Client(base_url=live, headers=api.headers, timeout=60) as c:
            body = PDF.replace(b"<<>>", f"<< /N {n} >>".encode())
            return c.post(f"/api/v1/applications/{app_id}/documents", data={"kind": "business_plan"},
                          files={"file": (f"plan-{n}.pdf", body)}).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(upload, range(20)))
    assert codes == [201] * 20
    docs = api.get(f"/api/v1/applications/{app_id}").json()["documents"]
    assert sorted(d["version"] for d in docs if d["kind"] == "business_plan") == list(range(1, 21))


def test_a_burst_with_one_idempotency_key_answers_one_application(client: TestClient, live: str) -> None:
    api = Api(client)
    fid = api.register_firm(region="12150")["id"]

    def create(_: int) -> tuple[int, int]:
        with httpx.Client(base_url=live, headers={**api.headers, "Idempotency-Key": f"burst-{fid}"}, timeout=60) as c:
            r = c.post("/api/v1/applications", json={"firm_id": fid, "program_id": PROGRAM})
            return r.status_code, r.json().get("id", -1)

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(create, range(16)))
    assert {code for code, _ in answers} <= {200, 201}, answers
    assert len({i for _, i in answers}) == 1
    assert sum(code == 201 for code, _ in answers) == 1


# --- §4 links ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,<script>",
                                 "//evil.example/x", "/relative", "https://exa mple.kr", "https://example.kr/\x07"])
def test_a_program_link_must_be_http_or_https(client: TestClient, url: str) -> None:
    from tests.integration.test_api import problem_fields, spec_of

    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    spec = spec_of(client, "jeonnam-sme-development-fund")
    r = officer.put("/api/v1/programs/jeonnam-sme-development-fund",
                    json={"spec": {**spec, "source": {**spec["source"], "url": url}}})
    assert r.status_code == 422, r.text
    (field, err), = problem_fields(r).items()
    assert field.endswith("source.url") and "https://" in err["ko"] and "https://" in err["en"]
    page = client.get("/programs/jeonnam-sme-development-fund")
    assert "javascript:" not in page.text.lower()


@pytest.mark.parametrize(("change", "where"), [
    ({"budget": 10**20}, "budget"),
    ({"limits": {"amount": 2**64 + 1}}, "limits.amount"),
    ({"eligibility": {"fact": "revenue", "op": "<=", "value": 10**20}}, "eligibility"),
])
def test_absurd_program_figures_are_refused_naming_the_field(client: TestClient, change: dict[str, Any],
                                                               where: str) -> None:
    from tests.integration.test_api import problem_fields, spec_of

    officer = Api.login(client, "officer.jeonnam@onestop.demo", PASSWORD)
    spec = spec_of(client, "jeonnam-sme-development-fund")
    r = officer.put("/api/v1/programs/jeonnam-sme-development-fund", json={"spec": {**spec, **change}})
    assert r.status_code == 422, r.text
    (field, _), = problem_fields(r).items()
    assert where in field


# --- §2 region history ---------------------------------------------------------------------------

def test_a_former_region_code_is_kept_mapped_and_explained(client: TestClient) -> None:
    r = Api(client).post("/api/v1/firms", json=profile(region="47720"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["profile"]["region"] == "27720" and body["profile"]["region_given"] == "47720"
    (notice,) = body["notices"]
    assert notice["field"] == "region" and "2023-07-01" in notice["ko"] and "대구광역시" in notice["ko"]
    assert "Daegu" in notice["en"] or "대구" in notice["en"]


def test_a_divided_region_code_is_refused_naming_its_successors(client: TestClient) -> None:
    r = Api(client).post("/api/v1/firms", json=profile(region="41590"))
    assert r.status_code == 422
    (err,) = r.json()["errors"]
    assert err["field"] == "region"
    for name in ("만세구", "효행구", "병점구", "동탄구"):
        assert name in err["ko"]


def test_a_representative_younger_than_fifteen_is_refused_even_for_a_corporation(client: TestClient) -> None:
    r = client.post("/api/v1/validate/firm", json=profile(ceo_birth_date="2025-01-01"))
    body = r.json()
    assert body["valid"] is False
    (err,) = body["errors"]
    assert err["field"] == "ceo_birth_date" and "15" in err["ko"] and "founded_on" not in err["en"]


def test_operating_profit_before_founding_names_both_facts(client: TestClient) -> None:
    r = client.post("/api/v1/validate/firm", json=profile(founded_on="2025-03-01", revenue={"2025": 10**8},
                                                          operating_profit={"2024": -10**7}))
    (err,) = r.json()["errors"]
    assert err["field"] == "operating_profit" and "2024" in err["ko"] and "2025-03-01" in err["ko"]


def test_a_very_deep_body_names_the_real_limit(client: TestClient) -> None:
    body = "[" * 5000 + "]" * 5000
    r = Api(client).post("/api/v1/firms", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and "32" in r.json()["detail_ko"], r.text
