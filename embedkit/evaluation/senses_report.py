"""The senses report: every space on the held-out lemmas, the option chosen on the others, and the evidence
sentence the app shows for its default encoder options."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from embedkit.evaluation.multiplicity import Comparison
from embedkit.evaluation.report import (
    MODE_NAMES,
    Curve,
    CurveSet,
    choice_key,
    choice_sentence,
    plain_fields,
    rows_to_text,
    verdict,
)
from embedkit.evaluation.sense_grid import DEFAULT_OPTION, POOLINGS, EncoderOption, layer_choices
from embedkit.evaluation.similarity_analogy_report import choice_comparisons
from embedkit.postprocess import Postprocess

if TYPE_CHECKING:
    from embedkit.evaluation.intervals import Score
    from embedkit.evaluation.multiplicity import Family
    from embedkit.evaluation.selection import AlphaChoice

#: the key of "chosen options minus the defaults" in the page's Holm family
OPTION_KEY = "senses: chosen encoder options minus the defaults"
#: options within this of the chosen one on the selection lemmas are named as near ties
NEAR = 0.005

__all__ = ["SensesReport"]

ROW_LABELS = {
    "static": "static (one vector per word)",
    "bert_default": "bert, default options",
    "bert": "bert, chosen options",
    "concat": "fused: concatenation",
    "weighted": "fused: weighted sum",
}
METRIC_LABELS = {"accuracy": "NN sense accuracy", "ari": "cluster agreement (ARI)", "gap": "same − cross cosine"}


@dataclass
class SensesReport:
    """Senses: the chosen encoder option and alphas (selection lemmas) and every score on the reporting lemmas.

    Attributes:
        task: ``senses``.
        note: which lemmas were used.
        n_occurrences, n_groups: occurrences (one lemma in one sentence) and (lemma, pos) groups scored.
        n_sentences: distinct sentences the occurrences sit in.
        shared_sentences: sentences with occurrences of two lemma strings (shared between units).
        n_lemmas: lemma strings in the (selection, reporting) halves.
        n_layers: the model's transformer layers.
        selection_scores: option key -> mean NN sense accuracy on the selection lemmas (the whole grid).
        options: option key -> option.
        chosen: the option chosen on the selection lemmas.
        scores: space -> metric -> score on the reporting lemmas (lemmas resampled).
        tie_baseline: the chance / tie baseline of the reporting lemmas.
        static_is_tie: the static space scored exactly the tie baseline on every lemma.
        gain_over_default: chosen minus default options, paired, on the reporting lemmas.
        alphas: the fusion weights scored.
        fused: per mode, alpha chosen on the selection lemmas and reported on the others.
        curve: per mode, the reporting lemmas' NN accuracy at every alpha.
        n_selected_occurrences: occurrences in the selection half.
        encode_seconds, seconds: time to encode everything once, and the whole task.
        family: the page's Holm family, once :func:`~embedkit.evaluation.multiplicity.holm_family` has run.
    """

    task: str
    note: str
    n_occurrences: int
    n_sentences: int
    shared_sentences: int
    n_groups: int
    n_lemmas: tuple[int, int]
    n_layers: int
    selection_scores: dict[str, float]
    options: dict[str, EncoderOption]
    chosen: EncoderOption
    scores: dict[str, dict[str, Score]]
    tie_baseline: Score
    static_is_tie: bool
    gain_over_default: Score
    alphas: list[float]
    fused: dict[str, AlphaChoice]
    curve: dict[str, list[Score]]
    n_selected_occurrences: int = 0
    encode_seconds: float = 0.0
    seconds: float = 0.0
    family: Family | None = field(default=None, repr=False)

    #: what the task is
    title: ClassVar[str] = "WordNet senses"

    def near_ties(self) -> int:
        """Other options that scored within :data:`NEAR` of the chosen one on the selection lemmas."""
        best = self.selection_scores[self.chosen.key()]
        return sum(1 for k, v in self.selection_scores.items() if k != self.chosen.key() and v >= best - NEAR)

    def option_significant(self) -> bool:
        """Whether the chosen options beat the defaults on the held-out lemmas (Holm-corrected when a family is set)."""
        if self.chosen == DEFAULT_OPTION:
            return False
        if self.family is not None and self.family.p_holm(OPTION_KEY) is not None:
            return self.family.significant(OPTION_KEY)
        return self.gain_over_default.low > 0

    def why(self) -> str:
        """The evidence for the chosen options, measured on lemmas they were not chosen on (the app's caption)."""
        acc, base = self.scores["bert"]["accuracy"], self.scores["bert_default"]["accuracy"]
        chosen = f"{self.chosen.describe().capitalize()}, chosen on {self.n_lemmas[0]:,} WordNet lemmas"
        held = f"{self.n_lemmas[1]:,} held-out lemmas"
        tie = f"tie baseline {self.tie_baseline.value:.3f}"
        if self.chosen == DEFAULT_OPTION:
            return (
                f"{chosen} (the defaults won there): nearest-neighbour sense accuracy {acc.format()} on {held} ({tie})."
            )
        near = self.near_ties()
        close = f"; {near} other options scored within {NEAR} of it there" if near else ""
        claim = "separates senses better than" if self.option_significant() else "not significantly better than"
        return (
            f"{chosen}{close}. On {held}: {claim} {DEFAULT_OPTION.describe()} "
            f"(nearest-neighbour sense accuracy {acc.format()} vs {base.format()}, {tie}; difference "
            f"{self.gain_over_default.format(True)}, {verdict(self.gain_over_default, self.family, OPTION_KEY)})."
        )

    def comparisons(self) -> list[Comparison]:
        """The differences this report states a verdict for: chosen options over the defaults, fusion's gains."""
        out = []
        if self.chosen != DEFAULT_OPTION:
            label = f"WordNet senses: {self.chosen.key()} minus {DEFAULT_OPTION.key()} (NN accuracy, held-out lemmas)"
            out.append(Comparison(OPTION_KEY, label, self.gain_over_default))
        return out + choice_comparisons(self.task, self.title, list(self.fused.values()))

    def encoder_choice(self) -> dict[str, Any]:
        """The contents of ``embedkit/data/encoder_choice.json`` (see :func:`embedkit.defaults.bundled_encoder_choice`)."""
        return {
            "layers": self.chosen.layers,
            "pooling": self.chosen.pooling,
            "postprocess": self.chosen.postprocess,
            "why": self.why(),
            "significant": self.option_significant(),
            "accuracy": self.scores["bert"]["accuracy"].to_dict(),
            "default_accuracy": self.scores["bert_default"]["accuracy"].to_dict(),
            "difference": self.gain_over_default.to_dict(),
            "tie_baseline": self.tie_baseline.to_dict(),
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            **plain_fields(
                self, "task note n_occurrences n_sentences shared_sentences n_groups n_lemmas n_layers selection_scores"
            ),
            "chosen": self.chosen.key(),
            **plain_fields(self, "scores tie_baseline static_is_tie gain_over_default alphas fused curve"),
            "encoder_choice": self.encoder_choice(),
            **plain_fields(self, "encode_seconds seconds"),
        }

    def finding(self) -> str:
        """The chosen options' evidence, what fusion adds, and the static space's check."""
        fused = "; ".join(
            choice_sentence(c, "NN sense accuracy", self.family, choice_key(self.task, c)) for c in self.fused.values()
        )
        static = self.scores["static"]["accuracy"].value
        tie = "exactly the tie baseline" if self.static_is_tie else "NOT the tie baseline (a bug)"
        return (
            f"{self.why()} Fusion: {fused}. Every occurrence of a word gets the same static vector, so fusion adds no "
            f"sense information (and concatenation cannot even change which occurrence is nearest). The static space "
            f"scores {static:.3f}, {tie}."
        )

    def _grid_table(self) -> str:
        c = self.chosen
        posts = [p.value for p in Postprocess]
        rows = [
            [layer, *[f"{self.selection_scores[EncoderOption(layer, c.pooling, p).key()]:.3f}" for p in posts]]
            for layer in layer_choices(self.n_layers)
        ]
        pool_rows = [
            [p, f"{self.selection_scores[EncoderOption(c.layers, p, c.postprocess).key()]:.3f}"] for p in POOLINGS
        ]
        return "\n\n".join(
            [
                f"Selection lemmas ({self.n_lemmas[0]:,}): NN sense accuracy by layer and post-processing "
                f"({c.pooling} pooling); chosen: {c.key()}",
                rows_to_text(["layers", *posts], rows),
                f"by pooling ({c.layers}, {c.postprocess}):",
                rows_to_text(["pooling", "accuracy"], pool_rows),
            ]
        )

    def table(self) -> str:
        """Every score on the reporting lemmas, the selection grid, the fused selection and the finding."""
        metrics = list(METRIC_LABELS)
        rows = [[ROW_LABELS.get(k, k), *[v[m].format() for m in metrics]] for k, v in self.scores.items()]
        rows.append(["tie baseline (chance)", self.tie_baseline.format(), "0", ""])
        sel = [
            [MODE_NAMES.get(m, m), f"{c.alpha:.2f}", c.fused.format(), c.baseline_name, c.gain.format(True)]
            for m, c in self.fused.items()
        ]
        curve = [[f"{a:.2f}", *[self.curve[m][i].format() for m in self.curve]] for i, a in enumerate(self.alphas)]
        return "\n\n".join(
            [
                f"WordNet senses: {self.n_occurrences:,} sense-labelled occurrences (a lemma in a sentence) in "
                f"{self.n_sentences:,} distinct example sentences, of {self.n_groups:,} (lemma, part of speech) groups "
                f"({self.note}); options and alpha chosen on {self.n_lemmas[0]:,} lemmas, reported on the other "
                f"{self.n_lemmas[1]:,} with 95% intervals resampling lemmas. The split and the resampling unit is the "
                f"lemma string; {self.shared_sentences} sentences hold occurrences of two lemmas and so are shared "
                "between units.",
                rows_to_text(["space", *[METRIC_LABELS[m] for m in metrics]], rows),
                self._grid_table(),
                rows_to_text(["mode", "alpha (selection lemmas)", "fused", "vs", "gain"], sel),
                "NN sense accuracy of the reporting lemmas at each alpha (a curve, not a selection):",
                rows_to_text(["alpha", *[MODE_NAMES.get(m, m) for m in self.curve]], curve),
                "Finding: " + self.finding(),
            ]
        )

    def rows(self) -> list[dict[str, Any]]:
        """One row per space: each metric with its interval on the reporting lemmas."""
        out = []
        for k, v in self.scores.items():
            row: dict[str, Any] = {"space": ROW_LABELS.get(k, k)}
            for m, label in METRIC_LABELS.items():
                row[label] = round(v[m].value, 3)
                row[f"{label} 95%"] = f"[{v[m].low:.3f}, {v[m].high:.3f}]"
            out.append(row)
        return out

    def curves(self) -> CurveSet:
        """NN sense accuracy of the reporting lemmas against alpha; the star is the alpha chosen on the others."""
        curves = [Curve.of(m, self.alphas, v, self.fused[m].alpha) for m, v in self.curve.items()]
        return CurveSet(
            "NN sense accuracy",
            curves,
            {"bert": self.scores["bert"]["accuracy"].value, "static": self.scores["static"]["accuracy"].value},
            f"Held-out lemmas; ★ alpha chosen on the selection lemmas. Static = the tie baseline "
            f"({self.tie_baseline.value:.3f}). Contextual vectors: {self.chosen.describe()}.",
        )
