"""The vocabulary of facts a rule may test, with types, units and names in both languages."""

from __future__ import annotations

from dataclasses import dataclass

INT = "int"
FLOAT = "float"
BOOL = "bool"
CODE = "code"
SET = "set"

CERTIFICATIONS = (
    "venture",
    "innobiz",
    "mainbiz",
    "women_owned",
    "disabled_owned",
    "social_enterprise",
    "promising_exporter",
)
#: Approvals and statuses an agency confirms and the profile can state (None = not stated).
QUALIFICATIONS = (
    "restart_founder",
    "business_conversion_approved",
    "restructuring_target",
    "disaster_damage_confirmed",
    "developed_technology",
)
SIZE_CLASSES = ("small", "medium", "non_sme")
CREDIT_GRADES = (
    "AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-", "BB+", "BB", "BB-",
    "B+", "B", "B-", "CCC+", "CCC", "CCC-", "CC", "C", "D",
)


@dataclass(frozen=True)
class FactSpec:
    name: str
    type: str
    ko: str
    en: str
    unit_ko: str = ""
    unit_en: str = ""
    minimum: float | None = None
    maximum: float | None = None
    #: closed vocabulary for codes and sets; None means free codes (KSIC, region, program ids)
    values: tuple[str, ...] | None = None
    #: for codes compared by prefix: what a prefix looks like
    prefix_kind: str | None = None


FACTS: dict[str, FactSpec] = {
    f.name: f
    for f in (
        FactSpec("ksic", CODE, "업종(KSIC)", "industry (KSIC)", prefix_kind="ksic"),
        FactSpec("region", CODE, "소재지", "location", prefix_kind="region"),
        FactSpec("sido", CODE, "소재 시도", "province", prefix_kind="region"),
        FactSpec("capital_area", BOOL, "수도권 소재", "located in the capital area"),
        FactSpec("business_age_years", INT, "업력", "business age", "년", "years", 0, 200),
        FactSpec("ceo_age", INT, "대표자 나이(만)", "CEO's age", "세", "years", 0, 130),
        FactSpec("regular_employees", INT, "상시근로자 수", "regular employees", "명", "",
                 0, 10_000_000),
        FactSpec("revenue", INT, "최근 사업연도 매출액", "last fiscal year's revenue", "원", "won",
                 0, None),
        FactSpec("revenue_avg3", INT, "3년 평균매출액", "3-year average revenue", "원", "won",
                 0, None),
        FactSpec("revenue_change_yoy", FLOAT, "전년 대비 매출 증감률", "revenue change year on year",
                 "", "", -1.0, None),
        FactSpec("total_assets", INT, "자산총액", "total assets", "원", "won", 0, None),
        FactSpec("export_revenue", INT, "최근 사업연도 수출액", "last fiscal year's exports", "원",
                 "won", 0, None),
        FactSpec("export_usd", INT, "최근 사업연도 수출액(달러)", "last fiscal year's exports (USD)",
                 "달러", "USD", 0, None),
        FactSpec("export_ratio", FLOAT, "수출 비중", "export share of revenue", "", "", 0.0, None),
        FactSpec("certifications", SET, "보유 인증", "certifications", values=CERTIFICATIONS),
        FactSpec("in_large_business_group", BOOL, "대기업집단 소속", "member of a large business group"),
        FactSpec("tax_arrears", BOOL, "세금 체납", "tax arrears"),
        FactSpec("credit_grade", CODE, "신용등급", "credit grade", values=CREDIT_GRADES),
        FactSpec("size_class", CODE, "기업 규모", "size class", values=SIZE_CLASSES),
        FactSpec("is_sme", BOOL, "중소기업 여부", "is an SME"),
        FactSpec("is_small", BOOL, "소기업 여부", "is a small firm"),
        FactSpec("is_micro_enterprise", BOOL, "소상공인 여부", "is a micro-enterprise"),
        FactSpec("received_programs", SET, "지원 이력", "programs received before"),
        FactSpec("qualifications", SET, "승인·확인 사항", "approvals and confirmations",
                 values=QUALIFICATIONS),
    )
}

NUMERIC = (INT, FLOAT)
