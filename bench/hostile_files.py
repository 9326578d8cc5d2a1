"""How long each hostile vectors file, and each hostile corpus index, takes to be refused (prints tables).

Vectors files (default): builds the corpus of ``tests/security/hostile.py`` (pickles, headers claiming far more than the file holds,
truncated binaries, NaN / inf in every format, compression bombs that expand to ~1 GB) in a temporary folder and
loads every file with ``embedkit.static.load_static`` in one subprocess under an address-space cap
(``resource.setrlimit``, 3 GiB). Peer in the same run: loading a well-formed word2vec text file of
``--rows`` x 50 (what a refusal is compared with).

Corpus indexes (``--index``): builds a small index (WordNet slice, an IVF index forced), makes every hostile copy of
``tests/security/corpus_hostile.py`` (damaged and forged) and times ``CorpusIndex.open`` refusing each; peer: opening
the untampered index, fully verified. ``--index-rows N`` also writes a synthetic index of N occurrences x 384 dims
(WordNet's 1.5M is the realistic size: a 1.1 GB vectors file) and reports what verification costs: the first open
(every file hashed and checked), a later open (stamps match: nothing hashed) and SHA-256 alone, in s and s/GB.

Usage:
    python bench/hostile_files.py [--rows 100000] [--repeats 3]
    python bench/hostile_files.py --index [--index-rows 1500000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from tests.security.hostile import MEMORY_CAP, build_corpus, load_all

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the well-formed peer file")
    parser.add_argument("--repeats", type=int, default=3, help="passes over the corpus; the median is shown")
    parser.add_argument("--index", action="store_true", help="hostile corpus indexes instead of vectors files")
    parser.add_argument("--index-rows", type=int, default=0, help="also time verifying a synthetic index this big")
    args = parser.parse_args()
    if args.index:
        hostile_indexes(args.repeats, args.index_rows)
        return
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


def _time_open(path: Path, repeats: int) -> tuple[float, str]:
    """Median seconds of ``CorpusIndex.open(path)`` (stamps ignored: every file hashed each time) and its outcome."""
    from embedkit.corpus.index import CorpusIndex
    from embedkit.errors import EmbedkitError

    times, outcome = [], ""
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            CorpusIndex.open(path, verify_all=True)
            outcome = "opened"
        except EmbedkitError as exc:
            outcome = str(exc)
        times.append(time.perf_counter() - start)
    return statistics.median(times), outcome


def hostile_indexes(repeats: int, index_rows: int) -> None:
    from embedkit.corpus.build import build_index
    from embedkit.corpus.manifest import IndexSettings
    from tests.security.corpus_hostile import FORGED, make_hostile
    from tests.unit.test_corpus import write_slice

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ.setdefault("EMBEDKIT_CACHE_DIR", str(folder / "cache"))
        corpus = write_slice(folder / "wordnet.txt", n_glosses=200)
        good = build_index(corpus, folder / "good", IndexSettings(align_k=500, block_size=50), exact_limit=100)
        cases = make_hostile(good, folder / "hostile")
        peer_s, _ = _time_open(good, repeats)
        size = sum(f.stat().st_size for f in good.rglob("*") if f.is_file())
        print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (cores: {os.cpu_count()})")
        print(f"index: {size / 2**20:.1f} MiB on disk; median of {repeats} opens, every file hashed each time\n")
        print(f"| {'hostile index':40} | {'kind':7} | {'seconds':>8} | {'vs peer':>7} | refusal")
        print(f"|{'-' * 42}|{'-' * 9}|{'-' * 10}|{'-' * 9}|{'-' * 70}")
        slowest = 0.0
        for case, path in cases.items():
            seconds, outcome = _time_open(path, repeats)
            slowest = max(slowest, seconds)
            kind = "forged" if case in FORGED else "damaged"
            shown = outcome.split(" is damaged: ")[-1][:100]
            print(f"| {case:40} | {kind:7} | {seconds:>8.4f} | {seconds / peer_s:>7.3f} | {shown}")
        print(f"| {'peer: the untampered index, opened':40} | {'-':7} | {peer_s:>8.4f} | {1.0:>7.3f} |")
        refused = sum(1 for p in cases.values() if _time_open(p, 1)[1] != "opened")
        print(f"\nrefused: {refused} of {len(cases)}; slowest refusal {slowest:.3f} s")
        if index_rows:
            verify_cost(folder / "big", index_rows, repeats)


def verify_cost(folder: Path, n: int, repeats: int) -> None:
    """Write a consistent synthetic index of ``n`` occurrences (384-d half-precision vectors, 50-d static vectors),
    then time verifying it: the first open (every file hashed), a later open (stamps), SHA-256 alone."""
    import hashlib
    import json

    import pyarrow as pa
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    from embedkit.corpus.index import CorpusIndex
    from embedkit.corpus.manifest import FORMAT
    from embedkit.corpus.verify import digest_files, query_files

    dim, sdim, per = 384, 50, 10
    n -= n % per
    s, t = n // per, min(50_000, n)
    q = folder / "query"
    q.mkdir(parents=True)
    rng = np.random.default_rng(0)
    vec = np.lib.format.open_memmap(q / "vectors.npy", "w+", np.float16, (n, dim))
    for lo in range(0, n, 1 << 18):
        vec[lo : lo + (1 << 18)] = rng.normal(size=(min(1 << 18, n - lo), dim)).astype(np.float16)
    vec.flush()
    del vec
    types = rng.integers(0, t, n)
    pos = np.arange(n) % per
    rows = np.stack([np.arange(n) // per, pos, pos * 6, pos * 6 + 5, types], axis=1).astype(np.int64)
    np.save(q / "rows.npy", rows)
    np.save(q / "scalars.npy", rng.random((n, 5), np.float32))
    np.save(q / "order.npy", np.argsort(types, kind="stable").astype(np.int64))
    np.save(q / "type_offsets.npy", np.concatenate([[0], np.cumsum(np.bincount(types, minlength=t))]).astype(np.int64))
    np.save(q / "sentence_offsets.npy", np.arange(0, n + 1, per, dtype=np.int64))
    words = [f"w{i:06d}" for i in range(t)]
    pq.write_table(
        pa.table({"word": words, "key": words, "count": np.bincount(types, minlength=t), "oov": np.zeros(t, bool)}),
        q / "types.parquet",
    )
    np.save(q / "types_static.npy", rng.normal(size=(t, sdim)).astype(np.float32))
    schema = pa.schema([("text", pa.string()), ("file", pa.int32()), ("record", pa.int64())])
    with ipc.new_file(str(q / "sentences.arrow"), schema) as writer:
        for lo in range(0, s, 100_000):
            k = min(100_000, s - lo)
            writer.write_table(
                pa.table(
                    {
                        "text": ["w00001 w00002 w00003 w00004 w00005 w00006 w00007 w00008 w00009 w00010."] * k,
                        "file": np.zeros(k, np.int32),
                        "record": np.arange(lo, lo + k),
                    },
                    schema=schema,
                )
            )
    np.savez(folder / "map.npz", W=rng.normal(size=(sdim, dim)).astype(np.float32), scale=np.float64(1.0),
             n_fit=np.int64(500), method=np.str_("procrustes"))  # fmt: skip
    manifest = {
        "format": FORMAT,
        "state": "complete",
        "settings": {},
        "counts": {"sentences": s, "occurrences": n, "types": t, "oov": 0, "shards": 1},
        "model": {"name": "synthetic", "describe": "synthetic", "dim": dim},
        "static": {"name": "synthetic", "dim": sdim, "words": t},
        "map": {"method": "procrustes", "describe": "synthetic"},
        "exact_limit": n,
        "files": digest_files(folder, query_files(False)),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    size = sum(e["bytes"] for e in manifest["files"].values())
    gb = size / 1e9

    first = []
    for _ in range(repeats):
        start = time.perf_counter()
        CorpusIndex.open(folder, verify_all=True)
        first.append(time.perf_counter() - start)
    later = []
    for _ in range(repeats):
        start = time.perf_counter()
        CorpusIndex.open(folder)
        later.append(time.perf_counter() - start)
    start = time.perf_counter()
    for name in manifest["files"]:
        h = hashlib.sha256()
        with open(folder / name, "rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(4 << 20), b""):
                h.update(chunk)
    sha = time.perf_counter() - start
    f, lt = statistics.median(first), statistics.median(later)
    print(f"\nverification cost: synthetic index of {n:,} occurrences x {dim} dims, {size / 2**30:.2f} GiB of files")
    print(f"load average: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()}); files in the page cache")
    print(f"| {'open':44} | {'seconds':>8} | {'s per GB':>8} | {'vs later open':>13}")
    print(f"|{'-' * 46}|{'-' * 10}|{'-' * 10}|{'-' * 15}")
    print(f"| {'first open (every file hashed and checked)':44} | {f:>8.3f} | {f / gb:>8.3f} | {f / lt:>13.1f}")
    print(f"| {'later open (stamps match: nothing hashed)':44} | {lt:>8.3f} | {lt / gb:>8.3f} | {1.0:>13.1f}")
    print(f"| {'SHA-256 of the files alone':44} | {sha:>8.3f} | {sha / gb:>8.3f} | {sha / lt:>13.1f}")


if __name__ == "__main__":
    main()
