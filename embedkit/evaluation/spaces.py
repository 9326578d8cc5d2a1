"""Per-word vectors of an evaluation vocabulary in every space: contextual, static, and their fusion.

A :class:`WordTable` holds, for each word, the contextual vector of the word encoded alone (``h``), the raw
static vector (``e``), the static vector mapped into the contextual space (``pe``) and the static OOV flag.
Fused spaces are computed on demand with :func:`embedkit.fusion.fuse`, the same function the app uses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from embedkit.alignment import StaticMap
    from embedkit.contextual import ContextualEncoder
    from embedkit.static import StaticVectors

__all__ = ["SPACES", "WordTable", "build_word_table"]

logger = logging.getLogger(__name__)

SPACES = ("contextual", "static", "fused")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class WordTable:
    """Vectors of a fixed word list in the contextual, static and mapped-static spaces.

    Attributes:
        words: the words, one per row.
        h: contextual vectors ``(n, dh)``, each word encoded alone.
        e: raw static vectors ``(n, de)``, zero rows for OOV words.
        pe: static vectors mapped into the contextual space ``(n, dh)``.
        oov: True where the static vectors lack the word.
    """

    words: tuple[str, ...]
    h: np.ndarray = field(repr=False)
    e: np.ndarray = field(repr=False)
    pe: np.ndarray = field(repr=False)
    oov: np.ndarray = field(repr=False)
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.words)
        for name in ("h", "e", "pe", "oov"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"WordTable.{name} has {len(getattr(self, name))} rows for {n} words")
        object.__setattr__(self, "_index", {w: i for i, w in enumerate(self.words)})

    def __len__(self) -> int:
        return len(self.words)

    def rows(self, words: Sequence[str]) -> np.ndarray:
        """Row index of each word.

        Raises:
            KeyError: naming the first word that is not in the table.
        """
        try:
            return np.fromiter((self._index[w] for w in words), dtype=np.int64, count=len(words))
        except KeyError as exc:
            raise KeyError(f"word {exc.args[0]!r} is not in the evaluation table") from None

    def space(self, name: str, mode: str = "weighted", alpha: float = 0.5, **fuse_kwargs: Any) -> np.ndarray:
        """Vectors of every word in ``contextual``, ``static`` or ``fused`` (with ``mode`` and ``alpha``).

        Raises:
            ValueError: for an unknown space name.
        """
        if name == "contextual":
            return self.h
        if name == "static":
            return self.e
        if name == "fused":
            from embedkit.fusion import fuse

            return np.asarray(
                fuse(self.h, self.e, self.pe, mode=mode, alpha=alpha, oov=self.oov, **fuse_kwargs).vectors
            )
        raise ValueError(f"unknown space {name!r}; choose one of: {', '.join(SPACES)}")

    def subset(self, words: Sequence[str]) -> WordTable:
        """A table of only ``words`` (in that order)."""
        idx = self.rows(words)
        return WordTable(tuple(words), self.h[idx], self.e[idx], self.pe[idx], self.oov[idx])


def build_word_table(
    words: Sequence[str],
    encoder: ContextualEncoder,
    static: StaticVectors,
    static_map: StaticMap,
    *,
    progress: Progress | None = None,
) -> WordTable:
    """Encode ``words`` alone with the contextual model, look them up in the static table, map them.

    The contextual vectors are cached on disk by the encoder's settings and the word list.

    Args:
        words: unique words.
        encoder: contextual encoder (``encode_words`` encodes ``[CLS] w [SEP]``).
        static: static vectors.
        static_map: fitted static -> contextual map.
        progress: ``progress(done, total)`` for the contextual encoding.
    """
    from embedkit.cache import encode_words_cached

    words = tuple(dict.fromkeys(words))
    h = np.asarray(encode_words_cached(encoder, list(words), progress=progress), dtype=np.float32)
    e, oov = static.lookup(list(words))
    e = np.asarray(e, dtype=np.float32)
    oov = np.asarray(oov, dtype=bool)
    pe = np.asarray(static_map.transform(e), dtype=np.float32)
    pe[oov] = 0.0
    logger.info("word table: %d words, %d static OOV", len(words), int(oov.sum()))
    return WordTable(words, h, e, pe, oov)
