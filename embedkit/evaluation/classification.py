"""Sentence classification: k-fold cross-validated logistic regression on mean-pooled word vectors.

Each space (contextual in context, static, fused at each alpha) gives one feature vector per sentence: the
mean of its word vectors. Every space is scored on the same folds, so out-of-fold predictions can be
compared sentence by sentence with McNemar's exact test against the contextual-only features.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from embedkit.wordvectors import WordVectors

__all__ = [
    "CVResult",
    "McNemar",
    "cross_validate",
    "fit_predict",
    "make_folds",
    "mcnemar",
    "mean_pool",
    "nested_alpha_cv",
    "sentence_features",
]

logger = logging.getLogger(__name__)


def mean_pool(
    word_vectors: Sequence[np.ndarray], mask: Sequence[np.ndarray] | None = None, *, dim: int | None = None
) -> np.ndarray:
    """One feature row per sentence: the mean of its word vectors.

    Args:
        word_vectors: ``(n_words, dim)`` per sentence.
        mask: optional bool per word; only True words are averaged (an all-False sentence gives zeros).
        dim: the feature size (default: that of the first sentence).
    """
    if not word_vectors:
        raise ValueError("no sentences to pool")
    dim = word_vectors[0].shape[1] if dim is None else dim
    out = np.zeros((len(word_vectors), dim), dtype=np.float64)
    for i, vecs in enumerate(word_vectors):
        keep = np.ones(len(vecs), dtype=bool) if mask is None else np.asarray(mask[i], dtype=bool)
        if keep.any():
            out[i] = np.asarray(vecs, dtype=np.float64)[keep].mean(axis=0)
    return out


def sentence_features(wv: WordVectors, space: str, mode: str = "weighted", alpha: float = 0.5) -> np.ndarray:
    """One feature row per sentence of ``wv`` (rows grouped by ``sentence_id``): the mean of its word vectors.

    ``bert`` and ``fused`` average every word; ``static`` averages the words the static vectors know (a sentence
    without any gives zeros), so OOV zero rows never dilute the mean.
    """
    X = wv.space(space, mode, alpha)
    keep = ~np.asarray(wv.oov, bool) if space == "static" else np.ones(len(wv), bool)
    sid = np.asarray(wv.sentence_id, np.int64)
    n = int(sid.max()) + 1 if len(sid) else 0
    return mean_pool([X[(sid == s) & keep] for s in range(n)], dim=X.shape[1])


def make_folds(y: np.ndarray, k: int = 10, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified ``k`` folds as ``(train_idx, test_idx)``; the same seed gives the same folds.

    Raises:
        ValueError: if ``k`` is below 2 or above the size of the smallest class.
    """
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y)
    smallest = int(np.bincount(y).min()) if len(y) else 0
    if k < 2 or k > smallest:
        raise ValueError(f"k-fold needs 2 <= k <= {smallest} (smallest class), got k={k}")
    skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [(tr, te) for tr, te in skf.split(np.zeros(len(y)), y)]


def fit_predict(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, c: float = 1.0) -> np.ndarray:
    """Logistic regression trained on ``X_train``, predictions for ``X_test``.

    Features are centred and divided by one scalar (the training rows' RMS norm), not standardised per
    column: per-column scaling would undo the ``sqrt(a)`` / ``sqrt(1-a)`` weights of concatenation and make
    every alpha look alike. Statistics come from the training rows only.
    """
    from sklearn.linear_model import LogisticRegression

    mu = X_train.mean(axis=0)
    scale = float(np.sqrt(((X_train - mu) ** 2).sum(axis=1).mean())) or 1.0
    model = LogisticRegression(C=c, max_iter=2000, solver="newton-cg")
    model.fit((X_train - mu) / scale, y_train)
    return model.predict((X_test - mu) / scale)


@dataclass
class CVResult:
    """Cross-validated accuracy of one feature space.

    Attributes:
        name: space name.
        fold_accuracy: accuracy of each fold.
        correct: out-of-fold correctness of each sentence (for McNemar).
        alphas: the alpha chosen in each fold, when alpha was selected inside the folds.
        word_weights: learned per-word source weights of each sentence, out of fold (DME only).
    """

    name: str
    fold_accuracy: np.ndarray
    correct: np.ndarray = field(repr=False)
    alphas: list[float] = field(default_factory=list)
    word_weights: list[np.ndarray] | None = field(default=None, repr=False)

    @property
    def accuracy(self) -> float:
        """Out-of-fold accuracy over all sentences."""
        return float(self.correct.mean())

    @property
    def spread(self) -> float:
        """Standard deviation of the fold accuracies."""
        return float(self.fold_accuracy.std(ddof=1)) if len(self.fold_accuracy) > 1 else 0.0

    def format(self) -> str:
        """``0.780 ± 0.071``."""
        return f"{self.accuracy:.3f} ± {self.spread:.3f}"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        out: dict[str, Any] = {
            "name": self.name,
            "accuracy": self.accuracy,
            "spread": self.spread,
            "fold_accuracy": [float(a) for a in self.fold_accuracy],
        }
        if self.alphas:
            out["alphas"] = list(self.alphas)
        return out


def cross_validate(
    X: np.ndarray,
    y: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    *,
    name: str = "features",
    c: float = 1.0,
) -> CVResult:
    """Logistic regression (see :func:`fit_predict`) trained and tested on each fold."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    correct = np.zeros(len(y), dtype=bool)
    accs = []
    for train, test in folds:
        hit = fit_predict(X[train], y[train], X[test], c) == y[test]
        correct[test] = hit
        accs.append(hit.mean())
    return CVResult(name, np.asarray(accs), correct)


def nested_alpha_cv(
    features: Callable[[float], np.ndarray],
    y: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    alphas: Sequence[float],
    *,
    name: str = "fused",
    inner_k: int = 5,
    seed: int = 0,
    c: float = 1.0,
) -> CVResult:
    """Cross-validated accuracy with alpha chosen inside each training fold (never on its test fold).

    Args:
        features: alpha -> sentence features ``(n, dim)``; called once per alpha.
        y: labels.
        folds: outer folds.
        alphas: candidate weights.
        name: space name.
        inner_k: folds of the inner cross-validation on each outer training part.
        seed: seed of the inner folds.
        c: inverse regularisation strength.
    """
    from embedkit.evaluation.selection import choose_alpha

    y = np.asarray(y)
    feats = {float(a): np.asarray(features(float(a)), dtype=np.float64) for a in alphas}
    correct = np.zeros(len(y), dtype=bool)
    accs: list[float] = []
    chosen: list[float] = []
    for fold_no, (train, test) in enumerate(folds):
        inner = make_folds(y[train], k=min(inner_k, int(np.bincount(y[train]).min())), seed=seed + fold_no)
        scores = {a: cross_validate(X[train], y[train], inner, c=c).accuracy for a, X in feats.items()}
        alpha = choose_alpha(scores)
        X = feats[alpha]
        hit = fit_predict(X[train], y[train], X[test], c) == y[test]
        correct[test] = hit
        accs.append(float(hit.mean()))
        chosen.append(alpha)
    return CVResult(name, np.asarray(accs), correct, chosen)


@dataclass(frozen=True)
class McNemar:
    """McNemar's exact test on paired out-of-fold predictions.

    Attributes:
        only_a: sentences only ``a`` got right.
        only_b: sentences only ``b`` got right.
        p_value: two-sided exact binomial p-value.
    """

    only_a: int
    only_b: int
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {"only_a": self.only_a, "only_b": self.only_b, "p_value": self.p_value}


def mcnemar(correct_a: np.ndarray, correct_b: np.ndarray) -> McNemar:
    """McNemar's exact test: do ``a`` and ``b`` err on the same sentences as often as chance allows?

    Raises:
        ValueError: if the two arrays differ in length.
    """
    from scipy.stats import binomtest

    a = np.asarray(correct_a, dtype=bool)
    b = np.asarray(correct_b, dtype=bool)
    if a.shape != b.shape:
        raise ValueError(f"paired predictions differ in length: {a.shape} vs {b.shape}")
    only_a = int((a & ~b).sum())
    only_b = int((~a & b).sum())
    n = only_a + only_b
    p = 1.0 if n == 0 else float(binomtest(only_a, n, 0.5).pvalue)
    return McNemar(only_a, only_b, p)
