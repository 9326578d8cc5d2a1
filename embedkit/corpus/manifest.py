"""What an index was built with: its settings, their hash, the fitted map, the counts (``manifest.json``).

A resumed run must use exactly the settings that wrote the shards already there, or the index would mix
vectors of two models; :func:`check_resume` refuses a mismatch and names the settings that differ.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from embedkit.cache import stable_hash
from embedkit.errors import EmbedkitError

__all__ = [
    "FORMAT",
    "MANIFEST",
    "IndexSettings",
    "check_resume",
    "load_map",
    "read_manifest",
    "save_map",
    "write_manifest",
]

FORMAT = "embedkit-corpus/1"
MANIFEST = "manifest.json"
MAP_FILE = "map.npz"


@dataclass(frozen=True)
class IndexSettings:
    """Everything that decides the rows and vectors of an index (hashed; runtime options are not).

    Attributes:
        model: Hugging Face id or local folder; None for the bundled all-MiniLM-L6-v2.
        layers, pooling, dtype: the contextual encoder's options.
        vectors: static vectors file; None for the bundled GloVe 6B 50d.
        align, align_k: the static -> contextual map.
        block_size: input records per shard.
        column: the text column of a .jsonl / .parquet input.
    """

    model: str | None = None
    layers: str = "last"
    pooling: str = "mean"
    dtype: str = "float32"
    vectors: str | None = None
    align: str = "procrustes"
    align_k: int = 5000
    block_size: int = 1000
    column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndexSettings:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


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
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise EmbedkitError(f"{Path(folder)} is not a corpus index (no {MANIFEST}); build one with `embedkit index`")
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EmbedkitError(f"{path} cannot be read: {exc}") from None
    if data.get("format") != FORMAT:
        raise EmbedkitError(f"{path}: format {data.get('format')!r} is not {FORMAT!r}")
    return data


def check_resume(old: dict[str, Any], new: dict[str, Any]) -> None:
    """Refuse to resume an index with other settings or inputs than those that started it.

    Raises:
        EmbedkitError: naming the settings that differ.
    """
    if old.get("settings_hash") == new.get("settings_hash"):
        return
    differ = [
        f"{k}: {old['settings'].get(k)!r} -> {v!r}" for k, v in new["settings"].items() if old["settings"].get(k) != v
    ]
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
