from __future__ import annotations

import numpy as np
import pytest

from embedkit.errors import EmbedkitError
from embedkit.neighbours import top_k
from tests.conftest import BANK_SENTENCES, cos


def test_words_line_up_across_every_space(bank) -> None:
    n = len(bank)
    assert bank.words[:6] == ["I", "sat", "on", "the", "river", "bank"]
    assert bank.h.shape == (n, 384) and bank.e.shape == (n, 50) and bank.pe.shape == (n, 384)
    assert bank.sentence_id.tolist() == [0] * 7 + [1] * 7
    assert bank.context(5) == "I sat on the river [bank]."


def test_bank_differs_under_bert_coincides_under_glove_and_fusion_sits_between(bank) -> None:
    i, j = bank.occurrences_of("bank")
    c_bert = cos(bank.h[i], bank.h[j])
    c_static = cos(bank.e[i], bank.e[j])
    fused = bank.fuse("weighted", 0.5).vectors
    c_fused = cos(fused[i], fused[j])
    assert c_bert < 0.9 and c_static == pytest.approx(1.0)
    assert c_bert < c_fused < c_static


def test_changing_alpha_or_mode_never_runs_the_encoder_again(embedder, monkeypatch) -> None:
    embedder.embed(BANK_SENTENCES)  # warm

    def boom(*args, **kwargs):
        raise AssertionError("the encoder ran again")

    monkeypatch.setattr(embedder.encoder, "encode", boom)
    out = embedder.embed(BANK_SENTENCES)
    for mode in ("concat", "weighted", "attention"):
        for alpha in (0.0, 0.5, 1.0):
            assert np.isfinite(out.fuse(mode, alpha).vectors).all()


def test_a_new_sentence_encodes_only_that_sentence(embedder, monkeypatch) -> None:
    embedder.embed(BANK_SENTENCES)
    calls: list[int] = []
    real = embedder.encoder.encode

    def counting(sentences, **kw):
        calls.append(len(sentences))
        return real(sentences, **kw)

    monkeypatch.setattr(embedder.encoder, "encode", counting)
    embedder.embed([*BANK_SENTENCES, "A brand new sentence about a bat."])
    assert calls == [1]


def test_odd_input_is_embedded_with_oov_flagged_and_html_kept_as_text(embedder) -> None:
    out = embedder.embed(["<script>alert('x')</script> café 👋🏽 我爱北京 qqxzvb"])
    assert "script" in out.words and "👋🏽" in out.words
    assert out.oov[out.words.index("qqxzvb")] and out.oov[out.words.index("👋🏽")]
    assert 0 < out.oov_rate < 1
    assert np.isfinite(out.h).all()
    assert not out.pe[out.oov].any()


def test_empty_and_huge_text_are_refused_clearly(embedder) -> None:
    with pytest.raises(EmbedkitError, match="no text"):
        embedder.embed("  \n\t\n")
    with pytest.raises(EmbedkitError, match="too long"):
        embedder.embed("word " * 1000, max_chars=100)


def test_vocabulary_neighbours_of_the_two_banks(embedder, bank) -> None:
    vocab = embedder.vocabulary(2000)
    i, j = bank.occurrences_of("bank")
    idx, _ = top_k(bank.h[[i, j]], vocab.h, 5)
    river_side = {vocab.words[k] for k in idx[0]}
    money_side = {vocab.words[k] for k in idx[1]}
    assert "bank" in river_side and "bank" in money_side
    assert river_side != money_side  # context moves the neighbours
    sidx, _ = top_k(bank.e[[i, j]], vocab.e, 5)
    assert sidx[0].tolist() == sidx[1].tolist()  # GloVe cannot tell them apart
    assert embedder.vocabulary(2000) is vocab  # computed once per setting
