"""Nearest neighbours by cosine: exact top-k, an index for big tables (pynndescent beyond ~50k rows), and the
neighbour table that the CLI and the Neighbours page both show."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from embedkit.cosine import normalize_rows
from embedkit.options import SPACES, check_space
from embedkit.wordvectors import WordVectors

if TYPE_CHECKING:
    import pandas as pd

    from embedkit.embedded_text import EmbeddedText

__all__ = ["NEIGHBOUR_COLUMNS", "NeighbourIndex", "neighbour_table", "top_k"]

#: The columns of :func:`neighbour_table`.
NEIGHBOUR_COLUMNS = ("query", "space", "among", "rank", "neighbour", "word", "sentence", "context", "cosine")


def top_k(
    queries: np.ndarray, table: np.ndarray, k: int = 10, *, exclude: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine top-k of each query row among the table rows.

    Args:
        queries: ``(q, d)`` or ``(d,)``.
        table: ``(n, d)``.
        k: neighbours per query (capped at the table size).
        exclude: per query, a table row to leave out (e.g. the query itself), or -1 for none.

    Returns:
        ``(indices, similarities)``, both ``(q, k)``, best first.
    """
    q = normalize_rows(np.atleast_2d(queries))
    t = normalize_rows(table)
    sims = q @ t.T
    if exclude is not None:
        ex = np.asarray(exclude).reshape(-1)
        rows = np.flatnonzero(ex >= 0)
        sims[rows, ex[rows]] = -np.inf
    k = min(k, t.shape[0] - (0 if exclude is None else 1))
    if k <= 0:
        return np.zeros((q.shape[0], 0), np.int64), np.zeros((q.shape[0], 0), np.float32)
    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    part_sims = np.take_along_axis(sims, part, axis=1)
    order = np.argsort(-part_sims, axis=1, kind="stable")
    idx = np.take_along_axis(part, order, axis=1)
    return idx, np.take_along_axis(sims, idx, axis=1)


class NeighbourIndex:
    """Cosine neighbours in a fixed table; exact search up to ``exact_limit`` rows, pynndescent beyond.

    Args:
        table: ``(n, d)`` vectors.
        exact_limit: the largest table searched exactly.
        seed: pynndescent's random seed (the approximate index is reproducible).
    """

    def __init__(self, table: np.ndarray, *, exact_limit: int = 50_000, seed: int = 0) -> None:
        self.table = normalize_rows(table)
        self.exact = self.table.shape[0] <= exact_limit
        self._nnd = None
        if not self.exact:
            from pynndescent import NNDescent

            self._nnd = NNDescent(self.table, metric="cosine", random_state=seed)
            self._nnd.prepare()

    def query(self, queries: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """``(indices, cosine similarities)`` of the ``k`` nearest rows per query, best first."""
        if self.exact:
            return top_k(queries, self.table, k)
        assert self._nnd is not None
        idx, dist = self._nnd.query(normalize_rows(np.atleast_2d(queries)), k=k)
        return idx, (1.0 - dist).astype(np.float32)


def _spaces(
    vectors: WordVectors, names: Sequence[str], mode: str, alpha: float, temperature: float
) -> dict[str, np.ndarray]:
    """The spaces asked for; the fusion only runs when the fused space is one of them."""
    if "fused" in names:
        return vectors.spaces(mode, alpha, temperature)
    return {"bert": vectors.h, "static": vectors.e}


def neighbour_table(
    emb: EmbeddedText,
    queries: Sequence[int] | np.ndarray,
    *,
    spaces: Sequence[str] = SPACES,
    mode: str = "weighted",
    alpha: float = 0.5,
    temperature: float = 0.1,
    k: int = 10,
    candidates: np.ndarray | None = None,
    vocabulary: WordVectors | None = None,
) -> pd.DataFrame:
    """The top-``k`` neighbours of some occurrences in each space, among the text's occurrences and/or a vocabulary.

    One rule for every face: the query itself is never its own neighbour; in the static space an OOV query has no
    neighbours and OOV occurrences are no candidates (they have no static vector); vocabulary rows are words encoded
    alone and fused each on its own (no sentence context).

    Args:
        emb: the embedded text.
        queries: occurrence indices to query.
        spaces: which of bert, static, fused.
        mode, alpha, temperature: the fusion of the fused space.
        k: neighbours per list.
        candidates: occurrences that may be neighbours (default: all); None and an empty array differ.
        vocabulary: also list neighbours among these rows (``among == "vocab"``); None: only the text.

    Returns:
        One row per neighbour with :data:`NEIGHBOUR_COLUMNS`: ``query`` (occurrence index), ``space``, ``among``
        (``input`` or ``vocab``), ``rank`` (1 = nearest), ``neighbour`` (occurrence index or vocabulary row),
        ``word``, ``sentence`` (1-based, 0 for vocabulary rows), ``context`` (the sentence with the word marked, or
        the word), ``cosine``.
    """
    import pandas as pd

    queries = np.asarray(queries, dtype=np.int64)
    cand_all = np.arange(len(emb)) if candidates is None else np.asarray(candidates, dtype=np.int64)
    oov = np.asarray(emb.oov, bool)
    text_spaces = _spaces(emb, spaces, mode, alpha, temperature)
    vocab_spaces = _spaces(vocabulary, spaces, mode, alpha, temperature) if vocabulary is not None else None
    rows: list[tuple[object, ...]] = []
    for space in spaces:
        check_space(space)
        X = text_spaces[space]
        for q in queries.tolist():
            if space == "static" and oov[q]:
                continue
            cand = cand_all[cand_all != q]
            if space == "static":
                cand = cand[~oov[cand]]
            if cand.size:
                idx, sims = top_k(X[q], X[cand], k)
                for rank, (j, sim) in enumerate(zip(cand[idx[0]].tolist(), sims[0].tolist()), 1):
                    sentence = int(emb.sentence_id[j]) + 1
                    rows.append((q, space, "input", rank, j, emb.words[j], sentence, emb.context(j), sim))
            if vocabulary is not None and vocab_spaces is not None:
                idx, sims = top_k(X[q], vocab_spaces[space], k)
                for rank, (j, sim) in enumerate(zip(idx[0].tolist(), sims[0].tolist()), 1):
                    word = vocabulary.words[j]
                    rows.append((q, space, "vocab", rank, j, word, 0, word, sim))
    frame = pd.DataFrame(rows, columns=list(NEIGHBOUR_COLUMNS))
    frame["cosine"] = frame["cosine"].astype(float)
    return frame
