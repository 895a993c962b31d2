"""The recommendations endpoint at catalog scale (issue 16): compact and paged by default, the
full form on demand, compressed when the client accepts it, with the security headers kept."""

from __future__ import annotations

import gzip
from typing import Any

import brotli
from fastapi.testclient import TestClient

from tests.integration.conftest import Api

DAY = {"date": "2026-11-23"}


def test_compact_by_default_full_on_demand_and_the_two_agree(client: TestClient) -> None:
    api = Api(client)
    firm = api.register_firm()
    url = f"/api/v1/firms/{firm['id']}/recommendations"
    compact = api.get(url, params={**DAY, "per_page": 100}).json()
    full = api.get(url, params={**DAY, "explain": "full"}).json()
    assert compact["explain"] == "compact" and "totals" in compact and "totals" not in full
    for key in ("eligible", "near_misses", "needs_information"):
        assert [r["program_id"] for r in compact[key]] == [r["program_id"] for r in full[key]]
        assert [r["score"] for r in compact[key]] == [r["score"] for r in full[key]]
    youth = next(r for r in full["eligible"] if r["program_id"] == "kosmes-youth-startup-fund")
    shown = next(r for r in compact["eligible"] if r["program_id"] == "kosmes-youth-startup-fund")
    assert all(any(r["ko"] == c["ko"] and c["status"] == "met" for c in youth["reasons"]) for r in shown["reasons"])
    assert compact["catalog_revision"] == full["catalog_revision"] and compact["firm_id"] == firm["id"]
    first = api.get(url, params={**DAY, "per_page": 5, "status": "eligible"}).json()
    assert first["page"]["total"] == compact["totals"]["eligible"] and len(first["eligible"]) == 5
    assert first["near_misses"] == [] and first["needs_information"] == []
    one = api.get(f"/api/v1/firms/{firm['id']}/eligibility/kosmes-youth-startup-fund", params=DAY).json()
    assert one["criteria"] == [{k: v for k, v in c.items()} for c in youth["reasons"]]


def test_responses_are_compressed_when_accepted_and_keep_the_security_headers(client: TestClient) -> None:
    api = Api(client)
    firm = api.register_firm()
    url = f"/api/v1/firms/{firm['id']}/recommendations"
    plain = api.get(url, params=DAY, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    for coding, unpack in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        for _ in range(2):  # computed, then from the cache
            r = client.send(client.build_request("GET", url, params=DAY,
                                                 headers={**api.headers, "Accept-Encoding": f"{coding}, deflate"}),
                            stream=True)
            raw = b"".join(r.iter_raw())
            assert r.headers["content-encoding"] == coding and "Accept-Encoding" in r.headers["vary"]
            assert r.headers["content-security-policy"] and r.headers["x-content-type-options"] == "nosniff"
            assert unpack(raw) == plain.content and len(raw) < len(plain.content) / 3
    programs = client.send(client.build_request("GET", "/api/v1/programs", headers={"Accept-Encoding": "br"}),
                           stream=True)
    assert programs.headers["content-encoding"] == "br" and programs.headers["content-security-policy"]
    page = client.get("/programs", headers={"Accept-Encoding": "br, gzip"})
    assert "content-encoding" not in page.headers  # pages carry a CSRF token: never compressed (BREACH)


def test_bad_paging_is_refused_next_to_the_field_and_another_firm_is_not_found(client: TestClient) -> None:
    api = Api(client)
    firm = api.register_firm()
    url = f"/api/v1/firms/{firm['id']}/recommendations"
    for params, field in (({"per_page": 500}, "per_page"), ({"status": "maybe"}, "status"),
                          ({"category": "loans"}, "category"), ({"explain": "some"}, "explain"), ({"page": 0}, "page")):
        r = api.get(url, params=params)
        assert r.status_code == 422, (params, r.text)
        body: dict[str, Any] = r.json()
        assert body["errors"][0]["field"] == field and body["detail_ko"] and body["detail"]
    other = Api(client)
    assert other.get(url).status_code == 404
    assert other.get(url, params={"explain": "full"}).status_code == 404
