"""The task runners end to end on the tiny BERT and the bundled GloVe: analogies, polarity (with DME), fine-tuning,
and ``run`` dispatching by name."""

from __future__ import annotations

import numpy as np
import pytest

from embedkit.evaluation.settings import TASKS, EvalSettings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def res(tiny_model_dir, glove):
    from embedkit.config import EmbedderConfig
    from embedkit.evaluation.resources import Resources, evaluation_embedder

    config = EmbedderConfig(model=str(tiny_model_dir), layers="last", pooling="mean", postprocess="none", align_k=300)
    settings = EvalSettings(
        embedder=config, alphas=(0.0, 0.5, 1.0), n_boot=50, folds=3, fold_seeds=2, analogy_vocab=3000
    )
    return Resources(evaluation_embedder(config, static=glove), settings)


def test_run_analogy_chooses_alpha_on_half_and_resamples_word_pairs(res) -> None:
    from embedkit.evaluation.analogy import pair_halves, pair_units
    from embedkit.evaluation.datasets import load_analogies
    from embedkit.evaluation.runners import run_analogy

    report = run_analogy(res)
    r = report.result
    vocab = set(res.static.top_words(3000, alphabetic=False))
    answered = [q for q in load_analogies().questions if all(w in vocab for w in q)]
    assert r.n_answered == len(answered) > 20
    assert r.n_pairs == int(pair_units(np.array(answered, dtype=object)).max()) + 1 < r.n_answered
    sel, rep = pair_halves(r.units, res.settings.seed)
    assert report.left_out == r.n_answered - len(sel) - len(rep) > 0
    for c in report.choice.values():
        assert c.selected_on == f"the questions of half the word pairs ({len(sel)})"
        assert c.fused.n == c.gain.n == len(rep)
    assert f"{r.n_answered:,} of {r.n_questions:,}" in report.finding()


def test_run_polarity_reports_every_row_over_the_fold_seeds(res, monkeypatch) -> None:
    from functools import partial

    from embedkit.evaluation import dme
    from embedkit.evaluation.polarity import run_polarity
    from embedkit.evaluation.polarity_report import BASELINES

    monkeypatch.setattr(dme, "cross_validate_dme", partial(dme.cross_validate_dme, epochs=2))  # a quick DME
    report = run_polarity(res)
    assert report.seeds == [0, 1] and report.n_sentences == 200
    assert set(report.results) == {
        "bert",
        "static",
        "bert_unit",
        "concat",
        "weighted",
        "dme_bert",
        "dme_softmax",
        "dme_sigmoid",
    }
    assert all(len(report.by_seed[k]) == 2 for k in report.results)
    assert all(report.mcnemar[k].only_a + report.mcnemar[k].only_b <= 200 for k in BASELINES if k in report.results)
    w = report.dme_weights
    assert w is not None and abs(sum(w) - 1.0) < 1e-5  # out-of-fold softmax weights, averaged over words
    assert "DME (softmax)" in report.finding() and "DME on the contextual vectors alone" in report.finding()


def test_finetune_has_an_arm_without_static_input_on_the_same_folds(res, tiny_model_dir) -> None:
    from embedkit.evaluation.classification import CVResult, make_folds
    from embedkit.evaluation.datasets import LabelledSentences, load_polarity
    from embedkit.evaluation.finetune import finetune_cv

    data = load_polarity()
    keep = np.r_[0:12, 100:112]
    small = LabelledSentences([data.sentences[i] for i in keep], data.labels[keep])
    frozen = CVResult("bert", np.array([0.5, 0.5]), np.zeros(24, bool))
    r = finetune_cv(str(tiny_model_dir), res.static, small, frozen, folds=2, epochs=1, batch_size=8)
    assert r.frozen is frozen and r.settings["folds"] == 2
    assert r.settings["max_length"] == 16 and r.truncated > 0  # the tiny model holds 16 positions
    tested = np.concatenate([test for _, test in make_folds(small.labels, k=2, seed=0)])
    assert sorted(tested.tolist()) == list(range(24))
    assert r.fusion_test.only_a + r.fusion_test.only_b == int((r.finetuned_static.correct != r.finetuned.correct).sum())


def test_words_cut_by_truncation_are_left_out_of_the_mean(tiny_model_dir) -> None:
    from transformers import AutoTokenizer

    from embedkit.evaluation.finetune import _batch

    tok = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    _, pool, word_mask = _batch(tok, [["the", "river", "bank", "sat", "on", "the", "bank"]], 6, "cpu")
    assert word_mask.tolist() == [[True, True, True, True, False, False, False]]  # [CLS] + 4 words + [SEP]
    assert float(pool[0, :, 4:].abs().sum()) == 0.0


def test_run_dispatches_by_task_name_and_names_the_valid_ones(res, monkeypatch) -> None:
    from embedkit.evaluation import runners

    with pytest.raises(ValueError, match="choose from: simlex, wordsim, analogy, polarity, senses"):
        runners.run(res.settings, ["simlex", "nope"], resources=res)
    assert runners.check_tasks(["all"]) == list(TASKS)
    from embedkit.evaluation.cli import _TASKS

    assert _TASKS == TASKS
