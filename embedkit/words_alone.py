"""Words encoded alone (``[CLS] word [SEP]``), cached on disk: the contextual side of the static map's fit and of the
vocabulary tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from embedkit.cache import load_array, save_array, stable_hash

if TYPE_CHECKING:
    from embedkit.contextual import ContextualEncoder
    from embedkit.progress import Progress

__all__ = ["encode_words_cached", "words_cache_key"]


def words_cache_key(encoder: ContextualEncoder, words: Sequence[str]) -> str:
    """The cache key of ``words`` each encoded alone by ``encoder``."""
    return stable_hash("words", encoder.settings_key(), list(words))


def encode_words_cached(
    encoder: ContextualEncoder, words: Sequence[str], *, progress: Progress | None = None
) -> np.ndarray:
    """``encoder.encode_words(words)`` (each word alone), cached on disk by the encoder's settings and the words."""
    key = words_cache_key(encoder, words)
    cached = load_array(key)
    if cached is not None and cached.shape == (len(words), encoder.dim):
        return cached
    vectors = encoder.encode_words(words, progress=progress)
    save_array(key, vectors)
    return vectors
