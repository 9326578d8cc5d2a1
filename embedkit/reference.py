"""The bundled reference corpus: WordNet 3.0's glosses and example sentences, with a word -> sentence lookup.

A word's own map (:mod:`embedkit.wordmap`) places the user's occurrences of a word among its occurrences in many
other contexts. Those contexts come from here: every definition of WordNet 3.0 (split at ``;`` into its parts) and
every example sentence, kept when it has at least four words and is not a repeat of an earlier one — 153,340
sentences, 1.38 million words. An example sentence of a synset is sense-tagged for each one-word lemma of that
synset that it contains: ``"he sat on the bank of the river"`` is an example of *bank* in sense ``bank.n.01``.

The files ``embedkit/data/wordnet_reference-1.tsv.xz``, ``-2`` (built by ``scripts/build_reference_corpus.py`` from the
database Debian's ``wordnet-base`` installs; licence in ``embedkit/data/WORDNET_LICENSE``) hold the corpus in
two xz-compressed parts (each under 2 MB), each laid out in columns so that reading it is a few splits: the
sentences, one per line; one line with one letter per sentence, synset by synset (``g`` a definition part, ``e``
an example); then one line per synset with its part of speech, its one-word lemmas with their sense numbers and its
definition. It ships no index: a word's sentences are found by one regular-expression scan of the text (a few milliseconds; the
pattern matches the word exactly where :func:`embedkit.text.segment` would cut it out), and each hit is checked
against the segmentation. The corpus is read on first use and kept for the life of the process
(:func:`load_reference`).

WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.
"""

from __future__ import annotations

import logging
import lzma
import os
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import regex

from embedkit.errors import EmbedkitError
from embedkit.text import is_punctuation, segment
from embedkit.wordnet import SenseNote, sense_key

__all__ = [
    "MIN_WORDS",
    "REFERENCE_PATH",
    "ReferenceCorpus",
    "SynsetRecord",
    "check_word",
    "iter_reference_records",
    "load_reference",
    "reference_parts",
    "write_reference",
]

logger = logging.getLogger(__name__)

#: The corpus is stored in parts (``wordnet_reference-1.tsv.xz``, ``-2``, ...): every tracked file stays under 2 MB.
REFERENCE_PATH = Path(__file__).resolve().parent / "data" / "wordnet_reference"
#: The first line of every part: the format version (part of every cache key built on the corpus).
HEADER = "# embedkit reference corpus 2: WordNet 3.0 glosses and examples (sentences; kinds; pos, lemmas, gloss)"
#: Uncompressed bytes of sentences per part (xz shrinks WordNet's text about fourfold: about 1.4 MB per part).
PART_BYTES = 4_500_000
#: Sentences shorter than this (in words, punctuation not counted) are left out: too little context.
MIN_WORDS = 4

# A word as text.segment cuts it: letters, marks, digits and "_", joined by inner apostrophes or hyphens.
_W = r"[\p{L}\p{M}\p{N}_]"


@dataclass(frozen=True)
class SynsetRecord:
    """One synset as the corpus stores it: part of speech, ``lemma:sense-number`` items (one-word lemmas), the
    definition (only where an example can be sense-tagged: empty otherwise), and its sentences in the corpus with
    their kinds (``g`` definition part, ``e`` example)."""

    pos: str
    lemmas: str
    gloss: str
    kinds: str
    sentences: tuple[str, ...]


def check_word(word: str) -> str:
    """``word`` stripped and lower-cased, if it is one word as :func:`embedkit.text.segment` cuts text.

    Raises:
        EmbedkitError: empty, punctuation only, or more than one word.
    """
    words = segment(str(word).strip())
    if not words:
        raise EmbedkitError("give a word: the word is empty")
    if len(words) > 1:
        raise EmbedkitError(f"a word map is of one word; {word.strip()!r} is {len(words)} words")
    if is_punctuation(words[0].text):
        raise EmbedkitError(f"{word.strip()!r} is punctuation, not a word")
    return words[0].text.lower()


_JOINERS = "'\u2019-"


def _is_word_char(ch: str) -> bool:
    """A character that text.segment keeps inside a word: a letter, a mark, a digit or ``_``."""
    return ch == "_" or unicodedata.category(ch)[0] in "LMN"


def _whole_word_starts(text: str, word: str) -> list[int]:
    """Where ``word`` (lower case) occurs in ``text`` (lower case) as a whole segmented word: not inside a longer
    word and not joined to a neighbour by an apostrophe or a hyphen. A literal search, then a look either side."""
    out = []
    n = len(text)
    for m in re.finditer(re.escape(word), text):
        a, b = m.start(), m.end()
        if a > 0 and (_is_word_char(text[a - 1]) or (text[a - 1] in _JOINERS and a > 1 and _is_word_char(text[a - 2]))):
            continue
        if b < n and (_is_word_char(text[b]) or (text[b] in _JOINERS and b + 1 < n and _is_word_char(text[b + 1]))):
            continue
        out.append(a)
    return out


class ReferenceCorpus:
    """WordNet's glosses and examples, searchable by word.

    Args:
        parts: the text of each stored part (see the module docstring).

    Attributes:
        sentences: the corpus sentences, in WordNet's file order (noun, verb, adjective, adverb synsets).
        synset_of: per sentence, the row of its synset.
        is_example: per sentence, True for an example sentence (False: a part of a definition).
    """

    def __init__(self, parts: list[str], *, name: str = "WordNet 3.0") -> None:
        self.name = name
        self.sentences: list[str] = []
        self._synsets: list[str] = []
        kinds: list[str] = []
        for number, text in enumerate(parts, 1):
            lines = text.split("\n")
            try:
                if lines[0] != HEADER:
                    raise ValueError("header")
                n_sentences, n_synsets = (int(x) for x in lines[1].split())
                kind = lines[2 + n_sentences]
                synsets = lines[3 + n_sentences : 3 + n_sentences + n_synsets]
                if len(synsets) != n_synsets or len(kind.replace(" ", "")) != n_sentences:
                    raise ValueError("counts")
            except (ValueError, IndexError):
                raise EmbedkitError(
                    f"part {number} of the reference corpus is damaged or of another version; "
                    "rebuild it with scripts/build_reference_corpus.py"
                ) from None
            self.sentences += lines[2 : 2 + n_sentences]
            self._synsets += synsets
            kinds.append(kind)
        per_synset = " ".join(kinds).split(" ")
        self.synset_of = np.repeat(
            np.arange(len(per_synset), dtype=np.int32), np.fromiter(map(len, per_synset), np.int64, len(per_synset))
        )
        self.is_example = np.frombuffer("".join(per_synset).encode("ascii"), np.uint8) == ord("e")
        self._text = "\n".join(self.sentences)
        lower = self._text.lower()
        if len(lower) != len(self._text):  # a character whose lower case is longer: keep it, so offsets agree
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in self._text)
        self._lower = lower
        lengths = np.fromiter(map(len, self.sentences), np.int64, len(self.sentences)) + 1
        self._starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        self._lock = threading.Lock()
        self._found: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.sentences)

    def __repr__(self) -> str:
        return f"ReferenceCorpus({self.name}: {len(self):,} sentences, {len(self._synsets):,} synsets)"

    @cached_property
    def n_words(self) -> int:
        """Words in the corpus (punctuation not counted)."""
        return len(regex.findall(rf"{_W}+(?:['\u2019\-]{_W}+)*", self._text))

    def sentences_with(self, word: str) -> np.ndarray:
        """Ids of the sentences in which ``word`` occurs as a whole word (case-insensitive), in corpus order.

        Raises:
            EmbedkitError: ``word`` is not one word (see :func:`check_word`).
        """
        low = check_word(word)
        with self._lock:
            hit = self._found.get(low)
        if hit is None:
            starts = _whole_word_starts(self._lower, low)
            ids = np.unique(np.searchsorted(self._starts, np.asarray(starts, np.int64), side="right") - 1)
            hit = np.asarray(ids, np.int64)
            hit.flags.writeable = False
            with self._lock:
                if len(self._found) > 256:
                    self._found.clear()
                self._found[low] = hit
        return hit

    def count(self, word: str) -> int:
        """How many sentences contain ``word``."""
        return len(self.sentences_with(word))

    def span(self, sentence_id: int, word: str) -> tuple[int, int] | None:
        """The character span of the first occurrence of ``word`` in a sentence, as segmented (None: absent)."""
        low = word.lower()
        for w in segment(self.sentences[int(sentence_id)]):
            if w.text.lower() == low:
                return w.start, w.end
        return None

    def _synset(self, row: int) -> tuple[str, str, str]:
        pos, lemmas, gloss = self._synsets[row].split("\t")
        return pos, lemmas, gloss

    def gloss(self, sentence_id: int) -> str:
        """The definition of the synset a sentence belongs to."""
        return self._synset(int(self.synset_of[int(sentence_id)]))[2]

    def sense(self, sentence_id: int, word: str) -> SenseNote | None:
        """The sense ``word`` is used in, when the sentence is an example of a synset that has ``word`` as a lemma.

        Example:
            >>> ref = load_reference()
            >>> [ref.sense(i, "bank").key for i in ref.sentences_with("bank") if ref.sense(i, "bank")][:2]
            ['bank.n.01', 'bank.n.01']
        """
        i = int(sentence_id)
        if not self.is_example[i]:
            return None
        pos, lemmas, gloss = self._synset(int(self.synset_of[i]))
        low = word.lower()
        for item in lemmas.split(" "):
            lemma, _, number = item.rpartition(":")
            if lemma == low and number:
                return SenseNote(sense_key(lemma, pos, int(number)), gloss)
        return None

    def tagged(self, word: str) -> np.ndarray:
        """Ids of the sentences with ``word`` that are sense-tagged examples of it."""
        ids = self.sentences_with(word)
        return np.asarray([i for i in ids[self.is_example[ids]].tolist() if self.sense(i, word)], np.int64)


def reference_parts(prefix: str | os.PathLike[str] | None = None) -> list[Path]:
    """The files of the corpus, in order: ``<prefix>-1.tsv.xz``, ``<prefix>-2.tsv.xz``, ..."""
    base = Path(prefix) if prefix is not None else REFERENCE_PATH
    parts: list[Path] = []
    while (part := base.with_name(f"{base.name}-{len(parts) + 1}.tsv.xz")).is_file():
        parts.append(part)
    return parts


_loaded: dict[str, ReferenceCorpus] = {}
_load_lock = threading.Lock()


def load_reference(prefix: str | os.PathLike[str] | None = None) -> ReferenceCorpus:
    """The reference corpus (read once per process; about 0.5 s).

    Args:
        prefix: where its parts are (``<prefix>-1.tsv.xz``, ...); default: the bundled corpus.

    Raises:
        EmbedkitError: the files are missing or damaged.
    """
    base = Path(prefix) if prefix is not None else REFERENCE_PATH
    key = str(base.resolve())
    with _load_lock:
        if key not in _loaded:
            parts = reference_parts(base)
            if not parts:
                raise EmbedkitError(
                    f"the reference corpus is missing ({base.name}-1.tsv.xz); run scripts/build_reference_corpus.py"
                )
            texts = []
            for part in parts:
                try:
                    texts.append(lzma.decompress(part.read_bytes()).decode("utf-8"))
                except (lzma.LZMAError, UnicodeDecodeError) as exc:
                    raise EmbedkitError(f"the reference corpus file {part.name} is damaged: {exc}") from exc
            _loaded[key] = ReferenceCorpus(texts)
        return _loaded[key]


# -- building it (scripts/build_reference_corpus.py; needs the WordNet database) -------------------------------
def iter_reference_records(root: str | os.PathLike[str] | None = None) -> Iterator[SynsetRecord]:
    """The synsets of the corpus, built from the WordNet database (what ``scripts/build_reference_corpus.py`` stores).

    A definition is split at ``;`` into parts; a part or an example with fewer than :data:`MIN_WORDS` words, or one
    seen before, is left out. Synsets with no sentence left are left out.
    """
    from embedkit.wordnet import iter_synsets, sense_numbers

    numbers = sense_numbers(root)
    seen: set[str] = set()
    for synset in iter_synsets(root):
        parts = [p.strip() for p in synset.definition.split(";") if p.strip()]
        kinds, kept = [], []
        for kind, text in [("g", p) for p in parts] + [("e", x) for x in synset.examples]:
            words = [w for w in segment(text) if not is_punctuation(w.text)]
            if len(words) >= MIN_WORDS and text not in seen and "\t" not in text and "\n" not in text:
                seen.add(text)
                kinds.append(kind)
                kept.append(text)
        if not kept:
            continue
        lemmas: list[str] = []
        for lemma in synset.lemmas:
            low = lemma.lower()
            if " " in low:
                continue
            number = numbers.get((low, synset.pos, synset.offset)) or numbers.get((lemma, synset.pos, synset.offset))
            if number is not None and f"{low}:{number}" not in lemmas:
                lemmas.append(f"{low}:{number}")
        # the gloss is needed only where a sentence can be sense-tagged: an example of a synset with a one-word lemma
        gloss = synset.definition.replace("\t", " ") if lemmas and "e" in kinds else ""
        yield SynsetRecord(synset.pos, " ".join(lemmas), gloss, "".join(kinds), tuple(kept))


def write_reference(records: list[SynsetRecord], prefix: str | os.PathLike[str]) -> list[Path]:
    """Write the corpus in parts of about :data:`PART_BYTES` bytes of sentences (xz; the same records give the same
    bytes), each under a temporary name first; parts left from an earlier, longer build are removed."""
    base = Path(prefix)
    chunks: list[list[SynsetRecord]] = [[]]
    size = 0
    for record in records:
        if size >= PART_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(record)
        size += sum(len(t.encode("utf-8")) + 1 for t in record.sentences)
    out = []
    for number, chunk in enumerate(chunks, 1):
        sentences = [t for r in chunk for t in r.sentences]
        lines = [
            HEADER,
            f"{len(sentences)} {len(chunk)}",
            *sentences,
            " ".join(r.kinds for r in chunk),
            *(f"{r.pos}\t{r.lemmas}\t{r.gloss}" for r in chunk),
        ]
        part = base.with_name(f"{base.name}-{number}.tsv.xz")
        tmp = part.with_name(f".{part.name}.{os.getpid()}.tmp")
        tmp.write_bytes(lzma.compress(("\n".join(lines) + "\n").encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))
        os.replace(tmp, part)
        out.append(part)
    for stale in reference_parts(base)[len(out) :]:
        stale.unlink()
    return out
