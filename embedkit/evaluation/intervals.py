"""Bootstrap intervals that resample the independent unit, not the dependent items built from it.

Benchmark items often share what makes them random: analogy questions reuse word pairs (``a : b :: c : d`` is
built from the pairs ``a:b`` and ``c:d``), word-similarity pairs reuse words, WordNet lemmas come with several
example sentences. Resampling the items as if they were independent gives intervals that are too narrow. Here
each item names its unit(s); a resample draws the units with replacement, and an item counts as often as the
product of its units' draw counts (one unit per item: the cluster bootstrap; two: Owen's "pigeonhole" bootstrap
for crossed designs, which errs on the wide side). The same resamples are used for every system compared, so
differences are paired. A difference also gets a two-sided p-value against 0 from its resamples (:func:`bootstrap_p`), which
:mod:`embedkit.evaluation.multiplicity` corrects for the number of comparisons a page reports.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np

if TYPE_CHECKING:
    from typing import Unpack

__all__ = [
    "Resampling",
    "Score",
    "bootstrap_ci",
    "bootstrap_p",
    "mean_ci",
    "percentile_interval",
    "resample_weights",
    "unit_ids",
]


@dataclass(frozen=True)
class Score:
    """A point estimate with its bootstrap interval.

    Attributes:
        value: the estimate on the full data.
        low: lower end of the interval.
        high: upper end of the interval.
        n: number of items it was computed on.
        p: for a difference, the two-sided bootstrap p-value against 0 (:func:`bootstrap_p`); None otherwise.
    """

    value: float
    low: float
    high: float
    n: int = 0
    p: float | None = None

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero (meaningful for differences)."""
        return self.low > 0.0 or self.high < 0.0

    def format(self, signed: bool = False, digits: int = 3) -> str:
        """``0.750 [0.703, 0.791]`` (``signed`` adds a ``+`` to positive numbers)."""
        f = f"{{:+.{digits}f}}" if signed else f"{{:.{digits}f}}"
        return f"{f.format(self.value)} [{f.format(self.low)}, {f.format(self.high)}]"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON (``p`` only for a difference)."""
        out: dict[str, Any] = {"value": self.value, "low": self.low, "high": self.high, "n": self.n}
        if self.p is not None:
            out["p"] = self.p
        return out


def percentile_interval(samples: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """The central ``confidence`` percentile interval of bootstrap ``samples`` (NaN samples ignored)."""
    samples = np.asarray(samples, dtype=np.float64)
    samples = samples[~np.isnan(samples)]
    if not len(samples):
        return float("nan"), float("nan")
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(samples, [tail, 100.0 - tail])
    return float(low), float(high)


def bootstrap_p(samples: np.ndarray) -> float:
    """Two-sided p-value of "the difference is 0" from the resampled differences: the normal approximation of the
    bootstrap distribution, ``erfc(|mean| / (sd * sqrt(2)))``.

    The share of resamples beyond 0 would be the plain bootstrap p-value, but with ``B`` resamples it cannot go below
    ``2 / (B + 1)`` (0.002 at 1,000), so a Holm correction over 20 comparisons could never call anything clearer than
    p = 0.04. The normal approximation resolves small p-values from the same resamples (the bootstrap's standard
    error); the percentile interval excludes 0 about when it gives p < 0.05. A difference that is 0 in every resample
    gets p = 1; one that is the same non-zero value in every resample gets p = 0.
    """
    import math

    samples = np.asarray(samples, dtype=np.float64)
    samples = samples[~np.isnan(samples)]
    if not len(samples):
        return float("nan")
    mean, sd = float(samples.mean()), float(samples.std(ddof=1)) if len(samples) > 1 else 0.0
    if sd == 0.0:
        return 1.0 if mean == 0.0 else 0.0
    return float(min(1.0, math.erfc(abs(mean) / (sd * math.sqrt(2.0)))))


def unit_ids(*columns: Sequence[Hashable]) -> np.ndarray:
    """Integer unit ids ``(n_items, len(columns))`` from per-item unit labels (one label list per column)."""
    if not columns:
        raise ValueError("give at least one column of unit labels")
    index: dict[Hashable, int] = {}
    out = np.empty((len(columns[0]), len(columns)), dtype=np.int64)
    for c, labels in enumerate(columns):
        if len(labels) != len(out):
            raise ValueError(f"unit column {c} has {len(labels)} labels for {len(out)} items")
        for i, label in enumerate(labels):
            out[i, c] = index.setdefault(label, len(index))
    return out


def resample_weights(
    units: np.ndarray | None, n_items: int, *, n_boot: int = 1000, seed: int = 0, chunk: int = 100
) -> Iterator[np.ndarray]:
    """Item weights of bootstrap resamples, ``chunk`` resamples ``(b, n_items)`` at a time.

    Args:
        units: ``(n_items, k)`` unit ids per item (see :func:`unit_ids`); None = every item is its own unit. Only
            the units that occur here are drawn (ids need not be contiguous).
        n_items: number of items.
        n_boot: number of resamples.
        seed: the same seed gives the same resamples (so systems compared on them are paired).
        chunk: resamples per yielded block (bounds the memory).

    Raises:
        ValueError: fewer than 2 units, or ``n_boot < 1``.
    """
    u: np.ndarray = np.arange(n_items)[:, None] if units is None else np.asarray(units, np.int64).reshape(n_items, -1)
    _, inverse = np.unique(u, return_inverse=True)  # only the units these items use are drawn
    u = inverse.reshape(u.shape)
    n_units = int(u.max()) + 1 if u.size else 0
    if n_units < 2:
        raise ValueError(f"need at least 2 units to bootstrap, got {n_units}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    rng = np.random.default_rng(seed)
    p = np.full(n_units, 1.0 / n_units)
    for start in range(0, n_boot, chunk):
        counts = rng.multinomial(n_units, p, size=min(chunk, n_boot - start)).astype(np.float64)
        w = np.ones((len(counts), n_items))
        for column in u.T:
            w = w * counts[:, column]
        yield w


class Resampling(TypedDict, total=False):
    """The bootstrap options every interval here takes as keyword arguments.

    Attributes:
        n_boot: number of resamples (default 1000).
        seed: resampling seed (default 0); the same seed gives the same resamples, so systems compared on them
            are paired.
        confidence: interval coverage (default 0.95).
    """

    n_boot: int
    seed: int
    confidence: float


def bootstrap_ci(
    value: float,
    statistic: Callable[[np.ndarray], np.ndarray],
    n_items: int,
    units: np.ndarray | None = None,
    *,
    difference: bool = False,
    **options: Unpack[Resampling],
) -> Score:
    """``value`` with the percentile interval of ``statistic`` over resamples of the units.

    Args:
        value: the estimate on the full data.
        statistic: item weights ``(b, n_items)`` of ``b`` resamples -> the statistic of each resample ``(b,)``.
        n_items: number of items.
        units: ``(n_items, k)`` unit ids (see :func:`unit_ids`); None resamples the items themselves.
        difference: the statistic is a paired difference: also give its p-value against 0 (:func:`bootstrap_p`).
        **options: ``n_boot``, ``seed``, ``confidence`` (see :class:`Resampling`).
    """
    weights = resample_weights(units, n_items, n_boot=options.get("n_boot", 1000), seed=options.get("seed", 0))
    samples = np.concatenate([statistic(w) for w in weights])
    low, high = percentile_interval(samples, options.get("confidence", 0.95))
    return Score(value, low, high, n_items, bootstrap_p(samples) if difference else None)


def mean_ci(
    values: np.ndarray,
    units: np.ndarray | None = None,
    *,
    difference: bool = False,
    **options: Unpack[Resampling],
) -> Score:
    """Mean of ``values`` (correctness, per-lemma scores, paired differences) with a unit-bootstrap interval.

    Args:
        values: one value per item.
        units: ``(n_items, k)`` unit ids (see :func:`unit_ids`); None resamples the items themselves.
        difference: ``values`` are paired differences: also give the p-value of "the mean is 0".
        **options: ``n_boot``, ``seed``, ``confidence`` (see :class:`Resampling`).

    Raises:
        ValueError: fewer than 2 values.
    """
    v = np.asarray(values, dtype=np.float64)
    if len(v) < 2:
        raise ValueError(f"need at least 2 values to bootstrap, got {len(v)}")

    def weighted_mean(w: np.ndarray) -> np.ndarray:
        total = w.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, (w @ v) / np.where(total > 0, total, 1.0), np.nan)

    return bootstrap_ci(float(v.mean()), weighted_mean, len(v), units, difference=difference, **options)
