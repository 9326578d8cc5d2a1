"""Vocabulary tables: the top static words in every space, computed once per setting and cached."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from embedkit.cache import load_array, save_array, stable_hash

if TYPE_CHECKING:
    from embedkit.contextual import ContextualEncoder, Progress

__all__ = ["Vocabulary", "encode_words_cached"]


def encode_words_cached(
    encoder: ContextualEncoder, words: Sequence[str], *, progress: Progress | None = None
) -> np.ndarray:
    """``encoder.encode_words(words)``, cached on disk by the encoder's settings and the word list."""
    key = stable_hash("words", encoder.settings_key(), list(words))
    cached = load_array(key)
    if cached is not None and cached.shape == (len(words), encoder.dim):
        return cached
    vectors = encoder.encode_words(words, progress=progress)
    save_array(key, vectors)
    return vectors


@dataclass(frozen=True)
class Vocabulary:
    """The ``k`` most frequent alphabetic static words, with their vectors in each space.

    ``bert`` holds each word encoded alone; ``static`` the raw static vectors; ``static_mapped`` the
    static vectors mapped into the contextual space.
    """

    words: list[str]
    bert: np.ndarray
    static: np.ndarray
    static_mapped: np.ndarray

    def spaces(self, mode: str = "weighted", alpha: float = 0.5, temperature: float = 0.1) -> dict[str, np.ndarray]:
        """The table in each space; each word is fused on its own (its own sentence, no context)."""
        from embedkit.fusion import fuse

        fused = fuse(
            self.bert, self.static, self.static_mapped, mode, alpha,
            sentence_ids=np.arange(len(self.words)), temperature=temperature,
        ).vectors
        return {"bert": self.bert, "static": self.static, "fused": fused}
