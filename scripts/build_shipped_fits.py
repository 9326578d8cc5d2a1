"""Build the fits embedkit ships for the bundled model and vectors under the default configuration.

Fits the post-processing reference, encodes the ``align_k`` most frequent GloVe words alone and fits the static ->
contextual map, exactly as a first run does (:func:`embedkit.shipped.compute_fits`, in an empty cache folder), and
writes them to ``embedkit/data/`` (see :mod:`embedkit.shipped`). Run it again whenever the defaults
(``embedkit/data/encoder_choice.json``), the bundled packages or the fitting code change; the test
``tests/unit/test_shipped.py`` says when the stored fits no longer match a refit.

    python scripts/build_shipped_fits.py            # writes embedkit/data/shipped_*
    python scripts/build_shipped_fits.py --check    # refits and compares with what is stored; exit 1 if they differ
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from embedkit.shipped import DATA_DIR, compute_fits, differences, load_shipped, write_fits  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="refit and compare with the stored fits; write nothing")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="folder to write to (default: embedkit/data)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    fresh = compute_fits()
    print(f"fitted in {time.perf_counter() - start:.1f} s: {fresh.config.describe()}")
    if args.check:
        stored = load_shipped(args.out)
        if stored is None:
            print(f"no stored fits in {args.out}")
            return 1
        problems = differences(stored, fresh)
        for line in problems:
            print(f"differs: {line}")
        print("the stored fits match a refit" if not problems else "the stored fits do not match a refit")
        return 1 if problems else 0
    for path in write_fits(fresh, args.out):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
