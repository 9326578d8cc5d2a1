"""Reading static-vector files safely: every size a file claims is checked before anything is allocated.

A vectors file states its own size (word2vec's ``rows dims`` header, fastText's dictionary and matrix shapes).
A 40-byte file can claim two billion dimensions, so each claim is checked against the bytes the file can
really hold (its size; for ``.gz`` at most ``max_ratio`` times its size and ``max_decompressed_bytes``) and
against :class:`ReadLimits` before a matrix is allocated. Rows are read under a per-line byte cap, a header
that claims fewer or more rows than the file holds is an error, NaN and infinity are refused in every format,
and messages name the file and the row, never the file's bytes.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from embedkit.errors import UnsafeFileError, VectorsFileError

__all__ = [
    "GZIP_MAGIC",
    "ReadLimits",
    "VectorSource",
    "check_finite",
    "detect_format",
    "detect_head",
    "load_npy_folder",
]

logger = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"
FASTTEXT_MAGIC = 793712314
PICKLE_SUFFIXES = {".model", ".kv", ".pkl", ".pickle", ".joblib", ".pt", ".pth"}


@dataclass(frozen=True)
class ReadLimits:
    """What a vectors file may make the reader allocate or read.

    Attributes:
        max_rows: Words (rows) a table may have.
        max_dim: Dimensions per vector.
        max_matrix_bytes: Bytes of the float32 matrix (rows x dims x 4).
        max_file_bytes: Size of the file on disk; None for no limit.
        max_decompressed_bytes: Bytes a ``.gz`` file may expand to.
        max_ratio: How many times its own size a ``.gz`` file may expand to (real vectors: 1-4; any file may
            expand to 1 MiB).
        max_word_bytes: Bytes of one word.
    """

    max_rows: int = 20_000_000
    max_dim: int = 10_000
    max_matrix_bytes: int = 64 * 2**30
    max_file_bytes: int | None = None
    max_decompressed_bytes: int = 64 * 2**30
    max_ratio: int = 20
    max_word_bytes: int = 1_000

    def check_shape(self, label: str, rows: int, dim: int, *, what: str = "the header") -> None:
        """Refuse a table shape over the limits, naming the numbers.

        Raises:
            VectorsFileError: rows or dims out of range, or the matrix too large.
        """
        if rows < 1 or dim < 1:
            raise VectorsFileError(f"{label}: {what} gives {rows:,} rows of {dim:,} dimensions; both must be positive")
        if dim > self.max_dim:
            raise VectorsFileError(f"{label}: {what} gives {dim:,} dimensions; the limit is {self.max_dim:,}")
        if rows > self.max_rows:
            raise VectorsFileError(f"{label}: {what} gives {rows:,} rows; the limit is {self.max_rows:,}")
        if rows * dim * 4 > self.max_matrix_bytes:
            raise VectorsFileError(
                f"{label}: {what} gives {rows:,} x {dim:,} values ({rows * dim * 4 / 2**20:,.0f} MiB); the limit is "
                f"{self.max_matrix_bytes / 2**20:,.0f} MiB"
            )


class VectorSource:
    """A file opened for reading (plain or gzip), which refuses to yield more bytes than it can honestly hold.

    Args:
        path: The file.
        label: The name shown to people.
        limits: The limits to enforce.
    """

    def __init__(self, path: Path, label: str, limits: ReadLimits) -> None:
        self.label = label
        self.size = path.stat().st_size
        if limits.max_file_bytes is not None and self.size > limits.max_file_bytes:
            raise VectorsFileError(
                f"{label}: {self.size / 2**20:,.1f} MiB is over the limit of {limits.max_file_bytes / 2**20:,.0f} MiB"
            )
        with open(path, "rb") as fh:
            self.compressed = fh.read(2) == GZIP_MAGIC
        #: bytes the (decompressed) stream holds: the file's size, or for gzip its measured decompressed size
        self.budget = self._decompressed_size(path, limits) if self.compressed else self.size
        self._fh: IO[bytes] = gzip.open(path, "rb") if self.compressed else open(path, "rb")  # type: ignore[assignment]
        self.consumed = 0

    def _decompressed_size(self, path: Path, limits: ReadLimits) -> int:
        """Decompress once without keeping anything, refusing more than the limits allow (a compression bomb)."""
        allowed = min(limits.max_decompressed_bytes, max(self.size * limits.max_ratio, 1 << 20))
        total = 0
        try:
            with gzip.open(path, "rb") as gz:
                while chunk := gz.read(1 << 20):
                    total += len(chunk)
                    if total > allowed:
                        raise VectorsFileError(
                            f"{self.label}: the compressed file expands to more than {allowed / 2**20:,.1f} MiB "
                            f"({allowed // max(self.size, 1):,} times its size); refused as a possible compression bomb"
                        )
        except (OSError, EOFError, zlib.error) as exc:
            raise VectorsFileError(f"{self.label}: the compressed file is damaged or cut short") from exc
        return total

    def __enter__(self) -> VectorSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()

    def _count(self, data: bytes) -> bytes:
        self.consumed += len(data)
        if self.consumed > self.budget:  # the file grew while being read
            raise VectorsFileError(f"{self.label}: the file changed while it was read")
        return data

    def read(self, n: int) -> bytes:
        """Up to ``n`` bytes (fewer only at the end)."""
        try:
            return self._count(self._fh.read(n))
        except (OSError, EOFError, zlib.error) as exc:
            raise self.damaged() from exc

    def readline(self, limit: int) -> bytes:
        """One line of at most ``limit`` bytes (a longer line comes back without its newline)."""
        try:
            return self._count(self._fh.readline(limit))
        except (OSError, EOFError, zlib.error) as exc:
            raise self.damaged() from exc

    def damaged(self) -> VectorsFileError:
        kind = "compressed file is damaged or cut short" if self.compressed else "file could not be read"
        return VectorsFileError(f"{self.label}: the {kind}")


def check_finite(label: str, vectors: np.ndarray, *, rows: str = "row", chunk: int = 65_536) -> None:
    """Refuse NaN or infinite values (checked in row chunks, so a memory map is never copied whole).

    Args:
        label: The file's name for people.
        vectors: The matrix.
        rows: What a row is called in the message.
        chunk: Rows checked at a time.

    Raises:
        VectorsFileError: naming the first row with a non-finite value.
    """
    for start in range(0, vectors.shape[0], chunk):
        block = np.asarray(vectors[start : start + chunk])
        bad = ~np.isfinite(block).all(axis=1)
        if bad.any():
            row = start + int(np.flatnonzero(bad)[0]) + 1
            raise VectorsFileError(f"{label}: {rows} {row:,} holds NaN or infinite values")


def _head(path: Path, label: str) -> bytes:
    """The first 4 KiB of the file's content (decompressed when it is gzip)."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head[:2] == GZIP_MAGIC:
        try:
            with gzip.open(path, "rb") as gz:
                head = gz.read(4096)
        except (OSError, EOFError, zlib.error) as exc:
            raise VectorsFileError(f"{label}: the compressed file is damaged or cut short") from exc
    return head


def detect_format(path: Path, label: str | None = None) -> str:
    """Guess a vectors file's format from its name and first bytes (of the content, for ``.gz``).

    Args:
        path: The file or folder.
        label: The name shown in messages (default: the file name).

    Raises:
        UnsafeFileError: the file is a pickle (gensim ``.model`` / ``.kv``, ``.pkl``) or an object ``.npy``.
        VectorsFileError: the format cannot be recognised.
    """
    label = label or path.name
    if path.is_dir():
        return "npy_folder"
    if path.suffix.lower() in PICKLE_SUFFIXES:
        detect_head(b"", label, path.suffix.lower())
    return detect_head(_head(path, label), label)


def detect_head(head: bytes, label: str, suffix: str = "") -> str:
    """The format of a file from its first bytes (decompressed, for gzip) and, for pickles, its suffix.

    Raises:
        UnsafeFileError: a pickle, an archive, a pickle suffix.
        VectorsFileError: empty, or no format embedkit reads.
    """
    if suffix in PICKLE_SUFFIXES:
        raise UnsafeFileError(
            f"{label}: {suffix} files are Python pickles, and loading one can run any code inside it, so "
            "embedkit refuses them. Save the vectors as word2vec text instead: "
            "kv.save_word2vec_format('vectors.txt')"
        )
    if not head:
        raise VectorsFileError(f"{label}: the file is empty")
    if head[:1] == b"\x80" or head[:2] == b"PK":
        raise UnsafeFileError(
            f"{label}: this file is a Python pickle (or an archive of one); loading it could run code, "
            "so embedkit refuses it. Use word2vec/GloVe text, word2vec binary or fastText .bin."
        )
    if head.startswith(b"\x93NUMPY"):
        return "npy"
    if head[:4] == FASTTEXT_MAGIC.to_bytes(4, "little"):
        return "fasttext_bin"
    first_line = head.split(b"\n", 1)[0]
    parts = first_line.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        rest = head[len(first_line) + 1 :]
        try:
            rest.decode("utf-8")
            return "word2vec_text"
        except UnicodeDecodeError as exc:
            # binary floats fail to decode; text cut mid-character at 4096 bytes fails only at the very end
            return "word2vec_text" if exc.start >= len(rest) - 4 else "word2vec_binary"
    if len(parts) >= 2:
        try:
            [float(p) for p in parts[1:]]
            return "glove_text"
        except ValueError:
            pass
    raise VectorsFileError(
        f"{label}: not a vectors file embedkit can read (expected word2vec text or binary, GloVe text, "
        "fastText .bin, or a folder with an .npy matrix and a words .parquet)"
    )


def refuse_object_npy(path: Path, label: str) -> None:
    """Raise :class:`UnsafeFileError` if the ``.npy`` file holds Python objects (readable only by unpickling)."""
    try:
        np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError as exc:
        raise UnsafeFileError(
            f"{label}: this .npy holds Python objects, which only unpickling can read; embedkit refuses it"
        ) from exc


def load_npy_folder(
    root: Path, name: str, limits: ReadLimits, limit: int | None = None
) -> tuple[list[str], np.ndarray]:
    """A folder with one ``*.npy`` matrix and one ``*.parquet`` whose column ``index`` lists the words."""
    import pyarrow.parquet as pq

    npys = sorted(root.glob("*.npy"))
    parquets = sorted(root.glob("*.parquet"))
    if len(npys) != 1 or len(parquets) != 1:
        raise VectorsFileError(f"{name}: expected one .npy matrix and one .parquet word list in the folder")
    try:
        vectors = np.load(npys[0], mmap_mode="r", allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "object" in str(exc):
            raise UnsafeFileError(f"{name}: the .npy holds Python objects; embedkit never unpickles files") from exc
        raise VectorsFileError(f"{name}: the .npy matrix is damaged or shorter than its header says") from exc
    if vectors.ndim != 2 or not np.issubdtype(vectors.dtype, np.floating):
        raise VectorsFileError(f"{name}: expected a 2-D float matrix, found {vectors.dtype} of shape {vectors.shape}")
    limits.check_shape(name, int(vectors.shape[0]), int(vectors.shape[1]), what="the .npy matrix")
    meta = pq.ParquetFile(parquets[0]).metadata
    if meta.num_rows != vectors.shape[0]:
        raise VectorsFileError(f"{name}: the word list has {meta.num_rows:,} rows, the matrix {vectors.shape[0]:,}")
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > limits.max_decompressed_bytes or unpacked > limits.max_rows * limits.max_word_bytes:
        raise VectorsFileError(f"{name}: the word list expands to {unpacked:,} bytes, over the limit")
    table = pq.read_table(parquets[0])
    column = "index" if "index" in table.column_names else table.column_names[0]
    words = table.column(column).to_pylist()
    if limit is not None:
        words, vectors = words[:limit], vectors[:limit]
    check_finite(name, vectors)
    return [str(w) for w in words], vectors
