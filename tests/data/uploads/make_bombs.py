"""Regenerates the zip bombs the upload tests refuse (kept as files: compressing 1 GiB takes
a while). Run: `.venv/bin/python tests/data/uploads/make_bombs.py`.

- hwpx-bomb.hwpx: an "HWPX" whose `mimetype` entry is "application/hwp+zip" followed by spaces
  up to 1 GiB, bzip2-compressed to a few hundred bytes (the issue's 919-byte zip); its sizes are
  declared honestly.
- hwpx-bomb-lying.hwpx: the same bytes with the entry's declared uncompressed size rewritten to
  19 in the local header and the central directory, so only reading it would show the truth.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GIB = 1 << 30
CHUNK = 1 << 20
HEAD = b"application/hwp+zip"


def honest() -> bytes:
    path = HERE / "hwpx-bomb.hwpx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_BZIP2, compresslevel=9) as z:
        info = zipfile.ZipInfo("mimetype", date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_BZIP2
        with z.open(info, "w") as f:
            f.write(HEAD)
            left = GIB - len(HEAD)
            block = b" " * CHUNK
            while left:
                n = min(left, CHUNK)
                f.write(block[:n])
                left -= n
        z.writestr("Contents/content.hpf", "<opf:package/>")
    return path.read_bytes()


def lying(data: bytes) -> bytes:
    out = bytearray(data)
    local = out.find(b"PK\x03\x04")
    struct.pack_into("<I", out, local + 22, len(HEAD))  # uncompressed size in the local header
    central = out.find(b"PK\x01\x02")
    struct.pack_into("<I", out, central + 24, len(HEAD))  # and in the central directory
    (HERE / "hwpx-bomb-lying.hwpx").write_bytes(bytes(out))
    return bytes(out)


if __name__ == "__main__":
    data = honest()
    print("hwpx-bomb.hwpx", len(data), "bytes")
    print("hwpx-bomb-lying.hwpx", len(lying(data)), "bytes")
