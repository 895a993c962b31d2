"""Hash chaining and verification (pure).

Each record's hash is SHA-256 over the previous record's hash and the record's own canonical
JSON (sorted keys, UTF-8). Changing, removing or reordering any record breaks every hash after
it; `verify` names the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    seq: int
    at: datetime
    actor_user_id: int | None
    actor: str
    action: str
    subject: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


def canonical(seq: int, at: datetime, actor_user_id: int | None, actor: str, action: str, subject: str,
              data: dict[str, Any]) -> bytes:
    body = {"seq": seq, "at": at.isoformat(timespec="microseconds"), "actor_user_id": actor_user_id,
            "actor": actor, "action": action, "subject": subject, "data": data}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def chain_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + content).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def verify(entries: Iterable[Entry]) -> Verdict:
    """Walk the chain in order; the first entry whose link or hash does not hold is reported."""
    prev = GENESIS
    expected_seq = 1
    n = 0
    for e in entries:
        if e.seq != expected_seq:
            return Verdict(False, n, e.seq, f"sequence jumps from {expected_seq - 1} to {e.seq} (a record was removed)")
        if e.prev_hash != prev:
            return Verdict(False, n, e.seq, "prev_hash does not match the previous record's hash")
        content = canonical(e.seq, e.at, e.actor_user_id, e.actor, e.action, e.subject, e.data)
        if chain_hash(prev, content) != e.hash:
            return Verdict(False, n, e.seq, "the record's content does not match its hash (it was changed)")
        prev = e.hash
        expected_seq += 1
        n += 1
    return Verdict(True, n)
