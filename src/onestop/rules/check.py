"""Type-check a parsed rule against the fact vocabulary; reject what can never be true.

Checked: the fact exists; the operator fits its type; values have the right type and lie in the
fact's range; closed vocabularies (certifications, size classes, credit grades) contain the
value; KSIC and region prefixes are real codes; and within one `all`, numeric bounds on one
fact leave some value possible.
"""

from __future__ import annotations

import math

from onestop.errors import CatalogError
from onestop.korea import ksic as ksic_table
from onestop.korea import regions as region_table
from onestop.korea.hangul import josa
from onestop.rules.facts import BOOL, CODE, FACTS, FLOAT, INT, NUMERIC, SET, FactSpec
from onestop.rules.syntax import (
    COMPARISONS,
    EQUALITY,
    MEMBERSHIP,
    PREFIX,
    SET_OPS,
    All,
    AnyOf,
    Leaf,
    Not,
    Rule,
    Scalar,
)

_OPS_BY_TYPE = {
    INT: COMPARISONS + EQUALITY + MEMBERSHIP,
    FLOAT: COMPARISONS + EQUALITY,
    BOOL: EQUALITY,
    CODE: EQUALITY + MEMBERSHIP + PREFIX,
    SET: SET_OPS,
}


def _err(leaf: Leaf, ko: str, en: str) -> CatalogError:
    return CatalogError(code="rule_type", field=leaf.path, ko=f"{leaf.path}: {ko}",
                        en=f"{leaf.path}: {en}")


def _check_scalar(leaf: Leaf, spec: FactSpec, v: Scalar) -> None:
    if spec.type in NUMERIC:
        ok = isinstance(v, int) and not isinstance(v, bool)
        if spec.type == FLOAT:
            ok = ok or isinstance(v, float)
        if not ok:
            raise _err(leaf, f"{josa(spec.name, '은')} 숫자와 비교해야 합니다. 값: {v!r}",
                       f"{spec.name} compares with a number; got {v!r}.")
        assert not isinstance(v, str | bool)
        if isinstance(v, float) and not math.isfinite(v):
            raise _err(leaf, "값은 유한한 숫자여야 합니다.", "the value must be a finite number.")
        if (spec.minimum is not None and v < spec.minimum) or (
            spec.maximum is not None and v > spec.maximum
        ):
            raise _err(
                leaf,
                f"{spec.name}의 값 {v}는 가능한 범위({spec.minimum}~{spec.maximum}) 밖입니다.",
                f"{spec.name} value {v} is outside its possible range "
                f"({spec.minimum}..{spec.maximum}).",
            )
    elif spec.type == BOOL:
        if not isinstance(v, bool):
            raise _err(leaf, f"{josa(spec.name, '은')} true/false와 비교해야 합니다.",
                       f"{spec.name} compares with true or false; got {v!r}.")
    else:
        if not isinstance(v, str):
            raise _err(leaf, f"{spec.name}의 값은 문자열이어야 합니다. 값: {v!r}",
                       f"{spec.name} values are text; got {v!r}.")
        if spec.values is not None and v not in spec.values:
            raise _err(leaf, f"{v!r}는 {spec.name}의 값이 아닙니다. 가능한 값: {', '.join(spec.values)}",
                       f"{v!r} is not a value of {spec.name}; allowed: {', '.join(spec.values)}.")
        if spec.prefix_kind == "ksic" and v not in ksic_table.table():
            raise _err(leaf, f"{v!r}는 제11차 표준산업분류 코드가 아닙니다.",
                       f"{v!r} is not a KSIC-11 code.")
        if spec.prefix_kind == "region" and not _is_region_prefix(v):
            raise _err(leaf, f"{v!r}는 행정구역 코드(의 앞자리)가 아닙니다.",
                       f"{v!r} is not a region code or the start of one.")


def _is_region_prefix(v: str) -> bool:
    return v.isdigit() and any(code.startswith(v) for code in region_table.table())


def check_leaf(leaf: Leaf) -> None:
    spec = FACTS.get(leaf.fact)
    if spec is None:
        raise _err(leaf, f"알 수 없는 사실(fact) {leaf.fact!r}입니다. 가능한 것: {', '.join(FACTS)}",
                   f"unknown fact {leaf.fact!r}; known facts: {', '.join(FACTS)}.")
    if leaf.op not in _OPS_BY_TYPE[spec.type]:
        raise _err(
            leaf,
            f"{leaf.fact}({spec.type})에는 {leaf.op}를 쓸 수 없습니다. "
            f"가능한 연산자: {', '.join(_OPS_BY_TYPE[spec.type])}",
            f"operator {leaf.op} does not apply to {leaf.fact} ({spec.type}); "
            f"allowed: {', '.join(_OPS_BY_TYPE[spec.type])}.",
        )
    values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
    for v in values:
        if spec.type == SET:
            if not isinstance(v, str):
                raise _err(leaf, "집합 값은 문자열이어야 합니다.", "set members are text.")
            if spec.values is not None and v not in spec.values:
                raise _err(leaf, f"{v!r}는 {spec.name}의 값이 아닙니다. 가능한 값: {', '.join(spec.values)}",
                           f"{v!r} is not a value of {spec.name}; allowed: {', '.join(spec.values)}.")
        else:
            _check_scalar(leaf, spec, v)


def _bounds(leaves: list[Leaf]) -> dict[str, tuple[float, bool, float, bool, Leaf]]:
    """Narrowest numeric interval per fact implied by comparisons: (lo, lo_open, hi, hi_open)."""
    out: dict[str, tuple[float, bool, float, bool, Leaf]] = {}
    for leaf in leaves:
        if leaf.op not in COMPARISONS and leaf.op != "==":
            continue
        if FACTS[leaf.fact].type not in NUMERIC:
            continue
        v = float(leaf.value)  # type: ignore[arg-type]
        lo, lo_open, hi, hi_open, _ = out.get(leaf.fact, (-math.inf, False, math.inf, False, leaf))
        if leaf.op in (">", ">=", "==") and (v > lo or (v == lo and leaf.op == ">")):
            lo, lo_open = v, leaf.op == ">"
        if leaf.op in ("<", "<=", "==") and (v < hi or (v == hi and leaf.op == "<")):
            hi, hi_open = v, leaf.op == "<"
        out[leaf.fact] = (lo, lo_open, hi, hi_open, leaf)
    return out


def _int_lo(lo: float, is_open: bool) -> float:
    """Smallest integer above (or at) a lower bound."""
    if math.isinf(lo):
        return lo
    return math.floor(lo) + 1 if is_open and lo == math.floor(lo) else math.ceil(lo)


def _int_hi(hi: float, is_open: bool) -> float:
    if math.isinf(hi):
        return hi
    return math.ceil(hi) - 1 if is_open and hi == math.ceil(hi) else math.floor(hi)


def check_rule(rule: Rule) -> Rule:
    """Check a rule and return it with former region codes rewritten to current ones.

    Raises CatalogError at the first criterion that is ill-typed or can never be met.
    """
    if isinstance(rule, Leaf):
        leaf = _current_regions(rule)
        check_leaf(leaf)
        return leaf
    if isinstance(rule, Not):
        return Not(check_rule(rule.child))
    children = tuple(check_rule(child) for child in rule.children)
    if isinstance(rule, All):
        direct = [c for c in children if isinstance(c, Leaf)]
        for fact, (lo, lo_open, hi, hi_open, leaf) in _bounds(direct).items():
            spec = FACTS[fact]
            empty = _int_lo(lo, lo_open) > _int_hi(hi, hi_open) if spec.type == INT else lo > hi or (lo == hi and (lo_open or hi_open))
            if empty:
                raise _err(
                    leaf,
                    f"{fact}에 대한 조건들이 동시에 충족될 수 없습니다 (불가능한 범위).",
                    f"the conditions on {fact} can never hold together (impossible range).",
                )
        return All(children)
    assert isinstance(rule, AnyOf)
    return AnyOf(children)


def _current_regions(leaf: Leaf) -> Leaf:
    """Rewrite former region codes (전남 46, 광주 29, 강원 42, 전북 45) to the current areas.

    `sido == "46"` becomes `region prefix [the 시군구 of former 전남]`, because former 전남 is no
    longer one 시도 (it is part of 전남광주통합특별시, 12); see data/reference/SOURCE.md.
    """
    if leaf.fact not in ("region", "sido"):
        return leaf
    values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
    if not any(isinstance(v, str) and v in region_table.former_codes() for v in values):
        return leaf
    expanded: list[str] = []
    for v in values:
        expanded.extend(_expand_former(str(v)))
    positive = leaf.op in ("==", "in", "prefix")
    if leaf.op not in ("==", "!=", "in", "not_in", "prefix", "not_prefix"):
        return leaf
    return Leaf(
        fact="region",
        op="prefix" if positive else "not_prefix",
        value=tuple(dict.fromkeys(expanded)),
        id=leaf.id,
        label_ko=leaf.label_ko,
        label_en=leaf.label_en,
        path=leaf.path,
    )


def _expand_former(code: str) -> list[str]:
    former = region_table.former_codes()
    if code not in former:
        return [code]
    current = sorted({cur for old, cur in former.items() if len(old) == 5 and old.startswith(code)})
    sidos = {c[:2] for c in current}
    if len(code) == 2 and len(sidos) == 1:
        sido = next(iter(sidos))
        under = {c for c in region_table.table() if len(c) == 5 and c.startswith(sido)}
        if under == set(current):
            return [sido]
    return current or [former[code]]
