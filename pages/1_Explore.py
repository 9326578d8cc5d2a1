"""Explore: the BERT, static and fused maps side by side, a word in the spotlight with its sense numbers, and the
neighbours of one occurrence."""

from __future__ import annotations

import numpy as np
import streamlit as st

from embedkit.fusion import fused_dim
from embedkit.neighbours import neighbour_table
from embedkit_app import controls, maps, selection, state, tables, widgets
from embedkit_app.download_panel import download_panel

HEAD_PX = 86  # the row above the maps: the alpha slider over the fused map, notes over the others
HEADS = (
    "Each occurrence its own vector, computed from its sentence.",
    "One vector per word type: every copy of a word on one spot.",
)

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

page = maps.page_maps()
emb, rows, view, mv = page.emb, page.rows, page.view, page.maps
mode = mv.mode

cfg = state.model_config()
dh, de = emb.h.shape[1], emb.e.shape[1]
st.caption(
    f"{widgets.model_caption(cfg)}  \n"
    f"Dimensions: BERT **{dh}** · static **{de}** · fused **{fused_dim(mode, dh, de)}** "
    f"({controls.MODE_LABELS[mode]}) · {len(rows)} occurrences, {int(np.asarray(emb.oov)[rows].sum())} OOV · "
    f"{len(mv.rows)} points on the maps · projection {mv.frames.method.upper()} 2-D"
    + (" (few points: PCA keeps their geometry)" if mv.frames.method != page.requested else "")
    + (f"  \nEncoder options: {why}" if (why := widgets.encoder_why(cfg)) else "")
)


selected = selection.default_selection(emb, rows)
st.session_state[state.DRAWN_SELECTION] = selected
top = st.columns([2, 1], vertical_alignment="bottom")
with top[0]:
    query = selection.occurrence_picker(emb, rows, label="Selected occurrence (or click a dot on a map)")
with top[1]:
    k = st.slider("Neighbours", 3, 15, 8, key=state.K, **controls.BOUND)
maps.legend(mv)
if mv.spot is not None:
    maps.sense_heading(mv.spot)
columns = st.columns(3, gap="small")
figures: dict[str, object] = {}


def space_column(space: str, alpha: float) -> None:
    """One space: its map, its sense numbers and the neighbours of the selected occurrence in it (only the fused
    column fuses: the neighbour table of the BERT or static space needs no fusion)."""
    figures[space] = maps.figure(mv, emb, space, alpha, selected=selected, labels=view.labels, legend=False)
    maps.draw(figures[space], state.MAP_KEYS[tables.SPACES.index(space)])
    if mv.spot is not None:
        maps.sense_numbers(mv.spot, mode, alpha, (space,))
    st.markdown(f"**Nearest neighbours · {tables.SPACE_TITLES[space]}**")
    if space == "static" and bool(emb.oov[query]):
        st.info(f"“{emb.words[query]}” is not in the static vocabulary.")
        return
    table = neighbour_table(emb, [query], spaces=[space], mode=mode, alpha=alpha, k=k, candidates=rows)
    widgets.neighbour_table(tables.shown_neighbours(table, space), key=f"nb_{space}")


for col, space, note in zip(columns[:2], ("bert", "static"), HEADS):
    with col, st.container(height=HEAD_PX, border=False):
        st.caption(note)
    with col:
        space_column(space, 0.5)


@st.fragment
def fused_column() -> None:
    """The fused map, its numbers, neighbours and the downloads: all an alpha move changes, redrawn alone."""
    if state.selected() != st.session_state.get(state.DRAWN_SELECTION):
        st.rerun(scope="app")  # a click on the fused map selected another occurrence: ring it on every map
    with st.container(height=HEAD_PX, border=False):
        alpha = controls.alpha_slider()
    space_column("fused", alpha)
    download_panel(emb, mv, alpha, figures)


with columns[2]:
    fused_column()
if mv.spot is not None:
    maps.sense_caption(mv.spot)
