"""Small numpy helpers the pages draw from (no streamlit here, so they are easy to test).

They only combine what :mod:`embedkit` computes: spaces of an ``EmbeddedText``, cosine neighbours.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

SPACES: tuple[str, ...] = ("bert", "static", "fused")
SPACE_TITLES: dict[str, str] = {"bert": "BERT (contextual)", "static": "Static", "fused": "Fused"}


def is_punctuation(word: str) -> bool:
    """True for a token made only of punctuation or symbols (``.``, ``,``, ``—``, emoji stay words)."""

    def punct(ch: str) -> bool:
        cat = unicodedata.category(ch)
        return cat[0] == "P" or (cat[0] == "S" and ord(ch) < 0x2000)  # emoji (So, high code points) stay

    return bool(word) and all(punct(ch) for ch in word)


def content_indices(words: Sequence[str], hide_punctuation: bool = True) -> np.ndarray:
    """Indices of the occurrences to show (all, or all but punctuation)."""
    if not hide_punctuation:
        return np.arange(len(words))
    keep = [i for i, w in enumerate(words) if not is_punctuation(w)]
    return np.asarray(keep if keep else range(len(words)), dtype=int)


def normalize_rows(X: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    X = np.asarray(X, dtype=np.float32)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms == 0, 1, norms)


def cosine_matrix(X: np.ndarray) -> np.ndarray:
    """Pairwise cosine similarities of the rows of ``X``."""
    U = normalize_rows(X)
    return np.clip(U @ U.T, -1.0, 1.0)


def neighbour_rows(
    query: np.ndarray, table: np.ndarray, k: int, *, exclude: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``table`` nearest to ``query`` by cosine (``exclude``: a row to leave out)."""
    from embedkit.neighbours import top_k

    ex = None if exclude is None else np.asarray([[exclude]])
    k = max(1, min(k, len(table) - (0 if exclude is None else 1)))
    idx, sims = top_k(np.asarray(query, dtype=np.float32)[None, :], table, k=k, exclude=ex)
    return np.asarray(idx[0]), np.asarray(sims[0])


def neighbour_frame(emb: Any, occurrences: np.ndarray, sims: np.ndarray) -> pd.DataFrame:
    """A neighbour table of occurrences as users read it: rank, word, cosine, sentence."""
    occ = [int(i) for i in occurrences]
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(occ) + 1),
            "word": [emb.words[i] for i in occ],
            "cosine": np.round(np.asarray(sims, dtype=float), 3),
            "in sentence": [f"s{int(emb.sentence_id[i]) + 1}: {context_text(emb, i)}" for i in occ],
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


def jaccard(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> float:
    """Jaccard overlap of two index sets."""
    sa, sb = set(int(x) for x in a), set(int(x) for x in b)
    return len(sa & sb) / len(sa | sb) if (sa or sb) else 1.0


def jaccard_curves(
    emb: Any, query: int, mode: str, k: int, candidates: np.ndarray, *, steps: int = 11
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Overlap of the fused top-k set with the BERT and the static top-k sets, for alpha 0..1.

    Args:
        emb: An ``EmbeddedText``.
        query: The occurrence whose neighbours are compared.
        mode: Fusion mode.
        k: Neighbours per set.
        candidates: Occurrence indices that may be neighbours (the query itself is excluded).
        steps: Number of alpha values.

    Returns:
        ``(alphas, jaccard vs BERT, jaccard vs static)``.
    """
    cand = np.asarray([c for c in candidates if c != query], dtype=int)
    alphas = np.linspace(0.0, 1.0, steps)
    if cand.size == 0:
        return alphas, np.ones(steps), np.ones(steps)

    def top(X: np.ndarray) -> np.ndarray:
        idx, _ = neighbour_rows(X[query], X[cand], k)
        return cand[idx]

    bert_set = top(emb.space("bert"))
    static_set = top(emb.space("static"))
    vs_bert, vs_static = [], []
    for a in alphas:
        fused_set = top(emb.space("fused", mode=mode, alpha=float(a)))
        vs_bert.append(jaccard(fused_set, bert_set))
        vs_static.append(jaccard(fused_set, static_set))
    return alphas, np.asarray(vs_bert), np.asarray(vs_static)


def pair_curves(emb: Any, i: int, j: int, mode: str, *, steps: int = 21) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Cosine between occurrences ``i`` and ``j`` under BERT, static and fused, for alpha 0..1."""
    alphas = np.linspace(0.0, 1.0, steps)

    def cos(X: np.ndarray) -> float:
        return float(cosine_matrix(X[[i, j]])[0, 1])

    bert = cos(emb.space("bert"))
    static = cos(emb.space("static"))
    fused = [cos(emb.space("fused", mode=mode, alpha=float(a))) for a in alphas]
    return alphas, {"bert": np.full(steps, bert), "static": np.full(steps, static), "fused": np.asarray(fused)}


def vectors_frame(emb: Any, X: np.ndarray) -> pd.DataFrame:
    """One row per occurrence: sentence, position, word, then the vector components ``d0..``."""
    meta = pd.DataFrame(
        {
            "sentence": np.asarray(emb.sentence_id) + 1,
            "position": np.asarray(emb.position),
            "word": list(emb.words),
            "oov": np.asarray(emb.oov, dtype=bool),
        }
    )
    vec = pd.DataFrame(np.asarray(X, dtype=np.float32), columns=[f"d{c}" for c in range(X.shape[1])])
    return pd.concat([meta, vec], axis=1)


def coordinates_frame(emb: Any, coords: dict[str, np.ndarray], rows: np.ndarray) -> pd.DataFrame:
    """Map coordinates per space for the shown occurrences (columns ``bert_x``, ``bert_y``, …)."""
    out = pd.DataFrame(
        {
            "occurrence": rows,
            "sentence": np.asarray(emb.sentence_id)[rows] + 1,
            "word": [emb.words[int(i)] for i in rows],
        }
    )
    axes = "xyz"
    for name, xy in coords.items():
        for c in range(xy.shape[1]):
            out[f"{name}_{axes[c]}"] = np.round(xy[:, c], 5)
    return out


def projector_tsv(emb: Any, X: np.ndarray) -> tuple[str, str]:
    """The TensorBoard Embedding Projector pair: ``vectors.tsv`` (no header) and ``metadata.tsv``."""

    def clean(text: str) -> str:
        return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")

    vectors = "\n".join("\t".join(f"{v:.6g}" for v in row) for row in np.asarray(X, dtype=np.float32)) + "\n"
    lines = ["word\tsentence\tcontext"]
    for i, w in enumerate(emb.words):
        lines.append(f"{clean(w)}\t{int(emb.sentence_id[i]) + 1}\t{clean(emb.sentences[int(emb.sentence_id[i])])}")
    return vectors, "\n".join(lines) + "\n"


def occurrence_label(emb: Any, i: int) -> str:
    """``bank — s2: The bank raised its interest rates.`` (plain text)."""
    s = int(emb.sentence_id[i])
    sentence = emb.sentences[s]
    if len(sentence) > 70:
        sentence = sentence[:67] + "…"
    return f"{emb.words[i]} — s{s + 1}: {sentence}"


def context_text(emb: Any, i: int) -> str:
    """The sentence with the word marked by brackets (plain text; the plots escape it)."""
    s = int(emb.sentence_id[i])
    sentence: str = emb.sentences[s]
    start, end = int(emb.start[i]), int(emb.end[i])
    return f"{sentence[:start]}[{sentence[start:end]}]{sentence[end:]}"


STOPWORDS = frozenset(
    "a an and are as at be but by for from had has have he her his i in is it its of on or she so that the "
    "their them they this to was we were what when which who will with you".split()
)


def repeated_types(words: Sequence[str], candidates: np.ndarray) -> dict[str, list[int]]:
    """Word types (lower-cased) that occur at least twice among ``candidates``, with their occurrences.

    Content words come first (the polysemous "bank" before "the"), in order of first appearance.
    """
    groups: dict[str, list[int]] = {}
    for i in candidates:
        groups.setdefault(words[int(i)].lower(), []).append(int(i))
    repeated = [(w, occ) for w, occ in groups.items() if len(occ) > 1]
    repeated.sort(key=lambda item: item[0] in STOPWORDS)
    return dict(repeated)


def vocab_spaces(vocab: Any, mode: str, alpha: float) -> dict[str, np.ndarray]:
    """The vocabulary's vectors in each space; each word is fused on its own (no sentence context)."""
    from embedkit.fusion import fuse

    n = len(vocab.words)
    fused = fuse(vocab.bert, vocab.static, vocab.static_mapped, mode, alpha, sentence_ids=np.arange(n)).vectors
    return {"bert": vocab.bert, "static": vocab.static, "fused": fused}
