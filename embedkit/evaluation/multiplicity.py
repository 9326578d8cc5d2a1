"""Holm's correction over the comparisons one results page reports together.

A page that reports twenty gains, each with a 95% interval, will show one "significant" gain by chance alone when
nothing works. Each comparison here is a paired difference with a bootstrap p-value
(:func:`embedkit.evaluation.intervals.bootstrap_p`); the *family* is every comparison the page states a verdict for
(every task's gains over its single-source baseline, the chosen encoder options over the defaults, the polarity rows
over their like-for-like baselines, one encoder over another). Holm's step-down procedure controls the chance of any
false "significant" in the family at 5% without assuming the tests independent. A selection that chose no fusion
(the gain is exactly 0 by construction) is no test and stays out of the family.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from embedkit.evaluation.report import rows_to_text

if TYPE_CHECKING:
    from embedkit.evaluation.intervals import Score

__all__ = ["Comparison", "Family", "Compares", "holm", "holm_family"]

#: the family-wise error rate the verdicts use
LEVEL = 0.05


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values, in the input order: the ``k``-th smallest p times ``m - k + 1``, made monotone, capped
    at 1 (Holm 1979). A comparison is significant at family-wise level ``a`` when its adjusted p is below ``a``.

    Raises:
        ValueError: a p-value outside [0, 1] or NaN.
    """
    p = np.asarray(p_values, dtype=np.float64)
    if np.any(np.isnan(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError(f"p-values must lie in [0, 1], got {p.tolist()}")
    m = len(p)
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, p[order] * (m - np.arange(m)))
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted.tolist()


@dataclass(frozen=True)
class Comparison:
    """One paired difference a page states a verdict for.

    Attributes:
        key: unique on the page (``task: what``).
        label: what is compared, for people.
        estimate: the difference with its interval and bootstrap p-value.
    """

    key: str
    label: str
    estimate: Score


class Compares(Protocol):
    """A report that states verdicts: it lists its comparisons and takes the family back."""

    family: Family | None

    def comparisons(self) -> list[Comparison]: ...


@dataclass
class Family:
    """The comparisons of one page with their Holm-adjusted p-values.

    Attributes:
        comparisons: every comparison, in page order.
        adjusted: Holm-adjusted p-value of each.
        name: which page the family is (for the sentence that names it).
    """

    comparisons: list[Comparison]
    adjusted: list[float]
    name: str = "this page"
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {c.key: i for i, c in enumerate(self.comparisons)}
        if len(self._index) != len(self.comparisons):
            raise ValueError("comparison keys must be unique within a family")

    @property
    def size(self) -> int:
        """Comparisons in the family."""
        return len(self.comparisons)

    def p_holm(self, key: str) -> float | None:
        """The Holm-adjusted p-value of the comparison ``key`` (None when it is not in the family)."""
        i = self._index.get(key)
        return None if i is None else self.adjusted[i]

    def significant(self, key: str) -> bool:
        """True when ``key``'s adjusted p-value is below 5%."""
        p = self.p_holm(key)
        return p is not None and p < LEVEL

    def describe(self) -> str:
        """One sentence naming the family."""
        return (
            f"Holm correction over the {self.size} comparisons of {self.name} (every gain, difference and "
            f"like-for-like test it states a verdict for); significant = Holm-adjusted p < {LEVEL:g}"
        )

    def table(self) -> str:
        """Every comparison with its interval, raw and adjusted p-value, as text."""
        rows = [
            [
                c.label,
                c.estimate.format(True),
                f"{c.estimate.p:.3f}" if c.estimate.p is not None else "",
                f"{p:.3f}",
                "yes" if p < LEVEL else "no",
            ]
            for c, p in zip(self.comparisons, self.adjusted)
        ]
        return rows_to_text(["comparison", "difference [95%]", "p", "Holm p", "significant"], rows)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            "name": self.name,
            "method": "holm",
            "level": LEVEL,
            "comparisons": [
                {"key": c.key, "label": c.label, **c.estimate.to_dict(), "p_holm": p}
                for c, p in zip(self.comparisons, self.adjusted)
            ],
        }


def holm_family(reports: Iterable[object], name: str = "this page") -> Family:
    """Holm over the comparisons of every report that states verdicts; each such report gets the family back
    (its findings then say which gains survive the correction).

    Raises:
        ValueError: a comparison without a p-value, or two with one key.
    """
    owners: list[Any] = [r for r in reports if hasattr(r, "comparisons")]
    comparisons = [c for r in owners for c in r.comparisons()]
    missing = [c.key for c in comparisons if c.estimate.p is None]
    if missing:
        raise ValueError(f"comparisons without a p-value: {', '.join(missing)}")
    family = Family(comparisons, holm([float(c.estimate.p or 0.0) for c in comparisons]), name)
    for r in owners:
        r.family = family
    return family
