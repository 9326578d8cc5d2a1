"""A small disk cache for arrays (fitted maps, vocabulary tables), keyed by every setting that changes them.

The cache is bounded: after each write the least recently used entries are removed until the arrays take at
most ``$EMBEDKIT_CACHE_MAX_MB`` (default 2048 MiB). A read marks an entry as used. :func:`evict` applies the
same rule to any folder (the app's uploads and stored texts use it with their own limits).

Fits shipped with the package for the bundled model and vectors (:mod:`embedkit.shipped`) are served for their keys
before the disk (:func:`serve_shipped`): a fit with exactly those inputs finds them where it would find its own.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
from pathlib import Path

import numpy as np

__all__ = [
    "cache_dir",
    "cache_subdir",
    "env_mib",
    "evict",
    "load_array",
    "max_cache_bytes",
    "save_array",
    "serve_shipped",
    "stable_hash",
    "touch",
]

logger = logging.getLogger(__name__)

ENV_VAR = "EMBEDKIT_CACHE_DIR"
MAX_ENV_VAR = "EMBEDKIT_CACHE_MAX_MB"
DEFAULT_MAX_MB = 2048


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


def env_mib(var: str, default_mb: int) -> int:
    """A size limit in bytes from the environment variable ``var`` (MiB; a fraction allowed), else ``default_mb`` MiB.
    A value that is not a finite size from 0 to a petabyte is logged and ignored."""
    raw = os.environ.get(var, "").strip()
    if raw:
        try:
            mb = float(raw)
            if 0 <= mb < 1e9 and math.isfinite(mb):
                return int(mb * 2**20)
        except ValueError:
            pass
        logger.warning("%s=%r is not a size in MiB; using %d", var, raw, default_mb)
    return default_mb * 2**20


def cache_subdir(name: str) -> Path:
    """The sub-folder ``name`` of :func:`cache_dir` (made when missing)."""
    path = cache_dir() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_cache_bytes() -> int:
    """The array cache's size limit in bytes: ``$EMBEDKIT_CACHE_MAX_MB`` MiB, else 2048 MiB."""
    return env_mib(MAX_ENV_VAR, DEFAULT_MAX_MB)


def stable_hash(*parts: object) -> str:
    """A short hex digest of the parts' ``repr``, stable across processes."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()[:24]


def touch(path: Path) -> None:
    """Mark a cache entry as just used (its modification time orders eviction)."""
    try:
        os.utime(path)
    except OSError:
        pass


def evict(folder: Path, max_bytes: int, *, pattern: str = "*", keep: Path | None = None) -> int:
    """Remove the least recently used entries matching ``pattern`` until they total at most ``max_bytes``.

    Args:
        folder: The folder whose entries (files, or folders counted by their files) are bounded.
        max_bytes: The size limit.
        pattern: Which entries count (a glob in ``folder``).
        keep: An entry never removed (the one just written), unless it alone is over the limit.

    Returns:
        The bytes removed.
    """
    entries = []
    for path in folder.glob(pattern):
        try:
            if path.is_dir():
                files = [f for f in path.rglob("*") if f.is_file()]
                size = sum(f.stat().st_size for f in files)
                used = max([path.stat().st_mtime] + [f.stat().st_mtime for f in files])
            else:
                size, used = path.stat().st_size, path.stat().st_mtime
        except OSError:  # removed meanwhile by another process
            continue
        entries.append((path == keep, used, size, path))
    total = sum(e[2] for e in entries)
    removed = 0
    for _, _, size, path in sorted(entries):  # others first, oldest first
        if total <= max_bytes:
            break
        _remove(path)
        total -= size
        removed += size
        logger.info("cache: removed %s (%d bytes) to stay within %d bytes", path.name, size, max_bytes)
    return removed


def _remove(path: Path) -> None:
    import shutil

    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


#: arrays shipped with the package, by cache key (read-only; never written to disk, never evicted)
_SHIPPED: dict[str, np.ndarray] = {}


def serve_shipped(key: str, array: np.ndarray) -> None:
    """Serve ``array`` for ``key`` before the disk: a fit shipped with the package for exactly the inputs the key
    names (:mod:`embedkit.shipped` decides when). The array is made read-only."""
    array = np.array(array, copy=True)
    array.flags.writeable = False
    _SHIPPED[key] = array


def _path(key: str) -> Path:
    return cache_dir() / f"{key}.npy"


def load_array(key: str) -> np.ndarray | None:
    """The cached array for ``key`` (a shipped one first), or None. A damaged entry is ignored (and removed)."""
    if key in _SHIPPED:
        return _SHIPPED[key]
    path = _path(key)
    if not path.exists():
        return None
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        logger.warning("ignoring damaged cache entry %s: %s", path, exc)
        path.unlink(missing_ok=True)
        return None
    touch(path)
    return array


def save_array(key: str, array: np.ndarray) -> None:
    """Store ``array`` under ``key`` (atomically; failures only log), then evict down to the size limit."""
    path = _path(key)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            np.save(fh, np.ascontiguousarray(array), allow_pickle=False)
        os.replace(tmp, path)
    except OSError as exc:
        logger.warning("could not write cache entry %s: %s", path, exc)
        tmp.unlink(missing_ok=True)
        return
    evict(path.parent, max_cache_bytes(), pattern="*.npy", keep=path)
