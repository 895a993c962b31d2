"""Korean keyword search over programs: morphemes from kiwipiepy, so particles and spacing
don't matter ("청년창업자금을" finds "청년전용창업자금"), ranked by BM25.

Indexed text: names (ko, en), summary, agency names, category words. Content morphemes (nouns,
roots, foreign words, numbers) are kept; particles and endings are dropped. Compound nouns are
also indexed by their character bigrams so a query typed without spaces still matches.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from kiwipiepy import Kiwi

from onestop.text import identifier

_KEEP = ("NNG", "NNP", "NR", "SL", "SN", "XR", "VV", "VA", "SH")
_LATIN = re.compile(r"[a-z0-9]+")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _kiwi() -> Kiwi:
    return Kiwi()


def terms(text: str) -> list[str]:
    """Search terms of a text: content morphemes, their bigrams, and lower-cased Latin words.

    The text is NFKC-normalised first (documents and queries alike), so decomposed Hangul from a
    macOS or PDF copy and full-width letters find what their composed forms find.
    """
    text = identifier(text)
    with _lock:  # Kiwi instances are not safe to share across threads
        tokens = _kiwi().tokenize(text)
    out: list[str] = []
    for t in tokens:
        if t.tag in _KEEP or t.tag.startswith("NN"):
            form = t.form.lower()
            out.append(form)
            if len(form) >= 3 and not form.isascii():
                out.extend(form[i:i + 2] for i in range(len(form) - 1))
    out.extend(_LATIN.findall(text.lower()))
    return out


class KeywordIndex:
    """BM25 over a small corpus (the catalog): documents are program ids."""

    K1 = 1.2
    B = 0.75

    def __init__(self, docs: Iterable[tuple[str, str]]) -> None:
        self._tf: dict[str, Counter[str]] = {}
        self._len: dict[str, int] = {}
        df: Counter[str] = Counter()
        for doc_id, text in docs:
            tf = Counter(terms(text))
            self._tf[doc_id] = tf
            self._len[doc_id] = sum(tf.values())
            df.update(tf.keys())
        n = max(1, len(self._tf))
        self._avg = sum(self._len.values()) / n if self._len else 1.0
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def score(self, query: str) -> dict[str, float]:
        q = set(terms(query))
        out: dict[str, float] = {}
        for doc_id, tf in self._tf.items():
            s = 0.0
            norm = self.K1 * (1 - self.B + self.B * self._len[doc_id] / self._avg)
            for term in q:
                f = tf.get(term)
                if f:
                    s += self._idf[term] * f * (self.K1 + 1) / (f + norm)
            if s > 0:
                out[doc_id] = s
        return out
