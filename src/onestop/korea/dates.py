"""Ages and business age on a reference date, counted as Korean law counts them (만 나이)."""

from __future__ import annotations

from datetime import date


def completed_years(start: date, on: date) -> int:
    """Whole years from `start` to `on` (a birthday on 29 Feb counts on 28 Feb otherwise: 1 Mar)."""
    years = on.year - start.year
    if (on.month, on.day) < (start.month, start.day):
        years -= 1
    return years
