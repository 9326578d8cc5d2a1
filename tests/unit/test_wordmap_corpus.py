"""The word map over a corpus index, and the Corpus page's sense map sharing its clustering: clusters keep their
number and ids as alpha moves, and no cluster is named by a stopword."""

from __future__ import annotations

import numpy as np
import pytest

from embedkit.corpus.manifest import IndexSettings
from embedkit.corpus.search import SpaceChoice
from embedkit.text import STOPWORDS


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):
    """An index of the reference corpus's sentences with *bank* (river and money contexts) and some without."""
    from embedkit.corpus.build import build_index
    from embedkit.corpus.index import CorpusIndex
    from embedkit.reference import load_reference

    ref = load_reference()
    lines = [ref.sentences[i] for i in ref.sentences_with("bank")] + ref.sentences[:60]
    source = tmp_path_factory.mktemp("bank-corpus") / "bank.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    folder = build_index(source, tmp_path_factory.mktemp("idx") / "index", IndexSettings(align_k=500, block_size=50))
    return CorpusIndex.open(folder)


@pytest.mark.slow
def test_sense_map_clusters_keep_k_and_ids_across_neighbouring_alphas(index) -> None:
    base = index.senses("bank", SpaceChoice("fused", "weighted", 0.5))
    maps = {a: base.at(a) for a in (0.45, 0.5, 0.55, 0.6, 0.65)}
    ks = {a: m.k for a, m in maps.items()}
    assert len(set(ks.values())) == 1, ks
    for a, b in zip(list(maps)[:-1], list(maps)[1:]):
        assert {c.cluster for c in maps[a].clusters} == {c.cluster for c in maps[b].clusters}
        assert np.mean(maps[a].labels == maps[b].labels) > 0.9  # a colour means the same occurrences
    # the same clusters whatever alpha the map was opened at (the Corpus page opens at 0.5, a link may say 0.6)
    np.testing.assert_array_equal(index.senses("bank", SpaceChoice("fused", "weighted", 0.6)).labels, maps[0.6].labels)
    words = {w for m in maps.values() for c in m.clusters for w in c.words}
    assert words and not words & STOPWORDS


@pytest.mark.slow
def test_word_map_from_a_corpus_index(index) -> None:
    from embedkit.wordmap import build_word_map

    wm = build_word_map("bank", index=index, text=["I sat on the river bank.", "The bank lends money."], sample=100)
    assert wm.sources() == {"text": 2, "corpus": 100} and wm.available == {"corpus": len(index.rows_of("bank"))}
    view = wm.view("bert")
    assert view.labels[0] != view.labels[1]  # the river bank and the money bank
    assert wm.view("static").one_point


def test_index_source_needs_no_embedder_but_refuses_none_without_index() -> None:
    from embedkit.errors import EmbedkitError
    from embedkit.wordmap import build_word_map

    with pytest.raises(EmbedkitError, match="needs an Embedder"):
        build_word_map("bank")
