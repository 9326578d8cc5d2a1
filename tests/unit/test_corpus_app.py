"""The Corpus page headless (AppTest): no index yet, then an index in the corpus folder with a word picked."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.unit.test_corpus import SETTINGS, write_slice

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def corpus_page(monkeypatch: pytest.MonkeyPatch, folder: Path, **params: str) -> AppTest:
    monkeypatch.setenv("EMBEDKIT_CORPUS_DIR", str(folder))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("pages/7_Corpus.py")
    return at.run()


def test_without_an_index_the_page_says_how_to_build_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = corpus_page(monkeypatch, tmp_path)
    assert not at.exception, [e.value for e in at.exception]
    assert any("No index in the corpus folder" in i.value for i in at.info)
    assert at.button[0].disabled  # "Build index" waits for an upload


def test_a_word_of_an_index_shows_its_occurrences_and_neighbours(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from embedkit.corpus.build import build_index
    from embedkit.wordnet import find_wordnet

    find_wordnet()  # Debian wordnet-base: scripts/test.sh installs it; a clear error without it, never a skip
    build_index(write_slice(tmp_path / "wordnet.txt", n_glosses=30), tmp_path / "corpora" / "slice", SETTINGS)
    at = corpus_page(monkeypatch, tmp_path / "corpora", corpus="slice", cword="bank", cspace="static")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("occurrences of “bank”" in m.value for m in at.markdown)
    assert any("[bank]" in m.value.replace("\\", "") for m in at.markdown)  # the query occurrence, quoted
    at.slider(key="alpha").set_value(0.2).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "slice" in at.selectbox(key="corpus").options
