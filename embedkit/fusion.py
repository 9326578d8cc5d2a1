"""Per-word fusion of a contextual vector ``h`` and a static vector ``e`` (mapped: ``P e``).

- ``concat``: ``[sqrt(a) h/|h| ; sqrt(1-a) e/|e|]`` (a=0.5: plain concatenation of unit vectors, up to a
  constant). Needs no map; the dimension is the sum.
- ``weighted``: ``a h + (1-a) P e`` (the article's formula). a=1 gives ``h`` and a=0 gives ``P e``, exactly.
- ``attention``: a parameter-free Dynamic Meta-Embeddings (Kiela et al. 2018). The two sources ``h`` and
  ``P e`` are scored by their agreement with the sentence context ``c_i`` (the mean of the unit vectors of
  both sources over the *other* words of the sentence): ``s_ij = cos(src_ij, c_i) / T``, plus the log prior
  ``log a`` / ``log(1-a)`` so the alpha slider still leans the mix (a=0.5 is neutral). The per-word weights
  are the softmax over the two sources and ``v_i = w_i,ctx h_i + w_i,static P e_i``. A word alone in its
  sentence is compared with itself. The learned variant lives in ``embedkit.evaluation.dme``.

OOV words (no static vector) put all weight on the contextual source in every mode: concat keeps
``sqrt(a) h/|h|`` with a zero static half, weighted and attention return ``h``; attention shows weights [1, 0].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embedkit.cosine import normalize_rows, row_dot
from embedkit.options import FusionMode, coerce

__all__ = ["Fusion", "attention_softmax", "attention_weights", "context_cosines", "fuse", "fused_dim"]


@dataclass(frozen=True)
class Fusion:
    """Fused vectors and, for attention, the per-word source weights ``(n, 2)`` = [contextual, static]."""

    vectors: np.ndarray
    weights: np.ndarray | None
    mode: FusionMode
    alpha: float


def fused_dim(mode: FusionMode | str, contextual_dim: int, static_dim: int) -> int:
    """The dimension of the fused vectors."""
    return contextual_dim + static_dim if coerce(FusionMode, mode) is FusionMode.CONCAT else contextual_dim


def fuse(
    h: np.ndarray,
    e: np.ndarray,
    pe: np.ndarray | None,
    mode: FusionMode | str = "weighted",
    alpha: float = 0.5,
    *,
    oov: np.ndarray | None = None,
    sentence_ids: np.ndarray | None = None,
    temperature: float = 0.1,
) -> Fusion:
    """Fuse per word.

    Args:
        h: contextual vectors ``(n, d_c)``.
        e: raw static vectors ``(n, d_s)`` (used by concat).
        pe: static vectors mapped into the contextual space ``(n, d_c)`` (weighted, attention).
        mode: concat, weighted or attention.
        alpha: the weight of the contextual source, in [0, 1].
        oov: True for words without a static vector.
        sentence_ids: the sentence of each word (attention's context); None = one sentence.
        temperature: attention's softmax temperature (smaller is sharper).

    Raises:
        ValueError: alpha outside [0, 1], a bad temperature, mismatched shapes or a missing map.
    """
    mode = coerce(FusionMode, mode)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    n = h.shape[0]
    if e.shape[0] != n or (pe is not None and pe.shape != h.shape):
        raise ValueError(f"shapes do not line up: h {h.shape}, e {e.shape}, pe {None if pe is None else pe.shape}")
    oov = np.zeros(n, bool) if oov is None else np.asarray(oov, bool)
    h = np.asarray(h, np.float32)
    if mode is FusionMode.CONCAT:
        static_part = normalize_rows(np.asarray(e, np.float32)) * np.float32(np.sqrt(1.0 - alpha))
        static_part[oov] = 0.0
        vectors = np.concatenate([normalize_rows(h) * np.float32(np.sqrt(alpha)), static_part], axis=1)
        return Fusion(vectors, None, mode, alpha)
    if pe is None:
        raise ValueError(f"{mode.value} fusion needs the static vectors mapped into the contextual space")
    pe = np.asarray(pe, np.float32)
    if mode is FusionMode.WEIGHTED:
        vectors = np.multiply(h, np.float32(alpha))
        vectors += np.float32(1.0 - alpha) * pe
        if oov.any():
            vectors[oov] = h[oov]
        return Fusion(vectors, None, mode, alpha)
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    weights = attention_weights(h, pe, alpha, oov=oov, sentence_ids=sentence_ids, temperature=temperature)
    vectors = weights[:, :1] * h + weights[:, 1:] * pe
    return Fusion(vectors.astype(np.float32), weights, mode, alpha)


def _sentence_totals(
    h: np.ndarray, wh: np.ndarray, pe: np.ndarray, wp: np.ndarray, sid: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """Per sentence, the sum of ``wh_i h_i + wp_i pe_i`` over its words: one sparse (sentences x words) product per
    source, so no weighted copy of either matrix is made (rows of a text are already grouped by sentence; the sort is
    skipped when the ids never decrease)."""
    from scipy.sparse import csr_matrix

    n = len(sid)
    grouped = bool(np.all(sid[1:] >= sid[:-1])) if n else True
    order = np.arange(n) if grouped else np.argsort(sid, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(counts)])
    members = csr_matrix((wh[order], order, indptr), shape=(len(counts), n))
    totals = np.asarray(members @ h, np.float32)
    members.data = wp[order]
    totals += members @ pe
    return totals


def context_cosines(
    h: np.ndarray,
    pe: np.ndarray,
    *,
    oov: np.ndarray | None = None,
    sentence_ids: np.ndarray | None = None,
    row_dots: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Per word, ``cos(h, c)`` and ``cos(Pe, c)`` with its sentence context ``c``: ``(n, 2)`` float32.

    ``c`` is the sum of the unit vectors of both sources over the sentence's *other* words (the word itself when it
    is alone in its sentence); an OOV word counts its contextual unit vector twice. Attention fusion scores the two
    sources with these; corpus mode stores them so alpha and the temperature stay live.

    ``row_dots``: ``|h|², h·Pe, |Pe|²`` per row when the caller has them already (corpus mode stores them).

    With ``x_i`` a word's own part and ``T`` its sentence's total, ``c = T - x_i``, so every dot product with ``c``
    expands into per-row dots with ``T`` and the row's own scalars: only the sentence totals and two dots per row
    touch the vectors, and ``c`` is never built.
    """
    n = h.shape[0]
    h = np.asarray(h, np.float32)
    pe = np.asarray(pe, np.float32)
    sid = np.zeros(n, np.int64) if sentence_ids is None else np.asarray(sentence_ids, np.int64)
    oov = np.zeros(n, bool) if oov is None else np.asarray(oov, bool)
    dots = (row_dot(h, h), row_dot(h, pe), row_dot(pe, pe)) if row_dots is None else row_dots
    hh, hp, pp = (np.asarray(v, np.float64) for v in dots)
    ih = 1.0 / np.maximum(np.sqrt(hh), 1e-12)  # unit vectors: a = h ih, b = Pe ip
    ip = 1.0 / np.maximum(np.sqrt(pp), 1e-12)
    aa, bb, ab = hh * ih * ih, pp * ip * ip, hp * ih * ip
    wa = np.where(oov, 2.0, 1.0)  # a word's own part x = wa a + wb b
    wb = np.where(oov, 0.0, 1.0)
    counts = np.bincount(sid, minlength=int(sid.max()) + 1 if n else 0)
    totals = _sentence_totals(h, (wa * ih).astype(np.float32), pe, (wb * ip).astype(np.float32), sid, counts)
    per_row = totals[sid]
    at, bt = row_dot(h, per_row) * ih, row_dot(pe, per_row) * ip
    tt = row_dot(totals, totals).astype(np.float64)[sid]
    ax, bx = wa * aa + wb * ab, wa * ab + wb * bb  # a·x, b·x, |x|²
    xx = wa * wa * aa + 2.0 * wa * wb * ab + wb * wb * bb
    alone = counts[sid] == 1  # c = x itself
    ac = np.where(alone, ax, at - ax)
    bc = np.where(alone, bx, bt - bx)
    cc = np.where(alone, xx, tt - 2.0 * (wa * at + wb * bt) + xx)
    norm = np.maximum(np.sqrt(np.maximum(cc, 0.0)), 1e-12)
    return np.stack([ac / norm, bc / norm], axis=1).astype(np.float32)


def attention_softmax(
    cosines: np.ndarray, alpha: float = 0.5, *, oov: np.ndarray | None = None, temperature: float = 0.1
) -> np.ndarray:
    """Per-word weights ``(n, 2)`` over [contextual, static] from :func:`context_cosines` (see the module docstring)."""
    oov = np.zeros(len(cosines), bool) if oov is None else np.asarray(oov, bool)
    scores = np.asarray(cosines, np.float64) / temperature
    with np.errstate(divide="ignore"):
        scores = scores + np.log(np.array([alpha, 1.0 - alpha]))[None, :]
    scores[oov, 1] = -np.inf
    scores[oov, 0] = 0.0  # no static vector: all weight on h, whatever alpha says (alpha = 0 included)
    scores -= scores.max(axis=1, keepdims=True)
    w = np.exp(scores)
    w /= w.sum(axis=1, keepdims=True)
    return w.astype(np.float32)


def attention_weights(
    h: np.ndarray,
    pe: np.ndarray,
    alpha: float = 0.5,
    *,
    oov: np.ndarray | None = None,
    sentence_ids: np.ndarray | None = None,
    temperature: float = 0.1,
) -> np.ndarray:
    """Per-word softmax weights ``(n, 2)`` over [contextual, static] (see the module docstring)."""
    cosines = context_cosines(h, pe, oov=oov, sentence_ids=sentence_ids)
    return attention_softmax(cosines, alpha, oov=oov, temperature=temperature)
