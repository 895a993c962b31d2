"""A bounded memo keyed by an object's identity: for values computed from an object that is
built once and never changed (a size table, a catalog's program) but is not hashable, or whose
equality would cost more than the value. Plain Python, no I/O: the pure core uses it."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class IdentityMemo(Generic[V]):
    """Values by (an object's identity, a hashable part), at most `size` kept: emptied when full.

    Each entry keeps its object, so an identity left by an object that is gone is never taken
    for a later object's. Thread-safe enough for a cache under the GIL (a lost entry is made
    again)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: dict[tuple[int, Hashable], tuple[object, V]] = {}

    def get_or_make(self, obj: object, part: Hashable, make: Callable[[], V]) -> V:
        """The value kept for (`obj`, `part`), else `make()`, kept and returned."""
        key = (id(obj), part)
        hit = self._items.get(key)
        if hit is not None and hit[0] is obj:
            return hit[1]
        value = make()
        if len(self._items) >= self._size:
            self._items.clear()
        self._items[key] = (obj, value)
        return value
