"""Named options as ``str`` enums; every function also accepts the plain strings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum
from typing import TypeVar, Union

from embedkit.errors import EmbedkitError

__all__ = [
    "AlignMethod",
    "DType",
    "FusionMode",
    "LayerSpec",
    "Pooling",
    "Postprocess",
    "Runtime",
    "Space",
    "check_layers",
    "choices",
    "coerce",
    "is_hub_id",
    "layers_label",
    "parse_layers",
]

E = TypeVar("E", bound=Enum)

_HUB_ID = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/)?[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")


def is_hub_id(value: str) -> bool:
    """Whether ``value`` has the form of a Hugging Face model id (``name`` or ``owner/name``), not a path."""
    return bool(_HUB_ID.match(value)) and ".." not in value and "--" not in value and not value.endswith(".")


class Pooling(str, Enum):
    """How the wordpieces of one word are pooled into one vector (as in flair)."""

    FIRST = "first"
    LAST = "last"
    MEAN = "mean"
    FIRST_LAST = "first_last"


class FusionMode(str, Enum):
    """How a contextual and a static vector of one word are fused."""

    CONCAT = "concat"
    WEIGHTED = "weighted"
    ATTENTION = "attention"


class AlignMethod(str, Enum):
    """How the static space is mapped into the contextual space."""

    PROCRUSTES = "procrustes"
    LSTSQ = "lstsq"
    PAD = "pad"


class Space(str, Enum):
    """The three spaces every view shows side by side: the contextual (BERT) vectors ``h``, the raw static vectors
    ``e`` and their fusion."""

    BERT = "bert"
    STATIC = "static"
    FUSED = "fused"


class Postprocess(str, Enum):
    """How contextual vectors are post-processed (see :mod:`embedkit.postprocess`)."""

    NONE = "none"
    CENTER = "center"
    SENTENCE_MEAN = "sentence_mean"
    ABTT = "abtt"


class DType(str, Enum):
    """The precision of the contextual encoder's forward pass (its output is always float32)."""

    FLOAT32 = "float32"
    BFLOAT16 = "bfloat16"
    FLOAT16 = "float16"


class Runtime(str, Enum):
    """What runs the contextual encoder's forward pass: torch; the model exported to ONNX and run by ONNX Runtime
    (float32, vectors equal torch's within 1e-5); or the same with int8 weights (faster, not equal: opt-in)."""

    TORCH = "torch"
    ONNX = "onnx"
    ONNX_INT8 = "onnx_int8"


def choices(cls: type[Enum]) -> tuple[str, ...]:
    """The plain values of an option enum, in declaration order (for argparse ``choices`` and pickers)."""
    return tuple(str(m.value) for m in cls)


def coerce(cls: type[E], value: E | str) -> E:
    """Turn a plain string into the enum member, naming the valid choices otherwise.

    Raises:
        EmbedkitError: (a ``ValueError``) if ``value`` is not one of the enum's values.
    """
    if isinstance(value, cls):
        return value
    try:
        return cls(str(value).strip().lower())
    except ValueError:
        raise EmbedkitError(f"unknown {cls.__name__} {value!r}; choose one of: {', '.join(choices(cls))}") from None


#: ``"all"`` or a tuple of hidden-state indices (negative counts from the last layer).
LayerSpec = Union[str, tuple[int, ...]]  # noqa: UP007 - a runtime alias on Python 3.10

_NAMED_LAYERS: dict[str, LayerSpec] = {
    "last": (-1,),
    "second_last": (-2,),
    "last4": (-1, -2, -3, -4),
    "all": "all",
}


def parse_layers(spec: str | Sequence[int] | int) -> LayerSpec:
    """Parse a layer choice: last, second_last, last4 (mean of the last four), all, or indices "-1,-2".

    Returns:
        ``"all"`` or a tuple of hidden-state indices whose mean is taken.

    Raises:
        EmbedkitError: (a ``ValueError``) for anything else, naming the valid choices.
    """
    if isinstance(spec, int):
        return (spec,)
    if isinstance(spec, str):
        key = spec.strip().lower()
        if key in _NAMED_LAYERS:
            return _NAMED_LAYERS[key]
        try:
            parsed = tuple(int(p) for p in key.replace(" ", "").split(",") if p)
        except ValueError:
            parsed = ()
        if not parsed:
            raise EmbedkitError(
                f"unknown layers {spec!r}; choose one of: {', '.join(_NAMED_LAYERS)} or indices like '-1,-2'"
            )
        return parsed
    parsed = tuple(int(i) for i in spec)
    if not parsed:
        raise EmbedkitError("layers: give at least one layer index")
    return parsed


def check_layers(spec: LayerSpec, n_layers: int) -> None:
    """Check layer indices against a model with ``n_layers`` transformer layers (``n_layers + 1`` hidden states:
    the embeddings, then one per layer).

    Raises:
        EmbedkitError: an index outside ``-(n_layers + 1) .. n_layers``, naming the model's layer count.
    """
    if spec == "all":
        return
    bad = [i for i in spec if not -(n_layers + 1) <= int(i) <= n_layers]
    if bad:
        raise EmbedkitError(
            f"layers {','.join(map(str, bad))}: the model has {n_layers} layers; give indices from 0 (embeddings) to "
            f"{n_layers}, or -1 (last) to -{n_layers + 1}"
        )


def layers_label(spec: LayerSpec) -> str:
    """A short stable name for a layer choice (used in cache keys and UI)."""
    for name, value in _NAMED_LAYERS.items():
        if value == spec:
            return name
    return ",".join(str(i) for i in spec)
