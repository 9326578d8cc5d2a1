"""The controls that set what the maps and tables show: fusion mode, alpha, projection, labels, punctuation.

All are bound to the URL (a link reopens the view) and kept for the session, so they follow the user across pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from embedkit_app import loaders, state

MODES: tuple[str, ...] = ("weighted", "concat", "attention")
MODE_LABELS: dict[str, str] = {"weighted": "weighted sum", "concat": "concatenation", "attention": "attention (DME)"}
PROJECTIONS: dict[str, str] = {"umap": "UMAP", "pca": "PCA"}
#: A control whose value is in the URL (a link reopens the view) and follows the user across pages.
BOUND: dict[str, Any] = {"bind": "query-params", "persist_state": "session"}


def choice(label: str, options: list[str], default: str, key: str, *, disabled: bool = False, help: str = "") -> str:
    """One of a few options as a row of buttons, bound to the URL; always one picked."""
    picked = st.segmented_control(
        label, options, default=default, key=key, **BOUND, required=True, disabled=disabled, help=help or None
    )
    return str(picked or default)


def fusion_mode() -> str:
    """The fusion mode, in the sidebar."""
    with st.sidebar:
        st.markdown("### Fusion")
        return choice(
            "Fusion mode",
            list(MODES),
            "weighted",
            state.MODE,
            help="How each word's BERT vector h and static vector e become one vector: weighted sum, "
            "concatenation, or attention (per-word weights, Dynamic Meta-Embeddings).",
        )


def alpha_slider() -> float:
    """Alpha, where it is called (the sidebar on most pages, beside the map where a fragment redraws only it)."""
    return float(
        st.slider(
            "alpha — weight of BERT",
            0.0,
            1.0,
            0.5,
            0.05,
            key=state.ALPHA,
            **BOUND,
            help="1 = only the contextual (BERT) vector, 0 = only the static vector.",
        )
    )


def alpha_meaning(mode: str, alpha: float) -> str:
    """What alpha does in ``mode``, with its numbers (markdown), for beside the slider."""
    a = float(alpha)
    if mode == "concat":
        return (
            f"**Concatenation** v = [√α ĥ ; √(1−α) ê] of the two unit vectors: BERT's half weighs √α = "
            f"{a**0.5:.2f}, the static half √(1−α) = {(1 - a) ** 0.5:.2f}. So BERT's share of |v|² is α = {a:.2f}, "
            "but its share of a cosine between two words, α cos(h, h′) / (α cos(h, h′) + (1−α) cos(e, e′)), "
            "depends on the pair: it is not α."
        )
    if mode == "weighted":
        return (
            f"**Weighted sum** v = α h + (1−α) P e: {a:.2f} of BERT's vector plus {1 - a:.2f} of the static "
            "vector mapped into BERT's space."
        )
    return (
        f"**Attention**: each word weighs BERT and static by how well each agrees with its sentence; α = {a:.2f} "
        "leans that softmax (0.5 is neutral), so a word's share from BERT is its own (Fusion lab, section 1)."
    )


def fusion_controls() -> tuple[str, float]:
    """Fusion mode and alpha in the sidebar, with what alpha does in that mode."""
    mode = fusion_mode()
    with st.sidebar:
        alpha = alpha_slider()
        st.caption(alpha_meaning(mode, alpha))
    return mode, alpha


@dataclass(frozen=True)
class View:
    """Map settings: projection, word labels, punctuation."""

    proj: str
    labels: bool
    hide_punct: bool


def view_controls(*, projection: bool = True) -> View:
    """Map settings in the sidebar."""
    proj, labels = "umap", True
    with st.sidebar:
        st.markdown("### View")
        if projection:
            proj = choice(
                "Projection",
                list(PROJECTIONS.values()),
                "UMAP",
                state.PROJECTION,
                help="UMAP keeps neighbourhoods; PCA keeps the directions of largest spread (instant).",
            ).lower()
            labels = st.toggle(
                "Word labels",
                value=True,
                key=state.LABELS,
                **BOUND,
                help="Labels on the spotlighted word, the selected occurrence and the repeated content words.",
            )
        hide = st.toggle("Hide punctuation", value=True, key=state.HIDE_PUNCT, **BOUND)
    return View(proj, bool(labels), bool(hide))


def projection_method(requested: str) -> str:
    """UMAP once its warm-up is done; PCA (with a note) while numba still compiles at server start."""
    if requested == "umap" and not loaders.umap_ready():
        st.info(
            "UMAP is still warming up (compiling, once per server start); showing PCA for now.",
            icon=":material/hourglass_top:",
        )
        return "pca"
    return requested
