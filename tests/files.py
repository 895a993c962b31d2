"""Builders of small, structurally valid upload files (and their broken twins) for the tests:
PDF, PNG, JPEG, XLSX (and macro-enabled), HWPX, and HWP 5 in a real OLE2 compound file written
here (olefile reads compound files but cannot create them)."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "uploads"

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def png(size: tuple[int, int] = (4, 3)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (0, 90, 200)).save(buf, "PNG")
    return buf.getvalue()


def jpeg(size: tuple[int, int] = (4, 3)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>{defaults}'
          '<Override PartName="/xl/workbook.xml" ContentType="{main}"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '</Types>')
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def xlsx(main: str = SHEET_MAIN, vba: bool = False, vba_type: bool = False, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal workbook; `vba` adds xl/vbaProject.bin, `vba_type` its content type."""
    defaults = '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>' if vba_type else ""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _TYPES.format(defaults=defaults, main=main))
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                                  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                                  'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                      '<sheets><sheet name="매출" sheetId="1"/></sheets></workbook>')
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
        if vba:
            z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 vba")
        for name, body in (extra or {}).items():
            z.writestr(name, body)
    return buf.getvalue()


def docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _TYPES.replace("/xl/workbook.xml", "/word/document.xml").format(
            defaults="", main="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"))
        z.writestr("word/document.xml", "<document/>")
    return buf.getvalue()


def hwpx(mimetype: bytes = b"application/hwp+zip", manifest: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("version.xml", "<hv:HCFVersion/>")
        if manifest:
            z.writestr("Contents/content.hpf", "<opf:package/>")
        z.writestr("Contents/header.xml", "<hh:head/>")
        z.writestr("Contents/section0.xml", "<hs:sec><hp:p><hp:t>사업계획서</hp:t></hp:p></hs:sec>")
    return buf.getvalue()


# --- OLE2 compound files (MS-CFB, version 3: 512-byte sectors, streams in the mini stream) -----

_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _entry(name: str, kind: int, child: int = _NOSTREAM, right: int = _NOSTREAM, start: int = _END, size: int = 0) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00"
    return (encoded.ljust(64, b"\x00") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", _NOSTREAM, right, child) + b"\x00" * 36 + struct.pack("<IQ", start, size))


def ole2(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file with these streams at its root (each smaller than 4,096 bytes, so
    kept in the mini stream as real files keep small streams)."""
    names = list(streams)
    mini, minifat, starts = b"", [], []
    for name in names:
        body = streams[name]
        assert len(body) < 4096
        count = max(1, -(-len(body) // 64))
        first = len(minifat)
        starts.append(first)
        minifat += [first + i + 1 for i in range(count - 1)] + [_END]
        mini += body.ljust(count * 64, b"\x00")
    mini_sectors = max(1, -(-len(mini) // 512))
    entries = [_entry("Root Entry", 5, child=1 if names else _NOSTREAM, start=3, size=len(mini))]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else _NOSTREAM
        entries.append(_entry(name, 2, right=right, start=starts[i], size=len(streams[name])))
    directory = b"".join(entries)
    dir_sectors = max(1, -(-len(directory) // 512))
    assert dir_sectors == 1, "up to three streams"
    # sectors: 0 FAT, 1 directory, 2 mini FAT, 3.. mini stream
    fat = [_FATSECT, _END, _END] + [4 + i for i in range(mini_sectors - 1)] + [_END]
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 2, 1, _END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", _FREE) * 108)
    assert len(header) == 512
    fat_bytes = b"".join(struct.pack("<I", x) for x in fat).ljust(512, b"\xff")  # the rest: free sectors
    minifat_bytes = b"".join(struct.pack("<I", x) for x in minifat).ljust(512, b"\xff")
    return header + fat_bytes + directory.ljust(512, b"\x00") + minifat_bytes + mini.ljust(512 * mini_sectors, b"\x00")


def hwp_header(version: int = 0x05000300, properties: int = 0x1, signature: bytes = b"HWP Document File") -> bytes:
    return signature.ljust(32, b"\x00") + struct.pack("<II", version, properties) + b"\x00" * 216


def hwp(properties: int = 0x1, version: int = 0x05000300) -> bytes:
    """A 한글 5.0 document: FileHeader (compressed body), DocInfo and a summary stream."""
    return ole2({"FileHeader": hwp_header(version, properties), "DocInfo": b"\x00" * 100,
                 "\x05HwpSummaryInformation": b"\xfe\xff" + b"\x00" * 46})


def bomb(lying: bool = False) -> bytes:
    """The issue's HWPX zip bomb: `mimetype` inflates to 1 GiB (bzip2, about 1 KB on disk)."""
    return (DATA / ("hwpx-bomb-lying.hwpx" if lying else "hwpx-bomb.hwpx")).read_bytes()
