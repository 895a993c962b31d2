"""Builders for firms and rules used across the suite."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from onestop.firms.model import FirmProfile, parse_firm

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TODAY = date(2026, 11, 23)

#: Real business registration numbers of listed companies (DART company overview).
LISTED = {
    "삼성전자": "124-81-00998",
    "LG전자": "107-86-14075",
    "NAVER": "220-81-62517",
    "카카오": "120-81-47521",
}


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def firm(name: str = "young-founder", **changes: Any) -> FirmProfile:
    data = example(name)
    data.update(changes)
    return parse_firm(data)


@pytest.fixture(scope="session")
def engine():  # type: ignore[no-untyped-def]
    from onestop.matching.services import Engine

    return Engine.shipped()
