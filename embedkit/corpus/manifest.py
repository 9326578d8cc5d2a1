"""What an index was built with: its settings, their hash, the fitted map, the counts (``manifest.json``).

A resumed run must use exactly the settings that wrote the shards already there, or the index would mix
vectors of two models; :func:`check_resume` refuses a mismatch and names the settings that differ.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from embedkit.cache import stable_hash
from embedkit.config import EmbedderConfig
from embedkit.errors import EmbedkitError

__all__ = [
    "FORMAT",
    "MANIFEST",
    "IndexSettings",
    "check_resume",
    "load_manifest",
    "load_map",
    "read_manifest",
    "save_map",
    "write_manifest",
]

FORMAT = "embedkit-corpus/1"
MANIFEST = "manifest.json"
MAP_FILE = "map.npz"
#: the largest manifest read (a folder of many input files lists each one)
MAX_MANIFEST_BYTES = 16 * 2**20


#: the encoder fields of an index written before :class:`~embedkit.config.EmbedderConfig` (flat in its settings;
#: no post-processing then)
_FLAT_FIELDS = ("model", "layers", "pooling", "dtype", "vectors", "align", "align_k")


@dataclass(frozen=True)
class IndexSettings:
    """Everything that decides the rows and vectors of an index (hashed; runtime options are not).

    Attributes:
        embedder: the encoder, the static vectors and the map (the defaults every face shares); a query sentence is
            encoded with the same configuration.
        block_size: input records per shard.
        column: the text column of a .jsonl / .parquet input.
    """

    embedder: EmbedderConfig = field(default_factory=EmbedderConfig)
    block_size: int = 1000
    column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"embedder": self.embedder.to_dict(), "block_size": self.block_size, "column": self.column}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndexSettings:
        """Settings as :meth:`to_dict` wrote them (or flat, as indexes written before the one configuration were).

        Raises:
            EmbedkitError: not a mapping, or an encoder option no configuration accepts.
        """
        if not isinstance(data, dict):
            raise EmbedkitError(f"index settings must be a JSON object, got {type(data).__name__}")
        if "embedder" in data:
            config = EmbedderConfig.from_dict(data["embedder"])
        else:
            config = EmbedderConfig.from_dict(
                {"postprocess": "none", **{k: data[k] for k in _FLAT_FIELDS if k in data}}
            )
        rest = {k: data[k] for k in ("block_size", "column") if k in data}
        return cls(embedder=config, **rest)


def settings_hash(settings: IndexSettings, inputs: list[dict[str, Any]]) -> str:
    """A key of the settings and of the input files (paths and sizes)."""
    return stable_hash(FORMAT, sorted(settings.to_dict().items()), inputs)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def new_manifest(settings: IndexSettings, inputs: list[dict[str, Any]], **described: Any) -> dict[str, Any]:
    """A fresh manifest (state ``indexing``) for these settings and inputs."""
    import embedkit

    return {
        "format": FORMAT,
        "embedkit_version": embedkit.__version__,
        "settings": settings.to_dict(),
        "settings_hash": settings_hash(settings, inputs),
        "inputs": inputs,
        "state": "indexing",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        **described,
    }


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` atomically."""
    _atomic_write(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of an index folder.

    Raises:
        EmbedkitError: no manifest, or not an embedkit corpus index.
    """
    return load_manifest(folder)[0]


def load_manifest(folder: str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    """The manifest of an index folder and the SHA-256 of its bytes (at most ``MAX_MANIFEST_BYTES``).

    Raises:
        EmbedkitError: no manifest, an unreadable, oversized or malformed one, or not an embedkit corpus index.
    """
    import hashlib

    path = Path(folder) / MANIFEST
    name = Path(folder).name
    if not path.is_file():
        raise EmbedkitError(f"{Path(folder)} is not a corpus index (no {MANIFEST}); build one with `embedkit index`")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_MANIFEST_BYTES + 1)
        if len(raw) > MAX_MANIFEST_BYTES:
            raise ValueError(f"it is over {MAX_MANIFEST_BYTES // 2**20} MiB")
        data = json.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise EmbedkitError(f"the manifest of index {name!r} cannot be read: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        detail = "it nests too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]
        raise EmbedkitError(f"the manifest of index {name!r} is not valid JSON: {detail}") from None
    if not isinstance(data, dict):
        raise EmbedkitError(f"the manifest of index {name!r} is a JSON {type(data).__name__}, not an object")
    if data.get("format") != FORMAT:
        shown = data.get("format")
        shown = shown[:60] if isinstance(shown, str) else type(shown).__name__
        raise EmbedkitError(f"{name}/{MANIFEST}: format {shown!r} is not {FORMAT!r}")
    return data, hashlib.sha256(raw).hexdigest()


def _flat(settings: Any) -> dict[str, Any]:
    """Settings as one flat mapping (the encoder fields beside the block size and column)."""
    try:
        parsed = IndexSettings.from_dict(settings)
    except EmbedkitError:
        return {}
    return {**parsed.embedder.to_dict(), "block_size": parsed.block_size, "column": parsed.column}


def check_resume(old: dict[str, Any], new: dict[str, Any]) -> None:
    """Refuse to resume an index with other settings or inputs than those that started it.

    Raises:
        EmbedkitError: naming the settings that differ.
    """
    if old.get("settings_hash") == new.get("settings_hash"):
        return
    if not isinstance(old.get("settings"), dict):
        raise EmbedkitError("cannot resume: the index's manifest holds no settings; use a new output folder")
    was, now = _flat(old.get("settings", {})), _flat(new["settings"])
    differ = [f"{k}: {was.get(k)!r} -> {v!r}" for k, v in now.items() if was.get(k) != v]
    if old.get("inputs") != new.get("inputs"):
        differ.append("the input files (paths or sizes) changed")
    raise EmbedkitError(
        "cannot resume: this index was started with other settings ("
        + ("; ".join(differ) or "another embedkit index format")
        + "); use the same settings, or a new output folder"
    )


def save_map(folder: Path, W: np.ndarray, scale: float, method: str, n_fit: int) -> None:
    """Store the fitted static -> contextual map (plain arrays, no pickle)."""
    tmp = folder / f".{MAP_FILE}.{os.getpid()}.tmp.npz"
    np.savez(tmp, W=np.asarray(W, np.float32), scale=np.float64(scale), n_fit=np.int64(n_fit), method=np.str_(method))
    os.replace(tmp, folder / MAP_FILE)


def load_map(folder: Path) -> Any:
    """The stored map as a fitted :class:`embedkit.alignment.StaticMap`."""
    from embedkit.alignment import StaticMap

    with np.load(folder / MAP_FILE, allow_pickle=False) as data:
        m = StaticMap(str(data["method"]))
        m.W_ = data["W"].astype(np.float32)
        m.scale_ = float(data["scale"])
        m.in_dim_, m.out_dim_ = m.W_.shape
        m.n_fit_ = int(data["n_fit"])
    return m
