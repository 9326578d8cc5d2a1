"""embedkit: see how BERT's contextual vectors, static word vectors and their fusion map words into space.

Heavy dependencies (torch, transformers, gensim, umap) load only when used, so this import is fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "ContextualEncoder": "embedkit.contextual",
    "StaticVectors": "embedkit.static",
    "load_static": "embedkit.static",
    "StaticMap": "embedkit.alignment",
    "fit_static_map": "embedkit.alignment",
    "Fusion": "embedkit.fusion",
    "fuse": "embedkit.fusion",
    "EmbeddedText": "embedkit.embedded_text",
    "Embedder": "embedkit.embedder",
    "WordVectors": "embedkit.wordvectors",
    "project": "embedkit.projection",
    "top_k": "embedkit.neighbours",
    "segment": "embedkit.text",
    "EmbedkitError": "embedkit.errors",
}

__all__ = [
    "ContextualEncoder",
    "Embedder",
    "EmbeddedText",
    "EmbedkitError",
    "Fusion",
    "StaticMap",
    "StaticVectors",
    "WordVectors",
    "fit_static_map",
    "fuse",
    "load_static",
    "project",
    "segment",
    "top_k",
]

if TYPE_CHECKING:  # pragma: no cover
    from embedkit.alignment import StaticMap, fit_static_map
    from embedkit.contextual import ContextualEncoder
    from embedkit.embedded_text import EmbeddedText
    from embedkit.embedder import Embedder
    from embedkit.errors import EmbedkitError
    from embedkit.fusion import Fusion, fuse
    from embedkit.neighbours import top_k
    from embedkit.projection import project
    from embedkit.static import StaticVectors, load_static
    from embedkit.text import segment
    from embedkit.wordvectors import WordVectors


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'embedkit' has no attribute {name!r}")
