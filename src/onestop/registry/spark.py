"""The Spark backend: the same rule trees compiled to Spark SQL column expressions.

For data teams who run a cluster: `onestop batch --engine spark [--master URL]` has Spark read a
registry and check and derive its facts on the executors (`registry.spark_ingest`) — or, for a
JSON Lines or profile Parquet file, derives them on the submitting host (`registry.columns`) and
hands them over as Parquet — and Spark evaluates every program. Each criterion compiles as `rules.vectorize.leaf_expr`
does for Polars — null is "unknown", and Spark SQL's AND, OR and NOT follow the same three-valued
(Kleene) logic — and a test proves the two engines give the same result row by row.

PySpark is imported lazily: the rest of the platform never needs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from typing import Any

from onestop.rules.facts import FACTS, SET
from onestop.rules.syntax import All, Leaf, Not, Rule, Scalar
from onestop.rules.vectorize import MASKED_SETS, set_mask


def _F() -> Any:
    from pyspark.sql import functions

    return functions


def _prefix(col: Any, prefixes: tuple[Scalar, ...]) -> Any:
    """Met when the code starts with one of the prefixes; unknown when the code is itself a
    coarser code of one (a firm registered at `C26` for a `C261` criterion); null stays null."""
    F = _F()
    by_len: dict[int, list[str]] = {}
    coarser: set[str] = set()
    for p in map(str, prefixes):
        by_len.setdefault(len(p), []).append(p)
        coarser.update(p[:k] for k in range(1, len(p)))
    met = reduce(lambda a, b: a | b, [col.substr(1, n).isin(ps) for n, ps in sorted(by_len.items())])
    out = F.when(col.isNull(), F.lit(None)).when(met, F.lit(True))
    if coarser:
        out = out.when(col.isin(sorted(coarser)), F.lit(None))
    return out.otherwise(F.lit(False))


def leaf_column(leaf: Leaf) -> Any:
    """One criterion as a Spark column (Boolean, null = unknown)."""
    F = _F()
    fact, op, v = leaf.key
    col = F.col(fact)
    if not isinstance(v, tuple):
        compare = {"<": col.__lt__, "<=": col.__le__, ">": col.__gt__, ">=": col.__ge__, "==": col.__eq__,
                   "!=": col.__ne__}
        return compare[op](F.lit(v))
    if op == "in":
        return col.isin(list(v))
    if op == "not_in":
        return ~col.isin(list(v))
    if op == "prefix":
        return _prefix(col, v)
    if op == "not_prefix":
        return ~_prefix(col, v)
    if FACTS[fact].type == SET and fact in MASKED_SETS:
        mask = set_mask(fact, map(str, v))
        if op == "has_any":
            return col.bitwiseAND(mask) != 0
        if op == "has_all":
            return col.bitwiseAND(mask) == mask
        return col.bitwiseAND(mask) == 0
    members = F.array(*[F.lit(str(x)) for x in v])
    if op == "has_any":
        return F.arrays_overlap(col, members)
    if op == "has_all":
        return reduce(lambda a, b: a & b, [F.array_contains(col, str(x)) for x in v])
    return ~F.arrays_overlap(col, members)


def rule_column(rule: Rule) -> Any:
    """A rule tree as one Spark column: AND, OR and NOT of its criteria (three-valued)."""
    if isinstance(rule, Leaf):
        return leaf_column(rule)
    if isinstance(rule, Not):
        return ~rule_column(rule.child)
    parts = [rule_column(c) for c in rule.children]
    if isinstance(rule, All):
        return reduce(lambda a, b: a & b, parts)
    return reduce(lambda a, b: a | b, parts)


def evaluate(frame: Any, rules: Sequence[Rule], names: Sequence[str], keep: Sequence[str] = ()) -> Any:
    """A Spark DataFrame of facts → the `keep` columns and one Boolean column per rule."""
    F = _F()
    return frame.select(*[F.col(k) for k in keep], *[rule_column(r).alias(n) for r, n in zip(rules, names, strict=True)])


def session(master: str = "local[2]") -> Any:
    """A SparkSession: local mode by default, or a cluster's master URL (spark://…, yarn, k8s://…).
    ANSI mode is off for the session: a malformed value in a check's cast is null (a refused row,
    read again by the per-firm model), never a failed job."""
    from pyspark.sql import SparkSession

    return (SparkSession.builder.master(master).appName("onestop")
            .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate())


def write_results(frame: Any, dst: str, rules: Sequence[Rule], names: Sequence[str], programs: Sequence[str],
                  keep: Sequence[str]) -> int:
    """Evaluate every rule over a Spark DataFrame of facts and write the results to `dst` (a
    Parquet folder, local or object storage): `keep`, one column per rule, `eligible_count`
    (programs met). Returns the number of firms written."""
    F = _F()
    out = evaluate(frame, rules, names, keep)
    count = reduce(lambda a, b: a + b, [F.when(F.col(f"`{p}`"), 1).otherwise(0) for p in programs])
    out = out.withColumn("eligible_count", count.cast("int"))
    out.write.mode("overwrite").parquet(dst)
    return int(frame.sparkSession.read.parquet(dst).count())


def batch(spark: Any, facts_path: str, dst: str, rules: Sequence[Rule], names: Sequence[str],
          programs: Sequence[str], keep: Sequence[str]) -> int:
    """Evaluate every rule over the facts in `facts_path` (Parquet, local or object storage) and
    write the results to `dst` (`write_results`). Returns the number of firms."""
    return write_results(spark.read.parquet(facts_path), dst, rules, names, programs, keep)
