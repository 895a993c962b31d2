"""The rule tree: criteria (leaves) joined by all / any / not, parsed from catalog YAML.

Parsing checks structure only; `check.py` checks types against the fact vocabulary. Errors
name the file and the rule's path inside it (e.g. `eligibility.all[2].value`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeAlias

from onestop.errors import CatalogError
from onestop.korea.money import MAX_WON

COMPARISONS = ("<", "<=", ">", ">=")
EQUALITY = ("==", "!=")
MEMBERSHIP = ("in", "not_in")
PREFIX = ("prefix", "not_prefix")
SET_OPS = ("has_any", "has_all", "has_none")
OPERATORS = COMPARISONS + EQUALITY + MEMBERSHIP + PREFIX + SET_OPS
LIST_OPERATORS = MEMBERSHIP + PREFIX + SET_OPS

Scalar: TypeAlias = int | float | str | bool


@dataclass(frozen=True)
class Leaf:
    """One criterion: a fact, an operator and a threshold."""

    fact: str
    op: str
    value: Scalar | tuple[Scalar, ...]
    id: str = ""
    label_ko: str = ""
    label_en: str = ""
    path: str = ""
    #: for an exclusion ("체납 기업 제외"): the excluded group, named positively (ko, en), so the
    #: criterion reads "국세·지방세 체납 기업 아님 → 충족" / "…에 해당 → 미충족", never a double negative
    excludes_ko: str = ""
    excludes_en: str = ""

    @property
    def exclusion(self) -> bool:
        return bool(self.excludes_ko and self.excludes_en)

    @property
    def shared(self) -> bool:
        """True for criteria that come from a shared rule file (`{use: NAME}`)."""
        return self.path.startswith("rules/")

    @property
    def shared_rule(self) -> str | None:
        """The shared rule's name, e.g. `policy-fund-exclusions`."""
        return _shared_rule_name(self.path)

    @property
    def key(self) -> tuple[str, str, Scalar | tuple[Scalar, ...]]:
        """What the criterion means; two leaves with one key always agree."""
        return (self.fact, self.op, self.value)


@dataclass(frozen=True)
class All:
    children: tuple[Rule, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Rule, ...]


@dataclass(frozen=True)
class Not:
    child: Rule


Rule: TypeAlias = Leaf | All | AnyOf | Not


@lru_cache(maxsize=4096)
def _shared_rule_name(path: str) -> str | None:
    if not path.startswith("rules/"):
        return None
    return path.split(":", 1)[0].removeprefix("rules/").removesuffix(".yaml")


def leaves(rule: Rule) -> list[Leaf]:
    if isinstance(rule, Leaf):
        return [rule]
    if isinstance(rule, Not):
        return leaves(rule.child)
    out: list[Leaf] = []
    for child in rule.children:
        out.extend(leaves(child))
    return out


def _err(source: str, path: str, ko: str, en: str) -> CatalogError:
    return CatalogError(
        code="rule_syntax",
        field=f"{source}:{path}",
        ko=f"{source}의 규칙 {path}: {ko}",
        en=f"{source}, rule {path}: {en}",
    )


def parse_rule(
    raw: Any,
    *,
    source: str,
    path: str = "eligibility",
    shared: Mapping[str, Any] | None = None,
    _using: tuple[str, ...] = (),
) -> Rule:
    """Parse a YAML rule. `shared` maps names to raw shared rules for `{use: NAME}`."""
    if not isinstance(raw, dict):
        raise _err(source, path, "규칙은 객체여야 합니다.", "a rule must be a mapping.")
    keys = set(raw)
    if "use" in raw:
        name = raw["use"]
        if keys != {"use"}:
            raise _err(source, path, "use에는 다른 키를 쓸 수 없습니다.", "'use' stands alone.")
        if shared is None or name not in shared:
            raise _err(source, path, f"공유 규칙 {name!r}이 없습니다.",
                       f"shared rule {name!r} does not exist.")
        if name in _using:
            raise _err(source, path, f"공유 규칙 {name!r}이 자기 자신을 참조합니다.",
                       f"shared rule {name!r} refers to itself.")
        return parse_rule(shared[name], source=f"rules/{name}.yaml", path="rule",
                          shared=shared, _using=(*_using, name))
    for combinator, cls in (("all", All), ("any", AnyOf)):
        if combinator in raw:
            if keys != {combinator}:
                raise _err(source, path, f"{combinator}에는 다른 키를 쓸 수 없습니다.",
                           f"'{combinator}' stands alone; extra keys {sorted(keys - {combinator})}.")
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                raise _err(source, path, f"{combinator}에는 규칙 목록이 필요합니다.",
                           f"'{combinator}' needs a non-empty list of rules.")
            return cls(tuple(
                parse_rule(item, source=source, path=f"{path}.{combinator}[{i}]",
                           shared=shared, _using=_using)
                for i, item in enumerate(items)
            ))
    if "not" in raw:
        if keys != {"not"}:
            raise _err(source, path, "not에는 다른 키를 쓸 수 없습니다.", "'not' stands alone.")
        return Not(parse_rule(raw["not"], source=source, path=f"{path}.not",
                              shared=shared, _using=_using))
    allowed = {"fact", "op", "value", "id", "label", "excludes"}
    if not {"fact", "op", "value"} <= keys or keys - allowed:
        raise _err(
            source, path,
            "기준은 fact, op, value가 필요합니다 (선택: id, label, excludes). "
            f"알 수 없는 키: {sorted(keys - allowed)}",
            "a criterion needs fact, op and value (optional: id, label, excludes); "
            f"unknown keys: {sorted(keys - allowed)}",
        )
    op = raw["op"]
    if op not in OPERATORS:
        raise _err(source, path, f"연산자 {op!r}를 쓸 수 없습니다. 가능한 연산자: {', '.join(OPERATORS)}",
                   f"operator {op!r} is unknown; allowed: {', '.join(OPERATORS)}")
    value = raw["value"]
    if op in LIST_OPERATORS:
        if not isinstance(value, list) or not value:
            raise _err(source, path, f"{op}의 value는 값의 목록이어야 합니다.",
                       f"the value of {op} must be a non-empty list.")
        value = tuple(value)
    elif isinstance(value, list | dict) or value is None:
        raise _err(source, path, f"{op}의 value는 하나의 값이어야 합니다.",
                   f"the value of {op} must be a single value.")
    for v in value if isinstance(value, tuple) else (value,):
        if isinstance(v, int | float) and not isinstance(v, bool) and not -MAX_WON <= v <= MAX_WON:
            raise _err(source, path, f"value {v!r}는 너무 큽니다. ±{MAX_WON:,} 이내여야 합니다.",
                       f"value {v!r} is out of range; it must be within ±{MAX_WON:,}.")
    label = raw.get("label") or {}
    if not isinstance(label, dict) or set(label) - {"ko", "en"}:
        raise _err(source, path, "label은 {ko, en} 형식이어야 합니다.", "label must be {ko, en}.")
    excludes = raw.get("excludes") or {}
    if not isinstance(excludes, dict) or (excludes and set(excludes) != {"ko", "en"}):
        raise _err(source, path, "excludes는 제외되는 대상의 이름 {ko, en}이어야 합니다.",
                   "excludes must name the excluded group as {ko, en}.")
    return Leaf(
        fact=str(raw["fact"]),
        op=str(op),
        value=value,
        id=str(raw.get("id", "")),
        label_ko=str(label.get("ko", "")),
        label_en=str(label.get("en", "")),
        path=f"{source}:{path}",
        excludes_ko=str(excludes.get("ko", "")),
        excludes_en=str(excludes.get("en", "")),
    )
