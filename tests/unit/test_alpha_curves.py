from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from embedkit import export
from embedkit.alpha_curves import jaccard, overlap_curves, pair_cosine_curves
from embedkit.text import content_indices, repeated_types


@pytest.fixture(scope="module")
def bank_text(embedder):
    return embedder.embed(["I sat on the <b>river</b> bank.", "The bank raised its interest rates."])


def test_overlap_curve_ends_on_the_bert_list_at_alpha_one(bank_text) -> None:
    q = int(bank_text.occurrences_of("bank")[0])
    rows = content_indices(bank_text.words)
    alphas, vs_bert, vs_static = overlap_curves(bank_text, q, "weighted", 3, rows)
    assert alphas[0] == 0 and alphas[-1] == 1 and len(alphas) == 11
    assert vs_bert[-1] == 1.0  # alpha = 1: the fused list is the BERT list
    assert ((vs_static >= 0) & (vs_static <= 1)).all()
    assert jaccard([1, 2], [2, 3]) == pytest.approx(1 / 3) and jaccard([], []) == 1.0


def test_polysemy_pair_cosine_runs_from_static_to_bert(bank_text) -> None:
    i, j = bank_text.occurrences_of("bank")[:2]
    _, curves = pair_cosine_curves(bank_text, int(i), int(j), "weighted")
    assert curves["static"][0] == pytest.approx(1.0, abs=1e-5)
    assert curves["bert"][0] < 0.95
    assert curves["fused"][-1] == pytest.approx(curves["bert"][0], abs=1e-5)
    assert curves["fused"][0] == pytest.approx(1.0, abs=1e-5)  # alpha 0: both are the same mapped GloVe vector


def test_punctuation_is_hidden_but_words_and_emoji_stay() -> None:
    words = ["I", "sat", ".", "don't", "👋", "—", ","]
    assert [words[i] for i in content_indices(words)] == ["I", "sat", "don't", "👋"]
    assert content_indices([".", ","]).tolist() == [0, 1]  # nothing but punctuation: show it all


def test_repeated_types_put_content_words_first() -> None:
    words = ["the", "bank", "the", "Bank", "river"]
    assert list(repeated_types(words, np.arange(5))) == ["bank", "the"]


def test_exports_have_one_row_per_word(bank_text) -> None:
    fusion = bank_text.fuse("concat", 0.5)
    frame = export.vectors_frame(bank_text, fusion)
    assert len(frame) == len(bank_text)
    assert {"bert_383", "static_49", f"fused_{fusion.vectors.shape[1] - 1}", "context"} <= set(frame.columns)
    buf = io.BytesIO()
    export.vectors_frame(bank_text, fusion, wide=False).to_parquet(buf, index=False)
    assert len(pd.read_parquet(io.BytesIO(buf.getvalue()))["fused"][0]) == 434
    vectors, meta = export.projector_tsv(bank_text, fusion.vectors)
    assert len(vectors.splitlines()) == len(bank_text)
    assert len(meta.splitlines()) == len(bank_text) + 1  # header
    assert all(len(line.split("\t")) == 434 for line in vectors.splitlines())
    rows = content_indices(bank_text.words)
    coords = export.coordinates_frame(bank_text, {"bert": np.zeros((len(rows), 2))}, rows)
    assert list(coords["word"]) == [bank_text.words[i] for i in rows]
