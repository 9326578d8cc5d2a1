"""The figures behind the pages: user text is escaped, repeated words get distinct markers."""

from __future__ import annotations

import numpy as np
import pytest

from embedkit_app import plots

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bank_text(embedder):
    return embedder.embed(["I sat on the <b>river</b> bank.", "The bank raised its interest rates."])


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
