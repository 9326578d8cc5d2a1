"""Run evaluation tasks: one :func:`run` for the CLI, ``scripts/write_results.py`` and the Evaluate page.

Word similarity and analogies live here; polarity and senses have their own modules
(:mod:`embedkit.evaluation.polarity`, :mod:`embedkit.evaluation.senses`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.errors import EmbedkitError
from embedkit.evaluation.datasets import WordPairs, load_analogies, load_word_pairs
from embedkit.evaluation.resources import Resources, load_resources, pair_vectors
from embedkit.evaluation.settings import TASKS, EvalSettings, StageProgress, stage
from embedkit.evaluation.similarity_analogy_report import AnalogyReport, SimilarityReport

if TYPE_CHECKING:
    from embedkit.evaluation.analogy import AnalogyResult
    from embedkit.evaluation.report import Report
    from embedkit.wordvectors import WordVectors

__all__ = ["analogy_report", "check_tasks", "run", "run_analogy", "run_similarity", "similarity_report"]

logger = logging.getLogger(__name__)


def similarity_report(
    task: str, target: WordPairs, other: WordPairs, table: WordVectors, settings: EvalSettings
) -> SimilarityReport:
    """The curve on ``target``; alpha chosen on ``other`` and on the pairs of a random half of ``target``'s words,
    reported on the pairs of the other half (pairs that straddle the halves are left out)."""
    from embedkit.evaluation.selection import cross_select
    from embedkit.evaluation.similarity import evaluate_pairs

    s = settings
    kw: dict[str, Any] = {"alphas": s.alphas, "n_boot": s.n_boot, "seed": s.seed}
    result = evaluate_pairs(target, table, modes=s.modes, **kw)
    sel_half, rep_half = target.split_by_words(0.5, seed=s.seed)
    cross = {m: cross_select(other, target, table, mode=m, **kw) for m in s.modes}
    split = {m: cross_select(sel_half, rep_half, table, mode=m, **kw) for m in s.modes}
    shared = len(set(other.words()) & set(target.words()))
    return SimilarityReport(
        task,
        result,
        cross,
        split,
        split_left_out=len(target) - len(sel_half) - len(rep_half),
        shared_words=shared,
        other_name=other.name,
    )


def run_similarity(
    task: str, res: Resources, *, table: WordVectors | None = None, progress: StageProgress | None = None
) -> SimilarityReport:
    """``simlex`` or ``wordsim``: the curve over alpha, and alpha chosen on the other set / on a split half.

    Raises:
        ValueError: an unknown similarity task.
    """
    if task not in ("simlex", "wordsim"):
        raise ValueError(f"unknown similarity task {task!r}; choose one of: simlex, wordsim")
    t0 = time.perf_counter()
    table = table if table is not None else pair_vectors(res, progress=progress)
    target, other = load_word_pairs(task), load_word_pairs("wordsim" if task == "simlex" else "simlex")
    report = similarity_report(task, target, other, table, res.settings)
    report.seconds = time.perf_counter() - t0
    return report


def analogy_report(result: AnalogyResult, settings: EvalSettings) -> AnalogyReport:
    """Alpha chosen on the questions of half the word pairs and reported on those of the other half (see
    ``analogy``)."""
    from embedkit.evaluation.analogy import pair_halves, select_alpha_on_halves

    s = settings
    choice = select_alpha_on_halves(result, s.modes, s.alphas, n_boot=s.n_boot, seed=s.seed)
    sel, rep = pair_halves(result.units, s.seed)
    left_out = result.n_answered - len(sel) - len(rep)
    return AnalogyReport("analogy", result, [float(a) for a in s.alphas], choice, left_out)


def run_analogy(res: Resources, *, progress: StageProgress | None = None) -> AnalogyReport:
    """Google analogies over the first ``analogy_vocab`` static words, static vs bert vs fused."""
    from embedkit.evaluation.analogy import evaluate_analogies
    from embedkit.evaluation.similarity import fused_key

    t0 = time.perf_counter()
    s = res.settings
    words = res.static.top_words(s.analogy_vocab, alphabetic=False)
    table = res.embedder.word_vectors(words, progress=stage(progress, "encoding the vocabulary"))
    spaces: dict[str, Callable[[], np.ndarray]] = {"static": lambda: table.space("static"), "bert": lambda: table.h}
    for mode in s.modes:
        for a in s.alphas:
            spaces[fused_key(mode, a)] = partial(table.space, "fused", mode, a)
    cb = None if progress is None else (lambda key, d, t: progress(f"analogies in {key}", d, t))
    result = evaluate_analogies(load_analogies(), list(table.words), spaces, n_boot=s.n_boot, seed=s.seed, progress=cb)
    report = analogy_report(result, s)
    report.seconds = time.perf_counter() - t0
    return report


def check_tasks(tasks: Sequence[str]) -> list[str]:
    """The tasks in order without repeats (``all`` = every task).

    Raises:
        ValueError: an unknown task, naming the valid ones.
    """
    out = list(TASKS) if "all" in tasks else list(dict.fromkeys(tasks))
    unknown = [t for t in out if t not in TASKS]
    if unknown or not out:
        raise EmbedkitError(f"unknown task {unknown[0] if unknown else ''!r}; choose from: {', '.join(TASKS)}, all")
    return out


def run(
    settings: EvalSettings,
    tasks: Sequence[str],
    *,
    resources: Resources | None = None,
    progress: StageProgress | None = None,
) -> list[Report]:
    """Run ``tasks`` on one set of resources and return their typed reports.

    Args:
        settings: what to run with.
        tasks: task names (see :data:`TASKS`), or ``all``.
        resources: already loaded resources (their Embedder is used with ``settings``); None loads them.
        progress: ``progress(stage, done, total)``.

    Returns:
        The reports, with Holm's correction applied over the comparisons of all of them (the run is the family).

    Raises:
        ValueError: an unknown task.
    """
    from embedkit.evaluation.multiplicity import holm_family
    from embedkit.evaluation.polarity import run_polarity
    from embedkit.evaluation.senses import run_senses

    names = check_tasks(tasks)
    res = load_resources(settings, progress=progress) if resources is None else Resources(resources.embedder, settings)
    table = pair_vectors(res, progress=progress) if {"simlex", "wordsim"} & set(names) else None
    runners: dict[str, Callable[[], Report]] = {
        "simlex": lambda: run_similarity("simlex", res, table=table, progress=progress),
        "wordsim": lambda: run_similarity("wordsim", res, table=table, progress=progress),
        "analogy": lambda: run_analogy(res, progress=progress),
        "polarity": lambda: run_polarity(res, progress=progress),
        "senses": lambda: run_senses(res, progress=progress),
    }
    reports = []
    for name in names:
        logger.info("running %s", name)
        reports.append(runners[name]())
    holm_family(reports, name="this run")
    return reports
