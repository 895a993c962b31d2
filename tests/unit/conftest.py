"""Fixtures shared by the unit tests."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """A local Spark session (2 cores) for one test module. In CI (`ONESTOP_TEST_SPARK` set) a
    missing Java fails the test rather than skipping it; on a laptop without Java it skips."""
    if shutil.which("java") is None:
        if os.environ.get("ONESTOP_TEST_SPARK"):  # CI: a missing Java is a failure, never a skip
            pytest.fail("ONESTOP_TEST_SPARK is set but java is missing (apt-get install openjdk-17-jre-headless)")
        pytest.skip("Spark needs Java 17 (.ci/run installs it)")
    from onestop.registry import spark as spark_engine

    handler = signal.getsignal(signal.SIGINT)
    session = spark_engine.session("local[2]")
    yield session
    session.stop()
    # PySpark's SparkContext installs its own SIGINT handler, which fails once the context is gone
    signal.signal(signal.SIGINT, handler)
