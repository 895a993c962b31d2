"""The financial ratios the platform computes from a firm's statements, each mapped to the ratio
(`AttrN`) of the Polish companies bankruptcy data (UCI 365; Zięba, Tomczak & Tomczak 2016) that
the credit model was trained on.

Pure core. A ratio whose denominator is zero, or whose input is not stated (the previous year for
sales growth), is missing (`None`): the model handles missing values natively and the explanation
lists them as missing, never filled in silently. Unitless ratios only: the data's two amounts in
Polish złoty (Attr29 log of total assets, Attr55 working capital) are not used, because a won
amount would not mean the same thing.

Where the Korean line only approximates the Polish one, `note` says so (e.g. Attr27 divides by
financial expenses, of which 이자비용 is the main part).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from onestop.evaluation.statements import FiscalYear, Statements

Compute = Callable[[FiscalYear, FiscalYear | None], float | None]


def _div(num: Any, den: Any) -> Any:
    """num / den, None when den is 0; on numpy arrays (the batch path), NaN where den is 0."""
    if isinstance(den, np.ndarray):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den == 0, np.nan, num / np.where(den == 0, 1, den))
    return None if den == 0 else num / den


@dataclass(frozen=True)
class Ratio:
    """A ratio: its key, the Polish attribute, names, formula in statement lines, and how to compute it."""

    key: str
    attr: str
    ko: str
    en: str
    formula_ko: str
    formula_en: str
    compute: Compute
    note: str = ""


def _fixed(y: FiscalYear) -> int:
    """비유동자산 = 자산총계 − 유동자산."""
    return y.total_assets - y.current_assets


def _long_term(y: FiscalYear) -> int:
    """비유동부채 = 부채총계 − 유동부채."""
    return y.total_liabilities - y.current_liabilities


def _growth(y: FiscalYear, prev: FiscalYear | None) -> float | None:
    if prev is None:
        return None
    growth: float | None = _div(y.revenue, prev.revenue)
    return growth


RATIOS: tuple[Ratio, ...] = (
    Ratio("roa", "Attr1", "총자산순이익률", "return on assets", "당기순이익 ÷ 자산총계", "net income / total assets",
          lambda y, _: _div(y.net_income, y.total_assets)),
    Ratio("liabilities_to_assets", "Attr2", "부채 의존도", "liabilities to assets", "부채총계 ÷ 자산총계",
          "total liabilities / total assets", lambda y, _: _div(y.total_liabilities, y.total_assets)),
    Ratio("working_capital_to_assets", "Attr3", "총자산 대비 순운전자본", "working capital to assets",
          "(유동자산 − 유동부채) ÷ 자산총계", "(current assets − current liabilities) / total assets",
          lambda y, _: _div(y.current_assets - y.current_liabilities, y.total_assets)),
    Ratio("current_ratio", "Attr4", "유동비율", "current ratio", "유동자산 ÷ 유동부채",
          "current assets / current liabilities", lambda y, _: _div(y.current_assets, y.current_liabilities)),
    Ratio("retained_earnings_to_assets", "Attr6", "총자산 대비 이익잉여금", "retained earnings to assets",
          "이익잉여금 ÷ 자산총계", "retained earnings / total assets",
          lambda y, _: _div(y.retained_earnings, y.total_assets)),
    Ratio("equity_to_liabilities", "Attr8", "부채 대비 자기자본", "equity to liabilities", "자본총계 ÷ 부채총계",
          "total equity / total liabilities", lambda y, _: _div(y.total_equity, y.total_liabilities)),
    Ratio("asset_turnover", "Attr9", "총자산회전율", "asset turnover", "매출액 ÷ 자산총계", "revenue / total assets",
          lambda y, _: _div(y.revenue, y.total_assets)),
    Ratio("equity_ratio", "Attr10", "자기자본비율", "equity ratio", "자본총계 ÷ 자산총계", "total equity / total assets",
          lambda y, _: _div(y.total_equity, y.total_assets)),
    Ratio("assets_to_liabilities", "Attr17", "부채 대비 자산", "assets to liabilities", "자산총계 ÷ 부채총계",
          "total assets / total liabilities", lambda y, _: _div(y.total_assets, y.total_liabilities)),
    Ratio("inventory_days", "Attr20", "재고자산 회전일수", "days of inventory", "재고자산 × 365 ÷ 매출액",
          "inventories × 365 / revenue", lambda y, _: _div(y.inventory * 365, y.revenue)),
    Ratio("sales_growth", "Attr21", "전년 대비 매출 배수", "revenue against the year before", "당기 매출액 ÷ 전기 매출액",
          "revenue / previous year's revenue", _growth, "needs the previous fiscal year"),
    Ratio("operating_return_on_assets", "Attr22", "총자산영업이익률", "operating return on assets",
          "영업이익 ÷ 자산총계", "operating profit / total assets", lambda y, _: _div(y.operating_profit, y.total_assets)),
    Ratio("net_margin", "Attr23", "매출액순이익률", "net margin", "당기순이익 ÷ 매출액", "net income / revenue",
          lambda y, _: _div(y.net_income, y.revenue)),
    Ratio("cash_flow_to_liabilities", "Attr26", "부채 대비 현금창출력", "cash flow to liabilities",
          "(당기순이익 + 감가상각비) ÷ 부채총계", "(net income + depreciation) / total liabilities",
          lambda y, _: _div(y.net_income + y.depreciation, y.total_liabilities)),
    Ratio("interest_coverage", "Attr27", "이자보상배율", "interest coverage", "영업이익 ÷ 이자비용",
          "operating profit / interest expense", lambda y, _: _div(y.operating_profit, y.interest_expense),
          "Attr27 divides by financial expenses; 이자비용 is their main part"),
    Ratio("working_capital_to_fixed_assets", "Attr28", "비유동자산 대비 순운전자본", "working capital to fixed assets",
          "(유동자산 − 유동부채) ÷ (자산총계 − 유동자산)", "(current assets − current liabilities) / non-current assets",
          lambda y, _: _div(y.current_assets - y.current_liabilities, _fixed(y))),
    Ratio("payables_days_cost", "Attr32", "매출원가 대비 유동부채 일수", "current liabilities in days of cost of sales",
          "유동부채 × 365 ÷ 매출원가", "current liabilities × 365 / cost of sales",
          lambda y, _: _div(y.current_liabilities * 365, y.cost_of_sales)),
    Ratio("quick_assets_to_long_term_liabilities", "Attr37", "비유동부채 대비 당좌자산",
          "quick assets to long-term liabilities", "(유동자산 − 재고자산) ÷ (부채총계 − 유동부채)",
          "(current assets − inventories) / non-current liabilities",
          lambda y, _: _div(y.current_assets - y.inventory, _long_term(y))),
    Ratio("cash_ratio", "Attr40", "현금성자산 비율", "cash ratio", "(유동자산 − 재고자산 − 매출채권) ÷ 유동부채",
          "(current assets − inventories − receivables) / current liabilities",
          lambda y, _: _div(y.current_assets - y.inventory - y.receivables, y.current_liabilities)),
    Ratio("operating_margin", "Attr42", "매출액영업이익률", "operating margin", "영업이익 ÷ 매출액",
          "operating profit / revenue", lambda y, _: _div(y.operating_profit, y.revenue)),
    Ratio("operating_cycle_days", "Attr43", "매출채권·재고자산 회전일수", "receivable and inventory days",
          "(매출채권 + 재고자산) × 365 ÷ 매출액", "(receivables + inventories) × 365 / revenue",
          lambda y, _: _div((y.receivables + y.inventory) * 365, y.revenue)),
    Ratio("receivable_days", "Attr44", "매출채권 회전일수", "days of receivables", "매출채권 × 365 ÷ 매출액",
          "receivables × 365 / revenue", lambda y, _: _div(y.receivables * 365, y.revenue)),
    Ratio("net_income_to_inventory", "Attr45", "재고자산 대비 당기순이익", "net income to inventories",
          "당기순이익 ÷ 재고자산", "net income / inventories", lambda y, _: _div(y.net_income, y.inventory)),
    Ratio("quick_ratio", "Attr46", "당좌비율", "quick ratio", "(유동자산 − 재고자산) ÷ 유동부채",
          "(current assets − inventories) / current liabilities",
          lambda y, _: _div(y.current_assets - y.inventory, y.current_liabilities)),
    Ratio("inventory_days_cost", "Attr47", "매출원가 기준 재고자산 회전일수", "days of inventory at cost",
          "재고자산 × 365 ÷ 매출원가", "inventories × 365 / cost of sales",
          lambda y, _: _div(y.inventory * 365, y.cost_of_sales)),
    Ratio("current_assets_to_liabilities", "Attr50", "부채총계 대비 유동자산", "current assets to total liabilities",
          "유동자산 ÷ 부채총계", "current assets / total liabilities",
          lambda y, _: _div(y.current_assets, y.total_liabilities)),
    Ratio("current_liabilities_to_assets", "Attr51", "총자산 대비 유동부채", "current liabilities to assets",
          "유동부채 ÷ 자산총계", "current liabilities / total assets",
          lambda y, _: _div(y.current_liabilities, y.total_assets)),
    Ratio("equity_to_fixed_assets", "Attr53", "비유동자산 대비 자기자본", "equity to fixed assets",
          "자본총계 ÷ (자산총계 − 유동자산)", "total equity / non-current assets",
          lambda y, _: _div(y.total_equity, _fixed(y))),
    Ratio("gross_margin", "Attr56", "매출총이익률", "gross margin", "(매출액 − 매출원가) ÷ 매출액",
          "(revenue − cost of sales) / revenue", lambda y, _: _div(y.revenue - y.cost_of_sales, y.revenue)),
    Ratio("long_term_liabilities_to_equity", "Attr59", "자기자본 대비 비유동부채", "long-term liabilities to equity",
          "(부채총계 − 유동부채) ÷ 자본총계", "non-current liabilities / total equity",
          lambda y, _: _div(_long_term(y), y.total_equity)),
    Ratio("inventory_turnover", "Attr60", "재고자산회전율", "inventory turnover", "매출액 ÷ 재고자산",
          "revenue / inventories", lambda y, _: _div(y.revenue, y.inventory)),
    Ratio("receivable_turnover", "Attr61", "매출채권회전율", "receivable turnover", "매출액 ÷ 매출채권",
          "revenue / receivables", lambda y, _: _div(y.revenue, y.receivables)),
    Ratio("current_liabilities_days", "Attr62", "매출액 대비 유동부채 일수", "current liabilities in days of revenue",
          "유동부채 × 365 ÷ 매출액", "current liabilities × 365 / revenue",
          lambda y, _: _div(y.current_liabilities * 365, y.revenue)),
    Ratio("sales_to_current_liabilities", "Attr63", "유동부채 대비 매출액", "revenue to current liabilities",
          "매출액 ÷ 유동부채", "revenue / current liabilities", lambda y, _: _div(y.revenue, y.current_liabilities)),
    Ratio("fixed_asset_turnover", "Attr64", "비유동자산회전율", "fixed-asset turnover", "매출액 ÷ (자산총계 − 유동자산)",
          "revenue / non-current assets", lambda y, _: _div(y.revenue, _fixed(y))),
)
RATIO = {r.key: r for r in RATIOS}
BY_ATTR = {r.attr: r for r in RATIOS}
KEYS = tuple(r.key for r in RATIOS)


def compute(statements: Statements) -> dict[str, float | None]:
    """Every platform ratio of the latest fiscal year (the previous year only for sales growth).

    Returns {ratio key: value or None when it cannot be computed (a zero denominator, a year not stated)}."""
    latest = statements.latest
    prev = statements.previous(latest)
    return {r.key: r.compute(latest, prev) for r in RATIOS}


def missing(values: dict[str, float | None]) -> list[str]:
    """The keys of the ratios that could not be computed, in table order."""
    return [k for k in KEYS if values.get(k) is None]


class Columns:
    """Statement lines of many firms as float arrays (NaN where not stated): the batch path
    computes every ratio over whole columns with the same formulas as `compute`."""

    def __init__(self, lines: dict[str, np.ndarray]) -> None:
        self.__dict__.update(lines)


def compute_batch(latest: dict[str, np.ndarray], previous: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Ratios of many firms at once: rows × `KEYS` columns, NaN where missing (a zero
    denominator, or no previous year: pass `previous` with NaN revenue for those firms)."""
    cur: Any = Columns(latest)
    prev: Any = Columns(previous) if previous is not None else None
    n = len(next(iter(latest.values())))
    out = np.full((n, len(RATIOS)), np.nan)
    for j, r in enumerate(RATIOS):
        value = r.compute(cur, prev)
        if value is not None:
            out[:, j] = value
    return out
