"""2-D and 3-D layouts: UMAP (cosine, seeded) and PCA, kept stable across small changes.

The same input and settings give the same layout (a fixed ``seed``). Identical vectors get identical coordinates:
UMAP lays out each distinct row once and the coordinates are broadcast back to its copies (UMAP would otherwise
scatter exact duplicates, and a static table gives every occurrence of a word the same vector). After an alpha
change, pass the previous layout as ``init`` with ``fast=True`` (or a small ``n_epochs``): UMAP then starts from it
and :func:`align_layout` rotates the result onto it, so no point jumps or mirrors without reason.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

__all__ = ["METHODS", "align_layout", "check_projection", "project", "warm_up"]

logger = logging.getLogger(__name__)

METHODS = ("umap", "pca")
_MIN_UMAP_POINTS = 6
#: Up to this many distinct rows UMAP gets exact cosine neighbours from one matrix product (umap-learn's own exact
#: path for small data calls a Python distance function per pair: ~9 s for 2,000 rows on two cores).
EXACT_KNN_LIMIT = 10_000
_warm_lock = threading.Lock()
_warmed = False


def check_projection(method: str, n_components: int) -> None:
    """Raise a ``ValueError`` naming the valid choices for an unknown method or a bad number of components."""
    if method not in METHODS:
        raise ValueError(f"unknown projection {method!r}; choose one of: {', '.join(METHODS)}")
    if n_components not in (2, 3):
        raise ValueError(f"n_components must be 2 or 3, got {n_components}")


def project(
    X: np.ndarray,
    method: str = "umap",
    n_components: int = 2,
    *,
    seed: int = 0,
    init: np.ndarray | None = None,
    fast: bool = False,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    n_epochs: int | None = None,
) -> np.ndarray:
    """Project rows of ``X`` to ``n_components`` dimensions; identical rows get identical coordinates.

    Args:
        X: ``(n, d)`` vectors.
        method: ``umap`` (cosine metric) or ``pca``.
        n_components: 2 or 3.
        seed: the random seed (UMAP layouts are reproducible).
        init: a previous ``(n, n_components)`` layout to start from; the result is aligned onto it.
        fast: UMAP's approximate neighbours and 50 epochs (for live updates from ``init``).
        n_neighbors: UMAP's neighbourhood size (capped below the number of points).
        min_dist: UMAP's minimum distance.
        n_epochs: UMAP's optimisation epochs (None: umap-learn's default, or 50 with ``fast``).

    Returns:
        ``(n, n_components)`` float32 coordinates. Fewer than 6 distinct points fall back to PCA (UMAP needs more).

    Raises:
        ValueError: an unknown method or a bad number of components.
    """
    check_projection(method, n_components)
    X = np.asarray(X, np.float32)
    n = X.shape[0]
    if n == 0:
        return np.zeros((0, n_components), np.float32)
    if init is not None and init.shape != (n, n_components):
        init = None
    if method == "pca":  # a linear map: identical rows already land on one point
        out = _pca(X, n_components)
    else:
        unique, inverse = np.unique(X, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        if unique.shape[0] < _MIN_UMAP_POINTS:
            out = _pca(X, n_components)
        else:
            start = None if init is None else _mean_by_group(init, inverse, unique.shape[0])
            epochs = n_epochs if n_epochs is not None else (50 if fast else None)
            out = _umap(unique, n_components, seed, start, fast, n_neighbors, min_dist, epochs)[inverse]
    if init is not None:
        out = align_layout(out, init)
    return out.astype(np.float32)


def _pca(X: np.ndarray, n_components: int) -> np.ndarray:
    centred = X - X.mean(axis=0, keepdims=True)
    if X.shape[0] < 2:
        return np.zeros((X.shape[0], n_components), np.float32)
    c = centred.astype(np.float64)
    if c.shape[1] <= c.shape[0]:  # eigenvectors of the d x d covariance: much cheaper than a full SVD
        evals, evecs = np.linalg.eigh(c.T @ c)
        components = evecs[:, ::-1][:, :n_components].T
    else:
        components = np.linalg.svd(c, full_matrices=False)[2][:n_components]
    # deterministic signs: the largest loading of each component is positive
    signs = np.sign(components[np.arange(components.shape[0]), np.abs(components).argmax(axis=1)])
    signs[signs == 0] = 1
    coords = c @ (components * signs[:, None]).T
    if coords.shape[1] < n_components:
        coords = np.pad(coords, ((0, 0), (0, n_components - coords.shape[1])))
    return coords


def _mean_by_group(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """The mean row of ``values`` per group id (where the copies of one distinct vector start from)."""
    totals = np.zeros((n_groups, values.shape[1]), np.float64)
    np.add.at(totals, group, values)
    return totals / np.bincount(group, minlength=n_groups)[:, None]


def _umap(
    X: np.ndarray,
    n_components: int,
    seed: int,
    init: np.ndarray | None,
    fast: bool,
    n_neighbors: int,
    min_dist: float,
    n_epochs: int | None = None,
) -> np.ndarray:
    import umap

    kwargs: dict[str, object] = {}
    k = max(2, min(n_neighbors, X.shape[0] - 1))
    if X.shape[0] <= EXACT_KNN_LIMIT:
        kwargs["precomputed_knn"] = (*_exact_knn(X, k), None)
    elif fast:
        kwargs["force_approximation_algorithm"] = True
    if n_epochs is not None:
        kwargs["n_epochs"] = n_epochs
    if init is not None:
        span = np.abs(init - init.mean(0)).max() or 1.0
        kwargs["init"] = ((init - init.mean(0)) / span * 10.0).astype(np.float32)
    reducer = umap.UMAP(
        n_components=n_components,
        metric="cosine",
        n_neighbors=k,
        min_dist=min_dist,
        random_state=seed,
        **kwargs,
    )
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(reducer.fit_transform(X), np.float64)


def _exact_knn(X: np.ndarray, k: int, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``k`` nearest rows by cosine, itself first (UMAP's convention): indices and cosine distances."""
    from embedkit.cosine import normalize_rows

    U = normalize_rows(np.asarray(X, np.float32))
    n = U.shape[0]
    idx = np.zeros((n, k), np.int32)
    dist = np.zeros((n, k), np.float32)
    for lo in range(0, n, block):
        sims = U[lo : lo + block] @ U.T
        rows = np.arange(sims.shape[0])
        sims[rows, lo + rows] = np.inf  # itself first, whatever the rounding
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        part_sims = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-part_sims, axis=1, kind="stable")
        idx[lo : lo + block] = np.take_along_axis(part, order, axis=1)
        best = np.take_along_axis(part_sims, order, axis=1)
        best[:, 0] = 1.0
        dist[lo : lo + block] = np.maximum(1.0 - best, 0.0)
    return idx, dist


def align_layout(new: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Rotate (or reflect), scale and shift ``new`` onto ``reference`` (orthogonal Procrustes; the spread of
    ``reference`` is kept)."""
    a = np.asarray(new, np.float64)
    b = np.asarray(reference, np.float64)
    if a.shape != b.shape or a.shape[0] < 2:
        return a
    ma, mb = a.mean(0), b.mean(0)
    a0, b0 = a - ma, b - mb
    U, S, Vt = np.linalg.svd(a0.T @ b0)
    R = U @ Vt
    # the same spread as the reference (the least-squares scale shrinks a layout that matches the reference poorly,
    # and a chain of re-layouts would shrink step by step)
    scale = np.sqrt((b0**2).sum() / max((a0**2).sum(), 1e-12))
    return a0 @ R * scale + mb


def warm_up() -> None:
    """Compile UMAP's numba code once (10-25 s on first use), so no user click pays for it."""
    global _warmed
    with _warm_lock:
        if _warmed:
            return
        rng = np.random.default_rng(0)
        X = rng.normal(size=(64, 16)).astype(np.float32)
        first = project(X, "umap", 2)
        project(X, "umap", 2, init=first, fast=True)
        project(X, "umap", 3)
        _warmed = True
        logger.info("UMAP warmed up")
