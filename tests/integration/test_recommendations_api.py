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
    assert "content-encoding" not in plain.headers and plain.headers["vary"] == "Accept-Encoding"  # for caches
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


def test_the_recommendations_page_explains_only_the_page_it_shows(client: TestClient, monkeypatch: Any) -> None:
    import re

    from onestop.demo.seed import PASSWORD
    from onestop.firms import pages
    from onestop.matching.model import Standings
    from tests.integration.test_pages import page_login

    page_login(client, "founder@onestop.demo", PASSWORD)
    firm_id = re.search(r'href="/firms/(\d+)/recommendations"', client.get("/firms").text)
    assert firm_id
    url = f"/firms/{firm_id.group(1)}/recommendations"
    whole = client.get(url).text
    count = int(re.search(r'<dd id="count-eligible">(\d+)개</dd>', whole).group(1))  # type: ignore[union-attr]
    assert count > 10 and 'id="rec-pages"' not in whole
    explained: list[str] = []
    real = Standings.explain

    def counting(self: Standings, standing: Any) -> Any:
        explained.append(standing.program.id)
        return real(self, standing)

    monkeypatch.setattr(pages, "PAGE_SIZE", 10)
    monkeypatch.setattr(pages, "LIST_SIZE", 3)
    monkeypatch.setattr(Standings, "explain", counting)
    second = client.get(url, params={"page": 2, "sort": "fit"}).text
    shown = re.findall(r'class="os-program-card eligible-program" data-program="([^"]+)"', second)
    assert len(shown) == 10 and 'id="rec-pages"' in second and 'aria-current="page">2<' in second
    assert f'<dd id="count-eligible">{count}개</dd>' in second  # the summary still counts every program
    assert len(explained) <= 10 + 3 * 3 and set(shown) <= set(explained)
    first = re.findall(r'class="os-program-card eligible-program" data-program="([^"]+)"', client.get(url).text)
    assert not set(first) & set(shown)
