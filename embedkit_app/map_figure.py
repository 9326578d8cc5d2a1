"""The word map as a plotly figure: points in legend groups, labels only where they help, "play alpha" frames.

A projector-friendly figure: a few traces (one per legend group, not one per word), a legend, the title at the top
left and the toolbar standing on the right edge (never over the title), fixed axes while frames play. User text is
HTML-escaped (plotly renders some tags). ``layout.meta`` names the space, mode and alpha, and every point carries its
id as ``customdata``, so tests and tools read the coordinates from the page.

The title is a text trace named ``title`` standing just above the plot's top left corner, not ``layout.title``: an
animation frame moves traces on screen in Streamlit, but its ``layout.title`` never reaches the screen there, and the
title of every "play alpha" frame must show that frame's alpha.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

__all__ = ["FONT", "Group", "MapPoints", "PALETTE", "escape", "map_figure"]

# Okabe-Ito without yellow (too light for labels on white) and black (kept for the selection ring).
PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
SYMBOLS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "pentagon")
FADED = "#B8BEC7"
SELECT_COLOR = "#000000"
EMPHASIS = "#1F2430"  # the ring of an emphasised point (the user's occurrences on a word map)
FONT = dict(family="Source Sans Pro, Helvetica, Arial, sans-serif", size=13, color="#1F2430")
SVG_LIMIT = 3000  # above this many points draw with WebGL
TITLE = "title"  # the name of the trace that draws the title


@dataclass(frozen=True)
class Sizes:
    """Pixel sizes of one figure's marks, chosen to be read on a projector (a 1280x720 screen on a wall).

    Attributes:
        marker: diameter of a point.
        faded: diameter of a faded point (the words around a spotlight).
        label: label text.
        title: the title.
        legend: legend text.
    """

    marker: int
    faded: int
    label: int
    title: int
    legend: int


#: Sizes of maps side by side (Explore), of one big map (Presenter), and of a map of thousands of points (Corpus).
NORMAL = Sizes(marker=13, faded=10, label=16, title=18, legend=15)
BIG = Sizes(marker=18, faded=13, label=21, title=26, legend=19)
DENSE = Sizes(marker=6, faded=4, label=14, title=18, legend=15)


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
        emphasis: drawn large with a white ring (the user's occurrences among many others).
    """

    name: str
    colour: str
    symbol: str = "circle"
    faded: bool = False
    emphasis: bool = False


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


def _label_positions(coords: np.ndarray, labels: Sequence[str], wide: float, bounds: np.ndarray) -> list[str]:
    """A text position per point that keeps nearby labels apart and inside the map (greedy, in data units of an
    assumed size).

    Args:
        coords: the points.
        labels: the label texts ("" for none).
        wide: the plot's width in characters of label text (about pixels / 7).
        bounds: ``(2, 2)`` the data range the axes show (before their padding).
    """
    out = ["top center"] * len(labels)
    if not len(labels):
        return out
    span = bounds[:, 1] - bounds[:, 0] + 1e-9
    char_w, line_h = span[0] / wide, span[1] / 22.0
    lo, hi = bounds[:, 0] - 0.06 * span, bounds[:, 1] + 0.06 * span  # the padded axes (see map_figure)
    marks = {
        i: (coords[i, 0] - char_w, coords[i, 0] + char_w, coords[i, 1] - line_h / 2, coords[i, 1] + line_h / 2)
        for i, text in enumerate(labels)
        if text
    }  # the labelled markers: a label must not cover another one's point
    boxes: list[tuple[float, float, float, float]] = []
    for i, text in enumerate(labels):
        if not text:
            continue
        others = [m for j, m in marks.items() if j != i]
        w, h = len(text) * char_w, line_h
        options = []
        for name, dx, dy in _POSITIONS:
            cx, cy = coords[i, 0] + dx * w, coords[i, 1] + dy * h
            options.append((name, (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2)))
        inside = [  # within the plot, with half a line to spare above and below (a label there is clipped)
            o
            for o in options
            if o[1][0] >= lo[0] and o[1][1] <= hi[0] and o[1][3] + h / 2 <= hi[1] and o[1][2] - h / 2 >= lo[1]
        ] or options
        # the first position that covers no label and no labelled point; else the one that covers the fewest
        out[i], box = min(inside, key=lambda o: sum(_overlap(o[1], b) for b in boxes + others))
        boxes.append(box)
    return out


def wrap(text: str, width: int) -> str:
    """Plain text broken into lines of about ``width`` characters with ``<br>`` (plotly legends do not wrap)."""
    import textwrap

    return "<br>".join(escape(line) for line in textwrap.wrap(text, width, break_long_words=False)) or escape(text)


def _title_trace(text: str, corner: tuple[float, float], size: int) -> dict[str, object]:
    """The title, drawn just above the plot's top left corner (in the top margin)."""
    return dict(
        type="scatter",
        x=[corner[0]],
        y=[corner[1]],
        name=TITLE,
        mode="text",
        text=[escape(text)],
        textposition="top right",
        textfont=dict(size=size, color=FONT["color"], family=FONT["family"], weight=600),
        cliponaxis=False,
        showlegend=False,
        hoverinfo="skip",
    )


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
    height: int | None = 440,
    big: bool = False,
    meta: Mapping[str, object] | None = None,
    frames: Sequence[tuple[str, np.ndarray]] = (),
    bounds: np.ndarray | None = None,
    legend_chars: int = 70,
    ring_text: str = "",
    legend: bool = True,
    play_label: str = "▶ play alpha 0 → 1",
    count_stacked: bool = True,
    sizes: Sizes | None = None,
    webgl: bool | None = None,
) -> go.Figure:
    """A 2-D map of points in legend groups.

    Args:
        coords: ``(n, 2)`` coordinates, one row per point.
        points: what each point is (ids, labels, hovers, groups).
        styles: group key -> its look and legend name, in legend order.
        title: the figure title (plain text).
        selected: the id to ring, or None.
        height: pixels; None leaves the height to the page (a chart drawn with ``height="stretch"``).
        big: presenter sizes (larger markers, labels, title).
        meta: written to ``layout.meta`` (space, mode, alpha) for tests and tools.
        frames: ``(frame title, (n, 2) coordinates)`` to animate through with a "play alpha" button.
        bounds: ``(2, 2)`` fixed axis ranges (min, max per axis); taken from the frames when they are given.
        legend_chars: legend names are broken into lines of this many characters (never cut).
        ring_text: the selected point's word, kept in the ring's data (not drawn).
        legend: draw the legend (under the map); without it the play button takes that place.
        play_label: the play button's text (it says how the frames are laid out).
        count_stacked: a label says how many unlabelled points share its spot (``+15``).
        sizes: the marks' sizes (default: :data:`BIG` or :data:`NORMAL`).
        webgl: draw with WebGL (default: above :data:`SVG_LIMIT` points).
    """
    coords = np.asarray(coords, dtype=np.float32)  # float32 goes out as half the bytes of float64
    sizes = sizes or (BIG if big else NORMAL)
    parts = _trace_parts(points, styles)
    counted = np.array([count_stacked and not styles[g].faded for g in points.groups], dtype=bool)
    merged = _merge_labels(coords, points.labels, counted)
    bounds = _bounds(coords, frames, bounds)
    where = _label_positions(coords, merged, 66.0 if big else 34.0, bounds)
    kind = "scattergl" if (webgl if webgl is not None else len(points.ids) > SVG_LIMIT) else "scatter"
    data: list[dict[str, object]] = []
    for g, hollow, idx in parts:
        style = styles[g]
        labels = [escape(merged[int(i)]) for i in idx]
        data.append(
            dict(
                type=kind,
                x=coords[idx, 0],
                y=coords[idx, 1],
                name=wrap(style.name, legend_chars),
                legendgroup=g,
                legendrank=2000 if style.faded else 1000,
                showlegend=not any(d["legendgroup"] == g for d in data),
                mode="markers+text" if any(labels) else "markers",
                text=labels,
                textposition=[where[int(i)] for i in idx],
                textfont=dict(  # a white halo: labels stay readable over other points
                    size=sizes.label, color=style.colour if not style.faded else "#6B7280", shadow="auto"
                ),
                marker=dict(
                    size=sizes.faded if style.faded else sizes.marker * (1.6 if style.emphasis else 1.0),
                    color="white" if hollow else (FADED if style.faded else style.colour),
                    symbol=style.symbol,
                    line=dict(
                        width=2.5 if (hollow or style.emphasis) else 1.0,
                        color=style.colour if hollow else (EMPHASIS if style.emphasis else "white"),
                    ),
                    opacity=0.6 if style.faded else 0.95,
                ),
                customdata=points.ids[idx],
                hovertext=[escape(points.hovers[int(i)]).replace("\n", "<br>") for i in idx],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    ring = _ring(coords, points, selected)
    data.append(
        dict(
            type="scatter",
            x=ring[:, 0],
            y=ring[:, 1],
            name="selected",
            showlegend=False,
            mode="markers",
            text=[escape(ring_text)] if len(ring) else [],  # the selected word, for tools (the point has its label)
            marker=dict(size=sizes.marker * 2.2, symbol="circle-open", color=SELECT_COLOR, line=dict(width=3)),
            customdata=[selected] if len(ring) else [],
            hoverinfo="skip",
        )
    )
    layout = _layout(height, sizes, meta or {}, title)
    layout["showlegend"] = legend
    animation: list[dict[str, object]] = []
    pad = (bounds[:, 1] - bounds[:, 0]) * 0.06 + 1e-6
    xr = [float(bounds[0, 0] - pad[0]), float(bounds[0, 1] + pad[0])]
    yr = [float(bounds[1, 0] - pad[1]), float(bounds[1, 1] + pad[1])]
    layout["xaxis"].update(range=xr, autorange=False)
    layout["yaxis"].update(range=yr, autorange=False)
    corner = (xr[0], yr[1])
    data.append(_title_trace(title, corner, sizes.title))
    if frames:
        animation = _frames(frames, parts, points, selected, corner, sizes.title)
        play = {**_PLAY, "buttons": [{**_PLAY["buttons"][0], "label": play_label}]}  # type: ignore[index]
        if legend:  # the legend is under the map: the button stands at the top right, off the title
            layout["updatemenus"] = [
                {**play, "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "bottom", "pad": {"b": 4}}
            ]
        else:  # under the map, never on its points
            layout["updatemenus"] = [play]
            layout["margin"]["b"] = 44
    # built as plain dicts and not validated trace by trace: plotly's validators cost 0.15-0.2 s for 22 frames, more
    # than everything else an alpha move does (bench/interaction_latency.py); the frames go out as built
    fig = _FramedFigure(data=data, layout=layout, _validate=False)
    fig._raw_frames = animation
    return fig


def _bounds(coords: np.ndarray, frames: Sequence[tuple[str, np.ndarray]], bounds: np.ndarray | None) -> np.ndarray:
    """``(2, 2)`` the data range the axes show: the given bounds, else every frame's and the points' range."""
    if bounds is not None:
        return np.asarray(bounds, np.float64)
    stacked = np.concatenate([np.asarray(c, np.float64).reshape(-1, 2) for _, c in frames] + [coords.reshape(-1, 2)])
    if not stacked.size:
        return np.array([[0.0, 1.0], [0.0, 1.0]])
    return np.stack([stacked.min(0), stacked.max(0)], axis=1)


class _FramedFigure(go.Figure):
    """A figure whose animation frames are plain dicts, added when it is written out (``to_dict``, which
    ``st.plotly_chart``, ``to_json`` and ``to_html`` all go through) instead of validated as plotly objects."""

    _raw_frames: list[dict[str, object]] = []

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = super().to_dict()
        if self._raw_frames:
            out["frames"] = self._raw_frames
        return out


_PLAY = dict(
    type="buttons",
    showactive=False,
    x=0.0,
    y=0.0,
    xanchor="left",
    yanchor="top",
    pad=dict(t=4),
    bgcolor="white",
    bordercolor="#9AA3AF",
    font=dict(size=15),
    buttons=[
        dict(
            label="▶ play alpha 0 → 1",
            method="animate",
            args=[None, dict(frame=dict(duration=180, redraw=False), transition=dict(duration=150), fromcurrent=False)],
        )
    ],
)


def _frames(
    frames: Sequence[tuple[str, np.ndarray]],
    parts: list[tuple[str, bool, np.ndarray]],
    points: MapPoints,
    selected: int | None,
    corner: tuple[float, float],
    title_size: int,
) -> list[dict[str, object]]:
    """One animation frame per ``(title, coordinates)``: every trace (the selection ring too) moves, and the title
    trace shows the frame's own title."""
    out: list[dict[str, object]] = []
    for name, xy in frames:
        xy = np.asarray(xy, dtype=np.float32)
        ring = _ring(xy, points, selected)
        data: list[dict[str, object]] = [dict(type="scatter", x=xy[idx, 0], y=xy[idx, 1]) for _, _, idx in parts]
        data.append(dict(type="scatter", x=ring[:, 0], y=ring[:, 1]))
        data.append(_title_trace(name, corner, title_size))
        out.append(dict(name=name, data=data))
    return out


def _layout(height: int | None, sizes: Sizes, meta: Mapping[str, object], title: str) -> dict[str, Any]:
    axis = dict(showticklabels=False, showgrid=False, zeroline=False, title="", showline=False, automargin=False)
    layout: dict[str, Any] = dict(
        margin=dict(l=6, r=30, t=int(sizes.title * 1.9), b=6, pad=0),
        font={**FONT, "size": sizes.legend},
        plot_bgcolor="#FAFBFC",
        paper_bgcolor="white",
        hoverlabel=dict(bgcolor="white", font_size=sizes.legend),
        legend=dict(
            orientation="h",
            x=0,
            xanchor="left",
            y=-0.01,
            yanchor="top",
            font=dict(size=sizes.legend),
            itemsizing="constant",
        ),
        modebar=dict(orientation="v", bgcolor="rgba(255,255,255,0.6)"),
        uirevision=str(meta.get("space", title)),
        meta=dict(meta),
        xaxis=dict(axis),
        yaxis=dict(axis),
    )
    if height is not None:
        layout["height"] = height
    return layout
