"""The static side: one vector per word type (GloVe, word2vec, fastText), looked up per word occurrence.

Lookup fallback chain for a word: exact form, then lower case (also matching a capitalised vocabulary entry), then digits normalised (every digit to
``0``, then to ``#``), each tried as is and lower-cased. A word none of these finds is OOV: its vector is
zeros and its flag is set, never silently. fastText ``.bin`` files give OOV words their subword vector.

Text and word2vec binary files are read by :mod:`embedkit.static_io` (every claimed size checked first), fastText
``.bin`` by gensim after :mod:`embedkit.fasttext_io` has checked it, ``.npy`` with ``allow_pickle=False``. Gensim's
native ``.model`` / ``.kv`` files are pickles: loading one runs code from the file, so they are refused.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from embedkit.cache import stable_hash
from embedkit.defaults import DEFAULT_VECTORS_NAME, default_glove_root
from embedkit.errors import EmbedkitError, VectorsFileError
from embedkit.fasttext_io import read_fasttext
from embedkit.static_io import (
    PICKLE_SUFFIXES,
    ReadLimits,
    VectorSource,
    detect_format,
    load_npy_folder,
    refuse_object_npy,
)
from embedkit.word2vec_io import read_text, read_word2vec_binary

__all__ = ["FORMATS", "ReadLimits", "StaticVectors", "detect_format", "load_static"]

logger = logging.getLogger(__name__)

FORMATS = ("auto", "npy_folder", "word2vec_text", "word2vec_binary", "glove_text", "fasttext_bin")
_DIGIT = re.compile(r"\d")


class StaticVectors:
    """A table of word vectors in frequency order (row 0 is the most frequent word).

    Args:
        words: the vocabulary in row order.
        vectors: a ``(len(words), dim)`` array; kept read-only (it may be a memory map).
        name: a label for people.
        subword_fn: for fastText, a function giving any word a vector from its character n-grams.
    """

    def __init__(
        self,
        words: Sequence[str],
        vectors: np.ndarray,
        name: str = "vectors",
        subword_fn: Callable[[str], np.ndarray] | None = None,
    ) -> None:
        if vectors.ndim != 2 or vectors.shape[0] != len(words):
            raise VectorsFileError(f"{name}: {len(words)} words but a vectors array of shape {vectors.shape}")
        if vectors.shape[0] == 0:
            raise VectorsFileError(f"{name}: the file holds no vectors")
        self.words = list(words)
        if vectors.flags.writeable:
            vectors = vectors.view()
            vectors.flags.writeable = False
        self.vectors = vectors
        self.name = name
        self.subword_fn = subword_fn
        self._index: dict[str, int] | None = None
        self._lower: dict[str, int] | None = None

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.index_of(word) is not None

    def __repr__(self) -> str:
        return f"StaticVectors({self.name!r}, {len(self):,} words, {self.dim}-d)"

    def fingerprint(self) -> str:
        """A stable key of this table (for caches): name, size and a sample of words and values."""
        sample = np.asarray(self.vectors[: min(len(self), 64)], dtype=np.float64)
        return stable_hash("static", self.name, len(self), self.dim, self.words[:64], float(sample.sum()))

    @property
    def index(self) -> dict[str, int]:
        """Word -> row (first occurrence wins)."""
        if self._index is None:
            index: dict[str, int] = {}
            for i, w in enumerate(self.words):
                index.setdefault(w, i)
            self._index = index
        return self._index

    def _lower_index(self) -> dict[str, int]:
        if self._lower is None:
            lower: dict[str, int] = {}
            for i, w in enumerate(self.words):
                lower.setdefault(w.lower(), i)
            self._lower = lower
        return self._lower

    def index_of(self, word: str) -> int | None:
        """The row of ``word`` through the fallback chain, or None if OOV."""
        index = self.index
        hit = index.get(word)
        if hit is not None:
            return hit
        low = word.lower()
        hit = index.get(low)
        if hit is not None:
            return hit
        hit = self._lower_index().get(low)
        if hit is not None:
            return hit
        if _DIGIT.search(word):
            for repl in ("0", "#"):
                for form in (_DIGIT.sub(repl, word), _DIGIT.sub(repl, low)):
                    hit = index.get(form)
                    if hit is not None:
                        return hit
        return None

    def lookup(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Vectors of ``words`` (float32 ``(n, dim)``) and the OOV mask (True where no vector was found).

        With a fastText subword model, OOV words get their subword vector and are not flagged.
        """
        rows = np.fromiter(
            ((-1 if (r := self.index_of(w)) is None else r) for w in words), dtype=np.int64, count=len(words)
        )
        oov = rows < 0
        out = np.zeros((len(words), self.dim), dtype=np.float32)
        if (~oov).any():
            out[~oov] = self.vectors[rows[~oov]]
        if self.subword_fn is not None and oov.any():
            for i in np.flatnonzero(oov):
                vec = self.subword_fn(words[int(i)])
                if np.any(vec):
                    out[i] = vec
                    oov[i] = False
        return out, oov

    def get_vector(self, word: str) -> np.ndarray:
        """The vector of one word.

        Raises:
            KeyError: if the word is OOV.
        """
        vectors, oov = self.lookup([word])
        if oov[0]:
            raise KeyError(f"{word!r} is not in {self.name}")
        return vectors[0]

    def top_words(self, k: int, *, alphabetic: bool = True, exclude: Sequence[str] = ()) -> list[str]:
        """The ``k`` most frequent words (alphabetic only by default), skipping ``exclude``."""
        banned = {w.lower() for w in exclude}
        out: list[str] = []
        for w in self.words:
            if alphabetic and not (w.isalpha() and w.isascii()):
                continue
            if w.lower() in banned:
                continue
            out.append(w)
            if len(out) >= k:
                break
        return out


# -- loading -------------------------------------------------------------------------------------------
def load_static(
    path: str | os.PathLike[str] | None = None,
    *,
    format: str = "auto",
    limit: int | None = None,
    max_bytes: int | None = None,
    name: str | None = None,
    limits: ReadLimits | None = None,
) -> StaticVectors:
    """Load static vectors; None gives the bundled GloVe 6B 50d (memory-mapped).

    Every size a file claims (rows, dimensions, decompressed bytes) is checked against the file's real size and
    ``limits`` before anything is allocated; NaN and infinity are refused in every format.

    Args:
        path: a file (plain or ``.gz``) or folder; None for the bundled GloVe.
        format: one of ``FORMATS``; ``auto`` detects it from the file.
        limit: read at most this many (most frequent) words.
        max_bytes: refuse files larger than this (a clear error instead of filling memory).
        name: a label for people, used in every message (default: the file name).
        limits: what the file may make the reader allocate (default: :class:`ReadLimits`).

    Raises:
        FileNotFoundError: no such file.
        UnsafeFileError: a pickle-based file (never loaded).
        VectorsFileError: a corrupt, empty, oversized or unrecognised file.
    """
    if format not in FORMATS:
        raise EmbedkitError(f"unknown vectors format {format!r}; choose one of: {', '.join(FORMATS)}")
    limits = limits or ReadLimits()
    if max_bytes is not None:
        limits = replace(limits, max_file_bytes=max_bytes)
    if path is None:
        return StaticVectors(
            *load_npy_folder(default_glove_root(), DEFAULT_VECTORS_NAME, limits, limit), DEFAULT_VECTORS_NAME
        )
    p = Path(path).expanduser()
    label = name or p.name
    if not p.exists():
        raise FileNotFoundError(f"no such vectors file: {label}")
    fmt = detect_format(p, label) if format == "auto" else format
    if p.is_file() and format != "auto" and p.suffix.lower() in PICKLE_SUFFIXES:
        detect_format(p, label)  # refuses pickles whatever the caller says
    try:
        if fmt == "npy_folder":
            return StaticVectors(*load_npy_folder(p, label, limits, limit), label)
        if fmt == "npy":
            refuse_object_npy(p, label)
            raise VectorsFileError(
                f"{label}: an .npy file holds numbers but no words; put it in a folder beside a .parquet "
                "whose column 'index' lists the words in row order, and load the folder"
            )
        if fmt == "fasttext_bin":
            words, vectors, kv = read_fasttext(p, label, limits)
            return StaticVectors(words, vectors, label, subword_fn=_subword_fn(kv))
        with VectorSource(p, label, limits) as src:
            if fmt == "word2vec_binary":
                words, vectors = read_word2vec_binary(src, limits, limit=limit)
            else:
                words, vectors = read_text(src, limits, header=fmt == "word2vec_text", limit=limit)
        return StaticVectors(words, vectors, label)
    except (VectorsFileError, FileNotFoundError):
        raise
    except MemoryError as exc:
        raise VectorsFileError(f"{label}: the file does not fit in memory; pass a limit") from exc
    except Exception as exc:  # gensim raises ValueError, UnicodeDecodeError, EOFError, IndexError, ...
        # the exception's text may quote the file's bytes: name only its kind
        logger.info("could not read %s as %s", label, fmt, exc_info=exc)
        raise VectorsFileError(f"{label}: could not read it as {fmt.replace('_', ' ')} ({type(exc).__name__})") from exc


def _subword_fn(kv: Any) -> Callable[[str], np.ndarray]:
    def subword(word: str) -> np.ndarray:
        return np.asarray(kv.get_vector(word), dtype=np.float32)

    return subword
