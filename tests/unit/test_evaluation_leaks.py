"""Every way a benchmark can leak makes one of these tests fail: alpha, encoder options and baselines chosen on the
data they are reported on, intervals taken from the wrong data or the wrong unit, unpaired comparisons, the wrong
test. The data are synthetic and built so the selection data and the reporting data prefer different choices.

``python scripts/mutation_check.py`` applies each of those leaks to a copy of the code and shows that this file
catches every one. Keep the tests here fast and model-free.
"""

from __future__ import annotations

import numpy as np
import pytest

from embedkit.evaluation import datasets as ds
from embedkit.evaluation.analogy import AnalogyResult, answer_analogies, select_alpha_on_halves
from embedkit.evaluation.classification import cross_validate, make_folds, mcnemar, nested_alpha_cv
from embedkit.evaluation.intervals import mean_ci
from embedkit.evaluation.runners import similarity_report
from embedkit.evaluation.selection import cross_select, select_alpha_on_pairs
from embedkit.evaluation.settings import EvalSettings
from embedkit.evaluation.similarity import (
    known_pairs,
    pair_similarities,
    spearman_ci,
    spearman_diff_ci,
    word_units,
)
from embedkit.wordvectors import WordVectors

ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)
N_BOOT = 60


def _table(n: int = 120, seed: int = 0) -> WordVectors:
    """Words whose bert and static vectors are unrelated (so the two spaces rank pairs differently)."""
    rng = np.random.default_rng(seed)
    h = rng.normal(size=(n, 16)).astype(np.float32)
    e = rng.normal(size=(n, 8)).astype(np.float32)
    pe = np.concatenate([e, np.zeros((n, 8), np.float32)], axis=1)
    return WordVectors([f"w{i}" for i in range(n)], h, e, pe, np.zeros(n, bool), np.arange(n))


def _cos(x: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", x[i], x[j]) / np.linalg.norm(x[i], axis=1) / np.linalg.norm(x[j], axis=1)


def _pairs(table: WordVectors, name: str, i: np.ndarray, j: np.ndarray, follow: np.ndarray) -> ds.WordPairs:
    """Pairs whose human scores follow, per pair, the cosine in the space ``follow`` names: ``bert``, ``static`` or
    a weighted-sum alpha (a float: the fused space at that alpha, so that alpha and no other scores 1 there)."""
    spaces: dict[object, np.ndarray] = {k: _cos(table.space(k), i, j) for k in ("bert", "static")}
    gold = np.empty(len(i))
    for k, f in enumerate(follow.tolist()):
        if f not in spaces:
            spaces[f] = _cos(table.space("fused", "weighted", float(f)), i, j)
        gold[k] = spaces[f][k]
    return ds.WordPairs(name, tuple(table.words[k] for k in i), tuple(table.words[k] for k in j), gold)


def _random_pairs(table: WordVectors, name: str, n: int, follow: str | float, seed: int) -> ds.WordPairs:
    i, j = np.random.default_rng(seed).integers(0, len(table), size=(2, n))
    keep = i != j
    return _pairs(table, name, i[keep], j[keep], np.array([follow] * int(keep.sum()), dtype=object))


# -- word similarity ---------------------------------------------------------------------------------------------


def test_alpha_and_baseline_are_chosen_on_the_selection_pairs() -> None:
    """The selection pairs follow the fused space at alpha=0.25 (static ranks them better than bert); the reporting
    pairs follow bert (alpha 1). Only a choice made on the selection pairs gives 0.25 and the static baseline."""
    table = _table()
    select = _random_pairs(table, "select", 300, 0.25, seed=1)
    report = _random_pairs(table, "report", 300, "bert", seed=2)
    c = cross_select(select, report, table, mode="weighted", alphas=ALPHAS, n_boot=N_BOOT)
    assert c.alpha == 0.25 and c.baseline_name == "static"
    assert c.selection_scores == select_alpha_on_pairs(select, table, "weighted", ALPHAS)[1]
    assert c.gain.value > 0.1 and c.gain.low < c.gain.high  # a real, non-zero gain with a real interval


def test_the_fused_score_baseline_and_gain_are_measured_on_the_reporting_pairs() -> None:
    """Alpha strictly inside (0, 1), a non-zero gain: each interval must be the reporting pairs' own, resampling
    their words, with the reporting pairs' n (a gain or baseline taken from the selection pairs differs)."""
    table = _table()
    select = _random_pairs(table, "select", 200, 0.5, seed=3)
    report = _random_pairs(table, "report", 300, 0.75, seed=4)
    c = cross_select(select, report, table, mode="weighted", alphas=ALPHAS, n_boot=N_BOOT, seed=7)
    assert 0.0 < c.alpha < 1.0 and c.alpha == 0.5
    rep = known_pairs(report, table)
    fused = pair_similarities(rep, table.space("fused", "weighted", c.alpha), table)
    base = pair_similarities(rep, table.space(c.baseline_name), table)
    kw = {"units": word_units(rep), "n_boot": N_BOOT, "seed": 7}
    assert c.fused == spearman_ci(fused, rep.gold, **kw)
    assert c.baseline == spearman_ci(base, rep.gold, **kw)
    assert c.gain == spearman_diff_ci(fused, base, rep.gold, **kw)
    assert c.gain.value != 0.0 and c.gain.n == len(rep) and c.gain.p is not None


def _word_split_target(table: WordVectors, seed: int) -> tuple[ds.WordPairs, ds.WordPairs, ds.WordPairs]:
    """400 pairs whose selection-half pairs (both words in the selection half of the words) follow the fused space
    at alpha 0.25, every other pair bert."""
    i, j = np.random.default_rng(6).integers(0, len(table), size=(2, 400))
    keep = i != j
    i, j = i[keep], j[keep]
    probe = ds.WordPairs("target", tuple(table.words[k] for k in i), tuple(table.words[k] for k in j), np.zeros(len(i)))
    sel, rep = probe.split_by_words(0.5, seed=seed)
    sel_words = set(sel.words())
    in_sel = np.array([table.words[a] in sel_words and table.words[b] in sel_words for a, b in zip(i, j)])
    follow = np.array([0.25 if s else "bert" for s in in_sel], dtype=object)
    return _pairs(table, "target", i, j, follow), sel, rep


def test_split_rows_choose_alpha_on_the_selection_words_and_cross_rows_on_the_other_set() -> None:
    table = _table()
    settings = EvalSettings(alphas=ALPHAS, modes=("weighted", "concat"), n_boot=N_BOOT, seed=5)
    target, sel, rep = _word_split_target(table, seed=5)
    other = _random_pairs(table, "other", 300, "bert", seed=8)  # prefers bert
    r = similarity_report("wordsim", target, other, table, settings)
    for mode in settings.modes:
        assert r.split[mode].alpha == 0.25 and r.split[mode].baseline_name == "static"
        assert r.split[mode].reported_on == "target (reporting half)"
        assert r.split[mode].fused.n == len(rep)  # the reporting half of the word split, nothing else
        assert r.cross[mode].alpha == 1.0 and r.cross[mode].baseline_name == "bert"
    assert r.split_left_out == len(target) - len(sel) - len(rep) > 0
    assert r.shared_words == len(set(other.words()) & set(target.words()))
    assert "Within target: " in r.finding() and "share no word" in r.finding()


def test_word_split_halves_share_no_word_and_no_pair() -> None:
    pairs = ds.load_word_pairs("simlex")
    sel, rep = pairs.split_by_words(0.5, seed=0)
    assert not set(sel.words()) & set(rep.words())
    assert not set(zip(sel.word1, sel.word2)) & set(zip(rep.word1, rep.word2))
    assert len(sel) + len(rep) < len(pairs) and min(len(sel), len(rep)) > 150  # straddling pairs are left out


def test_word_similarity_intervals_resample_words() -> None:
    """A word's own error enters every pair it is in: resampling words gives the wider, honest interval."""
    rng = np.random.default_rng(0)
    n = 20
    i, j = np.triu_indices(n, 1)
    gold = rng.normal(size=len(i))
    error = rng.normal(size=n) * 2
    pred = gold + error[i] + error[j]
    words = ds.WordPairs("hubs", tuple(f"w{k}" for k in i), tuple(f"w{k}" for k in j), gold)
    by_word = spearman_ci(pred, gold, units=word_units(words), n_boot=300)
    by_pair = spearman_ci(pred, gold, n_boot=300)
    assert by_word.high - by_word.low > 1.5 * (by_pair.high - by_pair.low)


def test_the_curve_and_single_sources_resample_words() -> None:
    from embedkit.evaluation.similarity import evaluate_pairs

    table = _table()
    pairs = _random_pairs(table, "curve", 250, 0.5, seed=11)
    r = evaluate_pairs(pairs, table, modes=("weighted",), alphas=ALPHAS, n_boot=N_BOOT, seed=2)
    kw = {"units": word_units(pairs), "n_boot": N_BOOT, "seed": 2}
    for a, score in zip(ALPHAS, r.fused["weighted"]):
        assert score == spearman_ci(
            pair_similarities(pairs, table.space("fused", "weighted", a), table), pairs.gold, **kw
        )
    assert r.bert == spearman_ci(pair_similarities(pairs, table.h, table), pairs.gold, **kw)
    assert r.n_words == len(pairs.words())


def test_paired_difference_of_a_space_with_itself_is_exactly_zero() -> None:
    rng = np.random.default_rng(1)
    gold, pred = rng.normal(size=100), rng.normal(size=100)
    d = spearman_diff_ci(pred, pred, gold, n_boot=200)
    assert (d.value, d.low, d.high, d.p) == (0.0, 0.0, 0.0, 1.0)


# -- analogies -----------------------------------------------------------------------------------------------------


def _analogy_result(seed: int = 0) -> tuple[AnalogyResult, np.ndarray, np.ndarray]:
    """600 questions over 40 word pairs; the questions of the selection half of the pairs prefer concat@0.5 and
    static, those of the reporting half concat@1 and bert (the halves are drawn as select_alpha_on_halves draws
    them, with seed 3)."""
    from embedkit.evaluation.analogy import pair_halves

    rng = np.random.default_rng(seed)
    n = 600
    units = rng.integers(0, 40, size=(n, 2))
    sel_idx, rep_idx = pair_halves(units, 3)
    sel = np.zeros(n, bool)
    sel[sel_idx] = True
    good = lambda on: np.where(on, rng.random(n) < 0.9, rng.random(n) < 0.2)  # noqa: E731
    correct = {"static": good(sel), "bert": good(~sel), "concat@0": rng.random(n) < 0.5, "concat@0.5": good(sel)}
    correct["concat@0.25"] = rng.random(n) < 0.4
    correct["concat@0.75"] = rng.random(n) < 0.4
    correct["concat@1"] = good(~sel)
    accuracy = {k: mean_ci(v.astype(float), units, n_boot=N_BOOT) for k, v in correct.items()}
    return AnalogyResult(n, n, 1000, accuracy, correct, ("s",) * n, units), sel_idx, rep_idx


def test_analogy_alpha_baseline_and_intervals_come_from_the_right_half() -> None:
    result, _, rep = _analogy_result()
    c = select_alpha_on_halves(result, ["concat"], ALPHAS, n_boot=N_BOOT, seed=3)["concat"]
    assert c.alpha == 0.5 and c.baseline_name == "static"  # strictly inside (0, 1), chosen on the selection half
    fused, base = result.correct["concat@0.5"][rep].astype(float), result.correct["static"][rep].astype(float)
    units = result.units[rep]
    assert c.fused == mean_ci(fused, units, n_boot=N_BOOT, seed=3)
    assert c.baseline == mean_ci(base, units, n_boot=N_BOOT, seed=3)
    assert c.gain == mean_ci(fused - base, units, difference=True, n_boot=N_BOOT, seed=3)
    assert c.gain.value != 0.0 and c.gain.n == len(rep)


def test_analogy_halves_share_no_word_pair() -> None:
    from embedkit.evaluation.analogy import pair_halves

    result, sel, rep = _analogy_result()
    assert not set(sel.tolist()) & set(rep.tolist())
    assert not set(result.units[sel].ravel().tolist()) & set(result.units[rep].ravel().tolist())
    sel_units = set(result.units[sel].ravel().tolist())
    mixed = [k for k, (a, b) in enumerate(result.units) if (a in sel_units) != (b in sel_units)]
    assert len(sel) + len(rep) + len(mixed) == result.n_answered and len(mixed) > 0
    again = pair_halves(result.units, 3)
    assert np.array_equal(again[0], sel) and np.array_equal(again[1], rep)  # seeded


def test_analogy_intervals_resample_word_pairs() -> None:
    """Questions reuse word pairs: when correctness is a property of the pairs, resampling questions is too narrow."""
    rng = np.random.default_rng(0)
    units = np.array([(a, b) for a in range(12) for b in range(12) if a != b])
    easy = rng.random(12) < 0.5
    correct = (easy[units[:, 0]] & easy[units[:, 1]]).astype(float)
    by_pair = mean_ci(correct, units, n_boot=300)
    by_question = mean_ci(correct, None, n_boot=300)
    assert by_pair.high - by_pair.low > 2 * (by_question.high - by_question.low)


def test_analogy_answers_exclude_all_three_question_words() -> None:
    """In the first question b - a + c is nearest to b itself, in the second to c itself: only with a, b and c all
    excluded is d the answer."""
    e = np.eye(6)
    unit = lambda v: v / np.linalg.norm(v)  # noqa: E731
    vocab = np.stack([e[0], e[1], unit(e[0] + 0.1 * e[2]), unit(e[1] + 0.3 * e[2]), unit(e[0] + 0.05 * e[5]), e[4]])
    vocab = np.concatenate([vocab, [unit(e[4] + 0.3 * e[5])]])
    q = np.array([[0, 1, 2, 3], [0, 4, 5, 6]])
    assert answer_analogies(vocab, q).tolist() == [True, True]


# -- sentence classification -----------------------------------------------------------------------------------------


def test_nested_cv_chooses_alpha_without_the_test_fold() -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 40)
    good = rng.normal(size=(80, 5)) + y[:, None]
    noise = rng.normal(size=(80, 5))
    folds = make_folds(y, k=4, seed=0)
    base = nested_alpha_cv({0.0: noise, 1.0: good}.__getitem__, y, folds, [0.0, 1.0])
    assert base.alphas == [1.0] * 4 and base.accuracy > 0.8
    bad = good.copy()
    bad[folds[0][1]] = -good[folds[0][1]] * 10  # ruin the good space on fold 0's test rows only
    again = nested_alpha_cv({0.0: noise, 1.0: bad}.__getitem__, y, folds, [0.0, 1.0])
    assert again.alphas[0] == 1.0 and again.fold_accuracy[0] < base.fold_accuracy[0]


def test_mcnemar_is_the_exact_binomial_test() -> None:
    a = np.array([1, 1, 1, 1, 1, 1, 1, 1, 0, 1], bool)
    b = np.array([0, 0, 0, 0, 0, 0, 0, 1, 1, 1], bool)
    t = mcnemar(a, b)
    assert (t.only_a, t.only_b) == (7, 1)
    assert t.p_value == pytest.approx(0.0703125)  # 2 * P(X <= 1 | 8, 0.5); chi-square would give 0.034
    assert mcnemar(a, a).p_value == 1.0


def _polarity_data(n: int = 120, seed: int = 0) -> tuple[WordVectors, ds.LabelledSentences]:
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n // 2)
    lengths = rng.integers(3, 7, size=n)
    sid = np.repeat(np.arange(n), lengths)
    h = rng.normal(size=(len(sid), 12)).astype(np.float32) + 0.6 * y[sid][:, None]
    e = rng.normal(size=(len(sid), 6)).astype(np.float32) + 0.3 * y[sid][:, None]
    pe = np.concatenate([e, np.zeros_like(e)], axis=1)
    oov = rng.random(len(sid)) < 0.1
    e[oov], pe[oov] = 0.0, 0.0
    wv = WordVectors([f"w{k}" for k in range(len(sid))], h, e, pe, oov, sid)
    return wv, ds.LabelledSentences([["w"] * int(k) for k in lengths], y)


def test_polarity_compares_each_fused_row_with_its_own_preprocessing() -> None:
    from embedkit.evaluation.polarity import polarity_report

    wv, data = _polarity_data()
    settings = EvalSettings(alphas=ALPHAS, folds=4, fold_seeds=2, dme=False)
    r = polarity_report(wv, data, settings)
    assert r.seeds == [0, 1] and all(len(v) == 2 for v in r.by_seed.values())
    assert r.mcnemar["concat"] == mcnemar(r.results["concat"].correct, r.results["bert_unit"].correct)
    assert r.mcnemar["weighted"] == mcnemar(r.results["weighted"].correct, r.results["bert"].correct)
    from embedkit.evaluation.classification import sentence_features

    rows = {"bert": ("bert",), "static": ("static",), "bert_unit": ("fused", "concat", 1.0)}
    per_seed = lambda seed: [  # noqa: E731
        cross_validate(sentence_features(wv, *sp), data.labels, make_folds(data.labels, k=4, seed=seed)).accuracy
        for sp in rows.values()
    ]
    assert [r.by_seed[k][1] for k in rows] == per_seed(1) != per_seed(0)  # the second seed uses its own folds
    assert "not significant is not no effect" in r.finding()


def test_polarity_effects_are_seed_averaged_and_resample_sentences() -> None:
    """Each sentence's correctness is averaged over the fold seeds; a difference is the paired mean over sentences
    with an interval resampling sentences (not a min-max over seeds, not two marginal intervals)."""
    from embedkit.evaluation.classification import sentence_features
    from embedkit.evaluation.polarity import polarity_report

    wv, data = _polarity_data()
    settings = EvalSettings(alphas=ALPHAS, folds=4, fold_seeds=3, dme=False, n_boot=N_BOOT, seed=0)
    r = polarity_report(wv, data, settings)
    correct = [
        cross_validate(sentence_features(wv, "static"), data.labels, make_folds(data.labels, k=4, seed=s)).correct
        for s in r.seeds
    ]
    np.testing.assert_array_equal(r.per_sentence["static"], np.mean(correct, axis=0))
    for k in ("static", "concat", "weighted"):
        b = {"static": "bert", "concat": "bert_unit", "weighted": "bert"}[k]
        d = r.per_sentence[k] - r.per_sentence[b]
        assert r.difference[k] == mean_ci(d, difference=True, n_boot=N_BOOT, seed=0)
        assert r.accuracy[k] == mean_ci(r.per_sentence[k], n_boot=N_BOOT, seed=0)
        assert r.difference[k].n == len(data.labels) and r.difference[k].p is not None
    assert r.difference["static"].value == pytest.approx(np.mean(r.by_seed["static"]) - np.mean(r.by_seed["bert"]))
    assert {c.key for c in r.comparisons()} >= {"polarity: concat", "polarity: weighted", "polarity: static"}


def test_dme_weights_are_reported_out_of_fold() -> None:
    from embedkit.evaluation.dme import DMEClassifier, cross_validate_dme
    from embedkit.evaluation.dme_weights import dme_sources

    wv, data = _polarity_data(60)
    sources, present = dme_sources(wv)
    folds = make_folds(data.labels, k=3, seed=0)
    r = cross_validate_dme(sources, data.labels, folds, present=present, epochs=2, seed=0)
    train, test = folds[1]
    clf = DMEClassifier(epochs=2, seed=0).fit(
        [[s[i] for i in train] for s in sources], data.labels[train], [present[i] for i in train]
    )
    held_out = clf.word_weights([[s[i] for i in test] for s in sources], [present[i] for i in test])
    assert r.word_weights is not None
    for k, i in enumerate(test):
        np.testing.assert_array_equal(r.word_weights[i], held_out[k])


# -- senses ------------------------------------------------------------------------------------------------------------


class _Grid:
    """Three options: the default separates nothing, A separates the senses of the selection lemmas only, B those of
    the reporting lemmas only."""

    def __init__(self, occ, selection_group: np.ndarray) -> None:
        from embedkit.evaluation.sense_grid import DEFAULT_OPTION, EncoderOption

        rng = np.random.default_rng(0)
        self.n_layers = 2
        self.a, self.b = EncoderOption("1", "mean", "none"), EncoderOption("0", "mean", "none")
        self.options = [DEFAULT_OPTION, self.a, self.b]
        noise = rng.normal(size=(len(occ), 8))
        centres = rng.normal(size=(occ.n_groups, 3, 8)) * rng.uniform(0.3, 2.5, size=(occ.n_groups, 1, 1))
        separated = noise + centres[occ.group, occ.sense]
        on_sel = selection_group[occ.group][:, None]
        self._vectors = {
            DEFAULT_OPTION: noise + 0.4 * centres[occ.group, occ.sense],
            self.a: np.where(on_sel, separated, noise),
            self.b: np.where(on_sel, noise, separated),
        }

    def vectors(self, option):
        return self._vectors[option].astype(np.float32)


def _occurrences(n_lemmas: int = 30):
    """Lemmas of one or two (lemma, pos) groups (every third lemma has two), each group 6 occurrences in 2 senses,
    so resampling groups differs from resampling lemmas."""
    from embedkit.evaluation.sense_data import SenseOccurrences

    unit = np.repeat(np.arange(n_lemmas), [2 if k % 3 == 0 else 1 for k in range(n_lemmas)])
    n_groups = len(unit)
    senses = np.tile([1, 1, 1, 2, 2, 2], n_groups)
    group = np.repeat(np.arange(n_groups), 6)
    sentences = [["x", "y"] for _ in range(len(group))]
    return SenseOccurrences(
        sentences,
        np.arange(len(group)),
        np.zeros(len(group), np.int64),
        group,
        senses,
        [f"l{k}" for k in unit],
        ["n" if k == 0 or unit[k] != unit[k - 1] else "v" for k in range(n_groups)],
        unit,
    )


def _senses(seed: int = 2):
    from embedkit.evaluation.sense_data import split_units
    from embedkit.evaluation.senses import senses_report

    occ = _occurrences()
    settings = EvalSettings(alphas=ALPHAS, n_boot=N_BOOT, seed=seed)
    sel = split_units(occ.n_units, seed)[occ.unit]
    grid = _Grid(occ, sel)

    def make_vectors(h, option):
        e = np.repeat(np.random.default_rng(1).normal(size=(occ.n_groups, 4)), 6, axis=0).astype(np.float32)
        pe = np.concatenate([e, np.zeros((len(e), 4), np.float32)], axis=1)
        return WordVectors(occ.words(), h, e, pe, np.zeros(len(e), bool), occ.sentence)

    return senses_report(grid, occ, settings, make_vectors), occ, sel, grid


def test_senses_options_are_chosen_on_the_selection_lemmas() -> None:
    from embedkit.evaluation.senses import group_accuracy

    r, occ, sel, grid = _senses()
    assert r.chosen == grid.a
    reported = group_accuracy(grid.vectors(grid.a), occ)[~sel]
    assert r.scores["bert"]["accuracy"].value == pytest.approx(reported.mean())
    assert r.static_is_tie and r.scores["static"]["accuracy"].value == pytest.approx(r.tie_baseline.value)


def test_senses_intervals_are_the_held_out_lemmas_own_resampling_lemmas() -> None:
    """Every reported interval: on the reporting lemmas only (not the selection lemmas, not all lemmas), resampling
    lemma strings (not groups), and each difference paired (not built from two marginal intervals)."""
    from embedkit.evaluation.intervals import mean_ci
    from embedkit.evaluation.sense_grid import DEFAULT_OPTION
    from embedkit.evaluation.senses import group_accuracy

    r, occ, sel, grid = _senses()
    rep = ~sel
    kw = {"n_boot": N_BOOT, "seed": 2}
    chosen, default = group_accuracy(grid.vectors(grid.a), occ), group_accuracy(grid.vectors(DEFAULT_OPTION), occ)
    assert r.scores["bert"]["accuracy"] == mean_ci(chosen[rep], occ.unit[rep], **kw)
    assert r.scores["bert_default"]["accuracy"] == mean_ci(default[rep], occ.unit[rep], **kw)
    assert r.gain_over_default == mean_ci(chosen[rep] - default[rep], occ.unit[rep], difference=True, **kw)
    assert r.gain_over_default.n == int(rep.sum()) and r.gain_over_default.value != 0.0
    by_group = mean_ci(chosen[rep] - default[rep], None, difference=True, **kw)
    assert (by_group.low, by_group.high) != (r.gain_over_default.low, r.gain_over_default.high)


def test_senses_split_keeps_every_group_of_a_lemma_on_one_side() -> None:
    r, occ, _, _ = _senses(seed=4)  # every third lemma has two groups: split by group, some would sit on both sides
    assert sum(r.n_lemmas) == occ.n_units


def test_senses_alpha_is_chosen_on_the_selection_lemmas_and_reported_on_the_others() -> None:
    from embedkit.evaluation.intervals import mean_ci
    from embedkit.evaluation.senses import alpha_choice

    occ = _occurrences(24)
    selection = occ.unit % 2 == 0
    rng = np.random.default_rng(5)
    high_on = lambda mask: np.where(mask, 0.9, 0.3) + rng.normal(scale=0.05, size=occ.n_groups)  # noqa: E731
    fused = {0.0: np.full(occ.n_groups, 0.5), 0.5: high_on(selection), 1.0: high_on(~selection)}
    single = {"bert": high_on(~selection), "static": high_on(selection) - 0.1}
    c = alpha_choice("weighted", fused, single, occ, selection, EvalSettings(n_boot=N_BOOT))
    assert c.alpha == 0.5 and c.baseline_name == "static"
    rep = ~selection
    kw = {"n_boot": N_BOOT, "seed": 0}
    assert c.fused == mean_ci(fused[0.5][rep], occ.unit[rep], **kw)
    assert c.baseline == mean_ci(single["static"][rep], occ.unit[rep], **kw)
    assert c.gain == mean_ci(fused[0.5][rep] - single["static"][rep], occ.unit[rep], difference=True, **kw)
    assert c.fused.value == pytest.approx(0.3, abs=0.05)  # the reporting lemmas' level, not the selection's 0.9
