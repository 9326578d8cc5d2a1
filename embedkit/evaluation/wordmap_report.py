"""The word-map table of docs/results.md: how well each space's word-map clusters follow WordNet's tagged senses.

For each word of a fixed list of polysemous nouns the word map is built as the app builds it (the bundled encoder
with its default options, 200 reference sentences, seed 0, no user text). Per space (BERT, static, fused by the
weighted sum at alpha 0.5, the app's default) and word, over the word's sense-tagged occurrences:

- **cluster agreement**: the adjusted Rand index of the map's clusters (k by silhouette) and the tagged senses;
- **nearest-neighbour sense accuracy** (leave one out, tie-aware) and its chance level.

Means over words with 95% percentile bootstrap intervals that resample *words* (the independent unit: a word's
occurrences share its map), the same resamples for every space, so the BERT - static difference is paired.

The words: *bank* and *interest* (the usual examples, with two senses of two or more tagged examples each), then
the 18 nouns of the reference corpus with the most tagged examples in senses that have two or more, among nouns with
at least two such senses (WordNet tags few examples: *bat*, *spring* and *mouse* have at most one such sense).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.evaluation.intervals import Score, mean_ci
from embedkit.options import SPACES
from embedkit.progress import Progress

if TYPE_CHECKING:
    from embedkit.embedder import Embedder

__all__ = ["SECTION_END", "SECTION_START", "WORDS", "WordMapReport", "replace_section", "run_wordmap_report"]

#: the fused space's alpha (the app's default)
ALPHA = 0.5

WORDS = (
    "bank",
    "interest",
    "day",
    "time",
    "air",
    "head",
    "sense",
    "cup",
    "finish",
    "line",
    "performance",
    "range",
    "record",
    "wall",
    "baby",
    "business",
    "end",
    "home",
    "operation",
    "situation",
)
SECTION_START = (
    "<!-- wordmap:start (written by scripts/write_results.py from embedkit/evaluation/wordmap_report.py) -->"
)
SECTION_END = "<!-- wordmap:end -->"


@dataclass(frozen=True)
class WordRow:
    """One word: its map's size and, per space, cluster agreement, accuracy and chance over its tagged occurrences."""

    word: str
    points: int
    tagged: int
    senses: int
    ari: dict[str, float]
    accuracy: dict[str, float]
    chance: dict[str, float]
    clusters: dict[str, int]


@dataclass(frozen=True)
class WordMapReport:
    """The table: per-word rows and, per space, means over words with word-resampling intervals."""

    rows: tuple[WordRow, ...]
    ari: dict[str, Score]
    accuracy: dict[str, Score]
    chance: dict[str, Score]
    bert_minus_static: Score
    settings: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    task: str = "wordmap"

    def finding(self) -> str:
        """One sentence for the findings list."""
        b, s, acc, chance = self.ari["bert"], self.ari["static"], self.accuracy["bert"], self.chance["bert"]
        ks = [r.clusters["bert"] for r in self.rows]
        senses = [r.senses for r in self.rows]
        return (
            f"on the word's own map of {len(self.rows)} polysemous nouns, BERT's nearest tagged neighbour has the same "
            f"WordNet sense {acc.format(digits=2)} of the time against chance {chance.format(digits=2)} (static: "
            f"chance exactly, one point per word), but its clusters follow the tagged senses only weakly: ARI "
            f"{b.format(digits=2)} against {s.format(digits=2)} for static, difference "
            f"{self.bert_minus_static.format(signed=True, digits=2)} (words resampled); the maps find {min(ks)} to "
            f"{max(ks)} clusters where the tagged examples spread over {min(senses)} to {max(senses)} fine senses"
        )

    def table(self) -> str:
        """Means per space, then one row per word."""
        from embedkit.evaluation.report import rows_to_text

        head = ["space", "cluster agreement (ARI)", "NN sense accuracy", "chance"]
        means = [
            [
                name,
                self.ari[name].format(digits=2),
                self.accuracy[name].format(digits=2),
                self.chance[name].format(digits=2),
            ]
            for name in SPACES
        ]
        per_word = [
            [
                r.word,
                f"{r.points}",
                f"{r.tagged} / {r.senses}",
                *(f"{r.ari[s]:.2f} ({r.clusters[s]})" if np.isfinite(r.ari[s]) else "-" for s in SPACES),
                f"{r.accuracy['bert']:.2f}" if np.isfinite(r.accuracy["bert"]) else "-",
                f"{r.chance['bert']:.2f}" if np.isfinite(r.chance["bert"]) else "-",
            ]
            for r in self.rows
        ]
        word_head = [
            "word",
            "points",
            "tagged / senses",
            "ARI bert (k)",
            "ARI static (k)",
            "ARI fused (k)",
            "NN bert",
            "chance",
        ]
        return rows_to_text(head, means) + "\n\n" + rows_to_text(word_head, per_word)

    def section(self, command: str) -> list[str]:
        """The lines of the results document's section (between its markers)."""
        return [
            SECTION_START,
            "## The word's own map",
            "",
            f"Written by `{command}`; {', '.join(f'{k}: {v}' for k, v in self.settings.items())}.",
            "",
            f"- **wordmap**: {self.finding()}.",
            "",
            "```",
            self.table(),
            "```",
            "",
            "Per word: the map of the word alone (no user text): 200 reference sentences (its sense-tagged examples "
            "first, then a seeded sample), clusters by spherical k-means with k chosen by the silhouette (k in "
            "brackets), scored over the tagged occurrences only (`tagged / senses`). Fused: weighted sum at alpha "
            "0.5. Means over words; 95% intervals from 1,000 bootstrap resamples of the words (a word's occurrences "
            "share one map, so they are not independent). The static space puts every occurrence of a word on one "
            "point: one cluster, ARI 0 and accuracy at chance by construction. WordNet tags few examples per word, "
            "so each word's numbers rest on few occurrences; the means rest on 20 words. These numbers describe the maps; "
            "they are not among the comparisons of the Holm family above (no fusion gain is claimed here).",
            SECTION_END,
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            "task": self.task,
            "words": [r.__dict__ for r in self.rows],
            "ari": {k: v.to_dict() for k, v in self.ari.items()},
            "accuracy": {k: v.to_dict() for k, v in self.accuracy.items()},
            "chance": {k: v.to_dict() for k, v in self.chance.items()},
            "bert_minus_static": self.bert_minus_static.to_dict(),
            "settings": self.settings,
        }


def app_embedder() -> Embedder:
    """The Embedder the app starts with: the default :class:`~embedkit.config.EmbedderConfig`."""
    from embedkit.embedder import Embedder

    return Embedder.from_config()


def run_wordmap_report(
    embedder: Embedder | None = None,
    words: Sequence[str] = WORDS,
    *,
    sample: int = 200,
    seed: int = 0,
    n_boot: int = 1000,
    progress: Progress | None = None,
) -> WordMapReport:
    """Build every word's map and score it (see the module docstring)."""
    from embedkit.wordmap import build_word_map

    start = time.perf_counter()
    embedder = embedder if embedder is not None else app_embedder()
    rows = []
    for k, word in enumerate(words):
        wm = build_word_map(word, embedder, sample=sample, seed=seed)
        seps = {s: wm.view(s, "weighted", ALPHA).separation for s in SPACES}
        b = seps["bert"]
        rows.append(
            WordRow(
                word,
                len(wm),
                b.n_tagged,
                b.n_senses,
                {s: float(v.ari) for s, v in seps.items()},
                {s: float(v.accuracy) for s, v in seps.items()},
                {s: float(v.chance) for s, v in seps.items()},
                {s: v.k for s, v in seps.items()},
            )
        )
        if progress is not None:
            progress(k + 1, len(words))

    def column(metric: str, space: str) -> np.ndarray:
        return np.asarray([getattr(r, metric)[space] for r in rows], np.float64)

    def score(values: np.ndarray) -> Score:
        ok = ~np.isnan(values)
        return mean_ci(values[ok], n_boot=n_boot, seed=seed)

    ari = {s: score(column("ari", s)) for s in SPACES}
    accuracy = {s: score(column("accuracy", s)) for s in SPACES}
    chance = {s: score(column("chance", s)) for s in SPACES}
    diff = score(column("ari", "bert") - column("ari", "static"))
    settings = {
        "model": embedder.encoder.describe(),
        "static": f"{embedder.static.name} ({embedder.static.dim}-d)",
        "sample": f"{sample} reference sentences, seed {seed}",
        "fused": f"weighted sum, alpha {ALPHA}",
    }
    return WordMapReport(tuple(rows), ari, accuracy, chance, diff, settings, time.perf_counter() - start)


def replace_section(document: str, lines: Sequence[str]) -> str:
    """``document`` with its word-map section (between the markers) replaced by ``lines``, or them appended."""
    block = "\n".join(lines)
    if SECTION_START in document and SECTION_END in document:
        head, _, rest = document.partition(SECTION_START)
        _, _, tail = rest.partition(SECTION_END)
        return head + block + tail
    return document.rstrip("\n") + "\n\n" + block + "\n"
