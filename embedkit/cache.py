"""A small disk cache for arrays (fitted maps, vocabulary tables), keyed by every setting that changes them."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from embedkit.contextual import ContextualEncoder, Progress

__all__ = ["cache_dir", "encode_words_cached", "load_array", "save_array", "stable_hash"]

logger = logging.getLogger(__name__)

ENV_VAR = "EMBEDKIT_CACHE_DIR"


def cache_dir() -> Path:
    """The cache folder: ``$EMBEDKIT_CACHE_DIR`` if set, else the user cache directory."""
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env)
    else:
        import platformdirs

        path = Path(platformdirs.user_cache_dir("embedkit"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def stable_hash(*parts: object) -> str:
    """A short hex digest of the parts' ``repr``, stable across processes."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()[:24]


def _path(key: str) -> Path:
    return cache_dir() / f"{key}.npy"


def load_array(key: str) -> np.ndarray | None:
    """The cached array for ``key``, or None. A damaged entry is ignored (and removed)."""
    path = _path(key)
    if not path.exists():
        return None
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        logger.warning("ignoring damaged cache entry %s: %s", path, exc)
        path.unlink(missing_ok=True)
        return None


def save_array(key: str, array: np.ndarray) -> None:
    """Store ``array`` under ``key`` (atomically; failures only log)."""
    path = _path(key)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            np.save(fh, np.ascontiguousarray(array), allow_pickle=False)
        os.replace(tmp, path)
    except OSError as exc:
        logger.warning("could not write cache entry %s: %s", path, exc)
        tmp.unlink(missing_ok=True)


def encode_words_cached(
    encoder: ContextualEncoder, words: Sequence[str], *, progress: Progress | None = None
) -> np.ndarray:
    """``encoder.encode_words(words)`` (each word alone), cached on disk by the encoder's settings and the words."""
    key = stable_hash("words", encoder.settings_key(), list(words))
    cached = load_array(key)
    if cached is not None and cached.shape == (len(words), encoder.dim):
        return cached
    vectors = encoder.encode_words(words, progress=progress)
    save_array(key, vectors)
    return vectors
