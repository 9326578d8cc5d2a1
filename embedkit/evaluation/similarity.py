"""Word similarity: Spearman correlation with a bootstrap 95% interval, per space and per fusion alpha.

Every space is scored on the same pairs: pairs with a word missing from the static vectors are left out
for all spaces (gensim's convention), and the share left out is reported as the OOV ratio.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from embedkit.evaluation.datasets import WordPairs
    from embedkit.evaluation.spaces import WordTable

__all__ = [
    "Score",
    "SimilarityResult",
    "bootstrap_indices",
    "cosine_rows",
    "evaluate_pairs",
    "pair_similarities",
    "spearman",
    "spearman_ci",
    "spearman_diff_ci",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Score:
    """A point estimate with its bootstrap interval.

    Attributes:
        value: the estimate on the full data.
        low: lower end of the interval.
        high: upper end of the interval.
        n: number of items it was computed on.
    """

    value: float
    low: float
    high: float
    n: int = 0

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero (meaningful for differences)."""
        return self.low > 0.0 or self.high < 0.0

    def format(self, signed: bool = False, digits: int = 3) -> str:
        """``0.750 [0.703, 0.791]`` (``signed`` adds a ``+`` to positive numbers)."""
        f = f"{{:+.{digits}f}}" if signed else f"{{:.{digits}f}}"
        return f"{f.format(self.value)} [{f.format(self.low)}, {f.format(self.high)}]"

    def to_dict(self) -> dict[str, float]:
        """Plain dict for JSON."""
        return {"value": self.value, "low": self.low, "high": self.high, "n": self.n}


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of each row of ``a`` with the same row of ``b`` (0 for a zero row)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    na = np.linalg.norm(a, axis=1)
    nb = np.linalg.norm(b, axis=1)
    denom = na * nb
    out = np.zeros(len(a))
    ok = denom > 0
    out[ok] = np.einsum("ij,ij->i", a[ok], b[ok]) / denom[ok]
    return out


def _rank_rows(x: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(x, axis=-1)


def _pearson_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x = x - x.mean(axis=-1, keepdims=True)
    y = y - y.mean(axis=-1, keepdims=True)
    denom = np.sqrt((x * x).sum(axis=-1) * (y * y).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, (x * y).sum(axis=-1) / np.where(denom > 0, denom, 1.0), 0.0)


def spearman(pred: np.ndarray, gold: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties), as :func:`scipy.stats.spearmanr`."""
    pred = np.asarray(pred, dtype=np.float64)
    gold = np.asarray(gold, dtype=np.float64)
    if pred.shape != gold.shape or pred.ndim != 1:
        raise ValueError(f"pred and gold must be 1-d of one length, got {pred.shape} and {gold.shape}")
    return float(_pearson_rows(_rank_rows(pred), _rank_rows(gold)))


def bootstrap_indices(n: int, n_boot: int, seed: int = 0) -> np.ndarray:
    """``(n_boot, n)`` indices drawn with replacement; the same seed gives the same resamples."""
    if n < 2:
        raise ValueError(f"need at least 2 items to bootstrap, got {n}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    return np.random.default_rng(seed).integers(0, n, size=(n_boot, n))


def _boot_spearman(pred: np.ndarray, gold: np.ndarray, idx: np.ndarray) -> np.ndarray:
    out = np.empty(len(idx))
    # chunks keep the memory small for large n_boot
    for start in range(0, len(idx), 256):
        sl = idx[start : start + 256]
        out[start : start + 256] = _pearson_rows(_rank_rows(pred[sl]), _rank_rows(gold[sl]))
    return out


def _interval(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(samples, [tail, 100.0 - tail])
    return float(low), float(high)


def spearman_ci(
    pred: np.ndarray, gold: np.ndarray, *, n_boot: int = 1000, seed: int = 0, confidence: float = 0.95
) -> Score:
    """Spearman correlation with a percentile bootstrap interval over pairs.

    Args:
        pred: model similarity per pair.
        gold: human score per pair.
        n_boot: number of resamples.
        seed: seed of the resamples (same seed, same pairs drawn, so spaces are compared on equal terms).
        confidence: interval coverage.
    """
    pred = np.asarray(pred, dtype=np.float64)
    gold = np.asarray(gold, dtype=np.float64)
    value = spearman(pred, gold)
    samples = _boot_spearman(pred, gold, bootstrap_indices(len(pred), n_boot, seed))
    low, high = _interval(samples, confidence)
    return Score(value, low, high, len(pred))


def spearman_diff_ci(
    pred_a: np.ndarray,
    pred_b: np.ndarray,
    gold: np.ndarray,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> Score:
    """Paired bootstrap of ``spearman(pred_a) - spearman(pred_b)``: both drawn on the same resampled pairs."""
    pred_a = np.asarray(pred_a, dtype=np.float64)
    pred_b = np.asarray(pred_b, dtype=np.float64)
    gold = np.asarray(gold, dtype=np.float64)
    value = spearman(pred_a, gold) - spearman(pred_b, gold)
    idx = bootstrap_indices(len(gold), n_boot, seed)
    samples = _boot_spearman(pred_a, gold, idx) - _boot_spearman(pred_b, gold, idx)
    low, high = _interval(samples, confidence)
    return Score(value, low, high, len(gold))


def pair_similarities(pairs: WordPairs, vectors: np.ndarray, table: WordTable) -> np.ndarray:
    """Cosine similarity of each pair in one space (``vectors`` has one row per word of ``table``)."""
    i1 = table.rows(pairs.word1)
    i2 = table.rows(pairs.word2)
    return cosine_rows(vectors[i1], vectors[i2])


@dataclass
class SimilarityResult:
    """Scores of one word-pair set in every space.

    Attributes:
        dataset: display name of the pair set.
        n_pairs: pairs in the file.
        n_scored: pairs scored (both words known to the static vectors).
        oov_ratio: share of pairs left out because a word is missing from the static vectors.
        contextual: Spearman of the contextual model (each word encoded alone).
        static: Spearman of the static vectors.
        alphas: the fusion weights tried (1 = contextual only).
        fused: mode -> one score per alpha.
        predictions: space key -> model similarity per scored pair (for paired comparisons).
        gold: human scores of the scored pairs.
    """

    dataset: str
    n_pairs: int
    n_scored: int
    oov_ratio: float
    contextual: Score
    static: Score
    alphas: list[float]
    fused: dict[str, list[Score]]
    predictions: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    gold: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON (without the per-pair predictions)."""
        return {
            "dataset": self.dataset,
            "n_pairs": self.n_pairs,
            "n_scored": self.n_scored,
            "oov_ratio": self.oov_ratio,
            "contextual": self.contextual.to_dict(),
            "static": self.static.to_dict(),
            "alphas": list(self.alphas),
            "fused": {m: [s.to_dict() for s in scores] for m, scores in self.fused.items()},
        }


def known_pairs(pairs: WordPairs, table: WordTable) -> WordPairs:
    """The pairs whose two words are both known to the static vectors."""
    oov1 = table.oov[table.rows(pairs.word1)]
    oov2 = table.oov[table.rows(pairs.word2)]
    return pairs.subset(~(oov1 | oov2))


def fused_key(mode: str, alpha: float) -> str:
    """Key of a fused space in :attr:`SimilarityResult.predictions`."""
    return f"{mode}@{alpha:.4g}"


def evaluate_pairs(
    pairs: WordPairs,
    table: WordTable,
    *,
    modes: Sequence[str] = ("concat", "weighted"),
    alphas: Sequence[float] = tuple(np.round(np.linspace(0, 1, 11), 2)),
    n_boot: int = 1000,
    seed: int = 0,
) -> SimilarityResult:
    """Score one pair set in the contextual, static and fused spaces.

    Args:
        pairs: the word pairs.
        table: per-word vectors of every pair word (see :func:`embedkit.evaluation.spaces.build_word_table`).
        modes: fusion modes to try (``concat``, ``weighted``).
        alphas: fusion weights to try.
        n_boot: bootstrap resamples for each interval (the same resamples for every space).
        seed: bootstrap seed.
    """
    scored = known_pairs(pairs, table)
    if len(scored) < 2:
        raise ValueError(f"{pairs.name}: only {len(scored)} of {len(pairs)} pairs have static vectors")
    oov_ratio = 1.0 - len(scored) / len(pairs)
    preds: dict[str, np.ndarray] = {
        "contextual": pair_similarities(scored, table.space("contextual"), table),
        "static": pair_similarities(scored, table.space("static"), table),
    }
    kw = {"n_boot": n_boot, "seed": seed}
    fused: dict[str, list[Score]] = {}
    for mode in modes:
        fused[mode] = []
        for alpha in alphas:
            key = fused_key(mode, alpha)
            preds[key] = pair_similarities(scored, table.space("fused", mode=mode, alpha=alpha), table)
            fused[mode].append(spearman_ci(preds[key], scored.gold, **kw))
    result = SimilarityResult(
        dataset=pairs.name,
        n_pairs=len(pairs),
        n_scored=len(scored),
        oov_ratio=oov_ratio,
        contextual=spearman_ci(preds["contextual"], scored.gold, **kw),
        static=spearman_ci(preds["static"], scored.gold, **kw),
        alphas=[float(a) for a in alphas],
        fused=fused,
        predictions=preds,
        gold=scored.gold,
    )
    logger.info(
        "%s: contextual %.3f, static %.3f (%d/%d pairs)",
        pairs.name,
        result.contextual.value,
        result.static.value,
        len(scored),
        len(pairs),
    )
    return result
