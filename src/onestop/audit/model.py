"""The audit log's hashing and verification (pure: no database, no web).

Records are kept in one hash chain per **subject** (an application, a firm): a record's hash is
SHA-256 over the previous record of the same subject and the record's own canonical JSON
(sorted keys, UTF-8), so writers of different subjects never wait for each other. A periodic
**anchor** commits the heads of every chain that moved since the previous anchor: the anchor
holds the RFC 6962 Merkle tree hash of those heads and is itself a link of one global hash
chain. The design and the reasons for it are in docs/audit.md.

Records written before subject chains existed form the **legacy** chain (one global chain,
`subject_seq` absent); its last link is committed by the first anchor, as if it were a chain
named `LEGACY`.

`verify_log` walks every chain, the legacy chain and the anchor chain, and names the first
broken link of each: a record whose content no longer matches its hash (changed), whose
position skips (a record removed from the middle), whose link does not match (reordered or
replaced), a chain ending before its head or before what an anchor committed (records removed
at the end), and an anchor whose content, Merkle root or link does not hold.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from onestop.errors import DomainError
from onestop.korea.hangul import josa

GENESIS = "0" * 64
#: the name under which anchors commit the legacy global chain (no subject is empty or "*")
LEGACY = "*"
#: the longest subject name (the column's width)
SUBJECT_MAX = 80
#: how many problems a verdict lists (each chain reports only its first broken link)
MAX_PROBLEMS = 50


# --- records ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One stored audit record. `seq` is its global id (the legacy chain's position for legacy
    records); `subject_seq` its 1-based position in its subject's chain, None for a legacy record."""

    seq: int
    at: datetime
    actor_user_id: int | None
    actor: str
    action: str
    subject: str
    data: dict[str, Any]
    prev_hash: str
    hash: str
    subject_seq: int | None = None


def _json(body: object) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def canonical(seq: int, at: datetime, actor_user_id: int | None, actor: str, action: str, subject: str,
              data: dict[str, Any]) -> bytes:
    """A legacy record's hashed content (the global chain before subject chains; unchanged, so
    records written then still verify)."""
    return _json({"seq": seq, "at": at.isoformat(timespec="microseconds"), "actor_user_id": actor_user_id,
                  "actor": actor, "action": action, "subject": subject, "data": data})


def canonical_v2(subject: str, subject_seq: int, at: datetime, actor_user_id: int | None, actor: str, action: str,
                 data: dict[str, Any]) -> bytes:
    """A subject-chain record's hashed content: everything but the storage id, with its position
    in the subject's chain (so a record cannot be moved to another chain or position unseen)."""
    return _json({"v": 2, "subject": subject, "subject_seq": subject_seq, "at": at.isoformat(timespec="microseconds"),
                  "actor_user_id": actor_user_id, "actor": actor, "action": action, "data": data})


def chain_hash(prev_hash: str, content: bytes) -> str:
    """Hex SHA-256 of the previous link's hex hash, a newline and the content."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + content).hexdigest()


def seal(prev_hash: str, subject: str, subject_seq: int, at: datetime, actor_user_id: int | None, actor: str,
         action: str, data: dict[str, Any]) -> str:
    """The hash of a subject-chain record at position `subject_seq` after `prev_hash`."""
    return chain_hash(prev_hash, canonical_v2(subject, subject_seq, at, actor_user_id, actor, action, data))


def content_of(e: Entry) -> bytes:
    if e.subject_seq is None:
        return canonical(e.seq, e.at, e.actor_user_id, e.actor, e.action, e.subject, e.data)
    return canonical_v2(e.subject, e.subject_seq, e.at, e.actor_user_id, e.actor, e.action, e.data)


def check_subject(subject: str) -> str:
    """A subject names one chain: 1 to SUBJECT_MAX characters, not the legacy chain's name.
    Raises ValueError otherwise (subjects are built by the code, never typed by users)."""
    if not subject or len(subject) > SUBJECT_MAX or subject == LEGACY:
        raise ValueError(f"audit subject {subject!r}: 1-{SUBJECT_MAX} characters, not {LEGACY!r}")
    return subject


# --- Merkle tree hash (RFC 6962 section 2.1, the same in RFC 9162 section 2.1.1) -------------

def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: Sequence[bytes]) -> str:
    """MTH(D[n]) of RFC 6962 §2.1 as hex: SHA-256 of nothing for no leaves, SHA-256(0x00 || d)
    for one, else SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) with k the largest power of two
    below n. Computed bottom-up: pairing left to right and carrying an odd last node up
    unchanged gives the same tree."""
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    level = [leaf_hash(d) for d in leaves]
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()


# --- anchors ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    """A chain's last link: the subject, the number of records (the last position) and the last
    hash. Used for chain heads and for what an anchor commits (its leaves)."""

    subject: str
    seq: int
    hash: str

    def leaf(self) -> bytes:
        return _json([self.subject, self.seq, self.hash])


@dataclass(frozen=True)
class Anchor:
    """One link of the anchor chain: at `at`, the Merkle root of `leaves` (sorted by subject,
    one per chain that moved since the previous anchor)."""

    seq: int
    at: datetime
    size: int  # the number of leaves, as stored
    root: str
    prev_hash: str
    hash: str
    leaves: tuple[Link, ...]


def anchor_content(seq: int, at: datetime, root: str, size: int) -> bytes:
    return _json({"v": 1, "seq": seq, "at": at.isoformat(timespec="microseconds"), "root": root, "size": size})


def make_anchor(prev_seq: int, prev_hash: str, at: datetime, heads: Iterable[Link]) -> Anchor:
    """The anchor after (prev_seq, prev_hash) committing `heads` (any order; sorted here).
    Raises ValueError for two heads of one subject."""
    leaves = tuple(sorted(heads, key=lambda h: h.subject))
    if len({h.subject for h in leaves}) != len(leaves):
        raise ValueError("an anchor commits each chain once")
    seq = prev_seq + 1
    root = merkle_root([h.leaf() for h in leaves])
    digest = chain_hash(prev_hash, anchor_content(seq, at, root, len(leaves)))
    return Anchor(seq, at, len(leaves), root, prev_hash, digest, leaves)


def parse_witness(text: str) -> tuple[int, str]:
    """`NUMBER:HASH` (as `onestop audit verify` prints the newest anchor) -> (number, hash).
    Raises DomainError (field `expect_anchor`) for anything else."""
    number, _, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not number.strip().isascii() or not number.strip().isdigit() or len(digest) != 64 or \
            any(c not in "0123456789abcdef" for c in digest):
        raise DomainError(code="invalid_anchor", field="expect_anchor",
                          ko=f"앵커는 '번호:해시' 형식이어야 합니다(해시는 16진수 64자리). 받은 값: {text!r}",
                          en=f"An anchor is NUMBER:HASH (the hash 64 hex digits); got {text!r}")
    return int(number), digest


# --- verification ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """The first broken link of one chain. `record` is the global id of the offending record
    when there is one; `anchor` the anchor's number for anchor-chain problems."""

    code: str
    ko: str
    en: str
    subject: str | None = None
    subject_seq: int | None = None
    record: int | None = None
    anchor: int | None = None

    def where(self) -> str:
        """`record 12 (application:3 #2)`, `anchor 4`, `application:3 #5`."""
        parts = []
        if self.anchor is not None:
            parts.append(f"anchor {self.anchor}")
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.subject is not None:
            chain = "legacy chain" if self.subject == LEGACY else self.subject
            at = f"{chain} #{self.subject_seq}" if self.subject_seq is not None else chain
            parts.append(f"({at})" if parts else at)
        return " ".join(parts)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int  # records whose hash was recomputed and held
    problems: tuple[Problem, ...] = ()
    chains: int = 0  # subject chains walked
    anchors: int = 0  # anchors verified
    last_anchor: Link | None = None  # ("anchor", seq, hash) of the newest anchor, to note down elsewhere
    broken: int = 0  # broken chains in all (`problems` lists the first MAX_PROBLEMS)

    @property
    def first(self) -> Problem | None:
        return self.problems[0] if self.problems else None

    @property
    def broken_at(self) -> int | None:
        """The global id of the first broken record (None when the break is not one record)."""
        return self.first.record if self.first else None

    @property
    def reason(self) -> str:
        return self.first.en if self.first else ""


def _changed(e: Entry) -> Problem:
    return Problem("changed", "기록 내용이 해시와 맞지 않습니다(내용이 바뀌었습니다).",
                   "the record's content does not match its hash (it was changed)", e.subject, e.subject_seq, e.seq)


def _link(e: Entry) -> Problem:
    return Problem("link", "앞 기록과의 연결(prev_hash)이 맞지 않습니다(순서가 바뀌었거나 바꿔 넣었습니다).",
                   "prev_hash does not match the previous record's hash (reordered or replaced)",
                   e.subject, e.subject_seq, e.seq)


def _gap(e: Entry, expected: int) -> Problem:
    got = e.subject_seq if e.subject_seq is not None else e.seq
    if got > expected:
        return Problem("removed", f"순번이 {expected - 1}에서 {josa(got, '으로')} 건너뜁니다(중간 기록이 삭제되었습니다).",
                       f"sequence jumps from {expected - 1} to {got} (a record was removed)", e.subject, e.subject_seq, e.seq)
    return Problem("order", f"순번 {josa(got, '이')} {expected} 자리에 있습니다(순서가 바뀌었거나 중복되었습니다).",
                   f"position {got} where {expected} was expected (reordered or duplicated)", e.subject, e.subject_seq, e.seq)


def _walk(entries: Iterable[Entry], legacy: bool) -> tuple[int, list[str], Problem | None]:
    """One chain in order: (records verified, their hashes, the first broken link or None)."""
    prev, hashes = GENESIS, list[str]()
    for e in entries:
        pos = e.seq if legacy else e.subject_seq
        if pos != len(hashes) + 1:
            return len(hashes), hashes, _gap(e, len(hashes) + 1)
        if e.prev_hash != prev:
            return len(hashes), hashes, _link(e)
        if chain_hash(prev, content_of(e)) != e.hash:
            return len(hashes), hashes, _changed(e)
        prev = e.hash
        hashes.append(e.hash)
    return len(hashes), hashes, None


def _against_tip(subject: str, hashes: list[str], tip: Link, what_ko: str, what_en: str) -> Problem | None:
    """The chain must reach `tip` (a head or an anchored link) with the same hash there."""
    n = len(hashes)
    if tip.seq > n:
        return Problem("truncated", f"{what_ko}에는 {tip.seq}건인데 {n}건만 있습니다(끝의 기록이 삭제되었습니다).",
                       f"the {what_en} says {tip.seq} records but {n} are there (records removed at the end)",
                       subject, n + 1)
    if tip.seq < 1 or hashes[tip.seq - 1] != tip.hash:
        return Problem("diverged", f"{tip.seq}번째 기록이 {what_ko}에 적힌 해시와 다릅니다(이력이 다시 쓰였습니다).",
                       f"record #{tip.seq} differs from the one the {what_en} committed (history rewritten)",
                       subject, tip.seq)
    return None


def verify_chain(subject: str, records: Iterable[Entry], head: Link | None, anchored: Iterable[Link]) -> tuple[int, Problem | None]:
    """One subject's chain: records in position order, its head row (None if missing), and every
    link of it that anchors committed. Returns (records verified, first problem or None)."""
    n, hashes, problem = _walk(records, legacy=False)
    if problem is not None:
        return n, problem
    if head is None:
        if n:
            return n, Problem("head_missing", "이 체인의 머리(head) 행이 없습니다.", "the chain's head row is missing",
                              subject, n)
    else:
        problem = _against_tip(subject, hashes, head, "머리(head)", "head")
        if problem is None and head.seq < n:
            problem = Problem("beyond_head", f"머리(head)에는 {head.seq}건인데 {n}건이 있습니다.",
                              f"the head says {head.seq} records but {n} are there (the head was rewound)",
                              subject, head.seq + 1)
        if problem is not None:
            return n, problem
    for tip in anchored:
        problem = _against_tip(subject, hashes, tip, "앵커", "anchor")
        if problem is not None:
            return n, problem
    return n, None


def verify_legacy(entries: Iterable[Entry], anchored: Link | None) -> tuple[int, Problem | None]:
    """The legacy global chain (positions = global ids 1..n) against the link the first anchor
    committed for it; legacy records without that anchor are a problem (the anchor was removed)."""
    n, hashes, problem = _walk(entries, legacy=True)
    if problem is not None:
        return n, problem
    if anchored is None:
        if n:
            return n, Problem("unanchored", "이전 형식의 기록을 확정한 앵커가 없습니다(앵커가 삭제되었습니다).",
                              "no anchor commits the legacy records (the anchor was removed)", LEGACY, n)
        return n, None
    problem = _against_tip(LEGACY, hashes, anchored, "앵커", "anchor")
    if problem is None and anchored.seq < n:
        problem = Problem("beyond_anchor", f"앵커에는 {anchored.seq}건인데 이전 형식 기록이 {n}건 있습니다.",
                          f"the anchor says {anchored.seq} legacy records but {n} are there (records added afterwards)",
                          LEGACY, anchored.seq + 1)
    return n, problem


@dataclass(frozen=True)
class AnchorWalk:
    """What walking the anchor chain found: how many held, the first problem, the newest anchor
    (as a Link named "anchor", to note down elsewhere) and the link committed for the legacy chain."""

    count: int
    problem: Problem | None
    last: Link | None
    legacy: Link | None


def verify_anchors(anchors: Iterable[Anchor], head: Link | None, expect: Sequence[tuple[int, str]] = ()) -> AnchorWalk:
    """The anchor chain in order: positions 1..n, links, each anchor's Merkle root recomputed
    from its leaves and its hash from its content; the last one must be the anchor head (seq,
    hash); `expect` lists (seq, hash) pairs noted down elsewhere that must still be there."""
    prev, n = GENESIS, 0
    legacy: Link | None = None
    wanted = dict(expect)
    seen: dict[int, str] = {}

    def broken(problem: Problem) -> AnchorWalk:
        return AnchorWalk(n, problem, Link("anchor", n, prev) if n else None, legacy)

    for a in anchors:
        if a.seq != n + 1:
            return broken(Problem("anchor_removed" if a.seq > n + 1 else "anchor_order",
                                  f"앵커 번호가 {n}에서 {josa(a.seq, '으로')} 이어집니다(앵커가 삭제되었거나 순서가 바뀌었습니다).",
                                  f"anchor numbers go from {n} to {a.seq} (an anchor was removed or reordered)",
                                  anchor=a.seq))
        if a.prev_hash != prev:
            return broken(Problem("anchor_link", "앵커의 연결(prev_hash)이 앞 앵커와 맞지 않습니다.",
                                  "the anchor's prev_hash does not match the previous anchor", anchor=a.seq))
        subjects = [x.subject for x in a.leaves]
        if subjects != sorted(set(subjects)) or len(subjects) != a.size or merkle_root([x.leaf() for x in a.leaves]) != a.root:
            return broken(Problem("anchor_root", "앵커가 확정한 체인 머리 목록이 머클 루트와 맞지 않습니다(바뀌었습니다).",
                                  "the heads the anchor committed do not match its Merkle root (changed)", anchor=a.seq))
        if chain_hash(prev, anchor_content(a.seq, a.at, a.root, a.size)) != a.hash:
            return broken(Problem("anchor_changed", "앵커 내용이 해시와 맞지 않습니다(바뀌었습니다).",
                                  "the anchor's content does not match its hash (it was changed)", anchor=a.seq))
        prev, n = a.hash, n + 1
        if a.seq in wanted:
            seen[a.seq] = a.hash
        legacy = next((x for x in a.leaves if x.subject == LEGACY), legacy)
    if head is None:
        return broken(Problem("anchor_head_missing", "앵커 체인의 머리(head) 행이 없습니다.",
                              "the anchor chain's head row is missing", anchor=n + 1))
    if head.seq > n:
        return broken(Problem("anchor_truncated",
                              f"앵커 머리에는 {head.seq}개인데 {n}개가 있습니다(끝의 앵커가 삭제되었습니다).",
                              f"the anchor head says {head.seq} anchors but {n} are there (anchors removed at the end)",
                              anchor=n + 1))
    if head.seq < n or head.hash != prev:
        return broken(Problem("anchor_head", f"앵커 머리({head.seq}번)가 마지막 앵커({n}번)와 맞지 않습니다.",
                              f"the anchor head ({head.seq}) does not match the last anchor ({n}) (the head was rewound or changed)",
                              anchor=n))
    for seq, digest in wanted.items():
        if seen.get(seq) != digest:
            return broken(Problem("witness", f"따로 적어 둔 앵커 {seq}의 해시가 지금과 다릅니다(앵커 체인이 다시 쓰였습니다).",
                                  f"anchor {seq} no longer has the hash noted down elsewhere (the anchor chain was rewritten)",
                                  anchor=seq))
    return AnchorWalk(n, None, Link("anchor", n, prev) if n else None, legacy)


def _by_subject(records: Iterable[Entry], heads: Iterable[Link], links: Iterable[Link]
                ) -> Iterator[tuple[str, list[Entry], Link | None, list[Link]]]:
    """Groups three streams sorted by subject (records by position, heads, anchored links by
    position) into one item per subject. Raises ValueError for input that is not sorted."""
    rs, hs, ls = iter(records), iter(heads), iter(links)
    r, h, lk = next(rs, None), next(hs, None), next(ls, None)
    last: str | None = None
    while True:
        subjects = [x.subject for x in (r, h, lk) if x is not None]
        if not subjects:
            return
        s = min(subjects)
        if last is not None and s <= last:
            raise ValueError("audit streams are not sorted by subject")
        last = s
        recs: list[Entry] = []
        while r is not None and r.subject == s:
            recs.append(r)
            r = next(rs, None)
        head = None
        if h is not None and h.subject == s:
            head, h = h, next(hs, None)
        tips: list[Link] = []
        while lk is not None and lk.subject == s:
            tips.append(lk)
            lk = next(ls, None)
        yield s, recs, head, tips


def verify_log(*, legacy: Iterable[Entry], records: Iterable[Entry], heads: Iterable[Link], anchors: Iterable[Anchor],
               anchor_head: Link | None, anchored: Iterable[Link], expect: Sequence[tuple[int, str]] = (),
               max_problems: int = MAX_PROBLEMS) -> Verdict:
    """Everything, each stream in order: `legacy` records by id; `anchors` by number with their
    leaves; `records` by (subject, subject_seq); `heads` by subject; `anchored` (every leaf of
    every anchor) by (subject, seq) — subjects in code-point order (Python's `<`; PostgreSQL's
    "C" collation, SQLite's BINARY). `expect`: anchors noted down elsewhere, (seq, hash).
    Problems are listed legacy chain first, then the anchor chain, then subject chains by the
    global id of their first broken record. Raises ValueError for streams out of order."""
    walk = verify_anchors(anchors, anchor_head, expect)
    checked, legacy_problem = verify_legacy(legacy, walk.legacy)
    found = [p for p in (legacy_problem, walk.problem) if p is not None]
    chain_problems: list[Problem] = []
    chains = 0
    for subject, recs, head, tips in _by_subject(records, heads, (x for x in anchored if x.subject != LEGACY)):
        chains += 1
        n, problem = verify_chain(subject, recs, head, tips)
        checked += n
        if problem is not None:
            chain_problems.append(problem)
    chain_problems.sort(key=lambda p: (p.record is None, p.record or 0, p.subject or ""))
    found += chain_problems
    return Verdict(not found, checked, tuple(found[:max_problems]), chains, walk.count, walk.last, len(found))
