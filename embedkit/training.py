"""Train small word2vec / fastText vectors with gensim on a user's corpus (or gensim's Lee corpus).

The result is written in a format :func:`embedkit.static.load_static` reads without unpickling:
word2vec binary for word2vec, Facebook's ``.bin`` for fastText (keeps the subword n-grams, so OOV
words still get a vector).

Vectors trained on too little text look like vectors but mean little (on a few sentences every cosine is
near 1.00). :func:`check_trained` says so, with the reason, before they are used.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embedkit.errors import EmbedkitError
from embedkit.progress import Progress

if TYPE_CHECKING:
    from embedkit.static import StaticVectors

__all__ = ["ALGORITHMS", "TrainingCheck", "check_trained", "lee_corpus", "tokenize_corpus", "train_static"]

logger = logging.getLogger(__name__)

ALGORITHMS: tuple[str, ...] = ("word2vec", "fasttext")
MIN_SENTENCES = 20
#: below these, trained vectors are flagged (gensim's Lee corpus, 60k words and 4k kept words, passes)
MIN_TOKENS = 20_000
MIN_VOCABULARY = 1_000
#: mean cosine between the most frequent words above which vectors are flagged as not yet spread out
MAX_MEAN_COSINE = 0.9


@dataclass(frozen=True)
class TrainingCheck:
    """How much text trained a table, and whether its vectors spread out.

    Attributes:
        tokens: Words in the training corpus.
        vocabulary: Words that got a vector.
        mean_cosine: Mean cosine between distinct words among the most frequent ones.
        problems: One plain sentence per reason not to trust the vectors (empty when none).
    """

    tokens: int
    vocabulary: int
    mean_cosine: float
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_trained(sentences: list[list[str]], static: StaticVectors, *, top: int = 200) -> TrainingCheck:
    """Flag vectors trained on too little text: corpus size, vocabulary size, and whether vectors spread out.

    Args:
        sentences: The tokenised training corpus.
        static: The trained vectors.
        top: How many of the most frequent words the mean cosine is measured on.

    Returns:
        The figures and the problems found, each stated with its numbers.
    """
    tokens = sum(len(s) for s in sentences)
    vocabulary = len(static)
    V = np.asarray(static.vectors[: min(top, vocabulary)], dtype=np.float64)
    V = V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-12)
    n = len(V)
    mean_cosine = float(((V @ V.T).sum() - n) / (n * n - n)) if n > 1 else 1.0
    problems = []
    if tokens < MIN_TOKENS:
        problems.append(
            f"the corpus has {tokens:,} words; vectors trained on fewer than {MIN_TOKENS:,} mean little "
            "(published vectors use millions)"
        )
    if vocabulary < MIN_VOCABULARY:
        problems.append(f"only {vocabulary:,} words got a vector (fewer than {MIN_VOCABULARY:,})")
    if mean_cosine > MAX_MEAN_COSINE:
        problems.append(
            f"the vectors barely differ: frequent words have a mean cosine of {mean_cosine:.2f} to each other "
            "(train on more text or for more epochs)"
        )
    return TrainingCheck(tokens, vocabulary, mean_cosine, tuple(problems))


def tokenize_corpus(lines: Iterable[str]) -> list[list[str]]:
    """Lower-cased words of each line, segmented as embedkit segments everything, punctuation dropped."""
    from embedkit.text import is_punctuation, segment

    out = []
    for line in lines:
        words = [w.text.lower() for w in segment(line) if not is_punctuation(w.text)]
        if words:
            out.append(words)
    return out


def lee_corpus() -> list[list[str]]:
    """gensim's Lee background corpus (300 news paragraphs, shipped with gensim)."""
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf-8", errors="replace") as fh:
        return tokenize_corpus(fh)


def train_static(
    sentences: list[list[str]],
    out_dir: Path,
    *,
    algorithm: str = "word2vec",
    dim: int = 100,
    epochs: int = 10,
    min_count: int = 2,
    seed: int = 0,
    progress: Progress | None = None,
) -> Path:
    """Train vectors on ``sentences`` and write them to ``out_dir``.

    Args:
        sentences: Tokenised sentences (see :func:`tokenize_corpus`).
        out_dir: Folder for the vectors file (created).
        algorithm: ``word2vec`` or ``fasttext``.
        dim: Vector size.
        epochs: Passes over the corpus.
        min_count: Ignore words rarer than this.
        seed: Random seed (one worker thread, so results repeat).
        progress: Called as ``progress(epochs_done, epochs)``.

    Returns:
        The path of the written vectors file.

    Raises:
        EmbedkitError: an unknown algorithm, or a corpus too small to learn from.
    """
    if algorithm not in ALGORITHMS:
        raise EmbedkitError(f"unknown algorithm {algorithm!r}; choose one of: {', '.join(ALGORITHMS)}")
    if len(sentences) < MIN_SENTENCES:
        raise EmbedkitError(
            f"the corpus has {len(sentences)} sentences; training needs at least {MIN_SENTENCES} "
            "(one sentence or paragraph per line)"
        )
    from gensim.models import FastText, Word2Vec
    from gensim.models.callbacks import CallbackAny2Vec

    class _Report(CallbackAny2Vec):  # type: ignore[misc]
        def __init__(self) -> None:
            self.done = 0

        def on_epoch_end(self, model: object) -> None:
            self.done += 1
            if progress is not None:
                progress(self.done, epochs)

    cls = Word2Vec if algorithm == "word2vec" else FastText
    model = cls(
        vector_size=dim,
        window=5,
        min_count=min_count,
        workers=1,
        seed=seed,
        sg=1,
    )
    model.build_vocab(sentences)
    if len(model.wv) < 10:
        raise EmbedkitError(f"only {len(model.wv)} words occur at least {min_count} times; give a larger corpus")
    model.train(sentences, total_examples=len(sentences), epochs=epochs, callbacks=[_Report()])
    out_dir.mkdir(parents=True, exist_ok=True)
    if algorithm == "word2vec":
        path = out_dir / f"word2vec_{dim}d.bin"
        model.wv.save_word2vec_format(str(path), binary=True)
    else:
        from gensim.models.fasttext import save_facebook_model

        path = out_dir / f"fasttext_{dim}d.bin"
        save_facebook_model(model, str(path))
    logger.info("trained %s on %d sentences: %d words -> %s", algorithm, len(sentences), len(model.wv), path)
    return path
