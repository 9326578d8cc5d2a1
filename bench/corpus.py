"""Corpus mode benchmark on WordNet 3.0's glosses and examples (Debian ``wordnet-base``), one table per stage.

Stages (``--stage``, repeatable; default: all, in this order):

- ``throughput``: words/s of ``embedkit index --engine local`` against ``Embedder.embed`` on the same first
  ``--limit`` lines (same dtype, same process, the peer fed chunks of 2,048 sentences as the encoder's stream is),
  for float32 (and bfloat16 with ``--bf16``); then ``--engine ray`` on a local Ray (2 CPUs) on the same lines; a
  GPU row (bfloat16) only where CUDA is available; then the runtime's effect (``--runtimes``, default torch,onnx):
  each runtime's first build of the static map on a fresh cache, and ``index --engine local`` with each runtime.
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
from typing import Any

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
def _timed_build(src: Path, out: Path, settings: object, **kw: object) -> tuple[float, float]:
    """(end-to-end seconds, seconds from the first block to the end of consolidation) of one build_index."""
    import shutil

    from embedkit.corpus.build import build_index

    shutil.rmtree(out, ignore_errors=True)
    seen: dict[str, float] = {}

    def progress(stats: object) -> None:
        seen.setdefault("started", stats.started)  # type: ignore[attr-defined]

    t0 = time.perf_counter()
    build_index(src, out, settings, progress=progress, **kw)  # type: ignore[arg-type]
    end = time.perf_counter()
    return end - t0, end - seen.get("started", t0)


def _both_halves(files: list[Path], work: Path, tag: str, settings: object, **kw: object) -> tuple[float, float]:
    """:func:`_timed_build` of the two halves one after the other, summed: (end to end, first block to end)."""
    a = _timed_build(files[0], work / f"{tag}-a", settings, **kw)
    b = _timed_build(files[1], work / f"{tag}-b", settings, **kw)
    return a[0] + b[0], a[1] + b[1]


def stage_throughput(args: argparse.Namespace, corpus: Path) -> None:
    from embedkit.config import EmbedderConfig
    from embedkit.corpus.encode import make_embedder
    from embedkit.corpus.manifest import IndexSettings
    from embedkit.corpus.reader import split_sentences
    from embedkit.text import segment

    part = head_lines(corpus, args.limit, args.work / f"wordnet-{args.limit}.txt")
    lines = part.read_text(encoding="utf-8").splitlines()
    halves = [lines[: len(lines) // 2], lines[len(lines) // 2 :]]
    files = []
    for i, h in enumerate(halves):
        files.append(args.work / f"wordnet-{args.limit}-half{i}.txt")
        files[-1].write_text("\n".join(h) + "\n", encoding="utf-8")
    sents = [[s for line in h for s in split_sentences(line)] for h in halves]
    n_words = sum(len(segment(s)) for h in sents for s in h)
    print(
        f"\n## throughput: first {args.limit:,} lines = {sum(map(len, sents)):,} sentences, {n_words:,} words ({load()})"
    )
    print(
        "Order peer(A) local(A) local(B) peer(B) over the two halves A, B (cancels a linear drift of the shared load)."
    )
    print("Timed: from the first block to the end (model load and map fit excluded on both sides, paid once).")
    print("| system | dtype | time s | words/s | ratio vs Embedder.embed |")
    print("|---|---|---|---|---|")
    for dtype in ("float32", "bfloat16") if args.bf16 else ("float32",):
        settings = IndexSettings(EmbedderConfig(dtype=dtype))
        embedder = make_embedder(settings)
        embedder.fit_map()
        embedder.embed(sents[0][:64])  # warm-up

        def peer(sentences: list[str], embedder: Any = embedder) -> float:
            t0 = time.perf_counter()
            for lo in range(0, len(sentences), 2048):
                embedder.embed(sentences[lo : lo + 2048])
                embedder._cache.clear()
            return time.perf_counter() - t0

        p_a = peer(sents[0])
        local_e2e, local = _both_halves(files, args.work, f"tp-{dtype}", settings)
        p_b = peer(sents[1])
        p = p_a + p_b
        print(f"| Embedder.embed (peer, chunks of 2,048 sentences) | {dtype} | {p:.1f} | {n_words / p:,.0f} | 1.00 |")
        print(
            f"| embedkit index --engine local (shards + consolidation) | {dtype} | {local:.1f} | "
            f"{n_words / local:,.0f} | {p / local:.2f} |  {load()}"
        )
        if dtype == "float32" and not args.no_ray:
            ray_e2e = _both_halves(files, args.work, "tp-ray", settings, engine="ray")[0]
            print(
                f"| embedkit index --engine local, end to end (model load, map, shards, consolidation) | {dtype} | "
                f"{local_e2e:.1f} | {n_words / local_e2e:,.0f} | - |"
            )
            print(
                f"| embedkit index --engine ray, end to end (local Ray start, actor model load, shards, consolidation)"
                f" | {dtype} | {ray_e2e:.1f} | {n_words / ray_e2e:,.0f} | ray/local {local_e2e / ray_e2e:.2f} |  {load()}"
            )
    import torch

    if torch.cuda.is_available():  # a GPU row only where one was measured
        settings = IndexSettings(EmbedderConfig(dtype="bfloat16"))
        gpu = _both_halves(files, args.work, "tp-gpu", settings, device="cuda")[1]
        print(
            f"| embedkit index --engine local on {torch.cuda.get_device_name(0)} | bfloat16 | {gpu:.1f} | "
            f"{n_words / gpu:,.0f} | - |  {load()}"
        )
    stage_runtimes(args, files, n_words)


def stage_runtimes(args: argparse.Namespace, files: list[Path], n_words: int) -> None:
    """The runtime's effect on indexing: ``index --engine local`` with each runtime on the same two halves, in the
    order torch(A) onnx(A) onnx(B) torch(B); and each runtime's first build of the static map on a fresh cache."""
    import importlib.util
    import tempfile

    from embedkit.config import EmbedderConfig
    from embedkit.corpus.manifest import IndexSettings
    from embedkit.options import Runtime

    runtimes = [r.strip() for r in args.runtimes.split(",") if r.strip()]
    if any(r != Runtime.TORCH.value for r in runtimes) and importlib.util.find_spec("onnxruntime") is None:
        print("\nruntimes: onnx not measured: ONNX Runtime is not installed (pip install onnxruntime onnx)")
        runtimes = [Runtime.TORCH.value]
    if len(runtimes) < 2:
        return
    base, other = runtimes[0], runtimes[1:]
    print(f"\n## the runtime's effect on indexing (float32, the default configuration) ({load()})")
    print("First builds: the static map fitted on a fresh cache (model load, ONNX export for onnx, 5,000 words alone).")
    print(f"Indexing: order {base}(A) other(A) other(B) {base}(B) per runtime, from the first block to the end.")
    print("| runtime | first build of the map s | index --engine local s (A+B) | words/s | speed vs " + base + " |")
    print("|---|---|---|---|---|")
    first: dict[str, float] = {}
    for runtime in runtimes:
        with tempfile.TemporaryDirectory(prefix="embedkit-rt-") as fresh:
            old = os.environ.get("EMBEDKIT_CACHE_DIR")
            os.environ["EMBEDKIT_CACHE_DIR"] = fresh
            try:
                from embedkit.embedder import Embedder

                t0 = time.perf_counter()
                Embedder.from_config(EmbedderConfig(runtime=runtime)).fit_map()
                first[runtime] = time.perf_counter() - t0
            finally:
                if old is None:
                    os.environ.pop("EMBEDKIT_CACHE_DIR", None)
                else:
                    os.environ["EMBEDKIT_CACHE_DIR"] = old
    base_settings = IndexSettings(EmbedderConfig(runtime=base))
    for runtime in other:
        settings = IndexSettings(EmbedderConfig(runtime=runtime))
        b_a = _timed_build(files[0], args.work / f"rt-{base}-a", base_settings)
        o_a = _timed_build(files[0], args.work / f"rt-{runtime}-a", settings)
        o_b = _timed_build(files[1], args.work / f"rt-{runtime}-b", settings)
        b_b = _timed_build(files[1], args.work / f"rt-{base}-b", base_settings)
        t_base, t_other = b_a[1] + b_b[1], o_a[1] + o_b[1]
        per_half = f"halves: {base} {b_a[1]:.1f} / {b_b[1]:.1f} s, {runtime} {o_a[1]:.1f} / {o_b[1]:.1f} s"
        if runtime == other[0]:
            print(f"| {base} | {first[base]:.1f} | {t_base:.1f} | {n_words / t_base:,.0f} | 1.00 |")
        print(
            f"| {runtime} | {first[runtime]:.1f} | {t_other:.1f} | {n_words / t_other:,.0f} | "
            f"{t_base / t_other:.2f} ({per_half}) |  {load()}"
        )


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
        print(
            f"| end (after consolidation) | {done[-1]['rss']:.0f} (peak VmHWM {done[-1]['hwm']:.0f}) | "
            f"{n_occ / done[-1]['t']:,.0f} end to end |"
        )
    sizes: dict[str, int] = {}
    for p in out.rglob("*"):
        if p.is_file():
            kind = (
                "shards (Parquet)"
                if p.parent.name == "shards"
                else f"query/{p.name}"
                if p.parent.name == "query"
                else p.name
            )
            sizes[kind] = sizes.get(kind, 0) + p.stat().st_size
    print("\n| file | bytes per occurrence |")
    print("|---|---|")
    for kind, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"| {kind} | {size / n_occ:,.1f} |")
    print(f"| total | {sum(sizes.values()) / n_occ:,.1f} |")


# -- query -----------------------------------------------------------------------------------------------------
def _pct(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def stage_query(args: argparse.Namespace, corpus: Path) -> None:
    import numpy as np

    from embedkit.corpus.index import CorpusIndex
    from embedkit.corpus.search import SpaceChoice, exact_scores, scoring

    index = CorpusIndex.open(args.index)
    rng = np.random.default_rng(0)
    print(f"\n## queries on the full index: {index} ({load()})")
    t0 = time.perf_counter()
    index.search(
        index.query_row(0), SpaceChoice("fused", "weighted", 0.5), 10
    )  # loads the ANN index and per-type tables
    print(f"first query (loads the ANN index and per-type static tables): {time.perf_counter() - t0:.2f} s")
    counts = index.word_counts
    words = [counts[0][0]] + [counts[int(i)][0] for i in rng.integers(0, min(len(counts), 20_000), 99)]
    times = []
    for w in words:
        t0 = time.perf_counter()
        index.occurrences(w, limit=1000)
        times.append((time.perf_counter() - t0) * 1000)
    print(
        f"\noccurrences(word, limit=1000) over 100 words (incl. the most frequent, {counts[0][0]!r} x{counts[0][1]:,}):"
        f" p50 {_pct(times, 50):.1f} ms, p95 {_pct(times, 95):.1f} ms, max {max(times):.1f} ms  ({load()})"
    )
    print(
        "\n| mode | queries | alphas | p50 ms | p95 ms | max ms | recall@10 vs exact (tie-aware) | min recall | exact search p50 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    plan = [("weighted", args.queries), ("concat", args.queries // 4), ("attention", args.queries // 4)]
    for mode, n in plan:
        rows = rng.integers(0, index.n_rows, n)
        alphas = rng.choice(np.round(np.linspace(0, 1, 11), 2), n)
        lat, rec, ex, found = [], [], [], []
        for row, alpha in zip(rows, alphas):  # the searches back to back, as a user runs them; the exact search
            q = index.query_row(int(row))  # (1.7 s on both cores) runs in a second pass: interleaved with it, the
            t0 = time.perf_counter()  # same 200 weighted searches measured p95 71 ms instead of 14 ms
            got, _ = index.search(q, SpaceChoice("fused", mode, float(alpha)), 10)
            lat.append((time.perf_counter() - t0) * 1000)
            found.append(got)
        for row, alpha, got in zip(rows, alphas, found):
            q = index.query_row(int(row))
            choice = SpaceChoice("fused", mode, float(alpha))
            t0 = time.perf_counter()
            scores = exact_scores(index, scoring(index, q, choice))
            scores[q.row] = -np.inf
            ex.append((time.perf_counter() - t0) * 1000)
            tenth = np.partition(-scores, 9)[9] * -1
            rec.append(float(np.mean(scores[got] >= tenth - 1e-6)))
        print(
            f"| {mode} | {n} | 0..1 | {_pct(lat, 50):.1f} | {_pct(lat, 95):.1f} | {max(lat):.1f} | "
            f"{np.mean(rec):.3f} | {min(rec):.1f} | {_pct(ex, 50):.0f} |  {load()}"
        )


# -- senses ----------------------------------------------------------------------------------------------------
def stage_senses(args: argparse.Namespace, corpus: Path) -> None:
    from embedkit.corpus.index import CorpusIndex
    from embedkit.corpus.search import SpaceChoice
    from embedkit.projection import warm_up

    index = CorpusIndex.open(args.index)
    alphabetic = [(w, c) for w, c in index.word_counts if w.isalpha()]
    word, count = min(alphabetic, key=lambda wc: abs(wc[1] - 10_000))
    t0 = time.perf_counter()
    warm_up()
    warm = time.perf_counter() - t0
    print(
        f"\n## senses of {word!r} ({count:,} occurrences) ({load()}); UMAP warm-up (numba, once per process) {warm:.1f} s"
    )
    t0 = time.perf_counter()
    senses = index.senses(word, SpaceChoice("fused", "weighted", 0.5))
    first = time.perf_counter() - t0
    moves = []
    for alpha in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        t0 = time.perf_counter()
        moved = senses.at(alpha)
        moves.append(time.perf_counter() - t0)
        print(f"alpha {alpha:.1f}: {moved.k} cluster(s), silhouette {moved.silhouette:.2f}, {moves[-1]:.3f} s")
    print("| step | seconds |")
    print("|---|---|")
    print(f"| first map (UMAP on {min(count, 20_000):,} + transform, clusters, descriptions) | {first:.1f} |")
    print(
        f"| alpha move (clusters + descriptions, same map): median / max over 6 | {_pct(moves, 50):.3f} / {max(moves):.3f} |"
    )
    print(senses.describe())


# -- render ----------------------------------------------------------------------------------------------------
def stage_render(args: argparse.Namespace, corpus: Path) -> None:
    import numpy as np

    from embedkit.corpus.clustering import spherical_kmeans
    from embedkit.corpus.figure import hover_text, sense_figure
    from embedkit.corpus.index import CorpusIndex
    from embedkit.cosine import normalize_rows

    index = CorpusIndex.open(args.index)
    n = min(100_000, index.n_rows)
    rows = np.sort(np.random.default_rng(0).choice(index.n_rows, n, replace=False))
    X = normalize_rows(np.asarray(index.vectors[rows], np.float32))
    centred = X - X.mean(axis=0)
    _, _, vt = np.linalg.svd(centred[:5000], full_matrices=False)
    xy = centred @ vt[:2].T
    _, labels = spherical_kmeans(X[:20000], 8)
    _, labels = spherical_kmeans(
        X, 8, init=normalize_rows(np.stack([X[:20000][labels == c].mean(0) for c in range(8)]))
    )
    hover = [hover_text(index.context(int(r))) for r in rows]
    fig = sense_figure(xy[:, 0], xy[:, 1], labels, hover, rows, height=700)
    html = args.work / "render-100k.html"
    fig.write_html(
        html,
        include_plotlyjs=True,
        post_script=(
            "requestAnimationFrame(() => requestAnimationFrame(() => { window.__rendered = performance.now(); }));"
        ),
    )
    from playwright.sync_api import sync_playwright

    args_ = [
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--use-gl=swiftshader",
        "--enable-unsafe-swiftshader",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args_)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        results = []
        for _ in range(3):
            page.goto(html.as_uri())
            page.wait_for_function("window.__rendered !== undefined", timeout=300_000)
            first = page.evaluate("window.__rendered")
            zoom = page.evaluate("""async () => { const el = document.querySelector('.js-plotly-plot');
                const t0 = performance.now(); const xa = el._fullLayout.xaxis.range;
                await Plotly.relayout(el, {'xaxis.range': [xa[0] / 2, xa[1] / 2]});
                await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                return performance.now() - t0; }""")
            results.append((first, zoom))
        page.screenshot(path=str(args.work / "render-100k.png"))
        browser.close()
    print(f"\n## render: {n:,} points, WebGL (Scattergl, 8 traces), headless Chromium with software GL ({load()})")
    print(f"HTML {html.stat().st_size / 1e6:.1f} MB (plotly.js inline + data)")
    print("| run | time to first render ms (navigation start -> painted) | zoom redraw ms |")
    print("|---|---|---|")
    for i, (first, zoom) in enumerate(results, 1):
        print(f"| {i} | {first:,.0f} | {zoom:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", action="append", choices=STAGES)
    parser.add_argument("--work", type=Path, default=Path("/tmp/embedkit-bench"))
    parser.add_argument("--index", type=Path, default=None, help="the full index folder (default WORK/wordnet-index)")
    parser.add_argument("--resume", action="store_true", help="full: finish an interrupted build of --index")
    parser.add_argument("--limit", type=int, default=10_000, help="throughput: lines of the corpus (default 10,000)")
    parser.add_argument("--bf16", action="store_true", help="throughput: also bfloat16")
    parser.add_argument("--no-ray", action="store_true", help="throughput: skip the Ray engine")
    parser.add_argument(
        "--runtimes",
        default="torch,onnx",
        help="throughput: runtimes compared on indexing, the first as the base (default torch,onnx; 'torch' skips)",
    )
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
