"""SME size class under 중소기업기본법 시행령 (별표1 ceilings, 별표3 소기업 bands) and 소상공인.

Thresholds are dated parameters (`data/parameters/sme_size/*.yaml`); every result names the
version it used. What is implemented, and what is not:

- 중소기업: 평균매출액등 of the main industry within its 별표1 ceiling, 자산총액 under the asset cap,
  and not a member of a 공시대상기업집단 (시행령 제3조 제1항).
- 소기업: 평균매출액등 within the 별표3 band (시행령 제8조).
- 소상공인: a 소기업 with fewer regular employees than its industry's limit (소상공인기본법 시행령 제2조).
- Not modelled: the 3-year grace period after outgrowing (유예), related-company aggregation
  (관계기업) and ownership by a large firm; the profile's `in_large_business_group` stands in for
  the independence test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from onestop.korea.money import format_won, format_won_en
from onestop.memo import IdentityMemo
from onestop.parameters.store import ParameterVersion, in_force

SMALL = "small"
MEDIUM = "medium"
NON_SME = "non_sme"
MICRO = "micro"

#: A size class's name as a label (Korean, English), e.g. a table cell or a chart's axis.
#: Source of the terms: 중소기업기본법 §2 (중기업, 소기업), 소상공인기본법 §2 (소상공인).
SIZE_CLASS_NAMES: dict[str, tuple[str, str]] = {
    MICRO: ("소상공인", "Micro-enterprise"),
    SMALL: ("소기업", "Small enterprise"),
    MEDIUM: ("중기업", "Medium-sized enterprise"),
    NON_SME: ("중소기업 아님", "Not an SME"),
}
#: The same classes named as groups of firms inside a sentence ("소기업·중기업 대상", "for small
#: enterprises, medium-sized enterprises").
SIZE_CLASS_GROUPS: dict[str, tuple[str, str]] = {
    MICRO: ("소상공인", "micro-enterprises"),
    SMALL: ("소기업", "small enterprises"),
    MEDIUM: ("중기업", "medium-sized enterprises"),
    NON_SME: ("중소기업 아닌 기업", "firms that are not SMEs"),
}


@dataclass(frozen=True)
class SizeTable:
    """One version of the size thresholds, indexed by KSIC prefix."""

    version: str
    asset_cap: int
    ceilings: dict[str, int]
    small_bands: dict[str, int]
    micro_default: int
    micro_by_prefix: dict[str, int]
    reference: dict[str, Any]

    @classmethod
    def from_parameters(cls, p: ParameterVersion) -> SizeTable:
        v = p.values

        def index(rows: list[dict[str, Any]]) -> dict[str, int]:
            return {str(k): int(row["ceiling"]) for row in rows for k in row["ksic"]}

        micro = v.get("micro_enterprise") or {}
        return cls(
            version=p.version,
            asset_cap=int(v["asset_cap"]),
            ceilings=index(v["average_revenue_ceilings"]),
            small_bands=index(v["small_firm_bands"]),
            micro_default=int(micro.get("employees_below", 5)),
            micro_by_prefix={
                str(k): int(row["employees_below"])
                for row in micro.get("exceptions", [])
                for k in row["ksic"]
            },
            reference=p.reference,
        )


#: `_lookup`'s answers by table and code: a firm's KSIC is looked up on every classification
_LOOKUPS: IdentityMemo[int | None] = IdentityMemo(100_000)


def _lookup(code: str, table: dict[str, int]) -> int | None:
    """Longest-prefix value for `code`; None when unknown or ambiguous for a short code.
    Remembered per table and code (tables are built once per parameter version and not changed)."""
    return _LOOKUPS.get_or_make(table, code, lambda: _scan(code, table))


def _scan(code: str, table: dict[str, int]) -> int | None:
    found: int | None = None
    for n in range(len(code), 0, -1):
        if code[:n] in table:
            found = table[code[:n]]
            break
    # A short code (e.g. `C30`) is ambiguous when a deeper entry under it differs (`C30393`).
    deeper = {v for k, v in table.items() if len(k) > len(code) and k.startswith(code)}
    if deeper and (found is None or deeper != {found}):
        return None
    return found


@dataclass(frozen=True)
class Reason:
    code: str
    ko: str
    en: str


@dataclass(frozen=True)
class SizeResult:
    """The size class, or None where missing data leaves it unknown."""

    size_class: str | None
    is_small: bool | None
    is_micro_enterprise: bool | None
    parameters_version: str
    reasons: list[Reason] = field(default_factory=list)

    @property
    def is_sme(self) -> bool | None:
        return None if self.size_class is None else self.size_class != NON_SME


def table_on(on: date) -> SizeTable:
    return _tables(in_force("sme_size", on))


_CACHE: dict[tuple[str, str], SizeTable] = {}


def _tables(p: ParameterVersion) -> SizeTable:
    key = (p.name, p.version)
    if key not in _CACHE:
        _CACHE[key] = SizeTable.from_parameters(p)
    return _CACHE[key]


def classify(
    *,
    ksic: str,
    revenue_avg3: int | None,
    total_assets: int | None,
    in_large_business_group: bool | None,
    regular_employees: int | None,
    on: date,
    table: SizeTable | None = None,
) -> SizeResult:
    t = table or table_on(on)
    reasons: list[Reason] = []
    ver = t.version
    if in_large_business_group:
        reasons.append(Reason(
            "large_group",
            "공시대상기업집단 소속 기업은 중소기업이 아닙니다 (시행령 제3조 제1항 제2호).",
            "A member of a disclosed large business group is not an SME (Decree art. 3(1)(2)).",
        ))
        return SizeResult(NON_SME, False, False, ver, reasons)
    if total_assets is not None and total_assets >= t.asset_cap:
        reasons.append(Reason(
            "asset_cap",
            f"자산총액 {format_won(total_assets)}이 {format_won(t.asset_cap)} 이상이므로 "
            "중소기업이 아닙니다.",
            f"Total assets of {format_won_en(total_assets)} are at or above the {format_won_en(t.asset_cap)} cap, "
            "so the firm is not an SME.",
        ))
        return SizeResult(NON_SME, False, False, ver, reasons)
    ceiling = _lookup(ksic, t.ceilings)
    band = _lookup(ksic, t.small_bands)
    if ceiling is None or band is None:
        reasons.append(Reason(
            "ksic_too_broad",
            f"업종 코드 {ksic}만으로는 매출액 기준을 정할 수 없습니다. 세부 업종 코드를 입력하세요.",
            f"Industry code {ksic} is too broad to pick a revenue ceiling; give a more detailed code.",
        ))
        return SizeResult(None, None, None, ver, reasons)
    if revenue_avg3 is None:
        reasons.append(Reason(
            "revenue_missing",
            "최근 3개 사업연도 매출액이 없어 평균매출액등을 계산할 수 없습니다.",
            "Revenue for the last three fiscal years is missing, so the average cannot be computed.",
        ))
        return SizeResult(None, None, None, ver, reasons)
    if revenue_avg3 > ceiling:
        reasons.append(Reason(
            "over_ceiling",
            f"평균매출액등 {format_won(revenue_avg3)}이 업종({ksic}) 기준 {format_won(ceiling)}을 "
            "초과하여 중소기업이 아닙니다 (시행령 별표1).",
            f"Average revenue of {format_won_en(revenue_avg3)} exceeds the {format_won_en(ceiling)} ceiling for "
            f"industry {ksic}, so the firm is not an SME (Decree Annex 1).",
        ))
        if total_assets is None:
            reasons.append(_assets_unknown())
        return SizeResult(NON_SME, False, False, ver, reasons)
    reasons.append(Reason(
        "within_ceiling",
        f"평균매출액등 {format_won(revenue_avg3)}이 업종({ksic}) 기준 {format_won(ceiling)} 이하입니다 "
        "(시행령 별표1).",
        f"Average revenue of {format_won_en(revenue_avg3)} is within the {format_won_en(ceiling)} ceiling for "
        f"industry {ksic} (Decree Annex 1).",
    ))
    if total_assets is None:
        reasons.append(_assets_unknown())
        return SizeResult(None, None, None, ver, reasons)
    small = revenue_avg3 <= band
    if small:
        reasons.append(Reason(
            "small_band",
            f"평균매출액등이 소기업 기준 {format_won(band)} 이하이므로 소기업입니다 (시행령 별표3).",
            f"Average revenue is within the {format_won_en(band)} small-firm band: a small firm (Annex 3).",
        ))
    else:
        reasons.append(Reason(
            "medium",
            f"평균매출액등이 소기업 기준 {format_won(band)}을 초과하므로 중기업입니다 (시행령 별표3).",
            f"Average revenue exceeds the {format_won_en(band)} small-firm band: a medium firm (Annex 3).",
        ))
    micro: bool | None = False
    if small:
        limit = _micro_limit(ksic, t)
        if regular_employees is None:
            micro = None
            reasons.append(Reason(
                "employees_missing",
                "상시근로자 수가 없어 소상공인 여부를 판단할 수 없습니다.",
                "Regular employees are missing, so micro-enterprise status is unknown.",
            ))
        elif limit is None:
            micro = None
            reasons.append(Reason(
                "ksic_too_broad_micro",
                f"업종 코드 {ksic}만으로는 소상공인 상시근로자 기준을 정할 수 없습니다.",
                f"Industry code {ksic} is too broad to pick the micro-enterprise employee limit.",
            ))
        else:
            micro = regular_employees < limit
            verb_ko = "미만이므로 소상공인입니다" if micro else "이상이므로 소상공인이 아닙니다"
            verb_en = "below" if micro else "not below"
            reasons.append(Reason(
                "micro" if micro else "not_micro",
                f"상시근로자 {regular_employees}명이 업종 기준 {limit}명 {verb_ko} "
                "(소상공인기본법 시행령 제2조).",
                f"{regular_employees} regular employees is {verb_en} the limit of {limit} for the "
                "industry" + (": a micro-enterprise." if micro else ": not a micro-enterprise."),
            ))
    return SizeResult(SMALL if small else MEDIUM, small, micro, ver, reasons)


def _micro_limit(ksic: str, t: SizeTable) -> int | None:
    found = t.micro_default
    for n in range(len(ksic), 0, -1):
        if ksic[:n] in t.micro_by_prefix:
            found = t.micro_by_prefix[ksic[:n]]
            break
    deeper = {v for k, v in t.micro_by_prefix.items() if len(k) > len(ksic) and k.startswith(ksic)}
    if deeper and deeper != {found}:
        return None
    return found


def _assets_unknown() -> Reason:
    return Reason(
        "assets_missing",
        "자산총액이 없어 자산 기준(5,000억 원 미만)을 확인할 수 없습니다.",
        "Total assets are missing, so the asset cap (under KRW 500 billion) cannot be checked.",
    )
