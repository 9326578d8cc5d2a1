"""Word analogies ``a : b :: c : ?`` (3CosAdd, as gensim's ``evaluate_word_analogies``).

The answer is the vocabulary word closest to ``b - a + c`` (unit vectors, cosine), excluding ``a``, ``b``
and ``c``. The vocabulary is the first ``restrict`` static words (30k by default, as gensim's
``restrict_vocab``); questions with a word outside it are skipped and counted, never silently scored.

Questions are not independent: each is built from two word pairs (``a:b`` and ``c:d``) and every pair of a section
is reused in many questions. Intervals therefore resample word pairs (a question counts ``m(a:b) * m(c:d)`` times,
see :mod:`embedkit.evaluation.intervals`), not questions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.cosine import normalize_rows
from embedkit.evaluation.datasets import AnalogySet
from embedkit.evaluation.intervals import Score, mean_ci, unit_ids
from embedkit.evaluation.report import plain_fields

if TYPE_CHECKING:
    from embedkit.evaluation.selection import AlphaChoice

__all__ = [
    "AnalogyResult",
    "answer_analogies",
    "evaluate_analogies",
    "pair_halves",
    "pair_units",
    "select_alpha_on_halves",
    "usable_questions",
]

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


def usable_questions(questions: AnalogySet, vocab: dict[str, int]) -> np.ndarray:
    """Bool mask of the questions whose four words are all in ``vocab``."""
    q = questions.questions
    return np.fromiter((all(w in vocab for w in row) for row in q), dtype=bool, count=len(q))


def answer_analogies(
    vectors: np.ndarray,
    rows: np.ndarray,
    *,
    batch_size: int = 512,
    progress: Progress | None = None,
) -> np.ndarray:
    """For each question (rows ``(n, 4)`` of vocabulary indices), whether 3CosAdd finds the fourth word.

    Args:
        vectors: ``(V, d)`` vectors of the vocabulary.
        rows: vocabulary indices of a, b, c, d per question.
        batch_size: questions per matrix product.
        progress: ``progress(done, total)``.

    Returns:
        Bool per question.
    """
    unit = normalize_rows(np.asarray(vectors, dtype=np.float32))
    rows = np.asarray(rows, dtype=np.int64)
    correct = np.zeros(len(rows), dtype=bool)
    for start in range(0, len(rows), batch_size):
        r = rows[start : start + batch_size]
        target = unit[r[:, 1]] - unit[r[:, 0]] + unit[r[:, 2]]
        sims = target @ unit.T
        ar = np.arange(len(r))
        for col in range(3):
            sims[ar, r[:, col]] = -np.inf
        correct[start : start + len(r)] = sims.argmax(axis=1) == r[:, 3]
        if progress is not None:
            progress(min(start + batch_size, len(rows)), len(rows))
    return correct


def pair_units(questions: np.ndarray) -> np.ndarray:
    """The resampling units of analogy questions ``(n, 4)``: the ids of the pairs ``a:b`` and ``c:d`` ``(n, 2)``."""
    q = np.asarray(questions, dtype=object)
    return unit_ids([(a, b) for a, b in q[:, :2]], [(c, d) for c, d in q[:, 2:]])


@dataclass
class AnalogyResult:
    """Analogy accuracy in every space.

    Attributes:
        n_questions: questions in the file.
        n_answered: questions whose four words are in the restricted vocabulary.
        restrict: vocabulary size.
        accuracy: space key (``bert``, ``static``, ``concat@0.5``...) -> accuracy with interval (word pairs
            resampled).
        correct: space key -> correctness per answered question.
        sections: section name per answered question.
        units: the two word-pair ids of each answered question (the resampling units).
    """

    n_questions: int
    n_answered: int
    restrict: int
    accuracy: dict[str, Score]
    correct: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    sections: tuple[str, ...] = field(default=(), repr=False)
    units: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int64), repr=False)

    @property
    def n_pairs(self) -> int:
        """Distinct word pairs of the answered questions."""
        return int(self.units.max()) + 1 if self.units.size else 0

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return plain_fields(self, "n_questions n_answered n_pairs restrict accuracy")


def evaluate_analogies(
    questions: AnalogySet,
    words: list[str],
    spaces: dict[str, Callable[[], np.ndarray]],
    *,
    n_boot: int = 1000,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> AnalogyResult:
    """Score the analogy questions in each space over the vocabulary ``words``.

    Args:
        questions: the analogy set.
        words: the restricted vocabulary (first occurrence wins for duplicates).
        spaces: space key -> function giving the ``(len(words), d)`` vectors (called once, lazily).
        n_boot: bootstrap resamples for the accuracy intervals (word pairs resampled).
        seed: bootstrap seed.
        progress: ``progress(space_key, done, total)``.
    """
    vocab: dict[str, int] = {}
    for i, w in enumerate(words):
        vocab.setdefault(w, i)
    mask = usable_questions(questions, vocab)
    answered = questions.subset(mask)
    rows = (
        np.vectorize(vocab.__getitem__, otypes=[np.int64])(answered.questions)
        if len(answered)
        else np.zeros((0, 4), np.int64)
    )
    if len(answered) < 2:
        raise ValueError(f"only {len(answered)} of {len(questions)} analogy questions use words in the vocabulary")
    units = pair_units(answered.questions)
    accuracy: dict[str, Score] = {}
    correct: dict[str, np.ndarray] = {}
    for key, make in spaces.items():
        cb = None if progress is None else (lambda d, t, k=key: progress(k, d, t))
        correct[key] = answer_analogies(make(), rows, progress=cb)
        accuracy[key] = mean_ci(correct[key].astype(np.float64), units, n_boot=n_boot, seed=seed)
        logger.info("analogies %s: %.3f on %d questions", key, accuracy[key].value, len(rows))
    return AnalogyResult(len(questions), len(answered), len(words), accuracy, correct, answered.sections, units)


def pair_halves(units: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the questions of a selection half and a reporting half, split by word pair (the resampling unit).

    The word pairs are split at random; a question goes to the half that holds both its pairs, and a question built
    from one pair of each half is in neither, so no pair of the reporting questions was seen by the selection.
    """
    u = np.asarray(units, np.int64).reshape(len(units), -1)
    ids = np.unique(u)
    order = np.random.default_rng(seed).permutation(len(ids))
    chosen = np.zeros(int(ids.max()) + 1 if len(ids) else 0, bool)
    chosen[ids[order[: len(ids) // 2]]] = True
    in_sel = chosen[u]
    return np.flatnonzero(in_sel.all(axis=1)), np.flatnonzero(~in_sel.any(axis=1))


def select_alpha_on_halves(
    result: AnalogyResult,
    modes: Sequence[str],
    alphas: Sequence[float],
    *,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, AlphaChoice]:
    """Per mode, alpha chosen on the questions of a random half of the word pairs and reported on the questions of
    the other half (:func:`pair_halves`).

    The single-source baseline (bert or static) is chosen on the selection half too; the fused score, the
    baseline and their paired difference are measured on the reporting half, resampling its word pairs.
    """
    from embedkit.evaluation.selection import AlphaChoice, choose_alpha, choose_source
    from embedkit.evaluation.similarity import fused_key

    sel, rep = pair_halves(result.units, seed)
    base = choose_source({s: float(result.correct[s][sel].mean()) for s in ("bert", "static")})
    base_c = result.correct[base][rep].astype(np.float64)
    kw: dict[str, Any] = {"n_boot": n_boot, "seed": seed}
    units = result.units[rep]
    out: dict[str, AlphaChoice] = {}
    for mode in modes:
        scores = {float(a): float(result.correct[fused_key(mode, a)][sel].mean()) for a in alphas}
        alpha = choose_alpha(scores)
        fused_c = result.correct[fused_key(mode, alpha)][rep].astype(np.float64)
        out[mode] = AlphaChoice(
            mode=mode,
            alpha=alpha,
            selected_on=f"the questions of half the word pairs ({len(sel)})",
            reported_on=f"those of the other half ({len(rep)})",
            selection_scores=scores,
            fused=mean_ci(fused_c, units, **kw),
            baseline_name=base,
            baseline=mean_ci(base_c, units, **kw),
            gain=mean_ci(fused_c - base_c, units, difference=True, **kw),
        )
    return out
