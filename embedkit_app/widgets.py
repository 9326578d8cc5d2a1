"""Widgets and page furniture shared by the pages (setup, fusion controls, embedding on demand)."""

from __future__ import annotations

import logging
import re
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from embedkit.analysis import repeated_types
from embedkit_app import links, loaders, state, tables
from embedkit_app.state import ModelConfig

logger = logging.getLogger(__name__)

MODES: tuple[str, ...] = ("weighted", "concat", "attention")
MODE_LABELS: dict[str, str] = {"weighted": "weighted sum", "concat": "concatenation", "attention": "attention (DME)"}
PROJECTIONS: dict[str, str] = {"umap": "UMAP", "pca": "PCA"}


ROOT = Path(__file__).resolve().parent.parent
PAGES: tuple[tuple[str, str, str], ...] = (
    ("app.py", "Home", ":material/home:"),
    ("pages/1_Explore.py", "Explore", ":material/scatter_plot:"),
    ("pages/2_Neighbours.py", "Neighbours", ":material/hub:"),
    ("pages/3_Fusion_lab.py", "Fusion lab", ":material/science:"),
    ("pages/5_Models.py", "Models", ":material/tune:"),
    ("pages/6_Evaluate.py", "Evaluate", ":material/analytics:"),
)


def page_setup(title: str, icon: str = "🧭") -> None:
    """Page config, the navigation, the UMAP warm-up (once per server), the model settings in the URL."""
    st.set_page_config(page_title=f"{title} · embedkit", page_icon=icon, layout="wide")
    links.check_url()  # before any widget or setting reads the URL
    links.show_notices()
    loaders.start_umap_warm_up()
    state.model_config()
    state.sync_model_params()
    params = state.url_params()
    with st.sidebar:
        st.markdown("## embedkit")
        for path, label, page_icon in PAGES:
            if (ROOT / path).exists():
                st.page_link(path, label=label, icon=page_icon, query_params=params)


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


def fusion_controls() -> tuple[str, float]:
    """Fusion mode and alpha in the sidebar (URL-bound, kept across pages)."""
    with st.sidebar:
        st.markdown("### Fusion")
        mode = st.segmented_control(
            "Fusion mode",
            MODES,
            default="weighted",
            key=state.MODE,
            bind="query-params",
            persist_state="session",
            required=True,
            help="How each word's BERT vector h and static vector e become one vector: weighted sum, "
            "concatenation, or attention (per-word weights, Dynamic Meta-Embeddings).",
        )
        alpha = st.slider(
            "alpha — weight of BERT",
            0.0,
            1.0,
            0.5,
            0.05,
            key=state.ALPHA,
            bind="query-params",
            persist_state="session",
            help="1 = only the contextual (BERT) vector, 0 = only the static vector.",
        )
    return str(mode or "weighted"), float(alpha)


def view_controls(*, projection: bool = True) -> dict[str, Any]:
    """Map settings in the sidebar: projection, 2-D/3-D, labels, punctuation."""
    out: dict[str, Any] = {}
    with st.sidebar:
        st.markdown("### View")
        if projection:
            proj = st.segmented_control(
                "Projection",
                list(PROJECTIONS.values()),
                default="UMAP",
                key=state.PROJECTION,
                bind="query-params",
                persist_state="session",
                required=True,
                help="UMAP keeps neighbourhoods; PCA keeps the directions of largest spread (instant).",
            )
            out["proj"] = str(proj or "UMAP").lower()
            out["dims"] = (
                st.segmented_control(
                    "Dimensions",
                    ["2-D", "3-D"],
                    default="2-D",
                    key=state.DIMS,
                    bind="query-params",
                    persist_state="session",
                    required=True,
                )
                or "2-D"
            )
            out["labels"] = st.toggle(
                "Word labels", value=True, key=state.LABELS, bind="query-params", persist_state="session"
            )
        out["hide_punct"] = st.toggle(
            "Hide punctuation", value=True, key=state.HIDE_PUNCT, bind="query-params", persist_state="session"
        )
    return out


def model_caption(cfg: ModelConfig) -> str:
    """One line naming the models in use."""
    model = md_escape(cfg.model or "all-MiniLM-L6-v2 (bundled)")
    vectors = md_escape(cfg.vectors_name or ("GloVe 6B 50d (bundled)" if cfg.vectors is None else cfg.vectors))
    return f"BERT side: **{model}** · static side: **{vectors}** · map: **{md_escape(cfg.align)}**"


def show_progress(bar: Any, done: int, total: int, text: str) -> None:
    """Move a progress bar to ``done / total`` with a caption."""
    bar.progress(0.0 if total <= 0 else min(1.0, done / total), text=text)


def embed_now(sentences: list[str]) -> Any | None:
    """Embed ``sentences`` with the applied models, with a progress bar; show errors plainly."""
    cfg = state.model_config()
    bar = st.progress(0.0, text="Loading models…")

    def progress(done: int, total: int) -> None:
        frac = 0.0 if total <= 0 else min(1.0, done / total)
        bar.progress(frac, text=f"Embedding… {done:,} / {total:,}")

    def map_progress(done: int, total: int) -> None:
        frac = 0.0 if total <= 0 else min(1.0, done / total)
        bar.progress(frac, text=f"Fitting the static → BERT map on {total:,} words (once; cached on disk)…")

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
    from embedkit.cache import stable_hash

    return stable_hash(st.session_state.get(state.EMBEDDED_FOR))


def current_embedding() -> Any | None:
    """The embedded text for the current sentences and models, embedding it first if needed.

    Pages call this; it only embeds when the sentences or the models changed (never for alpha,
    mode, projection or selection changes).
    """
    cfg = state.model_config()
    sentences = state.sentences()
    emb = st.session_state.get(state.EMBEDDED)
    if emb is not None and st.session_state.get(state.EMBEDDED_FOR) == (cfg, tuple(sentences)):
        return emb
    return embed_now(sentences)


def require_embedding() -> Any:
    """Like :func:`current_embedding`, but stops the page (after the error) when nothing is embedded."""
    emb = current_embedding()
    if emb is None:
        st.info("Go to **Home** to enter sentences, or **Models** to pick other models.")
        st.stop()
    return emb


def hover_texts(emb: Any) -> list[str]:
    """Hover text per occurrence: the word, then its sentence with the word in brackets."""
    out = []
    for i, w in enumerate(emb.words):
        ctx = textwrap.fill(emb.context(i), 60)
        oov = " · not in static vocabulary" if bool(emb.oov[i]) else ""
        out.append(f"{w}  (sentence {int(emb.sentence_id[i]) + 1}{oov})\n{ctx}")
    return out


def default_selection(emb: Any, rows: np.ndarray) -> int:
    """The selected occurrence if it is shown, else the first occurrence of the first repeated word."""
    options = [int(i) for i in rows]
    sel = state.selected()
    if sel not in options:
        repeated = repeated_types(emb.words, rows)
        sel = next(iter(repeated.values()))[0] if repeated else options[0]
        state.select(sel)
    return int(sel)


def occurrence_picker(emb: Any, rows: np.ndarray, *, key: str = state.OCCURRENCE, label: str = "Occurrence") -> int:
    """Pick one occurrence (word in its sentence), kept in step with the selection on the maps."""
    options = [int(i) for i in rows]
    sel = default_selection(emb, rows)
    if st.session_state.get(key) != sel:
        st.session_state[key] = sel
    choice = st.selectbox(
        label,
        options,
        key=key,
        format_func=lambda i: tables.occurrence_label(emb, i),
        on_change=lambda: state.select(st.session_state.get(key)),
    )
    return int(choice)


def neighbour_table(frame: Any, *, key: str) -> None:
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


def projection_method(requested: str) -> str:
    """UMAP once its warm-up is done; PCA (with a note) while numba still compiles at server start."""
    if requested == "umap" and not loaders.umap_ready():
        st.info(
            "UMAP is still warming up (compiling, once per server start); showing PCA for now.",
            icon=":material/hourglass_top:",
        )
        return "pca"
    return requested


def map_layouts(
    emb: Any, rows: np.ndarray, mode: str, alpha: float, method: str, dims: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Coordinates of the three maps, as ``{space: (occurrence indices, coords)}``.

    BERT and static layouts are full, seeded fits cached per embedding. The fused layout starts
    from the previous fused layout (fast UMAP, rotated onto it), so an alpha move is quick and
    points glide instead of jumping. OOV words have no static vector and are left out of the static map.
    """
    base = f"{embed_key()}:{len(rows)}:{hash(rows.tobytes())}"
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    static_rows = rows[~np.asarray(emb.oov, dtype=bool)[rows]]
    out["bert"] = (rows, loaders.layout(emb.space("bert")[rows], base, "bert", method, dims))
    out["static"] = (static_rows, loaders.layout(emb.space("static")[static_rows], base, "static", method, dims))
    X = emb.space("fused", mode=mode, alpha=alpha)[rows]
    prev_all: dict[tuple[str, str, int], tuple[str, np.ndarray]] = st.session_state.setdefault(state.PREV_LAYOUT, {})
    prev = prev_all.get((base, method, dims))
    here = f"fused:{mode}:{alpha:.4f}"
    if prev is None:
        coords = loaders.layout(X, base, here, method, dims)
    elif prev[0] == here:
        coords = prev[1]
    else:
        coords = loaders.relayout(X, prev[1], base, here, method, dims, prev[0])
    prev_all[(base, method, dims)] = (here, coords)
    out["fused"] = (rows, coords)
    return out


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
