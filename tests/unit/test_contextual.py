from __future__ import annotations

import numpy as np
import pytest

from embedkit.contextual import ContextualEncoder, _windows
from embedkit.errors import ModelLoadError
from embedkit.text import segment
from tests.conftest import BANK_SENTENCES, cos


def words_of(sentence: str) -> list[str]:
    return [w.text for w in segment(sentence)]


def test_the_two_banks_differ_under_the_contextual_encoder(encoder: ContextualEncoder) -> None:
    a, b = encoder.encode([words_of(s) for s in BANK_SENTENCES])
    river_bank, money_bank = a[5], b[1]
    assert cos(river_bank, money_bank) < 0.9
    # ...while the same word in the same sentence gets the same vector again
    again = encoder.encode([words_of(BANK_SENTENCES[0])])[0]
    np.testing.assert_allclose(again, a, atol=1e-5)


def test_one_vector_per_word_and_dimension(encoder: ContextualEncoder) -> None:
    out = encoder.encode([["a"], words_of("Embeddings map words, don't they?"), []])
    assert [o.shape for o in out] == [(1, 384), (7, 384), (0, 384)]
    assert all(np.isfinite(o).all() for o in out)


def _manual_pieces(encoder: ContextualEncoder, words: list[str]) -> tuple[np.ndarray, list[int | None]]:
    """The reference: a plain forward pass with the tokenizer's own specials, outside embedkit."""
    import torch

    enc = encoder._tokenizer([words], is_split_into_words=True, return_tensors="pt")
    with torch.no_grad():
        hidden = encoder._model(**enc).last_hidden_state[0].numpy()
    return hidden, enc.word_ids(0)


@pytest.mark.parametrize("pooling", ["first", "last", "mean", "first_last"])
def test_a_word_split_into_wordpieces_is_pooled_as_chosen(encoder: ContextualEncoder, pooling: str) -> None:
    words = ["embeddings", "are", "fun"]
    pieces = encoder._tokenizer(["embeddings"], is_split_into_words=True, add_special_tokens=False)["input_ids"]
    assert len(pieces) >= 3  # em ##bed ##ding ##s: a real multi-piece word
    enc = ContextualEncoder(encoder.model_path, pooling=pooling)
    got = enc.encode([words])[0][0]
    hidden, word_ids = _manual_pieces(encoder, words)
    rows = hidden[[i for i, w in enumerate(word_ids) if w == 0]]
    expected = {
        "first": rows[0],
        "last": rows[-1],
        "mean": rows.mean(axis=0),
        "first_last": np.concatenate([rows[0], rows[-1]]),
    }[pooling]
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=2e-4)


def test_text_longer_than_the_model_maximum_gets_a_vector_for_every_word(tiny_model_dir) -> None:
    enc = ContextualEncoder(tiny_model_dir)
    assert enc.max_length == 16  # the tiny model's position limit
    words = ("the river bank sat on its interest rates , embeddings . " * 6).split()
    (vectors,) = enc.encode([words])
    assert vectors.shape == (len(words), 32)
    assert np.isfinite(vectors).all()
    assert np.abs(vectors).sum(axis=1).min() > 0  # no word left as zeros


@pytest.mark.parametrize("n, size, stride", [(1, 4, 3), (10, 4, 3), (37, 14, 10), (512, 510, 382), (1000, 510, 382)])
def test_windows_cover_every_wordpiece_exactly_once(n: int, size: int, stride: int) -> None:
    covered = np.zeros(n, int)
    for w in _windows(0, n, size, stride):
        assert w.end - w.start <= size and w.start <= w.keep_start < w.keep_end <= w.end
        covered[w.keep_start : w.keep_end] += 1
    assert (covered == 1).all()


def test_windowed_encoding_matches_a_single_window_in_the_middle(encoder: ContextualEncoder) -> None:
    words = words_of("The bank raised its interest rates again after the river flooded the old town. " * 3)
    full = encoder.encode([words])[0]
    windowed = ContextualEncoder(encoder.model_path, max_length=40).encode([words])[0]
    assert windowed.shape == full.shape
    sims = (full * windowed).sum(1) / (np.linalg.norm(full, axis=1) * np.linalg.norm(windowed, axis=1))
    assert np.median(sims) > 0.8  # stitched windows keep most of the context


def test_words_the_tokenizer_drops_still_get_a_vector(encoder: ContextualEncoder) -> None:
    (vectors,) = encoder.encode([["bank", "\u200b", "loan"]])
    assert vectors.shape == (3, 384) and np.isfinite(vectors).all()


def test_bfloat16_stays_close_to_float32(encoder: ContextualEncoder) -> None:
    words = [words_of(s) for s in BANK_SENTENCES]
    fp32 = np.concatenate(encoder.encode(words))
    bf16 = np.concatenate(ContextualEncoder(encoder.model_path, dtype="bfloat16").encode(words))
    sims = (fp32 * bf16).sum(1) / (np.linalg.norm(fp32, axis=1) * np.linalg.norm(bf16, axis=1))
    assert sims.min() > 0.99


def test_layers_choice_changes_the_vectors(tiny_model_dir) -> None:
    last = ContextualEncoder(tiny_model_dir).encode([["the", "bank"]])[0]
    second = ContextualEncoder(tiny_model_dir, layers="second_last").encode([["the", "bank"]])[0]
    both = ContextualEncoder(tiny_model_dir, layers="-1,-2").encode([["the", "bank"]])[0]
    assert not np.allclose(last, second)
    np.testing.assert_allclose(both, (last + second) / 2, atol=1e-5)


def test_a_local_folder_loads_and_bad_models_get_clear_errors(tiny_model_dir, tmp_path) -> None:
    enc = ContextualEncoder(str(tiny_model_dir))
    assert enc.dim == 32 and enc.name == str(tiny_model_dir)
    with pytest.raises(ModelLoadError, match="config.json"):
        ContextualEncoder(tmp_path)
    with pytest.raises(ModelLoadError, match="could not load model"):
        ContextualEncoder("no-such-owner/no-such-model")
    with pytest.raises(ValueError, match="first, last, mean, first_last"):
        ContextualEncoder(tiny_model_dir, pooling="max")
    with pytest.raises(ValueError, match="last4"):
        ContextualEncoder(tiny_model_dir, layers="top")
