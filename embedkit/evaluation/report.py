"""What every task report offers, and the pieces they share: text tables, the verdict, curve data, JSON.

Each report type (:mod:`embedkit.evaluation.similarity_analogy_report`, :mod:`embedkit.evaluation.polarity`,
:mod:`embedkit.evaluation.senses`) knows how to render itself: ``finding()`` (the one honest sentence),
``table()`` (plain text for the CLI and docs/results.md), ``rows()`` (the Evaluate page's table) and ``curves()``
(score against alpha). The CLI, ``scripts/write_results.py`` and the page only call these.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from embedkit.evaluation.intervals import Score
    from embedkit.evaluation.multiplicity import Family
    from embedkit.evaluation.selection import AlphaChoice

__all__ = [
    "MODE_NAMES",
    "SOURCE_NAMES",
    "Curve",
    "CurveSet",
    "Report",
    "choice_key",
    "choice_sentence",
    "plain",
    "plain_fields",
    "rows_to_text",
    "selection_rows",
    "selection_table",
    "to_json",
    "verdict",
]

MODE_NAMES = {"concat": "concatenation", "weighted": "weighted sum", "attention": "attention"}
SOURCE_NAMES = {"bert": "the contextual model alone", "static": "the static vectors alone"}


@dataclass(frozen=True)
class Curve:
    """One line of a score-against-alpha chart.

    Attributes:
        key: the fusion mode (``concat``, ``weighted``); it picks the colour.
        x: the alphas.
        y: the score at each alpha.
        low, high: the interval at each alpha (empty when there is none).
        chosen: the alpha chosen on other data (drawn as a star), if any.
    """

    key: str
    x: list[float]
    y: list[float]
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    chosen: float | None = None

    @classmethod
    def of(cls, key: str, x: Sequence[float], scores: Sequence[Score], chosen: float | None = None) -> Curve:
        """A curve with intervals from one score per alpha."""
        return cls(key, list(x), [s.value for s in scores], [s.low for s in scores], [s.high for s in scores], chosen)


@dataclass(frozen=True)
class CurveSet:
    """A score-against-alpha chart: fused curves, the single sources as flat lines, and what it shows."""

    y_label: str
    curves: list[Curve]
    lines: dict[str, float]
    note: str


class Report(Protocol):
    """What the CLI, the results script and the Evaluate page use of a task report."""

    task: str
    seconds: float

    @property
    def title(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...

    def finding(self) -> str: ...

    def table(self) -> str: ...

    def rows(self) -> list[dict[str, Any]]: ...

    def curves(self) -> CurveSet: ...


def plain(value: Any) -> Any:
    """``value`` ready for JSON: objects through their ``to_dict()``, mappings and lists item by item."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def plain_fields(obj: object, names: str) -> dict[str, Any]:
    """The attributes ``names`` (space-separated, in this order) of a result, each made :func:`plain`."""
    return {name: plain(getattr(obj, name)) for name in names.split()}


def verdict(gain: Score | Mapping[str, float], family: Family | None = None, key: str = "") -> str:
    """The verdict on a difference.

    Without a family: ``significant gain/loss`` when the 95% interval excludes 0, else ``not significant``. With the
    page's family (:mod:`embedkit.evaluation.multiplicity`), ``key``'s Holm-adjusted p-value decides, and the
    sentence says so (an interval that excludes 0 but does not survive the correction is called what it is).
    """
    low, high = (gain["low"], gain["high"]) if isinstance(gain, Mapping) else (gain.low, gain.high)
    p = family.p_holm(key) if family is not None else None
    if p is None or family is None:
        if low > 0:
            return "significant gain (the 95% interval excludes 0)"
        if high < 0:
            return "significant loss (the 95% interval excludes 0)"
        return "not significant"
    m = f"Holm-adjusted p={p:.3f} over the {family.size} comparisons of {family.name}"
    value = gain["value"] if isinstance(gain, Mapping) else gain.value
    if p < 0.05:
        return f"significant {'gain' if value > 0 else 'loss'} ({m})"
    if low > 0 or high < 0:
        return f"not significant after correction: the 95% interval excludes 0, but {m}"
    return f"not significant ({m})"


def choice_key(task: str, c: AlphaChoice) -> str:
    """The key of an alpha choice's gain in the page's family (unique per task, mode and data)."""
    return f"{task}: {c.mode} chosen on {c.selected_on}, reported on {c.reported_on}"


def no_fusion(c: AlphaChoice) -> bool:
    """True when the chosen alpha makes the fused system one of the single sources."""
    return (c.alpha >= 1.0 and c.baseline_name == "bert") or (
        c.alpha <= 0.0 and c.mode == "concat" and c.baseline_name == "static"
    )


def choice_sentence(c: AlphaChoice, metric: str, family: Family | None = None, key: str = "") -> str:
    """The gain of one alpha choice on its reporting data, with its interval and verdict (Holm-corrected when the
    page's ``family`` is given; ``key`` is the choice's key in it)."""
    if no_fusion(c):
        return (
            f"the selection on {c.selected_on} chose no fusion ({MODE_NAMES.get(c.mode, c.mode)} at "
            f"alpha={c.alpha:.2f} is {SOURCE_NAMES[c.baseline_name]}), so there is no fused system to test on "
            f"{c.reported_on} ({metric} {c.baseline.value:.3f})"
        )
    return (
        f"{c.gain.format(True)} {metric} on {c.reported_on} over {SOURCE_NAMES.get(c.baseline_name, c.baseline_name)} "
        f"({c.baseline.value:.3f} → {c.fused.value:.3f}), {MODE_NAMES.get(c.mode, c.mode)} with "
        f"alpha={c.alpha:.2f} chosen on {c.selected_on}: {verdict(c.gain, family, key)}"
    )


def best_mode(choices: Mapping[str, AlphaChoice]) -> str:
    """The mode whose chosen alpha scored highest on the *selection* data (never the reporting data)."""
    return max(choices, key=lambda m: max(choices[m].selection_scores.values()))


def rows_to_text(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table with aligned columns."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *[line(r) for r in rows]])


SELECTION_HEADER = ["mode", "alpha chosen on", "alpha", "reported on", "fused", "vs", "gain"]


def selection_table(choices: Sequence[AlphaChoice]) -> str:
    """Where each alpha was chosen, where it is reported, the fused score and the gain, as text."""
    rows = [
        [
            MODE_NAMES.get(c.mode, c.mode),
            c.selected_on,
            f"{c.alpha:.2f}",
            c.reported_on,
            c.fused.format(),
            c.baseline_name,
            c.gain.format(True),
        ]
        for c in choices
    ]
    return rows_to_text(SELECTION_HEADER, rows)


def selection_rows(choices: Sequence[AlphaChoice]) -> list[dict[str, Any]]:
    """The same as :func:`selection_table`, as rows for a data frame."""
    return [
        {
            "mode": MODE_NAMES.get(c.mode, c.mode),
            "alpha chosen on": c.selected_on,
            "alpha": c.alpha,
            "reported on": c.reported_on,
            "fused": round(c.fused.value, 3),
            "single source": c.baseline_name,
            "gain": round(c.gain.value, 3),
            "gain 95% low": round(c.gain.low, 3),
            "gain 95% high": round(c.gain.high, 3),
        }
        for c in choices
    ]


def to_json(reports: Sequence[Report], *, settings: Mapping[str, Any], resources: Mapping[str, str]) -> str:
    """Every score and interval of every task, with the settings, the honest sentences and the Holm family."""
    payload: dict[str, Any] = {
        "settings": dict(settings),
        "resources": dict(resources),
        "tasks": {r.task: {**r.to_dict(), "finding": r.finding()} for r in reports},
    }
    family = next((f for r in reports if (f := getattr(r, "family", None)) is not None), None)
    if family is not None:
        payload["multiple_comparisons"] = family.to_dict()
    return json.dumps(payload, indent=2, default=float)
