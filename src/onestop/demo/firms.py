"""A seeded generator of realistic Korean SME profiles (region, industry and size as in Korea)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from onestop.korea import ksic, regions
from onestop.korea.brn import check_digit

#: Shares of firms by 시도 (roughly KOSIS 전국사업체조사: 경기·서울 lead).
SIDO_SHARES = {
    "41": 26.0, "11": 22.0, "26": 6.0, "48": 6.0, "28": 5.5, "12": 5.5, "47": 5.0, "27": 4.5, "44": 4.0,
    "43": 3.0, "52": 3.0, "51": 2.7, "30": 2.6, "31": 2.0, "50": 1.5, "36": 0.5,
}
#: Shares by KSIC section for SMEs (wholesale/retail, food service and manufacturing lead).
SECTION_SHARES = {"G": 25, "I": 14, "C": 12, "L": 6, "F": 7, "H": 6, "M": 6, "N": 5, "S": 6, "P": 4,
                  "Q": 4, "J": 4, "R": 1}
_PREFIX = ["한빛", "대성", "미래", "새롬", "동방", "누리", "푸른", "세종", "한결", "다온", "가온", "태평", "으뜸",
           "하나", "청솔", "보람", "우리", "바른", "제일"]
_SUFFIX = {"C": ["정밀", "산업", "테크", "기계", "푸드", "소재"], "G": ["상사", "유통", "마트", "무역"],
           "I": ["식당", "푸드", "카페"], "J": ["소프트", "시스템즈", "랩스"], "F": ["건설", "종합건설"],
           "H": ["물류", "운수"], "M": ["컨설팅", "디자인", "연구소"], "L": ["빌딩", "개발"]}


def _brn(rng: random.Random, used: set[str]) -> str:
    while True:
        head = f"{rng.randint(101, 899):03d}{rng.choice(['81', '86', '87', '88'])}{rng.randint(0, 9999):04d}"
        brn = f"{head[:3]}-{head[3:5]}-{head[5:]}{check_digit(head)}"
        if brn not in used:
            used.add(brn)
            return brn


#: Policy-fund ids a firm of the registry may have received before (issue 17's support counts).
_PAST_FUNDS = ("kosmes-new-growth-fund", "kosmes-startup-fund", "kosmes-smart-factory-fund",
               "kosmes-export-globalization-fund", "kosmes-emergency-fund")


def _plan_facts(rng: random.Random, revenue: dict[str, int], section: str, today: date) -> dict[str, Any]:
    """The 2026 policy-fund plan's facts (issue 17) for one generated firm, drawn from their own
    random stream so the rest of the registry stays as it was: operating profit by year (margins
    around 5 %, some losses), the balance sheet, closure or suspension (about 2 %), default records
    (2 %), rehabilitation (0.5 %), tax arrears with seizure deferred, past policy loans (one firm in
    six, up to three in five years)."""
    margin = rng.gauss(0.05, 0.06)
    profit = {year: int(amount * (margin + rng.gauss(0, 0.03))) for year, amount in revenue.items()}
    latest = revenue[max(revenue)] if revenue else 0
    liabilities = int(latest * rng.uniform(0.2, 1.2))
    equity = int(latest * rng.uniform(-0.05, 0.8))
    status = rng.choices(["operating", "suspended", "closed"], [98, 1.5, 0.5])[0]
    history = []
    if rng.random() < 1 / 6:
        for _ in range(rng.choice((1, 1, 2, 3))):
            history.append({"program_id": rng.choice(_PAST_FUNDS), "year": today.year - rng.randint(0, 6),
                            "amount": rng.choice((100, 200, 300, 500, 1000)) * 1_000_000})
    out: dict[str, Any] = {
        "operating_profit": profit,
        "total_liabilities": liabilities,
        "total_equity": equity,
        "business_status": status,
        "credit_default_record": rng.random() < 0.02,
        "rehabilitation": rng.random() < 0.005,
        "support_history": history,
    }
    if section == "C":
        out["manufacturing_share_pct"] = rng.choice((60, 80, 100, 100))
        out["factory_registered"] = rng.random() < 0.8
    return out


def _yearly_figures(rng: random.Random, revenue: dict[str, int], employees: int,
                    exporter: bool) -> dict[str, dict[str, int]]:
    """Regular employees and exports (won, US$) for each fiscal year with revenue, drawn from a
    generator of their own (the rest of the firm's seeded data is unchanged): headcount drifts a
    few people a year toward today's; an exporter ships a share of each year's revenue (never
    more than it), a non-exporter states 0; about one firm in six leaves the figures out."""
    if not revenue or rng.random() < 1 / 6:
        return {}
    years = sorted(revenue, reverse=True)  # latest first: walk back from today's headcount
    staff: dict[str, int] = {}
    now = employees
    for year in years:
        staff[year] = now
        now = max(0, now - round(rng.gauss(0.04 * now, 0.12 * now + 0.6)))
    share = rng.uniform(0.05, 0.5) if exporter else 0.0
    won = {y: min(revenue[y], int(revenue[y] * share * rng.uniform(0.7, 1.3))) for y in years}
    usd = {y: w // 1400 for y, w in won.items()}
    return {"regular_employees_by_year": dict(sorted(staff.items())),
            "export_revenue_by_year": dict(sorted(won.items())),
            **({"export_usd_by_year": dict(sorted(usd.items()))} if exporter else {})}


def generate(n: int, seed: int = 2026, today: date | None = None) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    today = today or date.today()
    subclasses: dict[str, list[str]] = {}
    for code, entry in ksic.table().items():
        if entry.level == "subclass":
            subclasses.setdefault(code[0], []).append(code)
    districts: dict[str, list[str]] = {}
    for code, region in regions.table().items():
        if region.level == "sigungu":
            districts.setdefault(code[:2], []).append(code)
    sidos, sido_w = zip(*SIDO_SHARES.items(), strict=True)
    sections, section_w = zip(*SECTION_SHARES.items(), strict=True)
    used: set[str] = set()
    firms = []
    for i in range(n):
        section = rng.choices(sections, section_w)[0]
        code = rng.choice(subclasses[section])
        sido = rng.choices(sidos, sido_w)[0]
        employees = min(280, int(rng.paretovariate(1.3)) - 1 + (3 if section == "C" else 0))
        age_years = min(45.0, rng.expovariate(1 / 9))
        founded = today - timedelta(days=int(age_years * 365.25) + 30)
        per_head = rng.uniform(0.8, 3.5) * (2.5 if section in "CG" else 1.0) * 100_000_000
        base = int(max(1, employees) * per_head)
        trend = rng.gauss(0.04, 0.15)
        revenue = {}
        for back in (3, 2, 1):
            year = today.year - back
            if year >= founded.year:
                revenue[str(year)] = max(0, int(base * (1 + trend) ** (-back)))
        exporter = section == "C" and rng.random() < 0.35
        average = sum(revenue.values()) / max(1, len(revenue))
        export_usd = int(average * rng.uniform(0.05, 0.5) / 1400) if exporter else 0
        certs = [c for c, p in (("venture", 0.06), ("innobiz", 0.04 if section == "C" else 0.01), ("mainbiz", 0.03),
                                ("women_owned", 0.12), ("disabled_owned", 0.01), ("social_enterprise", 0.005),
                                ("promising_exporter", 0.2 if exporter else 0.0)) if rng.random() < p]
        ceo_age = int(min(75, max(23, rng.gauss(52, 10))))
        suffix = rng.choice(_SUFFIX.get(section, ["상회", "서비스"]))
        firms.append({
            **_plan_facts(random.Random(seed * 100_003 + i), revenue, section, today),
            "brn": _brn(rng, used),
            "name": f"{rng.choice(_PREFIX)}{suffix} {i + 1:03d}",
            "ksic": code,
            "region": rng.choice(districts[sido]),
            "founded_on": founded.isoformat(),
            "ceo_birth_date": date(today.year - ceo_age, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
            "regular_employees": max(0, employees),
            "revenue": revenue,
            "total_assets": int(base * rng.uniform(0.4, 1.4)),
            "export_revenue": export_usd * 1400,
            "export_usd": export_usd,
            "certifications": certs,
            "in_large_business_group": False,
            "tax_arrears": rng.random() < 0.03,
            "credit_grade": rng.choice(["A", "BBB+", "BBB", "BBB-", "BB+", "BB", "B"]),
        })
        firms[-1].update(_yearly_figures(random.Random(seed * 300_007 + i), revenue, max(0, employees), exporter))
        if firms[-1]["tax_arrears"]:  # 체납처분 유예 for some (재도약·재해 funds then allow the arrears)
            firms[-1]["tax_arrears_deferred"] = random.Random(seed * 7 + i).random() < 0.3
    return firms
