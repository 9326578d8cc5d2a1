"""Embedding the sentences on demand: once per text and models, with a progress bar, kept in the session."""

from __future__ import annotations

import numpy as np
import streamlit as st

from embedkit.cache import stable_hash
from embedkit.embedded_text import EmbeddedText
from embedkit.text import content_indices
from embedkit_app import controls, loaders, state
from embedkit_app.widgets import show_error


def embed_now(sentences: list[str]) -> EmbeddedText | None:
    """Embed ``sentences`` with the applied models, with a progress bar; show errors plainly."""
    cfg = state.model_config()
    bar = st.progress(0.0, text="Loading models…")

    def progress(done: int, total: int) -> None:
        frac = 0.0 if total <= 0 else min(1.0, done / total)
        bar.progress(frac, text=f"Embedding… {done:,} / {total:,}")

    def map_progress(done: int, total: int) -> None:
        frac = 0.0 if total <= 0 else min(1.0, done / total)
        bar.progress(frac, text=f"Fitting the static → BERT map on {total:,} words (once; cached on disk)…")

    loaders.wait_for_warm_up(  # started with the server's first page; while it runs, say so
        cfg, lambda s: bar.progress(0.0, text=f"Loading the models (once per server)… {s:.0f} s")
    )
    try:
        embedder = loaders.get_embedder(cfg)
        embedder.fit_map(progress=map_progress)
        bar.progress(0.0, text="Embedding…")
        emb = embedder.embed(sentences, progress=progress)
    except (ValueError, KeyError, OSError, RuntimeError) as exc:
        bar.empty()
        show_error(exc, "Could not embed the text")
        return None
    bar.empty()
    st.session_state[state.EMBEDDED] = emb
    st.session_state[state.EMBEDDED_FOR] = (cfg, tuple(sentences))
    st.session_state.pop(state.SELECTED, None)
    return emb


def embed_key() -> str:
    """A short key naming the current embedding (for array caches)."""
    return stable_hash(st.session_state.get(state.EMBEDDED_FOR))


def current_embedding() -> EmbeddedText | None:
    """The embedded text for the current sentences and models, embedding it first if needed.

    Pages call this; it only embeds when the sentences or the models changed (never for alpha,
    mode, projection or selection changes).
    """
    cfg = state.model_config()
    sentences = state.sentences()
    emb = st.session_state.get(state.EMBEDDED)
    if emb is not None and st.session_state.get(state.EMBEDDED_FOR) == (cfg, tuple(sentences)):
        return emb  # type: ignore[no-any-return]
    return embed_now(sentences)


def require_embedding() -> EmbeddedText:
    """Like :func:`current_embedding`, but stops the page (after the error) when nothing is embedded."""
    emb = current_embedding()
    if emb is None:
        st.info("Go to **Home** to enter sentences, or **Models** to pick other models.")
        st.stop()
    return emb


def table_page_top() -> tuple[str, float, EmbeddedText, np.ndarray]:
    """The shared top of the pages without a map (Neighbours, Fusion lab): fusion mode and alpha, the punctuation
    toggle, the embedding (stops the page when there is none) and the rows of the words the page shows.

    Returns:
        ``(mode, alpha, emb, rows)``.
    """
    mode, alpha = controls.fusion_controls()
    view = controls.view_controls(projection=False)
    emb = require_embedding()
    return mode, alpha, emb, content_indices(emb.words, view.hide_punct)
