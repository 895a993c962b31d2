"""What the running app keeps between requests: the database, caches keyed by what they were
built from (catalog revision, firm registry), and settings."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from onestop.catalog.queries import build_index
from onestop.catalog.search import KeywordIndex
from onestop.catalog.services import EngineCache
from onestop.matching.records import RegistryFacts, ResultCache
from onestop.matching.services import Engine
from onestop.platform.db import Database
from onestop.platform.settings import Settings


@dataclass
class AppState:
    db: Database
    settings: Settings
    engines: EngineCache = field(default_factory=EngineCache)
    registry: RegistryFacts = field(default_factory=RegistryFacts)
    results: ResultCache = field(default_factory=ResultCache)
    schema_revision: str = ""
    _index: tuple[int, KeywordIndex] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def engine(self, db: Session) -> tuple[int, Engine]:
        return self.engines.get(db)

    def index(self, db: Session) -> tuple[int, Engine, KeywordIndex]:
        rev, engine = self.engines.get(db)
        with self._lock:
            if self._index is None or self._index[0] != rev:
                self._index = (rev, build_index(engine.catalog))
            return rev, engine, self._index[1]
