"""Corpus mode: index every word occurrence of a corpus, search it with live alpha, map a word's senses.

``build_index`` (:mod:`embedkit.corpus.build`) writes an index folder; :class:`embedkit.corpus.index.CorpusIndex`
opens it. Modules: ``reader`` (inputs, blocks), ``manifest`` (settings, resume), ``encode`` (a block's tables),
``shards`` (atomic Parquet files), ``engine_local`` / ``engine_ray``, ``consolidate`` (query files, ANN index),
``query`` / ``search`` (live-alpha scoring), ``senses`` + ``clustering``, ``figure``, ``cli``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["CorpusIndex", "IndexSettings", "build_index"]

_EXPORTS = {
    "CorpusIndex": "embedkit.corpus.index",
    "IndexSettings": "embedkit.corpus.manifest",
    "build_index": "embedkit.corpus.build",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'embedkit.corpus' has no attribute {name!r}")
