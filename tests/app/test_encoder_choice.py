"""The maps' encoder options come from the senses benchmark's choice (embedkit/data/encoder_choice.json) and the
pages say why; without that file the plain defaults apply and nothing is claimed."""

from __future__ import annotations

import json

import pytest

import embedkit.defaults
from embedkit import config as embedkit_config
from embedkit.config import EmbedderConfig
from embedkit_app import state
from tests.app.conftest import MakeApp, no_exception, texts

pytestmark = pytest.mark.slow

WHY = "layer -2 separates senses best on WordNet: 0.71 [0.66, 0.75] vs last layer 0.64"


@pytest.fixture
def choice_file(tmp_path, monkeypatch):
    path = tmp_path / "encoder_choice.json"
    path.write_text(json.dumps({"layers": "second_last", "pooling": "mean", "postprocess": "none", "why": WHY}))
    monkeypatch.setattr(embedkit.defaults, "ENCODER_CHOICE_PATH", path)
    embedkit_config.encoder_choice.cache_clear()
    yield path
    embedkit_config.encoder_choice.cache_clear()


def test_the_evidence_sets_the_defaults_and_is_shown(make_app: MakeApp, choice_file) -> None:
    assert EmbedderConfig().layers == "second_last"
    assert "layers" not in state.config_params(EmbedderConfig())  # the default, so not written into links
    at = make_app("home")
    no_exception(at)
    assert any(WHY in c for c in texts(at, "caption"))
    assert any("layers **second_last**" in c for c in texts(at, "caption"))
    at.switch_page("pages/1_Explore.py").run()
    no_exception(at)
    assert any(f"Encoder options: {WHY}" in c for c in texts(at, "caption"))  # beside the maps too


def test_without_evidence_the_plain_defaults_and_no_claim(make_app: MakeApp, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(embedkit.defaults, "ENCODER_CHOICE_PATH", tmp_path / "missing.json")
    embedkit_config.encoder_choice.cache_clear()
    try:
        assert (EmbedderConfig().layers, EmbedderConfig().pooling) == ("last", "mean")
        at = make_app("home")
        assert not any("Why these encoder options" in c for c in texts(at, "caption"))
    finally:
        embedkit_config.encoder_choice.cache_clear()
