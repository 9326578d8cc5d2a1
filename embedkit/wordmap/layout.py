"""Where a word map puts its occurrences: one PCA basis for every space and alpha, or UMAP on request.

**PCA** (the default) is fitted once, on the contextual vectors ``h`` of the word's occurrences (centred on their
mean ``m``), giving a ``(d, 2)`` basis ``W``. Every space is read through it:

- BERT: ``(h - m) W``; static: ``(Pe - m) W`` (the static vectors mapped into the contextual space; one point when
  the word has one form, as the static table gives every occurrence the same vector).
- weighted sum and attention: the fused vector ``f = w_h h + w_s Pe`` with ``w_h + w_s = 1`` on every row, so
  ``(f - m) W = w_h · BERT + w_s · static``: every frame is the same linear map of the fused vectors, the frame
  at alpha 1 *is* the BERT map and at alpha 0 the static map, and play alpha is an exact linear morph (each
  point slides on the segment from its static to its BERT position; in attention at its own pace).
- concat: the fused vector ``[√a ĥ ; √(1-a) ê]`` (unit halves) is read through the fixed map ``[r W ; W_s]``
  less ``m W``, with ``r`` the mean length of ``h`` and ``W_s`` fitted so that ``ê W_s = Pe W`` (exact when the word
  has one static vector). Every frame is again one linear map of the fused vectors and alpha 0 is the static
  map; alpha 1 is the map of the *unit* contextual vectors scaled by ``r``, which is the BERT map up to each point's
  own length (the BERT map reads raw ``h``).

**UMAP** (cosine, seeded) lays out the BERT space on its own; the fused frames form a chain from alpha 1 down in
steps of 0.05, each started from its neighbour (as :mod:`embedkit.alpha_frames` does for a whole text). UMAP
re-lays out every frame: it is no linear morph, and an alpha between two steps shows the nearer step.
"""

from __future__ import annotations

import threading

import numpy as np

from embedkit.alpha_frames import alpha_grid
from embedkit.cosine import normalize_rows
from embedkit.options import FusionMode, check_space, coerce
from embedkit.wordmap.occurrences import Occurrences, fusion_weights

__all__ = ["METHODS", "PcaLayout", "UmapLayout", "make_layout"]

METHODS = ("pca", "umap")


class _Layout:
    """What both layouts share: the BERT and static maps as they are, a fused map from :meth:`_fused`."""

    bert: np.ndarray
    static: np.ndarray

    def coords(
        self, space: str, mode: FusionMode | str = "weighted", alpha: float = 0.5, temperature: float = 0.1
    ) -> np.ndarray:
        """``(n, 2)`` coordinates of one space (fused: at ``alpha`` in ``mode``).

        Raises:
            ValueError: an unknown space or mode, or an alpha outside [0, 1].
        """
        if check_space(space) == "bert":
            return self.bert.astype(np.float32)
        if space == "static":
            return self.static.astype(np.float32)
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        return self._fused(coerce(FusionMode, mode), alpha, temperature)

    def _fused(self, mode: FusionMode, alpha: float, temperature: float) -> np.ndarray:
        raise NotImplementedError


class PcaLayout(_Layout):
    """One PCA basis for every space, mode and alpha (see the module docstring).

    Attributes:
        mean: ``m``, the mean contextual vector.
        basis: ``W``, ``(d, 2)``.
        bert: ``(n, 2)`` the BERT map; ``static``: ``(n, 2)`` the static map.
        exact: True: every frame is a linear map of the fused vectors.
    """

    method = "pca"
    exact = True

    def __init__(self, occ: Occurrences) -> None:
        self.occ = occ
        h = np.asarray(occ.h, np.float64)
        n, d = h.shape
        self.mean = h.mean(axis=0) if n else np.zeros(d)
        centred = h - self.mean
        W = np.zeros((d, 2))
        if n > 1:
            _, _, vt = np.linalg.svd(centred, full_matrices=False)
            comps = vt[:2]
            signs = np.sign(comps[np.arange(len(comps)), np.abs(comps).argmax(axis=1)])
            signs[signs == 0] = 1
            W[:, : len(comps)] = (comps * signs[:, None]).T
        self.basis = W
        self.offset = self.mean @ W
        self.bert = centred @ W
        # one place per distinct static vector (the same word form is mapped in batches of other sizes elsewhere:
        # its Pe may differ in the last float32 bit, its point must not)
        if n:
            _, first, inverse = np.unique(np.asarray(occ.e), axis=0, return_index=True, return_inverse=True)
            spots = np.asarray(occ.pe, np.float64)[first] @ W - self.offset
            self.static = spots[np.asarray(inverse).reshape(-1)]
        else:
            self.static = np.zeros((0, 2))
        # concat: [sqrt(a) h/|h| ; sqrt(1-a) e/|e|] read through [r W ; W_s] - m W
        norms = np.linalg.norm(h, axis=1)
        self.radius = float(norms.mean()) if n else 1.0
        self._hat = normalize_rows(h) @ W * self.radius
        e_hat = normalize_rows(np.asarray(occ.e, np.float64))
        has = ~np.asarray(occ.oov, bool)
        self.static_basis = np.zeros((e_hat.shape[1], 2))
        if has.any():
            target = np.asarray(occ.pe, np.float64)[has] @ W
            self.static_basis = np.linalg.lstsq(e_hat[has], target, rcond=None)[0]
        self._e_hat = e_hat @ self.static_basis
        self._e_hat[~has] = 0.0

    def _fused(self, mode: FusionMode, alpha: float, temperature: float) -> np.ndarray:
        """The fused map: the fixed linear map of the fused vectors (see the module docstring)."""
        if mode is FusionMode.CONCAT:
            out = np.sqrt(alpha) * self._hat + np.sqrt(1.0 - alpha) * self._e_hat - self.offset
            return out.astype(np.float32)
        wa, wb = fusion_weights(mode, alpha, self.occ.oov, self.occ.att, temperature)
        return (wa[:, None] * self.bert + wb[:, None] * self.static).astype(np.float32)

    def fused_map(self, mode: FusionMode | str) -> tuple[np.ndarray, np.ndarray]:
        """The fixed linear map of the fused vectors: ``(M, b)`` with coordinates ``= fused @ M - b``."""
        if coerce(FusionMode, mode) is FusionMode.CONCAT:
            return np.vstack([self.radius * self.basis, self.static_basis]), self.offset
        return self.basis, self.offset


class UmapLayout(_Layout):
    """UMAP of the BERT space; fused frames chained from alpha 1 down (see the module docstring).

    Args:
        occ: the occurrences.
        seed: UMAP's seed.
        steps: frames from alpha 0 to 1.
    """

    method = "umap"
    exact = False

    def __init__(self, occ: Occurrences, *, seed: int = 0, steps: int = 21) -> None:
        from embedkit.projection import project

        self.occ, self.seed = occ, seed
        self.alphas = alpha_grid(steps)
        self.bert = project(occ.h, "umap", 2, seed=seed).astype(np.float64)
        self.static = project(occ.e, "umap", 2, seed=seed).astype(np.float64)
        self._frames: dict[tuple[str, float], dict[int, np.ndarray]] = {}
        self._lock = threading.Lock()

    def _fused(self, mode: FusionMode, alpha: float, temperature: float) -> np.ndarray:
        """The chain's frame nearest ``alpha`` (laid out down from alpha 1 on first use)."""
        from embedkit.alpha_frames import EPOCHS_PER_FRAME
        from embedkit.projection import project

        g = int(np.argmin(np.abs(self.alphas - alpha)))
        with self._lock:
            frames = self._frames.setdefault((mode.value, float(temperature)), {})
            top = len(self.alphas) - 1
            frames.setdefault(top, self.bert)  # alpha 1: the fused vectors are h (concat: h's directions)
            prev = self.bert
            for i in range(top, g - 1, -1):
                if i not in frames:
                    X = self.occ.vectors("fused", mode, float(self.alphas[i]), temperature)
                    start = prev.astype(np.float32)
                    frames[i] = project(X, "umap", 2, seed=self.seed, init=start, n_epochs=EPOCHS_PER_FRAME)
                prev = frames[i]
            return np.asarray(frames[g], np.float32)


def make_layout(occ: Occurrences, method: str = "pca", *, seed: int = 0) -> PcaLayout | UmapLayout:
    """The layout of a word map.

    Raises:
        ValueError: an unknown method.
    """
    if method not in METHODS:
        raise ValueError(f"unknown projection {method!r}; choose one of: {', '.join(METHODS)}")
    if method == "umap" and len(occ) >= 10:
        return UmapLayout(occ, seed=seed)
    return PcaLayout(occ)
