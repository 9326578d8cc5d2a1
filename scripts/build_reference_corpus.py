"""Build embedkit/data/wordnet_reference-{1,2}.tsv.xz: WordNet 3.0's glosses and examples, the word maps' reference corpus.

Reads the WordNet database installed by Debian's ``wordnet-base`` (``/usr/share/wordnet``, or ``$WORDNET_DIR``):
every definition (split at ``;``) and every example sentence with at least four words, repeats left out; example
sentences keep their synset, so a word that is a lemma of that synset is sense-tagged there (see
:mod:`embedkit.reference`). The same database gives a byte-identical file.

    python scripts/build_reference_corpus.py            # rewrites embedkit/data/wordnet_reference-*.tsv.xz
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embedkit.reference import REFERENCE_PATH, iter_reference_records, load_reference, write_reference  # noqa: E402

LIMIT_BYTES = 2_000_000  # the repository refuses tracked files over 2 MB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", help="WordNet database folder (default: $WORDNET_DIR or /usr/share/wordnet)")
    parser.add_argument(
        "-o",
        "--output",
        default=str(REFERENCE_PATH),
        help="output prefix: writes PREFIX-1.tsv.xz, PREFIX-2.tsv.xz, ...",
    )
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    records = list(iter_reference_records(args.wordnet))
    parts = write_reference(records, args.output)
    ref = load_reference(args.output)
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.2f} MB" for p in parts)
    print(
        f"wrote {sizes}: {len(ref):,} sentences ({int(ref.is_example.sum()):,} examples), {ref.n_words:,} words, "
        f"{len(records):,} synsets, in {time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )
    big = [p.name for p in parts if p.stat().st_size > LIMIT_BYTES]
    if big:
        print(f"error: {', '.join(big)} over 2 MB (the repository refuses it): lower PART_BYTES", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
