"""Learned DME weights for the app: a DME trained on gensim's polarity sentences through the Embedder, and its
per-word weights [contextual, static] for new sentences (the Fusion lab's chart)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.evaluation.dme import DMEClassifier

if TYPE_CHECKING:
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


def _legacy_sources(encoder: Any, static: Any, sentences: Sequence[Sequence[str]], progress: Any = None) -> tuple:
    h = encoder.encode([list(s) for s in sentences], progress=progress)
    e, present = [], []
    for toks in sentences:
        vec, oov = static.lookup(list(toks))
        e.append(vec)
        present.append(np.stack([np.ones(len(toks), bool), ~np.asarray(oov, bool)], axis=1))
    return [h, e], present


def fit_polarity_dme(
    embedder: Any, static: Any = None, *, gating: str = "softmax", seed: int = 0, progress: Any = None, **params: Any
) -> DMEClassifier:
    """DME trained on all 200 polarity sentences (contextual in context + raw static), for showing weights.

    Every vector comes through the Embedder (its cache, its post-processing). Weights shown with such a model
    were learned on all 200 sentences; the evaluation reports out-of-fold weights instead.

    Args:
        embedder: an :class:`embedkit.embedder.Embedder`. (The older form ``fit_polarity_dme(encoder, static)``
            still works for callers not yet switched; it encodes outside any cache.)
        static: only for the older form.
        gating: ``softmax`` or ``sigmoid``.
        seed: training seed.
        progress: ``progress(done, total)`` while encoding the sentences.
        **params: other :class:`DMEClassifier` parameters.
    """
    from embedkit.evaluation.datasets import load_polarity

    data = load_polarity()
    if static is not None:
        sources, present = _legacy_sources(embedder, static, data.sentences, progress)
    else:
        sources, present = dme_sources(embedder.embed_tokenized(data.sentences, progress=progress))
    return DMEClassifier(gating=gating, seed=seed, **params).fit(sources, data.labels, present)


def dme_word_weights(clf: DMEClassifier, embedder: Any, *args: Any) -> list[np.ndarray]:
    """Learned ``(n_words, 2)`` weights [contextual, static] for each word of new pre-split sentences.

    Call as ``dme_word_weights(clf, embedder, sentences)`` (vectors through the Embedder), or in the older form
    ``dme_word_weights(clf, encoder, static, sentences)``. Static-OOV words get weights [1, 0] with the softmax
    gating.
    """
    if len(args) == 2:
        sources, present = _legacy_sources(embedder, args[0], args[1])
    else:
        sources, present = dme_sources(embedder.embed_tokenized(args[0]))
    return clf.word_weights(sources, present)
