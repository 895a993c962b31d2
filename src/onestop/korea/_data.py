"""Access to the reference files shipped in `onestop/data`."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable


def data_path(*parts: str) -> Traversable:
    node = resources.files("onestop").joinpath("data")
    for part in parts:
        node = node.joinpath(part)
    return node
