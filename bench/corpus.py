"""Corpus mode benchmark on WordNet 3.0's glosses and examples (Debian ``wordnet-base``), one table per stage.

Stages (``--stage``, repeatable; default: all, in this order):

- ``throughput``: words/s of ``embedkit index --engine local`` against ``Embedder.embed`` on the same first
  ``--limit`` lines (same dtype, same process, the peer fed chunks of 2,048 sentences as the encoder's stream is),
  for float32 (and bfloat16 with ``--bf16``); then ``--engine ray`` on a local Ray (2 CPUs) on the same lines.
- ``full``: indexes the whole corpus in a subprocess, sampling its resident memory (VmRSS) after every shard;
  reports RSS at 10 / 50 / 100 % of the records, the peak (VmHWM), words/s and bytes per occurrence (by file kind).
- ``query``: on the full index, ``occurrences(word)`` latency, ``neighbours`` top-10 latency p50 / p95 over random
  query occurrences and alphas, and recall@10 against exact search (tie-aware: a returned row counts when its exact
  score is at least the exact 10th best, since rows of one word type tie at alpha 0).
- ``senses``: the first map and then an alpha move for a word with about 10,000 occurrences.
- ``render``: time to first render of a 100,000-point WebGL sense map in headless Chromium.

Big files go to ``--work`` (default ``/tmp/embedkit-bench``), never into git. Every table line is printed with the
load average, since the 2 cores are shared.

Usage:
    python bench/corpus.py                                  # everything (an hour or more on 2 busy cores)
    python bench/corpus.py --stage throughput --limit 5000  # a quick ratio
    python bench/corpus.py --stage query --index /tmp/embedkit-bench/wordnet-index
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

STAGES = ("throughput", "full", "query", "senses", "render")


def load() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wordnet_corpus(work: Path) -> Path:
    """WordNet's glosses and examples, one per line (written once)."""
    path = work / "wordnet.txt"
    if not path.exists():
        from embedkit.wordnet import iter_synsets

        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            for syn in iter_synsets():
                for text in (syn.definition, *syn.examples):
                    fh.write(text.replace("\n", " ") + "\n")
        tmp.replace(path)
    return path


def head_lines(src: Path, n: int, dst: Path) -> Path:
    with open(src, encoding="utf-8") as fin, open(dst, "w", encoding="utf-8") as fout:
        for i, line in enumerate(fin):
            if i >= n:
                break
            fout.write(line)
    return dst


# -- throughput ------------------------------------------------------------------------------------------
def stage_throughput(args: argparse.Namespace, corpus: Path) -> None:
    import shutil

    from embedkit.corpus.build import build_index
    from embedkit.corpus.encode import make_embedder
    from embedkit.corpus.manifest import IndexSettings
    from embedkit.corpus.reader import split_sentences
    from embedkit.text import segment

    part = head_lines(corpus, args.limit, args.work / f"wordnet-{args.limit}.txt")
    sentences = [s for line in part.read_text(encoding="utf-8").splitlines() for s in split_sentences(line)]
    n_words = sum(len(segment(s)) for s in sentences)
    print(f"\n## throughput: first {args.limit:,} lines = {len(sentences):,} sentences, {n_words:,} words ({load()})")
    print("| system | dtype | time s | words/s | ratio vs Embedder.embed |")
    print("|---|---|---|---|---|")
    for dtype in ("float32", "bfloat16") if args.bf16 else ("float32",):
        settings = IndexSettings(dtype=dtype)
        embedder = make_embedder(settings)
        embedder.fit_map()
        embedder.embed(sentences[:64])  # warm-up
        t0 = time.perf_counter()
        for lo in range(0, len(sentences), 2048):
            embedder.embed(sentences[lo : lo + 2048])
            embedder._cache.clear()
        peer = time.perf_counter() - t0
        out = args.work / f"tp-{dtype}"
        shutil.rmtree(out, ignore_errors=True)
        t0 = time.perf_counter()
        build_index(part, out, settings)
        local = time.perf_counter() - t0
        print(f"| Embedder.embed (peer) | {dtype} | {peer:.1f} | {n_words / peer:,.0f} | 1.00 |")
        print(f"| embedkit index --engine local (incl. writing, consolidation) | {dtype} | {local:.1f} | "
              f"{n_words / local:,.0f} | {peer / local:.2f} |  {load()}")
        if dtype == "float32" and not args.no_ray:
            out = args.work / "tp-ray"
            shutil.rmtree(out, ignore_errors=True)
            t0 = time.perf_counter()
            build_index(part, out, settings, engine="ray")
            ray_s = time.perf_counter() - t0
            print(f"| embedkit index --engine ray (local Ray, 2 CPUs, incl. start) | {dtype} | {ray_s:.1f} | "
                  f"{n_words / ray_s:,.0f} | {peer / ray_s:.2f} (vs local {local / ray_s:.2f}) |  {load()}")
    print("| GPU (bf16, one H200) | bfloat16 | - | not measurable here: no GPU was lent to this session | - |")


# -- full build --------------------------------------------------------------------------------------------
_FULL_CHILD = r"""
import json, sys, time
from pathlib import Path
from embedkit.corpus.build import build_index
def rss(key):
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
def progress(s):
    print(json.dumps({"stage": s.stage, "done": s.records_done, "total": s.records_total, "occ": s.occurrences,
                      "t": s.elapsed, "rss": rss("VmRSS:"), "hwm": rss("VmHWM:")}), flush=True)
t = time.perf_counter()
build_index(sys.argv[1], sys.argv[2], resume=len(sys.argv) > 3, progress=progress)
print(json.dumps({"stage": "finished", "t": time.perf_counter() - t, "rss": rss("VmRSS:"), "hwm": rss("VmHWM:")}), flush=True)
"""


def stage_full(args: argparse.Namespace, corpus: Path) -> None:
    out = args.index
    cmd = [sys.executable, "-c", _FULL_CHILD, str(corpus), str(out)] + (["resume"] if args.resume else [])
    log = args.work / "full-build.jsonl"
    with open(log, "w") as fh:
        subprocess.run(cmd, cwd=REPO, stdout=fh, check=True)
    report_full(log, out)


def report_full(log: Path, out: Path) -> None:
    rows = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    enc = [r for r in rows if r["stage"] == "encoding"]
    done = [r for r in rows if r["stage"] == "finished"]
    manifest = json.loads((out / "manifest.json").read_text())
    n_occ = manifest["counts"]["occurrences"]
    print(f"\n## full WordNet index: {manifest['counts']} ({load()})")
    print("| share of records | RSS MiB | words/s so far |")
    print("|---|---|---|")
    if enc:
        total = enc[-1]["total"]
        for share in (0.1, 0.5, 1.0):
            r = next((x for x in enc if x["done"] >= share * total), enc[-1])
            print(f"| {share:.0%} | {r['rss']:.0f} | {r['occ'] / r['t']:,.0f} |")
    if done:
        print(f"| end (after consolidation) | {done[-1]['rss']:.0f} (peak VmHWM {done[-1]['hwm']:.0f}) | "
              f"{n_occ / done[-1]['t']:,.0f} end to end |")
    sizes: dict[str, int] = {}
    for p in out.rglob("*"):
        if p.is_file():
            kind = "shards (Parquet)" if p.parent.name == "shards" else f"query/{p.name}" if p.parent.name == "query" else p.name
            sizes[kind] = sizes.get(kind, 0) + p.stat().st_size
    print("\n| file | bytes per occurrence |")
    print("|---|---|")
    for kind, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"| {kind} | {size / n_occ:,.1f} |")
    print(f"| total | {sum(sizes.values()) / n_occ:,.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", action="append", choices=STAGES)
    parser.add_argument("--work", type=Path, default=Path("/tmp/embedkit-bench"))
    parser.add_argument("--index", type=Path, default=None, help="the full index folder (default WORK/wordnet-index)")
    parser.add_argument("--resume", action="store_true", help="full: finish an interrupted build of --index")
    parser.add_argument("--limit", type=int, default=10_000, help="throughput: lines of the corpus (default 10,000)")
    parser.add_argument("--bf16", action="store_true", help="throughput: also bfloat16")
    parser.add_argument("--no-ray", action="store_true", help="throughput: skip the Ray engine")
    parser.add_argument("--queries", type=int, default=200, help="query: random query occurrences")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    args.index = args.index or args.work / "wordnet-index"
    corpus = wordnet_corpus(args.work)
    stages = args.stage or list(STAGES)
    for stage in STAGES:
        if stage in stages:
            globals()[f"stage_{stage}"](args, corpus)


if __name__ == "__main__":
    main()
