"""The numbers beside a word map, per space: where the user's occurrences fall, and how well clusters and
neighbours follow the tagged senses. Every number says how many occurrences it rests on.

- **Placement** of each user occurrence: its cluster, and the sense its nearest tagged reference examples agree on
  (the :data:`NEIGHBOURS` most similar, cosine; a strict majority decides; ties beyond them, as in a space where
  the examples coincide, decide nothing; nor do fewer tagged examples than that, or examples of one sense only).
- **Cluster agreement**: the adjusted Rand index of the map's clusters and the tagged senses, over the tagged
  occurrences (0 is chance; NaN below 3 tagged occurrences or with one sense).
- **Nearest-neighbour sense accuracy** over the tagged occurrences (leave one out, tie-aware; see
  :mod:`embedkit.senses`), with its chance level (a neighbour drawn at random).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from embedkit.cosine import normalize_rows
from embedkit.senses import TIE_EPS, adjusted_rand_index, nn_sense_accuracy, tie_baseline

__all__ = ["NEIGHBOURS", "Placement", "Separation", "place", "separation"]

#: Tagged neighbours consulted for a user occurrence's sense.
NEIGHBOURS = 3


@dataclass(frozen=True)
class Placement:
    """Where one of the user's occurrences falls in one space.

    Attributes:
        point: its index among the map's points.
        cluster: its cluster id; ``cluster_name``: that cluster's name.
        sense: the sense its nearest tagged examples agree on, or None.
        votes: how many of them agree on it; ``neighbours``: how many were consulted (ties included).
        note: why no sense was decided (empty when one was).
    """

    point: int
    cluster: int
    cluster_name: str
    sense: str | None
    votes: int
    neighbours: int
    note: str = ""

    def describe(self) -> str:
        """``cluster 1 (river, water, slope) · sense bank.n.01: 2 of 3 nearest tagged examples``."""
        named = self.cluster_name and self.cluster_name != f"cluster {self.cluster}"
        head = f"cluster {self.cluster}" + (f" ({self.cluster_name})" if named else "")
        if self.sense:
            return f"{head} · {self.sense}: {self.votes} of {self.neighbours} nearest tagged examples"
        return f"{head} · no sense: {self.note}"


@dataclass(frozen=True)
class Separation:
    """How one space separates the word's senses, with what each number rests on.

    Attributes:
        space: ``bert``, ``static`` or ``fused``.
        n_points: occurrences on the map; ``k``: its clusters.
        n_tagged: occurrences with a known sense; ``n_senses``: distinct senses among them.
        ari: adjusted Rand index of clusters vs senses over the tagged occurrences (NaN: see ``notes``).
        accuracy: mean nearest-neighbour sense accuracy; ``chance``: its chance level; ``n_scored``: the tagged
            occurrences whose sense has another tagged occurrence (the only ones it can score).
        placements: the user's occurrences.
        notes: what the numbers cannot say here (too few occurrences, one sense).
    """

    space: str
    n_points: int
    k: int
    n_tagged: int
    n_senses: int
    ari: float
    accuracy: float
    chance: float
    n_scored: int
    placements: tuple[Placement, ...]
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The numbers for people, each with what it rests on."""
        out = [f"{self.n_points:,} occurrences, {self.k} cluster(s)"]
        if np.isfinite(self.ari):
            out.append(
                f"cluster agreement with the tagged senses (ARI, 0 = chance): {self.ari:.2f} "
                f"over {self.n_tagged} tagged occurrences of {self.n_senses} senses"
            )
        if np.isfinite(self.accuracy):
            out.append(
                f"nearest tagged neighbour has the same sense: {self.accuracy:.2f} (chance {self.chance:.2f}) "
                f"over {self.n_scored} tagged occurrences"
            )
        out.extend(self.notes)
        out.extend(f"your occurrence {j + 1}: {p.describe()}" for j, p in enumerate(self.placements))
        return out

    def to_dict(self) -> dict[str, object]:
        """JSON-ready (NaN as None)."""

        def num(x: float) -> float | None:
            return round(float(x), 4) if np.isfinite(x) else None

        return {
            "space": self.space,
            "points": self.n_points,
            "clusters": self.k,
            "tagged": self.n_tagged,
            "senses": self.n_senses,
            "ari": num(self.ari),
            "nn_accuracy": num(self.accuracy),
            "chance": num(self.chance),
            "nn_scored": self.n_scored,
            "notes": list(self.notes),
            "user": [
                {
                    "point": p.point,
                    "cluster": p.cluster,
                    "cluster_name": p.cluster_name,
                    "sense": p.sense,
                    "votes": p.votes,
                    "neighbours": p.neighbours,
                    "note": p.note,
                }
                for p in self.placements
            ],
        }


def place(
    X: np.ndarray, user: Sequence[int], examples: np.ndarray, senses: Sequence[str | None], k: int = NEIGHBOURS
) -> list[tuple[str | None, int, int, str]]:
    """For each user point, the sense its ``k`` nearest tagged examples agree on: ``(sense, votes, consulted, note)``.

    Args:
        X: vectors of every point.
        user: the user's points.
        examples: the tagged reference points (the neighbours consulted).
        senses: the sense of every point (None where unknown).
        k: neighbours consulted.
    """
    if len(examples) < k:
        note = f"only {len(examples)} tagged example(s) on the map" if len(examples) else "no tagged example on the map"
        return [(None, 0, len(examples), note)] * len(user)
    if len({str(senses[int(i)]) for i in examples}) < 2:
        return [(None, 0, len(examples), "the tagged examples on the map share one sense")] * len(user)
    U = normalize_rows(np.asarray(X, np.float64))
    out: list[tuple[str | None, int, int, str]] = []
    for p in user:
        sims = U[examples] @ U[int(p)]
        kth = np.sort(sims)[::-1][k - 1]
        near = examples[sims >= kth - TIE_EPS]
        if len(near) > k:
            out.append(
                (
                    None,
                    0,
                    len(near),
                    f"{len(near)} tagged examples tie as its nearest: the space does not tell them apart",
                )
            )
            continue
        votes = Counter(str(senses[int(i)]) for i in near)
        sense, count = votes.most_common(1)[0]
        if count * 2 > len(near):
            out.append((sense, count, len(near), ""))
        else:
            out.append((None, count, len(near), f"its {len(near)} nearest tagged examples disagree"))
    return out


def separation(
    space: str,
    X: np.ndarray,
    labels: np.ndarray,
    names: dict[int, str],
    senses: Sequence[str | None],
    user: np.ndarray,
    reference_tagged: np.ndarray,
) -> Separation:
    """The numbers of one space.

    Args:
        space: its name.
        X: the points' vectors in it.
        labels: the points' cluster ids.
        names: cluster id -> name.
        senses: per point, its sense (None where unknown).
        user: the user's points.
        reference_tagged: the tagged points that are not the user's (the neighbours consulted for a placement).
    """
    tagged = np.flatnonzero([s is not None for s in senses])
    truth = [str(senses[int(i)]) for i in tagged]
    n_senses = len(set(truth))
    notes: list[str] = []
    ari, acc, chance, scored = float("nan"), float("nan"), float("nan"), 0
    if len(tagged) < 3:
        notes.append(f"only {len(tagged)} occurrence(s) with a known sense: no sense numbers")
    elif n_senses < 2:
        notes.append(f"the {len(tagged)} tagged occurrences share one sense: no sense numbers")
    else:
        ari = adjusted_rand_index(np.asarray(truth), np.asarray(labels)[tagged])
        per = nn_sense_accuracy(np.asarray(X)[tagged], truth)
        base = tie_baseline(truth)
        ok = ~np.isnan(per)
        scored = int(ok.sum())
        if scored:
            acc, chance = float(per[ok].mean()), float(base[ok].mean())
        else:
            notes.append("no sense has two tagged occurrences: no nearest-neighbour accuracy")
        if len(tagged) < 10:
            notes.append(f"the sense numbers rest on {len(tagged)} tagged occurrences only")
    decided = place(X, user.tolist(), np.asarray(reference_tagged, np.int64), senses)
    placements = tuple(
        Placement(int(p), int(labels[int(p)]), names.get(int(labels[int(p)]), ""), s, v, c, note)
        for p, (s, v, c, note) in zip(user.tolist(), decided)
    )
    k = len(set(np.asarray(labels).tolist()))
    return Separation(space, len(X), k, len(tagged), n_senses, ari, acc, chance, scored, placements, tuple(notes))
