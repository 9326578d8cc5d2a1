"""A word map as files: JSON (the ``embedkit wordmap`` contract), CSV (one row per point) and a Plotly HTML page.

The figure colours a point by its WordNet sense where its sentence is a sense-tagged example, else by its cluster
(named by its distinctive words), and draws the user's occurrences large, labelled with their sentence. Plotly only,
no streamlit: the CLI writes it, and a page may show it as it is.
"""

from __future__ import annotations

import html
import json
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.corpus.figure import PALETTE

if TYPE_CHECKING:
    from embedkit.wordmap.word_map import WordMap, WordMapView

__all__ = ["FORMATS", "word_map_figure", "word_map_json", "write_word_map"]

FORMATS = ("json", "csv", "html")
SENSE_COLOURS = ("#000000", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#E69F00")


def word_map_json(wm: WordMap, view: WordMapView, settings: dict[str, str] | None = None) -> dict[str, Any]:
    """The JSON document: the view's ``word``, ``space``, ``clusters``, ``points``, ``separation`` and what made it."""
    out = view.to_dict()
    out["sources"] = wm.sources()
    out["available"] = dict(wm.available)
    if settings:
        out["settings"] = dict(settings)
    return out


def _wrap(text: str, width: int = 70) -> str:
    safe = html.escape(text).replace("[", "<b>", 1).replace("]", "</b>", 1)
    return "<br>".join(textwrap.wrap(safe, width)) or safe


def word_map_figure(view: WordMapView, *, height: int = 640) -> Any:
    """A Plotly figure of one view: one trace per legend group (sense or cluster), the user's points on top."""
    import plotly.graph_objects as go

    occ = view.points
    assert occ is not None
    fig = go.Figure()
    groups = list(dict.fromkeys(view.colour))
    senses = sorted({g for g in groups if g in set(s for s in occ.senses if s)})
    user = occ.from_text
    for g in groups:
        m = np.asarray([c == g for c in view.colour]) & ~user
        if not m.any():
            continue
        if g in senses:
            color = SENSE_COLOURS[senses.index(g) % len(SENSE_COLOURS)]
            name = f"{g}: {textwrap.shorten(occ.glosses.get(g, ''), 40)}"
        else:
            cid = int(view.labels[np.flatnonzero(m)[0]])
            color, name = PALETTE[cid % len(PALETTE)], g
        fig.add_trace(
            go.Scatter(
                x=view.coords[m, 0],
                y=view.coords[m, 1],
                mode="markers",
                name=name,
                marker={
                    "size": 9 if g in senses else 6,
                    "color": color,
                    "opacity": 0.8,
                    "symbol": "diamond" if g in senses else "circle",
                },
                text=[_wrap(occ.context(int(i))) for i in np.flatnonzero(m)],
                hovertemplate="%{text}<extra>%{fullData.name}</extra>",
            )
        )
    if user.any():
        idx = np.flatnonzero(user)
        fig.add_trace(
            go.Scatter(
                x=view.coords[idx, 0],
                y=view.coords[idx, 1],
                mode="markers+text",
                name="your sentences",
                marker={
                    "size": 18,
                    "color": [PALETTE[int(view.labels[i]) % len(PALETTE)] for i in idx],
                    "line": {"width": 2, "color": "black"},
                },
                text=[html.escape(textwrap.shorten(occ.sentences[i], 40)) for i in idx],
                textposition="top center",
                hovertext=[_wrap(occ.context(int(i))) for i in idx],
                hovertemplate="%{hovertext}<extra>your sentence</extra>",
            )
        )
    notes = "<br>".join(html.escape(n) for n in view.notes)
    fig.update_layout(
        title={"text": html.escape(view.title) + (f"<br><sup>{notes}</sup>" if notes else "")},
        height=height,
        legend={"orientation": "h", "y": -0.05},
        xaxis={"showticklabels": False, "zeroline": False, "showgrid": False, "title": None},
        yaxis={"showticklabels": False, "zeroline": False, "showgrid": False, "title": None, "scaleanchor": "x"},
        hoverlabel={"align": "left"},
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
    )
    return fig


def write_word_map(wm: WordMap, view: WordMapView, fmt: str, out: Any, settings: dict[str, str] | None = None) -> None:
    """Write one view to an open text stream ``out`` as ``json``, ``csv`` or ``html``.

    Raises:
        ValueError: an unknown format.
    """
    if fmt == "json":
        out.write(json.dumps(word_map_json(wm, view, settings), ensure_ascii=False, indent=1) + "\n")
    elif fmt == "csv":
        frame = view.frame().drop(columns=["point"])
        frame["x"], frame["y"] = frame["x"].round(5), frame["y"].round(5)
        frame.to_csv(out, index=False)
    elif fmt == "html":
        out.write(word_map_figure(view).to_html(include_plotlyjs=True, full_html=True))
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")


def default_name(word: str, space: str, fmt: str) -> Path:
    """``wordmap_bank_bert.json``: a file name for one view."""
    safe = "".join(ch if ch.isalnum() else "_" for ch in word)[:40] or "word"
    return Path(f"wordmap_{safe}_{space}.{fmt}")
