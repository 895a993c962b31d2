"""The error responses every API route documents: RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "required": ["type", "title", "status", "detail", "code", "errors"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "title_ko": {"type": "string"},
        "detail_ko": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "ko", "en"],
                "properties": {"field": {"type": "string"}, "code": {"type": "string"},
                               "ko": {"type": "string"}, "en": {"type": "string"}},
            },
        },
    },
}

_DESCRIPTIONS = {
    400: "Bad request", 401: "Not signed in, or the token is invalid", 403: "Not allowed",
    404: "Not found (also when the caller may not see it)", 405: "Method not allowed",
    409: "Conflict (already exists, or changed by someone else)",
    415: "Unsupported media type",
    422: "Invalid input: `errors` names each field, in Korean and English",
    429: "Too many attempts", 500: "Unexpected error",
}

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}}}
    for code, text in _DESCRIPTIONS.items()
}
