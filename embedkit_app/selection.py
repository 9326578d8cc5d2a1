"""What the user looks at, kept across pages: the spotlighted word and the selected occurrence.

The selection lives in the session (``state.SELECTED``); every picker is set from it before it is drawn, so the
occurrence chosen on Explore is the one Neighbours and the Fusion lab open with. The spotlight word is URL-bound.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import streamlit as st

from embedkit.embedded_text import EmbeddedText
from embedkit.spotlight import default_word, spotlight_words
from embedkit_app import controls, state, tables

#: The spotlight option that shows every word.
EVERY_WORD = "every word"
#: Repeated content words offered as buttons (any other word can be typed).
MAX_BUTTONS = 12
RESTS: dict[str, str] = {"faded": "faded", "hidden": "hidden"}
#: The spotlighted word's own map first; the map of all the text's words a click away.
MAP_KINDS: tuple[str, ...] = ("word map", "all words")


def default_selection(emb: EmbeddedText, rows: np.ndarray) -> int:
    """The selected occurrence if it is shown; else the spotlighted word's first occurrence; else the first
    repeated content word's (never a stopword such as "my"); else the first shown word."""
    shown = [int(i) for i in rows]
    sel = state.selected()
    if sel not in shown:
        allowed = set(shown)
        word = state.spotlight_word() or default_word(emb.words, rows) or ""
        occ = [int(i) for i in emb.occurrences_of(word) if int(i) in allowed] if word else []
        sel = occ[0] if occ else shown[0]
        state.select(sel)
    return int(sel)


def occurrence_picker(
    emb: EmbeddedText, rows: np.ndarray, *, key: str = state.OCCURRENCE, label: str = "Occurrence"
) -> int:
    """Pick one occurrence (word in its sentence), opened at the shared selection."""
    options = [int(i) for i in rows]
    # always set: a picker of the same key on another page may have left its own value behind
    st.session_state[key] = default_selection(emb, rows)
    choice = st.selectbox(
        label,
        options,
        key=key,
        format_func=lambda i: tables.occurrence_label(emb, i),
        on_change=lambda: state.select(st.session_state.get(key)),
    )
    return int(choice)


def on_map_select(key: str) -> None:
    """Selection callback of a map: the clicked point (an occurrence of the text) becomes the selection."""
    event: Any = st.session_state.get(key)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if not points:
        return
    cd = points[0].get("customdata")
    if isinstance(cd, (list, tuple)):
        cd = cd[0] if cd else None
    emb = st.session_state.get(state.EMBEDDED)
    if cd is not None and emb is not None and 0 <= int(cd) < len(emb):  # WordNet example points are not selectable
        state.select(int(cd))


def _picked_spotlight() -> None:
    """A spotlight button was clicked: a click on the active word turns the spotlight off ("every word"), never to
    no choice at all (an empty value would leave the URL with ``spot=`` and the pickers in between)."""
    if st.session_state.get(state.SPOTLIGHT) is None:
        st.session_state[state.SPOTLIGHT] = EVERY_WORD
    st.session_state[state.SPOT_TYPED] = ""


def _follow_spotlight(emb: EmbeddedText, word: str) -> None:
    """When the spotlight moves to another word, the selection moves to that word's first occurrence (the ring and
    the neighbour tables never stay on the previous word)."""
    before = st.session_state.get(state.SPOT_FOLLOWED)
    st.session_state[state.SPOT_FOLLOWED] = word
    if before is None or before == word:
        return
    occ = emb.occurrences_of(word) if word else np.zeros(0, np.int64)
    if len(occ):
        state.select(int(occ[0]))


class SpotChoice(NamedTuple):
    """What the spotlight row picked.

    Attributes:
        word: the spotlighted word ("" for every word).
        wordnet: add WordNet's examples of its senses (the all-words map).
        rest: the other words "faded" or "hidden" (the all-words map).
        own_map: show the word's own map (its occurrences among many reference sentences) instead of all words.
    """

    word: str
    wordnet: bool
    rest: str
    own_map: bool


def spotlight_controls(emb: EmbeddedText, rows: np.ndarray) -> SpotChoice:
    """The spotlight pickers: a button per repeated content word (one click on a projector), any other word typed,
    which map (the word's own map first, all words a click away) and, for the map of all words, WordNet's examples
    of the word's senses and the other words faded or hidden."""
    words = spotlight_words(emb.words, rows)
    repeated = [w for w in words if len(emb.occurrences_of(w)) > 1][:MAX_BUTTONS]
    options = [*repeated, EVERY_WORD]
    default = default_word(emb.words, rows) or EVERY_WORD
    c1, c2, c3, c4, c5 = st.columns([4, 1.7, 2.2, 1.9, 1.7], vertical_alignment="bottom")
    with c1:
        picked = st.pills(
            "Spotlight a word",
            options,
            default=default if default in options else EVERY_WORD,
            key=state.SPOTLIGHT,
            **controls.BOUND,
            on_change=_picked_spotlight,
            help="Its own map: its occurrences among WordNet's sentences with it, clustered by sense.",
        )
    with c2:
        typed = st.text_input("…or type one", key=state.SPOT_TYPED, placeholder="a word of the text")
    word = str(picked or EVERY_WORD)
    typed = (typed or "").strip().lower()
    if typed and typed in words:
        word = typed
    elif typed:
        st.caption(f"“{typed}” is not a word of the text (stopwords and punctuation cannot be spotlighted).")
    on = word != EVERY_WORD
    st.session_state[state.SPOT_WORD] = word if on else ""
    _follow_spotlight(emb, word if on else "")
    if not on:  # nothing to map on its own, nothing to fade: no switches standing greyed out
        with c3:
            st.caption("Spotlight a word to see its own map and its senses.")
        return SpotChoice("", False, str(st.session_state.get(state.SPOT_REST) or "faded"), False)
    with c3:
        kind = controls.choice(
            "View",
            list(MAP_KINDS),
            "word map",
            state.MAP_KIND,
            help="word map: the word's occurrences in your text among WordNet's sentences with it (one word, many "
            "contexts); all words: every word of your text.",
        )
    own = kind == "word map"
    if own:
        return SpotChoice(word, False, str(st.session_state.get(state.SPOT_REST) or "faded"), True)
    with c4:
        wordnet = st.toggle(
            "WordNet examples",
            value=False,
            key=state.SPOT_WORDNET,
            **controls.BOUND,
            help="WordNet 3.0's example sentences of each sense of the word, embedded and labelled by sense.",
        )
    with c5:
        rest = controls.choice("Other words", list(RESTS), "faded", state.SPOT_REST)
    return SpotChoice(word, bool(wordnet), rest, False)
