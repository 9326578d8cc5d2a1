"""Clustering on the unit sphere: spherical k-means and the silhouette from a precomputed distance matrix.

Small and numpy-only, so that an alpha move can try every k from 2 to 8 on a sample within a few milliseconds
(the silhouette matches ``sklearn.metrics.silhouette_score`` on the same distances).
"""

from __future__ import annotations

import numpy as np

from embedkit.cosine import normalize_rows

__all__ = ["silhouette", "spherical_kmeans"]


def spherical_kmeans(
    X: np.ndarray, k: int, *, seed: int = 0, init: np.ndarray | None = None, iters: int = 20
) -> tuple[np.ndarray, np.ndarray]:
    """k-means on unit rows with cosine similarity (k-means++ seeding); returns ``(centers, labels)``."""
    rng = np.random.default_rng(seed)
    if init is None:
        centers = [X[rng.integers(len(X))]]
        closest = 1.0 - X @ centers[0]
        for _ in range(1, k):
            p = np.maximum(closest, 0.0) ** 2
            i = rng.choice(len(X), p=p / p.sum()) if p.sum() > 0 else rng.integers(len(X))
            centers.append(X[i])
            closest = np.minimum(closest, 1.0 - X @ X[i])
        C = np.stack(centers)
    else:
        C = init.copy()
    labels = np.full(len(X), -1)
    for _ in range(iters):
        new = np.argmax(X @ C.T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        onehot = np.zeros((len(X), k), X.dtype)
        onehot[np.arange(len(X)), labels] = 1.0
        sums = onehot.T @ X  # one matrix product instead of k boolean selections
        empty = onehot.sum(axis=0) == 0
        sums[empty] = C[empty]  # an empty cluster keeps its centre
        C = normalize_rows(sums)
    return C, labels


def silhouette(dist: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Mean silhouette from a precomputed distance matrix (points alone in their cluster score 0)."""
    onehot = np.eye(k)[labels]
    sizes = onehot.sum(axis=0)
    sums = dist @ onehot
    own = sizes[labels]
    a = sums[np.arange(len(labels)), labels] / np.maximum(own - 1, 1)
    other = sums / np.maximum(sizes, 1)
    other[np.arange(len(labels)), labels] = np.inf
    other[:, sizes == 0] = np.inf
    b = other.min(axis=1)
    s = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean()) if np.isfinite(b).all() else -1.0
