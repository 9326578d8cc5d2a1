"""Learned DME weights for the app: a DME trained on gensim's polarity sentences through the Embedder, and its
per-word weights [contextual, static] for new sentences (the Fusion lab's chart)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.evaluation.dme import DMEClassifier

if TYPE_CHECKING:
    from embedkit.embedder import Embedder
    from embedkit.wordvectors import WordVectors

__all__ = ["dme_sources", "dme_word_weights", "fit_polarity_dme"]


def dme_sources(wv: WordVectors, sources: Sequence[str] = ("bert", "static")) -> tuple[list[list[np.ndarray]], list]:
    """Per-sentence DME inputs from aligned vectors: the raw contextual and raw static word vectors of each sentence,
    and which source each word has (static OOV words lack the static one)."""
    sid = np.asarray(wv.sentence_id)
    n = int(sid.max()) + 1 if len(sid) else 0
    rows = [np.flatnonzero(sid == s) for s in range(n)]
    arrays = {"bert": wv.h, "static": wv.e}
    have = {"bert": np.ones(len(wv), bool), "static": ~np.asarray(wv.oov, bool)}
    srcs = [[arrays[k][r] for r in rows] for k in sources]
    present = [np.stack([have[k][r] for k in sources], axis=1) for r in rows]
    return srcs, present


def fit_polarity_dme(
    embedder: Embedder, *, gating: str = "softmax", seed: int = 0, progress: Any = None, **params: Any
) -> DMEClassifier:
    """DME trained on all 200 polarity sentences (contextual in context + raw static), for showing weights.

    Every vector comes through the Embedder (its cache, its post-processing). Weights shown with such a model
    were learned on all 200 sentences; the evaluation reports out-of-fold weights instead.

    Args:
        embedder: the Embedder whose vectors the DME learns from.
        gating: ``softmax`` or ``sigmoid``.
        seed: training seed.
        progress: ``progress(done, total)`` while encoding the sentences.
        **params: other :class:`DMEClassifier` parameters.
    """
    from embedkit.evaluation.datasets import load_polarity

    data = load_polarity()
    sources, present = dme_sources(embedder.embed_tokenized(data.sentences, progress=progress))
    return DMEClassifier(gating=gating, seed=seed, **params).fit(sources, data.labels, present)


def dme_word_weights(clf: DMEClassifier, embedder: Embedder, sentences: Sequence[Sequence[str]]) -> list[np.ndarray]:
    """Learned ``(n_words, 2)`` weights [contextual, static] for each word of new pre-split sentences, their vectors
    through the Embedder (its cache). Static-OOV words get weights [1, 0] with the softmax gating."""
    sources, present = dme_sources(embedder.embed_tokenized(sentences))
    return clf.word_weights(sources, present)
