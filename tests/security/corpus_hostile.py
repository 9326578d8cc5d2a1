"""Hostile corpus index folders, made from one good index: each tampering class the adversarial pass found.

Shared by ``tests/security/test_corpus_index.py`` (each is refused: exit 2, one line) and ``bench/hostile_files.py
--index`` (how long each refusal takes). Two families:

- *damaged*: bytes changed, cut or removed after indexing (the checksums, sizes and schema tell);
- *forged*: a change with the manifest's checksums recomputed to match, as a hand-made index would be (only the
  shape, range and finiteness checks can tell).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

Tamper = Callable[[Path], None]


def _manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return data


def _write_manifest(folder: Path, data: Any) -> None:
    (folder / "manifest.json").write_text(json.dumps(data))


def _edit(change: Callable[[dict[str, Any]], None]) -> Tamper:
    def tamper(folder: Path) -> None:
        data = _manifest(folder)
        change(data)
        _write_manifest(folder, data)

    return tamper


def _raw_manifest(text: str) -> Tamper:
    return lambda folder: (folder / "manifest.json").write_text(text)


def _flip(name: str, where: float = 0.5, count: int = 64) -> Tamper:
    """XOR ``count`` bytes at ``where`` (a fraction of the file, past any header): same size, other content."""

    def tamper(folder: Path) -> None:
        path = folder / name
        data = bytearray(path.read_bytes())
        at = max(128, int(len(data) * where))
        for i in range(at, min(len(data), at + count)):
            data[i] ^= 0x5A
        path.write_bytes(bytes(data))

    return tamper


def _garble(name: str) -> Tamper:
    def tamper(folder: Path) -> None:
        path = folder / name
        path.write_bytes(np.random.default_rng(1).integers(0, 256, path.stat().st_size, np.uint8).tobytes())

    return tamper


def _truncate(name: str, keep: float = 0.5) -> Tamper:
    def tamper(folder: Path) -> None:
        path = folder / name
        path.write_bytes(path.read_bytes()[: int(path.stat().st_size * keep)])

    return tamper


def _array(name: str, change: Callable[[np.ndarray], None]) -> Tamper:
    """Change a ``.npy`` file's values in place (same shape, same size)."""

    def tamper(folder: Path) -> None:
        arr = np.load(folder / name, mmap_mode="r+")
        change(arr)
        arr.flush()
        del arr

    return tamper


def rehash(folder: Path) -> None:
    """Recompute the manifest's checksums: what a forger does after changing a file."""
    data = _manifest(folder)
    for name, entry in data["files"].items():
        path = folder / name
        entry["bytes"] = path.stat().st_size
        entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    _write_manifest(folder, data)


def _forged(tamper: Tamper) -> Tamper:
    def forge(folder: Path) -> None:
        tamper(folder)
        rehash(folder)

    return forge


def _replace_with_folder(name: str) -> Tamper:
    def tamper(folder: Path) -> None:
        (folder / name).unlink()
        (folder / name).mkdir()

    return tamper


def _set_nan(arr: np.ndarray) -> None:
    arr[3, 0] = np.nan


def _negative_offset(arr: np.ndarray) -> None:
    arr[5, 2] = -40


def _type_out_of_range(arr: np.ndarray) -> None:
    arr[7, 4] = 10**9


def _order_out_of_range(arr: np.ndarray) -> None:
    arr[0] = -1


def _delete(d: dict[str, Any], *keys: str) -> None:
    for k in keys[:-1]:
        d = d[k]
    del d[keys[-1]]


def _drop_checksums(d: dict[str, Any]) -> None:
    del d["files"]


def _bigger_dim(folder: Path) -> None:
    data = _manifest(folder)
    data["model"]["dim"] += 2
    _write_manifest(folder, data)


def _fewer_rows(folder: Path) -> None:
    data = _manifest(folder)
    data["counts"]["occurrences"] -= 1
    _write_manifest(folder, data)


#: name -> (tamper, a phrase of the one-line refusal)
DAMAGED: dict[str, tuple[Tamper, str]] = {
    "manifest is a list": (_raw_manifest("[]"), "not an object"),
    "manifest nests 100k brackets": (_raw_manifest("[" * 100_000 + "]" * 100_000), "nests too deeply"),
    "manifest is not JSON": (_raw_manifest('{"format": "embedkit-corpus/1", '), "not valid JSON"),
    "manifest is 20 MB": (_raw_manifest('{"pad": "' + "x" * 20_000_000 + '"}'), "over 16 MiB"),
    "manifest has no counts": (_edit(lambda d: _delete(d, "counts")), "no field 'counts'"),
    "counts.occurrences is text": (_edit(lambda d: d["counts"].update(occurrences="lots")), "occurrences is str"),
    "counts.types is negative": (_edit(lambda d: d["counts"].update(types=-3)), "out of range"),
    "model.describe is a list": (_edit(lambda d: d["model"].update(describe=["x"])), "describe is list"),
    "no checksums (an older index)": (_edit(_drop_checksums), "no file checksums"),
    "files names ../../etc/passwd": (
        _edit(lambda d: d["files"].update({"../../etc/passwd": {"bytes": 1, "sha256": "0" * 64}})),
        "not a file of an index",
    ),
    "vectors.npy cut in half (mmap length)": (_truncate("query/vectors.npy"), "bytes, the manifest says"),
    "vectors.npy bytes garbled": (_flip("query/vectors.npy"), "checksum does not match"),
    "vectors.npy missing": (lambda f: (f / "query/vectors.npy").unlink(), "vectors.npy is missing"),
    "rows.npy missing": (lambda f: (f / "query/rows.npy").unlink(), "rows.npy is missing"),
    "rows.npy replaced by a folder": (_replace_with_folder("query/rows.npy"), "not a file"),
    "rows.npy negative offset": (_array("query/rows.npy", _negative_offset), "checksum does not match"),
    "scalars.npy NaN": (_array("query/scalars.npy", _set_nan), "checksum does not match"),
    "vectors.npy NaN": (_array("query/vectors.npy", _set_nan), "checksum does not match"),
    "ann.faiss garbled (index_read.cpp)": (_garble("query/ann.faiss"), "checksum does not match"),
    "ann.faiss one bit flipped": (_flip("query/ann.faiss", 0.7, 1), "checksum does not match"),
    "types.parquet garbled (ArrowInvalid)": (_garble("query/types.parquet"), "checksum does not match"),
    "sentences.arrow garbled": (_flip("query/sentences.arrow", 0.5, 16), "checksum does not match"),
    "map.npz garbled (BadZipFile)": (_garble("map.npz"), "checksum does not match"),
    "types_static.npy truncated": (_truncate("query/types_static.npy", 0.9), "bytes, the manifest says"),
    "manifest: model dim larger": (_bigger_dim, "expected float16"),
    "manifest: one occurrence fewer": (_fewer_rows, "expected"),
}

FORGED: dict[str, tuple[Tamper, str]] = {
    "forged: vectors.npy NaN": (_forged(_array("query/vectors.npy", _set_nan)), "NaN or infinity"),
    "forged: scalars.npy NaN": (_forged(_array("query/scalars.npy", _set_nan)), "NaN or infinity"),
    "forged: types_static.npy NaN": (_forged(_array("query/types_static.npy", _set_nan)), "NaN or infinity"),
    "forged: rows.npy negative offset": (_forged(_array("query/rows.npy", _negative_offset)), "negative"),
    "forged: rows.npy type id out of range": (_forged(_array("query/rows.npy", _type_out_of_range)), "outside"),
    "forged: order.npy row out of range": (_forged(_array("query/order.npy", _order_out_of_range)), "outside"),
    "forged: vectors.npy cut": (_forged(_truncate("query/vectors.npy")), "its header claims"),
    "forged: ann.faiss garbled": (_forged(_garble("query/ann.faiss")), "ann.faiss"),
    "forged: types.parquet garbled": (_forged(_garble("query/types.parquet")), "damaged"),
    "forged: sentences.arrow garbled": (_forged(_garble("query/sentences.arrow")), "damaged"),
    "forged: map.npz garbled": (_forged(_garble("map.npz")), "damaged"),
}

HOSTILE: dict[str, tuple[Tamper, str]] = {**DAMAGED, **FORGED}


def make_hostile(good: Path, folder: Path) -> dict[str, Path]:
    """A copy of the index ``good`` per hostile case, tampered, under ``folder``; ``{case: path}``."""
    out: dict[str, Path] = {}
    for i, (case, (tamper, _)) in enumerate(HOSTILE.items()):
        copy = folder / f"case{i:02d}"
        shutil.copytree(good, copy)
        tamper(copy)
        out[case] = copy
    return out


__all__ = ["DAMAGED", "FORGED", "HOSTILE", "make_hostile", "rehash"]
