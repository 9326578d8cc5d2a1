"""Tables as the pages show them: neighbour lists with rank, word, cosine and sentence (no streamlit here)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from embedkit.embedding import EmbeddedText
from embedkit.neighbours import top_k

SPACES: tuple[str, ...] = ("bert", "static", "fused")
SPACE_TITLES: dict[str, str] = {"bert": "BERT (contextual)", "static": "Static", "fused": "Fused"}


def neighbour_rows(query: np.ndarray, table: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``table`` nearest to the vector ``query`` by cosine: ``(indices, cosines)``."""
    k = max(1, min(k, len(table)))
    idx, sims = top_k(np.asarray(query, dtype=np.float32)[None, :], table, k=k)
    return idx[0], sims[0]


def neighbour_frame(emb: EmbeddedText, occurrences: np.ndarray, sims: np.ndarray) -> pd.DataFrame:
    """A neighbour table of occurrences as users read it: rank, word, cosine, sentence."""
    occ = [int(i) for i in occurrences]
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(occ) + 1),
            "word": [emb.words[i] for i in occ],
            "cosine": np.round(np.asarray(sims, dtype=float), 3),
            "in sentence": [f"s{int(emb.sentence_id[i]) + 1}: {emb.context(i)}" for i in occ],
        }
    ).set_index("rank")


def vocab_frame(words: Sequence[str], idx: np.ndarray, sims: np.ndarray) -> pd.DataFrame:
    """A neighbour table of vocabulary words: rank, word, cosine."""
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(idx) + 1),
            "word": [words[int(i)] for i in idx],
            "cosine": np.round(np.asarray(sims, dtype=float), 3),
        }
    ).set_index("rank")


def occurrence_label(emb: EmbeddedText, i: int) -> str:
    """``bank — s2: The bank raised its interest rates.`` (plain text, long sentences cut)."""
    s = int(emb.sentence_id[i])
    sentence = emb.sentences[s]
    if len(sentence) > 70:
        sentence = sentence[:67] + "…"
    return f"{emb.words[i]} — s{s + 1}: {sentence}"
