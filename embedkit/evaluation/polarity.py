"""Sentence polarity: does fusion help a classifier? Compared like with like, over several fold seeds.

gensim's 200 polarity sentences, each encoded in context through the Embedder. Logistic regression on mean-pooled
word vectors, k-fold cross-validated. Every fused row is compared with the contextual vectors under *its own*
preprocessing, so a difference can only come from the static vectors:

- concatenation (unit-length halves) against ``bert_unit``, the unit-length contextual vectors (concatenation at
  alpha = 1, no static input);
- the weighted sum against ``bert`` (the weighted sum at alpha = 1 is exactly the contextual vectors);
- DME against ``dme_bert``, the same DME model trained on the contextual source alone.

Alpha is chosen by an inner cross-validation inside each training fold. The whole cross-validation is repeated
over ``fold_seeds`` fold seeds (one seed's split can flatter a system): each sentence's out-of-fold correctness is
averaged over the seeds, and a row's accuracy and its difference from its baseline are the means of those over the
sentences, with 95% intervals that resample sentences (paired: the same resamples for both rows). The difference's
bootstrap p-value enters the page's Holm family. McNemar's exact test on the first seed's out-of-fold predictions is
kept in the table (uncorrected); it has little power at 200 sentences.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from embedkit.evaluation.datasets import LabelledSentences, load_polarity
from embedkit.evaluation.polarity_report import BASELINES, PolarityReport
from embedkit.evaluation.settings import EvalSettings, StageProgress, stage

if TYPE_CHECKING:
    from embedkit.evaluation.classification import CVResult
    from embedkit.evaluation.resources import Resources
    from embedkit.wordvectors import WordVectors

__all__ = ["polarity_cv", "polarity_report", "run_polarity"]

logger = logging.getLogger(__name__)


class _Features:
    """Sentence features of every space, computed once and reused by every fold seed."""

    def __init__(self, wv: WordVectors) -> None:
        self.wv = wv
        self._cache: dict[tuple[str, str, float], np.ndarray] = {}

    def __call__(self, space: str, mode: str = "weighted", alpha: float = 1.0) -> np.ndarray:
        from embedkit.evaluation.classification import sentence_features

        key = (space, mode if space == "fused" else "", float(alpha) if space == "fused" else 0.0)
        if key not in self._cache:
            self._cache[key] = sentence_features(self.wv, space, mode, alpha)
        return self._cache[key]


def polarity_cv(
    features: Callable[..., np.ndarray],
    wv: WordVectors,
    y: np.ndarray,
    settings: EvalSettings,
    fold_seed: int,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, CVResult]:
    """Every polarity row on the folds of one seed (the same folds for every row, so they can be paired)."""
    from embedkit.evaluation.classification import cross_validate, make_folds, nested_alpha_cv
    from embedkit.evaluation.dme import cross_validate_dme
    from embedkit.evaluation.dme_weights import dme_sources

    s = settings
    folds = make_folds(y, k=s.folds, seed=fold_seed)
    jobs: dict[str, Callable[[], CVResult]] = {
        "bert": lambda: cross_validate(features("bert"), y, folds, name="bert"),
        "static": lambda: cross_validate(features("static"), y, folds, name="static"),
    }
    if "concat" in s.modes:
        jobs["bert_unit"] = lambda: cross_validate(features("fused", "concat", 1.0), y, folds, name="bert_unit")
    for mode in s.modes:
        jobs[mode] = partial(
            nested_alpha_cv, partial(features, "fused", mode), y, folds, s.alphas, name=mode, seed=fold_seed
        )
    if s.dme:
        both, present = dme_sources(wv)
        alone, alone_present = dme_sources(wv, ("bert",))
        jobs["dme_bert"] = lambda: cross_validate_dme(
            alone, y, folds, present=alone_present, name="dme_bert", gating="softmax", seed=fold_seed
        )
        for gating in ("softmax", "sigmoid"):
            jobs[f"dme_{gating}"] = partial(
                cross_validate_dme, both, y, folds, present=present, name=f"dme_{gating}", gating=gating, seed=fold_seed
            )
    out: dict[str, CVResult] = {}
    for i, (name, job) in enumerate(jobs.items()):
        out[name] = job()
        if progress is not None:
            progress(i + 1, len(jobs))
    return out


def polarity_report(
    wv: WordVectors, data: LabelledSentences, settings: EvalSettings, *, progress: StageProgress | None = None
) -> PolarityReport:
    """Every row over ``fold_seeds`` fold seeds, the alpha curve and McNemar tests on the first seed."""
    from embedkit.evaluation.classification import cross_validate, make_folds, mcnemar
    from embedkit.evaluation.intervals import mean_ci

    s = settings
    y = np.asarray(data.labels)
    features = _Features(wv)
    seeds = list(range(s.seed, s.seed + max(1, s.fold_seeds)))
    by_seed: dict[str, list[float]] = {}
    correct: dict[str, list[np.ndarray]] = {}
    first: dict[str, CVResult] = {}
    for k, fold_seed in enumerate(seeds):
        results = polarity_cv(features, wv, y, s, fold_seed, progress=stage(progress, f"polarity, fold seed {k + 1}"))
        first = first or results
        for name, r in results.items():
            by_seed.setdefault(name, []).append(r.accuracy)
            correct.setdefault(name, []).append(r.correct.astype(np.float64))
    folds = make_folds(y, k=s.folds, seed=s.seed)
    curve = {m: [cross_validate(features("fused", m, a), y, folds).accuracy for a in s.alphas] for m in s.modes}
    tests = {k: mcnemar(r.correct, first[BASELINES[k]].correct) for k, r in first.items() if BASELINES.get(k) in first}
    weights = None
    oof = first.get("dme_softmax")
    if oof is not None and oof.word_weights is not None:
        weights = [float(v) for v in np.concatenate(oof.word_weights).mean(axis=0)]
    per_sentence = {name: np.mean(v, axis=0) for name, v in correct.items()}  # out-of-fold correctness over seeds
    accuracy = {name: mean_ci(v, n_boot=s.n_boot, seed=s.seed) for name, v in per_sentence.items()}
    difference = {
        k: mean_ci(per_sentence[k] - per_sentence[b], difference=True, n_boot=s.n_boot, seed=s.seed)
        for k, b in BASELINES.items()
        if k in per_sentence and b in per_sentence
    }
    return PolarityReport(
        "polarity",
        len(y),
        s.folds,
        seeds,
        [float(a) for a in s.alphas],
        first,
        by_seed,
        curve,
        tests,
        accuracy,
        difference,
        per_sentence,
        weights,
    )


def run_polarity(res: Resources, *, progress: StageProgress | None = None) -> PolarityReport:
    """pang_lee_polarity: every row over several fold seeds, DME, and (with ``finetune``) fine-tuning."""
    t0 = time.perf_counter()
    data = load_polarity()
    wv = res.embedder.embed_tokenized(data.sentences, progress=stage(progress, "encoding sentences"))
    report = polarity_report(wv, data, res.settings, progress=progress)
    if res.settings.finetune:
        from embedkit.evaluation.finetune import finetune_cv

        finetuned = finetune_cv(
            res.encoder.model_path,
            res.static,
            data,
            report.results["bert"],
            folds=res.settings.folds,
            seed=res.settings.seed,
            progress=stage(progress, "fine-tuning"),
        )
        report.attach_finetune(finetuned, n_boot=res.settings.n_boot, seed=res.settings.seed)
    report.seconds = time.perf_counter() - t0
    return report
