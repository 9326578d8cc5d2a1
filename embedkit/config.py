"""One configuration of what makes the vectors: the contextual encoder, the static vectors and the map between them.

Every face of embedkit holds one :class:`EmbedderConfig`: the app's model state, the command line (built from its
options), a corpus index (recorded in its manifest, used again to encode a query) and the evaluation. Its defaults are
the bundled encoder's evidence-based options (``embedkit/data/encoder_choice.json``), so the app, ``embedkit embed``
with no options, a corpus index and the evaluation's default setting all make the same vectors.

What runs the forward pass but never changes the vectors (device, batch size) is not part of it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from embedkit.defaults import DEFAULT_MODEL_NAME, DEFAULT_VECTORS_NAME, EncoderChoice, bundled_encoder_choice
from embedkit.errors import EmbedkitError
from embedkit.options import (
    AlignMethod,
    DType,
    Pooling,
    Postprocess,
    Runtime,
    coerce,
    layers_label,
    parse_layers,
)

if TYPE_CHECKING:
    from embedkit.contextual import ContextualEncoder
    from embedkit.static import StaticVectors

__all__ = ["MIN_ALIGN_K", "EmbedderConfig", "encoder_choice"]

#: the smallest vocabulary a static -> contextual map is fitted on
MIN_ALIGN_K = 10


@lru_cache(maxsize=1)
def encoder_choice() -> EncoderChoice:
    """The bundled encoder's evidence-based options and why (read once from ``encoder_choice.json``)."""
    return bundled_encoder_choice()


@dataclass(frozen=True)
class EmbedderConfig:
    """Everything that decides the vectors of an :class:`~embedkit.embedder.Embedder` (frozen, hashable).

    Attributes:
        model: a Hugging Face id or a model folder (the app stores its own references here, e.g. ``local:NAME``);
            None for the bundled all-MiniLM-L6-v2.
        layers: ``last``, ``second_last``, ``last4``, ``all`` or indices like ``-1,-2`` (see
            :func:`embedkit.options.parse_layers`).
        pooling: wordpieces -> word: first, last, mean, first_last.
        postprocess: post-processing of the contextual vectors: none, center, sentence_mean, abtt.
        dtype: precision of the forward pass: float32, bfloat16, float16 (GPU only).
        runtime: what runs the forward pass: torch, onnx.
        vectors: a static vectors file or folder (the app stores ``upload:ID`` / ``trained:ID``); None for the
            bundled GloVe 6B 50d.
        align: the static -> contextual map: procrustes, lstsq, pad.
        align_k: the words the map is fitted on.

    Raises:
        EmbedkitError: (a ``ValueError``) an unknown option, naming the valid choices.
    """

    model: str | None = None
    layers: str = field(default_factory=lambda: encoder_choice().layers)
    pooling: str = field(default_factory=lambda: encoder_choice().pooling)
    postprocess: str = field(default_factory=lambda: encoder_choice().postprocess)
    dtype: str = DType.FLOAT32.value
    runtime: str = Runtime.TORCH.value
    vectors: str | None = None
    align: str = AlignMethod.PROCRUSTES.value
    align_k: int = 5000

    def __post_init__(self) -> None:
        normal = {
            "layers": layers_label(parse_layers(str(self.layers))),
            "pooling": coerce(Pooling, self.pooling).value,
            "postprocess": coerce(Postprocess, self.postprocess).value,
            "dtype": coerce(DType, self.dtype).value,
            "runtime": coerce(Runtime, self.runtime).value,
            "align": coerce(AlignMethod, self.align).value,
        }
        for name, value in normal.items():
            object.__setattr__(self, name, value)
        for name in ("model", "vectors"):
            value = getattr(self, name)
            object.__setattr__(self, name, None if value is None or str(value).strip() == "" else str(value))
        try:
            k = int(self.align_k)
        except (TypeError, ValueError):
            raise EmbedkitError(f"align_k must be a whole number, got {self.align_k!r}") from None
        if k < MIN_ALIGN_K:
            raise EmbedkitError(f"align_k must be at least {MIN_ALIGN_K}, got {k}")
        object.__setattr__(self, "align_k", k)

    # -- identity --------------------------------------------------------------------------------------
    def key(self) -> str:
        """A stable key of every field (for caches and manifests)."""
        from embedkit.cache import stable_hash

        return stable_hash("embedder-config", sorted(self.to_dict().items()))

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain JSON values."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EmbedderConfig:
        """A config from :meth:`to_dict`'s output; unknown keys are ignored, missing ones take the defaults.

        Raises:
            EmbedkitError: ``data`` is not a mapping, or a value is not a valid option.
        """
        if not isinstance(data, dict):
            raise EmbedkitError(f"an encoder configuration must be a JSON object, got {type(data).__name__}")
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def replace(self, **changes: Any) -> EmbedderConfig:
        """A copy with some fields changed (checked like a new config)."""
        return replace(self, **changes)

    def is_default(self) -> bool:
        """Whether this is the default configuration (bundled model and vectors, the evidence-based options)."""
        return self == EmbedderConfig()

    def describe(self) -> str:
        """One line for people, e.g. ``all-MiniLM-L6-v2 (bundled) · layers second_last · pooling last · ...``."""
        model = DEFAULT_MODEL_NAME if self.model is None else self.model
        vectors = DEFAULT_VECTORS_NAME if self.vectors is None else self.vectors
        runtime = "" if self.runtime == Runtime.TORCH.value else f" · {self.runtime}"
        return (
            f"{model} · layers {self.layers} · pooling {self.pooling} · post-processing {self.postprocess} · "
            f"{self.dtype}{runtime} | {vectors} | {self.align} map on {self.align_k:,} words"
        )

    # -- loading ---------------------------------------------------------------------------------------
    def load_encoder(
        self, *, model_path: str | None = None, device: str = "auto", batch_size: int | None = None
    ) -> ContextualEncoder:
        """The raw contextual encoder of this config (post-processing is added by the Embedder).

        Args:
            model_path: where to load the model from when ``model`` is a reference only the caller can resolve
                (the app's ``local:NAME``); default: ``model`` itself.
            device: ``auto``, ``cpu``, ``cuda``, ...
            batch_size: sequences per forward pass (None: the encoder's default).
        """
        from embedkit.contextual import ContextualEncoder

        runtime: dict[str, Any] = {} if self.runtime == Runtime.TORCH.value else {"runtime": self.runtime}
        return ContextualEncoder(
            model_path if model_path is not None else self.model,
            layers=self.layers,
            pooling=self.pooling,
            device=device,
            dtype=self.dtype,
            batch_size=batch_size,
            **runtime,
        )

    def load_static(self) -> StaticVectors:
        """The static vectors of this config (a file the caller may read; the app resolves its references)."""
        from embedkit.static import load_static

        return load_static(self.vectors)
