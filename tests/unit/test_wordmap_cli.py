"""``python -m embedkit wordmap``: the JSON contract, CSV and HTML files, and one line + exit 2 for every user
mistake, found before the model loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedkit.cli import main

TEXT = ["--text", "I sat on the river bank.", "--text", "The bank raised its interest rates."]


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading a model fails the test: the mistake must be found before."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded before the mistake was found")

    monkeypatch.setattr("embedkit.config.EmbedderConfig.load_encoder", refuse)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["", *TEXT], "the word is empty"),
        (["river bank", *TEXT], "one word"),
        (["qzxvwq", *TEXT], "occurs neither"),
        (["bank", "--input", "/no/such/file.txt"], "no such input file"),
        (["bank", *TEXT, "-o", "/no/such/folder/out.json"], "does not exist"),
        (["bank", "--index", "/no/such/index"], "not a corpus index"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(
    no_model: None, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["wordmap", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("embedkit: error:") and message in err[0]


def test_an_output_folder_is_refused(no_model: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wordmap", "bank", *TEXT, "-o", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args", [["--sample", "0"], ["--sample", "-1"], ["--sample", "999999"], ["--alpha", "nan"], ["--alpha", "1.5"]]
)
def test_bad_numbers_exit_2(no_model: None, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["wordmap", "bank", *TEXT, *args])
    assert exit_.value.code == 2
    assert args[0] in capsys.readouterr().err


@pytest.mark.slow
def test_json_csv_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wordmap", "bank", *TEXT, "--sample", "60", "--space", "fused", "--alpha", "0.3"]) == 0
    out = capsys.readouterr()
    doc = json.loads(out.out)
    assert doc["word"] == "bank" and doc["space"] == "fused" and doc["alpha"] == 0.3
    assert {"id", "size", "keywords", "contexts"} <= set(doc["clusters"][0])
    points = doc["points"]
    assert [p["source"] for p in points[:2]] == ["text", "text"] and len(points) == 62
    assert {"source", "sentence", "cluster", "sense", "x", "y"} <= set(points[0])
    assert {"ari", "nn_accuracy", "chance", "user"} <= set(doc["separation"])
    assert "bank · fused (weighted, α = 0.30)" in out.err

    csv = tmp_path / "bank.csv"
    assert (
        main(["wordmap", "bank", *TEXT, "--sample", "60", "--space", "static", "--format", "csv", "-o", str(csv)]) == 0
    )
    import pandas as pd

    frame = pd.read_csv(csv)
    assert len(frame) == 62 and frame[["x", "y"]].nunique().max() == 1  # the static space: one point
    assert "one spot" in capsys.readouterr().err

    page = tmp_path / "bank.html"
    assert main(["wordmap", "bank", *TEXT, "--sample", "60", "--format", "html", "-o", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "your sentences" in html and "plotly" in html.lower()
    assert not list(tmp_path.glob(".*.tmp"))  # written under a temporary name, then renamed
