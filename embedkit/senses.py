"""How well a space separates the senses of one word: numbers a class can read beside the map.

Given the vectors of several occurrences of one word and a sense label per occurrence:

- **same-sense vs cross-sense cosine**: the mean cosine of pairs of occurrences in the same sense, and in different
  senses. A contextual space that separates senses shows a clear gap; a static table gives every occurrence the
  same vector, so both means are 1.
- **nearest-neighbour sense accuracy** (leave one out): the share of occurrences whose most similar *other*
  occurrence has the same sense. Ties count fractionally (the expected accuracy of picking among the tied
  neighbours at random), so identical vectors score exactly the **tie baseline** — the accuracy of a random
  neighbour, ``(n_same - 1) / (n - 1)`` averaged over occurrences — which is also the chance level.
- **cluster agreement**: the adjusted Rand index between the senses and an average-linkage clustering (cosine
  distance) cut into as many clusters as there are senses. Chance is 0; identical vectors form one cluster and
  score exactly 0.

Occurrences whose sense has no other occurrence are left out of both accuracies (no neighbour could be right).
Every function takes an optional ``groups`` array: occurrences are then compared only within their group (one
group per word), which is how the senses benchmark scores thousands of words at once with the same code the word
spotlight uses for one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from embedkit.cosine import normalize_rows

__all__ = [
    "SenseSeparation",
    "cluster_agreement",
    "group_sense_cosines",
    "nn_sense_accuracy",
    "sense_cosines",
    "sense_separation",
    "tie_baseline",
]

#: cosines closer than this count as a tie (float32 noise of identical vectors)
TIE_EPS = 1e-5

Labels = Sequence[object] | np.ndarray


def _codes(values: Labels) -> np.ndarray:
    _, codes = np.unique(np.asarray([str(v) for v in values]), return_inverse=True)
    return np.asarray(codes, dtype=np.int64).reshape(-1)


def _groups(n: int, groups: Labels | None) -> np.ndarray:
    if groups is None:
        return np.zeros(n, np.int64)
    _, codes = np.unique(np.asarray(groups), return_inverse=True)  # integer ids keep their numeric order
    return np.asarray(codes, dtype=np.int64).reshape(-1)


def _pairs(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair ``(i, j)``, ``i != j``, of occurrences in the same group, sorted by ``i``."""
    return _pairs_cached(np.ascontiguousarray(groups, np.int64).tobytes())


@lru_cache(maxsize=4)
def _pairs_cached(key: bytes) -> tuple[np.ndarray, np.ndarray]:
    groups = np.frombuffer(key, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    bounds = np.flatnonzero(np.r_[True, groups[order][1:] != groups[order][:-1], True])
    left, right = [], []
    for a, b in zip(bounds[:-1], bounds[1:]):
        members = order[a:b]
        if len(members) < 2:
            continue
        i, j = np.meshgrid(members, members, indexing="ij")
        keep = i != j
        left.append(i[keep])
        right.append(j[keep])
    if not left:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i, j = np.concatenate(left), np.concatenate(right)
    by_i = np.argsort(i, kind="stable")
    return i[by_i], j[by_i]


def _pair_cosines(X: np.ndarray, i: np.ndarray, j: np.ndarray, chunk: int = 65536) -> np.ndarray:
    U = normalize_rows(np.asarray(X))
    out = np.empty(len(i), np.float64)
    for s in range(0, len(i), chunk):
        out[s : s + chunk] = np.einsum("ij,ij->i", U[i[s : s + chunk]], U[j[s : s + chunk]])
    return np.clip(out, -1.0, 1.0)


def _same_sense_counts(codes: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """For each occurrence, how many occurrences of its group share its sense (itself included)."""
    key = groups * (int(codes.max()) + 1 if len(codes) else 1) + codes
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)]


def nn_sense_accuracy(X: np.ndarray, labels: Labels, groups: Labels | None = None) -> np.ndarray:
    """Per occurrence, the (tie-aware) chance that its nearest other occurrence (in its group) has its sense.

    Returns:
        A float array with one value per occurrence; NaN for an occurrence whose sense occurs only once (in its
        group).
    """
    codes = _codes(labels)
    g = _groups(len(codes), groups)
    out = np.full(len(codes), np.nan)
    i, j = _pairs(g)
    if not len(i):
        return out
    cos = _pair_cosines(X, i, j)
    starts = np.flatnonzero(np.r_[True, i[1:] != i[:-1]])
    query = i[starts]
    best = np.maximum.reduceat(cos, starts)
    tied = cos >= np.repeat(best, np.diff(np.r_[starts, len(i)])) - TIE_EPS
    hits = np.add.reduceat((tied & (codes[i] == codes[j])).astype(np.float64), starts)
    acc = hits / np.add.reduceat(tied.astype(np.float64), starts)
    scored = _same_sense_counts(codes, g)[query] >= 2
    out[query[scored]] = acc[scored]
    return out


def tie_baseline(labels: Labels, groups: Labels | None = None) -> np.ndarray:
    """Per occurrence, the accuracy of a neighbour drawn at random (what identical vectors score); NaN as above."""
    codes = _codes(labels)
    g = _groups(len(codes), groups)
    out = np.full(len(codes), np.nan)
    if not len(codes):
        return out
    size = np.bincount(g)[g]
    same = _same_sense_counts(codes, g)
    ok = (same >= 2) & (size >= 2)
    out[ok] = (same[ok] - 1) / (size[ok] - 1)
    return out


def group_sense_cosines(X: np.ndarray, labels: Labels, groups: Labels | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per group (in sorted group order), the mean cosine of same-sense pairs and of cross-sense pairs (NaN if none)."""
    codes = _codes(labels)
    g = _groups(len(codes), groups)
    n_groups = int(g.max()) + 1 if len(g) else 0
    i, j = _pairs(g)
    upper = i < j
    i, j = i[upper], j[upper]
    cos = _pair_cosines(X, i, j) if len(i) else np.zeros(0)
    same = codes[i] == codes[j]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = lambda m: np.bincount(g[i][m], cos[m], n_groups) / np.bincount(g[i][m], minlength=n_groups)  # noqa: E731
        return mean(same), mean(~same)


def sense_cosines(X: np.ndarray, labels: Labels) -> tuple[float, float]:
    """Mean cosine over pairs of occurrences in the same sense and over pairs in different senses.

    Returns:
        ``(same, cross)``; NaN where there is no such pair.
    """
    if len(labels) < 2:
        return float("nan"), float("nan")
    same, cross = group_sense_cosines(X, labels)
    return float(same[0]), float(cross[0])


def adjusted_rand_index(a: np.ndarray, b: np.ndarray) -> float:
    """The adjusted Rand index of two labelings (NaN when it is undefined: both trivial)."""
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1))
    np.add.at(table, (ai.reshape(-1), bi.reshape(-1)), 1)
    comb = lambda x: (x * (x - 1) / 2).sum()  # noqa: E731
    total, rows, cols = comb(table), comb(table.sum(1)), comb(table.sum(0))
    expected = rows * cols / comb(np.array([len(a)]))
    top = (rows + cols) / 2
    return float("nan") if top == expected else float((total - expected) / (top - expected))


def cluster_agreement(X: np.ndarray, labels: Labels, groups: Labels | None = None) -> np.ndarray:
    """Per group (sorted group order): ARI of the senses and an average-linkage clustering into as many clusters.

    Cosine distances below the tie tolerance count as 0, so identical vectors form one cluster (ARI exactly 0).
    Groups with fewer than 3 occurrences or a single sense give NaN.
    """
    from scipy.cluster.hierarchy import fcluster, linkage

    codes = _codes(labels)
    g = _groups(len(codes), groups)
    U = normalize_rows(np.asarray(X, np.float64))
    out = np.full(int(g.max()) + 1 if len(g) else 0, np.nan)
    for k in range(len(out)):
        members = np.flatnonzero(g == k)
        truth = codes[members]
        n_senses = len(np.unique(truth))
        if len(members) < 3 or n_senses < 2:
            continue
        D = 1.0 - np.clip(U[members] @ U[members].T, -1.0, 1.0)
        D[D < TIE_EPS] = 0.0
        condensed = D[np.triu_indices(len(members), 1)]
        pred = fcluster(linkage(condensed, "average"), n_senses, "maxclust")
        out[k] = adjusted_rand_index(truth, pred)
    return out


@dataclass(frozen=True)
class SenseSeparation:
    """The numbers shown beside a spotlighted word, for one space.

    Attributes:
        same: mean cosine of same-sense pairs.
        cross: mean cosine of cross-sense pairs.
        accuracy: mean nearest-neighbour sense accuracy (tie-aware).
        baseline: the tie / chance baseline of the same occurrences.
        n: occurrences scored by the accuracy (those whose sense occurs at least twice).
    """

    same: float
    cross: float
    accuracy: float
    baseline: float
    n: int

    @property
    def gap(self) -> float:
        """``same - cross``: how much closer same-sense occurrences are."""
        return self.same - self.cross


def sense_separation(X: np.ndarray, labels: Labels) -> SenseSeparation:
    """All the numbers of one space for one word's labelled occurrences."""
    same, cross = sense_cosines(X, labels)
    acc = nn_sense_accuracy(X, labels)
    base = tie_baseline(labels)
    scored = ~np.isnan(acc)
    mean = lambda a: float(a[scored].mean()) if scored.any() else float("nan")  # noqa: E731
    return SenseSeparation(same, cross, mean(acc), mean(base), int(scored.sum()))
