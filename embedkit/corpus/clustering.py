"""Clustering occurrences on the unit sphere, and keeping the clusters stable as alpha moves.

- :func:`spherical_kmeans` and :func:`silhouette` (from a precomputed distance matrix): small and numpy-only, so
  that an alpha move can try every k from 2 to 8 on a sample within a few milliseconds (the silhouette matches
  ``sklearn.metrics.silhouette_score`` on the same distances).
- :func:`seeded_sample`: the one seeded draw every sampled step uses (UMAP's fit rows, the silhouette's sample,
  the reference sentences of a word map).
- :func:`choose_clusters`: spherical k-means with ``k`` from 2 to ``max_k`` chosen by the mean silhouette on a
  seeded sample (one cluster when no ``k`` reaches :data:`MIN_SILHOUETTE`). Given the clustering of a neighbouring
  alpha it keeps that ``k`` (started from its centres) unless another partition scores clearly better (by
  :data:`KEEP_MARGIN`), and a new partition takes the ids of the clusters it overlaps most, so ids (colours) stay
  put.
- :class:`ClusterChain`: the clusterings of one family of vectors along the alpha grid, each started from its
  neighbour's, walked from alpha 1 (where the fused vectors are the contextual ones) down. The clustering at an
  alpha is the same whatever alphas were visited before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from embedkit.cosine import normalize_rows

__all__ = [
    "KEEP_MARGIN",
    "MIN_SILHOUETTE",
    "ClusterChain",
    "Clustering",
    "choose_clusters",
    "seeded_sample",
    "silhouette",
    "spherical_kmeans",
]

#: Below this mean silhouette no k counts as structure: one cluster.
MIN_SILHOUETTE = 0.05
#: How much better (mean silhouette) another partition must be before a neighbouring alpha's k is given up.
KEEP_MARGIN = 0.03
#: The most occurrences the silhouette (and the choice of k) is computed on.
SELECT_SAMPLE = 1000


def seeded_sample(n: int, size: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of a seeded sample of ``size`` of ``range(n)`` without replacement (all of them if ``n <= size``)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


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
    with np.errstate(invalid="ignore"):  # b is infinite when every point is in one cluster: scored -1 below
        s = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean()) if np.isfinite(b).all() else -1.0


@dataclass(frozen=True)
class Clustering:
    """Clusters of some unit vectors.

    Attributes:
        labels: the cluster id of every row (ids need not be ``0..k-1``: they follow a neighbouring alpha's).
        ids: the cluster ids, in the order of ``centers``.
        centers: ``(k, d)`` unit centres.
        silhouette: the mean silhouette of the chosen partition on the sample (NaN for one cluster by necessity:
            too few rows, or every row the same).
        sample: the rows the choice was made on (sorted; the same rows at every alpha).
    """

    labels: np.ndarray
    ids: tuple[int, ...]
    centers: np.ndarray
    silhouette: float
    sample: np.ndarray

    @property
    def k(self) -> int:
        """The number of clusters."""
        return len(self.ids)

    def sizes(self) -> dict[int, int]:
        """Rows per cluster id."""
        return {c: int(np.sum(self.labels == c)) for c in self.ids}


def _assign(Xn: np.ndarray, centers: np.ndarray, ids: list[int], sil: float, sample: np.ndarray) -> Clustering:
    """Every row to its cluster (a few k-means steps from ``centers``); clusters left empty are dropped."""
    C, local = spherical_kmeans(Xn, len(ids), init=centers) if len(ids) > 1 else (centers, np.zeros(len(Xn), int))
    keep = [j for j in range(len(ids)) if np.any(local == j)]
    lookup = np.asarray(ids, np.int64)
    return Clustering(lookup[local], tuple(ids[j] for j in keep), C[keep], sil, sample)


def _by_size(labels: np.ndarray, k: int) -> list[int]:
    """Ids ``0..k-1`` for local clusters ``0..k-1``: largest first."""
    sizes = np.bincount(labels, minlength=k)
    rank = np.empty(k, np.int64)
    rank[np.argsort(-sizes, kind="stable")] = np.arange(k)
    return rank.tolist()


def _matched(labels: np.ndarray, k: int, prev_labels: np.ndarray, prev_ids: tuple[int, ...]) -> list[int]:
    """Ids for local clusters ``0..k-1``: the previous id each overlaps most (one to one), new ids for the rest."""
    from scipy.optimize import linear_sum_assignment

    overlap = np.zeros((k, len(prev_ids)))
    where = {c: j for j, c in enumerate(prev_ids)}
    columns = np.asarray([where[int(c)] for c in prev_labels], np.int64)
    np.add.at(overlap, (labels, columns), 1.0)
    rows, cols = linear_sum_assignment(-overlap)
    ids: list[int | None] = [None] * k
    for r, c in zip(rows.tolist(), cols.tolist()):
        if overlap[r, c] > 0:
            ids[r] = prev_ids[c]
    taken = {i for i in ids if i is not None} | set(prev_ids)
    order = np.argsort(-np.bincount(labels, minlength=k), kind="stable")  # new ids: larger clusters first
    fresh = (i for i in range(len(taken) + k + 1) if i not in taken)
    for r in order.tolist():
        if ids[r] is None:
            ids[r] = next(fresh)
    return [int(i) for i in ids if i is not None]


def choose_clusters(
    X: np.ndarray,
    *,
    max_k: int = 8,
    seed: int = 0,
    previous: Clustering | None = None,
    margin: float = KEEP_MARGIN,
    sample: int = SELECT_SAMPLE,
) -> Clustering:
    """Cluster rows of ``X`` (any lengths; cosine geometry), choosing ``k`` by the silhouette.

    Args:
        X: ``(n, d)`` vectors.
        max_k: the largest number of clusters tried.
        seed: the seed of the sample and of k-means.
        previous: the clustering of the same rows at a neighbouring alpha: its ``k`` is kept (k-means started from
            its centres) unless another partition's silhouette is higher by more than ``margin``; ids follow it.
        margin: see ``previous``.
        sample: the most rows the silhouette is computed on.
    """
    Xn = normalize_rows(np.asarray(X, np.float32))
    n = len(Xn)
    if previous is not None and len(previous.labels) != n:
        previous = None  # not the same rows
    pick = seeded_sample(n, sample, seed)
    if n < 10 or float(np.ptp(Xn, axis=0).max(initial=0.0)) < 1e-6:
        return _single(Xn, previous, float("nan"), pick)
    S = Xn[pick]
    dist = 1.0 - S @ S.T  # cosine distances within the sample, computed once for every k
    best: tuple[float, int, np.ndarray | None, np.ndarray | None] = (-1.0, 1, None, None)
    for k in range(2, min(max_k, len(S) - 1) + 1):
        centers, labels = spherical_kmeans(S, k, seed=seed)
        score = silhouette(dist, labels, k)
        if score > best[0]:
            best = (score, k, centers, labels)
    best_score, best_k, best_centers, best_labels = best
    if previous is not None and previous.k >= 2:
        k = previous.k
        centers, labels = spherical_kmeans(S, k, init=previous.centers)
        kept = silhouette(dist, labels, k)
        if max(kept, best_score) < MIN_SILHOUETTE - margin:
            return _single(Xn, previous, max(kept, best_score), pick)
        if best_centers is None or best_score <= kept + margin:  # keep k and the ids
            return _assign(Xn, centers, list(previous.ids), kept, pick)
    elif best_centers is None or best_score < MIN_SILHOUETTE + (margin if previous is not None else 0.0):
        return _single(Xn, previous, best_score, pick)
    assert best_centers is not None and best_labels is not None
    if previous is None:
        ids = _by_size(best_labels, best_k)
    else:
        ids = _matched(best_labels, best_k, previous.labels[pick], previous.ids)
    return _assign(Xn, best_centers, ids, best_score, pick)


def _single(Xn: np.ndarray, previous: Clustering | None, score: float, pick: np.ndarray) -> Clustering:
    """One cluster; its id is the previous cluster that held the most rows (0 without one)."""
    cid = 0
    if previous is not None and len(previous.labels) == len(Xn) and len(Xn):
        values, counts = np.unique(previous.labels, return_counts=True)
        cid = int(values[np.argmax(counts)])
    center = normalize_rows(Xn.mean(axis=0, keepdims=True)) if len(Xn) else np.zeros((1, Xn.shape[1]), np.float32)
    return Clustering(np.full(len(Xn), cid, np.int64), (cid,), center, score, pick)


class ClusterChain:
    """The clusterings of ``vectors(alpha)`` along the alpha grid, each started from the next higher alpha's.

    Args:
        vectors: the rows at an alpha (the fused vectors of one word's occurrences, say).
        alphas: the grid, increasing from 0 to 1.
        max_k, seed, margin: see :func:`choose_clusters`.

    The clustering at alpha 1 is chosen afresh (with no neighbour), so where the fused vectors at alpha 1 are the
    contextual vectors it is the contextual space's clustering, ids included. An alpha between grid points is
    clustered from the nearest grid point's clustering.
    """

    def __init__(
        self,
        vectors: Callable[[float], np.ndarray],
        alphas: np.ndarray,
        *,
        max_k: int = 8,
        seed: int = 0,
        margin: float = KEEP_MARGIN,
    ) -> None:
        self.vectors = vectors
        self.alphas = np.asarray(alphas, np.float64)
        self.max_k, self.seed, self.margin = max_k, seed, margin
        self._done: dict[int, Clustering] = {}
        self._lock = threading.Lock()

    def _choose(self, alpha: float, previous: Clustering | None) -> Clustering:
        return choose_clusters(
            self.vectors(alpha), max_k=self.max_k, seed=self.seed, previous=previous, margin=self.margin
        )

    def at(self, alpha: float) -> Clustering:
        """The clustering at ``alpha`` (the grid from alpha 1 down to it is computed once)."""
        g = int(np.argmin(np.abs(self.alphas - float(alpha))))
        with self._lock:
            top = len(self.alphas) - 1
            for i in range(top, g - 1, -1):
                if i not in self._done:
                    self._done[i] = self._choose(float(self.alphas[i]), self._done.get(i + 1))
            grid = self._done[g]
        if abs(float(self.alphas[g]) - float(alpha)) < 1e-9:
            return grid
        return self._choose(float(alpha), grid)

    def fill(self) -> ClusterChain:
        """Compute the whole grid now (so that later alpha moves only look up); returns self."""
        self.at(float(self.alphas[0]))
        return self
