"""docs/results.md describes the committed code: it records the hash of the code it was written from, and the app's
default encoder options (encoder_choice.json) are the ones that page and its JSON report.

When a test here fails, the evaluation code, the sense data or scripts/write_results.py changed after the page was
written: run ``python scripts/write_results.py`` (it rewrites all three files) and commit them with the code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from embedkit.evaluation.provenance import INPUTS, code_hash, input_files

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "results.md"
RERUN = "docs/results.md is older than the code it describes: run `python scripts/write_results.py`"


def _page() -> str:
    return RESULTS.read_text(encoding="utf-8")


def test_results_page_was_written_from_the_current_code() -> None:
    found = re.search(r"Code hash \*\*([0-9a-f]{16})\*\*", _page())
    assert found, "docs/results.md records no code hash; " + RERUN
    assert found.group(1) == code_hash(), RERUN


def test_the_code_hash_covers_the_evaluation_code_the_data_and_the_script(tmp_path: Path) -> None:
    names = {f.relative_to(ROOT).as_posix() for f in input_files()}
    assert {"scripts/write_results.py", "embedkit/data/wordnet_senses.tsv.gz", "embedkit/evaluation/senses.py"} <= names
    for pattern in INPUTS:  # a copy hashes the same, and one changed byte anywhere changes the hash
        for f in ROOT.glob(pattern):
            (tmp_path / f.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / f.relative_to(ROOT)).write_bytes(f.read_bytes())
    assert code_hash(tmp_path) == code_hash()
    script = tmp_path / "scripts" / "write_results.py"
    script.write_bytes(script.read_bytes() + b"\n")
    assert code_hash(tmp_path) != code_hash()


def test_the_app_default_is_the_choice_the_page_reports() -> None:
    choice = json.loads((ROOT / "embedkit" / "data" / "encoder_choice.json").read_text(encoding="utf-8"))
    data = json.loads((ROOT / "docs" / "results.json").read_text(encoding="utf-8"))
    assert data["tasks"]["senses"]["encoder_choice"] == choice
    key = f"{choice['layers']}/{choice['pooling']}/{choice['postprocess']}"
    page = _page()
    assert f"(`{key}`): the app's default" in page
    used = data["settings"]["embedder"]  # the EmbedderConfig the run used
    assert (used["layers"], used["pooling"], used["postprocess"]) == (
        choice["layers"],
        choice["pooling"],
        choice["postprocess"],
    )
    if not choice["significant"]:
        assert "not significantly better than" in choice["why"]


def test_the_page_names_its_holm_family_and_compares_a_second_encoder() -> None:
    page = _page()
    data = json.loads((ROOT / "docs" / "results.json").read_text(encoding="utf-8"))
    family = data["multiple_comparisons"]
    assert family["method"] == "holm" and f"Holm correction over the {len(family['comparisons'])} comparisons" in page
    assert "## A stronger encoder: all-MiniLM-L6-v2 (bundled) vs all-mpnet-base-v2" in page
    assert any(c["key"].startswith("encoders:") for c in family["comparisons"])
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", page)  # no date: a rerun writes the same bytes
