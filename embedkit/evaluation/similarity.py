"""Word similarity: Spearman correlation with a bootstrap 95% interval, per space and per fusion alpha.

Every space is scored on the same pairs: pairs with a word missing from the static vectors are left out
for all spaces (gensim's convention), and the share left out is reported as the OOV ratio.

Intervals resample *words*, not pairs: SimLex-999 and WordSim-353 reuse words across pairs, so pairs are not
independent. A resample draws the words with replacement and a pair counts ``m(w1) * m(w2)`` times (see
:mod:`embedkit.evaluation.intervals`); the Spearman correlation of the resample is that of the pairs so repeated.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.evaluation.intervals import Resampling, Score, bootstrap_ci, unit_ids
from embedkit.evaluation.report import plain_fields

if TYPE_CHECKING:
    from typing import Unpack

    from embedkit.evaluation.datasets import WordPairs
    from embedkit.wordvectors import WordVectors

__all__ = [
    "SimilarityResult",
    "cosine_rows",
    "evaluate_pairs",
    "fused_key",
    "known_pairs",
    "pair_similarities",
    "spearman",
    "spearman_ci",
    "spearman_diff_ci",
    "word_units",
]

logger = logging.getLogger(__name__)


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of each row of ``a`` with the same row of ``b`` (0 for a zero row)."""
    from embedkit.cosine import normalize_rows

    ua = normalize_rows(np.asarray(a, dtype=np.float64))
    ub = normalize_rows(np.asarray(b, dtype=np.float64))
    return np.einsum("ij,ij->i", ua, ub)


def _pearson_rows(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Pearson correlation along the last axis, optionally with item weights (0 where a side is constant)."""
    if w is None:
        w = np.ones_like(x)
    total = w.sum(axis=-1, keepdims=True)
    x = x - (w * x).sum(axis=-1, keepdims=True) / total
    y = y - (w * y).sum(axis=-1, keepdims=True) / total
    denom = np.sqrt((w * x * x).sum(axis=-1) * (w * y * y).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, (w * x * y).sum(axis=-1) / np.where(denom > 0, denom, 1.0), 0.0)


def _weighted_ranks(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Average ranks of ``x`` (n,) in the sample where item ``i`` is repeated ``w[b, i]`` times, per row ``b``."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    group = np.cumsum(np.r_[True, xs[1:] != xs[:-1]]) - 1
    ws = w[:, order]
    group_total = np.add.reduceat(ws, starts, axis=1)
    group_end = np.cumsum(group_total, axis=1)
    mid = group_end - group_total + (group_total + 1.0) / 2.0
    ranks = np.empty_like(ws)
    ranks[:, order] = mid[:, group]
    return ranks


def spearman(pred: np.ndarray, gold: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties), as :func:`scipy.stats.spearmanr`."""
    from scipy.stats import rankdata

    pred = np.asarray(pred, dtype=np.float64)
    gold = np.asarray(gold, dtype=np.float64)
    if pred.shape != gold.shape or pred.ndim != 1:
        raise ValueError(f"pred and gold must be 1-d of one length, got {pred.shape} and {gold.shape}")
    return float(_pearson_rows(rankdata(pred), rankdata(gold)))


def _spearman_score(
    pred: np.ndarray, baseline: np.ndarray | None, gold: np.ndarray, units: np.ndarray | None, options: Resampling
) -> Score:
    """Spearman of ``pred`` (minus that of ``baseline`` when given) with its interval: both on the same resamples."""
    gold = np.asarray(gold, dtype=np.float64)
    preds = [np.asarray(p, dtype=np.float64) for p in (pred, baseline) if p is not None]

    def statistic(w: np.ndarray) -> np.ndarray:
        rg = _weighted_ranks(gold, w)
        r = [_pearson_rows(_weighted_ranks(p, w), rg, w) for p in preds]
        return r[0] if len(r) == 1 else r[0] - r[1]

    value = spearman(preds[0], gold) if len(preds) == 1 else spearman(preds[0], gold) - spearman(preds[1], gold)
    return bootstrap_ci(value, statistic, len(gold), units, difference=len(preds) > 1, **options)


def spearman_ci(
    pred: np.ndarray, gold: np.ndarray, *, units: np.ndarray | None = None, **options: Unpack[Resampling]
) -> Score:
    """Spearman correlation with a percentile bootstrap interval.

    Args:
        pred: model similarity per pair.
        gold: human score per pair.
        units: ``(n_pairs, 2)`` word ids (see :func:`word_units`); None resamples pairs.
        **options: ``n_boot``, ``seed``, ``confidence`` (see :class:`~embedkit.evaluation.intervals.Resampling`;
            the same seed gives the same resamples, so spaces are compared on equal terms).
    """
    return _spearman_score(pred, None, gold, units, options)


def spearman_diff_ci(
    pred_a: np.ndarray,
    pred_b: np.ndarray,
    gold: np.ndarray,
    *,
    units: np.ndarray | None = None,
    **options: Unpack[Resampling],
) -> Score:
    """Paired bootstrap of ``spearman(pred_a) - spearman(pred_b)``: both drawn on the same resamples (with its p-value)."""
    return _spearman_score(pred_a, pred_b, gold, units, options)


def word_units(pairs: WordPairs) -> np.ndarray:
    """The resampling units of word pairs: the id of each pair's two words ``(n, 2)``."""
    return unit_ids(pairs.word1, pairs.word2)


def pair_similarities(pairs: WordPairs, vectors: np.ndarray, table: WordVectors) -> np.ndarray:
    """Cosine similarity of each pair in one space (``vectors`` has one row per word of ``table``)."""
    return cosine_rows(vectors[table.rows(pairs.word1)], vectors[table.rows(pairs.word2)])


def known_pairs(pairs: WordPairs, table: WordVectors) -> WordPairs:
    """The pairs whose two words are both known to the static vectors."""
    oov1 = table.oov[table.rows(pairs.word1)]
    oov2 = table.oov[table.rows(pairs.word2)]
    return pairs.subset(~(oov1 | oov2))


def fused_key(mode: str, alpha: float) -> str:
    """Key of a fused space (``concat@0.5``) in per-space results."""
    return f"{mode}@{alpha:.4g}"


@dataclass
class SimilarityResult:
    """Scores of one word-pair set in every space.

    Attributes:
        dataset: display name of the pair set.
        n_pairs: pairs in the file.
        n_scored: pairs scored (both words known to the static vectors).
        n_words: distinct words of the scored pairs (the resampling units).
        oov_ratio: share of pairs left out because a word is missing from the static vectors.
        bert: Spearman of the contextual model (each word encoded alone).
        static: Spearman of the static vectors.
        alphas: the fusion weights tried (1 = contextual only).
        fused: mode -> one score per alpha.
        predictions: space key -> model similarity per scored pair (for paired comparisons).
        gold: human scores of the scored pairs.
    """

    dataset: str
    n_pairs: int
    n_scored: int
    n_words: int
    oov_ratio: float
    bert: Score
    static: Score
    alphas: list[float]
    fused: dict[str, list[Score]]
    predictions: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    gold: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON (without the per-pair predictions)."""
        return plain_fields(self, "dataset n_pairs n_scored n_words oov_ratio bert static alphas fused")


def evaluate_pairs(
    pairs: WordPairs,
    table: WordVectors,
    *,
    modes: Sequence[str] = ("concat", "weighted"),
    alphas: Sequence[float] = tuple(np.round(np.linspace(0, 1, 11), 2)),
    n_boot: int = 1000,
    seed: int = 0,
) -> SimilarityResult:
    """Score one pair set in the bert, static and fused spaces.

    Args:
        pairs: the word pairs.
        table: vectors of every pair word, each encoded alone (see ``Embedder.word_vectors``).
        modes: fusion modes to try (``concat``, ``weighted``).
        alphas: fusion weights to try.
        n_boot: bootstrap resamples for each interval (the same resamples of words for every space).
        seed: bootstrap seed.

    Raises:
        ValueError: fewer than 2 pairs have static vectors.
    """
    scored = known_pairs(pairs, table)
    if len(scored) < 2:
        raise ValueError(f"{pairs.name}: only {len(scored)} of {len(pairs)} pairs have static vectors")
    units = word_units(scored)
    preds: dict[str, np.ndarray] = {
        "bert": pair_similarities(scored, table.space("bert"), table),
        "static": pair_similarities(scored, table.space("static"), table),
    }
    kw: dict[str, Any] = {"units": units, "n_boot": n_boot, "seed": seed}
    fused: dict[str, list[Score]] = {}
    for mode in modes:
        fused[mode] = []
        for alpha in alphas:
            key = fused_key(mode, alpha)
            preds[key] = pair_similarities(scored, table.space("fused", mode, alpha), table)
            fused[mode].append(spearman_ci(preds[key], scored.gold, **kw))
    result = SimilarityResult(
        dataset=pairs.name,
        n_pairs=len(pairs),
        n_scored=len(scored),
        n_words=int(units.max()) + 1,
        oov_ratio=1.0 - len(scored) / len(pairs),
        bert=spearman_ci(preds["bert"], scored.gold, **kw),
        static=spearman_ci(preds["static"], scored.gold, **kw),
        alphas=[float(a) for a in alphas],
        fused=fused,
        predictions=preds,
        gold=scored.gold,
    )
    logger.info(
        "%s: bert %.3f, static %.3f (%d/%d pairs)",
        pairs.name,
        result.bert.value,
        result.static.value,
        len(scored),
        len(pairs),
    )
    return result
