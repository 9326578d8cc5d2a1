"""``python -m embedkit index | query | senses``: build a corpus index, search it with live alpha, map a word's senses.

Registered by :func:`embedkit.cli.build_parser` through :func:`add_parsers`. User mistakes raise
:class:`~embedkit.errors.EmbedkitError` (or ``KeyError`` / ``FileNotFoundError``), which the CLI prints as one
line and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedkit.cli_args import alpha, at_least, config_from, model_options, seed, temperature

if TYPE_CHECKING:
    from embedkit.corpus.search import SpaceChoice

__all__ = ["add_parsers"]


def _fusion(p: argparse.ArgumentParser) -> None:
    p.add_argument("--space", default="fused", choices=("bert", "static", "fused"), help="default: fused")
    p.add_argument("--mode", default="weighted", choices=("weighted", "concat", "attention"), help="fusion mode")
    p.add_argument("--alpha", type=alpha, default=0.5, help="weight of the contextual side, 0..1 (default 0.5)")
    p.add_argument(
        "--temperature", type=temperature, default=0.1, help="attention softmax temperature, > 0 (default 0.1)"
    )


def _choice(args: argparse.Namespace) -> SpaceChoice:
    """The space chosen by the :func:`_fusion` options."""
    from embedkit.corpus.search import SpaceChoice

    return SpaceChoice(args.space, args.mode, args.alpha, args.temperature)


def _index_command(sub: Any, name: str, func: Any, **parser: Any) -> argparse.ArgumentParser:
    """A sub-command that reads an index folder, with its fusion options."""
    p: argparse.ArgumentParser = sub.add_parser(name, **parser)
    p.set_defaults(func=func)
    p.add_argument("index", metavar="INDEX_DIR")
    _fusion(p)
    return p


def add_parsers(sub: Any) -> None:
    """Add ``index``, ``query`` and ``senses`` to an ``argparse`` sub-parsers object (imports nothing heavy)."""
    from embedkit.corpus.manifest import IndexSettings  # numpy only

    p = sub.add_parser(
        "index",
        help="index a corpus: every word occurrence, searchable with live alpha",
        description="Embed every word occurrence of a corpus into INDEX_DIR (Parquet shards, "
        "resumable) and build its query files. INPUT: a .txt (one line or paragraph per record), a "
        "folder of .txt, or .jsonl / .parquet with --column; .gz accepted. `index --verify INDEX_DIR` checks an "
        "index instead: every file's checksum, shapes, ids and offsets.",
    )
    p.add_argument("input", metavar="INPUT", help="the corpus (with --verify: the index folder)")
    p.add_argument("-o", "--output", metavar="INDEX_DIR", help="the index folder (new or empty); required")
    p.add_argument("--verify", action="store_true", help="check the index INPUT (every file hashed) and exit")
    p.add_argument("--column", help="the text field of a .jsonl / .parquet input")
    p.add_argument("--resume", action="store_true", help="finish an interrupted run (same settings required)")
    p.add_argument("--engine", default="local", choices=("local", "ray"), help="local (default) or ray")
    p.add_argument("--ray-address", metavar="ADDR", help="join this Ray cluster (e.g. auto, ray://head:10001)")
    p.add_argument(
        "--ray-actors", type=at_least(1, "--ray-actors"), help="encoder actors (default: one per GPU, else one)"
    )
    p.add_argument(
        "--block-size",
        type=at_least(1, "--block-size"),
        help=f"input records per shard (default {IndexSettings.block_size:,}; --resume keeps the index's own)",
    )
    p.add_argument(
        "--exact-limit",
        type=at_least(0, "--exact-limit"),
        default=20_000,
        help="up to this many occurrences search is exact; beyond, an IVF-PQ index is built",
    )
    model_options(p)
    p.set_defaults(func=_cmd_index, checks_own_output=True)  # build_index checks, resumes or refuses the folder

    p = _index_command(
        sub,
        "query",
        _cmd_query,
        help="nearest occurrences in a corpus index, any alpha",
        description="The k nearest occurrences (over the whole index) of one occurrence of --word: "
        "its --occurrence-th occurrence in the corpus, or the word in a new --sentence. "
        "--kwic lists the word's occurrences in context instead.",
    )
    p.add_argument("--word", required=True)
    p.add_argument("--sentence", help="a new sentence containing the word (encoded with the index's model)")
    p.add_argument(
        "--occurrence",
        type=at_least(0, "--occurrence"),
        default=0,
        help="which occurrence of the word (default 0: the first)",
    )
    p.add_argument("-k", "--k", type=at_least(1, "-k", 100_000), default=10, help="neighbours (default 10)")
    p.add_argument("--exact", action="store_true", help="score every occurrence instead of ANN candidates")
    p.add_argument("--kwic", action="store_true", help="list the word's occurrences in context")
    p.add_argument("--format", default="table", choices=("table", "csv", "json"))

    p = _index_command(
        sub,
        "senses",
        _cmd_senses,
        help="map and cluster all occurrences of a word",
        description="UMAP map of every occurrence of WORD, clusters with their typical contexts and "
        "distinctive neighbouring words. -o word.csv (coordinates, cluster, context) or word.html "
        "(an interactive WebGL map); the clusters are printed.",
    )
    p.add_argument("word")
    p.add_argument("-o", "--output", metavar="FILE", help=".csv or .html")
    p.add_argument(
        "--sample", type=at_least(1, "--sample"), default=20_000, help="occurrences UMAP is fitted on (default 20,000)"
    )
    p.add_argument("--max-k", type=at_least(1, "--max-k", 50), default=8, help="most clusters tried (default 8)")
    p.add_argument("--seed", type=seed, default=0, help="random seed, 0..2**32-1 (default 0)")


def _index_bar(enabled: bool) -> tuple[Any, Any]:
    """``(progress, close)``: a tqdm bar on stderr following an indexing run's stages, and its closer."""
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    state: dict[str, Any] = {}

    def update(stats: Any) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = tqdm(unit="rec", desc=stats.stage, file=sys.stderr, dynamic_ncols=True)
        if stats.records_total and bar.total != stats.records_total:
            bar.total = stats.records_total
        bar.set_description(stats.stage)
        bar.update(stats.records_done - bar.n)
        if stats.stage == "fitting the static map" and stats.stage_total:
            bar.set_postfix_str(f"{stats.stage_done:,} / {stats.stage_total:,} words", refresh=True)
        elif stats.stage == "encoding":
            t = max(stats.elapsed, 1e-9)
            bar.set_postfix_str(
                f"{stats.sentences / t:,.0f} sent/s, {stats.occurrences / t:,.0f} words/s", refresh=True
            )
        else:
            bar.refresh()

    def close() -> None:
        if "bar" in state:
            state.pop("bar").close()  # ends the bar's line: an error message starts on its own

    return update, close


def _cmd_index(args: argparse.Namespace) -> int:
    from embedkit.corpus.build import build_index, index_summary, verify_index
    from embedkit.corpus.manifest import MANIFEST, IndexSettings, read_manifest
    from embedkit.errors import EmbedkitError

    if args.verify:
        print(verify_index(args.input))
        return 0
    if not args.output:
        raise EmbedkitError("give the index folder with -o INDEX_DIR (or check an index with --verify INDEX_DIR)")
    block_size = args.block_size
    if block_size is None:  # a resumed index keeps the block size it was started with
        started = args.resume and (Path(args.output) / MANIFEST).is_file()
        stored = read_manifest(args.output).get("settings", {}) if started else {}
        block_size = stored.get("block_size") if isinstance(stored, dict) else None
        if not isinstance(block_size, int) or isinstance(block_size, bool) or block_size < 1:
            block_size = IndexSettings.block_size
    settings = IndexSettings(config_from(args), block_size=block_size, column=args.column)
    progress, close = _index_bar(True)
    try:
        out = build_index(
            args.input,
            args.output,
            settings,
            engine=args.engine,
            resume=args.resume,
            device=args.device,
            batch_size=args.batch_size,
            ray_address=args.ray_address,
            ray_actors=args.ray_actors,
            exact_limit=args.exact_limit,
            progress=progress,
        )
    finally:
        close()
    print(f"wrote {out}: {index_summary(read_manifest(out))}", file=sys.stderr)
    return 0


def _emit(frame: Any, fmt: str) -> None:
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False) + "\n")
    else:
        sys.stdout.write(frame.to_string(index=False) + "\n")


def _cmd_query(args: argparse.Namespace) -> int:
    from embedkit.corpus.index import CorpusIndex

    index = CorpusIndex.open(args.index)
    if args.kwic:
        _emit(index.occurrences(args.word, limit=None if args.format != "table" else 200), args.format)
        return 0
    if args.sentence:
        query = index.query_text(args.sentence, args.word)
    else:
        rows = index.rows_of(args.word)
        if not 0 <= args.occurrence < len(rows):
            raise KeyError(f"{args.word!r} occurs {len(rows):,} times; --occurrence must be 0..{len(rows) - 1}")
        query = index.query_row(int(rows[args.occurrence]))
    frame = index.table(*index.search(query, _choice(args), args.k, exact=args.exact))
    if args.format == "table":
        print(
            f"{query.label}  ·  {args.space}" + (f" ({args.mode}, alpha {args.alpha})" if args.space == "fused" else "")
        )
    _emit(frame, args.format)
    return 0


def _cmd_senses(args: argparse.Namespace) -> int:
    from embedkit.corpus.index import CorpusIndex
    from embedkit.errors import EmbedkitError

    out = Path(args.output) if args.output else None
    if out is not None and out.suffix.lower() not in (".csv", ".html"):
        raise EmbedkitError(f"-o {out.name}: write a .csv or an .html file")
    index = CorpusIndex.open(args.index)
    senses = index.senses(args.word, _choice(args), sample=args.sample, max_k=args.max_k, seed=args.seed)
    print(senses.describe())
    if out is not None:
        if out.suffix.lower() == ".csv":
            senses.frame().to_csv(out, index=False)
        else:
            from embedkit.corpus.figure import sense_map_figure

            sense_map_figure(senses, title=senses.describe().splitlines()[0]).write_html(out, include_plotlyjs=True)
        print(f"wrote {out}", file=sys.stderr)
    return 0
