"""Corpus indexes under attack: every tampering class is refused with one line (exit 2) and never answered silently;
a query with faiss under a 3 GiB address-space cap does not crash; `index` fails clean, one run per folder.

One small index (WordNet slice + the *bank* examples, an IVF index forced with ``--exact-limit``) is built per module;
each case tampers a copy of it (see ``tests/security/corpus_hostile.py``).
"""

from __future__ import annotations

import gzip
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.cli_runner import error_line, run_cli
from tests.security.corpus_hostile import DAMAGED, FORGED, HOSTILE, make_hostile

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
QUERY = ("--word", "bank", "-k", "3")


@pytest.fixture(scope="module")
def good_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from embedkit.config import EmbedderConfig
    from embedkit.corpus.build import build_index
    from embedkit.corpus.manifest import IndexSettings
    from tests.unit.test_corpus import write_slice

    corpus = write_slice(tmp_path_factory.mktemp("corpus") / "wordnet.txt", n_glosses=200)
    folder = tmp_path_factory.mktemp("good") / "index"
    STAGES.clear()
    build_index(
        corpus,
        folder,
        IndexSettings(EmbedderConfig(align_k=500), block_size=50),
        exact_limit=100,
        progress=lambda s: STAGES.append(s.stage),
    )
    assert (folder / "query" / "ann.faiss").is_file()
    return folder


STAGES: list[str] = []


def test_the_build_reports_every_stage_in_order(good_index: Path) -> None:
    """The progress moves through every stage (the Corpus page showed "Loading the model…" for a whole build)."""
    seen = [s for i, s in enumerate(STAGES) if i == 0 or STAGES[i - 1] != s]
    assert seen == ["checking the input", "loading the model", "fitting the static map", "encoding", "consolidating",
                    "checksums"]  # fmt: skip
    assert STAGES.count("encoding") >= 4  # once as it starts, then after each shard (block_size 50)


@pytest.fixture(scope="module")
def hostile(good_index: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_hostile(good_index, tmp_path_factory.mktemp("hostile"))


def test_the_untampered_index_answers(good_index: Path) -> None:
    code, out, err = run_cli("query", str(good_index), *QUERY)
    assert code == 0, err
    assert "[bank]" in out


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_tampered_index_is_refused_with_one_line(case: str, hostile: dict[str, Path]) -> None:
    code, out, err = run_cli("query", str(hostile[case]), *QUERY)
    line = error_line(code, err)
    assert HOSTILE[case][1] in line, line
    assert out == ""  # no result, right or wrong


def test_every_class_of_the_issue_is_covered() -> None:
    assert len(DAMAGED) >= 20 and len(FORGED) >= 10


@pytest.mark.parametrize("case", ["vectors.npy NaN", "ann.faiss garbled (index_read.cpp)", "manifest has no counts"])
def test_the_same_faults_are_one_line_for_senses_and_kwic(case: str, hostile: dict[str, Path]) -> None:
    for argv in (["senses", str(hostile[case]), "bank"], ["query", str(hostile[case]), "--word", "bank", "--kwic"]):
        code, _, err = run_cli(*argv)
        assert HOSTILE[case][1] in error_line(code, err)


def test_a_change_after_a_verified_open_is_caught(good_index: Path, tmp_path: Path) -> None:
    """Unchanged files are not hashed again on the next open (their stamps match); a file written since, even with its
    size and modification time put back, is (its change time moved)."""
    from embedkit.corpus.index import CorpusIndex
    from embedkit.corpus.manifest import load_manifest
    from embedkit.corpus.verify import IndexDamaged, check_index

    folder = tmp_path / "index"
    shutil.copytree(good_index, folder)
    CorpusIndex.open(folder)
    manifest, sha = load_manifest(folder)
    assert check_index(folder, manifest, sha) == []  # nothing re-hashed: every stamp matches
    path = folder / "query" / "scalars.npy"
    before = path.stat()
    arr = np.load(path, mmap_mode="r+")
    arr[2, 1] = arr[2, 1] + 1.0
    arr.flush()
    del arr
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(IndexDamaged, match="checksum does not match"):
        CorpusIndex.open(folder)
    with pytest.raises(IndexDamaged):
        check_index(folder, manifest, sha, full=True)


def test_index_verify_checks_every_file(good_index: Path, hostile: dict[str, Path]) -> None:
    code, out, err = run_cli("index", "--verify", str(good_index))
    assert code == 0, err
    assert "verified" in out and "checksums" in out
    code, _, err = run_cli("index", "--verify", str(hostile["scalars.npy NaN"]))
    assert "checksum does not match" in error_line(code, err)


CAP = 3 * 2**30  # the issue's `prlimit --as=3221225472`


def _cap() -> None:  # in the child, before it runs Python: as prlimit does
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


def test_a_sentence_query_with_faiss_under_a_3_gib_cap_does_not_crash(good_index: Path) -> None:
    """The issue's `prlimit --as=3221225472 ... query IDX --word bank --sentence ...` exited 139 (SIGSEGV in
    `import faiss` after the model loaded, when its OpenMP threads could no longer map their stacks); faiss is now
    imported when the index opens. The environment keeps its thread settings: one OpenMP thread hides the crash."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env.update(PYTHONPATH=str(ROOT), CUDA_VISIBLE_DEVICES="")
    argv = ["query", str(good_index), "--word", "bank", "--sentence", "The bank lends money.", "-k", "3"]
    res = subprocess.run(
        [sys.executable, "-m", "embedkit", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
        preexec_fn=_cap,
    )
    assert res.returncode == 0, (res.returncode, res.stderr[-2000:])
    assert "The [bank] lends money." in res.stdout


# -- index: fails clean ------------------------------------------------------------------------------------
BAD_INPUTS = {
    "garbage.parquet": (b"PAR1 not really" * 50, "not a readable Parquet file"),
    "truncated.txt.gz": (gzip.compress(b"The bank lends money.\n" * 2000)[:-40], "cannot be read"),
    "notgzip.txt.gz": (b"plain text, not gzip\n", "cannot be read"),
    "latin1.txt": ("Caf\u00e9 au lait.\n".encode("latin-1"), "not UTF-8"),
    "nul.txt": (b"The bank\x00 lends money.\n", "NUL character"),
    "blank.txt": (b"\n\n   \n", "holds no text"),
    "bomb_line.txt.gz": (gzip.compress(b"a" * (16 << 20), 9) * 64, "longer than 200,000 characters"),  # 1 GB line
    "broken.jsonl": (b'{"text": "ok"}\n{"text": \n', "not JSON"),
    "nested.jsonl": (b"[" * 100_000 + b"\n", "not JSON"),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_a_bad_input_is_refused_before_the_folder_is_made(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import embedkit.corpus.build as build

    monkeypatch.setattr(build, "make_embedder", _no_model)
    data, says = BAD_INPUTS[name]
    source = tmp_path / name
    source.write_bytes(data)
    out = tmp_path / "index"
    column = ["--column", "text"] if name.endswith((".parquet", ".jsonl")) else []
    code, _, err = run_cli("index", str(source), "-o", str(out), *column)
    assert says in error_line(code, err)
    assert not out.exists()


def _no_model(*args: object, **kwargs: object) -> None:
    raise AssertionError("the model was loaded for an input that should have been refused first")


def test_bom_is_dropped_and_crlf_lines_are_records(tmp_path: Path) -> None:
    from embedkit.corpus.reader import count_records, iter_records, list_inputs

    source = tmp_path / "bom.txt"
    source.write_bytes("\ufeffThe bank lends money.\r\nWe sat on the bank.\rEnd\n".encode())
    (f,) = list_inputs(source)
    assert list(iter_records(f)) == ["The bank lends money.", "We sat on the bank.", "End"]
    assert count_records([f]) == 3


def corpus_and_folder(tmp_path: Path, text: str) -> tuple[Path, Path]:
    """A corpus file ``bank.txt`` holding ``text`` and the index folder to build (not made yet), under ``tmp_path``."""
    source = tmp_path / "bank.txt"
    source.write_text(text, encoding="utf-8")
    return source, tmp_path / "index"


def test_a_failed_index_then_a_rerun_on_the_same_folder_succeeds(tmp_path: Path) -> None:
    source, out = corpus_and_folder(tmp_path, "The bank lends money.\nWe sat on the river bank.\n")
    code, _, err = run_cli("index", str(source), "-o", str(out), "--model", str(tmp_path / "no-such-model"))
    error_line(code, err)  # fails after the folder was made: the model cannot load
    assert not out.exists(), "the folder this run made is left behind"
    code, _, err = run_cli("index", str(source), "-o", str(out), "--align-k", "500")
    assert code == 0, err
    code, out_text, err = run_cli("query", str(out), *QUERY)
    assert code == 0 and "[bank]" in out_text, err


def test_a_disk_error_after_shards_keeps_them_for_resume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import embedkit.corpus.build as build

    source, out = corpus_and_folder(tmp_path, "The bank lends money.\nWe sat on the river bank.\n")
    real = build.consolidate

    def full_disk(*args: object, **kwargs: object) -> dict[str, int]:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(build, "consolidate", full_disk)
    code, _, err = run_cli("index", str(source), "-o", str(out), "--align-k", "500")
    line = error_line(code, err)
    assert "No space left on device" in line and "--resume" in line
    assert err.rstrip().splitlines()[-1].startswith("embedkit: error:")  # on its own line, not the bar's
    monkeypatch.setattr(build, "consolidate", real)
    code, _, err = run_cli("index", str(source), "-o", str(out), "--align-k", "500", "--resume")
    assert code == 0, err


def test_one_run_per_folder_and_a_stale_lock_is_taken_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import embedkit.corpus.build as build
    from embedkit.corpus.lock import LOCK_FILE, FolderLock

    source, out = corpus_and_folder(tmp_path, "The bank lends money.\n")
    out.mkdir()
    with FolderLock(out):  # another run holds the folder
        code, _, err = run_cli("index", str(source), "-o", str(out))
        assert f"being written by another run (process {os.getpid()}" in error_line(code, err)
    # a lock file left by a killed run (its pid long gone, no flock held) does not block
    (out / LOCK_FILE).write_text('{"pid": 999999, "host": "gone", "started": "yesterday"}')
    seen: list[str] = []

    def stop_at_model(*args: object, **kwargs: object) -> None:
        seen.append("model")
        raise KeyboardInterrupt  # far enough: the lock was taken

    monkeypatch.setattr(build, "make_embedder", stop_at_model)
    assert run_cli("index", str(source), "-o", str(out)).returncode == 130  # interrupted, after the lock was taken
    assert seen == ["model"]
