"""Derive the facts rules test from a profile on a reference date.

Missing inputs give None (unknown), never a default that could make a criterion pass.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from onestop.firms.model import ApplicantKind, FirmProfile, SupportRecord
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


#: Years a support record counts in the plan's limits: the reference year and the four before it
#: (2026년도 정책자금 융자계획 변경공고, Ⅲ. 유의사항 ⑬·⑮ "최근 5년").
SUPPORT_WINDOW_YEARS = 5


def is_policy_loan(record: SupportRecord) -> bool:
    """A KOSMES policy loan: stated on the record, else the catalog's naming (`kosmes-…-fund`)."""
    if record.policy_loan is not None:
        return record.policy_loan
    return record.program_id.startswith("kosmes-") and record.program_id.endswith("-fund")


def policy_loans(firm: FirmProfile, on: date) -> tuple[int, int]:
    """(count, total won) of policy loans received in the last five years up to `on`'s year."""
    recent = [r for r in firm.support_history
              if is_policy_loan(r) and on.year - SUPPORT_WINDOW_YEARS < r.year <= on.year]
    return len(recent), sum(r.amount for r in recent)


def change(now: int | None, before: int | None) -> float | None:
    """Relative change, `-0.22` for a fall of 22 %; unknown when the year before is missing or not
    positive (a change from a loss or from zero has no percentage)."""
    if now is None or before is None or before <= 0:
        return None
    return (now - before) / before


def profit_change(now: int | None, before: int | None) -> float | None:
    """Relative change of an amount that may be negative (operating profit): the difference over
    the size of the year before, `(now − before) / |before|`, so that a negative value is always a
    decrease. 긴급경영안정자금 asks for "매출액 또는 영업이익 10% 이상 감소" (2026년도 중소기업 정책자금
    융자계획 변경공고, 중소벤처기업부 공고 제2026-464호, Ⅳ p.34) without restricting it to profits:

    - a smaller profit: 100 → 80 is −20 %;
    - a fall from profit into loss is a decrease: 100 → −20 is −120 %;
    - a larger loss is a decrease: −100 → −150 is −50 % (the loss grew by half);
    - a smaller loss is an increase: −100 → −60 is +40 %;
    - from break-even (0): into a loss is a full decrease (−100 %), into a profit +100 %, 0 → 0 is 0.

    Unknown when either year is missing."""
    if now is None or before is None:
        return None
    if before == 0:
        return 0.0 if now == 0 else (-1.0 if now < 0 else 1.0)
    return (now - before) / abs(before)


def statement_facts(firm: FirmProfile, on: date) -> Facts:
    """Facts from the statements: operating profit and its change, the debt ratio, impairment.

    부채비율 = 부채총계 / 자본총계; unknown when equity is not positive (자본잠식: no ratio), which
    `capital_impaired` states instead."""
    last = last_fiscal_year(firm, on)
    years = [y for y in firm.operating_profit if y < on.year]
    op_last = max(years) if years else last
    op_now = firm.operating_profit.get(op_last) if op_last is not None else None
    op_before = firm.operating_profit.get(op_last - 1) if op_last is not None else None
    equity, liabilities = firm.total_equity, firm.total_liabilities
    ratio = None
    if equity is not None and liabilities is not None and equity > 0:
        ratio = liabilities / equity
    return {
        "operating_profit": op_now,
        "operating_profit_change_yoy": profit_change(op_now, op_before),
        "debt_ratio": ratio,
        "capital_impaired": None if equity is None else equity <= 0,
    }


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
        "revenue_change_yoy": change(revenue, before),
        "total_assets": firm.total_assets,
        "export_revenue": firm.export_revenue,
        "export_usd": firm.export_usd,
        "export_ratio": ratio,
        "certifications": frozenset(c.value for c in firm.certifications),
        "in_large_business_group": firm.in_large_business_group,
        "tax_arrears": firm.tax_arrears,
        "credit_grade": firm.credit_grade,
        "size_class": size.size_class,
        # A prospective founder has no business yet, so it is not (yet) an SME: a program that admits
        # prospective founders says so in its own rule ("예비창업자 포함"), never by an unknown size.
        "is_sme": False if firm.applicant_kind == ApplicantKind.prospective_founder else size.is_sme,
        "is_small": size.is_small,
        "is_micro_enterprise": size.is_micro_enterprise,
        "received_programs": frozenset(r.program_id for r in firm.support_history),
        "qualifications": (
            None if firm.qualifications is None
            else frozenset(q.value for q in firm.qualifications)
        ),
        **restriction_facts(firm, on),
    }


def restriction_facts(firm: FirmProfile, on: date) -> Facts:
    """The applicant kind, the statements and the plan's restricted-firm conditions (유의사항)."""
    count, amount = policy_loans(firm, on)
    return {
        "applicant_kind": firm.applicant_kind.value,
        **statement_facts(firm, on),
        "business_status": None if firm.business_status is None else firm.business_status.value,
        "credit_default_record": firm.credit_default_record,
        "rehabilitation": firm.rehabilitation,
        "tax_arrears_deferred": firm.tax_arrears_deferred,
        "hardship_causes": (None if firm.hardship_causes is None
                            else frozenset(c.value for c in firm.hardship_causes)),
        "manufacturing_share": (None if firm.manufacturing_share_pct is None
                                else firm.manufacturing_share_pct / 100),
        "factory_registered": firm.factory_registered,
        "policy_fund_count_5y": count,
        "policy_fund_amount_5y": amount,
    }
