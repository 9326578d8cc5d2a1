"""Presenter: one map at full width for a class — a word in the spotlight, a space switcher, alpha, the numbers."""

from __future__ import annotations

from typing import Any

import streamlit as st

from embedkit.neighbours import neighbour_table
from embedkit_app import controls, maps, selection, state, tables, widgets, word_maps

SPACES = {"BERT": "bert", "Static": "static", "Fused": "fused"}  # as the switcher and the URL (?space=BERT) name them
#: The map fills the screen under the spotlight row (88 % of a 1080p screen, 82 % of 720p), never under 420 px.
MAP_HEIGHT = "max(420px, calc(100vh - 130px))"

widgets.page_setup("Presenter", "📽️", compact=True)
page = maps.page_maps()
emb, rows, view, mode = page.emb, page.rows, page.view, page.mode
maps.fit_to_screen({"map_presenter": MAP_HEIGHT, "word_presenter": MAP_HEIGHT}, big_text=("presenter_side",))


def layout() -> tuple[Any, Any, str, float]:
    """The map's column and the side column with the space switcher and alpha: ``(left, right, space name, alpha)``."""
    left, column = st.columns([5, 2], gap="medium")
    right = column.container(key="presenter_side")
    with right:
        name = controls.choice("Map", list(SPACES), "Fused", state.SPACE)
        alpha = controls.alpha_slider()
    return left, right, name, alpha


@st.fragment
def word_stage(wp: word_maps.WordMapPage) -> None:
    """The spotlighted word's own map, big, and its numbers beside it; alpha and the space switcher rerun only this."""
    left, right, name, alpha = layout()
    space = SPACES[name]
    with left:
        fig = word_maps.word_map_figure(wp, space, alpha, big=True)
        maps.draw(fig, "word_presenter", fit=True, select=False)
    with right:
        st.markdown(f"**How well each space separates the senses of “{widgets.md_escape(wp.wm.word)}”**")
        st.table(word_maps.numbers_table(wp, alpha, list(SPACES.values())))
        for line in [*wp.view(space, alpha).notes, *word_maps.placements(wp, space, alpha)]:
            st.caption(widgets.md_escape(line))
        st.html(word_maps.legend_html(wp.view(space, alpha)))


@st.fragment
def stage(mv: maps.MapView) -> None:
    """The map and what sits beside it; alpha, the space switcher and clicks rerun only this part."""
    left, right, name, alpha = layout()
    space = SPACES[name]
    selected = selection.default_selection(emb, rows)
    with left:
        fig = maps.figure(mv, emb, space, alpha, selected=selected, labels=view.labels, big=True)
        maps.draw(fig, "map_presenter", fit=True)
    with right:
        if mv.spot is not None:
            maps.sense_heading(mv.spot, brief=True)
            maps.sense_numbers(mv.spot, mode, alpha, brief=True)  # alpha: the slider above
            if note := maps.lone_note(mv.spot):
                st.caption(note)
        if space == "fused":
            st.caption(maps.play_note(mv))
        if 0 <= selected < len(emb):
            st.markdown(f"**Selected:** {widgets.md_escape(emb.context(selected))}")
            table = neighbour_table(emb, [selected], spaces=[space], mode=mode, alpha=alpha, k=5, candidates=rows)
            if len(table):
                st.caption(f"Its nearest words in the {name} space:")
                frame = tables.shown_neighbours(table, space)[["word", "cosine"]]
                widgets.show_neighbours(frame, key="presenter_neighbours")


if page.word is not None:
    word_stage(page.word)
    st.caption(word_maps.caption(page.word))
elif page.maps is not None:
    stage(page.maps)
    if page.maps.spot is not None:
        maps.sense_caption(page.maps.spot, widgets.encoder_why(state.model_config()))
    if note := maps.static_note(state.model_config().align):
        st.caption(note)
widgets.explainer(
    "One big map for a projector (open the sidebar, top left, for the fusion mode and projection). Pick the word to "
    "**spotlight** (the polysemy example starts with *bank*), then switch the map between **BERT** (each occurrence "
    "its own vector), **static** (one vector per word: every *bank* on one spot) and **fused**, and move **alpha** "
    "or press **▶ play alpha** to morph static into BERT.\n\n"
    "The table beside the map says in numbers how well each space separates the word's senses: the mean cosine of "
    "same-sense and of different-sense pairs, and how often an occurrence's nearest other occurrence has its sense, "
    "beside chance."
)
