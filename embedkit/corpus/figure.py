"""The sense map as a Plotly figure: one WebGL scatter trace per cluster, hover shows the context.

Used by ``embedkit senses -o word.html`` and by the app's Corpus page (plotly only, no streamlit here).
"""

from __future__ import annotations

import html
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from embedkit.corpus.senses import SenseMap

__all__ = ["PALETTE", "hover_text", "sense_figure"]

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def hover_text(context: str, width: int = 70) -> str:
    """A context wrapped for a hover box, the marked word in bold (HTML-escaped)."""
    safe = html.escape(context)
    safe = safe.replace("[", "<b>", 1).replace("]", "</b>", 1)
    return "<br>".join(textwrap.wrap(safe, width)) or safe


def sense_figure(
    x: np.ndarray,
    y: np.ndarray,
    cluster: np.ndarray,
    hover: list[str],
    rows: np.ndarray,
    *,
    labels: dict[int, str] | None = None,
    selected: int | None = None,
    title: str = "",
    height: int = 560,
) -> Any:
    """A WebGL scatter of the occurrences, one trace per cluster; ``customdata`` holds each point's row."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for c in np.unique(cluster):
        m = cluster == c
        fig.add_trace(
            go.Scattergl(
                x=x[m],
                y=y[m],
                mode="markers",
                name=(labels or {}).get(int(c), f"cluster {int(c)}"),
                marker={"size": 6 if m.sum() < 5000 else 4, "opacity": 0.75, "color": PALETTE[int(c) % len(PALETTE)]},
                text=[hover[i] for i in np.flatnonzero(m)],
                customdata=rows[m],
                hovertemplate="%{text}<extra>%{fullData.name}</extra>",
            )
        )
    if selected is not None:
        hit = np.flatnonzero(rows == selected)
        if hit.size:
            fig.add_trace(
                go.Scattergl(
                    x=x[hit],
                    y=y[hit],
                    mode="markers",
                    name="selected",
                    hoverinfo="skip",
                    marker={"size": 16, "color": "rgba(0,0,0,0)", "line": {"width": 3, "color": "black"}},
                )
            )
    fig.update_layout(
        title=title or None,
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        legend={"orientation": "h", "y": -0.05},
        dragmode="pan",
        clickmode="event+select",
        xaxis={"showticklabels": False, "zeroline": False, "showgrid": False, "title": None},
        yaxis={"showticklabels": False, "zeroline": False, "showgrid": False, "title": None, "scaleanchor": "x"},
        hoverlabel={"align": "left"},
    )
    return fig


def sense_map_figure(senses: SenseMap, **options: Any) -> Any:
    """:func:`sense_figure` of a :class:`~embedkit.corpus.senses.SenseMap` (legend: cluster words)."""
    labels = {c.cluster: f"{c.cluster}: {', '.join(c.words[:3]) or '-'} ({c.size:,})" for c in senses.clusters}
    hover = [hover_text(c) for c in senses.index.contexts(senses.rows)]
    return sense_figure(
        senses.coords[:, 0], senses.coords[:, 1], senses.labels, hover, senses.rows, labels=labels, **options
    )
