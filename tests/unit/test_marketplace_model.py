"""The marketplace's pure core: patent registration numbers, listing and request checks, the
request's moves, deal values, and the search index (which must agree with the catalog's BM25)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.catalog.search import KeywordIndex
from onestop.errors import DomainError
from onestop.korea.regions import normalize_region
from onestop.marketplace import model
from onestop.marketplace.search import Doc, Filters, ListingIndex, terms_of

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(("given", "stored"), [
    ("10-1253502", "10-1253502"), ("10-1253502-0000", "10-1253502"), ("101253502", "10-1253502"),
    ("１０－１２５３５０２".replace("－", "-"), "10-1253502"), ("특허 제1253502호", "10-1253502"), ("제1253502호", "10-1253502"),
])
def test_patent_registration_numbers_in_their_written_forms(given: str, stored: str) -> None:
    assert model.normalize_patent_number(given) == stored


@pytest.mark.parametrize(("given", "says_ko", "says_en"), [
    ("10-2011-0004891", "출원번호", "application number"),
    ("20-1253502", "실용신안", "utility model"),
    ("40-1253502", "상표", "trademark"),
    ("10-125350", "형식이 맞지 않습니다", "not recognised"),
    ("", "등록번호가 필요합니다", "needs its registration number"),
])
def test_patent_numbers_that_are_not_registered_patents_are_named(given: str, says_ko: str, says_en: str) -> None:
    with pytest.raises(DomainError) as e:
        model.normalize_patent_number(given)
    assert e.value.field == "patent_number" and says_ko in e.value.ko and says_en in e.value.en


def _listing(**changes: str) -> dict[str, str]:
    return {"kind": "instrument", "title": "3차원 좌표측정기", "description": "정밀 부품 치수 검사용 장비입니다.",
            "region": "30200", "terms": "lease", "price_won": "500,000", "available_from": "2026-12-01",
            "available_until": "2027-06-30", **changes}


def test_a_listing_is_normalised() -> None:
    got = model.parse_listing(_listing(title="  3차원 좌표측정기 ", price_won="５００,０００"), TODAY, normalize_region)
    assert got.title == "3차원 좌표측정기" and got.price_won == 500_000 and got.region == "30200"
    free = model.parse_listing(_listing(terms="free", price_won=""), TODAY, normalize_region)
    assert free.price_won == 0 and free.patent_number is None


def test_every_bad_listing_field_is_named_at_once() -> None:
    with pytest.raises(DomainError) as e:
        model.parse_listing(_listing(kind="car", title="x", region="99", terms="lease", price_won="1.5",
                                     available_from="2026-01-01", available_until="2025-01-01"), TODAY, normalize_region)
    fields = {p.field for p in e.value.problems}
    assert fields == {"kind", "title", "region", "price_won", "available_from", "available_until"}
    assert all(p.ko and p.en for p in e.value.problems)


def test_a_patent_needs_its_number_and_no_lease() -> None:
    with pytest.raises(DomainError) as e:
        model.parse_listing(_listing(kind="patent", terms="lease", patent_number="10-2020-0012345"), TODAY,
                            normalize_region)
    assert {p.code for p in e.value.problems} == {"patent_number", "terms_patent_lease"}
    with pytest.raises(DomainError) as e:
        model.parse_listing(_listing(patent_number="10-1253502"), TODAY, normalize_region)
    assert e.value.problems[0].code == "patent_number_kind"


FACTS = model.ListingFacts("open", "lease", date(2026, 12, 1), date(2027, 6, 30))


def test_a_lease_request_needs_dates_within_the_availability() -> None:
    with pytest.raises(DomainError) as e:
        model.parse_request({"purpose": "짧음", "wanted_from": "2026-11-30", "wanted_until": ""}, FACTS, TODAY)
    assert {p.code for p in e.value.problems} == {"purpose", "wanted_from_early", "wanted_until_required"}
    with pytest.raises(DomainError) as e:
        model.parse_request({"purpose": "시제품 검사에 석 달간 쓰려고 합니다.", "wanted_from": "2027-01-01",
                             "wanted_until": "2027-12-31"}, FACTS, TODAY)
    assert e.value.problems[0].code == "wanted_until_late"
    ok = model.parse_request({"purpose": "시제품 검사에 석 달간 쓰려고 합니다.", "wanted_from": "2027-01-01",
                              "wanted_until": "2027-03-31"}, FACTS, TODAY)
    assert ok.wanted_until == date(2027, 3, 31)


@pytest.mark.parametrize("facts", [model.ListingFacts("closed", "free", TODAY, None),
                                   model.ListingFacts("open", "free", date(2026, 1, 1), date(2026, 11, 29))])
def test_an_asset_no_longer_available_cannot_be_requested(facts: model.ListingFacts) -> None:
    with pytest.raises(DomainError) as e:
        model.parse_request({"purpose": "무엇이든 쓰겠습니다 열 글자 이상", "wanted_from": "2026-12-01"}, facts, TODAY)
    assert e.value.code == "listing_unavailable" and "no longer" in e.value.en


def test_requests_move_only_as_each_side_may() -> None:
    assert model.move("requested", "accept", "owner") == model.RequestState.accepted
    assert model.move("accepted", "agree", "requester") == model.RequestState.agreed
    assert model.move("accepted", "withdraw", "requester") == model.RequestState.withdrawn
    with pytest.raises(DomainError) as e:
        model.move("requested", "accept", "requester")
    assert "신청 취소" in e.value.ko and "withdraw" in e.value.en
    with pytest.raises(DomainError):
        model.move("declined", "accept", "owner")


def test_deal_values_in_won() -> None:
    assert model.deal_value("free", 0, TODAY, None) == 0
    assert model.deal_value("price", 10_000_000, TODAY, None) == 10_000_000
    # 2026-12-01 to 2027-02-28: December, January and part of February → 3 months
    assert model.deal_value("lease", 500_000, date(2026, 12, 1), date(2027, 2, 28)) == 1_500_000
    assert model.deal_value("lease", 500_000, date(2026, 12, 15), date(2027, 1, 14)) == 500_000


CORPUS = [
    "3차원 좌표측정기 정밀 부품 치수 검사 장비 임대",
    "주사전자현미경 배터리 소재 단면 관찰",
    "감속기 기어 소음 저감 구조 특허",
    "연구동 유휴 사무공간 회의실 포함 무상 제공",
    "클린룸 반도체 공정 장비 사출 성형기",
    "배터리 분리막 코팅 특허 양도",
]


def test_the_index_finds_korean_words_with_particles_and_filters() -> None:
    docs = [Doc(i + 1, kind, region, terms, price, terms_of(text)) for i, (text, kind, region, terms, price) in enumerate([
        (CORPUS[0], "instrument", "30200", "lease", 500_000), (CORPUS[1], "instrument", "41135", "lease", 300_000),
        (CORPUS[2], "patent", "30200", "price", 10_000_000), (CORPUS[3], "space", "30", "free", 0),
        (CORPUS[4], "equipment", "48121", "price", 50_000_000), (CORPUS[5], "patent", "11680", "price", 5_000_000)])]
    idx = ListingIndex(docs)
    assert [h.id for h in idx.search(terms_of("좌표측정기를")).hits] == [1]
    assert {h.id for h in idx.search(terms_of("배터리 특허")).hits} == {2, 3, 6}
    assert idx.search(terms_of("배터리 특허")).hits[0].id == 6
    assert [h.id for h in idx.search(terms_of("특허"), Filters(max_price=6_000_000)).hits] == [6]
    assert [h.id for h in idx.search([], Filters(regions=frozenset({"30"}))).hits] == [4, 3, 1]
    assert [h.id for h in idx.search([], Filters(regions=frozenset({"41135"}))).hits] == [2]
    assert [h.id for h in idx.search([], Filters(kinds=frozenset({"space"}), terms_kinds=frozenset({"free"}))).hits] == [4]
    assert idx.search(terms_of("없는단어")).total == 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(CORPUS), min_size=1, max_size=12), st.sampled_from(
    ["배터리", "특허 양도", "장비를 임대", "정밀 검사", "무상 사무공간", "반도체"]))
def test_the_index_scores_as_the_catalog_bm25_does(texts: list[str], query: str) -> None:
    docs = [Doc(i + 1, "instrument", "11", "free", 0, terms_of(t)) for i, t in enumerate(texts)]
    expected = KeywordIndex((str(i + 1), t) for i, t in enumerate(texts)).score(query)
    got = ListingIndex(docs).scores(terms_of(query))
    assert set(got) == {int(k) for k in expected}
    for doc_id, score in got.items():
        assert score == pytest.approx(expected[str(doc_id)], rel=1e-9)


def test_results_are_paged_without_overlap() -> None:
    docs = [Doc(i, "space", "11", "free", 0, ["사무실"]) for i in range(1, 46)]
    idx = ListingIndex(docs)
    pages = [idx.search(["사무실"], limit=20, offset=o).hits for o in (0, 20, 40)]
    ids = [h.id for page in pages for h in page]
    assert len(ids) == 45 == len(set(ids)) and ids[0] == 45


def test_far_availability_is_refused() -> None:
    far = (TODAY + timedelta(days=model.MAX_AVAILABILITY_DAYS + 5)).isoformat()
    with pytest.raises(DomainError) as e:
        model.parse_listing(_listing(available_from=far, available_until=""), TODAY, normalize_region)
    assert e.value.problems[0].code == "available_from_far"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["장비", "특허", "공간", "임대", "무상"]), min_size=1, max_size=4),
                min_size=1, max_size=40),
       st.sampled_from([["장비"], ["특허", "임대"], []]), st.integers(1, 7), st.integers(0, 12))
def test_a_page_of_results_is_the_slice_of_the_full_ranking(docs: list[list[str]], query: list[str], limit: int,
                                                           offset: int) -> None:
    idx = ListingIndex(Doc(i + 1, "space", "11", "free", 0, terms) for i, terms in enumerate(docs))
    if query:
        scores = idx.scores(query)
        ranking = sorted(scores, key=lambda d: (-scores[d], -d))
    else:
        ranking = sorted(range(1, len(docs) + 1), reverse=True)
    got = idx.search(query, limit=limit, offset=offset)
    assert got.total == len(ranking)
    assert [h.id for h in got.hits] == ranking[offset:offset + limit]
