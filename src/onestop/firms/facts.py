"""Derive the facts rules test from a profile on a reference date.

Missing inputs give None (unknown), never a default that could make a criterion pass.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from onestop.firms.model import FirmProfile
from onestop.korea.dates import completed_years
from onestop.korea.regions import is_capital_area
from onestop.korea.sme_size import SizeResult, classify

Facts = dict[str, Any]


def last_fiscal_year(firm: FirmProfile, on: date) -> int | None:
    """The latest fiscal year before the reference year for which revenue was given."""
    years = [y for y in firm.revenue if y < on.year]
    return max(years) if years else None


def revenue_average(firm: FirmProfile, on: date) -> int | None:
    """평균매출액등: the mean of the last three fiscal years (fewer for a firm that is younger).

    시행령 제7조 counts the three fiscal years before the reference year; a firm in business for
    less than three years uses the years it has. A year missing inside that span makes the
    average unknown. Rounded down to whole won.
    """
    last = last_fiscal_year(firm, on)
    if last is None:
        return None
    first = max(last - 2, firm.founded_on.year)
    span = range(first, last + 1)
    if not span or any(y not in firm.revenue for y in span):
        return None  # no fiscal year in business before the reference year: nothing to average
    return sum(firm.revenue[y] for y in span) // len(span)


def size_of(firm: FirmProfile, on: date) -> SizeResult:
    return classify(
        ksic=firm.ksic,
        revenue_avg3=revenue_average(firm, on),
        total_assets=firm.total_assets,
        in_large_business_group=firm.in_large_business_group,
        regular_employees=firm.regular_employees,
        on=on,
    )


def derive(firm: FirmProfile, on: date, size: SizeResult | None = None) -> Facts:
    size = size or size_of(firm, on)
    last = last_fiscal_year(firm, on)
    revenue = firm.revenue.get(last) if last is not None else None
    before = firm.revenue.get(last - 1) if last is not None else None
    change = None
    if revenue is not None and before:
        change = (revenue - before) / before
    ratio = None
    if firm.export_revenue is not None and revenue:
        ratio = firm.export_revenue / revenue
    return {
        "ksic": firm.ksic,
        "region": firm.region,
        "sido": firm.region[:2],
        "capital_area": is_capital_area(firm.region),
        "business_age_years": max(0, completed_years(firm.founded_on, on)),
        "ceo_age": None if firm.ceo_birth_date is None else completed_years(firm.ceo_birth_date, on),
        "regular_employees": firm.regular_employees,
        "revenue": revenue,
        "revenue_avg3": revenue_average(firm, on),
        "revenue_change_yoy": change,
        "total_assets": firm.total_assets,
        "export_revenue": firm.export_revenue,
        "export_usd": firm.export_usd,
        "export_ratio": ratio,
        "certifications": frozenset(c.value for c in firm.certifications),
        "in_large_business_group": firm.in_large_business_group,
        "tax_arrears": firm.tax_arrears,
        "credit_grade": firm.credit_grade,
        "size_class": size.size_class,
        "is_sme": size.is_sme,
        "is_small": size.is_small,
        "is_micro_enterprise": size.is_micro_enterprise,
        "received_programs": frozenset(r.program_id for r in firm.support_history),
        "qualifications": (
            None if firm.qualifications is None
            else frozenset(q.value for q in firm.qualifications)
        ),
    }
