"""Build embedkit/data/wordnet_senses.tsv.gz: WordNet 3.0's sense-labelled example sentences.

Reads the WordNet database installed by Debian's ``wordnet-base`` (``/usr/share/wordnet``, or ``$WORDNET_DIR``)
and keeps every (lemma, part of speech) whose exact form occurs in the examples of at least two of its senses:
one row per example with the lemma, part of speech, sense number, synset offset, gloss, sentence and the
character span of the lemma. WordNet reuses some examples: a sentence given for two senses of one (lemma, part of
speech) is dropped, and copies with one sense are kept once (:func:`embedkit.evaluation.sense_data.deduplicate_examples`). The file ships with embedkit (with WordNet's licence beside it), so the sense
benchmark and the app need no WordNet install.

    python scripts/build_wordnet_senses.py            # rewrites embedkit/data/wordnet_senses.tsv.gz
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embedkit.evaluation.sense_data import deduplicate_examples  # noqa: E402
from embedkit.wordnet import EXTRACT_COLUMNS, EXTRACT_PATH, iter_sense_examples  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", help="WordNet database folder (default: $WORDNET_DIR or /usr/share/wordnet)")
    parser.add_argument("-o", "--output", default=str(EXTRACT_PATH), help="output .tsv.gz")
    args = parser.parse_args(argv)

    examples, conflicting, copies = deduplicate_examples(iter_sense_examples(args.wordnet))
    senses: dict[tuple[str, str], set[int]] = defaultdict(set)
    for ex in examples:
        senses[(ex.lemma, ex.pos)].add(ex.synset)
    keep = [ex for ex in examples if len(senses[(ex.lemma, ex.pos)]) >= 2]
    keep.sort(key=lambda ex: (ex.lemma, ex.pos, ex.sense, ex.sentence))
    out = Path(args.output)
    tmp = out.with_suffix(".tmp")
    # mtime=0: the same database gives byte-identical output
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(("\t".join(EXTRACT_COLUMNS) + "\n").encode("utf-8"))
        for ex in keep:
            row = [ex.lemma, ex.pos, str(ex.sense), str(ex.synset), ex.gloss, ex.sentence, str(ex.start), str(ex.end)]
            gz.write(("\t".join(c.replace("\t", " ") for c in row) + "\n").encode("utf-8"))
    tmp.replace(out)
    lemmas = {(ex.lemma, ex.pos) for ex in keep}
    print(
        f"wrote {out}: {len(keep):,} examples of {len(lemmas):,} (lemma, pos) pairs with 2+ senses "
        f"({conflicting} examples with two senses of one lemma dropped, {copies} same-sense copies removed)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
