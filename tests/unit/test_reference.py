"""The bundled reference corpus: what it holds agrees with the WordNet database it was built from."""

from __future__ import annotations

import lzma
import os
from pathlib import Path

import pytest

from embedkit.errors import EmbedkitError
from embedkit.reference import (
    HEADER,
    MIN_WORDS,
    SynsetRecord,
    check_word,
    iter_reference_records,
    load_reference,
    reference_parts,
    write_reference,
)
from embedkit.text import is_punctuation, segment

WORDNET = Path("/usr/share/wordnet")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
#: outside CI a machine without wordnet-base skips these; in CI they run (and fail if scripts/test.sh did not install it)
needs_wordnet = pytest.mark.skipif(
    not (WORDNET / "data.noun").is_file() and not IN_CI, reason="WordNet (wordnet-base) not installed"
)
WORDS = ("bank", "spring", "plant", "mouse", "interest", "bat")


@pytest.fixture(scope="module")
def ref():
    return load_reference()


@pytest.fixture(scope="module")
def expected() -> dict[str, set[str]]:
    """Straight from the database: every definition part and example of >= 4 words, first time seen, that contains
    the word as a segmented word."""
    from embedkit.wordnet import iter_synsets

    out: dict[str, set[str]] = {w: set() for w in WORDS}
    seen: set[str] = set()
    for synset in iter_synsets(WORDNET):
        parts = [p.strip() for p in synset.definition.split(";") if p.strip()]
        for text in [*parts, *synset.examples]:
            if text in seen:
                continue
            words = [w.text.lower() for w in segment(text) if not is_punctuation(w.text)]
            if len(words) < MIN_WORDS:
                continue
            seen.add(text)
            for w in WORDS:
                if w in words:
                    out[w].add(text)
    return out


def test_every_part_stays_under_two_megabytes() -> None:
    parts = reference_parts()
    assert len(parts) >= 2
    assert all(p.stat().st_size < 2_000_000 for p in parts)


def test_the_corpus_is_wordnets_glosses_and_examples(ref) -> None:
    assert len(ref) > 150_000 and ref.is_example.sum() > 30_000
    assert len(ref.synset_of) == len(ref.sentences) == len(ref.is_example)
    assert len(set(ref.sentences)) == len(ref)  # no sentence twice


@needs_wordnet
@pytest.mark.parametrize("word", WORDS)
def test_lookup_finds_exactly_the_sentences_with_the_word(ref, expected, word: str) -> None:
    found = {ref.sentences[i] for i in ref.sentences_with(word)}
    assert found == expected[word]
    assert found  # every test word occurs
    assert all(ref.span(i, word) is not None for i in ref.sentences_with(word))


def test_lookup_is_whole_words_and_case_insensitive(ref) -> None:
    ids = ref.sentences_with("Bank")
    assert list(ids) == list(ref.sentences_with("bank"))

    def words(i: int) -> set[str]:
        return {w.text.lower() for w in segment(ref.sentences[i])}

    plural_only = {i for i in ref.sentences_with("banks").tolist() if "bank" not in words(i)}
    assert plural_only and not plural_only & set(ids.tolist())
    for i in ids:  # never inside another word ("banker", "riverbank", "bank-robber")
        assert "bank" in words(int(i))


@needs_wordnet
def test_sense_tags_are_wordnets_sense_labelled_examples(ref) -> None:
    from embedkit.wordnet import iter_sense_examples, sense_key

    corpus = set(ref.sentences)
    truth = {
        (ex.sentence, sense_key(ex.lemma, ex.pos, ex.sense))
        for ex in iter_sense_examples(WORDNET)
        if ex.lemma in ("bank", "spring", "plant") and ex.sentence in corpus
    }
    tags = set()
    for word in ("bank", "spring", "plant"):
        for i in ref.tagged(word):
            sense = ref.sense(i, word)
            assert sense is not None and sense.gloss
            tags.add((ref.sentences[i], sense.key))
    assert tags == truth
    assert {k for _, k in tags} >= {"bank.n.01", "bank.n.02"}
    definition = next(i for i in ref.sentences_with("bank") if not ref.is_example[i])
    assert ref.sense(definition, "bank") is None  # a gloss's own words carry no sense tag


@pytest.mark.slow
@needs_wordnet
def test_rebuilding_from_the_database_gives_the_same_files(tmp_path: Path) -> None:
    parts = write_reference(list(iter_reference_records(WORDNET)), tmp_path / "wordnet_reference")
    shipped = reference_parts()
    assert [p.name for p in parts] == [p.name for p in shipped]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(parts, shipped))


def test_written_parts_read_back(tmp_path: Path) -> None:
    records = [
        SynsetRecord(
            "n", "bank:1", "sloping land", "ge", ("sloping land beside a river", "they pulled the canoe up on the bank")
        ),
        SynsetRecord("n", "bank:2", "", "g", ("a financial institution that accepts deposits",)),
    ]
    write_reference(records, tmp_path / "tiny")
    ref = load_reference(tmp_path / "tiny")
    assert ref.sentences == [*records[0].sentences, *records[1].sentences]
    assert [ref.sense(i, "bank").key if ref.sense(i, "bank") else None for i in range(3)] == [None, "bank.n.01", None]
    assert list(ref.sentences_with("bank")) == [1]


def test_a_damaged_part_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad-1.tsv.xz").write_bytes(b"not xz at all")
    with pytest.raises(EmbedkitError, match="damaged"):
        load_reference(tmp_path / "bad")
    (tmp_path / "old-1.tsv.xz").write_bytes(lzma.compress(b"# another format\n1 1\nhello\n"))
    with pytest.raises(EmbedkitError, match="another version"):
        load_reference(tmp_path / "old")
    with pytest.raises(EmbedkitError, match="missing"):
        load_reference(tmp_path / "nothing")
    assert HEADER.startswith("# embedkit reference corpus")


@pytest.mark.parametrize("bad", ["", "   ", "river bank", ".", "bank."])
def test_a_word_map_is_of_one_word(bad: str) -> None:
    with pytest.raises(EmbedkitError):
        check_word(bad)
    assert check_word(" Bank ") == "bank"
