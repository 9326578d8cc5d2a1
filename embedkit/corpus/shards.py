"""Shards: the Parquet files one input block becomes, written atomically.

Each block ``f00000-b000000`` gives two files in ``INDEX/shards/``: ``<name>.sentences.parquet`` (``record``: the
record's number in its file, ``text``) and ``<name>.occurrences.parquet`` (one row per word occurrence: ``sentence``
(index into the shard's sentences), ``position``, ``word``, ``start``, ``end``, ``oov``, the contextual vector ``h``
in half precision (one ``fixed_size_binary`` value per row: the row's float16 bytes, little-endian; a nested list
column costs Parquet a repetition level per number, ten times slower to write and twenty to read), and per-row
scalars for live-alpha scoring: ``h2`` = |h|², ``hpe`` = h·Pe, ``pe2`` = |Pe|², ``att_h`` / ``att_p`` = the cosines
of h and Pe with the sentence context used by attention fusion). Each file is written under a temporary name and
renamed when complete; the occurrences file is renamed last, so a shard is done exactly when its occurrences file
exists, and a crash at any moment leaves no half shard behind.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "SHARDS",
    "clean_partial",
    "done_shards",
    "occurrence_files",
    "sentence_files",
    "vector_column",
    "vector_dim",
    "vectors_of",
    "write_shard",
]

SHARDS = "shards"
_OCC = ".occurrences.parquet"
_SENT = ".sentences.parquet"
_NAME = re.compile(r"^f\d{5}-b\d{6}$")


_HALF = np.dtype("<f2")


def vector_column(h16: np.ndarray) -> Any:
    """The ``h`` column of a shard: each row of a float16 ``(n, d)`` array as one ``fixed_size_binary(2 d)`` value."""
    import pyarrow as pa

    data = np.ascontiguousarray(h16, _HALF)
    n, dim = data.shape
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(2 * dim), n, [None, pa.py_buffer(data)])


def vector_dim(schema: Any) -> int:
    """The vector width of an occurrences schema (also reads the nested-list column of earlier shards)."""
    import pyarrow as pa

    kind = schema.field("h").type
    return int(kind.byte_width // 2 if pa.types.is_fixed_size_binary(kind) else kind.list_size)


def vectors_of(table: Any) -> np.ndarray:
    """The float16 ``(n, d)`` vectors of an occurrences table (zero-copy for the binary column)."""
    import pyarrow as pa

    column = table.column("h").combine_chunks()
    dim = vector_dim(table.schema)
    if pa.types.is_fixed_size_binary(column.type):
        start = column.offset * 2 * dim
        return np.frombuffer(column.buffers()[1], _HALF, count=len(column) * dim, offset=start).reshape(-1, dim)
    values = column.values.to_numpy(zero_copy_only=False)  # earlier shards: fixed_size_list<halffloat>
    return np.asarray(values, _HALF).reshape(-1, dim)


def _write(table: Any, path: Path, compression: Any) -> None:
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        pq.write_table(table, tmp, compression=compression)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_shard(folder: str | os.PathLike[str], name: str, sentences: Any, occurrences: Any) -> None:
    """Write one shard's two tables atomically (sentences first, occurrences last: the completion mark)."""
    if not _NAME.match(name):
        raise ValueError(f"not a shard name: {name!r}")
    out = Path(folder) / SHARDS
    out.mkdir(parents=True, exist_ok=True)
    _write(sentences, out / f"{name}{_SENT}", "zstd")
    compression = {c: ("none" if c == "h" else "zstd") for c in occurrences.column_names}
    _write(occurrences, out / f"{name}{_OCC}", compression)


def done_shards(folder: str | os.PathLike[str]) -> frozenset[str]:
    """Names of the complete shards of an index folder."""
    out = Path(folder) / SHARDS
    if not out.is_dir():
        return frozenset()
    names = {p.name[: -len(_OCC)] for p in out.glob(f"*{_OCC}") if not p.name.startswith(".")}
    return frozenset(n for n in names if (out / f"{n}{_SENT}").is_file())


def clean_partial(folder: str | os.PathLike[str]) -> int:
    """Remove temporary files a crashed run left behind; returns how many."""
    out = Path(folder) / SHARDS
    removed = 0
    if out.is_dir():
        for p in out.glob(".*.tmp"):
            p.unlink(missing_ok=True)
            removed += 1
    return removed


def occurrence_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The occurrences files of the complete shards, in shard (input) order."""
    out = Path(folder) / SHARDS
    return [out / f"{n}{_OCC}" for n in sorted(done_shards(folder))]


def sentence_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The sentences files of the complete shards, in shard (input) order."""
    out = Path(folder) / SHARDS
    return [out / f"{n}{_SENT}" for n in sorted(done_shards(folder))]
