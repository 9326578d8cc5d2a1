"""A word in the spotlight: its points, their senses, and the numbers beside the maps."""

from __future__ import annotations

import numpy as np
import pytest

from embedkit.spotlight import build_spotlight, default_word, spotlight_words
from embedkit.wordnet import SenseNote, load_sense_examples, sense_key
from embedkit.wordvectors import WordVectors

RIVER = SenseNote("bank.n.01", "sloping land (especially the slope beside a body of water)")
MONEY = SenseNote("bank.n.02", "a financial institution")
SENTENCES = [
    "I sat on the river bank and watched the water.",
    "The bank raised its interest rates again.",
    "She opened a savings account at the bank.",
]
KNOWN = {(SENTENCES[0], "bank"): RIVER, (SENTENCES[1], "bank"): MONEY, (SENTENCES[2], "bank"): MONEY}


def test_default_word_is_the_first_repeated_content_word_never_a_stopword() -> None:
    words = "My dog saw my cat . My cat ran up a tree and my dog barked .".split()
    assert default_word(words, np.arange(len(words))) == "dog"
    assert spotlight_words(words, np.arange(len(words)))[:2] == ["dog", "cat"]
    assert "my" not in spotlight_words(words, np.arange(len(words)))
    assert "." not in spotlight_words(words, np.arange(len(words)))
    assert default_word(["the", "the", "a"], np.arange(3)) is None


def test_sense_key_names_lemma_pos_and_number() -> None:
    assert sense_key("Bank", "n", 2) == "bank.n.02"


@pytest.fixture(scope="module")
def polysemy(embedder):
    return embedder.embed(SENTENCES)


@pytest.mark.slow
def test_spotlight_on_bank_scores_bert_above_chance_and_static_at_chance(polysemy) -> None:
    spot = build_spotlight(polysemy, "Bank", known=KNOWN)
    assert spot.word == "bank" and len(spot.points) == 3 and spot.has_senses
    assert spot.senses == ("bank.n.01", "bank.n.02", "bank.n.02")
    assert spot.origins == ("s1", "s2", "s3")
    sep = spot.separation("weighted", 0.5)
    # static: one vector for every occurrence, so every cosine is 1 and the accuracy is the tie baseline
    assert sep["static"].same == pytest.approx(1.0) and sep["static"].cross == pytest.approx(1.0)
    assert sep["static"].accuracy == pytest.approx(sep["static"].baseline) == pytest.approx(0.5)
    # BERT: the two money banks are closer to each other than to the river bank
    assert sep["bert"].same > sep["bert"].cross
    assert sep["bert"].accuracy == pytest.approx(1.0)
    assert sep["fused"].same == pytest.approx(spot.separation("weighted", 0.5)["fused"].same)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["weighted", "attention", "concat"])
def test_the_points_vectors_are_the_texts_vectors(polysemy, mode: str) -> None:
    """Fusing only the points' sentences gives exactly the text's fused vectors (attention reads the sentence)."""
    spot = build_spotlight(polysemy, "bank")
    full = polysemy.spaces(mode, 0.3)
    for name, X in spot.spaces(mode, 0.3).items():
        np.testing.assert_allclose(X, full[name][spot.points], rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_wordnet_examples_join_as_labelled_points(polysemy, embedder) -> None:
    examples = [ex for ex in load_sense_examples() if ex.lemma == "bank" and ex.pos == "n"]
    examples_text = embedder.embed([ex.sentence for ex in examples])
    spot = build_spotlight(polysemy, "bank", examples=examples, examples_text=examples_text)
    assert len(spot.points) == 3 + len(examples)
    assert spot.senses[:3] == (None, None, None)  # no senses known for the text here
    assert set(spot.senses[3:]) == {sense_key("bank", "n", ex.sense) for ex in examples}
    assert spot.origins[3:] == ("WordNet",) * len(examples)
    assert all("[bank]" in c for c in spot.contexts)
    assert (spot.points[3:] >= len(polysemy)).all() and spot.n_text_rows == len(polysemy)
    sep = spot.separation()
    assert sep["static"].accuracy == pytest.approx(sep["static"].baseline)
    with pytest.raises(ValueError, match="embedded"):
        build_spotlight(polysemy, "bank", examples=examples)


@pytest.mark.slow
def test_concatenated_vectors_keep_sentences_apart(polysemy) -> None:
    both = WordVectors.concat(polysemy, polysemy)
    assert len(both) == 2 * len(polysemy)
    assert both.sentence_id.max() == 2 * polysemy.sentence_id.max() + 1
    np.testing.assert_array_equal(
        both.fuse("attention", 0.5).vectors[len(polysemy) :], polysemy.fuse("attention", 0.5).vectors
    )


@pytest.mark.slow
def test_sense_numbers_of_one_space_compute_only_that_space(polysemy, monkeypatch) -> None:
    """A column of the BERT or static map needs no fusion; the fused column fuses once (an alpha move redraws only
    the fused column)."""
    spot = build_spotlight(polysemy, "bank", known=KNOWN)
    calls: list[str] = []
    real = WordVectors.fuse

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append("fuse")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(WordVectors, "fuse", counted)
    assert set(spot.separation("weighted", 0.3, only=("bert",))) == {"bert"}
    assert set(spot.mean_cosine("weighted", 0.3, only=("static",))) == {"static"}
    assert calls == []
    fused = spot.separation("weighted", 0.3, only=("fused",))["fused"]
    assert calls == ["fuse"]
    assert fused == spot.separation("weighted", 0.3)["fused"]  # the same number as with every space
