"""Uploaded documents: what a file really is (identified by its structure, with bounded work, not
by its name or a few bytes), safe file names, size limits, SHA-256, and a content-addressed
store outside the database that never overwrites.

Allowed: PDF, PNG, JPEG, HWP (한글 5.x), HWPX (한글 OWPML), XLSX. Each is recognised by the part
of its format that defines it:

- PDF: the `%PDF-x.y` header and an `%%EOF` marker within the last 1,024 bytes (ISO 32000-1
  §7.5.2 and §7.5.5; readers look for the trailer there).
- PNG: the signature and an IHDR chunk first (ISO/IEC 15948 §5.3, §11.2.2); Pillow checks every
  chunk's CRC (`verify`), and the picture may not exceed MAX_PIXELS.
- JPEG: SOI, the segments up to the first frame header parsed by Pillow, and an EOI marker
  after them (ITU-T T.81 Annex B).
- HWP: an OLE2 compound file whose `FileHeader` stream starts with "HWP Document File" and
  version 5 (Hancom, "한글 문서 파일 구조 5.0" §3.2); password- and DRM-protected documents are
  refused, since no one reviewing them could open them.
- HWPX: a ZIP container whose `mimetype` entry is `application/hwp+zip` (KS X 6101 OWPML, OCF
  packaging) with its `Contents/content.hpf` manifest.
- XLSX: a ZIP container whose `[Content_Types].xml` names a workbook part of the spreadsheetml
  *sheet* type that is present (ECMA-376 Part 2 §10.1.2.2, Part 1 §12.3.23); macro-enabled
  workbooks (a `vbaProject.bin` part, a macroEnabled or macro-sheet content type) are refused
  with a message that says so.

ZIP containers are checked from their central directory *before* anything is decompressed:
the directory's size and entry count, each entry's declared size and compression ratio, the
total declared size, and encryption. The few small entries read (`mimetype`,
`[Content_Types].xml`) are read with a byte cap, so a bomb that lies about its sizes stops at
the cap too (Python's zip reader never returns more than the declared size, and the CRC check
fails on the truncated data). Limits follow Apache POI's `ZipSecureFile` (minimum inflate ratio
1 %, i.e. at most 100:1).
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from onestop.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024

KINDS_ALLOWED = "PDF, PNG, JPEG, HWP, HWPX, XLSX"

#: Pillow's default decompression-bomb threshold is about 89 megapixels; a scanned A4 page at
#: 600 dpi is 35 megapixels.
MAX_PIXELS = 89_478_485

#: ZIP limits, checked on the central directory before any entry is inflated.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_DIRECTORY_BYTES = 1024 * 1024
ZIP_MAX_ENTRY_BYTES = 256 * 1024 * 1024
ZIP_MAX_TOTAL_BYTES = 512 * 1024 * 1024
#: Apache POI ZipSecureFile.MIN_INFLATE_RATIO = 0.01: an entry may inflate at most 100-fold;
#: small entries are exempt (a short, repetitive XML part legitimately compresses further).
ZIP_MAX_RATIO = 100
ZIP_RATIO_EXEMPT_BYTES = 1024 * 1024
#: caps for the entries that are read
MIMETYPE_CAP = 256
CONTENT_TYPES_CAP = 1024 * 1024

#: File names: at most this many UTF-8 bytes (what Linux, macOS and Windows file systems hold).
MAX_FILENAME_BYTES = 255

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WORKBOOK_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"

#: HWP 5 FileHeader property bits (한글 문서 파일 구조 5.0, 표 3)
_HWP_PASSWORD = 1 << 1
_HWP_DRM = 1 << 4


@dataclass(frozen=True)
class Sniffed:
    """What a file is: its media type, the name users know it by, and the file name extensions
    that belong to it (the first is the one added to a name that has none of them)."""

    content_type: str
    label: str
    extensions: tuple[str, ...] = ()


PDF = Sniffed("application/pdf", "PDF", (".pdf",))
PNG = Sniffed("image/png", "PNG", (".png",))
JPEG = Sniffed("image/jpeg", "JPEG", (".jpg", ".jpeg"))
HWP = Sniffed("application/x-hwp", "HWP", (".hwp",))
HWPX = Sniffed("application/hwp+zip", "HWPX", (".hwpx",))
XLSX = Sniffed(XLSX_TYPE, "XLSX", (".xlsx",))


def _refused(ko: str = "", en: str = "", code: str = "file_type") -> DomainError:
    why_ko = f" {ko}" if ko else ""
    why_en = f" {en}" if en else ""
    return DomainError(code=code, field="file",
                       ko=f"지원하지 않는 파일이거나 손상된 파일입니다.{why_ko} 가능한 형식: {KINDS_ALLOWED} "
                          "(파일 이름이 아니라 내용으로 확인합니다).",
                       en=f"This file is not accepted or is damaged.{why_en} Allowed: {KINDS_ALLOWED} "
                          "(checked by content, not by name).")


def sniff(data: bytes) -> Sniffed:
    """The type of an upload of at most MAX_BYTES, from its structure. Work is bounded by the
    size of `data` (nothing is decompressed beyond a few capped entries); any other file, a
    damaged one, or one that breaks a limit raises DomainError (field "file") naming what is
    allowed. Never raises anything else."""
    try:
        if data.startswith(b"%PDF-"):
            return _pdf(data)
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return _image(data, "PNG", PNG)
        if data.startswith(b"\xff\xd8\xff"):
            return _image(data, "JPEG", JPEG)
        if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            return _hwp(data)
        if data.startswith(b"PK\x03\x04"):
            return _zip(data)
    except DomainError:
        raise
    except Exception:  # a malformed file makes the parsers raise anything: it is refused, not a 500
        raise _refused() from None
    raise _refused()


def _pdf(data: bytes) -> Sniffed:
    version = data[5:8]
    if not (len(version) == 3 and version[:1].isdigit() and version[1:2] == b"." and version[2:3].isdigit()):
        raise _refused("PDF 머리글(%PDF-x.y)이 올바르지 않습니다.", "The PDF header (%PDF-x.y) is malformed.")
    if b"%%EOF" not in data[-1024:]:
        raise _refused("PDF 파일의 끝(%%EOF)이 없습니다. 파일이 잘렸을 수 있습니다.",
                       "The PDF has no end marker (%%EOF); the file may be truncated.")
    return PDF


def _image(data: bytes, fmt: str, kind: Sniffed) -> Sniffed:
    import warnings

    from PIL import Image

    too_large = _refused(f"그림이 너무 큽니다. 최대 {MAX_PIXELS:,}화소까지 받습니다.",
                         f"The picture is too large; at most {MAX_PIXELS:,} pixels.", "file_limits")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused below, by our limit
        try:
            im = Image.open(io.BytesIO(data), formats=[fmt])
        except Image.DecompressionBombError:
            raise too_large from None
    with im:
        width, height = im.size
        if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
            raise too_large
        if fmt == "PNG":
            im.verify()  # every chunk's CRC, up to IEND; no pixel data is decoded
        else:
            # the EOI marker must follow the headers Pillow parsed (a truncated upload has none)
            start = getattr(im, "fp", None)
            offset = start.tell() if start is not None else 2
            if data.rfind(b"\xff\xd9", offset) < 0:
                raise _refused("JPEG 파일의 끝(EOI)이 없습니다. 파일이 잘렸을 수 있습니다.",
                               "The JPEG has no end marker (EOI); the file may be truncated.")
    return kind


def _hwp(data: bytes) -> Sniffed:
    import olefile

    with olefile.OleFileIO(data) as ole:
        if not ole.exists("FileHeader") or ole.get_type("FileHeader") != olefile.STGTY_STREAM:
            raise _refused("OLE 문서이지만 한글(HWP) 문서가 아닙니다.", "An OLE document, but not a Hangul (HWP) document.")
        header = ole.openstream("FileHeader").read(256)
    if len(header) < 40 or not header.startswith(b"HWP Document File"):
        raise _refused("한글(HWP) 문서의 파일 인식 정보가 올바르지 않습니다.", "The HWP file header is malformed.")
    version, properties = struct.unpack_from("<II", header, 32)
    if version >> 24 != 5:
        raise _refused("한글 97 이전 형식은 받지 않습니다. 한글 2002 이후 형식(HWP 5.x)으로 저장해 주세요.",
                       "Only HWP 5.x (Hangul 2002 and later) is accepted; save the document in that format.")
    if properties & (_HWP_PASSWORD | _HWP_DRM):
        raise DomainError(code="file_encrypted", field="file",
                          ko="암호나 DRM이 설정된 한글 문서는 검토자가 열 수 없어 받지 않습니다. 암호를 해제한 뒤 올려 주세요.",
                          en="A password- or DRM-protected HWP document cannot be opened by reviewers; remove the "
                             "protection and upload it again.")
    return HWP


def _central_directory(data: bytes) -> tuple[int, int]:
    """(entries, directory bytes) from the end-of-central-directory record, read before
    zipfile builds an object per entry (a directory of a million entries would cost more than
    the request). Zip64 directories are not needed by any accepted format and are refused."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or len(data) < end + 22:
        raise _refused("ZIP 파일의 목차(central directory)가 없습니다.", "The ZIP file has no central directory.")
    entries, size = struct.unpack_from("<HI", data, end + 10)
    if entries == 0xFFFF or size == 0xFFFFFFFF or data[max(0, end - 20):end - 16] == b"PK\x06\x07":
        raise _refused("ZIP64 형식은 받지 않습니다.", "ZIP64 archives are not accepted.", "file_limits")
    return entries, size


def _zip(data: bytes) -> Sniffed:
    entries, size = _central_directory(data)
    if entries > ZIP_MAX_ENTRIES or size > ZIP_MAX_DIRECTORY_BYTES:
        raise _refused(f"압축 파일 안의 항목이 너무 많습니다(최대 {ZIP_MAX_ENTRIES:,}개).",
                       f"The archive has too many entries (at most {ZIP_MAX_ENTRIES:,}).", "file_limits")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        if len(infos) > ZIP_MAX_ENTRIES:
            raise _refused(f"압축 파일 안의 항목이 너무 많습니다(최대 {ZIP_MAX_ENTRIES:,}개).",
                           f"The archive has too many entries (at most {ZIP_MAX_ENTRIES:,}).", "file_limits")
        _check_declared(infos)
        by_name = {i.filename: i for i in infos}
        if "mimetype" in by_name:
            mimetype = _read_capped(data, by_name["mimetype"], MIMETYPE_CAP)
            if mimetype.strip() == b"application/hwp+zip":
                if "Contents/content.hpf" not in by_name:
                    raise _refused("HWPX 문서의 구성(Contents/content.hpf)이 없습니다.",
                                   "The HWPX document has no Contents/content.hpf manifest.")
                return HWPX
        if "[Content_Types].xml" in by_name:
            return _ooxml(data, by_name)
    raise _refused()


def _check_declared(infos: list[zipfile.ZipInfo]) -> None:
    """Sizes and ratios as the central directory declares them, before anything is inflated."""
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise DomainError(code="file_encrypted", field="file",
                              ko="암호가 설정된 압축 파일은 검토자가 열 수 없어 받지 않습니다. 암호를 해제한 뒤 올려 주세요.",
                              en="An encrypted archive cannot be opened by reviewers; remove the password and upload "
                                 "it again.")
        total += info.file_size
        too_big = info.file_size > ZIP_MAX_ENTRY_BYTES or total > ZIP_MAX_TOTAL_BYTES
        ratio = info.file_size / max(info.compress_size, 1)
        if too_big or (info.file_size > ZIP_RATIO_EXEMPT_BYTES and ratio > ZIP_MAX_RATIO):
            raise _refused(
                f"압축을 풀면 지나치게 커지는 파일입니다(항목 {info.filename[:60]!r}: {info.file_size:,}바이트, "
                f"{ratio:,.0f}배). 항목당 {ZIP_MAX_ENTRY_BYTES // 2**20}MB, {ZIP_MAX_RATIO}배까지 받습니다.",
                f"The archive expands too much (entry {info.filename[:60]!r}: {info.file_size:,} bytes, "
                f"{ratio:,.0f}-fold); at most {ZIP_MAX_ENTRY_BYTES // 2**20} MB and {ZIP_MAX_RATIO}-fold per entry.",
                "file_limits")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # OPC (ECMA-376 Part 2 §8.4) and OCF allow only these two; Python inflates the others
            # (bzip2, LZMA) whole, whatever size was declared, so they are never read here
            raise _refused("ZIP 항목은 저장(stored) 또는 deflate 압축만 받습니다.",
                           "ZIP entries must be stored or deflate-compressed.", "file_limits")


def _read_capped(data: bytes, info: zipfile.ZipInfo, cap: int) -> bytes:
    """One small entry, inflated by hand so that the work stops at `cap` bytes: the stream must
    end there, give exactly the declared size and match the declared CRC (an entry that lies
    about its size is refused, not read to its end)."""
    if info.file_size > cap:
        raise _refused(f"항목 {info.filename!r}이 너무 큽니다({info.file_size:,}바이트, 최대 {cap:,}).",
                       f"Entry {info.filename!r} is too large ({info.file_size:,} bytes; at most {cap:,}).",
                       "file_limits")
    at = info.header_offset
    if data[at:at + 4] != b"PK\x03\x04" or len(data) < at + 30:
        raise _refused()
    name_len, extra_len = struct.unpack_from("<HH", data, at + 26)
    start = at + 30 + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        out = bytes(raw)
    else:
        inflate = zlib.decompressobj(-15)
        out = inflate.decompress(raw, cap + 1)
        if not inflate.eof or len(out) > cap:
            raise _refused(f"항목 {info.filename!r}의 실제 크기가 표시된 크기와 다릅니다.",
                           f"Entry {info.filename!r} is larger than it declares.", "file_limits")
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise _refused(f"항목 {info.filename!r}이 손상되었습니다.", f"Entry {info.filename!r} is damaged.")
    return out


def _ooxml(data: bytes, by_name: dict[str, zipfile.ZipInfo]) -> Sniffed:
    from defusedxml.ElementTree import fromstring

    root = fromstring(_read_capped(data, by_name["[Content_Types].xml"], CONTENT_TYPES_CAP), forbid_dtd=True)
    overrides = {el.get("PartName", "").lstrip("/"): el.get("ContentType", "")
                 for el in root.iter(f"{_CONTENT_TYPES_NS}Override")}
    defaults = [el.get("ContentType", "") for el in root.iter(f"{_CONTENT_TYPES_NS}Default")]
    types = [t.lower() for t in [*overrides.values(), *defaults]]
    names = [n.lower() for n in by_name]
    if (any("macro" in t or "vbaproject" in t for t in types)
            or any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in names)):
        raise DomainError(code="file_macro", field="file",
                          ko="매크로가 포함된 엑셀 통합문서(xlsm 등)는 받지 않습니다. 매크로 없는 통합문서(.xlsx)로 "
                             "저장해 올려 주세요.",
                          en="A macro-enabled workbook (xlsm and the like) is not accepted; save it as a workbook "
                             "without macros (.xlsx) and upload that.")
    if any(t == _WORKBOOK_MAIN and part in by_name for part, t in overrides.items()):
        return XLSX
    raise _refused("Office 문서 중에는 엑셀 통합문서(.xlsx)만 받습니다.",
                   "Of Office documents only Excel workbooks (.xlsx) are accepted.")


# --- file names -------------------------------------------------------------------------------

def safe_filename(name: str, kind: Sniffed, fallback: str = "document") -> str:
    """The name a document is stored and offered under: the base name only (no folders), NFC,
    without control or format characters (a right-to-left override can make "fdp.exe" read as
    "exe.pdf"), without characters Windows forbids in names, at most MAX_FILENAME_BYTES of UTF-8,
    shortened in the middle of the stem so the extension stays, and ending in an extension of
    the type found by `sniff` (one is added when the name's own does not match). Used by every
    upload path (API, pages, and so whatever store keeps the bytes)."""
    from pathvalidate import sanitize_filename

    text = unicodedata.normalize("NFC", name[-4096:])
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
    text = text.strip(" .")
    stem, ext = os.path.splitext(text)
    if ext.lower() not in kind.extensions:
        stem, ext = text, kind.extensions[0] if kind.extensions else ""
    budget = MAX_FILENAME_BYTES - len(ext.encode())
    if len(stem.encode()) > budget:
        # cut the middle: the start names the document, the end often dates or numbers it
        keep = budget - len("…".encode())
        tail = _fit(stem[::-1], keep // 4)[::-1]
        stem = _fit(stem, keep - len(tail.encode())) + "…" + tail
    # Windows' forbidden characters and reserved names (CON, NUL, COM1 ...), which would not save there
    stem = sanitize_filename(stem, platform="universal", max_len=MAX_FILENAME_BYTES,
                             reserved_name_handler=lambda e: f"{fallback}_{e.reserved_name}").strip(" .")
    stem = stem or fallback
    return stem + ext


def _fit(text: str, limit: int) -> str:
    """The longest prefix of `text` whose UTF-8 encoding has at most `limit` bytes."""
    out, used = [], 0
    for ch in text[:limit]:
        used += len(ch.encode())
        if used > limit:
            break
        out.append(ch)
    return "".join(out)


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback and the UTF-8 name (RFC 6266 §4.3, RFC 8187): every
    browser saves the file instead of showing it, under its Korean name."""
    from urllib.parse import quote

    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%;' else "_" for ch in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


#: Headers on every document download: never rendered as a page of this site, never sniffed
#: into another type, never kept in a shared cache.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "private, no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def download_headers(filename: str, sha256: str) -> dict[str, str]:
    return {**DOWNLOAD_HEADERS, "Content-Disposition": content_disposition(filename), "X-Content-SHA256": sha256}


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
    usual AWS settings (environment, profile or instance role). Objects carry no user-supplied
    name: the name shown to users is the database's, made by `safe_filename`."""

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
                               Metadata={"sha256": digest}, ContentType="application/octet-stream",
                               ContentDisposition="attachment")
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
