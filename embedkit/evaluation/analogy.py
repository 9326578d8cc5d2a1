"""Word analogies ``a : b :: c : ?`` (3CosAdd, as gensim's ``evaluate_word_analogies``).

The answer is the vocabulary word closest to ``b - a + c`` (unit vectors, cosine), excluding ``a``, ``b``
and ``c``. The vocabulary is the first ``restrict`` static words (30k by default, as gensim's
``restrict_vocab``); questions with a word outside it are skipped and counted, never silently scored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from embedkit.evaluation.datasets import AnalogySet
from embedkit.evaluation.similarity import Score

__all__ = ["AnalogyResult", "answer_analogies", "bootstrap_mean_ci", "evaluate_analogies", "usable_questions"]

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
    vecs = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    unit = vecs / np.maximum(norms, 1e-12)
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


def bootstrap_mean_ci(values: np.ndarray, *, n_boot: int = 1000, seed: int = 0, confidence: float = 0.95) -> Score:
    """Mean of ``values`` (e.g. correctness, or paired differences) with a percentile bootstrap interval."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) < 2:
        raise ValueError(f"need at least 2 values to bootstrap, got {len(values)}")
    rng = np.random.default_rng(seed)
    means = np.empty(n_boot)
    for start in range(0, n_boot, 100):
        idx = rng.integers(0, len(values), size=(min(100, n_boot - start), len(values)))
        means[start : start + len(idx)] = values[idx].mean(axis=1)
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(means, [tail, 100.0 - tail])
    return Score(float(values.mean()), float(low), float(high), len(values))


@dataclass
class AnalogyResult:
    """Analogy accuracy in every space.

    Attributes:
        n_questions: questions in the file.
        n_answered: questions whose four words are in the restricted vocabulary.
        restrict: vocabulary size.
        accuracy: space key (``contextual``, ``static``, ``concat@0.5``...) -> accuracy with interval.
        correct: space key -> correctness per answered question.
        sections: section name per answered question.
    """

    n_questions: int
    n_answered: int
    restrict: int
    accuracy: dict[str, Score]
    correct: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    sections: tuple[str, ...] = field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            "n_questions": self.n_questions,
            "n_answered": self.n_answered,
            "restrict": self.restrict,
            "accuracy": {k: s.to_dict() for k, s in self.accuracy.items()},
        }


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
        n_boot: bootstrap resamples for the accuracy intervals.
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
    accuracy: dict[str, Score] = {}
    correct: dict[str, np.ndarray] = {}
    for key, make in spaces.items():
        cb = None if progress is None else (lambda d, t, k=key: progress(k, d, t))
        correct[key] = answer_analogies(make(), rows, progress=cb)
        accuracy[key] = bootstrap_mean_ci(correct[key].astype(np.float64), n_boot=n_boot, seed=seed)
        logger.info("analogies %s: %.3f on %d questions", key, accuracy[key].value, len(rows))
    return AnalogyResult(len(questions), len(answered), len(words), accuracy, correct, answered.sections)
