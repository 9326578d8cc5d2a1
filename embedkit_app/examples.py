"""Named example sentence sets for the Home page (chosen by name; the name goes into the URL)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExampleSet:
    """A named set of sentences, one sentence per line.

    Attributes:
        name: Short name used in the URL (``?example=polysemy``).
        title: What the picker shows.
        description: One sentence on what to look for.
        text: The sentences, one per line.
    """

    name: str
    title: str
    description: str
    text: str

    @property
    def lines(self) -> list[str]:
        """The non-empty lines of ``text``."""
        return [line for line in self.text.splitlines() if line.strip()]


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
