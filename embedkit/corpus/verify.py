"""Checks on an index folder before anything in it is used: manifest schema, per-file checksums, shapes, ranges.

A complete index's manifest lists every file search reads (``map.npz`` and ``query/*``) with its size and SHA-256.
:func:`check_index` refuses, with one :class:`~embedkit.errors.EmbedkitError` naming the file, an index whose
manifest is malformed, whose files are missing, resized or changed, whose arrays have other shapes than the counts
say (vector rows = occurrences, width = the model's), whose ids and offsets point outside their tables, or whose
stored numbers are not finite.

Cost. Hashing reads every byte (SHA-256 runs at about 1.4 GiB/s on this machine's CPU; the value checks add a
numpy pass over the small arrays). A file verified once is recorded in a *stamp* under the embedkit cache folder
(its size, inode, modification and change times, and the manifest's hash); a later open re-hashes only the files
whose stamp differs. Any write to a file moves its change time (which no user call can set back), so a stamp
can't hide a change; ``full=True`` (``embedkit index --verify``) ignores the stamps. ``bench/hostile_files.py
--index`` measures both.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from embedkit.errors import EmbedkitError

__all__ = [
    "IndexDamaged",
    "check_index",
    "check_manifest",
    "damaged",
    "digest_files",
    "npy_header",
    "query_files",
    "reason",
]

logger = logging.getLogger(__name__)

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
#: the files a complete index lists in its manifest (relative names; nothing else may be named there)
_FILE = re.compile(r"^(map\.npz|query/[a-z_]{1,40}\.(npy|parquet|arrow|faiss))$")
_CHUNK = 4 << 20
_MAX_TEXT = 10_000  # the longest string field shown from a manifest
_FLOAT_NPY = {"query/vectors.npy", "query/scalars.npy", "query/types_static.npy"}


class IndexDamaged(EmbedkitError):
    """An index folder that cannot be used as it is (malformed, changed, truncated, inconsistent)."""


def reason(exc: BaseException, folder: Path) -> str:
    """A library error as one short line, with the server's path to the index shortened to the index's name."""
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    line = (text.strip().splitlines() or [type(exc).__name__])[0]
    for prefix in {str(folder.resolve()), str(folder)}:
        line = line.replace(prefix, folder.name)
    return line[:300]


def damaged(folder: Path, what: str) -> IndexDamaged:
    """The one-line error for a damaged index (the folder's name only: the app never shows server paths)."""
    return IndexDamaged(f"the index {folder.name!r} is damaged: {what}; rebuild it with `embedkit index`")


# -- manifest schema ------------------------------------------------------------------------------------
def _field(data: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise EmbedkitError(f"{where}has no field {key!r}")
    value = data[key]
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise EmbedkitError(f"{where}{key} is {type(value).__name__}, not {names}")
    if isinstance(value, str) and len(value) > _MAX_TEXT:
        raise EmbedkitError(f"{where}{key} is {len(value):,} characters long")
    if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value < 2**62:
        raise EmbedkitError(f"{where}{key} = {value} is out of range")
    return value


def check_manifest(data: Any) -> dict[str, Any]:
    """The manifest of a complete index, every field search and the app read checked for its type and range.

    Raises:
        EmbedkitError: naming the first field that is missing or wrong.
    """
    if not isinstance(data, dict):
        raise EmbedkitError(f"the manifest is a JSON {type(data).__name__}, not an object")
    _field(data, "state", str, "the manifest ")
    _field(data, "settings", dict, "the manifest ")
    counts = _field(data, "counts", dict, "the manifest ")
    for key in ("sentences", "occurrences", "types", "oov"):
        _field(counts, key, int, "counts.")
    if counts["oov"] > counts["types"]:
        raise EmbedkitError(f"counts.oov = {counts['oov']} exceeds counts.types = {counts['types']}")
    model = _field(data, "model", dict, "the manifest ")
    _field(model, "describe", str, "model.")
    if _field(model, "dim", int, "model.") < 1:
        raise EmbedkitError("model.dim must be at least 1")
    static = _field(data, "static", dict, "the manifest ")
    if _field(static, "dim", int, "static.") < 1:
        raise EmbedkitError("static.dim must be at least 1")
    _field(_field(data, "map", dict, "the manifest "), "describe", str, "map.")
    _field(data, "exact_limit", int, "the manifest ")
    if "files" not in data:
        raise EmbedkitError("it lists no file checksums (built by an earlier embedkit)")
    files = _field(data, "files", dict, "the manifest ")
    for name, entry in files.items():
        if not _FILE.match(name):
            raise EmbedkitError(f"files names {name[:80]!r}, which is not a file of an index")
        _field(entry, "bytes", int, f"files[{name}].")
        sha = _field(entry, "sha256", str, f"files[{name}].")
        if not _HEX64.match(sha):
            raise EmbedkitError(f"files[{name}].sha256 is not a SHA-256 digest")
    missing = sorted(set(query_files(counts["occurrences"] > data["exact_limit"])) - set(files))
    if missing:
        raise EmbedkitError(f"files lists no checksum for {', '.join(missing)}")
    return data


def query_files(with_ann: bool) -> list[str]:
    """The files search reads (relative names), ``query/ann.faiss`` when the index has one."""
    names = [
        "map.npz",
        "query/vectors.npy",
        "query/rows.npy",
        "query/scalars.npy",
        "query/order.npy",
        "query/type_offsets.npy",
        "query/sentence_offsets.npy",
        "query/types.parquet",
        "query/types_static.npy",
        "query/sentences.arrow",
    ]
    return names + ["query/ann.faiss"] if with_ann else names


# -- checksums --------------------------------------------------------------------------------------------
def _hash_file(path: Path, check: Callable[[bytes], None] | None = None) -> str:
    """SHA-256 of a file read in 4 MiB chunks; ``check`` sees the bytes after a ``.npy`` header (aligned)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        if check is not None:
            head = _read_npy_header_bytes(fh)
            h.update(head)
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            h.update(chunk)
            if check is not None:
                check(chunk)
    return h.hexdigest()


def _read_npy_header_bytes(fh: Any) -> bytes:
    start = fh.tell()
    major, _ = np.lib.format.read_magic(fh)
    (np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0)(fh)
    end = fh.tell()
    fh.seek(start)
    return bytes(fh.read(end - start))


def digest_files(folder: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    """``{name: {"bytes": size, "sha256": hex}}`` of files of an index folder (written into its manifest)."""
    return {n: {"bytes": (folder / n).stat().st_size, "sha256": _hash_file(folder / n)} for n in names}


def _stamp_path(folder: Path) -> Path | None:
    try:
        from embedkit.cache import cache_dir

        key = hashlib.sha256(str(folder.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:32]
        return cache_dir() / "verified" / f"{key}.json"
    except (OSError, RuntimeError):
        return None


def _read_stamps(path: Path | None, manifest_sha: str) -> dict[str, list[int | str]]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("manifest") != manifest_sha or not isinstance(data.get("files"), dict):
        return {}
    return data["files"]


def _write_stamps(path: Path | None, manifest_sha: str, stamps: dict[str, list[int | str]]) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"manifest": manifest_sha, "files": stamps}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # a read-only cache only costs the next open a re-hash
        logger.info("cannot record verified files: %s", exc)


def _stat_key(st: os.stat_result, sha: str) -> list[int | str]:
    return [st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, sha]


# -- shapes and values ----------------------------------------------------------------------------------
def npy_header(path: Path) -> tuple[tuple[int, ...], np.dtype[Any], int]:
    """``(shape, dtype, data offset)`` of a ``.npy`` file, read from its header only (never a pickle)."""
    with open(path, "rb") as fh:
        major, _ = np.lib.format.read_magic(fh)
        read = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read(fh)
        offset = fh.tell()
    if fortran or dtype.hasobject:
        raise ValueError("not a plain C-ordered numeric array")
    return tuple(int(s) for s in shape), dtype, offset


def _finite(dtype: np.dtype[Any], problems: list[str], what: str) -> Callable[[bytes], None]:
    """A chunk check noting (in ``problems``) values that are not finite; reported only if the checksum matches,
    so a damaged file is named as changed, a forged one as holding NaN."""
    # NaN and infinity are the values whose exponent bits are all set: one integer test, faster than isfinite
    view: np.dtype[Any] = dtype
    mask: Any = None
    if dtype == np.dtype("<f2"):
        view, mask = np.dtype("<u2"), np.uint16(0x7C00)
    elif dtype == np.dtype("<f4"):
        view, mask = np.dtype("<u4"), np.uint32(0x7F800000)

    def check(chunk: bytes) -> None:
        usable = len(chunk) - len(chunk) % dtype.itemsize
        if problems or not usable:
            return
        values = np.frombuffer(chunk, view, count=usable // dtype.itemsize)
        bad = ((values & mask) == mask).any() if mask is not None else not np.isfinite(values).all()
        if bad:
            problems.append(f"{what} holds NaN or infinity")

    return check


def _expect(folder: Path, name: str, shape: tuple[int, ...], dtype: str) -> None:
    path = folder / name
    got, kind, offset = npy_header(path)
    if got != shape or kind != np.dtype(dtype):
        raise ValueError(f"{name} is {kind} {got}, expected {np.dtype(dtype)} {shape}")
    if path.stat().st_size != offset + int(np.prod(shape)) * kind.itemsize:
        raise ValueError(
            f"{name} has {path.stat().st_size:,} bytes, not the {offset + int(np.prod(shape)) * kind.itemsize:,} its header claims"
        )


def _check_shapes(folder: Path, manifest: dict[str, Any]) -> None:
    c = manifest["counts"]
    n, s, t = c["occurrences"], c["sentences"], c["types"]
    dim, sdim = manifest["model"]["dim"], manifest["static"]["dim"]
    _expect(folder, "query/vectors.npy", (n, dim), "<f2")
    _expect(folder, "query/rows.npy", (n, 5), "<i8")
    _expect(folder, "query/scalars.npy", (n, 5), "<f4")
    _expect(folder, "query/order.npy", (n,), "<i8")
    _expect(folder, "query/type_offsets.npy", (t + 1,), "<i8")
    _expect(folder, "query/sentence_offsets.npy", (s + 1,), "<i8")
    _expect(folder, "query/types_static.npy", (t, sdim), "<f4")


def _monotone(a: np.ndarray, end: int, name: str) -> None:
    if len(a) == 0 or a[0] != 0 or a[-1] != end or (len(a) > 1 and bool((np.diff(a) < 0).any())):
        raise ValueError(f"{name} are not offsets from 0 to {end:,}")


def _check_values(folder: Path, manifest: dict[str, Any], names: set[str]) -> None:
    """Ids and offsets in range, stored numbers finite (only for ``names``: the files hashed in this open)."""
    c = manifest["counts"]
    n, s, t = c["occurrences"], c["sentences"], c["types"]
    q = folder / "query"
    if "query/type_offsets.npy" in names:
        _monotone(np.load(q / "type_offsets.npy"), n, "query/type_offsets.npy")
    if "query/sentence_offsets.npy" in names:
        _monotone(np.load(q / "sentence_offsets.npy"), n, "query/sentence_offsets.npy")
    if "query/order.npy" in names:
        order = np.load(q / "order.npy", mmap_mode="r")
        for lo in range(0, n, 1 << 22):
            part = order[lo : lo + (1 << 22)]
            if len(part) and (part.min() < 0 or part.max() >= n):
                raise ValueError("query/order.npy names rows outside the index")
    if "query/rows.npy" in names:
        rows = np.load(q / "rows.npy", mmap_mode="r")
        for lo in range(0, n, 1 << 20):
            part = np.asarray(rows[lo : lo + (1 << 20)])
            if (part < 0).any():
                raise ValueError("query/rows.npy holds negative ids or offsets")
            if (part[:, 0] >= s).any() or (part[:, 4] >= t).any() or (part[:, 2] > part[:, 3]).any():
                raise ValueError("query/rows.npy names sentences, word types or spans outside the index")
    if "map.npz" in names:
        try:
            archive = np.load(folder / "map.npz", allow_pickle=False)
        except (ValueError, OSError, zipfile.BadZipFile):
            raise ValueError("map.npz is not an .npz archive of arrays") from None
        with archive as data:
            W = data["W"]
            if W.shape != (manifest["static"]["dim"], manifest["model"]["dim"]):
                raise ValueError(f"map.npz maps {W.shape}, not static {manifest['static']['dim']} -> model dim")
            if not (np.isfinite(W).all() and np.isfinite(data["scale"]).all()):
                raise ValueError("map.npz holds NaN or infinity")


def check_index(folder: Path, manifest: dict[str, Any], manifest_sha: str, *, full: bool = False) -> list[str]:
    """Check a complete index folder against its manifest before it is used; returns the files hashed now.

    Args:
        folder: the index folder.
        manifest: its manifest (already parsed).
        manifest_sha: SHA-256 of the manifest's bytes (stamps are only valid for the same manifest).
        full: hash and check every file, ignoring the stamps of earlier opens.

    Raises:
        IndexDamaged: naming the first problem found.
    """
    try:
        check_manifest(manifest)
    except IndexDamaged:
        raise
    except EmbedkitError as exc:
        raise damaged(folder, str(exc)) from None
    files: dict[str, dict[str, Any]] = manifest["files"]
    stamp_path = _stamp_path(folder)
    stamps = {} if full else _read_stamps(stamp_path, manifest_sha)
    hashed: list[str] = []
    new_stamps: dict[str, list[int | str]] = {}
    try:
        for name, entry in sorted(files.items()):
            path = folder / name
            st = path.stat()
            if not path.is_file():
                raise ValueError(f"{name} is not a file")
            if st.st_size != entry["bytes"]:
                raise ValueError(f"{name} has {st.st_size:,} bytes, the manifest says {entry['bytes']:,}")
            key = _stat_key(st, entry["sha256"])
            if stamps.get(name) == key:
                new_stamps[name] = key
                continue
            check = None
            problems: list[str] = []
            if name in _FLOAT_NPY:
                _, dtype, _ = npy_header(path)
                check = _finite(dtype, problems, name)
            if _hash_file(path, check) != entry["sha256"]:
                raise ValueError(f"{name} differs from what was indexed (its checksum does not match)")
            if problems:
                raise ValueError(problems[0])
            hashed.append(name)
            new_stamps[name] = key
        _check_shapes(folder, manifest)
        _check_values(folder, manifest, set(hashed))
    except FileNotFoundError as exc:
        raise damaged(folder, f"{Path(str(exc.filename)).name} is missing") from None
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise damaged(folder, reason(exc, folder)) from None
    _write_stamps(stamp_path, manifest_sha, new_stamps)
    return hashed
