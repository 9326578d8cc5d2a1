"""The senses task on real WordNet data: the occurrences point at their lemma, the static space scores exactly the
tie baseline, and the whole task runs (tiny model) and writes an encoder choice the app can read."""

from __future__ import annotations

import json

import numpy as np
import pytest

from embedkit.config import EmbedderConfig
from embedkit.evaluation.sense_data import load_sense_occurrences


@pytest.fixture(scope="module")
def occ():
    return load_sense_occurrences(max_lemmas=120, seed=3)


def test_occurrences_point_at_their_lemma_and_every_group_can_be_scored(occ) -> None:
    for i in range(len(occ)):
        assert occ.sentences[occ.sentence[i]][occ.word[i]].lower() == occ.lemmas[occ.group[i]]
    for g in range(occ.n_groups):
        senses = occ.sense[occ.group == g]
        assert len(set(senses.tolist())) >= 2 and np.bincount(senses).max() >= 2
    assert occ.n_units == 120 and "120 of" in occ.note and "seed 3" in occ.note


def test_identical_vectors_score_exactly_the_tie_baseline() -> None:
    """Tie-aware: when every occurrence of a group has one vector, the nearest neighbour is a random one, so each
    occurrence scores (same-sense others) / (others), never 1 or 0 by the order of the rows."""
    from embedkit.evaluation.sense_data import SenseOccurrences
    from embedkit.evaluation.senses import group_accuracy

    sense = np.array([1, 1, 1, 2, 2, 1, 2, 2, 2, 2])
    group = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    occ = SenseOccurrences(
        [["x"]] * 10, np.arange(10), np.zeros(10, np.int64), group, sense, ["a", "b"], ["n", "n"], np.arange(2)
    )
    X = np.repeat(np.array([[1.0, 0.0], [0.0, 1.0]]), 5, axis=0)
    acc = group_accuracy(X, occ)
    # group 0: three of sense 1 see 2 of 4 others right, two of sense 2 see 1 of 4: (3 * 2/4 + 2 * 1/4) / 5
    # group 1: the lone sense-1 occurrence has no same-sense neighbour (left out); four of sense 2 see 3 of 4
    np.testing.assert_allclose(acc, [(3 * 0.5 + 2 * 0.25) / 5, 0.75])


def test_a_sentence_labelled_with_two_senses_of_one_lemma_is_dropped() -> None:
    from embedkit.evaluation.sense_data import deduplicate_examples
    from embedkit.wordnet import SenseExample

    ex = lambda lemma, sense, sentence, start=0: SenseExample(lemma, "n", sense, sense, "", sentence, start, 1)  # noqa: E731
    examples = [
        ex("bank", 1, "the bank"),
        ex("bank", 2, "the bank"),  # the same sentence for two senses: both dropped
        ex("bank", 1, "a bank loan"),
        ex("bank", 1, "a bank loan"),  # a same-sense copy: kept once
        ex("bank", 2, "river bank"),
        ex("shore", 1, "the bank"),  # another lemma may use the sentence
    ]
    kept, conflicting, copies = deduplicate_examples(examples)
    assert ([(e.lemma, e.sense, e.sentence) for e in kept], conflicting, copies) == (
        [("bank", 1, "a bank loan"), ("bank", 2, "river bank"), ("shore", 1, "the bank")],
        2,
        1,
    )


def test_the_shipped_senses_data_have_one_label_per_lemma_and_sentence() -> None:
    from collections import Counter

    data = load_sense_occurrences()
    keys = Counter((int(g), int(s)) for g, s in zip(data.group, data.sentence))
    assert max(keys.values()) == 1  # no sentence twice in one group, so no forced tie and no free neighbour
    assert data.n_sentences < len(data) and data.n_sentences == len(set(data.sentence.tolist()))


@pytest.mark.slow
def test_the_static_space_scores_exactly_the_tie_baseline(occ, glove) -> None:
    from embedkit.evaluation.senses import space_scores
    from embedkit.senses import tie_baseline

    e, _ = glove.lookup(occ.words())
    scores = space_scores(e, occ)
    tie = tie_baseline(occ.sense, occ.group)
    per_group = np.bincount(occ.group[~np.isnan(tie)], tie[~np.isnan(tie)], occ.n_groups) / np.bincount(
        occ.group[~np.isnan(tie)], minlength=occ.n_groups
    )
    np.testing.assert_array_equal(scores["accuracy"], per_group)
    assert np.all(scores["ari"] == 0.0) and np.allclose(scores["gap"], 0.0, atol=1e-6)
    # a contextual-like space that knows the senses beats it
    rng = np.random.default_rng(0)
    informed = e + 5 * rng.normal(size=(occ.n_groups * 20, e.shape[1]))[occ.group * 20 + occ.sense]
    assert np.nanmean(space_scores(informed, occ)["accuracy"]) > np.nanmean(per_group) + 0.2


@pytest.mark.slow
def test_the_senses_task_runs_and_writes_an_encoder_choice_the_app_reads(tiny_model_dir, glove, tmp_path) -> None:
    from embedkit.defaults import bundled_encoder_choice
    from embedkit.evaluation.resources import Resources, evaluation_embedder
    from embedkit.evaluation.sense_grid import DEFAULT_OPTION
    from embedkit.evaluation.senses import run_senses
    from embedkit.evaluation.settings import EvalSettings

    config = EmbedderConfig(model=str(tiny_model_dir), layers="last", pooling="mean", postprocess="none", align_k=300)
    settings = EvalSettings(embedder=config, alphas=(0.0, 0.5, 1.0), n_boot=50, senses_lemmas=60)
    res = Resources(evaluation_embedder(config, static=glove), settings)
    report = run_senses(res)
    assert report.static_is_tie
    assert report.n_lemmas == (30, 30) and report.n_layers == 2
    assert report.chosen.key() == max(report.selection_scores, key=report.selection_scores.get)
    path = tmp_path / "encoder_choice.json"
    path.write_text(json.dumps(report.encoder_choice()), encoding="utf-8")
    choice = bundled_encoder_choice(path)
    assert (choice.layers, choice.pooling, choice.postprocess) == (
        report.chosen.layers,
        report.chosen.pooling,
        report.chosen.postprocess,
    )
    acc = report.scores["bert"]["accuracy"]
    assert f"{acc.value:.3f} [{acc.low:.3f}, {acc.high:.3f}]" in choice.why and "30 held-out" in choice.why
    if report.chosen != DEFAULT_OPTION:  # the caption says whether the choice beat the defaults where not chosen
        assert ("not significantly better than" in choice.why) != report.option_significant()
    assert set(report.curve) == {"concat", "weighted"} and len(report.curve["weighted"]) == 3
    assert "Finding: " + report.finding() in report.table()
    rows = report.rows()  # what the Evaluate page shows
    assert [r["space"] for r in rows][0].startswith("static") and rows[0]["NN sense accuracy"] == round(
        report.tie_baseline.value, 3
    )
    curves = report.curves()
    assert curves.lines["static"] == report.tie_baseline.value and "Held-out lemmas" in curves.note
