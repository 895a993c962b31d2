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
re-reads of its neighbourhood.
"""

from __future__ import annotations

import bisect
import gc
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from onestop.registry import columns as c
from onestop.rules.facts import BUSINESS_STATUSES
from onestop.rules.vectorize import MASKED_SETS

#: A refused piece is split into this many parts, down to `FLOOR` lines.
FANOUT = 16
FLOOR = 64
#: Lines Polars reads at once.
PIECE = 8192

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


@dataclass
class Part:
    """A chunk read: its plain rows typed (`columns.typed_schema()`) with their amounts by year,
    and the rest as (row number, decoded value) for the per-row path."""

    frame: pl.DataFrame
    revenue: pl.DataFrame
    profit: pl.DataFrame
    other: list[tuple[int, Any]] = field(default_factory=list)
    #: the chunk's lines (row number, bytes) in row order, for the plain rows a column check refuses
    lines: list[tuple[int, bytes]] = field(default_factory=list)

    def line(self, n: int) -> bytes:
        i = bisect.bisect_left(self.lines, (n, b""))
        return self.lines[i][1]


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
        *[pl.col(k).ne_missing("[]") | stated(k, "[]") for k in _LISTS],
        *[pl.col(k).ne_missing("{}") | stated(k, "{}") for k in c._BY_YEAR],
        *by_year_ok,
        pl.col("brn").str.contains(r"^[0-9]{3}-?[0-9]{2}-?[0-9]{5}$"),
        pl.col("name").str.contains(_NAME), pl.col("name").str.len_chars() <= 200,
        pl.col("name") == pl.col("name").str.normalize("NFC"),
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


def _read(numbered: list[tuple[int, bytes]]) -> tuple[list[tuple[list[tuple[int, bytes]], pl.Series, pl.DataFrame]],
                                                     list[tuple[int, bytes]]]:
    """(pieces Polars read: (lines, their text, the frame), lines it refused in pieces of `FLOOR`)."""
    try:
        data = b"".join(line if line.endswith(b"\n") else line + b"\n" for _, line in numbered)
        text = pl.Series("_line", [data], dtype=pl.Binary).cast(pl.String).str.split("\n").explode()
        text = text.head(text.len() - 1)
        read = pl.read_ndjson(io.BytesIO(data), schema=_SCHEMA)
        if read.height != len(numbered) or text.len() != len(numbered):
            raise ValueError("rows lost")
    except (pl.exceptions.PolarsError, ValueError):
        if len(numbered) <= FLOOR:
            return [], numbered
        step = -(-len(numbered) // FANOUT)
        pieces, refused = [], []
        for i in range(0, len(numbered), step):
            p, r = _read(numbered[i:i + step])
            pieces += p
            refused += r
        return pieces, refused
    return [(numbered, text, read)], []


def read_part(numbered: list[tuple[int, bytes]]) -> Part:
    """A chunk of non-blank lines (line number, bytes) as typed columns and per-row rows."""
    from onestop.registry.ingest import _decode

    pieces: list[tuple[list[tuple[int, bytes]], pl.Series, pl.DataFrame]] = []
    refused: list[tuple[int, bytes]] = []
    for i in range(0, len(numbered), PIECE):  # a refused piece is read again in parts: keep it small
        p, r = _read(numbered[i:i + PIECE])
        pieces += p
        refused += r
    rest = [(n, _decode(line)) for n, line in refused]
    if not pieces:
        part = _empty()
        part.other = rest
        return part
    read = [x for _, _, x in pieces]
    lines = [x for p, _, _ in pieces for x in p]
    text = pl.concat([p for _, p, _ in pieces]).str.strip_chars(" \t\r")
    rows = pl.Series("row", [n for n, _ in lines], dtype=pl.Int64)
    typed, revenue, profit, plain = _typed(text, rows, pl.concat(read) if len(read) > 1 else read[0])
    other = [(lines[i][0], _decode(lines[i][1])) for i in (~plain).arg_true().to_list()]
    return Part(typed, revenue, profit, sorted(other + rest, key=lambda r: r[0]), lines)


def jsonl_parts(path: Path, size: int) -> Iterator[tuple[int, Part]]:
    """(bytes read so far, part) per chunk of `size` non-blank lines, numbered by their line."""
    chunk: list[tuple[int, bytes]] = []
    done = 0
    with path.open("rb") as f:
        for n, line in enumerate(f, 1):
            done += len(line)
            if not line.strip():
                continue
            chunk.append((n, line))
            if len(chunk) >= size:
                yield done, read_part(chunk)
                chunk = []
                # a refused piece leaves reference cycles (its exception's frames hold its lines),
                # which the collector's own schedule would let pile up for several chunks
                gc.collect()
    if chunk:
        yield done, read_part(chunk)


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
