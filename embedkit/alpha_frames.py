"""The fused map over alpha, laid out together: one frame per alpha, the static map at alpha 0, BERT's at alpha 1.

Fusion at ``alpha = 1`` returns the contextual vectors and at ``alpha = 0`` the static ones (mapped; see
:mod:`embedkit.fusion`), so the fused map at those ends *is* the BERT map and the static map. :class:`AlphaFrames`
makes that exact on screen: the BERT map is frame 1 and the static map frame 0 of one family of layouts, and the
frames in between let the fused map glide from one picture to the other ("play alpha").

Rows are scaled to unit length first (the maps show cosine geometry, like the neighbour lists). Two layouts:

- ``pca``: one basis fitted on the frames together (each centred on its own mean), so every frame is read in the
  same axes (instant).
- ``umap``: a full seeded UMAP of the BERT frame, then each next alpha starts from the previous frame with a few
  epochs and is rotated onto it (umap-learn's ``AlignedUMAP`` lays out frames together too, but takes minutes for
  2,000 words on two cores; this chain takes seconds). Identical vectors share coordinates in every frame.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from embedkit.cosine import normalize_rows
from embedkit.progress import Progress
from embedkit.projection import check_projection, project
from embedkit.wordvectors import WordVectors

__all__ = ["ALPHA_STEPS", "AlphaFrames", "alpha_frames", "alpha_grid"]

logger = logging.getLogger(__name__)

#: Frames from alpha 0 to 1: one per step of the app's alpha slider (0.05).
ALPHA_STEPS = 21
#: UMAP epochs of the first frame (alpha 1, from a spectral start; umap-learn's own default for large data, where for
#: under 10,000 points it would run 500) and of each frame after it (each starts from the previous frame).
FIRST_EPOCHS = 200
EPOCHS_PER_FRAME = 30


def alpha_grid(steps: int = ALPHA_STEPS) -> np.ndarray:
    """``steps`` alphas evenly from 0 to 1, rounded so that 0.05 is exactly ``0.05``."""
    if steps < 2:
        raise ValueError(f"need at least 2 alpha steps (0 and 1), got {steps}")
    return np.round(np.linspace(0.0, 1.0, steps), 6)


@dataclass(frozen=True)
class AlphaFrames:
    """Layouts of the fused vectors of some rows at each alpha of a grid, laid out together.

    Attributes:
        alphas: ``(F,)`` from 0 to 1.
        coords: ``(F, n, dims)``; ``coords[0]`` is the static map, ``coords[-1]`` the BERT map.
        mode: the fusion mode.
        method: ``umap`` or ``pca``.
    """

    alphas: np.ndarray
    coords: np.ndarray
    mode: str
    method: str

    def index(self, alpha: float) -> int:
        """The frame nearest to ``alpha``."""
        return int(np.argmin(np.abs(self.alphas - float(alpha))))

    def at(self, alpha: float) -> np.ndarray:
        """The fused map at ``alpha`` (the nearest frame of the grid)."""
        return self.coords[self.index(alpha)]

    @property
    def bert(self) -> np.ndarray:
        """The BERT map: the frame at alpha = 1."""
        return self.coords[-1]

    @property
    def static(self) -> np.ndarray:
        """The static map: the frame at alpha = 0."""
        return self.coords[0]

    def bounds(self) -> np.ndarray:
        """``(dims, 2)`` min and max over every frame, so an animation keeps its axes still."""
        flat = self.coords.reshape(-1, self.coords.shape[-1])
        if flat.size == 0:
            return np.zeros((self.coords.shape[-1], 2))
        return np.stack([flat.min(0), flat.max(0)], axis=1)


def alpha_frames(
    vectors: WordVectors,
    rows: np.ndarray | None = None,
    mode: str = "weighted",
    method: str = "umap",
    dims: int = 2,
    *,
    steps: int = ALPHA_STEPS,
    seed: int = 0,
    temperature: float = 0.1,
    epochs_per_frame: int = EPOCHS_PER_FRAME,
    progress: Progress | None = None,
) -> AlphaFrames:
    """Lay out the fused vectors of ``rows`` at every alpha of the grid, together.

    Args:
        vectors: the aligned vectors (fusion runs on all rows, so attention keeps each sentence's context).
        rows: the rows to lay out (default: all).
        mode: the fusion mode.
        method: ``umap`` or ``pca``.
        dims: 2 or 3.
        steps: frames from alpha 0 to 1.
        seed: UMAP's seed.
        temperature: attention's temperature.
        epochs_per_frame: UMAP epochs of each frame after the first.
        progress: called with ``(frames done, frames)``.

    Returns:
        The frames; ``frames.bert`` and ``frames.static`` are the BERT and static maps.

    Raises:
        ValueError: an unknown method or a bad number of dimensions.
    """
    check_projection(method, dims)
    idx = np.arange(len(vectors)) if rows is None else np.asarray(rows, dtype=np.int64)
    alphas = alpha_grid(steps)
    fused = [normalize_rows(vectors.fuse(mode, float(a), temperature).vectors[idx]) for a in alphas]
    if method == "pca":
        coords = _shared_pca(fused, dims)
        if progress is not None:
            progress(steps, steps)
    else:
        coords = _umap_chain(fused, dims, seed, epochs_per_frame, progress)
    return AlphaFrames(alphas, coords.astype(np.float32), str(mode), method)


def _shared_pca(frames: list[np.ndarray], dims: int, basis_frames: int = 5) -> np.ndarray:
    """Every frame projected on the principal axes of the frames together (fitted on ``basis_frames`` of them,
    evenly spaced from alpha 0 to 1: the axes hardly change, the cost drops fourfold)."""
    n, d = frames[0].shape
    out = np.zeros((len(frames), n, dims), np.float64)
    if n == 0:
        return out
    # each frame centred on its own mean: the axes show the spread within a frame, not the drift from static to BERT
    centred = [X - X.mean(axis=0, dtype=np.float64).astype(np.float32) for X in frames]
    pick = np.unique(np.linspace(0, len(frames) - 1, min(basis_frames, len(frames))).round().astype(int))
    stacked = np.concatenate([centred[i] for i in pick], axis=0).astype(np.float32)
    evals, evecs = np.linalg.eigh((stacked.T @ stacked).astype(np.float64))
    components = evecs[:, ::-1][:, :dims].T
    signs = np.sign(components[np.arange(components.shape[0]), np.abs(components).argmax(axis=1)])
    signs[signs == 0] = 1
    components = components * signs[:, None]
    k = components.shape[0]
    for f, X in enumerate(centred):
        out[f, :, :k] = X.astype(np.float64) @ components.T
    return out


def _umap_chain(frames: list[np.ndarray], dims: int, seed: int, epochs: int, progress: Progress | None) -> np.ndarray:
    """A full UMAP of the last frame (alpha 1), then each earlier frame started from its successor."""
    total = len(frames)
    out: list[np.ndarray] = [np.zeros(0)] * total
    prev = project(frames[-1], "umap", dims, seed=seed, n_epochs=FIRST_EPOCHS)
    out[-1] = prev
    if progress is not None:
        progress(1, total)
    for done, f in enumerate(range(total - 2, -1, -1), start=2):
        prev = project(frames[f], "umap", dims, seed=seed, init=prev, n_epochs=epochs)
        out[f] = prev
        if progress is not None:
            progress(done, total)
    return np.stack(out).astype(np.float64)
