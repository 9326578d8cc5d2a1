"""How the occurrences of one word spread: a 2-D map, clusters, and what describes each cluster.

- **Map**: UMAP (cosine, seeded) of a seeded sample of at most ``sample`` occurrences, ``transform`` for the
  rest. It is laid out once per word, space and mode, at the first alpha. Moving alpha keeps the map and
  recomputes everything measured on it (clusters, descriptions): for one word every occurrence shares one static
  vector, so in weighted and concat fusion the fused cloud is the contextual cloud scaled and shifted, and its
  neighbourhood graph (what UMAP draws) barely changes with alpha, while cosines and clusters do. A space in
  which all occurrences coincide (static, one word form) puts them all on one spot.
- **Clusters**: spherical k-means on the unit vectors (cosine geometry), ``k`` from 2 to ``max_k`` chosen by the
  highest mean silhouette on a seeded sample of at most 1,000 occurrences; ``k = 1`` when no ``k`` reaches a
  silhouette of ``MIN_SILHOUETTE`` (no sense structure to report). In the fused space the clusters follow alpha
  from 1 down in steps of 0.05, each started from its neighbour's: ``k`` is kept unless another partition is
  clearly better, and cluster ids (colours) stay with the clusters they overlap
  (:class:`embedkit.corpus.clustering.ClusterChain`, shared with the word map).
- **Descriptions**: per cluster, its most typical contexts (the occurrences nearest its centroid) and its most
  distinctive neighbouring words (within ``window`` words in the sentence): the highest keyness against the whole
  corpus (Dunning's log-likelihood G2, over-represented words only), among the words that are more frequent near
  this cluster than near the other clusters; never a stopword (:mod:`embedkit.corpus.describe`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from embedkit.alpha_frames import alpha_grid
from embedkit.corpus.clustering import MIN_SILHOUETTE, ClusterChain, Clustering, choose_clusters, seeded_sample
from embedkit.corpus.describe import describe_clusters
from embedkit.corpus.search import DEFAULT_CHOICE, SpaceChoice
from embedkit.cosine import normalize_rows
from embedkit.options import FusionMode
from embedkit.wordmap.sources import index_occurrences

if TYPE_CHECKING:
    import pandas as pd
    from scipy.sparse import csr_matrix

    from embedkit.corpus.index import CorpusIndex

__all__ = ["MIN_SILHOUETTE", "SenseCluster", "SenseMap"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SenseCluster:
    """One cluster of occurrences: its id, size, typical contexts (rows and texts) and distinctive words."""

    cluster: int
    size: int
    typical_rows: tuple[int, ...]
    typical: tuple[str, ...]
    words: tuple[str, ...]


class SenseMap:
    """The sense map of ``word`` over a whole corpus index.

    Args:
        index: the corpus index.
        word: the word (case-insensitive; all its written forms).
        choice: the space (bert, static, or fused with its mode, alpha and temperature).
        sample: the most occurrences UMAP is fitted on (the rest are placed with ``transform``).
        max_k: the largest number of clusters tried.
        window: words either side that count as neighbouring words.
        seed: the random seed of the sample, UMAP and k-means.

    Raises:
        KeyError: the word does not occur in the corpus.
        ValueError: an unknown space or mode.
    """

    def __init__(
        self,
        index: CorpusIndex,
        word: str,
        choice: SpaceChoice = DEFAULT_CHOICE,
        *,
        sample: int = 20_000,
        max_k: int = 8,
        window: int = 5,
        seed: int = 0,
    ) -> None:
        choice = choice.checked()
        self.index, self.word, self.space = index, word.strip().lower(), choice.space
        self.mode, self.temperature = FusionMode(choice.mode), choice.temperature
        self.sample, self.max_k, self.window, self.seed = sample, max_k, window, seed
        self.rows = index.rows_of(word)
        self.occurrences = index_occurrences(index, self.rows)
        self._chain = ClusterChain(self.vectors, alpha_grid(), max_k=max_k, seed=seed)
        alpha = self.alpha = choice.alpha
        self.coords = self._layout(self.vectors(alpha))
        self.update(alpha)

    def __len__(self) -> int:
        return len(self.rows)

    def vectors(self, alpha: float) -> np.ndarray:
        """The occurrences' vectors in this map's space at ``alpha``."""
        return self.occurrences.vectors(self.space, self.mode, alpha, self.temperature)

    # -- layout ----------------------------------------------------------------------------------------
    def _layout(self, X: np.ndarray) -> np.ndarray:
        n = len(X)
        distinct, inverse = np.unique(np.round(X, 5), axis=0, return_inverse=True)
        if len(distinct) < 6:  # everything on a few spots (e.g. the static space): place the spots, no UMAP
            spots = np.zeros((len(distinct), 2), np.float32)
            if len(distinct) > 1:
                from sklearn.decomposition import PCA

                spots = PCA(2, random_state=self.seed).fit_transform(distinct).astype(np.float32)
            return spots[np.asarray(inverse).reshape(-1)]
        import umap

        fit_rows = seeded_sample(n, self.sample, self.seed)
        model = umap.UMAP(
            n_components=2,
            metric="cosine",
            n_neighbors=min(15, len(fit_rows) - 1),
            random_state=self.seed,
            init="spectral" if len(fit_rows) > 20 else "random",
        )
        coords = np.zeros((n, 2), np.float32)
        coords[fit_rows] = model.fit_transform(X[fit_rows])
        if len(fit_rows) < n:
            rest = np.setdiff1d(np.arange(n), fit_rows)
            for lo in range(0, len(rest), 20_000):
                part = rest[lo : lo + 20_000]
                coords[part] = model.transform(X[part])
        return coords

    # -- clusters --------------------------------------------------------------------------------------
    def at(self, alpha: float) -> SenseMap:
        """A copy at another alpha: the same map (shared, read-only), new clusters and descriptions."""
        import copy

        return copy.copy(self).update(alpha)

    def update(self, alpha: float) -> SenseMap:
        """Recompute clusters and descriptions at a new alpha (the map stays); returns self."""
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        self.alpha = alpha
        clustering = self._clustering(alpha)
        self.labels, self.silhouette = clustering.labels, clustering.silhouette
        self.k = clustering.k
        Xn = normalize_rows(self.vectors(alpha))
        own = self.index.key_index.get(self.word)
        described = describe_clusters(
            Xn,
            self.labels,
            clustering.ids,
            self._windows,
            self.index.key_words,
            background=self.index.key_counts,
            exclude=() if own is None else (own,),
        )
        self.clusters = []
        for d in described:
            typical_rows = tuple(int(self.rows[i]) for i in d.typical)
            typical = tuple(self.index.context(r) for r in typical_rows)
            self.clusters.append(SenseCluster(d.id, d.size, typical_rows, typical, d.words))
        return self

    def _clustering(self, alpha: float) -> Clustering:
        if self.space == "fused":
            return self._chain.at(alpha)
        return self._fixed

    @cached_property
    def _fixed(self) -> Clustering:  # bert and static do not move with alpha
        return choose_clusters(self.vectors(1.0), max_k=self.max_k, seed=self.seed)

    @cached_property
    def _windows(self) -> csr_matrix:
        """Per occurrence, the key ids within ``window`` words of it (counts)."""
        from scipy.sparse import csr_matrix

        idx = self.index
        meta = np.asarray(idx.rows[self.rows])
        first = np.asarray(idx.sentence_offsets[meta[:, 0]])
        length = np.asarray(idx.sentence_offsets[meta[:, 0] + 1]) - first
        at, keys = [], []
        for d in range(-self.window, self.window + 1):
            if d == 0:
                continue
            pos = meta[:, 1] + d
            ok = (pos >= 0) & (pos < length)
            at.append(np.flatnonzero(ok))
            keys.append(idx.type_key[idx.row_type[first[ok] + pos[ok]]])
        rows = np.concatenate(at) if at else np.zeros(0, np.int64)
        cols = np.concatenate(keys) if keys else np.zeros(0, np.int64)
        counts = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(self.rows), len(idx.key_words)))
        counts.sum_duplicates()
        return counts

    # -- output ----------------------------------------------------------------------------------------
    def frame(self) -> pd.DataFrame:
        """One row per occurrence: ``row``, ``x``, ``y``, ``cluster``, ``word``, ``context``."""
        import pandas as pd

        return pd.DataFrame(
            {
                "row": self.rows,
                "x": self.coords[:, 0],
                "y": self.coords[:, 1],
                "cluster": self.labels,
                "word": [self.index.word_of(r) for r in self.rows],
                "context": self.index.contexts(self.rows),
            }
        )

    def describe(self) -> str:
        """A few lines for people: the settings, the clusters and what describes them."""
        head = (
            f"{self.word}: {len(self):,} occurrences · {self.space}"
            + (f" ({self.mode.value}, alpha {self.alpha:.2f})" if self.space == "fused" else "")
            + f" · {self.k} cluster(s)"
            + (f", silhouette {self.silhouette:.2f}" if np.isfinite(self.silhouette) else "")
        )
        lines = [head]
        for c in self.clusters:
            lines.append(f"  cluster {c.cluster} ({c.size:,}): {', '.join(c.words) or '-'}")
            lines.extend(f"    · {t}" for t in c.typical)
        return "\n".join(lines)
