"""What the running app keeps between requests: the database, caches keyed by what they were
built from (catalog revision, firm registry), and settings."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from onestop.accounts.model import Principal
from onestop.applications.documents import DocumentStore, LocalStore, S3Store
from onestop.catalog.queries import build_index
from onestop.catalog.search import KeywordIndex
from onestop.catalog.services import EngineCache
from onestop.matching.records import RegistryFacts, ResultCache
from onestop.matching.services import Engine
from onestop.platform.cache import LRU
from onestop.platform.db import Database
from onestop.platform.settings import Settings


class PrincipalCache:
    """Bearer token → who is acting, for `ttl` seconds.

    Signing in is one indexed query, but on a busy API it is most of a request's cost; holding
    the answer for a second takes it off the hot path. The price: a revoked token (sign-out
    everywhere) or a firm edit made through *another* worker process is seen within `ttl`; this
    process forgets at once (`clear`).
    """

    def __init__(self, ttl: float = 1.0, size: int = 10_000) -> None:
        self._ttl = ttl
        self._size = size
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, Principal]] = {}

    def get(self, key: str) -> Principal | None:
        with self._lock:
            found = self._items.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, key: str, who: Principal) -> None:
        with self._lock:
            if len(self._items) >= self._size:
                self._items.clear()
            self._items[key] = (time.monotonic() + self._ttl, who)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def make_store(st: Settings) -> DocumentStore:
    """The S3-compatible bucket when one is configured, else the local upload directory."""
    if st.s3_bucket:
        return S3Store(st.s3_bucket, st.s3_prefix, st.s3_endpoint_url, st.s3_region)
    return LocalStore(st.upload_dir)


@dataclass
class AppState:
    db: Database
    settings: Settings
    engines: EngineCache = field(default_factory=EngineCache)
    registry: RegistryFacts = field(default_factory=RegistryFacts)
    results: ResultCache = field(default_factory=ResultCache)
    principals: PrincipalCache = field(default_factory=PrincipalCache)
    #: program search results (JSON) by catalog revision and query
    searches: LRU[tuple[object, ...], bytes] = field(default_factory=LRU)
    schema_revision: str = ""
    store: DocumentStore = field(init=False)
    _index: tuple[int, KeywordIndex] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.store = make_store(self.settings)

    def engine(self, db: Session) -> tuple[int, Engine]:
        return self.engines.get(db)

    def index(self, db: Session) -> tuple[int, Engine, KeywordIndex]:
        rev, engine = self.engines.get(db)
        with self._lock:
            if self._index is None or self._index[0] != rev:
                self._index = (rev, build_index(engine.catalog))
            return rev, engine, self._index[1]
