"""Uploads are identified by their structure with bounded work (issue 14 §3): every example of
the issue, the kinds around them, random and mutated bytes, and safe file names."""

from __future__ import annotations

import io
import struct
import tracemalloc
import unicodedata
import zipfile
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.applications.documents import (
    HWP,
    HWPX,
    JPEG,
    MAX_FILENAME_BYTES,
    PDF,
    PNG,
    XLSX,
    Sniffed,
    content_disposition,
    download_headers,
    safe_filename,
    sniff,
)
from onestop.errors import DomainError
from tests import files

VALID = {"pdf": (lambda: files.PDF, PDF), "png": (files.png, PNG), "jpeg": (files.jpeg, JPEG),
         "xlsx": (files.xlsx, XLSX), "hwpx": (files.hwpx, HWPX), "hwp": (files.hwp, HWP)}


def refused(data: bytes) -> DomainError:
    with pytest.raises(DomainError) as caught:
        sniff(data)
    assert caught.value.field == "file"
    return caught.value


def peak_bytes(data: bytes) -> tuple[DomainError | Sniffed, int]:
    """What sniff answers and the most memory Python allocated meanwhile."""
    tracemalloc.start()
    try:
        try:
            result: DomainError | Sniffed = sniff(data)
        except DomainError as e:
            result = e
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", VALID)
def test_each_allowed_type_is_recognised_by_its_structure(name: str) -> None:
    build, expected = VALID[name]
    assert sniff(build()) == expected


# --- the examples ---------------------------------------------------------------------

def test_macro_enabled_workbook_named_xlsx_is_refused_saying_it_has_macros() -> None:
    for data in (files.xlsx(vba=True), files.xlsx(main=files.MACRO_MAIN), files.xlsx(vba_type=True),
                 files.xlsx(extra={"xl/macrosheets/sheet2.xml": b"<xm:macrosheet/>"})):
        err = refused(data)
        assert err.code == "file_macro" and "매크로" in err.ko and "macro" in err.en


def test_ole2_file_that_merely_contains_the_hwp_signature_text_is_refused() -> None:
    text = b"... HWP Document File ... " + "HwpSummary".encode("utf-16-le")
    err = refused(files.ole2({"WordDocument": text, "\x05HwpSummaryInformation": b"\x00" * 48}))
    assert err.code == "file_type" and "HWP" in err.en
    # the signature must open the FileHeader stream, not appear somewhere in it
    assert refused(files.ole2({"FileHeader": files.hwp_header(signature=b"XXXX HWP Document File")})).code == "file_type"


def test_the_919_byte_hwpx_bomb_is_refused_at_once_with_little_memory() -> None:
    data = files.bomb()
    assert len(data) < 2048
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.getinfo("mimetype").file_size == 1 << 30  # 1 GiB once inflated
    result, peak = peak_bytes(data)
    assert isinstance(result, DomainError) and result.code == "file_limits"
    assert "1,073,741,824" in result.en and "1,073,741,824" in result.ko  # the size it would have had
    assert peak < 512 * 1024, f"{peak:,} bytes allocated"


def test_a_bomb_that_declares_a_small_size_is_refused_with_little_memory_too() -> None:
    result, peak = peak_bytes(files.bomb(lying=True))
    assert isinstance(result, DomainError) and result.code == "file_limits"
    assert peak < 512 * 1024, f"{peak:,} bytes allocated"


def _lying_deflate_hwpx(inflated: int) -> bytes:
    """An HWPX whose deflated `mimetype` inflates to `inflated` bytes but declares 19."""
    head = b"application/hwp+zip"
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = squeeze.compress(head) + b"".join(squeeze.compress(b" " * (1 << 20)) for _ in range(inflated >> 20))
    body += squeeze.flush()
    crc = zlib.crc32(head)
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(body), len(head), 8, 0)
    manifest = b"<opf:package/>"
    name2 = b"Contents/content.hpf"
    local2 = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0x21, zlib.crc32(manifest), len(manifest),
                         len(manifest), len(name2), 0)
    first = local + b"mimetype" + body
    second = local2 + name2 + manifest
    cd1 = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(body), len(head), 8,
                      0, 0, 0, 0, 0, 0) + b"mimetype"
    cd2 = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21, zlib.crc32(manifest),
                      len(manifest), len(manifest), len(name2), 0, 0, 0, 0, 0, len(first)) + name2
    cd = cd1 + cd2
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 2, 2, len(cd), len(first) + len(second), 0)
    return first + second + cd + end


def test_a_deflate_bomb_that_lies_about_its_size_is_read_only_up_to_the_cap() -> None:
    data = _lying_deflate_hwpx(64 << 20)  # 64 MiB of spaces behind a 19-byte declaration
    result, peak = peak_bytes(data)
    assert isinstance(result, DomainError)  # the CRC of the capped read does not match
    assert peak < 1024 * 1024 + 4 * len(data), f"{peak:,} bytes allocated"


# --- the kinds around them --------------------------------------------------------------------

def test_password_or_drm_protected_hwp_is_refused_because_reviewers_cannot_open_it() -> None:
    for bits in (0x2, 0x10):
        err = refused(files.hwp(properties=0x1 | bits))
        assert err.code == "file_encrypted" and "암호" in err.ko


def test_hwp_3_is_refused_naming_the_format_to_save_in() -> None:
    assert "HWP 5" in refused(files.hwp(version=0x03000000)).en


def test_hwpx_needs_its_manifest_and_the_exact_mimetype() -> None:
    assert "content.hpf" in refused(files.hwpx(manifest=False)).en
    assert refused(files.hwpx(mimetype=b"application/zip")).code == "file_type"


def test_office_documents_other_than_workbooks_are_refused() -> None:
    assert "xlsx" in refused(files.docx()).en


def test_workbook_whose_main_part_is_missing_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", files._TYPES.format(defaults="", main=files.SHEET_MAIN))
    refused(buf.getvalue())


def test_xml_entity_bomb_in_content_types_is_refused() -> None:
    laughs = ('<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Types>&c;</Types>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", laughs)
        z.writestr("xl/workbook.xml", "<workbook/>")
    refused(buf.getvalue())


def test_encrypted_zip_entries_are_refused() -> None:
    data = bytearray(files.xlsx())
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, 1)  # general purpose flag: encrypted
    assert refused(bytes(data)).code == "file_encrypted"


def test_archives_with_too_many_entries_are_refused_before_they_are_listed() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for i in range(10_001):
            z.writestr(f"{i}", b"")
    assert refused(buf.getvalue()).code == "file_limits"


def test_truncated_or_damaged_files_are_refused() -> None:
    assert "%%EOF" in refused(files.PDF[:-8]).en
    assert refused(b"%PDF-x.y\n%%EOF").code == "file_type"
    png = files.png()
    refused(png[:-12])  # no IEND
    broken = bytearray(png)
    broken[20] ^= 0xFF  # inside IHDR: its CRC no longer matches
    refused(bytes(broken))
    assert "EOI" in refused(files.jpeg()[:-2]).en
    refused(files.hwp()[:1200])


def test_images_beyond_the_pixel_limit_are_refused_without_decoding() -> None:
    png = bytearray(files.png((1, 1)))
    struct.pack_into(">II", png, 16, 20_000, 20_000)  # IHDR says 400 megapixels
    struct.pack_into(">I", png, 29, zlib.crc32(bytes(png[12:29])))
    err = refused(bytes(png))
    assert err.code == "file_limits" and "89,478,485" in err.en
    struct.pack_into(">II", png, 16, 10_000, 10_000)  # 100 megapixels: over our limit, under Pillow's error
    struct.pack_into(">I", png, 29, zlib.crc32(bytes(png[12:29])))
    assert refused(bytes(png)).code == "file_limits"


# --- random and mutated bytes: never a crash, never unbounded work ----------------------------

MAGICS = [b"", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MAGICS), st.binary(max_size=4096))
def test_random_bytes_never_crash_sniff(magic: bytes, tail: bytes) -> None:
    data = magic + tail
    result, peak = peak_bytes(data)
    assert isinstance(result, Sniffed | DomainError)
    assert peak < 2 * 1024 * 1024 + 8 * len(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(VALID)), st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=8),
       st.integers(0, 1 << 20))
def test_mutated_valid_files_never_crash_sniff(name: str, flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(VALID[name][0]())
    for at, value in flips:
        data[at % len(data)] = value
    data = data[: max(1, len(data) - cut % len(data))] if cut % 3 == 0 else data
    result, peak = peak_bytes(bytes(data))
    assert isinstance(result, Sniffed | DomainError)
    assert peak < 2 * 1024 * 1024 + 8 * len(data)


# --- file names -------------------------------------------------------------------------------

@pytest.mark.parametrize(("given_name", "kind", "expected"), [
    ("../../etc/passwd.pdf", PDF, "passwd.pdf"),
    ("C:\\Users\\홍길동\\사업계획서.pdf", PDF, "사업계획서.pdf"),
    (unicodedata.normalize("NFD", "재무제표 2025.xlsx"), XLSX, "재무제표 2025.xlsx"),
    ("a\x00b\x1f\x7fc.hwp", HWP, "abc.hwp"),
    ("invoice\u202efdp.exe", PDF, "invoicefdp.exe.pdf"),  # the right-to-left override is gone
    ("보고서\u200b.hwpx", HWPX, "보고서.hwpx"),
    ("report.exe", PDF, "report.exe.pdf"),
    ("사진.JPEG", JPEG, "사진.JPEG"),
    ("photo", JPEG, "photo.jpg"),
    ("CON.pdf", PDF, "document_CON.pdf"),
    ("", PNG, "document.png"),
    ("  ..  ", PDF, "document.pdf"),
    ('a<b>c:"d"|e?f*.pdf', PDF, "abcdef.pdf"),
])
def test_file_names_are_reduced_to_a_safe_base_name(given_name: str, kind: Sniffed, expected: str) -> None:
    assert safe_filename(given_name, kind) == expected


def test_long_names_are_shortened_in_the_middle_keeping_the_extension() -> None:
    name = "2026년 청년전용창업자금 신청 사업계획서 " * 20 + "최종본 v3.hwp"
    safe = safe_filename(name, HWP)
    assert len(safe.encode()) <= MAX_FILENAME_BYTES and safe.startswith("2026년 청년전용창업자금")
    assert safe.endswith("최종본 v3.hwp") and "…" in safe


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=600), st.sampled_from([PDF, PNG, JPEG, HWP, HWPX, XLSX]))
def test_any_name_becomes_a_short_clean_base_name_with_the_right_extension(name: str, kind: Sniffed) -> None:
    safe = safe_filename(name, kind)
    assert 0 < len(safe.encode()) <= MAX_FILENAME_BYTES
    assert "/" not in safe and "\\" not in safe and safe == unicodedata.normalize("NFC", safe)
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in safe)
    assert any(safe.lower().endswith(ext) for ext in kind.extensions)
    assert safe_filename(safe, kind) == safe  # stable: a stored name stays as it is


def test_downloads_are_attachments_never_sniffed_and_sandboxed() -> None:
    assert content_disposition("사업계획서 (최종).pdf") == (
        "attachment; filename=\"_____ (__).pdf\"; "
        "filename*=UTF-8''%EC%82%AC%EC%97%85%EA%B3%84%ED%9A%8D%EC%84%9C%20%28%EC%B5%9C%EC%A2%85%29.pdf")
    assert 'filename="a_b_.pdf"' in content_disposition('a"b;.pdf')
    headers = download_headers("x.pdf", "ab" * 32)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
