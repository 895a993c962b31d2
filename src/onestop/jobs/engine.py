"""The match score of `model.score` computed for many at once (numpy), for ranking: one seeker
against every open posting, one posting against every seeker who may be found. Only the top
of a ranking is then explained with `model.score`, part by part; a property test keeps the two
computations equal.

Occupation codes and regions are stored as indexes into their distinct values: what a seeker's
code earns against each distinct posting code (≤ 1,999 KSCO codes) is computed once and then
gathered for every row, so a ranking is a dozen passes over the columns.
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


class _Codes:
    """Occupation codes as small ints into a list of the distinct codes: the level two codes
    share is computed once per distinct code (≤ 1,999, from their prefixes) and gathered for
    every row."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.codes: list[str] = []
        self._prefix_ids: dict[str, int] = {}
        self._pref: Ints | None = None

    def id(self, code: str) -> int:
        found = self.ids.get(code)
        if found is None:
            found = self.ids[code] = len(self.codes)
            self.codes.append(code)
            self._pref = None
        return found

    def _prefix(self, p: str) -> int:
        return self._prefix_ids.setdefault(p, len(self._prefix_ids))

    def levels(self, code: str) -> Ints:
        """The level `code` shares with each distinct code, and 0 for "no code" (the last slot)."""
        if self._pref is None:
            self._pref = np.array([[self._prefix(c[:k]) if len(c) >= k else -1 for k in range(1, 6)]
                                   for c in self.codes], dtype=np.int64).reshape(len(self.codes), 5)
        out = np.zeros(len(self.codes) + 1, dtype=np.int64)
        for k in range(1, min(5, len(code)) + 1):
            want = self._prefix_ids.get(code[:k], -2)
            out[:-1] += self._pref[:, k - 1] == want
        return out

    def points(self, code: str, table: dict[int, float]) -> Floats:
        """`table[level shared with code]` for every distinct code, plus 0 for "no code" (-1)."""
        lookup = np.array([table[k] for k in range(6)], dtype=np.float64)
        found: Floats = lookup[self.levels(code)]
        return found


class PostingTable:
    """Open postings as columns, to rank them for one seeker."""

    def __init__(self, postings: Sequence[Posting], terms: Callable[[Posting], frozenset[str]]) -> None:
        self.postings = list(postings)
        self.vocab = v = _Vocab()
        self.occ = _Codes()
        n = self.n = len(self.postings)
        self.code = np.array([self.occ.id(p.occupation) for p in self.postings], dtype=np.int64)
        self.places = _Codes()
        self.place = np.array([self.places.id(p.region) for p in self.postings], dtype=np.int64)
        self.type_idx = np.array([_TYPES.index(p.employment_type) for p in self.postings], dtype=np.int64)
        self.hours = np.array([p.hours_per_week for p in self.postings], dtype=np.int64)
        self.edu = np.array([EDUCATION_RANK.get(p.education_min, 0) for p in self.postings], dtype=np.int64)
        self.career = np.array([p.career_years for p in self.postings], dtype=np.float64)
        self.no_career = self.career == 0
        self.career_div = np.maximum(self.career, 1.0)
        self.programs = np.array([sum(1 << _PROGRAMS.index(x) for x in p.programs if x in PROGRAMS)
                                  for p in self.postings], dtype=np.int64)
        self.licences = _Csr.build([[v.id("lic:" + x) for x in p.licences] for p in self.postings])
        self.lic_share = np.where(self.licences.counts == 0, 5.0, 0.0)
        self.lic_unit = 5.0 / np.maximum(self.licences.counts, 1)
        self.term_sets = [terms(p) for p in self.postings]
        self.terms = _Csr.build([[v.id("t:" + t) for t in ts] for ts in self.term_sets])
        hours_by = {h: [float(hours_in(u, h)) for u in _UNITS] for h in set(self.hours.tolist())}
        #: hours one pay unit stands for at each posting's hours, by unit (for pay comparisons)
        self.unit_hours = [np.array([hours_by[int(h)][k] for h in self.hours], dtype=np.float64) for k in range(len(_UNITS))]
        unit = np.array([_UNITS.index(p.pay_unit) for p in self.postings], dtype=np.int64)
        pay = np.array([p.pay_won for p in self.postings], dtype=np.float64)
        self.pay_hourly = pay / np.choose(unit, self.unit_hours) if n else pay
        self.opens = np.array([p.opens_on.toordinal() for p in self.postings], dtype=np.int64)
        self.closes = np.array([p.closes_on.toordinal() for p in self.postings], dtype=np.int64)

    def scores(self, seeker: Seeker, groups: frozenset[str], seeker_terms: frozenset[str]) -> Floats:
        n, v = self.n, self.vocab
        occ_u = np.zeros(len(self.occ.codes) + 1, dtype=np.float64)
        years_u = np.zeros(len(self.occ.codes) + 1, dtype=np.float64)
        for c in seeker.sought:
            occ_u = np.maximum(occ_u, self.occ.points(c, OCCUPATION_POINTS))
        for e in seeker.held:
            occ_u = np.maximum(occ_u, self.occ.points(e.occupation, OCCUPATION_POINTS) * HELD_SHARE)
            years_u += e.years * self.occ.points(e.occupation, EXPERIENCE_SHARE)
        occ = occ_u[self.code]
        w = WEIGHTS["experience"]
        exp = np.where(self.no_career, float(w), w * np.minimum(1.0, years_u[self.code] / self.career_div))
        region_u = np.array([REGION_POINTS[_reach(seeker.region, seeker.commute, c)] for c in self.places.codes],
                            dtype=np.float64)
        region = region_u[self.place]
        qual = np.where(EDUCATION_RANK.get(seeker.education, 0) >= self.edu, 5.0, 0.0) + self.lic_share
        if seeker.licences:
            held = self.licences.hits([v.get("lic:" + x) for x in seeker.licences], n)
            qual += held * self.lic_unit * (self.licences.counts > 0)
        if seeker.employment_types:
            wanted = np.zeros(len(_TYPES), dtype=np.float64)
            for t in seeker.employment_types:
                wanted[_TYPES.index(t)] = 5.0
            cond = wanted[self.type_idx]
        else:
            cond = np.full(n, 5.0)
        cond += np.where(self.hours <= seeker.max_hours_per_week, 5.0, 0.0)
        if seeker.pay_floor_won > 0:
            floor_hourly = seeker.pay_floor_won / self.unit_hours[_UNITS.index(seeker.pay_floor_unit)]
            cond += 5.0 * np.minimum(1.0, self.pay_hourly / floor_hourly)
        else:
            cond += 5.0
        total: Floats = occ + exp + region + qual + cond
        if seeker_terms:
            found = self.terms.hits([v.get("t:" + t) for t in seeker_terms], n)
            total += WEIGHTS["text"] * found / len(seeker_terms)
        mask = _program_mask(groups, seeker.career_break)
        if mask:
            total += np.where(self.programs & mask, float(WEIGHTS["programs"]), 0.0)
        return total

    def rank(self, seeker: Seeker, groups: frozenset[str], seeker_terms: frozenset[str], limit: int,
             names: Names | None = None, open_on: date | None = None) -> list[Match]:
        """The top `limit` postings for the seeker, each explained."""
        if self.n == 0:
            return []
        s = self.scores(seeker, groups, seeker_terms)
        if open_on is not None:
            day = open_on.toordinal()
            s = np.where((self.opens <= day) & (day <= self.closes), s, -1.0)
        top = _top(s, limit)
        return [score(seeker, self.postings[i], groups, seeker_terms, self.term_sets[i], names) for i in top]


def _reach(home: str, commute: Commute, there: str) -> str:
    if home == there:
        return "district"
    if home[:2] == there[:2] and commute in (Commute.province, Commute.nationwide):
        return "province"
    return "nationwide" if commute == Commute.nationwide else "outside"


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
        n = self.n = len(seekers)
        self.vocab = v = _Vocab()
        self.occ = _Codes()
        self.sought = np.full((n, SLOTS), -1, dtype=np.int32)
        self.held = np.full((n, SLOTS), -1, dtype=np.int32)
        self.held_years = np.zeros((n, SLOTS), dtype=np.float64)
        for i, s in enumerate(seekers):
            for j, c in enumerate(s.sought[:SLOTS]):
                self.sought[i, j] = self.occ.id(c)
            for j, e in enumerate(s.held[:SLOTS]):
                self.held[i, j] = self.occ.id(e.occupation)
                self.held_years[i, j] = e.years
        # sought and held codes in one index array: held codes point into the second half of a
        # points array [sought points…, 0, held points…, 0], so one gather scores both
        u = len(self.occ.codes) + 1
        self.both = np.concatenate([np.where(self.sought < 0, u - 1, self.sought),
                                    np.where(self.held < 0, u - 1, self.held) + u], axis=1).astype(np.int32)
        self.places = _Codes()
        self.place = np.array([self.places.id(s.region) for s in seekers], dtype=np.int64)
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
        occ_p = self.occ.points(code, OCCUPATION_POINTS)
        occ = np.concatenate([occ_p, occ_p * HELD_SHARE])[self.both].max(axis=1)
        w = WEIGHTS["experience"]
        if posting.career_years == 0:
            exp = np.full(n, float(w))
        else:
            years = (self.held_years * self.occ.points(code, EXPERIENCE_SHARE)[self.held]).sum(axis=1)
            exp = w * np.minimum(1.0, years / posting.career_years)
        region_u = np.array([[REGION_POINTS[_reach(home, c, posting.region)] for c in _COMMUTES]
                             for home in self.places.codes], dtype=np.float64).reshape(len(self.places.codes), 3)
        region = region_u[self.place, self.commute]
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
        total: Floats = occ + exp + region + qual + cond
        if posting_terms:
            found = self.terms.hits([v.get("t:" + t) for t in posting_terms], n)
            total += np.where(self.terms.counts > 0, WEIGHTS["text"] * found / np.maximum(self.terms.counts, 1), 0.0)
        mask = sum(1 << _PROGRAMS.index(x) for x in posting.programs if x in PROGRAMS)
        if mask:
            total += np.where(self.program_mask & mask, float(WEIGHTS["programs"]), 0.0)
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
