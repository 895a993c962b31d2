"""The S3-compatible document store against a real S3 API over HTTP (moto's server): bytes
named by their SHA-256, never overwritten, checked on read; and the whole upload-and-download
path of the app with documents kept in a bucket instead of a local folder."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from onestop.applications.documents import S3Store
from onestop.errors import DomainError
from onestop.platform.app import create_app
from onestop.platform.settings import Settings
from tests.integration.conftest import Api
from tests.integration.test_applications import PDF, draft

BUCKET = "onestop-documents"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                       "AWS_DEFAULT_REGION": "ap-northeast-2"}.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def store(s3_endpoint: str, aws_env: None) -> S3Store:
    st = S3Store(BUCKET, "docs/", endpoint_url=s3_endpoint, region="ap-northeast-2")
    existing = [b["Name"] for b in st.client.list_buckets().get("Buckets", [])]
    if BUCKET not in existing:
        st.client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
    return st


def test_put_get_dedupe_and_integrity(store: S3Store) -> None:
    digest = store.put(PDF)
    assert store.get(digest) == PDF
    assert store.put(PDF) == digest  # the same bytes are stored once
    keys = [o["Key"] for o in store.client.list_objects_v2(Bucket=BUCKET, Prefix="docs/")["Contents"]]
    assert keys.count(f"docs/{digest[:2]}/{digest}") == 1
    store.client.put_object(Bucket=BUCKET, Key=store.key(digest), Body=b"%PDF-1.4 tampered")
    with pytest.raises(DomainError) as corrupt:
        store.get(digest)
    assert corrupt.value.code == "file_corrupt"
    with pytest.raises(DomainError) as missing:
        store.get("0" * 64)
    assert missing.value.code == "file_missing"


def test_app_keeps_documents_in_the_bucket(settings: Settings, store: S3Store, s3_endpoint: str,
                                           tmp_path: Path) -> None:
    s3_settings = settings.model_copy(update={"s3_bucket": BUCKET, "s3_endpoint_url": s3_endpoint,
                                              "s3_region": "ap-northeast-2", "s3_prefix": "app/",
                                              "upload_dir": tmp_path / "unused"})
    app: Any = create_app(s3_settings)
    with TestClient(app) as client:
        firm_api = Api(client)
        aid = draft(firm_api, firm_api.register_firm()["id"])["id"]
        body = PDF + b"s3"
        up = firm_api.post(f"/api/v1/applications/{aid}/documents", data={"kind": "other"},
                           files={"file": ("계획서.pdf", body)})
        assert up.status_code == 201, up.text
        sha = up.json()["sha256"]
        assert store.client.head_object(Bucket=BUCKET, Key=f"app/{sha[:2]}/{sha}")["ContentLength"] == len(body)
        down = firm_api.get(f"/api/v1/applications/{aid}/documents/{up.json()['id']}")
        assert down.status_code == 200 and down.content == body
        assert "filename*=UTF-8''%EA%B3%84%ED%9A%8D%EC%84%9C.pdf" in down.headers["content-disposition"]
    assert not (tmp_path / "unused").exists()


def test_oversized_and_empty_uploads_are_refused_naming_the_limit(client: TestClient) -> None:
    from onestop.applications.documents import MAX_BYTES

    firm_api = Api(client)
    aid = draft(firm_api, firm_api.register_firm()["id"])["id"]
    big = firm_api.post(f"/api/v1/applications/{aid}/documents", data={"kind": "other"},
                        files={"file": ("big.pdf", PDF + b"0" * MAX_BYTES)})
    assert big.status_code == 422 and "20 MB" in big.json()["detail"] and "20MB" in big.json()["detail_ko"]
    empty = firm_api.post(f"/api/v1/applications/{aid}/documents", data={"kind": "other"}, files={"file": ("e.pdf", b"")})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "file"
    assert firm_api.get(f"/api/v1/applications/{aid}").json()["documents"] == []
