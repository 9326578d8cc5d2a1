"""Where a session's models and vectors come from, named by references, never by server paths.

- ``None``: the bundled defaults.
- A Hugging Face id (``name`` or ``owner/name``). An id that also names a folder in the server's working folder
  is looked up on the hub, never loaded from that folder.
- ``local:NAME``: a model folder the operator allow-listed in ``$EMBEDKIT_MODEL_DIRS``.
- ``upload:ID`` / ``trained:ID``: vectors uploaded or trained in the app, kept by content hash under the cache
  folder, the least recently used removed beyond ``$EMBEDKIT_UPLOAD_QUOTA_MB`` (default 1024 MiB). Uploads are
  sniffed in memory (size, pickles, archives) before they are written, then loaded under :data:`APP_LIMITS`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from pathlib import Path

from embedkit.cache import cache_subdir, env_mib
from embedkit.errors import ModelLoadError, VectorsFileError
from embedkit.options import is_hub_id
from embedkit.static_io import ReadLimits

__all__ = [
    "APP_LIMITS",
    "keep_within_quota",
    "local_models",
    "model_source",
    "sniff_upload",
    "store_upload",
    "upload_quota_bytes",
    "uploads_dir",
    "vectors_file",
]

logger = logging.getLogger(__name__)

#: what an uploaded vectors file may make the server allocate
APP_LIMITS = ReadLimits(
    max_rows=2_000_000,
    max_dim=2_048,
    max_matrix_bytes=2**30,
    max_file_bytes=500 * 2**20,
    max_decompressed_bytes=2**30,
)
MODEL_DIRS_ENV = "EMBEDKIT_MODEL_DIRS"
UPLOAD_QUOTA_ENV = "EMBEDKIT_UPLOAD_QUOTA_MB"
DEFAULT_UPLOAD_QUOTA_MB = 1024
_REF = re.compile(r"^(upload|trained):([0-9a-f]{24})$")


# --- references -> files ------------------------------------------------------------------------


def local_models() -> dict[str, Path]:
    """Model folders this server offers, by name: the extra models installed and verified on it (e.g.
    all-mpnet-base-v2 from ``scripts/install_mpnet.py``), then the folders the operator allow-listed in
    ``$EMBEDKIT_MODEL_DIRS`` (paths separated by ``os.pathsep``), each a model folder (with ``config.json``) or a folder
    of model folders."""
    from embedkit.defaults import installed_extra_models

    out: dict[str, Path] = {name: folder.resolve() for name, folder in installed_extra_models().items()}
    for root in filter(None, os.environ.get(MODEL_DIRS_ENV, "").split(os.pathsep)):
        base = Path(root).expanduser()
        folders = [base] if (base / "config.json").is_file() else sorted(c.parent for c in base.glob("*/config.json"))
        for folder in folders:
            if folder.resolve() not in out.values():  # a symlink offers nothing new
                out.setdefault(folder.name, folder.resolve())
    return out


def model_source(ref: str | None) -> tuple[str | None, str]:
    """What to load for a model reference, and the name people see.

    Raises:
        ModelLoadError: ``local:NAME`` not in the allow-list, or not a Hugging Face id (links cannot name folders).
    """
    if ref is None:
        return None, "all-MiniLM-L6-v2 (bundled)"
    if ref.startswith("local:"):
        folder = local_models().get(ref[6:])
        if folder is None:
            raise ModelLoadError(f"{ref!r} is not one of the model folders this server offers")
        return str(folder), ref
    if not is_hub_id(ref):
        raise ModelLoadError(f"{ref!r} is not a Hugging Face model id (name or owner/name)")
    if Path(ref).expanduser().exists():  # transformers would load that folder: look the id up on the hub instead
        return _hub_snapshot(ref), ref
    return ref, ref


def _hub_snapshot(model_id: str) -> str:
    """The local snapshot of a hub model (downloaded unless offline); never a folder of the server's own."""
    from huggingface_hub import snapshot_download

    from embedkit.contextual import hub_message

    try:
        return snapshot_download(
            model_id,
            allow_patterns=["*.json", "*.txt", "*.safetensors", "*.model"],
            local_files_only=os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"),
        )
    except Exception as exc:  # hub errors of every kind: say what a missing model says
        raise ModelLoadError(f"could not load model {model_id!r}: {hub_message(exc)}") from exc


def uploads_dir() -> Path:
    """Where uploaded and trained vectors are kept (under the cache folder, within the upload quota)."""
    return cache_subdir("app_vectors")


def upload_quota_bytes() -> int:
    """``$EMBEDKIT_UPLOAD_QUOTA_MB`` MiB (default 1024): the most uploaded and trained vectors kept on disk."""
    return env_mib(UPLOAD_QUOTA_ENV, DEFAULT_UPLOAD_QUOTA_MB)


def vectors_file(ref: str) -> Path:
    """The file behind ``upload:ID`` / ``trained:ID``.

    Raises:
        VectorsFileError: a malformed reference, or a file no longer kept (the quota removed it).
    """
    match = _REF.match(ref)
    if match is None:
        raise VectorsFileError(f"{ref!r} is not a reference to uploaded or trained vectors")
    kind, key = match.groups()
    path = uploads_dir() / key
    if kind == "trained":
        path = next(iter(sorted(path.glob("*.bin"))), path / "missing")
    if not path.is_file():
        raise VectorsFileError(
            f"the {'uploaded' if kind == 'upload' else 'trained'} vectors are no longer kept on this server "
            "(it keeps a limited amount); upload or train them again on the Models page"
        )
    from embedkit.cache import touch

    touch(path.parent if kind == "trained" else path)
    return path


def sniff_upload(name: str, data: bytes) -> None:
    """Checks on an upload's bytes before anything is written: size, pickles, archives, empty files.

    Raises:
        VectorsFileError: naming the file (as the user named it) and the reason.
    """
    import zlib

    from embedkit.static_io import GZIP_MAGIC, PICKLE_SUFFIXES, detect_head

    if APP_LIMITS.max_file_bytes is not None and len(data) > APP_LIMITS.max_file_bytes:
        raise VectorsFileError(f"{name}: {len(data) / 2**20:,.1f} MiB is over the app's limit of 500 MiB")
    head = data[:4096]
    if head[:2] == GZIP_MAGIC:
        try:
            head = zlib.decompressobj(wbits=31).decompress(data[:65_536], 4096)
        except zlib.error as exc:
            raise VectorsFileError(f"{name}: the compressed file is damaged") from exc
    detect_head(head, name, Path(name).suffix.lower() if Path(name).suffix.lower() in PICKLE_SUFFIXES else "")


def keep_within_quota(keep: Path) -> None:
    """Remove the least recently used uploads and trained vectors beyond the quota (never ``keep``)."""
    from embedkit.cache import evict

    evict(uploads_dir(), upload_quota_bytes(), pattern="[0-9a-f]*", keep=keep)


def store_upload(name: str, data: bytes) -> tuple[str, Path]:
    """Sniff an upload in memory, then keep it by content hash; returns ``("upload:ID", path)``.

    Raises:
        VectorsFileError: refused before anything was written.
    """
    sniff_upload(name, data)
    key = hashlib.sha256(data).hexdigest()[:24]
    path = uploads_dir() / key
    if not path.exists():
        tmp = path.with_name(f".{key}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return f"upload:{key}", path
