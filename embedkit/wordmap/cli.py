"""``python -m embedkit wordmap WORD``: the word's own map, from the reference corpus or a corpus index.

Registered by :func:`embedkit.cli.build_parser` through :func:`add_parser`. Every user mistake is found before
the model loads where it can be (an empty or multi-word word, a word found nowhere, a bad sample size, alpha or
path, an output file that cannot be written) and raised as :class:`~embedkit.errors.EmbedkitError`, ``KeyError``
or ``FileNotFoundError``: one line, exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedkit.cli_args import alpha, at_least, model_options, temperature

if TYPE_CHECKING:
    from embedkit.corpus.index import CorpusIndex

__all__ = ["add_parser"]

#: kept in step with embedkit.wordmap.word_map (not imported here: --help stays light)
_DEFAULT_SAMPLE, _MAX_SAMPLE = 200, 2000


def _sample(value: str) -> int:
    n = at_least(1, "--sample")(value)
    if n > _MAX_SAMPLE:
        raise argparse.ArgumentTypeError(f"--sample must be at most {_MAX_SAMPLE:,}, got {n:,}")
    return n


def add_parser(sub: Any) -> None:
    """Add ``wordmap`` to an ``argparse`` sub-parsers object (imports nothing heavy)."""
    p: argparse.ArgumentParser = sub.add_parser(
        "wordmap",
        help="the word's own map: its occurrences in many contexts, clustered, with sense numbers",
        description="Map WORD's occurrences in your sentences among up to --sample occurrences from the bundled "
        "reference corpus (WordNet 3.0's glosses and examples) or from a corpus index (--index): projected on "
        "those occurrences alone (PCA: one basis for every alpha; or UMAP), clustered, each cluster named by its "
        "distinctive words, coloured by WordNet sense where a sentence is a sense-tagged example. Writes JSON "
        "(default), CSV (one row per occurrence) or an HTML map; a summary goes to stderr.",
    )
    p.set_defaults(func=_cmd_wordmap, checks_own_output=True)
    p.add_argument("word", help="one word (case-insensitive)")
    g = p.add_argument_group("input")
    g.add_argument("--text", action="append", default=[], metavar="T", help="a sentence (repeatable)")
    g.add_argument("--input", metavar="FILE", help="a UTF-8 text file, one sentence per line")
    g.add_argument("--index", metavar="INDEX_DIR", help="a corpus index instead of the reference corpus")
    g.add_argument(
        "--sample",
        type=_sample,
        default=_DEFAULT_SAMPLE,
        help=f"reference (or corpus) occurrences drawn, 1..{_MAX_SAMPLE:,} (default {_DEFAULT_SAMPLE})",
    )
    g.add_argument("--seed", type=int, default=0, help="seed of the sample, the clusters and UMAP (default 0)")
    v = p.add_argument_group("view")
    v.add_argument("--space", default="bert", choices=("bert", "static", "fused"), help="default: bert")
    v.add_argument("--mode", default="weighted", choices=("weighted", "concat", "attention"), help="fusion mode")
    v.add_argument("--alpha", type=alpha, default=0.5, help="weight of the contextual side, 0..1 (default 0.5)")
    v.add_argument("--temperature", type=temperature, default=0.1, help="attention softmax temperature")
    v.add_argument("--method", default="pca", choices=("pca", "umap"), help="projection (default: pca)")
    p.add_argument("--format", default="json", choices=("json", "csv", "html"), help="default: json")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default stdout)")
    model_options(p)


def _check_output(path: str | None) -> None:
    """An output file must be writable: its folder exists and may be written, it is no folder itself."""
    from embedkit.errors import EmbedkitError
    from embedkit.export import check_file_target

    if not path or path == "-":
        return
    target = Path(path)
    check_file_target(target)
    if not os.access(target.parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise EmbedkitError(f"cannot write {target}: permission denied")


def _sentences(args: argparse.Namespace) -> list[str]:
    from embedkit.errors import EmbedkitError
    from embedkit.text import check_text, split_lines

    sentences = [t for t in args.text if t.strip()]
    if args.input:
        path = Path(args.input)
        if not path.is_file():
            raise FileNotFoundError(f"no such input file: {path}")
        try:
            sentences += split_lines(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise EmbedkitError(f"{path.name} is not UTF-8 text (byte {exc.start}); convert it first") from exc
    if sentences:
        check_text(sentences)
    return sentences


def _in_text(word: str, sentences: list[str]) -> bool:
    from embedkit.text import segment

    return any(w.text.lower() == word for s in sentences for w in segment(s))


def _cmd_wordmap(args: argparse.Namespace) -> int:
    """The word's own map."""
    from embedkit.errors import EmbedkitError
    from embedkit.reference import check_word

    word = check_word(args.word)
    _check_output(args.output)
    sentences = _sentences(args)
    index: CorpusIndex | None = None
    if args.index:
        from embedkit.corpus.index import CorpusIndex

        if args.model or args.vectors:
            raise EmbedkitError("--index brings its own model and vectors: leave out --model and --vectors")
        index = CorpusIndex.open(args.index)
        try:
            found = len(index.rows_of(word))
        except KeyError:
            found = 0
        where = f"the corpus index {Path(args.index).name}"
    else:
        from embedkit.reference import load_reference

        found = load_reference().count(word)
        where = "the reference corpus"
    if not found and not _in_text(word, sentences):
        raise KeyError(f"{args.word.strip()!r} occurs neither in the given text nor in {where}")

    from embedkit.cli_args import embedder_from, progress_bar
    from embedkit.wordmap.output import write_word_map
    from embedkit.wordmap.word_map import build_word_map

    embedder = index.encoder().embedder if index is not None else embedder_from(args)
    embedder.fit_map(progress=progress_bar("fitting the static map", args.verbose))
    wm = build_word_map(
        word,
        embedder,
        text=sentences or None,
        index=index,
        sample=args.sample,
        seed=args.seed,
        method=args.method,
        mode=args.mode,
        temperature=args.temperature,
        progress=progress_bar("encoding the reference sentences", True),
    )
    view = wm.view(args.space, args.mode, args.alpha, args.temperature)
    for line in [view.title, *view.notes, *view.separation.lines()]:
        print(line, file=sys.stderr)
    for c in view.clusters:
        print(f"  cluster {c.id} ({c.size:,}): {', '.join(c.keywords) or '-'}", file=sys.stderr)
    settings = embedder.settings()
    if not args.output or args.output == "-":
        write_word_map(wm, view, args.format, sys.stdout, settings)
        return 0
    from embedkit.export import atomic_file

    with atomic_file(args.output) as tmp, open(tmp, "w", encoding="utf-8", newline="") as out:
        write_word_map(wm, view, args.format, out, settings)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
