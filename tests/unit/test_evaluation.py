"""Evaluation: data parsing, statistics, DME, the CLI, and the regression values on the bundled model.

The leak tests (alpha, baselines and intervals taken from the right data) are in test_evaluation_leaks.py, which
scripts/mutation_check.py runs against deliberately broken copies of the code.

Reference values: tests/baselines.json, measured without embedkit (all-MiniLM-L6-v2 and GloVe 6B 50d, single words)
by ``python scripts/update_baselines.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import spearmanr

from embedkit.config import EmbedderConfig
from embedkit.evaluation import datasets as ds
from embedkit.evaluation.classification import cross_validate, make_folds, mcnemar
from embedkit.evaluation.report import verdict
from embedkit.evaluation.selection import choose_alpha
from embedkit.evaluation.settings import parse_alphas
from embedkit.evaluation.similarity import evaluate_pairs, spearman, spearman_ci, spearman_diff_ci
from embedkit.wordvectors import WordVectors
from tests.conftest import BASELINES

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


def test_spearman_matches_scipy_and_intervals_are_seeded() -> None:
    rng = np.random.default_rng(0)
    gold = rng.normal(size=300)
    pred = gold + rng.normal(size=300)
    pred[:20] = pred[0]  # ties
    assert spearman(pred, gold) == pytest.approx(spearmanr(pred, gold).statistic, abs=1e-12)
    s = spearman_ci(pred, gold, n_boot=300, seed=1)
    assert spearman_ci(pred, gold, n_boot=300, seed=1) == s
    assert spearman_ci(pred, gold, n_boot=300, seed=2) != s


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


def test_choose_alpha_takes_the_best_and_breaks_ties_by_order() -> None:
    assert choose_alpha({0.0: 0.1, 0.5: 0.4, 1.0: 0.3}) == 0.5
    assert choose_alpha({0.2: 0.4, 0.8: 0.4}) == 0.2
    with pytest.raises(ValueError):
        choose_alpha({})


def test_cross_validation_scores_only_held_out_sentences() -> None:
    """Random features in high dimension: logistic regression fits its training rows perfectly, but out of fold it
    cannot beat chance. A cross-validation that scored any training row would look far better."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 40)
    X = rng.normal(size=(80, 400))
    r = cross_validate(X, y, make_folds(y, 5))
    assert r.accuracy < 0.75
    train_fit = cross_validate(X, y, [(np.arange(80), np.arange(80))])
    assert train_fit.accuracy == 1.0  # the same model scored on its training rows


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
    train, test = np.arange(0, 60, 2), np.arange(1, 60, 2)
    take = lambda src, idx: [src[i] for i in idx]  # noqa: E731
    clf = DMEClassifier(gating=gating, epochs=5, seed=0).fit(
        [take(a, train), take(b, train)], y[train], take(present, train)
    )
    w = clf.word_weights([a, b], present)
    assert [len(x) for x in w] == list(lens)
    flat, pres = np.concatenate(w), np.concatenate(present)
    assert np.all(flat[~pres] == 0)  # a missing source (static OOV) gets no weight
    if gating == "softmax":
        np.testing.assert_allclose(flat.sum(axis=1), 1.0, atol=1e-5)  # weights sum to 1 per word
    else:
        assert np.all((flat >= 0) & (flat <= 1))
    held_out = clf.predict([take(a, test), take(b, test)], take(present, test))
    assert (held_out == y[test]).mean() > 0.8  # learned on other sentences


def test_dme_rejects_unknown_gating() -> None:
    from embedkit.evaluation.dme import DMEClassifier

    with pytest.raises(ValueError, match="softmax, sigmoid"):
        DMEClassifier(gating="max").fit([[np.zeros((1, 2))]], np.array([0]))


# -- the honest sentence ---------------------------------------------------------------------------------------


def test_verdict_says_not_significant_when_the_interval_holds_zero() -> None:
    assert verdict({"value": 0.013, "low": -0.002, "high": 0.03}) == "not significant"
    assert verdict({"value": 0.02, "low": 0.001, "high": 0.04}).startswith("significant gain")
    assert verdict({"value": -0.02, "low": -0.04, "high": -0.001}).startswith("significant loss")


# -- multiple comparisons ------------------------------------------------------------------------------------


def test_holm_adjusts_step_down_and_keeps_the_order() -> None:
    from embedkit.evaluation.multiplicity import holm

    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> made monotone: 0.06 for the last
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.02]) == [0.02]
    with pytest.raises(ValueError):
        holm([0.1, float("nan")])


def test_bootstrap_p_is_two_sided() -> None:
    from embedkit.evaluation.intervals import bootstrap_p

    rng = np.random.default_rng(0)
    above = rng.normal(0.02, 0.01, 4000)  # mean two standard errors above 0
    assert bootstrap_p(above) == pytest.approx(0.0455, abs=0.004)  # 2 * (1 - Phi(2))
    assert bootstrap_p(-above) == pytest.approx(bootstrap_p(above))  # below 0: the same evidence
    # resolves what a share of 1,000 resamples cannot: far beyond 0, p is far below 2 / 1001
    assert bootstrap_p(rng.normal(0.05, 0.01, 1000)) < 1e-5
    assert bootstrap_p(np.zeros(999)) == 1.0
    assert bootstrap_p(np.full(999, 0.2)) == 0.0


class _Page:
    """A report that states two verdicts."""

    def __init__(self, scores: dict[str, object]) -> None:
        self.scores, self.family = scores, None

    def comparisons(self):
        from embedkit.evaluation.multiplicity import Comparison

        return [Comparison(k, k, s) for k, s in self.scores.items()]


def test_a_gain_whose_interval_excludes_zero_can_fail_the_page_correction() -> None:
    from embedkit.evaluation.intervals import Score
    from embedkit.evaluation.multiplicity import holm_family

    weak = Score(0.02, 0.001, 0.04, 100, p=0.03)  # its own interval excludes 0
    strong = Score(0.2, 0.1, 0.3, 100, p=0.002)
    pages = [_Page({"a: weak": weak}), _Page({"b: strong": strong, "b: none": Score(0.0, -0.1, 0.1, 100, p=0.9)})]
    family = holm_family(pages, name="this page")
    assert all(page.family is family for page in pages) and family.size == 3
    assert family.p_holm("a: weak") == pytest.approx(0.06) and family.p_holm("b: strong") == pytest.approx(0.006)
    assert verdict(weak) == "significant gain (the 95% interval excludes 0)"  # uncorrected
    assert verdict(weak, family, "a: weak").startswith("not significant after correction")
    assert verdict(strong, family, "b: strong").startswith("significant gain (Holm-adjusted p=0.006 over the 3")
    assert "Holm" in family.describe() and "3 comparisons" in family.describe()
    with pytest.raises(ValueError, match="without a p-value"):
        holm_family([_Page({"c": Score(0.1, 0.0, 0.2, 10)})])


# -- the bundled model and vectors: regression values -----------------------------------------------------------


@pytest.fixture(scope="session")
def eval_embedder(encoder, glove):
    """An Embedder with a small evaluation map (k=300, benchmark words excluded)."""
    from embedkit.evaluation.resources import evaluation_embedder

    config = EmbedderConfig(layers="last", pooling="mean", postprocess="none", align_k=300)  # the session encoder's
    return evaluation_embedder(config, encoder=encoder, static=glove)


@pytest.fixture(scope="session")
def pair_table(eval_embedder) -> WordVectors:
    """Every SimLex/WordSim word: MiniLM alone, GloVe, and GloVe mapped."""
    words = sorted(set(ds.load_word_pairs("simlex").words()) | set(ds.load_word_pairs("wordsim").words()))
    return eval_embedder.word_vectors(words)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["simlex", "wordsim"])
def test_reference_spearman(pair_table: WordVectors, name: str) -> None:
    ref = BASELINES["spearman"][name]
    r = evaluate_pairs(ds.load_word_pairs(name), pair_table, alphas=[0.0, 1.0], n_boot=100)
    assert r.oov_ratio == 0.0
    assert r.static.value == pytest.approx(ref["static"], abs=BASELINES["tolerance"])
    assert r.bert.value == pytest.approx(ref["bert"], abs=BASELINES["tolerance"])
    # the endpoints of the alpha curve are the single sources
    for mode in ("concat", "weighted"):
        assert r.fused[mode][0].value == pytest.approx(r.static.value, abs=1e-6)
        assert r.fused[mode][-1].value == pytest.approx(r.bert.value, abs=1e-6)


@pytest.mark.slow
def test_the_map_is_fitted_without_any_evaluation_word(encoder, glove) -> None:
    from embedkit.alignment import fit_static_map
    from embedkit.evaluation.resources import evaluation_embedder

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
    config = EmbedderConfig(layers="last", pooling="mean", postprocess="none", align_k=150)
    embedder = evaluation_embedder(config, encoder=spy, static=glove)  # type: ignore[arg-type]
    static_map, excluded = embedder.static_map, set(embedder.exclude)
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
    ref = BASELINES["analogy_static_top30000"]  # gensim's evaluate_word_analogies(restrict_vocab=30000), same vectors
    assert r.n_answered == ref["answered"]
    assert r.accuracy["static"].value == pytest.approx(ref["accuracy"], abs=0.001)


@pytest.mark.slow
def test_cli_evaluate_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, eval_embedder, pair_table
) -> None:
    """The real command on the session's model and vectors (loading is patched to reuse them)."""
    from embedkit.cli import main
    from embedkit.evaluation import resources, runners

    def load(settings, progress=None):
        assert settings.embedder.align_k == 300 and settings.alphas == (0.0, 0.5, 1.0) and settings.n_boot == 50
        return resources.Resources(eval_embedder, settings)

    monkeypatch.setattr(resources, "load_resources", load)
    monkeypatch.setattr(runners, "pair_vectors", lambda res, progress=None: pair_table)
    argv = ["evaluate", "--task", "wordsim", "--align-k", "300", "--bootstrap", "50", "--alphas", "0:1:0.5"]
    assert main([*argv, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    task = out["tasks"]["wordsim"]
    ref = BASELINES["spearman"]["wordsim"]["bert"]
    assert task["result"]["bert"]["value"] == pytest.approx(ref, abs=BASELINES["tolerance"])
    assert set(task["cross"]) == {"concat", "weighted"}
    assert all(c["selected_on"] == "SimLex-999" and c["reported_on"] == "WordSim-353" for c in task["cross"].values())
    assert all(c["reported_on"] == "WordSim-353 (reporting half)" for c in task["split"].values())
    # the finding states the cross-set result and the within-set split row, with the split row's own numbers
    split = max(task["split"].values(), key=lambda c: max(c["selection_scores"].values()))
    assert "on SimLex-999" in task["finding"] and "Within WordSim-353:" in task["finding"]
    assert f"alpha={split['alpha']:.2f}" in task["finding"].split("Within")[1]
    assert "evaluation words excluded" in out["resources"]["map"]
    assert main(argv) == 0  # the table form: the same finding after "Finding:"
    assert "Finding: " + task["finding"] in capsys.readouterr().out


def test_cli_rejects_bad_alphas(capsys: pytest.CaptureFixture[str]) -> None:
    from embedkit.cli import main

    assert main(["evaluate", "--alphas", "0:2:0.5"]) == 2
    assert "alphas" in capsys.readouterr().err


@pytest.mark.slow
def test_dme_trained_on_polarity_gives_weights_for_new_sentences(eval_embedder) -> None:
    from embedkit.evaluation.dme_weights import dme_word_weights, fit_polarity_dme

    clf = fit_polarity_dme(eval_embedder, epochs=3)
    w = dme_word_weights(clf, eval_embedder, [["the", "river", "bank"], ["qwzxvq", "bank"]])
    assert [x.shape for x in w] == [(3, 2), (2, 2)]
    np.testing.assert_allclose(np.concatenate(w).sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(w[1][0], [1.0, 0.0])  # an OOV word can only use the contextual source
