"""Train small word2vec / fastText vectors with gensim on a user's corpus (or gensim's Lee corpus).

The result is written in a format :func:`embedkit.static.load_static` reads without unpickling:
word2vec binary for word2vec, Facebook's ``.bin`` for fastText (keeps the subword n-grams, so OOV
words still get a vector).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from embedkit.errors import EmbedkitError

__all__ = ["ALGORITHMS", "lee_corpus", "tokenize_corpus", "train_static"]

logger = logging.getLogger(__name__)

ALGORITHMS: tuple[str, ...] = ("word2vec", "fasttext")
MIN_SENTENCES = 20

Progress = Callable[[int, int], None]


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
