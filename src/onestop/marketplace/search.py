"""Marketplace search: Korean keywords ranked by BM25 (the catalog's morpheme terms and formula),
with filters by kind, region, terms and price, over up to hundreds of thousands of listings.

The catalog's `KeywordIndex` scores every document for every query, which is right for a few
hundred programs and too slow for 100,000 listings; this index keeps postings per term (numpy
arrays of document positions and term frequencies) and the filters as columns, so a query costs
the postings of its terms plus one pass over the filter columns. Listings store their terms when
they are written (`terms_of`), so building the index never runs the morpheme analyser. The two
agree on scores (tests/unit/test_marketplace_model.py checks it with hypothesis).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from onestop.catalog.search import terms as morpheme_terms

K1 = 1.2
B = 0.75
KINDS = ("patent", "equipment", "instrument", "space")
TERMS = ("free", "price", "lease")


def terms_of(text: str) -> list[str]:
    """The search terms of a listing's text (title, description, kind and region names)."""
    return morpheme_terms(text)


@dataclass(frozen=True)
class Doc:
    """One open listing as the index sees it."""

    id: int
    kind: str
    region: str  # 2-digit 시도 or 5-digit 시군구 code
    terms_kind: str
    price_won: int
    terms: Sequence[str]


@dataclass(frozen=True)
class Filters:
    kinds: frozenset[str] = frozenset()
    #: 2-digit 시도 or 5-digit 시군구 codes; a listing matches when its code starts with one
    regions: frozenset[str] = frozenset()
    terms_kinds: frozenset[str] = frozenset()
    #: at most this many won (a free listing costs 0)
    max_price: int | None = None


@dataclass(frozen=True)
class Hit:
    id: int
    score: float


@dataclass
class Result:
    hits: list[Hit]
    total: int
    #: query terms that no listing has (shown as "no listing mentions …")
    unknown_terms: list[str] = field(default_factory=list)


class ListingIndex:
    """BM25 postings and filter columns over open listings."""

    def __init__(self, docs: Iterable[Doc]) -> None:
        ids: list[int] = []
        kinds: list[int] = []
        sido: list[int] = []
        sigungu: list[int] = []
        terms_kind: list[int] = []
        prices: list[int] = []
        lengths: list[int] = []
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for pos, doc in enumerate(docs):
            ids.append(doc.id)
            kinds.append(KINDS.index(doc.kind))
            sido.append(int(doc.region[:2]))
            sigungu.append(int(doc.region) if len(doc.region) == 5 else 0)
            terms_kind.append(TERMS.index(doc.terms_kind))
            prices.append(doc.price_won)
            tf = Counter(doc.terms)
            lengths.append(sum(tf.values()))
            for term, count in tf.items():
                entry = postings.get(term)
                if entry is None:
                    entry = postings[term] = ([], [])
                entry[0].append(pos)
                entry[1].append(count)
        self.n = len(ids)
        self.ids: npt.NDArray[np.int64] = np.asarray(ids, dtype=np.int64)
        self._kind = np.asarray(kinds, dtype=np.int8)
        self._sido = np.asarray(sido, dtype=np.int16)
        self._sigungu = np.asarray(sigungu, dtype=np.int32)
        self._terms = np.asarray(terms_kind, dtype=np.int8)
        self._price = np.asarray(prices, dtype=np.int64)
        length = np.asarray(lengths, dtype=np.float64)
        avg = float(length.mean()) if self.n else 1.0
        self._norm = K1 * (1 - B + B * length / (avg or 1.0))
        n = max(1, self.n)
        self._postings = {t: (np.asarray(p, dtype=np.int32), np.asarray(f, dtype=np.float64))
                          for t, (p, f) in postings.items()}
        self._idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, (p, _) in postings.items()}

    def _mask(self, f: Filters) -> npt.NDArray[np.bool_] | None:
        mask: npt.NDArray[np.bool_] | None = None

        def both(m: npt.NDArray[np.bool_]) -> None:
            nonlocal mask
            mask = m if mask is None else mask & m

        if f.kinds:
            both(np.isin(self._kind, [KINDS.index(k) for k in f.kinds if k in KINDS]))
        if f.terms_kinds:
            both(np.isin(self._terms, [TERMS.index(k) for k in f.terms_kinds if k in TERMS]))
        if f.regions:
            sidos = [int(r) for r in f.regions if len(r) == 2]
            districts = [int(r) for r in f.regions if len(r) == 5]
            m = np.isin(self._sido, sidos) if sidos else np.zeros(self.n, dtype=np.bool_)
            if districts:
                m = m | np.isin(self._sigungu, districts)
            both(m)
        if f.max_price is not None:
            both(self._price <= f.max_price)
        return mask

    def scores(self, query_terms: Iterable[str]) -> dict[int, float]:
        """Listing id → BM25 score, for listings that have a query term (the catalog's formula)."""
        acc, touched = self._accumulate(set(query_terms))
        return {int(self.ids[i]): float(acc[i]) for i in np.flatnonzero(touched)}

    def _accumulate(self, query: set[str]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        acc = np.zeros(self.n, dtype=np.float64)
        touched = np.zeros(self.n, dtype=np.bool_)
        for term in query:
            found = self._postings.get(term)
            if found is None:
                continue
            pos, tf = found
            acc[pos] += self._idf[term] * tf * (K1 + 1) / (tf + self._norm[pos])
            touched[pos] = True
        return acc, touched

    def search(self, query_terms: Sequence[str], filters: Filters = Filters(), limit: int = 20,
               offset: int = 0) -> Result:
        """The best `limit` listings from `offset` (BM25 score, then the newest first); without
        query terms, the newest listings that pass the filters."""
        query = set(query_terms)
        mask = self._mask(filters)
        unknown = sorted(t for t in query if t not in self._postings and not _is_bigram_of(t, query))
        if query:
            acc, touched = self._accumulate(query)
            keep = touched if mask is None else touched & mask
            where = np.flatnonzero(keep)
            total = int(where.size)
            scores = acc[where]
            k = offset + limit
            if 0 < k < total:  # only the best k (and any tied with the k-th) need sorting
                kth = np.partition(-scores, k - 1)[k - 1]
                near = np.flatnonzero(-scores <= kth)
                where, scores = where[near], scores[near]
            # highest score first; equal scores: the newest listing (highest id) first
            order = np.lexsort((-self.ids[where], -scores))
            chosen = where[order[offset:k]]
            hits = [Hit(int(self.ids[i]), float(acc[i])) for i in chosen]
            return Result(hits, total, unknown)
        where = np.flatnonzero(mask) if mask is not None else np.arange(self.n)
        total = int(where.size)
        k = offset + limit
        if 0 < k < total:  # ids are unique: the k highest, then sorted
            where = where[np.argpartition(-self.ids[where], k - 1)[:k]]
        newest = where[np.argsort(-self.ids[where], kind="stable")][offset:k]
        return Result([Hit(int(self.ids[i]), 0.0) for i in newest], total, [])


def _is_bigram_of(term: str, query: set[str]) -> bool:
    """Bigrams are indexing aids (a compound typed without spaces), not words to report missing."""
    return len(term) == 2 and any(len(q) > 2 and term in q for q in query)
