"""Runtime onnx: the encoder exported to ONNX and run by ONNX Runtime gives torch float32's vectors (within 1e-5),
is exported once and read back from the disk cache, refuses a graph that does not reproduce torch, and is the
runtime that corpus indexing uses when the configuration names it."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from embedkit import onnx_runtime
from embedkit.config import EmbedderConfig
from embedkit.contextual import ContextualEncoder
from embedkit.embedder import Embedder
from embedkit.errors import ModelLoadError
from embedkit.text import segment

TOLERANCE = 1e-5


def words_of(text: str) -> list[list[str]]:
    return [[w.text for w in segment(line)] for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def onnx_encoder() -> ContextualEncoder:
    """The bundled model with the default layers and pooling, run by ONNX Runtime."""
    config = EmbedderConfig(runtime="onnx")
    return config.load_encoder()


def test_the_default_example_gets_torch_float32_vectors_within_1e_5(onnx_encoder, glove) -> None:
    from embedkit_app.examples import DEFAULT_EXAMPLE, get_example

    text = get_example(DEFAULT_EXAMPLE).text
    config = EmbedderConfig(align_k=500)  # the default encoder options (h does not depend on the map's size)
    torch_side = Embedder.from_config(config, static=glove).embed(text)
    onnx_config = config.replace(runtime="onnx")
    onnx_side = Embedder.from_config(onnx_config, encoder=onnx_encoder, static=glove).embed(text)
    assert onnx_side.words == torch_side.words and len(torch_side.words) > 50
    assert onnx_encoder.runtime.value == "onnx" and onnx_encoder._model is None  # no torch weights in memory
    assert np.abs(onnx_side.h - torch_side.h).max() < TOLERANCE  # the default post-processed h, as users see it
    raw_torch = np.concatenate(EmbedderConfig().load_encoder().encode(words_of(text)))
    raw_onnx = np.concatenate(onnx_encoder.encode(words_of(text)))
    assert np.abs(raw_onnx - raw_torch).max() < TOLERANCE


def test_a_long_text_encoded_in_windows_gets_torch_float32_vectors_within_1e_5(onnx_encoder) -> None:
    sentence = "The bank raised its interest rates again after the river flooded the old town near the bank. "
    words = words_of(sentence * 60)[0]
    torch_encoder = EmbedderConfig().load_encoder()
    pieces = torch_encoder._tokenize([words])[0][0]
    assert len(pieces) > 2 * torch_encoder._max_pieces  # at least three windows
    (expected,) = torch_encoder.encode([words])
    (got,) = onnx_encoder.encode([words])
    assert got.shape == expected.shape == (len(words), 384)
    assert np.abs(got - expected).max() < TOLERANCE


@pytest.mark.parametrize("layers, pooling", [("last", "mean"), ("-1,-2", "first_last"), ("all", "first")])
def test_every_layers_and_pooling_choice_matches_torch(tiny_model_dir, layers: str, pooling: str) -> None:
    words = [["the", "river", "bank"], ["embeddings", "are", "a", "word"], ("the bank , its rates . " * 5).split()]
    expected = ContextualEncoder(tiny_model_dir, layers=layers, pooling=pooling).encode(words)
    got = ContextualEncoder(tiny_model_dir, layers=layers, pooling=pooling, runtime="onnx").encode(words)
    for e, g in zip(expected, got):
        assert e.shape == g.shape
        assert np.abs(e - g).max() < TOLERANCE


def test_every_hidden_state_matches_torch(tiny_model_dir) -> None:
    words = [["the", "river", "bank"], ["embeddings", "a"]]
    torch_states = dict(ContextualEncoder(tiny_model_dir).encode_layers(words))
    onnx_states = dict(ContextualEncoder(tiny_model_dir, runtime="onnx").encode_layers(words))
    for i in torch_states:
        assert onnx_states[i].shape == torch_states[i].shape == (3, 3, len(words[i]), 32)
        assert np.abs(onnx_states[i] - torch_states[i]).max() < TOLERANCE


def test_the_export_is_made_once_and_read_back_from_the_disk_cache(tiny_model_dir, monkeypatch) -> None:
    first = ContextualEncoder(tiny_model_dir, runtime="onnx")
    path = first._onnx.path
    assert path.exists() and path.is_relative_to(onnx_runtime.onnx_cache_dir())

    def no_export(*args: object, **kwargs: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_runtime, "_export", no_export)
    again = ContextualEncoder(tiny_model_dir, layers="second_last", runtime="onnx")  # other options, same graph
    assert again._onnx.path == path
    params, size = again.size()
    assert params > 0 and size >= 4 * params * 0.9


def test_a_graph_that_does_not_reproduce_torch_is_refused(tiny_model_dir, tmp_path, monkeypatch) -> None:
    import shutil

    import torch

    changed = tmp_path / "tiny-copy"  # another folder: another cache key, so a fresh export
    shutil.copytree(tiny_model_dir, changed)
    real_export = onnx_runtime._export

    def export_other_weights(model, dst, n_states, ids, mask) -> None:  # type: ignore[no-untyped-def]
        with torch.no_grad():
            model.encoder.layer[0].output.dense.weight.mul_(1.01)  # a graph that is no longer this model
        real_export(model, dst, n_states, ids, mask)

    monkeypatch.setattr(onnx_runtime, "_export", export_other_weights)
    with pytest.raises(ModelLoadError, match="does not reproduce torch"):
        ContextualEncoder(changed, runtime="onnx")
    assert not list(onnx_runtime.onnx_cache_dir().glob("*.tmp"))  # nothing half-written is left behind


def test_int8_is_its_own_setting_close_to_float32(tiny_model_dir) -> None:
    words = [["the", "river", "bank", "sat", "on", "its", "interest", "rates"]]
    fp32 = ContextualEncoder(tiny_model_dir, runtime="onnx")
    int8 = ContextualEncoder(tiny_model_dir, runtime="onnx_int8")
    assert int8.settings_key() != fp32.settings_key()  # its vectors are not float32's: never from the same cache
    assert fp32.settings_key() == ContextualEncoder(tiny_model_dir).settings_key()  # equal vectors, one cache
    a, b = fp32.encode(words)[0], int8.encode(words)[0]
    assert not np.array_equal(a, b)
    sims = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    assert sims.min() > 0.95
    assert int8.size()[1] < 0.6 * fp32.size()[1]  # int8 weights


def test_impossible_combinations_and_a_missing_install_get_one_line_errors(tiny_model_dir, monkeypatch) -> None:
    with pytest.raises(ValueError, match="float32 only"):
        ContextualEncoder(tiny_model_dir, runtime="onnx", dtype="bfloat16")
    with pytest.raises(ValueError, match="runs on the CPU"):
        ContextualEncoder(tiny_model_dir, runtime="onnx", device="cuda")
    with pytest.raises(ValueError, match="torch, onnx, onnx_int8"):
        ContextualEncoder(tiny_model_dir, runtime="tensorrt")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if not installed
    with pytest.raises(ModelLoadError, match="pip install onnxruntime onnx"):
        ContextualEncoder(tiny_model_dir, runtime="onnx")


def test_corpus_indexing_and_its_queries_use_the_configured_runtime(tmp_path) -> None:
    from embedkit.corpus.build import build_index
    from embedkit.corpus.encode import BlockEncoder
    from embedkit.corpus.manifest import IndexSettings

    src = tmp_path / "corpus.txt"
    src.write_text("The bank raised its rates.\nI sat on the river bank.\n", encoding="utf-8")
    settings = IndexSettings(embedder=EmbedderConfig(runtime="onnx", align_k=500))
    build_index(src, tmp_path / "index", settings)
    block_encoder = BlockEncoder.from_index(tmp_path / "index")
    assert block_encoder.embedder.encoder.runtime.value == "onnx"


def test_the_command_line_runs_onnx_and_refuses_an_impossible_combination(tmp_path, capsys) -> None:
    from embedkit.cli import main

    out = tmp_path / "vectors.tsv"
    assert main(["embed", "--runtime", "onnx", "--align-k", "500", "--text", "The bank.", "-o", str(out)]) == 0
    assert out.exists() and out.stat().st_size > 0
    assert main(["embed", "--runtime", "onnx", "--dtype", "bfloat16", "--text", "The bank."]) == 2
    assert "runs float32 only" in capsys.readouterr().err
