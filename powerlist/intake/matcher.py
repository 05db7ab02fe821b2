"""Text → category: the matcher (自动匹配).

A linear model over TF-IDF features (`powerlist.intake.features`) with a temperature-calibrated
softmax: `predict(text)` gives the best label, its confidence (0–1, calibrated on held-out
folds at training time, see `powerlist.intake.training`), the top-k candidates and
`needs_review` when the confidence is below the review threshold — an operator then confirms
(派单 stays a human decision when the machine is unsure).

    m = Matcher.default()                      # the shipped model for the shipped taxonomy
    m = Matcher.train(texts, labels)           # a city's own history, its own labels
    m.save("city.json.gz"); Matcher.load("city.json.gz")
    p = m.predict("小区门口井盖丢了", top=3)      # Prediction(category, confidence, candidates, needs_review)

`predict` never raises on text: any string (empty, very long, emoji, mixed scripts) gives one
of the model's labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict

from .. import resources
from ..errors import InputError, Problem
from .features import FeatureParams, Vectorizer
from .model_file import (
    FORMAT,
    SUMMARY,
    VERSION,
    ModelParts,
    encode_array,
    parse_document,
    read_document,
    write_document,
)

DEFAULT_MODEL = "matcher-default.json.gz"
DEFAULT_REVIEW_THRESHOLD = 0.5
_BATCH = 2048


class Candidate(NamedTuple):
    category: str
    confidence: float


class Prediction(BaseModel):
    """One text's match: the best category, its calibrated confidence, the top-k candidates
    (best first, the best included) and whether an operator should confirm it."""

    model_config = ConfigDict(frozen=True)

    category: str
    confidence: float
    candidates: list[Candidate]
    needs_review: bool

    def as_json(self, digits: int = 4) -> dict[str, Any]:
        return {
            "category": self.category,
            "confidence": round(self.confidence, digits),
            "candidates": [{"category": c.category, "confidence": round(c.confidence, digits)}
                           for c in self.candidates],
            "needs_review": self.needs_review,
        }


class Matcher:
    """A trained text classifier over a fixed label set. Immutable once built."""

    def __init__(self, parts: ModelParts) -> None:
        self._parts = parts
        self.labels: tuple[str, ...] = tuple(parts.labels)
        self.params: FeatureParams = parts.params
        self.review_threshold: float = parts.review_threshold
        self.temperature: float = parts.temperature
        self.label_names: dict[str, str] = dict(parts.label_names)
        self.training: dict[str, Any] = dict(parts.training)
        self._vectorizer = Vectorizer(parts.params, parts.vocabulary, parts.idf)
        self._weights = np.ascontiguousarray(parts.coef.T)  # [n_terms, n_labels]
        self._intercept = np.asarray(parts.intercept, dtype=np.float64)

    # ---- building ---------------------------------------------------------------------------

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str], **options: Any) -> Matcher:
        """Train on labelled texts (deterministic: same data and options, same model).

        Options (all optional): char_ngrams=(1, 3), words=False (jieba words as extra features),
        max_features=60000, min_df=1, C=0.5, review_threshold=0.5, calibration_folds=5, seed=0,
        max_chars=10000, label_names={label: name}, calibration_groups=[group per text] (texts of a
        group are held out together when the confidence is calibrated), keywords={label: [term, …]} (keyword rules, e.g.
        a dispatch catalogue's 派单关键词: each term is trained on as one short text of its label;
        they are not scored for calibration). Raises InputError for unusable data (no rows,
        lengths that differ, an empty label)."""
        from .training import fit

        return cls(fit(texts, labels, **options))

    @classmethod
    def load(cls, path: str | Path) -> Matcher:
        """A model file written by `save` (JSON, optionally gzip); validated, never executed."""
        return cls(parse_document(read_document(path), str(path)))

    @classmethod
    def default(cls) -> Matcher:
        """The shipped model for the shipped taxonomy (models/matcher-default.json.gz)."""
        return _default()

    def with_review_threshold(self, threshold: float) -> Matcher:
        """The same model with another review threshold (0–1)."""
        if not 0 <= threshold <= 1:
            raise InputError([Problem(message="复核阈值应在 0 到 1 之间 (the review threshold must be between 0 and 1)",
                                      field="review_threshold", value=str(threshold), code="bad-threshold")], SUMMARY)
        parts = self._parts
        return Matcher(ModelParts(parts.labels, parts.params, parts.vocabulary, parts.idf, parts.coef, parts.intercept,
                                  parts.temperature, float(threshold), parts.training, parts.label_names))

    def document(self) -> dict[str, Any]:
        """The model as its file's JSON document."""
        parts = self._parts
        return {
            "format": FORMAT,
            "version": VERSION,
            "labels": list(parts.labels),
            "label_names": dict(sorted(parts.label_names.items())),
            "features": parts.params.model_dump(mode="json"),
            "vocabulary": list(parts.vocabulary),
            "idf": encode_array(parts.idf, "float32"),
            "coef": encode_array(parts.coef, "int8"),
            "intercept": encode_array(parts.intercept, "float32"),
            "calibration": {"method": "temperature", "temperature": parts.temperature},
            "review_threshold": parts.review_threshold,
            "training": parts.training,
        }

    def save(self, path: str | Path) -> None:
        """Write the model file (gzip when the name ends in .gz); the same model, the same bytes.

        Weights are stored as int8 with one scale per label; the saved model is what predicts
        (`train` returns the model already rounded that way, so save → load changes nothing)."""
        write_document(self.document(), path)

    # ---- predicting -------------------------------------------------------------------------

    def probabilities(self, texts: Sequence[Any]) -> np.ndarray:
        """Calibrated label probabilities, one row per text (columns in `labels` order)."""
        return self._score(texts)[0]

    def _score(self, texts: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities, whether each text has any feature the model knows)."""
        rows, known = [], []
        for start in range(0, len(texts), _BATCH):
            features = self._vectorizer.transform(list(texts[start:start + _BATCH]))
            scores = np.asarray(features @ self._weights) + self._intercept
            probabilities = softmax(scores / self.temperature)
            evidence = np.diff(features.indptr) > 0
            # A text with no feature the model knows has no evidence for any label: uniform.
            probabilities[~evidence] = 1.0 / len(self.labels)
            rows.append(probabilities)
            known.append(evidence)
        if not rows:
            return np.zeros((0, len(self.labels))), np.zeros(0, dtype=bool)
        return np.vstack(rows), np.concatenate(known)

    def predict(self, text: str, top: int = 3, *, threshold: float | None = None) -> Prediction:
        return self.predict_many([text], top, threshold=threshold)[0]

    def predict_many(self, texts: Sequence[str], top: int = 3, *, threshold: float | None = None) -> list[Prediction]:
        """One `Prediction` per text, in order. `top` is clamped to 1…number of labels;
        `threshold` overrides the model's review threshold. A text with no feature the model
        knows (empty, emoji only, another script) gets equal confidence for every label (the
        first label comes first) and always needs review."""
        limit = threshold if threshold is not None else self.review_threshold
        k = max(1, min(int(top), len(self.labels)))
        probabilities, known = self._score(texts)
        out: list[Prediction] = []
        labels = self.labels
        for row, evidence in zip(probabilities, known, strict=True):
            order = np.argsort(-row, kind="stable")[:k]
            candidates = [Candidate(labels[i], float(row[i])) for i in order]
            best = candidates[0]
            out.append(Prediction(category=best.category, confidence=best.confidence, candidates=candidates,
                                  needs_review=best.confidence < limit or not bool(evidence)))
        return out


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return result


_DEFAULT: list[Matcher] = []


def default_model_path() -> Path:
    return resources.models_dir() / DEFAULT_MODEL


def _default() -> Matcher:
    if not _DEFAULT:
        _DEFAULT.append(Matcher.load(default_model_path()))
    return _DEFAULT[0]
