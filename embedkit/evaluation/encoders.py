"""Two contextual encoders compared on the same data: WordNet senses and word similarity, contextual vectors only.

Each encoder is scored under the same encoder options (layer, pooling, post-processing; by default the encoders'
plain defaults and the app's setting). Senses: the tie-aware nearest-neighbour sense accuracy per lemma group, on
the *same* lemmas for both encoders -- the senses task's held-out lemmas, so the app's setting, chosen on the other
lemmas with the bundled encoder, is measured where it was not chosen. Word similarity: Spearman on every pair of
SimLex-999 and WordSim-353, each word encoded alone. Every difference is paired (one encoder minus the other on the
same resamples of lemmas or words) and gets a bootstrap p-value for the page's Holm family.

Nothing here chooses anything: no option and no alpha is selected on the data reported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.evaluation.intervals import Score, mean_ci
from embedkit.evaluation.multiplicity import Comparison
from embedkit.evaluation.report import CurveSet, plain, rows_to_text, verdict

if TYPE_CHECKING:
    from embedkit.evaluation.datasets import WordPairs
    from embedkit.evaluation.multiplicity import Family
    from embedkit.evaluation.sense_data import SenseOccurrences
    from embedkit.evaluation.sense_grid import EncoderOption
    from embedkit.evaluation.settings import StageProgress

__all__ = ["EncoderComparison", "compare_encoders", "senses_by_encoder", "similarity_by_encoder"]

logger = logging.getLogger(__name__)

TASK_NAMES = {"senses": "WordNet senses (NN sense accuracy)", "simlex": "SimLex-999", "wordsim": "WordSim-353"}


def senses_by_encoder(
    model: str | None, occ: SenseOccurrences, options: Sequence[EncoderOption], *, progress: Any = None
) -> dict[str, np.ndarray]:
    """Per option key, the per-group nearest-neighbour sense accuracy of ``model`` (one encoding pass)."""
    from embedkit.contextual import ContextualEncoder
    from embedkit.evaluation.sense_grid import build_sense_grid
    from embedkit.evaluation.senses import group_accuracy

    grid = build_sense_grid(ContextualEncoder(model), occ, progress=progress, options=options)
    return {o.key(): group_accuracy(grid.vectors(o), occ) for o in options}


def similarity_by_encoder(
    model: str | None, words: Sequence[str], options: Sequence[EncoderOption]
) -> dict[str, np.ndarray]:
    """Per option key, ``model``'s vectors of ``words``, each encoded alone (rows in the order of ``words``)."""
    from embedkit.contextual import ContextualEncoder
    from embedkit.postprocess import PostprocessedEncoder

    out = {}
    for o in options:
        encoder = ContextualEncoder(model, layers=o.layers, pooling=o.pooling)
        if o.postprocess != "none":
            encoder = PostprocessedEncoder(encoder, o.postprocess)
        out[o.key()] = encoder.encode_words(list(words))
    return out


@dataclass
class EncoderComparison:
    """Every encoder under every option on the same lemmas and word pairs, and each one minus the first.

    Attributes:
        task: ``encoders``.
        names: the encoders' display names; the first is the reference the others are compared with.
        options: option key -> what it is, for people.
        scores: task (``senses``, ``simlex``, ``wordsim``) -> option key -> encoder name -> score with interval.
        differences: task -> option key -> encoder name (not the first) -> that encoder minus the first (paired).
        n_lemmas, n_groups, n_occurrences: the senses data (the same for every encoder).
        note: which lemmas.
        seconds: encoder name -> time to encode everything it needed.
        family: the page's Holm family, once :func:`~embedkit.evaluation.multiplicity.holm_family` has run.
    """

    task: str
    names: list[str]
    options: dict[str, str]
    scores: dict[str, dict[str, dict[str, Score]]]
    differences: dict[str, dict[str, dict[str, Score]]]
    n_lemmas: int
    n_groups: int
    n_occurrences: int
    note: str
    seconds: dict[str, float] = field(default_factory=dict)
    family: Family | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        """What the section is."""
        return f"{' vs '.join(reversed(self.names))}"

    @staticmethod
    def key(task: str, option: str, name: str) -> str:
        """The key of one difference in the page's Holm family."""
        return f"encoders: {name} minus the reference, {task}, {option}"

    def comparisons(self) -> list[Comparison]:
        """Each encoder minus the first, per task and option."""
        ref = self.names[0]
        return [
            Comparison(self.key(task, option, name), f"{TASK_NAMES[task]}: {name} minus {ref}, options {option}", score)
            for task, by_option in self.differences.items()
            for option, by_name in by_option.items()
            for name, score in by_name.items()
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {k: plain(getattr(self, k)) for k in ("task", "names", "options", "scores", "differences")} | {
            "n_lemmas": self.n_lemmas,
            "n_groups": self.n_groups,
            "n_occurrences": self.n_occurrences,
            "note": self.note,
        }

    def finding(self) -> str:
        """Each other encoder against the reference, per task, under each option."""
        ref = self.names[0]
        parts = []
        for task, by_option in self.differences.items():
            for option, by_name in by_option.items():
                for name, d in by_name.items():
                    a, b = self.scores[task][option][name], self.scores[task][option][ref]
                    parts.append(
                        f"{TASK_NAMES[task]} with {self.options[option]}: {name} {a.value:.3f} vs {ref} {b.value:.3f}, "
                        f"difference {d.format(True)} ({verdict(d, self.family, self.key(task, option, name))})"
                    )
        return (
            f"Contextual vectors only, the same encoder options for both, on the same {self.n_lemmas:,} lemmas "
            f"({self.note}) and every word pair: " + "; ".join(parts) + "."
        )

    def table(self) -> str:
        """Scores per task and option, then the paired differences and the finding."""
        ref = self.names[0]
        header = ["task", "options", *self.names, *[f"{n} − {ref}" for n in self.names[1:]]]
        rows = []
        for task, by_option in self.scores.items():
            for option, by_name in by_option.items():
                diffs = self.differences[task][option]
                rows.append(
                    [
                        TASK_NAMES[task],
                        option,
                        *[by_name[n].format() for n in self.names],
                        *[diffs[n].format(True) for n in self.names[1:]],
                    ]
                )
        return "\n\n".join(
            [
                f"Encoders compared on {self.n_occurrences:,} sense-labelled occurrences of {self.n_groups:,} groups "
                f"({self.n_lemmas:,} lemmas: {self.note}) and on every SimLex-999 / WordSim-353 pair; 95% intervals "
                "resample lemmas (senses) or words (similarity); differences are paired",
                "Options: " + "; ".join(f"{k} = {v}" for k, v in self.options.items()),
                rows_to_text(header, rows),
                "Finding: " + self.finding(),
            ]
        )

    def rows(self) -> list[dict[str, Any]]:
        """One row per task, option and encoder."""
        return [
            {"task": TASK_NAMES[t], "options": o, "encoder": n, "score": round(s.value, 3), "95%": s.format()}
            for t, by_option in self.scores.items()
            for o, by_name in by_option.items()
            for n, s in by_name.items()
        ]

    def curves(self) -> CurveSet:
        """No alpha here: an empty chart set."""
        return CurveSet("score", [], {}, "Encoders are compared without fusion.")


def compare_encoders(
    models: Mapping[str, str | None],
    options: Sequence[EncoderOption],
    occ: SenseOccurrences,
    pairs: Mapping[str, WordPairs],
    *,
    n_boot: int = 1000,
    seed: int = 0,
    progress: StageProgress | None = None,
) -> EncoderComparison:
    """Score every encoder under every option on the same senses data and word pairs.

    Args:
        models: display name -> model (None = the bundled one, else a folder or id); the first is the reference.
        options: the encoder options every encoder is scored under.
        occ: the senses data (every group is scored; pass the held-out lemmas).
        pairs: task name (``simlex``, ``wordsim``) -> its pairs.
        n_boot: bootstrap resamples (the same resamples for every encoder, so differences are paired).
        seed: bootstrap seed.
        progress: ``progress(stage, done, total)``.

    Raises:
        ValueError: fewer than two encoders.
    """
    from embedkit.evaluation.similarity import spearman_ci, spearman_diff_ci, word_units

    if len(models) < 2:
        raise ValueError(f"need two or more encoders to compare, got {len(models)}")
    names = list(models)
    words = sorted({w for p in pairs.values() for w in p.words()})
    row = {w: i for i, w in enumerate(words)}
    senses: dict[str, dict[str, np.ndarray]] = {}
    vectors: dict[str, dict[str, np.ndarray]] = {}
    seconds: dict[str, float] = {}
    for name, model in models.items():
        t0 = time.perf_counter()
        cb = None if progress is None else (lambda d, t, n=name: progress(f"{n}: encoding WordNet examples", d, t))
        senses[name] = senses_by_encoder(model, occ, options, progress=cb)
        vectors[name] = similarity_by_encoder(model, words, options)
        seconds[name] = time.perf_counter() - t0
        logger.info("encoder %s: %.0f s", name, seconds[name])
    ref = names[0]
    kw: dict[str, Any] = {"n_boot": n_boot, "seed": seed}
    scores: dict[str, dict[str, dict[str, Score]]] = {"senses": {}}
    diffs: dict[str, dict[str, dict[str, Score]]] = {"senses": {}}
    for o in options:
        k = o.key()
        ok = np.all([~np.isnan(senses[n][k]) for n in names], axis=0)
        units = occ.unit[ok]
        scores["senses"][k] = {n: mean_ci(senses[n][k][ok], units, **kw) for n in names}
        diffs["senses"][k] = {
            n: mean_ci(senses[n][k][ok] - senses[ref][k][ok], units, difference=True, **kw) for n in names[1:]
        }
    for task, p in pairs.items():
        scores[task], diffs[task] = {}, {}
        units = word_units(p)
        i1, i2 = [row[w] for w in p.word1], [row[w] for w in p.word2]
        for o in options:
            k = o.key()
            pred = {n: _cosines(vectors[n][k], i1, i2) for n in names}
            scores[task][k] = {n: spearman_ci(pred[n], p.gold, units=units, **kw) for n in names}
            diffs[task][k] = {n: spearman_diff_ci(pred[n], pred[ref], p.gold, units=units, **kw) for n in names[1:]}
    return EncoderComparison(
        "encoders",
        names,
        {o.key(): o.describe() for o in options},
        scores,
        diffs,
        n_lemmas=occ.n_units,
        n_groups=occ.n_groups,
        n_occurrences=len(occ),
        note=occ.note,
        seconds=seconds,
    )


def _cosines(X: np.ndarray, i: Sequence[int], j: Sequence[int]) -> np.ndarray:
    from embedkit.evaluation.similarity import cosine_rows

    return cosine_rows(X[np.asarray(i)], X[np.asarray(j)])
