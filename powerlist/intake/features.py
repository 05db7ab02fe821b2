"""Text → features for the matcher: normalised character n-grams and (optionally) jieba words.

One function, `tokens(text, params)`, is used both when a model is trained and when it predicts,
so a saved model always sees the features it was trained on. `FeatureParams` is part of the
model file (`powerlist.intake.model_file`).

Normalisation: NFKC (full-width letters and digits → ASCII), lower case, every run of digits → "0"
(house numbers, phone numbers and clock times say nothing about the category), and the text is cut
into segments of letters, digits and Chinese characters: punctuation, spaces and emoji separate
segments and never form part of an n-gram. Texts longer than `max_chars` are cut (a complaint is
a few hundred characters; a 100,000-character paste must not cost seconds).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import sparse

_DIGITS = re.compile(r"\d+")
_SEGMENT = re.compile(r"[^\W_]+")
WORD_PREFIX = "w|"


class FeatureParams(BaseModel):
    """How text becomes features (stored in the model file)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    char_min: int = Field(default=1, ge=1, le=8)
    char_max: int = Field(default=3, ge=1, le=8)
    words: bool = False  # jieba words as extra features (prefixed "w|")
    max_chars: int = Field(default=10_000, ge=1, le=1_000_000)
    sublinear_tf: bool = True

    @model_validator(mode="after")
    def _order(self) -> FeatureParams:
        if self.char_min > self.char_max:
            raise ValueError("char_min must not exceed char_max")
        return self


def normalise(text: Any, max_chars: int = 10_000) -> str:
    """The text as the matcher reads it (see the module docstring); never raises."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = text[: max_chars * 2]  # NFKC may expand; cut generously first, exactly after
    # Lone surrogates (from a broken decoder) cannot be normalised by every codec: drop them.
    text = text.encode("utf-8", "ignore").decode("utf-8") if _has_surrogate(text) else text
    text = unicodedata.normalize("NFKC", text).lower()[:max_chars]
    return _DIGITS.sub("0", text)


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def segments(text: str) -> list[str]:
    return _SEGMENT.findall(text)


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def tokens(text: Any, params: FeatureParams) -> list[str]:
    """Every feature token of `text` (with repeats), in text order."""
    parts = segments(normalise(text, params.max_chars))
    out: list[str] = []
    lo, hi = params.char_min, params.char_max
    for part in parts:
        size = len(part)
        for n in range(lo, hi + 1):
            if size < n:
                break
            out.extend(part[i:i + n] for i in range(size - n + 1))
    if params.words and parts:
        tokenizer = _jieba()
        for part in parts:
            out.extend(WORD_PREFIX + word for word in tokenizer.lcut(part, HMM=False) if len(word) > 1)
    return out


def document_frequencies(texts: Iterable[Any], params: FeatureParams) -> tuple[Counter[str], Counter[str], int]:
    """(document frequency, total frequency, number of documents) of every token."""
    df: Counter[str] = Counter()
    tf: Counter[str] = Counter()
    count = 0
    for text in texts:
        counts = Counter(tokens(text, params))
        df.update(counts.keys())
        tf.update(counts)
        count += 1
    return df, tf, count


def choose_vocabulary(df: Counter[str], tf: Counter[str], documents: int, min_df: int,
                      max_features: int | None) -> tuple[list[str], np.ndarray]:
    """The vocabulary (sorted, for a stable column order) and its smoothed idf.

    Terms in fewer than `min_df` documents are dropped; of the rest, the `max_features` most
    frequent are kept (ties broken by the term itself, so the choice is deterministic)."""
    terms = [t for t, n in df.items() if n >= min_df]
    if max_features is not None and len(terms) > max_features:
        terms.sort(key=lambda t: (-tf[t], t))
        terms = terms[:max_features]
    terms.sort()
    idf = np.array([math.log((1 + documents) / (1 + df[t])) + 1.0 for t in terms], dtype=np.float64)
    return terms, idf


class Vectorizer:
    """Texts → an L2-normalised TF-IDF matrix over a fixed vocabulary."""

    def __init__(self, params: FeatureParams, vocabulary: Sequence[str], idf: np.ndarray) -> None:
        self.params = params
        self.terms = list(vocabulary)
        self.index = {term: i for i, term in enumerate(self.terms)}
        self.idf = np.asarray(idf, dtype=np.float64)

    @property
    def size(self) -> int:
        return len(self.terms)

    def transform(self, texts: Sequence[Any]) -> sparse.csr_matrix:
        index = self.index
        indptr = [0]
        indices: list[int] = []
        values: list[float] = []
        lookup = index.get
        for text in texts:
            counts: Counter[int | None] = Counter(map(lookup, tokens(text, self.params)))  # counted in C
            counts.pop(None, None)
            columns = sorted(c for c in counts if c is not None)
            indices.extend(columns)
            values.extend(float(counts[c]) for c in columns)
            indptr.append(len(indices))
        data = np.asarray(values, dtype=np.float64)
        cols = np.asarray(indices, dtype=np.int64)
        if self.params.sublinear_tf and data.size:
            data = 1.0 + np.log(data)
        if data.size:
            data *= self.idf[cols]
        matrix = sparse.csr_matrix((data, cols, np.asarray(indptr, dtype=np.int64)), shape=(len(texts), self.size))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0.0] = 1.0
        scaled: sparse.csr_matrix = sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)
        return scaled
