"""The word-map table's words and its section of docs/results.md."""

from __future__ import annotations

from collections import Counter

from embedkit.evaluation.wordmap_report import SECTION_END, SECTION_START, WORDS, replace_section
from embedkit.reference import load_reference


def test_every_word_has_two_senses_with_two_tagged_examples() -> None:
    ref = load_reference()
    assert len(WORDS) == len(set(WORDS)) == 20
    for word in WORDS:
        senses = Counter(ref.sense(i, word).key for i in ref.tagged(word))  # type: ignore[union-attr]
        assert sum(1 for n in senses.values() if n >= 2) >= 2, (word, senses)


def test_the_section_is_replaced_and_nothing_else() -> None:
    doc = "# Results\n\nsome table\n"
    once = replace_section(doc, [SECTION_START, "first", SECTION_END])
    assert once.startswith(doc.rstrip("\n")) and once.count(SECTION_START) == 1
    twice = replace_section(once + "\n## after\n", [SECTION_START, "second", SECTION_END])
    assert "second" in twice and "first" not in twice and twice.endswith("## after\n")
    assert twice.startswith("# Results\n\nsome table")
