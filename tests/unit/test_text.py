from __future__ import annotations

import pytest

from embedkit.errors import EmbedkitError
from embedkit.text import check_text, segment, split_lines


def test_words_and_punctuation_with_offsets_into_the_text() -> None:
    text = "I sat on the river bank, didn't I?"
    words = segment(text)
    assert [w.text for w in words] == ["I", "sat", "on", "the", "river", "bank", ",", "didn't", "I", "?"]
    assert all(text[w.start : w.end] == w.text for w in words)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hi 👋🏽 there", ["Hi", "👋🏽", "there"]),  # emoji with skin tone stays one token
        ("family 👨\u200d👩\u200d👧!", ["family", "👨\u200d👩\u200d👧", "!"]),
        ("我爱北京", ["我", "爱", "北", "京"]),  # Han characters stand alone, as in BERT
        ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),  # combining marks stay inside the word
        ("<b>bold</b>", ["<", "b", ">", "bold", "<", "/", "b", ">"]),
        ("state-of-the-art café", ["state-of-the-art", "café"]),
    ],
)
def test_odd_scripts_emoji_and_html_segment_sensibly(text: str, expected: list[str]) -> None:
    words = segment(text)
    assert [w.text for w in words] == expected
    assert all(text[w.start : w.end] == w.text for w in words)


def test_lines_are_sentences() -> None:
    assert split_lines("  one \n\n two\r\n   \n") == ["one", "two"]


def test_empty_and_huge_text_get_clear_errors() -> None:
    with pytest.raises(EmbedkitError, match="no text"):
        check_text(["   ", "\t"])
    with pytest.raises(EmbedkitError, match="too long"):
        check_text(["word " * 100], max_chars=50)
