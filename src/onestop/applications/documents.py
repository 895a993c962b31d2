"""Uploaded documents: what a file really is (by its first bytes, not its name), size limits,
SHA-256, and a content-addressed store outside the database that never overwrites."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from onestop.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024

KINDS_ALLOWED = "PDF, PNG, JPEG, HWP, HWPX, XLSX"


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    label: str


def sniff(data: bytes) -> Sniffed:
    """The file type from its content; anything else is refused, naming what is allowed."""
    if data.startswith(b"%PDF-"):
        return Sniffed("application/pdf", "PDF")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", "PNG")
    if data.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", "JPEG")
    # 한글 HWP 5 is an OLE2 compound file holding a "HwpSummaryInformation" stream.
    ole2 = data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    if ole2 and ("HwpSummary".encode("utf-16-le") in data[:65536] or b"HWP Document File" in data):
        return Sniffed("application/x-hwp", "HWP")
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                if "mimetype" in names and z.read("mimetype").strip() == b"application/hwp+zip":
                    return Sniffed("application/hwp+zip", "HWPX")
                if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
                    return Sniffed("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX")
        except zipfile.BadZipFile:
            pass
    raise DomainError(code="file_type", field="file",
                      ko=f"지원하지 않는 파일 형식입니다. 가능한 형식: {KINDS_ALLOWED} (파일 내용으로 확인합니다).",
                      en=f"This file type is not accepted; allowed: {KINDS_ALLOWED} (checked by content, not name).")


def check_size(size: int) -> None:
    if size == 0:
        raise DomainError(code="file_empty", field="file", ko="빈 파일입니다.", en="The file is empty.")
    if size > MAX_BYTES:
        raise DomainError(code="file_size", field="file",
                          ko=f"파일이 너무 큽니다({size:,}바이트). 최대 {MAX_BYTES // 1024 // 1024}MB까지 올릴 수 있습니다.",
                          en=f"The file is too large ({size:,} bytes); at most {MAX_BYTES // 1024 // 1024} MB.")


class DocumentStore(Protocol):
    """Where document bytes live, named by their SHA-256 (the database keeps only metadata)."""

    def put(self, data: bytes) -> str: ...

    def get(self, sha256: str) -> bytes: ...


def _missing() -> DomainError:
    return DomainError(code="file_missing", field="file", ko="저장된 파일을 찾을 수 없습니다. 관리자에게 알려 주세요.",
                       en="The stored file is missing; tell an administrator.")


def _verified(data: bytes, sha256: str) -> bytes:
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DomainError(code="file_corrupt", field="file", ko="저장된 파일이 손상되었습니다.",
                          en="The stored file does not match its hash.")
    return data


class LocalStore:
    """Files named by their SHA-256 under a directory: the same bytes are stored once, a name
    is never reused for other bytes, and a write is durable before it is acknowledged."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        # a unique temporary name: two requests may store the same bytes at the same moment
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return digest

    def get(self, sha256: str) -> bytes:
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise _missing() from None
        return _verified(data, sha256)


#: the error codes S3-compatible stores answer for an object that is not there
_MISSING = ("404", "NoSuchKey", "NotFound")


class S3Store:
    """Objects named by their SHA-256 in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...).
    An upload is acknowledged only after the store confirmed it (with a Content-MD5 the server
    checks); reads are checked against the SHA-256 taken at upload. Credentials come from the
    usual AWS settings (environment, profile or instance role)."""

    def __init__(self, bucket: str, prefix: str = "documents/", endpoint_url: str | None = None,
                 region: str | None = None, client: Any = None) -> None:
        if client is None:
            import boto3

            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def key(self, sha256: str) -> str:
        return f"{self.prefix}{sha256[:2]}/{sha256}"

    def put(self, data: bytes) -> str:
        import base64

        from botocore.exceptions import ClientError

        digest = hashlib.sha256(data).hexdigest()
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(digest))
            return digest  # the same bytes are already stored; never overwrite
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in _MISSING:
                raise
        md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        self.client.put_object(Bucket=self.bucket, Key=self.key(digest), Body=data, ContentMD5=md5,
                               Metadata={"sha256": digest})
        return digest

    def get(self, sha256: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                raise _missing() from None
            raise
        return _verified(body, sha256)
