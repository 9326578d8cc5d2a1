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


def _alpha_curves(
    traces: Sequence[go.Scatter],
    *,
    alpha_now: float | None,
    y_title: str,
    y_range: list[float],
    height: int,
    title: str | None = None,
) -> go.Figure:
    """Curves over alpha (0 = static only, 1 = BERT only) with a dotted line at the current alpha."""
    fig = go.Figure()
    for trace in traces:
        fig.add_trace(trace)
    if alpha_now is not None:
        fig.add_vline(
            x=alpha_now,
            line=dict(color="#555", dash="dot"),
            annotation_text=f"alpha = {alpha_now:.2f}",
            annotation_position="top",
        )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30 if title is None else 40, b=10),
        font=FONT,
        xaxis=dict(title="alpha (weight of BERT)", range=[-0.02, 1.02]),
        yaxis=dict(title=y_title, range=y_range),
        legend=dict(orientation="h", y=-0.25),
    )
    if title is not None:
        fig.update_layout(title=dict(text=title, x=0.02))
    return fig


def jaccard_figure(
    alphas: np.ndarray, vs_bert: np.ndarray, vs_static: np.ndarray, *, alpha_now: float | None = None
) -> go.Figure:
    """How much the fused neighbour set overlaps the BERT and the static set, as alpha moves."""
    lines = (
        ("fused vs BERT", vs_bert, "bert", None, "circle"),
        ("fused vs static", vs_static, "static", "dash", "square"),
    )
    traces = [
        go.Scatter(
            x=alphas,
            y=ys,
            name=name,
            mode="lines+markers",
            line=dict(color=SPACE_COLORS[space], width=3, dash=dash),
            marker=dict(symbol=symbol),
        )
        for name, ys, space, dash, symbol in lines
    ]
    return _alpha_curves(traces, alpha_now=alpha_now, y_title="Jaccard overlap", y_range=[-0.02, 1.05], height=320)


def attention_figure(words: Sequence[str], weights: np.ndarray, *, title: str = "") -> go.Figure:
    """Stacked horizontal bars: the share of each word's fused vector that comes from each source.

    Args:
        words: One label per row.
        weights: ``(n, 2)`` columns [contextual, static], rows summing to 1.
        title: Figure title.
    """
    labels = [escape(w) for w in words]
    w = np.asarray(weights, dtype=float)
    sources = (("bert", "BERT (contextual)", "BERT", None), ("static", "static", "static", "/"))
    fig = go.Figure()
    for column, (space, name, short, pattern) in enumerate(sources):
        fig.add_trace(
            go.Bar(
                y=labels,
                x=w[:, column],
                orientation="h",
                name=name,
                marker_color=SPACE_COLORS[space],
                marker_pattern_shape=pattern,
                hovertemplate=f"%{{y}}: {short} %{{x:.2f}}<extra></extra>",
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
    traces = [
        go.Scatter(
            x=alphas,
            y=ys,
            name=names.get(name, name),
            mode="lines",
            line=dict(color=SPACE_COLORS.get(name, "#555"), width=3, dash=dashes.get(name, "solid")),
        )
        for name, ys in curves.items()
    ]
    return _alpha_curves(
        traces,
        alpha_now=alpha_now,
        y_title="cosine of the two occurrences",
        y_range=[-0.05, 1.05],
        height=340,
        title=title,
    )


def figure_html(fig: go.Figure) -> str:
    """A standalone HTML file of the figure that opens offline (plotly.js embedded)."""
    return fig.to_html(include_plotlyjs=True, full_html=True)
