"""What describes a cluster of occurrences: its most typical contexts and its most distinctive neighbouring words.

- **Typical contexts**: the occurrences nearest the cluster's centroid (cosine).
- **Distinctive words**: among the words within a few words of the occurrences (a *window*), those with the highest
  keyness against a background (Dunning's log-likelihood G2, over-represented words only) that are also more
  frequent near this cluster than near the other clusters. Stopwords (:data:`embedkit.text.STOPWORDS`), punctuation,
  tokens without a letter and the word itself never name a cluster.

Windows are given as a sparse ``(occurrences, vocabulary)`` count matrix, so a corpus index (word ids from its
tables) and a word map (words from segmenting its sentences) share the code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from embedkit.text import STOPWORDS, is_punctuation, segment

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

__all__ = ["ClusterDescription", "describe_clusters", "distinctive_words", "is_keyword", "window_matrix"]


@dataclass(frozen=True)
class ClusterDescription:
    """One cluster: its id, size, members (rows), most typical members (best first) and distinctive words."""

    id: int
    size: int
    members: np.ndarray
    typical: tuple[int, ...]
    words: tuple[str, ...]

    @property
    def name(self) -> str:
        """Its first three distinctive words (``river, water, slope``), or ``cluster N`` without any."""
        return ", ".join(self.words[:3]) or f"cluster {self.id}"


def is_keyword(word: str) -> bool:
    """Whether a word may name a cluster: it has a letter and is neither a stopword nor punctuation."""
    low = word.lower()
    return any(ch.isalpha() for ch in low) and low not in STOPWORDS and not is_punctuation(low)


def window_matrix(
    sentences: Sequence[str], spans: Sequence[tuple[int, int]], window: int = 5
) -> tuple[csr_matrix, list[str]]:
    """Per occurrence, the words (lower case) within ``window`` words of it in its sentence, as counts.

    Args:
        sentences: the sentence of each occurrence.
        spans: the character span of each occurrence in its sentence.
        window: words either side.

    Returns:
        ``(counts, vocabulary)``: a sparse ``(occurrences, len(vocabulary))`` matrix and its columns' words.
    """
    from scipy.sparse import csr_matrix

    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, (sentence, (start, _)) in enumerate(zip(sentences, spans)):
        words = segment(sentence)
        at = next((j for j, w in enumerate(words) if w.start == start), None)
        if at is None:
            continue
        for j in range(max(0, at - window), min(len(words), at + window + 1)):
            if j != at:
                rows.append(i)
                cols.append(vocab.setdefault(words[j].text.lower(), len(vocab)))
    data = np.ones(len(rows), np.float64)
    counts = csr_matrix((data, (rows, cols)), shape=(len(sentences), len(vocab)))
    counts.sum_duplicates()
    return counts, list(vocab)


def distinctive_words(
    inside: np.ndarray,
    background: np.ndarray,
    vocabulary: Sequence[str],
    *,
    outside: np.ndarray | None = None,
    exclude: Sequence[int] = (),
    min_count: int = 1,
    top: int = 6,
) -> list[str]:
    """The ``top`` words most over-represented in ``inside`` against ``background`` (Dunning's G2).

    Args:
        inside: word counts near the cluster's occurrences.
        background: word counts of the background (a whole corpus, or every occurrence of the word).
        vocabulary: the word of each column.
        outside: word counts near the other clusters: a word must be relatively more frequent inside than here.
        exclude: columns never chosen (the word itself).
        min_count: the fewest times a word must occur inside.
        top: how many words.
    """
    n_keys = len(vocabulary)
    inside = np.asarray(inside, np.float64)
    corpus = np.asarray(background, np.float64)
    c, d = inside.sum(), corpus.sum()
    if n_keys == 0 or c == 0 or d == 0:
        return []

    def log_rate(counts: np.ndarray) -> np.ndarray:  # smoothed log relative frequency
        return np.log((counts + 0.5) / (counts.sum() + 0.5 * n_keys))

    e1, e2 = c * (inside + corpus) / (c + d), d * (inside + corpus) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2.0 * (np.where(inside > 0, inside * np.log(inside / e1), 0.0) + corpus * np.log(corpus / e2))
    score = np.where(inside / c > corpus / d, np.nan_to_num(g2), -np.inf)
    if outside is not None:
        score[log_rate(inside) <= log_rate(np.asarray(outside, np.float64))] = -np.inf
    score[inside < min_count] = -np.inf
    if len(exclude):
        score[np.asarray(exclude, np.int64)] = -np.inf
    out: list[str] = []
    for k in np.argsort(-score, kind="stable"):
        if not np.isfinite(score[k]) or len(out) >= top:
            break
        w = vocabulary[int(k)]
        if is_keyword(w):
            out.append(w)
    return out


def describe_clusters(
    Xn: np.ndarray,
    labels: np.ndarray,
    ids: Sequence[int],
    windows: csr_matrix,
    vocabulary: Sequence[str],
    *,
    background: np.ndarray | None = None,
    exclude: Sequence[int] = (),
    n_typical: int = 3,
    top: int = 6,
) -> list[ClusterDescription]:
    """Describe each cluster (in the order of ``ids``).

    Args:
        Xn: unit vectors of the occurrences (the space the clusters were made in).
        labels: the cluster id of each occurrence.
        ids: the cluster ids.
        windows: word counts near each occurrence (see :func:`window_matrix`).
        vocabulary: the words of ``windows``' columns.
        background: the background counts of G2 (default: the windows of every occurrence together).
        exclude: columns never chosen (the word itself).
        n_typical: typical members per cluster.
        top: distinctive words per cluster.
    """
    from scipy.sparse import csr_matrix

    ids = [int(c) for c in ids]
    position = {c: j for j, c in enumerate(ids)}
    local = np.asarray([position[int(c)] for c in labels], np.int64)
    member_of = csr_matrix((np.ones(len(local)), (local, np.arange(len(local)))), shape=(len(ids), len(local)))
    per_cluster = np.asarray((member_of @ windows).todense()) if len(ids) else np.zeros((0, len(vocabulary)))
    total = per_cluster.sum(axis=0)
    back = total if background is None else np.asarray(background, np.float64)
    out = []
    for j, c in enumerate(ids):
        members = np.flatnonzero(local == j)
        centroid = Xn[members].mean(axis=0)
        typical = members[np.argsort(-(Xn[members] @ centroid), kind="stable")[:n_typical]]
        words = distinctive_words(
            per_cluster[j],
            back,
            vocabulary,
            outside=total - per_cluster[j] if len(ids) > 1 else None,
            exclude=exclude,
            min_count=2 if len(members) >= 20 else 1,
            top=top,
        )
        out.append(ClusterDescription(c, len(members), members, tuple(int(i) for i in typical), tuple(words)))
    return out
