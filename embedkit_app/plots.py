"""Plotly figures for the app, in a colour-blind-safe palette (Okabe & Ito 2008).

Every text that came from the user (words, sentences) is HTML-escaped before it goes into a
figure: plotly renders a few HTML tags in hover texts and labels.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from embedkit.text import STOPWORDS

# Okabe-Ito without yellow (too light for labels on white) and black (kept for the selection ring).
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
SYMBOLS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "pentagon")
SYMBOLS_3D: tuple[str, ...] = ("circle", "square", "diamond", "cross", "x")
SPACE_COLORS: dict[str, str] = {"bert": "#0072B2", "static": "#E69F00", "fused": "#009E73"}
SELECT_COLOR = "#000000"
FONT = dict(family="Source Sans Pro, Helvetica, Arial, sans-serif", size=13, color="#1F2430")
SVG_LIMIT = 1000  # above this many points use WebGL


def escape(text: str) -> str:
    """HTML-escape user text for plotly hover texts and labels."""
    return html.escape(text, quote=False)


def word_styles(words: Sequence[str]) -> dict[str, tuple[str, str]]:
    """One (colour, symbol) pair per word type (case-insensitive).

    Word types that occur more than once come first, so the interesting ones (the polysemous
    "bank") get the plain circle markers in distinct colours.

    Args:
        words: The word of each occurrence.

    Returns:
        Map from lower-cased word type to ``(colour, symbol index)`` as ``(str, str)``.
    """
    types = [w.lower() for w in words]
    counts: dict[str, int] = {}
    for t in types:
        counts[t] = counts.get(t, 0) + 1
    order = list(dict.fromkeys(types))
    # stable sort, keeps first-seen order: repeated content words, other repeated words, the rest
    order.sort(key=lambda t: (counts[t] == 1, t in STOPWORDS))
    styles: dict[str, tuple[str, str]] = {}
    for i, t in enumerate(order):
        colour = PALETTE[i % len(PALETTE)]
        symbol = str((i // len(PALETTE)) % len(SYMBOLS))
        styles[t] = (colour, symbol)
    return styles


def _axis(title: str = "") -> dict[str, object]:
    return dict(showticklabels=False, showgrid=False, zeroline=False, title=title, showline=False)


def map_figure(
    coords: np.ndarray,
    words: Sequence[str],
    hovers: Sequence[str],
    *,
    title: str,
    point_ids: Sequence[int] | None = None,
    styles: Mapping[str, tuple[str, str]] | None = None,
    selected: int | None = None,
    labels: bool = True,
    height: int = 460,
) -> go.Figure:
    """A 2-D or 3-D scatter of word occurrences, one colour and marker per word type.

    Args:
        coords: ``(n, 2)`` or ``(n, 3)`` layout.
        words: Word of each point (shown as label).
        hovers: Hover text of each point (the word inside its sentence); plain text, escaped here.
        title: Figure title.
        point_ids: Occurrence index of each point, returned in selection events as ``customdata``.
        styles: From :func:`word_styles`; computed from ``words`` if omitted.
        selected: Occurrence index to ring, or ``None``.
        labels: Draw the word next to each point.
        height: Figure height in pixels.

    Returns:
        The figure.
    """
    coords = np.asarray(coords, dtype=float)
    n, dims = coords.shape
    ids = np.arange(n) if point_ids is None else np.asarray(point_ids)
    styles = dict(styles) if styles is not None else word_styles(words)
    types = np.array([w.lower() for w in words], dtype=object)
    three_d = dims == 3
    fig = go.Figure()
    for t in dict.fromkeys(types.tolist()):
        mask = types == t
        colour, sym = styles.get(t, (PALETTE[0], "0"))
        idx = [int(i) for i in np.flatnonzero(mask)]
        text = [escape(words[i]) for i in idx]
        hover = [escape(hovers[i]).replace("\n", "<br>") for i in idx]
        common = dict(
            name=escape(str(t)),
            text=text if labels else None,
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            customdata=ids[idx],
            mode="markers+text" if labels else "markers",
            textposition="top center",
            showlegend=False,
        )
        if three_d:
            fig.add_trace(
                go.Scatter3d(
                    x=coords[idx, 0],
                    y=coords[idx, 1],
                    z=coords[idx, 2],
                    marker=dict(size=5, color=colour, symbol=SYMBOLS_3D[int(sym)], opacity=0.9),
                    textfont=dict(size=11, color=colour),
                    **common,
                )
            )
        else:
            cls = go.Scatter if n <= SVG_LIMIT else go.Scattergl
            fig.add_trace(
                cls(
                    x=coords[idx, 0],
                    y=coords[idx, 1],
                    marker=dict(
                        size=10,
                        color=colour,
                        symbol=SYMBOLS[int(sym)],
                        line=dict(width=0.8, color="white"),
                    ),
                    textfont=dict(size=11, color=colour),
                    **common,
                )
            )
    if selected is not None:
        where = np.flatnonzero(ids == selected)
        if where.size:
            i = int(where[0])
            ring = dict(
                name="selected",
                text=[f"<b>{escape(words[i])}</b>"],
                mode="markers+text",
                textposition="bottom center",
                textfont=dict(size=13, color=SELECT_COLOR),
                hoverinfo="skip",
                showlegend=False,
            )
            if three_d:
                fig.add_trace(
                    go.Scatter3d(
                        x=[coords[i, 0]],
                        y=[coords[i, 1]],
                        z=[coords[i, 2]],
                        marker=dict(size=10, color="rgba(0,0,0,0)", line=dict(width=4, color=SELECT_COLOR)),
                        **ring,
                    )
                )
            else:
                fig.add_trace(
                    go.Scatter(
                        x=[coords[i, 0]],
                        y=[coords[i, 1]],
                        marker=dict(size=22, symbol="circle-open", color=SELECT_COLOR, line=dict(width=3)),
                        **ring,
                    )
                )
    fig.update_layout(
        title=dict(text=title, x=0.02, font=dict(size=15)),
        height=height,
        margin=dict(l=8, r=8, t=40, b=8),
        font=FONT,
        plot_bgcolor="#FAFBFC",
        paper_bgcolor="white",
        hoverlabel=dict(bgcolor="white", font_size=13),
        uirevision=title.split(" ")[0],
    )
    if three_d:
        fig.update_layout(scene=dict(xaxis=_axis(), yaxis=_axis(), zaxis=_axis()))
    else:
        fig.update_xaxes(**_axis())
        fig.update_yaxes(**_axis())
    return fig


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
