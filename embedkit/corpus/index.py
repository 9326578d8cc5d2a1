"""``CorpusIndex``: an index folder opened for queries (memory-mapped; nothing is re-embedded).

Example:
    >>> idx = CorpusIndex.open("wordnet-index")                                        # doctest: +SKIP
    >>> idx.table(*idx.search(int(idx.rows_of("bank")[0]), SpaceChoice("fused", "weighted", alpha=0.3)))  # doctest: +SKIP
"""

from __future__ import annotations

import os
import threading
import zipfile
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.corpus.consolidate import ANN_FILE, QUERY
from embedkit.corpus.manifest import load_manifest, load_map
from embedkit.corpus.query import Query, query_row, query_text
from embedkit.corpus.search import DEFAULT_CHOICE, SpaceChoice, candidates, exact_scores, row_scores, scoring, top_rows
from embedkit.corpus.verify import check_index, damaged, reason
from embedkit.cosine import normalize_rows
from embedkit.errors import EmbedkitError

if TYPE_CHECKING:
    import pandas as pd

    from embedkit.corpus.encode import BlockEncoder
    from embedkit.corpus.senses import SenseMap

__all__ = ["CorpusIndex"]

#: what reading a damaged file raises (numpy, pyarrow, zipfile, faiss): made one line by `CorpusIndex.open`
_READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ValueError,
    EOFError,
    RuntimeError,
    KeyError,
    TypeError,
    IndexError,
    zipfile.BadZipFile,
)


class CorpusIndex:
    """A complete corpus index, opened read-only.

    Attributes:
        folder: the index folder.
        manifest: its manifest (settings, model, map, counts).
        n_rows: word occurrences; ``n_types``: distinct word forms; ``dim``: contextual dimension.
    """

    def __init__(self, folder: Path, manifest: dict[str, Any], _where: list[str] | None = None) -> None:
        _where = _where if _where is not None else [""]  # the file being read, for `open`'s message
        self.folder = folder
        self.manifest = manifest
        q = folder / QUERY
        _where[0] = "query/*.npy"
        self.vectors = np.load(q / "vectors.npy", mmap_mode="r")
        self.rows = np.load(q / "rows.npy", mmap_mode="r")
        self.scalars = np.load(q / "scalars.npy", mmap_mode="r")
        self.order = np.load(q / "order.npy", mmap_mode="r")
        self.type_offsets = np.load(q / "type_offsets.npy")
        self.sentence_offsets = np.load(q / "sentence_offsets.npy", mmap_mode="r")
        self.n_rows, self.dim = (int(x) for x in self.vectors.shape)
        import pyarrow as pa
        import pyarrow.ipc as ipc
        import pyarrow.parquet as pq

        _where[0] = "query/types.parquet"
        types = pq.read_table(q / "types.parquet", columns=["word", "key", "oov"])
        self.type_words: list[str] = types.column("word").to_pylist()
        keys: list[str] = types.column("key").to_pylist()
        self.type_oov = types.column("oov").to_numpy(zero_copy_only=False).astype(bool)
        self.n_types = len(self.type_words)
        if self.n_types != len(self.type_offsets) - 1 or not all(isinstance(k, str) for k in keys):
            raise ValueError(
                f"query/types.parquet holds {self.n_types:,} word types, not {len(self.type_offsets) - 1:,}"
            )
        # one key (a lower-cased word) owns consecutive types
        starts = [0] + [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]]
        self._key_types = {keys[s]: (s, e) for s, e in zip(starts, starts[1:] + [len(keys)])}
        _where[0] = "query/sentences.arrow"
        self._sentences = ipc.open_file(pa.memory_map(str(q / "sentences.arrow"))).read_all().column("text")
        if len(self._sentences) != len(self.sentence_offsets) - 1 or not pa.types.is_string(self._sentences.type):
            raise ValueError(f"query/sentences.arrow holds {len(self._sentences):,} sentences, not the counted ones")
        self.row_type = np.asarray(self.rows[:, 4], np.int64)
        _where[0] = "map.npz"
        self.static_map = load_map(folder)
        _where[0] = "query/types_static.npy"
        self.static_raw = np.load(q / "types_static.npy")
        self._lock = threading.Lock()
        self._encoder: BlockEncoder | None = None
        self._ann: Any = None
        if (q / ANN_FILE).is_file():  # read now: faiss is imported before any model loads (see `open`)
            import faiss

            _where[0] = f"query/{ANN_FILE}"
            self._ann = faiss.read_index(str(q / ANN_FILE))
            if int(self._ann.ntotal) != self.n_rows or int(self._ann.d) != self.dim:
                raise ValueError(f"query/{ANN_FILE} holds {self._ann.ntotal:,} vectors of {self._ann.d} dimensions")

    @classmethod
    def open(cls, folder: str | os.PathLike[str], *, verify_all: bool = False) -> CorpusIndex:
        """Open a complete index, checked first (see :mod:`embedkit.corpus.verify`).

        faiss is imported here, before a model can load: imported after torch under a 3 GiB address-space limit
        (``prlimit --as``), its import crashed the process (SIGSEGV).

        Args:
            folder: the index folder.
            verify_all: hash every file, even those an earlier open verified unchanged.

        Raises:
            EmbedkitError: not an index, an unfinished one (with the command that finishes it), or a damaged one
                (:class:`~embedkit.corpus.verify.IndexDamaged`: a malformed manifest, a changed, missing or
                truncated file, shapes or ids that do not agree).
        """
        path = Path(folder)
        manifest, digest = load_manifest(path)
        if manifest.get("state") != "complete":
            raise EmbedkitError(f"the index in {path} is not finished: run `embedkit index ... -o {path} --resume`")
        check_index(path, manifest, digest, full=verify_all)
        where = [""]
        try:
            return cls(path, manifest, where)
        except _READ_ERRORS as exc:
            raise damaged(path, f"{where[0]}: {reason(exc, path)}") from None

    def __repr__(self) -> str:
        return f"CorpusIndex({str(self.folder)!r}, {self.n_rows:,} occurrences, {self.n_types:,} word types)"

    # -- static side, per type ------------------------------------------------------------------------
    @cached_property
    def static_units(self) -> np.ndarray:
        """Unit raw static vector per type (zeros for OOV types)."""
        units = normalize_rows(self.static_raw).astype(np.float32)
        units[self.type_oov] = 0.0
        return units

    @cached_property
    def mapped_static(self) -> np.ndarray:
        """``P e`` per type in the contextual space (zeros for OOV types)."""
        mapped = self.static_map.transform(self.static_raw).astype(np.float32)
        mapped[self.type_oov] = 0.0
        return mapped

    @cached_property
    def mapped_norms(self) -> np.ndarray:
        return np.linalg.norm(self.mapped_static, axis=1)

    @property
    def ann(self) -> Any:
        """The approximate index (faiss), or None for a small index searched exactly."""
        return self._ann

    # -- words and occurrences -------------------------------------------------------------------------
    def words(self, prefix: str = "", limit: int = 50) -> list[tuple[str, int]]:
        """Words (lower-cased) with their counts, most frequent first, optionally starting with ``prefix``."""
        counts = self.word_counts
        prefix = prefix.lower()
        out = [(w, c) for w, c in counts if w.startswith(prefix)] if prefix else counts
        return out[:limit]

    @cached_property
    def key_words(self) -> list[str]:
        """Every lower-cased word (key), in key order."""
        return list(self._key_types)

    @cached_property
    def key_index(self) -> dict[str, int]:  # key -> key id
        return {k: i for i, k in enumerate(self._key_types)}

    @cached_property
    def key_counts(self) -> np.ndarray:
        spans = np.array(list(self._key_types.values()), np.int64).reshape(-1, 2)
        return self.type_offsets[spans[:, 1]] - self.type_offsets[spans[:, 0]]

    @cached_property
    def type_key(self) -> np.ndarray:
        """The key id of every type."""
        out = np.empty(self.n_types, np.int64)
        for i, (s, e) in enumerate(self._key_types.values()):
            out[s:e] = i
        return out

    @cached_property
    def word_counts(self) -> list[tuple[str, int]]:
        """Every word (lower-cased) with its count, most frequent first."""
        return sorted(zip(self.key_words, self.key_counts.tolist()), key=lambda kc: (-kc[1], kc[0]))

    def rows_of(self, word: str) -> np.ndarray:
        """Rows of every occurrence of ``word`` (case-insensitive), in corpus order.

        Raises:
            KeyError: the word does not occur in the corpus.
        """
        span = self._key_types.get(word.strip().lower())
        if span is None:
            raise KeyError(f"{word!r} does not occur in this corpus")
        lo, hi = int(self.type_offsets[span[0]]), int(self.type_offsets[span[1]])
        return np.sort(np.asarray(self.order[lo:hi], np.int64))

    def sentence(self, s: int) -> str:
        """The text of sentence ``s``."""
        return str(self._sentences[int(s)].as_py())

    def context(self, row: int, marker: tuple[str, str] = ("[", "]")) -> str:
        """Occurrence ``row`` in its sentence, marked: ``I sat on the river [bank].``"""
        s, _, a, b, _ = (int(x) for x in self.rows[int(row)])
        text = self.sentence(s)
        return f"{text[:a]}{marker[0]}{text[a:b]}{marker[1]}{text[b:]}"

    def contexts(self, rows: np.ndarray) -> list[str]:
        """:meth:`context` of many rows at once (one vectorised read of their sentences)."""
        meta = np.asarray(self.rows[np.asarray(rows, np.int64)])
        texts = self._sentences.take(meta[:, 0]).to_pylist()
        return [f"{t[:a]}[{t[a:b]}]{t[b:]}" for t, a, b in zip(texts, meta[:, 2].tolist(), meta[:, 3].tolist())]

    def word_of(self, row: int) -> str:
        return self.type_words[int(self.row_type[int(row)])]

    def occurrences(self, word: str, limit: int | None = 1000, width: int = 60) -> pd.DataFrame:
        """Keyword in context: one row per occurrence of ``word`` (``row``, ``sentence``, ``left``, ``word``, ``right``).

        Raises:
            KeyError: the word does not occur in the corpus.
        """
        import pandas as pd

        rows = self.rows_of(word)
        if limit is not None:
            rows = rows[:limit]
        meta = np.asarray(self.rows[rows])
        texts = self._sentences.take(meta[:, 0]).to_pylist()
        left, mid, right = [], [], []
        for text, (_, _, a, b, _) in zip(texts, meta.tolist()):
            left.append(text[max(0, a - width) : a])
            mid.append(text[a:b])
            right.append(text[b : b + width])
        return pd.DataFrame({"row": rows, "sentence": meta[:, 0], "left": left, "word": mid, "right": right})

    # -- queries ---------------------------------------------------------------------------------------
    def query_row(self, row: int) -> Query:
        """The query for an indexed occurrence (its own vectors; left out of its neighbours)."""
        return query_row(self, row)

    def query_text(self, sentence: str, word: str, occurrence: int = 0) -> Query:
        """The query for ``word`` in a new sentence, encoded with the index's own model and map.

        Raises:
            KeyError: the word is not in the sentence.
        """
        return query_text(self, sentence, word, occurrence)

    def encoder(self) -> BlockEncoder:
        """The index's own model, vectors and map (loaded on first use)."""
        from embedkit.corpus.encode import BlockEncoder

        with self._lock:
            if self._encoder is None:
                self._encoder = BlockEncoder.from_index(self.folder)
            return self._encoder

    def search(
        self, query: Query | int, choice: SpaceChoice = DEFAULT_CHOICE, k: int = 10, *, exact: bool = False, **pool: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, scores)`` of the ``k`` occurrences nearest ``query`` (a :class:`Query` or a row), best first.

        Candidates come from the approximate index (unless the index is small or ``exact``) and are re-scored
        exactly at the chosen alpha (see :mod:`embedkit.corpus.search`); ``pool`` sizes the candidate pool.
        """
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        q = self.query_row(query) if isinstance(query, (int, np.integer)) else query
        sc = scoring(self, q, choice)
        if exact or self.ann is None:
            scores = exact_scores(self, sc)
            return top_rows(np.arange(self.n_rows), scores, k, q.row)
        rows = candidates(self, sc, **pool)
        c = (
            np.zeros(len(rows))
            if sc.space == "static"
            else (np.asarray(self.vectors[rows], np.float32) @ sc.u.astype(np.float32)).astype(np.float64)
        )
        return top_rows(rows, row_scores(self, sc, rows, c), k, q.row)

    def table(self, rows: np.ndarray, scores: np.ndarray) -> pd.DataFrame:
        """Search results for people: ``rank``, ``row``, ``cosine``, ``word``, ``context`` (``index.table(*found)``)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "rank": np.arange(1, len(rows) + 1),
                "row": rows,
                "cosine": np.round(scores, 4),
                "word": [self.word_of(r) for r in rows],
                "context": [self.context(r) for r in rows],
            }
        )

    def senses(self, word: str, choice: SpaceChoice = DEFAULT_CHOICE, **options: Any) -> SenseMap:
        """The sense map of ``word`` (see :class:`embedkit.corpus.senses.SenseMap`)."""
        from embedkit.corpus.senses import SenseMap

        return SenseMap(self, word, choice, **options)
