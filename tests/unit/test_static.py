from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from embedkit.errors import UnsafeFileError, VectorsFileError
from embedkit.static import StaticVectors, detect_format, load_static
from tests.conftest import BANK_SENTENCES, cos

WORDS = ["the", "bank", "river", "money", "Paris", "1984"]


def _tiny(dim: int = 4) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(0)
    return WORDS, rng.normal(size=(len(WORDS), dim)).astype(np.float32)


def _kv(words: list[str], vectors: np.ndarray):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(words, vectors)
    return kv


def test_the_two_banks_coincide_under_glove(bank) -> None:
    i, j = bank.occurrences_of("bank")
    np.testing.assert_array_equal(bank.e[i], bank.e[j])
    assert cos(bank.e[i], bank.e[j]) == pytest.approx(1.0)


def test_bundled_glove_is_memory_mapped_and_read_only(glove) -> None:
    assert len(glove) == 400_000 and glove.dim == 50
    assert isinstance(glove.vectors, np.memmap) or not glove.vectors.flags.writeable
    with pytest.raises(ValueError):
        glove.vectors[0, 0] = 1.0


def test_fallback_chain_and_oov_flags(glove) -> None:
    vectors, oov = glove.lookup(["Bank", "bank", "1984", "2047", "xqzzvkw", "👋"])
    np.testing.assert_array_equal(vectors[0], vectors[1])  # lower-case fallback
    assert oov.tolist() == [False, False, False, False, True, True]
    assert not vectors[4].any()  # OOV rows are zeros *and* flagged
    with pytest.raises(KeyError):
        glove.get_vector("xqzzvkw")


@pytest.mark.parametrize("fmt", ["word2vec_text", "word2vec_binary", "glove_text"])
def test_each_text_and_binary_format_loads(tmp_path: Path, fmt: str) -> None:
    words, vectors = _tiny()
    path = tmp_path / f"vectors.{'bin' if fmt == 'word2vec_binary' else 'txt'}"
    _kv(words, vectors).save_word2vec_format(
        str(path), binary=fmt == "word2vec_binary", write_header=fmt != "glove_text"
    )
    assert detect_format(path) == fmt
    sv = load_static(path)
    assert sv.words == words and sv.dim == 4
    np.testing.assert_allclose(sv.vectors, vectors, atol=1e-5)
    assert sv.lookup(["paris"])[1].tolist() == [False]  # lower-case falls back to "Paris"


def test_fasttext_bin_gives_oov_words_subword_vectors(tmp_path: Path) -> None:
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model

    corpus = [["the", "river", "bank", "flooded"], ["the", "bank", "raised", "rates"]] * 20
    model = FastText(vector_size=8, min_count=1, epochs=2, seed=1, workers=1, min_n=3, max_n=4)
    model.build_vocab(corpus)
    model.train(corpus, total_examples=len(corpus), epochs=2)
    path = tmp_path / "tiny.bin"
    save_facebook_model(model, str(path))
    assert detect_format(path) == "fasttext_bin"
    sv = load_static(path)
    assert "bank" in sv and sv.dim == 8
    vectors, oov = sv.lookup(["banks", "riverbank"])  # not in the vocabulary, built from n-grams
    assert not oov.any() and np.abs(vectors).sum() > 0


def test_npy_folder_like_the_bundled_package_loads(tmp_path: Path) -> None:
    import pandas as pd

    words, vectors = _tiny()
    np.save(tmp_path / "emb.npy", vectors)
    pd.DataFrame({"index": words}).to_parquet(tmp_path / "index.parquet")
    sv = load_static(tmp_path)
    assert sv.words == words
    np.testing.assert_allclose(sv.vectors, vectors)


class _Payload:
    """Unpickling this object writes a marker file: the test proves it never happens."""

    marker: Path

    def __reduce__(self):
        return (Path.write_text, (self.marker, "pwned"))


@pytest.mark.parametrize("name", ["vectors.kv", "word2vec.model", "vectors.txt", "vectors.bin"])
def test_pickles_are_refused_and_their_payload_never_runs(tmp_path: Path, name: str) -> None:
    payload = _Payload()
    payload.marker = tmp_path / "marker"
    path = tmp_path / name
    path.write_bytes(pickle.dumps(payload))
    with pytest.raises(UnsafeFileError, match="pickle"):
        load_static(path)
    with pytest.raises(UnsafeFileError):
        load_static(path, format="word2vec_text") if path.suffix in (".kv", ".model") else detect_format(path)
    assert not payload.marker.exists()


def test_object_npy_is_refused(tmp_path: Path) -> None:
    import pandas as pd

    np.save(tmp_path / "emb.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    pd.DataFrame({"index": ["a"]}).to_parquet(tmp_path / "index.parquet")
    with pytest.raises(UnsafeFileError):
        load_static(tmp_path)


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02 binary junk \xff\xfe", b"2 3\nthe 0.1 0.2\nbank 0.1", b"hello world\nnot vectors at all\n"],
)
def test_corrupt_files_give_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(content)
    with pytest.raises(VectorsFileError) as info:
        load_static(path)
    assert "broken.txt" in str(info.value)


def test_oversized_files_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("the 0.1 0.2\n" * 1000)
    with pytest.raises(VectorsFileError, match="over the limit"):
        load_static(path, max_bytes=1000)


def test_missing_file_and_unknown_format() -> None:
    with pytest.raises(FileNotFoundError):
        load_static("/no/such/vectors.txt")
    with pytest.raises(ValueError, match="word2vec_text"):
        load_static(None, format="pickle")


def test_top_words_are_frequent_alphabetic_and_skip_excluded(glove) -> None:
    top = glove.top_words(20, exclude=["The", "of"])
    assert "the" not in top and "of" not in top
    assert all(w.isalpha() for w in top) and len(top) == 20


def test_static_vectors_validate_shapes() -> None:
    with pytest.raises(VectorsFileError):
        StaticVectors(["a", "b"], np.zeros((3, 2), np.float32))
    assert BANK_SENTENCES  # the shared sentences are importable for other tests
