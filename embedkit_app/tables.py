"""Tables as the pages show them: the core's neighbour table cut per space into rank, word, cosine, sentence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from embedkit.embedded_text import EmbeddedText
from embedkit.spotlight import Spotlight
from embedkit.wordvectors import SPACES

__all__ = ["SPACES", "SPACE_TITLES", "occurrence_label", "sense_table", "shown_neighbours"]

SPACE_TITLES: dict[str, str] = {"bert": "BERT (contextual)", "static": "Static", "fused": "Fused"}


def shown_neighbours(frame: pd.DataFrame, space: str, among: str = "input") -> pd.DataFrame:
    """One list of :func:`embedkit.neighbours.neighbour_table` as users read it: rank, word, cosine (, sentence)."""
    part = frame[(frame["space"] == space) & (frame["among"] == among)]
    out = pd.DataFrame(
        {
            "rank": part["rank"].to_numpy(),
            "word": part["word"].to_numpy(),
            "cosine": np.round(part["cosine"].to_numpy(dtype=float), 3),
        }
    )
    if among == "input":
        out["in sentence"] = [f"s{s}: {c}" for s, c in zip(part["sentence"], part["context"])]
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


def sense_table(spot: Spotlight, mode: str, alpha: float, spaces: Sequence[str] = SPACES) -> pd.DataFrame:
    """How well each space separates the spotlighted word's senses: one column per space, numbers as text.

    With senses known for at least two points: the mean cosine of same-sense and of cross-sense pairs, and the
    nearest-neighbour sense accuracy beside its chance level (the tie baseline, what identical vectors score).
    Otherwise only the mean cosine between the word's occurrences.
    """
    names = {"bert": "BERT", "static": "static", "fused": f"fused α={alpha:.2f}"}
    if not spot.has_senses:
        mean = spot.mean_cosine(mode, alpha)
        return pd.DataFrame({names[s]: [_fmt(mean[s])] for s in spaces}, index=["cosine, all pairs"])
    sep = spot.separation(mode, alpha)
    rows = {
        "cosine, same sense": lambda x: x.same,
        "cosine, different senses": lambda x: x.cross,
        "nearest is same sense": lambda x: x.accuracy,
        "… by chance": lambda x: x.baseline,
    }
    return pd.DataFrame({names[s]: [_fmt(get(sep[s])) for get in rows.values()] for s in spaces}, index=list(rows))
