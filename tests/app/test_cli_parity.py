"""The CLI and the Neighbours page compute their neighbour tables with one function: same text, same table."""

from __future__ import annotations

import json

import numpy as np
import pytest

from embedkit_app import state
from tests.app.conftest import MakeApp, no_exception
from tests.cli_runner import run_cli

pytestmark = pytest.mark.slow

TEXT = ["I sat on the river bank, by the water.", "The bank raised its interest rates.", "Banks lend money."]


@pytest.mark.parametrize("mode, alpha", [("attention", "0.3"), ("weighted", "0.6"), ("concat", "0.5")])
def test_cli_and_neighbours_page_list_the_same_neighbours(make_app: MakeApp, mode: str, alpha: str) -> None:
    at = make_app("neighbours", run=False, mode=mode, alpha=alpha)
    at.session_state[state.SENTENCES] = TEXT
    at.run()
    no_exception(at)
    assert at.selectbox(key=state.OCCURRENCE).value == 5  # the first "bank" (river sentence), picked by default
    # no encoder options: the CLI's defaults are the page's (one EmbedderConfig for every face)
    res = run_cli(
        "neighbours",
        "bank",
        *[a for t in TEXT for a in ("--text", t)],
        "--fusion",
        mode,
        "--alpha",
        alpha,
        "--align-k",
        "500",
        "--vocab-size",
        "500",
        "--hide-punctuation",
        "-k",
        "8",
        "--format",
        "json",
    )
    assert res.returncode == 0, res.stderr
    rows = [r for r in json.loads(res.stdout) if r["occurrence"].startswith("I sat on the river [bank]")]
    page = [df.value.reset_index() for df in at.dataframe]
    assert len(page) == 6
    for n, (among, space) in enumerate((a, s) for a in ("input", "vocab") for s in ("bert", "static", "fused")):
        cli = [r for r in rows if r["space"] == space and r["among"] == among]
        assert [r["word"] for r in cli] == list(page[n]["word"]), (among, space)
        np.testing.assert_allclose([r["cosine"] for r in cli], page[n]["cosine"], atol=6e-4)
