"""The audit log's pure verifier: RFC 6962 tree hashes, every kind of tampering named at its
first broken link, and (hypothesis) any single change to a valid log is caught."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.audit.model import (
    GENESIS,
    LEGACY,
    Anchor,
    Entry,
    Link,
    Verdict,
    canonical,
    chain_hash,
    check_subject,
    make_anchor,
    merkle_root,
    parse_witness,
    seal,
    verify_log,
)
from onestop.errors import DomainError

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


# --- RFC 6962 ----------------------------------------------------------------------------------

#: the certificate-transparency project's test vectors for RFC 6962 §2.1 (merkle_tree_test):
#: the Merkle tree hash of the first n of these leaves
RFC6962_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
RFC6962_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


@pytest.mark.parametrize("n", range(1, 9))
def test_merkle_root_matches_the_rfc6962_test_vectors(n: int) -> None:
    assert merkle_root([bytes.fromhex(x) for x in RFC6962_LEAVES[:n]]) == RFC6962_ROOTS[n - 1]


def test_merkle_root_of_nothing_is_the_hash_of_the_empty_string() -> None:
    assert merkle_root([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


# --- a log built in memory the way the services build it ---------------------------------------

@dataclass
class Log:
    legacy: list[Entry] = field(default_factory=list)
    records: list[Entry] = field(default_factory=list)
    heads: dict[str, Link] = field(default_factory=dict)
    anchors: list[Anchor] = field(default_factory=list)
    anchor_head: Link | None = field(default_factory=lambda: Link("anchor", 0, GENESIS))
    anchored: dict[str, int] = field(default_factory=dict)  # subject -> position last anchored
    clock: int = 0

    def tick(self) -> datetime:
        self.clock += 1
        return T0 + timedelta(seconds=self.clock, microseconds=self.clock * 7)

    def add_legacy(self, subject: str, data: dict[str, Any]) -> None:
        """A record in the old global chain (written before subject chains)."""
        seq, at = len(self.legacy) + 1, self.tick()
        prev = self.legacy[-1].hash if self.legacy else GENESIS
        digest = chain_hash(prev, canonical(seq, at, 7, "officer", "application.approve", subject, data))
        self.legacy.append(Entry(seq, at, 7, "officer", "application.approve", subject, data, prev, digest))

    def migrate(self) -> None:
        """What migration 0004 does: anchor 1 commits the legacy chain's last link."""
        if self.legacy:
            self.anchors.append(make_anchor(0, GENESIS, self.tick(), [Link(LEGACY, len(self.legacy), self.legacy[-1].hash)]))
            self.anchor_head = Link("anchor", 1, self.anchors[-1].hash)

    def add(self, subject: str, data: dict[str, Any], actor: str = "firm") -> None:
        head = self.heads.get(subject, Link(subject, 0, GENESIS))
        pos, at = head.seq + 1, self.tick()
        digest = seal(head.hash, subject, pos, at, 3, actor, "application.upload", data)
        seq = max([e.seq for e in self.legacy + self.records], default=0) + 1
        self.records.append(Entry(seq, at, 3, actor, "application.upload", subject, data, head.hash, digest, pos))
        self.heads[subject] = Link(subject, pos, digest)

    def anchor(self) -> None:
        moved = [h for s, h in self.heads.items() if h.seq > self.anchored.get(s, 0)]
        if not moved:
            return
        prev = self.anchors[-1] if self.anchors else None
        a = make_anchor(prev.seq if prev else 0, prev.hash if prev else GENESIS, self.tick(), moved)
        self.anchors.append(a)
        self.anchor_head = Link("anchor", a.seq, a.hash)
        self.anchored.update({h.subject: h.seq for h in moved})

    def verify(self, expect: tuple[tuple[int, str], ...] = ()) -> Verdict:
        leaves = sorted((x for a in self.anchors for x in a.leaves), key=lambda x: (x.subject, x.seq))
        return verify_log(legacy=list(self.legacy), records=sorted(self.records, key=lambda e: (e.subject, e.subject_seq or 0)),
                          heads=[self.heads[s] for s in sorted(self.heads)], anchors=list(self.anchors),
                          anchor_head=self.anchor_head, anchored=leaves, expect=expect)

    def chain(self, subject: str) -> list[Entry]:
        return sorted((e for e in self.records if e.subject == subject), key=lambda e: e.subject_seq or 0)


def sample_log() -> Log:
    """Two applications and a firm, legacy records migrated, two anchors, then more writes."""
    log = Log()
    for i in range(3):
        log.add_legacy(f"application:{i}", {"state": "approved", "i": i})
    log.migrate()
    log.add("application:12", {"kind": "business_plan", "sha256": "ab" * 32})
    log.add("firm:4", {"via": "firm"}, actor="officer")
    log.add("application:12", {"kind": "other", "size": 81_920})
    log.anchor()
    log.add("application:13", {"kind": "business_plan", "note": "전남 육성자금"})
    log.add("application:12", {"state": "submitted"})
    log.anchor()
    log.add("application:12", {"state": "document_check"}, actor="officer")
    log.add("firm:4", {"via": "application", "application": 12}, actor="officer")
    return log


def test_a_valid_log_verifies_and_names_its_newest_anchor() -> None:
    log = sample_log()
    v = log.verify()
    assert v.ok and v.problems == ()
    assert v.checked == 3 + 7 and v.chains == 3 and v.anchors == 3
    assert v.last_anchor == Link("anchor", 3, log.anchors[-1].hash)


def replaced(log: Log, old: Entry, new: Entry) -> None:
    log.records[log.records.index(old)] = new


# --- each kind of tampering, named at its first broken link --------------------------------

def test_a_changed_record_is_named() -> None:
    log = sample_log()
    second = log.chain("application:12")[1]
    replaced(log, second, replace(second, data={"kind": "other", "size": 1}))
    v = log.verify()
    assert not v.ok and v.broken_at == second.seq
    assert (v.first.subject, v.first.subject_seq, v.first.code) == ("application:12", 2, "changed")
    assert "changed" in v.reason and "바뀌었습니다" in v.first.ko


def test_a_record_removed_from_the_middle_is_named() -> None:
    log = sample_log()
    second = log.chain("application:12")[1]
    log.records.remove(second)
    v = log.verify()
    third = log.chain("application:12")[1]
    assert not v.ok and v.first.code == "removed" and v.broken_at == third.seq
    assert v.reason == "sequence jumps from 1 to 3 (a record was removed)"


def test_a_removed_tail_record_is_caught_by_the_head() -> None:
    log = sample_log()
    log.records.remove(log.chain("application:12")[-1])
    v = log.verify()
    assert not v.ok and v.first.code == "truncated" and v.first.subject == "application:12"
    assert v.first.subject_seq == 4 and "records removed at the end" in v.reason


def test_a_removed_tail_record_with_its_head_rewound_is_caught_by_the_anchor() -> None:
    """The careful attacker also rewinds the head row: an anchor had committed that record."""
    log = sample_log()
    anchored_tail = log.chain("application:13")[-1]  # application:13 #1, committed by anchor 3
    log.records.remove(anchored_tail)
    del log.heads["application:13"]
    v = log.verify()
    assert not v.ok
    assert (v.first.code, v.first.subject, v.first.subject_seq) == ("truncated", "application:13", 1)
    assert "anchor says 1 records but 0 are there" in v.reason


def test_a_removed_tail_record_not_yet_anchored_with_its_head_rewound_is_the_window() -> None:
    """What the design does not catch, stated: a record newer than the last anchor, removed
    together with its head row rewound, is indistinguishable from one never written. Anchoring
    every ONESTOP_AUDIT_ANCHOR_INTERVAL seconds bounds that window."""
    log = sample_log()
    tail = log.chain("application:12")[-1]  # #5, written after the last anchor
    log.records.remove(tail)
    log.heads["application:12"] = Link("application:12", tail.subject_seq - 1, tail.prev_hash)
    assert log.verify().ok
    log.anchor()
    assert log.verify().ok  # and once anchored, the shorter chain is what is committed


def test_reordered_records_are_named() -> None:
    log = sample_log()
    first, second = log.chain("application:12")[:2]
    replaced(log, first, replace(second, seq=first.seq, subject_seq=1))
    replaced(log, second, replace(first, seq=second.seq, subject_seq=2))
    v = log.verify()
    assert not v.ok and v.first.code == "link" and v.broken_at == first.seq
    assert "reordered" in v.reason


def test_a_changed_anchor_is_named() -> None:
    log = sample_log()
    a = log.anchors[1]
    log.anchors[1] = replace(a, at=a.at + timedelta(seconds=1))
    v = log.verify()
    assert not v.ok and (v.first.code, v.first.anchor) == ("anchor_changed", 2)


def test_a_changed_anchor_leaf_is_named() -> None:
    log = sample_log()
    a = log.anchors[1]
    log.anchors[1] = replace(a, leaves=(replace(a.leaves[0], seq=1), *a.leaves[1:]))
    v = log.verify()
    assert not v.ok and (v.first.code, v.first.anchor) == ("anchor_root", 2)


def test_anchors_removed_at_the_end_are_caught_by_the_anchor_head() -> None:
    log = sample_log()
    log.anchors.pop()
    v = log.verify()
    assert not v.ok and (v.first.code, v.first.anchor) == ("anchor_truncated", 3)


def test_an_anchor_chain_rewritten_inside_the_database_is_caught_by_a_noted_anchor() -> None:
    """Dropping the last anchor and rewinding the anchor head holds together inside the database;
    the anchor's hash noted down elsewhere (`--expect-anchor`) does not."""
    log = sample_log()
    noted = (3, log.anchors[2].hash)
    assert log.verify(expect=(noted,)).ok
    log.anchors.pop()
    log.anchor_head = Link("anchor", 2, log.anchors[1].hash)
    assert log.verify().ok
    v = log.verify(expect=(noted,))
    assert not v.ok and (v.first.code, v.first.anchor) == ("witness", 3)


def test_a_changed_legacy_record_is_named_with_the_old_algorithm() -> None:
    log = sample_log()
    e = log.legacy[1]
    log.legacy[1] = replace(e, data={"state": "rejected", "i": 1})
    v = log.verify()
    assert not v.ok and v.broken_at == 2 and v.first.subject == "application:1" and v.first.code == "changed"


def test_a_removed_legacy_tail_is_caught_by_the_migration_anchor() -> None:
    log = sample_log()
    log.legacy.pop()
    v = log.verify()
    assert not v.ok and (v.first.code, v.first.subject) == ("truncated", LEGACY)
    assert v.first.where() == "legacy chain #3"


def test_each_broken_chain_is_listed_once_in_the_order_its_break_was_written() -> None:
    log = sample_log()
    later = log.chain("firm:4")[1]
    earlier = log.chain("application:12")[0]
    replaced(log, later, replace(later, actor="admin"))
    replaced(log, earlier, replace(earlier, actor="admin"))
    v = log.verify()
    assert [p.record for p in v.problems] == [earlier.seq, later.seq] and v.broken == 2


def test_streams_out_of_order_are_refused_rather_than_misjudged() -> None:
    log = sample_log()
    with pytest.raises(ValueError, match="not sorted"):
        verify_log(legacy=[], records=list(reversed(sorted(log.records, key=lambda e: (e.subject, e.subject_seq or 0)))),
                   heads=[], anchors=[], anchor_head=Link("anchor", 0, GENESIS), anchored=[])


def test_subjects_are_named_by_the_code_within_bounds() -> None:
    assert check_subject("application:12") == "application:12"
    for bad in ("", LEGACY, "x" * 81):
        with pytest.raises(ValueError):
            check_subject(bad)


def test_an_anchor_commits_each_chain_once() -> None:
    with pytest.raises(ValueError):
        make_anchor(0, GENESIS, T0, [Link("firm:1", 1, "a" * 64), Link("firm:1", 2, "b" * 64)])


def test_a_noted_anchor_is_number_colon_hash() -> None:
    assert parse_witness(f" 12:{'AB' * 32} ") == (12, "ab" * 32)
    for bad in ("12", "x:" + "a" * 64, "12:" + "a" * 63, "12:" + "g" * 64, "１２:" + "a" * 64):
        with pytest.raises(DomainError) as e:
            parse_witness(bad)
        assert e.value.field == "expect_anchor" and "NUMBER:HASH" in e.value.en and "번호:해시" in e.value.ko


# --- hypothesis: any single change to a valid log is caught -----------------------------------

SUBJECTS = ["application:1", "application:2", "firm:1", "firm:10", "application:10"]

ops = st.lists(st.one_of(st.tuples(st.just("add"), st.sampled_from(SUBJECTS), st.integers(0, 99)), st.just(("anchor",))),
               min_size=1, max_size=25)


@st.composite
def logs(draw: st.DrawFn) -> Log:
    log = Log()
    for i in range(draw(st.integers(0, 3))):
        log.add_legacy(draw(st.sampled_from(SUBJECTS)), {"i": i})
    log.migrate()
    for op in draw(ops):
        if op[0] == "add":
            log.add(op[1], {"n": op[2], "메모": "검토"})
        else:
            log.anchor()
    return log


ENTRY_FIELDS = ["at", "actor_user_id", "actor", "action", "subject", "data", "prev_hash", "hash", "subject_seq"]


def _other(value: Any) -> Any:
    if isinstance(value, datetime):
        return value + timedelta(microseconds=1)
    if isinstance(value, bool) or value is None:
        return 99
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x" if len(value) != 64 else ("0" if value[0] != "0" else "1") + value[1:]
    if isinstance(value, dict):
        return {**value, "tampered": True}
    raise AssertionError(value)


def mutations(log: Log) -> list[str]:
    kinds = []
    if log.records:
        kinds += ["record_field", "record_removed", "record_swapped"]
    if log.legacy:
        kinds += ["legacy_field", "legacy_removed"]
    if log.heads:
        kinds += ["head_changed", "head_removed"]
    if log.anchors:
        kinds += ["anchor_field", "anchor_removed", "leaf_changed", "leaf_removed"]
    return [*kinds, "anchor_head_changed"]


def mutate(log: Log, kind: str, data: st.DataObject) -> None:
    pick = lambda xs: data.draw(st.sampled_from(xs))  # noqa: E731
    if kind == "record_field":
        e = pick(log.records)
        name = pick(ENTRY_FIELDS)
        log.records[log.records.index(e)] = replace(e, **{name: _other(getattr(e, name))})
    elif kind == "record_removed":
        log.records.remove(pick(log.records))
    elif kind == "record_swapped":  # two records of one chain trade places (contents), or chains
        a, b = pick(log.records), pick(log.records)
        if a == b:
            log.records.remove(a)
        else:
            log.records[log.records.index(a)] = replace(b, seq=a.seq, subject=a.subject, subject_seq=a.subject_seq)
            log.records[log.records.index(b)] = replace(a, seq=b.seq, subject=b.subject, subject_seq=b.subject_seq)
    elif kind == "legacy_field":
        i = data.draw(st.integers(0, len(log.legacy) - 1))
        name = pick(["seq", *ENTRY_FIELDS[:-1]])
        log.legacy[i] = replace(log.legacy[i], **{name: _other(getattr(log.legacy[i], name))})
    elif kind == "legacy_removed":
        del log.legacy[data.draw(st.integers(0, len(log.legacy) - 1))]
    elif kind == "head_changed":
        s = pick(sorted(log.heads))
        name = pick(["seq", "hash"])
        log.heads[s] = replace(log.heads[s], **{name: _other(getattr(log.heads[s], name))})
    elif kind == "head_removed":
        del log.heads[pick(sorted(log.heads))]
    elif kind == "anchor_field":
        i = data.draw(st.integers(0, len(log.anchors) - 1))
        name = pick(["seq", "at", "size", "root", "prev_hash", "hash"])
        log.anchors[i] = replace(log.anchors[i], **{name: _other(getattr(log.anchors[i], name))})
    elif kind == "anchor_removed":
        del log.anchors[data.draw(st.integers(0, len(log.anchors) - 1))]
    elif kind in ("leaf_changed", "leaf_removed"):
        i = data.draw(st.integers(0, len(log.anchors) - 1))
        leaves = list(log.anchors[i].leaves)
        j = data.draw(st.integers(0, len(leaves) - 1))
        if kind == "leaf_removed":
            del leaves[j]
        else:
            name = pick(["subject", "seq", "hash"])
            leaves[j] = replace(leaves[j], **{name: _other(getattr(leaves[j], name))})
        log.anchors[i] = replace(log.anchors[i], leaves=tuple(leaves))
    elif kind == "anchor_head_changed":
        name = pick(["seq", "hash", "missing"])
        assert log.anchor_head is not None
        log.anchor_head = None if name == "missing" else replace(log.anchor_head, **{name: _other(getattr(log.anchor_head, name))})


@settings(max_examples=400, deadline=None)
@given(logs(), st.data())
def test_any_single_change_to_a_valid_log_is_caught(log: Log, data: st.DataObject) -> None:
    assert log.verify().ok
    kind = data.draw(st.sampled_from(mutations(log)))
    mutate(log, kind, data)
    v = log.verify()
    assert not v.ok, kind
    assert v.first is not None and v.first.en and v.first.ko


@settings(max_examples=200, deadline=None)
@given(logs(), st.data())
def test_a_removed_tail_with_its_head_rewound_is_caught_exactly_when_it_was_anchored(log: Log, data: st.DataObject) -> None:
    if not log.heads:
        return
    subject = data.draw(st.sampled_from(sorted(log.heads)))
    chain = log.chain(subject)
    tail = chain[-1]
    log.records.remove(tail)
    if len(chain) > 1:
        log.heads[subject] = Link(subject, tail.subject_seq - 1, tail.prev_hash)  # type: ignore[operator]
    else:
        del log.heads[subject]
    assert log.verify().ok == (log.anchored.get(subject, 0) < (tail.subject_seq or 0))

