"""Honest alpha selection: alpha is chosen on one data set (or split) and reported on another.

The functions that choose alpha only ever receive the selection data; the reporting data is handed to a
separate step afterwards. That is what makes the reported number an estimate of the gain a user would
see on new data, not the best of eleven tries on the test pairs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.evaluation.intervals import Score
from embedkit.evaluation.report import plain_fields
from embedkit.evaluation.similarity import (
    known_pairs,
    pair_similarities,
    spearman,
    spearman_ci,
    spearman_diff_ci,
    word_units,
)

if TYPE_CHECKING:
    from embedkit.evaluation.datasets import WordPairs
    from embedkit.wordvectors import WordVectors

__all__ = ["AlphaChoice", "best_single_source", "choose_alpha", "cross_select", "select_alpha_on_pairs"]

logger = logging.getLogger(__name__)


def choose_alpha(scores: Mapping[float, float]) -> float:
    """The alpha with the highest score; ties go to the alpha listed first.

    Raises:
        ValueError: if ``scores`` is empty or all scores are NaN.
    """
    if not scores:
        raise ValueError("no alpha scores to choose from")
    alphas = list(scores)
    values = np.asarray([scores[a] for a in alphas], dtype=np.float64)
    if np.all(np.isnan(values)):
        raise ValueError("every alpha scored NaN")
    return float(alphas[int(np.nanargmax(values))])


def select_alpha_on_pairs(
    selection: WordPairs, table: WordVectors, mode: str, alphas: Sequence[float]
) -> tuple[float, dict[float, float]]:
    """Choose alpha by Spearman on ``selection`` only.

    Returns:
        The chosen alpha and the selection score of every alpha.
    """
    pairs = known_pairs(selection, table)
    scores = {
        float(a): spearman(pair_similarities(pairs, table.space("fused", mode, a), table), pairs.gold) for a in alphas
    }
    return choose_alpha(scores), scores


def best_single_source(selection: WordPairs, table: WordVectors) -> str:
    """``bert`` or ``static``, whichever has the higher Spearman on ``selection``."""
    pairs = known_pairs(selection, table)
    scores = {s: spearman(pair_similarities(pairs, table.space(s), table), pairs.gold) for s in ("bert", "static")}
    return choose_source(scores)


def choose_source(scores: Mapping[str, float]) -> str:
    """The single source with the higher selection score (``bert`` wins a tie)."""
    return max(("bert", "static"), key=lambda s: scores[s])


@dataclass(frozen=True)
class AlphaChoice:
    """An alpha chosen on one data set and its scores on another.

    Attributes:
        mode: fusion mode.
        alpha: the chosen weight (1 = contextual only).
        selected_on: name of the selection data.
        reported_on: name of the reporting data.
        selection_scores: score of every alpha on the selection data.
        fused: fused score on the reporting data, with its bootstrap interval.
        baseline_name: the single source the gain is measured against.
        baseline: that source's score on the reporting data.
        gain: paired-bootstrap difference fused - baseline on the reporting data.
    """

    mode: str
    alpha: float
    selected_on: str
    reported_on: str
    selection_scores: dict[float, float]
    fused: Score
    baseline_name: str
    baseline: Score
    gain: Score

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            **plain_fields(self, "mode alpha selected_on reported_on"),
            "selection_scores": {f"{a:.4g}": s for a, s in self.selection_scores.items()},
            **plain_fields(self, "fused baseline_name baseline gain"),
        }


def cross_select(
    selection: WordPairs,
    reporting: WordPairs,
    table: WordVectors,
    *,
    mode: str = "weighted",
    alphas: Sequence[float] = tuple(np.round(np.linspace(0, 1, 11), 2)),
    baseline: str = "best",
    n_boot: int = 1000,
    seed: int = 0,
    selector: Callable[[WordPairs, WordVectors, str, Sequence[float]], tuple[float, dict[float, float]]] = (
        select_alpha_on_pairs
    ),
) -> AlphaChoice:
    """Choose alpha on ``selection``, then score it on ``reporting`` against a single-source baseline.

    Args:
        selection: pairs alpha is chosen on (never the reporting pairs).
        reporting: pairs the result is reported on.
        table: vectors of every word of both pair sets.
        mode: fusion mode.
        alphas: candidate weights.
        baseline: ``bert``, ``static``, or ``best``: the single source that scores higher on the
            selection pairs (chosen there too, never on the reporting pairs). The gain is fused minus it.
        n_boot: bootstrap resamples (words of the reporting pairs are resampled).
        seed: bootstrap seed.
        selector: the selection step; it receives only the selection pairs.

    Raises:
        ValueError: for an unknown baseline.
    """
    if baseline not in ("bert", "static", "best"):
        raise ValueError(f"unknown baseline {baseline!r}; choose one of: best, bert, static")
    shared = {frozenset(p) for p in zip(selection.word1, selection.word2)} & {
        frozenset(p) for p in zip(reporting.word1, reporting.word2)
    }
    if shared:
        logger.info("%d word pairs occur in both %s and %s", len(shared), selection.name, reporting.name)
    alpha, sel_scores = selector(selection, table, mode, alphas)
    if baseline == "best":
        baseline = best_single_source(selection, table)
    pairs = known_pairs(reporting, table)
    fused_pred = pair_similarities(pairs, table.space("fused", mode, alpha), table)
    base_pred = pair_similarities(pairs, table.space(baseline), table)
    kw: dict[str, Any] = {"units": word_units(pairs), "n_boot": n_boot, "seed": seed}
    choice = AlphaChoice(
        mode=mode,
        alpha=alpha,
        selected_on=selection.name,
        reported_on=reporting.name,
        selection_scores=sel_scores,
        fused=spearman_ci(fused_pred, pairs.gold, **kw),
        baseline_name=baseline,
        baseline=spearman_ci(base_pred, pairs.gold, **kw),
        gain=spearman_diff_ci(fused_pred, base_pred, pairs.gold, **kw),
    )
    logger.info(
        "%s alpha=%.2f chosen on %s: %s on %s, gain over %s %s",
        mode,
        alpha,
        selection.name,
        choice.fused.format(),
        reporting.name,
        baseline,
        choice.gain.format(True),
    )
    return choice
