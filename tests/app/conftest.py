"""AppTest fixtures: every page run headless in this process; models are cached across tests.

The static -> BERT map is fitted on 500 words here (``?align_k=500``) so the first run stays short.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 300.0  # the first run loads the model and fits the map; later runs take well under a second
PAGES = {
    "home": None,
    "explore": "pages/1_Explore.py",
    "neighbours": "pages/2_Neighbours.py",
    "fusion_lab": "pages/3_Fusion_lab.py",
    "models": "pages/5_Models.py",
}

MakeApp = Callable[..., AppTest]


@pytest.fixture
def make_app() -> MakeApp:
    """Build an AppTest on ``page`` (a key of PAGES) with URL query parameters, already run once."""

    def make(page: str = "home", *, run: bool = True, **params: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        at.query_params["align_k"] = "500"
        for key, value in params.items():
            at.query_params[key] = value
        if PAGES[page] is not None:
            at.switch_page(PAGES[page])
        if run:
            at.run()
        return at

    return make


def texts(at: AppTest, kind: str) -> list[str]:
    """The values of all elements of one kind (markdown, caption, error, …)."""
    return [str(e.value) for e in getattr(at, kind)]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
