"""A query occurrence: an indexed one (its stored vectors) or a word in a new sentence (encoded now)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from embedkit.corpus.index import CorpusIndex

__all__ = ["Query", "query_row", "query_text"]


@dataclass(frozen=True)
class Query:
    """One query occurrence: its contextual vector, static vectors, OOV flag and attention context cosines.

    Attributes:
        h: contextual vector ``(d_c,)``.
        e: raw static vector ``(d_s,)`` (zeros if OOV).
        pe: mapped static vector ``(d_c,)`` (zeros if OOV).
        oov: no static vector.
        att: ``(cos(h, c), cos(Pe, c))`` with its sentence context (attention fusion).
        row: its row in the index (left out of its own neighbours), or -1 for new text.
        label: the occurrence in its sentence, marked, for people.
    """

    h: np.ndarray
    e: np.ndarray
    pe: np.ndarray
    oov: bool
    att: tuple[float, float]
    row: int = -1
    label: str = ""


def query_row(index: CorpusIndex, row: int) -> Query:
    """The query for row ``row`` of ``index``.

    Raises:
        KeyError: no such row.
    """
    row = int(row)
    if not 0 <= row < index.n_rows:
        raise KeyError(f"row {row} is not in this index (0..{index.n_rows - 1})")
    t = int(index.row_type[row])
    scal = index.scalars[row]
    return Query(
        h=np.asarray(index.vectors[row], np.float32),
        e=np.asarray(index.type_e[t], np.float32) * (not index.type_oov[t]),
        pe=np.asarray(index.type_pe[t], np.float32),
        oov=bool(index.type_oov[t]),
        att=(float(scal[3]), float(scal[4])),
        row=row,
        label=index.context(row),
    )


def query_text(index: CorpusIndex, sentence: str, word: str, occurrence: int = 0) -> Query:
    """The query for ``word`` (its ``occurrence``-th time) in a new sentence, encoded with the index's model.

    The contextual vector is rounded to half precision like the stored ones.

    Raises:
        KeyError: the word is not in the sentence.
    """
    from embedkit.fusion import context_cosines
    from embedkit.text import segment

    words = segment(sentence.strip())
    hits = [i for i, w in enumerate(words) if w.text.lower() == word.strip().lower()]
    if not hits:
        raise KeyError(f"{word!r} is not a word of the sentence {sentence!r}")
    i = hits[min(max(occurrence, 0), len(hits) - 1)]
    enc = index.encoder()
    h = enc.embedder.encoder.encode([[w.text for w in words]])[0].astype(np.float16).astype(np.float32)
    e, oov = enc.embedder.static.lookup([w.text for w in words])
    pe = enc.static_map.transform(e)
    pe[oov] = 0.0
    att = context_cosines(h, pe, oov=oov, sentence_ids=np.zeros(len(words), np.int64))
    w = words[i]
    label = f"{sentence[: w.start]}[{w.text}]{sentence[w.end :]}"
    return Query(h[i], e[i] * (not oov[i]), pe[i], bool(oov[i]), (float(att[i, 0]), float(att[i, 1])), -1, label)
