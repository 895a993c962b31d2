"""Property-based API testing from /openapi.json (schemathesis): for every operation, generated
requests — anonymous and signed in — never get a 5xx, and every response matches the schema
(status code, content type and body)."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.conftest import Api

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]
EXAMPLES = 25


def test_api_contract(app: Any) -> None:
    from onestop.evaluation import artifacts

    artifacts.load()  # as the server's start-up does (the test app skips warming)
    with TestClient(app) as client:
        api = Api(client)
        api.register_firm()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        for headers in ({}, api.headers):
            check_operation(operation, headers)


def check_operation(operation: Any, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
