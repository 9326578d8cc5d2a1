"""Explore: the BERT, static and fused maps side by side, a word in the spotlight with its sense numbers, and the
neighbours of one occurrence."""

from __future__ import annotations

import numpy as np
import streamlit as st

from embedkit.fusion import fused_dim
from embedkit.neighbours import neighbour_table
from embedkit_app import controls, maps, selection, state, tables, widgets, word_maps
from embedkit_app.download_panel import download_panel

#: The maps' height: what the screen has left under the title, the spotlight row and the alpha row (the first screen
#: of a 1280x720 projector shows the maps whole), never under 340 px or over 760 px.
MAP_HEIGHT = "clamp(340px, calc(100vh - 285px), 760px)"

widgets.page_setup("Explore", "🗺️", compact=True)
head = st.columns([3, 2], vertical_alignment="center")
with head[0]:
    st.markdown("### Explore the three spaces")
with head[1]:
    widgets.explainer(
        "Each dot is one **word occurrence**; words that are close on a map have similar vectors.\n\n"
        "- **BERT** (left): every occurrence gets its own vector, so *bank* by a river and *bank* with money "
        "can land in different places.\n"
        "- **Static** (middle): one vector per word *type*, so every *bank* sits on the same spot. Words missing "
        "from the static vocabulary (OOV) are left out here.\n"
        "- **Fused** (right): both combined. At alpha = 1 it *is* the BERT map, at alpha = 0 the static map (the "
        "three maps are laid out together); press **▶ play alpha** on it to watch one turn into the other.\n"
        "- **Spotlight** a word to see **its own map**: your occurrences of it (large, labelled with their sentence) "
        "among up to 200 of WordNet's sentences with it, one dot per occurrence, coloured by cluster (named by their "
        "distinctive words), WordNet's sense-tagged examples as diamonds. Under each map: how well that space "
        "separates the senses, and where each of your occurrences falls. **Map: all words** shows every word of "
        "your text instead.\n\n"
        "A map squeezes hundreds of dimensions into two, so only *neighbourhoods* mean something — not the axes. "
        "Click a dot to ring the same occurrence in all three maps and list its nearest neighbours below. The "
        "sidebar (top left) holds the fusion mode and the projection."
    )

page = maps.page_maps()
emb, rows, view, mode = page.emb, page.rows, page.view, page.mode
WORD_KEYS = tuple(f"word_{space}" for space in tables.SPACES)
maps.fit_to_screen({key: MAP_HEIGHT for key in (*state.MAP_KEYS, *WORD_KEYS)})


@st.fragment
def word_area(wp: word_maps.WordMapPage) -> None:
    """The spotlighted word's own map in the three spaces, each with its legend, numbers and notes."""
    top = st.columns([2, 1], vertical_alignment="bottom")
    with top[1]:
        alpha = controls.alpha_slider()
    with top[0]:
        st.markdown(word_maps.headline(wp, alpha))
        st.caption(word_maps.caption(wp, short=True))
    columns = st.columns(3, gap="small")
    for col, space, key in zip(columns, tables.SPACES, WORD_KEYS):
        with col:
            maps.draw(word_maps.word_map_figure(wp, space, alpha), key, fit=True, select=False)
    for col, space in zip(st.columns(3, gap="small"), tables.SPACES):
        with col:
            shown = wp.view(space, alpha)
            st.table(word_maps.numbers_table(wp, alpha, (space,)))
            for line in [*shown.notes, *word_maps.placements(wp, space, alpha)]:
                st.caption(widgets.md_escape(line))
            st.html(word_maps.legend_html(shown))
    st.caption(word_maps.caption(wp))
    name = f"wordmap_{wp.wm.word}_{mode}_alpha{alpha:.2f}.csv"
    widgets.frame_download("This word map (CSV)", lambda: word_maps.download_csv(wp, alpha), name, "text/csv", "dl_wm")


@st.fragment
def maps_area(mv: maps.MapView) -> None:
    """The maps, their numbers and the neighbours of the selected occurrence: all that alpha, a click on a map or
    another occurrence changes, redrawn without the rest of the page."""
    top = st.columns([2, 1], vertical_alignment="bottom")
    with top[0]:
        st.caption(maps.play_note(mv))
    with top[1]:
        alpha = controls.alpha_slider()
    selected = selection.default_selection(emb, rows)
    figures: dict[str, object] = {}
    for col, space in zip(st.columns(3, gap="small"), tables.SPACES):
        with col:
            a = alpha if space == "fused" else 0.5
            figures[space] = maps.figure(mv, emb, space, a, selected=selected, labels=view.labels, legend=False)
            maps.draw(figures[space], state.MAP_KEYS[tables.SPACES.index(space)], fit=True)
    maps.legend(mv)
    if mv.spot is not None:
        maps.sense_heading(mv.spot)
        for col, space in zip(st.columns(3, gap="small"), tables.SPACES):
            with col:
                maps.sense_numbers(mv.spot, mode, alpha, (space,))
        if note := maps.lone_note(mv.spot):
            st.caption(note)
    pick = st.columns([2, 1], vertical_alignment="bottom")
    with pick[0]:
        query = selection.occurrence_picker(emb, rows, label="Selected occurrence (or click a dot on a map)")
    with pick[1]:
        k = st.slider("Neighbours", 3, 15, 8, key=state.K, **controls.BOUND)
    for col, space in zip(st.columns(3, gap="small"), tables.SPACES):
        with col:
            st.markdown(f"**Nearest neighbours · {tables.SPACE_TITLES[space]}**")
            if space == "static" and bool(emb.oov[query]):
                st.info(f"“{emb.words[query]}” is not in the static vocabulary.")
                continue
            table = neighbour_table(emb, [query], spaces=[space], mode=mode, alpha=alpha, k=k, candidates=rows)
            maps.neighbour_list(tables.shown_neighbours(table, space, window=tables.KWIC_WORDS))
    download_panel(emb, mv, alpha, figures)


cfg = state.model_config()
dh, de = emb.h.shape[1], emb.e.shape[1]
shown = f"{len(page.maps.rows)} points on the maps" if page.maps is not None else "the word's own map"
method = page.maps.frames.method if page.maps is not None else "pca"
if page.word is not None:
    word_area(page.word)
elif page.maps is not None:
    maps_area(page.maps)
st.caption(
    f"{widgets.model_caption(cfg)}  \n"
    f"Dimensions: BERT **{dh}** · static **{de}** · fused **{fused_dim(mode, dh, de)}** "
    f"({controls.MODE_LABELS[mode]}) · {len(rows)} occurrences, {int(np.asarray(emb.oov)[rows].sum())} OOV · "
    f"{shown} · projection {method.upper()} 2-D"
    + (" (few points: PCA keeps their geometry)" if page.maps is not None and method != page.requested else "")
)
if page.maps is not None and page.maps.spot is not None:
    maps.sense_caption(page.maps.spot, widgets.encoder_why(cfg))
elif why := widgets.encoder_why(cfg):
    st.caption(f"Encoder options: {why}")
