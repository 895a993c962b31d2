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
    # social-economy firms other than 사회적기업 (전남 육성자금 and the policy-fund plan count them)
    "village_enterprise",
    "cooperative",
    "self_sufficiency_enterprise",
)
#: The certifications that make a firm a 사회적경제기업 (social-economy firm).
SOCIAL_ECONOMY = ("social_enterprise", "village_enterprise", "cooperative", "self_sufficiency_enterprise")
#: Approvals and statuses an agency confirms and the profile can state (None = not stated).
QUALIFICATIONS = (
    "restart_founder",
    "business_conversion_approved",
    "restructuring_target",
    "disaster_damage_confirmed",
    "developed_technology",
    # 2026 policy-fund plan (변경공고 제2026-464호): conditions an agency confirms
    "new_industry_field",
    "honest_management_review_passed",
    "in_depth_review_passed",
    "funding_difficulty_or_credit_recovery",
    "vc_investment_referral",
    "manufacturing_related_or_knowledge_service",
    "priority_field",
)
#: Who applies: a registered business, or a prospective founder (예비창업자) with no BRN yet.
APPLICANT_KINDS = ("firm", "prospective_founder")
#: 휴·폐업 status as registered with the tax office.
BUSINESS_STATUSES = ("operating", "suspended", "closed")
#: Causes of a temporary business difficulty named by 긴급경영안정자금 (일시적 경영애로).
HARDSHIP_CAUSES = (
    "large_customer_restructuring",
    "customer_bankruptcy",
    "platform_settlement_delay",
    "technology_leakage",
    "retailer_rehabilitation",
    "other",
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
        # The 2026 policy-fund plan's common conditions (유의사항) and program lines.
        FactSpec("applicant_kind", CODE, "신청자 유형", "kind of applicant", values=APPLICANT_KINDS),
        FactSpec("operating_profit", INT, "최근 사업연도 영업이익", "last fiscal year's operating profit",
                 "원", "won", None, None),
        # (now − before) / |before|: a fall into a loss and a larger loss are decreases (firms/facts.py)
        FactSpec("operating_profit_change_yoy", FLOAT, "전년 대비 영업이익 증감률",
                 "operating profit change year on year", "", "", None, None),
        FactSpec("debt_ratio", FLOAT, "부채비율", "debt ratio (liabilities / equity)", "", "", 0.0, None),
        FactSpec("capital_impaired", BOOL, "자본 전액잠식", "equity wholly impaired"),
        FactSpec("business_status", CODE, "사업 상태(휴·폐업)", "business status", values=BUSINESS_STATUSES),
        FactSpec("credit_default_record", BOOL, "연체·대위변제·부도 등 신용정보 등록",
                 "registered overdue, subrogation or default record"),
        FactSpec("rehabilitation", BOOL, "회생·파산 절차 진행", "in rehabilitation or bankruptcy proceedings"),
        FactSpec("tax_arrears_deferred", BOOL, "체납처분(압류·매각) 유예", "tax seizure or sale deferred"),
        FactSpec("hardship_causes", SET, "경영애로 사유", "causes of business difficulty",
                 values=HARDSHIP_CAUSES),
        FactSpec("manufacturing_share", FLOAT, "제조업 전업률", "share of revenue from manufacturing", "", "",
                 0.0, 1.0),
        FactSpec("factory_registered", BOOL, "공장등록", "factory registered"),
        FactSpec("policy_fund_count_5y", INT, "최근 5년 정책자금 융자 횟수", "policy loans in the last 5 years",
                 "회", "times", 0, 1000),
        FactSpec("policy_fund_amount_5y", INT, "최근 5년 정책자금 융자 합계", "policy loans in the last 5 years, total",
                 "원", "won", 0, None),
    )
}

NUMERIC = (INT, FLOAT)
