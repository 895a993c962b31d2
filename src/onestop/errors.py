"""Typed domain errors that carry a field name and messages in Korean and English.

Adapters (CLI, later the web API) turn these into user-facing messages; the core never
prints or formats a stack trace for a user.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field of user input."""

    field: str
    code: str
    ko: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "ko": self.ko, "en": self.en}


@dataclass
class DomainError(Exception):
    """An error a user can act on: what is wrong, where, and what is allowed."""

    code: str
    ko: str
    en: str
    field: str | None = None
    problems: list[FieldProblem] = dataclasses.field(default_factory=list)
    #: seconds until trying again makes sense (a throttled request: the Retry-After header)
    retry_after: int | None = None

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{where}{self.ko} / {self.en}"


class CatalogError(DomainError):
    """The catalog or a rule in it is malformed; names the file and the rule."""


class ParameterError(DomainError):
    """A dated parameter is missing for a date or malformed."""
