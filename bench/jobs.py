"""Jobs matching benchmarks (issue 12).

    .venv/bin/python bench/jobs.py seeker   # one seeker against 100,000 open postings, explained (p99 ≤ 50 ms)
    .venv/bin/python bench/jobs.py posting  # one posting against 1,000,000 seekers (≤ 2 s)

Seeded (42) generated data, as in Korea: 시도 by population share (주민등록인구 2024, rounded),
real 시군구 codes of each 시도; occupations by 대분류 as the employed by occupation (경제활동인구
조사 2024, rounded), real KSCO-8 세세분류 codes; seekers' ages 19–69 with the youth and 50s peaks
of job-seeking; pay from the 2026 minimum wage up. The tables are built once (not timed); the
ranking (score of every row, top 20, and the explanation of those 20) is timed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from onestop.jobs import occupations
from onestop.jobs.engine import PostingTable, SeekerTable
from onestop.jobs.model import (
    EDUCATION,
    PROGRAMS,
    Commute,
    EmploymentType,
    Experience,
    PayUnit,
    Posting,
    Seeker,
)
from onestop.korea import regions

ON = date(2026, 11, 30)
OUT = Path(__file__).resolve().parent / "out"
SIDO_SHARE = {"41": 26.5, "11": 18.2, "26": 6.4, "48": 6.3, "28": 5.8, "12": 6.2, "47": 4.9, "27": 4.6, "44": 4.2,
              "52": 3.4, "43": 3.1, "51": 3.0, "30": 2.8, "31": 2.1, "50": 1.3, "36": 0.8}
MAJOR_SHARE = {"1": 1.5, "2": 22.0, "3": 17.5, "4": 11.5, "5": 10.0, "6": 5.0, "7": 8.0, "8": 10.5, "9": 14.0}
LICENCES = ["지게차운전기능사", "용접기능사", "요양보호사", "전기기능사", "한식조리기능사", "컴퓨터활용능력 2급",
            "정보처리기사", "굴착기운전기능사", "사회복지사 2급", "품질경영산업기사"]
WORDS = ["생산", "관리", "품질", "사무", "물류", "지게차", "요양", "조리", "경비", "청소", "영업", "회계", "설비", "용접",
         "운전", "상담", "간호", "교육", "전기", "포장"]


def _universe(rng: np.random.Generator) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    table = regions.table()
    codes = [c for c, r in table.items() if r.level == "sigungu" and c[:2] in SIDO_SHARE]
    per_sido = {s: sum(1 for c in codes if c[:2] == s) for s in SIDO_SHARE}
    rw = np.array([SIDO_SHARE[c[:2]] / per_sido[c[:2]] for c in codes])
    occ = [o.code for o in occupations.table().values() if o.level == 5 and o.code[0] in MAJOR_SHARE]
    per_major = {m: sum(1 for c in occ if c[0] == m) for m in MAJOR_SHARE}
    ow = np.array([MAJOR_SHARE[c[0]] / per_major[c[0]] for c in occ])
    return codes, rw / rw.sum(), occ, ow / ow.sum()


def postings(n: int, seed: int = 42) -> list[Posting]:
    rng = np.random.default_rng(seed)
    rcodes, rw, occ, ow = _universe(rng)
    regs = rng.choice(rcodes, n, p=rw)
    jobs = rng.choice(occ, n, p=ow)
    types = list(EmploymentType)
    out = []
    for i in range(n):
        unit = PayUnit.month if rng.random() < 0.7 else PayUnit.hour
        hours = 40 if unit == PayUnit.month else int(rng.choice([15, 20, 25, 30, 40]))
        pay = int(2_156_880 * (1 + rng.gamma(2.0, 0.15))) if unit == PayUnit.month else int(10_320 + rng.integers(0, 4000))
        lic = frozenset(rng.choice(LICENCES, int(rng.integers(0, 3)), replace=False).tolist())
        progs = frozenset(p for p in PROGRAMS if rng.random() < 0.08)
        title = " ".join(rng.choice(WORDS, 3).tolist())
        out.append(Posting(id=i + 1, title=f"{title} 채용", occupation=str(jobs[i]), region=str(regs[i]),
                           employment_type=types[int(rng.choice(len(types), p=[.45, .1, .3, .1, .03, .02]))],
                           hours_per_week=hours, pay_won=pay, pay_unit=unit, opens_on=date(2026, 11, 1),
                           closes_on=date(2026, 12, 31), education_min=EDUCATION[int(rng.integers(0, 5))][0],
                           career_years=int(rng.choice([0, 0, 0, 1, 2, 3, 5, 10])), licences=lic, programs=progs))
    return out


def seekers(n: int, seed: int = 7) -> tuple[list[Seeker], list[frozenset[str]]]:
    rng = np.random.default_rng(seed)
    rcodes, rw, occ, ow = _universe(rng)
    regs = rng.choice(rcodes, n, p=rw)
    sought = rng.choice(occ, (n, 2), p=ow)
    held = rng.choice(occ, (n, 2), p=ow)
    ages = np.where(rng.random(n) < 0.45, rng.integers(19, 35, n), rng.integers(35, 70, n))
    ages = np.where((ages >= 35) & (rng.random(n) < 0.5), rng.integers(50, 65, n), ages)
    years = rng.integers(0, 25, (n, 2))
    commutes = rng.choice(3, n, p=[0.45, 0.45, 0.10])
    edu = rng.integers(0, 7, n)
    floors = rng.integers(2_000_000, 3_500_000, n)
    lic_n = rng.integers(0, 3, n)
    words = rng.choice(WORDS, (n, 2))
    cm = list(Commute)
    out, terms = [], []
    for i in range(n):
        lic = frozenset(LICENCES[int(j)] for j in rng.integers(0, len(LICENCES), int(lic_n[i])))
        out.append(Seeker(id=i + 1, birth_year=ON.year - int(ages[i]), region=str(regs[i]), commute=cm[int(commutes[i])],
                          held=(Experience(str(held[i, 0]), int(years[i, 0])), Experience(str(held[i, 1]), int(years[i, 1]))),
                          sought=(str(sought[i, 0]), str(sought[i, 1])), education=EDUCATION[int(edu[i])][0], licences=lic,
                          max_hours_per_week=40, pay_floor_won=int(floors[i]), pay_floor_unit=PayUnit.month,
                          career_break=bool(rng.random() < 0.05)))
        terms.append(frozenset(words[i].tolist()))
    return out, terms


def _groups() -> tuple:  # type: ignore[type-arg]
    from onestop.jobs.services import age_groups

    return age_groups(ON)


def bench_seeker(n: int = 100_000, runs: int = 200) -> dict[str, object]:
    t0 = time.perf_counter()
    ps = postings(n)
    words = {p.id: frozenset(p.title.split()) for p in ps}
    table = PostingTable(ps, lambda p: words[p.id])
    built = time.perf_counter() - t0
    people, terms = seekers(runs, seed=11)
    groups = _groups()
    times, cpu = [], []
    for s, kw in zip(people, terms, strict=True):
        g = frozenset(x.id for x in groups if x.min_age <= ON.year - s.birth_year <= x.max_age)
        t, c = time.perf_counter(), time.thread_time()
        ranked = table.rank(s, g, kw, 20)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
        assert len(ranked) == 20 and ranked[0].parts
    arr, carr = np.array(times), np.array(cpu)
    return {"postings": n, "runs": runs, "build_s": round(built, 1), "p50_ms": round(float(np.percentile(arr, 50)), 1),
            "p99_ms": round(float(np.percentile(arr, 99)), 1), "max_ms": round(float(arr.max()), 1),
            "cpu_p50_ms": round(float(np.percentile(carr, 50)), 1), "cpu_p99_ms": round(float(np.percentile(carr, 99)), 1)}


def bench_posting(n: int = 1_000_000, runs: int = 5) -> dict[str, object]:
    t0 = time.perf_counter()
    people, terms = seekers(n)
    table = SeekerTable(people, terms, ON, _groups())
    del people
    built = time.perf_counter() - t0
    times, cpu = [], []
    for p in postings(runs, seed=99):
        t, c = time.perf_counter(), time.thread_time()
        ranked = table.rank(p, frozenset(p.title.split()), 20)
        times.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
        assert len(ranked) == 20
    return {"seekers": n, "runs": runs, "build_s": round(built, 1), "best_s": round(min(times), 3),
            "worst_s": round(max(times), 3), "all_s": [round(x, 3) for x in times],
            "cpu_best_s": round(min(cpu), 3), "cpu_worst_s": round(max(cpu), 3)}


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "seeker"
    result = bench_seeker() if which == "seeker" else bench_posting()
    result["load_average"] = os.getloadavg()
    OUT.mkdir(exist_ok=True)
    (OUT / f"jobs_{which}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
