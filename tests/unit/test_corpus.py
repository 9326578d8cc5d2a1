"""Corpus mode: reading inputs, shards and resume, exact live-alpha scores, ANN recall, senses, the CLI.

The corpus is a slice of WordNet 3.0 (its first glosses and the sense-labelled examples of *bank*), indexed once
per module with the bundled model (the map fitted on 500 words to keep it quick).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from embedkit.config import EmbedderConfig
from embedkit.corpus.manifest import IndexSettings
from embedkit.corpus.reader import iter_blocks, list_inputs, split_sentences
from embedkit.corpus.search import SpaceChoice
from embedkit.errors import EmbedkitError

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = IndexSettings(EmbedderConfig(align_k=500), block_size=10)


def write_slice(path: Path, n_glosses: int = 100) -> Path:
    """WordNet's first ``n_glosses`` glosses/examples plus every sense-labelled example of *bank*."""
    from embedkit.wordnet import iter_synsets, load_sense_examples

    lines: list[str] = []
    for syn in iter_synsets():
        lines.extend((syn.definition, *syn.examples))
        if len(lines) >= n_glosses:
            break
    lines += [e.sentence for e in load_sense_examples() if e.lemma == "bank"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def shard_rows(folder: Path) -> list[tuple[str, int, str]]:
    """(sentence text, position, word) of every occurrence in the shards, in shard order."""
    import pyarrow.parquet as pq

    from embedkit.corpus.shards import occurrence_files, sentence_files

    out = []
    for occ, sent in zip(occurrence_files(folder), sentence_files(folder)):
        texts = pq.read_table(sent).column("text").to_pylist()
        t = pq.read_table(occ, columns=["sentence", "position", "word"]).to_pydict()
        out += [(texts[s], p, w) for s, p, w in zip(t["sentence"], t["position"], t["word"])]
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from embedkit.wordnet import find_wordnet

    find_wordnet()  # Debian wordnet-base: scripts/test.sh installs it; a clear error without it, never a skip
    return write_slice(tmp_path_factory.mktemp("corpus") / "wordnet.txt")


@pytest.fixture(scope="module")
def index_dir(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from embedkit.corpus.build import build_index

    return build_index(corpus, tmp_path_factory.mktemp("idx") / "index", SETTINGS)


@pytest.fixture(scope="module")
def index(index_dir: Path):
    from embedkit.corpus.index import CorpusIndex

    return CorpusIndex.open(index_dir)


# -- input ---------------------------------------------------------------------------------------------------
def test_split_sentences_keeps_abbreviations_whole() -> None:
    assert split_sentences("I sat on the bank. The bank, e.g. a firm, lends money! Why?") == [
        "I sat on the bank.",
        "The bank, e.g. a firm, lends money!",
        "Why?",
    ]
    assert split_sentences("   ") == []


def test_inputs_txt_gzip_jsonl_parquet_and_folders(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    lines = [f"Sentence number {i}." for i in range(25)]
    (tmp_path / "a.txt").write_text("\n".join(lines), encoding="utf-8")
    with gzip.open(tmp_path / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps({"text": s, "id": i}) + "\n" for i, s in enumerate(lines))
    pq.write_table(pa.table({"body": lines}), tmp_path / "c.parquet")
    expected = [tuple(lines[i : i + 10]) for i in range(0, 25, 10)]
    for name, column in (("a.txt", None), ("b.jsonl.gz", "text"), ("c.parquet", "body")):
        blocks = list(iter_blocks(list_inputs(tmp_path / name, column), 10, column))
        assert [b.records for b in blocks] == expected, name
        assert [b.name for b in blocks] == ["f00000-b000000", "f00000-b000001", "f00000-b000002"]
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "x.txt").write_text("one\n", encoding="utf-8")
    (folder / "sub" / "y.txt").write_text("two\n", encoding="utf-8")
    assert [f.path.name for f in list_inputs(folder)] == ["y.txt", "x.txt"]  # sorted by path: sub/ first


@pytest.mark.parametrize(
    ("name", "content", "column", "message"),
    [
        ("d.jsonl", '{"text": "fine"}\n{broken\n', "text", "line 2 is not JSON"),
        ("e.jsonl", '{"body": "x"}\n', "text", "has no field 'text'"),
        ("f.jsonl", '{"text": "x"}\n', None, "--column"),
        ("g.txt", "x\n", "text", "--column is for"),
        ("h.csv", "x\n", None, "unknown input format"),
    ],
)
def test_bad_inputs_give_one_clear_message(tmp_path: Path, name: str, content: str, column, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EmbedkitError, match=message):
        list(iter_blocks(list_inputs(path, column), 10, column))


def test_non_utf8_text_is_refused(tmp_path: Path) -> None:
    (tmp_path / "latin.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(EmbedkitError, match="not UTF-8"):
        list(iter_blocks(list_inputs(tmp_path / "latin.txt"), 10))


# -- index and search -------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_index_holds_every_word_of_the_corpus(index, corpus: Path) -> None:
    from embedkit.text import segment

    sentences = [s for line in corpus.read_text(encoding="utf-8").splitlines() for s in split_sentences(line)]
    assert index.manifest["counts"]["sentences"] == len(sentences)
    assert index.n_rows == sum(len(segment(s)) for s in sentences)
    kwic = index.occurrences("bank")
    assert len(kwic) >= 14 and set(kwic["word"].str.lower()) == {"bank"}
    assert index.context(int(kwic["row"][0])).count("[") == 1
    assert index.manifest["map"]["method"] == "procrustes" and index.manifest["settings_hash"]
    with pytest.raises(KeyError, match="does not occur"):
        index.rows_of("qwzxv")


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["weighted", "concat", "attention"])
def test_live_alpha_scores_equal_fusing_every_vector(index, mode: str) -> None:
    """The decomposed scores (stored scalars + per-type static terms) equal cosines of explicitly fused vectors."""
    from embedkit.cosine import normalize_rows
    from embedkit.fusion import fuse

    H = np.asarray(index.vectors, np.float32)
    t = index.row_type
    oov = index.type_oov[t]
    E = index.static_raw[t] * (~oov)[:, None]
    PE = index.mapped_static[t].astype(np.float32)
    sentence_ids = np.asarray(index.rows[:, 0])
    row = int(index.rows_of("bank")[3])
    for alpha in (0.0, 0.3, 0.8, 1.0):
        fused = fuse(H, E, PE, mode, alpha, oov=oov, sentence_ids=sentence_ids).vectors
        F = normalize_rows(fused)
        reference = F @ F[row]
        rows, scores = index.search(row, SpaceChoice("fused", mode, alpha), k=10, exact=True)
        np.testing.assert_allclose(scores, reference[rows], atol=2e-5)
        best = np.sort(np.delete(reference, row))[::-1][:10]
        np.testing.assert_allclose(scores, best, atol=2e-5)


@pytest.mark.slow
def test_alpha_one_is_bert_and_alpha_zero_is_the_static_word(index) -> None:
    row = int(index.rows_of("bank")[0])
    bert = index.table(*index.search(row, SpaceChoice("bert"), k=5))
    fused = index.table(*index.search(row, SpaceChoice("fused", "weighted", 1.0), k=5))
    assert bert["row"].tolist() == fused["row"].tolist()
    static = index.table(*index.search(row, SpaceChoice("fused", "weighted", 0.0), k=5))
    assert set(static["word"].str.lower()) == {"bank"} and np.allclose(static["cosine"], 1.0, atol=1e-4)


@pytest.mark.slow
def test_a_new_sentence_finds_the_same_sense(index) -> None:
    q = index.query_text("We had a picnic on the grassy bank of the river.", "bank")
    top = index.table(*index.search(q, SpaceChoice("bert"), k=3))
    assert "river" in top["context"][0] or "canoe" in top["context"][0], top["context"].tolist()
    with pytest.raises(KeyError, match="not a word of the sentence"):
        index.query_text("No such word here.", "bank")


@pytest.mark.slow
def test_ann_candidates_recall_exact_search(index_dir: Path, tmp_path: Path, index) -> None:
    """With the approximate index forced on (exact_limit=0), top-10 agrees with exact search."""
    from embedkit.corpus.consolidate import consolidate
    from embedkit.corpus.index import CorpusIndex

    copy = tmp_path / "ann"
    shutil.copytree(index_dir, copy)
    consolidate(copy, index.encoder().embedder.static, exact_limit=0)
    ann = CorpusIndex.open(copy)
    assert ann.ann is not None and ann.ann.ntotal == index.n_rows
    rng = np.random.default_rng(0)
    hits, total = 0, 0
    for row in rng.choice(ann.n_rows, 30, replace=False):
        q = ann.query_row(int(row))
        for alpha in (0.0, 0.5, 1.0):
            exact_rows, exact_scores = ann.search(q, SpaceChoice("fused", "weighted", alpha), k=10, exact=True)
            rows, _ = ann.search(q, SpaceChoice("fused", "weighted", alpha), k=10)
            full = dict(zip(*ann.search(q, SpaceChoice("fused", "weighted", alpha), k=ann.n_rows, exact=True)))
            hits += sum(full[r] >= exact_scores[-1] - 1e-6 for r in rows)  # ties count (one word type at alpha 0)
            total += len(exact_rows)
    assert hits / total >= 0.95, hits / total


@pytest.mark.slow
def test_senses_map_clusters_and_alpha_moves(index) -> None:
    senses = index.senses("of", SpaceChoice("bert"))
    frame = senses.frame()
    assert len(frame) == len(index.rows_of("of")) and set(frame.columns) >= {"x", "y", "cluster", "context"}
    assert senses.k == len(senses.clusters) >= 1 and sum(c.size for c in senses.clusters) == len(senses)
    assert all(c.typical and c.typical[0].count("[") == 1 for c in senses.clusters)
    fused = index.senses("of", SpaceChoice("fused", alpha=1.0))
    moved = fused.at(0.2)
    assert moved.coords is fused.coords and moved.alpha == 0.2 and fused.alpha == 1.0
    static = index.senses("of", SpaceChoice("static"))
    assert static.k == 1 and np.ptp(static.coords) == 0.0  # one word form, one static vector: one spot


# -- resume -------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_existing_index_and_other_settings_are_refused(corpus: Path, index_dir: Path, tmp_path: Path) -> None:
    from embedkit.corpus.build import build_index

    with pytest.raises(EmbedkitError, match="already holds an index"):
        build_index(corpus, index_dir, SETTINGS)
    with pytest.raises(EmbedkitError, match=rf"cannot resume.*pooling: '{SETTINGS.embedder.pooling}' -> 'first'"):
        build_index(corpus, index_dir, IndexSettings(EmbedderConfig(align_k=500, pooling="first"), block_size=10), resume=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(EmbedkitError, match="not empty"):
        build_index(corpus, tmp_path / "other", SETTINGS)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "embedkit", *args]


@pytest.mark.slow
def test_kill_9_then_resume_gives_exactly_the_rows_of_an_uninterrupted_run(
    corpus: Path, index_dir: Path, tmp_path: Path
) -> None:
    from embedkit.corpus.shards import done_shards

    out = tmp_path / "killed"
    n_shards = len(done_shards(index_dir))
    args = ["index", str(corpus), "-o", str(out), "--align-k", "500", "--block-size", "10"]
    proc = subprocess.Popen(_cli(*args), cwd=ROOT, stderr=subprocess.DEVNULL, env={**os.environ})
    deadline = time.time() + 240
    while len(done_shards(out)) < n_shards // 2 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len(done_shards(out))
    assert 0 < done < n_shards, f"killed with {done} of {n_shards} shards: not an interrupted run"
    assert json.loads((out / "manifest.json").read_text())["state"] == "indexing"
    resume = [a for a in args if a not in ("--block-size", "10")] + ["--resume"]  # the index's own block size is kept
    resumed = subprocess.run(_cli(*resume), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert shard_rows(out) == shard_rows(index_dir)
    from embedkit.corpus.index import CorpusIndex

    a, b = CorpusIndex.open(out), CorpusIndex.open(index_dir)
    assert a.n_rows == b.n_rows and np.array_equal(np.asarray(a.rows), np.asarray(b.rows))
    np.testing.assert_allclose(np.asarray(a.vectors, np.float32), np.asarray(b.vectors, np.float32), atol=2e-3)


# -- CLI ----------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_query_and_senses(index_dir: Path, tmp_path: Path) -> None:
    from embedkit.cli import main

    assert main(["query", str(index_dir), "--word", "bank", "-k", "3", "--alpha", "0.7", "--format", "json"]) == 0
    assert main(["query", str(index_dir), "--word", "qwzxv"]) == 2
    assert main(["query", str(tmp_path), "--word", "bank"]) == 2
    assert main(["senses", str(index_dir), "of", "-o", str(tmp_path / "of.txt")]) == 2
    assert main(["senses", str(index_dir), "of", "--space", "bert", "-o", str(tmp_path / "of.csv")]) == 0
    import pandas as pd

    frame = pd.read_csv(tmp_path / "of.csv")
    assert len(frame) > 20 and frame["context"].str.contains(r"\[of\]", case=False).all()


def test_shard_vectors_are_the_half_precision_rows_and_earlier_list_shards_still_read() -> None:
    """Shards keep each vector as its float16 bytes; a shard written before that (a nested float16 list) reads the same."""
    import pyarrow as pa

    from embedkit.corpus.shards import vector_column, vector_dim, vectors_of

    h16 = np.random.default_rng(0).normal(size=(5, 8)).astype(np.float16)
    now = pa.table({"h": vector_column(h16)})
    before = pa.table({"h": pa.FixedSizeListArray.from_arrays(pa.array(h16.reshape(-1)), 8)})
    for table in (now, before, now.slice(2), pa.concat_tables([now.slice(0, 2), now.slice(2)])):
        assert vector_dim(table.schema) == 8
        np.testing.assert_array_equal(vectors_of(table), h16[5 - table.num_rows :])
