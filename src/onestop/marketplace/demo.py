"""The marketplace's demo: a fictional large company (대한정밀중공업, a member of a disclosed business
group) registered as an asset owner, with an idle research instrument, a patent and office space,
so that `make run` and the page walks show the journey "an SME requests a large company's idle
instrument and gets it"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.accounts.tables import MembershipRow
from onestop.firms.tables import FirmRow
from onestop.marketplace import model, services
from onestop.marketplace.tables import AssetOwnerRow, ListingRow

OWNER_BRN = "130-81-00125"


def _listings(today: str, until: str) -> list[dict[str, str]]:
    return [
        {"kind": "instrument", "title": "3차원 좌표측정기(CMM) 유휴 장비 임대",
         "description": "정밀 부품 치수 검사용 3차원 좌표측정기(측정 범위 700×1000×600mm, 2021년 도입)입니다. "
                        "대전 유성구 연구소 품질실에 설치되어 있으며 교육받은 운용 인력이 함께 지원합니다.",
         "region": "30200", "terms": "lease", "price_won": "500,000", "available_from": today, "available_until": until},
        {"kind": "patent", "title": "감속기 기어 소음 저감 구조 특허 양도",
         "description": "산업용 로봇 감속기의 기어 맞물림 소음을 줄이는 치형 구조 특허입니다. 자사 사업 철수로 쓰지 않게 되어 "
                        "감속기·구동부품 중소기업에 양도합니다.",
         "region": "30200", "terms": "price", "price_won": "10,000,000", "patent_number": "10-1873422",
         "available_from": today, "available_until": ""},
        {"kind": "space", "title": "연구동 유휴 사무공간 (약 120제곱미터) 무상 제공",
         "description": "대전 유성구 연구동 3층 사무공간(약 120제곱미터, 회의실 포함)을 창업 3년 이내 제조·연구 기업에 무상으로 "
                        "제공합니다. 관리비는 별도입니다.",
         "region": "30200", "terms": "free", "price_won": "", "available_from": today, "available_until": until},
    ]


def seed(db: Session, owner_user_id: int | None = None) -> int:
    """Register the demo large company as an asset owner and list its assets (once); returns the
    listings added."""
    firm = db.scalar(select(FirmRow).where(FirmRow.brn == OWNER_BRN))
    if firm is None or db.get(AssetOwnerRow, firm.id) is not None:
        return 0
    user_id = owner_user_id or db.scalar(select(MembershipRow.user_id).where(MembershipRow.firm_id == firm.id))
    if user_id is None:
        return 0
    db.add(AssetOwnerRow(firm_id=firm.id, org_type="large_company", registered_by=user_id,
                         basis={"size_class": "non_sme", "reasons": [{"ko": "공시대상기업집단 소속 (데모)",
                                                                       "en": "Member of a disclosed business group (demo)"}]}))
    db.flush()
    today = services.today_kst()
    for raw in _listings(today.isoformat(), (today + timedelta(days=365)).isoformat()):
        data = model.parse_listing(raw, today, services.region_code)
        db.add(ListingRow(owner_firm_id=firm.id, kind=data.kind.value, title=data.title, description=data.description,
                          region=data.region, terms=data.terms.value, price_won=data.price_won,
                          available_from=data.available_from, available_until=data.available_until,
                          patent_number=data.patent_number, state="open", search_terms=services.listing_terms(data),
                          created_by=user_id))
    db.flush()
    return 3
