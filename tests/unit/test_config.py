"""One configuration for every face: the app, the command line, a corpus index and the evaluation make the same
vectors with no options given, and the configuration's defaults are the evidence file's."""

from __future__ import annotations

import json

import numpy as np
import pytest

from embedkit.cli import build_parser
from embedkit.cli_args import config_from
from embedkit.config import EmbedderConfig
from embedkit.corpus.manifest import IndexSettings
from embedkit.defaults import ENCODER_CHOICE_PATH
from embedkit.errors import EmbedkitError
from embedkit.evaluation.settings import EvalSettings

SENTENCE = "The bank raised its interest rates."


def test_defaults_are_the_evidence_files_choice() -> None:
    evidence = json.loads(ENCODER_CHOICE_PATH.read_text(encoding="utf-8"))
    config = EmbedderConfig()
    assert (config.layers, config.pooling, config.postprocess) == (
        evidence["layers"],
        evidence["pooling"],
        evidence["postprocess"],
    )
    # every settings object holds the same default configuration
    assert IndexSettings().embedder == config
    assert EvalSettings().embedder == config


@pytest.mark.parametrize(
    "command",
    [
        ["embed", "--text", SENTENCE],
        ["neighbours", "bank", "--text", SENTENCE],
        ["project", "--text", SENTENCE],
        ["export", "--text", SENTENCE, "-o", "out"],
        ["index", "corpus.txt", "-o", "idx"],
        ["evaluate"],
    ],
)
def test_every_command_defaults_to_the_one_configuration(command: list[str]) -> None:
    args = build_parser().parse_args(command)
    assert config_from(args) == EmbedderConfig()


def test_options_are_checked_and_normalised() -> None:
    assert EmbedderConfig(layers="-2").layers == "second_last"  # one name per layer choice
    assert EmbedderConfig(pooling="MEAN").pooling == "mean"
    with pytest.raises(EmbedkitError, match="first, last, mean, first_last"):
        EmbedderConfig(pooling="max")
    with pytest.raises(EmbedkitError, match="none, center, sentence_mean, abtt"):
        EmbedderConfig(postprocess="whiten")
    with pytest.raises(EmbedkitError, match="at least 10"):
        EmbedderConfig(align_k=3)
    with pytest.raises(EmbedkitError, match="JSON object"):
        EmbedderConfig.from_dict(["layers"])  # type: ignore[arg-type]


def test_key_round_trip_and_every_field_counts() -> None:
    config = EmbedderConfig()
    assert EmbedderConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    changed = [
        config.replace(model="bert-base-uncased"),
        config.replace(layers="last"),
        config.replace(pooling="first"),
        config.replace(postprocess="none"),
        config.replace(dtype="bfloat16"),
        config.replace(runtime="onnx"),
        config.replace(vectors="vectors.txt"),
        config.replace(align="lstsq"),
        config.replace(align_k=500),
    ]
    assert len({c.key() for c in changed} | {config.key()}) == len(changed) + 1


def test_an_index_written_before_the_one_configuration_reads_as_it_was_built() -> None:
    old = {"model": None, "layers": "last", "pooling": "mean", "dtype": "float32", "align_k": 500, "block_size": 10}
    settings = IndexSettings.from_dict(old)
    assert settings.embedder == EmbedderConfig(layers="last", pooling="mean", postprocess="none", align_k=500)
    assert settings.block_size == 10
    assert IndexSettings.from_dict(settings.to_dict()) == settings


@pytest.mark.slow
def test_embed_with_no_options_equals_embed_with_the_evidence_options(tmp_path, capsys) -> None:
    from embedkit.cli import main

    evidence = json.loads(ENCODER_CHOICE_PATH.read_text(encoding="utf-8"))
    runs = {}
    for name, options in {
        "plain": [],
        "explicit": ["--layers", evidence["layers"], "--pooling", evidence["pooling"]]
        + ["--postprocess", evidence["postprocess"]],
        "other": ["--layers", "last", "--pooling", "mean", "--postprocess", "none"],
    }.items():
        out = tmp_path / f"{name}.jsonl"
        assert main(["embed", "--text", SENTENCE, "--align-k", "500", "-o", str(out), *options]) == 0
        runs[name] = np.array([json.loads(line)["bert"] for line in out.read_text().splitlines()])
    capsys.readouterr()
    np.testing.assert_array_equal(runs["plain"], runs["explicit"])
    assert not np.allclose(runs["plain"], runs["other"], atol=1e-3)  # the options do change the vectors


@pytest.mark.slow
def test_the_corpus_pages_index_and_explores_vectors_agree(tmp_path, monkeypatch) -> None:
    """An index built as the Corpus page builds one records the app's configuration, and its stored contextual
    vectors are Explore's for the same sentence (to float16, the index's storage precision)."""
    from types import SimpleNamespace

    from embedkit_app import corpus_data, state
    from tests.app.conftest import PAGES, ROOT, TIMEOUT

    monkeypatch.setenv("EMBEDKIT_CORPUS_DIR", str(tmp_path / "corpora"))
    data = (SENTENCE + "\n").encode()
    upload = SimpleNamespace(name="agree.txt", size=len(data), getvalue=lambda: data)
    name = corpus_data.build_from_upload("agree", upload, lambda s: None, EmbedderConfig())
    index = corpus_data.open_index(name)
    manifest = index.manifest
    assert IndexSettings.from_dict(manifest["settings"]).embedder == EmbedderConfig()

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(PAGES["explore"])
    at.session_state[state.SENTENCES] = [SENTENCE]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    explore = at.session_state[state.EMBEDDED]
    assert index.n_rows == len(explore.words)
    stored = np.asarray(index.vectors[np.arange(index.n_rows)], np.float32)
    np.testing.assert_allclose(stored, explore.h, rtol=2e-3, atol=2e-3)
