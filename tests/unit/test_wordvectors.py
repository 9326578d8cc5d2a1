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
