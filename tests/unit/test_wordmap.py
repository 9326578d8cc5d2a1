"""The word's own map: exact PCA morph over alpha, one static point, stable named clusters, honest numbers, and
*bank*'s river / money split on the polysemy example."""

from __future__ import annotations

import numpy as np
import pytest

from embedkit.corpus.clustering import ClusterChain, choose_clusters
from embedkit.errors import EmbedkitError
from embedkit.text import STOPWORDS
from embedkit.wordmap import WordMap, build_word_map
from embedkit.wordmap.occurrences import Occurrences

RIVER = "we sat on the grassy {w} of the river and watched the water flow past the reeds"
MONEY = "she paid the loan back to the {w} with interest from her savings account and money"


def synthetic(n: int = 30, d: int = 16, ds: int = 5, seed: int = 0, oov_rows: int = 0) -> Occurrences:
    """Two senses of 'bank' (river, money) as two clouds of contextual vectors; one static vector for all."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(2, d)) * 3
    h = np.concatenate([centres[0] + rng.normal(size=(n, d)), centres[1] + rng.normal(size=(n, d))]).astype(np.float32)
    e = np.tile(rng.normal(size=ds), (2 * n, 1)).astype(np.float32)
    pe = np.tile(rng.normal(size=d) * 2, (2 * n, 1)).astype(np.float32)
    oov = np.zeros(2 * n, bool)
    oov[:oov_rows] = True
    e[oov], pe[oov] = 0.0, 0.0
    att = rng.uniform(-1, 1, size=(2 * n, 2)).astype(np.float32)
    sentences = tuple(RIVER.format(w="bank") for _ in range(n)) + tuple(MONEY.format(w="bank") for _ in range(n))
    start = np.asarray([s.index("bank") for s in sentences])
    user = {0, n}  # the user's two occurrences: the first river one and the first money one
    source = tuple("text" if i in user else "reference" for i in range(2 * n))
    senses = tuple(None if i in user else "bank.n.01" if i < n else "bank.n.02" for i in range(2 * n))
    return Occurrences(
        "bank",
        h,
        e,
        pe,
        oov,
        att,
        sentences,
        start,
        start + 4,
        source,
        np.arange(2 * n),
        senses,
        {"bank.n.01": "sloping land", "bank.n.02": "a financial institution"},
    )


@pytest.fixture(scope="module")
def wm() -> WordMap:
    return WordMap(synthetic()).prepare("weighted").prepare("attention").prepare("concat")


# -- the morph ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["weighted", "attention", "concat"])
def test_every_frame_is_the_same_linear_map_of_the_fused_vectors(wm: WordMap, mode: str) -> None:
    M, b = wm.layout.fused_map(mode)  # type: ignore[union-attr]
    for alpha in (0.0, 0.05, 0.3, 0.5, 0.77, 1.0):
        fused = wm.occurrences.vectors("fused", mode, alpha).astype(np.float64)
        np.testing.assert_allclose(wm.coords("fused", mode, alpha), fused @ M - b, atol=1e-4)


@pytest.mark.parametrize("mode", ["weighted", "attention"])
def test_alpha_one_is_the_bert_map_and_zero_the_static_map(wm: WordMap, mode: str) -> None:
    np.testing.assert_allclose(wm.coords("fused", mode, 1.0), wm.coords("bert"), atol=1e-5)
    np.testing.assert_allclose(wm.coords("fused", mode, 0.0), wm.coords("static"), atol=1e-5)
    if mode == "weighted":  # a straight line: the frame at alpha is the mix of the two ends
        a = 0.35
        np.testing.assert_allclose(
            wm.coords("fused", mode, a), a * wm.coords("bert") + (1 - a) * wm.coords("static"), atol=1e-5
        )


def test_concat_ends_at_the_static_map_and_at_the_unit_bert_map(wm: WordMap) -> None:
    np.testing.assert_allclose(wm.coords("fused", "concat", 0.0), wm.coords("static"), atol=1e-4)
    h = wm.occurrences.h.astype(np.float64)
    unit = h / np.linalg.norm(h, axis=1, keepdims=True) * np.linalg.norm(h, axis=1).mean()
    expected = (unit - h.mean(axis=0)) @ wm.layout.basis  # type: ignore[union-attr]
    np.testing.assert_allclose(wm.coords("fused", "concat", 1.0), expected, atol=1e-4)
    assert "length" in wm.morph_note("concat")


def test_oov_rows_stay_on_their_bert_position() -> None:
    wm = WordMap(synthetic(oov_rows=3))
    for alpha in (0.0, 0.5):
        np.testing.assert_allclose(wm.coords("fused", "weighted", alpha)[:3], wm.coords("bert")[:3], atol=1e-5)


def test_the_static_space_is_one_point_and_says_so(wm: WordMap) -> None:
    assert wm.static_spots == 1 and wm.static_one_point
    view = wm.view("static")
    assert view.one_point and np.ptp(view.coords, axis=0).max() < 1e-6
    assert any("same vector" in n and "one spot" in n for n in view.notes)
    assert view.separation.k == 1
    assert not wm.view("bert").one_point


def test_alpha_is_checked(wm: WordMap) -> None:
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="alpha"):
            wm.view("fused", "weighted", bad)
    with pytest.raises(ValueError, match="space"):
        wm.view("glove")


# -- clusters ----------------------------------------------------------------------------------------------
def test_bert_clusters_are_the_senses_and_fused_clusters_keep_their_ids(wm: WordMap) -> None:
    bert = wm.view("bert")
    truth = np.r_[np.zeros(30), np.ones(30)]
    assert bert.separation.k == 2
    assert len(set(bert.labels[truth == 0])) == 1 and len(set(bert.labels[truth == 1])) == 1
    assert bert.labels[0] != bert.labels[-1]
    for alpha in np.round(np.arange(0.05, 1.0001, 0.05), 2):  # every grid step but 0: the same ids as BERT
        np.testing.assert_array_equal(wm.view("fused", "weighted", float(alpha)).labels, bert.labels)
    zero = wm.clustering("fused", "weighted", 0.0)
    assert zero.k == 1 and zero.ids[0] in bert.labels  # one spot: one cluster, which keeps an id it had


def test_a_neighbouring_alphas_k_and_ids_are_kept_unless_another_k_is_clearly_better() -> None:
    rng = np.random.default_rng(1)
    blobs = [rng.normal(size=(40, 8)) * 0.3 + c for c in (np.eye(8)[0] * 4, np.eye(8)[1] * 4, np.eye(8)[1] * 4 + 1.2)]
    X = np.concatenate(blobs)
    fresh = choose_clusters(X)
    two = choose_clusters(X, max_k=2)
    swapped = type(two)(1 - two.labels, tuple(1 - i for i in two.ids), two.centers, two.silhouette, two.sample)
    kept = choose_clusters(X, previous=swapped, margin=1.0)  # nothing is "clearly" better: k and ids stay
    assert kept.k == 2 and list(kept.ids) == list(swapped.ids)
    np.testing.assert_array_equal(kept.labels, swapped.labels)
    if fresh.k != 2:  # with no margin the better k wins, and the clusters it shares with the old one keep their ids
        switched = choose_clusters(X, previous=swapped, margin=0.0)
        assert switched.k == fresh.k
        assert set(swapped.ids) <= set(switched.ids)


def test_the_chain_gives_the_same_clusters_whatever_was_visited_before() -> None:
    occ = synthetic(seed=3)
    a = ClusterChain(lambda x: occ.vectors("fused", "weighted", x), np.round(np.linspace(0, 1, 21), 6))
    b = ClusterChain(lambda x: occ.vectors("fused", "weighted", x), np.round(np.linspace(0, 1, 21), 6))
    a.at(0.2)
    for alpha in (0.5, 0.35, 0.2):
        np.testing.assert_array_equal(a.at(alpha).labels, b.at(alpha).labels)


def test_clusters_are_named_by_distinctive_words_never_stopwords(wm: WordMap) -> None:
    clusters = wm.view("bert").clusters
    words = {w for c in clusters for w in c.keywords}
    assert not words & STOPWORDS and "bank" not in words
    names = {c.id: set(c.keywords) for c in clusters}
    river = names[int(wm.view("bert").labels[0])]
    assert {"river", "water"} & river and not {"loan", "money"} & river
    assert all(c.contexts and c.contexts[0].count("[bank]") == 1 for c in clusters)


# -- numbers -----------------------------------------------------------------------------------------------
def test_the_numbers_say_what_they_rest_on(wm: WordMap) -> None:
    sep = wm.view("bert").separation
    assert sep.n_tagged == 58 and sep.n_senses == 2
    assert sep.ari == pytest.approx(1.0) and sep.accuracy == pytest.approx(1.0)
    assert 0.4 < sep.chance < 0.6
    assert any("over 58 tagged occurrences" in line for line in sep.lines())
    river, money = sep.placements
    assert (river.sense, money.sense) == ("bank.n.01", "bank.n.02")
    assert river.votes == river.neighbours == 3
    static = wm.view("static").separation
    assert static.ari == pytest.approx(0.0) and static.accuracy == pytest.approx(static.chance)
    assert all(p.sense is None and "tie" in p.note for p in static.placements)


def test_few_tagged_occurrences_give_no_sense_numbers() -> None:
    occ = synthetic()
    few = Occurrences(**{**occ.__dict__, "senses": (None,) * 58 + ("bank.n.02", "bank.n.02")})
    sep = WordMap(few).view("bert").separation
    assert np.isnan(sep.ari) and np.isnan(sep.accuracy)
    assert any("only 2 occurrence(s) with a known sense" in n for n in sep.notes)
    assert all("only 2 tagged example(s)" in p.note for p in sep.placements)
    assert all(p.sense is None for p in sep.placements)


def test_view_json_follows_the_contract(wm: WordMap) -> None:
    d = wm.view("fused", "weighted", 0.4).to_dict()
    assert {"word", "space", "clusters", "points", "separation"} <= set(d)
    assert set(d["clusters"][0]) >= {"id", "size", "keywords", "contexts"}
    assert set(d["points"][0]) >= {"source", "sentence", "cluster", "sense", "x", "y"}
    assert [p["source"] for p in d["points"][:2]] == ["text", "reference"]
    assert "α = 0.40" in wm.view("fused", "weighted", 0.4).title


def test_umap_on_request() -> None:
    wm = WordMap(synthetic(), method="umap")
    assert wm.method == "umap" and not wm.exact_morph
    bert = wm.coords("bert")
    np.testing.assert_allclose(wm.coords("fused", "weighted", 1.0), bert)
    assert wm.coords("fused", "weighted", 0.5).shape == bert.shape
    assert "UMAP" in wm.morph_note()


# -- building ----------------------------------------------------------------------------------------------
class NoEmbedder:
    """Any use fails: proves a check happens before encoding."""

    def __getattr__(self, name: str) -> None:
        raise AssertionError(f"the embedder was used ({name})")


@pytest.mark.parametrize("sample", [0, -1, 10**6, 2.5, True])
def test_bad_samples_are_refused(sample: object) -> None:
    with pytest.raises(EmbedkitError, match="sample"):
        build_word_map("bank", NoEmbedder(), sample=sample)  # type: ignore[arg-type]


@pytest.mark.parametrize("word", ["", "river bank", "?"])
def test_a_word_map_is_of_one_word(word: str) -> None:
    with pytest.raises(EmbedkitError):
        build_word_map(word, NoEmbedder())  # type: ignore[arg-type]


def test_a_word_found_nowhere_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="occurs neither"):
        build_word_map("qzxvwq", NoEmbedder())  # type: ignore[arg-type]


# -- the polysemy example (bundled model) -----------------------------------------------------------------
@pytest.fixture(scope="module")
def app_embedder():
    """The Embedder with the app's default encoder options (from the senses benchmark's choice)."""
    from embedkit.contextual import ContextualEncoder
    from embedkit.defaults import bundled_encoder_choice
    from embedkit.embedder import Embedder

    choice = bundled_encoder_choice()
    encoder = ContextualEncoder(layers=choice.layers, pooling=choice.pooling)
    return Embedder(encoder, align_k=2000, postprocess=choice.postprocess)


@pytest.fixture(scope="module")
def bank_map(app_embedder):
    from embedkit_app.examples import POLYSEMY

    text = app_embedder.embed(POLYSEMY.lines)
    calls: list[tuple[int, int]] = []
    wm = build_word_map(
        "bank", app_embedder, text=text, known=POLYSEMY.known_senses(), progress=lambda d, t: calls.append((d, t))
    )
    return wm, calls, text


@pytest.mark.slow
def test_bank_river_and_money_fall_in_different_bert_clusters(bank_map) -> None:
    wm, _, _ = bank_map
    assert wm.sources()["reference"] >= 50 and wm.n_text == 3
    view = wm.view("bert")
    river, money1, money2 = view.labels[wm.from_text]  # the example's order: river bank, then two money banks
    assert river not in (money1, money2)
    names = {c.id: c.keywords for c in view.clusters}
    assert "river" in names[int(river)]
    assert {"money", "loan", "credit", "account"} & set(names[int(money1)])
    assert wm.view("static").one_point and wm.static_one_point
    np.testing.assert_array_equal(wm.view("fused", "weighted", 1.0).labels, view.labels)


@pytest.mark.slow
def test_bank_progress_and_the_disk_cache(bank_map, app_embedder, monkeypatch) -> None:
    wm, calls, text = bank_map
    total = wm.sources()["reference"] + 1
    assert calls[-1] == (total, total)
    assert all(t == total for _, t in calls) and [d for d, _ in calls] == sorted(d for d, _ in calls)

    def no_encoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("the reference sentences were encoded again")

    monkeypatch.setattr(app_embedder, "embed", no_encoding)
    again = build_word_map("bank", app_embedder, text=text)
    ref = ~wm.from_text
    np.testing.assert_array_equal(again.occurrences.h[~again.from_text], wm.occurrences.h[ref])
    np.testing.assert_allclose(again.occurrences.att[~again.from_text], wm.occurrences.att[ref], atol=1e-6)
