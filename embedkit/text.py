"""One word segmentation for both sides: words as a reader sees them, with character offsets.

The contextual encoder receives exactly these words (``is_split_into_words=True``) and the static
vectors look exactly these words up, so word ``i`` means the same thing in every space.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import regex

from embedkit.errors import EmbedkitError

__all__ = [
    "MAX_CHARS",
    "STOPWORDS",
    "Word",
    "check_text",
    "content_indices",
    "is_punctuation",
    "content_word_counts",
    "is_content_word",
    "repeated_types",
    "segment",
    "split_lines",
]

#: Frequent function words: repeated, but not what a map should label or a spotlight should pick first.
STOPWORDS = frozenset(
    "a an and are as at be but by for from had has have he her his i in is it its of on or she so that the "
    "their them they this to was we were what when which who will with you "
    # pronouns, determiners, auxiliaries and particles a spotlight must never pick first ("my", "not", "there")
    "about after all also am any been before being both can could did do does each few him himself how if into "
    "just me more most my myself no nor not now our ours out over own same should some such than then there these "
    "those through too under until up us very where while why would your yours".split()
)

#: Longest text accepted in one call (characters); longer input gets a clear error, never a hang.
MAX_CHARS = 2_000_000

# A word: letters, marks and digits, joined by inner apostrophes or hyphens ("don't", "state-of-the-art").
# Han ideographs stand alone (as BERT's basic tokenizer treats them). Anything else that is not a space is
# one grapheme cluster: punctuation, a symbol, or a whole emoji (with skin tone or ZWJ sequence).
_WORD = regex.compile(
    r"\p{Han}"
    r"|[\p{L}\p{M}\p{N}_]+(?:['\u2019\-][\p{L}\p{M}\p{N}_]+)*"
    r"|(?!\s)\X",
    regex.VERSION1,
)


class Word(NamedTuple):
    """One word occurrence: its text and its character span ``text[start:end]`` in the sentence (immutable)."""

    text: str
    start: int
    end: int


def segment(text: str) -> list[Word]:
    """Split a sentence into words, punctuation separate, with character offsets.

    Example:
        >>> [w.text for w in segment("I sat on the river-bank, didn't I?")]
        ['I', 'sat', 'on', 'the', 'river-bank', ',', "didn't", 'I', '?']
        >>> segment("Hi 👋🏽!")[1]
        Word(text='👋🏽', start=3, end=5)
    """
    return [Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def split_lines(text: str) -> list[str]:
    """One sentence per non-empty line, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def check_text(sentences: list[str], *, max_chars: int = MAX_CHARS) -> None:
    """Raise a clear error for input that cannot be embedded.

    Raises:
        EmbedkitError: no words at all, or more than ``max_chars`` characters.
    """
    total = sum(len(s) for s in sentences)
    if total > max_chars:
        raise EmbedkitError(f"the text is too long: {total:,} characters (the limit is {max_chars:,})")
    if not any(segment(s) for s in sentences):
        raise EmbedkitError("there is no text to embed: type at least one sentence with a word in it")


def is_punctuation(word: str) -> bool:
    """True for a token made only of punctuation or symbols (``.``, ``,``, ``—``); emoji stay words."""

    def punct(ch: str) -> bool:
        cat = unicodedata.category(ch)
        return cat[0] == "P" or (cat[0] == "S" and ord(ch) < 0x2000)  # emoji (So, high code points) stay

    return bool(word) and all(punct(ch) for ch in word)


def content_indices(words: Sequence[str], hide_punctuation: bool = True) -> np.ndarray:
    """Indices of the occurrences to show: all, or all but punctuation (all, if nothing else is left)."""
    if not hide_punctuation:
        return np.arange(len(words))
    keep = [i for i, w in enumerate(words) if not is_punctuation(w)]
    return np.asarray(keep if keep else range(len(words)), dtype=int)


def is_content_word(word: str) -> bool:
    """Whether ``word`` is a content word: it has a letter, is no stopword and no punctuation (any case). The one rule
    of which words the spotlight offers, the maps colour and the repeated-word lists put first."""
    low = word.lower()
    return any(ch.isalpha() for ch in low) and low not in STOPWORDS and not is_punctuation(low)


def content_word_counts(words: Sequence[str], candidates: np.ndarray | Sequence[int]) -> dict[str, int]:
    """Occurrences per content word (lower case) among the rows ``candidates``, in order of first appearance."""
    counts: dict[str, int] = {}
    for i in candidates:
        w = words[int(i)].lower()
        if is_content_word(w):
            counts[w] = counts.get(w, 0) + 1
    return counts


def repeated_types(words: Sequence[str], candidates: np.ndarray) -> dict[str, list[int]]:
    """Word types (lower-cased) occurring at least twice among ``candidates``, with their occurrences.

    Content words come first (the polysemous "bank" before "the"), in order of first appearance.
    """
    groups: dict[str, list[int]] = {}
    for i in candidates:
        groups.setdefault(words[int(i)].lower(), []).append(int(i))
    repeated = [(w, occ) for w, occ in groups.items() if len(occ) > 1]
    repeated.sort(key=lambda item: not is_content_word(item[0]))
    return dict(repeated)
