"""Measuring a matcher: accuracy, top-k accuracy, macro-F1, per-label precision / recall / F1 /
support and the confusion matrix — on labelled data with a given model, or by stratified K-fold
train-and-test (each fold's model trained on the other folds only)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError, Problem
from .matcher import Matcher, Prediction


@dataclass(frozen=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    mode: str  # "model" | "k-fold"
    folds: int | None
    rows: int
    accuracy: float
    top_k: int
    top_k_accuracy: float
    macro_f1: float
    needs_review: float  # share of rows below the review threshold
    accuracy_confident: float | None  # accuracy of the rows that do not need review
    per_label: list[LabelScore]
    labels: list[str]  # confusion matrix order
    confusion: list[list[int]]  # [true label][predicted label]

    def as_json(self, digits: int = 4) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "folds": self.folds,
            "rows": self.rows,
            "accuracy": round(self.accuracy, digits),
            "top_k": self.top_k,
            "top_k_accuracy": round(self.top_k_accuracy, digits),
            "macro_f1": round(self.macro_f1, digits),
            "needs_review": round(self.needs_review, digits),
            "accuracy_confident": None if self.accuracy_confident is None else round(self.accuracy_confident, digits),
            "per_label": [{"label": s.label, "precision": round(s.precision, digits), "recall": round(s.recall, digits),
                           "f1": round(s.f1, digits), "support": s.support} for s in self.per_label],
            "confusion_matrix": {"labels": self.labels, "matrix": self.confusion},
        }


def score(truth: Sequence[str], predictions: Sequence[Prediction], mode: str = "model",
          folds: int | None = None) -> Evaluation:
    """The measures of `predictions` against `truth` (same length, same order)."""
    predicted = [p.category for p in predictions]
    labels = sorted(set(truth) | set(predicted))
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(truth, predicted, strict=True):
        matrix[index[t], index[p]] += 1
    per_label = []
    for i, label in enumerate(labels):
        tp = int(matrix[i, i])
        predicted_n, support = int(matrix[:, i].sum()), int(matrix[i, :].sum())
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label.append(LabelScore(label, precision, recall, f1, support))
    n = len(truth)
    in_truth = [s for s in per_label if s.support > 0]
    top_k = max((len(p.candidates) for p in predictions), default=1)
    review = [p.needs_review for p in predictions]
    confident = [t == p.category for t, p in zip(truth, predictions, strict=True) if not p.needs_review]
    return Evaluation(
        mode=mode, folds=folds, rows=n,
        accuracy=float(np.trace(matrix)) / n if n else 0.0,
        top_k=top_k,
        top_k_accuracy=sum(t in [c.category for c in p.candidates] for t, p in zip(truth, predictions, strict=True)) / n
        if n else 0.0,
        macro_f1=sum(s.f1 for s in in_truth) / len(in_truth) if in_truth else 0.0,
        needs_review=sum(review) / n if n else 0.0,
        accuracy_confident=sum(confident) / len(confident) if confident else None,
        per_label=per_label, labels=labels, confusion=matrix.tolist(),
    )


def evaluate_model(matcher: Matcher, texts: Sequence[str], truth: Sequence[str], top: int = 3) -> Evaluation:
    return score(truth, matcher.predict_many(texts, top), "model")


def cross_validate(texts: Sequence[str], truth: Sequence[str], folds: int = 5, top: int = 3, seed: int = 0,
                   **options: Any) -> Evaluation:
    """Stratified K-fold: every row is predicted by a model that never saw it."""
    from sklearn.model_selection import StratifiedKFold

    if folds < 2:
        raise InputError([Problem(message="折数至少为 2 (at least 2 folds)", field="--folds", value=str(folds),
                                  code="bad-folds")], "无法交叉验证 (cannot cross-validate)")
    if len(texts) < folds or len(set(truth)) < 2:
        raise InputError([Problem(message=f"交叉验证需要至少 {folds} 行、2 个标签 "
                                  f"(K-fold needs at least {folds} rows and 2 labels)", code="too-few-rows")],
                         "无法交叉验证 (cannot cross-validate)")
    predictions: list[Prediction | None] = [None] * len(texts)
    y = np.array(list(truth))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a label rarer than the folds: sklearn warns, the split still works
        splits = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
    for train, test in splits:
        model = Matcher.train([texts[i] for i in train], [truth[i] for i in train], seed=seed, **options)
        for i, prediction in zip(test, model.predict_many([texts[i] for i in test], top), strict=True):
            predictions[i] = prediction
    done = [p for p in predictions if p is not None]
    return score(truth, done, "k-fold", folds)
