"""The word's own map in the app: a spotlighted word among its occurrences in many contexts, drawn per space.

The core (:mod:`embedkit.wordmap`) puts the user's occurrences of a word among up to ``sample`` sentences of the
reference corpus (WordNet's glosses and examples), lays them out (one PCA basis for every alpha: play alpha is an
exact morph), clusters and names them per space and scores them. This module builds a map once per text, word and
model (a progress bar for the first build; the reference encodings are cached on disk), and draws it with the same
figure as every map of the app (:func:`embedkit_app.map_figure.map_figure`): clusters by colour, WordNet's
sense-tagged examples as diamonds coloured by sense, the user's occurrences large, ringed and labelled with their
sentence, and the numbers of each space beside it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from embedkit.embedded_text import EmbeddedText
from embedkit.wordmap import DEFAULT_SAMPLE, WordMap, WordMapView, build_word_map
from embedkit_app import loaders, state
from embedkit_app.map_figure import DENSE, FADED, Group, MapPoints, map_figure
from embedkit_app.tables import kwic

__all__ = [
    "CLUSTER_COLOURS",
    "SENSE_COLOURS",
    "WordMapPage",
    "caption",
    "cluster_figure",
    "download_csv",
    "get_word_map",
    "headline",
    "legend_html",
    "numbers_table",
    "placements",
    "word_map_figure",
]

#: Cluster colours (Okabe-Ito blues, greens, orange, purple) and sense colours (vermillion, near black, a dark
#: yellow, a red-purple): a sense-tagged example never takes a cluster's colour.
CLUSTER_COLOURS: tuple[str, ...] = ("#0072B2", "#009E73", "#E69F00", "#56B4E9", "#7F63B8", "#8C9A3C")
SENSE_COLOURS: tuple[str, ...] = ("#D55E00", "#1F2430", "#B8860B", "#CC79A7")
OTHER_SENSES = "other senses"
YOURS = "yours"
#: Words either side of the spotlighted word in a label on the map.
LABEL_WORDS = 2
#: Word maps kept per server (each a few MB).
KEEP = 16
TITLES = {"bert": "BERT — each “{w}” its own place", "static": "Static — one vector for every “{w}”"}


@st.cache_resource(show_spinner=False)
def _store() -> tuple[threading.Lock, OrderedDict[tuple[str, ...], WordMap]]:
    return threading.Lock(), OrderedDict()


def get_word_map(
    emb: EmbeddedText, text_key: str, word: str, *, sample: int = DEFAULT_SAMPLE, method: str = "pca"
) -> WordMap:
    """The word map of ``word`` for the text ``text_key`` and the applied model: built once (with a progress bar:
    the first build encodes the reference sentences, later ones read them from the disk cache), then shared.

    Raises:
        KeyError: the word occurs neither in the text nor in the reference corpus.
    """
    from embedkit_app.examples import get_example

    cfg = state.model_config()
    key = (cfg.key(), text_key, word, str(sample), method)
    lock, maps = _store()
    with lock:
        hit = maps.get(key)
        if hit is not None:
            maps.move_to_end(key)
            return hit
    bar = st.progress(0.0, text=f"Finding “{word}” in WordNet's sentences…")

    def progress(done: int, total: int) -> None:
        what = "Encoding" if done < total - 1 else "Laying out and clustering"
        bar.progress(
            min(1.0, done / max(total, 1)),
            text=f"{what} “{word}” in {sample} WordNet sentences (once per word and model): {done} / {total}",
        )

    known = get_example(st.session_state.get(state.EXAMPLE)).known_senses()
    try:
        wm = build_word_map(
            word, loaders.get_embedder(cfg), text=emb, known=known, sample=sample, method=method, progress=progress
        )
    finally:
        bar.empty()
    with lock:
        maps[key] = wm
        while len(maps) > KEEP:
            maps.popitem(last=False)
    return wm


@dataclass(frozen=True)
class WordMapPage:
    """What the map pages draw of a word map: the map, the mode, and the shared axes of its three spaces.

    Attributes:
        wm: the word map.
        mode: the fusion mode.
        bounds: ``(2, 2)`` axis ranges that hold every space and every alpha (the three maps and the play frames
            share them, so the static spot sits where it is relative to the BERT cloud).
    """

    wm: WordMap
    mode: str

    @cached_property
    def bounds(self) -> np.ndarray:
        _, frames = self.wm.frames(self.mode)
        stacked = np.concatenate([frames.reshape(-1, 2), self.wm.coords("bert"), self.wm.coords("static")])
        return np.stack([stacked.min(0), stacked.max(0)], axis=1)

    def view(self, space: str, alpha: float) -> WordMapView:
        return self.wm.view(space, self.mode, alpha)


def _sense_order(view: WordMapView) -> list[str]:
    """Sense keys that get a colour: the senses of the user's occurrences first, then the commonest."""
    occ = view.points
    assert occ is not None
    mine = [s for s, t in zip(occ.senses, occ.from_text.tolist()) if t and s is not None]
    counts: dict[str, int] = {}
    for s in occ.senses:
        if s is not None:
            counts[s] = counts.get(s, 0) + 1
    rest = sorted((s for s in counts if s not in mine), key=lambda s: (-counts[s], s))
    return list(dict.fromkeys(mine + rest))[: len(SENSE_COLOURS)]


def styles_and_points(
    view: WordMapView, *, labels: bool = True, words: int = LABEL_WORDS
) -> tuple[MapPoints, dict[str, Group]]:
    """Legend groups and points of one space: clusters by colour, sense-tagged examples as diamonds by sense, the
    user's occurrences large and ringed, in their cluster's colour, labelled with their sentence (``words`` words
    either side of the word; 0: their number only, for a narrow map whose sentences are listed under it)."""
    occ = view.points
    assert occ is not None
    n = len(occ)
    mine = occ.from_text
    senses = _sense_order(view)
    clusters = sorted(view.clusters, key=lambda c: -c.size)
    colour = {c.id: CLUSTER_COLOURS[i % len(CLUSTER_COLOURS)] for i, c in enumerate(clusters)}
    styles: dict[str, Group] = {}
    for c in clusters:
        styles[f"c{c.id}"] = Group(f"{c.label} ({c.size})", colour[c.id])
    for i, key in enumerate(senses):
        styles[key] = Group(f"{key}: {occ.glosses.get(key, '')}", SENSE_COLOURS[i], "diamond")
    if any(s is not None and s not in senses for s in occ.senses):
        styles[OTHER_SENSES] = Group(f"{view.word}: other WordNet senses", FADED, "diamond")
    groups: list[str] = []
    for i in range(n):
        sense, cluster = occ.senses[i], int(view.labels[i])
        if mine[i]:
            group = f"{YOURS}{cluster}"
            if group not in styles:
                styles[group] = Group(f"your “{view.word}” in cluster {cluster}", colour[cluster], emphasis=True)
            groups.append(group)
        elif sense is not None:
            groups.append(sense if sense in styles else OTHER_SENSES)
        else:
            groups.append(f"c{cluster}")
    texts = ["" for _ in range(n)]
    if labels:
        number = np.cumsum(mine) * mine  # the user's occurrences in text order: 1, 2, 3
        for i in np.flatnonzero(mine).tolist():
            texts[i] = f"{int(number[i])}: {kwic(occ.context(i), words)}" if words else str(int(number[i]))
        if view.one_point and mine.any():  # one spot: one label that says so
            texts = ["" for _ in range(n)]
            texts[int(np.flatnonzero(mine)[0])] = f"all {n:,} “{view.word}” on this spot"
    hovers = []
    for i in range(n):
        where = "your text" if mine[i] else "WordNet"
        sense_note = f" · {occ.senses[i]}: {occ.glosses.get(occ.senses[i] or '', '')}" if occ.senses[i] else ""
        hovers.append(f"{view.word} · {where}{sense_note}\n“{occ.context(i)}”")
    return MapPoints(np.arange(n), texts, hovers, groups, np.zeros(n, bool)), styles


def caption(page: WordMapPage, *, short: bool = False) -> str:
    """What the points are and how alpha moves them (markdown); ``short``: one line for over the maps."""
    from embedkit_app.widgets import md_escape

    wm = page.wm
    others = wm.sources().get("reference", 0)
    total = wm.available.get("reference", others)
    if short:
        return f"Your {wm.n_text} “{md_escape(wm.word)}” among {others:,} WordNet sentences with it · one dot each"
    where = f"{others:,} of WordNet's {total:,} sentences with it" + (" (a seeded sample)" if total > others else "")
    return (
        f"**Your {wm.n_text} “{md_escape(wm.word)}” among {where}**, one dot per occurrence, projected on these "
        f"occurrences alone · ▶ play alpha: {wm.morph_note(page.mode)}."
    )


def _title(page: WordMapPage, space: str, alpha: float) -> str:
    from embedkit_app.controls import MODE_LABELS

    word = page.wm.word
    if space == "fused":
        return f"Fused — {MODE_LABELS[page.mode]}, α={alpha:.2f}"
    if space == "static" and not page.wm.static_one_point:
        return f"Static — one vector per form of “{word}”"
    return TITLES[space].format(w=word)


def word_map_figure(
    page: WordMapPage, space: str, alpha: float, *, big: bool = False, legend: bool = False
) -> go.Figure:
    """One space of the word map; the fused space carries the play-alpha frames, each titled with its alpha."""
    view = page.view(space, alpha)
    points, styles = styles_and_points(view, words=LABEL_WORDS if big else 0)
    frames: list[tuple[str, np.ndarray]] = []
    if space == "fused":
        alphas, coords = page.wm.frames(page.mode)
        frames = [(_title(page, "fused", float(a)), coords[n]) for n, a in enumerate(alphas.tolist()) if n % 2 == 0]
        frames.append((_title(page, "fused", alpha), view.coords))
    exact = "exact morph (one PCA basis)" if page.wm.exact_morph else "UMAP re-lays out each α"
    fig = map_figure(
        view.coords,
        points,
        styles,
        title=_title(page, space, alpha),
        height=None,
        big=big,
        meta={"space": space, "alpha": round(float(alpha), 2), "mode": page.mode, "word_map": view.word},
        frames=frames,
        bounds=page.bounds,
        legend=legend,
        play_label=f"▶ play alpha 0 → 1 · {exact}",
        count_stacked=False,
    )
    if not legend:
        fig.update_layout(margin_b=44)
    return fig


def legend_html(view: WordMapView) -> str:
    """The legend of one space as HTML lines (names never cut)."""
    import html

    _, styles = styles_and_points(view, labels=False)
    items = []
    for style in styles.values():
        mark = "◆" if style.symbol == "diamond" else "●"
        items.append(
            f'<span style="display:inline-block;margin-right:1em"><span style="color:{style.colour};'
            f'font-size:1.2em">{mark}</span> {html.escape(style.name)}</span>'
        )
    return f'<div style="font-size:0.95rem;line-height:1.4">{"".join(items)}</div>'


def _num(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}" if np.isfinite(x) else "–"


def numbers_table(page: WordMapPage, alpha: float, spaces: Sequence[str]) -> pd.DataFrame:
    """How well some spaces separate the word's senses, a column each; each row says what it rests on (the tagged
    occurrences are the same in every space)."""
    names = {"bert": "BERT", "static": "static", "fused": f"fused α={alpha:.2f}"}
    seps = {space: page.view(space, alpha).separation for space in spaces}
    first = next(iter(seps.values()))
    rows = {
        f"nearest tagged example: same sense ({first.n_scored} tagged)": lambda x: _num(x.accuracy),
        "… by chance": lambda x: _num(x.chance),
        f"clusters match senses, ARI ({first.n_tagged} tagged)": lambda x: _num(x.ari),
        f"clusters ({first.n_points:,} occurrences)": lambda x: str(x.k),
    }
    return pd.DataFrame({names[s]: [get(sep) for get in rows.values()] for s, sep in seps.items()}, index=list(rows))


def headline(page: WordMapPage, alpha: float) -> str:
    """The number a class reads first, per space, in one line (markdown): how often an occurrence's nearest tagged
    example has its sense, beside chance."""
    seps = {space: page.view(space, alpha).separation for space in ("bert", "static", "fused")}
    first = seps["bert"]
    if not np.isfinite(first.accuracy):
        return f"**Senses:** {first.notes[0] if first.notes else 'too few tagged examples to score'}"
    cells = " · ".join(
        f"{name} **{_num(seps[s].accuracy)}**"
        for s, name in (("bert", "BERT"), ("static", "static"), ("fused", "fused"))
    )
    return f"**Nearest tagged example, same sense:** {cells} (chance {_num(first.chance)}; {first.n_scored} tagged)"


def placements(page: WordMapPage, space: str, alpha: float) -> list[str]:
    """Where each of the user's occurrences falls in one space, one line each (markdown-safe plain text)."""
    view = page.view(space, alpha)
    occ = view.points
    assert occ is not None
    out = []
    for j, p in enumerate(view.separation.placements, start=1):
        named = p.cluster_name != f"cluster {p.cluster}"
        where = f"cluster {p.cluster}" + (f" ({p.cluster_name})" if named else "")
        sense = f", nearest tagged examples: {p.sense} ({p.votes} of {p.neighbours})" if p.sense else ""
        out.append(f"{j}: {kwic(occ.context(p.point), LABEL_WORDS)} → {where}{sense}")
    return out


def download_csv(page: WordMapPage, alpha: float) -> bytes:
    """The word map as shown, one row per point and space (``space`` column; fused at ``alpha`` in the mode)."""
    frames = []
    for space in ("bert", "static", "fused"):
        frame = page.view(space, alpha).frame()
        frame.insert(0, "space", space)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).to_csv(index=False).encode("utf-8")


def cluster_figure(
    coords: np.ndarray,
    labels: np.ndarray,
    names: dict[int, str],
    hovers: Sequence[str],
    ids: np.ndarray,
    *,
    title: str,
    selected: int | None = None,
    height: int | None = 520,
) -> go.Figure:
    """A corpus word's sense map (the Corpus page) drawn like every word map: one colour per cluster, the clicked
    occurrence ringed, WebGL (a corpus word may have tens of thousands of occurrences). ``hovers`` may be HTML (a
    context with the word in bold): shown as plain text, the word in brackets."""
    import html
    import re

    order = sorted(names)
    styles = {f"c{c}": Group(names[c], CLUSTER_COLOURS[i % len(CLUSTER_COLOURS)]) for i, c in enumerate(order)}
    groups = [f"c{int(c)}" for c in np.asarray(labels).tolist()]
    plain = [html.unescape(re.sub("</b>", "]", re.sub("<b>", "[", h.replace("<br>", " ")))) for h in hovers]
    points = MapPoints(np.asarray(ids), [""] * len(plain), plain, groups, np.zeros(len(plain), bool))
    sizes = DENSE if len(plain) > 300 else None
    return map_figure(coords, points, styles, title=title, selected=selected, height=height, sizes=sizes, webgl=True)
