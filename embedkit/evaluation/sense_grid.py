"""Every encoder option of the senses benchmark from one pass of the model over each sentence.

An option is a layer choice, a wordpiece pooling and a post-processing (:mod:`embedkit.postprocess`). Each example
sentence (and the post-processing's reference text) goes through the model once with every hidden state kept
(:meth:`embedkit.contextual.ContextualEncoder.encode_layers`); layer choices that average layers, first_last
pooling and the sentence means are all linear in those states, so every option's vectors are assembled from them,
equal to what ``Embedder(ContextualEncoder(layers=..., pooling=...), postprocess=...)`` produces.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from embedkit.postprocess import POSTPROCESS_LABELS, Postprocess, PostProcessor

if TYPE_CHECKING:
    from embedkit.contextual import ContextualEncoder, Progress
    from embedkit.evaluation.sense_data import SenseOccurrences

__all__ = ["DEFAULT_OPTION", "EncoderOption", "SenseGrid", "build_sense_grid", "grid_options"]

logger = logging.getLogger(__name__)

BASE_POOLINGS = ("first", "last", "mean")
POOLINGS = (*BASE_POOLINGS, "first_last")


@dataclass(frozen=True)
class EncoderOption:
    """One way to get contextual vectors: ``layers`` (as :func:`embedkit.options.parse_layers` reads it), pooling and
    post-processing."""

    layers: str
    pooling: str
    postprocess: str

    def describe(self) -> str:
        """``layer 4, mean pooling, all-but-the-top``."""
        layer = {
            "last": "the last layer",
            "second_last": "the second-last layer",
            "last4": "the mean of the last 4 layers",
            "all": "the mean of all layers",
            "0": "the embedding layer",
        }.get(self.layers)
        return f"{layer or 'layer ' + self.layers}, {self.pooling} pooling, {POSTPROCESS_LABELS[self.postprocess]}"

    def key(self) -> str:
        """``4/mean/abtt`` (for tables and JSON)."""
        return f"{self.layers}/{self.pooling}/{self.postprocess}"


#: the encoder's defaults: the option every other is compared with (listed first, so it wins ties)
DEFAULT_OPTION = EncoderOption("last", "mean", "none")


def layer_states(layers: str, n_layers: int) -> list[int]:
    """The hidden states a layer choice averages (0 = embeddings, ``n_layers`` = last)."""
    named = {
        "last": [n_layers],
        "second_last": [n_layers - 1],
        "last4": list(range(n_layers - 3, n_layers + 1)),
        "all": list(range(1, n_layers + 1)),
    }
    return named.get(layers) or [int(layers)]


def layer_choices(n_layers: int) -> list[str]:
    """``last``, ``second_last``, every other single state down to the embeddings, ``last4``, ``all``."""
    singles = [str(k) for k in range(n_layers - 2, -1, -1)]
    return ["last", "second_last", *singles, *(["last4"] if n_layers >= 4 else []), "all"]


def grid_options(n_layers: int) -> list[EncoderOption]:
    """Every option, the default first."""
    grid = [
        EncoderOption(layer, pooling, post.value)
        for layer, pooling, post in itertools.product(layer_choices(n_layers), POOLINGS, Postprocess)
    ]
    return [DEFAULT_OPTION] + [o for o in grid if o != DEFAULT_OPTION]


class SenseGrid:
    """Every occurrence's vectors under every option, from all hidden states kept once.

    Args:
        target: pooling -> ``(n_occurrences, n_states, hidden)`` vectors of the occurrences' words.
        sentence_mean: pooling -> the mean over each occurrence's sentence of its words' vectors, same shape.
        sentence_size: words in each occurrence's sentence.
        reference: (layers, pooling) -> ``(n, total, gram)`` moments of the reference text's vectors.
        n_layers: the model's transformer layers.
    """

    def __init__(
        self,
        target: dict[str, np.ndarray],
        sentence_mean: dict[str, np.ndarray],
        sentence_size: np.ndarray,
        reference: dict[tuple[str, str], tuple[int, np.ndarray, np.ndarray]],
        n_layers: int,
    ) -> None:
        self.target, self.sentence_mean, self.sentence_size = target, sentence_mean, sentence_size
        self.reference, self.n_layers = reference, n_layers
        self.options = grid_options(n_layers)
        self._processors: dict[tuple[str, str, str], PostProcessor] = {}

    def _states(self, arrays: dict[str, np.ndarray], layers: str, pooling: str) -> np.ndarray:
        idx = layer_states(layers, self.n_layers)
        pick = lambda p: arrays[p][:, idx].mean(axis=1) if len(idx) > 1 else arrays[p][:, idx[0]]  # noqa: E731
        if pooling == "first_last":
            return np.concatenate([pick("first"), pick("last")], axis=1)
        return np.asarray(pick(pooling))

    def processor(self, option: EncoderOption) -> PostProcessor:
        """The option's post-processor, fitted on the reference text's vectors under the same layers and pooling."""
        key = (option.layers, option.pooling, option.postprocess)
        if key not in self._processors:
            proc = PostProcessor(option.postprocess)
            if proc.method is not Postprocess.NONE:
                proc.fit_moments(*self.reference[(option.layers, option.pooling)])
            self._processors[key] = proc
        return self._processors[key]

    def vectors(self, option: EncoderOption) -> np.ndarray:
        """``(n_occurrences, dim)`` vectors of the occurrences under ``option``."""
        X = self._states(self.target, option.layers, option.pooling)
        means = self._states(self.sentence_mean, option.layers, option.pooling)
        return self.processor(option).transform_rows(X, means, self.sentence_size)


def _moments(
    encoder: ContextualEncoder,
    reference: Sequence[Sequence[str]],
    progress: Progress | None,
    wanted: set[tuple[str, str]] | None = None,
) -> dict[tuple[str, str], tuple[int, np.ndarray, np.ndarray]]:
    """Streamed moments of the reference text's vectors for every (layers, pooling), or only the ``wanted`` ones."""
    n_layers = encoder.n_layers
    out: dict[tuple[str, str], list] = {}
    for _, arr in encoder.encode_layers(reference, poolings=BASE_POOLINGS, progress=progress):
        states = dict(zip(BASE_POOLINGS, arr.transpose(0, 2, 1, 3)))  # pooling -> (n_words, n_states, hidden)
        for layers in layer_choices(n_layers):
            if wanted is not None and not any(w[0] == layers for w in wanted):
                continue
            idx = layer_states(layers, n_layers)
            pooled = {p: states[p][:, idx].mean(axis=1) for p in BASE_POOLINGS}
            pooled["first_last"] = np.concatenate([pooled["first"], pooled["last"]], axis=1)
            for p, X in pooled.items():
                if wanted is not None and (layers, p) not in wanted:
                    continue
                acc = out.setdefault((layers, p), [0, 0.0, 0.0])
                acc[0] += len(X)
                acc[1] = acc[1] + X.sum(axis=0, dtype=np.float64)
                acc[2] = acc[2] + (X.T @ X).astype(np.float64)
    return {k: (int(v[0]), np.asarray(v[1]), np.asarray(v[2])) for k, v in out.items()}


def build_sense_grid(
    encoder: ContextualEncoder,
    occurrences: SenseOccurrences,
    *,
    reference: Sequence[Sequence[str]] | None = None,
    progress: Progress | None = None,
    options: Sequence[EncoderOption] | None = None,
) -> SenseGrid:
    """Encode the reference text and every example sentence once, keeping every hidden state.

    Args:
        encoder: the raw contextual encoder (its own layers, pooling and post-processing are ignored).
        occurrences: the benchmark's occurrences.
        reference: the post-processing reference (pre-split); None = :func:`embedkit.postprocess.reference_sentences`.
        progress: ``progress(done, total)`` over the example sentences.
        options: only these options will be asked for (the post-processing moments of the others are not
            computed); None = every option.
    """
    from embedkit.postprocess import reference_sentences

    base = getattr(encoder, "base", encoder)  # the raw vectors, whatever post-processing the encoder applies
    wanted = None if options is None else {(o.layers, o.pooling) for o in options}
    moments = _moments(base, reference if reference is not None else reference_sentences(), None, wanted)
    n_states, hidden = base.n_layers + 1, base.hidden_size
    by_sentence: dict[int, list[int]] = {}
    for i, s in enumerate(occurrences.sentence.tolist()):
        by_sentence.setdefault(s, []).append(i)
    target = {p: np.zeros((len(occurrences), n_states, hidden), np.float32) for p in BASE_POOLINGS}
    means = {p: np.zeros((len(occurrences), n_states, hidden), np.float32) for p in BASE_POOLINGS}
    sizes = np.zeros(len(occurrences), np.int64)
    for s, arr in base.encode_layers(occurrences.sentences, poolings=BASE_POOLINGS, progress=progress):
        rows = by_sentence.get(s, [])
        words = occurrences.word[rows]
        for k, p in enumerate(BASE_POOLINGS):
            target[p][rows] = arr[k][:, words].transpose(1, 0, 2)
            means[p][rows] = arr[k].mean(axis=1)
        sizes[rows] = arr.shape[2]
    return SenseGrid(target, means, sizes, moments, base.n_layers)
