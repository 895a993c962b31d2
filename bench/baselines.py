"""Independent translations of raw rule dicts for the baselines (no onestop code).

- `to_polars`: one plain Polars expression per program, `&` / `|` / `~`, nothing shared across
  programs (Polars' own common-subexpression elimination may still dedupe identical leaves).
- `to_sql`: one SQL boolean expression per program for DuckDB (SQL's AND/OR/NOT are Kleene, and
  NULL is unknown, so results are comparable cell by cell).
- `to_jsonlogic`: json-logic rules. json-logic has no "unknown": a criterion on a missing fact is
  treated as failing (even under `not`), so only definite outcomes can be compared.

Semantics follow docs/rules-and-catalog.md: unknown facts give unknown criteria; `prefix` is met
when the code starts with a prefix and unknown when the code is coarser than a prefix that could
contain it (a firm registered `C26` tested against `C2611`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import reduce
from typing import Any

import polars as pl

#: Closed-vocabulary sets stored as UInt16 bit masks in the facts frame (bit i = i-th name).
Bits = Mapping[str, Mapping[str, int]]


def _coarser(prefixes: Sequence[str]) -> list[str]:
    return sorted({p[:k] for p in prefixes for k in range(1, len(p))})


# ------------------------------------------------------------------------------------- Polars

def _pl_prefix(col: pl.Expr, prefixes: Sequence[str]) -> pl.Expr:
    met = reduce(lambda a, b: a | b, [col.str.starts_with(p) for p in prefixes])
    coarser = _coarser(prefixes)
    if not coarser:
        return met
    return met | pl.when(col.is_in(coarser)).then(None).otherwise(False)


def _pl_leaf(raw: Mapping[str, Any], bits: Bits) -> pl.Expr:
    fact, op, v = raw["fact"], raw["op"], raw["value"]
    col = pl.col(fact)
    if op == "<":
        return col < v
    if op == "<=":
        return col <= v
    if op == ">":
        return col > v
    if op == ">=":
        return col >= v
    if op == "==":
        return col == v
    if op == "!=":
        return col != v
    if op == "in":
        return col.is_in(v)
    if op == "not_in":
        return ~col.is_in(v)
    if op == "prefix":
        return _pl_prefix(col, v)
    if op == "not_prefix":
        return ~_pl_prefix(col, v)
    if fact in bits:
        mask = sum(bits[fact][m] for m in set(v))
        if op == "has_any":
            return (col & mask) != 0
        if op == "has_all":
            return (col & mask) == mask
        return (col & mask) == 0
    contains = [col.list.contains(m) for m in v]
    if op == "has_any":
        return reduce(lambda a, b: a | b, contains)
    if op == "has_all":
        return reduce(lambda a, b: a & b, contains)
    return ~reduce(lambda a, b: a | b, contains)


def to_polars(raw: Mapping[str, Any], bits: Bits) -> pl.Expr:
    if "all" in raw:
        return reduce(lambda a, b: a & b, [to_polars(r, bits) for r in raw["all"]])
    if "any" in raw:
        return reduce(lambda a, b: a | b, [to_polars(r, bits) for r in raw["any"]])
    if "not" in raw:
        return ~to_polars(raw["not"], bits)
    return _pl_leaf(raw, bits)


# ---------------------------------------------------------------------------------------- SQL

def _lit(v: Any) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int | float):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def _sql_prefix(col: str, prefixes: Sequence[str]) -> str:
    met = " OR ".join(f"starts_with({col}, {_lit(p)})" for p in prefixes)
    coarser = _coarser(prefixes)
    unknown = f" WHEN {col} IN ({', '.join(map(_lit, coarser))}) THEN NULL" if coarser else ""
    return f"(CASE WHEN {col} IS NULL THEN NULL WHEN {met} THEN TRUE{unknown} ELSE FALSE END)"


def _sql_leaf(raw: Mapping[str, Any], bits: Bits) -> str:
    fact, op, v = raw["fact"], raw["op"], raw["value"]
    if op in ("<", "<=", ">", ">="):
        return f"({fact} {op} {_lit(v)})"
    if op == "==":
        return f"({fact} = {_lit(v)})"
    if op == "!=":
        return f"({fact} <> {_lit(v)})"
    if op in ("in", "not_in"):
        inside = f"{fact} IN ({', '.join(map(_lit, v))})"
        return f"({inside})" if op == "in" else f"(NOT ({inside}))"
    if op == "prefix":
        return _sql_prefix(fact, v)
    if op == "not_prefix":
        return f"(NOT {_sql_prefix(fact, v)})"
    if fact in bits:
        mask = sum(bits[fact][m] for m in set(v))
        if op == "has_any":
            return f"(({fact} & {mask}) <> 0)"
        if op == "has_all":
            return f"(({fact} & {mask}) = {mask})"
        return f"(({fact} & {mask}) = 0)"
    members = "[" + ", ".join(map(_lit, v)) + "]"
    if op == "has_any":
        return f"list_has_any({fact}, {members})"
    if op == "has_all":
        return f"list_has_all({fact}, {members})"
    return f"(NOT list_has_any({fact}, {members}))"


def to_sql(raw: Mapping[str, Any], bits: Bits) -> str:
    if "all" in raw:
        return "(" + " AND ".join(to_sql(r, bits) for r in raw["all"]) + ")"
    if "any" in raw:
        return "(" + " OR ".join(to_sql(r, bits) for r in raw["any"]) + ")"
    if "not" in raw:
        return f"(NOT {to_sql(raw['not'], bits)})"
    return _sql_leaf(raw, bits)


# --------------------------------------------------------------------------------- json-logic

def _var(fact: str, default: Any = None) -> dict[str, Any]:
    return {"var": [fact, default]} if default is not None else {"var": fact}


def _given(fact: str, rule: dict[str, Any]) -> dict[str, Any]:
    """`rule`, but false when the fact is missing (json-logic has no unknown)."""
    return {"and": [{"!==": [_var(fact), None]}, rule]}


def _jl_prefix(fact: str, prefixes: Sequence[str]) -> dict[str, Any]:
    by_len: dict[int, list[str]] = {}
    for p in prefixes:
        by_len.setdefault(len(p), []).append(p)
    parts = [{"in": [{"substr": [_var(fact, ""), 0, n]}, ps]} for n, ps in sorted(by_len.items())]
    return parts[0] if len(parts) == 1 else {"or": parts}


def _jl_leaf(raw: Mapping[str, Any]) -> dict[str, Any]:
    fact, op, v = raw["fact"], raw["op"], raw["value"]
    if op in ("<", "<=", ">", ">="):
        return {op: [_var(fact), v]}
    if op == "==":
        return {"===": [_var(fact), v]}
    if op == "!=":
        return _given(fact, {"!==": [_var(fact), v]})
    if op == "in":
        return {"in": [_var(fact), list(v)]}
    if op == "not_in":
        return _given(fact, {"!": {"in": [_var(fact), list(v)]}})
    if op == "prefix":
        return _jl_prefix(fact, v)
    if op == "not_prefix":
        return _given(fact, {"!": _jl_prefix(fact, v)})
    contains = [{"in": [m, _var(fact)]} for m in v]
    if op == "has_any":
        return {"or": contains}
    if op == "has_all":
        return {"and": contains}
    return _given(fact, {"!": {"or": contains}})


def to_jsonlogic(raw: Mapping[str, Any]) -> dict[str, Any]:
    if "all" in raw:
        return {"and": [to_jsonlogic(r) for r in raw["all"]]}
    if "any" in raw:
        return {"or": [to_jsonlogic(r) for r in raw["any"]]}
    if "not" in raw:
        return {"!": to_jsonlogic(raw["not"])}
    return _jl_leaf(raw)


def jsonlogic_data(facts: Mapping[str, Any]) -> dict[str, Any]:
    """A firm's facts as json-logic data: missing facts are absent, sets become sorted lists."""
    return {k: sorted(v) if isinstance(v, frozenset | set) else v for k, v in facts.items() if v is not None}
