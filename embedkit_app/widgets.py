"""Page furniture every page shares: the page title, the running cue, the explainer box, plain errors, model captions,
neighbour tables and download buttons."""

from __future__ import annotations

import logging
import re
from typing import Any

import streamlit as st

from embedkit.config import EmbedderConfig, encoder_choice
from embedkit.defaults import DEFAULT_MODEL_NAME, DEFAULT_VECTORS_NAME
from embedkit_app import links, loaders, state

logger = logging.getLogger(__name__)

#: Each page's icon (the sidebar menu and the browser tab): Material Symbols, drawn from Streamlit's own icon font,
#: never an emoji (a projector PC without an emoji font shows an empty box).
PAGE_ICONS = {
    "Home": ":material/home:",
    "Explore": ":material/scatter_plot:",
    "Presenter": ":material/co_present:",
    "Neighbours": ":material/hub:",
    "Fusion lab": ":material/science:",
    "Models": ":material/tune:",
    "Evaluate": ":material/analytics:",
    "Corpus": ":material/library_books:",
}
APP_ICON = ":material/explore:"

# A spinning ring, drawn in SVG: the running cue needs no glyph from any font but the page's own.
_SPINNER_SVG = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' "
    "r='6' fill='none' stroke='white' stroke-width='2.5' stroke-dasharray='26 12'%3E%3CanimateTransform "
    "attributeName='transform' type='rotate' from='0 8 8' to='360 8 8' dur='1s' repeatCount='indefinite'/%3E"
    "%3C/circle%3E%3C/svg%3E"
)

# A pill that says "Updating…" while a run takes longer than 300 ms (Streamlit's own status widget is hidden).
_RUNNING_CUE = (
    """<style>
[data-testid="stApp"][data-test-script-state="running"]::after {
  content: "Updating…"; position: fixed; top: 0.55rem; left: 50%; transform: translateX(-50%);
  z-index: 1000100; padding: 0.2rem 0.9rem 0.2rem 2.0rem; border-radius: 1rem; color: #fff;
  background: #0072B2 url("SPINNER") no-repeat 0.6rem center / 1rem 1rem;
  font: 600 0.95rem "Source Sans Pro", sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.25);
  opacity: 0; animation: embedkit-cue 0.01s linear 0.3s forwards; pointer-events: none;
}
@keyframes embedkit-cue { to { opacity: 1; } }
</style>"""
).replace("SPINNER", _SPINNER_SVG)


# Less space above the first row (the presenter's map, Home's Embed button fit a 1280x720 projector).
_COMPACT = """<style>
[data-testid="stMainBlockContainer"], .block-container { padding-top: 2.2rem; padding-bottom: 1rem; }
[data-testid="stHeader"] { background: transparent; pointer-events: none; }
[data-testid="stHeader"] button, [data-testid="stHeader"] a { pointer-events: auto; }
</style>"""


def page_setup(
    title: str, icon: str | None = None, *, compact: bool = False, tight: bool = False, warm_up: bool = True
) -> None:
    """What every page does first: its tab title and icon, the checks of its URL (and the text it carries), the
    model and UMAP warm-ups (once per server), the applied model settings in the URL, and a visible cue whenever an
    update takes more than ~300 ms.

    It runs in the page, not only in the frame (app.py): Streamlit runs a page file directly, without the frame, when
    a fresh server's first visitor opens a page's own address, and AppTest does so on every page switch.

    Args:
        title: the page's name in the browser tab.
        icon: the tab icon, a ``:material/name:`` icon; None (or an emoji, which not every screen can draw) gives the
            page's icon from :data:`PAGE_ICONS`.
        compact: start with the sidebar closed and little space above the content (the presenter's view).
        tight: little space above the content (Home: its Embed button on a 1280x720 projector's first screen).
        warm_up: start the model and UMAP warm-ups here; False for a page that starts them (``warm_ups``) once its
            first screen is drawn (Home: the warm-up's imports would slow the first page down).
    """
    if icon is None or not icon.startswith(":material/"):
        icon = PAGE_ICONS.get(title, APP_ICON)
    st.set_page_config(
        page_title=f"{title} · embedkit",
        page_icon=icon,
        layout="wide",
        initial_sidebar_state="collapsed" if compact else "auto",
    )
    links.check_url()  # before any widget or setting reads the URL
    for message in links.pop_notices():
        st.warning(md_escape(message), icon=":material/link_off:")
    if warm_up:
        warm_ups()
    state.sync_model_params()
    links.sync_text(home=title == "Home")
    if st.query_params.get(state.TEXT_ID_PARAM):
        st.sidebar.caption(links.STORED_NOTE)
    st.html(_RUNNING_CUE + (_COMPACT if compact or tight else ""))


def warm_ups() -> None:
    """Load the applied models and compile UMAP in background threads (once per server process each): the model first,
    since the first Embed waits for it."""
    loaders.start_model_warm_up(state.model_config())
    loaders.start_umap_warm_up()


def explainer(markdown: str) -> None:
    """The "What am I looking at?" box every page has, written for a student."""
    with st.expander("What am I looking at?", icon=":material/lightbulb:"):
        st.markdown(markdown)


def show_error(exc: BaseException, what: str = "That did not work") -> None:
    """A plain message for the user (never a traceback); the details go to the server log."""
    logger.warning("%s: %s", what, exc, exc_info=exc)
    message = str(exc).strip() or exc.__class__.__name__
    if isinstance(exc, KeyError) and exc.args:
        message = str(exc.args[0])
    st.error(f"{md_escape(what)}: {md_escape(message)}", icon=":material/error:")  # file and model names are the user's


def model_caption(cfg: EmbedderConfig) -> str:
    """One line naming the models in use."""
    model = md_escape(cfg.model or DEFAULT_MODEL_NAME)
    vectors = md_escape(state.vectors_name(cfg) or DEFAULT_VECTORS_NAME)
    return f"BERT side: **{model}** · static side: **{vectors}** · map: **{md_escape(cfg.align)}**"


def show_progress(bar: Any, done: int, total: int, text: str) -> None:
    """Move a progress bar to ``done / total`` with a caption."""
    bar.progress(0.0 if total <= 0 else min(1.0, done / total), text=text)


def encoder_why(cfg: EmbedderConfig) -> str:
    """Why the bundled encoder uses its layers and pooling (the senses benchmark's evidence), or ""."""
    choice = encoder_choice()
    if (
        cfg.model is None
        and choice.why
        and (cfg.layers, cfg.pooling, cfg.postprocess) == (choice.layers, choice.pooling, choice.postprocess)
    ):
        return choice.why
    return ""


def show_neighbours(frame: Any, *, key: str) -> None:
    """A neighbour table with the cosine drawn as a bar."""
    st.dataframe(
        frame,
        key=key,
        width="stretch",
        column_config={
            "cosine": st.column_config.ProgressColumn(
                "cosine", min_value=0.0, max_value=1.0, format="%.2f", width="small"
            ),
            "word": st.column_config.TextColumn("word", width="small"),
        },
    )


def frame_download(label: str, make: Any, file_name: str, mime: str, key: str) -> None:
    """A download button whose file is built only when clicked."""
    st.download_button(
        label, data=make, file_name=file_name, mime=mime, key=key, on_click="ignore", icon=":material/download:"
    )


_MD_SPECIAL = set("\\`*_{}[]()!|~<>&$:@")  # ":" and "@" too: Streamlit's :color[...], :icon:, bare URLs, e-mails
_WWW = re.compile(r"(?i)\b(www)\.")
_LINKY = re.compile(r"\\[:@](?=[\w/])")  # "http://", ":material/x:", "a@b.c": a zero-width space breaks them
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+(?=[.)]))", re.MULTILINE)  # headings, lists, rules


def md_escape(text: str) -> str:
    """User text made safe for ``st.markdown``: shown literally, no formatting, no links, no HTML.

    Characters that act anywhere are escaped everywhere; those that act only at the start of a line (headings,
    list markers, rules) only there, so a file name like ``notes.txt`` stays as typed. Bare URLs and e-mail
    addresses get an invisible zero-width space, so they are not turned into links.
    """
    escaped = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)
    # GFM (and Streamlit's :icon: / :color[] syntax) act on "scheme://", "www.", "a@b.c" even when escaped
    escaped = _LINKY.sub("\\g<0>\u200b", escaped)
    escaped = _WWW.sub("\\1\u200b.", escaped)
    return _MD_LINE_START.sub(
        lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit() else "\\" + m.group(2)), escaped
    )
