"""Benchmark data sets shipped with gensim's test data: word pairs, analogies, polarity sentences.

All files are read through :func:`gensim.test.utils.datapath`, so no download is needed. The parsers
follow gensim's ``evaluate_word_pairs`` / ``evaluate_word_analogies`` conventions: ``#`` lines are
comments, fields are tab separated, analogy sections start with ``": "``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from embedkit.errors import EmbedkitError

__all__ = [
    "WORD_PAIR_SETS",
    "AnalogySet",
    "LabelledSentences",
    "WordPairs",
    "dataset_path",
    "evaluation_words",
    "load_analogies",
    "load_polarity",
    "load_word_pairs",
]

logger = logging.getLogger(__name__)

#: short name -> (gensim test-data file, display name)
WORD_PAIR_SETS: dict[str, tuple[str, str]] = {
    "simlex": ("simlex999.txt", "SimLex-999"),
    "wordsim": ("wordsim353.tsv", "WordSim-353"),
}
ANALOGY_FILE = "questions-words.txt"
POLARITY_FILE = "pang_lee_polarity.cor"


def dataset_path(filename: str) -> Path:
    """Path of a file in gensim's bundled test data.

    Raises:
        FileNotFoundError: if gensim does not ship the file.
    """
    from gensim.test.utils import datapath

    path = Path(datapath(filename))
    if not path.exists():
        raise FileNotFoundError(f"gensim test data file not found: {path}")
    return path


@dataclass(frozen=True)
class WordPairs:
    """Word pairs with human similarity scores.

    Attributes:
        name: display name, e.g. ``"SimLex-999"``.
        word1: first word of each pair.
        word2: second word of each pair.
        gold: human score of each pair, float64 ``(n,)``.
    """

    name: str
    word1: tuple[str, ...]
    word2: tuple[str, ...]
    gold: np.ndarray = field(repr=False)

    def __len__(self) -> int:
        return len(self.word1)

    def words(self) -> list[str]:
        """Sorted unique words of all pairs."""
        return sorted(set(self.word1) | set(self.word2))

    def subset(self, index: np.ndarray, name: str | None = None) -> WordPairs:
        """The pairs at ``index`` (integer indices or a boolean mask)."""
        idx = np.arange(len(self))[np.asarray(index)]
        return WordPairs(
            name=name or self.name,
            word1=tuple(self.word1[i] for i in idx),
            word2=tuple(self.word2[i] for i in idx),
            gold=self.gold[idx].copy(),
        )

    def split(self, fraction: float = 0.5, seed: int = 0) -> tuple[WordPairs, WordPairs]:
        """Random split into a selection part (``fraction`` of the pairs) and a reporting part."""
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"split fraction must lie strictly between 0 and 1, got {fraction}")
        order = np.random.default_rng(seed).permutation(len(self))
        cut = int(round(fraction * len(self)))
        return (
            self.subset(np.sort(order[:cut]), f"{self.name} (selection half)"),
            self.subset(np.sort(order[cut:]), f"{self.name} (reporting half)"),
        )

    def split_by_words(self, fraction: float = 0.5, seed: int = 0) -> tuple[WordPairs, WordPairs]:
        """Random split of the *words* (the resampling unit) into a selection part and a reporting part.

        A pair goes to the part that holds both its words; a pair whose words fall in different parts is left out
        (about half the pairs at ``fraction=0.5``), so no word of the reporting pairs was seen by the selection.
        """
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"split fraction must lie strictly between 0 and 1, got {fraction}")
        words = self.words()
        order = np.random.default_rng(seed).permutation(len(words))
        chosen = {words[i] for i in order[: int(round(fraction * len(words)))]}
        first = np.fromiter((w in chosen for w in self.word1), bool, len(self))
        second = np.fromiter((w in chosen for w in self.word2), bool, len(self))
        return (
            self.subset(first & second, f"{self.name} (selection half)"),
            self.subset(~first & ~second, f"{self.name} (reporting half)"),
        )


def load_word_pairs(name: str, *, lowercase: bool = True) -> WordPairs:
    """Load ``"simlex"`` (SimLex-999), ``"wordsim"`` (WordSim-353) or a path to a tab-separated pairs file.

    Args:
        name: short name or file path (``word1<TAB>word2<TAB>score`` lines, ``#`` comments).
        lowercase: lower-case the words (GloVe 6B is lower-cased).

    Returns:
        The pairs in file order.

    Raises:
        EmbedkitError: for an unknown name or a file without valid pairs.
    """
    if name in WORD_PAIR_SETS:
        filename, display = WORD_PAIR_SETS[name]
        path = dataset_path(filename)
    else:
        path = Path(name)
        if not path.exists():
            choices = ", ".join(WORD_PAIR_SETS)
            raise EmbedkitError(f"unknown word-pair set {name!r}; choose one of: {choices}, or give a file path")
        display = path.stem
    w1: list[str] = []
    w2: list[str] = []
    gold: list[float] = []
    with open(path, encoding="utf8") as fh:
        for line_no, line in enumerate(fh, 1):
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            try:
                a, b, score = parts[0], parts[1], float(parts[2])
            except (IndexError, ValueError):
                logger.info("skipping invalid line #%d in %s", line_no, path)
                continue
            if lowercase:
                a, b = a.lower(), b.lower()
            w1.append(a)
            w2.append(b)
            gold.append(score)
    if not gold:
        raise EmbedkitError(f"no word pairs found in {path}")
    return WordPairs(display, tuple(w1), tuple(w2), np.asarray(gold, dtype=np.float64))


@dataclass(frozen=True)
class AnalogySet:
    """Analogy questions ``a : b :: c : d`` grouped in sections.

    Attributes:
        questions: ``(n, 4)`` array of words (object dtype), lower-cased.
        sections: section name of each question.
    """

    questions: np.ndarray = field(repr=False)
    sections: tuple[str, ...] = field(repr=False)

    def __len__(self) -> int:
        return len(self.questions)

    def words(self) -> list[str]:
        """Sorted unique words of all questions."""
        return sorted(set(self.questions.ravel().tolist()))

    def subset(self, index: np.ndarray) -> AnalogySet:
        """The questions at ``index``."""
        idx = np.arange(len(self))[np.asarray(index)]
        return AnalogySet(self.questions[idx], tuple(self.sections[i] for i in idx))


def load_analogies(path: str | Path | None = None) -> AnalogySet:
    """Load the Google analogy questions (``questions-words.txt``), lower-cased.

    Raises:
        EmbedkitError: if the file holds no questions.
    """
    path = Path(path) if path is not None else dataset_path(ANALOGY_FILE)
    rows: list[list[str]] = []
    sections: list[str] = []
    section = ""
    with open(path, encoding="utf8") as fh:
        for line in fh:
            if line.startswith(": "):
                section = line[2:].strip()
                continue
            parts = line.lower().split()
            if len(parts) != 4:
                continue
            rows.append(parts)
            sections.append(section)
    if not rows:
        raise EmbedkitError(f"no analogy questions found in {path}")
    return AnalogySet(np.asarray(rows, dtype=object), tuple(sections))


@dataclass(frozen=True)
class LabelledSentences:
    """Tokenised sentences with binary labels.

    Attributes:
        sentences: one list of tokens per sentence.
        labels: int ``(n,)``, 1 = positive.
        label_names: name of label 0 and label 1.
    """

    sentences: list[list[str]] = field(repr=False)
    labels: np.ndarray = field(repr=False)
    label_names: tuple[str, str] = ("neg", "pos")

    def __len__(self) -> int:
        return len(self.sentences)


def load_polarity(path: str | Path | None = None) -> LabelledSentences:
    """Load ``pang_lee_polarity.cor``: ``__label__neg``/``__label__pos`` then a tokenised sentence (cp1252).

    The file is already tokenised (``it's`` stays one token, punctuation is separate), so tokens are
    split on whitespace; this is the one word segmentation both the contextual and the static side see.

    Raises:
        EmbedkitError: if the file holds no labelled sentence.
    """
    path = Path(path) if path is not None else dataset_path(POLARITY_FILE)
    sentences: list[list[str]] = []
    labels: list[int] = []
    with open(path, encoding="cp1252") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 2 or not parts[0].startswith("__label__"):
                continue
            label = parts[0][len("__label__") :]
            if label not in ("neg", "pos"):
                continue
            sentences.append(parts[1:])
            labels.append(int(label == "pos"))
    if not sentences:
        raise EmbedkitError(f"no labelled sentences found in {path}")
    return LabelledSentences(sentences, np.asarray(labels, dtype=np.int64))


def evaluation_words() -> set[str]:
    """Every word of the word-level benchmarks (SimLex-999, WordSim-353, Google analogies).

    The static-to-contextual map is fitted without these words, so no benchmark word is seen while fitting.
    """
    words: set[str] = set()
    for name in WORD_PAIR_SETS:
        words.update(load_word_pairs(name).words())
    words.update(load_analogies().words())
    return words
