"""How the occurrences of one word spread: a 2-D map, clusters, and what describes each cluster.

- **Map**: UMAP (cosine, seeded) of a seeded sample of at most ``sample`` occurrences, ``transform`` for the
  rest. It is laid out once per word, space and mode, at the first alpha. Moving alpha keeps the map and
  recomputes everything measured on it (clusters, descriptions): for one word every occurrence shares one static
  vector, so in weighted and concat fusion the fused cloud is the contextual cloud scaled and shifted, and its
  neighbourhood graph (what UMAP draws) barely changes with alpha, while cosines and clusters do. A space in
  which all occurrences coincide (static, one word form) puts them all on one spot.
- **Clusters**: spherical k-means on the unit vectors (cosine geometry), ``k`` from 2 to ``max_k`` chosen by the highest
  mean silhouette on a seeded sample of at most 1,000 occurrences; ``k = 1`` when no ``k`` reaches a silhouette
  of ``MIN_SILHOUETTE`` (no sense structure to report).
- **Descriptions**: per cluster, its most typical contexts (the occurrences nearest its centroid) and its most
  distinctive neighbouring words (within ``window`` words in the sentence): the highest keyness against the whole
  corpus (Dunning's log-likelihood G2, over-represented words only), among the words that are more frequent near
  this cluster than near the other clusters.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from embedkit.corpus.clustering import silhouette, spherical_kmeans
from embedkit.corpus.search import DEFAULT_CHOICE, SpaceChoice, _weights
from embedkit.cosine import normalize_rows
from embedkit.options import FusionMode
from embedkit.text import is_punctuation

if TYPE_CHECKING:
    import pandas as pd

    from embedkit.corpus.index import CorpusIndex

__all__ = ["MIN_SILHOUETTE", "SenseCluster", "SenseMap"]

logger = logging.getLogger(__name__)

MIN_SILHOUETTE = 0.05
_SELECT_SAMPLE = 1000


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
        self._h = np.asarray(index.vectors[self.rows], np.float32)
        t = index.row_type[self.rows]
        self._oov = index.type_oov[t]
        self._e = (index.static_raw[t] * (~self._oov)[:, None]).astype(np.float32)
        self._pe = index.mapped_static[t].astype(np.float32)
        self._att = np.asarray(index.scalars[self.rows][:, 3:5], np.float64)
        alpha = self.alpha = choice.alpha
        self.coords = self._layout(self.vectors(alpha))
        self.update(alpha)

    def __len__(self) -> int:
        return len(self.rows)

    def vectors(self, alpha: float) -> np.ndarray:
        """The occurrences' vectors in this map's space at ``alpha``."""
        if self.space == "bert":
            return self._h
        if self.space == "static":
            return self._e
        if self.mode is FusionMode.CONCAT:
            from embedkit.fusion import fuse

            return fuse(self._h, self._e, None, "concat", alpha, oov=self._oov).vectors
        wa, wb = _weights(self.mode, alpha, self.temperature, self._oov, self._att)
        return (wa[:, None] * self._h + wb[:, None] * self._pe).astype(np.float32)

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

        rng = np.random.default_rng(self.seed)
        fit_rows = np.sort(rng.choice(n, self.sample, replace=False)) if n > self.sample else np.arange(n)
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
        Xn = normalize_rows(self.vectors(alpha))
        self.labels, self.silhouette = self._cluster(Xn)
        self.k = int(self.labels.max()) + 1 if len(self.labels) else 0
        self.clusters = [self._describe(c, Xn) for c in range(self.k)]
        return self

    def _cluster(self, Xn: np.ndarray) -> tuple[np.ndarray, float]:
        n = len(Xn)
        if n < 10 or np.ptp(Xn, axis=0).max() < 1e-6:
            return np.zeros(n, np.int64), float("nan")
        rng = np.random.default_rng(self.seed)
        pick = np.sort(rng.choice(n, _SELECT_SAMPLE, replace=False)) if n > _SELECT_SAMPLE else np.arange(n)
        S = Xn[pick]
        dist = 1.0 - S @ S.T  # cosine distances within the sample, computed once for every k
        best: tuple[float, int, np.ndarray | None] = (-1.0, 1, None)
        for k in range(2, min(self.max_k, len(S) - 1) + 1):
            centers, labels = spherical_kmeans(S, k, seed=self.seed)
            score = silhouette(dist, labels, k)
            if score > best[0]:
                best = (score, k, centers)
        if best[2] is None or best[0] < MIN_SILHOUETTE:
            return np.zeros(n, np.int64), best[0]
        _, labels = spherical_kmeans(Xn, best[1], init=best[2])
        # clusters numbered by size, largest first
        sizes = np.bincount(labels, minlength=best[1])
        rank = np.empty_like(sizes)
        rank[np.argsort(-sizes, kind="stable")] = np.arange(best[1])
        return rank[labels].astype(np.int64), best[0]

    def _describe(self, c: int, Xn: np.ndarray) -> SenseCluster:
        members = np.flatnonzero(self.labels == c)
        centroid = Xn[members].mean(axis=0)
        near = members[np.argsort(-(Xn[members] @ centroid), kind="stable")[:3]]
        typical_rows = tuple(int(self.rows[i]) for i in near)
        return SenseCluster(
            cluster=c,
            size=len(members),
            typical_rows=typical_rows,
            typical=tuple(self.index.context(r) for r in typical_rows),
            words=tuple(self._distinctive(members)),
        )

    def _window_keys(self, members: np.ndarray) -> np.ndarray:
        idx = self.index
        rows = self.rows[members]
        meta = np.asarray(idx.rows[rows])
        first = np.asarray(idx.sentence_offsets[meta[:, 0]])
        length = np.asarray(idx.sentence_offsets[meta[:, 0] + 1]) - first
        out = []
        for d in range(-self.window, self.window + 1):
            if d == 0:
                continue
            pos = meta[:, 1] + d
            ok = (pos >= 0) & (pos < length)
            out.append(idx.type_key[idx.row_type[first[ok] + pos[ok]]])
        return np.concatenate(out) if out else np.zeros(0, np.int64)

    def _distinctive(self, members: np.ndarray, top: int = 6) -> list[str]:
        idx = self.index
        n_keys = len(idx.key_words)

        def log_rate(counts: np.ndarray) -> np.ndarray:  # smoothed log relative frequency
            return np.log((counts + 0.5) / (counts.sum() + 0.5 * n_keys))

        inside = np.bincount(self._window_keys(members), minlength=n_keys).astype(np.float64)
        corpus = idx.key_counts.astype(np.float64)
        # keyness against the whole corpus: Dunning's log-likelihood G2, for words over-represented here
        c, d = inside.sum(), corpus.sum()
        e1, e2 = c * (inside + corpus) / (c + d), d * (inside + corpus) / (c + d)
        with np.errstate(divide="ignore", invalid="ignore"):
            g2 = 2.0 * (np.where(inside > 0, inside * np.log(inside / e1), 0.0) + corpus * np.log(corpus / e2))
        score = np.where(inside / max(c, 1.0) > corpus / d, np.nan_to_num(g2), -np.inf)
        if self.k > 1:  # ... among words that are more frequent near this cluster than near the others
            others = np.flatnonzero(self.labels != self.labels[members[0]])
            outside = np.bincount(self._window_keys(others), minlength=n_keys).astype(np.float64)
            score[log_rate(inside) <= log_rate(outside)] = -np.inf
        score[inside < (2 if len(members) >= 20 else 1)] = -np.inf
        own = idx.key_index.get(self.word)
        if own is not None:
            score[own] = -np.inf
        out: list[str] = []
        for k in np.argsort(-score, kind="stable"):
            if not np.isfinite(score[k]) or len(out) >= top:
                break
            w = idx.key_words[int(k)]
            if not is_punctuation(w):
                out.append(w)
        return out

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
