from __future__ import annotations

import numpy as np
import pytest

from embedkit.neighbours import NeighbourIndex, top_k
from embedkit.projection import align_layout, project


def test_top_k_is_exact_cosine_best_first_and_can_exclude_self() -> None:
    table = np.array([[1, 0], [0.9, 0.1], [0, 1], [-1, 0]], np.float32)
    idx, sims = top_k(table[:1], table, k=3)
    assert idx.tolist() == [[0, 1, 2]]
    idx, sims = top_k(table[:1], table, k=2, exclude=np.array([0]))
    assert idx.tolist() == [[1, 2]] and sims[0, 0] == pytest.approx(0.9 / np.hypot(0.9, 0.1))


def test_approximate_index_agrees_with_exact_search() -> None:
    rng = np.random.default_rng(0)
    table = rng.normal(size=(3000, 16)).astype(np.float32)
    approx = NeighbourIndex(table, exact_limit=1000)
    assert not approx.exact
    a, _ = approx.query(table[:20], k=5)
    e, _ = top_k(table[:20], table, k=5)
    recall = np.mean([len(set(x) & set(y)) / 5 for x, y in zip(a, e)])
    assert recall > 0.9


@pytest.fixture(scope="module")
def clusters() -> np.ndarray:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(4, 32)) * 4
    return (np.repeat(centres, 30, axis=0) + rng.normal(size=(120, 32))).astype(np.float32)


def test_umap_is_reproducible_with_a_seed(clusters) -> None:
    a = project(clusters, "umap", 2, seed=3)
    b = project(clusters, "umap", 2, seed=3)
    np.testing.assert_array_equal(a, b)
    assert project(clusters, "umap", 3).shape == (120, 3)


def test_pca_is_deterministic_and_small_inputs_fall_back() -> None:
    X = np.random.default_rng(0).normal(size=(10, 5)).astype(np.float32)
    np.testing.assert_array_equal(project(X, "pca"), project(X, "pca"))
    assert project(X[:3], "umap").shape == (3, 2)  # too few points for UMAP: PCA instead
    assert project(X[:1], "pca", 3).shape == (1, 3)
    with pytest.raises(ValueError, match="umap, pca"):
        project(X, "tsne")


def test_a_relayout_from_the_previous_layout_does_not_jump_or_mirror(clusters) -> None:
    first = project(clusters, "umap", 2, seed=0)
    moved = clusters + np.random.default_rng(1).normal(scale=0.05, size=clusters.shape).astype(np.float32)
    again = project(moved, "umap", 2, seed=0, init=first, fast=True)
    spread = np.linalg.norm(first - first.mean(0), axis=1).mean()
    assert np.linalg.norm(again - first, axis=1).mean() < 0.5 * spread


def test_align_layout_undoes_a_rotation_reflection_and_shift() -> None:
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(50, 2))
    theta = 1.1
    R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]) @ np.diag([1, -1])
    moved = 2.5 * ref @ R + np.array([4.0, -7.0])
    np.testing.assert_allclose(align_layout(moved, ref), ref, atol=1e-8)


def test_identical_rows_get_identical_umap_coordinates(clusters) -> None:
    """A static table gives every occurrence of a word one vector: the map must put them on one spot."""
    X = np.vstack([clusters, clusters[:10], clusters[:10]])
    out = project(X, "umap", 2, seed=0)
    np.testing.assert_array_equal(out[120:130], out[:10])
    np.testing.assert_array_equal(out[130:140], out[:10])
    again = project(X, "umap", 2, seed=0, init=out, n_epochs=20)
    np.testing.assert_array_equal(again[120:130], again[:10])


def test_align_layout_keeps_the_spread_of_the_reference() -> None:
    """Aligning onto a reference it matches poorly must not shrink a layout (a chain of frames would collapse)."""
    rng = np.random.default_rng(0)
    ref, new = rng.normal(size=(200, 2)), rng.normal(size=(200, 2))
    out = align_layout(new, ref)
    spread = lambda a: np.sqrt(((a - a.mean(0)) ** 2).sum(1).mean())  # noqa: E731
    assert spread(out) == pytest.approx(spread(ref), rel=1e-6)
