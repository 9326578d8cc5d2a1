"""Cosine geometry shared by every module: unit rows and cosine matrices."""

from __future__ import annotations

import numpy as np

__all__ = ["cosine_matrix", "normalize_rows", "row_dot"]


def normalize_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero); float64 stays float64, anything else becomes float32."""
    x = np.asarray(x)
    if x.dtype != np.float64:
        x = x.astype(np.float32, copy=False)
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(n, 1e-12)


def row_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The dot product of each row of ``a`` with the same row of ``b`` (one pass, no product matrix)."""
    return np.einsum("ij,ij->i", a, b)


def cosine_matrix(X: np.ndarray) -> np.ndarray:
    """Pairwise cosine similarities of the rows of ``X``."""
    U = normalize_rows(X)
    return np.clip(U @ U.T, -1.0, 1.0)
