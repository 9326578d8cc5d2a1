"""What moves as alpha moves: neighbour-set overlap and the cosine of two occurrences, per space."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from embedkit.cosine import cosine_matrix
from embedkit.neighbours import top_k

if TYPE_CHECKING:
    from embedkit.embedded_text import EmbeddedText

__all__ = ["jaccard", "overlap_curves", "pair_cosine_curves"]


def jaccard(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> float:
    """Jaccard overlap of two index sets (two empty sets overlap fully)."""
    sa, sb = {int(x) for x in a}, {int(x) for x in b}
    return len(sa & sb) / len(sa | sb) if (sa or sb) else 1.0


def overlap_curves(
    emb: EmbeddedText, query: int, mode: str, k: int, candidates: np.ndarray, *, steps: int = 11
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Jaccard overlap of the fused top-k set with the BERT and the static top-k sets, for alpha 0..1.

    Args:
        emb: the embedded text.
        query: the occurrence whose neighbours are compared.
        mode: the fusion mode.
        k: neighbours per set.
        candidates: occurrence indices that may be neighbours (the query itself is left out).
        steps: how many alpha values, evenly from 0 to 1.

    Returns:
        ``(alphas, overlap with BERT, overlap with static)``.
    """
    cand = np.asarray([c for c in candidates if c != query], dtype=int)
    alphas = np.linspace(0.0, 1.0, steps)
    if cand.size == 0:
        return alphas, np.ones(steps), np.ones(steps)
    k = max(1, min(k, cand.size))

    def top(X: np.ndarray) -> np.ndarray:
        idx, _ = top_k(X[query], X[cand], k)
        return cand[idx[0]]

    bert_set, static_set = top(emb.h), top(emb.e)
    vs_bert, vs_static = [], []
    for a in alphas:
        fused_set = top(emb.fuse(mode, float(a)).vectors)
        vs_bert.append(jaccard(fused_set, bert_set))
        vs_static.append(jaccard(fused_set, static_set))
    return alphas, np.asarray(vs_bert), np.asarray(vs_static)


def pair_cosine_curves(
    emb: EmbeddedText, i: int, j: int, mode: str, *, steps: int = 21
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Cosine between occurrences ``i`` and ``j`` under BERT, static and fused, for alpha 0..1."""
    alphas = np.linspace(0.0, 1.0, steps)

    def cos(X: np.ndarray) -> float:
        return float(cosine_matrix(X[[i, j]])[0, 1])

    fused = [cos(emb.fuse(mode, float(a)).vectors) for a in alphas]
    return alphas, {
        "bert": np.full(steps, cos(emb.h)),
        "static": np.full(steps, cos(emb.e)),
        "fused": np.asarray(fused),
    }
