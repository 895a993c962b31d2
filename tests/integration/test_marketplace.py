"""The idle-asset marketplace through its pages and services: an SME finds a large company's idle
instrument, requests it, the owner accepts, both sign the e-agreement and the deal is counted;
authorization side by side (two firms, two owners); bad input named next to its field."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from onestop.audit.services import history
from onestop.demo.seed import PASSWORD
from onestop.errors import DomainError
from onestop.marketplace import services
from onestop.marketplace.model import deal_value
from onestop.marketplace.tables import DealAgreementRow, ListingRow, RequestRow
from onestop.outcomes import kpi
from onestop.outcomes.tables import RecordedOutcomeRow
from tests.integration.conftest import Api, fresh_brn
from tests.integration.funds_helpers import principal
from tests.integration.test_pages import csrf_of, page_login

OWNER = "owner.large@onestop.demo"


def _client(app: Any, email: str) -> TestClient:
    c = TestClient(app)
    assert page_login(c, email, PASSWORD).status_code == 303
    return c


@pytest.fixture
def owner(app: Any) -> Iterator[TestClient]:
    with _client(app, OWNER) as c:
        yield c


@pytest.fixture
def founder(app: Any) -> Iterator[TestClient]:
    with _client(app, "founder@onestop.demo") as c:
        yield c


@pytest.fixture
def exporter(app: Any) -> Iterator[TestClient]:
    with _client(app, "exporter@onestop.demo") as c:
        yield c


def _listing(app: Any, email: str = OWNER, **changes: str) -> int:
    """A fresh open listing of the demo large company (or `email`'s owner organisation)."""
    with app.state.app.db.unit_of_work() as db:
        who = principal(db, email)
        firm_id = services.owner_firms(db, who)[0].firm_id
        today = services.today_kst()
        raw = {"kind": "instrument", "title": "주사전자현미경(SEM) 유휴 장비", "region": "30200", "terms": "lease",
               "price_won": "300,000", "available_from": today.isoformat(),
               "available_until": (today + timedelta(days=200)).isoformat(),
               "description": "배터리 소재 단면 관찰용 주사전자현미경입니다. 주 2회 사용할 수 있습니다.", **changes}
        return services.create_listing(db, who, firm_id, raw).id


def _form(page: str, **data: str) -> dict[str, str]:
    return {"csrf_token": csrf_of(page), **data}


def _firm_id(page: str) -> str:
    found = re.search(r'<option value="(\d+)"', page.split('id="firm_id"')[1])
    assert found
    return found.group(1)


def test_an_sme_requests_the_idle_instrument_and_gets_it(app: Any, owner: TestClient, founder: TestClient,
                                                         exporter: TestClient) -> None:
    found = founder.get("/marketplace", params={"q": "좌표측정기를", "kind": "instrument", "region": "30"})
    assert found.status_code == 200 and "3차원 좌표측정기(CMM)" in found.text
    listing_id = int(re.search(r'/marketplace/listings/(\d+)">3차원 좌표측정기', found.text).group(1))  # type: ignore[union-attr]
    page = founder.get(f"/marketplace/listings/{listing_id}")
    assert "월 50만 원" in page.text and "대한정밀중공업" in page.text
    today = services.today_kst()
    # a lease needs an end date; the purpose must say what for: both named, what was typed kept
    bad = founder.post(f"/marketplace/listings/{listing_id}/requests", data=_form(
        page.text, firm_id=_firm_id(page.text), purpose="빵", wanted_from=today.isoformat(), wanted_until=""))
    assert bad.status_code == 422
    assert "활용 목적을 10~2,000자로" in bad.text and "희망 종료일" in bad.text and 'value="' + today.isoformat() in bad.text
    purpose = "신제품 제빵 설비 부품의 치수 검사를 위해 월 4회 사용하려 합니다."
    ok = founder.post(f"/marketplace/listings/{listing_id}/requests", follow_redirects=False, data=_form(
        page.text, firm_id=_firm_id(page.text), purpose=purpose, wanted_from=today.isoformat(),
        wanted_until=(today + timedelta(days=90)).isoformat()))
    assert ok.status_code == 303
    request_id = int(ok.headers["location"].rsplit("/", 1)[1])
    # a second firm asks too (it will be declined automatically when the first is agreed)
    page2 = exporter.get(f"/marketplace/listings/{listing_id}")
    second = exporter.post(f"/marketplace/listings/{listing_id}/requests", follow_redirects=False, data=_form(
        page2.text, firm_id=_firm_id(page2.text), purpose="정밀 기계 부품 출하 검사용으로 석 달 쓰려 합니다.",
        wanted_from=today.isoformat(), wanted_until=(today + timedelta(days=60)).isoformat()))
    assert second.status_code == 303
    second_id = int(second.headers["location"].rsplit("/", 1)[1])

    desk = owner.get("/marketplace/owner")
    assert f"/marketplace/requests/{request_id}" in desk.text and "순천바른빵" in desk.text
    seen = owner.get(f"/marketplace/requests/{request_id}")
    assert purpose in seen.text
    declined_without_reason = owner.post(f"/marketplace/requests/{request_id}/decide",
                                         data=_form(seen.text, action="decline", reason="", version="1"))
    assert declined_without_reason.status_code == 422 and "거절 사유를" in declined_without_reason.text
    accepted = owner.post(f"/marketplace/requests/{request_id}/decide", follow_redirects=False,
                          data=_form(seen.text, action="accept", version="1"))
    assert accepted.status_code == 303
    mine = founder.get(f"/marketplace/requests/{request_id}")
    assert "전자약정서" in mine.text and "수락" in mine.text
    sha = re.search(r'name="document_sha256" value="([0-9a-f]{64})"', mine.text).group(1)  # type: ignore[union-attr]
    tampered = founder.post(f"/marketplace/requests/{request_id}/sign",
                            data=_form(mine.text, document_sha256="0" * 64, version="2"))
    assert tampered.status_code == 422 and "보신 약정서가 현재 약정서와 다릅니다" in tampered.text
    assert founder.post(f"/marketplace/requests/{request_id}/sign", follow_redirects=False,
                        data=_form(mine.text, document_sha256=sha, version="2")).status_code == 303
    theirs = owner.get(f"/marketplace/requests/{request_id}")
    assert owner.post(f"/marketplace/requests/{request_id}/sign", follow_redirects=False,
                      data=_form(theirs.text, document_sha256=sha, version="2")).status_code == 303

    with app.state.app.db.unit_of_work() as db:
        assert db.get(RequestRow, request_id).state == "agreed"
        assert db.get(RequestRow, second_id).state == "declined"
        assert "다른 기업과 약정" in db.get(RequestRow, second_id).reason
        assert db.get(ListingRow, listing_id).state == "closed"
        actions = [e.action for e in history(db, f"asset_request:{request_id}")]
        assert actions == ["market.request.create", "market.request.accept", "market.agreement.sign",
                           "market.agreement.sign"]
        assert [e.action for e in history(db, f"listing:{listing_id}")][-1] == "market.deal.agreed"
        figures = {f.kind: f for f in services.figures(db)}
        assert figures["instrument"].deals >= 1 and figures["instrument"].value_won >= 500_000 * 3
        # the deal is an outcome of the marketplace program, for the requesting SME: the KPI
        # actuals count it (one deal, the monthly rent times the months agreed)
        recorded = db.scalars(select(RecordedOutcomeRow).where(RecordedOutcomeRow.source_kind == "asset_deal",
                                                               RecordedOutcomeRow.source_id == request_id))
        got = {r.measure: (r.value, r.program_id, r.agency_id, r.firm_id) for r in recorded}
        firm = db.get(RequestRow, request_id).firm_id
        assert got == {"asset_deals": (1, "fki-idle-asset-marketplace", "fki-sme", firm),
                       "asset_deal_won": (deal_value("lease", 500_000, today, today + timedelta(days=90)),
                                          "fki-idle-asset-marketplace", "fki-sme", firm)}
        assert kpi.outcome_total(db, "fki-idle-asset-marketplace", today.year, "asset_deals") >= 1
        agreement = db.scalar(select(DealAgreementRow).where(DealAgreementRow.request_id == request_id))
        agreement.document = "changed"  # a concluded agreement never changes (database trigger)
        with pytest.raises(Exception, match="cannot change"):
            db.flush()
        db.rollback()
    # the closed listing: gone from search, still seen by the two firms, not by an outsider
    assert f"/marketplace/listings/{listing_id}\"" not in founder.get("/marketplace", params={"q": "좌표측정기"}).text
    assert founder.get(f"/marketplace/listings/{listing_id}").status_code == 200
    with _client(app, "crisis@onestop.demo") as outsider:
        assert outsider.get(f"/marketplace/listings/{listing_id}").status_code == 404
    # asking again for what is no longer available: a clear message, nothing saved
    again = exporter.post(f"/marketplace/listings/{listing_id}/requests", data=_form(
        page2.text, firm_id=_firm_id(page2.text), purpose="다시 한 번 신청해 봅니다. 석 달 사용 희망.",
        wanted_from=today.isoformat(), wanted_until=(today + timedelta(days=30)).isoformat()))
    assert again.status_code == 422 and "더 이상 신청할 수 없습니다" in again.text
    officer = _client(app, "officer.kosmes@onestop.demo")
    assert "약정 체결" in officer.get("/officer/marketplace").text
    assert founder.get("/officer/marketplace").status_code == 404


def test_two_firms_and_two_owners_see_only_their_own(app: Any, client: TestClient, owner: TestClient,
                                                    founder: TestClient, exporter: TestClient) -> None:
    # a second large company registers as an asset owner through the page
    other = Api(client)
    firm = other.register_firm(name="미래화학 주식회사", brn=fresh_brn(), in_large_business_group=True)
    with TestClient(app) as second_owner:
        assert page_login(second_owner, other.email, Api.PASSWORD).status_code == 303
        desk = second_owner.get("/marketplace/owner")
        assert second_owner.post("/marketplace/owner/register", follow_redirects=False,
                                 data=_form(desk.text, firm_id=str(firm["id"]))).status_code == 303
        mine = _listing(app, other.email, title="미래화학 유휴 항온항습 챔버")
        theirs = _listing(app)
        page = founder.get(f"/marketplace/listings/{theirs}")
        r = founder.post(f"/marketplace/listings/{theirs}/requests", follow_redirects=False, data=_form(
            page.text, firm_id=_firm_id(page.text), purpose="시제품 단면 분석에 두 달 동안 사용하려 합니다.",
            wanted_from=services.today_kst().isoformat(),
            wanted_until=(services.today_kst() + timedelta(days=60)).isoformat()))
        request_id = int(r.headers["location"].rsplit("/", 1)[1])
        # the other owner and the other firm: not found, for reading and for acting
        for outsider in (second_owner, exporter):
            assert outsider.get(f"/marketplace/requests/{request_id}").status_code == 404
            token = outsider.get("/marketplace").text
            assert outsider.post(f"/marketplace/requests/{request_id}/decide",
                                 data=_form(token, action="accept")).status_code == 404
        assert second_owner.post(f"/marketplace/listings/{theirs}/withdraw", data=_form(desk.text)).status_code == 404
        assert owner.post(f"/marketplace/listings/{mine}/withdraw",
                          data=_form(owner.get("/marketplace").text)).status_code == 404
        own_firm = str(firm["id"])
        assert owner.get(f"/marketplace/owner/{own_firm}/listings/new").status_code == 404
        # the requesting firm cannot accept its own request; the owner cannot withdraw it
        seen = founder.get(f"/marketplace/requests/{request_id}")
        r = founder.post(f"/marketplace/requests/{request_id}/decide", data=_form(seen.text, action="accept"))
        assert r.status_code == 422 and "지금 할 수 있는 일: 신청 취소" in r.text
        assert "대한정밀중공업" not in second_owner.get("/marketplace/owner").text
        assert f"#{request_id}" not in exporter.get("/marketplace/requests").text


def test_a_small_firm_cannot_register_as_a_large_company(app: Any, founder: TestClient) -> None:
    desk = founder.get("/marketplace/owner")
    r = founder.post("/marketplace/owner/register", data=_form(desk.text, firm_id=_firm_id(desk.text)))
    assert r.status_code == 422
    assert "대기업·중견기업" in r.text and "자산 보유 기관으로" in r.text
    en = founder.post("/marketplace/owner/register?lang=en", data=_form(desk.text, firm_id=_firm_id(desk.text)))
    assert "is not shown to be beyond the SME range" in en.text


def test_listing_form_names_each_bad_field_and_keeps_input(app: Any, owner: TestClient) -> None:
    desk = owner.get("/marketplace/owner")
    firm_id = re.search(r"/marketplace/owner/(\d+)/listings/new", desk.text).group(1)  # type: ignore[union-attr]
    form = owner.get(f"/marketplace/owner/{firm_id}/listings/new")
    r = owner.post(f"/marketplace/owner/{firm_id}/listings/new", data=_form(
        form.text, kind="patent", title="배터리 특허", description="리튬 배터리 분리막 코팅 특허입니다.",
        region="99", terms="price", price_won="천만원", available_from="2020-01-01", patent_number="10-2020-0012345"))
    assert r.status_code == 422
    assert "출원번호(권리구분-연도-일련번호) 형식입니다" in r.text
    assert "가격은 1원 이상의 정수" in r.text and "오늘(" in r.text and 'value="천만원"' in r.text
    assert 'id="region" name="region" value="99"' in r.text
    ok = owner.post(f"/marketplace/owner/{firm_id}/listings/new", follow_redirects=False, data=_form(
        form.text, kind="patent", title="배터리 특허", description="리튬 배터리 분리막 코팅 특허입니다.",
        region="30200", terms="price", price_won="10,000,000", available_from=services.today_kst().isoformat(),
        patent_number="특허 제1253502호"))
    assert ok.status_code == 303
    assert "10-1253502" in owner.get(ok.headers["location"]).text


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 90, 160)).save(buf, format="PNG")
    return buf.getvalue()


def test_photos_are_sniffed_images_and_shown_with_the_listing(app: Any, owner: TestClient, founder: TestClient) -> None:
    listing_id = _listing(app)
    page = owner.get(f"/marketplace/listings/{listing_id}")
    pdf = owner.post(f"/marketplace/listings/{listing_id}/photos", data=_form(page.text),
                     files={"file": ("photo.png", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer<<>>\n%%EOF\n", "image/png")})
    assert pdf.status_code == 422
    ok = owner.post(f"/marketplace/listings/{listing_id}/photos", data=_form(page.text), follow_redirects=False,
                    files={"file": ("장비 사진.png", _png(), "image/png")})
    assert ok.status_code == 303
    shown = founder.get(f"/marketplace/listings/{listing_id}")
    src = re.search(r'<img src="(/marketplace/listings/\d+/photos/\d+)"', shown.text).group(1)  # type: ignore[union-attr]
    image = founder.get(src)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert founder.post(f"/marketplace/listings/{listing_id}/photos", data=_form(shown.text),
                        files={"file": ("x.png", _png(), "image/png")}).status_code == 404


def test_services_refuse_a_second_request_and_an_officer(app: Any) -> None:
    listing_id = _listing(app)
    today = services.today_kst()
    raw = {"purpose": "연구 시제품 분석에 한 달간 사용하려 합니다.", "wanted_from": today.isoformat(),
           "wanted_until": (today + timedelta(days=30)).isoformat()}
    with app.state.app.db.unit_of_work() as db:
        who = principal(db, "seoul@onestop.demo")
        firm_id = min(who.firms)
        services.request_listing(db, who, listing_id, firm_id, raw)
        with pytest.raises(DomainError) as twice:
            services.request_listing(db, who, listing_id, firm_id, raw)
        assert twice.value.code == "duplicate_request"
        with pytest.raises(DomainError) as officer:
            services.request_listing(db, principal(db, "officer.kosmes@onestop.demo"), listing_id, firm_id, raw)
        assert officer.value.code == "staff_account"


def test_the_cli_searches_as_the_page_does(database_url: str) -> None:
    import json

    from typer.testing import CliRunner

    from onestop.cli import app as cli_app

    runner = CliRunner()
    r = runner.invoke(cli_app, ["marketplace", "search", "감속기 특허를", "--json", "--database-url", database_url])
    assert r.exit_code == 0, r.output
    found = json.loads(r.output)
    assert found["listings"][0]["patent_number"] == "10-1873422" and found["listings"][0]["kind"] == "patent"
    bad = runner.invoke(cli_app, ["marketplace", "search", "--region", "99", "--database-url", database_url])
    assert bad.exit_code == 1 and "Region code '99' is unknown" in bad.output


def test_listing_and_request_pages_read_in_english(app: Any, founder: TestClient) -> None:
    from tests.integration.test_english_pages import korean_left, proper_names

    listing_id = _listing(app)
    page = founder.get(f"/marketplace/listings/{listing_id}")
    r = founder.post(f"/marketplace/listings/{listing_id}/requests", follow_redirects=False, data=_form(
        page.text, firm_id=_firm_id(page.text), purpose="시제품 단면 분석에 두 달 동안 사용하려 합니다.",
        wanted_from=services.today_kst().isoformat(),
        wanted_until=(services.today_kst() + timedelta(days=60)).isoformat()))
    names = proper_names(app)
    for url in (f"/marketplace/listings/{listing_id}", r.headers["location"]):
        english = founder.get(url, params={"lang": "en"})
        assert english.status_code == 200 and "KRW 300,000 a month" in english.text
        assert korean_left(english.text, names) == []


def test_staff_answer_requests_but_only_owners_sign_and_withdrawing_closes_requests(app: Any, client: TestClient) -> None:
    from onestop.accounts import services as accounts
    from onestop.accounts.model import FirmRole

    listing_id, second = _listing(app), _listing(app)
    staff_user = Api(client)
    today = services.today_kst()
    raw = {"purpose": "연구 시제품 분석에 한 달간 사용하려 합니다.", "wanted_from": today.isoformat(),
           "wanted_until": (today + timedelta(days=30)).isoformat()}
    with app.state.app.db.unit_of_work() as db:
        owner_firm = services.owner_firms(db, principal(db, OWNER))[0].firm_id
        accounts.add_member(db, principal(db, staff_user.email).user_id, owner_firm, FirmRole.staff)
        founder = principal(db, "founder@onestop.demo")
        req = services.request_listing(db, founder, listing_id, min(founder.firms), raw)
        staff = principal(db, staff_user.email)
        services.decide(db, staff, req.id, "accept")
        agreement = services.agreement_of(db, req.id)
        assert agreement is not None
        with pytest.raises(DomainError) as e:
            services.sign(db, staff, req.id, agreement.document_sha256, "127.0.0.1")
        assert e.value.code == "forbidden" and "대표 관리자" in e.value.ko
        other = principal(db, "exporter@onestop.demo")
        asked = services.request_listing(db, other, second, min(other.firms), raw)
        services.withdraw_listing(db, staff, second)
        assert asked.state == "declined" and "게시 중단" in asked.reason
        with pytest.raises(DomainError) as gone:
            services.request_listing(db, founder, second, min(founder.firms), raw)
        assert gone.value.code == "listing_unavailable"


def _settle() -> None:
    import threading

    for thread in threading.enumerate():
        if thread.name == "marketplace-index":
            thread.join(timeout=60)


def test_a_large_index_is_rebuilt_in_the_background_and_never_shows_a_closed_listing(
        app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "SYNC_REBUILD_MAX", 0)
    first = _listing(app, title="초정밀 레이저 가공기 유휴 설비")
    database = app.state.app.db
    query = services.SearchQuery(text="레이저 가공기")
    with database.unit_of_work() as db:
        services.search(db, query)  # an index existed: it answers while the new one is built
    _settle()
    with database.unit_of_work() as db:
        assert first in [r.id for r in services.search(db, query)[1]]
        services.withdraw_listing(db, principal(db, OWNER), first)
    second = _listing(app, title="초정밀 레이저 가공기 예비 설비")
    with database.unit_of_work() as db:
        ids = [r.id for r in services.search(db, query)[1]]
        assert first not in ids and second not in ids  # the previous index has the first; its row says withdrawn
    _settle()
    with database.unit_of_work() as db:
        ids = [r.id for r in services.search(db, query)[1]]
        assert second in ids and first not in ids


def test_the_json_api_searches_and_reads_listings_with_the_pages_authorization(app: Any, client: TestClient,
                                                                              owner: TestClient) -> None:
    listing_id = _listing(app, title="초정밀 레이저 가공기 (API 시험)", kind="equipment", terms="price",
                          price_won="9,000,000", available_until="")
    found = client.get("/api/v1/marketplace/listings", params={"q": "레이저 가공기", "kind": "equipment",
                                                                "region": "30", "max_price": "9,000,000"})
    assert found.status_code == 200
    body = found.json()
    item = next(x for x in body["items"] if x["id"] == listing_id)
    assert (item["kind"], item["kind_ko"], item["terms"], item["price_won"], item["owner"]) == (
        "equipment", "생산 설비", "price", 9_000_000, "대한정밀중공업 주식회사")
    assert body["page"] == 1 and body["total"] >= 1
    cheaper = client.get("/api/v1/marketplace/listings", params={"q": "레이저 가공기", "max_price": "8,999,999"})
    assert listing_id not in [x["id"] for x in cheaper.json()["items"]]
    bad = client.get("/api/v1/marketplace/listings", params={"max_price": "구백만"})
    assert bad.status_code == 422 and "max_price" in bad.text and "최대 가격" in bad.text
    assert client.get("/api/v1/marketplace/listings", params={"kind": "yacht"}).status_code == 422
    assert client.get(f"/api/v1/marketplace/listings/{listing_id}").json()["title"] == "초정밀 레이저 가공기 (API 시험)"
    with app.state.app.db.unit_of_work() as db:
        services.withdraw_listing(db, principal(db, OWNER), listing_id)
    assert client.get(f"/api/v1/marketplace/listings/{listing_id}").status_code == 404  # no longer open
    assert owner.get(f"/api/v1/marketplace/listings/{listing_id}").json()["state"] == "withdrawn"  # its owner
    assert client.get("/api/v1/marketplace/listings/999999").status_code == 404
