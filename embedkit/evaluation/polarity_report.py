"""The polarity report: every row against its like-for-like baseline, the spread over fold seeds, the finding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from embedkit.evaluation.report import MODE_NAMES, Curve, CurveSet, plain_fields, rows_to_text

if TYPE_CHECKING:
    from embedkit.evaluation.classification import CVResult, McNemar
    from embedkit.evaluation.finetune import FinetuneResult

__all__ = ["BASELINES", "LABELS", "PolarityReport"]

#: each row and the row it is compared with: the same preprocessing without the static input
BASELINES = {
    "static": "bert",
    "bert_unit": "bert",
    "concat": "bert_unit",
    "weighted": "bert",
    "dme_bert": "bert",
    "dme_softmax": "dme_bert",
    "dme_sigmoid": "dme_bert",
}
LABELS = {
    "bert": "contextual alone",
    "static": "static alone",
    "bert_unit": "unit-length contextual (concatenation at alpha=1)",
    "concat": "concatenation",
    "weighted": "weighted sum",
    "dme_bert": "DME on the contextual vectors alone",
    "dme_softmax": "DME (softmax)",
    "dme_sigmoid": "DME (sigmoid)",
}
POWER = "200 sentences give McNemar little power: not significant is not no effect"


def _spread(values: list[float]) -> str:
    return f"{sum(values) / len(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def _diff(a: list[float], b: list[float]) -> str:
    d = [x - y for x, y in zip(a, b)]
    return f"{sum(d) / len(d):+.3f} ({min(d):+.3f} to {max(d):+.3f})"


@dataclass
class PolarityReport:
    """Polarity: cross-validated accuracy per row, on several fold seeds, against like-for-like baselines.

    Attributes:
        task: ``polarity``.
        n_sentences: sentences classified.
        folds: k of the k-fold cross-validation.
        seeds: the fold seeds; the first one's results are kept in full.
        alphas: the alphas of the curve and of the inner selection.
        results: row -> cross-validated result on the first fold seed.
        by_seed: row -> accuracy on each fold seed.
        curve: mode -> accuracy at each fixed alpha on the first seed's folds (every alpha scored on the test folds).
        mcnemar: row -> McNemar's exact test against its baseline (first seed).
        dme_weights: mean out-of-fold learned weight [bert, static] of DME (softmax), when run.
        finetune: the fine-tuning comparison, when run.
        seconds: run time.
    """

    task: str
    n_sentences: int
    folds: int
    seeds: list[int]
    alphas: list[float]
    results: dict[str, CVResult]
    by_seed: dict[str, list[float]]
    curve: dict[str, list[float]]
    mcnemar: dict[str, McNemar]
    dme_weights: list[float] | None = None
    finetune: FinetuneResult | None = None
    seconds: float = 0.0

    @property
    def title(self) -> str:
        """What the task is."""
        return "Polarity"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            **plain_fields(self, "task n_sentences folds seeds alphas"),
            "baselines": {k: v for k, v in BASELINES.items() if k in self.results},
            **plain_fields(self, "results by_seed curve mcnemar dme_weights finetune seconds"),
        }

    def _compared(self) -> list[str]:
        return [k for k in ("concat", "weighted", "dme_softmax", "dme_sigmoid") if k in self.results]

    def finding(self) -> str:
        """Each fused row against its own baseline, averaged over the fold seeds, with the seed spread."""
        parts = []
        for k in self._compared():
            b = BASELINES[k]
            p = self.mcnemar[k].p_value
            parts.append(
                f"{LABELS[k]} {_spread(self.by_seed[k])} vs {LABELS[b]} {_spread(self.by_seed[b])}: "
                f"{_diff(self.by_seed[k], self.by_seed[b])}, McNemar p={p:.2f} on seed {self.seeds[0]}"
            )
        seeds = f"fold seeds {self.seeds[0]}–{self.seeds[-1]}" if len(self.seeds) > 1 else f"fold seed {self.seeds[0]}"
        text = (
            f"Polarity ({self.n_sentences} sentences, {self.folds}-fold CV over {seeds}; mean (min–max) over the seeds; "
            "alpha chosen inside each training fold; each fused row against the same preprocessing without static "
            f"input): contextual alone {_spread(self.by_seed['bert'])}; " + "; ".join(parts) + f". {POWER}."
        )
        if self.finetune is not None:
            text += " " + self.finetune.sentence()
        return text

    def table(self) -> str:
        """Every row, the alpha curve, the DME weights and the finding, as plain text."""
        header = [
            "row",
            "vs",
            f"accuracy (seed {self.seeds[0]}) ± sd over folds",
            "mean over seeds (min–max)",
            "difference over seeds",
            "only it/only vs right",
            "McNemar p",
            "alpha per fold",
        ]
        rows = []
        for k, r in self.results.items():
            b, t = BASELINES.get(k), self.mcnemar.get(k)
            rows.append(
                [
                    k,
                    b or "",
                    r.format(),
                    _spread(self.by_seed[k]),
                    _diff(self.by_seed[k], self.by_seed[b]) if b else "",
                    "" if t is None else f"{t.only_a}/{t.only_b}",
                    "" if t is None else f"{t.p_value:.3f}",
                    ",".join(f"{a:.1f}" for a in r.alphas),
                ]
            )
        curve_rows = [[f"{a:.2f}", *[f"{self.curve[m][i]:.3f}" for m in self.curve]] for i, a in enumerate(self.alphas)]
        out = [
            f"Polarity: {self.n_sentences} sentences, {self.folds}-fold CV logistic regression on mean-pooled word "
            f"vectors, fold seeds {', '.join(map(str, self.seeds))}",
            rows_to_text(header, rows),
            f"Accuracy at each fixed alpha (seed {self.seeds[0]}; a curve, not a selection):",
            rows_to_text(["alpha", *[MODE_NAMES.get(m, m) for m in self.curve]], curve_rows),
        ]
        if self.dme_weights:
            w = self.dme_weights
            out.append(
                f"DME (softmax) mean learned weight per word, out of fold (seed {self.seeds[0]}): "
                f"bert {w[0]:.3f}, static {w[1]:.3f}"
            )
        if self.finetune is not None:
            out.append(self.finetune.table())
        out.append("Finding: " + self.finding())
        return "\n\n".join(out)

    def rows(self) -> list[dict[str, Any]]:
        """One row per system: accuracy, spread over seeds, its baseline, McNemar."""
        return [
            {
                "row": LABELS[k],
                f"accuracy (seed {self.seeds[0]})": round(r.accuracy, 3),
                "mean over seeds": round(sum(self.by_seed[k]) / len(self.by_seed[k]), 3),
                "min over seeds": round(min(self.by_seed[k]), 3),
                "max over seeds": round(max(self.by_seed[k]), 3),
                "compared with": LABELS.get(BASELINES.get(k, ""), ""),
                "McNemar p": None if k not in self.mcnemar else round(self.mcnemar[k].p_value, 3),
            }
            for k, r in self.results.items()
        ]

    def curves(self) -> CurveSet:
        """CV accuracy at each fixed alpha (no intervals; the rows choose alpha inside the folds)."""
        curves = [Curve(m, self.alphas, v) for m, v in self.curve.items()]
        return CurveSet(
            "CV accuracy",
            curves,
            {"bert": self.results["bert"].accuracy, "static": self.results["static"].accuracy},
            f"The curve scores every alpha on the test folds of seed {self.seeds[0]}; the table's fused rows choose "
            f"alpha inside each training fold. {POWER}.",
        )
