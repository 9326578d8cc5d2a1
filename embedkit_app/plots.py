"""Plotly charts for the app (curves, weights, cosine matrices), in a colour-blind-safe palette (Okabe & Ito 2008).

Every text that came from the user (words, sentences) is HTML-escaped before it goes into a figure: plotly renders a
few HTML tags in hover texts and labels. The word maps are drawn by :mod:`embedkit_app.map_figure`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from embedkit_app.map_figure import FONT, escape

__all__ = [
    "SPACE_COLORS",
    "attention_figure",
    "cosine_heatmap",
    "escape",
    "figure_html",
    "jaccard_figure",
    "polysemy_figure",
]

SPACE_COLORS: dict[str, str] = {"bert": "#0072B2", "static": "#E69F00", "fused": "#009E73"}


def _mark_alpha(fig: go.Figure, alpha_now: float | None) -> None:
    """A dotted vertical line at the current alpha."""
    if alpha_now is not None:
        fig.add_vline(
            x=alpha_now,
            line=dict(color="#555", dash="dot"),
            annotation_text=f"alpha = {alpha_now:.2f}",
            annotation_position="top",
        )


def jaccard_figure(
    alphas: np.ndarray, vs_bert: np.ndarray, vs_static: np.ndarray, *, alpha_now: float | None = None
) -> go.Figure:
    """How much the fused neighbour set overlaps the BERT and the static set, as alpha moves."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=alphas,
            y=vs_bert,
            name="fused vs BERT",
            mode="lines+markers",
            line=dict(color=SPACE_COLORS["bert"], width=3),
            marker=dict(symbol="circle"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=alphas,
            y=vs_static,
            name="fused vs static",
            mode="lines+markers",
            line=dict(color=SPACE_COLORS["static"], width=3, dash="dash"),
            marker=dict(symbol="square"),
        )
    )
    _mark_alpha(fig, alpha_now)
    fig.update_layout(
        height=320,
        margin=dict(l=10, r=10, t=30, b=10),
        font=FONT,
        xaxis=dict(title="alpha (weight of BERT)", range=[-0.02, 1.02]),
        yaxis=dict(title="Jaccard overlap", range=[-0.02, 1.05]),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def attention_figure(words: Sequence[str], weights: np.ndarray, *, title: str = "") -> go.Figure:
    """Stacked horizontal bars: the share of each word's fused vector that comes from each source.

    Args:
        words: One label per row.
        weights: ``(n, 2)`` columns [contextual, static], rows summing to 1.
        title: Figure title.
    """
    labels = [escape(w) for w in words]
    w = np.asarray(weights, dtype=float)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=labels,
            x=w[:, 0],
            orientation="h",
            name="BERT (contextual)",
            marker_color=SPACE_COLORS["bert"],
            hovertemplate="%{y}: BERT %{x:.2f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            y=labels,
            x=w[:, 1],
            orientation="h",
            name="static",
            marker_color=SPACE_COLORS["static"],
            marker_pattern_shape="/",
            hovertemplate="%{y}: static %{x:.2f}<extra></extra>",
        )
    )
    fig.add_vline(x=0.5, line=dict(color="#555", dash="dot"))
    fig.update_layout(
        barmode="stack",
        title=dict(text=title, x=0.02),
        font=FONT,
        height=max(220, 26 * len(labels) + 90),
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis=dict(title="weight", range=[0, 1]),
        yaxis=dict(autorange="reversed", type="category"),
        legend=dict(orientation="h", y=1.02, x=1, xanchor="right", yanchor="bottom"),
    )
    return fig


def cosine_heatmap(
    matrix: np.ndarray, labels: Sequence[str], *, title: str, colorbar: bool = True, y_labels: bool = True
) -> go.Figure:
    """Word-by-word cosine similarity on a diverging, colour-blind-safe scale from -1 to 1."""
    lab = [escape(x) for x in labels]
    fig = go.Figure(
        go.Heatmap(
            z=np.asarray(matrix, dtype=float),
            x=lab,
            y=lab,
            zmin=-1,
            zmax=1,
            colorscale="RdBu_r",
            hovertemplate="%{y} · %{x}: %{z:.2f}<extra></extra>",
            showscale=colorbar,
            colorbar=dict(thickness=10, len=0.8),
        )
    )
    fig.update_layout(
        title=dict(text=title, x=0.02, font=dict(size=15)),
        font=FONT,
        height=max(320, 18 * len(lab) + 120),
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis=dict(type="category", tickangle=-60, showticklabels=False),
        yaxis=dict(type="category", autorange="reversed", showticklabels=y_labels),
    )
    return fig


def polysemy_figure(
    alphas: np.ndarray, curves: Mapping[str, np.ndarray], *, alpha_now: float | None = None, title: str = ""
) -> go.Figure:
    """Cosine between two occurrences of one word under each space, as alpha moves."""
    dashes = {"bert": "dot", "static": "dash", "fused": "solid"}
    names = {"bert": "BERT", "static": "static", "fused": "fused"}
    fig = go.Figure()
    for name, ys in curves.items():
        fig.add_trace(
            go.Scatter(
                x=alphas,
                y=ys,
                name=names.get(name, name),
                mode="lines",
                line=dict(color=SPACE_COLORS.get(name, "#555"), width=3, dash=dashes.get(name, "solid")),
            )
        )
    _mark_alpha(fig, alpha_now)
    fig.update_layout(
        title=dict(text=title, x=0.02),
        height=340,
        margin=dict(l=10, r=10, t=40, b=10),
        font=FONT,
        xaxis=dict(title="alpha (weight of BERT)", range=[-0.02, 1.02]),
        yaxis=dict(title="cosine of the two occurrences", range=[-0.05, 1.05]),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def figure_html(fig: go.Figure) -> str:
    """A standalone HTML file of the figure that opens offline (plotly.js embedded)."""
    return fig.to_html(include_plotlyjs=True, full_html=True)
