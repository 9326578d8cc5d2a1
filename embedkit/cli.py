"""The command line: ``python -m embedkit {embed,neighbours,project,export,evaluate,index,query,senses,wordmap}``.

User errors (empty text, a missing or corrupt file, a refused pickle, an unknown model or option, an output
path that cannot be written) print one line ``embedkit: error: ...`` and exit 2; any other failure (a bug)
prints its message and exits 1. Output files are written under a temporary name and renamed when the command
succeeds, so a failed or killed run leaves the old output or nothing. Heavy libraries
load only after the arguments are parsed, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import inspect
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from embedkit.cli_args import (
    MAX_SEED,
    alpha,
    at_least,
    embedder_from,
    model_options,
    output_options,
    progress_bar,
    seed,
    temperature,
)

if TYPE_CHECKING:
    from embedkit.embedded_text import EmbeddedText
    from embedkit.embedder import Embedder

__all__ = ["build_parser", "main"]

EXIT_USER = 2
EXIT_FAILURE = 1

_FUSIONS = ("concat", "weighted", "attention")
_SPACES = ("bert", "static", "fused")


# -- arguments -----------------------------------------------------------------------------------------
def _input_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("input")
    g.add_argument("--text", action="append", default=[], metavar="T", help="a sentence (repeatable)")
    g.add_argument("--input", metavar="FILE|-", help="a UTF-8 text file, one sentence per line ('-' = stdin)")


def _fusion_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("fusion")
    g.add_argument("--fusion", default="weighted", choices=_FUSIONS, help="fusion mode (default: weighted)")
    g.add_argument("--alpha", type=alpha, default=0.5, help="weight of the contextual source, 0..1 (default: 0.5)")
    g.add_argument("--temperature", type=temperature, default=0.1, help="attention softmax temperature (default: 0.1)")


def _text_command(sub: Any, func: Any, **parser: Any) -> argparse.ArgumentParser:
    """The sub-command that ``func`` runs (``_cmd_embed``: ``embed``), with the options of every command that
    embeds a text (input, model, fusion). Its help is the first line of ``func``'s docstring, its description the
    rest."""
    summary, _, rest = (inspect.getdoc(func) or "").partition("\n")
    name = func.__name__.removeprefix("_cmd_")
    p: argparse.ArgumentParser = sub.add_parser(
        name, help=summary[:1].lower() + summary[1:].rstrip("."), description=" ".join(rest.split()), **parser
    )
    p.set_defaults(func=func)
    _input_options(p)
    model_options(p)
    _fusion_options(p)
    return p


def _layout_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--method", default="umap", choices=("umap", "pca"))
    p.add_argument("--dims", type=int, default=2, choices=(2, 3))
    p.add_argument(
        "--seed", type=seed, default=0, help="random seed, 0..2**32-1: the same input and seed give the same layout"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (imports nothing heavy)."""
    parser = argparse.ArgumentParser(
        prog="python -m embedkit",
        description="Embed words with a BERT-family model and static vectors, fuse them, and inspect the spaces.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = _text_command(sub, _cmd_embed)
    p.add_argument("--space", default="fused", choices=_SPACES, help="the space written by --format projector")
    output_options(
        p,
        ("jsonl", "csv", "parquet", "projector"),
        "output file (folder for projector); default stdout",
        formats_help="jsonl (default), csv, parquet, or projector (vectors.tsv + metadata.tsv in the -o folder)",
    )

    p = _text_command(sub, _cmd_neighbours, aliases=["neighbors"])
    p.add_argument("word", help="the word whose occurrences are queried")
    p.add_argument("--space", default="all", choices=(*_SPACES, "all"), help="which space (default: all)")
    p.add_argument(
        "--among",
        default="both",
        choices=("input", "vocab", "both"),
        help="search the input's words, the vocabulary, or both",
    )
    p.add_argument("-k", type=at_least(1, "-k", 100_000), default=10, help="neighbours per list (default: 10)")
    p.add_argument(
        "--vocab-size",
        type=at_least(1, "--vocab-size", 10_000_000),
        default=5000,
        help="vocabulary rows searched (default: 5000)",
    )
    p.add_argument(
        "--hide-punctuation",
        action="store_true",
        help="leave punctuation out of the candidates (as the app does by default)",
    )
    output_options(p, ("table", "csv", "json"), "output file (default stdout)")

    p = _text_command(sub, _cmd_project)
    _layout_options(p)
    output_options(p, ("csv", "parquet", "json"), "output file (default stdout; parquet needs -o)")

    p = _text_command(sub, _cmd_export)
    _layout_options(p)
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder (created)")

    from embedkit.evaluation import cli as evaluation_cli  # light: its heavy imports wait for `run`

    evaluation_cli.add_parser(sub)
    from embedkit.corpus import cli as corpus_cli  # light: index, query, senses

    corpus_cli.add_parsers(sub)
    from embedkit.wordmap import cli as wordmap_cli  # light: the word's own map

    wordmap_cli.add_parser(sub)
    return parser


# -- shared steps --------------------------------------------------------------------------------------
def _read_sentences(args: argparse.Namespace) -> list[str]:
    from embedkit.errors import EmbedkitError
    from embedkit.text import split_lines

    sentences = [t for t in args.text]
    if args.input:
        if args.input == "-":
            data = sys.stdin.buffer.read()
            try:
                raw = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise EmbedkitError(f"standard input is not UTF-8 text (byte {exc.start}); convert it first") from exc
        else:
            path = Path(args.input)
            if not path.is_file():
                raise FileNotFoundError(f"no such input file: {path}")
            try:
                raw = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise EmbedkitError(f"{path.name} is not UTF-8 text (byte {exc.start}); convert it first") from exc
        sentences += split_lines(raw)
    if not sentences:
        raise EmbedkitError("no input: give --text 'a sentence' (repeatable) or --input FILE")
    return sentences


def _embed(args: argparse.Namespace) -> tuple[Embedder, EmbeddedText]:
    from embedkit.text import check_text

    sentences = _read_sentences(args)
    check_text(sentences)  # before any model loads
    embedder = embedder_from(args)
    long_input = len(sentences) >= 64
    embedder.fit_map(progress=progress_bar("fitting the static map", long_input or args.verbose))
    emb = embedder.embed(sentences, progress=progress_bar("embedding", long_input))
    return embedder, emb


#: output files of the running command: (temporary path, final path), renamed by main() when it succeeds
_PENDING: list[tuple[Path, Path]] = []


def _open_out(path: str | None) -> TextIO:
    """stdout, or a temporary file beside ``path`` that becomes ``path`` only when the command succeeds."""
    if not path or path == "-":
        return sys.stdout
    from embedkit.export import check_file_target

    final = Path(path)
    check_file_target(final)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    _PENDING.append((tmp, final))
    return open(tmp, "w", encoding="utf-8", newline="")


def _finish_outputs(ok: bool) -> None:
    """Rename the command's temporary outputs to their final names (``ok``), or remove them."""
    while _PENDING:
        tmp, final = _PENDING.pop()
        if ok and tmp.exists():
            os.replace(tmp, final)
        else:
            tmp.unlink(missing_ok=True)


#: the smallest value of each count option of any sub-command (checked again here, before anything loads, for the
#: options a sub-command parses as a plain int)
COUNT_MINIMUM = {
    "k": 1,
    "vocab_size": 1,
    "sample": 1,
    "max_k": 1,
    "occurrence": 0,
    "folds": 2,
    "fold_seeds": 1,
    "bootstrap": 10,
    "analogy_vocab": 1,
    "senses_lemmas": 0,
    "exact_limit": 0,
    "block_size": 1,
    "ray_actors": 1,
    "batch_size": 1,
    "align_k": 10,
}


def _check_numbers(args: argparse.Namespace) -> None:
    """Counts >= their minimum, seeds in 0..2**32-1, finite positive temperatures, finite alphas (capped)."""
    import math

    from embedkit.errors import EmbedkitError

    for name, low in COUNT_MINIMUM.items():
        value = getattr(args, name, None)
        if value is None or isinstance(value, bool) or not isinstance(value, int):
            continue
        if value < low:
            raise EmbedkitError(f"--{name.replace('_', '-')} must be at least {low}, got {value}")
    value = getattr(args, "seed", None)
    if isinstance(value, int) and not 0 <= value <= MAX_SEED:
        raise EmbedkitError(f"--seed must be a whole number from 0 to {MAX_SEED:,}, got {value}")
    value = getattr(args, "temperature", None)
    if isinstance(value, float) and not (math.isfinite(value) and value > 0):
        raise EmbedkitError(f"--temperature must be a positive finite number, got {value}")
    if isinstance(getattr(args, "alphas", None), str):
        from embedkit.evaluation.settings import parse_alphas

        parse_alphas(args.alphas)


def check_writable(path: Path) -> None:
    """Refuse an output file that could not be written: a special file (a device), a folder where no file can be
    created (``/proc``). Probed now with an empty temporary file beside it, before any model loads.

    Raises:
        EmbedkitError: naming the path and the reason.
    """
    import tempfile

    from embedkit.errors import EmbedkitError

    if path.exists() and not path.is_file():
        raise EmbedkitError(f"cannot write {path}: it is not a regular file")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".probe", dir=path.parent)
    except OSError as exc:
        raise EmbedkitError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(probe)
    if path.exists() and not os.access(path, os.W_OK):
        raise EmbedkitError(f"cannot write {path}: permission denied")


def _check_args(args: argparse.Namespace) -> None:
    """Mistakes found before any model loads: numbers out of range, where the output goes, formats that need -o,
    the device.

    Raises:
        EmbedkitError: naming the mistake.
    """
    from embedkit.errors import EmbedkitError
    from embedkit.export import EXPORT_FILES, PROJECTOR_FILES, check_file_target, check_folder

    _check_numbers(args)
    output, fmt = getattr(args, "output", None), getattr(args, "format", None)
    if args.command == "export":
        check_folder(Path(str(output)), EXPORT_FILES)
    elif fmt == "projector":
        if not output:
            raise EmbedkitError("--format projector writes two files: give a folder with -o")
        check_folder(Path(output), PROJECTOR_FILES)
    elif fmt == "parquet" and not output:
        raise EmbedkitError("--format parquet is binary: give a file with -o")
    elif output and output != "-" and not getattr(args, "checks_own_output", False):
        check_file_target(Path(output))
        check_writable(Path(output))
    device = getattr(args, "device", "auto")
    if getattr(args, "dtype", "float32") == "float16":
        from embedkit.contextual import resolve_device

        if resolve_device(device) == "cpu":
            raise EmbedkitError("--dtype float16 needs a GPU; on the CPU use bfloat16 or float32")
    if device.startswith(("cuda", "mps")):
        import torch

        if device.startswith("cuda") and not torch.cuda.is_available():
            raise EmbedkitError(f"--device {device}: no CUDA GPU is available here; use --device cpu or auto")
        if device == "mps" and not torch.backends.mps.is_available():
            raise EmbedkitError("--device mps: Apple's MPS is not available here; use --device cpu or auto")
        if device.startswith("cuda:") and int(device[5:]) >= torch.cuda.device_count():
            raise EmbedkitError(f"--device {device}: there are {torch.cuda.device_count()} CUDA devices")


# -- commands ------------------------------------------------------------------------------------------
def _cmd_embed(args: argparse.Namespace) -> int:
    """Vectors of every word occurrence.

    One record per word occurrence: its position, the contextual ('bert'), raw static and fused vectors, and for
    attention the per-word source weights. jsonl goes to stdout unless -o is given.
    """
    from embedkit import export

    _, emb = _embed(args)
    fusion = emb.fuse(args.fusion, args.alpha, args.temperature)
    if args.format == "projector":
        if not args.output:
            raise ValueError("--format projector writes two files: give a folder with -o")
        vectors = emb.space(args.space, args.fusion, args.alpha, args.temperature)
        for path in export.write_projector(emb, vectors, args.output):
            print(f"wrote {path}", file=sys.stderr)
        return 0
    if args.format == "jsonl":
        out = _open_out(args.output)
        try:
            export.write_jsonl(emb, fusion, out)
        finally:
            if out is not sys.stdout:
                out.close()
        return 0
    frame = export.vectors_frame(emb, fusion, wide=args.format == "csv")
    if args.format == "parquet" and not args.output:
        raise ValueError("--format parquet is binary: give a file with -o")
    if args.format == "csv" and not args.output:
        frame.to_csv(sys.stdout, index=False)
    else:
        export.write_table(frame, args.output, args.format)
    return 0


def _cmd_neighbours(args: argparse.Namespace) -> int:
    """Nearest neighbours of a word occurrence.

    Top-k cosine neighbours of each occurrence of WORD, in each space, among the input's word occurrences and/or
    the top static vocabulary.
    """
    import numpy as np

    from embedkit.neighbours import neighbour_table
    from embedkit.text import content_indices

    embedder, emb = _embed(args)
    hits = emb.occurrences_of(args.word)
    if hits.size == 0:
        raise KeyError(f"{args.word!r} does not occur in the input")
    vocab = embedder.vocabulary(args.vocab_size) if args.among in ("vocab", "both") else None
    frame = neighbour_table(
        emb,
        hits,
        spaces=_SPACES if args.space == "all" else (args.space,),
        mode=args.fusion,
        alpha=args.alpha,
        temperature=args.temperature,
        k=args.k,
        candidates=content_indices(emb.words, args.hide_punctuation) if args.among != "vocab" else np.zeros(0, int),
        vocabulary=vocab,
    )
    frame.insert(0, "occurrence", [emb.context(int(q)) for q in frame["query"]])
    frame = frame.drop(columns=["query", "neighbour"]).rename(columns={"context": "neighbour"})
    frame["cosine"] = frame["cosine"].round(4)
    out = _open_out(args.output)
    try:
        if args.format == "csv":
            frame.to_csv(out, index=False)
        elif args.format == "json":
            out.write(frame.to_json(orient="records", force_ascii=False) + "\n")
        else:
            for (occ, space, among), group in frame.groupby(["occurrence", "space", "among"], sort=False):
                out.write(f"\n{occ}  ·  {space}  ·  among {among}\n")
                for _, r in group.iterrows():
                    out.write(f"  {r['rank']:>3}. {r['cosine']:.3f}  {r['neighbour']}\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def _coordinates(args: argparse.Namespace, emb: EmbeddedText) -> dict[str, Any]:
    from embedkit.projection import project

    spaces = emb.spaces(args.fusion, args.alpha, args.temperature)
    return {name: project(X, args.method, args.dims, seed=args.seed) for name, X in spaces.items()}


def _cmd_project(args: argparse.Namespace) -> int:
    """2-D/3-D coordinates of every occurrence.

    UMAP (cosine, seeded) or PCA coordinates of every word occurrence in each space.
    """
    from embedkit.export import coordinates_frame, write_table

    _, emb = _embed(args)
    frame = coordinates_frame(emb, _coordinates(args, emb))
    if args.format == "parquet":
        if not args.output:
            raise ValueError("--format parquet is binary: give a file with -o")
        write_table(frame, args.output, "parquet")
        return 0
    out = _open_out(args.output)
    try:
        if args.format == "json":
            out.write(frame.to_json(orient="records", force_ascii=False) + "\n")
        else:
            frame.to_csv(out, index=False)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    """Everything for one input into a folder.

    Write vectors.parquet, vectors.csv, coordinates.csv and a TensorBoard Projector pair per space
    (projector_bert/, projector_static/, projector_fused/) into OUT.
    """
    from embedkit import export

    _, emb = _embed(args)
    fusion = emb.fuse(args.fusion, args.alpha, args.temperature)
    with export.atomic_folder(args.output, export.EXPORT_FILES) as folder:  # complete, then swapped in
        export.write_table(export.vectors_frame(emb, fusion, wide=False), folder / "vectors.parquet")
        export.write_table(export.vectors_frame(emb, fusion, wide=True), folder / "vectors.csv")
        export.write_table(export.coordinates_frame(emb, _coordinates(args, emb)), folder / "coordinates.csv")
        for name, vectors in emb.spaces(args.fusion, args.alpha, args.temperature).items():
            export.write_projector(emb, vectors, folder / f"projector_{name}")
    print(f"wrote {args.output}/ (vectors.parquet, vectors.csv, coordinates.csv, projector_*/)", file=sys.stderr)
    return 0


# -- entry point ---------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 user error, 1 other failure).

    Only user mistakes exit 2: an :class:`~embedkit.errors.EmbedkitError` (bad text, option, file or model), a
    missing file, or an unknown word (``KeyError``). Anything else is a failure of embedkit and exits 1.
    Output files appear under their final names only when the command succeeds.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    from embedkit.errors import EmbedkitError

    ok = False
    try:
        _check_args(args)
        status = int(args.func(args) or 0)
        ok = status == 0
        return status
    except (EmbedkitError, FileNotFoundError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"embedkit: error: {message}", file=sys.stderr)
        return EXIT_USER
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
    except KeyboardInterrupt:
        print("embedkit: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        logging.getLogger(__name__).debug("failure", exc_info=True)
        print(f"embedkit: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        _finish_outputs(ok)
