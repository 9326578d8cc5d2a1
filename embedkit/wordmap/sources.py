"""Where a word's occurrences come from: the user's text, the bundled reference corpus, a corpus index.

Each source gives :class:`~embedkit.wordmap.occurrences.Occurrences`, so the word map has one code path:

- :func:`text_occurrences`: the word in an embedded text (nothing is encoded again).
- :func:`reference_occurrences`: a seeded sample of the reference sentences with the word (its sense-tagged
  examples first), encoded on demand with the Embedder's model and options and cached on disk by the encoder's
  settings, the static vectors and map, the word, the sample size and the seed.
- :func:`index_occurrences`: rows of a corpus index (its stored vectors; nothing is encoded).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from embedkit.cache import load_array, save_array, stable_hash
from embedkit.corpus.clustering import seeded_sample
from embedkit.fusion import context_cosines
from embedkit.progress import Progress
from embedkit.wordmap.occurrences import Occurrences

if TYPE_CHECKING:
    from embedkit.corpus.index import CorpusIndex
    from embedkit.embedded_text import EmbeddedText
    from embedkit.embedder import Embedder
    from embedkit.reference import ReferenceCorpus
    from embedkit.wordnet import SenseNote

__all__ = [
    "embedder_key",
    "index_occurrences",
    "reference_cache_key",
    "reference_occurrences",
    "reference_sample",
    "text_occurrences",
]

logger = logging.getLogger(__name__)


def _empty(word: str, d: int, d_static: int) -> Occurrences:
    z = np.zeros(0, np.int64)
    return Occurrences(
        word,
        np.zeros((0, d), np.float32),
        np.zeros((0, d_static), np.float32),
        np.zeros((0, d), np.float32),
        np.zeros(0, bool),
        np.zeros((0, 2), np.float32),
        (),
        z,
        z,
        (),
        z,
        (),
    )


def _rows_with_context(emb: EmbeddedText, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The attention cosines of ``rows``, computed on their sentences only (the rest of a long text is not read)."""
    sid = np.asarray(emb.sentence_id)
    keep = np.flatnonzero(np.isin(sid, np.unique(sid[rows])))
    att = context_cosines(emb.h[keep], emb.pe[keep], oov=emb.oov[keep], sentence_ids=sid[keep])
    return att[np.searchsorted(keep, rows)], keep


def text_occurrences(
    emb: EmbeddedText, word: str, known: Mapping[tuple[str, str], SenseNote] | None = None
) -> Occurrences:
    """The occurrences of ``word`` (case-insensitive) in an embedded text.

    Args:
        emb: the embedded text.
        word: the word (lower case).
        known: senses known for some sentences, keyed by ``(sentence, word)`` (the polysemy example's).
    """
    low = word.lower()
    rows = emb.occurrences_of(low)
    if not len(rows):
        return _empty(low, emb.h.shape[1], emb.e.shape[1])
    att, _ = _rows_with_context(emb, rows)
    known = known or {}
    senses: list[str | None] = []
    glosses: dict[str, str] = {}
    sentences = []
    for r in rows.tolist():
        sentence = emb.sentences[int(emb.sentence_id[r])]
        sentences.append(sentence)
        note = known.get((sentence, low))
        senses.append(note.key if note else None)
        if note:
            glosses[note.key] = note.gloss
    return Occurrences(
        low,
        np.asarray(emb.h[rows], np.float32),
        np.asarray(emb.e[rows], np.float32),
        np.asarray(emb.pe[rows], np.float32),
        np.asarray(emb.oov[rows], bool),
        att,
        tuple(sentences),
        np.asarray(emb.start[rows], np.int64),
        np.asarray(emb.end[rows], np.int64),
        ("text",) * len(rows),
        np.asarray(emb.sentence_id[rows], np.int64),
        tuple(senses),
        glosses,
    )


def reference_sample(reference: ReferenceCorpus, word: str, sample: int, seed: int = 0) -> np.ndarray:
    """The reference sentences a word map of ``word`` draws (sorted ids): its sense-tagged examples first (a seeded
    sample of them if there are more than ``sample``), then a seeded sample of the other sentences with the word."""
    ids = reference.sentences_with(word)
    tagged = reference.tagged(word)
    if len(tagged) >= sample:
        return tagged[seeded_sample(len(tagged), sample, seed)]
    rest = np.setdiff1d(ids, tagged)
    chosen = rest[seeded_sample(len(rest), sample - len(tagged), seed)]
    return np.sort(np.concatenate([tagged, chosen]))


def embedder_key(embedder: Embedder) -> str:
    """What fixes the vectors of a reference occurrence: the encoder's settings (post-processing included), the static
    vectors and the fitted map (its matrix itself, so two tables of one name cannot share an entry)."""
    m = embedder.static_map
    digest = hashlib.sha256(np.ascontiguousarray(m.W_).tobytes()).hexdigest()[:16]
    static = embedder.static
    return stable_hash(embedder.encoder.settings_key(), static.name, static.dim, len(static), digest, float(m.scale_))


def reference_cache_key(embedder: Embedder, word: str, sample: int, seed: int, reference: ReferenceCorpus) -> str:
    """The disk cache key of a word's reference encodings (entries ``<key>-h`` and ``<key>-att``)."""
    from embedkit.reference import HEADER

    return stable_hash(
        "wordmap-reference", HEADER, reference.name, len(reference), embedder_key(embedder), word.lower(), sample, seed
    )


def reference_occurrences(
    embedder: Embedder,
    word: str,
    *,
    sample: int = 200,
    seed: int = 0,
    reference: ReferenceCorpus | None = None,
    progress: Progress | None = None,
    use_cache: bool = True,
) -> Occurrences:
    """Up to ``sample`` occurrences of ``word`` in the reference corpus, encoded with ``embedder``.

    One occurrence per sentence (the first). The contextual vectors and attention cosines are cached on disk
    (:mod:`embedkit.cache`) by :func:`embedder_key`, the corpus version, the word, ``sample`` and ``seed``.

    Args:
        embedder: the model, static vectors and map.
        word: the word (one word, lower case).
        sample: the most reference sentences.
        seed: the seed of the sample.
        reference: the corpus (default: the bundled one).
        progress: called with ``(sentences encoded, sentences)``.
        use_cache: read and write the disk cache.
    """
    from embedkit.reference import load_reference

    ref = reference if reference is not None else load_reference()
    low = word.lower()
    drawn = [(i, span) for i in reference_sample(ref, low, sample, seed).tolist() if (span := ref.span(i, low))]
    static_dim = embedder.static.dim
    if not drawn:
        return _empty(low, embedder.encoder.dim, static_dim)
    ids = [i for i, _ in drawn]
    spans = [span for _, span in drawn]
    sentences = [ref.sentences[i] for i in ids]
    key = reference_cache_key(embedder, low, sample, seed, ref)
    cached = _load(key, len(ids), embedder.encoder.dim) if use_cache else None
    forms = [s[a:b] for s, (a, b) in zip(sentences, spans)]
    if cached is None:
        h, e, pe, oov, att = _encode(embedder, sentences, [a for a, _ in spans], progress)
        if use_cache:
            save_array(f"{key}-h", h)
            save_array(f"{key}-att", att)
    else:
        h, att = cached
        if progress is not None:
            progress(len(ids), len(ids))
        e, oov = embedder.static.lookup(forms)
        pe = embedder.static_map.transform(e)
        pe[oov] = 0.0
    senses: list[str | None] = []
    glosses: dict[str, str] = {}
    for i in ids:
        sense = ref.sense(i, low)
        senses.append(sense.key if sense else None)
        if sense:
            glosses[sense.key] = sense.gloss
    return Occurrences(
        low,
        h,
        np.asarray(e, np.float32),
        np.asarray(pe, np.float32),
        np.asarray(oov, bool),
        np.asarray(att, np.float32),
        tuple(sentences),
        np.asarray([a for a, _ in spans], np.int64),
        np.asarray([b for _, b in spans], np.int64),
        ("reference",) * len(ids),
        np.asarray(ids, np.int64),
        tuple(senses),
        glosses,
    )


#: Reference sentences encoded per call (a progress step; about one batch of the encoder on a CPU).
ENCODE_CHUNK = 32


def _encode(
    embedder: Embedder, sentences: list[str], starts: list[int], progress: Progress | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``h, e, pe, oov, att`` of the word at character ``starts[k]`` of ``sentences[k]``, in chunks (a progress
    step each; attention's context is the sentence, so chunks change nothing)."""
    parts: list[tuple[np.ndarray, ...]] = []
    for lo in range(0, len(sentences), ENCODE_CHUNK):
        chunk = sentences[lo : lo + ENCODE_CHUNK]
        emb = embedder.embed(chunk)
        sid, start = np.asarray(emb.sentence_id), np.asarray(emb.start)
        rows = np.asarray(
            [np.flatnonzero((sid == k) & (start == a))[0] for k, a in enumerate(starts[lo : lo + ENCODE_CHUNK])],
            np.int64,
        )
        att, _ = _rows_with_context(emb, rows)
        parts.append((np.asarray(emb.h[rows], np.float32), emb.e[rows], emb.pe[rows], emb.oov[rows], att))
        if progress is not None:
            progress(lo + len(chunk), len(sentences))
    h, e, pe, oov, att = (np.concatenate([p[j] for p in parts]) for j in range(5))
    return h, e, pe, oov, att


def _load(key: str, n: int, dim: int) -> tuple[np.ndarray, np.ndarray] | None:
    h, att = load_array(f"{key}-h"), load_array(f"{key}-att")
    if h is None or att is None or h.shape != (n, dim) or att.shape != (n, 2):
        return None
    return np.asarray(h, np.float32), np.asarray(att, np.float32)


def index_occurrences(index: CorpusIndex, rows: np.ndarray, word: str | None = None) -> Occurrences:
    """Rows of a corpus index (occurrences of one word) with their stored vectors (``word``: default, the first
    row's word in lower case)."""
    rows = np.asarray(rows, np.int64)
    t = index.row_type[rows]
    oov = index.type_oov[t]
    meta = np.asarray(index.rows[rows])
    a, b = meta[:, 2].tolist(), meta[:, 3].tolist()
    # the context marks the word with one character either side: take the marks out again
    texts = [c[:i] + c[i + 1 : j + 1] + c[j + 2 :] for c, i, j in zip(index.contexts(rows), a, b)] if len(rows) else []
    if word is None:
        word = index.type_words[int(t[0])].lower() if len(rows) else ""
    return Occurrences(
        word,
        np.asarray(index.vectors[rows], np.float32),
        (index.type_e[t] * (~oov)[:, None]).astype(np.float32),
        index.type_pe[t].astype(np.float32),
        np.asarray(oov, bool),
        np.asarray(index.scalars[rows][:, 3:5], np.float32),
        tuple(texts),
        meta[:, 2].astype(np.int64),
        meta[:, 3].astype(np.int64),
        ("corpus",) * len(rows),
        rows,
        (None,) * len(rows),
    )
