"""The word map as a plotly figure: points in legend groups, labels only where they help, "play alpha" frames.

A projector-friendly figure: a few traces (one per legend group, not one per word), a legend, the title at the top
left and the toolbar standing on the right edge (never over the title), fixed axes while frames play. User text is
HTML-escaped (plotly renders some tags). ``layout.meta`` names the space, mode and alpha, and every point carries its
id as ``customdata``, so tests and tools read the coordinates from the page.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

__all__ = ["FONT", "Group", "MapPoints", "PALETTE", "escape", "map_figure"]

# Okabe-Ito without yellow (too light for labels on white) and black (kept for the selection ring).
PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
SYMBOLS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "pentagon")
FADED = "#B8BEC7"
SELECT_COLOR = "#000000"
FONT = dict(family="Source Sans Pro, Helvetica, Arial, sans-serif", size=13, color="#1F2430")
SVG_LIMIT = 3000  # above this many points draw with WebGL


def escape(text: str) -> str:
    """HTML-escape user text for plotly hover texts and labels."""
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class Group:
    """One legend entry: how its points look.

    Attributes:
        name: the legend text (plain text; escaped when drawn).
        colour: marker and label colour.
        symbol: plotly marker symbol.
        faded: drawn small and pale, under the others (the words around a spotlight).
    """

    name: str
    colour: str
    symbol: str = "circle"
    faded: bool = False


@dataclass(frozen=True)
class MapPoints:
    """What a map draws per point (coordinates come separately, one set per space or alpha).

    Attributes:
        ids: point ids, returned by clicks as ``customdata`` (occurrence indices for words of the text).
        labels: the text drawn next to a point ("" for none).
        hovers: plain-text hover per point (escaped when drawn).
        groups: the legend group of each point (a key of the styles).
        hollow: points drawn as rings (WordNet examples beside the text's occurrences).
    """

    ids: np.ndarray
    labels: Sequence[str]
    hovers: Sequence[str]
    groups: Sequence[str]
    hollow: np.ndarray

    def take(self, keep: np.ndarray) -> MapPoints:
        """The points where ``keep`` is True."""
        idx = np.flatnonzero(keep)
        pick = lambda seq: [seq[int(i)] for i in idx]  # noqa: E731
        return MapPoints(self.ids[idx], pick(self.labels), pick(self.hovers), pick(self.groups), self.hollow[idx])


def _trace_parts(points: MapPoints, styles: Mapping[str, Group]) -> list[tuple[str, bool, np.ndarray]]:
    """``(group, hollow, point indices)`` per trace: faded groups first (drawn under), then the legend order."""
    groups = np.asarray(points.groups, dtype=object)
    order = sorted(styles, key=lambda g: not styles[g].faded)
    parts = []
    for g in order:
        for hollow in (False, True):
            idx = np.flatnonzero((groups == g) & (points.hollow == hollow))
            if idx.size:
                parts.append((g, hollow, idx))
    return parts


def _merge_labels(coords: np.ndarray, labels: Sequence[str], counted: np.ndarray) -> list[str]:
    """One label per spot: points on the same coordinates (a static table's copies of a word) share one label,
    ``bank s1·s2·s3`` instead of three labels printed over each other, and ``+15`` says how many unlabelled
    ``counted`` points (WordNet's examples) sit there too."""
    out = list(labels)
    first: dict[tuple[float, float], int] = {}
    merged: dict[int, int] = {}
    for i, text in enumerate(labels):
        if not text:
            continue
        at = (float(coords[i, 0]), float(coords[i, 1]))
        if at not in first:
            first[at] = i
            merged[i] = 1
            continue
        j = first[at]
        merged[j] += 1
        head, _, tag = text.partition(" ")
        if tag and out[j].split(" ", 1)[0] == head:
            out[j] = f"{out[j]}·{tag}"
        elif text not in out[j]:
            out[j] = f"{out[j]} · {text}"
        out[i] = ""
    for at, j in first.items():
        here = int((counted & (coords[:, 0] == at[0]) & (coords[:, 1] == at[1])).sum())
        if here > merged[j]:
            out[j] = f"{out[j]} +{here - merged[j]}"
    return out


#: Where a label may go around its point, tried in this order; offsets in label widths / heights.
_POSITIONS = (
    ("top center", 0.0, 1.0),
    ("bottom center", 0.0, -1.0),
    ("middle right", 0.6, 0.0),
    ("middle left", -0.6, 0.0),
    ("top right", 0.6, 1.0),
    ("bottom left", -0.6, -1.0),
)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two boxes ``(x0, x1, y0, y1)`` overlap."""
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _label_positions(coords: np.ndarray, labels: Sequence[str], wide: float) -> list[str]:
    """A text position per point that keeps nearby labels apart (greedy, in data units of an assumed size).

    Args:
        coords: the points.
        labels: the label texts ("" for none).
        wide: the plot's width in characters of label text (about pixels / 7).
    """
    out = ["top center"] * len(labels)
    if not len(labels):
        return out
    span = np.ptp(coords, axis=0) + 1e-9
    char_w, line_h = span[0] / wide, span[1] / 22.0
    boxes: list[tuple[float, float, float, float]] = []
    for i, text in enumerate(labels):
        if not text:
            continue
        w, h = len(text) * char_w, line_h
        options = []
        for name, dx, dy in _POSITIONS:
            cx, cy = coords[i, 0] + dx * w, coords[i, 1] + dy * h
            options.append((name, (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2)))
        free = [o for o in options if not any(_overlap(o[1], b) for b in boxes)]
        out[i], box = (free or options)[0]
        boxes.append(box)
    return out


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _ring(coords: np.ndarray, points: MapPoints, selected: int | None) -> np.ndarray:
    where = np.flatnonzero(points.ids == selected) if selected is not None else np.zeros(0, int)
    return coords[where[:1]] if where.size else np.zeros((0, 2))


def map_figure(
    coords: np.ndarray,
    points: MapPoints,
    styles: Mapping[str, Group],
    *,
    title: str,
    selected: int | None = None,
    height: int = 440,
    big: bool = False,
    meta: Mapping[str, object] | None = None,
    frames: Sequence[tuple[str, np.ndarray]] = (),
    bounds: np.ndarray | None = None,
    legend_chars: int = 70,
    ring_text: str = "",
) -> go.Figure:
    """A 2-D map of points in legend groups.

    Args:
        coords: ``(n, 2)`` coordinates, one row per point.
        points: what each point is (ids, labels, hovers, groups).
        styles: group key -> its look and legend name, in legend order.
        title: the figure title (plain text).
        selected: the id to ring, or None.
        height: pixels.
        big: presenter sizes (larger markers, labels, title).
        meta: written to ``layout.meta`` (space, mode, alpha) for tests and tools.
        frames: ``(frame title, (n, 2) coordinates)`` to animate through with a "play alpha" button.
        bounds: ``(2, 2)`` fixed axis ranges (min, max per axis); taken from the frames when they are given.
        legend_chars: legend names are cut to this many characters.
        ring_text: the selected point's word, kept in the ring's data (not drawn).
    """
    coords = np.asarray(coords, dtype=float)
    size, label_size = (14, 16) if big else (10, 12)
    parts = _trace_parts(points, styles)
    counted = np.array([not styles[g].faded for g in points.groups], dtype=bool)
    merged = _merge_labels(coords, points.labels, counted)
    where = _label_positions(coords, merged, 110.0 if big else 40.0)
    fig = go.Figure()
    for g, hollow, idx in parts:
        style = styles[g]
        first = not any(p[0] == g for p in parts[: parts.index((g, hollow, idx))])
        labels = [escape(merged[int(i)]) for i in idx]
        marker = dict(
            size=size * (0.6 if style.faded else 1.0),
            color="white" if hollow else (FADED if style.faded else style.colour),
            symbol=style.symbol,
            line=dict(width=2 if hollow else 0.8, color=style.colour if hollow else "white"),
            opacity=0.55 if style.faded else 0.95,
        )
        cls = go.Scatter if len(points.ids) <= SVG_LIMIT else go.Scattergl
        fig.add_trace(
            cls(
                x=coords[idx, 0],
                y=coords[idx, 1],
                name=escape(_short(style.name, legend_chars)),
                legendgroup=g,
                legendrank=2000 if style.faded else 1000,
                showlegend=first,
                mode="markers+text" if any(labels) else "markers",
                text=labels,
                textposition=[where[int(i)] for i in idx],
                textfont=dict(size=label_size, color=style.colour if not style.faded else "#6B7280"),
                marker=marker,
                customdata=points.ids[idx],
                hovertext=[escape(points.hovers[int(i)]).replace("\n", "<br>") for i in idx],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    ring = _ring(coords, points, selected)
    fig.add_trace(
        go.Scatter(
            x=ring[:, 0],
            y=ring[:, 1],
            name="selected",
            showlegend=False,
            mode="markers",
            text=[escape(ring_text)] if len(ring) else [],  # the selected word, for tools (the point has its label)
            marker=dict(size=size * 2.2, symbol="circle-open", color=SELECT_COLOR, line=dict(width=3)),
            customdata=[selected] if len(ring) else [],
            hoverinfo="skip",
        )
    )
    if frames:
        _add_frames(fig, frames, parts, points, selected)
        stacked = np.concatenate([c for _, c in frames] + [coords])
        bounds = np.stack([stacked.min(0), stacked.max(0)], axis=1) if stacked.size else None
    _layout(fig, title, height, big, meta, bounds)
    return fig


def _add_frames(
    fig: go.Figure,
    frames: Sequence[tuple[str, np.ndarray]],
    parts: list[tuple[str, bool, np.ndarray]],
    points: MapPoints,
    selected: int | None,
) -> None:
    out = []
    for name, xy in frames:
        xy = np.asarray(xy, dtype=float)
        data = [go.Scatter(x=xy[idx, 0], y=xy[idx, 1]) for _, _, idx in parts]
        ring = _ring(xy, points, selected)
        data.append(go.Scatter(x=ring[:, 0], y=ring[:, 1]))
        out.append(go.Frame(name=name, data=data, layout=dict(title=dict(text=escape(name)))))
    fig.frames = out
    play = dict(frame=dict(duration=180, redraw=False), transition=dict(duration=150), fromcurrent=False)
    fig.update_layout(
        updatemenus=[
            dict(
                type="buttons",
                showactive=False,
                x=0.0,
                y=0.0,
                xanchor="left",
                yanchor="bottom",
                direction="left",
                pad=dict(l=4, b=4),
                bgcolor="white",
                bordercolor="#9AA3AF",
                font=dict(size=13),
                buttons=[dict(label="▶ play alpha 0 → 1", method="animate", args=[None, play])],
            )
        ]
    )


def _layout(
    fig: go.Figure,
    title: str,
    height: int,
    big: bool,
    meta: Mapping[str, object] | None,
    bounds: np.ndarray | None,
) -> None:
    axis = dict(showticklabels=False, showgrid=False, zeroline=False, title="", showline=False)
    fig.update_layout(
        title=dict(
            text=escape(title), x=0.01, xanchor="left", y=0.985, yanchor="top", font=dict(size=20 if big else 15)
        ),
        height=height,
        margin=dict(l=6, r=30, t=44 if big else 38, b=6, pad=0),
        font=FONT if not big else {**FONT, "size": 15},
        plot_bgcolor="#FAFBFC",
        paper_bgcolor="white",
        hoverlabel=dict(bgcolor="white", font_size=14 if big else 13),
        legend=dict(
            orientation="h",
            x=0,
            xanchor="left",
            y=-0.01,
            yanchor="top",
            font=dict(size=14 if big else 12),
            itemsizing="constant",
        ),
        modebar=dict(orientation="v", bgcolor="rgba(255,255,255,0.6)"),
        uirevision=str((meta or {}).get("space", title)),
        meta=dict(meta or {}),
    )
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    if bounds is not None:
        pad = (bounds[:, 1] - bounds[:, 0]) * 0.06 + 1e-6
        below = pad[1] * (2.5 if fig.layout.updatemenus else 1.0)  # room for the play button under the points
        fig.update_xaxes(range=[bounds[0, 0] - pad[0], bounds[0, 1] + pad[0]], autorange=False)
        fig.update_yaxes(range=[bounds[1, 0] - below, bounds[1, 1] + pad[1]], autorange=False)
