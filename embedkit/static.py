"""The static side: one vector per word type (GloVe, word2vec, fastText), looked up per word occurrence.

Lookup fallback chain for a word: exact form, then lower case (also matching a capitalised vocabulary entry), then digits normalised (every digit to
``0``, then to ``#``), each tried as is and lower-cased. A word none of these finds is OOV: its vector is
zeros and its flag is set, never silently. fastText ``.bin`` files give OOV words their subword vector.

Files are read with gensim's format readers or numpy with ``allow_pickle=False``. Gensim's native
``.model`` / ``.kv`` files are pickles: loading one runs code from the file, so they are refused.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from embedkit.cache import stable_hash
from embedkit.defaults import DEFAULT_VECTORS_NAME, default_glove_root
from embedkit.errors import UnsafeFileError, VectorsFileError

__all__ = ["FORMATS", "StaticVectors", "detect_format", "load_static"]

logger = logging.getLogger(__name__)

FORMATS = ("auto", "npy_folder", "word2vec_text", "word2vec_binary", "glove_text", "fasttext_bin")
_PICKLE_SUFFIXES = {".model", ".kv", ".pkl", ".pickle", ".joblib", ".pt", ".pth"}
_FASTTEXT_MAGIC = (793712314).to_bytes(4, "little")
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
def detect_format(path: Path) -> str:
    """Guess a vectors file's format from its name and first bytes.

    Raises:
        UnsafeFileError: the file is a pickle (gensim ``.model`` / ``.kv``, ``.pkl``) or an object ``.npy``.
        VectorsFileError: the format cannot be recognised.
    """
    if path.is_dir():
        return "npy_folder"
    suffix = path.suffix.lower()
    if suffix in _PICKLE_SUFFIXES:
        raise UnsafeFileError(
            f"{path.name}: {suffix} files are Python pickles, and loading one can run any code inside it, so "
            "embedkit refuses them. Save the vectors as word2vec text instead: "
            "kv.save_word2vec_format('vectors.txt')"
        )
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head:
        raise VectorsFileError(f"{path.name}: the file is empty")
    if head[:1] == b"\x80" or head[:2] == b"PK":
        raise UnsafeFileError(
            f"{path.name}: this file is a Python pickle (or an archive of one); loading it could run code, "
            "so embedkit refuses it. Use word2vec/GloVe text, word2vec binary or fastText .bin."
        )
    if head.startswith(b"\x93NUMPY"):
        return "npy"
    if head[:4] == _FASTTEXT_MAGIC:
        return "fasttext_bin"
    if suffix == ".gz":
        return "word2vec_text" if _has_header_gz(path) else "glove_text"
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
        f"{path.name}: not a vectors file embedkit can read (expected word2vec text or binary, GloVe text, "
        "fastText .bin, or a folder with an .npy matrix and a words .parquet)"
    )


def _has_header_gz(path: Path) -> bool:
    import gzip

    with gzip.open(path, "rb") as fh:
        parts = fh.readline().split()
    return len(parts) == 2 and all(p.isdigit() for p in parts)


def load_static(
    path: str | os.PathLike[str] | None = None,
    *,
    format: str = "auto",
    limit: int | None = None,
    max_bytes: int | None = None,
    name: str | None = None,
) -> StaticVectors:
    """Load static vectors; None gives the bundled GloVe 6B 50d (memory-mapped).

    Args:
        path: a file or folder; None for the bundled GloVe.
        format: one of ``FORMATS``; ``auto`` detects it from the file.
        limit: read at most this many (most frequent) words.
        max_bytes: refuse files larger than this (a clear error instead of filling memory).
        name: a label for people (default: the file name).

    Raises:
        FileNotFoundError: no such file.
        UnsafeFileError: a pickle-based file (never loaded).
        VectorsFileError: a corrupt, empty, oversized or unrecognised file.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown vectors format {format!r}; choose one of: {', '.join(FORMATS)}")
    if path is None:
        return _load_npy_folder(default_glove_root(), DEFAULT_VECTORS_NAME, limit)
    p = Path(path).expanduser()
    if not p.exists():
        raise FileNotFoundError(f"no such vectors file: {p}")
    label = name or p.name
    if p.is_file() and max_bytes is not None and p.stat().st_size > max_bytes:
        raise VectorsFileError(
            f"{label}: {p.stat().st_size / 2**20:,.1f} MiB is over the limit of {max_bytes / 2**20:,.0f} MiB"
        )
    fmt = detect_format(p) if format == "auto" else format
    if p.is_file() and format != "auto" and p.suffix.lower() in _PICKLE_SUFFIXES:
        detect_format(p)  # refuses pickles whatever the caller says
    try:
        if fmt == "npy_folder":
            return _load_npy_folder(p, label, limit)
        if fmt == "npy":
            _refuse_object_npy(p)
            raise VectorsFileError(
                f"{label}: an .npy file holds numbers but no words; put it in a folder beside a .parquet "
                "whose column 'index' lists the words in row order, and load the folder"
            )
        if fmt == "fasttext_bin":
            return _load_fasttext(p, label)
        return _load_gensim_text(p, label, fmt, limit)
    except (VectorsFileError, FileNotFoundError):
        raise
    except MemoryError as exc:
        raise VectorsFileError(f"{label}: the file does not fit in memory; pass a limit") from exc
    except Exception as exc:  # gensim raises ValueError, UnicodeDecodeError, EOFError, IndexError, ...
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise VectorsFileError(f"{label}: could not read it as {fmt.replace('_', ' ')} ({detail})") from exc


def _refuse_object_npy(path: Path) -> None:
    try:
        np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError as exc:
        raise UnsafeFileError(
            f"{path.name}: this .npy holds Python objects, which only unpickling can read; embedkit refuses it"
        ) from exc


def _load_npy_folder(root: Path, name: str, limit: int | None) -> StaticVectors:
    """A folder with one ``*.npy`` matrix and one ``*.parquet`` whose column ``index`` lists the words."""
    import pyarrow.parquet as pq

    npys = sorted(root.glob("*.npy"))
    parquets = sorted(root.glob("*.parquet"))
    if len(npys) != 1 or len(parquets) != 1:
        raise VectorsFileError(f"{root}: expected one .npy matrix and one .parquet word list in the folder")
    try:
        vectors = np.load(npys[0], mmap_mode="r", allow_pickle=False)
    except ValueError as exc:
        raise UnsafeFileError(f"{npys[0].name}: holds Python objects; embedkit never unpickles files") from exc
    table = pq.read_table(parquets[0])
    column = "index" if "index" in table.column_names else table.column_names[0]
    words = table.column(column).to_pylist()
    if limit is not None:
        words, vectors = words[:limit], vectors[:limit]
    if not np.issubdtype(vectors.dtype, np.floating):
        raise VectorsFileError(f"{npys[0].name}: expected floats, found {vectors.dtype}")
    return StaticVectors([str(w) for w in words], vectors, name)


def _load_gensim_text(path: Path, name: str, fmt: str, limit: int | None) -> StaticVectors:
    from gensim.models import KeyedVectors

    kv = KeyedVectors.load_word2vec_format(
        str(path),
        binary=fmt == "word2vec_binary",
        no_header=fmt == "glove_text",
        limit=limit,
        unicode_errors="replace",
    )
    vectors = np.asarray(kv.vectors, dtype=np.float32)
    if not np.isfinite(vectors).all():
        raise VectorsFileError(f"{name}: the file contains NaN or infinite values")
    return StaticVectors(list(kv.index_to_key), vectors, name)


def _load_fasttext(path: Path, name: str) -> StaticVectors:
    from gensim.models.fasttext import load_facebook_vectors

    kv = load_facebook_vectors(str(path))
    vectors = np.asarray(kv.vectors, dtype=np.float32)

    def subword(word: str) -> np.ndarray:
        return np.asarray(kv.get_vector(word), dtype=np.float32)

    return StaticVectors(list(kv.index_to_key), vectors, name, subword_fn=subword)
