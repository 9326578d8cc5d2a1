"""Post-processing of contextual vectors: the options the senses benchmark selects among, applied the same way
to every contextual vector embedkit makes.

Contextual vectors share a large common component (they are anisotropic), which makes every occurrence look
alike and hides the differences between senses. The options (:class:`Postprocess`):

- ``none``: the encoder's vectors as they are.
- ``center``: subtract the mean vector of a fixed reference text.
- ``sentence_mean``: subtract the mean vector of the sentence's own words. A one-word sentence (a word encoded
  alone, as for the static map's fit and the vocabulary tables) would become the zero vector, so it gets
  ``center`` instead.
- ``abtt``: "all-but-the-top" (Mu & Viswanath, 2018): subtract the reference mean, then remove the top ``D``
  principal directions of the centred reference vectors, ``D = round(dim / 100)`` (at least 1).

The reference is a stated, fixed text: the first 50 paragraphs of gensim's Lee background corpus (news text),
segmented as embedkit segments every text and encoded in context with the same encoder settings. Every option is
one fixed function of a sentence's vectors, so a word encoded alone and a word in a sentence go through the same
rule, and :class:`PostprocessedEncoder` makes the option part of the encoder's ``settings_key()`` -- hence of every
cache key (the sentence cache, the words-alone cache, the fitted static map).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np

from embedkit.cache import load_array, save_array, stable_hash
from embedkit.contextual import ContextualEncoder
from embedkit.options import Postprocess, coerce
from embedkit.progress import Progress

__all__ = [
    "POSTPROCESS_LABELS",
    "Postprocess",
    "PostProcessor",
    "PostprocessedEncoder",
    "fit_postprocessor",
    "postprocess_cache_key",
    "reference_sentences",
]

logger = logging.getLogger(__name__)

#: paragraphs of gensim's Lee background corpus that make the reference text
REFERENCE_PARAGRAPHS = 50


#: short descriptions for people
POSTPROCESS_LABELS = {
    "none": "no post-processing",
    "center": "reference mean removed",
    "sentence_mean": "sentence mean removed",
    "abtt": "all-but-the-top",
}


def reference_sentences(paragraphs: int = REFERENCE_PARAGRAPHS) -> list[list[str]]:
    """The reference text: the first ``paragraphs`` paragraphs of gensim's Lee corpus, segmented into words.

    The file is found without importing gensim (which takes seconds on a busy machine), where
    ``gensim.test.utils.datapath`` finds it.
    """
    import importlib.util
    from pathlib import Path

    from embedkit.text import segment

    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("gensim is not installed: pip install gensim (its Lee corpus is the reference text)")
    path = Path(list(spec.submodule_search_locations)[0]) / "test" / "test_data" / "lee_background.cor"
    out: list[list[str]] = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            words = [w.text for w in segment(line.strip())]
            if words:
                out.append(words)
            if len(out) >= paragraphs:
                break
    return out


class PostProcessor:
    """One post-processing option, fitted on reference vectors (scikit-learn style).

    Args:
        method: none, center, sentence_mean or abtt.
        n_directions: directions ``abtt`` removes; None = ``round(dim / 100)``, at least 1.
    """

    def __init__(self, method: Postprocess | str = "none", n_directions: int | None = None) -> None:
        self.method = coerce(Postprocess, method)
        self.n_directions = n_directions

    def fit(self, reference: np.ndarray) -> PostProcessor:
        """Learn the reference mean (and, for abtt, the top principal directions) from ``(n, dim)`` vectors.

        Raises:
            ValueError: fewer than two reference vectors.
        """
        X = np.asarray(reference, dtype=np.float64)
        if X.ndim != 2 or len(X) < 2:
            raise ValueError(f"post-processing needs at least 2 reference vectors, got shape {X.shape}")
        return self.fit_moments(len(X), X.sum(axis=0), X.T @ X)

    def fit_moments(self, n: int, total: np.ndarray, gram: np.ndarray) -> PostProcessor:
        """The same fit from the reference's moments: ``n`` rows, their sum ``(dim,)`` and ``X^T X`` ``(dim, dim)``
        (so a reference can be streamed). The principal directions are the top eigenvectors of the covariance."""
        mean = np.asarray(total, np.float64) / n
        self.mean_ = mean.astype(np.float32)
        dim = len(mean)
        d = self.n_directions if self.n_directions is not None else max(1, round(dim / 100))
        if self.method is Postprocess.ABTT:
            cov = np.asarray(gram, np.float64) / n - np.outer(mean, mean)
            _, vectors = np.linalg.eigh((cov + cov.T) / 2)
            self.components_ = vectors[:, ::-1][:, :d].T.astype(np.float32)
        else:
            self.components_ = np.zeros((0, dim), np.float32)
        return self

    def transform_rows(
        self, X: np.ndarray, sentence_mean: np.ndarray | None = None, sentence_size: np.ndarray | None = None
    ) -> np.ndarray:
        """Post-process rows from many sentences at once.

        Args:
            X: ``(n, dim)`` contextual vectors.
            sentence_mean: ``(n, dim)`` the mean vector of each row's sentence (sentence_mean only).
            sentence_size: ``(n,)`` the number of words of each row's sentence (sentence_mean only).
        """
        X = np.asarray(X, dtype=np.float32)
        if self.method is Postprocess.NONE:
            return X
        if not hasattr(self, "mean_"):
            raise RuntimeError("PostProcessor is not fitted; call fit first")
        if self.method is Postprocess.SENTENCE_MEAN:
            if sentence_mean is None or sentence_size is None:
                raise ValueError("sentence_mean post-processing needs each row's sentence mean and size")
            alone = np.asarray(sentence_size) < 2
            shift = np.where(alone[:, None], self.mean_[None, :], np.asarray(sentence_mean, np.float32))
            return X - shift
        Y: np.ndarray = X - self.mean_
        if len(self.components_):
            Y = Y - (Y @ self.components_.T) @ self.components_
        return Y

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Post-process the word vectors ``(n_words, dim)`` of one sentence."""
        X = np.asarray(X, dtype=np.float32)
        if self.method is not Postprocess.SENTENCE_MEAN or len(X) == 0:
            return self.transform_rows(X)
        mean = np.broadcast_to(X.mean(axis=0), X.shape)
        return self.transform_rows(X, mean, np.full(len(X), len(X)))


def postprocess_cache_key(
    encoder: ContextualEncoder, method: Postprocess | str, reference: Sequence[Sequence[str]] | None = None
) -> str:
    """The cache key of a fit of ``method`` on ``reference`` (None: :func:`reference_sentences`) by ``encoder`` (the
    disk cache, and the fits shipped for the defaults)."""
    sentences = [list(s) for s in (reference if reference is not None else reference_sentences())]
    return stable_hash("postprocess", encoder.settings_key(), coerce(Postprocess, method).value, sentences)


def fit_postprocessor(
    encoder: ContextualEncoder,
    method: Postprocess | str,
    *,
    reference: Sequence[Sequence[str]] | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> PostProcessor:
    """A :class:`PostProcessor` fitted on the reference text encoded by ``encoder`` (disk cached).

    Args:
        encoder: the encoder whose raw vectors are post-processed.
        method: none, center, sentence_mean or abtt.
        reference: pre-split reference sentences; None = :func:`reference_sentences`.
        use_cache: reuse a fit made before with the same encoder settings and reference.
        progress: ``progress(done, total)`` while encoding the reference.
    """
    proc = PostProcessor(method)
    if proc.method is Postprocess.NONE:
        return proc
    sentences = [list(s) for s in (reference if reference is not None else reference_sentences())]
    key = postprocess_cache_key(encoder, proc.method, sentences)
    if use_cache:
        mean, comps = load_array(key + "_mean"), load_array(key + "_components")
        if mean is not None and comps is not None and mean.shape == (encoder.dim,):
            proc.mean_, proc.components_ = mean.astype(np.float32), comps.astype(np.float32)
            return proc
    vectors = np.concatenate(encoder.encode(sentences, progress=progress), axis=0)
    proc.fit(vectors)
    if use_cache:
        save_array(key + "_mean", proc.mean_)
        save_array(key + "_components", proc.components_)
    logger.info("fitted %s post-processing on %d reference words", proc.method.value, len(vectors))
    return proc


class PostprocessedEncoder(ContextualEncoder):
    """A contextual encoder whose every output goes through one post-processing option.

    It shares the wrapped encoder's model and settings; its ``settings_key()`` adds the option, so every cache
    keyed by the encoder (sentences, words encoded alone, the static map) keeps post-processed vectors apart.
    Words encoded alone are one-word sentences and follow the option's rule for them (see the module docstring).

    Args:
        base: the encoder giving the raw vectors.
        postprocess: the option.
        reference: pre-split reference sentences; None = :func:`reference_sentences`.
    """

    def __init__(
        self,
        base: ContextualEncoder,
        postprocess: Postprocess | str,
        *,
        reference: Sequence[Sequence[str]] | None = None,
    ) -> None:
        self.__dict__.update(base.__dict__)  # the same model, tokenizer and settings
        self.base = base
        self.postprocess = coerce(Postprocess, postprocess)
        self._reference = None if reference is None else [list(s) for s in reference]
        self._processor: PostProcessor | None = None
        self._fit_lock = threading.Lock()

    @property
    def processor(self) -> PostProcessor:
        """The fitted post-processor (fitted on first use, disk cached)."""
        with self._fit_lock:
            if self._processor is None:
                self._processor = fit_postprocessor(self.base, self.postprocess, reference=self._reference)
            return self._processor

    def settings_key(self) -> str:
        """The wrapped encoder's key plus the option and its reference."""
        ref = "lee" if self._reference is None else stable_hash(self._reference)
        return stable_hash(self.base.settings_key(), "postprocess", self.postprocess.value, ref)

    def describe(self) -> str:
        """The wrapped encoder's line plus the post-processing."""
        return f"{self.base.describe()} · {POSTPROCESS_LABELS[self.postprocess.value]}"

    def _encode_chunk(self, sentences: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """The wrapped encoder's vectors of a chunk of sentences, each sentence post-processed."""
        proc = self.processor
        return [proc.transform(vectors) for vectors in self.base._encode_chunk(sentences)]
