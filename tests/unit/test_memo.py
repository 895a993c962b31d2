"""The identity memo shared by the SME size look-up and the window summaries."""

from __future__ import annotations

from onestop.memo import IdentityMemo


def test_a_value_is_kept_per_object_and_part_and_never_given_to_another_object() -> None:
    memo: IdentityMemo[int | None] = IdentityMemo(3)
    made: list[str] = []

    def make(value: int | None, label: str) -> int | None:
        made.append(label)
        return value

    first = {"C10": 1}
    assert memo.get_or_make(first, "C10", lambda: make(None, "a")) is None
    assert memo.get_or_make(first, "C10", lambda: make(7, "b")) is None  # kept, None included
    assert memo.get_or_make(first, "C11", lambda: make(2, "c")) == 2
    del first
    second = {"C10": 9}  # often given the freed identity: it still gets its own value
    assert memo.get_or_make(second, "C10", lambda: make(9, "d")) == 9
    assert made[:3] == ["a", "c", "d"]
    for n in range(4):  # bounded: emptied when full, then made again
        memo.get_or_make(second, n, lambda: make(0, "e"))
    assert memo.get_or_make(second, "C10", lambda: make(9, "f")) == 9 and made[-1] == "f"
