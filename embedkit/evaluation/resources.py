"""What every task runs on: one :class:`~embedkit.embedder.Embedder` whose static map never saw a benchmark word.

All vectors of the evaluation come through that Embedder, as in the app and the CLI: words encoded alone
(``Embedder.word_vectors``) for similarity and analogies, pre-split sentences in context
(``Embedder.embed_tokenized``) for polarity, each a :class:`~embedkit.wordvectors.WordVectors`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from embedkit.evaluation.datasets import evaluation_words, load_word_pairs
from embedkit.evaluation.settings import EvalSettings, StageProgress, stage

if TYPE_CHECKING:
    from embedkit.alignment import StaticMap
    from embedkit.config import EmbedderConfig
    from embedkit.contextual import ContextualEncoder
    from embedkit.embedder import Embedder
    from embedkit.static import StaticVectors
    from embedkit.wordvectors import WordVectors

__all__ = ["Resources", "evaluation_embedder", "load_resources", "pair_vectors"]

logger = logging.getLogger(__name__)


def evaluation_embedder(
    config: EmbedderConfig,
    *,
    encoder: ContextualEncoder | None = None,
    static: StaticVectors | None = None,
    device: str = "auto",
) -> Embedder:
    """The Embedder of ``config`` whose static -> contextual map is fitted on the top ``config.align_k`` static words
    minus every benchmark word (those of SimLex-999, WordSim-353 and the Google analogies).

    Args:
        config: the configuration.
        encoder: its raw contextual encoder, when the caller has it loaded.
        static: its static vectors, when the caller has them loaded.
        device: torch device for a newly loaded encoder.
    """
    from embedkit.embedder import Embedder

    return Embedder.from_config(
        config, encoder=encoder, static=static, device=device, exclude=sorted(evaluation_words())
    )


@dataclass
class Resources:
    """The Embedder every task uses and the settings it was made with."""

    embedder: Embedder
    settings: EvalSettings

    @property
    def encoder(self) -> ContextualEncoder:
        """The contextual encoder (post-processing included)."""
        return self.embedder.encoder

    @property
    def static(self) -> StaticVectors:
        """The static vectors."""
        return self.embedder.static

    @property
    def static_map(self) -> StaticMap:
        """The static -> contextual map, fitted without any benchmark word."""
        return self.embedder.static_map

    @property
    def excluded(self) -> frozenset[str]:
        """The words kept out of the map's fit."""
        return frozenset(self.embedder.exclude)

    def describe(self) -> dict[str, str]:
        """What was used, for people and for JSON."""
        return {
            "model": self.encoder.describe(),
            "vectors": f"{self.static.name} ({self.static.dim}-d, {len(self.static):,} words)",
            "map": self.static_map.describe() + f", {len(self.excluded):,} evaluation words excluded",
        }


def load_resources(settings: EvalSettings, *, progress: StageProgress | None = None) -> Resources:
    """Load the encoder and vectors and fit the map on ``align_k`` words minus every evaluation word."""
    embedder = evaluation_embedder(settings.embedder, device=settings.device)
    embedder.fit_map(progress=stage(progress, "fitting the map"))
    return Resources(embedder, settings)


def pair_vectors(res: Resources, *, progress: StageProgress | None = None) -> WordVectors:
    """Every SimLex-999 and WordSim-353 word, each encoded alone, in every space."""
    words = sorted(set(load_word_pairs("simlex").words()) | set(load_word_pairs("wordsim").words()))
    return res.embedder.word_vectors(words, progress=stage(progress, "encoding pair words"))
