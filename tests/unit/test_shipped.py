"""The fits shipped for the bundled defaults: a refit reproduces them, the default configuration uses them without
encoding anything, and any other choice (an option, a kept-out word, other packages) fits anew."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedkit import shipped
from embedkit.config import EmbedderConfig

DATA = Path(shipped.__file__).resolve().parent / "data"


def encoded_sentences(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """From now on, every sentence the encoder encodes is appended (as its words) to the list returned."""
    from embedkit.contextual import ContextualEncoder

    seen: list[list[str]] = []
    real = ContextualEncoder._encode_chunk

    def spy(self, sentences):  # type: ignore[no-untyped-def]
        seen.extend(list(s) for s in sentences)
        return real(self, sentences)

    monkeypatch.setattr(ContextualEncoder, "_encode_chunk", spy)
    return seen


def test_the_shipped_files_are_small() -> None:
    files = sorted(DATA.glob("shipped_*"))
    assert len(files) >= 3
    assert all(f.stat().st_size < 2_000_000 for f in files), [(f.name, f.stat().st_size) for f in files]


def test_fits_are_shipped_for_exactly_the_default_configuration() -> None:
    fits = shipped.load_shipped()
    assert fits is not None
    assert fits.config == EmbedderConfig()  # stale after a change of the defaults: rebuild them
    # this machine's bundled packages are those they were made of
    assert shipped.shipped_for(EmbedderConfig()) is not None
    assert fits.map_W.shape == (50, 384) and fits.words_alone.shape == (EmbedderConfig().align_k, 384)
    default = EmbedderConfig()
    others = {
        "align_k": 500,
        "pooling": "mean" if default.pooling != "mean" else "first",
        "layers": "last" if default.layers != "last" else "second_last",
        "postprocess": "abtt" if default.postprocess != "abtt" else "none",
        "dtype": "bfloat16",
        "runtime": "onnx",
        "align": "lstsq",
        "model": "bert-base-uncased",
        "vectors": "my.vec",
    }
    for name, value in others.items():
        other = default.replace(**{name: value})
        assert other != default and shipped.shipped_for(other) is None, other.describe()


def test_other_bundled_packages_get_no_shipped_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    real = shipped.bundle_identity()
    changed = {part: {**info, "files": dict(info["files"])} for part, info in real.items()}
    name = next(iter(changed["model"]["files"]))
    changed["model"]["files"][name] = "0" * 64  # one file of the model differs
    monkeypatch.setattr(shipped, "bundle_identity", lambda: changed)
    shipped._forget_bundle()
    try:
        assert shipped.shipped_for(EmbedderConfig()) is None
        monkeypatch.setattr(
            shipped, "bundle_identity", lambda: {**real, "vectors": {**real["vectors"], "version": "9"}}
        )
        shipped._forget_bundle()
        assert shipped.shipped_for(EmbedderConfig()) is None
    finally:
        shipped._forget_bundle()


def test_the_recorded_file_hashes_are_the_files_hashes() -> None:
    """The package's own record of its files' SHA-256 names them as reading them does (so a fresh machine need not)."""
    assert shipped.bundle_identity() == shipped.bundle_identity(verify=True) == shipped.load_shipped().bundle


def test_a_file_whose_size_differs_from_the_record_is_hashed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = shipped.recorded_sha256
    hashed: list[str] = []
    monkeypatch.setattr(
        shipped, "recorded_sha256", lambda package: {p: (s + 1, d) for p, (s, d) in real(package).items()}
    )
    monkeypatch.setattr(shipped, "file_sha256", lambda path: hashed.append(path.name) or "0" * 64)
    identity = shipped.bundle_identity()
    assert "model.safetensors" in hashed and identity["model"]["files"]["model.safetensors"] == "0" * 64


def test_file_hashes_are_remembered_until_the_file_changes(tmp_path: Path, monkeypatch) -> None:
    import hashlib

    monkeypatch.setenv("EMBEDKIT_CACHE_DIR", str(tmp_path / "cache"))
    f = tmp_path / "weights.bin"
    f.write_bytes(b"a" * 1000)
    assert shipped.file_sha256(f) == hashlib.sha256(b"a" * 1000).hexdigest()
    f.write_bytes(b"b" * 1000)  # same size, new content
    assert shipped.file_sha256(f) == hashlib.sha256(b"b" * 1000).hexdigest()


@pytest.mark.slow
def test_the_default_embedder_uses_the_shipped_fits_and_encodes_nothing(monkeypatch, tmp_path) -> None:
    """A fresh machine (an empty cache folder): the map, the post-processing and the vocabulary come from the shipped
    fits, and the only text the encoder ever sees is the user's."""
    from embedkit.embedder import Embedder

    monkeypatch.setenv("EMBEDKIT_CACHE_DIR", str(tmp_path))
    seen = encoded_sentences(monkeypatch)
    fits = shipped.load_shipped()
    embedder = Embedder.from_config(EmbedderConfig())
    static_map = embedder.fit_map()
    assert np.array_equal(static_map.W_, fits.map_W) and static_map.n_fit_ == len(fits.words)
    vocab = embedder.vocabulary(EmbedderConfig().align_k)
    assert np.array_equal(vocab.h, fits.words_alone)
    out = embedder.embed(["I sat on the river bank."])
    assert seen == [["I", "sat", "on", "the", "river", "bank", "."]]  # no reference text, no word alone
    assert out.h.shape == (7, 384) and not list(tmp_path.glob("*.npy"))  # nothing fitted, nothing written


@pytest.mark.slow
def test_a_post_processed_configuration_is_served_its_reference_fit_too(monkeypatch, tmp_path) -> None:
    """Fits shipped for a configuration with post-processing (abtt) serve its reference fit as well: nothing but the
    user's sentence is encoded (a small map keeps building these fits short)."""
    from embedkit.embedder import Embedder

    config = EmbedderConfig(postprocess="abtt", align_k=300)
    folder = tmp_path / "fits"
    shipped.write_fits(shipped.compute_fits(config), folder)
    fits = shipped.load_shipped(folder)
    assert fits is not None and fits.post_components.shape == (4, 384)
    monkeypatch.setattr(shipped, "_shipped", lambda: fits)
    monkeypatch.setenv("EMBEDKIT_CACHE_DIR", str(tmp_path / "cache"))
    from embedkit import cache

    monkeypatch.setattr(cache, "_SHIPPED", {})  # nothing served before this test
    seen = encoded_sentences(monkeypatch)
    embedder = Embedder.from_config(config)
    assert np.array_equal(embedder.fit_map().W_, fits.map_W)
    embedder.embed(["The bank."])
    assert seen == [["The", "bank", "."]]
    assert np.array_equal(embedder.encoder.processor.components_, fits.post_components)


@pytest.mark.slow
def test_a_kept_out_word_fits_the_map_anew(monkeypatch, tmp_path) -> None:
    """The evaluation keeps benchmark words out of the map's fit: its map must never be the shipped one."""
    import embedkit.words_alone as words_alone
    from embedkit.embedder import Embedder

    monkeypatch.setenv("EMBEDKIT_CACHE_DIR", str(tmp_path))
    asked: list[list[str]] = []

    def fake(encoder, words, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(list(words))
        return np.random.default_rng(0).normal(size=(len(words), encoder.dim)).astype(np.float32)

    monkeypatch.setattr(words_alone, "encode_words_cached", fake)
    embedder = Embedder.from_config(EmbedderConfig(), exclude=["bank"])
    static_map = embedder.fit_map()
    assert asked and "bank" not in asked[0] and len(asked[0]) == EmbedderConfig().align_k
    assert not np.allclose(static_map.W_, shipped.load_shipped().map_W)


@pytest.mark.slow
def test_another_option_fits_anew(monkeypatch, tmp_path) -> None:
    from embedkit.embedder import Embedder

    monkeypatch.setenv("EMBEDKIT_CACHE_DIR", str(tmp_path))
    seen = encoded_sentences(monkeypatch)
    embedder = Embedder.from_config(EmbedderConfig(align_k=300))
    static_map = embedder.fit_map()
    assert static_map.n_fit_ == 300
    assert len([s for s in seen if len(s) == 1]) == 300  # the map's words, encoded here
    assert list(tmp_path.glob("*_W.npy"))  # and the map cached on disk as before


@pytest.mark.slow
def test_a_refit_reproduces_the_shipped_fits() -> None:
    """What scripts/build_shipped_fits.py --check does: every fit computed again from the bundled packages, in an
    empty cache folder, equals the stored one within float tolerance."""
    stored = shipped.load_shipped()
    assert stored is not None
    fresh = shipped.compute_fits(stored.config)
    assert shipped.differences(stored, fresh) == []
