"""Shared fixtures: the bundled model and vectors loaded once per session, a tiny BERT built from a config,
tiny vector files. No test touches the network (HF_HUB_OFFLINE=1)."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import pytest

TESTS = Path(__file__).parent
DATA = TESTS / "data"

#: quality figures measured without embedkit; ``python scripts/update_baselines.py`` rewrites them
BASELINES = json.loads((TESTS / "baselines.json").read_text(encoding="utf-8"))

BANK_SENTENCES = ["I sat on the river bank.", "The bank raised its interest rates."]


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh embedkit disk cache for the whole run (maps and vocabularies are fitted once per run)."""
    path = tmp_path_factory.mktemp("embedkit-cache")
    os.environ["EMBEDKIT_CACHE_DIR"] = str(path)
    return path


@pytest.fixture(scope="session")
def encoder():
    """The bundled all-MiniLM-L6-v2, loaded once."""
    from embedkit.contextual import ContextualEncoder

    return ContextualEncoder()


@pytest.fixture(scope="session")
def glove():
    """The bundled GloVe 6B 50d (memory-mapped), loaded once."""
    from embedkit.static import load_static

    return load_static()


@pytest.fixture(scope="session")
def embedder(encoder, glove):
    """An Embedder on the bundled defaults with a small map vocabulary (fast to fit)."""
    from embedkit.embedder import Embedder

    return Embedder(encoder, glove, align_k=2000)


@pytest.fixture(scope="session")
def bank(embedder):
    """The polysemy pair, embedded."""
    return embedder.embed(BANK_SENTENCES)


TINY_VOCAB = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "the",
    "river",
    "bank",
    "sat",
    "on",
    "i",
    "rates",
    "raised",
    "its",
    "interest",
    ".",
    ",",
    "em",
    "##bed",
    "##ding",
    "##s",
    "word",
    "a",
    "b",
    "c",
]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BertModel with random weights and a 25-word WordPiece vocabulary, saved as safetensors."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-bert")
    (folder / "vocab.txt").write_text("\n".join(TINY_VOCAB) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=True)
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(TINY_VOCAB),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=16,
    )
    BertModel(config).eval().save_pretrained(folder, safe_serialization=True)
    return folder


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
