"""A small disk cache for arrays (fitted maps, vocabulary tables), keyed by every setting that changes them."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import numpy as np

__all__ = ["cache_dir", "load_array", "save_array", "stable_hash"]

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
