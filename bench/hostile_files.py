"""How long each hostile vectors file takes to be refused (prints a table).

Builds the corpus of ``tests/security/hostile.py`` (pickles, headers claiming far more than the file holds,
truncated binaries, NaN / inf in every format, compression bombs that expand to ~1 GB) in a temporary folder and
loads every file with ``embedkit.static.load_static`` in one subprocess under an address-space cap
(``resource.setrlimit``, 3 GiB). Peer in the same run: loading a well-formed word2vec text file of
``--rows`` x 50 (what a refusal is compared with).

Usage:
    python bench/hostile_files.py [--rows 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from tests.security.hostile import MEMORY_CAP, build_corpus, load_all

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the well-formed peer file")
    parser.add_argument("--repeats", type=int, default=3, help="passes over the corpus; the median is shown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus = build_corpus(folder / "corpus")
        peer = folder / "peer.txt"
        rng = np.random.default_rng(0)
        with open(peer, "w", encoding="utf-8") as fh:
            fh.write(f"{args.rows} 50\n")
            for i, row in enumerate(rng.normal(size=(args.rows, 50)).astype(np.float32)):
                fh.write(f"w{i} " + " ".join(f"{x:.5f}" for x in row) + "\n")
        paths = [path for path, _ in corpus.values()] + [peer]
        runs = [load_all(paths) for _ in range(args.repeats)]
        seconds = {p: statistics.median(float(run[p]["seconds"]) for run in runs) for p in paths}
        peer_s = seconds[peer]
        print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (cores: {os.cpu_count()})")
        print(f"memory cap (RLIMIT_AS): {MEMORY_CAP / 2**30:.0f} GiB; median of {args.repeats} passes\n")
        print(f"| {'file':24} | {'bytes':>9} | {'result':8} | {'seconds':>8} | {'vs peer':>7} | message")
        print(f"|{'-' * 26}|{'-' * 11}|{'-' * 10}|{'-' * 10}|{'-' * 9}|{'-' * 60}")
        for name, (path, _) in corpus.items():
            r = runs[-1][path]
            size = path.stat().st_size if path.is_file() else sum(f.stat().st_size for f in path.iterdir())
            result = "loaded" if r["loaded"] else "refused"
            message = str(r.get("message", ""))[:90]
            print(
                f"| {name:24} | {size:>9,} | {result:8} | {seconds[path]:>8.4f} | "
                f"{seconds[path] / peer_s:>7.4f} | {message}"
            )
        print(
            f"| {'peer: well-formed ' + str(args.rows // 1000) + 'k x 50':24} | {peer.stat().st_size:>9,} | "
            f"{'loaded':8} | {peer_s:>8.4f} | {1.0:>7.4f} |"
        )
        refused = [seconds[p] for name, (p, ok) in corpus.items() if not ok]
        print(f"\nslowest refusal: {max(refused):.3f} s; refusals taking 2 s or more: {sum(s >= 2 for s in refused)}")


if __name__ == "__main__":
    main()
