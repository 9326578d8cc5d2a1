"""The senses benchmark's data: WordNet's sense-labelled example sentences, grouped per word.

A *group* is one (lemma, part of speech) of the shipped extract (:func:`embedkit.wordnet.load_sense_examples`) with
its example sentences, each using the lemma in one known sense. Only groups that can be scored are kept: two or
more senses, and at least one sense with two or more examples (otherwise no occurrence has a same-sense
neighbour). The *unit* is the lemma string: the groups of ``bank`` (noun) and ``bank`` (verb) share their word and
go together into the selection or the reporting split, and into a bootstrap resample.

WordNet reuses some example sentences across synsets: a sentence given for two senses of one (lemma, part of speech)
would force a tied wrong neighbour, and a sentence listed twice for one sense would give a free right one.
:func:`deduplicate_examples` drops the first kind and keeps one copy of the second (the shipped extract is built
with it, and the loader applies it again to any extract it reads). The units are lemmas, but a sentence can still
hold two lemmas of one synset: such sentences are shared between units (counted in ``shared_sentences``).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from embedkit.wordnet import SenseExample

__all__ = ["SenseOccurrences", "deduplicate_examples", "load_sense_occurrences", "split_units"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SenseOccurrences:
    """Every scorable occurrence of the extract, and where it sits.

    Attributes:
        sentences: the distinct example sentences, split into words as embedkit segments text.
        sentence: per occurrence, the index of its sentence.
        word: per occurrence, the index of the lemma's word in its sentence.
        group: per occurrence, its (lemma, pos) group.
        sense: per occurrence, its WordNet sense number (within its group).
        lemmas: per group, its lemma; ``pos``: per group, its part of speech.
        unit: per group, the id of its lemma string (the split and resampling unit).
        note: how the data were chosen (subsampling, with its seed).
    """

    sentences: list[list[str]] = field(repr=False)
    sentence: np.ndarray = field(repr=False)
    word: np.ndarray = field(repr=False)
    group: np.ndarray = field(repr=False)
    sense: np.ndarray = field(repr=False)
    lemmas: list[str] = field(repr=False)
    pos: list[str] = field(repr=False)
    unit: np.ndarray = field(repr=False)
    note: str = ""

    def __len__(self) -> int:
        return len(self.group)

    @property
    def n_groups(self) -> int:
        """(lemma, pos) groups."""
        return len(self.lemmas)

    @property
    def n_sentences(self) -> int:
        """Distinct sentences the occurrences sit in (an occurrence is one lemma in one sentence)."""
        return len(np.unique(self.sentence))

    @property
    def shared_sentences(self) -> int:
        """Sentences whose occurrences belong to more than one unit (lemma string)."""
        if not len(self.sentence):
            return 0
        pairs = np.unique(np.stack([self.sentence, self.unit[self.group]], axis=1), axis=0)
        return int((np.bincount(pairs[:, 0]) > 1).sum())

    @property
    def n_units(self) -> int:
        """Distinct lemma strings."""
        return int(self.unit.max()) + 1 if len(self.unit) else 0

    def restrict(self, groups: np.ndarray) -> SenseOccurrences:
        """The occurrences of the groups where ``groups`` (bool per group) is True, ids renumbered, only their
        sentences kept."""
        keep_group = np.asarray(groups, bool)
        rows = keep_group[self.group]
        new_group = np.cumsum(keep_group) - 1
        _, new_unit = np.unique(self.unit[keep_group], return_inverse=True)
        used, new_sentence = np.unique(self.sentence[rows], return_inverse=True)
        kept = np.flatnonzero(keep_group)
        return SenseOccurrences(
            [self.sentences[s] for s in used],
            np.asarray(new_sentence, np.int64).reshape(-1),
            self.word[rows],
            new_group[self.group[rows]],
            self.sense[rows],
            [self.lemmas[g] for g in kept],
            [self.pos[g] for g in kept],
            np.asarray(new_unit, np.int64).reshape(-1),
            self.note,
        )

    def words(self) -> list[str]:
        """The lemma of each occurrence (its static vector is the lemma's: one vector per word type)."""
        return [self.lemmas[g] for g in self.group]


def deduplicate_examples(examples: Iterable[SenseExample]) -> tuple[list[SenseExample], int, int]:
    """One example per (lemma, part of speech, sentence): a sentence labelled with two senses of one lemma is dropped,
    copies with one sense are collapsed into the first (in the input order).

    Returns:
        The kept examples (input order), the number of examples dropped for conflicting labels, and the number of
        same-sense copies removed.
    """
    items = list(examples)
    senses: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    for ex in items:
        senses[(ex.lemma, ex.pos, ex.sentence)].add(ex.sense)
    kept: list[SenseExample] = []
    seen: set[tuple[str, str, str]] = set()
    conflicting = copies = 0
    for ex in items:
        key = (ex.lemma, ex.pos, ex.sentence)
        if len(senses[key]) > 1:
            conflicting += 1
        elif key in seen:
            copies += 1
        else:
            seen.add(key)
            kept.append(ex)
    return kept, conflicting, copies


def load_sense_occurrences(path: str | None = None, *, max_lemmas: int = 0, seed: int = 0) -> SenseOccurrences:
    """The scorable groups of the shipped WordNet extract (or of ``path``), optionally a random subset of lemmas.

    Args:
        path: an extract file; None = the shipped one.
        max_lemmas: keep this many lemma strings, drawn at random with ``seed``; 0 keeps all.
        seed: the subsampling seed.
    """
    from embedkit.text import segment
    from embedkit.wordnet import load_sense_examples

    examples, conflicting, copies = deduplicate_examples(load_sense_examples(path))
    if conflicting or copies:
        logger.info("dropped %d examples with two senses of one lemma, %d same-sense copies", conflicting, copies)
    by_group: dict[tuple[str, str], list] = defaultdict(list)
    for ex in examples:
        by_group[(ex.lemma, ex.pos)].append(ex)
    keep = {
        k: v
        for k, v in by_group.items()
        if len({e.sense for e in v}) >= 2 and max(Counter(e.sense for e in v).values()) >= 2
    }
    lemmas_all = sorted({k[0] for k in keep})
    note = f"all {len(lemmas_all):,} lemmas with a scorable group"
    if 0 < max_lemmas < len(lemmas_all):
        chosen = set(np.random.default_rng(seed).choice(lemmas_all, size=max_lemmas, replace=False).tolist())
        keep = {k: v for k, v in keep.items() if k[0] in chosen}
        note = f"{max_lemmas:,} of {len(lemmas_all):,} lemmas drawn at random (seed {seed})"
    sentence_index: dict[str, int] = {}
    sentences: list[list[str]] = []
    starts_of: list[list[int]] = []
    cols: dict[str, list[int]] = {"sentence": [], "word": [], "group": [], "sense": []}
    lemmas: list[str] = []
    pos: list[str] = []
    unit_of: dict[str, int] = {}
    for g, ((lemma, p), examples) in enumerate(sorted(keep.items())):
        lemmas.append(lemma)
        pos.append(p)
        unit_of.setdefault(lemma, len(unit_of))
        for ex in examples:
            if ex.sentence not in sentence_index:
                sentence_index[ex.sentence] = len(sentences)
                words = segment(ex.sentence)
                sentences.append([w.text for w in words])
                starts_of.append([w.start for w in words])
            s = sentence_index[ex.sentence]
            starts = starts_of[s]
            if ex.start not in starts:
                logger.warning("skipping an example of %r: no word starts at %d", lemma, ex.start)
                continue
            for name, value in (("sentence", s), ("word", starts.index(ex.start)), ("group", g), ("sense", ex.sense)):
                cols[name].append(value)
    arrays = {k: np.asarray(v, dtype=np.int64) for k, v in cols.items()}
    return SenseOccurrences(
        sentences,
        arrays["sentence"],
        arrays["word"],
        arrays["group"],
        arrays["sense"],
        lemmas,
        pos,
        np.asarray([unit_of[lemma] for lemma in lemmas], np.int64),
        note,
    )


def split_units(n_units: int, seed: int = 0) -> np.ndarray:
    """True for the units (lemma strings) of the selection half, False for the reporting half."""
    order = np.random.default_rng(seed).permutation(n_units)
    mask = np.zeros(n_units, bool)
    mask[order[: n_units // 2]] = True
    return mask
