"""The polarity report: every row against its like-for-like baseline, averaged over fold seeds, with intervals that
resample sentences, and the finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.evaluation.multiplicity import Comparison
from embedkit.evaluation.report import MODE_NAMES, Curve, CurveSet, plain_fields, rows_to_text, verdict

if TYPE_CHECKING:
    from embedkit.evaluation.classification import CVResult, McNemar
    from embedkit.evaluation.finetune import FinetuneResult
    from embedkit.evaluation.intervals import Score
    from embedkit.evaluation.multiplicity import Family

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
#: the fine-tuning comparisons: key -> (row, baseline) in :class:`~embedkit.evaluation.finetune.FinetuneResult`
FINETUNE = {
    "finetuned_static": ("finetuned_static", "finetuned", "fine-tuned with static input minus fine-tuned without"),
    "finetuned": ("finetuned", "frozen", "fine-tuned (no static input) minus the frozen encoder with LR"),
}
POWER = "200 sentences give little power: not significant is not no effect"


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
        mcnemar: row -> McNemar's exact test against its baseline (first seed; uncorrected).
        accuracy: row -> mean out-of-fold accuracy over the seeds, 95% interval resampling sentences.
        difference: row -> its accuracy minus its baseline's, paired over sentences, with the bootstrap p-value.
        per_sentence: row -> each sentence's out-of-fold correctness averaged over the fold seeds.
        dme_weights: mean out-of-fold learned weight [bert, static] of DME (softmax), when run.
        finetune: the fine-tuning comparison, when run.
        finetune_difference: ``finetuned_static`` / ``finetuned`` -> the paired difference over sentences.
        seconds: run time.
        family: the page's Holm family, once :func:`~embedkit.evaluation.multiplicity.holm_family` has run.
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
    accuracy: dict[str, Score] = field(default_factory=dict)
    difference: dict[str, Score] = field(default_factory=dict)
    per_sentence: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    dme_weights: list[float] | None = None
    finetune: FinetuneResult | None = None
    finetune_difference: dict[str, Score] = field(default_factory=dict)
    seconds: float = 0.0
    family: Family | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        """What the task is."""
        return "Polarity"

    def attach_finetune(self, result: FinetuneResult, *, n_boot: int = 1000, seed: int = 0) -> None:
        """Add the fine-tuning arms and their paired differences over sentences (first fold seed only)."""
        from embedkit.evaluation.intervals import mean_ci

        self.finetune = result
        arms = {"finetuned_static": result.finetuned_static, "finetuned": result.finetuned, "frozen": result.frozen}
        self.finetune_difference = {
            k: mean_ci(
                arms[a].correct.astype(float) - arms[b].correct.astype(float), difference=True, n_boot=n_boot, seed=seed
            )
            for k, (a, b, _) in FINETUNE.items()
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            **plain_fields(self, "task n_sentences folds seeds alphas"),
            "baselines": {k: v for k, v in BASELINES.items() if k in self.results},
            **plain_fields(
                self,
                "results by_seed curve mcnemar accuracy difference dme_weights finetune finetune_difference seconds",
            ),
        }

    def comparisons(self) -> list[Comparison]:
        """Every row against its baseline, and the fine-tuning arms (see :mod:`embedkit.evaluation.multiplicity`)."""
        out = [
            Comparison(f"polarity: {k}", f"Polarity: {LABELS[k]} minus {LABELS[BASELINES[k]]}", d)
            for k, d in self.difference.items()
        ]
        out += [
            Comparison(f"polarity: {k}", f"Polarity: {FINETUNE[k][2]} (fold seed {self.seeds[0]})", d)
            for k, d in self.finetune_difference.items()
        ]
        return out

    def _compared(self) -> list[str]:
        return [k for k in ("concat", "weighted", "dme_softmax", "dme_sigmoid") if k in self.difference]

    def _seeds(self) -> str:
        return f"fold seeds {self.seeds[0]}–{self.seeds[-1]}" if len(self.seeds) > 1 else f"fold seed {self.seeds[0]}"

    def finetune_sentence(self) -> str:
        """What static input adds once the encoder is fine-tuned, with the paired differences and verdicts."""
        ft = self.finetune
        if ft is None:
            return ""
        parts = []
        for k, (_, _, label) in FINETUNE.items():
            d = self.finetune_difference[k]
            parts.append(f"{label} {d.format(True)} ({verdict(d, self.family, f'polarity: {k}')})")
        return (
            f"Fine-tuning the encoder ({ft.settings['folds']}-fold, the folds of seed {self.seeds[0]}, "
            f"{ft.settings['epochs']} epochs): with static input {ft.finetuned_static.accuracy:.3f}, without "
            f"{ft.finetuned.accuracy:.3f}, frozen encoder with LR {ft.frozen.accuracy:.3f}; " + "; ".join(parts) + "."
        )

    def finding(self) -> str:
        """Each fused row against its own baseline, averaged over the fold seeds, with intervals over sentences."""
        parts = []
        for k in self._compared():
            b, d = BASELINES[k], self.difference[k]
            parts.append(
                f"{LABELS[k]} {self.accuracy[k].value:.3f} vs {LABELS[b]} {self.accuracy[b].value:.3f}: "
                f"{d.format(True)}, {verdict(d, self.family, f'polarity: {k}')}"
            )
        text = (
            f"Polarity ({self.n_sentences} sentences, {self.folds}-fold CV over {self._seeds()}, each sentence's "
            "out-of-fold correctness averaged over the seeds; 95% intervals resample sentences; alpha chosen inside "
            "each training fold; each fused row against the same preprocessing without static input): contextual "
            f"alone {self.accuracy['bert'].format()}; " + "; ".join(parts) + f". {POWER}."
        )
        if self.finetune is not None:
            text += " " + self.finetune_sentence()
        return text

    def table(self) -> str:
        """Every row, the alpha curve, the DME weights and the finding, as plain text."""
        header = [
            "row",
            "vs",
            "accuracy, mean over seeds [95%]",
            "difference [95%]",
            "Holm p",
            f"McNemar p (seed {self.seeds[0]}, uncorrected)",
            "alpha per fold (first seed)",
        ]
        rows = []
        for k, r in self.results.items():
            b, t, d = BASELINES.get(k), self.mcnemar.get(k), self.difference.get(k)
            p = None if self.family is None else self.family.p_holm(f"polarity: {k}")
            rows.append(
                [
                    k,
                    b or "",
                    self.accuracy[k].format() if k in self.accuracy else f"{r.accuracy:.3f}",
                    d.format(True) if d is not None else "",
                    "" if p is None else f"{p:.3f}",
                    "" if t is None else f"{t.p_value:.3f} ({t.only_a}/{t.only_b})",
                    ",".join(f"{a:.1f}" for a in r.alphas),
                ]
            )
        curve_rows = [[f"{a:.2f}", *[f"{self.curve[m][i]:.3f}" for m in self.curve]] for i, a in enumerate(self.alphas)]
        out = [
            f"Polarity: {self.n_sentences} sentences, {self.folds}-fold CV logistic regression on mean-pooled word "
            f"vectors, {self._seeds()}; intervals resample sentences (each sentence's correctness averaged over the "
            "seeds); McNemar's exact test on the first seed (only it / only its baseline right in brackets)",
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
        """One row per system: accuracy over the seeds with its interval, its baseline, the difference."""
        out = []
        for k, r in self.results.items():
            acc, d = self.accuracy.get(k), self.difference.get(k)
            out.append(
                {
                    "row": LABELS[k],
                    "accuracy (mean over seeds)": round(acc.value if acc else r.accuracy, 3),
                    "95% low": None if acc is None else round(acc.low, 3),
                    "95% high": None if acc is None else round(acc.high, 3),
                    "compared with": LABELS.get(BASELINES.get(k, ""), ""),
                    "difference": None if d is None else round(d.value, 3),
                    "difference 95%": "" if d is None else f"[{d.low:+.3f}, {d.high:+.3f}]",
                }
            )
        return out

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
