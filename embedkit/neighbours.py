"""Nearest neighbours by cosine: exact up to about 50k rows, pynndescent beyond."""

from __future__ import annotations

import numpy as np

__all__ = ["NeighbourIndex", "normalize_rows", "top_k"]


def normalize_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero); float64 stays float64, anything else becomes float32."""
    x = np.asarray(x)
    if x.dtype != np.float64:
        x = x.astype(np.float32, copy=False)
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(n, 1e-12)


def top_k(
    queries: np.ndarray, table: np.ndarray, k: int = 10, *, exclude: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine top-k of each query row among the table rows.

    Args:
        queries: ``(q, d)`` or ``(d,)``.
        table: ``(n, d)``.
        k: neighbours per query (capped at the table size).
        exclude: per query, a table row to leave out (e.g. the query itself), or -1 for none.

    Returns:
        ``(indices, similarities)``, both ``(q, k)``, best first.
    """
    q = normalize_rows(np.atleast_2d(queries))
    t = normalize_rows(table)
    sims = q @ t.T
    if exclude is not None:
        ex = np.asarray(exclude).reshape(-1)
        rows = np.flatnonzero(ex >= 0)
        sims[rows, ex[rows]] = -np.inf
    k = min(k, t.shape[0] - (0 if exclude is None else 1))
    if k <= 0:
        return np.zeros((q.shape[0], 0), np.int64), np.zeros((q.shape[0], 0), np.float32)
    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    part_sims = np.take_along_axis(sims, part, axis=1)
    order = np.argsort(-part_sims, axis=1, kind="stable")
    idx = np.take_along_axis(part, order, axis=1)
    return idx, np.take_along_axis(sims, idx, axis=1)


class NeighbourIndex:
    """Cosine neighbours in a fixed table; exact search up to ``exact_limit`` rows, pynndescent beyond.

    Args:
        table: ``(n, d)`` vectors.
        exact_limit: the largest table searched exactly.
        seed: pynndescent's random seed (the approximate index is reproducible).
    """

    def __init__(self, table: np.ndarray, *, exact_limit: int = 50_000, seed: int = 0) -> None:
        self.table = normalize_rows(table)
        self.exact = self.table.shape[0] <= exact_limit
        self._nnd = None
        if not self.exact:
            from pynndescent import NNDescent

            self._nnd = NNDescent(self.table, metric="cosine", random_state=seed)
            self._nnd.prepare()

    def query(self, queries: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """``(indices, cosine similarities)`` of the ``k`` nearest rows per query, best first."""
        if self.exact:
            return top_k(queries, self.table, k)
        assert self._nnd is not None
        idx, dist = self._nnd.query(normalize_rows(np.atleast_2d(queries)), k=k)
        return idx, (1.0 - dist).astype(np.float32)
