"""The registry on disk: Parquet files partitioned by 시도 (`DIR/sido=11/part-00000.parquet`).

Written a chunk at a time (generation and import), read a file at a time (reach, alerts), so
memory stays flat however many firms the registry holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from onestop.errors import DomainError
from onestop.registry.schema import REGISTRY_SCHEMA, from_typed
from onestop.registry.synthetic import generate
from onestop.text import whole_number

CHUNK = 500_000


def write_partitions(frame: pl.DataFrame, root: Path, part: int) -> None:
    for (sido,), group in frame.group_by("sido"):
        folder = root / f"sido={sido}"
        folder.mkdir(parents=True, exist_ok=True)
        group.drop("sido").write_parquet(folder / f"part-{part:05d}.parquet", statistics=True)


def _fresh(root: Path) -> None:
    if root.exists() and any(root.glob("sido=*/*.parquet")):
        raise DomainError(code="registry_exists", field="--out",
                          ko=f"{root}에 이미 등록부가 있습니다. 다른 폴더를 고르거나 지운 뒤 다시 실행하세요.",
                          en=f"{root} already holds a registry; choose another folder or remove it first.")
    root.mkdir(parents=True, exist_ok=True)


def generate_registry(root: Path, firms: int, seed: int = 42, today: date | None = None,
                      chunk: int = CHUNK, progress: Callable[[int], None] | None = None) -> int:
    """Write `firms` synthetic firms under `root`; returns the number written."""
    _fresh(root)
    done = part = 0
    while done < firms:
        n = min(chunk, firms - done)
        write_partitions(generate(n, seed=seed, today=today, first=done), root, part)
        done += n
        part += 1
        if progress:
            progress(done)
    return done


def registry_files(root: Path) -> list[Path]:
    files = sorted(root.glob("sido=*/*.parquet"))
    if not files:
        raise DomainError(code="registry_empty", field="--registry",
                          ko=f"{root}에 등록부가 없습니다. `onestop registry generate` 또는 `onestop registry import`로 "
                             "먼저 만드세요.",
                          en=f"No registry in {root}; make one first with `onestop registry generate` or "
                             "`onestop registry import`.")
    return files


def read_parts(root: Path, columns: list[str] | None = None, rows: int = CHUNK) -> Iterator[pl.DataFrame]:
    """The registry in parts of about `rows` firms (small files read together), in the registry's
    layout (each file's `sido` restored from its partition)."""
    buffer: list[pl.DataFrame] = []
    held = 0
    for path in registry_files(root):
        frame = pl.read_parquet(path, columns=[c for c in columns if c != "sido"] if columns else None)
        buffer.append(frame.with_columns(pl.lit(path.parent.name.removeprefix("sido=")).alias("sido")))
        held += frame.height
        if held >= rows:
            yield pl.concat(buffer)
            buffer, held = [], 0
    if buffer:
        yield pl.concat(buffer)


# ─────────────────────────────────────────────────────────────── facts on a date, cached

FACTS_DIR = "_facts"


def _stamp(root: Path) -> str:
    """Changes when any registry file is added, removed or rewritten."""
    return json.dumps([(str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns)
                       for p in registry_files(root)])


def facts_parts(root: Path, on: date, columns: list[str], today: date | None = None) -> Iterator[pl.DataFrame]:
    """The registry's facts on `on` (only `columns`), a part at a time. The first call for a date
    derives them (by column, `registry.columns`) and keeps them under `DIR/_facts/DATE/`; later
    calls read just the columns they need, until the registry's files change."""
    from onestop.registry.columns import frame_facts
    from onestop.registry.schema import to_typed

    folder = root / FACTS_DIR / on.isoformat()
    stamp = _stamp(root)
    stamp_file = folder / "stamp.json"
    if stamp_file.exists() and stamp_file.read_text(encoding="utf-8") == stamp:
        for path in sorted(folder.glob("part-*.parquet")):
            yield pl.read_parquet(path, columns=columns)
        return
    folder.mkdir(parents=True, exist_ok=True)
    stamp_file.unlink(missing_ok=True)
    for old in folder.glob("part-*.parquet"):
        old.unlink()
    today = today or date.today()
    for number, part in enumerate(read_parts(root)):
        # the registry's rows were checked when it was written (generate, import): read as trusted
        facts = frame_facts(*to_typed(part), on, today, trusted=True)[0]
        facts.write_parquet(folder / f"part-{number:05d}.parquet")
        yield facts.select(columns)
    stamp_file.write_text(stamp, encoding="utf-8")  # written last: a killed run leaves no stale cache


# ─────────────────────────────────────────────────────────────── import with a column mapping

_TRUE = {"true", "y", "yes", "1", "예", "o", "t"}
_FALSE = {"false", "n", "no", "0", "아니오", "아니요", "x", "f"}
_INT_FIELDS = ("regular_employees", "total_assets", "export_revenue", "export_usd", "total_liabilities",
               "total_equity", "manufacturing_share_pct")
_BOOL_FIELDS = ("in_large_business_group", "tax_arrears", "credit_default_record", "rehabilitation",
                "tax_arrears_deferred", "factory_registered")
_LIST_FIELDS = ("certifications", "qualifications", "hardship_causes")
_TEXT_FIELDS = ("brn", "name", "ksic", "region", "credit_grade", "business_status", "founded_on",
                "ceo_birth_date")
FIELDS = (*_TEXT_FIELDS, *_INT_FIELDS, *_BOOL_FIELDS, *_LIST_FIELDS)


@dataclass(frozen=True)
class Mapping:
    """Which source column holds each profile field (`columns`), and which holds each fiscal year's
    revenue and operating profit (`revenue`, `operating_profit`: year → column)."""

    columns: dict[str, str]
    revenue: dict[str, str]
    operating_profit: dict[str, str]

    @classmethod
    def load(cls, path: Path) -> Mapping:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise DomainError(code="mapping_file", field="--mapping", ko=f"매핑 파일을 읽을 수 없습니다: {path} ({exc})",
                              en=f"Cannot read the mapping file {path}: {exc}") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
            raise DomainError(code="mapping_shape", field="--mapping",
                              ko="매핑 파일에는 columns: (항목 → 원본 열 이름)이 있어야 합니다.",
                              en="The mapping file needs columns: (field → source column name).")
        unknown = sorted(set(raw["columns"]) - set(FIELDS))
        if unknown:
            raise DomainError(code="mapping_field", field="--mapping",
                              ko=f"알 수 없는 항목: {', '.join(unknown)}. 쓸 수 있는 항목: {', '.join(FIELDS)}",
                              en=f"Unknown fields: {', '.join(unknown)}. Allowed: {', '.join(FIELDS)}")
        missing = [f for f in ("brn", "name", "ksic", "region", "founded_on") if f not in raw["columns"]]
        if missing:
            raise DomainError(code="mapping_required", field="--mapping",
                              ko=f"필수 항목의 열이 없습니다: {', '.join(missing)}",
                              en=f"The mapping lacks the required fields: {', '.join(missing)}")
        return cls({str(k): str(v) for k, v in raw["columns"].items()},
                   {str(k): str(v) for k, v in (raw.get("revenue") or {}).items()},
                   {str(k): str(v) for k, v in (raw.get("operating_profit") or {}).items()})

    def sources(self) -> list[str]:
        return [*self.columns.values(), *self.revenue.values(), *self.operating_profit.values()]


def _number(v: str) -> Any:
    n = whole_number(v)
    return v if n is None else n  # left as text, the model names the field and the value


def _date_text(v: str) -> str:
    t = v.strip()
    if len(t) == 8 and t.isascii() and t.isdigit():  # 20200315, as registries often write dates
        return f"{t[:4]}-{t[4:6]}-{t[6:]}"
    return t


def _flag(v: str) -> Any:
    t = v.strip().lower()
    return True if t in _TRUE else False if t in _FALSE else v


def profile_of(row: dict[str, Any], mapping: Mapping) -> dict[str, Any]:
    """One source row (text cells, None for empty) as a raw firm profile."""
    p: dict[str, Any] = {}
    for field, column in mapping.columns.items():
        v = row.get(column)
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        v = str(v)
        if field in _INT_FIELDS:
            p[field] = _number(v)
        elif field in _BOOL_FIELDS:
            p[field] = _flag(v)
        elif field in _LIST_FIELDS:
            p[field] = [x.strip() for x in v.replace(",", ";").split(";") if x.strip()]
        elif field in ("founded_on", "ceo_birth_date"):
            p[field] = _date_text(v)
        else:
            p[field] = v
    for field, years in (("revenue", mapping.revenue), ("operating_profit", mapping.operating_profit)):
        amounts = {}
        for year, column in years.items():
            v = row.get(column)
            if v is not None and str(v).strip():
                amounts[year] = _number(str(v))
        if amounts:
            p[field] = amounts
    return p


def _source_batches(src: Path, columns: list[str], size: int) -> Iterator[pl.DataFrame]:
    if src.suffix.lower() == ".csv":
        lf = pl.scan_csv(src, infer_schema=False, encoding="utf8-lossy")
    elif src.suffix.lower() == ".parquet":
        lf = pl.scan_parquet(src)
    else:
        raise DomainError(code="import_format", field="SOURCE", ko="원본은 .csv 또는 .parquet이어야 합니다.",
                          en="The source must be .csv or .parquet.")
    present = lf.collect_schema().names()
    absent = [c for c in columns if c not in present]
    if absent:
        raise DomainError(code="import_columns", field="--mapping",
                          ko=f"원본에 매핑의 열이 없습니다: {', '.join(absent)}",
                          en=f"The source lacks the mapped columns: {', '.join(absent)}")
    lf = lf.select(columns).with_columns(pl.all().cast(pl.String))
    yield from lf.collect_batches(chunk_size=size)


# ─────────────────────────────────────────────── the same, by column (`import_registry`)
#
# A cell is *plain* when its column form is, by construction, what `profile_of` and then
# `columns.split_rows` make of it; a row with any other cell goes to those functions unchanged,
# so its values, or its field errors, are theirs (tests/unit/test_registry.py proves the two
# agree on extracts with odd and invalid cells).

#: Empty as `profile_of` sees it (Python's `str.strip` leaves nothing): no cell, or blanks and tabs.
_EMPTY = r"^[ \t]*$"
#: No blank at either end (Python's `str.isspace` characters are Unicode White_Space or \x1c–\x1f).
_TRIMMED = r"^[^\s\x1c-\x1f](?s:.*[^\s\x1c-\x1f])?$"
_WHOLE = r"^-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)$"  # `text.whole_number`'s forms, in ASCII
_ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_COMPACT_DATE = r"^[0-9]{8}$"


def _whole(cell: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(value, plain?) of a count or an amount in won: `_number` by column; a number beyond 64 bits
    is not plain (the per-row path names it)."""
    value = pl.when(cell.str.contains(_WHOLE)).then(cell.str.replace_all(",", "", literal=True)) \
        .cast(pl.Int64, strict=False)
    return value, value.is_not_null()


def _columns_of(batch: pl.DataFrame, mapping: Mapping, first: int) -> tuple[pl.DataFrame, pl.DataFrame,
                                                                            pl.DataFrame, pl.Series]:
    """(typed rows, revenue by year, profit by year — the plain rows only —, plain?) of a batch of
    text cells, rows numbered from `first`."""
    from onestop.registry.columns import _BOOLS, _DATES, _INTS, _SETS, YEAR_SCHEMA, typed_schema
    from onestop.rules.facts import BUSINESS_STATUSES
    from onestop.rules.vectorize import MASKED_SETS

    cols = mapping.columns
    values: dict[str, pl.Expr] = {}
    checks: list[pl.Expr] = []

    def cell(source: str) -> pl.Expr:
        c = pl.col(source)
        return pl.when(c.is_null() | c.str.contains(_EMPTY)).then(None).otherwise(c)

    for source in dict.fromkeys(mapping.sources()):
        c = pl.col(source)
        checks.append(c.is_null() | c.str.contains(_EMPTY) | c.str.contains(_TRIMMED))
    for field in ("brn", "name", "ksic", "region", "founded_on"):  # required: absent is the model's error
        checks.append(cell(cols[field]).is_not_null())
    brn, name = cell(cols["brn"]), cell(cols["name"])
    checks += [brn.str.contains(r"^[0-9]{3}-?[0-9]{2}-?[0-9]{5}$"), name.str.len_chars() <= 200,
               name == name.str.normalize("NFC")]
    values["brn"] = brn.str.replace_all("-", "", literal=True)
    values["name"] = name
    values["ksic_raw"], values["region_raw"] = cell(cols["ksic"]), cell(cols["region"])
    grade = cell(cols["credit_grade"]) if "credit_grade" in cols else pl.lit(None, pl.String())
    checks.append(grade.is_null() | (grade.str.contains(r"^[\x20-\x7e]*$") & (grade.str.len_chars() <= 10)))
    values["credit_grade"] = grade.str.to_uppercase()
    status = cell(cols["business_status"]) if "business_status" in cols else pl.lit(None, pl.String())
    checks.append(status.is_null() | status.is_in(sorted(BUSINESS_STATUSES)))
    values["business_status"] = status
    for field in _DATES:
        text = cell(cols[field]) if field in cols else pl.lit(None, pl.String())
        iso = pl.when(text.str.contains(_COMPACT_DATE)).then(
            text.str.slice(0, 4) + "-" + text.str.slice(4, 2) + "-" + text.str.slice(6, 2)).otherwise(text)
        day = iso.str.to_date("%Y-%m-%d", strict=False)
        checks.append(text.is_null() | (iso.str.contains(_ISO) & day.is_not_null() & (day.dt.year() >= 1)))
        values[field] = day
    for field in _INTS:
        text = cell(cols[field]) if field in cols else pl.lit(None, pl.String())
        value, ok = _whole(text)
        checks.append(text.is_null() | ok)
        values[field] = value
    for field in ("in_large_business_group", *_BOOLS):
        text = cell(cols[field]) if field in cols else pl.lit(None, pl.String())
        low = text.str.to_lowercase()
        checks.append(text.is_null() | low.is_in(sorted(_TRUE | _FALSE)))
        flag = pl.when(low.is_in(sorted(_TRUE))).then(True).when(low.is_in(sorted(_FALSE))).then(False)
        values[field] = flag.fill_null(False) if field == "in_large_business_group" else flag
    for field, (vocab, optional) in _SETS.items():
        text = cell(cols[field]) if field in cols else pl.lit(None, pl.String())
        items = text.str.replace_all(",", ";", literal=True).str.split(";").list.eval(
            pl.element().str.strip_chars(" ")).list.eval(pl.element().filter(pl.element() != ""))
        bits = items.list.eval(pl.element().replace_strict(MASKED_SETS[field], default=None, return_dtype=pl.Int64))
        checks.append(text.is_null() | (bits.list.eval(pl.element().is_null()).list.any().not_()
                                        & (items.list.len() <= len(vocab))))
        mask = bits.list.unique().list.sum().cast(pl.UInt16)
        values[field] = mask if optional else mask.fill_null(0)
    years: dict[str, list[tuple[int, pl.Expr]]] = {"revenue": [], "operating_profit": []}
    for kind, by_year in (("revenue", mapping.revenue), ("operating_profit", mapping.operating_profit)):
        for year, source in by_year.items():
            text = cell(source)
            value, ok = _whole(text)
            checks.append(text.is_null() | (ok if re.fullmatch(r"[0-9]{4}", year) else pl.lit(False)))
            years[kind].append((int(year) if re.fullmatch(r"[0-9]{4}", year) else 0, value))
    frame = batch.with_row_index("row", offset=first).with_columns(pl.col("row").cast(pl.Int64)).with_columns(
        pl.all_horizontal(checks).fill_null(False).alias("_plain"))
    plain = frame.get_column("_plain")
    frame = frame.filter(pl.col("_plain"))
    schema = typed_schema()
    typed = frame.select(pl.col("row"), *[values[k].cast(schema[k]).alias(k) for k in schema if k != "row"])

    def long(kind: str) -> pl.DataFrame:
        parts = [frame.select("row", pl.lit(year, pl.Int64).alias("year"), value.alias("amount"))
                 .drop_nulls("amount") for year, value in years[kind]]
        if not parts:
            return pl.DataFrame(schema=YEAR_SCHEMA)
        return pl.concat(parts).sort("row", maintain_order=True).cast(YEAR_SCHEMA)  # type: ignore[arg-type]

    return typed, long("revenue"), long("operating_profit"), plain


def import_registry(src: Path, mapping: Mapping, root: Path, errors_path: Path, chunk: int = CHUNK,
                    today: date | None = None) -> dict[str, int]:
    """Read an agency's extract (CSV or Parquet), check every row as the platform checks a profile,
    and write the valid ones as a registry under `root`; invalid rows go to `errors_path`.

    By column (Polars): the mapping's columns are read as text, typed and checked as expressions
    (`_columns_of`, then `columns.validated_typed`); a row with a cell in a form those do not
    take, or one a check refuses, is read by `profile_of` and the per-firm model, so its errors
    are the platform's own. Rows are numbered from 1 in the extract's order. Returns
    {"firms": rows written, "invalid": rows refused}; raises DomainError (`file`, `import_format`,
    `import_columns`, `registry_exists`)."""
    from onestop.registry.columns import validated_typed

    if not src.exists():
        raise DomainError(code="file", field="SOURCE", ko=f"파일이 없습니다: {src}", en=f"No such file: {src}")
    batches = _source_batches(src, list(dict.fromkeys(mapping.sources())), chunk)
    _fresh(root)
    done = invalid = part = 0
    row = 0
    with errors_path.open("w", encoding="utf-8") as errs:
        for batch in batches:
            first = row + 1
            typed, revenue, profit, plain = _columns_of(batch, mapping, first)
            row += batch.height

            def profiles(numbers: Any, batch: pl.DataFrame = batch, first: int = first) -> list[tuple[int, Any]]:
                return [(n, profile_of(batch.row(n - first, named=True), mapping)) for n in sorted(numbers)]

            other = profiles(i + first for i in (~plain).arg_true().to_list())
            v = validated_typed(typed, revenue, profit, other, profiles, today)
            for n, e in v.errors:
                errs.write(json.dumps({"row": n, "ko": e.ko, "en": e.en, "problems": [p.as_dict() for p in e.problems]},
                                      ensure_ascii=False) + "\n")
            invalid += len(v.errors)
            frame = from_typed(v.checked, v.revenue, v.profit)
            if frame.height:
                write_partitions(frame, root, part)
                part += 1
            done += frame.height
    return {"firms": done, "invalid": invalid}


__all__ = ["REGISTRY_SCHEMA", "Mapping", "generate_registry", "import_registry", "read_parts"]
