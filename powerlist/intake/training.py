"""Training the matcher: TF-IDF features, a linear SVM (one-vs-rest, scikit-learn's LinearSVC),
and a temperature that calibrates its scores into confidences.

Deterministic: the vocabulary is chosen by frequency with ties broken by the term, the SVM's
solver is seeded, the calibration folds are seeded, and the model is rounded to what its file
stores (int8 weights, float32 idf and intercepts) before it is returned, so a trained model and
the same model saved and loaded predict identically.

Calibration: the scores of `calibration_folds` models, each trained without one fold, on that
fold (out-of-fold scores), fix the temperature T that minimises the log-loss of
softmax(scores / T). When some label has fewer than two examples there are no folds, and T = 1.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InputError, Problem
from .features import FeatureParams, Vectorizer, choose_vocabulary, document_frequencies
from .model_file import ModelParts, decode_array, encode_array

DEFAULTS: dict[str, Any] = {
    "char_ngrams": (1, 3),
    "words": False,
    "max_features": 60_000,
    "min_df": 1,
    "C": 0.5,
    "review_threshold": 0.5,
    "calibration_folds": 5,
    "seed": 0,
    "max_chars": 10_000,
}
SUMMARY = "无法训练匹配模型 (cannot train the matcher)"


EXTRA = ("label_names", "keywords", "calibration_groups")


def _options(options: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(DEFAULTS) - set(EXTRA))
    if unknown:
        raise InputError([Problem(message=f"未知的训练选项 (unknown training option; known: {', '.join(DEFAULTS)})",
                                  field=name, code="unknown-option") for name in unknown], SUMMARY)
    merged = {**DEFAULTS, **{k: v for k, v in options.items() if k not in EXTRA}}
    problems: list[Problem] = []
    try:
        lo, hi = merged["char_ngrams"]
        merged["char_ngrams"] = (int(lo), int(hi))
        if not 1 <= merged["char_ngrams"][0] <= merged["char_ngrams"][1] <= 8:
            raise ValueError
    except (TypeError, ValueError):
        problems.append(Problem(message="char_ngrams 应为 (最小, 最大)，1 ≤ 最小 ≤ 最大 ≤ 8 "
                                "(char_ngrams must be (min, max) with 1 ≤ min ≤ max ≤ 8)", field="char_ngrams",
                                value=str(merged["char_ngrams"]), code="bad-option"))
    threshold = merged["review_threshold"]
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 <= threshold <= 1:
        problems.append(Problem(message="复核阈值应在 0 到 1 之间 (review_threshold must be between 0 and 1)",
                                field="review_threshold", value=str(threshold), code="bad-option"))
    if problems:
        raise InputError(problems, SUMMARY)
    return merged


def _check(texts: Sequence[Any], labels: Sequence[Any]) -> tuple[list[str], list[str]]:
    problems: list[Problem] = []
    if len(texts) != len(labels):
        problems.append(Problem(message=f"文本 {len(texts)} 条而标签 {len(labels)} 条 "
                                f"({len(texts)} texts but {len(labels)} labels)", code="length-mismatch"))
    if not texts:
        problems.append(Problem(message="没有训练数据 (no training rows)", code="empty"))
    clean_labels: list[str] = []
    for row, label in enumerate(labels, start=1):
        text = "" if label is None else str(label).strip()
        if not text:
            problems.append(Problem(message="标签为空 (empty label)", row=row, field="label", code="empty-label"))
        clean_labels.append(text)
    if problems:
        raise InputError(problems, SUMMARY)
    return ["" if t is None else str(t) for t in texts], clean_labels


def _keyword_rows(keywords: Any, classes: list[str]) -> tuple[list[str], list[str]]:
    """Keyword rules (label → terms) as short labelled texts, in a stable order."""
    if not keywords:
        return [], []
    problems = [Problem(message="关键词的标签不在训练标签中 (a keyword's label is not among the training labels)",
                        field="keywords", value=str(label), code="unknown-label")
                for label in sorted(map(str, keywords)) if label not in set(classes)]
    if problems:
        raise InputError(problems, SUMMARY)
    texts: list[str] = []
    labels: list[str] = []
    for label in sorted(map(str, keywords)):
        for term in keywords[label]:
            if str(term).strip():
                texts.append(str(term))
                labels.append(label)
    return texts, labels


def fit(texts: Sequence[Any], labels: Sequence[Any], **options: Any) -> ModelParts:
    names = options.get("label_names") or {}
    opts = _options(options)
    texts_, labels_ = _check(texts, labels)
    lo, hi = opts["char_ngrams"]
    params = FeatureParams(char_min=lo, char_max=hi, words=bool(opts["words"]), max_chars=int(opts["max_chars"]))
    classes = sorted(set(labels_))
    extra_texts, extra_labels = _keyword_rows(options.get("keywords"), classes)
    y = _codes(labels_, classes)
    extra_y = _codes(extra_labels, classes)
    vectorizer, features = _features(texts_ + extra_texts, params, int(opts["min_df"]), opts["max_features"])
    coef, intercept = _linear(features, np.concatenate([y, extra_y]), len(classes), float(opts["C"]),
                              int(opts["seed"]))
    groups = _groups(options.get("calibration_groups"), len(texts_))
    temperature = _temperature(texts_, y, len(classes), params, opts, (extra_texts, extra_y), groups)
    training = {
        "rows": len(texts_),
        "keyword_rows": len(extra_texts),
        "labels": len(classes),
        "options": {k: list(v) if isinstance(v, tuple) else v for k, v in sorted(opts.items())},
        "algorithm": "tf-idf (character n-grams%s) + LinearSVC (one-vs-rest) + temperature-scaled softmax"
                     % (" + jieba words" if params.words else ""),
    }
    return _rounded(ModelParts(classes, params, vectorizer.terms, vectorizer.idf, coef, intercept, temperature,
                               float(opts["review_threshold"]), training,
                               {str(k): str(v) for k, v in dict(names).items() if str(k) in set(classes)}))


def _codes(labels: list[str], classes: list[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(classes)}
    return np.array([index[label] for label in labels], dtype=np.int64)


def _features(texts: list[str], params: FeatureParams, min_df: int, max_features: int | None) -> tuple[Vectorizer, Any]:
    df, tf, count = document_frequencies(texts, params)
    terms, idf = choose_vocabulary(df, tf, count, min_df, max_features)
    vectorizer = Vectorizer(params, terms, idf)
    return vectorizer, vectorizer.transform(texts)


def _linear(features: Any, y: np.ndarray, k: int, c: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights [k, n] and intercepts [k] of a one-vs-rest linear SVM (k ≥ 1 labels)."""
    n = features.shape[1]
    if k == 1 or n == 0:
        # One label, or no feature at all (every text empty): the scores are the log priors.
        counts = np.bincount(y, minlength=k).astype(np.float64)
        return np.zeros((k, n)), np.log(counts / counts.sum())
    from sklearn.svm import LinearSVC

    model = LinearSVC(C=c, random_state=seed, max_iter=5000, dual=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a ConvergenceWarning on hard data is not the user's error
        model.fit(features, y)
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if k == 2:  # sklearn gives one row for two labels: split it symmetrically
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    return coef, intercept


def _groups(groups: Any, count: int) -> list[str] | None:
    if groups is None:
        return None
    values = [str(g) for g in groups]
    if len(values) != count:
        raise InputError([Problem(message=f"calibration_groups 有 {len(values)} 个而文本 {count} 条 "
                                  f"(calibration_groups has {len(values)} entries for {count} texts)",
                                  field="calibration_groups", code="length-mismatch")], SUMMARY)
    return values


def _temperature(texts: list[str], y: np.ndarray, k: int, params: FeatureParams, opts: dict[str, Any],
                 extra: tuple[list[str], np.ndarray], groups: list[str] | None) -> float:
    folds = int(opts["calibration_folds"])
    smallest = min(Counter(y.tolist()).values())
    if k < 2 or folds < 2 or smallest < 2:
        return 1.0
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    seed = int(opts["seed"])
    if groups is not None and len(set(groups)) >= folds:
        # Texts of one group (e.g. one phrasing, one caller) are held out together, so the
        # temperature is fitted on texts unlike those the fold's model saw.
        splits = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(
            np.zeros(len(y)), y, groups)
    else:
        splits = StratifiedKFold(n_splits=min(folds, smallest), shuffle=True, random_state=seed).split(
            np.zeros(len(y)), y)
    scores = np.zeros((len(texts), k))
    for train, test in splits:
        fold_y = np.concatenate([y[train], extra[1]])
        vectorizer, features = _features([texts[i] for i in train] + extra[0], params, int(opts["min_df"]),
                                         opts["max_features"])
        present = sorted(set(fold_y.tolist()))
        position = {v: i for i, v in enumerate(present)}
        remap = np.array([position[v] for v in fold_y.tolist()])
        coef, intercept = _linear(features, remap, len(present), float(opts["C"]), int(opts["seed"]))
        fold_scores = np.full((len(test), k), -1e3)
        fold_scores[:, present] = np.asarray(vectorizer.transform([texts[i] for i in test]) @ coef.T) + intercept
        scores[test] = fold_scores
    return fit_temperature(scores, y)


def fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """The T > 0 minimising the mean log-loss of softmax(scores / T) (a golden-section search
    over log T in [1e-3, 1e3]; deterministic)."""

    def loss(log_t: float) -> float:
        z = scores / math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(z).sum(axis=1))
        return float(np.mean(log_norm - z[np.arange(len(y)), y]))

    a, b = math.log(1e-3), math.log(1e3)
    ratio = (math.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = loss(c), loss(d)
    for _ in range(80):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = loss(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = loss(d)
    return float(round(math.exp((a + b) / 2), 6))


def _rounded(parts: ModelParts) -> ModelParts:
    """The model as its file stores it (see `powerlist.intake.model_file`)."""
    problems: list[Problem] = []
    n, k = len(parts.vocabulary), len(parts.labels)
    idf = decode_array(encode_array(parts.idf, "float32"), "idf", (n,), problems, "")
    coef = decode_array(encode_array(parts.coef, "int8"), "coef", (k, n), problems, "")
    intercept = decode_array(encode_array(parts.intercept, "float32"), "intercept", (k,), problems, "")
    assert idf is not None and coef is not None and intercept is not None, problems
    return ModelParts(parts.labels, parts.params, parts.vocabulary, idf, coef, intercept, parts.temperature,
                      parts.review_threshold, parts.training, parts.label_names)
