"""The occurrences of one word, wherever they come from, with everything every space needs.

A word map (and corpus mode's sense map) works on rows of :class:`Occurrences`: per occurrence its contextual
vector ``h``, its raw static vector ``e``, the static vector mapped into the contextual space ``pe``, the OOV flag,
the two cosines of attention fusion with its sentence context (``att``: ``cos(h, c)``, ``cos(pe, c)``, so attention
is computed for one occurrence without its sentence's other words), its sentence and span, where it comes from
(``text``, ``reference`` or ``corpus``) and its sense where one is known. Fusion of these rows is exactly what
:func:`embedkit.fusion.fuse` gives on the whole sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from embedkit.fusion import attention_softmax, fuse
from embedkit.options import FusionMode, coerce
from embedkit.wordvectors import check_space

__all__ = ["SOURCES", "Occurrences", "fusion_weights"]

#: Where an occurrence comes from: the user's text, the bundled reference corpus, a corpus index.
SOURCES = ("text", "reference", "corpus")


def fusion_weights(
    mode: FusionMode | str, alpha: float, oov: np.ndarray, att: np.ndarray, temperature: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the (contextual, static) weights of weighted or attention fusion (OOV rows: all contextual).

    Both weights sum to 1 on every row, so a fused row lies on the segment between ``h`` and ``pe``.

    Raises:
        ValueError: concat (it has no such weights) or alpha outside [0, 1].
    """
    mode = coerce(FusionMode, mode)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    n = len(oov)
    if mode is FusionMode.WEIGHTED:
        wa, wb = np.full(n, alpha, np.float64), np.full(n, 1.0 - alpha, np.float64)
    elif mode is FusionMode.ATTENTION:
        w = attention_softmax(att, alpha, oov=oov, temperature=temperature).astype(np.float64)
        wa, wb = w[:, 0], w[:, 1]
    else:
        raise ValueError("concat fusion has no per-row weights of h and Pe")
    return np.where(oov, 1.0, wa), np.where(oov, 0.0, wb)


@dataclass(frozen=True)
class Occurrences:
    """Occurrences of one word and their vectors in every source.

    Attributes:
        word: the word, lower case.
        h: contextual vectors ``(n, d)``.
        e: raw static vectors ``(n, d_s)`` (zero rows where ``oov``).
        pe: static vectors mapped into the contextual space ``(n, d)`` (zero rows where ``oov``).
        oov: no static vector.
        att: ``(n, 2)``: ``cos(h, c)`` and ``cos(pe, c)`` with the sentence context (attention fusion).
        sentences: the sentence of each occurrence.
        start, end: the character span of the word in its sentence.
        source: ``text``, ``reference`` or ``corpus`` per occurrence.
        ref: per occurrence, its sentence number in the text, its sentence id in the reference corpus, or its row in
            the corpus index.
        senses: the sense key (``bank.n.01``) per occurrence where it is known, else None.
        glosses: sense key -> definition.
    """

    word: str
    h: np.ndarray = field(repr=False)
    e: np.ndarray = field(repr=False)
    pe: np.ndarray = field(repr=False)
    oov: np.ndarray = field(repr=False)
    att: np.ndarray = field(repr=False)
    sentences: tuple[str, ...] = field(repr=False)
    start: np.ndarray = field(repr=False)
    end: np.ndarray = field(repr=False)
    source: tuple[str, ...] = field(repr=False)
    ref: np.ndarray = field(repr=False)
    senses: tuple[str | None, ...] = field(repr=False)
    glosses: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        n = len(self.h)
        for name in ("e", "pe", "oov", "att", "sentences", "start", "end", "source", "ref", "senses"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"Occurrences.{name} has {len(getattr(self, name))} rows for {n} occurrences")
        unknown = set(self.source) - set(SOURCES)
        if unknown:
            raise ValueError(f"unknown source {sorted(unknown)[0]!r}; choose one of: {', '.join(SOURCES)}")

    def __len__(self) -> int:
        return len(self.h)

    def count(self, source: str) -> int:
        """How many occurrences come from ``source``."""
        return sum(1 for s in self.source if s == source)

    @property
    def from_text(self) -> np.ndarray:
        """True for the user's occurrences."""
        return np.asarray([s == "text" for s in self.source], bool)

    @property
    def tagged(self) -> np.ndarray:
        """True where the sense is known."""
        return np.asarray([s is not None for s in self.senses], bool)

    def context(self, i: int, marker: tuple[str, str] = ("[", "]")) -> str:
        """Occurrence ``i`` in its sentence, marked: ``I sat on the river [bank].``"""
        s, a, b = self.sentences[int(i)], int(self.start[int(i)]), int(self.end[int(i)])
        return f"{s[:a]}{marker[0]}{s[a:b]}{marker[1]}{s[b:]}"

    def vectors(
        self, space: str, mode: FusionMode | str = "weighted", alpha: float = 0.5, temperature: float = 0.1
    ) -> np.ndarray:
        """The occurrences in one space: ``bert`` (h), ``static`` (raw e) or ``fused`` (mode at alpha).

        Raises:
            ValueError: an unknown space or mode, alpha outside [0, 1].
        """
        if check_space(space) == "bert":
            return self.h
        if space == "static":
            return self.e
        mode = coerce(FusionMode, mode)
        if mode is FusionMode.CONCAT:
            return fuse(self.h, self.e, None, mode, alpha, oov=self.oov).vectors
        wa, wb = fusion_weights(mode, alpha, self.oov, self.att, temperature)
        return (wa[:, None] * self.h + wb[:, None] * self.pe).astype(np.float32)

    def take(self, rows: np.ndarray | Sequence[int]) -> Occurrences:
        """Some of the occurrences, in the order given."""
        idx = np.asarray(rows, np.int64)
        pick = idx.tolist()
        return Occurrences(
            self.word,
            self.h[idx],
            self.e[idx],
            self.pe[idx],
            self.oov[idx],
            self.att[idx],
            tuple(self.sentences[i] for i in pick),
            self.start[idx],
            self.end[idx],
            tuple(self.source[i] for i in pick),
            self.ref[idx],
            tuple(self.senses[i] for i in pick),
            dict(self.glosses),
        )

    def __add__(self, other: Occurrences) -> Occurrences:
        """These occurrences, then ``other``'s (the same word and vector dimensions).

        Raises:
            ValueError: another word, or vectors of other dimensions.
        """
        if other.word != self.word:
            raise ValueError(f"cannot join occurrences of {self.word!r} and {other.word!r}")
        if len(self) and len(other) and (self.h.shape[1] != other.h.shape[1] or self.e.shape[1] != other.e.shape[1]):
            raise ValueError(
                f"vectors of other dimensions: {self.h.shape[1]}/{self.e.shape[1]} and "
                f"{other.h.shape[1]}/{other.e.shape[1]} (another model or static table)"
            )
        return Occurrences(
            self.word,
            np.concatenate([self.h, other.h]),
            np.concatenate([self.e, other.e]),
            np.concatenate([self.pe, other.pe]),
            np.concatenate([self.oov, other.oov]),
            np.concatenate([self.att, other.att]),
            self.sentences + other.sentences,
            np.concatenate([self.start, other.start]),
            np.concatenate([self.end, other.end]),
            self.source + other.source,
            np.concatenate([self.ref, other.ref]),
            self.senses + other.senses,
            {**self.glosses, **other.glosses},
        )
