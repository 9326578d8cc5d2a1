"""embedkit: see how BERT's contextual vectors, static word vectors and their fusion map words into space.

Heavy dependencies (torch, transformers, gensim, umap) load only when used, so this import is fast.
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# numba (UMAP's compiler) colours its typing messages with colorama, whose init() and deinit() swap sys.stdout and
# sys.stderr for the whole process from whatever thread compiles: UMAP's warm-up thread in the app then undoes a
# redirect made by another thread (seen as command output written to the wrong stream). Plain messages need no swap.
# Read by numba when it is first imported; set here so it holds before any embedkit module imports numba.
os.environ.setdefault("NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING", "1")

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
