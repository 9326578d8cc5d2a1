"""The maps of a page: which points (the text's words, a spotlighted word, WordNet's examples), how they look, and
their coordinates in each space from one family of alpha frames (BERT = frame 1, static = frame 0)."""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from embedkit.alpha_frames import AlphaFrames
from embedkit.embedded_text import EmbeddedText
from embedkit.options import SPACES
from embedkit.spotlight import Spotlight
from embedkit.text import content_indices, content_word_counts
from embedkit.wordvectors import WordVectors
from embedkit_app import controls, loaders, selection, state, tables, word_maps
from embedkit_app.embedding import embed_key, require_embedding
from embedkit_app.examples import get_example
from embedkit_app.map_figure import PALETTE, SYMBOLS, Group, MapPoints, map_figure
from embedkit_app.widgets import show_error
from embedkit_app.word_maps import WordMapPage

#: Fewer points than this are laid out by PCA (UMAP needs many points to mean anything).
SMALL = 30
#: Repeated content words that get their own colour and label when no word is spotlighted.
MAX_TYPES = 8
OTHER = "other"
#: "Play alpha" shows every PLAY_EVERY-th frame of the grid: half the bytes sent on every alpha move.
PLAY_EVERY = 2
UNKNOWN = "unknown sense"
OTHER_SENSES = "other senses"
#: Senses of a spotlighted word that get their own colour (the text's first), and sentences when no sense is known.
MAX_SENSES = 5
MAX_SENTENCES = 6
TITLES = {"bert": "BERT — one vector per occurrence", "static": "Static — one vector per word"}


@dataclass(frozen=True)
class MapView:
    """Everything the maps of one page draw.

    Attributes:
        source: the vectors the rows index (the text, plus WordNet's example sentences when asked for).
        rows: the laid-out rows of ``source``.
        points: per row, its id, label, hover text and legend group.
        styles: legend group -> look, in legend order.
        frames: the layouts of ``rows`` at every alpha.
        spot: the spotlight, or None.
        mode: the fusion mode.
    """

    source: WordVectors
    rows: np.ndarray
    points: MapPoints
    styles: dict[str, Group]
    frames: AlphaFrames
    spot: Spotlight | None
    mode: str

    def coords(self, space: str, alpha: float) -> tuple[MapPoints, np.ndarray]:
        """The points a map of ``space`` shows and their coordinates (OOV words have no static vector)."""
        if space == "bert":
            return self.points, self.frames.bert
        if space == "fused":
            return self.points, self.frames.at(alpha)
        keep = ~np.asarray(self.source.oov, bool)[self.rows]
        return self.points.take(keep), self.frames.static[keep]


def _hover(emb: EmbeddedText, i: int) -> str:
    oov = " · not in static vocabulary" if bool(emb.oov[i]) else ""
    return f"{emb.words[i]}  (sentence {int(emb.sentence_id[i]) + 1}{oov})\n{textwrap.fill(emb.context(i), 60)}"


def _word_points(emb: EmbeddedText, rows: np.ndarray, labels: bool) -> tuple[MapPoints, dict[str, Group]]:
    """Without a spotlight: the most repeated content words coloured and labelled, the rest pale."""
    counts = content_word_counts(emb.words, rows)
    repeated = sorted((w for w, c in counts.items() if c > 1), key=lambda w: -counts[w])[:MAX_TYPES]
    order = [w for w in counts if w in repeated]  # first appearance
    styles = {
        w: Group(w, PALETTE[n % len(PALETTE)], SYMBOLS[(n // len(PALETTE)) % len(SYMBOLS)]) for n, w in enumerate(order)
    }
    styles[OTHER] = Group("other words", "#9AA3AF", faded=True)
    groups = [emb.words[i].lower() if emb.words[i].lower() in styles else OTHER for i in rows.tolist()]
    texts = [emb.words[i] if (labels and g != OTHER) else "" for i, g in zip(rows.tolist(), groups)]
    hovers = [_hover(emb, i) for i in rows.tolist()]
    return MapPoints(rows, texts, hovers, groups, np.zeros(len(rows), bool)), styles


def _sense_styles(spot: Spotlight) -> tuple[list[str], dict[str, Group]]:
    """Legend groups of the spotlight's points: by sense where it is known (the text's senses first, then WordNet's
    commonest, up to :data:`MAX_SENSES` colours, the rest in one pale entry), else by sentence (up to
    :data:`MAX_SENTENCES` of them as squares, the rest in one entry)."""
    counts: dict[str, int] = {}
    for sense in spot.senses:
        if sense is not None:
            counts[sense] = counts.get(sense, 0) + 1
    in_text = [s for s, t in zip(spot.senses, spot.from_text.tolist()) if t and s is not None]
    rest = sorted((s for s in counts if s not in in_text), key=lambda s: (-counts[s], s))
    coloured = list(dict.fromkeys(in_text + rest))[:MAX_SENSES]
    sentences = list(dict.fromkeys(o for s, o in zip(spot.senses, spot.origins) if s is None))[:MAX_SENTENCES]
    styles: dict[str, Group] = {}
    for n, sense in enumerate(coloured):
        styles[sense] = Group(f"{sense}: {spot.glosses.get(sense, '')}", PALETTE[n % len(PALETTE)], SYMBOLS[0])
    for n, origin in enumerate(sentences, start=len(coloured)):
        styles[origin] = Group(f"{spot.word} in {origin} (sense not given)", PALETTE[n % len(PALETTE)], SYMBOLS[1])
    if len(counts) > len(coloured):
        styles[OTHER_SENSES] = Group(f"{spot.word}: {len(counts) - len(coloured)} other senses (WordNet)", "#6B7280")
    if None in spot.senses and len(sentences) < len({o for s, o in zip(spot.senses, spot.origins) if s is None}):
        styles[UNKNOWN] = Group(f"{spot.word} in other sentences (sense not given)", "#6B7280", SYMBOLS[1])
    groups = [
        (o if o in styles else UNKNOWN) if s is None else (s if s in styles else OTHER_SENSES)
        for s, o in zip(spot.senses, spot.origins)
    ]
    return groups, styles


def _spot_points(
    emb: EmbeddedText, spot: Spotlight, rows: np.ndarray, labels: bool
) -> tuple[MapPoints, dict[str, Group]]:
    """With a spotlight: its points coloured by sense (else by sentence), WordNet's examples as rings."""
    point_groups, styles = _sense_styles(spot)
    styles[OTHER] = Group("other words", "#9AA3AF", faded=True)
    where = {int(p): n for n, p in enumerate(spot.points.tolist())}
    groups, texts, hovers = [], [], []
    for r in rows.tolist():
        k = where.get(r)
        groups.append(point_groups[k] if k is not None else OTHER)
        if r < spot.n_text_rows:
            texts.append(f"{spot.word} {spot.origins[k]}" if (labels and k is not None) else "")
            hovers.append(_hover(emb, r))
        else:
            assert k is not None  # every example row on the map is a spotlight point
            gloss = textwrap.fill(spot.glosses.get(spot.senses[k] or "", ""), 60)
            texts.append("")
            hovers.append(f"{spot.word} · WordNet {spot.senses[k]}\n{gloss}\n“{textwrap.fill(spot.contexts[k], 60)}”")
    return MapPoints(rows, texts, hovers, groups, rows >= spot.n_text_rows), styles


def map_view(
    emb: EmbeddedText, rows: np.ndarray, word: str, wordnet: bool, rest: str, mode: str, method: str, labels: bool
) -> MapView:
    """The maps' points, looks and frames (cached per text, spotlight, rows, mode and method)."""
    key = embed_key()
    spot = None
    if word:
        known = tuple(get_example(st.session_state.get(state.EXAMPLE)).known_senses().items())
        spot = loaders.spotlight(emb, key, word, wordnet, state.model_config(), known)
    source: WordVectors = spot.source if spot is not None else emb
    if spot is None:
        lay = np.asarray(rows, dtype=np.int64)
    elif rest == "hidden":
        lay = spot.points
    else:
        lay = np.concatenate([np.asarray(rows, dtype=np.int64), spot.points[~spot.from_text]])
    method = "pca" if len(lay) < SMALL else method
    bar = st.empty()

    def progress(done: int, total: int) -> None:
        bar.progress(
            done / max(total, 1), text=f"Laying out the maps for every alpha (once per text): {done} / {total}"
        )

    frame_key = f"{key}:{word}:{wordnet}:{rest}:{hash(lay.tobytes())}"
    frames = loaders.shared_alpha_frames(source, lay, frame_key, mode, method, progress)
    bar.empty()
    points, styles = _spot_points(emb, spot, lay, labels) if spot is not None else _word_points(emb, lay, labels)
    return MapView(source, lay, points, styles, frames, spot, mode)


@dataclass(frozen=True)
class PageMaps:
    """What a page of maps set up: the embedded text, the shown rows, the view settings and the maps.

    Attributes:
        emb: the embedded text.
        rows: the occurrences shown (punctuation filter applied).
        view: projection, labels, punctuation.
        maps: the points and frames of the map of all words (None while a word's own map is shown).
        requested: the projection asked for (the maps use PCA for few points).
        word: the spotlighted word's own map (None: the map of all words is shown).
        mode: the fusion mode.
    """

    emb: EmbeddedText
    rows: np.ndarray
    view: controls.View
    maps: MapView | None
    requested: str
    word: WordMapPage | None = None
    mode: str = "weighted"


def page_maps() -> PageMaps:
    """The shared top of the map pages: fusion and view controls, the embedding, the spotlight pickers, then the
    spotlighted word's own map, or the map of all words (stops the page with a plain error when they cannot be
    drawn)."""
    mode = controls.fusion_mode()
    view = controls.view_controls()
    emb = require_embedding()
    rows = content_indices(emb.words, view.hide_punct)
    pick = selection.spotlight_controls(emb, rows)
    try:
        if pick.own_map:
            wm = word_maps.get_word_map(emb, embed_key(), pick.word)
            return PageMaps(emb, rows, view, None, "pca", WordMapPage(wm, mode), mode)
        method = controls.projection_method(view.proj)
        mv = map_view(emb, rows, pick.word, pick.wordnet, pick.rest, mode, method, view.labels)
    except (ValueError, RuntimeError, OSError, KeyError) as exc:
        show_error(exc, "Could not draw the maps")
        st.stop()
    return PageMaps(emb, rows, view, mv, method, None, mode)


def _with_selected_label(points: MapPoints, emb: EmbeddedText, selected: int | None, labels: bool) -> MapPoints:
    if not labels or selected is None:
        return points
    where = np.flatnonzero(points.ids == selected)
    if not len(where) or points.labels[int(where[0])]:
        return points
    texts = list(points.labels)
    texts[int(where[0])] = emb.words[int(selected)]
    return MapPoints(points.ids, texts, points.hovers, points.groups, points.hollow)


#: What the play button says about the frames: PCA frames are one linear map of the fused vectors (an exact morph),
#: UMAP lays out every alpha again (starting from its neighbour), so points can jump between frames.
PLAY_LABELS = {
    "pca": "▶ play alpha 0 → 1 · PCA: an exact morph",
    "umap": "▶ play alpha 0 → 1 · UMAP re-lays out each α",
}


def figure(
    view: MapView,
    emb: EmbeddedText,
    space: str,
    alpha: float,
    *,
    selected: int | None,
    labels: bool,
    big: bool = False,
    height: int | None = None,
    legend: bool = True,
) -> go.Figure:
    """The map of one space; the fused map carries the "play alpha" frames (ending at the slider's alpha), each with
    its alpha in its title. ``height=None``: the page sizes the map (see :func:`draw`)."""
    points, xy = view.coords(space, alpha)
    points = _with_selected_label(points, emb, selected, labels)
    fused_title = f"Fused — {controls.MODE_LABELS[view.mode]}, α={{:.2f}}"
    now = float(view.frames.alphas[view.frames.index(alpha)])
    title = fused_title.format(now) if space == "fused" else TITLES[space]
    frames: list[tuple[str, np.ndarray]] = []
    if space == "fused":  # play alpha: every other frame (0, 0.1, ..., 1; plotly glides between them), then back
        frames = [
            (fused_title.format(a), view.frames.coords[n])
            for n, a in enumerate(view.frames.alphas.tolist())
            if n % PLAY_EVERY == 0 or n == len(view.frames.alphas) - 1
        ]
        frames.append((title, xy))
    meta = {"space": space, "alpha": round(now, 2), "mode": view.mode}
    fig = map_figure(
        xy,
        points,
        view.styles,
        title=title,
        selected=selected,
        height=height,
        big=big,
        meta=meta,
        frames=frames,
        ring_text=emb.words[selected] if selected is not None and 0 <= selected < len(emb) else "",
        legend=legend,
        play_label=PLAY_LABELS.get(view.frames.method, PLAY_LABELS["umap"]),
    )
    if not legend:  # maps side by side (one legend for them all): the same room below each, for the play button
        fig.update_layout(margin_b=44)
    return fig


def play_note(view: MapView) -> str:
    """One line on how "play alpha" moves the points, for beside the fused map."""
    if view.frames.method == "pca":
        return (
            "▶ play alpha: every frame is the same PCA projection of the fused vectors, so the points glide "
            "exactly from the static map (α = 0) to the BERT map (α = 1)."
        )
    return (
        "▶ play alpha: UMAP lays out each alpha again (starting from the frame before), so a point may jump "
        "between frames because of the layout, not of its vector. Projection PCA (sidebar) morphs exactly."
    )


def legend(view: MapView) -> None:
    """One legend for maps drawn side by side (their colours are the same), as coloured dots; long names wrap."""
    items = []
    for style in view.styles.values():
        colour = "#9AA3AF" if style.faded else style.colour
        items.append(
            f'<span style="display:inline-block;margin-right:1.2em"><span style="color:{colour};font-size:1.3em">●'
            f"</span> {html.escape(style.name)}</span>"
        )
    st.html(f'<div style="font-size:1rem;line-height:1.45">{"".join(items)}</div>')


def sense_heading(spot: Spotlight, *, brief: bool = False) -> None:
    """What the sense numbers are about: the word, its occurrences with a known sense and how many senses."""
    n_senses = len({s for s in spot.senses if s is not None})
    if not spot.has_senses:
        st.markdown(f"**“{spot.word}”: how alike its occurrences are** (no sense is known for them)")
    elif brief:
        st.markdown(f"**Senses of “{spot.word}”**: {int(spot.labelled.sum())} occurrences, {n_senses} senses")
    else:
        st.markdown(
            f"**How well each space separates the senses of “{spot.word}”** "
            f"({int(spot.labelled.sum())} occurrences with a known sense, {n_senses} senses): the numbers under "
            "each map"
        )


def lone_note(spot: Spotlight) -> str:
    """Which occurrences *nearest is same sense* leaves out, and why ("" when none)."""
    lone = tables.lone_senses(spot)
    if not lone or not spot.has_senses:
        return ""
    which = ", ".join(lone)
    verb = "is the only occurrence of its sense" if len(lone) == 1 else "are each the only occurrence of their sense"
    return (
        f"{which} {verb}: no other occurrence could share its sense, so *nearest is same sense* leaves it out "
        "(*… over occurrences* says how many it rests on). Turn on WordNet's examples to give it company."
    )


def sense_caption(spot: Spotlight, why: str = "") -> None:
    """How to read the sense numbers (and why the encoder uses its options, when there is evidence)."""
    if not spot.has_senses:
        st.caption("Turn on WordNet's examples to add occurrences labelled by sense.")
    else:
        st.caption(
            "Mean cosine of pairs of occurrences in the same sense and in different senses; *nearest is same sense*: "
            "the share of occurrences whose most similar other occurrence has their sense (ties split), beside the "
            "chance of a random one, which is what identical vectors score; *… over occurrences*: how many "
            "occurrences it rests on. A static table gives every occurrence one vector: 1.00, 1.00 and chance."
        )
    if why:
        st.caption(f"Encoder options: {why}")


def sense_numbers(
    spot: Spotlight, mode: str, alpha: float, spaces: tuple[str, ...] = SPACES, *, brief: bool = False
) -> None:
    """The table of sense numbers of some spaces (one column each; ``brief``: see :func:`tables.sense_table`)."""
    st.table(tables.sense_table(spot, mode, alpha, spaces, brief=brief))


def neighbour_list(frame: pd.DataFrame) -> None:
    """A neighbour table in a narrow column: a plain table whose sentences wrap (never cut off at the edge)."""
    shown = frame.copy()
    if "cosine" in shown:
        shown["cosine"] = [f"{x:.2f}" for x in shown["cosine"]]
    st.table(shown)


def fit_to_screen(heights: dict[str, str], *, big_text: tuple[str, ...] = ()) -> None:
    """Give the maps drawn with :func:`draw` ``fit=True`` a height from the screen's: ``{KEY: CSS height}``, e.g.
    ``{"map_presenter": "calc(100vh - 120px)"}`` (Streamlit knows no screen size; the browser does); and the text
    of the containers keyed ``big_text`` a size a room can read."""
    rules = "".join(
        f".st-key-fit_{key} {{height: {css} !important; min-height: {css} !important;}}" for key, css in heights.items()
    )
    rules += "".join(f".st-key-{key} [data-testid='stMarkdownContainer'] p {{font-size: 1.1rem;}}" for key in big_text)
    st.html(f"<style>{rules}</style>")


def draw(fig: go.Figure, key: str, *, fit: bool = False, select: bool = True) -> None:
    """Show a map; a click on a point of the text selects that occurrence on every map and page.

    Args:
        fig: the map.
        key: the chart's key (its selection events arrive under it).
        fit: fill a box whose height :func:`fit_to_screen` set for ``key`` (the figure has no height of its own).
        select: a click selects an occurrence of the text (False: a word map, whose points are not occurrences).
    """
    kwargs: dict[str, Any] = dict(
        key=key,
        config={"displaylogo": False, "toImageButtonOptions": {"scale": 2}},
        theme=None,  # the figure brings its own look; Streamlit's theme would redraw it a second time
    )
    if select:
        kwargs.update(on_select=partial(selection.on_map_select, key), selection_mode="points")
    if not fit:
        st.plotly_chart(fig, **kwargs)
        return
    with st.container(key=f"fit_{key}"):
        st.plotly_chart(fig, height="stretch", **kwargs)


def static_note(align: str) -> str:
    """What the static map shows, when it is not what the static tables and numbers use: the map is the fused map at
    alpha 0, ``P e`` (so it morphs into BERT's); the tables use the raw ``e``. A rotation (procrustes) or zero-padding
    keeps every cosine of ``e``, so the two agree; least squares does not."""
    if align != "lstsq":
        return ""
    return (
        "The static map shows P e, the static vectors mapped into BERT's space by least squares, which changes their "
        "geometry; the static neighbour tables and sense numbers use the raw static vectors e."
    )
