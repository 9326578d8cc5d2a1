"""The sentences a user gives on Home: an example set, typed text, or a .txt upload (checked, then kept in the
session and in the link)."""

from __future__ import annotations

import streamlit as st

from embedkit_app import links, state
from embedkit_app.examples import CUSTOM, get_example
from embedkit_app.widgets import md_escape

UPLOAD_ERROR = "_upload_error"  # str: why the last .txt upload was not used (shown once)


def use_example() -> None:
    """The example set picked: its sentences replace the text."""
    name = st.session_state.get(state.EXAMPLE)
    if name and name != CUSTOM:
        st.session_state[state.TEXT] = get_example(name).text
        links.remember_text(get_example(name).text)  # an example needs no text in the link


def typed() -> None:
    """Text typed: it is the user's own now, and the link carries it."""
    st.session_state[state.EXAMPLE] = CUSTOM
    links.remember_text(str(st.session_state.get(state.TEXT) or ""))  # a reload or a shared link brings it back


def uploaded() -> None:
    """A .txt file uploaded: UTF-8 text within the app's limit replaces the text; anything else is refused."""
    file = st.session_state.get(state.UPLOAD_TEXT)
    if file is None:
        return
    name = md_escape(file.name)
    try:
        text = file.getvalue().decode("utf-8-sig")
    except UnicodeDecodeError:
        st.session_state[UPLOAD_ERROR] = f"{name} is not UTF-8 text; save it as UTF-8 and upload it again."
        return
    if "\x00" in text:
        st.session_state[UPLOAD_ERROR] = f"{name} looks like a binary file, not text."
        return
    if len(text) > state.MAX_TEXT_CHARS:
        st.session_state[UPLOAD_ERROR] = (
            f"{name} has {len(text):,} characters; the app takes {state.MAX_TEXT_CHARS:,}. "
            "Use the command line (python -m embedkit embed) for longer texts."
        )
        return
    st.session_state[state.TEXT] = text
    st.session_state[state.EXAMPLE] = CUSTOM
    links.remember_text(text)
