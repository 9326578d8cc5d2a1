"""The numpy helpers behind the pages: exports line up with the words, overlap curves end where they must."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from embedkit_app import analysis, plots

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bank_text(embedder):
    return embedder.embed(["I sat on the <b>river</b> bank.", "The bank raised its interest rates."])


def test_exports_have_one_row_per_word(bank_text) -> None:
    X = bank_text.space("fused", mode="concat", alpha=0.5)
    frame = analysis.vectors_frame(bank_text, X)
    assert len(frame) == len(bank_text.words)
    assert frame.shape[1] == 4 + X.shape[1]
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    assert pd.read_parquet(io.BytesIO(buf.getvalue())).shape == frame.shape
    vectors, meta = analysis.projector_tsv(bank_text, X)
    assert len(vectors.splitlines()) == len(bank_text.words)
    assert len(meta.splitlines()) == len(bank_text.words) + 1  # header
    assert all(len(line.split("\t")) == X.shape[1] for line in vectors.splitlines())


def test_jaccard_curve_ends_at_bert_and_static(bank_text) -> None:
    q = int(bank_text.occurrences_of("bank")[0])
    rows = analysis.content_indices(bank_text.words)
    alphas, vs_bert, vs_static = analysis.jaccard_curves(bank_text, q, "weighted", 3, rows)
    assert alphas[0] == 0 and alphas[-1] == 1
    assert vs_bert[-1] == 1.0  # alpha = 1: the fused list is the BERT list


def test_polysemy_pair_static_is_one(bank_text) -> None:
    i, j = bank_text.occurrences_of("bank")[:2]
    _, curves = analysis.pair_curves(bank_text, int(i), int(j), "weighted")
    assert curves["static"][0] == pytest.approx(1.0, abs=1e-5)
    assert curves["bert"][0] < 0.95
    assert curves["fused"][-1] == pytest.approx(curves["bert"][0], abs=1e-5)


def test_punctuation_is_hidden_but_words_stay() -> None:
    words = ["I", "sat", ".", "don't", "👋", "—", ","]
    assert [words[i] for i in analysis.content_indices(words)] == ["I", "sat", "don't", "👋"]


def test_map_figure_escapes_user_html(bank_text) -> None:
    coords = np.zeros((len(bank_text.words), 2))
    fig = plots.map_figure(
        coords, bank_text.words, [bank_text.context(i) for i in range(len(bank_text.words))], title="BERT", selected=0
    )
    text = fig.to_json()
    assert "<b>river" not in text and "&lt;b&gt;river" in text


def test_word_styles_give_repeated_content_words_distinct_circles() -> None:
    styles = plots.word_styles(["the", "bank", "the", "bank", "river", "bat", "bat"])
    assert styles["bank"][1] == styles["bat"][1] == "0"
    assert styles["bank"][0] != styles["bat"][0]
    assert all(c in plots.PALETTE for c, _ in styles.values())
