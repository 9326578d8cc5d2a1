"""WordNet 3.0 read from its database files: synsets with glosses and examples, and sense-labelled examples.

WordNet's example sentences (the double-quoted parts of a gloss) come with a sense label for free: an example
of synset ``s`` that contains the lemma ``bank`` uses *bank* in sense ``s``. This module reads the plain-text
database that Debian's ``wordnet-base`` installs under ``/usr/share/wordnet`` (``data.*`` and ``index.*``); it
needs no NLTK and no network. The sense benchmark ships a compact extract of it (see
``scripts/build_wordnet_senses.py``), so only building that extract, or a corpus from the glosses, needs the
database itself.

WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved (licence: ``embedkit/data/WORDNET_LICENSE``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from embedkit.errors import EmbedkitError

__all__ = [
    "POS_NAMES",
    "SenseExample",
    "SenseNote",
    "Synset",
    "EXTRACT_COLUMNS",
    "EXTRACT_PATH",
    "find_wordnet",
    "iter_sense_examples",
    "iter_synsets",
    "load_sense_examples",
    "sense_key",
    "sense_numbers",
]

#: The part-of-speech files and WordNet's one-letter codes (``s``, satellite adjectives, live in ``data.adj``).
POS_NAMES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
DEFAULT_ROOT = Path("/usr/share/wordnet")
ENV_VAR = "WORDNET_DIR"

#: The shipped extract (built by scripts/build_wordnet_senses.py) and its columns.
EXTRACT_PATH = Path(__file__).resolve().parent / "data" / "wordnet_senses.tsv.gz"
EXTRACT_COLUMNS = ("lemma", "pos", "sense", "synset", "gloss", "sentence", "start", "end")

_QUOTED = re.compile(r'"([^"]*)"')
_MARKER = re.compile(r"\([a-z]+\)$")  # adjective position markers: outback(a), galore(ip)


@dataclass(frozen=True)
class Synset:
    """One WordNet synset.

    Attributes:
        offset: its byte offset in ``data.<pos>`` (WordNet's id, unique within a part of speech).
        pos: ``n``, ``v``, ``a`` or ``r`` (satellite adjectives are reported as ``a``).
        lemmas: its words, underscores turned into spaces, position markers removed.
        definition: the gloss without its examples.
        examples: the double-quoted example sentences of the gloss.
    """

    offset: int
    pos: str
    lemmas: tuple[str, ...]
    definition: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class SenseExample:
    """An example sentence in which ``lemma`` is used in one sense.

    Attributes:
        lemma: the word, lower case.
        pos: its part of speech (``n``, ``v``, ``a``, ``r``).
        sense: the sense number of ``lemma`` in WordNet's order for this part of speech (1 = most frequent).
        synset: the synset offset (with ``pos``, the sense's id).
        gloss: the sense's definition.
        sentence: the example sentence.
        start, end: the character span of the lemma's occurrence in ``sentence``.
    """

    lemma: str
    pos: str
    sense: int
    synset: int
    gloss: str
    sentence: str
    start: int
    end: int


@dataclass(frozen=True)
class SenseNote:
    """A known sense of one occurrence.

    Attributes:
        key: WordNet's lemma, part of speech and sense number, e.g. ``bank.n.02``.
        gloss: the sense's definition.
    """

    key: str
    gloss: str


def sense_key(lemma: str, pos: str, sense: int) -> str:
    """``bank.n.02``: WordNet's sense ``sense`` of ``lemma`` as part of speech ``pos``."""
    return f"{lemma.lower()}.{pos}.{int(sense):02d}"


def find_wordnet(root: str | os.PathLike[str] | None = None) -> Path:
    """The WordNet database folder: ``root``, else ``$WORDNET_DIR``, else ``/usr/share/wordnet``.

    Raises:
        EmbedkitError: the folder has no ``data.noun`` (with the command that installs it).
    """
    path = Path(root or os.environ.get(ENV_VAR) or DEFAULT_ROOT)
    if not (path / "data.noun").is_file():
        raise EmbedkitError(
            f"no WordNet database in {path}: install it with `apt-get install wordnet-base` "
            f"(or set {ENV_VAR} to a folder with WordNet 3.0's data.* and index.* files)"
        )
    return path


def _split_gloss(gloss: str) -> tuple[str, tuple[str, ...]]:
    """``definition; "example one"; "example two"`` -> definition and examples."""
    examples = tuple(e.strip() for e in _QUOTED.findall(gloss) if e.strip())
    first = gloss.find('"')
    definition = gloss if first < 0 else gloss[:first]
    return definition.strip().rstrip(";").strip(), examples


def _parse_data_line(line: str) -> Synset | None:
    if not line or line.startswith(" "):  # the licence header lines start with two spaces
        return None
    head, _, gloss = line.partition(" | ")
    fields = head.split()
    pos = "a" if fields[2] == "s" else fields[2]
    n_words = int(fields[3], 16)
    lemmas = tuple(_MARKER.sub("", fields[4 + 2 * i]).replace("_", " ") for i in range(n_words))
    definition, examples = _split_gloss(gloss.strip())
    return Synset(int(fields[0]), pos, lemmas, definition, examples)


def iter_synsets(root: str | os.PathLike[str] | None = None, pos: str | None = None) -> Iterator[Synset]:
    """Every synset of the database (or of one part of speech), in file order."""
    folder = find_wordnet(root)
    for code, name in POS_NAMES.items():
        if pos is not None and code != pos:
            continue
        with open(folder / f"data.{name}", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                synset = _parse_data_line(line.rstrip("\n"))
                if synset is not None:
                    yield synset


def sense_numbers(root: str | os.PathLike[str] | None = None) -> dict[tuple[str, str, int], int]:
    """``(lemma, pos, synset offset) -> sense number`` from the ``index.*`` files (1 = the commonest sense)."""
    folder = find_wordnet(root)
    out: dict[tuple[str, str, int], int] = {}
    for code, name in POS_NAMES.items():
        with open(folder / f"index.{name}", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(" "):
                    continue
                fields = line.split()
                lemma = fields[0].replace("_", " ")
                n_synsets, n_pointers = int(fields[2]), int(fields[3])
                offsets = fields[6 + n_pointers : 6 + n_pointers + n_synsets]
                for number, offset in enumerate(offsets, 1):
                    out[(lemma, code, int(offset))] = number
    return out


def iter_sense_examples(root: str | os.PathLike[str] | None = None) -> Iterator[SenseExample]:
    """Every (lemma, example) pair where a one-word lemma of the synset occurs in the example in exactly its form.

    The match is case-insensitive on whole words as :func:`embedkit.text.segment` splits them; inflected forms
    (``banks``) are not matched, so each pair is certain. An example that contains the lemma twice gives its
    first occurrence.
    """
    from embedkit.text import segment

    numbers = sense_numbers(root)
    for synset in iter_synsets(root):
        single = [lemma for lemma in synset.lemmas if " " not in lemma]
        if not single or not synset.examples:
            continue
        for sentence in synset.examples:
            words = segment(sentence)
            lowered = [w.text.lower() for w in words]
            for lemma in single:
                low = lemma.lower()
                if low not in lowered:
                    continue
                word = words[lowered.index(low)]
                number = numbers.get((low, synset.pos, synset.offset)) or numbers.get(
                    (lemma, synset.pos, synset.offset)
                )
                if number is None:
                    continue
                yield SenseExample(
                    low, synset.pos, number, synset.offset, synset.definition, sentence, word.start, word.end
                )


def load_sense_examples(path: str | os.PathLike[str] | None = None) -> list[SenseExample]:
    """The sense-labelled examples shipped with embedkit (every lemma with examples in two or more senses).

    Raises:
        EmbedkitError: the extract is missing or has other columns.
    """
    import gzip

    file = Path(path) if path is not None else EXTRACT_PATH
    if not file.is_file():
        raise EmbedkitError(f"the WordNet sense extract is missing ({file.name}); run scripts/build_wordnet_senses.py")
    out: list[SenseExample] = []
    with gzip.open(file, "rt", encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        if tuple(header) != EXTRACT_COLUMNS:
            raise EmbedkitError(f"{file.name}: expected the columns {', '.join(EXTRACT_COLUMNS)}")
        for line in fh:
            lemma, pos, sense, synset, gloss, sentence, start, end = line.rstrip("\n").split("\t")
            out.append(SenseExample(lemma, pos, int(sense), int(synset), gloss, sentence, int(start), int(end)))
    return out
