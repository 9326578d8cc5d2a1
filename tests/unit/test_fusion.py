from __future__ import annotations

import numpy as np
import pytest

from embedkit.fusion import fuse, fused_dim


@pytest.fixture()
def parts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    h = rng.normal(size=(7, 12)).astype(np.float32)
    e = rng.normal(size=(7, 5)).astype(np.float32)
    pe = rng.normal(size=(7, 12)).astype(np.float32)
    return h, e, pe


def test_weighted_alpha_one_is_the_contextual_vectors_and_zero_the_mapped_static(parts) -> None:
    h, e, pe = parts
    np.testing.assert_array_equal(fuse(h, e, pe, "weighted", 1.0).vectors, h)
    np.testing.assert_array_equal(fuse(h, e, pe, "weighted", 0.0).vectors, pe)
    np.testing.assert_allclose(fuse(h, e, pe, "weighted", 0.3).vectors, 0.3 * h + 0.7 * pe, rtol=1e-6)


def test_alpha_one_gives_the_bert_vectors_on_real_text(bank) -> None:
    np.testing.assert_array_equal(bank.fuse("weighted", 1.0).vectors, bank.h)
    np.testing.assert_allclose(bank.fuse("weighted", 0.0).vectors, bank.pe, atol=1e-6)


def test_concat_dimension_is_the_sum_and_halves_are_weighted(parts) -> None:
    h, e, pe = parts
    f = fuse(h, e, None, "concat", 0.25)
    assert f.vectors.shape == (7, 17) == (7, fused_dim("concat", 12, 5))
    np.testing.assert_allclose(np.linalg.norm(f.vectors[:, :12], axis=1), np.sqrt(0.25), rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(f.vectors[:, 12:], axis=1), np.sqrt(0.75), rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(f.vectors, axis=1), 1.0, rtol=1e-5)


def test_attention_weights_are_a_distribution_per_word(parts) -> None:
    h, e, pe = parts
    sid = np.array([0, 0, 0, 1, 1, 2, 3])
    f = fuse(h, e, pe, "attention", 0.5, sentence_ids=sid)
    assert f.weights is not None and f.weights.shape == (7, 2)
    assert ((f.weights >= 0) & (f.weights <= 1)).all()
    np.testing.assert_allclose(f.weights.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(f.vectors, f.weights[:, :1] * h + f.weights[:, 1:] * pe, rtol=1e-5)
    # the alpha prior leans the mix, and its ends pick one source
    assert (fuse(h, e, pe, "attention", 0.9, sentence_ids=sid).weights[:, 0] > f.weights[:, 0]).all()
    np.testing.assert_allclose(fuse(h, e, pe, "attention", 1.0, sentence_ids=sid).vectors, h, rtol=1e-6)


def test_oov_words_lean_fully_on_the_contextual_source(parts) -> None:
    h, e, pe = parts
    oov = np.array([False, True, False, False, False, False, True])
    for alpha in (0.0, 0.5, 1.0):  # alpha = 0 puts no prior weight on h, yet an OOV word has nothing else
        att = fuse(h, e, pe, "attention", alpha, oov=oov)
        np.testing.assert_array_equal(att.weights[oov], [[1.0, 0.0], [1.0, 0.0]])
        assert np.isfinite(att.vectors).all()
    np.testing.assert_allclose(fuse(h, e, pe, "weighted", 0.2, oov=oov).vectors[oov], h[oov])
    assert not fuse(h, e, pe, "concat", 0.5, oov=oov).vectors[oov][:, 12:].any()


def test_bad_options_are_named(parts) -> None:
    h, e, pe = parts
    with pytest.raises(ValueError, match="weighted, concat, attention"):
        fuse(h, e, pe, "sum")
    with pytest.raises(ValueError, match="alpha"):
        fuse(h, e, pe, "weighted", 1.5)
    with pytest.raises(ValueError, match="mapped"):
        fuse(h, e, None, "weighted")


def test_context_cosines_follow_their_definition_word_by_word() -> None:
    """Each word's context is the sum of both sources' unit vectors over the *other* words of its sentence (the word
    itself when alone; an OOV word counts its contextual unit vector twice), checked against a plain loop, with
    sentence ids out of order."""
    from embedkit.fusion import context_cosines

    rng = np.random.default_rng(3)
    n = 40
    h = rng.normal(size=(n, 16)).astype(np.float32)
    pe = rng.normal(size=(n, 16)).astype(np.float32)
    oov = rng.random(n) < 0.2
    pe[oov] = 0.0
    sid = rng.permutation(np.r_[np.repeat(np.arange(8), 4), np.arange(8, 16)])  # 8 sentences of 4, 8 of 1

    def unit(v: np.ndarray) -> np.ndarray:
        return v / max(float(np.linalg.norm(v)), 1e-12)

    part = [unit(h[i]) + (unit(h[i]) if oov[i] else unit(pe[i])) for i in range(n)]
    expected = np.zeros((n, 2))
    for i in range(n):
        others = [j for j in range(n) if sid[j] == sid[i] and j != i]
        c = unit(sum((part[j] for j in others), np.zeros(16)) if others else part[i])
        expected[i] = [unit(h[i]) @ c, unit(pe[i]) @ c]
    np.testing.assert_allclose(context_cosines(h, pe, oov=oov, sentence_ids=sid), expected, atol=1e-5)
    dots = (np.einsum("ij,ij->i", h, h), np.einsum("ij,ij->i", h, pe), np.einsum("ij,ij->i", pe, pe))
    given = context_cosines(h, pe, oov=oov, sentence_ids=sid, row_dots=dots)  # corpus mode passes its stored dots
    np.testing.assert_allclose(given, expected, atol=1e-5)
