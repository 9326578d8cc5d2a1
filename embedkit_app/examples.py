"""Named example sentence sets for the Home page (chosen by name; the name goes into the URL).

The polysemy set says which WordNet 3.0 sense each *bank*, *bat* and *spring* is used in (sense numbers and glosses
from WordNet; licence in ``embedkit/data/WORDNET_LICENSE``), so the spotlight colours them by sense and can score
how well each space separates the senses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from embedkit.wordnet import SenseNote


@dataclass(frozen=True)
class ExampleSet:
    """A named set of sentences, one sentence per line.

    Attributes:
        name: Short name used in the URL (``?example=polysemy``).
        title: What the picker shows.
        description: One sentence on what to look for.
        text: The sentences, one per line.
        senses: Known senses: ``(line number from 0, word, sense)``.
    """

    name: str
    title: str
    description: str
    text: str
    senses: tuple[tuple[int, str, SenseNote], ...] = field(default=())

    @property
    def lines(self) -> list[str]:
        """The non-empty lines of ``text``."""
        return [line for line in self.text.splitlines() if line.strip()]

    def known_senses(self) -> dict[tuple[str, str], SenseNote]:
        """``(sentence, word) -> sense`` for :func:`embedkit.spotlight.build_spotlight`."""
        lines = self.lines
        return {(lines[n], word): note for n, word, note in self.senses}


_RIVERSIDE = SenseNote("bank.n.01", "sloping land (especially the slope beside a body of water)")
_MONEY = SenseNote(
    "bank.n.02", "a financial institution that accepts deposits and channels the money into lending activities"
)
_MAMMAL = SenseNote(
    "bat.n.01",
    "nocturnal mouselike mammal with forelimbs modified to form membranous wings and anatomical "
    "adaptations for echolocation by which they navigate",
)
_CRICKET = SenseNote("bat.n.04", "the club used in playing cricket")
_SEASON = SenseNote("spring.n.01", "the season of growth")
_COIL = SenseNote(
    "spring.n.02", "a metal elastic device that returns to its shape or position when pushed or pulled or pressed"
)
_WELL = SenseNote("spring.n.03", "a natural flow of ground water")


POLYSEMY = ExampleSet(
    name="polysemy",
    title="Polysemy: bank, bat, spring",
    description=(
        "The same word in different senses. BERT gives each occurrence its own vector, "
        "GloVe gives every 'bank' the same one."
    ),
    text="\n".join(
        [
            "I sat on the river bank and watched the water.",
            "The bank raised its interest rates again.",
            "She opened a savings account at the bank.",
            "A bat flew out of the cave at dusk.",
            "He swung the cricket bat at the ball.",
            "The flowers bloom in early spring.",
            "The old mattress has a broken spring.",
            "We drank cold water from the mountain spring.",
        ]
    ),
    senses=(
        (0, "bank", _RIVERSIDE),
        (1, "bank", _MONEY),
        (2, "bank", _MONEY),
        (3, "bat", _MAMMAL),
        (4, "bat", _CRICKET),
        (5, "spring", _SEASON),
        (6, "spring", _COIL),
        (7, "spring", _WELL),
    ),
)

ANALOGY = ExampleSet(
    name="analogy",
    title="Analogy words",
    description=(
        "Pairs that form the classic analogies (king : queen = man : woman). "
        "Static vectors keep such offsets parallel; see whether the fusion keeps them."
    ),
    text="\n".join(
        [
            "king queen man woman prince princess",
            "paris france rome italy berlin germany",
            "walk walked swim swam run ran",
            "big bigger small smaller good better",
        ]
    ),
)

PARAGRAPH = ExampleSet(
    name="paragraph",
    title="A short paragraph",
    description="Running text: see how context pulls related words together in the BERT map.",
    text="\n".join(
        [
            "The river flooded the small town after a week of heavy rain.",
            "People moved their cars to higher ground and filled sandbags.",
            "When the water went down, the bank lent money to rebuild the houses.",
            "By spring the town was dry again and the children played by the river.",
        ]
    ),
)

EXAMPLES: dict[str, ExampleSet] = {e.name: e for e in (POLYSEMY, ANALOGY, PARAGRAPH)}
DEFAULT_EXAMPLE = POLYSEMY.name
CUSTOM = "custom"


def get_example(name: str | None) -> ExampleSet:
    """Return the example set called ``name``, or the default (polysemy) for unknown names.

    Args:
        name: An example set name, e.g. from the URL; ``None`` or unknown names give the default.

    Returns:
        The example set.
    """
    return EXAMPLES.get(name or "", EXAMPLES[DEFAULT_EXAMPLE])
