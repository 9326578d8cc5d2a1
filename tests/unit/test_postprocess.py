"""Post-processing of contextual vectors: one rule for words in sentences and words alone, part of every cache key,
alpha = 1 still the (post-processed) contextual vectors; and every option of the senses grid equals what the
Embedder makes with it."""

from __future__ import annotations

import numpy as np
import pytest

from embedkit.postprocess import POSTPROCESS_LABELS, Postprocess, PostprocessedEncoder, PostProcessor

SENTENCES = [["the", "river", "bank", "."], ["the", "bank", "raised", "its", "interest", "rates", "."]]
REFERENCE = [["a", "b", "c", "word", "the", "river"], ["embeddings", "bank", "on", "the", "sat", "i"], ["a", "c"]]


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    from embedkit.contextual import ContextualEncoder

    return ContextualEncoder(tiny_model_dir)


@pytest.fixture(scope="module")
def tiny_static():
    from embedkit.static import StaticVectors

    words = ["the", "river", "bank", "raised", "its", "interest", "rates", "sat", "on", "word", "a", "b", "c"]
    return StaticVectors(words, np.random.default_rng(0).normal(size=(len(words), 6)).astype(np.float32), "tiny")


def test_abtt_removes_the_mean_and_the_top_directions() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 20)) * np.linspace(6, 1, 20) + 5.0
    proc = PostProcessor("abtt", n_directions=2).fit(X)
    Y = proc.transform_rows(X)
    _, _, vt = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    assert np.abs(Y.mean(axis=0)).max() < 1e-3  # centred
    assert np.abs(Y @ vt[:2].T).max() < 1e-3  # the two dominant directions are gone
    assert np.abs(Y @ vt[2:5].T).max() > 1.0  # the rest is kept


def test_sentence_mean_centres_each_sentence_and_a_word_alone_on_the_reference_mean() -> None:
    proc = PostProcessor("sentence_mean").fit(np.array([[1.0, 1.0], [3.0, 1.0]]))
    sentence = np.array([[1.0, 0.0], [3.0, 2.0]])
    np.testing.assert_allclose(proc.transform(sentence), [[-1.0, -1.0], [1.0, 1.0]])
    np.testing.assert_allclose(proc.transform(np.array([[4.0, 4.0]])), [[2.0, 3.0]])  # not the zero vector


@pytest.mark.parametrize("post", ["center", "sentence_mean", "abtt"])
def test_the_option_is_applied_everywhere_and_keyed_everywhere(tiny, post: str) -> None:
    wrapped = PostprocessedEncoder(tiny, post, reference=REFERENCE)
    assert wrapped.settings_key() != tiny.settings_key()  # so every cache keyed by the encoder keeps them apart
    assert PostprocessedEncoder(tiny, "abtt", reference=REFERENCE).settings_key() != (
        PostprocessedEncoder(tiny, "center", reference=REFERENCE).settings_key()
    )
    proc = wrapped.processor
    raw = tiny.encode(SENTENCES)
    for got, r in zip(wrapped.encode(SENTENCES), raw):
        np.testing.assert_allclose(got, proc.transform(r), atol=1e-5)
    alone = wrapped.encode_words(["bank", "river"])
    np.testing.assert_allclose(alone, proc.transform_rows(tiny.encode_words(["bank", "river"]), *_alone(2)), atol=1e-5)
    assert np.linalg.norm(alone, axis=1).min() > 0  # a word alone never becomes the zero vector
    assert wrapped.describe().endswith(POSTPROCESS_LABELS[post])


def _alone(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((n, 32), np.float32), np.ones(n, np.int64)


def test_embedder_with_post_processing_fuses_the_post_processed_vectors(tiny, tiny_static) -> None:
    from embedkit.embedder import Embedder

    plain = Embedder(tiny, tiny_static, align_k=10)
    post = Embedder(tiny, tiny_static, align_k=10, postprocess="abtt")
    out, raw = (
        post.embed(["the river bank .", "the bank raised its interest rates ."]),
        plain.embed(["the river bank .", "the bank raised its interest rates ."]),
    )
    assert not np.allclose(out.h, raw.h)
    np.testing.assert_array_equal(out.fuse("weighted", 1.0).vectors, out.h)  # alpha = 1: the post-processed vectors
    assert "all-but-the-top" in post.settings()["contextual"]
    # the static map is fitted on post-processed words encoded alone: it differs from the plain one
    assert not np.allclose(post.static_map.W_, plain.static_map.W_)
    with pytest.raises(ValueError, match="sentence_mean"):
        Embedder(tiny, tiny_static, postprocess="whiten")


def test_every_grid_option_equals_the_embedder_with_that_option(tiny_model_dir, tiny) -> None:
    """The senses benchmark assembles each option from one all-layers pass; the app gets the same vectors from an
    encoder built with those options."""
    from embedkit.contextual import ContextualEncoder
    from embedkit.evaluation.sense_data import SenseOccurrences
    from embedkit.evaluation.sense_grid import EncoderOption, build_sense_grid

    occ = SenseOccurrences(
        SENTENCES,
        np.array([0, 1]),
        np.array([2, 1]),
        np.array([0, 0]),
        np.array([1, 2]),
        ["bank"],
        ["n"],
        np.array([0]),
    )
    grid = build_sense_grid(tiny, occ, reference=REFERENCE)
    assert len(grid.options) == 4 * 4 * 4  # last, second_last, 0, all x 4 poolings x 4 post-processings
    for option in [
        EncoderOption("last", "mean", "none"),
        EncoderOption("0", "first_last", "abtt"),
        EncoderOption("all", "first", "sentence_mean"),
        EncoderOption("second_last", "last", "center"),
    ]:
        encoder = ContextualEncoder(tiny_model_dir, layers=option.layers, pooling=option.pooling)
        if option.postprocess != Postprocess.NONE.value:
            encoder = PostprocessedEncoder(encoder, option.postprocess, reference=REFERENCE)
        expected = [v[w] for v, w in zip(encoder.encode(SENTENCES), occ.word)]
        np.testing.assert_allclose(grid.vectors(option), np.stack(expected), atol=2e-4, err_msg=option.key())


@pytest.mark.slow
def test_the_cli_flag_reaches_the_embedder() -> None:
    from embedkit.cli import build_parser
    from embedkit.cli_args import embedder_from

    args = build_parser().parse_args(["embed", "--text", "the bank", "--postprocess", "sentence_mean"])
    embedder = embedder_from(args)
    assert embedder.postprocess is Postprocess.SENTENCE_MEAN
    assert embedder.encoder.describe().endswith("sentence mean removed")
