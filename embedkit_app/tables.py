"""Tables as the pages show them: the core's neighbour table cut per space into rank, word, cosine, sentence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from embedkit.embedded_text import EmbeddedText
from embedkit.options import SPACES
from embedkit.spotlight import Spotlight

__all__ = [
    "KWIC_WORDS",
    "SPACES",
    "SPACE_TITLES",
    "kwic",
    "lone_senses",
    "occurrence_label",
    "sense_table",
    "shown_neighbours",
]

SPACE_TITLES: dict[str, str] = {"bert": "BERT (contextual)", "static": "Static", "fused": "Fused"}
#: Words either side of the marked word when a sentence is shown in a narrow column.
KWIC_WORDS = 4


def kwic(context: str, words: int = KWIC_WORDS) -> str:
    """``…on the river [bank] and watched the…``: the marked word (in brackets) with ``words`` words either side."""
    a, b = context.find("["), context.rfind("]")
    if a < 0 or b < a:
        return context
    left, right = context[:a].split(), context[b + 1 :].split()
    head = ("…" if len(left) > words else "") + " ".join(left[-words:] if words else [])
    tail = " ".join(right[:words]) + ("…" if len(right) > words else "")
    glue = "" if context[b + 1 : b + 2] in ("", ".", ",", ";", ":", "!", "?") else " "
    return f"{head} {context[a : b + 1]}{glue}{tail}".strip()


def shown_neighbours(frame: pd.DataFrame, space: str, among: str = "input", window: int | None = None) -> pd.DataFrame:
    """One list of :func:`embedkit.neighbours.neighbour_table` as users read it: rank, word, cosine (, sentence; with
    ``window``, only that many words either side of the neighbour, for a narrow column)."""
    part = frame[(frame["space"] == space) & (frame["among"] == among)]
    out = pd.DataFrame(
        {
            "rank": part["rank"].to_numpy(),
            "word": part["word"].to_numpy(),
            "cosine": np.round(part["cosine"].to_numpy(dtype=float), 3),
        }
    )
    if among == "input":
        cut = (lambda c: kwic(c, window)) if window is not None else (lambda c: c)
        out["in sentence"] = [f"s{s}: {cut(c)}" for s, c in zip(part["sentence"], part["context"])]
    return out.set_index("rank")


def occurrence_label(emb: EmbeddedText, i: int) -> str:
    """``bank — s2: The bank raised its interest rates.`` (plain text, long sentences cut)."""
    s = int(emb.sentence_id[i])
    sentence = emb.sentences[s]
    if len(sentence) > 70:
        sentence = sentence[:67] + "…"
    return f"{emb.words[i]} — s{s + 1}: {sentence}"


def _fmt(x: float) -> str:
    return "–" if np.isnan(x) else f"{x:.2f}"


def sense_table(
    spot: Spotlight, mode: str, alpha: float, spaces: Sequence[str] = SPACES, *, brief: bool = False
) -> pd.DataFrame:
    """How well each space separates the spotlighted word's senses: one column per space, numbers as text.

    With senses known for at least two points: the mean cosine of same-sense and of cross-sense pairs, and the
    nearest-neighbour sense accuracy beside its chance level (the tie baseline, what identical vectors score), with
    how many occurrences it rests on (an occurrence alone in its sense has no neighbour that could be right: it is
    left out, and the row says so). Otherwise only the mean cosine between the word's occurrences. ``brief``: the
    fused column is headed *fused* alone, for a narrow column right under the alpha slider (Presenter).
    """
    names = {"bert": "BERT", "static": "static", "fused": "fused" if brief else f"fused α={alpha:.2f}"}
    if not spot.has_senses:
        mean = spot.mean_cosine(mode, alpha, only=spaces)
        return pd.DataFrame({names[s]: [_fmt(mean[s])] for s in spaces}, index=["cosine, all pairs"])
    sep = spot.separation(mode, alpha, only=spaces)
    labelled = int(spot.labelled.sum())
    rows = {
        "cosine, same sense": lambda x: _fmt(x.same),
        "cosine, different senses": lambda x: _fmt(x.cross),
        "nearest is same sense": lambda x: _fmt(x.accuracy),
        "… by chance": lambda x: _fmt(x.baseline),
        "… over occurrences": lambda x: f"{x.n} of {labelled}",
    }
    return pd.DataFrame({names[s]: [get(sep[s]) for get in rows.values()] for s in spaces}, index=list(rows))


def lone_senses(spot: Spotlight) -> list[str]:
    """The occurrences left out of *nearest is same sense* (their sense has no other occurrence), as ``bank s1
    (bank.n.01)``: no neighbour of theirs could have their sense."""
    counts: dict[str, int] = {}
    for sense in spot.senses:
        if sense is not None:
            counts[sense] = counts.get(sense, 0) + 1
    return [
        f"{spot.word} {origin} ({sense})"
        for sense, origin in zip(spot.senses, spot.origins)
        if sense is not None and counts[sense] == 1
    ]
