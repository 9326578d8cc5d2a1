"""A word in the spotlight: its occurrences (and, on request, WordNet's examples of its senses) become the points of
the maps, coloured by sense where the sense is known, with the numbers that say how well each space separates them.

The points keep their sentences: a :class:`Spotlight` holds the text's vectors (and the example sentences' vectors,
appended) as one :class:`~embedkit.wordvectors.WordVectors`, so attention fusion sees each point's own sentence, and
the point ids are rows of it: below ``n_text_rows`` an occurrence index of the text, from there on an example row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from embedkit.cosine import cosine_matrix
from embedkit.embedded_text import EmbeddedText
from embedkit.options import SPACES, check_space
from embedkit.senses import SenseSeparation, sense_separation
from embedkit.text import content_word_counts
from embedkit.wordnet import SenseExample, SenseNote, sense_key
from embedkit.wordvectors import WordVectors

__all__ = [
    "SenseNote",
    "Spotlight",
    "build_spotlight",
    "default_word",
    "sense_key",
    "spotlight_words",
]


def spotlight_words(words: Sequence[str], candidates: np.ndarray | Sequence[int]) -> list[str]:
    """The words a spotlight can pick (lower case): repeated content words first, in order of first appearance,
    then every other content word in alphabetical order. Stopwords and punctuation are never offered."""
    counts = content_word_counts(words, candidates)
    return [w for w, c in counts.items() if c > 1] + sorted(w for w, c in counts.items() if c == 1)


def default_word(words: Sequence[str], candidates: np.ndarray | Sequence[int]) -> str | None:
    """The first repeated content word (``bank`` in the polysemy example), or None when no content word repeats."""
    return next((w for w, c in content_word_counts(words, candidates).items() if c > 1), None)


@dataclass(frozen=True)
class Spotlight:
    """The points of one spotlighted word and what is known about their senses.

    Attributes:
        word: the word, lower case.
        source: the text's vectors, then the WordNet example sentences' vectors when they were asked for.
        points: rows of ``source`` that are the word's occurrences: the text's first, then the examples'.
        senses: per point, its sense key, or None where the sense is unknown.
        glosses: sense key -> definition.
        contexts: per point, its sentence with the word in brackets.
        origins: per point, ``s3`` (sentence 3 of the text) or ``WordNet``.
        n_text_rows: rows of ``source`` that belong to the text (point ids below it are occurrence indices).
    """

    word: str
    source: WordVectors
    points: np.ndarray
    senses: tuple[str | None, ...]
    glosses: dict[str, str] = field(default_factory=dict)
    contexts: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    n_text_rows: int = 0

    @property
    def labelled(self) -> np.ndarray:
        """True for points whose sense is known."""
        return np.array([s is not None for s in self.senses], dtype=bool)

    @property
    def has_senses(self) -> bool:
        """Whether at least two points carry a known sense (the numbers need pairs)."""
        return int(self.labelled.sum()) >= 2

    @property
    def from_text(self) -> np.ndarray:
        """True for points from the user's text (False: WordNet examples)."""
        return self.points < self.n_text_rows

    @cached_property
    def _sentences(self) -> tuple[WordVectors, np.ndarray]:
        """Only the sentences the points are in, and the points' rows there: fusing them gives the points' fused
        vectors exactly (attention reads a word's own sentence only) at a cost that does not grow with the text."""
        sid = np.asarray(self.source.sentence_id)
        rows = np.flatnonzero(np.isin(sid, np.unique(sid[self.points])))
        return self.source.take(rows), np.searchsorted(rows, self.points)

    def spaces(
        self, mode: str = "weighted", alpha: float = 0.5, temperature: float = 0.1, *, only: Sequence[str] = SPACES
    ) -> dict[str, np.ndarray]:
        """The points' vectors in the spaces ``only`` (bert, static, fused at ``alpha``), fused within their
        sentences; the fusion runs only when the fused space is asked for."""
        local, at = self._sentences
        return {name: local.space(check_space(name), mode, alpha, temperature)[at] for name in only}

    def separation(
        self, mode: str = "weighted", alpha: float = 0.5, temperature: float = 0.1, *, only: Sequence[str] = SPACES
    ) -> dict[str, SenseSeparation]:
        """Per space of ``only`` (bert, static, fused at ``alpha``), how well the labelled points' senses separate."""
        keep = self.labelled
        labels = [s for s in self.senses if s is not None]
        spaces = self.spaces(mode, alpha, temperature, only=only)
        return {name: sense_separation(X[keep], labels) for name, X in spaces.items()}

    def mean_cosine(
        self, mode: str = "weighted", alpha: float = 0.5, temperature: float = 0.1, *, only: Sequence[str] = SPACES
    ) -> dict[str, float]:
        """Per space of ``only``, the mean cosine over all pairs of points (the number to show when no sense is
        known)."""
        out: dict[str, float] = {}
        upper = np.triu_indices(len(self.points), k=1)
        for name, X in self.spaces(mode, alpha, temperature, only=only).items():
            out[name] = float(cosine_matrix(X)[upper].mean()) if len(upper[0]) else float("nan")
        return out


def build_spotlight(
    emb: EmbeddedText,
    word: str,
    *,
    known: Mapping[tuple[str, str], SenseNote] | None = None,
    examples: Sequence[SenseExample] = (),
    examples_text: EmbeddedText | None = None,
) -> Spotlight:
    """The spotlight on ``word``: its occurrences in ``emb`` and, when given, in WordNet's example sentences.

    Args:
        emb: the embedded text.
        word: the word (any case; occurrences are matched case-insensitively).
        known: senses known for some sentences, keyed by ``(sentence, word in lower case)`` (the built-in polysemy
            example annotates its *bank*, *bat* and *spring*).
        examples: WordNet examples of the word (see :func:`embedkit.wordnet.load_sense_examples`).
        examples_text: those examples' sentences embedded, in the same order (required with ``examples``).

    Raises:
        ValueError: ``examples`` without ``examples_text`` or with another number of sentences.
    """
    low = word.lower()
    known = known or {}
    occ = emb.occurrences_of(low)
    senses: list[str | None] = []
    glosses: dict[str, str] = {}
    contexts: list[str] = []
    origins: list[str] = []
    for i in occ.tolist():
        sentence = emb.sentences[int(emb.sentence_id[i])]
        note = known.get((sentence, low))
        senses.append(note.key if note else None)
        if note:
            glosses[note.key] = note.gloss
        contexts.append(emb.context(i))
        origins.append(f"s{int(emb.sentence_id[i]) + 1}")
    points = [int(i) for i in occ]
    source: WordVectors = emb
    if examples:
        if examples_text is None or len(examples_text.sentences) != len(examples):
            raise ValueError(f"{len(examples)} WordNet examples need their {len(examples)} sentences embedded")
        source = WordVectors.concat(emb, examples_text)
        sid = np.asarray(examples_text.sentence_id)
        for k, ex in enumerate(examples):
            in_sentence = np.flatnonzero(sid == k)
            at = [int(r) for r in in_sentence if int(examples_text.start[r]) == ex.start]
            match = at or [int(r) for r in in_sentence if examples_text.words[int(r)].lower() == low]
            if not match:
                continue
            key = sense_key(ex.lemma, ex.pos, ex.sense)
            points.append(len(emb) + match[0])
            senses.append(key)
            glosses[key] = ex.gloss
            contexts.append(examples_text.context(match[0]))
            origins.append("WordNet")
    return Spotlight(
        low,
        source,
        np.asarray(points, dtype=np.int64),
        tuple(senses),
        glosses,
        tuple(contexts),
        tuple(origins),
        len(emb),
    )
