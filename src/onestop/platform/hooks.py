"""Where features react to each other's events without importing each other at start-up.

A hook is named as "module:function" and resolved on first use, so `platform/` and the feature
that raises an event import no reacting feature. Each reaction runs in the same transaction as
the event; a reaction that raises DomainError refuses the event (nothing of it is saved).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import Any

#: Reactions to an application's move through the lifecycle:
#: f(db, application_row, action, state_before) after the row's state has changed.
APPLICATION_MOVED: tuple[str, ...] = (
    "onestop.funds.budgets:on_application_moved",  # approval commits the budget; giving up releases it
    "onestop.outcomes.services:on_application_moved",  # execution schedules the outcome reports
)

#: Reactions to a submission, in order, after the lifecycle move and its hooks:
#: f(db, engine, application_row). The credit model's recommendation is stored first, so the
#: fast track can enter an application whose band qualifies at the moment it is submitted.
APPLICATION_SUBMITTED: tuple[str, ...] = (
    "onestop.evaluation.services:on_application_submitted",  # score, band and factors, stored as shown
    "onestop.evaluation.fasttrack_services:on_application_submitted",  # a crisis fund's qualifying band enters
)

#: Reactions to a catalog revision's publication (an import or an edit that bumped the
#: revision): f(db, revision), in the publishing transaction.
CATALOG_PUBLISHED: tuple[str, ...] = (
    "onestop.matching.refresh:on_catalog_published",  # recommendations recomputed in the background
)


@cache
def resolve(names: tuple[str, ...]) -> tuple[Callable[..., Any], ...]:
    found = []
    for name in names:
        module, _, attr = name.partition(":")
        found.append(getattr(importlib.import_module(module), attr))
    return tuple(found)


def application_moved(db: Any, row: Any, action: str, before: str) -> None:
    for reaction in resolve(APPLICATION_MOVED):
        reaction(db, row, action, before)


def application_submitted(db: Any, engine: Any, row: Any) -> None:
    for reaction in resolve(APPLICATION_SUBMITTED):
        reaction(db, engine, row)


def catalog_published(db: Any, revision: int) -> None:
    for reaction in resolve(CATALOG_PUBLISHED):
        reaction(db, revision)
