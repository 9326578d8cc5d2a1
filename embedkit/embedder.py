"""The main type: an :class:`Embedder` turns sentences into an :class:`EmbeddedText`.

It owns a contextual encoder, static vectors and the map between them. Contextual vectors are cached per
(encoder settings, sentence) in memory, so changing alpha, the fusion mode or the projection never runs the
encoder again, and adding a sentence encodes only that sentence.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import fields
from typing import cast

import numpy as np

from embedkit.alignment import StaticMap, fit_static_map
from embedkit.cache import stable_hash
from embedkit.config import EmbedderConfig
from embedkit.contextual import ContextualEncoder
from embedkit.defaults import DEFAULT_MODEL_NAME, DEFAULT_VECTORS_NAME
from embedkit.embedded_text import EmbeddedText
from embedkit.errors import EmbedkitError
from embedkit.options import AlignMethod, Postprocess, coerce, layers_label
from embedkit.postprocess import PostprocessedEncoder
from embedkit.progress import Progress
from embedkit.shipped import install as install_shipped
from embedkit.shipped import prefetch as prefetch_shipped
from embedkit.static import StaticVectors, load_static
from embedkit.text import MAX_CHARS, check_text, segment, split_lines
from embedkit.words_alone import encode_words_cached
from embedkit.wordvectors import WordVectors

__all__ = ["Embedder"]

logger = logging.getLogger(__name__)


class Embedder:
    """Embed sentences in the contextual, static and fused spaces.

    Args:
        encoder: the contextual encoder; None loads the bundled all-MiniLM-L6-v2.
        static: the static vectors; None loads the bundled GloVe 6B 50d.
        align: how static vectors are mapped into the contextual space (procrustes, lstsq, pad).
        align_k: the size of the map's fit vocabulary.
        exclude: words kept out of the map's fit (e.g. evaluation words).
        cache_size: how many sentences' contextual vectors are kept in memory.
        postprocess: post-processing of every contextual vector (none, center, sentence_mean, abtt; see
            :mod:`embedkit.postprocess`). It wraps ``encoder``, so it is part of every cache key, the static map is
            fitted on post-processed words, and alpha = 1 gives exactly the post-processed contextual vectors.

    Most callers build one from a configuration: ``Embedder.from_config(EmbedderConfig())`` (the defaults every face
    shares); the arguments here assemble one from parts already loaded.

    Example:
        >>> emb = Embedder.from_config(EmbedderConfig())                      # doctest: +SKIP
        >>> out = emb.embed(["I sat on the river bank.", "The bank raised its rates."])  # doctest: +SKIP
        >>> out.fuse("weighted", alpha=1.0).vectors.shape == out.h.shape   # doctest: +SKIP
        True
    """

    def __init__(
        self,
        encoder: ContextualEncoder | None = None,
        static: StaticVectors | None = None,
        *,
        align: AlignMethod | str = "procrustes",
        align_k: int = 5000,
        exclude: Sequence[str] = (),
        cache_size: int = 20_000,
        postprocess: Postprocess | str = "none",
    ) -> None:
        self.encoder = encoder if encoder is not None else ContextualEncoder()
        self.postprocess = coerce(Postprocess, postprocess)
        if self.postprocess is not Postprocess.NONE:
            self.encoder = PostprocessedEncoder(self.encoder, self.postprocess)
        self.static = static if static is not None else load_static()
        self.align = coerce(AlignMethod, align)
        self.align_k = align_k
        self.exclude = tuple(exclude)
        self.cache_size = cache_size
        self._map: StaticMap | None = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._vocab: dict[int, WordVectors] = {}
        self._lock = threading.RLock()
        self._config: EmbedderConfig | None = None

    @classmethod
    def from_config(
        cls,
        config: EmbedderConfig | None = None,
        *,
        encoder: ContextualEncoder | None = None,
        static: StaticVectors | None = None,
        device: str = "auto",
        batch_size: int | None = None,
        exclude: Sequence[str] = (),
    ) -> Embedder:
        """The Embedder a configuration describes.

        Args:
            config: the configuration; None for the defaults.
            encoder: the raw contextual encoder of ``config``, when the caller has it loaded (the app's cache);
                post-processing is added here.
            static: the static vectors of ``config``, when the caller has them loaded.
            device: torch device for a newly loaded encoder.
            batch_size: sequences per forward pass for a newly loaded encoder.
            exclude: words kept out of the map's fit (the evaluation's benchmark words).
        """
        config = config or EmbedderConfig()
        prefetch_shipped(config)  # the bundled files are checked while the model loads
        embedder = cls(
            encoder if encoder is not None else config.load_encoder(device=device, batch_size=batch_size),
            static if static is not None else config.load_static(),
            align=config.align,
            align_k=config.align_k,
            exclude=exclude,
            postprocess=config.postprocess,
        )
        embedder._config = config
        install_shipped(
            config, embedder.encoder, embedder.static
        )  # the fits shipped for the bundled defaults, for exactly that configuration
        return embedder

    @property
    def config(self) -> EmbedderConfig:
        """The configuration of this Embedder (given to :meth:`from_config`, else read off its parts: a model or
        vectors loaded from elsewhere are named as they are shown)."""
        if self._config is not None:
            return self._config
        encoder = getattr(self.encoder, "base", self.encoder)
        return EmbedderConfig(
            model=None if encoder.name == DEFAULT_MODEL_NAME else encoder.name,
            layers=layers_label(encoder.layers),
            pooling=encoder.pooling.value,
            postprocess=self.postprocess.value,
            dtype=encoder.dtype,
            vectors=None if self.static.name == DEFAULT_VECTORS_NAME else self.static.name,
            align=self.align.value,
            align_k=self.align_k,
        )

    # -- the map ---------------------------------------------------------------------------------------
    def fit_map(self, *, progress: Progress | None = None) -> StaticMap:
        """Fit (or load from the disk cache) the static -> contextual map."""
        with self._lock:
            if self._map is None:
                self._map = fit_static_map(
                    self.encoder, self.static, self.align, k=self.align_k, exclude=self.exclude, progress=progress
                )
            return self._map

    @property
    def static_map(self) -> StaticMap:
        """The fitted static -> contextual map (fitted on first use)."""
        return self.fit_map()

    def settings(self) -> dict[str, str]:
        """What produces the vectors, for people and for cache keys."""
        return {
            "contextual": self.encoder.describe(),
            "static": f"{self.static.name} · {self.static.dim}-d · {len(self.static):,} words",
            "map": self.static_map.describe() if self._map is not None else f"{self.align.value} map (not fitted yet)",
        }

    # -- embedding -------------------------------------------------------------------------------------
    def embed(
        self,
        texts: str | Sequence[str],
        *,
        max_chars: int = MAX_CHARS,
        progress: Progress | None = None,
    ) -> EmbeddedText:
        """Embed sentences: a string (one sentence per line) or a list of sentences.

        Raises:
            EmbedkitError: no words at all, or more than ``max_chars`` characters.
        """
        sentences = split_lines(texts) if isinstance(texts, str) else [s.strip() for s in texts if s.strip()]
        check_text(sentences, max_chars=max_chars)
        segmented = [segment(s) for s in sentences]
        keep = [i for i, words in enumerate(segmented) if words]
        sentences = [sentences[i] for i in keep]
        segmented = [segmented[i] for i in keep]
        h = self._contextual(sentences, [[w.text for w in ws] for ws in segmented], progress)
        counts = np.array([len(ws) for ws in segmented], dtype=np.int64)
        aligned = WordVectors.build(
            [w.text for ws in segmented for w in ws],
            h,
            self.static,
            self.static_map,
            sentence_id=np.repeat(np.arange(len(sentences)), counts),
        )
        return EmbeddedText(
            **{f.name: getattr(aligned, f.name) for f in fields(WordVectors)},
            sentences=sentences,
            position=np.concatenate([np.arange(c) for c in counts]),
            start=np.array([w.start for ws in segmented for w in ws], dtype=np.int64),
            end=np.array([w.end for ws in segmented for w in ws], dtype=np.int64),
            settings=self.settings(),
        )

    def _contextual(self, sentences: list[str], words: list[list[str]], progress: Progress | None) -> np.ndarray:
        base = self.encoder.settings_key()
        keys = [stable_hash(base, s) for s in sentences]
        with self._lock:
            missing = [i for i, k in enumerate(keys) if k not in self._cache]
            if missing:
                encoded = self.encoder.encode([words[i] for i in missing], progress=progress)
                for i, vectors in zip(missing, encoded):
                    vectors.flags.writeable = False
                    self._cache[keys[i]] = vectors
            elif progress is not None:
                progress(len(sentences), len(sentences))
            arrays = []
            for k in keys:
                self._cache.move_to_end(k)
                arrays.append(self._cache[k])
            while len(self._cache) > max(self.cache_size, len(keys)):
                self._cache.popitem(last=False)
        if not arrays:
            raise EmbedkitError("there is no text to embed")
        return np.concatenate(arrays, axis=0)

    # -- vocabulary ------------------------------------------------------------------------------------
    def vocabulary(self, k: int = 5000, *, progress: Progress | None = None) -> WordVectors:
        """The ``k`` most frequent alphabetic static words, each encoded alone, in every space (computed once,
        the contextual side disk cached)."""
        with self._lock:
            if k not in self._vocab:
                self._vocab[k] = self.word_vectors(self.static.top_words(k), progress=progress)
            return self._vocab[k]

    def word_vectors(self, words: Sequence[str], *, progress: Progress | None = None) -> WordVectors:
        """``words`` each encoded alone (``[CLS] w [SEP]``, disk cached) and looked up in the static table."""
        h = encode_words_cached(self.encoder, list(words), progress=progress)
        return WordVectors.build(words, h, self.static, self.static_map)

    def embed_tokenized(self, sentences: Sequence[Sequence[str]], *, progress: Progress | None = None) -> WordVectors:
        """Pre-split sentences (a data set's own tokens) in every space; row ``i`` of sentence ``s`` is its word ``i``.

        The contextual vectors come from the same memory cache as :meth:`embed` (keyed by the tokens).

        Raises:
            EmbedkitError: no sentence has a word.
        """
        tokens = [[str(w) for w in s] for s in sentences]
        # tuples as cache keys: their repr never equals a plain sentence's, so the two caches cannot collide
        keys = cast("list[str]", [("tokens", *s) for s in tokens])
        h = self._contextual(keys, tokens, progress)
        counts = np.array([len(s) for s in tokens], dtype=np.int64)
        return WordVectors.build(
            [w for s in tokens for w in s],
            h,
            self.static,
            self.static_map,
            sentence_id=np.repeat(np.arange(len(tokens)), counts),
        )
