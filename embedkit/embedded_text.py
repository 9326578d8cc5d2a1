"""The value object of an embedded text: every word occurrence of some sentences, with its vectors in every space."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from embedkit.wordvectors import PER_ROW, WordVectors

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EmbeddedText"]


@dataclass(frozen=True)
class EmbeddedText(WordVectors):
    """Word occurrences of some sentences and their vectors (a :class:`WordVectors` whose rows are occurrences).

    Attributes:
        sentences: the input sentences; ``sentence_id`` indexes them (0-based here, shown 1-based to people).
        position, start, end: per occurrence, its index in the sentence and its character span in the sentence.
        settings: what produced the vectors (model, layers, pooling, vectors, map), for people.
    """

    sentences: list[str] = field(default_factory=list)
    position: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False, metadata=PER_ROW)
    start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False, metadata=PER_ROW)
    end: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False, metadata=PER_ROW)
    settings: dict[str, str] = field(default_factory=dict)

    def labels(self) -> list[str]:
        """``word (s2)`` per occurrence: the word and its 1-based sentence number."""
        return [f"{w} (s{s + 1})" for w, s in zip(self.words, self.sentence_id.tolist())]

    def context(self, i: int, marker: tuple[str, str] = ("[", "]")) -> str:
        """Occurrence ``i`` inside its sentence, marked: ``I sat on the river [bank].``"""
        s = self.sentences[int(self.sentence_id[i])]
        a, b = int(self.start[i]), int(self.end[i])
        return f"{s[:a]}{marker[0]}{s[a:b]}{marker[1]}{s[b:]}"

    def occurrences_of(self, word: str) -> np.ndarray:
        """Indices of the occurrences of ``word`` (case-insensitive)."""
        low = word.lower()
        return np.array([i for i, w in enumerate(self.words) if w.lower() == low], dtype=np.int64)

    def to_frame(self) -> pd.DataFrame:
        """One row per occurrence: sentence (1-based, as everywhere people read it), index, word, span, oov, context."""
        import pandas as pd

        return pd.DataFrame(
            {
                "sentence": np.asarray(self.sentence_id) + 1,
                "index": self.position,
                "word": list(self.words),
                "start": self.start,
                "end": self.end,
                "oov": self.oov,
                "context": [self.context(i) for i in range(len(self))],
            }
        )
