"""The command line: every user mistake exits 2 with one plain line, a bug exits 1, and output files are either
complete or absent (a failed or killed run never leaves a partial file under the final name)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import run_cli, user_error

ROOT = Path(__file__).resolve().parents[2]
TEXT = ("--text", "The bank raised its rates.")


@pytest.mark.parametrize(
    "args, says",
    [
        (("-k", "0"), "-k must be at least 1"),
        (("-k", "-5"), "-k must be at least 1"),
        (("--vocab-size", "-3"), "--vocab-size must be at least 1"),
        (("--align-k", "0"), "--align-k must be at least 10"),
        (("--temperature", "nan"), "temperature must be a positive finite number"),
        (("--temperature", "-1"), "temperature must be a positive finite number"),
        (("--device", "bogus"), "unknown device 'bogus'"),
        (("--device", "cuda"), "no CUDA GPU is available"),
    ],
)
def test_bad_options_are_user_errors(args: tuple[str, ...], says: str) -> None:
    assert says in user_error(run_cli("neighbours", "bank", *TEXT, *args))


def test_temperature_nan_never_reaches_the_records() -> None:
    assert "temperature" in user_error(run_cli("embed", *TEXT, "--fusion", "attention", "--temperature", "nan"))


def test_bad_utf8_on_stdin_is_a_user_error() -> None:
    line = user_error(run_cli("embed", "--input", "-", stdin=b"the river bank \xff\xfe flooded\n"))
    assert "not UTF-8" in line


def test_layers_beyond_the_model_name_its_layer_count(tiny_model_dir: Path) -> None:
    line = user_error(run_cli("embed", *TEXT, "--model", str(tiny_model_dir), "--layers", "999"))
    assert "999" in line and "the model has 2 layers" in line


def test_output_into_a_folder_or_a_missing_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    assert "is a folder" in user_error(run_cli("embed", *TEXT, "-o", str(tmp_path)))
    line = user_error(run_cli("embed", *TEXT, "--format", "csv", "-o", str(tmp_path / "missing" / "out.csv")))
    assert "does not exist" in line
    (tmp_path / "notes.txt").write_text("mine")
    assert "holds other files" in user_error(run_cli("export", *TEXT, "-o", str(tmp_path)))
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_bug_is_not_reported_as_a_user_error(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from embedkit import cli
    from embedkit.errors import EmbedkitError

    def broken(args):  # a bare ValueError is what a bug in embedkit raises
        raise ValueError("internal inconsistency")

    monkeypatch.setattr(cli, "_embed", broken)
    assert cli.main(["embed", *TEXT]) == cli.EXIT_FAILURE
    assert "failed" in capsys.readouterr().err

    def mistake(args):
        raise EmbedkitError("the user's mistake")

    monkeypatch.setattr(cli, "_embed", mistake)
    assert cli.main(["embed", *TEXT]) == cli.EXIT_USER


def test_a_failed_run_leaves_the_old_output_and_no_partial_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from embedkit import cli, export

    out = tmp_path / "out.jsonl"
    out.write_text("old output\n")

    def half_then_fail(emb, fusion, stream):
        stream.write('{"word": "The"}\n')
        raise RuntimeError("disk full")

    class Embedded:  # what _embed returns, without loading a model
        def fuse(self, *args: object) -> None:
            return None

    monkeypatch.setattr(cli, "_embed", lambda args: (None, Embedded()))
    monkeypatch.setattr(export, "write_jsonl", half_then_fail)
    assert cli.main(["embed", *TEXT, "-o", str(out)]) == cli.EXIT_FAILURE
    assert out.read_text() == "old output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


KILLED = """
import os, signal, sys
from pathlib import Path
import pandas as pd
from embedkit import cli, export
target, how = Path(sys.argv[1]), sys.argv[2]

def die(*args, **kwargs):
    path = args[1] if len(args) > 1 else kwargs.get("path_or_buf")
    Path(path).write_text("sentence,word\\n0,The\\n")  # a partial write, then the process is killed
    os.kill(os.getpid(), signal.SIGKILL)

if how == "stream":
    out = cli._open_out(str(target))
    out.write("partial line")
    out.flush()
    os.kill(os.getpid(), signal.SIGKILL)
pd.DataFrame.to_csv = die
frame = pd.DataFrame({"word": ["The", "bank"]})
if how == "table":
    export.write_table(frame, target)
with export.atomic_folder(target, export.EXPORT_FILES) as folder:
    export.write_table(frame, folder / "vectors.csv")
"""


@pytest.mark.parametrize("how, name", [("stream", "out.jsonl"), ("table", "out.csv"), ("folder", "export")])
def test_a_killed_run_leaves_the_old_output(tmp_path: Path, how: str, name: str) -> None:
    target = tmp_path / name
    if how == "folder":
        target.mkdir()
        (target / "vectors.csv").write_text("old output\n")
    else:
        target.write_text("old output\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", KILLED, str(target), how], env=env, cwd=ROOT, timeout=300)
    assert res.returncode == -signal.SIGKILL
    old = target / "vectors.csv" if how == "folder" else target
    assert old.read_text() == "old output\n"


def test_a_killed_first_run_leaves_nothing_under_the_final_name(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run(
        [sys.executable, "-c", KILLED, str(tmp_path / "new.csv"), "table"], env=env, cwd=ROOT, timeout=300
    )
    assert res.returncode == -signal.SIGKILL
    assert not (tmp_path / "new.csv").exists()


# -- issue 19: every count, seed, temperature, alpha and output path is checked before anything loads --------------
@pytest.fixture
def nothing_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a model, vectors or an index is loaded: the refusal must come first."""
    import embedkit.contextual
    import embedkit.corpus.index
    import embedkit.static

    def loaded(*args: object, **kwargs: object) -> None:
        raise AssertionError("something was loaded before the arguments were checked")

    monkeypatch.setattr(embedkit.contextual.ContextualEncoder, "__init__", loaded)
    monkeypatch.setattr(embedkit.static, "load_static", loaded)
    monkeypatch.setattr(embedkit.corpus.index.CorpusIndex, "open", loaded)


EVAL = ["evaluate", "--task", "simlex"]
CASES = [
    (["query", "IDX", "--word", "bank", "-k", "0"], "-k must be at least 1"),
    (["query", "IDX", "--word", "bank", "-k", "-5"], "-k must be at least 1"),
    (["query", "IDX", "--word", "bank", "--mode", "attention", "--temperature", "nan"], "positive finite"),
    (["query", "IDX", "--word", "bank", "--temperature", "0"], "positive finite"),
    (["query", "IDX", "--word", "bank", "--temperature", "-1"], "positive finite"),
    (["query", "IDX", "--word", "bank", "--occurrence", "-1"], "--occurrence must be at least 0"),
    (["senses", "IDX", "bank", "--sample", "0"], "--sample must be at least 1"),
    (["senses", "IDX", "bank", "--sample", "-1"], "--sample must be at least 1"),
    (["senses", "IDX", "bank", "--seed", "-1"], "the seed must be at least 0"),
    (["senses", "IDX", "bank", "--max-k", "0"], "--max-k must be at least 1"),
    (["project", *TEXT, "--seed", "-1"], "the seed must be at least 0"),
    (["project", *TEXT, "--seed", str(2**70)], "the seed must be at most 4,294,967,295"),
    ([*EVAL, "--alphas", "0:1:1e-9"], "would be 1,000,000,000 values"),
    ([*EVAL, "--alphas", "0:inf:0.1"], "finite"),
    ([*EVAL, "--alphas", "nan"], "finite"),
    ([*EVAL, "--folds", "0"], "--folds must be at least 2"),
    ([*EVAL, "--analogy-vocab", "-1"], "--analogy-vocab must be at least 1"),
    ([*EVAL, "--seed", "-1"], "--seed must be a whole number from 0"),
    (["index", "corpus.txt", "-o", "IDX", "--exact-limit", "-1"], "--exact-limit must be at least 0"),
    (["index", "corpus.txt", "-o", "IDX", "--block-size", "0"], "--block-size must be at least 1"),
    (["embed", *TEXT, "--align-k", "1000000000000"], "--align-k must be at most 10,000,000"),
    (["embed", *TEXT, "-o", "/proc/version"], "cannot write /proc/version"),
    (["neighbours", "bank", *TEXT, "-o", "/proc/new.txt"], "cannot write /proc/new.txt"),
]


@pytest.mark.parametrize("argv, says", CASES, ids=[" ".join(a[:1] + a[-2:]) for a, _ in CASES])
def test_each_bad_argument_exits_2_before_anything_loads(
    argv: list[str], says: str, nothing_loads: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert says in user_error(run_cli(*argv))


def test_align_k_beyond_the_vocabulary_is_refused_before_the_fit(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import embedkit.embedder

    def fitted(*args: object, **kwargs: object) -> None:
        raise AssertionError("the map was fitted")

    monkeypatch.setattr(embedkit.embedder.Embedder, "fit_map", fitted)
    vectors = tmp_path / "tiny.txt"
    words = ["the", "river", "bank", "sat", "on", "i", "rates", "raised", "its", "interest", "money", "water"]
    vectors.write_text(f"{len(words)} 4\n" + "".join(f"{w} 0.1 0.2 0.3 0.{i + 1}\n" for i, w in enumerate(words)))
    argv = ["embed", *TEXT, "--model", str(tiny_model_dir), "--vectors", str(vectors), "--align-k", "100"]
    line = user_error(run_cli(*argv))
    assert "--align-k 100 is more words than the static vectors hold (12)" in line


def test_a_special_file_as_output_is_refused_never_replaced(
    tmp_path: Path, nothing_loads: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-o /dev/null`` (as root) used to end with /dev/null replaced by a regular file (the output is written beside
    it and renamed over it); a named pipe stands in for it here."""
    import stat

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    assert "not a regular file" in user_error(run_cli("embed", *TEXT, "-o", str(pipe)))
    assert stat.S_ISFIFO(pipe.stat().st_mode)
