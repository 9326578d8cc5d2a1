"""Corpus input: text files, folders of them, JSON lines or Parquet (gzip accepted), cut into shards of records.

A *record* is one line of a ``.txt`` file, or one value of ``--column`` in a ``.jsonl`` / ``.parquet`` file.
Records are grouped into *blocks* of ``block_size`` consecutive records of one file; a block is the unit of work
and of storage (one shard), named by its file and block number, so any engine that processes the same block
produces the same shard, and a resumed run knows which blocks are done. Each record is split into sentences by
:func:`split_sentences`.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import regex

from embedkit.errors import EmbedkitError

__all__ = [
    "FORMATS",
    "MAX_RECORD_CHARS",
    "Block",
    "InputFile",
    "iter_blocks",
    "iter_records",
    "list_inputs",
    "split_sentences",
]

#: input formats by file suffix (``.gz`` stripped first)
FORMATS = {".txt": "txt", ".text": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
#: the longest record accepted (characters); a longer line is an error naming the file and line, never a hang
MAX_RECORD_CHARS = 200_000
#: the largest Parquet row group read (bytes, uncompressed)
MAX_ROW_GROUP_BYTES = 256 * 2**20
_NEWLINE = re.compile(r"\r\n|\r|\n")

# a sentence ends at . ! ? (and closing quotes or brackets after them) followed by space and an upper-case
# letter, a digit or an opening quote; abbreviations such as "e.g. the" stay whole (lower case follows)
_SENTENCE_END = regex.compile(r"(?<=[.!?][\"'\u201d\u2019)\]]*)\s+(?=[\"'\u201c\u2018(\[]?[\p{Lu}\p{N}])")


@dataclass(frozen=True)
class InputFile:
    """One input file: its path, format (txt, jsonl, parquet) and whether it is gzipped."""

    path: Path
    format: str
    gzipped: bool


@dataclass(frozen=True)
class Block:
    """``records`` (the texts) of block ``number`` of input file ``file`` (its index in the input list)."""

    file: int
    number: int
    records: tuple[str, ...]

    @property
    def name(self) -> str:
        """The shard name: ``f00000-b000000``."""
        return f"f{self.file:05d}-b{self.number:06d}"


def split_sentences(text: str) -> list[str]:
    """Split a line or paragraph into sentences (punctuation rules; empty parts dropped).

    Example:
        >>> split_sentences("I sat on the bank. The bank, e.g. a firm, lends money! Why?")
        ['I sat on the bank.', 'The bank, e.g. a firm, lends money!', 'Why?']
    """
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _format_of(path: Path) -> tuple[str, bool]:
    name = path.name.lower()
    gzipped = name.endswith(".gz")
    suffix = Path(name[:-3] if gzipped else name).suffix
    if suffix not in FORMATS:
        raise EmbedkitError(
            f"{path.name}: unknown input format; use .txt, .jsonl or .parquet (optionally .gz): "
            f"{', '.join(sorted(FORMATS))}"
        )
    return FORMATS[suffix], gzipped


def list_inputs(path: str | os.PathLike[str], column: str | None = None) -> list[InputFile]:
    """The input files of ``path``: one file, or every ``.txt`` / ``.txt.gz`` in a folder (sorted, recursive).

    Raises:
        FileNotFoundError: no such file or folder.
        EmbedkitError: an unknown format, a folder without text files, or ``--column`` missing / needless.
    """
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.is_file() and p.name.lower().endswith((".txt", ".txt.gz")))
        if not files:
            raise EmbedkitError(f"the folder {root} holds no .txt or .txt.gz files")
    elif root.is_file():
        files = [root]
    else:
        raise FileNotFoundError(f"no such input file or folder: {root}")
    out = [InputFile(p, *_format_of(p)) for p in files]
    needs_column = {f.format for f in out} & {"jsonl", "parquet"}
    if needs_column and not column:
        raise EmbedkitError(f"{root.name} is {needs_column.pop()}: name the text column with --column")
    if column and not needs_column:
        raise EmbedkitError("--column is for .jsonl and .parquet inputs; a .txt file has one record per line")
    return out


def _open_text(f: InputFile) -> IO[str]:
    # utf-8-sig: a byte-order mark at the start of the file is dropped, as the app's text upload does
    if f.gzipped:
        return gzip.open(f.path, "rt", encoding="utf-8-sig", newline="")
    return open(f.path, encoding="utf-8-sig", newline="")


def _checked(text: object, f: InputFile, where: int) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise EmbedkitError(f"{f.path.name}: record {where} is {type(text).__name__}, not text")
    if len(text) > MAX_RECORD_CHARS:
        raise EmbedkitError(
            f"{f.path.name}: record {where} has {len(text):,} characters (the limit is {MAX_RECORD_CHARS:,}); "
            "split it into lines"
        )
    if "\x00" in text:
        raise EmbedkitError(f"{f.path.name}: record {where} holds a NUL character: a binary file, not text")
    return text


def _bounded_lines(fh: IO[str], f: InputFile, limit: int) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of a text stream, each line's length measured while it is read: a line longer than
    ``limit`` characters is refused before it is ever held whole (a 1 MB .gz can expand to a 1 GB line).
    Lines end at ``\n``, ``\r\n`` or ``\r`` (Python's universal newlines)."""
    partial = ""
    number = 0
    while True:
        chunk = fh.read(1 << 16)
        if chunk.endswith("\r"):  # a "\r\n" cut in two by the chunk boundary stays one line end
            chunk += fh.read(1)
        if not chunk:
            break
        parts = _NEWLINE.split(chunk)
        parts[0] = partial + parts[0]
        partial = parts.pop()
        for line in parts:
            number += 1
            if len(line) > limit:
                break
            yield number, line
        else:
            if len(partial) <= limit:
                continue
            number += 1
        raise EmbedkitError(
            f"{f.path.name}: line {number} is longer than {limit:,} characters (the limit); split it into lines"
        )
    if partial:
        yield number + 1, partial


def iter_records(f: InputFile, column: str | None = None) -> Iterator[str]:
    """Every record of one file, streamed (a ``.parquet`` file is read one row group at a time).

    Raises:
        EmbedkitError: the file is not UTF-8, holds a NUL character, is damaged or truncated, a JSON line is broken,
            the column is missing, a record (or a line, measured while it is read) is too long.
    """
    try:
        if f.format == "parquet":
            yield from _parquet_records(f, column or "")
            return
        with _open_text(f) as fh:
            limit = MAX_RECORD_CHARS if f.format == "txt" else 4 * MAX_RECORD_CHARS  # JSON escapes lengthen a text
            for number, line in _bounded_lines(fh, f, limit):
                if f.format == "txt":
                    yield _checked(line, f, number)
                    continue
                if not line.strip():
                    yield ""
                    continue
                try:
                    obj = json.loads(line)
                except (json.JSONDecodeError, RecursionError) as exc:
                    reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
                    raise EmbedkitError(f"{f.path.name}: line {number} is not JSON ({reason})") from None
                if not isinstance(obj, dict) or column not in obj:
                    raise EmbedkitError(f"{f.path.name}: line {number} has no field {column!r}")
                yield _checked(obj[column], f, number)
    except UnicodeDecodeError as exc:
        raise EmbedkitError(f"{f.path.name} is not UTF-8 text (byte {exc.start}); convert it first") from None
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError; a cut .gz raises EOFError
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        raise EmbedkitError(f"{f.path.name} cannot be read: {reason}") from None


def _parquet_records(f: InputFile, column: str) -> Iterator[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    source: object = gzip.open(f.path, "rb") if f.gzipped else f.path
    try:
        pf = pq.ParquetFile(source)
        if column not in pf.schema_arrow.names:
            raise EmbedkitError(
                f"{f.path.name} has no column {column!r}; columns: {', '.join(pf.schema_arrow.names)[:300]}"
            )
        for g in range(pf.metadata.num_row_groups):  # a row group is read whole: refuse one larger than a record
            size = pf.metadata.row_group(g).total_byte_size
            if size > MAX_ROW_GROUP_BYTES:
                raise EmbedkitError(
                    f"{f.path.name}: row group {g} holds {size / 2**20:,.0f} MiB (the limit is "
                    f"{MAX_ROW_GROUP_BYTES // 2**20} MiB); write it with smaller row groups"
                )
        number = 0
        for batch in pf.iter_batches(columns=[column], batch_size=4096):
            for value in batch.column(0).to_pylist():
                number += 1
                yield _checked(value, f, number)
    except pa.ArrowException as exc:
        reason = (str(exc).strip().splitlines() or ["damaged"])[0][:200]
        raise EmbedkitError(f"{f.path.name} is not a readable Parquet file: {reason}") from None


def iter_blocks(
    files: Sequence[InputFile], block_size: int, column: str | None = None, *, skip: frozenset[str] = frozenset()
) -> Iterator[Block]:
    """Blocks of ``block_size`` records per file, in input order; blocks named in ``skip`` are read but not yielded."""
    if block_size < 1:
        raise ValueError(f"block_size must be at least 1, got {block_size}")
    for index, f in enumerate(files):
        records: list[str] = []
        number = 0
        for record in iter_records(f, column):
            records.append(record)
            if len(records) == block_size:
                block = Block(index, number, tuple(records))
                if block.name not in skip:
                    yield block
                records, number = [], number + 1
        if records:
            block = Block(index, number, tuple(records))
            if block.name not in skip:
                yield block


def count_records(files: Sequence[InputFile], column: str | None = None) -> int:
    """How many records the inputs hold: one full pass that reads, decodes and checks every record (so a bad input
    is refused before anything is written).

    Raises:
        EmbedkitError: what :func:`iter_records` refuses, or inputs without any text.
    """
    total = 0
    text = False
    for f in files:
        for record in iter_records(f, column):
            total += 1
            text = text or bool(record.strip())
    if not text:
        raise EmbedkitError(f"{files[0].path.name if len(files) == 1 else 'the input'} holds no text to index")
    return total
