"""JSON Lines into typed columns with Polars' own reader, no row decoded in Python.

A chunk of lines is read by `pl.read_ndjson` with an explicit schema; a row goes on by column
only when its line is *plain* — every value of exactly the JSON type the per-row path
(`columns.split_rows`) carries by column, checked on the line itself, so the typed values are
the ones that path would make:

- no backslash (no escapes: each `"` delimits a string, so the keys and the type of each value
  can be read off the line) and no null (Polars reads a null as it reads an absent key);
- one colon per key read (a colon in a text value, an unknown key, a key twice — JSON keeps the
  last of a repeated key, Polars the first — or a year outside `revenue` / `operating_profit`
  leaves a colon over); a support history or an applicant kind is not read;
- text values are JSON strings, lists are lists of strings, amounts by year are objects of
  integers; no number with a fraction or an exponent anywhere in the line;
- the values in the plain forms the per-row path takes without a change (a BRN without blanks,
  a name already NFC without surrounding blanks, a credit grade in printable ASCII, ISO dates
  that exist).

Any other line goes to the per-row path unchanged (decoded by `ingest._decode`), so its columns,
or its field errors, are that path's own. A chunk Polars refuses (a malformed line, a count that
is not an integer, an amount beyond 64 bits) is split into smaller pieces and read again, down to
`FLOOR` lines, which take the per-row path: one bad line never stops the file, and costs a few
re-reads of its neighbourhood. A line that is not one JSON object, or holds a number of 19 digits
or more, takes the per-row path before Polars reads its piece.

The file is cut into numbered lines with numpy, a block at a time (`file_lines`): a chunk is one
buffer and arrays of offsets and line numbers (`Lines`), with no Python object per line.
"""

from __future__ import annotations

import io
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import polars as pl

from onestop.registry import columns as c
from onestop.rules.facts import BUSINESS_STATUSES
from onestop.rules.vectorize import MASKED_SETS

#: A refused piece is split into this many parts, down to `FLOOR` lines.
FANOUT = 16
FLOOR = 64
#: Lines Polars reads at once.
PIECE = 2048
#: Bytes read from the file at once when cutting it into lines.
BLOCK = 1 << 24
#: ASCII whitespace as `bytes.strip` removes it: a line of only these is blank (and skipped).
_BLANK = np.zeros(256, dtype=bool)
_BLANK[list(b" \t\n\r\x0b\x0c")] = True

_TEXT = ("brn", "name", "ksic", "region", "credit_grade", "business_status", *c._DATES)
_LISTS = tuple(c._SETS)
_SCHEMA: dict[str, pl.DataType] = {
    **{k: pl.String() for k in _TEXT},
    "in_large_business_group": pl.Boolean(),
    **{k: pl.Int64() for k in c._INTS},
    **{k: pl.Boolean() for k in c._BOOLS},
    **{k: pl.String() for k in (*_LISTS, *c._BY_YEAR)},
}
#: Text fields Polars would also fill from a number or a Boolean: a JSON string is required.
_STRING_TYPED = ("brn", "name", "ksic", "region", "credit_grade")
_STRINGS = r'^\[(?:"[^"]*"(?:, "[^"]*")*)?\]$'
_NUMBER = r"-?(?:0|[1-9][0-9]*)"
_BY_YEAR = rf'^\{{(?:"[0-9]{{4}}": {_NUMBER}(?:, "[0-9]{{4}}": {_NUMBER})*)?\}}$'
_EDGE = r"[\p{L}\p{N}\p{P}\p{S}\p{M}]"
_NAME = rf"^{_EDGE}(?:.*{_EDGE})?$"


@dataclass(frozen=True)
class Lines:
    """Non-blank lines of a file held as one buffer and arrays, no Python object per line:
    line `i` is `buf[starts[i]:ends[i]]` (without its newline), number `numbers[i]` in the file
    (1-based, rising), ended by a newline in the file when `newline[i]` (all but perhaps the last)."""

    buf: bytes
    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    numbers: npt.NDArray[np.int64]
    newline: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, numbered: list[tuple[int, bytes]]) -> Lines:
        """From (line number, bytes) pairs, each line with or without its newline."""
        parts = [line[:-1] if line.endswith(b"\n") else line for _, line in numbered]
        lengths = np.fromiter((len(x) + 1 for x in parts), dtype=np.int64, count=len(parts))
        ends = np.cumsum(lengths) - 1
        return cls(b"\n".join(parts) + b"\n" if parts else b"", ends - lengths + 1, ends,
                   np.fromiter((n for n, _ in numbered), dtype=np.int64, count=len(numbered)),
                   np.fromiter((line.endswith(b"\n") for _, line in numbered), dtype=np.bool_, count=len(numbered)))

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, s: slice) -> Lines:
        return Lines(self.buf, self.starts[s], self.ends[s], self.numbers[s], self.newline[s])

    def line(self, i: int) -> bytes:
        return self.buf[int(self.starts[i]):int(self.ends[i])]

    def raw(self, i: int) -> bytes:
        """Line `i` as the file holds it, its newline included (for the per-row decode)."""
        return self.line(i) + b"\n" if self.newline[i] else self.line(i)

    def text(self) -> bytes:
        """The lines joined, each ending with a newline (one copy when they lie together)."""
        if not len(self):
            return b""
        first, last = int(self.starts[0]), int(self.ends[-1])
        if int(self.numbers[-1] - self.numbers[0]) == len(self) - 1 and last < len(self.buf):
            return self.buf[first:last + 1]  # consecutive lines: the buffer's own bytes, newlines included
        return b"\n".join(self.line(i) for i in range(len(self))) + b"\n"


@dataclass
class Part:
    """A chunk read: its plain rows typed (`columns.typed_schema()`) with their amounts by year,
    and the rest as (row number, decoded value) for the per-row path."""

    frame: pl.DataFrame
    revenue: pl.DataFrame
    profit: pl.DataFrame
    other: list[tuple[int, Any]] = field(default_factory=list)
    #: the chunk's lines in row order, for the plain rows a column check refuses
    lines: Lines | None = None

    def line(self, n: int) -> bytes:
        assert self.lines is not None
        return self.lines.raw(int(np.searchsorted(self.lines.numbers, n)))


def _mask(col: str) -> tuple[pl.Expr, pl.Expr]:
    """(mask, the list's members are all known and few enough) of a list-of-strings column."""
    bits = MASKED_SETS[col]
    members = pl.col(col).str.extract_all(r'"[^"]*"').list.eval(
        pl.element().str.strip_chars('"').replace_strict(bits, default=None, return_dtype=pl.Int64))
    ok = (members.list.eval(pl.element().is_null()).list.any().not_()
          & (members.list.len() <= len(c._SETS[col][0])))
    return members.list.unique().list.sum().cast(pl.UInt16), ok


def _years(frame: pl.DataFrame, col: str) -> pl.DataFrame:
    pairs = (frame.select("row", pl.col(col).str.extract_all(rf'"[0-9]{{4}}": {_NUMBER}').alias("_p"))
             .explode("_p").drop_nulls("_p"))
    return pairs.select(
        "row", pl.col("_p").str.slice(1, 4).cast(pl.Int64).alias("year"),
        pl.col("_p").str.slice(8).cast(pl.Int64, strict=False).alias("amount"))


def _typed(lines: pl.Series, rows: pl.Series, read: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame,
                                                                         pl.DataFrame, pl.Series]:
    """(typed plain rows, revenue by year, profit by year, plain?) of a chunk Polars read."""
    line = pl.col("_line")
    frame = read.with_columns(lines.alias("_line"), rows.alias("row"))
    masks = {k: _mask(k) for k in _LISTS}
    by_year_ok = [pl.col(k).is_null() | pl.col(k).str.contains(_BY_YEAR) for k in c._BY_YEAR]

    def has(text: str) -> pl.Expr:
        return line.str.contains(text, literal=True)

    def stated(k: str, value: str) -> pl.Expr:  # the key with this JSON value's first characters
        return has(f'"{k}":{value}') | has(f'"{k}": {value}')

    founded = pl.col("founded_on").str.to_date("%Y-%m-%d", strict=False)
    born = pl.col("ceo_birth_date").str.to_date("%Y-%m-%d", strict=False)
    iso = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    grade = pl.col("credit_grade").str.strip_chars(" ").str.to_uppercase()
    checks = [
        # no escapes, no nulls (JSON keeps the last of a repeated key, Polars the first; with no
        # null, a repeated key shows as one colon more than the values Polars read), no fraction
        ~has("\\"), ~has("null"), ~line.str.contains(r"[0-9][.eE]"),
        # one colon per key (none in a value): every key is one Polars read, years inside the amounts
        line.str.count_matches(":", literal=True) == pl.sum_horizontal(
            *[pl.col(k).is_not_null().cast(pl.UInt32) for k in _SCHEMA],
            *[pl.col(k).str.count_matches('": ', literal=True).fill_null(0) for k in c._BY_YEAR]),
        *[pl.col(k).is_null() | stated(k, '"') for k in _STRING_TYPED],
        pl.col("name") == pl.col("name").str.normalize("NFC"),
        # an empty list or object stated as the string "[]" or "{}": not plain (a text value "[]"
        # elsewhere on the line sends the row to the per-row path too, which is only slower)
        ~has('"[]"'), ~has('"{}"'),
        *by_year_ok,
        pl.col("brn").str.contains(r"^[0-9]{3}-?[0-9]{2}-?[0-9]{5}$"),
        pl.col("name").str.contains(_NAME), pl.col("name").str.len_chars() <= 200,
        pl.col("ksic").is_not_null(), pl.col("region").is_not_null(),
        pl.col("credit_grade").is_null() | (pl.col("credit_grade").str.contains(r"^[\x20-\x7e]*$")
                                            & (grade.str.len_chars() <= 10)),
        pl.col("business_status").is_null() | pl.col("business_status").is_in(sorted(BUSINESS_STATUSES)),
        pl.col("founded_on").str.contains(iso) & founded.is_not_null() & (founded.dt.year() >= 1),
        pl.col("ceo_birth_date").is_null() | (pl.col("ceo_birth_date").str.contains(iso) & born.is_not_null()
                                              & (born.dt.year() >= 1)),
        *[pl.col(k).is_null() | (pl.col(k).str.contains(_STRINGS) & masks[k][1]) for k in _LISTS],
    ]
    plain = pl.all_horizontal(checks).fill_null(False)
    frame = frame.with_columns(plain.alias("_plain"))
    is_plain = frame.get_column("_plain")
    frame = frame.filter(pl.col("_plain"))
    revenue, profit = (_years(frame, k) for k in c._BY_YEAR)
    bad_amount = pl.concat([
        long.filter(pl.col("amount").is_null() | pl.struct("row", "year").is_duplicated())
        for long in (revenue, profit)]).get_column("row")
    if bad_amount.len():  # beyond 64 bits, or a year twice: the per-row path
        is_plain = is_plain & ~rows.is_in(bad_amount.implode())
        frame = frame.filter(~pl.col("row").is_in(bad_amount.implode()))
        revenue = revenue.filter(~pl.col("row").is_in(bad_amount.implode()))
        profit = profit.filter(~pl.col("row").is_in(bad_amount.implode()))
    typed = frame.select(
        pl.col("row").cast(pl.Int64),
        pl.col("brn").str.replace_all("-", "", literal=True),
        "name", pl.col("ksic").alias("ksic_raw"), pl.col("region").alias("region_raw"),
        pl.when(pl.col("credit_grade").is_not_null()).then(grade).alias("credit_grade"),
        "business_status", pl.col("in_large_business_group").fill_null(False),
        founded.alias("founded_on"), born.alias("ceo_birth_date"),
        *c._INTS, *c._BOOLS,
        masks["certifications"][0].fill_null(0).alias("certifications"),
        *[masks[k][0].alias(k) for k in _LISTS if k != "certifications"],
    ).cast(c.typed_schema())  # type: ignore[arg-type]
    return typed, revenue.cast(c.YEAR_SCHEMA), profit.cast(c.YEAR_SCHEMA), is_plain  # type: ignore[arg-type]


def _empty() -> Part:
    return Part(pl.DataFrame(schema=c.typed_schema()), pl.DataFrame(schema=c.YEAR_SCHEMA),
                pl.DataFrame(schema=c.YEAR_SCHEMA))


def _forget(exc: BaseException) -> None:
    """Drop the frames an exception's tracebacks hold (and the lines in them), so no reference
    cycle keeps a refused piece alive until the collector runs."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if e.__traceback__ is not None:
            traceback.clear_frames(e.__traceback__)
            e.__traceback__ = None
        stack += [e.__cause__, e.__context__]


def _text(data: bytes) -> pl.Series:
    """Each line of `data` (lines ending with a newline) as text; PolarsError when not UTF-8."""
    text = pl.Series("_line", [data], dtype=pl.Binary).cast(pl.String).str.split("\n").explode()
    return text.head(text.len() - 1)


#: A line Polars is sure to refuse or that cannot be plain: not one JSON object, or a number of 19
#: digits or more (beyond 64 bits or beyond every bound) — it goes to the per-row decode at once
#: rather than costing its piece a refused read.
_ODD_LINE = r'^[^{]|[^}]$|[:,\[] ?-?[0-9]{19}'


def _read(lines: Lines, text: pl.Series | None = None) -> tuple[list[tuple[Lines, pl.Series, pl.DataFrame]],
                                                                 list[Lines]]:
    """(pieces Polars read: (lines, their text, the frame), pieces it refused, of ≤ `FLOOR` lines);
    `text`: the lines' text when already made."""
    try:
        data = lines.text()
        if text is None:
            text = _text(data)
        read = pl.read_ndjson(io.BytesIO(data), schema=_SCHEMA)
        if read.height != len(lines) or text.len() != len(lines):
            raise ValueError("rows lost")
    except (pl.exceptions.PolarsError, ValueError) as exc:
        _forget(exc)
        del exc
        if len(lines) <= FLOOR:
            return [], [lines]
        step = -(-len(lines) // FANOUT)
        pieces, refused = [], []
        for i in range(0, len(lines), step):
            p, r = _read(lines[i:i + step], None if text is None else text.slice(i, step))
            pieces += p
            refused += r
        return pieces, refused
    return [(lines, text, read)], []


def read_part(numbered: list[tuple[int, bytes]] | Lines) -> Part:
    """A chunk of non-blank lines ((line number, bytes) pairs, or `Lines`) as typed columns and
    per-row rows."""
    from onestop.registry.ingest import _decode

    lines = numbered if isinstance(numbered, Lines) else Lines.of(numbered)
    pieces: list[tuple[Lines, pl.Series, pl.DataFrame]] = []
    refused: list[Lines] = []
    try:
        whole: pl.Series | None = _text(lines.text())
    except pl.exceptions.PolarsError as exc:  # not UTF-8 somewhere: each piece makes its own text
        _forget(exc)
        del exc
        whole = None
    odd: list[int] = []
    if whole is not None and whole.len() == len(lines):
        odd = whole.str.strip_chars(" \t\r").str.contains(_ODD_LINE).arg_true().to_list()
    else:
        whole = None
    first = 0
    for stop in [*odd, len(lines)]:
        for i in range(first, stop, PIECE):  # a refused piece is read again in parts: keep it small
            n = min(PIECE, stop - i)
            p, r = _read(lines[i:i + n], None if whole is None else whole.slice(i, n))
            pieces += p
            refused += r
        if stop < len(lines):
            refused.append(lines[stop:stop + 1])
        first = stop + 1
    rest = [(int(n), _decode(r.raw(i))) for r in refused for i, n in enumerate(r.numbers)]
    if not pieces:
        part = _empty()
        part.other = rest
        return part
    read = [x for _, _, x in pieces]
    if len(pieces) == 1:
        kept = pieces[0][0]
    else:
        kept = Lines(lines.buf, *(np.concatenate([getattr(p, k) for p, _, _ in pieces])
                                  for k in ("starts", "ends", "numbers", "newline")))
    text = pl.concat([p for _, p, _ in pieces]).str.strip_chars(" \t\r")
    rows = pl.Series("row", kept.numbers, dtype=pl.Int64)
    typed, revenue, profit, plain = _typed(text, rows, pl.concat(read) if len(read) > 1 else read[0])
    other = [(int(kept.numbers[i]), _decode(kept.raw(i))) for i in (~plain).arg_true().to_list()]
    return Part(typed, revenue, profit, sorted(other + rest, key=lambda r: r[0]), kept)


def _nonblank(buf: bytes, starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Which lines hold something besides ASCII whitespace (`bytes.strip` keeps something)."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    keep = ends > starts
    maybe = np.flatnonzero(keep)
    maybe = maybe[_BLANK[arr[starts[maybe]]]]  # only a line starting with a blank may be all blank
    for i in maybe:
        keep[i] = bool(buf[int(starts[i]):int(ends[i])].strip())
    return keep


def file_lines(f: BinaryIO, size: int) -> Iterator[tuple[int, Lines]]:
    """(bytes read so far, `size` non-blank lines — fewer at the end) of a binary file, numbered
    by their line in the file; found with numpy, one block of `BLOCK` bytes at a time."""
    held = b""  # the start of a line the last block cut
    before = 0  # lines of the file before `held`
    done = 0
    pending: list[_Block] = []
    count = 0
    while True:
        block = f.read(BLOCK)
        done += len(block)
        data = held + block if held else block
        arr = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero(arr == 10).astype(np.int64)
        cut = int(ends[-1]) + 1 if ends.size else 0
        newline = np.ones(ends.size, dtype=np.bool_)
        if not block and cut < len(data):  # the last line, without a newline
            ends = np.append(ends, len(data))
            newline = np.append(newline, False)
            cut = len(data)
        starts = np.concatenate([np.zeros(1, np.int64), ends[:-1] + 1]) if ends.size else ends
        numbers = np.arange(before + 1, before + 1 + ends.size, dtype=np.int64)
        before += ends.size
        keep = _nonblank(data, starts, ends)
        if keep.any():
            pending.append((data, starts[keep], ends[keep], numbers[keep], newline[keep]))
            count += int(keep.sum())
        held = data[cut:]
        while count >= size or (not block and count):
            out, count = _take(pending, min(size, count)), count - min(size, count)
            yield done, out
        if not block:
            return


_Block = tuple[bytes, npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]


def _take(pending: list[_Block], n: int) -> Lines:
    """The first `n` lines held in `pending` (blocks of (buffer, starts, ends, numbers)) as one
    `Lines` over their own bytes; what is left stays in `pending`."""
    bufs, starts, ends, numbers, newlines = [], [], [], [], []
    offset = 0
    while n:
        data, s, e, num, nl = pending[0]
        k = min(n, len(num))
        lo, hi = int(s[0]), int(e[k - 1]) + 1
        bufs.append(data[lo:hi])
        starts.append(s[:k] - lo + offset)
        ends.append(e[:k] - lo + offset)
        numbers.append(num[:k])
        newlines.append(nl[:k])
        offset += hi - lo
        if k == len(num):
            pending.pop(0)
        else:
            pending[0] = (data, s[k:], e[k:], num[k:], nl[k:])
        n -= k
    return Lines(bufs[0] if len(bufs) == 1 else b"".join(bufs), np.concatenate(starts), np.concatenate(ends),
                 np.concatenate(numbers), np.concatenate(newlines))


def jsonl_parts(path: Path, size: int) -> Iterator[tuple[int, Part]]:
    """(bytes read so far, part) per chunk of `size` non-blank lines, numbered by their line."""
    with path.open("rb") as f:
        for done, lines in file_lines(f, size):
            yield done, read_part(lines)


def facts_of_part(part: Part, on: date, today: date | None = None) -> c.Facts:
    """`columns.facts_of` for a part read by Polars: the plain rows by column; the rest decoded
    row by row are sorted into columns as `facts_of` sorts them (`columns.split_rows`), and what
    those columns cannot carry, or a column check refuses, goes to the per-firm model."""
    from onestop.registry.ingest import _decode

    today = today or date.today()
    split = c.split_rows(part.other)
    frame, revenue, profit = c.typed(split)
    if frame.height:
        frame = pl.concat([part.frame, frame])
        revenue = pl.concat([part.revenue, revenue])
        profit = pl.concat([part.profit, profit])
    else:
        frame, revenue, profit = part.frame, part.revenue, part.profit
    columnar, refused = c.frame_facts(frame, revenue, profit, on, today)
    decoded = dict(part.other)
    other = split.other + [(n, decoded[n] if n in decoded else _decode(part.line(n))) for n in refused]
    slow, errors = c._per_firm(other, on)
    rescued = len(refused) - len(set(refused).intersection(n for n, _ in errors))
    out = (pl.concat([columnar, slow]) if slow.height else columnar).sort("row")
    errors.sort(key=lambda e: e[0])
    return c.Facts(out, errors, per_firm=len(other), rescued=rescued)
