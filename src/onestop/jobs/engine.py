"""The match score of `model.score` computed for many at once (numpy), for ranking: one seeker
against every open posting, one posting against every seeker who may be found. Only the top
of a ranking is then explained with `model.score`, part by part; a property test keeps the two
computations equal.

Codes are compared level by level through dictionary-encoded prefixes: KSCO codes are
prefix-coded, so the level two codes share is the number of their prefixes that are equal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from onestop.jobs.model import (
    EDUCATION_RANK,
    EXPERIENCE_SHARE,
    HELD_SHARE,
    MAX_OCCUPATIONS,
    OCCUPATION_POINTS,
    PROGRAMS,
    REGION_POINTS,
    WEIGHTS,
    AgeGroup,
    Commute,
    EmploymentType,
    Experience,
    Match,
    Names,
    PayUnit,
    Posting,
    Seeker,
    age_groups,
    hours_in,
    score,
)

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

_TYPES = list(EmploymentType)
_UNITS = list(PayUnit)
_COMMUTES = list(Commute)
_PROGRAMS = list(PROGRAMS)
SLOTS = MAX_OCCUPATIONS


class _Vocab:
    """String → small int, shared by every prefix level and every licence/term."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def id(self, value: str) -> int:
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = len(self.ids)
        return found

    def get(self, value: str) -> int:
        return self.ids.get(value, -2)


def _prefixes(vocab: _Vocab, code: str) -> list[int]:
    return [vocab.id(f"{level}:{code[:level]}") if len(code) >= level else -1 for level in range(1, 6)]


def _levels(pref: npt.NDArray[np.int64] | npt.NDArray[np.int32], code: str, vocab: _Vocab) -> Ints:
    """Shared level of `code` with each row's code, given the rows' prefix ids (…, 5)."""
    out = np.zeros(pref.shape[:-1], dtype=np.int64)
    for level in range(1, 6):
        want = vocab.get(f"{level}:{code[:level]}") if len(code) >= level else -3
        out += pref[..., level - 1] == want
    return out


def _lookup(table: dict[int, float], levels: Ints) -> Floats:
    return np.array([table[i] for i in range(6)], dtype=np.float64)[levels]


def _program_mask(groups: frozenset[str], career_break: bool) -> int:
    mask = 0
    for i, p in enumerate(_PROGRAMS):
        who = PROGRAMS[p][0]
        if who in groups or (who == "career_break" and career_break):
            mask |= 1 << i
    return mask


@dataclass
class _Csr:
    """Sets of ids per row (licences, terms) as flat arrays, and the inverted index."""

    offsets: Ints
    ids: Ints
    counts: Ints
    by_id: dict[int, Ints]

    @classmethod
    def build(cls, sets: Sequence[Sequence[int]]) -> _Csr:
        counts = np.array([len(s) for s in sets], dtype=np.int64)
        offsets = np.zeros(len(sets) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        ids = np.fromiter((x for s in sets for x in s), dtype=np.int64, count=int(offsets[-1]))
        rows = np.repeat(np.arange(len(sets), dtype=np.int64), counts)
        order = np.argsort(ids, kind="stable")
        by_id: dict[int, Ints] = {}
        if len(ids):
            sorted_ids, sorted_rows = ids[order], rows[order]
            cuts = np.flatnonzero(np.diff(sorted_ids)) + 1
            for chunk_ids, chunk_rows in zip(np.split(sorted_ids, cuts), np.split(sorted_rows, cuts), strict=True):
                by_id[int(chunk_ids[0])] = chunk_rows
        return cls(offsets, ids, counts, by_id)

    def hits(self, wanted: Sequence[int], n: int) -> Ints:
        """How many of `wanted` each row holds."""
        out = np.zeros(n, dtype=np.int64)
        for w in set(wanted):
            rows = self.by_id.get(w)
            if rows is not None:
                out[rows] += 1
        return out

    def row(self, i: int) -> list[int]:
        return [int(x) for x in self.ids[self.offsets[i]:self.offsets[i + 1]]]


class PostingTable:
    """Open postings as columns, to rank them for one seeker."""

    def __init__(self, postings: Sequence[Posting], terms: Callable[[Posting], frozenset[str]]) -> None:
        self.postings = list(postings)
        self.vocab = _Vocab()
        v = self.vocab
        n = len(self.postings)
        self.n = n
        self.pref: Ints = np.array([_prefixes(v, p.occupation) for p in self.postings], dtype=np.int64).reshape(n, 5)
        self.region = np.array([int(p.region) for p in self.postings], dtype=np.int64)
        self.type_idx = np.array([_TYPES.index(p.employment_type) for p in self.postings], dtype=np.int64)
        self.hours = np.array([p.hours_per_week for p in self.postings], dtype=np.int64)
        self.pay = np.array([p.pay_won for p in self.postings], dtype=np.float64)
        self.pay_unit = np.array([_UNITS.index(p.pay_unit) for p in self.postings], dtype=np.int64)
        self.edu = np.array([EDUCATION_RANK.get(p.education_min, 0) for p in self.postings], dtype=np.int64)
        self.career = np.array([p.career_years for p in self.postings], dtype=np.float64)
        self.programs = np.array([sum(1 << _PROGRAMS.index(x) for x in p.programs if x in PROGRAMS)
                                  for p in self.postings], dtype=np.int64)
        self.licences = _Csr.build([[v.id("lic:" + x) for x in p.licences] for p in self.postings])
        self.term_sets = [terms(p) for p in self.postings]
        self.terms = _Csr.build([[v.id("t:" + t) for t in ts] for ts in self.term_sets])
        # hours one pay unit stands for, by unit, at each posting's hours (for pay comparisons)
        self.unit_hours = np.array([[float(hours_in(u, int(h))) for u in _UNITS] for h in self.hours],
                                   dtype=np.float64).reshape(n, len(_UNITS))

    def scores(self, seeker: Seeker, groups: frozenset[str], seeker_terms: frozenset[str]) -> Floats:
        n, v = self.n, self.vocab
        occ = np.zeros(n, dtype=np.float64)
        for c in seeker.sought:
            occ = np.maximum(occ, _lookup(OCCUPATION_POINTS, _levels(self.pref, c, v)))
        years = np.zeros(n, dtype=np.float64)
        for e in seeker.held:
            levels = _levels(self.pref, e.occupation, v)
            occ = np.maximum(occ, _lookup(OCCUPATION_POINTS, levels) * HELD_SHARE)
            years += e.years * _lookup(EXPERIENCE_SHARE, levels)
        w = WEIGHTS["experience"]
        exp = np.where(self.career == 0, float(w), w * np.minimum(1.0, years / np.maximum(self.career, 1.0)))
        home = int(seeker.region)
        same = self.region == home
        same_sido = self.region // 1000 == home // 1000
        region = np.where(same, REGION_POINTS["district"], 0.0)
        if seeker.commute in (Commute.province, Commute.nationwide):
            region = np.where(~same & same_sido, REGION_POINTS["province"], region)
        if seeker.commute == Commute.nationwide:
            region = np.where(~same_sido, REGION_POINTS["nationwide"], region)
        qual = np.where(EDUCATION_RANK.get(seeker.education, 0) >= self.edu, 5.0, 0.0)
        lic_ids = [v.get("lic:" + x) for x in seeker.licences]
        held = self.licences.hits(lic_ids, n)
        need = self.licences.counts
        qual += np.where(need == 0, 5.0, 5.0 * held / np.maximum(need, 1))
        cond = np.zeros(n, dtype=np.float64)
        if seeker.employment_types:
            wanted = np.zeros(len(_TYPES), dtype=bool)
            for t in seeker.employment_types:
                wanted[_TYPES.index(t)] = True
            cond += np.where(wanted[self.type_idx], 5.0, 0.0)
        else:
            cond += 5.0
        cond += np.where(self.hours <= seeker.max_hours_per_week, 5.0, 0.0)
        if seeker.pay_floor_won > 0:
            pay_hourly = self.pay / self.unit_hours[np.arange(n), self.pay_unit]
            floor_hourly = seeker.pay_floor_won / self.unit_hours[:, _UNITS.index(seeker.pay_floor_unit)]
            cond += 5.0 * np.minimum(1.0, pay_hourly / floor_hourly)
        else:
            cond += 5.0
        text = np.zeros(n, dtype=np.float64)
        if seeker_terms:
            found = self.terms.hits([v.get("t:" + t) for t in seeker_terms], n)
            text = WEIGHTS["text"] * found / len(seeker_terms)
        mask = _program_mask(groups, seeker.career_break)
        programs = np.where(self.programs & mask, float(WEIGHTS["programs"]), 0.0)
        total: Floats = occ + exp + region + qual + cond + text + programs
        return total

    def rank(self, seeker: Seeker, groups: frozenset[str], seeker_terms: frozenset[str], limit: int,
             names: Names | None = None, open_on: date | None = None) -> list[Match]:
        """The top `limit` postings for the seeker, each explained."""
        if self.n == 0:
            return []
        s = self.scores(seeker, groups, seeker_terms)
        if open_on is not None:
            opens = np.array([p.opens_on <= open_on <= p.closes_on for p in self.postings])
            s = np.where(opens, s, -1.0)
        top = _top(s, limit)
        return [score(seeker, self.postings[i], groups, seeker_terms, self.term_sets[i], names) for i in top]


def _top(s: Floats, limit: int) -> list[int]:
    """Indexes of the `limit` highest scores (≥ 0), highest first, ties by index."""
    k = min(limit, len(s))
    if k <= 0:
        return []
    cand = np.argpartition(-s, k - 1)[:k] if k < len(s) else np.arange(len(s))
    order = sorted((int(i) for i in cand), key=lambda i: (-float(s[i]), i))
    return [i for i in order if s[i] >= 0]


class SeekerTable:
    """Seekers who may be found, as columns, to rank them for one posting."""

    def __init__(self, seekers: Sequence[Seeker], terms: Sequence[frozenset[str]], on: date,
                 groups: Sequence[AgeGroup]) -> None:
        self.ids = np.array([s.id for s in seekers], dtype=np.int64)
        n = self.n = len(seekers)
        self.vocab = v = _Vocab()
        self.sought = np.full((n, SLOTS, 5), -1, dtype=np.int32)
        self.held = np.full((n, SLOTS, 5), -1, dtype=np.int32)
        self.held_years = np.zeros((n, SLOTS), dtype=np.float64)
        self.held_codes: list[tuple[Experience, ...]] = []
        self.sought_codes: list[tuple[str, ...]] = []
        for i, s in enumerate(seekers):
            for j, c in enumerate(s.sought[:SLOTS]):
                self.sought[i, j] = _prefixes(v, c)
            for j, e in enumerate(s.held[:SLOTS]):
                self.held[i, j] = _prefixes(v, e.occupation)
                self.held_years[i, j] = e.years
            self.held_codes.append(s.held[:SLOTS])
            self.sought_codes.append(s.sought[:SLOTS])
        self.region = np.array([int(s.region) for s in seekers], dtype=np.int64)
        self.commute = np.array([_COMMUTES.index(s.commute) for s in seekers], dtype=np.int64)
        self.edu = np.array([EDUCATION_RANK.get(s.education, 0) for s in seekers], dtype=np.int64)
        self.types = np.array([sum(1 << _TYPES.index(t) for t in s.employment_types) for s in seekers], dtype=np.int64)
        self.max_hours = np.array([s.max_hours_per_week for s in seekers], dtype=np.int64)
        self.floor = np.array([s.pay_floor_won for s in seekers], dtype=np.float64)
        self.floor_unit = np.array([_UNITS.index(s.pay_floor_unit) for s in seekers], dtype=np.int64)
        self.program_mask = np.array([_program_mask(frozenset(g.id for g in age_groups(s.birth_year, on, groups)),
                                                    s.career_break) for s in seekers], dtype=np.int64)
        self.licences = _Csr.build([[v.id("lic:" + x) for x in s.licences] for s in seekers])
        self.term_sets = list(terms)
        self.terms = _Csr.build([[v.id("t:" + t) for t in ts] for ts in self.term_sets])
        self.seekers = list(seekers)
        self.groups = list(groups)
        self.on = on

    def scores(self, posting: Posting, posting_terms: frozenset[str]) -> Floats:
        n, v = self.n, self.vocab
        code = posting.occupation
        sought_levels = _levels(self.sought, code, v)
        held_levels = _levels(self.held, code, v)
        occ = np.maximum(_lookup(OCCUPATION_POINTS, sought_levels).max(axis=1),
                         (_lookup(OCCUPATION_POINTS, held_levels) * HELD_SHARE).max(axis=1))
        years = (self.held_years * _lookup(EXPERIENCE_SHARE, held_levels)).sum(axis=1)
        w = WEIGHTS["experience"]
        exp = np.full(n, float(w)) if posting.career_years == 0 else w * np.minimum(1.0, years / posting.career_years)
        there = int(posting.region)
        same = self.region == there
        same_sido = self.region // 1000 == there // 1000
        wide = self.commute >= _COMMUTES.index(Commute.province)
        anywhere = self.commute == _COMMUTES.index(Commute.nationwide)
        region = np.select([same, same_sido & wide, ~same_sido & anywhere],
                           [REGION_POINTS["district"], REGION_POINTS["province"], REGION_POINTS["nationwide"]], 0.0)
        qual = np.where(self.edu >= EDUCATION_RANK.get(posting.education_min, 0), 5.0, 0.0)
        if posting.licences:
            held = self.licences.hits([v.get("lic:" + x) for x in posting.licences], n)
            qual += 5.0 * held / len(posting.licences)
        else:
            qual += 5.0
        bit = 1 << _TYPES.index(posting.employment_type)
        cond = np.where((self.types == 0) | (self.types & bit != 0), 5.0, 0.0)
        cond += np.where(posting.hours_per_week <= self.max_hours, 5.0, 0.0)
        unit_hours = np.array([float(hours_in(u, posting.hours_per_week)) for u in _UNITS])
        pay_hourly = posting.pay_won / float(hours_in(posting.pay_unit, posting.hours_per_week))
        floor_hourly = self.floor / unit_hours[self.floor_unit]
        cond += np.where(floor_hourly <= 0, 5.0, 5.0 * np.minimum(1.0, pay_hourly / np.maximum(floor_hourly, 1e-9)))
        text = np.zeros(n, dtype=np.float64)
        if posting_terms:
            found = self.terms.hits([v.get("t:" + t) for t in posting_terms], n)
            text = np.where(self.terms.counts > 0, WEIGHTS["text"] * found / np.maximum(self.terms.counts, 1), 0.0)
        mask = sum(1 << _PROGRAMS.index(x) for x in posting.programs if x in PROGRAMS)
        programs = np.where(self.program_mask & mask, float(WEIGHTS["programs"]), 0.0)
        total: Floats = occ + exp + region + qual + cond + text + programs
        return total

    def rank(self, posting: Posting, posting_terms: frozenset[str], limit: int,
             names: Names | None = None) -> list[Match]:
        if self.n == 0:
            return []
        top = _top(self.scores(posting, posting_terms), limit)
        out = []
        for i in top:
            s = self.seekers[i]
            groups = frozenset(g.id for g in age_groups(s.birth_year, self.on, self.groups))
            out.append(score(s, posting, groups, self.term_sets[i], posting_terms, names))
        return out
