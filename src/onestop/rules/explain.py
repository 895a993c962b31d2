"""Sentences in Korean and English for criteria, firm values and outcomes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onestop.korea import ksic as ksic_table
from onestop.korea import regions as region_table
from onestop.korea.money import format_won_in
from onestop.rules.facts import BOOL, CODE, FACTS, FLOAT, INT, SET
from onestop.rules.syntax import Leaf, Scalar

MET, UNKNOWN, NOT_MET = 2, 1, 0
STATUS_NAMES = {MET: "met", UNKNOWN: "unknown", NOT_MET: "not_met"}
_STATUS_KO = {MET: "충족", UNKNOWN: "확인 불가(정보 없음)", NOT_MET: "미충족"}
_STATUS_EN = {MET: "met", UNKNOWN: "unknown (data missing)", NOT_MET: "not met"}
#: the outcome words by status, for hot loops that format many sentences
STATUS_WORDS = (_STATUS_KO, _STATUS_EN)

_CERT_KO = {
    "venture": "벤처기업", "innobiz": "이노비즈", "mainbiz": "메인비즈", "women_owned": "여성기업",
    "disabled_owned": "장애인기업", "social_enterprise": "사회적기업",
    "promising_exporter": "수출유망중소기업",
    "village_enterprise": "마을기업", "cooperative": "협동조합", "self_sufficiency_enterprise": "자활기업",
}
_QUAL_KO = {
    "restart_founder": "재창업자", "business_conversion_approved": "사업전환계획 승인",
    "restructuring_target": "구조개선 대상", "disaster_damage_confirmed": "재해 피해 확인",
    "developed_technology": "사업화 기술 보유",
    "new_industry_field": "신산업 창업분야",
    "honest_management_review_passed": "성실경영 평가 통과",
    "in_depth_review_passed": "성실경영 심층평가 통과",
    "funding_difficulty_or_credit_recovery": "자금조달 애로 또는 신용회복정보 등록",
    "vc_investment_referral": "벤처투자 유치 후 추천",
    "manufacturing_related_or_knowledge_service": "제조업 관련 서비스업·지식기반서비스산업",
    "priority_field": "정책자금 중점지원분야 영위",
}
_CAUSE_KO = {
    "large_customer_restructuring": "대기업 구조조정에 따른 피해",
    "customer_bankruptcy": "거래처 도산·회생",
    "platform_settlement_delay": "온라인 플랫폼 판매대금 정산 지연",
    "technology_leakage": "기술 유출 피해",
    "retailer_rehabilitation": "대형 유통업체 회생절차에 따른 피해",
    "other": "그 밖의 경영애로",
}
_SET_KO = {**_CERT_KO, **_QUAL_KO, **_CAUSE_KO}
_SIZE_KO = {"small": "소기업", "medium": "중기업", "non_sme": "중소기업 아님"}
#: English names where the stored key is not already plain English (older keys read as words).
_EN = {
    "prospective_founder": "prospective founder", "firm": "registered business",
    "large_customer_restructuring": "a large customer's restructuring",
    "customer_bankruptcy": "a customer's bankruptcy or rehabilitation",
    "platform_settlement_delay": "delayed settlement by an online marketplace",
    "technology_leakage": "technology leakage", "retailer_rehabilitation": "a large retailer's rehabilitation",
    "other": "another business difficulty",
    "new_industry_field": "new-industry field", "honest_management_review_passed": "passed the honest-management review",
    "in_depth_review_passed": "passed the in-depth honest-management review",
    "funding_difficulty_or_credit_recovery": "funding difficulty or a credit-recovery record",
    "vc_investment_referral": "referred after venture-capital investment",
    "manufacturing_related_or_knowledge_service": "manufacturing-related or knowledge-based service",
    "priority_field": "in a policy-loan priority field",
    "village_enterprise": "village enterprise", "cooperative": "cooperative",
    "self_sufficiency_enterprise": "self-sufficiency enterprise",
}


def _en(value: str) -> str:
    return _EN.get(value, value)


#: Program id → (Korean, English) name, for facts whose values are programs (`received_programs`).
#: Filled by every catalog that is built (`name_programs`); an id no catalog names is shown as
#: "카탈로그에 없는 사업" rather than as a raw key.
_PROGRAM_NAMES: dict[str, tuple[str, str]] = {}
#: Facts whose values are program ids.
PROGRAM_FACTS = frozenset({"received_programs"})


def name_programs(names: dict[str, tuple[str, str]]) -> None:
    """Record the (Korean, English) names of programs, so that criteria and firm values that name
    a program show its name, never its id (QA finding: a prerequisite shown as `mss-smart-…`)."""
    _PROGRAM_NAMES.update(names)


def program_name(program_id: str, lang: str) -> str:
    """The name of a program in `lang` ("ko"/"en"); a program no catalog names says so."""
    names = _PROGRAM_NAMES.get(program_id)
    if names is None:
        return "카탈로그에 없는 사업" if lang == "ko" else "a program not in the catalog"
    return names[0] if lang == "ko" else names[1]


def _item(fact: str, value: str, lang: str) -> str:
    """One element of a set-valued fact as shown: a program's name, a certification's name …"""
    if fact in PROGRAM_FACTS:
        return program_name(value, lang)
    return _SET_KO.get(value, value) if lang == "ko" else _en(value)


#: Korean names of the closed code vocabularies that are not codes of a table.
_CODE_KO = {
    "size_class": _SIZE_KO,
    "applicant_kind": {"firm": "사업자(기업)", "prospective_founder": "예비창업자"},
    "business_status": {"operating": "계속사업자", "suspended": "휴업", "closed": "폐업"},
}

_OP_KO = {"<": "미만", "<=": "이하", ">": "초과", ">=": "이상"}
_OP_EN = {"<": "less than", "<=": "at most", ">": "more than", ">=": "at least"}


def _code_name(fact: str, code: str, lang: str = "ko") -> str:
    """A code with its name: `C10602(빵류 제조업)`, `11(서울특별시)`; in English `11 (Seoul)`,
    `C10602 (Manufacture of bakery products)`, with Statistics Korea's English titles; a code
    whose English title is not published keeps its Korean title (`C10 (식료품 제조업)`). Never a bare
    code where the table names it."""
    spec = FACTS[fact]
    if spec.prefix_kind == "ksic":
        entry = ksic_table.table().get(code)
        if entry is None:
            return code
        return f"{code}({entry.name_ko})" if lang == "ko" else f"{code} ({entry.name('en')})"
    if spec.prefix_kind == "region":
        region = region_table.table().get(code)
        if region is None:
            return code
        return f"{code}({region.name_full})" if lang == "ko" else f"{code} ({region_table.name_en(code)})"
    names = _CODE_KO.get(fact)
    if lang != "ko":
        return _en(code)
    if names is not None:
        return names.get(code, code)
    return code


def _num(fact: str, v: float, lang: str) -> str:
    spec = FACTS[fact]
    if spec.unit_en == "won":
        return format_won_in(int(v), lang)
    if spec.type == FLOAT:
        return f"{v * 100:+.1f}%" if fact.endswith("_change_yoy") else f"{v * 100:.1f}%"
    if lang == "ko":
        unit = spec.unit_ko
    else:
        unit_en = spec.unit_en[:-1] if int(v) == 1 and spec.unit_en.endswith("s") else spec.unit_en
        unit = " " + unit_en if unit_en else ""
    return f"{int(v):,}{unit}"


def value_text(fact: str, value: Any) -> tuple[str, str]:
    """A firm's value, as shown to the user."""
    if value is None:
        return "정보 없음", "not given"
    spec = FACTS[fact]
    if spec.type == BOOL:
        return ("예" if value else "아니오"), ("yes" if value else "no")
    if spec.type in (INT, FLOAT):
        return _num(fact, value, "ko"), _num(fact, value, "en")
    if spec.type == SET:
        items = sorted(value)
        if not items:
            return "없음", "none"
        return ", ".join(_item(fact, i, "ko") for i in items), ", ".join(_item(fact, i, "en") for i in items)
    return _code_name(fact, str(value)), _code_name(fact, str(value), "en")


def _values(fact: str, values: Iterable[Scalar], lang: str) -> str:
    spec = FACTS[fact]
    out = []
    for v in values:
        if spec.type == SET:
            out.append(_item(fact, str(v), lang))
        elif spec.type == CODE:
            out.append(_code_name(fact, str(v), lang))
        else:
            out.append(_num(fact, float(v), lang) if spec.type in (INT, FLOAT) else str(v))
    return ", ".join(out)


def criterion_text(leaf: Leaf) -> tuple[str, str]:
    """What the criterion asks, e.g. `업력 7년 미만` / `business age less than 7 years`; an
    exclusion as what the firm must not be (`국세·지방세 체납 기업 아님`)."""
    if leaf.exclusion:
        return f"{leaf.excludes_ko} 아님", f"Not {leaf.excludes_en}"
    if leaf.label_ko and leaf.label_en:
        return leaf.label_ko, leaf.label_en
    spec = FACTS[leaf.fact]
    op, v = leaf.op, leaf.value
    ko_name, en_name = spec.ko, spec.en
    if op in _OP_KO:
        assert isinstance(v, int | float)
        return (f"{ko_name} {_num(leaf.fact, v, 'ko')} {_OP_KO[op]}",
                f"{en_name} {_OP_EN[op]} {_num(leaf.fact, v, 'en')}")
    if op in ("==", "!="):
        if spec.type == BOOL:
            positive = (v is True) == (op == "==")
            return ((f"{ko_name}: 예" if positive else f"{ko_name}: 아니오"),
                    (f"{en_name}: yes" if positive else f"{en_name}: no"))
        vk, ve = value_text(leaf.fact, v)
        if op == "==":
            return f"{ko_name}: {vk}", f"{en_name} is {ve}"
        return f"{ko_name}: {vk} 아님", f"{en_name} is not {ve}"
    assert isinstance(v, tuple)
    lk, le = _values(leaf.fact, v, "ko"), _values(leaf.fact, v, "en")
    texts = {
        "in": (f"{ko_name}: {lk} 중 하나", f"{en_name} is one of {le}"),
        "not_in": (f"{ko_name}: {lk}에 해당하지 않음", f"{en_name} is none of {le}"),
        "prefix": (f"{ko_name}: {lk}에 속함", f"{en_name} within {le}"),
        "not_prefix": (f"{ko_name}: {lk}에 속하지 않음", f"{en_name} not within {le}"),
        "has_any": (f"{ko_name}: {lk} 중 하나 이상 보유", f"{en_name} include any of {le}"),
        "has_all": (f"{ko_name}: {lk} 모두 보유", f"{en_name} include all of {le}"),
        "has_none": (f"{ko_name}: {lk} 없음", f"{en_name} include none of {le}"),
    }
    return texts[op]


def exclusion_sentence(leaf: Leaf, value: tuple[str, str], status: int) -> tuple[str, str]:
    """An exclusion's outcome phrased positively: `국세·지방세 체납 기업 아님 → 충족` when the firm is
    not in the excluded group, `…에 해당 → 미충족` when it is, and which it is when unknown. A yes/no
    fact's value is the sentence itself; another fact's value (the firm's industry) is quoted."""
    ko, en = leaf.excludes_ko, leaf.excludes_en
    shown = FACTS[leaf.fact].type != BOOL or status == UNKNOWN
    vk = f" — 기업: {value[0]}" if shown else ""
    ve = f" — firm: {value[1]}" if shown else ""
    if status == MET:
        return f"{ko} 아님{vk} → {_STATUS_KO[MET]}", f"Not {en}{ve} → {_STATUS_EN[MET]}"
    if status == NOT_MET:
        return f"{ko}에 해당{vk} → {_STATUS_KO[NOT_MET]}", f"Is {en}{ve} → {_STATUS_EN[NOT_MET]}"
    return (f"{ko}에 해당하는지{vk} → {_STATUS_KO[UNKNOWN]}",
            f"Whether it is {en}{ve} → {_STATUS_EN[UNKNOWN]}")


def sentence(criterion: tuple[str, str], value: tuple[str, str], status: int) -> tuple[str, str]:
    """`업력 7년 미만 — 기업: 2년 → 충족` and its English twin."""
    return (
        f"{criterion[0]} — 기업: {value[0]} → {_STATUS_KO[status]}",
        f"{criterion[1]} — firm: {value[1]} → {_STATUS_EN[status]}",
    )
