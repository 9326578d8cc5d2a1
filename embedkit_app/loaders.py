"""Cached loaders: models and vectors with ``st.cache_resource``, arrays with ``st.cache_data``.

Resources (encoder, static vectors, Embedder, vocabulary) are shared by all sessions and never
mutated. Arrays (layouts, neighbour curves) are cached by the key of the embedding they came from,
so moving alpha or switching the projection never re-embeds.

What a session may load is named by references, never by server paths (see :mod:`embedkit_app.sources`).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
import streamlit as st

from embedkit.alpha_curves import overlap_curves
from embedkit.config import EmbedderConfig
from embedkit.errors import EmbedkitError
from embedkit.progress import Progress
from embedkit_app import sources

if TYPE_CHECKING:
    from embedkit.alpha_frames import AlphaFrames
    from embedkit.contextual import ContextualEncoder
    from embedkit.embedded_text import EmbeddedText
    from embedkit.embedder import Embedder
    from embedkit.spotlight import Spotlight
    from embedkit.static import StaticVectors
    from embedkit.wordnet import SenseExample
    from embedkit.wordvectors import WordVectors

logger = logging.getLogger(__name__)

UPLOADED = "uploaded vectors"  # how vectors stored by content are named (the session knows the file's own name)
_T = TypeVar("_T")
FRAME_ENTRIES = 32  # alpha-frame families kept in memory (each ~21 x points x 2 floats)

#: contextual models in memory now (weak references: an evicted model leaves the set)
_ENCODERS: weakref.WeakSet[Any] = weakref.WeakSet()
#: model warm-ups started in this process (the UMAP warm-up waits for them: the first Embed needs the model first)
_MODEL_WARM_UPS: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


# --- uploads ------------------------------------------------------------------------------------


def accept_upload(name: str, data: bytes) -> tuple[str, StaticVectors]:
    """Check an uploaded vectors file, keep it by content hash within the quota, and load it.

    Returns:
        ``("upload:ID", vectors)``.

    Raises:
        VectorsFileError: the file is refused (and not kept).
    """
    ref, path = sources.store_upload(name, data)
    try:
        static = get_static(ref)
    except (EmbedkitError, OSError) as exc:
        path.unlink(missing_ok=True)  # a refused file is not kept
        message = str(exc)
        if isinstance(exc, EmbedkitError) and message.startswith(UPLOADED):  # name the user's file, not the copy
            raise type(exc)(name + message[len(UPLOADED) :]) from exc
        raise
    sources.keep_within_quota(path)
    return ref, static


def train_vectors(
    sentences: list[list[str]], algo: str, dim: int, epochs: int, progress: Progress | None = None
) -> tuple[str, StaticVectors]:
    """Train word2vec / fastText with gensim into the uploads store (within the quota) and load the result.

    Returns:
        ``("trained:ID", vectors)``; check them with :func:`embedkit.training.check_trained` before use.

    Raises:
        EmbedkitError: a corpus too small to train on at all.
    """
    from embedkit import training
    from embedkit.cache import stable_hash

    key = stable_hash(algo, dim, epochs, sentences)
    folder = sources.uploads_dir() / key
    if not any(folder.glob("*.bin")):
        training.train_static(sentences, folder, algorithm=algo, dim=dim, epochs=epochs, progress=progress)
    sources.keep_within_quota(folder)
    ref = f"trained:{key}"
    return ref, get_static(ref)


def status_rows(
    cfg: EmbedderConfig, encoder: Any, static: Any, map_name: str, vectors_name: str | None = None
) -> list[dict[str, object]]:
    """What is loaded now, one row per part (contextual model, static vectors, map), for the Models page."""
    params, param_bytes = encoder.size()
    vec_bytes = int(static.vectors.nbytes)
    mapped = isinstance(static.vectors, np.memmap)
    rows = [
        {
            "part": "contextual model",
            "name": encoder.name,
            "dimension": encoder.dim,
            "details": f"layers {cfg.layers} · pooling {cfg.pooling} · post-processing {cfg.postprocess} · {encoder.dtype} on {encoder.device} · "
            f"{params / 1e6:.1f} M parameters · max {encoder.max_length} wordpieces",
            "memory": f"{param_bytes / 2**20:,.0f} MiB",
        },
        {
            "part": "static vectors",
            "name": vectors_name or static.name,
            "dimension": static.dim,
            "details": f"{len(static.words):,} words" + (" · fastText subwords for OOV" if static.subword_fn else ""),
            "memory": f"{vec_bytes / 2**20:,.0f} MiB" + (" (memory-mapped)" if mapped else ""),
        },
        {
            "part": "static → BERT map",
            "name": map_name,
            "dimension": encoder.dim,
            "details": get_embedder(cfg).settings()["map"],
            "memory": "–",
        },
    ]
    return rows


def loaded_models() -> int:
    """How many contextual models this server process holds in memory (all sessions)."""
    return len(_ENCODERS)


# --- resources ----------------------------------------------------------------------------------


def get_encoder(cfg: EmbedderConfig) -> ContextualEncoder:
    """The raw contextual encoder of ``cfg`` (loaded once per process for its model, layers, pooling, dtype and
    runtime; the other fields never reach the encoder)."""
    return _encoder(cfg.model, cfg.layers, cfg.pooling, cfg.dtype, cfg.runtime)


@st.cache_resource(show_spinner="Loading the contextual model…", max_entries=3)
def _encoder(model: str | None, layers: str, pooling: str, dtype: str, runtime: str) -> ContextualEncoder:
    """The contextual encoder for these settings; ``model`` is a reference."""
    source, name = sources.model_source(model)
    config = EmbedderConfig(model=model, layers=layers, pooling=pooling, dtype=dtype, runtime=runtime)
    encoder = config.load_encoder(model_path=source)
    if model is not None:
        encoder.name = name  # never a server path
    _ENCODERS.add(encoder)
    return encoder


@st.cache_resource(show_spinner="Loading the word vectors…", max_entries=3)
def get_static(ref: str | None) -> StaticVectors:
    """Static vectors for a reference (``None``: the bundled GloVe 6B 50d). Stored by content, so they are named by
    their kind; the session shows its own file name (:func:`embedkit_app.state.vectors_name`)."""
    from embedkit.static import load_static

    if ref is None:
        return load_static(None)
    name = UPLOADED if ref.startswith("upload:") else "trained vectors"
    return load_static(sources.vectors_file(ref), name=name, limits=sources.APP_LIMITS)


@st.cache_resource(show_spinner=False, max_entries=4)
def get_embedder(cfg: EmbedderConfig) -> Embedder:
    """The Embedder for ``cfg``; it caches contextual vectors per text and fits the static map lazily."""
    from embedkit.embedder import Embedder

    return Embedder.from_config(cfg, encoder=get_encoder(cfg), static=get_static(cfg.vectors))


@st.cache_resource(show_spinner="Training Dynamic Meta-Embeddings on gensim's 200 polarity sentences…", max_entries=2)
def get_dme(cfg: EmbedderConfig) -> Any:
    """A DME classifier (softmax gating) trained on the polarity sentences with these models (once per process)."""
    from embedkit.evaluation.dme_weights import fit_polarity_dme

    return fit_polarity_dme(get_embedder(cfg))  # every vector through the app's Embedder (its cache)


def get_vocabulary(cfg: EmbedderConfig, k: int, progress: Progress | None = None) -> Any:
    """The ``k`` most frequent vocabulary words with their BERT, static and mapped vectors.

    The cached Embedder computes each table once (and keeps it on disk), under its own lock.
    """
    return get_embedder(cfg).vocabulary(k, progress=progress)


# --- model warm-up ------------------------------------------------------------------------------


def _warm_model(cfg: EmbedderConfig) -> None:
    """Load the encoder, the vectors and the Embedder of ``cfg``; where the fits ship with embedkit (the bundled
    defaults) also serve them and run one short sentence, so the first Embed finds everything ready."""
    from embedkit.shipped import prefetch, shipped_for

    start = time.perf_counter()
    try:
        prefetch(cfg)  # the bundled files are checked while the model loads
        embedder = get_embedder(cfg)
        if shipped_for(cfg) is not None:  # instant: no fit runs in the background, where it would show no progress
            embedder.fit_map()
            embedder.embed(["The bank by the river."])  # the first forward pass sets up the kernels
    except Exception:  # the page that needs the model loads it again and shows the error plainly
        logger.exception("warming up %s failed", cfg.describe())
    logger.info("model warm-up took %.1f s", time.perf_counter() - start)


@st.cache_resource(show_spinner=False, max_entries=3)
def start_model_warm_up(cfg: EmbedderConfig) -> threading.Thread:
    """Load the models of ``cfg`` in a background thread, once per server process and configuration (a page that
    needs them meanwhile waits for this load instead of starting its own)."""
    thread = threading.Thread(target=_warm_model, args=(cfg,), name="model-warm-up", daemon=True)
    thread.start()
    _MODEL_WARM_UPS.add(thread)
    return thread


def wait_for_warm_up(cfg: EmbedderConfig, tick: Callable[[float], object]) -> None:
    """Wait until the model warm-up of ``cfg`` has finished, calling ``tick(seconds waited)`` twice a second.

    ``tick`` should draw something (a caption, a progress bar): each element a page draws lets Streamlit stop the run,
    so a click meanwhile (Embed) starts its own run at once instead of waiting behind this one.
    """
    thread = start_model_warm_up(cfg)
    start = time.monotonic()
    while thread.is_alive():
        tick(time.monotonic() - start)
        thread.join(0.5)


# --- UMAP warm-up -------------------------------------------------------------------------------


def _warm_up() -> None:
    from embedkit.projection import warm_up

    for thread in list(_MODEL_WARM_UPS):  # on two cores the model load comes first
        thread.join()
    start = time.perf_counter()
    try:
        warm_up()
    except Exception:  # the app still works (PCA); the failure is logged for the operator
        logger.exception("UMAP warm-up failed")
    logger.info("UMAP warm-up took %.1f s", time.perf_counter() - start)


@st.cache_resource(show_spinner=False)
def start_umap_warm_up() -> threading.Thread:
    """Compile UMAP's numba code once per server process, in a background thread."""
    thread = threading.Thread(target=_warm_up, name="umap-warm-up", daemon=True)
    thread.start()
    return thread


def umap_ready() -> bool:
    """Whether the UMAP warm-up has finished (until then the maps use PCA)."""
    return not start_umap_warm_up().is_alive()


# --- arrays --------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _stores() -> dict[str, tuple[threading.Lock, OrderedDict[Hashable, Any]]]:
    return {}


def kept(kind: str, key: Hashable, make: Callable[[], _T], *, limit: int) -> _T:
    """``make()``'s value, computed once per ``(kind, key)`` and shared by all sessions (the ``limit`` most recently
    used kept). Not an ``st.cache_data`` function, for work whose progress bar lives outside: a cache hit in another
    session would replay the bar's updates into a block that session does not have. Two sessions asking at once may
    both compute; the first result is kept."""
    stores = _stores()
    lock, store = stores.setdefault(kind, (threading.Lock(), OrderedDict()))
    with lock:
        if key in store:
            store.move_to_end(key)
            return cast("_T", store[key])
    value = make()
    with lock:
        value = store.setdefault(key, value)
        store.move_to_end(key)
        while len(store) > limit:
            store.popitem(last=False)
    return value


def shared_alpha_frames(
    vectors: WordVectors, rows: np.ndarray, key: str, mode: str, method: str, progress: Progress | None = None
) -> AlphaFrames:
    """The maps of ``rows`` at every alpha, laid out together: once per text, rows, mode and method (``key`` names
    the vectors and rows), shared by all sessions (see :func:`kept`)."""
    from embedkit.alpha_frames import alpha_frames as lay_out

    def make() -> AlphaFrames:
        frames = lay_out(vectors, rows, mode, method, 2, progress=progress)
        frames.coords.flags.writeable = False
        return frames

    return kept("alpha_frames", (key, mode, method), make, limit=FRAME_ENTRIES)


@st.cache_resource(show_spinner=False)
def sense_examples() -> dict[str, list[SenseExample]]:
    """WordNet's sense-labelled example sentences per lemma (the shipped extract, read once per process)."""
    from embedkit.wordnet import load_sense_examples

    out: dict[str, list[SenseExample]] = {}
    for ex in load_sense_examples():
        out.setdefault(ex.lemma, []).append(ex)
    return out


@st.cache_resource(show_spinner=False, max_entries=16)
def spotlight(
    _emb: EmbeddedText, key: str, word: str, wordnet: bool, cfg: EmbedderConfig, known: tuple[Any, ...]
) -> Spotlight:
    """The spotlight on ``word`` in the embedded text ``key`` (with WordNet's examples embedded when asked)."""
    from embedkit.spotlight import build_spotlight

    examples = sense_examples().get(word, []) if wordnet else []
    examples_text = get_embedder(cfg).embed([ex.sentence for ex in examples]) if examples else None
    return build_spotlight(_emb, word, known=dict(known), examples=examples, examples_text=examples_text)


@st.cache_data(show_spinner=False, max_entries=64)
def jaccard_curves(
    _emb: Any, key: str, query: int, mode: str, k: int, candidates: tuple[int, ...], steps: int = 11
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Jaccard overlap of the fused neighbour set with the BERT and the static set, alpha 0..1."""
    return overlap_curves(_emb, query, mode, k, np.asarray(candidates), steps=steps)
