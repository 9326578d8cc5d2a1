"""word2vec text, word2vec binary and GloVe text: read row by row under the byte caps of a
:class:`~embedkit.static_io.VectorSource`, after the header's claims are checked against the file's size.

A header that claims fewer or more rows than the file holds is an error; so is a row with the wrong number of
values, a value that is not a number, NaN or infinity. Messages name the row, never quote the file's bytes.
"""

from __future__ import annotations

import logging

import numpy as np

from embedkit.errors import VectorsFileError
from embedkit.static_io import ReadLimits, VectorSource, check_finite

__all__ = ["read_text", "read_word2vec_binary"]

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20
_MAX_FLOAT_CHARS = 48  # "-1.2345678901234567e-308" and a separator, generously


def _parse_header(line: bytes, label: str) -> tuple[int, int]:
    parts = line.split()
    if len(parts) != 2 or not all(p.isdigit() and len(p) <= 12 for p in parts):
        raise VectorsFileError(f"{label}: the first line is not a word2vec header of two numbers (rows dims)")
    return int(parts[0]), int(parts[1])


def _row_values(line: bytes, dim: int, label: str, row: int) -> tuple[str, list[bytes]]:
    tokens = line.split()
    if len(tokens) != dim + 1:
        raise VectorsFileError(f"{label}: row {row:,} has {len(tokens) - 1:,} values; expected {dim:,}")
    return tokens[0].decode("utf-8", errors="replace"), tokens[1:]


def read_text(
    src: VectorSource, limits: ReadLimits, *, header: bool, limit: int | None = None
) -> tuple[list[str], np.ndarray]:
    """Read word2vec text (``header=True``: first line ``rows dims``) or GloVe text (no header).

    Args:
        src: The open file.
        limits: The limits to enforce.
        header: Whether the first line is a word2vec header.
        limit: Read at most this many rows (then rows beyond the header's count are not looked for).

    Returns:
        The words and a float32 ``(rows, dims)`` matrix.

    Raises:
        VectorsFileError: a bad header, a row with the wrong number of values or a non-number, NaN or infinity,
            a row count that disagrees with the header, or a size over the limits.
    """
    label = src.label
    if header:
        head = src.readline(64)
        rows, dim = _parse_header(head, label)
        limits.check_shape(label, rows, dim)
        need = rows * (2 * dim + 2)  # each row at least: a 1-byte word, dim times " 0", a newline
        if need > src.budget - len(head):
            raise VectorsFileError(
                f"{label}: the header promises {rows:,} rows of {dim:,} values, which needs at least {need:,} bytes; "
                f"the file holds {src.budget - len(head):,}"
            )
        first = b""
    else:
        first = src.readline(limits.max_dim * _MAX_FLOAT_CHARS + limits.max_word_bytes)
        if not first.strip():
            raise VectorsFileError(f"{label}: the first line is empty")
        dim = len(first.split()) - 1
        rows = limits.max_rows
        limits.check_shape(label, 1, dim, what="the first row")
    wanted = rows if limit is None else min(rows, limit)
    max_line = dim * _MAX_FLOAT_CHARS + limits.max_word_bytes
    words: list[str] = []
    blocks: list[np.ndarray] = []
    block = np.empty((min(wanted, 8192), dim), dtype=np.float32)
    filled = 0
    while len(words) < wanted:
        line = first or src.readline(max_line)
        first = b""
        if not line:
            if header:
                raise VectorsFileError(
                    f"{label}: the header promises {rows:,} rows but the file ends after {len(words):,}"
                )
            break
        if len(line) >= max_line and not line.endswith(b"\n"):
            raise VectorsFileError(f"{label}: row {len(words) + 1:,} is longer than any row of {dim:,} numbers")
        if not line.strip():
            continue
        word, values = _row_values(line, dim, label, len(words) + 1)
        try:
            block[filled] = values
        except ValueError:
            raise VectorsFileError(f"{label}: row {len(words) + 1:,} holds a value that is not a number") from None
        words.append(word)
        filled += 1
        if filled == len(block):
            blocks.append(block)
            block = np.empty((min(wanted - len(words), 8192) or 1, dim), dtype=np.float32)
            filled = 0
            if not header:
                limits.check_shape(label, len(words), dim, what="the file")
    blocks.append(block[:filled])
    if limit is None and len(words) == wanted and src.read(65_536).strip():
        if header:
            raise VectorsFileError(
                f"{label}: the header says {rows:,} row{'s' if rows != 1 else ''} but the file holds more"
            )
        raise VectorsFileError(f"{label}: the file has more than {rows:,} rows, the limit")
    if not words:
        raise VectorsFileError(f"{label}: the file holds no vectors")
    vectors = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    check_finite(label, vectors)
    return words, vectors


def read_word2vec_binary(
    src: VectorSource, limits: ReadLimits, *, limit: int | None = None
) -> tuple[list[str], np.ndarray]:
    """Read word2vec binary: a ``rows dims`` text line, then per row a word, a space and ``dims`` float32s.

    Raises:
        VectorsFileError: as :func:`read_text`, and a file cut short.
    """
    label = src.label
    head = src.readline(64)
    rows, dim = _parse_header(head, label)
    limits.check_shape(label, rows, dim)
    need = rows * (4 * dim + 2)
    if need > src.budget - len(head):
        raise VectorsFileError(
            f"{label}: the header promises {rows:,} rows of {dim:,} floats, which needs at least {need:,} bytes; "
            f"the file holds {src.budget - len(head):,}"
        )
    wanted = rows if limit is None else min(rows, limit)
    out = np.empty((wanted, dim), dtype=np.float32)
    words: list[str] = []
    vec_bytes = 4 * dim
    buf, pos = b"", 0
    for i in range(wanted):
        while (space := buf.find(b" ", pos, pos + limits.max_word_bytes + 2)) < 0:
            if len(buf) - pos > limits.max_word_bytes + 1:
                raise VectorsFileError(f"{label}: row {i + 1:,} has no word of at most {limits.max_word_bytes} bytes")
            more = src.read(_CHUNK)
            if not more:
                raise VectorsFileError(f"{label}: the header promises {rows:,} rows but the file ends after {i:,}")
            buf, pos = buf[pos:] + more, 0
            space = -1
        end = space + 1 + vec_bytes
        while len(buf) < end:
            more = src.read(max(_CHUNK, end - len(buf)))
            if not more:
                raise VectorsFileError(f"{label}: the file is cut short in row {i + 1:,}")
            buf += more
        words.append(buf[pos:space].lstrip(b"\n").decode("utf-8", errors="replace"))
        out[i] = np.frombuffer(buf, dtype="<f4", count=dim, offset=space + 1)
        pos = end
        if pos > _CHUNK:
            buf, pos = buf[pos:], 0
    if limit is None and (buf[pos:] + src.read(65_536)).strip():
        raise VectorsFileError(
            f"{label}: the header says {rows:,} row{'s' if rows != 1 else ''} but the file holds more"
        )
    check_finite(label, out)
    return words, out
