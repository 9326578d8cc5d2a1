"""Live-alpha scoring over every occurrence: exact re-scoring from stored scalars, candidates from an ANN index.

Every space and fusion mode has the form ``score_i = (A_i c_i + B_i s_{t_i}) / D_i`` where ``c_i = h_i · u`` is a
dot product of the stored contextual vector with one query vector ``u``, ``s_t`` is a per word-type static term,
and ``A_i, B_i, D_i`` come from per-row scalars stored at index time (``h2 = |h|²``, ``hpe = h·Pe``,
``pe2 = |Pe|²``, ``att_h``, ``att_p``):

- ``weighted``: ``f_i = a h_i + (1-a) Pe_i`` (OOV rows: ``h_i``), so ``f_q·f_i = a (h_i·f_q) + (1-a) (Pe_t·f_q)`` and
  ``|f_i|² = a²h2 + 2a(1-a) hpe + (1-a)² pe2``: ``u = f_q``, ``A = a``, ``B = 1-a``, ``s_t = Pe_t·f_q``.
- ``attention``: the same with per-row weights ``softmax(att_h/T + log a, att_p/T + log(1-a))`` instead of
  ``(a, 1-a)`` (the sentence-context cosines are stored, so alpha *and* the temperature stay live).
- ``concat``: ``[√a h/|h| ; √(1-a) e/|e|]``: ``u = a ĥ_q``, ``A = 1/|h_i|``, ``B = 1-a`` (0 for OOV rows),
  ``s_t = ê_t·ê_q``, ``D = √(a + (1-a)[row has e]) · √(a + (1-a)[query has e])``.
- ``bert``: ``u = ĥ_q``, ``A = 1/|h_i|``, ``B = 0``; ``static``: ``A = 0``, ``B = 1``, ``s_t = ê_t·ê_q``.

So any alpha is scored exactly with no fused vector stored. :func:`exact_scores` scores every row (a pass over
the memory-mapped vectors); :func:`candidates` asks the ANN index (unit ``h``, inner product) for the rows whose
contextual direction is nearest ``u``, adds the rows of the word types with the best static term (a type with
many rows is searched within its own id range), and the candidates are re-scored exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.fusion import attention_softmax
from embedkit.options import FusionMode, check_space, coerce

if TYPE_CHECKING:
    from embedkit.corpus.index import CorpusIndex
    from embedkit.corpus.query import Query

__all__ = [
    "DEFAULT_CHOICE",
    "Scoring",
    "SpaceChoice",
    "candidates",
    "exact_scores",
    "row_scores",
    "scoring",
    "top_rows",
]


@dataclass(frozen=True)
class SpaceChoice:
    """The space a corpus is searched or mapped in: ``bert``, ``static``, or ``fused`` by ``mode`` at ``alpha``
    (``temperature``: attention's softmax temperature)."""

    space: str = "fused"
    mode: FusionMode | str = "weighted"
    alpha: float = 0.5
    temperature: float = 0.1

    def checked(self) -> SpaceChoice:
        """The same choice with ``mode`` as a :class:`FusionMode`.

        Raises:
            ValueError: an unknown space or mode, alpha outside [0, 1], or a temperature that is not positive.
        """
        check_space(self.space)
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {self.alpha}")
        if self.temperature <= 0:
            raise ValueError(f"temperature must be positive, got {self.temperature}")
        return replace(self, mode=coerce(FusionMode, self.mode))


DEFAULT_CHOICE = SpaceChoice()  # the fused space, weighted sum at alpha 0.5


@dataclass(frozen=True)
class Scoring:
    """The query side of one (space, mode, alpha, temperature): ``u``, the per-type static term, and settings."""

    space: str
    mode: FusionMode
    alpha: float
    temperature: float
    u: np.ndarray
    type_term: np.ndarray  # s_t for every type
    type_cos: np.ndarray  # s_t / |z_t|: ranks the types for the static route
    q_norm: float
    q_has_static: bool
    h_unit: np.ndarray  # the query's unit contextual vector (ranks the rows within one word type)


def _weights(
    mode: FusionMode, alpha: float, temperature: float, oov: np.ndarray, att: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row (contextual, static) weights of weighted / attention fusion (OOV rows: all contextual)."""
    n = len(oov)
    if mode is FusionMode.WEIGHTED:
        wa, wb = np.full(n, alpha, np.float64), np.full(n, 1.0 - alpha, np.float64)
    else:
        w = attention_softmax(att, alpha, oov=oov, temperature=temperature).astype(np.float64)
        wa, wb = w[:, 0], w[:, 1]
    wa = np.where(oov, 1.0, wa)
    wb = np.where(oov, 0.0, wb)
    return wa, wb


def scoring(index: CorpusIndex, q: Query, choice: SpaceChoice) -> Scoring:
    """Prepare the query side.

    Raises:
        ValueError: an unknown space, alpha outside [0, 1], a bad temperature (see :meth:`SpaceChoice.checked`).
        KeyError: a static query for an OOV word.
    """
    choice = choice.checked()
    space, mode, alpha, temperature = choice.space, FusionMode(choice.mode), choice.alpha, choice.temperature
    hu = (q.h / max(float(np.linalg.norm(q.h)), 1e-12)).astype(np.float32)
    if space == "bert":
        u = q.h.astype(np.float64) / max(float(np.linalg.norm(q.h)), 1e-12)
        none = np.full(index.n_types, -np.inf)
        return Scoring(space, mode, 1.0, temperature, u, np.zeros(index.n_types), none, 1.0, not q.oov, hu)
    if space == "static" and q.oov:
        raise KeyError(f"{q.label or 'the query word'} has no static vector, so it has no static neighbours")
    h = q.h.astype(np.float64)
    if space == "static" or (space == "fused" and mode is FusionMode.CONCAT):
        e_unit = q.e / max(float(np.linalg.norm(q.e)), 1e-12)
        term = (
            (index.type_e_units @ e_unit.astype(np.float32)).astype(np.float64)
            if not q.oov
            else np.zeros(index.n_types)
        )
        if space == "static":
            return Scoring(space, mode, alpha, temperature, np.zeros_like(h), term, term, 1.0, True, hu)
        u = alpha * h / max(float(np.linalg.norm(h)), 1e-12)
        q_norm = float(np.sqrt(alpha + (1.0 - alpha) * (not q.oov)))
        return Scoring(space, mode, alpha, temperature, u, term, term, q_norm, not q.oov, hu)
    wa, wb = _weights(mode, alpha, temperature, np.array([q.oov]), np.array([q.att], np.float64))
    f = wa[0] * h + wb[0] * q.pe.astype(np.float64)
    term = (index.type_pe @ f.astype(np.float32)).astype(np.float64)
    norms = index.type_pe_norms
    cos = np.where(norms > 0, term / np.maximum(norms, 1e-12), -np.inf)
    return Scoring(space, mode, alpha, temperature, f, term, cos, float(np.linalg.norm(f)), not q.oov, hu)


def row_scores(index: CorpusIndex, sc: Scoring, rows: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Exact scores of ``rows`` given their contextual dot products ``c = h_rows · u``."""
    scal = index.scalars[rows].astype(np.float64)
    t = index.row_type[rows]
    oov = index.type_oov[t]
    s = sc.type_term[t]
    if sc.space == "static":
        return np.where(oov, 0.0, s)
    inv_h = 1.0 / np.sqrt(np.maximum(scal[:, 0], 1e-24))
    if sc.space == "bert":
        return c * inv_h
    if sc.mode is FusionMode.CONCAT:
        has_e = ~oov
        num = c * inv_h + (1.0 - sc.alpha) * np.where(has_e, s, 0.0)
        den = np.sqrt(sc.alpha + (1.0 - sc.alpha) * has_e) * max(sc.q_norm, 1e-12)
        return num / np.maximum(den, 1e-12)
    wa, wb = _weights(sc.mode, sc.alpha, sc.temperature, oov, scal[:, 3:5])
    num = wa * c + wb * s
    norm2 = wa * wa * scal[:, 0] + 2.0 * wa * wb * scal[:, 1] + wb * wb * scal[:, 2]
    return num / (np.sqrt(np.maximum(norm2, 1e-24)) * max(sc.q_norm, 1e-12))


def exact_scores(index: CorpusIndex, sc: Scoring, chunk: int = 262_144) -> np.ndarray:
    """The score of every row (one pass over the vectors)."""
    out = np.empty(index.n_rows, np.float64)
    u = sc.u.astype(np.float32)
    for lo in range(0, index.n_rows, chunk):
        hi = min(index.n_rows, lo + chunk)
        rows = np.arange(lo, hi)
        c = (
            np.zeros(hi - lo)
            if sc.space == "static"
            else (index.vectors[lo:hi].astype(np.float32) @ u).astype(np.float64)
        )
        out[lo:hi] = row_scores(index, sc, rows, c)
    return out


def top_rows(rows: np.ndarray, scores: np.ndarray, k: int, exclude: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best ``rows`` by score (ties: corpus order), leaving ``exclude`` out."""
    keep = rows != exclude
    rows, scores = rows[keep], scores[keep]
    order = np.lexsort((rows, -scores))[:k]
    return rows[order], scores[order]


def candidates(
    index: CorpusIndex,
    sc: Scoring,
    *,
    n_context: int | None = None,
    n_types: int | None = None,
    per_type: int = 256,
    nprobe: int | None = None,
) -> np.ndarray:
    """Candidate rows for the top of ``sc``: ANN neighbours of ``u`` plus the rows of the best static types.

    The pool sizes default to 256 context neighbours, 8 static types and 48 probed IVF lists; attention fusion gets
    twice as many (its weights differ per row, so ``u`` predicts its top less well: recall@10 on the WordNet index
    0.944 -> 0.962 on bench/corpus.py's 50 attention queries; 0.950, p95 36 ms, with the fast-scan IVF512 index
    coding h itself; three times as many: 0.958, p95 61 ms; four: 0.972, p95 88 ms).
    """
    wide = 2 if sc.space == "fused" and sc.mode is FusionMode.ATTENTION else 1
    n_context = n_context or 256 * wide
    n_types = n_types or 8 * wide
    nprobe = nprobe or 48 * wide
    ann: Any = index.ann
    found: list[np.ndarray] = []
    if sc.space != "static":
        u = sc.u.astype(np.float32)
        norm = float(np.linalg.norm(u))
        if norm > 0:
            found.append(_ann_search(ann, index, u / norm, n_context, nprobe, None))
    if sc.space != "bert":
        n = min(n_types, len(sc.type_cos))
        part = np.argpartition(-sc.type_cos, n - 1)[:n] if n else np.zeros(0, np.int64)
        best = part[np.argsort(-sc.type_cos[part], kind="stable")]
        for t in best:
            if not np.isfinite(sc.type_cos[t]):
                continue
            lo, hi = int(index.type_offsets[t]), int(index.type_offsets[t + 1])
            if sc.space == "static":  # every row of a type scores the same: the first ones suffice
                found.append(index.order[lo : lo + per_type])
            elif hi - lo <= per_type:
                found.append(index.order[lo:hi])
            else:  # within one type the static part is constant: rank its rows by their contextual direction
                found.append(_ann_search(ann, index, sc.h_unit, per_type, nprobe, (lo, hi)))
    if not found:
        return np.zeros(0, np.int64)
    rows = np.unique(np.concatenate(found))
    return rows[rows >= 0]


def _ann_search(
    ann: Any, index: CorpusIndex, u: np.ndarray, k: int, nprobe: int, id_range: tuple[int, int] | None
) -> np.ndarray:
    """Rows whose unit h has the largest inner product with ``u`` (ids are positions in ``index.order``)."""
    import faiss

    params: Any = faiss.SearchParametersIVF()
    params.nprobe = nprobe
    selector = None if id_range is None else faiss.IDSelectorRange(*id_range)
    if selector is not None:
        params.sel = selector  # `selector` stays referenced here until the search is done
    _, ids = ann.search(u[None, :], k, params=params)
    ids = ids[0]
    return np.asarray(index.order[ids[ids >= 0]], np.int64)
