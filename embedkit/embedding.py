"""The value object of an embedded text: every word occurrence with its vectors in every space."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from embedkit.fusion import Fusion, fuse
from embedkit.options import FusionMode

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SPACES", "EmbeddedText"]

#: The three spaces every view shows side by side.
SPACES = ("bert", "static", "fused")


@dataclass(frozen=True)
class EmbeddedText:
    """Word occurrences of some sentences and their vectors.

    Attributes:
        sentences: the input sentences.
        sentence_id, position, start, end: per occurrence, its sentence, its index in the sentence and its
            character span in the sentence.
        words: per occurrence, the word as written.
        oov: True where the static vectors have no vector for the word.
        bert: contextual vectors ``(N, d_c)``.
        static: raw static vectors ``(N, d_s)`` (zeros when OOV).
        static_mapped: static vectors mapped into the contextual space ``(N, d_c)``.
        settings: what produced the vectors (model, layers, pooling, vectors, map), for people.
    """

    sentences: list[str]
    sentence_id: np.ndarray
    position: np.ndarray
    start: np.ndarray
    end: np.ndarray
    words: list[str]
    oov: np.ndarray
    bert: np.ndarray
    static: np.ndarray
    static_mapped: np.ndarray
    settings: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.words)

    @property
    def oov_rate(self) -> float:
        """The share of word occurrences without a static vector."""
        return float(self.oov.mean()) if len(self) else 0.0

    def fuse(self, mode: FusionMode | str = "weighted", alpha: float = 0.5, temperature: float = 0.1) -> Fusion:
        """Fuse the two sources per word (see :func:`embedkit.fusion.fuse`)."""
        return fuse(
            self.bert,
            self.static,
            self.static_mapped,
            mode,
            alpha,
            oov=self.oov,
            sentence_ids=self.sentence_id,
            temperature=temperature,
        )

    def space(self, name: str, mode: FusionMode | str = "weighted", alpha: float = 0.5) -> np.ndarray:
        """The vectors of one space: ``bert``, ``static`` (raw) or ``fused``.

        Raises:
            ValueError: an unknown space name.
        """
        if name == "bert":
            return self.bert
        if name == "static":
            return self.static
        if name == "fused":
            return self.fuse(mode, alpha).vectors
        raise ValueError(f"unknown space {name!r}; choose one of: {', '.join(SPACES)}")

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
        """One row per occurrence: sentence, index, word, start, end, oov, context."""
        import pandas as pd

        return pd.DataFrame(
            {
                "sentence": self.sentence_id,
                "index": self.position,
                "word": self.words,
                "start": self.start,
                "end": self.end,
                "oov": self.oov,
                "context": [self.context(i) for i in range(len(self))],
            }
        )
