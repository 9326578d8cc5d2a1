"""The word's own map: one word's occurrences in many contexts, laid out, clustered and scored per space.

Modules: ``occurrences`` (the rows every space needs), ``sources`` (the user's text, the reference corpus, a corpus
index), ``layout`` (one PCA basis for every alpha, or UMAP), ``numbers`` (placements, cluster agreement,
nearest-neighbour sense accuracy), ``word_map`` (:class:`WordMap`, :class:`WordMapView`, :func:`build_word_map`),
``output`` (JSON, CSV and HTML files), ``cli`` (``embedkit wordmap``).
"""

from __future__ import annotations

from embedkit.wordmap.occurrences import Occurrences
from embedkit.wordmap.word_map import (
    DEFAULT_SAMPLE,
    MAX_SAMPLE,
    WordCluster,
    WordMap,
    WordMapView,
    build_word_map,
    check_sample,
)

__all__ = [
    "DEFAULT_SAMPLE",
    "MAX_SAMPLE",
    "Occurrences",
    "WordCluster",
    "WordMap",
    "WordMapView",
    "build_word_map",
    "check_sample",
]
