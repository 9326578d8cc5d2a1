"""Uploads are checked before they are kept and stay within a quota; model folders come only from the operator's
allow-list (``EMBEDKIT_MODEL_DIRS``), chosen by name, never typed or linked as a path."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import pytest

from embedkit.errors import ModelLoadError, UnsafeFileError, VectorsFileError
from tests.app.conftest import MakeApp, no_exception, texts


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EMBEDKIT_CACHE_DIR", str(tmp_path))
    from embedkit_app import sources

    return sources.uploads_dir()


def _vectors(rows: int, seed: int) -> bytes:
    lines = [f"{rows} 4"] + [f"w{seed}_{i} 0.1 0.2 0.3 {i / 10}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_pickles_and_bombs_are_refused_before_anything_is_written(store: Path) -> None:
    from embedkit_app import sources

    with pytest.raises(UnsafeFileError):
        sources.store_upload("vectors.bin", pickle.dumps({"the": [0.1]}))
    with pytest.raises(VectorsFileError, match="not a vectors file"):
        sources.store_upload("notes.txt", b"just some words\nno numbers here\n")
    with pytest.raises(UnsafeFileError):
        sources.store_upload("v.txt.gz", gzip.compress(pickle.dumps([1, 2])))
    assert list(store.iterdir()) == []


def test_a_refused_upload_is_not_kept(store: Path) -> None:
    from embedkit_app import loaders

    with pytest.raises(VectorsFileError, match="2,000,000,000 dimensions"):
        loaders.accept_upload("huge.txt.gz", gzip.compress(b"1 2000000000\nthe 0.1\n"))
    with pytest.raises(VectorsFileError, match="NaN"):
        loaders.accept_upload("nan.vec", b"2 2\nthe 0.1 nan\nbank 0.2 0.3\n")
    assert [p for p in store.iterdir() if not p.name.startswith(".")] == []


def test_uploads_stay_within_the_quota(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from embedkit_app import loaders

    one = len(_vectors(400, 0))
    monkeypatch.setenv("EMBEDKIT_UPLOAD_QUOTA_MB", str(2.5 * one / 2**20))  # room for two files
    refs = [loaders.accept_upload(f"v{k}.vec", _vectors(400, k))[0] for k in range(5)]
    kept = sorted(p.name for p in store.iterdir())
    assert len(kept) == 2 and sum((store / k).stat().st_size for k in kept) <= 2.5 * one
    assert refs[-1].split(":")[1] in kept  # the newest is kept


def test_model_folders_come_only_from_the_allow_list(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from embedkit_app import sources

    monkeypatch.delenv(sources.MODEL_DIRS_ENV, raising=False)
    assert sources.local_models() == {}
    with pytest.raises(ModelLoadError):
        sources.model_source(f"local:{tiny_model_dir.name}")
    with pytest.raises(ModelLoadError):
        sources.model_source(str(tiny_model_dir))  # a path is never a model reference
    monkeypatch.setenv(sources.MODEL_DIRS_ENV, str(tiny_model_dir.parent))
    assert sources.local_models() == {tiny_model_dir.name: tiny_model_dir.resolve()}
    path, name = sources.model_source(f"local:{tiny_model_dir.name}")
    assert path == str(tiny_model_dir.resolve()) and name == f"local:{tiny_model_dir.name}"


@pytest.mark.slow
def test_an_allow_listed_folder_is_offered_by_name_and_links_name_it_so(
    make_app: MakeApp, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBEDKIT_MODEL_DIRS", str(tiny_model_dir.parent))
    at = make_app("home", model=f"local:{tiny_model_dir.name}", layers="last")  # 2 layers: last4 would not fit
    no_exception(at)
    assert {m.label: m.value for m in at.metric}["BERT dimension"] == "32"  # the tiny model, loaded by name
    assert str(tiny_model_dir) not in "\n".join(texts(at, "markdown") + texts(at, "caption"))
    other = make_app("home", model="local:not-offered")
    assert any("not one of the model folders" in w for w in texts(other, "warning"))
