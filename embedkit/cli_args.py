"""What the sub-commands of the command line share: checked argument types, the model options, settings from them.

Light on purpose (argparse and the option enums only): ``python -m embedkit --help`` imports it.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import re
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from embedkit.config import MIN_ALIGN_K, EmbedderConfig
from embedkit.options import AlignMethod, DType, Pooling, Postprocess, Runtime, choices

if TYPE_CHECKING:
    from embedkit.embedder import Embedder

__all__ = [
    "MAX_ALIGN_K",
    "MAX_SEED",
    "alpha",
    "at_least",
    "check_align_k",
    "config_from",
    "embedder_from",
    "device",
    "model_options",
    "output_options",
    "progress_bar",
    "seed",
    "settings_from",
    "temperature",
]

#: the largest random seed (numpy's legacy seeding and UMAP's random_state take 0..2**32-1)
MAX_SEED = 2**32 - 1
#: a backstop for --align-k before the vectors are known (then it must be at most their vocabulary)
MAX_ALIGN_K = 10_000_000
_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d{1,2})?)$")
_Settings = TypeVar("_Settings")


def alpha(value: str) -> float:
    """An argparse type: a number in [0, 1]."""
    try:
        a = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"alpha must be a number in [0, 1], got {value!r}") from None
    if not 0.0 <= a <= 1.0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"alpha must be in [0, 1], got {a}")
    return a


def at_least(low: int, what: str, high: int | None = None) -> Any:
    """An argparse type: an integer >= ``low`` (and <= ``high`` when given)."""

    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number, got {value!r}") from None
        if n < low:
            raise argparse.ArgumentTypeError(f"{what} must be at least {low}, got {n}")
        if high is not None and n > high:
            raise argparse.ArgumentTypeError(f"{what} must be at most {high:,}, got {n:,}")
        return n

    return parse


def seed(value: str) -> int:
    """An argparse type: a random seed, a whole number from 0 to 2**32 - 1."""
    return int(at_least(0, "the seed", MAX_SEED)(value))


def temperature(value: str) -> float:
    """An argparse type: a positive finite number."""
    try:
        t = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"temperature must be a positive number, got {value!r}") from None
    if not math.isfinite(t) or t <= 0:
        raise argparse.ArgumentTypeError(f"temperature must be a positive finite number, got {value}")
    return t


def check_align_k(align_k: int, static: Any) -> None:
    """Refuse a map vocabulary larger than the static vectors' (it would fit on all of them, one by one).

    Raises:
        EmbedkitError: naming both sizes.
    """
    from embedkit.errors import EmbedkitError

    if align_k > len(static):
        raise EmbedkitError(
            f"--align-k {align_k:,} is more words than the static vectors hold ({len(static):,}); give at most that"
        )


def device(value: str) -> str:
    """An argparse type: auto, cpu, mps, cuda or cuda:N (lower-cased)."""
    if not _DEVICE.match(value.strip().lower()):
        raise argparse.ArgumentTypeError(f"unknown device {value!r}; choose one of: auto, cpu, cuda, cuda:N, mps")
    return value.strip().lower()


def model_options(p: argparse.ArgumentParser, *, precision: bool = True) -> None:
    """The "model and vectors" options: every field of :class:`~embedkit.config.EmbedderConfig` (defaults from it,
    so every command embeds as the app does), the device and, when asked, ``--batch-size``."""
    default = EmbedderConfig()
    g = p.add_argument_group("model and vectors")
    g.add_argument(
        "--model", metavar="ID|PATH", help="Hugging Face model id or local folder (default: bundled all-MiniLM-L6-v2)"
    )
    g.add_argument(
        "--vectors",
        metavar="PATH",
        help="word2vec/GloVe text, word2vec binary or fastText .bin (default: bundled GloVe 6B 50d)",
    )
    g.add_argument(
        "--layers",
        default=default.layers,
        help=f"last, second_last, last4, all, or indices like -1,-2 (default: {default.layers})",
    )
    options: list[tuple[str, type[Enum], str]] = [
        ("pooling", Pooling, "wordpieces -> word"),
        ("postprocess", Postprocess, "post-processing of contextual vectors (the default is the bundled encoder's "
         "choice on WordNet senses; see docs/results.md)"),
        ("dtype", DType, "forward-pass precision"),
        ("runtime", Runtime, "what runs the forward pass: torch; onnx (ONNX Runtime on the CPU, float32: the model "
         "exported once and cached, vectors equal torch's within 1e-5; needs pip install onnxruntime onnx); "
         "onnx_int8 (the same with int8 weights: faster, not equal)"),
    ]  # fmt: skip
    for name, enum, text in options:
        value = getattr(default, name)
        g.add_argument(f"--{name}", default=value, choices=choices(enum), help=f"{text} (default: {value})")
    g.add_argument("--device", type=device, default="auto", help="auto, cpu, cuda, mps (default: auto)")
    if precision:
        g.add_argument(
            "--batch-size",
            type=at_least(1, "--batch-size"),
            default=None,
            help="sequences per forward pass, sorted by length (default: 32 for float32 on CPU, else 128)",
        )
    g.add_argument(
        "--align",
        default=default.align,
        choices=choices(AlignMethod),
        help=f"static -> contextual map (default: {default.align})",
    )
    g.add_argument(
        "--align-k",
        type=at_least(MIN_ALIGN_K, "--align-k", MAX_ALIGN_K),
        default=default.align_k,
        help=f"words the map is fitted on, at most the vectors' vocabulary (default: {default.align_k})",
    )


def config_from(args: argparse.Namespace) -> EmbedderConfig:
    """The :class:`~embedkit.config.EmbedderConfig` of the parsed :func:`model_options`.

    Raises:
        EmbedkitError: an option no config accepts (e.g. malformed ``--layers``), naming the valid choices.
    """
    names = [f.name for f in dataclasses.fields(EmbedderConfig)]
    return EmbedderConfig(**{n: getattr(args, n) for n in names if hasattr(args, n)})


def output_options(
    p: argparse.ArgumentParser, formats: tuple[str, ...], output: str, *, formats_help: str = ""
) -> None:
    """``--format`` (the first of ``formats`` by default) and ``-o/--output`` (``output``: its help)."""
    p.add_argument("--format", default=formats[0], choices=formats, help=formats_help or None)
    p.add_argument("-o", "--output", metavar="OUT", help=output)


def settings_from(cls: type[_Settings], args: argparse.Namespace, **values: Any) -> _Settings:
    """A settings dataclass from the parsed options of the same names; ``values`` set the other fields."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    return cls(**{n: getattr(args, n) for n in names if hasattr(args, n) and n not in values}, **values)


def progress_bar(desc: str, enabled: bool) -> Any:
    """A ``progress(done, total)`` callback drawing a tqdm bar on stderr (the commands' one progress display), or
    None when not ``enabled``."""
    if not enabled:
        return None
    import sys

    from tqdm import tqdm

    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = tqdm(total=total, desc=desc, unit="sent", file=sys.stderr, leave=False)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()
            state.pop("bar")

    return update


def embedder_from(args: argparse.Namespace) -> Embedder:
    """The Embedder of the parsed :func:`model_options`: the vectors load first, so a refused ``--align-k`` costs
    no model load."""
    from embedkit.embedder import Embedder

    config = config_from(args)
    static = config.load_static()
    check_align_k(config.align_k, static)
    return Embedder.from_config(config, static=static, device=args.device, batch_size=getattr(args, "batch_size", None))
