"""Reports of the word-level tasks (similarity, analogies): every score, where alpha was chosen, the finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from embedkit.evaluation.multiplicity import Comparison
from embedkit.evaluation.report import (
    MODE_NAMES,
    SOURCE_NAMES,
    Curve,
    CurveSet,
    best_mode,
    choice_key,
    choice_sentence,
    no_fusion,
    plain_fields,
    rows_to_text,
    selection_rows,
    selection_table,
)
from embedkit.evaluation.similarity import fused_key

if TYPE_CHECKING:
    from embedkit.evaluation.analogy import AnalogyResult
    from embedkit.evaluation.multiplicity import Family
    from embedkit.evaluation.selection import AlphaChoice
    from embedkit.evaluation.similarity import SimilarityResult


def choice_comparisons(task: str, title: str, choices: list[AlphaChoice]) -> list[Comparison]:
    """The gains of the alpha choices that chose a fused system (a choice of no fusion is no test)."""
    return [
        Comparison(
            choice_key(task, c),
            f"{title}: {MODE_NAMES.get(c.mode, c.mode)} (alpha {c.alpha:.2f}, chosen on {c.selected_on}) minus "
            f"{SOURCE_NAMES.get(c.baseline_name, c.baseline_name)}, on {c.reported_on}",
            c.gain,
        )
        for c in choices
        if not no_fusion(c)
    ]


__all__ = ["AnalogyReport", "SimilarityReport"]


@dataclass
class SimilarityReport:
    """One word-pair set: scores in every space, and alpha chosen elsewhere.

    Attributes:
        task: ``simlex`` or ``wordsim``.
        result: scores over alpha on the full set (the curve; not a selection).
        cross: per mode, alpha chosen on the other pair set and reported here.
        split: per mode, alpha chosen on the pairs of a random half of this set's words and reported on the pairs
            of the other half.
        split_left_out: pairs whose two words fell in different halves (in neither split part).
        shared_words: words this set shares with the other set (the cross rows' selection data).
        other_name: the other set's name.
        seconds: run time.
        family: the page's Holm family, once :func:`~embedkit.evaluation.multiplicity.holm_family` has run.
    """

    task: str
    result: SimilarityResult
    cross: dict[str, AlphaChoice]
    split: dict[str, AlphaChoice]
    split_left_out: int = 0
    shared_words: int = 0
    other_name: str = ""
    seconds: float = 0.0
    family: Family | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        """The data set's name."""
        return self.result.dataset

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return plain_fields(self, "task result cross split split_left_out shared_words other_name seconds")

    def comparisons(self) -> list[Comparison]:
        """The gains this report states a verdict for (see :mod:`embedkit.evaluation.multiplicity`)."""
        return choice_comparisons(self.task, self.title, [*self.cross.values(), *self.split.values()])

    def _sentence(self, c: AlphaChoice) -> str:
        return choice_sentence(c, "Spearman", self.family, choice_key(self.task, c))

    def units_note(self) -> str:
        """Which resampling units the selection and reporting data share."""
        r = self.result
        return (
            f"The split halves share no word ({self.split_left_out} of {r.n_pairs} pairs straddle them and are left "
            f"out); the cross rows' {self.other_name or 'other set'} shares {self.shared_words} words with "
            f"{self.title}, so there selection and reporting units overlap."
        )

    def finding(self) -> str:
        """The cross-set choice, then the within-set split row; both measured where alpha was not chosen."""
        cross = self._sentence(self.cross[best_mode(self.cross)])
        split = self._sentence(self.split[best_mode(self.split)])
        return f"{cross[0].upper()}{cross[1:]}. Within {self.title}: {split}. {self.units_note()}"

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
                self.units_note(),
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
        left_out: answered questions whose two word pairs fell in different halves (in neither half).
        seconds: run time.
        family: the page's Holm family, once :func:`~embedkit.evaluation.multiplicity.holm_family` has run.
    """

    task: str
    result: AnalogyResult
    alphas: list[float]
    choice: dict[str, AlphaChoice]
    left_out: int = 0
    seconds: float = 0.0
    family: Family | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        """What the task is."""
        return "Google analogies"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return plain_fields(self, "task result alphas choice left_out seconds")

    def comparisons(self) -> list[Comparison]:
        """The gains this report states a verdict for."""
        return choice_comparisons(self.task, self.title, list(self.choice.values()))

    def caveats(self) -> str:
        """What the analogy numbers do and do not measure."""
        r = self.result
        return (
            f"The contextual model is a sentence encoder fed single words; {r.n_answered / r.n_questions:.0%} of the "
            f"questions ({r.n_answered:,} of {r.n_questions:,}) are answerable in the {r.restrict:,}-word vocabulary; "
            "concatenation at alpha=0.5 averages the two spaces' cosines (each half has unit length); intervals "
            f"resample the {r.n_pairs:,} word pairs the questions are built from; the halves are split by word pairs "
            f"and share none ({self.left_out:,} questions built from one pair of each half are left out), though a "
            "word can occur in pairs of both halves."
        )

    def finding(self) -> str:
        """The gain on the reporting half, then the caveats."""
        c = self.choice[best_mode(self.choice)]
        s = choice_sentence(c, "accuracy", self.family, choice_key(self.task, c))
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
