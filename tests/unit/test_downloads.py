"""Files of what the page shows: only the shown rows, and every file says its space, fusion mode and alpha."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from embedkit import downloads
from embedkit.text import content_indices

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def text(embedder):
    return embedder.embed(["I sat on the river bank.", "The bank, it said, raised its rates!"])


def test_file_names_say_space_mode_and_alpha() -> None:
    assert downloads.file_name("vectors", "fused", "weighted", 0.5, "tsv") == "vectors_fused-weighted-alpha0.50.tsv"
    assert downloads.file_name("metadata", "bert", "concat", 0.25, "tsv") == "metadata_bert.tsv"
    assert downloads.file_name("vectors", "all", "attention", 1.0, "csv") == "vectors_all-attention-alpha1.00.csv"
    with pytest.raises(ValueError, match="bert, static, fused"):
        downloads.view_name("glove", "weighted", 0.5)


def test_vectors_table_holds_the_shown_rows_only(text) -> None:
    shown = content_indices(text.words, True)
    frame = downloads.vectors_table(text, shown, "attention", 0.3)
    assert len(frame) == len(shown) < len(text)
    assert not frame["word"].isin([".", ",", "!"]).any()
    assert set(frame["fusion"]) == {"attention"} and set(frame["alpha"]) == {0.3}
    assert sorted(set(frame["sentence"])) == [1, 2]  # numbered from 1
    fused = text.fuse("attention", 0.3).vectors[shown]  # fused on the whole text, then cut
    np.testing.assert_allclose(frame[[f"fused_{j}" for j in range(fused.shape[1])]].to_numpy(), fused, atol=1e-6)


def test_projector_pair_names_its_space_and_alpha(text) -> None:
    shown = content_indices(text.words, True)
    vectors, meta = downloads.projector_pair(text, shown, "fused", "weighted", 0.75)
    assert len(vectors.strip().split("\n")) == len(shown)
    table = pd.read_csv(io.StringIO(meta), sep="\t")
    assert len(table) == len(shown)
    assert set(table["space"]) == {"fused"} and set(table["alpha"]) == {0.75} and set(table["fusion"]) == {"weighted"}


def test_coordinates_table_leaves_cells_empty_where_a_map_has_no_point(text) -> None:
    shown = content_indices(text.words, True)
    xy = np.arange(2 * len(shown), dtype=float).reshape(-1, 2)
    coords = {"bert": (shown, xy), "static": (shown[1:], xy[1:])}
    frame = downloads.coordinates_table(text, shown, coords, "weighted", 0.5)
    assert np.isnan(frame.loc[0, "static_x"]) and frame.loc[1, "static_x"] == xy[1, 0]
    assert list(frame["bert_y"]) == xy[:, 1].tolist()
