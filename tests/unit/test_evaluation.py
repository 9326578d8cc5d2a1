"""Evaluation: data parsing, statistics, honest alpha selection, DME, and the regression values.

Reference values (measured independently with all-MiniLM-L6-v2 and GloVe 6B 50d, single words):
GloVe SimLex-999 0.265, WordSim-353 0.503; MiniLM last layer, mean over wordpieces 0.501 / 0.750.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import spearmanr

from embedkit.evaluation import datasets as ds
from embedkit.evaluation.classification import cross_validate, make_folds, mcnemar, nested_alpha_cv
from embedkit.evaluation.report import finding, verdict
from embedkit.evaluation.selection import choose_alpha, cross_select, select_alpha_on_pairs
from embedkit.evaluation.similarity import evaluate_pairs, spearman, spearman_ci, spearman_diff_ci
from embedkit.evaluation.spaces import WordTable, build_word_table
from embedkit.evaluation.suite import parse_alphas

# -- data sets -------------------------------------------------------------------------------------------


def test_word_pair_files_parse_like_gensim() -> None:
    simlex, wordsim = ds.load_word_pairs("simlex"), ds.load_word_pairs("wordsim")
    assert (len(simlex), len(wordsim)) == (999, 353)  # '#' comment lines skipped
    assert simlex.word1[0] == "old" and simlex.gold[0] == pytest.approx(1.58)
    assert all(w == w.lower() for w in simlex.words())
    with pytest.raises(ValueError, match="simlex, wordsim"):
        ds.load_word_pairs("no-such-set")


def test_split_halves_are_disjoint_and_cover_the_set() -> None:
    pairs = ds.load_word_pairs("wordsim")
    a, b = pairs.split(0.5, seed=3)
    assert len(a) + len(b) == len(pairs)
    assert not set(zip(a.word1, a.word2, a.gold)) & set(zip(b.word1, b.word2, b.gold))


def test_analogies_and_polarity_load() -> None:
    qa = ds.load_analogies()
    assert len(qa) == 19544 and qa.questions[0].tolist() == ["athens", "greece", "baghdad", "iraq"]
    pol = ds.load_polarity()
    assert len(pol) == 200 and pol.labels.sum() == 100
    assert any("amélie's" in s for s in pol.sentences)  # cp1252 decoded, not mojibake


# -- statistics ------------------------------------------------------------------------------------------


def test_spearman_matches_scipy_and_interval_brackets_it() -> None:
    rng = np.random.default_rng(0)
    gold = rng.normal(size=300)
    pred = gold + rng.normal(size=300)
    pred[:20] = pred[0]  # ties
    assert spearman(pred, gold) == pytest.approx(spearmanr(pred, gold).statistic, abs=1e-12)
    s = spearman_ci(pred, gold, n_boot=300, seed=1)
    assert s.low < s.value < s.high and s.n == 300
    assert spearman_ci(pred, gold, n_boot=300, seed=1) == s  # seeded


def test_paired_difference_of_a_space_with_itself_is_exactly_zero() -> None:
    rng = np.random.default_rng(1)
    gold, pred = rng.normal(size=100), rng.normal(size=100)
    d = spearman_diff_ci(pred, pred, gold, n_boot=200)
    assert (d.value, d.low, d.high) == (0.0, 0.0, 0.0)
    assert not d.significant


def test_mcnemar_counts_discordant_pairs() -> None:
    a = np.array([1, 1, 1, 1, 1, 1, 1, 1, 0, 1], bool)
    b = np.array([0, 0, 0, 0, 0, 0, 0, 1, 1, 1], bool)
    t = mcnemar(a, b)
    assert (t.only_a, t.only_b) == (7, 1)
    assert t.p_value == pytest.approx(0.0703125)  # exact binomial, two-sided: 2 * P(X <= 1 | 8, 0.5)
    assert mcnemar(a, a).p_value == 1.0


def test_parse_alphas() -> None:
    assert parse_alphas("0:1:0.1") == tuple(round(0.1 * i, 1) for i in range(11))
    assert parse_alphas("1,0,0.5") == (0.0, 0.5, 1.0)
    with pytest.raises(ValueError, match="start:stop:step"):
        parse_alphas("a:b")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        parse_alphas("0:2:1")


# -- honest alpha selection (synthetic spaces) -------------------------------------------------------------


def _synthetic(seed: int = 0) -> tuple[WordTable, ds.WordPairs, ds.WordPairs]:
    """Two pair sets over one vocabulary; the gold scores mix two 'true' similarity sources."""
    rng = np.random.default_rng(seed)
    words = tuple(f"w{i}" for i in range(120))
    h = rng.normal(size=(120, 16)).astype(np.float32)
    e = rng.normal(size=(120, 8)).astype(np.float32)
    pe = np.concatenate([e, np.zeros((120, 8), np.float32)], axis=1)
    table = WordTable(words, h, e, pe, np.zeros(120, bool))

    def pairs(name: str, n: int) -> ds.WordPairs:
        i, j = rng.integers(0, 120, size=(2, n))
        cos = lambda x: np.einsum("ij,ij->i", x[i], x[j]) / np.linalg.norm(x[i], axis=1) / np.linalg.norm(x[j], axis=1)  # noqa: E731
        gold = 0.7 * cos(h) + 0.3 * cos(pe) + 0.05 * rng.normal(size=n)
        return ds.WordPairs(name, tuple(words[k] for k in i), tuple(words[k] for k in j), gold)

    return table, pairs("select", 400), pairs("report", 400)


def test_choose_alpha_takes_the_best_and_breaks_ties_by_order() -> None:
    assert choose_alpha({0.0: 0.1, 0.5: 0.4, 1.0: 0.3}) == 0.5
    assert choose_alpha({0.2: 0.4, 0.8: 0.4}) == 0.2
    with pytest.raises(ValueError):
        choose_alpha({})


def test_alpha_selection_never_looks_at_the_reporting_set() -> None:
    table, select, report = _synthetic()
    alphas = [0.0, 0.25, 0.5, 0.75, 1.0]
    seen: list[str] = []

    def spy(pairs, tbl, mode, al):
        seen.append(pairs.name)
        return select_alpha_on_pairs(pairs, tbl, mode, al)

    base = cross_select(select, report, table, mode="weighted", alphas=alphas, n_boot=50, selector=spy)
    assert seen == ["select"]
    # destroy the reporting set's human scores in two ways: the chosen alpha must not move
    rng = np.random.default_rng(5)
    for gold in (rng.permutation(report.gold), -report.gold):
        scrambled = ds.WordPairs("report", report.word1, report.word2, gold)
        again = cross_select(select, scrambled, table, mode="weighted", alphas=alphas, n_boot=50)
        assert again.alpha == base.alpha
        assert again.selection_scores == base.selection_scores
        assert again.fused.value != base.fused.value  # the reported number does use the reporting set
    # while the selection set does drive the choice
    flipped = ds.WordPairs("select", select.word1, select.word2, -select.gold)
    assert cross_select(flipped, report, table, mode="weighted", alphas=alphas, n_boot=50).alpha != base.alpha


def test_nested_cv_chooses_alpha_without_the_test_fold() -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 40)
    good = rng.normal(size=(80, 5)) + y[:, None]
    noise = rng.normal(size=(80, 5))
    feats = {0.0: noise, 1.0: good}
    folds = make_folds(y, k=4, seed=0)
    base = nested_alpha_cv(feats.__getitem__, y, folds, [0.0, 1.0])
    assert base.alphas == [1.0] * 4 and base.accuracy > 0.8
    # corrupt the test rows of fold 0 in the good space: fold 0's choice must not change
    test0 = folds[0][1]
    bad = good.copy()
    bad[test0] = -good[test0] * 10
    again = nested_alpha_cv({0.0: noise, 1.0: bad}.__getitem__, y, folds, [0.0, 1.0])
    assert again.alphas[0] == 1.0
    assert again.fold_accuracy[0] < base.fold_accuracy[0]


def test_cross_validate_uses_every_sentence_once() -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 30)
    r = cross_validate(rng.normal(size=(60, 4)) + y[:, None], y, make_folds(y, 5))
    assert len(r.correct) == 60 and len(r.fold_accuracy) == 5
    assert r.accuracy == pytest.approx(r.fold_accuracy.mean())


# -- DME ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("gating", ["softmax", "sigmoid"])
def test_dme_weights(gating: str) -> None:
    from embedkit.evaluation.dme import DMEClassifier

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 30)
    lens = rng.integers(2, 9, size=60)
    a = [rng.normal(size=(n, 12)) + (2 * y[i] - 1) for i, n in enumerate(lens)]
    b = [rng.normal(size=(n, 4)) for n in lens]
    present = [np.stack([np.ones(n, bool), rng.random(n) > 0.3], axis=1) for n in lens]
    clf = DMEClassifier(gating=gating, epochs=5, seed=0).fit([a, b], y, present)
    w = clf.word_weights([a, b], present)
    assert [len(x) for x in w] == list(lens)
    flat, pres = np.concatenate(w), np.concatenate(present)
    assert np.all(flat[~pres] == 0)  # a missing source (static OOV) gets no weight
    if gating == "softmax":
        np.testing.assert_allclose(flat.sum(axis=1), 1.0, atol=1e-5)  # weights sum to 1 per word
    else:
        assert np.all((flat >= 0) & (flat <= 1))
    assert (clf.predict([a, b], present) == y).mean() > 0.8


def test_dme_rejects_unknown_gating() -> None:
    from embedkit.evaluation.dme import DMEClassifier

    with pytest.raises(ValueError, match="softmax, sigmoid"):
        DMEClassifier(gating="max").fit([[np.zeros((1, 2))]], np.array([0]))


# -- the honest sentence ---------------------------------------------------------------------------------------


def test_verdict_says_not_significant_when_the_interval_holds_zero() -> None:
    assert verdict({"value": 0.013, "low": -0.002, "high": 0.03}) == "not significant"
    assert verdict({"value": 0.02, "low": 0.001, "high": 0.04}).startswith("significant gain")
    assert verdict({"value": -0.02, "low": -0.04, "high": -0.001}).startswith("significant loss")


# -- the bundled model and vectors: regression values -----------------------------------------------------------


@pytest.fixture(scope="session")
def eval_map(encoder, glove):
    """A small evaluation map (k=300, benchmark words excluded) and the excluded words."""
    from embedkit.evaluation.suite import fit_evaluation_map

    return fit_evaluation_map(encoder, glove, k=300)


@pytest.fixture(scope="session")
def pair_table(encoder, glove, eval_map) -> WordTable:
    """Every SimLex/WordSim word: MiniLM alone, GloVe, and GloVe mapped."""
    words = sorted(set(ds.load_word_pairs("simlex").words()) | set(ds.load_word_pairs("wordsim").words()))
    return build_word_table(words, encoder, glove, eval_map[0])


@pytest.mark.slow
@pytest.mark.parametrize(("name", "glove_ref", "minilm_ref"), [("simlex", 0.265, 0.501), ("wordsim", 0.503, 0.750)])
def test_reference_spearman(pair_table: WordTable, name: str, glove_ref: float, minilm_ref: float) -> None:
    r = evaluate_pairs(ds.load_word_pairs(name), pair_table, alphas=[0.0, 1.0], n_boot=100)
    assert r.oov_ratio == 0.0
    assert r.static.value == pytest.approx(glove_ref, abs=0.01)
    assert r.contextual.value == pytest.approx(minilm_ref, abs=0.01)
    assert r.static.low < r.static.value < r.static.high
    # the endpoints of the alpha curve are the single sources
    for mode in ("concat", "weighted"):
        assert r.fused[mode][0].value == pytest.approx(r.static.value, abs=1e-6)
        assert r.fused[mode][-1].value == pytest.approx(r.contextual.value, abs=1e-6)


@pytest.mark.slow
def test_the_map_is_fitted_without_any_evaluation_word(encoder, glove) -> None:
    from embedkit.alignment import fit_static_map
    from embedkit.evaluation.suite import fit_evaluation_map

    class SpyEncoder:
        """Records the words the map fit encodes."""

        def __init__(self) -> None:
            self.seen: list[str] = []
            self.dim = encoder.dim

        def settings_key(self) -> str:
            return "spy-" + encoder.settings_key()

        def encode_words(self, words, *, progress=None):
            self.seen.extend(words)
            return encoder.encode_words(words)

    spy = SpyEncoder()
    static_map, excluded = fit_evaluation_map(spy, glove, k=150)
    benchmark = set(ds.load_word_pairs("simlex").words()) | set(ds.load_word_pairs("wordsim").words())
    benchmark |= set(ds.load_analogies().words())
    assert excluded >= benchmark
    assert len(spy.seen) == 150 and static_map.n_fit_ == 150
    assert not set(spy.seen) & benchmark
    # a map fitted without the exclusion would have used benchmark words (e.g. "old", "new")
    spy2 = SpyEncoder()
    fit_static_map(spy2, glove, k=150, use_cache=False)
    assert set(spy2.seen) & benchmark


@pytest.mark.slow
def test_glove_analogies_match_gensim(glove) -> None:
    from embedkit.evaluation.analogy import evaluate_analogies

    words = glove.top_words(30000, alphabetic=False)
    vectors, _ = glove.lookup(words)
    r = evaluate_analogies(ds.load_analogies(), words, {"static": lambda: vectors}, n_boot=100)
    # gensim's evaluate_word_analogies(restrict_vocab=30000) on the same vectors: 0.4969 on 14877 questions
    assert r.n_answered == 14877
    assert r.accuracy["static"].value == pytest.approx(0.4969, abs=0.001)


@pytest.mark.slow
def test_cli_evaluate_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, encoder, glove, eval_map, pair_table
) -> None:
    """The real command on the session's model and vectors (loading is patched to reuse them)."""
    from embedkit.cli import main
    from embedkit.evaluation import suite

    def load(settings, progress=None):
        assert settings.align_k == 300 and settings.alphas == (0.0, 0.5, 1.0) and settings.n_boot == 50
        return suite.Resources(encoder, glove, eval_map[0], eval_map[1], settings)

    monkeypatch.setattr(suite, "load_resources", load)
    monkeypatch.setattr(suite, "similarity_table", lambda res, progress=None: pair_table)
    code = main(
        [
            "evaluate",
            "--task",
            "wordsim",
            "--align-k",
            "300",
            "--bootstrap",
            "50",
            "--alphas",
            "0:1:0.5",
            "--format",
            "json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    task = out["tasks"]["wordsim"]
    assert task["result"]["contextual"]["value"] == pytest.approx(0.750, abs=0.01)
    assert set(task["cross"]) == {"concat", "weighted"}
    assert all(c["selected_on"] == "SimLex-999" and c["reported_on"] == "WordSim-353" for c in task["cross"].values())
    assert "chosen on SimLex-999" in task["finding"] and task["finding"] == finding(task)
    assert "evaluation words excluded" in out["resources"]["map"]


def test_cli_rejects_bad_alphas(capsys: pytest.CaptureFixture[str]) -> None:
    from embedkit.cli import main

    assert main(["evaluate", "--alphas", "0:2:0.5"]) == 2
    assert "alphas" in capsys.readouterr().err


@pytest.mark.slow
def test_dme_trained_on_polarity_gives_weights_for_new_sentences(encoder, glove) -> None:
    from embedkit.evaluation.dme import dme_word_weights, fit_polarity_dme

    clf = fit_polarity_dme(encoder, glove, epochs=3)
    w = dme_word_weights(clf, encoder, glove, [["the", "river", "bank"], ["qwzxvq", "bank"]])
    assert [x.shape for x in w] == [(3, 2), (2, 2)]
    np.testing.assert_allclose(np.concatenate(w).sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(w[1][0], [1.0, 0.0])  # an OOV word can only use the contextual source
