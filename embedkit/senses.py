"""How well a space separates the senses of one word: numbers a class can read beside the map.

Given the vectors of several occurrences of one word and a sense label per occurrence:

- **same-sense vs cross-sense cosine**: the mean cosine of pairs of occurrences in the same sense, and in different
  senses. A contextual space that separates senses shows a clear gap; a static table gives every occurrence the
  same vector, so both means are 1.
- **nearest-neighbour sense accuracy** (leave one out): the share of occurrences whose most similar *other*
  occurrence has the same sense. Ties count fractionally (the expected accuracy of picking among the tied
  neighbours at random), so identical vectors score exactly the **tie baseline** — the accuracy of a random
  neighbour, ``(n_same - 1) / (n - 1)`` averaged over occurrences — which is also the chance level.

Occurrences whose sense has no other occurrence are left out of both accuracies (no neighbour could be right).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from embedkit.cosine import cosine_matrix

__all__ = ["SenseSeparation", "nn_sense_accuracy", "sense_cosines", "sense_separation", "tie_baseline"]

#: cosines closer than this count as a tie (float32 noise of identical vectors)
TIE_EPS = 1e-5


def _labels(labels: Sequence[object] | np.ndarray) -> np.ndarray:
    _, codes = np.unique(np.asarray([str(label) for label in labels]), return_inverse=True)
    return codes


def sense_cosines(X: np.ndarray, labels: Sequence[object] | np.ndarray) -> tuple[float, float]:
    """Mean cosine over pairs of occurrences in the same sense and over pairs in different senses.

    Returns:
        ``(same, cross)``; NaN where there is no such pair.
    """
    codes = _labels(labels)
    n = len(codes)
    if n < 2:
        return float("nan"), float("nan")
    C = cosine_matrix(np.asarray(X))
    upper = np.triu(np.ones((n, n), bool), k=1)
    same = (codes[:, None] == codes[None, :]) & upper
    cross = (codes[:, None] != codes[None, :]) & upper
    mean = lambda mask: float(C[mask].mean()) if mask.any() else float("nan")  # noqa: E731
    return mean(same), mean(cross)


def nn_sense_accuracy(X: np.ndarray, labels: Sequence[object] | np.ndarray) -> np.ndarray:
    """Per occurrence, the (tie-aware) chance that its nearest other occurrence has its sense.

    Returns:
        A float array with one value per occurrence; NaN for an occurrence whose sense occurs only once.
    """
    codes = _labels(labels)
    n = len(codes)
    out = np.full(n, np.nan)
    if n < 2:
        return out
    C = cosine_matrix(np.asarray(X)).astype(np.float64)
    np.fill_diagonal(C, -np.inf)
    counts = np.bincount(codes)
    for i in range(n):
        if counts[codes[i]] < 2:
            continue
        tied = C[i] >= C[i].max() - TIE_EPS
        out[i] = float((codes[tied] == codes[i]).mean())
    return out


def tie_baseline(labels: Sequence[object] | np.ndarray) -> np.ndarray:
    """Per occurrence, the accuracy of a neighbour drawn at random (what identical vectors score); NaN as above."""
    codes = _labels(labels)
    n = len(codes)
    counts = np.bincount(codes) if n else np.zeros(0, int)
    out = np.full(n, np.nan)
    if n >= 2:
        same = counts[codes]
        ok = same >= 2
        out[ok] = (same[ok] - 1) / (n - 1)
    return out


@dataclass(frozen=True)
class SenseSeparation:
    """The numbers shown beside a spotlighted word, for one space.

    Attributes:
        same: mean cosine of same-sense pairs.
        cross: mean cosine of cross-sense pairs.
        accuracy: mean nearest-neighbour sense accuracy (tie-aware).
        baseline: the tie / chance baseline of the same occurrences.
        n: occurrences scored by the accuracy (those whose sense occurs at least twice).
    """

    same: float
    cross: float
    accuracy: float
    baseline: float
    n: int

    @property
    def gap(self) -> float:
        """``same - cross``: how much closer same-sense occurrences are."""
        return self.same - self.cross


def sense_separation(X: np.ndarray, labels: Sequence[object] | np.ndarray) -> SenseSeparation:
    """All the numbers of one space for one word's labelled occurrences."""
    same, cross = sense_cosines(X, labels)
    acc = nn_sense_accuracy(X, labels)
    base = tie_baseline(labels)
    scored = ~np.isnan(acc)
    mean = lambda a: float(a[scored].mean()) if scored.any() else float("nan")  # noqa: E731
    return SenseSeparation(same, cross, mean(acc), mean(base), int(scored.sum()))
