"""Reports of the word-level tasks (similarity, analogies): every score, where alpha was chosen, the finding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from embedkit.evaluation.report import (
    MODE_NAMES,
    Curve,
    CurveSet,
    best_mode,
    choice_sentence,
    plain_fields,
    rows_to_text,
    selection_rows,
    selection_table,
)
from embedkit.evaluation.similarity import fused_key

if TYPE_CHECKING:
    from embedkit.evaluation.analogy import AnalogyResult
    from embedkit.evaluation.selection import AlphaChoice
    from embedkit.evaluation.similarity import SimilarityResult

__all__ = ["AnalogyReport", "SimilarityReport"]


@dataclass
class SimilarityReport:
    """One word-pair set: scores in every space, and alpha chosen elsewhere.

    Attributes:
        task: ``simlex`` or ``wordsim``.
        result: scores over alpha on the full set (the curve; not a selection).
        cross: per mode, alpha chosen on the other pair set and reported here.
        split: per mode, alpha chosen on a random half of this set and reported on the other half.
        seconds: run time.
    """

    task: str
    result: SimilarityResult
    cross: dict[str, AlphaChoice]
    split: dict[str, AlphaChoice]
    seconds: float = 0.0

    @property
    def title(self) -> str:
        """The data set's name."""
        return self.result.dataset

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return plain_fields(self, "task result cross split seconds")

    def finding(self) -> str:
        """The cross-set choice, then the within-set split row; both measured where alpha was not chosen."""
        cross = choice_sentence(self.cross[best_mode(self.cross)], "Spearman")
        split = choice_sentence(self.split[best_mode(self.split)], "Spearman")
        return f"{cross[0].upper()}{cross[1:]}. Within {self.title}: {split}."

    def table(self) -> str:
        """Every score as plain text, then the selection rows and the finding."""
        r = self.result
        modes = list(r.fused)
        rows = [
            ["bert", "", r.bert.format()] + [""] * (len(modes) - 1),
            ["static", "", r.static.format()] + [""] * (len(modes) - 1),
        ]
        rows += [["fused", f"{a:.2f}", *[r.fused[m][i].format() for m in modes]] for i, a in enumerate(r.alphas)]
        return "\n\n".join(
            [
                f"{r.dataset}: Spearman with bootstrap 95% interval (resampling its {r.n_words:,} words), "
                f"{r.n_scored}/{r.n_pairs} pairs (OOV ratio {r.oov_ratio:.3f})",
                rows_to_text(["space", "alpha", *[MODE_NAMES.get(m, m) for m in modes]], rows),
                "(the curve above scores every alpha on the same pairs; it is not a selection)",
                selection_table([*self.cross.values(), *self.split.values()]),
                "Finding: " + self.finding(),
            ]
        )

    def rows(self) -> list[dict[str, Any]]:
        """One row per honest selection."""
        return selection_rows([*self.cross.values(), *self.split.values()])

    def curves(self) -> CurveSet:
        """Spearman against alpha with intervals; the star is the alpha chosen on the other pair set."""
        r = self.result
        curves = [Curve.of(m, r.alphas, sc, self.cross[m].alpha) for m, sc in r.fused.items()]
        return CurveSet(
            "Spearman",
            curves,
            {"bert": r.bert.value, "static": r.static.value},
            "★ the alpha chosen on the other pair set; the curve itself scores every alpha on these pairs and is not "
            "a selection. Bands: 95% intervals resampling words (pairs share words).",
        )


@dataclass
class AnalogyReport:
    """Analogies: accuracy per space, and alpha chosen on half the questions, reported on the other half.

    Attributes:
        task: ``analogy``.
        result: accuracy of every space on all answered questions (the curve).
        alphas: the alphas of the curve.
        choice: per mode, the alpha chosen on the selection half and its scores on the reporting half.
        seconds: run time.
    """

    task: str
    result: AnalogyResult
    alphas: list[float]
    choice: dict[str, AlphaChoice]
    seconds: float = 0.0

    @property
    def title(self) -> str:
        """What the task is."""
        return "Google analogies"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return plain_fields(self, "task result alphas choice seconds")

    def caveats(self) -> str:
        """What the analogy numbers do and do not measure."""
        r = self.result
        return (
            f"The contextual model is a sentence encoder fed single words; {r.n_answered / r.n_questions:.0%} of the "
            f"questions ({r.n_answered:,} of {r.n_questions:,}) are answerable in the {r.restrict:,}-word vocabulary; "
            "concatenation at alpha=0.5 averages the two spaces' cosines (each half has unit length); intervals "
            f"resample the {r.n_pairs:,} word pairs the questions are built from."
        )

    def finding(self) -> str:
        """The gain on the reporting half, then the caveats."""
        s = choice_sentence(self.choice[best_mode(self.choice)], "accuracy")
        return f"{s[0].upper()}{s[1:]}. {self.caveats()}"

    def table(self) -> str:
        """Every space's accuracy, the selection rows and the finding, as plain text."""
        r = self.result
        return "\n\n".join(
            [
                f"Google analogies (3CosAdd), vocabulary = first {r.restrict:,} static words: "
                f"{r.n_answered:,} of {r.n_questions:,} questions answered; 95% intervals resample word pairs",
                rows_to_text(["space", "accuracy"], [[k, v.format()] for k, v in r.accuracy.items()]),
                selection_table(list(self.choice.values())),
                "Finding: " + self.finding(),
            ]
        )

    def rows(self) -> list[dict[str, Any]]:
        """One row per honest selection."""
        return selection_rows(list(self.choice.values()))

    def curves(self) -> CurveSet:
        """Accuracy against alpha with intervals; the star is the alpha chosen on the selection half."""
        acc = self.result.accuracy
        curves = [
            Curve.of(m, self.alphas, [acc[fused_key(m, a)] for a in self.alphas], c.alpha)
            for m, c in self.choice.items()
        ]
        return CurveSet(
            "accuracy",
            curves,
            {"bert": acc["bert"].value, "static": acc["static"].value},
            "★ the alpha chosen on half of the questions; the curve scores every alpha on all of them. "
            "Bands: 95% intervals resampling word pairs (questions reuse pairs).",
        )
