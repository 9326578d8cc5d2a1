"""AppTest of the Evaluate page: it runs, explains itself, and shows the honest finding with a curve."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.query_params["align_k"] = "300"  # a small map keeps the first run short
    at.switch_page("pages/6_Evaluate.py")
    return at.run()


def test_evaluate_page_runs_and_reports_alpha_chosen_elsewhere() -> None:
    at = _page()
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.label == "What am I looking at?" for e in at.expander)
    at.multiselect(key="eval_tasks").set_value(["wordsim"])
    at.select_slider(key="eval_boot").set_value(200)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    findings = [str(e.value) for e in at.info]
    assert any("selection on SimLex-999" in f and "Within WordSim-353" in f for f in findings), findings
    assert len(at.get("plotly_chart")) == 1
    table = at.table[0].value
    assert set(table["alpha chosen on"]) == {"SimLex-999", "WordSim-353 (selection half)"}
    assert any("resampling words" in str(c.value) for c in at.caption)  # the page says which unit is resampled


def test_the_verdicts_are_holm_corrected_over_the_tasks_shown() -> None:
    """Two tasks on the page: each finding's verdict names the Holm correction over both tasks' comparisons."""
    at = _page()
    at.multiselect(key="eval_tasks").set_value(["wordsim", "simlex"])
    at.select_slider(key="eval_boot").set_value(200)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    caption = next(str(c.value) for c in at.caption if "Holm" in str(c.value))
    n = int(caption.split("over the ")[1].split(" comparisons")[0])
    assert n >= 1
    findings = [str(e.value) for e in at.info]
    assert any("Holm-adjusted p=" in f and f"over the {n} comparisons" in f for f in findings), findings
