"""Rows of aligned word vectors taken and joined without hand slicing: every per-row field follows, and a word keeps
its own sentence (what attention fusion reads)."""

from __future__ import annotations

import numpy as np
import pytest

from embedkit.embedded_text import EmbeddedText
from embedkit.wordvectors import WordVectors


def _text(words: list[list[str]], seed: int = 0, dim: int = 6) -> EmbeddedText:
    rng = np.random.default_rng(seed)
    flat = [w for s in words for w in s]
    n = len(flat)
    sentences = [" ".join(s) for s in words]
    starts = [sum(len(x) + 1 for x in s[:i]) for s in words for i in range(len(s))]
    return EmbeddedText(
        flat,
        rng.normal(size=(n, dim)).astype(np.float32),
        rng.normal(size=(n, 3)).astype(np.float32),
        rng.normal(size=(n, dim)).astype(np.float32),
        np.array([w == "zz" for w in flat]),
        np.repeat(np.arange(len(words)), [len(s) for s in words]),
        sentences=sentences,
        position=np.concatenate([np.arange(len(s)) for s in words]),
        start=np.array(starts),
        end=np.array([a + len(w) for a, w in zip(starts, flat)]),
    )


def test_take_keeps_every_per_row_field_and_the_sentences() -> None:
    emb = _text([["river", "bank", "zz"], ["the", "bank", "lends"]])
    part = emb.take([4, 1])
    assert isinstance(part, EmbeddedText)
    assert part.words == ["bank", "bank"]
    np.testing.assert_array_equal(part.h, emb.h[[4, 1]])
    np.testing.assert_array_equal(part.pe, emb.pe[[4, 1]])
    np.testing.assert_array_equal(part.sentence_id, [1, 0])
    assert [part.context(0), part.context(1)] == ["the [bank] lends", "river [bank] zz"]
    assert part.sentences == emb.sentences
    assert len(emb.take([])) == 0


def test_concat_keeps_each_parts_sentences_apart() -> None:
    a, b = _text([["river", "bank"], ["bank", "zz"]]), _text([["the", "bank"]], seed=1)
    both = WordVectors.concat(a, b)
    assert both.words == [*a.words, *b.words]
    np.testing.assert_array_equal(both.sentence_id, [0, 0, 1, 1, 2, 2])  # b's sentence 0 is not a's sentence 0
    np.testing.assert_array_equal(both.h, np.concatenate([a.h, b.h]))
    np.testing.assert_array_equal(both.oov, [False, False, False, True, False, False])
    # attention fusion of the joined rows equals each part fused alone (each word sees only its own sentence)
    joined = both.fuse("attention", 0.5).vectors
    np.testing.assert_allclose(
        joined, np.concatenate([a.fuse("attention", 0.5).vectors, b.fuse("attention", 0.5).vectors])
    )
    with pytest.raises(ValueError, match="different dimensions"):
        WordVectors.concat(a, _text([["x"]], dim=4))


def test_every_copy_of_a_static_word_maps_to_the_same_row() -> None:
    """A static table gives every *bank* one vector, and the map into BERT's space must keep it one vector exactly: a
    matrix product may round the same row differently at different positions (the static map then showed three
    *bank* spots one float apart, each with its own label)."""
    from embedkit.alignment import StaticMap
    from embedkit.static import StaticVectors

    rng = np.random.default_rng(0)
    static = StaticVectors([f"w{i}" for i in range(40)], rng.normal(size=(40, 50)).astype(np.float32))
    static_map = StaticMap("lstsq").fit(rng.normal(size=(200, 50)), rng.normal(size=(200, 384)))
    words = [f"w{i % 40}" for i in range(71)]
    words[5] = words[12] = words[26] = words[70] = "w7"
    out = WordVectors.build(words, np.zeros((71, 384), np.float32), static, static_map)
    for i in (12, 26, 70):
        assert np.array_equal(out.pe[i], out.pe[5])
