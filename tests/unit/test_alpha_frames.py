"""The fused map over alpha: frame 1 is the BERT map, frame 0 the static map, identical vectors share a spot."""

from __future__ import annotations

import numpy as np
import pytest

from embedkit.alpha_frames import FIRST_EPOCHS, alpha_frames, alpha_grid
from embedkit.cosine import normalize_rows
from embedkit.projection import project
from embedkit.wordvectors import WordVectors


@pytest.fixture(scope="module")
def vectors() -> WordVectors:
    """40 occurrences of 16 word types: contextual vectors differ per occurrence, static ones per type only."""
    rng = np.random.default_rng(0)
    types = rng.integers(0, 16, size=40)
    e = rng.normal(size=(16, 8)).astype(np.float32)[types]
    pe = np.hstack([e, np.zeros((40, 24), np.float32)])
    h = (pe + rng.normal(scale=1.5, size=(40, 32))).astype(np.float32)
    return WordVectors([f"w{t}" for t in types], h, e, pe, np.zeros(40, bool), np.arange(40) // 8)


def test_alpha_grid_has_one_frame_per_slider_step() -> None:
    grid = alpha_grid()
    assert len(grid) == 21 and grid[0] == 0.0 and grid[-1] == 1.0
    assert 0.05 in grid.tolist() and 0.7 in grid.tolist()
    with pytest.raises(ValueError, match="at least 2"):
        alpha_grid(1)


@pytest.mark.parametrize("method", ["pca", "umap"])
def test_identical_static_vectors_share_a_spot_in_the_static_frame(vectors: WordVectors, method: str) -> None:
    frames = alpha_frames(vectors, method=method, steps=5, epochs_per_frame=10)
    assert frames.coords.shape == (5, 40, 2)
    words = np.asarray(vectors.words)
    for w in set(words.tolist()):
        rows = np.flatnonzero(words == w)
        assert np.ptp(frames.static[rows], axis=0).max() == 0.0, w
    # BERT gives each occurrence its own place
    rows = np.flatnonzero(words == words[0])
    assert np.ptp(frames.bert[rows], axis=0).max() > 0.0


def test_the_umap_frame_at_alpha_one_is_the_bert_map(vectors: WordVectors) -> None:
    frames = alpha_frames(vectors, mode="weighted", method="umap", steps=3, epochs_per_frame=10)
    np.testing.assert_allclose(
        frames.bert, project(normalize_rows(vectors.h), "umap", 2, seed=0, n_epochs=FIRST_EPOCHS), atol=1e-5
    )
    assert frames.at(1.0) is not None and np.array_equal(frames.at(0.98), frames.bert)
    assert np.array_equal(frames.at(0.0), frames.static)


def test_pca_frames_share_one_basis_and_move_smoothly(vectors: WordVectors) -> None:
    frames = alpha_frames(vectors, method="pca", steps=11)
    steps = np.linalg.norm(np.diff(frames.coords, axis=0), axis=2).mean(axis=1)
    spread = np.linalg.norm(frames.bert - frames.bert.mean(0), axis=1).mean()
    assert steps.max() < 0.5 * spread  # no frame jumps: neighbouring alphas look alike
    assert frames.bounds().shape == (2, 2)


def test_frames_follow_the_rows_asked_for(vectors: WordVectors) -> None:
    rows = np.arange(0, 40, 2)
    frames = alpha_frames(vectors, rows, method="pca", steps=3)
    full = alpha_frames(vectors, method="pca", steps=3)
    assert frames.coords.shape == (3, 20, 2)
    assert not np.allclose(frames.bert, full.bert[rows])  # laid out on their own, not cut from the full map
    with pytest.raises(ValueError, match="umap, pca"):
        alpha_frames(vectors, method="tsne")
