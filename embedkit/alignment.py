"""Dimension alignment: a map ``P`` from the static space into the contextual space.

Fitted on a shared vocabulary: the K most frequent alphabetic static words, whose contextual side is each
word encoded alone. Methods (always reported with the result):

- ``procrustes`` (default): ``P = s * W`` with ``W`` semi-orthogonal (``W W^T = I``), fitted on unit rows;
  keeps every static cosine exactly; ``s`` matches the mean norms of the two spaces.
- ``lstsq``: ridge least squares ``min ||X P - Y||^2 + ridge ||P||^2``; fits best, distorts the geometry.
- ``pad``: zeros appended (the trivial baseline), scaled like procrustes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from embedkit.cache import load_array, save_array, stable_hash
from embedkit.cosine import normalize_rows
from embedkit.errors import EmbedkitError
from embedkit.options import AlignMethod, coerce

if TYPE_CHECKING:
    from embedkit.contextual import ContextualEncoder
    from embedkit.progress import Progress
    from embedkit.static import StaticVectors

__all__ = ["StaticMap", "fit_static_map", "map_cache_key"]

logger = logging.getLogger(__name__)


class StaticMap:
    """A linear map from static vectors (``in_dim_``) to contextual vectors (``out_dim_``), sklearn style.

    Args:
        method: procrustes, lstsq or pad.
        ridge: the ridge penalty of lstsq.
    """

    def __init__(self, method: AlignMethod | str = "procrustes", ridge: float = 1.0) -> None:
        self.method = coerce(AlignMethod, method)
        self.ridge = ridge

    def fit(self, X: np.ndarray, Y: np.ndarray) -> StaticMap:
        """Fit on paired rows: ``X`` static ``(n, d_s)``, ``Y`` contextual ``(n, d_c)``.

        Raises:
            ValueError: no pairs, mismatched rows, or pad with ``d_s > d_c``.
        """
        X = np.asarray(X, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64)
        if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0] or X.shape[0] == 0:
            raise ValueError(f"fit needs paired rows; got X {X.shape} and Y {Y.shape}")
        d_s, d_c = X.shape[1], Y.shape[1]
        scale = float(np.linalg.norm(Y, axis=1).mean() / max(np.linalg.norm(X, axis=1).mean(), 1e-12))
        if self.method is AlignMethod.PAD:
            if d_s > d_c:
                raise EmbedkitError(
                    f"cannot zero-pad {d_s}-d static vectors into a {d_c}-d contextual space; use procrustes or lstsq"
                )
            W = np.eye(d_s, d_c)
        elif self.method is AlignMethod.PROCRUSTES:
            if d_s > d_c:
                logger.warning("procrustes from %d-d into %d-d cannot keep all static cosines", d_s, d_c)
            U, _, Vt = np.linalg.svd(normalize_rows(X).T @ normalize_rows(Y), full_matrices=False)
            W = U @ Vt
        else:
            W = np.linalg.solve(X.T @ X + self.ridge * np.eye(d_s), X.T @ Y)
            scale = 1.0
        self.W_ = W.astype(np.float32)
        self.scale_ = scale
        self.in_dim_, self.out_dim_ = d_s, d_c
        self.n_fit_ = X.shape[0]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Map static rows into the contextual space (zero rows stay zero)."""
        if not hasattr(self, "W_"):
            raise RuntimeError("StaticMap is not fitted; call fit first")
        X = np.asarray(X, dtype=np.float32)
        if X.shape[-1] != self.in_dim_:
            raise ValueError(f"expected {self.in_dim_}-d static vectors, got {X.shape[-1]}-d")
        return (X @ self.W_) * np.float32(self.scale_)

    def describe(self) -> str:
        """One line for people: which map, from what to what, fitted on how many words."""
        return f"{self.method.value} map {self.in_dim_}-d → {self.out_dim_}-d, fitted on {self.n_fit_:,} words"


def map_cache_key(
    encoder: ContextualEncoder, static: StaticVectors, method: AlignMethod | str, ridge: float, words: Sequence[str]
) -> str:
    """The cache key of a map fitted with these inputs (the disk cache, and the fits shipped for the defaults)."""
    return stable_hash(
        "map", encoder.settings_key(), static.fingerprint(), coerce(AlignMethod, method).value, ridge, list(words)
    )


def fit_static_map(
    encoder: ContextualEncoder,
    static: StaticVectors,
    method: AlignMethod | str = "procrustes",
    *,
    k: int = 5000,
    exclude: Sequence[str] = (),
    ridge: float = 1.0,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> StaticMap:
    """Fit the static -> contextual map on the ``k`` most frequent alphabetic static words.

    Args:
        encoder: gives the contextual side (each word encoded alone, with its layers and pooling).
        static: the static vectors.
        method: procrustes, lstsq or pad.
        k: the size of the shared fit vocabulary.
        exclude: words never used in the fit (evaluation words), compared lower-cased.
        ridge: the ridge penalty of lstsq.
        use_cache: reuse a map fitted before with every same setting (cached on disk).
        progress: ``progress(done, total)`` while encoding the fit words.
    """
    from embedkit.words_alone import encode_words_cached

    map_ = StaticMap(method, ridge)
    words = static.top_words(k, exclude=exclude)
    if not words:
        raise ValueError("no alphabetic words are left to fit the map on")
    key = map_cache_key(encoder, static, map_.method, ridge, words)
    if use_cache:
        W, meta = load_array(key + "_W"), load_array(key + "_meta")
        if W is not None and meta is not None and W.shape == (static.dim, encoder.dim):
            map_.W_, map_.scale_ = W.astype(np.float32), float(meta[0])
            map_.in_dim_, map_.out_dim_, map_.n_fit_ = static.dim, encoder.dim, int(meta[1])
            return map_
    X, _ = static.lookup(words)
    Y = encode_words_cached(encoder, words, progress=progress)
    map_.fit(X, Y)
    if use_cache:
        save_array(key + "_W", map_.W_)
        save_array(key + "_meta", np.array([map_.scale_, map_.n_fit_], dtype=np.float64))
    logger.info("fitted %s", map_.describe())
    return map_
