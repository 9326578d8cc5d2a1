"""Server work for one interaction in the app, on about 2,000 words (prints a table).

What an alpha move costs on the Explore / Neighbours pages, against peers measured in the same run:
a cold full UMAP fit (what a naive app would redo on every move) and encoding the text again
(what the app never does on a move: the Embedder caches contextual vectors). Also the spotlight's alpha move (the
sense numbers, the frame of the fused map, the three figures built and serialised as the page sends them) and the
alpha-animation precompute (every frame of the maps, laid out together; once per text, mode and projection).
And the word's own map (``embedkit.wordmap``) of *bank* on the polysemy example with the app's default encoder
options: its first build with 200 reference sentences (encoded now; a progress bar follows ``progress(done, total)``),
its cached reopen (a new build that finds the reference encodings on disk), and an alpha move (the view of the fused
space at a new alpha: coordinates, clusters, names, numbers; then also its figure built and serialised).

Usage:
    python bench/interaction_latency.py [--words 2000] [--repeats 5] [--only all|wordmap]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def corpus(n_words: int) -> list[str]:
    """Lines of gensim's Lee corpus, cut into sentences, until about ``n_words`` words."""
    from gensim.test.utils import datapath

    from embedkit.text import segment

    out: list[str] = []
    total = 0
    with open(datapath("lee_background.cor"), encoding="utf-8", errors="replace") as fh:
        for para in fh:
            for sentence in para.replace("? ", ". ").split(". "):
                sentence = sentence.strip()
                n = len(segment(sentence))
                if n < 3:
                    continue
                if total + n > n_words:
                    return out
                out.append(sentence)
                total += n
    return out


def spotlight_rows(emb, embedder, repeats: int) -> list[tuple[str, float, str]]:  # type: ignore[no-untyped-def]
    """The spotlight's alpha move and the alpha frames' precompute, on the text's first repeated content word."""
    from embedkit.alpha_frames import alpha_frames
    from embedkit.spotlight import build_spotlight, default_word, spotlight_words
    from embedkit.text import content_indices
    from embedkit.wordnet import load_sense_examples
    from embedkit_app.map_figure import Group, MapPoints, map_figure

    rows_shown = content_indices(emb.words, True)
    by_lemma: dict[str, list] = {}
    for ex in load_sense_examples():
        by_lemma.setdefault(ex.lemma, []).append(ex)
    # the first repeated content word that WordNet has examples for (a spotlight with its senses), else the first
    repeated = [w for w in spotlight_words(emb.words, rows_shown) if len(emb.occurrences_of(w)) > 1]
    word = next((w for w in repeated if w in by_lemma), default_word(emb.words, rows_shown) or repeated[0])
    examples = by_lemma.get(word, [])
    examples_text = embedder.embed([ex.sentence for ex in examples]) if examples else None
    spot = build_spotlight(emb, word, examples=examples, examples_text=examples_text)
    lay = np.concatenate([rows_shown, spot.points[~spot.from_text]])
    out: list[tuple[str, float, str]] = []
    frames = {}
    for method in ("pca", "umap"):
        start = time.perf_counter()
        frames[method] = alpha_frames(spot.source, lay, "weighted", method)
        out.append(
            (
                f"alpha-animation precompute, {method.upper()} ({len(lay):,} points x 21 frames)",
                (time.perf_counter() - start) * 1000,
                "< 10 s",
            )
        )
    n = len(lay)
    groups = ["other"] * n
    for k in np.flatnonzero(np.isin(lay, spot.points)):
        groups[int(k)] = "spot"
    styles = {"spot": Group(word, "#0072B2"), "other": Group("other words", "#9AA3AF", faded=True)}
    points = MapPoints(lay, [word if g == "spot" else "" for g in groups], [emb.words[0]] * n, groups, lay >= len(emb))
    fr = frames["umap"]

    def alpha_move() -> None:
        spot.separation("weighted", 0.55)
        figs = [
            map_figure(fr.bert, points, styles, title="BERT"),
            map_figure(fr.static, points, styles, title="static"),
            map_figure(
                fr.at(0.55), points, styles, title="fused", frames=[(str(a), c) for a, c in zip(fr.alphas, fr.coords)]
            ),
        ]
        for fig in figs:
            fig.to_json()

    out.append(
        (
            f"spotlight alpha move: numbers + 3 figures built and serialised ('{word}', {len(spot.points)} points)",
            timed(alpha_move, repeats),
            "< 100 ms",
        )
    )
    out.append(
        (
            "spotlight alpha move: the sense numbers alone",
            timed(lambda: spot.separation("weighted", 0.55), repeats),
            "-",
        )
    )
    return out


def wordmap_rows(repeats: int) -> list[tuple[str, float, str]]:
    """The word map of *bank* on the polysemy example: first build, cached reopen, alpha move."""
    from embedkit.cache import cache_dir
    from embedkit.contextual import ContextualEncoder
    from embedkit.defaults import bundled_encoder_choice
    from embedkit.embedder import Embedder
    from embedkit.reference import load_reference
    from embedkit.wordmap import build_word_map
    from embedkit.wordmap.output import word_map_figure
    from embedkit.wordmap.sources import reference_cache_key
    from embedkit_app.examples import POLYSEMY

    out: list[tuple[str, float, str]] = []
    start = time.perf_counter()
    reference = load_reference()
    out.append(("word map: reading the reference corpus (once per process)", (time.perf_counter() - start) * 1000, "-"))
    choice = bundled_encoder_choice()
    embedder = Embedder(ContextualEncoder(layers=choice.layers, pooling=choice.pooling), postprocess=choice.postprocess)
    embedder.fit_map()  # disk cached after the first run
    text = embedder.embed(POLYSEMY.lines)
    key = reference_cache_key(embedder, "bank", 200, 0, reference)
    for part in ("h", "att"):  # a first build: nothing of it on disk yet
        (cache_dir() / f"{key}-{part}.npy").unlink(missing_ok=True)
    known = POLYSEMY.known_senses()
    calls: list[tuple[int, int]] = []
    start = time.perf_counter()
    wm = build_word_map("bank", embedder, text=text, known=known, progress=lambda d, t: calls.append((d, t)))
    first = (time.perf_counter() - start) * 1000
    n_ref = wm.sources().get("reference", 0)
    out.append(
        (
            f"word map: first build, bank + {n_ref} reference sentences encoded ({len(calls)} progress calls)",
            first,
            "<= 15 s",
        )
    )

    def reopen() -> None:
        build_word_map("bank", embedder, text=text, known=known)

    out.append(
        (
            "word map: cached reopen (encodings from disk, clusters of every alpha step)",
            timed(reopen, repeats),
            "<= 1 s",
        )
    )
    alphas = iter(np.round(np.linspace(0.02, 0.98, 10 * repeats + 10), 4))  # a new alpha each time: nothing memoised

    def alpha_move() -> None:
        wm.view("fused", "weighted", float(next(alphas)))

    def alpha_move_figure() -> None:
        word_map_figure(wm.view("fused", "weighted", float(next(alphas)))).to_json()

    out.append(
        ("word map: alpha move (coordinates, clusters, names, numbers)", timed(alpha_move, repeats), "<= 100 ms")
    )
    out.append(("word map: alpha move + its Plotly figure serialised", timed(alpha_move_figure, repeats), "-"))
    from embedkit.text import segment

    sentences = [wm.occurrences.sentences[i] for i in range(len(wm)) if wm.occurrences.source[i] == "reference"]
    words = [[w.text for w in segment(t)] for t in sentences]
    start = time.perf_counter()
    embedder.encoder.encode(words)  # no memory cache on this path
    out.append(
        (
            f"peer: the encoder alone on the same {len(words)} reference sentences",
            (time.perf_counter() - start) * 1000,
            "-",
        )
    )
    view = wm.view("bert")
    river, money1, money2 = (int(c) for c in view.labels[wm.from_text])
    names = {c.id: c.name for c in view.clusters}
    print(
        f"word map of 'bank': {len(wm)} points, BERT clusters {view.separation.k}; the river bank in "
        f"'{names[river]}', the money banks in '{names[money1]}' / '{names[money2]}'"
    )
    return out


def print_table(rows: list[tuple[str, float, str]], peer: float, against: str = "vs cold UMAP") -> None:
    w = max(len(name) for name, _, _ in rows)
    print(f"{'step':<{w}}  {'ms':>9}  {against:>12}  target")
    print("-" * (w + 36))
    for name, ms, target in rows:
        print(f"{name:<{w}}  {ms:9.1f}  {f'{ms / peer:.3f}x':>12}  {target}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--only", default="all", choices=("all", "wordmap"), help="wordmap: the word map rows alone")
    args = ap.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    if args.only == "wordmap":
        rows = wordmap_rows(args.repeats)
        print(
            f"median of {args.repeats} runs · {os.cpu_count()} CPUs, load average {load:.1f} at the start, "
            f"{os.getloadavg()[0]:.1f} at the end (numbers grow with other work)\n"
        )
        peer = next(ms for name, ms, _ in rows if name.startswith("peer: the encoder alone"))
        print_table(rows, peer, "vs encoder")
        return

    from embedkit.alpha_curves import overlap_curves
    from embedkit.embedder import Embedder
    from embedkit.neighbours import top_k
    from embedkit.projection import project, warm_up

    t0 = time.perf_counter()
    warm_up()
    warm_s = time.perf_counter() - t0

    embedder = Embedder()
    embedder.fit_map()  # disk cached after the first run
    sentences = corpus(args.words)
    t0 = time.perf_counter()
    emb = embedder.embed(sentences)
    encode_ms = (time.perf_counter() - t0) * 1000
    n = len(emb.words)
    r = args.repeats

    rows: list[tuple[str, float, str]] = []
    q = int(np.flatnonzero([len(w) > 3 for w in emb.words])[0])

    def alpha_move_weighted() -> None:
        X = emb.space("fused", mode="weighted", alpha=0.55)
        top_k(X[q], X, k=10, exclude=np.asarray([q]))

    def alpha_move_attention() -> None:
        X = emb.space("fused", mode="attention", alpha=0.55)
        top_k(X[q], X, k=10, exclude=np.asarray([q]))

    def all_neighbours() -> None:
        X = emb.space("fused", mode="weighted", alpha=0.55)
        top_k(X, X, k=10, exclude=np.arange(n))

    def jaccard() -> None:
        overlap_curves(emb, q, "weighted", 8, np.arange(n))

    rows.append(("alpha move: weighted fusion + top-10 of one word", timed(alpha_move_weighted, r), "< 100 ms"))
    rows.append(("alpha move: attention fusion + top-10 of one word", timed(alpha_move_attention, r), "< 100 ms"))
    rows.append(("alpha move: fusion + top-10 of every word", timed(all_neighbours, r), "< 100 ms"))
    rows.append(("Neighbours page: Jaccard curve (11 alphas)", timed(jaccard, r), "-"))

    prev = project(emb.space("fused", mode="weighted", alpha=0.5), "umap", 2, seed=0)
    X_new = emb.space("fused", mode="weighted", alpha=0.55)
    rows.append(
        (
            "UMAP re-layout from previous layout (fast)",
            timed(lambda: project(X_new, "umap", 2, seed=0, init=prev, fast=True), r),
            "< 500 ms",
        )
    )
    rows.append(("PCA layout", timed(lambda: project(X_new, "pca", 2), r), "instant"))

    def cold_umap() -> None:
        import umap

        umap.UMAP(n_components=2, metric="cosine", random_state=0).fit_transform(X_new)

    rows.extend(spotlight_rows(emb, embedder, r))
    rows.extend(wordmap_rows(r))

    peer_umap = timed(cold_umap, max(1, min(r, 2)))
    rows.append(("peer: cold full UMAP fit (umap-learn defaults)", peer_umap, "-"))
    rows.append(("peer: re-encoding the text with BERT (never done on a move)", encode_ms, "-"))
    cached_ms = timed(lambda: embedder.embed(sentences), r)
    rows.append(("embed again, same text (Embedder cache hit)", cached_ms, "-"))

    print(
        f"{n:,} word occurrences in {len(sentences)} sentences · {emb.h.shape[1]}-d BERT, "
        f"{emb.e.shape[1]}-d static · median of {r} runs · UMAP warm-up at start: {warm_s:.1f} s"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} while measuring (numbers grow with other work)\n")
    print_table(rows, peer_umap)


if __name__ == "__main__":
    main()
