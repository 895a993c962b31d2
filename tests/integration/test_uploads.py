"""Uploads through the API and the pages go through one check and one file-name helper; the
refusals name the field and the reason; downloads are attachments that no browser renders as
a page of this site (issue 14 §3)."""

from __future__ import annotations

import tracemalloc
from typing import Any

from fastapi.testclient import TestClient

from tests import files
from tests.integration.conftest import Api
from tests.integration.test_applications import PROGRAM


def draft(api: Api) -> int:
    firm = api.register_firm()
    r = api.post("/api/v1/applications", json={"firm_id": firm["id"], "program_id": PROGRAM})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def put(api: Api, app_id: int, name: str, data: bytes, kind: str = "other") -> Any:
    return api.post(f"/api/v1/applications/{app_id}/documents", data={"kind": kind}, files={"file": (name, data)})


def test_the_hwpx_bomb_is_refused_by_the_api_with_little_memory(client: TestClient) -> None:
    api = Api(client)
    app_id = draft(api)
    tracemalloc.start()
    try:
        r = put(api, app_id, "사업계획서.hwpx", files.bomb())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "file" and "1,073,741,824" in r.json()["detail"]
    assert peak < 16 * 1024 * 1024, f"{peak:,} bytes allocated by the whole request"


def test_macro_workbook_is_refused_and_every_allowed_type_is_accepted(client: TestClient) -> None:
    api = Api(client)
    app_id = draft(api)
    macro = put(api, app_id, "매출.xlsx", files.xlsx(vba=True))
    assert macro.status_code == 422 and macro.json()["code"] == "file_macro" and "매크로" in macro.json()["detail_ko"]
    for name, data, kind in [("a.pdf", files.PDF, "application/pdf"), ("b.png", files.png(), "image/png"),
                             ("c.jpg", files.jpeg(), "image/jpeg"), ("d.hwp", files.hwp(), "application/x-hwp"),
                             ("e.hwpx", files.hwpx(), "application/hwp+zip"),
                             ("f.xlsx", files.xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]:
        r = put(api, app_id, name, data)
        assert r.status_code == 201 and r.json()["content_type"] == kind, r.text


def test_file_names_are_cleaned_and_downloads_are_sandboxed_attachments(client: TestClient) -> None:
    api = Api(client)
    app_id = draft(api)
    r = put(api, app_id, "../../C:\\temp\\견적서\u202efdp.exe", files.PDF)
    assert r.status_code == 201 and r.json()["filename"] == "견적서fdp.exe.pdf"
    got = api.get(f"/api/v1/applications/{app_id}/documents/{r.json()['id']}")
    assert got.status_code == 200 and got.content == files.PDF
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"___fdp.exe.pdf\"; filename*=UTF-8''%EA%B2%AC%EC%A0%81%EC%84%9Cfdp.exe.pdf")
    assert "no-store" in got.headers["cache-control"]


def test_the_pages_use_the_same_check_and_name_helper(client: TestClient) -> None:
    from tests.integration.test_application_pages import apply, upload

    app_id, csrf = apply(client)
    refused = upload(client, app_id, csrf, "other", "매출.xlsx", files.xlsx(main=files.MACRO_MAIN))
    assert refused.status_code == 422 and 'id="error-summary"' in refused.text and "매크로" in refused.text
    ok = upload(client, app_id, csrf, "other", "보고서\u200b\u202e.hwp", files.hwp())
    assert ok.status_code == 303
    page = client.get(f"/applications/{app_id}").text
    assert "보고서.hwp" in page and "\u202e" not in page
