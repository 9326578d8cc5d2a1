"""Explore: the BERT, static and fused maps side by side, a word in the spotlight with its sense numbers, and the
neighbours of one occurrence."""

from __future__ import annotations

import numpy as np
import streamlit as st

from embedkit.fusion import fused_dim
from embedkit.neighbours import neighbour_table
from embedkit.text import content_indices
from embedkit_app import controls, embedding, maps, selection, state, tables, widgets
from embedkit_app.download_panel import download_panel

widgets.page_setup("Explore", "🗺️")
st.title("Explore the three spaces")
widgets.explainer(
    "Each dot is one **word occurrence**; words that are close on a map have similar vectors.\n\n"
    "- **BERT** (left): every occurrence gets its own vector, so *bank* by a river and *bank* with money "
    "can land in different places.\n"
    "- **Static** (middle): one vector per word *type*, so every *bank* sits on the same spot. Words missing "
    "from the static vocabulary (OOV) are left out here.\n"
    "- **Fused** (right): both combined. At alpha = 1 it *is* the BERT map, at alpha = 0 the static map (the "
    "three maps are laid out together); press **▶ play alpha** on it to watch one turn into the other.\n"
    "- **Spotlight** a word to make its occurrences the points, coloured by sense where the sense is known, and "
    "read below the maps how close same-sense and different-sense occurrences are in each space.\n\n"
    "A map squeezes hundreds of dimensions into two, so only *neighbourhoods* mean something — not the axes. "
    "Click a dot to ring the same occurrence in all three maps and list its nearest neighbours below."
)

mode = controls.fusion_mode()
view = controls.view_controls()
emb = embedding.require_embedding()
rows = content_indices(emb.words, view.hide_punct)
method = controls.projection_method(view.proj)
word, wordnet, rest = selection.spotlight_controls(emb, rows)
try:
    mv = maps.map_view(emb, rows, word, wordnet, rest, mode, method, view.labels)
except (ValueError, RuntimeError, OSError) as exc:
    widgets.show_error(exc, "Could not draw the maps")
    st.stop()

cfg = state.model_config()
dh, de = emb.h.shape[1], emb.e.shape[1]
st.caption(
    f"{widgets.model_caption(cfg)}  \n"
    f"Dimensions: BERT **{dh}** · static **{de}** · fused **{fused_dim(mode, dh, de)}** "
    f"({controls.MODE_LABELS[mode]}) · {len(rows)} occurrences, {int(np.asarray(emb.oov)[rows].sum())} OOV · "
    f"{len(mv.rows)} points on the maps · projection {mv.frames.method.upper()}"
    + (" (few points: PCA keeps their geometry)" if mv.frames.method != method else "")
)


@st.fragment
def linked_views() -> None:
    """What alpha and the selection change; an alpha move or a click reruns only this part of the page."""
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    with left:
        alpha = controls.alpha_slider()
    with right:
        st.caption("At 1 the fused map is the BERT map, at 0 the static map. ▶ on the fused map plays 0 → 1.")
    selected = selection.default_selection(emb, rows)
    figures = {}
    for col, space, key in zip(st.columns(3, gap="small"), tables.SPACES, state.MAP_KEYS):
        figures[space] = maps.figure(mv, emb, space, alpha, selected=selected, labels=view.labels, legend_chars=30)
        with col:
            maps.draw(figures[space], key)
    if mv.spot is not None:
        maps.sense_numbers(mv.spot, mode, alpha, widgets.encoder_why(cfg))

    st.subheader("Nearest neighbours of one occurrence")
    left, right = st.columns([2, 1])
    with left:
        query = selection.occurrence_picker(emb, rows, label="Occurrence (or click a dot on a map)")
    with right:
        k = st.slider("Neighbours", 3, 15, 8, key=state.K, bind="query-params", persist_state="session")
    table = neighbour_table(emb, [query], mode=mode, alpha=alpha, k=k, candidates=rows)
    for col, space in zip(st.columns(3, gap="small"), tables.SPACES):
        with col:
            st.markdown(f"**{tables.SPACE_TITLES[space]}**")
            if space == "static" and bool(emb.oov[query]):
                st.info(f"“{emb.words[query]}” is not in the static vocabulary.")
                continue
            widgets.neighbour_table(tables.shown_neighbours(table, space), key=f"nb_{space}")
    download_panel(emb, mv, alpha, figures)


linked_views()
