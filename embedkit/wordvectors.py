"""The value object of aligned word vectors: row ``i`` is one word in every source, ready to fuse.

Every view of embedkit works on rows of the same four arrays: the contextual vector ``h`` (BERT's), the raw static
vector ``e``, the static vector mapped into the contextual space ``Pe``, and the static OOV flag. A row may be a word
occurrence in a sentence (:class:`embedkit.embedded_text.EmbeddedText` extends this class with the sentences) or a word
type encoded alone (the vocabulary tables of the Neighbours page, the CLI and the evaluation). Fusion, the space
names and the OOV rule live here once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from embedkit.fusion import Fusion, fuse
from embedkit.options import FusionMode

if TYPE_CHECKING:
    from embedkit.alignment import StaticMap
    from embedkit.static import StaticVectors

__all__ = ["PER_ROW", "SPACES", "WordVectors", "check_space"]

_Rows = TypeVar("_Rows", bound="WordVectors")

#: field metadata of the arrays with one row per word (:meth:`WordVectors.take` takes them)
PER_ROW = {"per_row": True}

#: The three spaces every view shows side by side: contextual (BERT), raw static, fused.
SPACES: tuple[str, ...] = ("bert", "static", "fused")


def check_space(name: str) -> str:
    """``name`` if it is one of :data:`SPACES`.

    Raises:
        ValueError: an unknown space name, naming the valid ones.
    """
    if name not in SPACES:
        raise ValueError(f"unknown space {name!r}; choose one of: {', '.join(SPACES)}")
    return name


@dataclass(frozen=True)
class WordVectors:
    """Aligned vectors of ``n`` words in every source.

    Attributes:
        words: the word of each row.
        h: contextual vectors ``(n, d_c)``.
        e: raw static vectors ``(n, d_s)``; zero rows where ``oov``.
        pe: static vectors mapped into the contextual space ``(n, d_c)``; zero rows where ``oov``.
        oov: True where the static vectors have no vector for the word (flagged, never silently zeroed).
        sentence_id: the sentence of each row, the context of attention fusion; a word encoded alone is its own
            sentence.
    """

    words: Sequence[str]
    h: np.ndarray = field(repr=False, metadata=PER_ROW)
    e: np.ndarray = field(repr=False, metadata=PER_ROW)
    pe: np.ndarray = field(repr=False, metadata=PER_ROW)
    oov: np.ndarray = field(repr=False, metadata=PER_ROW)
    sentence_id: np.ndarray = field(repr=False, metadata=PER_ROW)

    def __post_init__(self) -> None:
        n = len(self.words)
        for name in self._row_fields():
            rows = len(getattr(self, name))
            if rows != n:
                raise ValueError(f"{type(self).__name__}.{name} has {rows} rows for {n} words")
        if self.pe.shape != self.h.shape:
            raise ValueError(f"mapped static vectors {self.pe.shape} do not match the contextual ones {self.h.shape}")

    @classmethod
    def build(
        cls,
        words: Sequence[str],
        h: np.ndarray,
        static: StaticVectors,
        static_map: StaticMap,
        sentence_id: np.ndarray | None = None,
    ) -> WordVectors:
        """Look ``words`` up in the static table and map them; OOV rows stay zero in ``e`` and ``pe``.

        Args:
            words: one word per row of ``h``.
            h: their contextual vectors.
            static: the static vectors.
            static_map: the fitted static -> contextual map.
            sentence_id: the sentence of each row; None makes every word its own sentence.
        """
        e, oov = static.lookup(list(words))
        # each distinct static row mapped once: a matrix product may round one row differently at different positions,
        # and every copy of a word must stay exactly one vector (one spot on the static map)
        distinct, inverse = np.unique(e, axis=0, return_inverse=True)
        pe = static_map.transform(distinct)[inverse.reshape(-1)]
        pe[oov] = 0.0
        sid = np.arange(len(words)) if sentence_id is None else np.asarray(sentence_id, dtype=np.int64)
        return cls(list(words), np.asarray(h, np.float32), e, pe, np.asarray(oov, bool), sid)

    @classmethod
    def _row_fields(cls) -> tuple[str, ...]:
        """The array fields with one row per word (marked ``PER_ROW``; subclasses add their own)."""
        return tuple(f.name for f in fields(cls) if f.metadata.get("per_row"))

    def take(self: _Rows, rows: np.ndarray | Sequence[int]) -> _Rows:
        """The rows ``rows`` (in that order), as the same type: every per-row field taken, the rest kept (an
        :class:`~embedkit.embedded_text.EmbeddedText` keeps its sentences, so contexts still read)."""
        idx = np.asarray(rows, dtype=np.int64).reshape(-1)
        changes: dict[str, Any] = {"words": [self.words[int(i)] for i in idx]}
        for name in self._row_fields():
            changes[name] = np.asarray(getattr(self, name))[idx]
        return replace(self, **changes)

    @staticmethod
    def concat(*parts: WordVectors) -> WordVectors:
        """The rows of every part in order, as plain :class:`WordVectors`; each part's sentence ids are shifted past
        the previous parts', so no two parts share a sentence (attention fusion reads each row's own sentence).

        Raises:
            ValueError: no part, or parts whose dimensions differ.
        """
        if not parts:
            raise ValueError("concat needs at least one WordVectors")
        sids, shift = [], 0
        for part in parts:
            sid = np.asarray(part.sentence_id, dtype=np.int64)
            sids.append(sid + shift)
            shift += int(sid.max()) + 1 if len(sid) else 0
        try:
            return WordVectors(
                [w for part in parts for w in part.words],
                np.concatenate([part.h for part in parts]),
                np.concatenate([part.e for part in parts]),
                np.concatenate([part.pe for part in parts]),
                np.concatenate([np.asarray(part.oov, bool) for part in parts]),
                np.concatenate(sids),
            )
        except ValueError as exc:  # numpy names the mismatched dimension
            raise ValueError(f"cannot concatenate word vectors of different dimensions: {exc}") from None

    def __len__(self) -> int:
        return len(self.words)

    @property
    def oov_rate(self) -> float:
        """The share of rows without a static vector."""
        return float(np.mean(self.oov)) if len(self) else 0.0

    def fuse(self, mode: FusionMode | str = "weighted", alpha: float = 0.5, temperature: float = 0.1) -> Fusion:
        """Fuse the two sources per row (see :func:`embedkit.fusion.fuse`)."""
        return fuse(
            self.h, self.e, self.pe, mode, alpha, oov=self.oov, sentence_ids=self.sentence_id, temperature=temperature
        )

    def space(
        self, name: str, mode: FusionMode | str = "weighted", alpha: float = 0.5, temperature: float = 0.1
    ) -> np.ndarray:
        """The vectors of one space: ``bert`` (h), ``static`` (raw e) or ``fused``.

        Raises:
            ValueError: an unknown space name.
        """
        if check_space(name) == "bert":
            return self.h
        if name == "static":
            return self.e
        return self.fuse(mode, alpha, temperature).vectors

    def spaces(
        self, mode: FusionMode | str = "weighted", alpha: float = 0.5, temperature: float = 0.1
    ) -> dict[str, np.ndarray]:
        """All three spaces (the fusion computed once)."""
        return {"bert": self.h, "static": self.e, "fused": self.fuse(mode, alpha, temperature).vectors}

    @cached_property
    def _row_of(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i, w in enumerate(self.words):
            out.setdefault(w, i)
        return out

    def rows(self, words: Sequence[str]) -> np.ndarray:
        """The row of each word (its first row).

        Raises:
            KeyError: naming the first word that has no row.
        """
        row_of = self._row_of
        try:
            return np.fromiter((row_of[w] for w in words), dtype=np.int64, count=len(words))
        except KeyError as exc:
            raise KeyError(f"word {exc.args[0]!r} is not in the table") from None
