from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_help_imports_nothing_heavy() -> None:
    """`--help` is fast because torch, transformers, gensim and umap are not imported for it."""
    code = (
        "import sys, contextlib, io\n"
        "from embedkit.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main(['--help'])\n"
        "    except SystemExit: pass\n"
        "heavy = [m for m in ('torch', 'transformers', 'gensim', 'umap', 'pandas', 'sklearn') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
    assert "embed" in run_cli("--help").stdout


def test_embed_jsonl_matches_the_contract() -> None:
    res = run_cli(
        "embed",
        "--text",
        "I sat on the river bank.",
        "--text",
        "The bank raised its interest rates.",
        "--fusion",
        "attention",
        "--alpha",
        "0.5",
    )
    assert res.returncode == 0, res.stderr
    records = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(records) == 14
    r = records[5]
    assert set(r) == {"sentence", "index", "word", "start", "end", "oov", "bert", "static", "fused", "weights"}
    assert (r["sentence"], r["index"], r["word"], r["start"], r["end"], r["oov"]) == (1, 5, "bank", 19, 23, False)
    assert len(r["bert"]) == 384 and len(r["static"]) == 50 and len(r["fused"]) == 384
    assert set(r["weights"]) == {"bert", "static"} and sum(r["weights"].values()) == pytest.approx(1.0, abs=1e-5)
    assert records[12]["word"] == "rates" and records[12]["sentence"] == 2


def test_weighted_jsonl_has_no_weights_and_alpha_one_is_bert(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("Banks lend money.\n\nRivers have banks.\n", encoding="utf-8")
    res = run_cli("embed", "--input", str(tmp_path / "in.txt"), "--alpha", "1", "--fusion", "weighted")
    assert res.returncode == 0, res.stderr
    records = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["sentence"] for r in records] == [1, 1, 1, 1, 2, 2, 2, 2]
    assert all("weights" not in r and r["fused"] == r["bert"] for r in records)


def test_csv_parquet_projector_and_export(tmp_path: Path) -> None:
    import pandas as pd

    args = ("--text", "The bank raised rates.", "--fusion", "concat")
    assert run_cli("embed", *args, "--format", "parquet", "-o", str(tmp_path / "v.parquet")).returncode == 0
    frame = pd.read_parquet(tmp_path / "v.parquet")
    assert list(frame["word"]) == ["The", "bank", "raised", "rates", "."] and len(frame["fused"][0]) == 434
    assert run_cli("embed", *args, "--format", "projector", "-o", str(tmp_path / "proj")).returncode == 0
    vec = (tmp_path / "proj" / "vectors.tsv").read_text().splitlines()
    meta = (tmp_path / "proj" / "metadata.tsv").read_text().splitlines()
    assert len(vec) == 5 and len(vec[0].split("\t")) == 434 and len(meta) == 6 and meta[0].startswith("word\t")
    res = run_cli("export", *args, "--method", "pca", "-o", str(tmp_path / "all"))
    assert res.returncode == 0, res.stderr
    coords = pd.read_csv(tmp_path / "all" / "coordinates.csv")
    assert {"bert_x", "bert_y", "static_x", "fused_y"} <= set(coords.columns)


def test_neighbours_and_project_commands() -> None:
    res = run_cli(
        "neighbours",
        "bank",
        "--text",
        "I sat on the river bank.",
        "--text",
        "The bank lends money.",
        "-k",
        "3",
        "--vocab-size",
        "500",
        "--format",
        "json",
    )
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    static_vocab = [r for r in rows if r["space"] == "static" and r["among"] == "vocab" and r["rank"] == 1]
    assert [r["neighbour"] for r in static_vocab] == ["bank", "bank"]
    res = run_cli(
        "project", "--text", "one two three four five six seven eight", "--method", "umap", "--format", "json"
    )
    assert res.returncode == 0, res.stderr
    assert len(json.loads(res.stdout)) == 8


@pytest.mark.parametrize(
    "args, message",
    [
        (("embed", "--text", "   "), "no text"),
        (("embed",), "no input"),
        (("embed", "--text", "hi", "--vectors", "/no/such/file.txt"), "no such vectors file"),
        (("embed", "--text", "hi", "--model", "/no/such/model"), "could not load model"),
        (("embed", "--text", "hi", "--alpha", "2"), "alpha must be in [0, 1]"),
        (("embed", "--text", "hi", "--layers", "top"), "unknown layers"),
        (("neighbours", "zebra", "--text", "The bank."), "does not occur"),
    ],
)
def test_user_errors_print_one_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    res = run_cli(*args)
    assert res.returncode == 2, res.stderr
    assert message in res.stderr
    assert "Traceback" not in res.stderr


def test_a_pickle_is_refused_by_the_cli(tmp_path: Path) -> None:
    import pickle

    path = tmp_path / "vectors.kv"
    path.write_bytes(pickle.dumps({"bank": [0.1, 0.2]}))
    res = run_cli("embed", "--text", "bank", "--vectors", str(path))
    assert res.returncode == 2 and "pickle" in res.stderr and "Traceback" not in res.stderr


def test_numba_never_swaps_the_process_streams() -> None:
    """numba's coloured messages call colorama's init()/deinit(), which replace sys.stdout and sys.stderr from the
    compiling thread (UMAP's warm-up in the app): importing embedkit first turns that off."""
    code = "import embedkit.projection, numba.core.errors as e; print(hasattr(e, 'ColorShell'))"
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
